"""An item's pixels as a file a training pipeline opens: PNG for 2D images, NIfTI for
volumes (with spacing and orientation).

2D images keep their native bit depth: an 8-bit source stays 8-bit, a 16-bit one is written
as a 16-bit PNG. Values a PNG cannot hold (negative or fractional ones, such as CT in
Hounsfield units) go into a 2D NIfTI instead, so nothing is rescaled or clipped. Volumes from
NIfTI files are copied byte for byte; DICOM volumes get an affine built from their
ImagePositionPatient / ImageOrientationPatient (converted from DICOM's LPS to NIfTI's RAS).
"""

from __future__ import annotations

import gzip
import io
import logging
import os
from dataclasses import dataclass

import nibabel as nib
import numpy as np
from PIL import Image
from pydicom import dcmread

from alstudio.datasets.dicom import tags as dicom_tags
from alstudio.datasets.dicom.layout import volume_layout
from alstudio.datasets.item_source import source_for
from alstudio.datasets.pixels import read_pixels
from alstudio.datasets.records import KIND_DICOM, KIND_DICOM_SERIES, KIND_NIFTI, ScanImage
from alstudio.export.rows import ExportRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EncodedImage:
    """A file's bytes and the suffix it must carry (``.png``, ``.nii.gz``)."""

    data: bytes
    suffix: str
    note: str = ""


def _png(array: np.ndarray, is_rgb: bool, eight_bit: bool) -> bytes | None:
    """PNG bytes at native depth, or ``None`` when the values do not fit a PNG."""
    finite = np.isfinite(array).all()
    if not finite or array.min() < 0 or not np.array_equal(array, np.round(array)):
        return None
    top = float(array.max()) if array.size else 0.0
    if is_rgb:
        image = Image.fromarray(np.clip(np.round(array), 0, 255).astype(np.uint8), "RGB")
    elif eight_bit and top <= 255:
        image = Image.fromarray(array.astype(np.uint8), "L")
    elif top <= 65535:
        image = Image.fromarray(array.astype(np.uint16))  # mode I;16
    else:
        return None
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _eight_bit(row: ExportRow) -> bool:
    """Whether the source stores 8 bits per sample (PNG/JPEG, MedMNIST, 8-bit DICOM)."""
    item = row.item
    if item.kind == KIND_DICOM:
        ds = dcmread(row.absolute_files()[0], stop_before_pixels=True, force=True)
        return int(ds.get("BitsAllocated", 16)) <= 8
    bits = item.metadata.get("bits")
    return bits is None or int(bits) <= 8


def _as_stored(row: ExportRow, image: ScanImage) -> tuple[np.ndarray, tuple[float, ...] | None]:
    """A DICOM volume's array and spacing back in stored order (slices along the normal).

    The reader turns volumes into the one display orientation; the affine below is built
    from the headers in stored order, so the display plan is undone first.
    """
    first = dcmread(row.absolute_files()[0], stop_before_pixels=True, force=True)
    plan = volume_layout(dicom_tags.orientation(first), None).plan
    if plan is None or plan.is_identity:
        return image.array, image.spacing
    index = tuple(slice(None, None, -1) if f else slice(None) for f in plan.flips)
    inverse = tuple(int(i) for i in np.argsort(plan.perm))
    array = np.transpose(image.array[index], (*inverse, *range(3, image.array.ndim)))
    spacing = None if image.spacing is None else tuple(image.spacing[i] for i in inverse)
    return array, spacing


