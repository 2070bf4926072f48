"""Small real project files for the workflow tests: items without pixels for the multi-reader
tests, and deliveries of real PNG scans for stream mode. Real SQLite."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from alstudio.project import NewItem, Project
from alstudio.workflow.importer import import_paths


def new_item(n: int, split: str = "pool") -> NewItem:
    return NewItem(path=f"scans/img{n}.png", kind="raster", files=(f"scans/img{n}.png",),
                   member=None, content_hash=f"hash{n:05d}", split=split, modality="OT",
                   shape=(28, 28), spacing=None, series_uid=None)


def make_project(path: Path, n_items: int = 8, classes: tuple[str, ...] = ("normal", "abnormal"),
                 root: Path | None = None, first: int = 0) -> Path:
    """A project at ``path`` with ``n_items`` pool items (hashes hash<first>...)."""
    with Project.create(path, list(classes)) as project:
        dataset = project.dataset_root_id(root or path.parent / "data")
        project.add_items(dataset, [new_item(n) for n in range(first, first + n_items)])
    return path


def deliver_noise(project_path: Path, folder: Path, seed: int = 0, prefix: str = "new") -> None:
    """Eight new 28-px noise images (unlike any ultrasound crop) imported into the project:
    a delivery after the last round, for stream mode to judge."""
    rng = np.random.default_rng(seed)
    folder.mkdir()
    for n in range(8):
        Image.fromarray(rng.integers(0, 255, (28, 28), dtype=np.uint8)).save(
            folder / f"{prefix}{n}.png")
    with Project.open(project_path) as project:
        import_paths(project, [folder], modality="US")
