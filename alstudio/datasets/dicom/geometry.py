"""Where the slices of a DICOM image are in space, and in which order to stack them.

Both discovery (to decide whether files form a volume and what its spacing is) and the pixel
reader (to put the frames of an enhanced multi-frame file in the same order) need this, so
it lives on its own and works on plain numbers, not on files.

Convention: slices are stacked in *ascending* order of their position projected on the slice
normal ``row direction x column direction`` (both from ImageOrientationPatient, in the
patient's LPS axes). That is the order in which (row, column, slice) forms a right-handed
frame, as in ITK and nibabel, so a classic series and the same scan saved as an enhanced
multi-frame file come out identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Two slices closer than this along the normal (mm) are "at the same position".
POSITION_TOLERANCE_MM = 0.01
#: Spacing deviating from the median by more than this fraction marks the stack irregular.
IRREGULAR_SPACING = 0.1


def slice_normal(orientation: Sequence[float]) -> np.ndarray:
    """Unit normal of the image plane from the six ImageOrientationPatient values."""
    row = np.asarray(orientation[:3], dtype=np.float64)
    col = np.asarray(orientation[3:6], dtype=np.float64)
    normal = np.cross(row, col)
    norm = float(np.linalg.norm(normal))
    if norm < 1e-6:
        raise ValueError("degenerate Image Orientation (Patient)")
    return normal / norm


def plane_label(orientation: Sequence[float] | None) -> str | None:
    """"axial", "coronal", "sagittal" or "oblique" from the dominant normal component."""
    if orientation is None or len(orientation) != 6:
        return None
    try:
        normal = np.abs(slice_normal(orientation))
    except ValueError:
        return None
    axis = int(np.argmax(normal))
    if normal[axis] < 0.8:
        return "oblique"
    return ("sagittal", "coronal", "axial")[axis]


def same_orientation(a: Sequence[float], b: Sequence[float], tol: float = 1e-3) -> bool:
    """True when two ImageOrientationPatient vectors describe the same plane direction."""
    return bool(np.allclose(np.asarray(a, float), np.asarray(b, float), atol=tol))


@dataclass(frozen=True)
class StackOrder:
    """The result of ordering slices: permutation, median spacing and what looks wrong.

    ``offsets`` are the sorted slice positions along the normal (mm), ``tilt`` the angle in
    degrees between the normal and the line through the slice positions (gantry tilt).
    """

    order: tuple[int, ...]
    spacing: float | None
    irregular: bool
    offsets: tuple[float, ...] = ()
    tilt: float = 0.0

    def warnings(self, reverse: bool = False) -> tuple[str, ...]:
        """What a reader must be told about this stack, slices numbered as displayed.

        ``reverse``: the display shows the slices in the opposite order (see
        :mod:`alstudio.datasets.orientation`).
        """
        out = []
        if self.irregular and self.spacing is not None and len(self.offsets) > 2:
            out.append(spacing_warning(np.asarray(self.offsets), self.spacing, reverse))
        if self.tilt >= TILT_DEGREES:
            out.append(f"gantry tilt {self.tilt:.1f}°: slices kept as acquired (a sheared "
                       "stack, not resampled); spacing is the distance between slice planes")
        return tuple(out)


#: Angles (degrees) between the slice normal and the slice positions' line that count as tilt.
TILT_DEGREES = 0.5


def _mm(value: float) -> str:
    return f"{value:.3g} mm"


def spacing_warning(sorted_offsets: np.ndarray, spacing: float, reverse: bool) -> str:
    """"slice gap: 10 mm between slices 3 and 4; elsewhere 5 mm", or an uneven-spacing line."""
    gaps = np.diff(sorted_offsets)
    if reverse:
        gaps = gaps[::-1]
    odd = [i for i, gap in enumerate(gaps) if abs(gap - spacing) > IRREGULAR_SPACING * spacing]
    if len(odd) > 3:
        return (f"uneven slice spacing: {_mm(float(gaps.min()))} to "
                f"{_mm(float(gaps.max()))} (median {_mm(spacing)}), not resampled")
    parts = [f"{_mm(float(gaps[i]))} between slices {i + 1} and {i + 2}" for i in odd]
    word = "slice gap" if len(odd) == 1 else "slice gaps"
    return f"{word}: {', '.join(parts)}; elsewhere {_mm(spacing)}"


def tilt_degrees(sorted_positions: np.ndarray, normal: np.ndarray) -> float:
    """Angle between ``normal`` and the line from the first to the last slice position."""
    if len(sorted_positions) < 2:
        return 0.0
    line = sorted_positions[-1] - sorted_positions[0]
    length = float(np.linalg.norm(line))
    if length < POSITION_TOLERANCE_MM:
        return 0.0
    cosine = min(1.0, abs(float(line @ normal)) / length)
    return round(float(np.degrees(np.arccos(cosine))), 2)


def _round(value: float | None) -> float | None:
    """Positions are stored as decimal strings; 1e-6 mm hides float noise in stored spacings."""
    return None if value is None else round(value, 6)


def spacing_from_offsets(sorted_offsets: np.ndarray) -> tuple[float | None, bool]:
    """Median gap between consecutive sorted offsets and whether the gaps are uneven."""
    if sorted_offsets.size < 2:
        return None, False
    gaps = np.diff(sorted_offsets)
    median = float(np.median(gaps))
    if median <= 0:
        return None, True
    irregular = bool(np.max(np.abs(gaps - median)) > IRREGULAR_SPACING * median)
    return median, irregular


def order_by_position(positions: Sequence[Sequence[float]],
                      orientation: Sequence[float]) -> StackOrder | None:
    """Order slices along the normal; ``None`` when two slices share a position.

    Repeated positions mean the files are not one spatial stack (diffusion directions,
    echoes, time points or plain copies), and the caller keeps them as separate images.
    """
    pts = np.asarray(positions, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 3 or len(pts) < 2:
        return None
    normal = slice_normal(orientation)
    offsets = pts @ normal
    order = np.argsort(offsets, kind="stable")
    sorted_offsets = offsets[order]
    if np.any(np.diff(sorted_offsets) < POSITION_TOLERANCE_MM):
        return None
    spacing, irregular = spacing_from_offsets(sorted_offsets)
    return StackOrder(tuple(int(i) for i in order), _round(spacing), irregular,
                      tuple(float(v) for v in sorted_offsets), tilt_degrees(pts[order], normal))


def order_by_scalar(values: Sequence[float]) -> StackOrder | None:
    """Order by one number per slice (SliceLocation, InstanceNumber); ``None`` on repeats."""
    vals = np.asarray(values, dtype=np.float64)
    if vals.ndim != 1 or len(vals) < 2:
        return None
    order = np.argsort(vals, kind="stable")
    sorted_vals = vals[order]
    if np.any(np.diff(sorted_vals) < POSITION_TOLERANCE_MM):
        return None
    spacing, irregular = spacing_from_offsets(sorted_vals)
    return StackOrder(tuple(int(i) for i in order), _round(spacing), irregular,
                      tuple(float(v) for v in sorted_vals))