def _dicom_affine(row: ExportRow, spacing: tuple[float, ...] | None) -> np.ndarray | None:
    """Voxel (col, row, slice) to RAS millimetres for a DICOM volume in stored order."""
    files = row.absolute_files()
    first = dcmread(files[0], stop_before_pixels=True, force=True)
    iop = dicom_tags.orientation(first)
    if iop is None or spacing is None:
        return None
    if row.item.kind == KIND_DICOM_SERIES:
        last = dcmread(files[-1], stop_before_pixels=True, force=True)
        p0, p1 = dicom_tags.position(first), dicom_tags.position(last)
        if p0 is None or p1 is None or len(files) < 2:
            return None
        slice_vector = (np.asarray(p1) - np.asarray(p0)) / (len(files) - 1)
    else:
        frames = dicom_tags.number_of_frames(first)
        positions = dicom_tags.frame_positions(first, frames)
        order = dicom_tags.multiframe_order(first, frames)
        if positions is None or order is None or frames < 2:
            return None
        ordered = [positions[i] for i in order.order]
        p0 = ordered[0]
        slice_vector = (np.asarray(ordered[-1]) - np.asarray(p0)) / (frames - 1)
    row_dir, col_dir = np.asarray(iop[:3]), np.asarray(iop[3:])
    affine = np.eye(4)
    affine[:3, 0] = row_dir * spacing[2]  # along a row: column index, column spacing
    affine[:3, 1] = col_dir * spacing[1]  # down a column: row index, row spacing
    affine[:3, 2] = slice_vector
    affine[:3, 3] = p0
    return np.diag([-1.0, -1.0, 1.0, 1.0]) @ affine  # LPS -> RAS


def _nifti(array: np.ndarray, affine: np.ndarray) -> bytes:
    """gzip-compressed NIfTI-1 bytes of ``array`` (indexed x, y, z) with ``affine``."""
    image = nib.Nifti1Image(array, affine)
    image.header.set_xyzt_units("mm")
    image.set_qform(affine, code=1)
    image.set_sform(affine, code=1)
    return gzip.compress(image.to_bytes(), compresslevel=1)


def encode(row: ExportRow) -> EncodedImage:
    """The item as PNG or NIfTI bytes (raises ScanReadError if its files cannot be read)."""
    item = row.item
    if item.kind == KIND_NIFTI:
        path = row.absolute_files()[0]
        with open(path, "rb") as fh:
            data = fh.read()
        return EncodedImage(data, ".nii.gz" if path.endswith(".gz") else ".nii")
    image = read_pixels(source_for(item))
    if not image.is_volume:
        png = _png(image.array, image.is_rgb, _eight_bit(row))
        if png is not None:
            return EncodedImage(png, ".png")
        plane: np.ndarray = image.array.T[:, :, np.newaxis] if not image.is_rgb \
            else image.array
        spacing = image.spacing or (1.0, 1.0)
        affine = np.diag([float(spacing[1]), float(spacing[0]), 1.0, 1.0])
        return EncodedImage(_nifti(np.ascontiguousarray(plane), affine), ".nii.gz",
                            "values a PNG cannot hold; written as NIfTI")
    array, stored_spacing = image.array, image.spacing
    found = None
    if item.kind in (KIND_DICOM, KIND_DICOM_SERIES):
        array, stored_spacing = _as_stored(row, image)
        found = _dicom_affine(row, stored_spacing)
    axes = (2, 1, 0, 3) if image.is_rgb else (2, 1, 0)  # (x=col, y=row, z[, colour])
    volume = np.ascontiguousarray(np.transpose(array, axes))
    note = ""
    if found is None:
        spacing = stored_spacing or (1.0, 1.0, 1.0)
        found = np.diag([float(spacing[2]), float(spacing[1]), float(spacing[0]), 1.0])
        note = "orientation unknown; spacing only"
    return EncodedImage(_nifti(volume, found), ".nii.gz", note)


def stem_for(row: ExportRow) -> str:
    """A file name stem that is unique and readable: item id plus the source's own name."""
    base = os.path.basename(row.item.path.rstrip("/")) or "item"
    for suffix in (".nii.gz", ".nii", ".dcm", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".npz"):
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
            break
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in base)[:60]
    member = f"-{row.item.member.replace(':', '_')}" if row.item.member else ""
    return f"{row.item.id:06d}-{safe}{member}"
