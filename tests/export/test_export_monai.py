"""The MONAI datalist read back by MONAI's own loader, and its images by LoadImage."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from alstudio.export import ExportOptions
from alstudio.export.monai_list import stratified_validation
from alstudio.export.rows import build_rows
from alstudio.project import Project
from alstudio.workflow.export import run_export


def test_decathlon_loader_reads_the_datalist(labeled_project: Path, tmp_path: Path) -> None:
    from monai.data import load_decathlon_datalist

    out = tmp_path / "monai"
    run_export(labeled_project, out, ExportOptions("monai", val_fraction=0.5))
    datalist = out / "datalist.json"
    training = load_decathlon_datalist(datalist, True, "training", base_dir=out)
    validation = load_decathlon_datalist(datalist, True, "validation", base_dir=out)
    test = load_decathlon_datalist(datalist, True, "test", base_dir=out)
    assert len(training) + len(validation) == 4  # CT, MR, SC, deep16 (adjudicated)
    assert len(validation) == 2  # half of each class, stratified
    assert len(test) == 1
    labels = json.loads(datalist.read_text())["labels"]
    assert labels == {"0": "normal", "1": "abnormal"}
    for entry in training + validation + test:
        assert Path(entry["image"]).exists()
        assert entry["label"] in (0, 1)


def test_copy_writes_images_that_loadimage_opens(labeled_project: Path,
                                                 tmp_path: Path) -> None:
    from monai.data import load_decathlon_datalist
    from monai.transforms import LoadImage

    out = tmp_path / "copied"
    run_export(labeled_project, out, ExportOptions("monai", copy=True))
    raw = json.loads((out / "datalist.json").read_text())
    assert all(not Path(e["image"]).is_absolute() for e in raw["training"] + raw["test"])
    entries = load_decathlon_datalist(out / "datalist.json", True, "training", base_dir=out)
    entries += load_decathlon_datalist(out / "datalist.json", True, "validation", base_dir=out)
    assert not [e for e in entries if e["image"].endswith(".dcm")]  # DICOM is converted
    loader = LoadImage(image_only=True)
    for entry in entries:
        image = loader(entry["image"])
        assert image.ndim >= 2 and float(image.max()) > 0
    deep = next(e for e in entries if "deep16" in e["image"])
    with Image.open(deep["image"]) as png:
        assert png.mode.startswith("I;16")


def test_unlabeled_items_listed_apart(labeled_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "u"
    run_export(labeled_project, out, ExportOptions("monai", include_unlabeled=True))
    raw = json.loads((out / "datalist.json").read_text())
    assert len(raw["unlabeled"]) == 1
    assert "label" not in raw["unlabeled"][0]


@pytest.mark.parametrize("seed", [0, 1])
def test_validation_is_stratified_and_seeded(labeled_project: Path, seed: int) -> None:
    with Project.open(labeled_project) as project:
        rows = build_rows(project, "pool", statuses=("labeled",))
    a = stratified_validation(rows, 0.5, seed)
    assert a == stratified_validation(rows, 0.5, seed)
    labels = {r.item_id: r.label for r in rows}
    assert sorted(labels[i] for i in a) == ["abnormal", "normal"]
    assert stratified_validation(rows, 0.0, seed) == set()
    assert np.all([labels[i] is not None for i in a])
