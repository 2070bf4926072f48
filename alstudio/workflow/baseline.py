"""The random baseline as a job on a project: read labels and inputs, retrain, store.

`alstudio report --baseline SEEDS` and the Progress panel's button call
:func:`run_random_baseline`; it opens its own connection (so it can run in a worker thread),
takes a progress callback and a cancel token, and writes its result into the project's
``meta`` table in one short transaction at the end, so a cancel leaves nothing behind.
"""

from __future__ import annotations

import json
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.evaluation.baseline import BASELINE_META_KEY, DEFAULT_SEEDS, random_baseline
from alstudio.jobs import CancelToken, ProgressCallback, check, report
from alstudio.project import Project, RoundInfo
from alstudio.workflow.inputs import ProjectInputs
from alstudio.workflow.round import read_snapshot


def _recipe(project: Project, rounds: list[RoundInfo], device: str,
            max_epochs: int | None) -> Any:
    """The training recipe of the latest trained round, as stored with its checkpoint."""
    from alstudio.learning.training import TrainConfig

    trained = [r for r in rounds if r.checkpoint_id is not None and r.metrics.get("test")]
    if not trained:
        raise AlstudioError("No round has trained and evaluated a model yet.",
                            "Run a round with a labeled test split first.")
    hyper = project.checkpoint(int(trained[-1].checkpoint_id or 0)).hyperparameters
    known = {f.name for f in fields(TrainConfig)}
    config = TrainConfig(**{k: v for k, v in hyper.items() if k in known})
    config = replace(config, device=device, initial_weights=None)
    return replace(config, max_epochs=max_epochs) if max_epochs else config


def run_random_baseline(project_path: Path, seeds: int = DEFAULT_SEEDS, *,
                        device: str = "auto", max_epochs: int | None = None,
                        threads: int | None = None,
                        progress: ProgressCallback | None = None,
                        cancel: CancelToken | None = None) -> dict[str, Any]:
    """Retrain the project's recipe on random subsets of its labeled set at the label counts
    of its evaluated rounds, ``seeds`` times, and store the curves in the project.

    ``threads`` caps CPU threads while training (the window keeps a core for itself)."""
    if seeds < 1:
        raise AlstudioError("The random baseline needs at least one seed.")
    with Project.open(project_path) as project:
        rounds = project.rounds()
        snap = read_snapshot(project)
        config = _recipe(project, rounds, device, max_epochs)
        if threads:
            config = replace(config, num_threads=threads)
        sizes = sorted({r.labels_used for r in rounds if r.metrics.get("test")})
        labeled = sorted(snap.train_labels)
        test_ids = sorted(snap.test_labels)
        if not test_ids:
            raise AlstudioError("The project has no labeled test split.",
                                "Import one with `alstudio import PROJECT FOLDER --split test`.")
        size = int(config.image_size)
        inputs = ProjectInputs(project, size)
        try:
            report(progress, "preparing inputs", 0, None)
            items = [i for i in snap.pool if i.id in snap.train_labels] + \
                [i for i in snap.test if i.id in snap.test_labels]
            unreadable = inputs.ensure(items, progress=progress, cancel=cancel)
            labeled = [i for i in labeled if i not in unreadable]
            test_ids = [i for i in test_ids if i not in unreadable]
            check(cancel)
            result = random_baseline(
                inputs.view(labeled), np.array([snap.train_labels[i] for i in labeled]),
                np.asarray(inputs.view(test_ids)), np.array([snap.test_labels[i]
                                                             for i in test_ids]),
                sizes, seeds, len(snap.classes), config, progress=progress, cancel=cancel)
        finally:
            inputs.close()
        check(cancel)
        result["recipe"] = {"model": config.model, "image_size": size,
                            "max_epochs": config.max_epochs, "min_steps": config.min_steps}
        project.set_meta(BASELINE_META_KEY, json.dumps(result, sort_keys=True))
        project.audit("alstudio", "random baseline",
                      {"seeds": seeds, "sizes": result["sizes"], "seconds": result["seconds"]})
    return result
