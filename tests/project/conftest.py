from __future__ import annotations

from pathlib import Path

import pytest

from alstudio.project import NewItem, Project


def make_item(n: int, split: str = "pool") -> NewItem:
    return NewItem(
        path=f"img{n}.png", kind="raster", files=(f"img{n}.png",), member=None,
        content_hash=f"hash{n}", split=split, modality="OT", shape=(28, 28), spacing=None,
        series_uid=None, metadata={"BitsStored": 8},
    )


@pytest.fixture
def project(tmp_path: Path) -> Project:
    with Project.create(tmp_path / "study.alstudio", ["normal", "abnormal"]) as p:
        yield p


@pytest.fixture
def stocked(project: Project, tmp_path: Path) -> Project:
    """A project with 6 pool items and 2 test items."""
    dataset = project.dataset_root_id(tmp_path)
    project.add_items(dataset, [make_item(n) for n in range(6)]
                      + [make_item(n, "test") for n in range(6, 8)])
    return project
