"""Decode DICOM pixels into display units: one file, or a series of slices.

Steps, in the order the DICOM display pipeline applies them:

1. ``ds.pixel_array`` through pydicom's decoders (native, deflate, RLE, JPEG, JPEG-LS,
   JPEG 2000 via pylibjpeg); YBR colour comes back as RGB, palettes are expanded to RGB.
2. Modality LUT: RescaleSlope/Intercept (per frame for enhanced images) or a Modality LUT
   Sequence, giving real units (Hounsfield units for CT). RT Dose is scaled to Gy.
3. MONOCHROME1 (radiographs where high values are dark) is mirrored within the stored
   value range, ``value' = low + high - value``, so that in every image **bright means
   dense** and one window/level behaviour fits all. Windows from the file are mirrored
   the same way, so they show exactly what the modality intended.
4. Multi-frame images with per-frame positions are put in spatial order (see
   :mod:`dicom_geometry`); others keep their stored frame order. A Siemens mosaic is cut
   into its slices (see :mod:`dicom_mosaic`).

Colour is returned as RGB scaled to 0..255 whatever the stored bit depth.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.pixels import apply_color_lut, apply_modality_lut
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from alstudio.datasets import dicom_tags as tags
from alstudio.datasets._common import captured_warnings, one_line
from alstudio.datasets._image import build_image
from alstudio.datasets.dicom_geometry import slice_normal
from alstudio.datasets.dicom_mosaic import mosaic_layout, split_mosaic
from alstudio.datasets.records import ScanImage

logger = logging.getLogger(__name__)

_ITEM_TAG = b"\xfe\xff\x00\xe0"


class DicomDecodeError(Exception):
    """Pixel decoding failed; the message is already a one-line reason.

    ``path`` names the file at fault when it is not the item's first file (a bad slice in
    the middle of a series).
    """

    def __init__(self, reason: str, path: str | None = None) -> None:
        super().__init__(reason)
        self.path = path


def load(path: str) -> Dataset:
    """Read a whole DICOM file (``force``: files without preamble were accepted at import)."""
    with captured_warnings():
        ds = dcmread(path, force=True)
    _ensure_transfer_syntax(ds)
    return ds


def _ensure_transfer_syntax(ds: Dataset) -> None:
    """Files without a Transfer Syntax UID: infer it from how the dataset was encoded.

    Only valid for uncompressed pixel data; compressed data without a syntax was already
    skipped at discovery.
    """
    meta = ds.get("file_meta")
    if meta is not None and meta.get("TransferSyntaxUID"):
        return
    data = ds.get("PixelData")
    if data is not None and bytes(data[:4]) == _ITEM_TAG:
        raise DicomDecodeError("compressed pixel data but no Transfer Syntax UID")
    implicit, little = ds.original_encoding
    if implicit is None:
        implicit, little = True, True
    uid = (ImplicitVRLittleEndian if implicit
           else ExplicitVRLittleEndian if little else ExplicitVRBigEndian)
    ds.ensure_file_meta()
    ds.file_meta.TransferSyntaxUID = uid


def _decode_reason(exc: BaseException) -> str:
    text = str(exc)
    if "less than expected" in text or "truncated" in text.lower():
        return "truncated pixel data"
    return f"cannot decode: {one_line(exc)}"


def _raw_pixels(ds: Dataset) -> np.ndarray:
    with captured_warnings():
        try:
            return ds.pixel_array
        except MemoryError:
            raise
        except Exception as exc:  # decoders raise RuntimeError, ValueError, KeyError ...
            raise DicomDecodeError(_decode_reason(exc)) from exc


def _stored_range(ds: Dataset) -> tuple[float, float]:
    bits = int(ds.get("BitsStored") or ds.get("BitsAllocated") or 16)
    if int(ds.get("PixelRepresentation") or 0) == 1:
        return (-(2.0 ** (bits - 1)), 2.0 ** (bits - 1) - 1)
    return (0.0, 2.0**bits - 1)


def _colour(raw: np.ndarray, ds: Dataset) -> np.ndarray:
    """RGB in 0..255 (palettes expanded; 16/32-bit samples scaled down)."""
    if str(ds.get("PhotometricInterpretation", "")).upper() == "PALETTE COLOR":
        raw = apply_color_lut(raw, ds)
        top = 255.0 if raw.dtype.itemsize == 1 else 65535.0
    else:
        bits = int(ds.get("BitsStored") or raw.dtype.itemsize * 8)
        top = 2.0**bits - 1
    out = raw.astype(np.float32)
    if top != 255.0:
        out *= np.float32(255.0 / top)
    return out


def _grey(raw: np.ndarray, ds: Dataset, frames: int) -> tuple[np.ndarray, float | None]:
    """Modality LUT, dose scaling and MONOCHROME1 mirroring; returns (array, mirror K)."""
    lut_used = bool(ds.get("ModalityLUTSequence"))
    if lut_used:
        with captured_warnings():
            out = apply_modality_lut(raw, ds).astype(np.float32)
    else:
        out = raw.astype(np.float32)
        scale = tags.rescale(ds, frames)
        if scale is not None:
            slopes, intercepts = scale
            shape = (frames, 1, 1) if frames > 1 else ()
            slope = slopes.reshape(shape) if frames > 1 else slopes[0]
            intercept = intercepts.reshape(shape) if frames > 1 else intercepts[0]
            if np.any(slope != 1.0):
                out *= np.asarray(slope, dtype=np.float32)
            if np.any(intercept != 0.0):
                out += np.asarray(intercept, dtype=np.float32)
    if str(ds.get("Modality", "")).upper() == "RTDOSE":
        grid = tags.first_float(ds.get("DoseGridScaling"))
        if grid:
            out *= np.float32(grid)
    mirror = None
    if str(ds.get("PhotometricInterpretation", "")).upper() == "MONOCHROME1":
        if lut_used:
            mirror = float(np.nanmin(out) + np.nanmax(out))
        else:
            low, high = _stored_range(ds)
            scale = tags.rescale(ds, 1)
            slope, intercept = (scale[0][0], scale[1][0]) if scale else (1.0, 0.0)
            mirror = (low + high) * slope + 2 * intercept
        np.subtract(np.float32(mirror), out, out=out)
    return out, mirror


def _file_windows(ds: Dataset, frame: int | None,
                  mirror: float | None) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for centre, width, name in tags.windows(ds, frame):
        if mirror is not None:
            centre = mirror - centre
        out.setdefault(name, (centre, width))
    return out


def decode(ds: Dataset) -> tuple[np.ndarray, bool, float | None]:
    """(pixels in display units, is_rgb, MONOCHROME1 mirror constant or None)."""
    frames = tags.number_of_frames(ds)
    raw = _raw_pixels(ds)
    samples = int(ds.get("SamplesPerPixel") or 1)
    photometric = str(ds.get("PhotometricInterpretation", "")).upper()
    if samples == 3 or photometric == "PALETTE COLOR":
        return _colour(raw, ds), True, None
    out, mirror = _grey(raw, ds, frames)
    return out, False, mirror


def read_file(path: str) -> ScanImage:
    """One DICOM file: a 2D image, or a volume/cine of frames."""
    ds = load(path)
    array, is_rgb, mirror = decode(ds)
    frames = tags.number_of_frames(ds)
    spacing: tuple[float, ...] | None = tags.pixel_spacing(ds)
    if frames > 1:
        order = tags.multiframe_order(ds, frames)
        if order is not None and list(order.order) != list(range(frames)):
            array = array[list(order.order)]
        slice_spacing = order.spacing if order and order.spacing else \
            tags.nominal_slice_spacing(ds)
        spacing = (slice_spacing, *spacing) if spacing and slice_spacing else None
    mosaic = mosaic_layout(ds) if frames == 1 and not is_rgb else None
    if mosaic is not None:
        array = split_mosaic(array, mosaic)
        slice_spacing = tags.nominal_slice_spacing(ds)
        spacing = (slice_spacing, *spacing) if spacing and slice_spacing else None
    modality = str(ds.get("Modality") or "").strip() or None
    windows = _file_windows(ds, frames // 2 if frames > 1 else None, mirror)
    return build_image(array, spacing=spacing, modality=modality, is_rgb=is_rgb,
                       file_windows=None if is_rgb else windows)


def _series_spacing(datasets_geometry: list[tuple[tuple[float, ...] | None,
                                                  tuple[float, ...] | None]],
                    fallback: float | None) -> float | None:
    positions = [p for p, _ in datasets_geometry]
    iop = datasets_geometry[0][1]
    if iop is None or any(p is None for p in positions) or len(positions) < 2:
        return fallback
    offsets = np.asarray(positions, dtype=np.float64) @ slice_normal(iop)
    gaps = np.abs(np.diff(offsets))
    return round(float(np.median(gaps)), 6) if gaps.size else fallback


def read_series(paths: Sequence[str]) -> ScanImage:
    """Slices of a classic series, in the order discovery stored them, as one volume."""
    volume: np.ndarray | None = None
    geometry: list[tuple[tuple[float, ...] | None, tuple[float, ...] | None]] = []
    centre_index = len(paths) // 2
    centre_ds: Dataset | None = None
    centre_mirror: float | None = None
    for index, path in enumerate(paths):
        try:
            ds = load(path)
            pixels, is_rgb, mirror = decode(ds)
        except DicomDecodeError as exc:
            raise DicomDecodeError(f"slice {index + 1} of {len(paths)}: {exc}", path) from exc
        if is_rgb or pixels.ndim != 2:
            raise DicomDecodeError(f"slice {index + 1} of {len(paths)} is not a single "
                                   "greyscale frame", path)
        if volume is None:
            volume = np.empty((len(paths), *pixels.shape), dtype=np.float32)
        elif pixels.shape != volume.shape[1:]:
            raise DicomDecodeError(f"slice {index + 1} of {len(paths)} is {pixels.shape}, "
                                   f"expected {volume.shape[1:]}", path)
        volume[index] = pixels
        geometry.append((tags.position(ds), tags.orientation(ds)))
        if index == centre_index:
            centre_ds, centre_mirror = ds, mirror
    assert volume is not None and centre_ds is not None
    pixel = tags.pixel_spacing(centre_ds)
    slice_spacing = _series_spacing(geometry, tags.nominal_slice_spacing(centre_ds))
    spacing = (slice_spacing, *pixel) if pixel and slice_spacing else None
    modality = str(centre_ds.get("Modality") or "").strip() or None
    return build_image(volume, spacing=spacing, modality=modality, is_rgb=False,
                       file_windows=_file_windows(centre_ds, None, centre_mirror))
