"""How fast the import's file work runs: header indexing, then decoding + model inputs.

    python benchmarks/import_speed.py [FOLDER ...] [--passes N] [--replicate COPIES]

Default folders: the real DICOM files under ../shared/data (classic MR series, the nine
transfer syntaxes, the enhanced multi-frame files) plus pydicom's bundled test files
(~180 files, many tiny or without pixels; 10 enhanced files carry most of the header work).

Figures printed:

* header indexing (``discover``): files/s over every file visited, first pass and best of
  the following passes (those read from the OS page cache, like a re-import would);
* full import work per item: ``read_pixels`` (what ``verify`` does) + ``model_input``, as
  items/s and as source files/s (a series item covers many files);
* peak resident memory of the process.

Wall-clock figures depend on what else the machine runs; files per CPU-second do much less.

``--replicate COPIES`` additionally writes COPIES copies of the 35-file T1 series (new
Series/SOP Instance UIDs, so they are distinct series) into a temporary folder and indexes
those: a realistic folder of classic single-frame slices, >= 1000 files for 30 copies.
The project layer's own cost (writing rows) is not included; it is measured where that
layer is benchmarked.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from alstudio.datasets import (  # noqa: E402  (after the path tweak, for a plain checkout)
    ScanRecord,
    SkippedFile,
    discover,
    model_input,
    read_pixels,
)
from alstudio.errors import ScanReadError  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
T1_SERIES = SHARED / "dicom_mr_series" / "HFS" / "3_t1_fl2d_sag"


def default_folders() -> list[Path]:
    """The real DICOMs beside the checkout plus pydicom's test files (what exists)."""
    import pydicom.data

    folders = [SHARED / "dicom_mr_series", SHARED / "dicom_transfer_syntaxes" / "In",
               SHARED / "dicom_enhanced_multiframe",
               Path(pydicom.data.__file__).parent / "test_files"]
    return [f for f in folders if f.is_dir()]


def count_files(folders: list[Path]) -> int:
    return sum(1 for folder in folders for p in folder.rglob("*") if p.is_file())


Timing = tuple[float, float]  # (wall seconds, CPU seconds of the whole process)


def index(folders: list[Path], passes: int) -> tuple[list[ScanRecord | SkippedFile],
                                                      list[Timing]]:
    """Run discovery ``passes`` times; return the last result and each pass's timing."""
    times: list[Timing] = []
    items: list[ScanRecord | SkippedFile] = []
    for _ in range(passes):
        start, cpu = time.perf_counter(), time.process_time()
        items = list(discover(folders))
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return items, times


def full_import_work(records: list[ScanRecord]) -> tuple[float, int, int]:
    """Decode every item and build its model input; (seconds, files covered, failures)."""
    failures = 0
    files = 0
    start = time.perf_counter()
    for record in records:
        try:
            model_input(read_pixels(record.source))
            files += len(record.source.files) if record.source.kind != "npz" else 0
        except ScanReadError:
            failures += 1
    return time.perf_counter() - start, files, failures


def replicate_t1(target: Path, copies: int) -> int:
    """Write ``copies`` distinct copies of the T1 series; returns the number of files."""
    import pydicom
    from pydicom.uid import generate_uid

    sources = sorted(T1_SERIES.glob("*.dcm"))
    datasets = [pydicom.dcmread(p) for p in sources]
    for copy in range(copies):
        folder = target / f"copy{copy:03d}"
        folder.mkdir()
        series_uid = generate_uid()
        for index_, ds in enumerate(datasets):
            ds.SeriesInstanceUID = series_uid
            ds.SOPInstanceUID = generate_uid()
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.save_as(folder / f"{index_:04d}.dcm")
    return copies * len(sources)


def report_indexing(label: str, n_files: int, times: list[Timing]) -> None:
    """Wall-clock rates, plus files per CPU-second: the rate on an otherwise idle machine
    (the worker threads that read and hash ahead add their CPU time too)."""
    line = f"{label}: {n_files} files, first pass {n_files / times[0][0]:,.0f} files/s"
    if len(times) > 1:
        best = min(times[1:])
        line += (f", best later pass {n_files / best[0]:,.0f} files/s "
                 f"({n_files / best[1]:,.0f} files per CPU-second)")
    print(line)


def project_import(folder: Path, n_files: int) -> None:
    """`alstudio import` itself: index, decode every slice once, store items in a project."""
    from alstudio.project import Project
    from alstudio.workflow.importer import import_paths

    with (tempfile.TemporaryDirectory(prefix="alstudio-bench-project-") as tmp,
          Project.create(Path(tmp) / "bench.alstudio", ["a", "b"]) as project):
        start = time.perf_counter()
        result = import_paths(project, [folder])
        seconds = time.perf_counter() - start
    print(f"  project import (import_paths: index + decode + store): {n_files} files -> "
          f"{result.imported} items in {seconds:.2f} s = {n_files / seconds:,.0f} files/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--passes", type=int, default=3, help="indexing passes (default 3)")
    parser.add_argument("--replicate", type=int, default=0, metavar="COPIES",
                        help="also index COPIES copies of the 35-file T1 series")
    parser.add_argument("--quick", action="store_true", help="one indexing pass")
    args = parser.parse_args(argv)
    if args.quick:
        args.passes = 1
    folders = args.folders or default_folders()
    if not folders:
        print("no folders to index (../shared/data missing and no FOLDER given)")
        return 1

    n_files = count_files(folders)
    items, times = index(folders, max(1, args.passes))
    records = [i for i in items if isinstance(i, ScanRecord)]
    skipped = len(items) - len(records)
    print("folders:", ", ".join(str(f) for f in folders))
    report_indexing("header indexing (discover)", n_files, times)
    print(f"  -> {len(records)} items, {skipped} files skipped with a reason")

    seconds, covered, failures = full_import_work(records)
    print(f"full import work (read_pixels + model_input): {len(records)} items in "
          f"{seconds:.2f} s = {len(records) / seconds:,.0f} items/s, "
          f"{covered / seconds:,.0f} files/s ({failures} undecodable)")

    if args.replicate > 0 and T1_SERIES.is_dir():
        with tempfile.TemporaryDirectory(prefix="alstudio-bench-") as tmp:
            n_copies = replicate_t1(Path(tmp), args.replicate)
            copies, times = index([Path(tmp)], max(1, args.passes))
            series = sum(1 for c in copies if isinstance(c, ScanRecord))
            report_indexing(f"replicated T1 series ({series} volumes)", n_copies, times)
            start = time.perf_counter()
            for record in copies[:5]:
                if isinstance(record, ScanRecord):
                    model_input(read_pixels(record.source))
            per_volume = (time.perf_counter() - start) / min(5, len(copies))
            print(f"  full decode of a 35-slice volume: {per_volume * 1000:.0f} ms "
                  f"= {35 / per_volume:,.0f} files/s")
            project_import(Path(tmp), n_copies)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak RSS: {peak_mb:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
