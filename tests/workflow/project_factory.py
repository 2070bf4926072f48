"""Small real project files for the multi-reader tests: items without pixels, real SQLite."""

from __future__ import annotations

from pathlib import Path

from alstudio.project import NewItem, Project


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
