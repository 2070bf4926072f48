"""Copies of a real project with flipped bytes: a clean message or a working project, never a
traceback, and a file that fails its integrity check never takes a write."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from alstudio import cli
from alstudio.project.integrity import file_problem

COPIES = 40


def flip(source: bytes, rng: random.Random) -> bytes:
    """A few bytes flipped, in one page or spread over the file (header included at times)."""
    data = bytearray(source)
    spread = rng.random() < 0.5
    base = rng.randrange(len(data))
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(data)) if spread else min(len(data) - 1,
                                                        base + rng.randrange(64))
        data[at] ^= 1 << rng.randrange(8)
    return bytes(data)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(argv)  # an uncaught exception here is the traceback a user would see
    err = capsys.readouterr().err
    return code, err


def test_flipped_bytes_give_a_message_or_a_working_project(
        demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(13)
    original = demo_path.read_bytes()
    outcomes = {"works": 0, "refused": 0, "write refused": 0}
    for n in range(COPIES):
        copy = tmp_path / f"flipped{n}.alstudio"
        copy.write_bytes(flip(original, rng))
        damaged = file_problem(copy, full=True) is not None
        code, err = run(["info", str(copy), "--json"], capsys)
        assert code in (0, 1)
        if code == 1:
            assert err.startswith("alstudio: ") and err.count("\n") == 1, err
        code, err = run(["label", str(copy), "1", "malignant", "--annotator", "dr_a"], capsys)
        assert code in (0, 1), err
        if damaged:
            assert code == 1, f"copy {n} fails its integrity check but took a label"
        if code == 1:
            assert err.count("\n") == 1 and "Traceback" not in err, err
        outcomes["works" if code == 0 else "refused" if damaged else "write refused"] += 1
    print(outcomes)
    # the flips must have hit something: some copies are refused, some still work
    assert outcomes["refused"] > 0 and outcomes["works"] > 0, outcomes
