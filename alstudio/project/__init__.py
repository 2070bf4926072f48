"""The project file: one SQLite file holding classes, items, label events, rounds, queues,
checkpoints and an audit log. Knows nothing of torch or Qt.

>>> from alstudio.project import Project, ClassSpec
>>> project = Project.create("study.alstudio", [ClassSpec("normal"), ClassSpec("abnormal")])
>>> project.add_label(item_id, "dr_a", "abnormal", seconds_spent=4.2)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from alstudio.project.connection import SUFFIX, create_file, open_file
from alstudio.project.items import SPLITS, ItemsMixin
from alstudio.project.labels import DECISIONS, LabelsMixin
from alstudio.project.readers import ReadersMixin, ReadingSettings
from alstudio.project.reads import ImportedRead, Read, ReadsMixin, SuspectedLabelError
from alstudio.project.records import (
    Annotator,
    CheckpointBlob,
    ClassInfo,
    ClassSpec,
    Item,
    ItemLabel,
    LabelEvent,
    NewItem,
    QueueEntry,
    Reading,
    RoundInfo,
)
from alstudio.project.rounds import RoundsMixin
from alstudio.project.schema import SCHEMA_VERSION


class Project(ItemsMixin, LabelsMixin, ReadersMixin, RoundsMixin, ReadsMixin):
    """An open project file. One instance per thread: each holds its own SQLite connection."""

    @classmethod
    def create(cls, path: str | Path, classes: Sequence[ClassSpec | str],
               name: str | None = None) -> Project:
        path = Path(path)
        create_file(path, name or path.stem)
        project = cls(path, open_file(path, backup=False))
        specs = [c if isinstance(c, ClassSpec) else ClassSpec(c) for c in classes]
        if specs:
            project.add_classes(specs)
        project.audit("alstudio", "create", {"classes": [s.name for s in specs]})
        return project

    @classmethod
    def open(cls, path: str | Path, migrate: bool = True, read_only: bool | None = None,
             full_check: bool = False, check: bool = True, backup: bool = True) -> Project:
        """Open a project file (see :func:`~alstudio.project.connection.open_file`)."""
        path = Path(path)
        return cls(path, open_file(path, migrate=migrate, read_only=read_only,
                                   full_check=full_check, check=check, backup=backup))

    def __enter__(self) -> Project:
        return self


__all__ = [
    "DECISIONS", "SCHEMA_VERSION", "SPLITS", "SUFFIX", "Annotator", "CheckpointBlob",
    "ClassInfo", "ClassSpec", "ImportedRead", "Item", "ItemLabel", "LabelEvent", "NewItem",
    "Project", "QueueEntry", "Read", "Reading", "ReadingSettings", "RoundInfo",
    "SuspectedLabelError",
]
