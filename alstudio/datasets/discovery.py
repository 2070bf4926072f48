"""Find the scans in files and folders, cheaply, from headers only.

Walk: every given file, and every file under every given folder, recursively, in sorted
order, one folder at a time (a folder's DICOM files are grouped into series when the folder
is done; see :mod:`.dicom.series`). What is found is decided by content, not by name:
a DICM preamble or a bare DICOM stream, a PNG/JPEG/TIFF signature; only NIfTI (``.nii``,
``.nii.gz``) and ``.npz`` are recognised by their suffix.

Quietly ignored (never reported): hidden files and folders (a leading dot),
``__pycache__``, documentation next to data (README, LICENSE/LICENCE, COPYING, MANIFEST,
CHANGELOG, NOTICE, AUTHORS, with any extension), ``Thumbs.db``/``desktop.ini``, and JSON
sidecars named like a NIfTI file in the same folder (BIDS ``sub-01_T1w.json``). Every other
file that is not a scan is reported as a :class:`SkippedFile` with a one-line reason, so the
user can see why a file they expected was not imported. Named pipes, sockets and device files
are reported without being opened (opening a pipe waits for a writer: forever).
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path

from alstudio.datasets._common import captured_warnings, one_line
from alstudio.datasets.dicom import DicomHeader, group_folder, index_file
from alstudio.datasets.nifti import discover_nifti, is_nifti_name
from alstudio.datasets.npz import iter_npz
from alstudio.datasets.prefetch import LoadedFile, load_file, new_executor, prefetched
from alstudio.datasets.raster import NOT_RASTER, RASTER_SUFFIXES, discover_raster, is_raster_magic
from alstudio.datasets.records import NOT_A_SCAN, ScanRecord, SkippedFile
from alstudio.jobs import CancelToken, ProgressCallback, Throttle, check, report

logger = logging.getLogger(__name__)

PHASE = "indexing"
DICOM_SUFFIXES = (".dcm", ".dicom", ".dic", ".ima")
_DOC_STEMS = {"README", "LICENSE", "LICENCE", "COPYING", "MANIFEST", "CHANGELOG", "NOTICE",
              "AUTHORS"}
_SYSTEM_FILES = {"thumbs.db", "desktop.ini"}


def is_ignored(name: str, siblings: set[str]) -> bool:
    """True for files discovery skips silently (see the module docs for the rule)."""
    if name.startswith(".") or name.lower() in _SYSTEM_FILES:
        return True
    if name.split(".", 1)[0].upper() in _DOC_STEMS:
        return True
    if name.lower().endswith(".json"):
        stem = name[: -len(".json")]
        return f"{stem}.nii" in siblings or f"{stem}.nii.gz" in siblings
    return False


def _walk_folder(folder: str) -> Iterator[tuple[str, list[str]]]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        yield root, sorted(files)


def _inside(path: str, folders: list[str]) -> bool:
    return any(path != f and os.path.commonpath([path, f]) == f for f in folders)


def _batches(paths: Sequence[Path | str]) -> Iterator[tuple[str, list[str]] | SkippedFile]:
    """(folder, file names) batches in walk order; explicit files grouped by folder.

    A path given twice, or lying inside another given folder, is visited once.
    """
    unique = list(dict.fromkeys(os.path.abspath(os.fspath(raw)) for raw in paths))
    folders = [p for p in unique if os.path.isdir(p)]
    loose: dict[str, list[str]] = {}
    for path in unique:
        if _inside(path, folders):
            continue
        if os.path.isdir(path):
            yield from _walk_folder(path)
        elif os.path.exists(path):  # a file, or a pipe or device the walk reports
            folder, name = os.path.split(path)
            loose.setdefault(folder, []).append(name)
        else:
            yield SkippedFile(path, "not found")
    for folder in sorted(loose):
        yield folder, sorted(loose[folder])


_SPECIAL = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
            (stat.S_ISCHR, "a device file"), (stat.S_ISBLK, "a device file"))


def special_file_reason(path: str) -> str | None:
    """Why ``path`` must not be opened (a pipe, socket or device), or None for a regular
    file (and for one that cannot be looked at: its reader says why)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = next((name for test, name in _SPECIAL if test(mode)), "not a regular file")
    return f"{kind}, not a regular file; skipped without opening it"


