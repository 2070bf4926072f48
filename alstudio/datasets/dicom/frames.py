"""Enhanced multi-frame files that hold several volumes: which frame belongs to which.

A Philips or Siemens enhanced file may store every diffusion direction or fMRI time point of
a series in one file: the frames repeat the same slice positions once per volume. Stacked as
they are, the "slices" interleave the volumes. The per-frame functional groups say which
frame is which: Dimension Index Values (with the Dimension Index Sequence saying which index
is the spatial one), Temporal Position Index, MR Diffusion (b-value, gradient direction),
echo time, trigger delay, Stack ID. They are tried in that order, each alone, then all
together, and a split is taken when every part is a proper stack (two or more frames, all at
distinct positions); failing all, the k-th frame at every position goes to volume k, as for
classic series. Each part becomes an item: its frames, in slice order, are named in the
item's ``member`` as ``frames:3,7,11,...`` so the pixel reader never has to split again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from pydicom.dataset import Dataset
from pydicom.tag import Tag

from alstudio.datasets.dicom import tags
from alstudio.datasets.dicom.geometry import (
    POSITION_TOLERANCE_MM,
    StackOrder,
    order_by_position,
    slice_normal,
)

MEMBER_PREFIX = "frames:"
_PER_FRAME = "PerFrameFunctionalGroupsSequence"
#: Dimension Index Pointers that count positions within a volume, not volumes.
_SPATIAL_POINTERS = {Tag(0x0020, 0x9057), Tag(0x0020, 0x0032), Tag(0x0020, 0x1041)}
#: (label, functional group, keyword inside it), tried in this order after the dimensions.
_FRAME_KEYS: tuple[tuple[str, str, str], ...] = (
    ("TemporalPositionIndex", "FrameContentSequence", "TemporalPositionIndex"),
    ("DiffusionBValue", "MRDiffusionSequence", "DiffusionBValue"),
    ("DiffusionGradientOrientation", "MRDiffusionSequence", "DiffusionGradientDirectionSequence"),
    ("EffectiveEchoTime", "MREchoSequence", "EffectiveEchoTime"),
    ("TriggerDelayTime", "CardiacSynchronizationSequence", "NominalCardiacTriggerDelayTime"),
    ("StackID", "FrameContentSequence", "StackID"),
)


@dataclass(frozen=True)
class FrameVolume:
    """One volume inside a multi-frame file: its frames in slice order and their geometry."""

    label: str
    frames: tuple[int, ...]
    order: StackOrder

    @property
    def member(self) -> str:
        """How :class:`~alstudio.datasets.records.ScanSource` names this volume's frames.

        An evenly stepped run of frames (the usual interleave) is written ``first-last:step``
        (``frames:1-125:2``), any other order as the list of frame indices.
        """
        frames = self.frames
        steps = {b - a for a, b in pairwise(frames)}
        if len(frames) > 2 and len(steps) == 1:
            return f"{MEMBER_PREFIX}{frames[0]}-{frames[-1]}:{steps.pop()}"
        return MEMBER_PREFIX + ",".join(str(i) for i in frames)


def parse_member(member: str | None) -> list[int] | None:
    """Frame indices from a ``frames:...`` member, ``None`` for a whole file."""
    if not member or not member.startswith(MEMBER_PREFIX):
        return None
    text = member[len(MEMBER_PREFIX):]
    if "-" in text and ":" in text:
        span, step = text.split(":")
        first, last = (int(v) for v in span.split("-"))
        return list(range(first, last + (1 if int(step) > 0 else -1), int(step)))
    return [int(v) for v in text.split(",") if v]


def _spatial_components(ds: Dataset) -> set[int]:
    out = set()
    for index, item in enumerate(ds.get("DimensionIndexSequence") or []):
        pointer = item.get("DimensionIndexPointer")
        if pointer is not None and Tag(pointer) in _SPATIAL_POINTERS:
            out.add(index)
    return out


def _frame_keys(ds: Dataset, frames: int) -> dict[str, list[str]]:
    """Per-frame text values of every candidate key that is present for all frames."""
    per_frame = ds.get(_PER_FRAME) or []
    out: dict[str, list[str]] = {}
    spatial = _spatial_components(ds)
    if spatial:
        values = []
        for i in range(frames):
            item = tags.functional_item(ds, "FrameContentSequence", i)
            index = item.get("DimensionIndexValues") if item is not None else None
            if index is None:
                break
            index = [index] if isinstance(index, int) else list(index)
            values.append(",".join(str(v) for n, v in enumerate(index) if n not in spatial))
        if len(values) == frames:
            out["DimensionIndexValues"] = values
    for label, group, keyword in _FRAME_KEYS:
        if len(per_frame) != frames:
            break
        values = []
        for i in range(frames):
            item = tags.functional_item(ds, group, i)
            value = item.get(keyword) if item is not None else None
            if value is None or value == "":
                break
            if keyword == "DiffusionGradientDirectionSequence":
                value = value[0].get("DiffusionGradientOrientation") if value else None
            values.append(tags.text(value))
        if len(values) == frames:
            out[label] = values
    return out


def _candidates(keys: dict[str, list[str]], frames: int) -> Iterator[tuple[str, list[str]]]:
    varying = [k for k, values in keys.items() if len(set(values)) > 1]
    for key in varying:
        yield key, [f"{key} {v}" for v in keys[key]]
    if len(varying) > 1:
        yield "all", [", ".join(f"{k} {keys[k][i]}" for k in varying) for i in range(frames)]


def _by_acquisition(positions: list[tuple[float, ...]],
                    orientation: tuple[float, ...]) -> list[str] | None:
    """Volume labels by the k-th frame (stored order) at each position, or ``None``."""
    normal = slice_normal(orientation)
    offsets = [float(normal @ p) for p in positions]
    seen: list[tuple[float, int]] = []  # (offset, frames so far at it)
    labels = []
    for offset in offsets:
        for n, (where, count) in enumerate(seen):
            if abs(where - offset) < POSITION_TOLERANCE_MM:
                seen[n] = (where, count + 1)
                labels.append(f"acquisition {count + 1}")
                break
        else:
            seen.append((offset, 1))
            labels.append("acquisition 1")
    counts = {count for _, count in seen}
    return labels if len(counts) == 1 and counts != {1} else None


def split_frames(ds: Dataset, frames: int, orientation: tuple[float, ...],
                 positions: list[tuple[float, ...]]) -> tuple[FrameVolume, ...]:
    """The volumes of a multi-frame file whose frames repeat positions; ``()`` if none fit."""
    if len(positions) != frames or frames < 4:
        return ()
    tried = list(_candidates(_frame_keys(ds, frames), frames))
    by_order = _by_acquisition(positions, orientation)
    if by_order is not None:
        tried.append(("acquisition", by_order))
    for _key, labels in tried:
        groups: dict[str, list[int]] = defaultdict(list)
        for index, label in enumerate(labels):
            groups[label].append(index)
        if len(groups) < 2 or any(len(members) < 2 for members in groups.values()):
            continue
        volumes = []
        for label, members in groups.items():
            order = order_by_position([positions[i] for i in members], orientation)
            if order is None:
                break
            volumes.append(FrameVolume(label, tuple(members[i] for i in order.order), order))
        else:
            return tuple(sorted(volumes, key=lambda v: min(v.frames)))
    return ()
