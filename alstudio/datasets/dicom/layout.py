"""Where a DICOM item's axes point and what its reader must be warned about.

Discovery (from headers) and the pixel reader (from the decoded file) both call these, so the
shape and spacing stored at import are exactly those of the array shown later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from alstudio.datasets.dicom.geometry import StackOrder
from alstudio.datasets.orientation import DisplayPlan, dicom_directions, display_plan


@dataclass(frozen=True)
class Layout:
    """The display plan of a volume (``None``: no orientation known) and its warnings."""

    plan: DisplayPlan | None
    warnings: tuple[str, ...]

    @property
    def axes(self) -> tuple[str, str, str]:
        return self.plan.axes if self.plan is not None else ("", "", "")


def volume_layout(orientation: Sequence[float] | None, order: StackOrder | None,
                  spatial: bool = True) -> Layout:
    """Layout of a stack of slices ordered along the normal of ``orientation``."""
    plan = None
    if orientation is not None:
        try:
            plan = display_plan(dicom_directions(orientation), 0, spatial)
        except ValueError:  # a degenerate orientation: leave the stack as stored
            plan = None
    reverse = bool(plan is not None and plan.flips[0])
    return Layout(plan, order.warnings(reverse) if order is not None and spatial else ())


def image_plan(orientation: Sequence[float] | None) -> DisplayPlan | None:
    """Plan for a single 2D image with a known plane: turned like a slice of a volume, so a
    lone axial CT slice and the same slice of its series look alike. ``None``: as stored."""
    layout = volume_layout(orientation, None, spatial=False)
    return layout.plan


def plane_shape(plan: DisplayPlan | None, shape: tuple[int, ...]) -> tuple[int, ...]:
    """(rows, cols[, 3]) after ``plan``."""
    return shape if plan is None else plan.shape((1, *shape))[1:]


def plane_array(plan: DisplayPlan | None, array: np.ndarray) -> np.ndarray:
    """A 2D image (grey or RGB) after ``plan``."""
    return array if plan is None else plan.apply(array[np.newaxis])[0]


def plane_spacing(plan: DisplayPlan | None,
                  spacing: tuple[float, ...] | None) -> tuple[float, ...] | None:
    """(row, column) spacing after ``plan``."""
    if plan is None or spacing is None:
        return spacing
    turned = plan.spacing((1.0, *spacing))
    return None if turned is None else turned[1:]


def image_axes(plan: DisplayPlan | None) -> tuple[str, str, str]:
    """Letters of a 2D image: ("", down the rows, along a row)."""
    return ("", "", "") if plan is None else ("", plan.axes[1], plan.axes[2])


def metadata_for(layout: Layout) -> dict[str, str | int | float]:
    """The record's metadata keys for a layout: ``axes`` and ``warnings`` (one per line)."""
    out: dict[str, str | int | float] = {}
    if layout.plan is not None:
        out["axes"] = ",".join(layout.plan.axes)
    if layout.warnings:
        out["warnings"] = "\n".join(layout.warnings)
    return out
