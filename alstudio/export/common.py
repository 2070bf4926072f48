"""What every export format shares: the options, the context a format writes from, and what
a format hands back (files written, items left out and why)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alstudio.errors import AlstudioError

FORMATS = ("csv", "json", "monai", "folders", "dicom", "dicom-sr", "model")
SPLIT_CHOICES = ("pool", "test", "all")

#: Every status an item can have in an export, in the order manifests count them.
STATUSES = ("labeled", "unlabeled", "skipped", "unsure", "disagreement", "excluded")


@dataclass(frozen=True)
class ExportOptions:
    """The user's choices; the same object for the CLI, the GUI and tests."""

    format: str
    split: str = "all"
    include_unlabeled: bool = False
    keep_identifiers: bool = False
    val_fraction: float = 0.2
    copy: bool = False
    allow_burned_in: bool = False
    force: bool = False
    seed: int = 0

    def validate(self) -> None:
        """Refuse impossible choices before any file is touched."""
        if self.format not in FORMATS:
            raise AlstudioError(f"Unknown export format {self.format!r}.",
                                f"Choose one of: {', '.join(FORMATS)}.")
        if self.split not in SPLIT_CHOICES:
            raise AlstudioError(f"Unknown split {self.split!r}.",
                                f"Choose one of: {', '.join(SPLIT_CHOICES)}.")
        if not 0.0 <= self.val_fraction < 1.0:
            raise AlstudioError(f"--val-fraction must be in [0, 1), got {self.val_fraction}.",
                                "Example: --val-fraction 0.2")

    def as_json(self) -> dict[str, Any]:
        """The options as the manifest records them."""
        return {"format": self.format, "split": self.split,
                "include_unlabeled": self.include_unlabeled,
                "keep_identifiers": self.keep_identifiers, "val_fraction": self.val_fraction,
                "copy": self.copy, "allow_burned_in": self.allow_burned_in, "seed": self.seed}


@dataclass
class FormatResult:
    """What one format did: items written, items left out (with reasons), warnings."""

    written_items: int = 0
    left_out: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def leave_out(self, item_id: int | None, path: str, reason: str) -> None:
        """Record an item the format could not (or must not) write."""
        self.left_out.append({"item_id": item_id, "path": path, "reason": reason})
