"""How fast exports run: 10,000 items to CSV, JSON and a MONAI datalist, and 1,000 real DICOM
files de-identified.

    python benchmarks/export_speed.py [--items N] [--dicom-files N] [--quick]

The project is built in a temporary folder: N tiny PNG files (items), each labeled by one or
two readers, one round queue with probabilities; and N DICOM files written from pydicom's
bundled CT_small.dcm and MR_small.dcm (the real headers with their names and institutions,
a new SOP Instance UID each, grouped 50 files per series). The label events are written
in one transaction (setting up is not what is measured). Each export runs through
``run_export``, the function behind the CLI and the GUI, manifest and SHA-256s included.
``--quick`` is the same size (the sizes are the targets); it only skips the second pass.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pydicom  # noqa: E402
import pydicom.data  # noqa: E402
from PIL import Image  # noqa: E402
from pydicom.uid import generate_uid  # noqa: E402

from alstudio.export import ExportOptions  # noqa: E402
from alstudio.project import NewItem, Project, QueueEntry  # noqa: E402
from alstudio.project.timeutil import utc_now  # noqa: E402
from alstudio.workflow.export import run_export  # noqa: E402


def build_png_project(work: Path, n: int) -> Path:
    """N labeled PNG items, a queue with probabilities, two readers on every tenth item."""
    scans = work / "png"
    scans.mkdir()
    pixels = (np.arange(64, dtype=np.uint8).reshape(8, 8))
    for i in range(n):
        Image.fromarray(pixels, "L").save(scans / f"{i:05d}.png")
    path = work / "png.alstudio"
    with Project.create(path, ["normal", "abnormal"]) as project:
        root = project.dataset_root_id(scans)
        ids = project.add_items(root, [
            NewItem(path=f"{i:05d}.png", kind="raster", files=(f"{i:05d}.png",), member=None,
                    content_hash=f"bench-{i}", split="test" if i % 10 == 0 else "pool",
                    modality=None, shape=(8, 8), spacing=None, series_uid=None,
                    metadata={"bits": 8}) for i in range(n)])
        a = project.annotator_id("dr_a")
        b = project.annotator_id("dr_b")
        now = utc_now()
        rows = []
        for i, item_id in enumerate(ids):
            rows.append((item_id, a, "label", 1 + (i % 2), now, now, 2.5))
            if i % 10 == 3:
                rows.append((item_id, b, "label", 1 + (i % 2), now, now, 3.0))
        with project.db.conn:
            project.db.conn.executemany(
                "INSERT INTO label_events(item_id, annotator_id, decision, class_id, "
                "started_at, submitted_at, seconds_spent) VALUES (?,?,?,?,?,?,?)", rows)
        pool = [item_id for i, item_id in enumerate(ids) if i % 10 != 0]
        project.save_round(strategy="random", params={}, seed=0, labels_used=0, metrics={},
                           started_at=now, queue=[
                               QueueEntry(item_id=int(item_id), rank=r, score=0.5, reason="",
                                          probs=(0.3, 0.7))
                               for r, item_id in enumerate(pool[:1000])])
    return path


def build_dicom_project(work: Path, n: int) -> Path:
    """N real-header DICOM files (CT_small / MR_small), 50 per series, all labeled."""
    scans = work / "dicom"
    scans.mkdir()
    bundled = Path(pydicom.data.__file__).parent / "test_files"
    sources = [pydicom.dcmread(bundled / name) for name in ("CT_small.dcm", "MR_small.dcm")]
    items = []
    for s in range(0, n, 50):
        source = sources[(s // 50) % 2]
        series_uid = generate_uid()
        folder = scans / f"series{s // 50:03d}"
        folder.mkdir()
        files = []
        for k in range(min(50, n - s)):
            source.SeriesInstanceUID = series_uid
            source.SOPInstanceUID = generate_uid()
            source.InstanceNumber = k + 1
            source.save_as(folder / f"{k:03d}.dcm")
            files.append(f"{folder.name}/{k:03d}.dcm")
        items.append(NewItem(path=folder.name, kind="dicom-series", files=tuple(files),
                             member=None, content_hash=f"series-{s}", split="pool",
                             modality=str(source.Modality), shape=(len(files), 64, 64),
                             spacing=None, series_uid=series_uid))
    path = work / "dicom.alstudio"
    with Project.create(path, ["normal", "abnormal"]) as project:
        ids = project.add_items(project.dataset_root_id(scans), items)
        for item_id in ids:
            project.add_label(int(item_id), "dr_a", "normal")
    return path


def timed(project: Path, out: Path, options: ExportOptions) -> tuple[float, int]:
    start = time.perf_counter()
    report = run_export(project, out, options)
    return time.perf_counter() - start, len(report.files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--dicom-files", type=int, default=1_000)
    parser.add_argument("--quick", action="store_true", help="one pass per format")
    args = parser.parse_args()
    passes = 1 if args.quick else 2
    with tempfile.TemporaryDirectory(prefix="alstudio-export-bench-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        png = build_png_project(work, args.items)
        dicom = build_dicom_project(work, args.dicom_files)
        print(f"set-up: {args.items} PNG items, {args.dicom_files} DICOM files in "
              f"{time.perf_counter() - t0:.1f} s")
        for fmt in ("csv", "json", "monai"):
            best = min(timed(png, work / f"{fmt}-{p}", ExportOptions(fmt))[0]
                       for p in range(passes))
            print(f"{fmt:>6}: {args.items} items in {best:.2f} s = "
                  f"{args.items / best:,.0f} items/s")
        best = float("inf")
        files = 0
        for p in range(passes):
            seconds, files = timed(dicom, work / f"dicom-{p}", ExportOptions("dicom"))
            best = min(best, seconds)
        print(f" dicom: {files} files de-identified in {best:.2f} s = "
              f"{files / best:,.0f} files/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
