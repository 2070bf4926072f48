"""Turn the indexed DICOM files of one folder into items: volumes, multi-frames, images.

Grouping rule (documented for users in the import dialog's help):

* Files are grouped by **folder and SeriesInstanceUID**. Staying within a folder keeps
  discovery streaming (a folder is finished before the next starts) and means two copies of
  one series in two folders are two items, which the project then flags as duplicates by
  content hash instead of silently merging them.
* Within a series, single-frame greyscale files with the same rows/columns, orientation
  and pixel spacing form a candidate stack. A stack of two or more files whose positions,
  projected on the slice normal, are all **distinct** becomes one ``dicom-series`` volume,
  slices in ascending order along the normal (see :mod:`dicom_geometry`).
* A stack with repeated positions holds several volumes (echoes, time points, diffusion
  weightings, magnitude and phase). It is split by the first tag of
  :data:`~alstudio.datasets.dicom_index.VOLUME_TAGS` whose groups are each a proper volume
  (two or more slices, all at distinct positions), then by all of those tags together, then,
  when every position holds the same number of files with distinct InstanceNumbers, by
  acquisition order (the k-th file at each position by InstanceNumber goes to volume k).
  Each volume is an item, its ``volume`` metadata naming what sets it apart. A stack that
  splits no way (the same slice in several transfer syntaxes, plain copies) leaves each
  file its own ``dicom`` item. So does any file that fits no stack (a different size or
  orientation, colour, or a localizer among axial slices).
* Without ImagePositionPatient, cross-sectional files (CT, MR, PT, NM) are stacked by
  SliceLocation if all values differ, else by InstanceNumber if all of those differ.
* Multi-frame files (NumberOfFrames > 1) are always one ``dicom`` item each: a volume of
  frames (enhanced MR/CT, RT dose, NM) or a cine loop.
* A Siemens mosaic (ImageType MOSAIC) is one ``dicom`` item, a volume of its tiles (see
  :mod:`dicom_mosaic`): one file per diffusion direction or time point, one item each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from alstudio.datasets._common import sha256_of_hashes
from alstudio.datasets.dicom_geometry import (
    POSITION_TOLERANCE_MM,
    StackOrder,
    order_by_position,
    order_by_scalar,
    slice_normal,
)
from alstudio.datasets.dicom_index import VOLUME_TAGS, DicomHeader
from alstudio.datasets.records import KIND_DICOM, KIND_DICOM_SERIES, ScanRecord, ScanSource

#: Modalities whose files without positions may still be slices of one volume.
CROSS_SECTIONAL = {"CT", "MR", "PT", "NM"}


def single_record(header: DicomHeader) -> ScanRecord:
    """One file, one item: a 2D image, or a volume/cine when it has several frames or tiles."""
    shape: tuple[int, ...] = (header.rows, header.cols)
    spacing: tuple[float, ...] | None = header.pixel_spacing
    if header.mosaic is not None:
        shape = header.mosaic.shape
    elif header.frames > 1:
        shape = (header.frames, *shape)
    if len(shape) == 3:  # a volume: slice spacing first
        if spacing is not None and header.slice_spacing is not None:
            spacing = (header.slice_spacing, *spacing)
        else:
            spacing = None
    if header.is_rgb:
        shape = (*shape, 3)
    metadata = dict(header.metadata)
    if header.slice_spacing_irregular:
        metadata["slice_spacing_irregular"] = 1
    return ScanRecord(
        source=ScanSource(KIND_DICOM, (header.path,)),
        content_hash=header.sha256,
        modality=header.modality,
        shape=shape,
        spacing=spacing,
        series_uid=header.series_uid,
        metadata=metadata,
    )


def _stack_key(header: DicomHeader) -> tuple[object, ...]:
    iop = tuple(round(v, 3) + 0.0 for v in header.orientation) if header.orientation else None
    ps = tuple(round(v, 4) for v in header.pixel_spacing) if header.pixel_spacing else None
    return (header.rows, header.cols, iop, ps, header.position is None)


def _order(stack: list[DicomHeader]) -> tuple[StackOrder, float | None] | None:
    """Slice order and slice spacing (mm) of a candidate stack, or ``None``."""
    first = stack[0]
    positions = [h.position for h in stack if h.position is not None]
    if first.orientation is not None and len(positions) == len(stack):
        order = order_by_position(positions, first.orientation)
        return (order, order.spacing) if order else None
    if any(h.position is not None for h in stack) or first.modality not in CROSS_SECTIONAL:
        return None
    locations = [h.slice_location for h in stack if h.slice_location is not None]
    if len(locations) == len(stack):
        order = order_by_scalar(locations)
        if order is not None:
            return order, order.spacing
    numbers = [float(h.instance_number) for h in stack if h.instance_number is not None]
    if len(numbers) == len(stack):
        order = order_by_scalar(numbers)
        # instance numbers count slices, not millimetres: trust the stated spacing
        return (order, first.slice_spacing) if order else None
    return None


def series_record(stack: list[DicomHeader], order: StackOrder,
                  slice_spacing: float | None) -> ScanRecord:
    """Several single-frame files stacked into one volume item."""
    ordered = [stack[i] for i in order.order]
    centre = ordered[len(ordered) // 2]
    spacing = None
    if centre.pixel_spacing is not None and slice_spacing is not None:
        spacing = (slice_spacing, *centre.pixel_spacing)
    metadata = dict(centre.metadata)
    metadata["slices"] = len(ordered)
    if order.irregular:
        metadata["slice_spacing_irregular"] = 1
    return ScanRecord(
        source=ScanSource(KIND_DICOM_SERIES, tuple(h.path for h in ordered)),
        content_hash=sha256_of_hashes([h.sha256 for h in ordered]),
        modality=centre.modality,
        shape=(len(ordered), centre.rows, centre.cols),
        spacing=spacing,
        series_uid=centre.series_uid,
        metadata=metadata,
    )


def _stack_records(stack: list[DicomHeader]) -> list[ScanRecord]:
    """One volume, several volumes sharing positions, or one item per file."""
    result = _order(stack) if len(stack) > 1 else None
    if result is not None:
        return [series_record(stack, *result)]
    volumes = _split_volumes(stack) if len(stack) > 3 else None
    if volumes is None:
        return [single_record(h) for h in stack]
    records = []
    for label, members, (order, spacing) in volumes:
        record = series_record(members, order, spacing)
        record.metadata["volume"] = label
        records.append(record)
    return records


def _volume_groups(stack: list[DicomHeader]) -> Iterator[dict[str, list[DicomHeader]]]:
    """Candidate splits of a stack, most telling first: parts by their label."""
    varying = [k for k in VOLUME_TAGS if len({h.volume_tags.get(k) for h in stack}) > 1]
    keys = [[keyword] for keyword in varying] + ([varying] if len(varying) > 1 else [])
    for keywords in keys:
        groups: dict[str, list[DicomHeader]] = defaultdict(list)
        for h in stack:
            label = ", ".join(f"{k} {h.volume_tags.get(k, '?')}" for k in keywords)
            groups[label].append(h)
        yield groups
    by_order = _acquisition_order_groups(stack)
    if by_order is not None:
        yield by_order


def _acquisition_order_groups(stack: list[DicomHeader]) -> dict[str, list[DicomHeader]] | None:
    """The k-th file (by InstanceNumber) at every position to volume k, when every position
    holds the same number of files with distinct InstanceNumbers; else ``None``."""
    if any(h.position is None or h.instance_number is None for h in stack):
        return None
    positions = _positions(stack)
    if positions is None or len({len(p) for p in positions}) != 1 or len(positions[0]) < 2:
        return None
    if any(len({h.instance_number for h in p}) != len(p) for p in positions):
        return None
    groups: dict[str, list[DicomHeader]] = defaultdict(list)
    for members in positions:
        ordered = sorted(members, key=lambda h: (h.instance_number is None,
                                                 h.instance_number or 0))
        for rank, h in enumerate(ordered, start=1):
            groups[f"acquisition {rank}"].append(h)
    return groups


def _positions(stack: list[DicomHeader]) -> list[list[DicomHeader]] | None:
    """Files grouped by slice position along the normal (within the position tolerance)."""
    if stack[0].orientation is None:
        return None
    normal = slice_normal(stack[0].orientation)
    ranked = sorted(stack, key=lambda h: float(normal @ h.position))
    groups: list[list[DicomHeader]] = [[ranked[0]]]
    last = float(normal @ ranked[0].position)
    for h in ranked[1:]:
        offset = float(normal @ h.position)
        if offset - last >= POSITION_TOLERANCE_MM:
            groups.append([])
        groups[-1].append(h)
        last = offset
    return groups


def _split_volumes(stack: list[DicomHeader]
                   ) -> list[tuple[str, list[DicomHeader], tuple[StackOrder, float | None]]] | None:
    """The first candidate split whose every part is a proper volume, or ``None``."""
    for groups in _volume_groups(stack):
        if len(groups) < 2 or any(len(members) < 2 for members in groups.values()):
            continue
        ordered = [(label, members, _order(members)) for label, members in groups.items()]
        if all(result is not None for _, _, result in ordered):
            return sorted(((label, members, result) for label, members, result in ordered
                           if result is not None),
                          key=lambda part: min(h.instance_number or 0 for h in part[1]))
    return None


def group_folder(headers: Iterable[DicomHeader]) -> list[ScanRecord]:
    """Records for the DICOM images of one folder, ordered by their first file's path."""
    by_series: dict[str | None, list[DicomHeader]] = defaultdict(list)
    records: list[ScanRecord] = []
    for header in headers:
        if header.series_uid is None or not header.stackable:
            records.append(single_record(header))
        else:
            by_series[header.series_uid].append(header)
    for members in by_series.values():
        stacks: dict[tuple[object, ...], list[DicomHeader]] = defaultdict(list)
        for header in members:
            stacks[_stack_key(header)].append(header)
        for stack in stacks.values():
            records.extend(_stack_records(stack))
    records.sort(key=lambda r: min(r.source.files))
    return records
