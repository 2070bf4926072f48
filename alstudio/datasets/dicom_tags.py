"""Reading geometry, windows and rescale values out of a pydicom Dataset.

Classic images keep these at the top level; enhanced multi-frame images keep them in the
Shared and Per-frame Functional Groups. Every getter here looks in all three places, so the
indexer and the pixel reader agree on one answer. Getters return ``None`` rather than raise
when a value is absent; a malformed value raises ``ValueError`` for the caller to report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from alstudio.datasets.dicom_geometry import StackOrder, order_by_position, spacing_from_offsets

_SHARED = "SharedFunctionalGroupsSequence"
_PER_FRAME = "PerFrameFunctionalGroupsSequence"


def floats(value: Any) -> list[float] | None:
    """A DICOM (multi-)value as a list of floats; ``None`` when absent or empty."""
    if value is None or value == "":
        return None
    if isinstance(value, (str, bytes, int, float)):
        return [float(value)]
    out = [float(v) for v in value]
    return out or None


def first_float(value: Any) -> float | None:
    """First number of a (multi-)value: WindowCenter may hold several windows."""
    vals = floats(value)
    return vals[0] if vals else None


def number_of_frames(ds: Dataset) -> int:
    """NumberOfFrames, 1 when absent; raises ``ValueError`` on a malformed value."""
    value = ds.get("NumberOfFrames")
    if value in (None, ""):
        return 1
    frames = int(value)
    if frames < 1:
        raise ValueError(f"invalid Number of Frames {value!r}")
    return frames


def _sequence_item(container: Dataset | None, keyword: str) -> Dataset | None:
    if container is None:
        return None
    seq = container.get(keyword)
    if not seq:
        return None
    first: Dataset = seq[0]
    return first


def functional_item(ds: Dataset, keyword: str, frame: int | None = None) -> Dataset | None:
    """The ``keyword`` macro for ``frame`` (per-frame wins over shared), or ``None``."""
    if frame is not None:
        per_frame = ds.get(_PER_FRAME)
        if per_frame and frame < len(per_frame):
            item = _sequence_item(per_frame[frame], keyword)
            if item is not None:
                return item
    item = _sequence_item(_sequence_item(ds, _SHARED), keyword)
    if item is None and frame is None:
        per_frame = ds.get(_PER_FRAME)
        if per_frame:
            item = _sequence_item(per_frame[0], keyword)
    return item


def orientation(ds: Dataset) -> tuple[float, ...] | None:
    """ImageOrientationPatient from the top level or the Plane Orientation macro."""
    value = floats(ds.get("ImageOrientationPatient"))
    if value is None:
        item = functional_item(ds, "PlaneOrientationSequence")
        value = floats(item.get("ImageOrientationPatient")) if item is not None else None
    if value is None or len(value) != 6:
        return None
    return tuple(value)


def position(ds: Dataset) -> tuple[float, ...] | None:
    """ImagePositionPatient of a single-frame image."""
    value = floats(ds.get("ImagePositionPatient"))
    if value is None or len(value) != 3:
        return None
    return tuple(value)


def pixel_spacing(ds: Dataset) -> tuple[float, float] | None:
    """(row spacing, column spacing) in mm.

    Falls back to ImagerPixelSpacing (radiographs), which is measured at the detector and
    not corrected for geometric magnification: good enough for a scale bar.
    """
    value = floats(ds.get("PixelSpacing"))
    if value is None:
        item = functional_item(ds, "PixelMeasuresSequence")
        value = floats(item.get("PixelSpacing")) if item is not None else None
    if value is None:
        value = floats(ds.get("ImagerPixelSpacing"))
    if value is None or len(value) != 2 or min(value) <= 0:
        return None
    return (value[0], value[1])


def nominal_slice_spacing(ds: Dataset) -> float | None:
    """Slice spacing the header states: SpacingBetweenSlices, else SliceThickness."""
    item = functional_item(ds, "PixelMeasuresSequence")
    for source in (item, ds):
        if source is None:
            continue
        for keyword in ("SpacingBetweenSlices", "SliceThickness"):
            value = first_float(source.get(keyword))
            if value is not None and value > 0:
                return value
    return None


def frame_positions(ds: Dataset, frames: int) -> list[tuple[float, ...]] | None:
    """Per-frame ImagePositionPatient of an enhanced image, or ``None`` if any is missing."""
    per_frame = ds.get(_PER_FRAME)
    if not per_frame or len(per_frame) != frames:
        return None
    out = []
    for item in per_frame:
        plane = _sequence_item(item, "PlanePositionSequence")
        value = floats(plane.get("ImagePositionPatient")) if plane is not None else None
        if value is None or len(value) != 3:
            return None
        out.append(tuple(value))
    return out


def multiframe_order(ds: Dataset, frames: int) -> StackOrder | None:
    """Spatial order of the frames of a multi-frame image, when it is one spatial stack.

    Enhanced files give per-frame positions; RT Dose gives GridFrameOffsetVector. Frames
    at repeated positions (cine, time series stored in one file) keep their stored order.
    """
    if frames < 2:
        return None
    iop = orientation(ds)
    positions = frame_positions(ds, frames)
    if iop is not None and positions is not None:
        return order_by_position(positions, iop)
    offsets = floats(ds.get("GridFrameOffsetVector"))
    if offsets is not None and len(offsets) == frames:
        arr = np.asarray(offsets)
        if np.all(np.diff(arr) > 0):  # offsets are relative to the first frame, in order
            spacing, irregular = spacing_from_offsets(arr)
            return StackOrder(tuple(range(frames)), spacing, irregular)
    return None


def windows(ds: Dataset, frame: int | None = None) -> list[tuple[float, float, str]]:
    """All (centre, width, explanation) windows the file suggests, first one first."""
    sources: list[Dataset] = [ds]
    item = functional_item(ds, "FrameVOILUTSequence", frame)
    if item is not None:
        sources.insert(0, item)
    for source in sources:
        centres = floats(source.get("WindowCenter"))
        widths = floats(source.get("WindowWidth"))
        if not centres or not widths:
            continue
        explanations = source.get("WindowCenterWidthExplanation") or []
        if isinstance(explanations, str):
            explanations = [explanations]
        out = []
        for i, (centre, width) in enumerate(zip(centres, widths, strict=False)):
            if width <= 0:
                continue
            name = str(explanations[i]).strip() if i < len(explanations) else ""
            out.append((centre, width, name or f"file {i + 1}"))
        if out:
            return out + voi_lut_windows(ds)
    return voi_lut_windows(ds)


def voi_lut_windows(ds: Dataset) -> list[tuple[float, float, str]]:
    """Linear windows standing in for the file's VOI LUTs (radiographs, mammograms).

    The viewer's window/level is linear; a VOI LUT is a table, often a gentle S-curve. Each
    increasing LUT becomes the window whose ramp spans the LUT's rise from 10% to 90% of its
    output range: exact for a linear LUT, the central slope of a curved one. The name says
    it is an approximation. Decreasing (inverting) LUTs are left out: inversion is a
    separate control here.
    """
    out = []
    for index, item in enumerate(ds.get("VOILUTSequence") or [], start=1):
        table = _lut_table(item)
        if table is None:
            continue
        first, values = table
        low, high = float(values.min()), float(values.max())
        if high <= low or values[-1] <= values[0]:
            continue
        y = (values - low) / (high - low)
        x10 = first + float(np.argmax(y >= 0.1))
        x90 = first + float(np.argmax(y >= 0.9))
        width = max((x90 - x10) / 0.8, 1.0)
        name = str(item.get("LUTExplanation") or "").strip() or f"VOI LUT {index}"
        out.append(((x10 + x90) / 2, width, f"{name} (linear approx.)"))
    return out


def _lut_table(item: Dataset) -> tuple[float, np.ndarray] | None:
    """(first mapped input value, output values) of one LUT item, or ``None`` if unusable."""
    descriptor = item.get("LUTDescriptor")
    data = item.get("LUTData")
    if descriptor is None or data is None or len(descriptor) != 3:
        return None
    entries, first = int(descriptor[0]) or 65536, float(descriptor[1])
    if isinstance(data, bytes):
        values = np.frombuffer(data[: len(data) // 2 * 2], dtype="<u2").astype(np.float64)
    else:
        values = np.asarray(list(data) if not np.isscalar(data) else [data], dtype=np.float64)
    values = values[:entries]
    return (first, values) if values.size >= 2 else None


def rescale(ds: Dataset, frames: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Per-frame (slopes, intercepts) from the top level or Pixel Value Transformation.

    pydicom's ``apply_modality_lut`` reads only the top level; enhanced CT keeps the values
    per frame, so they are gathered here, one pair per frame.
    """
    slope = first_float(ds.get("RescaleSlope"))
    intercept = first_float(ds.get("RescaleIntercept"))
    if slope is not None or intercept is not None:
        return (np.full(frames, 1.0 if slope is None else slope),
                np.full(frames, 0.0 if intercept is None else intercept))
    if not ds.get(_PER_FRAME) and not ds.get(_SHARED):
        return None
    slopes = np.ones(frames)
    intercepts = np.zeros(frames)
    found = False
    for i in range(frames):
        item = functional_item(ds, "PixelValueTransformationSequence", i)
        if item is None:
            continue
        s = first_float(item.get("RescaleSlope"))
        b = first_float(item.get("RescaleIntercept"))
        if s is not None:
            slopes[i] = s
            found = True
        if b is not None:
            intercepts[i] = b
            found = True
    return (slopes, intercepts) if found else None


def text(value: Any, limit: int = 200) -> str:
    """A DICOM value as one line of text (multi-values joined with backslashes)."""
    if isinstance(value, (list, tuple)) or (hasattr(value, "__iter__")
                                            and not isinstance(value, (str, bytes))):
        value = "\\".join(str(v) for v in value)
    out = " ".join(str(value).split())
    return out[:limit]


def as_ints(values: Sequence[Any]) -> list[int]:
    """Integers from IS/US values, raising ``ValueError`` on garbage like ``'1A'``."""
    return [int(v) for v in values]
