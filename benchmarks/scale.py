"""Scale: a large pool through import, a cold round, a round with labels, the queue view,
exports, and a folder of many small DICOM files through import and a de-identified export;
times and peak memory.

    python benchmarks/scale.py [--items 100000] [--dicom 10000] [--labels 41]
                               [--export-labels 400] [--quick]

The pool is a synthetic MedMNIST-style archive of 28-pixel images (two classes, the second
with a bright square); the DICOM folder holds single-frame 32x32 CT images, one series each.
Peak RSS of the import, round and queue steps is this process's high-water mark after each
step (it never goes down). Before the exports, ``--export-labels`` labels are given through
``LabelingSession.give`` (the function behind the window's keys) and every DICOM item is
labeled the same way; each export (CSV and JSON of every item, the MONAI datalist and the
folder-per-class images of the labeled set, the de-identified DICOM copies) then runs through
``run_export`` in a fresh process, so its peak RSS is its own.

The window at this scale (opening, the queue list, filters, scrolling, key presses, the
Progress panel, the agreement dialog, the background integrity check) is measured by
``benchmarks/gui_scale.py``: the longest event-loop stall per action.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alstudio.project import Project
from alstudio.workflow import RoundConfig, run_round
from alstudio.workflow.importer import import_paths


def peak_mib() -> float:
    """The process's peak resident memory so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_archive(path: Path, n: int, seed: int = 0) -> None:
    """``n`` pool images and n/20 test images of 28 x 28 pixels."""
    rng = np.random.default_rng(seed)
    n_test = max(100, n // 20)
    images = rng.integers(0, 160, (n + n_test, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 2, n + n_test).astype(np.uint8)
    images[labels == 1, 9:19, 9:19] = 255
    np.savez_compressed(path, train_images=images[:n], train_labels=labels[:n],
                        test_images=images[n:], test_labels=labels[n:])


def dicom_folder(folder: Path, n: int) -> None:
    """``n`` single-frame 32 x 32 CT files, each its own series."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

    folder.mkdir(parents=True)
    rng = np.random.default_rng(1)
    for k in range(n):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
        ds.Modality, ds.InstanceNumber = "CT", 1
        ds.Rows = ds.Columns = 32
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
        ds.PixelSpacing = [0.7, 0.7]
        ds.PixelData = rng.integers(0, 4095, (32, 32), dtype=np.uint16).tobytes()
        ds.save_as(folder / f"img{k:05d}.dcm", enforce_file_format=True)


def timed(label: str, figures: list[tuple[str, str]], start: float, extra: str = "") -> None:
    """Record one step's wall time and the peak RSS after it."""
    seconds = time.monotonic() - start
    figures.append((label, f"{seconds:7.1f} s   peak RSS {peak_mib():6.0f} MiB   {extra}"))
    print(f"{label}: {seconds:.1f} s, peak RSS {peak_mib():.0f} MiB {extra}", flush=True)


EXPORT_SCRIPT = r"""
import json, sys, time
from pathlib import Path
from alstudio.export import ExportOptions
from alstudio.workflow.export import run_export
project, out, fmt = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
start = time.monotonic()
report = run_export(project, out, ExportOptions(fmt, include_unlabeled=fmt in ("csv", "json")))
size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
status = Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]
peak = int(status) / 1024  # this process's own high-water mark (ru_maxrss survives exec)
print(json.dumps({"seconds": time.monotonic() - start, "items": report.items_written,
                  "files": len(report.files), "mib": size / 2**20,
                  "left_out": len(report.left_out),
                  "peak": peak}))
"""


def export_step(project: Path, out: Path, fmt: str, what: str,
                figures: list[tuple[str, str]]) -> None:
    """One export in a fresh process (its own peak RSS); records time, size and memory."""
    done = subprocess.run([sys.executable, "-c", EXPORT_SCRIPT, str(project), str(out), fmt],
                          capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parents[1])
    if done.returncode != 0:
        raise SystemExit(f"export {fmt} failed:\n{done.stderr}")
    got = json.loads(done.stdout.strip().splitlines()[-1])
    label = f"export {fmt} ({what})"
    value = (f"{got['seconds']:7.1f} s   peak RSS {got['peak']:6.0f} MiB   {got['items']} "
             f"items, {got['files']} files, {got['mib']:.1f} MiB"
             + (f", {got['left_out']} left out" if got["left_out"] else ""))
    figures.append((label, value))
    print(f"{label}: {value}", flush=True)


def give_labels(path: Path, count: int, figures: list[tuple[str, str]], what: str) -> None:
    """``count`` labels through LabelingSession.give, one transaction each (as the keys do)."""
    from alstudio.project.session import LabelingSession

    start = time.monotonic()
    with Project.open(path) as project:
        session = LabelingSession(project, "reader")
        names = project.class_names()
        ids = project.item_ids("pool")[:count]
        for n, item_id in enumerate(ids):
            session.give(item_id, "reader", names[n % 2], seconds=2.0)
    timed(f"label {len(ids)} {what} (LabelingSession.give)", figures, start)


def main() -> None:
    """Run every step and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--dicom", type=int, default=10_000)
    parser.add_argument("--labels", type=int, default=41)
    parser.add_argument("--export-labels", type=int, default=400,
                        help="labels given before the exports (on top of --labels)")
    parser.add_argument("--quick", action="store_true", help="20,000 items, 1,000 DICOM files")
    args = parser.parse_args()
    if args.quick:
        args.items, args.dicom = 20_000, 1_000
    figures: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        archive = root / "pool.npz"
        synthetic_archive(archive, args.items)
        path = root / "scale.alstudio"
        start = time.monotonic()
        with Project.create(path, ["normal", "abnormal"]) as project:
            report = import_paths(project, [archive])
        timed(f"import {args.items} images", figures, start, f"{report.imported} items")

        start = time.monotonic()
        cold = run_round(path, RoundConfig(batch_size=20))
        timed("round 1 (cold start, no labels)", figures, start,
              f"queued {len(cold.queue)}")

        with Project.open(path) as project:
            names = project.class_names()
            reference = list(project.reference_labels("pool").items())[:args.labels]
            for item_id, label in reference:
                project.add_label(item_id, "benchmark", names[label])
        start = time.monotonic()
        warm = run_round(path, RoundConfig(batch_size=20))
        scored = warm.metrics.get("scored", args.items)
        timed(f"round 2 ({args.labels} labels)", figures, start,
              f"scored {scored}, train {warm.metrics['seconds'].get('train', 0):.0f} s, "
              f"score {warm.metrics['seconds'].get('score', 0):.0f} s")

        start = time.monotonic()
        with Project.open(path) as project:
            latest = project.latest_round()
            assert latest is not None
            queue = project.queue(latest.id)
            items = project.items(ids=[e.item_id for e in queue])
            labels = project.current_labels()
        timed("queue view (queue, its items, current labels)", figures, start,
              f"{len(items)} items, {len(labels)} labeled")

        give_labels(path, args.labels + args.export_labels, figures, "pool items")
        export_step(path, root / "out-csv", "csv", f"all {args.items} items", figures)
        export_step(path, root / "out-json", "json", f"all {args.items} items", figures)
        export_step(path, root / "out-monai", "monai", "the labeled set", figures)
        export_step(path, root / "out-folders", "folders", "the labeled set", figures)

        folder = root / "dicom"
        dicom_folder(folder, args.dicom)
        dicom_project = root / "dicom.alstudio"
        start = time.monotonic()
        with Project.create(dicom_project, ["normal", "abnormal"]) as project:
            report = import_paths(project, [folder])
        timed(f"import {args.dicom} DICOM files", figures, start,
              f"{report.imported} items, {len(report.skipped)} skipped")
        give_labels(dicom_project, args.dicom, figures, "DICOM items")
        export_step(dicom_project, root / "out-dicom", "dicom",
                    f"{args.dicom} labeled files, de-identified", figures)

    print()
    for label, value in figures:
        print(f"{label:<48} {value}")


if __name__ == "__main__":
    main()
