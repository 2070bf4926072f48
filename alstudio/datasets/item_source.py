"""From a stored item back to the files that hold its pixels."""

from __future__ import annotations

import os

from alstudio.datasets.records import ScanSource
from alstudio.errors import ScanReadError
from alstudio.project import Item


def source_for(item: Item) -> ScanSource:
    """The readable source of an item: its files made absolute against its dataset root.

    A scan that has moved since import is reported with the path looked at and what to do,
    rather than a bare FileNotFoundError deep inside a reader.
    """
    files = tuple(os.path.join(item.dataset_root, f) for f in item.files)
    if not os.path.exists(files[0]):
        raise ScanReadError(files[0], "scan file not found; if the dataset moved, point the "
                            "project at its new folder (`alstudio items PROJECT --json` shows "
                            "each item's dataset root)")
    return ScanSource(kind=item.kind, files=files, member=item.member)
