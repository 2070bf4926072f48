"""One active-learning round on a project, end to end.

load labels -> prepare model inputs (cached) -> train -> score the pool and evaluate the test
split -> select -> write round, queue and checkpoint in one transaction at the very end.
A cancel or a crash anywhere before that last write leaves the project as it was. The GUI's
worker and `alstudio round` call the same :func:`run_round`; it opens its own connection, so
it may run in a worker thread while the window keeps labeling on another.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.evaluation.active_loop import StepConfig, StepResult, run_step, wants_committee
from alstudio.evaluation.metrics import test_metrics
from alstudio.evaluation.predictions import (
    TEST_PREDICTIONS_KEY,
    encode_predictions,
    predicted_share,
)
from alstudio.jobs import CancelToken, ProgressCallback, check, report
from alstudio.learning.cache import OutputCache, cache_key
from alstudio.learning.checkpoints import checkpoint_digest, checkpoint_to_bytes
from alstudio.learning.device import describe_device, pick_device
from alstudio.learning.training import TrainConfig
from alstudio.project import Item, Project, QueueEntry, RoundInfo
from alstudio.project.timeutil import utc_now
from alstudio.selection import DEFAULT_STRATEGY
from alstudio.workflow.committee import COMMITTEE_SOURCES, past_models
from alstudio.workflow.inputs import ProjectInputs, choose_input_size


@dataclass
class RoundConfig:
    strategy: str = DEFAULT_STRATEGY
    batch_size: int = 20
    model: str = "auto"
    device: str = "auto"
    seed: int = 0
    image_size: int | None = None
    max_epochs: int | None = None
    threads: int | None = None
    strategy_params: dict[str, Any] = field(default_factory=dict)
    train: TrainConfig | None = None  # the full recipe, for scripts and tests; None: defaults
    #: Committee strategies (BALD, vote entropy, KL): "dropout" (MC-dropout passes of the new
    #: model) or "checkpoints" (the new model and up to ``committee_size`` earlier ones).
    committee: str = "dropout"
    committee_size: int = 4


@dataclass
class RoundOutcome:
    round: RoundInfo
    queue: list[QueueEntry]
    metrics: dict[str, Any]
    explanation: str
    seconds: float
    unreadable: dict[int, str] = field(default_factory=dict)


@dataclass
class LabelSnapshot:
    """What the round learns from, read once at its start."""

    classes: list[str]
    pool: list[Item]
    test: list[Item]
    train_labels: dict[int, int]  # pool item id -> class index
    test_labels: dict[int, int]  # test item id -> class index (annotators, else reference)
    decided: set[int]  # items with any standing decision: never queued again


def read_snapshot(project: Project) -> LabelSnapshot:
    classes = project.class_names()
    index = {name: i for i, name in enumerate(classes)}
    current = project.current_labels()
    consensus = {item_id: index[s.consensus] for item_id, s in current.items()
                 if s.consensus is not None}
    pool = project.items("pool")
    test = project.items("test")
    test_labels = {}
    for item in test:
        if item.id in consensus:
            test_labels[item.id] = consensus[item.id]
        elif item.reference_label is not None and 0 <= item.reference_label < len(classes):
            test_labels[item.id] = item.reference_label
    pool_ids = {item.id for item in pool}
    return LabelSnapshot(classes=classes, pool=pool, test=test,
                     train_labels={i: c for i, c in consensus.items() if i in pool_ids},
                     test_labels=test_labels, decided=set(current))


def run_round(project_path: Path, config: RoundConfig | None = None, *,
              progress: ProgressCallback | None = None,
              cancel: CancelToken | None = None) -> RoundOutcome:
    config = config or RoundConfig()
    if config.batch_size < 1:
        raise AlstudioError("The batch size must be at least 1.")
    if config.committee not in COMMITTEE_SOURCES:
        raise AlstudioError(f"Unknown committee {config.committee!r}.",
                            f"Use one of: {', '.join(COMMITTEE_SOURCES)}.")
    started, started_at = time.monotonic(), utc_now()
    device = pick_device(config.device)
    with Project.open(project_path) as project:
        snap = read_snapshot(project)
        if len(snap.classes) < 2:
            raise AlstudioError("The project needs at least two classes for a round.")
        if not snap.pool:
            raise AlstudioError("The pool is empty.", "Import scans first.")
        size = config.image_size or choose_input_size(snap.pool, device.type)
        inputs = ProjectInputs(project, size)
        try:
            report(progress, "preparing inputs", 0, None)
            unreadable = inputs.ensure(snap.pool + snap.test, progress=progress, cancel=cancel)
            pool_ids = [i.id for i in snap.pool if i.id not in unreadable]
            test_ids = [i for i in snap.test_labels if i not in unreadable]
            past = []
            if config.committee == "checkpoints" and pool_ids and \
                    wants_committee(config.strategy):
                past = past_models(project, limit=config.committee_size, image_size=size,
                                   in_channels=int(inputs.view(pool_ids[:1]).shape[1]),
                                   num_classes=len(snap.classes))
            step = _step(inputs, snap, pool_ids, test_ids, config, device.type, size,
                         past, progress, cancel)
        finally:
            inputs.close()
        check(cancel)
        report(progress, "saving", 0, 1)
        outcome = _save(project, snap, pool_ids, test_ids, step, config, started_at,
                        describe_device(device), size, unreadable)
    outcome.seconds = time.monotonic() - started
    report(progress, "saving", 1, 1, f"round {outcome.round.number} saved")
    return outcome


def _step(inputs: ProjectInputs, snap: LabelSnapshot, pool_ids: list[int], test_ids: list[int],
          config: RoundConfig, device_kind: str, size: int, past: list[Any],
          progress: ProgressCallback | None, cancel: CancelToken | None) -> StepResult:
    position = {item_id: n for n, item_id in enumerate(pool_ids)}
    labeled = [item_id for item_id in pool_ids if item_id in snap.train_labels]
    candidates = np.array([item_id not in snap.decided for item_id in pool_ids], dtype=bool)
    train = replace(config.train or TrainConfig(), model=config.model, image_size=size,
                    device=device_kind, seed=config.seed, num_threads=config.threads)
    if config.max_epochs:
        train = replace(train, max_epochs=config.max_epochs)
    step_config = StepConfig(strategy=config.strategy, batch_size=config.batch_size,
                             train=train, strategy_params=config.strategy_params,
                             threads=config.threads, committee_models=past)
    x_test = inputs.view(test_ids) if test_ids else None
    y_test = np.array([snap.test_labels[i] for i in test_ids], dtype=np.int64)
    return run_step(
        inputs.view(pool_ids), np.array([position[i] for i in labeled], dtype=np.int64),
        np.array([snap.train_labels[i] for i in labeled], dtype=np.int64), len(snap.classes),
        step_config, seed=config.seed, x_test=x_test, y_test=y_test if test_ids else None,
        candidates=candidates, progress=progress, cancel=cancel)


def _save(project: Project, snap: LabelSnapshot, pool_ids: list[int], test_ids: list[int],
          step: StepResult, config: RoundConfig, started_at: str, device: str, size: int,
          unreadable: dict[int, str]) -> RoundOutcome:
    probs = step.pool_outputs.probs if step.pool_outputs is not None else None
    queue = [
        QueueEntry(item_id=pool_ids[int(i)], rank=rank, score=float(score), reason=reason,
                   probs=tuple(float(p) for p in probs[int(i)]) if probs is not None else None)
        for rank, (i, score, reason) in enumerate(zip(step.selection.indices,
                                                      step.selection.scores,
                                                      step.selection.reasons, strict=True))
    ]
    metrics: dict[str, Any] = {"input_size": size, "seconds": step.seconds,
                               "labels": len(snap.train_labels), "cold_start": step.cold_start}
    notes = [step.selection.explanation] if step.selection.explanation else []
    checkpoint = None
    if step.train is not None:
        if step.test_outputs is not None:
            y_test = np.array([snap.test_labels[i] for i in test_ids], dtype=np.int64)
            metrics["test"] = test_metrics(y_test, step.test_outputs.probs, snap.classes)
        metrics["training"] = {k: v for k, v in step.train.summary().items() if k != "config"}
        if probs is not None and len(probs):
            metrics["pool_predicted_share"] = predicted_share(probs)
        if step.train.collapsed:
            notes.append(step.train.collapse_message)
        hyper = step.train.summary()["config"]
        blob = checkpoint_to_bytes(step.train.model, {
            "classes": snap.classes, "hyperparameters": hyper, "metrics": metrics})
        digest = checkpoint_digest(blob)
        checkpoint = {"architecture": step.train.config.model, "hyperparameters": hyper,
                      "metrics": metrics.get("test", {}), "digest": digest, "weights": blob}
        if step.pool_outputs is not None:
            OutputCache(project.cache_dir / "outputs").put(
                cache_key(digest, f"pool-{len(pool_ids)}-{pool_ids[0]}-{pool_ids[-1]}"),
                step.pool_outputs)
    stored = dict(metrics)
    if step.train is not None and step.test_outputs is not None:
        stored[TEST_PREDICTIONS_KEY] = encode_predictions(
            test_ids, [snap.test_labels[i] for i in test_ids], step.test_outputs.probs)
    if not test_ids:
        notes.append("No labeled test items: the round could not be evaluated. Import a test "
                     "split (--split test) and label it to measure the model.")
    if unreadable:
        notes.append(f"{len(unreadable)} scan(s) could not be read and sat out this round.")
    info = project.save_round(
        strategy=step.selection.strategy,
        params={"requested": config.strategy, "batch_size": config.batch_size,
                "model": step.train.config.model if step.train else None,
                "committee": config.committee, **step.selection.params},
        seed=config.seed, labels_used=len(snap.train_labels), metrics=stored, queue=queue,
        started_at=started_at, explanation=" ".join(notes), device=device,
        checkpoint=checkpoint)
    return RoundOutcome(round=info, queue=queue, metrics=metrics, explanation=info.explanation,
                        seconds=0.0, unreadable=unreadable)
