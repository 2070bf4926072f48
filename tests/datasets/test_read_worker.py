"""The reading process: a job over its time limit is killed and skipped, one that kills the
process is skipped too, and the files queued behind either still get their answer.

Real child processes run real functions: ``time.sleep`` sleeps for a minute (a decoder that
spins), ``os._exit`` ends the process (a decoder that crashes or hits the memory limit).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from alstudio.datasets import discover
from alstudio.datasets.read_worker import FileTimedOut, GuardedReader, timeout_reason
from alstudio.datasets.records import MAX_VOXELS, SkippedFile
from alstudio.errors import ScanReadError


def test_a_job_that_hangs_is_skipped_after_the_limit_and_the_rest_go_on() -> None:
    started = time.monotonic()
    with GuardedReader[str](timeout=1.0, job="time:sleep") as reader:
        reader.submit("first", 0.0, "first.dcm")
        reader.submit("stuck", 60.0, "stuck.dcm")
        reader.submit("after", 0.0, "after.dcm")
        results = dict(reader.drain())
    elapsed = time.monotonic() - started
    assert results["first"] is None and results["after"] is None
    error = results["stuck"]
    assert isinstance(error, FileTimedOut)
    assert error.path == "stuck.dcm"
    assert error.reason == timeout_reason(1.0) == "took longer than 1 s to read; skipped"
    assert elapsed < 30, f"the stuck job held the reader for {elapsed:.0f} s"


def test_a_job_that_ends_the_process_is_skipped_with_its_exit_code() -> None:
    with GuardedReader[str](timeout=30.0, job="os:_exit") as reader:
        reader.submit("crash", 3, "crash.dcm")
        results = list(reader.drain())
    assert len(results) == 1
    payload, error = results[0]
    assert payload == "crash"
    assert isinstance(error, ScanReadError) and not isinstance(error, FileTimedOut)
    assert "exit code 3" in error.reason


def test_a_job_error_is_the_files_reason_and_answers_keep_their_order(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("x")
    with GuardedReader[int](timeout=30.0, job="os:stat") as reader:
        for index in range(20):  # more than are handed over at once
            reader.submit(index, str(good if index % 3 else tmp_path / "gone"), f"{index}")
        results = list(reader.finished()) + list(reader.drain())
    assert [payload for payload, _ in results] == list(range(20))
    failed = [payload for payload, error in results if error is not None]
    assert failed == [i for i in range(20) if i % 3 == 0]


def test_a_time_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        GuardedReader[str](timeout=0.0)


def _discover_with_deadline(folder: Path, seconds: float = 30.0) -> list[object]:
    found: list[object] = []
    walker = threading.Thread(target=lambda: found.extend(discover([folder])), daemon=True)
    walker.start()
    walker.join(seconds)
    assert not walker.is_alive(), "discovery blocked (it opened the named pipe?)"
    return found


def test_a_named_pipe_is_reported_without_being_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "scan.dcm")
    (tmp_path / "notes.bin").write_bytes(b"\x00" * 300)
    found = _discover_with_deadline(tmp_path)
    reasons = {Path(f.path).name: f.reason for f in found if isinstance(f, SkippedFile)}
    assert reasons["scan.dcm"].startswith("a named pipe (FIFO), not a regular file")
    assert "notes.bin" in reasons  # the regular file next to it is still looked at


def test_a_named_pipe_given_by_name_is_reported_too(tmp_path: Path) -> None:
    pipe = tmp_path / "direct.nii"
    os.mkfifo(pipe)
    found: list[object] = []
    walker = threading.Thread(target=lambda: found.extend(discover([pipe])), daemon=True)
    walker.start()
    walker.join(30)
    assert not walker.is_alive()
    assert len(found) == 1 and isinstance(found[0], SkippedFile)
    assert "named pipe" in found[0].reason


def test_a_device_file_is_reported_without_being_read(tmp_path: Path) -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    (tmp_path / "endless.dcm").symlink_to("/dev/zero")  # reading it never ends
    found = _discover_with_deadline(tmp_path)
    assert len(found) == 1 and isinstance(found[0], SkippedFile)
    assert found[0].reason.startswith("a device file")


def test_a_nifti_claiming_too_many_voxels_is_refused_from_its_header(tmp_path: Path) -> None:
    import nibabel
    import numpy as np

    image = nibabel.Nifti1Image(np.zeros((4, 4, 4), np.int16), np.eye(4))
    image.header.set_data_shape((30000, 30000, 100))  # 90 G voxels: 180 GB as stored
    path = tmp_path / "claims.nii"
    path.write_bytes(image.header.binaryblock + b"\x00" * (4 + 4096))
    found = _discover_with_deadline(tmp_path)
    assert len(found) == 1 and isinstance(found[0], SkippedFile)
    assert found[0].reason.startswith("too large: its header claims")
    assert f"{MAX_VOXELS:,}" in found[0].reason
