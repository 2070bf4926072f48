"""One display orientation for every volume, whatever file it came from.

The convention is the radiological one clinical viewers use:

* slices run through the **acquisition plane** (DICOM: the image plane of the files; NIfTI:
  the plane of the first two voxel axes, the way scanners and converters store slices), cut
  along the anatomical axis closest to that plane's normal;
* **axial**: anterior at the top, the patient's left on the right of the screen, slices from
  inferior to superior;
* **coronal**: superior at the top, the patient's left on the right, slices from posterior
  to anterior;
* **sagittal**: superior at the top, anterior on the left, slices from left to right.

Oblique planes go to the closest of the three. The readers describe their array by the
patient-space direction (LPS, as DICOM) of each array axis; :func:`display_plan` says how to
permute and flip it, from headers alone, so discovery predicts the shape the pixel reader
returns. :attr:`DisplayPlan.axes` names, per displayed axis, where increasing indices point,
which is what the viewer's orientation letters show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import permutations

import numpy as np

_POSITIVE = "LPS"  # LPS axis i points towards this letter...
_NEGATIVE = "RAI"  # ...and away from this one
#: For a slice axis along anatomical axis k: (axis, sign) wanted for slices, rows, columns.
_LAYOUT: dict[int, tuple[tuple[int, int], tuple[int, int], tuple[int, int]]] = {
    2: ((2, 1), (1, 1), (0, 1)),  # axial: I->S, A->P down, R->L across
    1: ((1, -1), (2, -1), (0, 1)),  # coronal: P->A, S->I down, R->L across
    0: ((0, -1), (2, -1), (1, 1)),  # sagittal: L->R, S->I down, A->P across
}
PLANES = {0: "sagittal", 1: "coronal", 2: "axial"}
#: A direction component at least this large (of a unit vector) gets its letter shown.
_LETTER_SHARE = 0.3


def letters(direction: Sequence[float]) -> str:
    """Where a patient-space (LPS) direction points: "L", "P", "S"..., or "LP" if oblique."""
    vec = np.asarray(direction, dtype=np.float64)
    norm = float(np.linalg.norm(vec))
    if norm == 0:
        return ""
    vec = vec / norm
    ranked = sorted(range(3), key=lambda i: -abs(vec[i]))
    out = [(_POSITIVE if vec[i] > 0 else _NEGATIVE)[i] for i in ranked
           if abs(vec[i]) >= _LETTER_SHARE]
    return "".join(out[:2])


def opposite(code: str) -> str:
    """The letters of the opposite direction ("LP" -> "RA")."""
    swap = {a: b for a, b in zip(_POSITIVE + _NEGATIVE, _NEGATIVE + _POSITIVE, strict=True)}
    return "".join(swap.get(c, c) for c in code)


@dataclass(frozen=True)
class DisplayPlan:
    """How to turn an array into the display layout: transpose, then flip axes."""

    perm: tuple[int, int, int]  # new axis i is old axis perm[i]
    flips: tuple[bool, bool, bool]  # flip new axis i after the transpose
    axes: tuple[str, str, str]  # letters increasing indices point to, per new axis
    plane: str  # "axial", "coronal" or "sagittal"

    def shape(self, shape: Sequence[int]) -> tuple[int, ...]:
        """The first three entries of ``shape`` permuted (a colour axis stays last)."""
        return (*(int(shape[p]) for p in self.perm), *(int(s) for s in shape[3:]))

    def spacing(self, spacing: Sequence[float] | None) -> tuple[float, ...] | None:
        """Spacing permuted like the axes."""
        return None if spacing is None else tuple(float(spacing[p]) for p in self.perm)

    def apply(self, array: np.ndarray) -> np.ndarray:
        """The array in display layout (a view where possible)."""
        order = (*self.perm, *range(3, array.ndim))
        out = np.transpose(array, order)
        index = tuple(slice(None, None, -1) if f else slice(None) for f in self.flips)
        return out[index]

    @property
    def is_identity(self) -> bool:
        return self.perm == (0, 1, 2) and not any(self.flips)


def _assign(directions: np.ndarray, slice_axis: int) -> list[int]:
    """Anatomical axis for each array axis: the slice axis first, then the best of the rest."""
    weights = np.abs(directions)
    slice_anat = int(np.argmax(weights[slice_axis]))
    others = [a for a in range(3) if a != slice_axis]
    free = [k for k in range(3) if k != slice_anat]
    best = max(permutations(free), key=lambda p: sum(weights[a, k] for a, k in
                                                     zip(others, p, strict=True)))
    out = [0, 0, 0]
    out[slice_axis] = slice_anat
    for axis, anat in zip(others, best, strict=True):
        out[axis] = anat
    return out


def display_plan(directions: Sequence[Sequence[float]], slice_axis: int = 0,
                 spatial_slices: bool = True) -> DisplayPlan:
    """The plan for an array whose axis ``a`` steps along ``directions[a]`` (LPS).

    ``slice_axis`` is the array axis that crosses the acquisition plane. With
    ``spatial_slices`` false (a cine loop, frames in time), that axis stays first and in its
    order, and only the image plane is turned.
    """
    dirs = np.asarray(directions, dtype=np.float64)
    if dirs.shape != (3, 3):
        raise ValueError("directions must be three 3-vectors")
    anat = _assign(dirs, slice_axis)
    layout = _LAYOUT[anat[slice_axis]]
    perm: list[int] = []
    flips: list[bool] = []
    axes: list[str] = []
    for position, (k, sign) in enumerate(layout):
        axis = anat.index(k)  # position 0 is always the slice axis
        perm.append(axis)
        flip = bool(np.sign(dirs[axis, k]) != sign) and (position > 0 or spatial_slices)
        flips.append(flip)
        axes.append(letters(-dirs[axis] if flip else dirs[axis]) if
                    (position > 0 or spatial_slices) else "")
    return DisplayPlan((perm[0], perm[1], perm[2]), (flips[0], flips[1], flips[2]),
                       (axes[0], axes[1], axes[2]), PLANES[anat[slice_axis]])


def dicom_directions(orientation: Sequence[float]) -> list[list[float]]:
    """LPS directions of (slice, row, column) for slices stacked along row x column."""
    row_dir = np.asarray(orientation[:3], dtype=np.float64)  # along a row: column index
    col_dir = np.asarray(orientation[3:6], dtype=np.float64)  # down a column: row index
    normal = np.cross(row_dir, col_dir)
    return [normal.tolist(), col_dir.tolist(), row_dir.tolist()]


def affine_directions(affine: np.ndarray) -> list[list[float]]:
    """LPS directions of the voxel axes (i, j, k) of a NIfTI (RAS) affine."""
    ras = np.asarray(affine, dtype=np.float64)[:3, :3]
    lps = ras * np.array([[-1.0], [-1.0], [1.0]])
    out = []
    for axis in range(3):
        column = lps[:, axis]
        norm = float(np.linalg.norm(column))
        out.append((column / norm if norm > 0 else np.eye(3)[axis]).tolist())
    return out
