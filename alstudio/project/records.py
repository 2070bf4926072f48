"""Plain records the project hands out: no SQL, no sqlite rows leak past this package."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_COLOURS = (
    "#4e9a06", "#cc3e3e", "#3465a4", "#c4a000", "#75507b", "#06989a", "#ce5c00", "#8f5902",
    "#888a85",
)


@dataclass(frozen=True)
class ClassSpec:
    """A class as the user defines it: a name, a shortcut key and a display colour."""

    name: str
    shortcut: str | None = None
    colour: str | None = None


@dataclass(frozen=True)
class ClassInfo:
    id: int
    name: str
    shortcut: str | None
    colour: str
    position: int


@dataclass(frozen=True)
class Annotator:
    id: int
    name: str
    role: str


@dataclass(frozen=True)
class NewItem:
    """What the project keeps about one scan: paths relative to its dataset root, split,
    shape and non-identifying metadata. Stored, it becomes an :class:`Item`.

    The one description of a stored item: :class:`Item` adds only what storing gives it. The
    readers' description of a scan is :class:`alstudio.datasets.ScanRecord`; the importer's
    ``stored_item`` is the one conversion between the two.
    """

    path: str
    kind: str
    files: tuple[str, ...]
    member: str | None
    content_hash: str
    split: str
    modality: str | None
    shape: tuple[int, ...]
    spacing: tuple[float, ...] | None
    series_uid: str | None
    metadata: dict[str, Any] = field(default_factory=dict)
    reference_label: int | None = None


    @property
    def is_volume(self) -> bool:
        """True for a stack of slices or frames (not a colour image)."""
        return len(self.shape) == 3 and self.shape[-1] not in (3, 4)


@dataclass(frozen=True, kw_only=True)
class Item(NewItem):
    """A stored item: its description plus the id and dataset root the project gave it."""

    id: int
    dataset_root: str


@dataclass(frozen=True)
class LabelEvent:
    id: int
    item_id: int
    annotator: str
    decision: str  # 'label' | 'skip' | 'unsure'
    class_name: str | None
    started_at: str | None
    submitted_at: str
    seconds_spent: float | None
    note: str | None
    retracted: bool
    reason: str | None = None  # an adjudication's reason


@dataclass(frozen=True)
class Reading:
    """One annotator's standing decision on an item, as the disagreement view shows it."""

    event_id: int
    annotator: str
    role: str
    choice: str  # a class name, 'skip' or 'unsure'
    note: str | None
    seconds_spent: float | None
    submitted_at: str
    reason: str | None = None  # an adjudication's reason


@dataclass(frozen=True)
class ItemLabel:
    """Where an item stands now: each annotator's latest decision and their agreement.

    ``source`` says how ``consensus`` was reached: 'adjudicated' (an adjudicator's class,
    with ``adjudication_reason``), 'agreed' (several readers, one class), 'majority' (more
    than half the readers, under the majority rule), 'single' (one reader), or 'none' when
    there is no consensus (an unsettled disagreement, a tie, or only skip / unsure).
    """

    item_id: int
    by_annotator: dict[str, str]  # annotator -> class name, or 'skip' / 'unsure'
    consensus: str | None  # the class training may use; None when there is none
    disagreement: bool  # readers (not the adjudicator) gave different classes
    source: str = "none"
    adjudication_reason: str | None = None


@dataclass(frozen=True)
class QueueEntry:
    item_id: int
    rank: int
    score: float | None
    reason: str
    probs: tuple[float, ...] | None = None  # the model's class probabilities, class order


@dataclass(frozen=True)
class RoundInfo:
    id: int
    number: int
    strategy: str
    params: dict[str, Any]
    seed: int | None
    checkpoint_id: int | None
    labels_used: int
    metrics: dict[str, Any]
    explanation: str
    device: str | None
    started_at: str
    finished_at: str


@dataclass(frozen=True)
class CheckpointBlob:
    id: int
    architecture: str
    hyperparameters: dict[str, Any]
    metrics: dict[str, Any]
    digest: str
    weights: bytes
