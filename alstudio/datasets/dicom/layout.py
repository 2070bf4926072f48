"""Where a DICOM item's axes point and what its reader must be warned about.

Discovery (from headers) and the pixel reader (from the decoded file) both call these, so the
shape and spacing stored at import are exactly those of the array shown later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from alstudio.datasets.dicom.geometry import StackOrder
from alstudio.datasets.orientation import DisplayPlan, dicom_directions, display_plan, letters


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


def image_axes(orientation: Sequence[float] | None) -> tuple[str, str, str]:
    """Letters of a 2D image shown as stored: ("", down the rows, along a row)."""
    if orientation is None or len(orientation) != 6:
        return ("", "", "")
    return ("", letters(orientation[3:6]), letters(orientation[:3]))


def metadata_for(layout: Layout) -> dict[str, str | int | float]:
    """The record's metadata keys for a layout: ``axes`` and ``warnings`` (one per line)."""
    out: dict[str, str | int | float] = {}
    if layout.plan is not None:
        out["axes"] = ",".join(layout.plan.axes)
    if layout.warnings:
        out["warnings"] = "\n".join(layout.warnings)
    return out
