"""NIfTI-1/2 volumes (.nii, .nii.gz) through nibabel.

Display orientation: the voxels are first reoriented to the closest canonical (RAS+) axes,
as ``nibabel.as_closest_canonical`` does, then cut along one axis:

* the slice axis is the one with the **largest voxel size** (the acquisition's through-plane
  direction for thick-slice scans), ties going to axial; an axis of length 1 always is;
* axial slices show anterior at the top and the patient's right on the left of the screen
  (radiological convention); coronal slices superior at the top, right on the left; sagittal
  slices superior at the top, anterior on the left;
* slices are ordered from inferior / posterior / left to superior / anterior / right.

The array is ``(slices, rows, cols)`` and ``spacing`` is matched to it. A 4D file (a time
series) is shown as its **first volume**; the number of volumes goes into the metadata.
Files with more non-trivial dimensions, CIFTI files and RGB-typed NIfTI are skipped.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import cast

import nibabel as nib
import numpy as np
from nibabel.filebasedimages import ImageFileError
from nibabel.orientations import apply_orientation, io_orientation

from alstudio.datasets._common import captured_warnings, one_line, sha256_file
from alstudio.datasets._image import build_image
from alstudio.datasets.records import KIND_NIFTI, ScanImage, ScanRecord, ScanSource, SkippedFile
from alstudio.errors import ScanReadError

NIFTI_SUFFIXES = (".nii", ".nii.gz")
_VIEWS = ("sagittal", "coronal", "axial")  # indexed by canonical slice axis (R, A, S)
# (axes order into (slice, row, col), from canonical (x, y, z)), rows and cols reversed after
_TRANSPOSE = {0: (0, 2, 1), 1: (1, 2, 0), 2: (2, 1, 0)}


def is_nifti_name(name: str) -> bool:
    """True for ``.nii`` and ``.nii.gz`` file names (case-insensitive)."""
    return name.lower().endswith(NIFTI_SUFFIXES)


@dataclass(frozen=True)
class _View:
    ornt: np.ndarray  # nibabel orientation array from the file's axes to RAS
    slice_axis: int  # canonical axis cut into slices
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
    return cast(nib.Nifti1Image, image)


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
    zooms = tuple(float(z) for z in (*image.header.get_zooms(), 1.0, 1.0)[:3])
    zooms = tuple(round(z, 6) if z > 0 else 1.0 for z in zooms)
    ornt = io_orientation(image.affine)
    canon_shape = [0, 0, 0]
    canon_zooms = [0.0, 0.0, 0.0]
    for axis, (target, _flip) in enumerate(ornt):
        canon_shape[int(target)] = spatial[axis]
        canon_zooms[int(target)] = zooms[axis]
    flat = [a for a in range(3) if canon_shape[a] == 1]
    if len(flat) > 1:
        return SkippedFile(path, f"not an image: NIfTI dimensions {dims}")
    if flat:
        slice_axis = flat[0]
    else:
        largest = max(canon_zooms)
        slice_axis = 2 if canon_zooms[2] >= 0.99 * largest else int(np.argmax(canon_zooms))
    order = _TRANSPOSE[slice_axis]
    shape = tuple(canon_shape[a] for a in order)
    spacing = tuple(canon_zooms[a] for a in order)
    if flat:
        shape, spacing = shape[1:], spacing[1:]
    volumes = dims[3] if len(dims) > 3 else 1
    return _View(ornt, slice_axis, shape, spacing, volumes)


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
        "view": _VIEWS[view.slice_axis] if len(view.shape) == 3 else "2D",
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
    canonical = apply_orientation(data, view.ornt)
    out = np.transpose(canonical, _TRANSPOSE[view.slice_axis])[:, ::-1, ::-1]
    if len(view.shape) == 2:
        out = out[0]
    header = image.header
    cal_min, cal_max = float(header["cal_min"]), float(header["cal_max"])
    default = None
    if cal_max > cal_min:
        default = ((cal_min + cal_max) / 2.0, cal_max - cal_min)
    return build_image(out, spacing=view.spacing, modality=None, is_rgb=False,
                       default=default)
