"""Pixels for an item: one entry point over every reader, one error type out.

Whatever goes wrong inside pydicom, nibabel, Pillow or numpy, callers only ever see
:class:`~alstudio.errors.ScanReadError` with a one-line reason, so the import can list the
file and go on, and the viewer can show the reason instead of a traceback.
"""

from __future__ import annotations

import logging

from alstudio.datasets import dicom
from alstudio.datasets._common import captured_warnings, one_line
from alstudio.datasets.nifti import read_nifti
from alstudio.datasets.npz import read_npz_member
from alstudio.datasets.raster import read_raster
from alstudio.datasets.records import (
    KIND_DICOM,
    KIND_DICOM_SERIES,
    KIND_NIFTI,
    KIND_NPZ,
    KIND_RASTER,
    ScanImage,
    ScanSource,
)
from alstudio.errors import ScanReadError

logger = logging.getLogger(__name__)


def _read(source: ScanSource) -> ScanImage:
    kind = source.kind
    if not source.files:
        raise ValueError("the source names no file")
    if kind == KIND_DICOM:
        return dicom.read_file(source.files[0], source.member)
    if kind == KIND_DICOM_SERIES:
        return dicom.read_series(source.files)
    if kind == KIND_NIFTI:
        return read_nifti(source.files[0])
    if kind == KIND_RASTER:
        return read_raster(source.files[0])
    if kind == KIND_NPZ:
        return read_npz_member(source.files[0], source.member)
    raise ValueError(f"unknown scan kind {kind!r}")


def read_pixels(source: ScanSource) -> ScanImage:
    """Decode an item's pixels (see :class:`ScanImage` for units and shapes).

    Raises :class:`ScanReadError` (and nothing else) when the file is gone or cannot be
    decoded.
    """
    path = source.files[0] if source.files else "?"
    try:
        with captured_warnings():  # pydicom warns lazily, on first access to a bad tag
            return _read(source)
    except ScanReadError:
        raise
    except dicom.DicomDecodeError as exc:
        raise ScanReadError(exc.path or path, str(exc)) from exc
    except FileNotFoundError as exc:
        missing = exc.filename or path
        raise ScanReadError(missing, "file not found (moved or deleted since import?)") from exc
    except PermissionError as exc:
        raise ScanReadError(exc.filename or path, "permission denied") from exc
    except MemoryError as exc:
        raise ScanReadError(path, "too large to decode in the available memory") from exc
    except Exception as exc:  # any reader failure becomes a reason, never a traceback
        logger.info("cannot decode %s", path, exc_info=True)
        raise ScanReadError(path, f"cannot decode: {one_line(exc)}") from exc


def verify(source: ScanSource) -> None:
    """Decode the pixels once, so the import can reject what discovery could not see.

    Discovery reads headers only; a JPEG 2000 stream that fails half-way, or a gzip that
    ends early, only shows when decoding. Raises :class:`ScanReadError` with the reason.
    """
    read_pixels(source)
