"""NIfTI-1/2 volumes (.nii, .nii.gz) through nibabel.

Display orientation: the one of :mod:`alstudio.datasets.orientation`, shared with DICOM, so
the same scan imported as DICOM or as NIfTI gives the same array. The slices are cut across
the acquisition's slice axis, found from the voxel grid: an axis of length 1; else the axis
with clearly the thickest voxels (thick-slice scans); else an axis with at most a quarter of
the others' voxels (a thin slab); else the file's third voxel axis, where scanners and
converters put the slices. A thin sagittal slab thus scrolls through its sagittal slices.

The array is ``(slices, rows, cols)`` and ``spacing`` is matched to it. A 4D file (a time
series) is shown as its **first volume**; the number of volumes goes into the metadata.
Files with more non-trivial dimensions, CIFTI files and RGB-typed NIfTI are skipped.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import nibabel as nib
import numpy as np
from nibabel.filebasedimages import ImageFileError

from alstudio.datasets._common import captured_warnings, one_line, sha256_file
from alstudio.datasets._image import build_image
from alstudio.datasets.orientation import DisplayPlan, affine_directions, display_plan
from alstudio.datasets.records import (
    KIND_NIFTI,
    ScanImage,
    ScanRecord,
    ScanSource,
    SkippedFile,
    too_large_reason,
)
from alstudio.errors import ScanReadError

NIFTI_SUFFIXES = (".nii", ".nii.gz")


def is_nifti_name(name: str) -> bool:
    """True for ``.nii`` and ``.nii.gz`` file names (case-insensitive)."""
    return name.lower().endswith(NIFTI_SUFFIXES)


@dataclass(frozen=True)
class _View:
    plan: DisplayPlan  # from the file's (i, j, k) axes to display axes
    shape: tuple[int, ...]
    spacing: tuple[float, ...]
    volumes: int


def _open(path: str) -> nib.Nifti1Image | SkippedFile:
    try:
        with captured_warnings():
            image = nib.load(path)
    except ImageFileError:
        return SkippedFile(path, "cannot decode: not a valid NIfTI file")
    except (OSError, EOFError, ValueError, zlib.error) as exc:  # bad gzip, short header
        return SkippedFile(path, f"cannot decode: {one_line(exc)}")
    if type(image) not in (nib.Nifti1Image, nib.Nifti2Image):
        return SkippedFile(path, f"not a NIfTI volume ({type(image).__name__})")
    assert isinstance(image, nib.Nifti1Image)  # Nifti2Image derives from it
    return image


def _view(image: nib.Nifti1Image, path: str) -> _View | SkippedFile:
    dims = tuple(int(d) for d in image.shape)
    if len(dims) < 2:
        return SkippedFile(path, f"unsupported NIfTI dimensions {dims}")
    if any(d > 1 for d in dims[4:]):
        return SkippedFile(path, f"unsupported NIfTI dimensions {dims} (more than 4D)")
    dtype = image.get_data_dtype()
    if dtype.fields is not None or dtype.kind == "c":
        return SkippedFile(path, f"unsupported NIfTI data type {dtype}")
    spatial = (*dims, 1, 1)[:3]
    huge = too_large_reason(spatial)
    if huge:
        return SkippedFile(path, huge)
    zooms = tuple(float(z) for z in (*image.header.get_zooms(), 1.0, 1.0)[:3])
    zooms = tuple(round(z, 6) if z > 0 else 1.0 for z in zooms)
    flat = [a for a in range(3) if spatial[a] == 1]
    if len(flat) > 1:
        return SkippedFile(path, f"not an image: NIfTI dimensions {dims}")
    slice_axis = flat[0] if flat else _slice_axis(spatial, zooms)
    plan = display_plan(affine_directions(image.affine), slice_axis)
    shape = plan.shape(spatial)
    spacing = plan.spacing(zooms) or zooms
    if flat:
        shape, spacing = shape[1:], spacing[1:]
    volumes = dims[3] if len(dims) > 3 else 1
    return _View(plan, shape, spacing, volumes)


def _slice_axis(shape: tuple[int, ...], zooms: tuple[float, ...]) -> int:
    """The voxel axis across the acquisition plane (see the module docs for the rule)."""
    for axis in range(3):
        others = [a for a in range(3) if a != axis]
        if all(zooms[axis] > 1.1 * zooms[a] for a in others):
            return axis
    for axis in range(3):
        others = [a for a in range(3) if a != axis]
        if all(4 * shape[axis] <= shape[a] for a in others):
            return axis
    return 2


def discover_nifti(path: str) -> ScanRecord | SkippedFile:
    """Header-only record of a NIfTI file (the data is not read)."""
    image = _open(path)
    if isinstance(image, SkippedFile):
        return image
    view = _view(image, path)
    if isinstance(view, SkippedFile):
        return view
    metadata: dict[str, str | int | float] = {
        "format": "NIfTI-2" if isinstance(image, nib.Nifti2Image) else "NIfTI-1",
        "axcodes": "".join(str(c) for c in nib.aff2axcodes(image.affine)),
        "view": view.plan.plane if len(view.shape) == 3 else "2D",
        "axes": ",".join(view.plan.axes),
        "datatype": str(image.get_data_dtype()),
    }
    if view.volumes > 1:
        metadata["volumes"] = view.volumes
    return ScanRecord(
        source=ScanSource(KIND_NIFTI, (path,)),
        content_hash=sha256_file(path),
        modality=None,
        shape=view.shape,
        spacing=view.spacing,
        series_uid=None,
        metadata=metadata,
    )


def read_nifti(path: str) -> ScanImage:
    """Pixels of a NIfTI file, reoriented for display as described in the module docs."""
    image = _open(path)
    if isinstance(image, SkippedFile):
        raise ScanReadError(path, image.reason)
    view = _view(image, path)
    if isinstance(view, SkippedFile):
        raise ScanReadError(path, view.reason)
    ndim = len(image.shape)
    index = (slice(None),) * min(ndim, 3) + (0,) * max(ndim - 3, 0)
    with captured_warnings():
        data = np.asarray(image.dataobj[index], dtype=np.float32)
    data = data.reshape((*data.shape, 1, 1)[:3])
    out = view.plan.apply(data)
    if len(view.shape) == 2:
        out = out[0]
    header = image.header
    cal_min, cal_max = float(header["cal_min"]), float(header["cal_max"])
    default = None
    if cal_max > cal_min:
        default = ((cal_min + cal_max) / 2.0, cal_max - cal_min)
    result = build_image(out, spacing=view.spacing, modality=None, is_rgb=False,
                         default=default)
    result.axes = view.plan.axes if len(view.shape) == 3 else ("", *view.plan.axes[1:])
    return result