def _unrecognised_reason(name: str) -> str:
    lower = name.lower()
    if lower.endswith(DICOM_SUFFIXES):
        return "not a DICOM file"
    if lower.endswith(RASTER_SUFFIXES):
        return NOT_RASTER
    return NOT_A_SCAN


def _index_npz(path: str) -> Iterator[ScanRecord | SkippedFile]:
    if os.path.getsize(path) == 0:
        yield SkippedFile(path, "empty file (0 bytes)")
        return
    with open(path, "rb") as handle:
        valid = handle.read(2) == b"PK"
    if valid:
        yield from iter_npz(path)  # streamed: an archive may hold 100k images
    else:
        yield SkippedFile(path, "not a valid .npz archive")


def _index_one(path: str, future: Future[LoadedFile] | None,
               dicoms: list[DicomHeader]) -> Iterator[ScanRecord | SkippedFile]:
    """Records for one file; DICOM headers go to ``dicoms`` for grouping at folder end."""
    name = os.path.basename(path)
    if name.lower().endswith(".npz"):
        yield from _index_npz(path)
        return
    # Third-party readers warn about odd files, also lazily when a tag is first read, so
    # the whole file is handled inside the capture (and nothing is yielded inside it).
    with captured_warnings():
        result = _index_single(path, name, future)
    if isinstance(result, DicomHeader):
        dicoms.append(result)
    else:
        yield result


def _index_single(path: str, name: str,
                  future: Future[LoadedFile] | None) -> ScanRecord | SkippedFile | DicomHeader:
    if is_nifti_name(name):
        if os.path.getsize(path) == 0:
            return SkippedFile(path, "empty file (0 bytes)")
        return discover_nifti(path)
    loaded = future.result() if future is not None else load_file(path)
    if loaded.deferred:
        loaded = load_file(path, limit=None)
    if loaded.error is not None:
        raise loaded.error
    if loaded.size == 0:
        return SkippedFile(path, "empty file (0 bytes)")
    if loaded.data is not None:
        return index_file(path, loaded.data, loaded.sha256)
    if is_raster_magic(loaded.head):
        return discover_raster(path)
    return SkippedFile(path, _unrecognised_reason(name))


def _count(batches: list[tuple[str, list[str]] | SkippedFile]) -> int:
    return sum(len(b[1]) if isinstance(b, tuple) else 1 for b in batches)


def discover(paths: Sequence[Path | str], progress: ProgressCallback | None = None,
             cancel: CancelToken | None = None) -> Iterator[ScanRecord | SkippedFile]:
    """Yield one :class:`ScanRecord` per item and one :class:`SkippedFile` per rejected file.

    Headers only: pixels are not decoded (see :func:`alstudio.datasets.verify`). Never
    raises for a bad file; raises :class:`~alstudio.errors.Cancelled` when ``cancel`` is
    set (checked before every file). Progress: phase ``"indexing"``, files done of total.
    """
    batches = list(_batches(paths))
    total = _count(batches)
    done = 0
    throttle = Throttle()
    report(progress, PHASE, 0, total)
    executor = new_executor()
    try:
        for batch in batches:
            if isinstance(batch, SkippedFile):
                done += 1
                yield batch
                continue
            folder, names = batch
            siblings = set(names)
            wanted = []
            for name in names:
                if is_ignored(name, siblings):
                    done += 1
                    continue
                path = os.path.join(folder, name)
                special = special_file_reason(path)
                if special is not None:
                    done += 1
                    yield SkippedFile(path, special)
                    continue
                wanted.append((path, not _own_reader(name)))
            dicoms: list[DicomHeader] = []
            for path, future in prefetched(wanted, executor):
                check(cancel)
                done += 1
                try:
                    yield from _index_one(path, future, dicoms)
                except OSError as exc:
                    yield SkippedFile(path, f"cannot open: {exc.strerror or one_line(exc)}")
                except Exception as exc:  # a reader bug must not stop an import of 10k files
                    logger.info("unexpected failure indexing %s", path, exc_info=True)
                    yield SkippedFile(path, f"cannot read: {one_line(exc)}")
                if throttle.ready():
                    report(progress, PHASE, done, total, folder)
            if dicoms:
                yield from group_folder(dicoms)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    report(progress, PHASE, done, total)


def _own_reader(name: str) -> bool:
    """NIfTI and .npz files are opened by their readers; no need to load them ahead."""
    lower = name.lower()
    return lower.endswith(".npz") or is_nifti_name(lower)
