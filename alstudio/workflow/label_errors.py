"""Check a project's labels: which agreed labels does the model contradict out of sample?

:func:`check_labels` cross-validates the project's model recipe on its labeled pool items
(``folds`` folds, a small step budget), hands the out-of-sample probabilities to confident
learning (:mod:`alstudio.evaluation.label_errors`) and stores the suspects as a new check in
the project (``suspected_label_errors``). It never changes a label: the list is for a second
read. The GUI's worker, `alstudio label-errors` and tests call this same function; it opens
its own connection and writes once, at the end, so a cancel leaves the project unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.evaluation.label_errors import find_suspects
from alstudio.jobs import CancelToken, ProgressCallback, check, report
from alstudio.project import Project, SuspectedLabelError

#: Why a suspect is in a reader's queue again (the queue's reason column shows it).
SUSPECT_WHY = "suspected label error: second read"


@dataclass
class LabelCheckConfig:
    folds: int = 3
    seed: int = 0
    model: str = "auto"
    device: str = "auto"
    max_epochs: int | None = None  # None: the cheap cross-validation recipe's
    min_steps: int | None = None
    threads: int | None = None


@dataclass
class LabelCheckOutcome:
    run_id: int
    checked: int
    suspects: list[SuspectedLabelError] = field(default_factory=list)
    seconds: float = 0.0
    classes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"run": self.run_id, "checked": self.checked, "seconds": round(self.seconds, 2),
                "classes": self.classes,
                "suspects": [{"item": s.item_id, "given": s.given_class,
                              "likely": self.classes[int(np.argmax(s.probs))],
                              "score": round(s.score, 4), "probs": list(s.probs)}
                             for s in self.suspects]}


def check_labels(project_path: Path, config: LabelCheckConfig | None = None, *,
                 progress: ProgressCallback | None = None,
                 cancel: CancelToken | None = None) -> LabelCheckOutcome:
    """Cross-validate, find suspected label errors, store them as one check; see module."""
    # torch is loaded only when a check runs
    from alstudio.learning.crossval import CROSSVAL_TRAIN, cross_val_probs
    from alstudio.learning.device import pick_device
    from alstudio.workflow.inputs import ProjectInputs, choose_input_size
    from alstudio.workflow.round import read_snapshot

    config = config or LabelCheckConfig()
    started = time.monotonic()
    device = pick_device(config.device)
    with Project.open(project_path) as project:
        snap = read_snapshot(project)
        labeled = [item for item in snap.pool if item.id in snap.train_labels]
        if not labeled:
            raise AlstudioError("No agreed labels to check yet.", "Label some scans first.")
        size = choose_input_size(snap.pool, device.type)
        inputs = ProjectInputs(project, size)
        try:
            report(progress, "preparing inputs", 0, None)
            unreadable = inputs.ensure(labeled, progress=progress, cancel=cancel)
            ids = [item.id for item in labeled if item.id not in unreadable]
            y = np.array([snap.train_labels[i] for i in ids], dtype=np.int64)
            train = replace(CROSSVAL_TRAIN, model=config.model, image_size=size,
                            device=device.type, num_threads=config.threads)
            if config.max_epochs:
                train = replace(train, max_epochs=config.max_epochs)
            if config.min_steps is not None:
                train = replace(train, min_steps=config.min_steps)
            x = np.asarray(inputs.view(ids))
            probs = cross_val_probs(x, y, len(snap.classes), folds=config.folds,
                                    config=train, seed=config.seed, progress=progress,
                                    cancel=cancel)
        finally:
            inputs.close()
        check(cancel)
        report(progress, "finding suspects", 0, 1)
        suspects = find_suspects(y, probs)
        latest = project.latest_round()
        run_id = project.save_label_error_run(
            round_id=latest.id if latest else None, checked=len(ids),
            params={"folds": config.folds, "seed": config.seed, "model": train.model,
                    "max_epochs": train.max_epochs, "min_steps": train.min_steps,
                    "method": "cleanlab find_label_issues prune_by_noise_rate"},
            errors=[(ids[s.index], snap.classes[s.given], probs[s.index].tolist(), s.score)
                    for s in suspects])
        report(progress, "finding suspects", 1, 1, f"{len(suspects)} suspect(s)")
        stored = [s for s in project.suspected_label_errors(still_standing=False)
                  if s.run_id == run_id]
    return LabelCheckOutcome(run_id=run_id, checked=len(ids), suspects=stored,
                             seconds=time.monotonic() - started, classes=snap.classes)


def send_for_second_read(project_path: Path, item_ids: Iterable[int], *,
                         actor: str = "alstudio") -> int:
    """Ask one more reader for each suspected label error (the label stands, nothing is
    relabeled); returns how many items were newly asked. `alstudio label-errors
    --second-read` and the window's suspects view both send through here."""
    with Project.open(project_path) as project:
        return project.request_reads(item_ids, reads=2, why=SUSPECT_WHY, actor=actor)
