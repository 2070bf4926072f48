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
   :mod:`.geometry`); others keep their stored frame order. A Siemens mosaic is cut
   into its slices (see :mod:`.mosaic`).

Colour is returned as RGB scaled to 0..255 whatever the stored bit depth.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence

import numpy as np
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.pixels.processing import apply_color_lut, apply_modality_lut
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from alstudio.datasets._common import captured_warnings, one_line
from alstudio.datasets._image import build_image
from alstudio.datasets.dicom import tags
from alstudio.datasets.dicom.frames import parse_member
from alstudio.datasets.dicom.geometry import StackOrder, order_by_position
from alstudio.datasets.dicom.layout import (
    image_axes,
    image_plan,
    plane_array,
    plane_spacing,
    volume_layout,
)
from alstudio.datasets.dicom.mosaic import mosaic_layout, split_mosaic
from alstudio.datasets.library_logs import c_stderr_to_log
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
    syntax = ds.file_meta.get("TransferSyntaxUID")
    quiet = c_stderr_to_log() if syntax is not None and syntax.is_compressed else \
        contextlib.nullcontext()
    with captured_warnings(), quiet:
        try:
            pixels: np.ndarray = ds.pixel_array
            return pixels
        except MemoryError:
            raise
        except Exception as exc:  # decoders raise RuntimeError, ValueError, KeyError ...
            logger.info("cannot decode %s", ds.filename, exc_info=True)
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


def _frames_order(ds: Dataset, frames: int, chosen: list[int] | None
                  ) -> tuple[list[int] | None, StackOrder | None]:
    """Which frames to show in which order, and their stack geometry (``None``: as stored)."""
    if chosen is not None:
        positions = tags.frame_positions(ds, frames)
        iop = tags.orientation(ds)
        if positions is None or iop is None:
            raise DicomDecodeError("the file no longer has the frame positions it had "
                                   "at import")
        order = order_by_position([positions[i] for i in chosen], iop)
        if order is None:
            raise DicomDecodeError("the frames of this volume share positions")
        return [chosen[i] for i in order.order], order
    order = tags.multiframe_order(ds, frames) if frames > 1 else None
    return (list(order.order) if order is not None else None), order


def read_file(path: str, member: str | None = None) -> ScanImage:
    """One DICOM file: a 2D image, a volume/cine of frames, or one volume of its frames."""
    ds = load(path)
    array, is_rgb, mirror = decode(ds)
    frames = tags.number_of_frames(ds)
    chosen = parse_member(member)
    if chosen is not None and (frames < 2 or max(chosen) >= frames):
        raise DicomDecodeError(f"the file has {frames} frame(s), fewer than at import")
    pixel = tags.pixel_spacing(ds)
    iop = tags.orientation(ds)
    spacing: tuple[float, ...] | None = pixel
    axes: tuple[str, str, str] = ("", "", "")
    warnings: tuple[str, ...] = ()
    volume = frames > 1
    order: StackOrder | None = None
    spatial = False
    if frames > 1:
        picked, order = _frames_order(ds, frames, chosen)
        if picked is not None and picked != list(range(frames)):
            array = array[picked]
        spatial = order is not None
        step = order.spacing if order and order.spacing else tags.nominal_slice_spacing(ds)
        spacing = (step, *pixel) if pixel and step else None
    mosaic = mosaic_layout(ds) if frames == 1 and not is_rgb else None
    if mosaic is not None:
        array = split_mosaic(array, mosaic)
        step = tags.nominal_slice_spacing(ds)
        spacing = (step, *pixel) if pixel and step else None
        volume = spatial = True
    if volume:
        layout = volume_layout(iop, order, spatial)
        if layout.plan is not None:
            array, spacing = layout.plan.apply(array), layout.plan.spacing(spacing)
        axes, warnings = layout.axes, layout.warnings
    else:
        plan = image_plan(iop)
        array, spacing, axes = plane_array(plan, array), plane_spacing(plan, spacing), \
            image_axes(plan)
    modality = str(ds.get("Modality") or "").strip() or None
    windows = _file_windows(ds, frames // 2 if frames > 1 else None, mirror)
    image = build_image(array, spacing=spacing, modality=modality, is_rgb=is_rgb,
                        file_windows=None if is_rgb else windows)
    image.axes, image.warnings = axes, warnings
    return image


def read_series(paths: Sequence[str]) -> ScanImage:
    """Slices of a classic series, in the order discovery stored them, as one volume."""
    volume: np.ndarray | None = None
    positions: list[tuple[float, ...] | None] = []
    centre_index = len(paths) // 2
    centre_ds: Dataset | None = None
    centre_mirror: float | None = None
    colour = False
    for index, path in enumerate(paths):
        try:
            ds = load(path)
            pixels, is_rgb, mirror = decode(ds)
        except DicomDecodeError as exc:
            raise DicomDecodeError(f"slice {index + 1} of {len(paths)}: {exc}", path) from exc
        if index == 0:
            colour = is_rgb
        if is_rgb != colour or pixels.ndim != (3 if colour else 2):
            raise DicomDecodeError(f"slice {index + 1} of {len(paths)} is not a single "
                                   f"{'colour' if colour else 'greyscale'} frame", path)
        if volume is None:
            volume = np.empty((len(paths), *pixels.shape), dtype=np.float32)
        elif pixels.shape != volume.shape[1:]:
            raise DicomDecodeError(f"slice {index + 1} of {len(paths)} is {pixels.shape}, "
                                   f"expected {volume.shape[1:]}", path)
        volume[index] = pixels
        positions.append(tags.position(ds))
        if index == centre_index:
            centre_ds, centre_mirror = ds, mirror
    assert volume is not None and centre_ds is not None
    iop = tags.orientation(centre_ds)
    order = _series_order(positions, iop)
    pixel = tags.pixel_spacing(centre_ds)
    step = order.spacing if order is not None and order.spacing else \
        tags.nominal_slice_spacing(centre_ds)
    spacing: tuple[float, ...] | None = (step, *pixel) if pixel and step else None
    layout = volume_layout(iop, order)
    array: np.ndarray = volume
    if layout.plan is not None:
        array, spacing = layout.plan.apply(volume), layout.plan.spacing(spacing)
    modality = str(centre_ds.get("Modality") or "").strip() or None
    image = build_image(array, spacing=spacing, modality=modality, is_rgb=colour,
                        file_windows=None if colour else _file_windows(centre_ds, None,
                                                                       centre_mirror))
    image.axes, image.warnings = layout.axes, layout.warnings
    return image


def _series_order(positions: list[tuple[float, ...] | None],
                  iop: tuple[float, ...] | None) -> StackOrder | None:
    """Geometry of slices already in discovery's order (``None`` without positions)."""
    known = [p for p in positions if p is not None]
    if iop is None or len(known) != len(positions) or len(known) < 2:
        return None
    return order_by_position(known, iop)
