"""A small real project for the export tests: real DICOM files that carry names and
institutions (pydicom's bundled CT_small, MR_small and a secondary capture), 8- and 16-bit
PNGs, labeled by two readers and an adjudicator."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from alstudio.project import Project
from alstudio.workflow.importer import import_paths

DICOM_FILES = ("CT_small.dcm", "MR_small.dcm", "SC_rgb_gdcm_KY.dcm")


def item_by_name(project: Project, name: str) -> int:
    """The id of the item whose path ends with ``name``."""
    for item in project.items():
        if item.path.endswith(name):
            return item.id
    raise AssertionError(f"no item {name}")


@pytest.fixture
def labeled_project(tmp_path: Path, pydicom_test_files: Path) -> Path:
    """Project with 3 DICOM files, 4 PNGs (one 16-bit) and one unlabeled PNG in the pool,
    and one labeled PNG in the test split."""
    scans = tmp_path / "scans"
    (scans / "dicom").mkdir(parents=True)
    for name in DICOM_FILES:
        shutil.copyfile(pydicom_test_files / name, scans / "dicom" / name)
    rng = np.random.default_rng(0)
    (scans / "png").mkdir()
    Image.fromarray((rng.random((40, 50)) * 4000 + 300).astype(np.uint16)).save(
        scans / "png" / "deep16.png")
    for n in range(4):
        Image.fromarray((rng.random((32, 32)) * 255).astype(np.uint8), "L").save(
            scans / "png" / f"plain{n}.png")
    (scans / "holdout").mkdir()
    Image.fromarray((rng.random((32, 32)) * 255).astype(np.uint8), "L").save(
        scans / "holdout" / "held.png")
    path = tmp_path / "study.alstudio"
    with Project.create(path, ["normal", "abnormal"]) as project:
        import_paths(project, [scans / "dicom", scans / "png"], "pool")
        import_paths(project, [scans / "holdout"], "test")
        project.ensure_annotator("chief", role="adjudicator")
        ct, mr, sc = (item_by_name(project, n) for n in DICOM_FILES)
        deep = item_by_name(project, "deep16.png")
        p0, p1, p2 = (item_by_name(project, f"plain{n}.png") for n in range(3))
        held = item_by_name(project, "held.png")
        project.add_label(ct, "dr_a", "abnormal", seconds_spent=4.5)
        project.add_label(ct, "dr_b", "abnormal", seconds_spent=6.0)
        project.add_label(mr, "dr_a", "normal", seconds_spent=3.0)
        project.add_label(sc, "dr_a", "normal", seconds_spent=2.0)
        project.add_label(deep, "dr_a", "abnormal", seconds_spent=1.5)
        project.add_label(deep, "dr_b", "normal", seconds_spent=2.5)
        project.add_label(deep, "chief", "abnormal", seconds_spent=9.0)
        project.add_label(p0, "dr_a", "normal", seconds_spent=1.0)
        project.add_label(p0, "dr_b", "abnormal", seconds_spent=1.0)  # a disagreement
        project.add_label(p1, "dr_a", decision="skip", seconds_spent=0.5)
        project.add_label(p2, "dr_a", decision="unsure", seconds_spent=0.7)
        project.add_label(held, "dr_a", "normal", seconds_spent=1.2)
    return path
