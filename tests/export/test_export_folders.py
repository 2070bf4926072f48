"""Folder-per-class images: PNG at native depth, volumes as NIfTI with spacing and
orientation."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
from PIL import Image

from alstudio.export import ExportOptions
from alstudio.project import Project
from alstudio.workflow.export import run_export
from alstudio.workflow.importer import import_paths


def png(path: Path) -> tuple[str, np.ndarray]:
    with Image.open(path) as image:
        return image.mode, np.asarray(image)


def test_imagefolder_layout_and_bit_depth(labeled_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "folders"
    report = run_export(labeled_project, out, ExportOptions("folders"))
    assert report.items_written == 5
    classes = sorted(p.name for p in (out / "train").iterdir())
    assert classes == ["abnormal", "normal"]
    deep = next((out / "train" / "abnormal").glob("*deep16*"))
    mode, written = png(deep)
    assert mode.startswith("I;16")
    assert np.array_equal(written, png(tmp_path / "scans" / "png" / "deep16.png")[1])
    held = next((out / "test" / "normal").glob("*held*"))
    assert png(held)[0] == "L"
    # CT in Hounsfield units has negative values: kept exactly in a 2D NIfTI
    ct = next((out / "train" / "abnormal").glob("*CT_small*"))
    assert ct.name.endswith(".nii.gz")
    hu = pydicom.dcmread(tmp_path / "scans" / "dicom" / "CT_small.dcm")
    expected = hu.pixel_array * float(hu.RescaleSlope) + float(hu.RescaleIntercept)
    assert np.allclose(nib.load(ct).get_fdata()[:, :, 0].T, expected)
    mr = next((out / "train" / "normal").glob("*MR_small*"))
    assert mr.suffix == ".png"
    assert np.array_equal(png(mr)[1],
                          pydicom.dcmread(tmp_path / "scans" / "dicom" / "MR_small.dcm")
                          .pixel_array)


def test_series_volume_keeps_spacing_and_orientation(tmp_path: Path, shared_data: Path) -> None:
    series = shared_data / "dicom_mr_series" / "HFS" / "3_t1_fl2d_sag"
    path = tmp_path / "mr.alstudio"
    with Project.create(path, ["normal", "abnormal"]) as project:
        import_paths(project, [series], "pool")
        (item,) = project.items()
        project.add_label(item.id, "dr_a", "abnormal")
        first = pydicom.dcmread(Path(item.dataset_root) / item.files[0],
                                stop_before_pixels=True)
        last = pydicom.dcmread(Path(item.dataset_root) / item.files[-1],
                               stop_before_pixels=True)
    out = tmp_path / "vol"
    run_export(path, out, ExportOptions("folders"))
    (volume,) = (out / "train" / "abnormal").glob("*.nii.gz")
    image = nib.load(volume)
    assert image.shape == (int(first.Columns), int(first.Rows), 35)
    row_mm, col_mm = (float(v) for v in first.PixelSpacing)
    zooms = image.header.get_zooms()
    assert np.allclose(zooms[:2], (col_mm, row_mm), atol=1e-4)
    gap = np.linalg.norm(np.subtract(last.ImagePositionPatient, first.ImagePositionPatient)) / 34
    assert np.isclose(zooms[2], gap, atol=1e-3)
    # voxel (0, 0, 0) is the first slice's ImagePositionPatient, in RAS
    lps = np.array(first.ImagePositionPatient, dtype=float)
    assert np.allclose(image.affine[:3, 3], lps * [-1, -1, 1], atol=1e-3)
    assert nib.aff2axcodes(image.affine)[2] in ("L", "R")  # sagittal: slices run left-right
    # pixel (row r, col c) of slice k is voxel (c, r, k)
    assert np.allclose(image.get_fdata()[:, :, 0].T,
                       pydicom.dcmread(Path(item.dataset_root) / item.files[0]).pixel_array)
