"""One active-learning round on a project, end to end.

load labels -> prepare model inputs (cached) -> train -> score the pool and evaluate the test
split -> select -> write round, queue and checkpoint in one transaction at the very end.
A cancel or a crash anywhere before that last write leaves the project as it was. The GUI's
worker and `alstudio round` call the same :func:`run_round`; it opens its own connection, so
it may run in a worker thread while the window keeps labeling on another.

The request (:class:`RoundConfig`) sits beside the job that carries it out, and loading this
module loads no torch: the job imports the engine (:data:`ENGINE_MODULES`) in the functions
that use it. So the CLI and the window fill in the same request, the window without the model
stack, and a strategy's name is resolved once, as the request is made.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.jobs import CancelToken, ProgressCallback, check, report
from alstudio.project import Item, Project, QueueEntry, RoundInfo
from alstudio.project.timeutil import utc_now
from alstudio.selection.catalogue import DEFAULT_STRATEGY, checked, may_read_committee, parse_spec
from alstudio.workflow.inputs import ProjectInputs, choose_channels, choose_input_size
from alstudio.workflow.round_encoder import PROBE_NOTE, probe_features, with_encoder

if TYPE_CHECKING:
    from alstudio.engine import ScoreCache, StepResult, StoredModel
    from alstudio.learning.training import TrainConfig, TrainResult

#: What the round's work imports (torch, MONAI, the strategies), loaded on a round's first
#: use rather than with the request, so the window can build one without the model stack.
ENGINE_MODULES = ("alstudio.engine", "alstudio.evaluation.metrics",
                  "alstudio.evaluation.predictions", "alstudio.learning.checkpoints",
                  "alstudio.learning.device", "alstudio.learning.pretrain",
                  "alstudio.learning.training", "alstudio.workflow.committee",
                  "alstudio.workflow.pretrain")
#: Who votes for the committee strategies: MC-dropout passes of the new model, or the new
#: model with the checkpoints of earlier rounds.
COMMITTEE_SOURCES = ("dropout", "checkpoints")
#: What starting from the pool encoder was measured to do, said wherever a round opts in.
ENCODER_MEASURED = ("measured on BreastMNIST and RetinaMNIST (5 seeds, up to 300 labels): "
                    "no saving at natural balance; with a rare class it reached 95% sooner on "
                    "BreastMNIST but ended lower, and was level with random on RetinaMNIST")


def load_engine() -> None:
    """Import everything a round runs on, ahead of the round (the window does it in the
    user's first pause, so the first round does not start with a second-long import)."""
    for name in ENGINE_MODULES:
        importlib.import_module(name)


@dataclass
class RoundConfig:
    """One round's request; ``None`` fields take the engine's tuned recipe."""

    strategy: str = DEFAULT_STRATEGY
    batch_size: int = 20
    model: str = "auto"
    device: str = "auto"
    seed: int = 0
    image_size: int | None = None
    max_epochs: int | None = None
    #: Floor on optimiser steps (the recipe's keeps tiny labeled sets from being
    #: under-trained); with ``max_epochs`` it bounds how long training takes.
    min_steps: int | None = None
    threads: int | None = None  # None: every core (the window passes all cores but one)
    strategy_params: dict[str, Any] = field(default_factory=dict)
    train: TrainConfig | None = None  # the full recipe, for scripts and tests; None: defaults
    #: Committee strategies (BALD, vote entropy, KL): "dropout" (MC-dropout passes of the new
    #: model) or "checkpoints" (the new model and up to ``committee_size`` earlier ones).
    committee: str = "dropout"
    committee_size: int = 4
    #: Most unlabeled items a round scores: beyond it a seeded random sample is scored (all
    #: labeled items always are), so a round's cost follows the labels, not the pool.
    #: None scores the whole pool.
    max_scored: int | None = 20_000
    #: Start from the project's pretrained encoder (`alstudio pretrain`): TypiClust on its
    #: features for the cold start, its features for core-set distances below
    #: ``features_until`` labels, and its weights as the classifier's starting point.
    #: Opt-in: on BreastMNIST and RetinaMNIST (5 seeds, up to 300 labels) it saved no labels
    #: (see :data:`ENCODER_MEASURED`).
    #: Asked for without a fitting encoder, the round refuses.
    use_encoder: bool = False
    features_until: int = 60
    #: FixMatch-like consistency training on the unlabeled pool (off: not measured better).
    semi_supervised: bool = False
    #: Average the classifier's probabilities with a linear probe's on the project's pool
    #: encoder's features (:mod:`alstudio.learning.feature_probe`), for the ranking, the
    #: queue and the test figures; the classifier still trains from scratch unless
    #: ``use_encoder``. Opt-in: it saved labels on BreastMNIST but cost RetinaMNIST's rare
    #: grade (``round_encoder.PROBE_MEASURED``). Asked for without a fitting encoder, the
    #: round refuses.
    feature_probe: bool = False

    def __post_init__(self) -> None:
        """The strategy by its catalogue name (the alias resolved), or a clear refusal. A
        variant (``coreset_uncertainty:rare_share=0.25``) is split into the name and its
        settings; settings given in ``strategy_params`` win over the spelt-out ones."""
        self.strategy, params = parse_spec(self.strategy)
        self.strategy_params = {**params, **self.strategy_params}


@dataclass
class RoundOutcome:
    round: RoundInfo
    queue: list[QueueEntry]
    metrics: dict[str, Any]
    explanation: str
    seconds: float
    unreadable: dict[int, str] = field(default_factory=dict)
    #: Checkpoints stream mode could not use: round, checkpoint id and reason for each.
    left_out: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LabelSnapshot:
    """What the round learns from, read once at its start."""

    classes: list[str]
    pool: list[Item]
    test: list[Item]
    train_labels: dict[int, int]  # pool item id -> class index
    test_labels: dict[int, int]  # test item id -> class index (annotators, else reference)
    decided: set[int]  # items with any standing decision: never queued again
    left_out: int = 0  # pool items whose readers disagree, unsettled: not trained on
    consensus_rule: str = "all"


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
    left_out = sum(1 for i, s in current.items()
                   if i in pool_ids and s.disagreement and s.consensus is None)
    return LabelSnapshot(classes=classes, pool=pool, test=test,
                     train_labels={i: c for i, c in consensus.items() if i in pool_ids},
                     test_labels=test_labels, decided=set(current), left_out=left_out,
                     consensus_rule=project.reading_settings().consensus)


def scored_subset(pool_ids: list[int], snap: LabelSnapshot, config: RoundConfig) -> list[int]:
    """Every labeled pool item plus at most ``config.max_scored`` undecided ones (a seeded
    random sample, in pool order), so scoring does not grow with the pool."""
    cap = config.max_scored
    undecided = [i for i in pool_ids if i not in snap.decided]
    if cap is None or len(undecided) <= cap:
        return pool_ids
    rng = np.random.default_rng(config.seed + len(snap.train_labels))
    keep = set(rng.choice(np.asarray(undecided), size=cap, replace=False).tolist())
    return [i for i in pool_ids if i in keep or i in snap.decided]


def check_round_config(config: RoundConfig) -> None:
    """Refuse names and numbers that would fail (or be ignored) minutes into a round."""
    from alstudio.learning.names import MODEL_NAMES

    checked(config.strategy)  # a request edited after it was made is checked again
    if config.model != "auto" and config.model not in MODEL_NAMES:
        raise AlstudioError(f"Unknown model {config.model!r}.",
                            f"Choose one of: {', '.join(MODEL_NAMES)} (or 'auto').")
    for name, value, low in (("max epochs", config.max_epochs, 1),
                             ("committee size", config.committee_size, 1),
                             ("number of items to score", config.max_scored, 1)):
        if value is not None and value < low:
            raise AlstudioError(f"The {name} must be at least {low}, not {value}.")


def run_round(project_path: Path, config: RoundConfig | None = None, *,
              progress: ProgressCallback | None = None,
              cancel: CancelToken | None = None) -> RoundOutcome:
    """One round on the project at ``project_path`` (see the module docs). On the CPU with no
    thread count given, it uses the cores the machine is not already busy with."""
    config = config or RoundConfig()
    if config.batch_size < 1:
        raise AlstudioError("The batch size must be at least 1.")
    if config.committee not in COMMITTEE_SOURCES:
        raise AlstudioError(f"Unknown committee {config.committee!r}.",
                            f"Use one of: {', '.join(COMMITTEE_SOURCES)}.")
    check_round_config(config)
    from alstudio.learning.device import cpu_threads, free_cpu_threads, pick_device

    started, started_at = time.monotonic(), utc_now()
    device = pick_device(config.device)
    if device.type == "cpu" and not config.threads:
        config = replace(config, threads=free_cpu_threads())
    with cpu_threads(config.threads if device.type == "cpu" else None):
        outcome = _run(project_path, config, device, started_at, progress, cancel)
    outcome.seconds = time.monotonic() - started
    report(progress, "saving", 1, 1, f"round {outcome.round.number} saved")
    return outcome


def _run(project_path: Path, config: RoundConfig, device: Any, started_at: str,
         progress: ProgressCallback | None, cancel: CancelToken | None) -> RoundOutcome:
    """:func:`run_round` once the configuration is checked and the threads are set."""
    from alstudio.learning.device import describe_device
    from alstudio.workflow.committee import past_models, score_cache

    with Project.open(project_path) as project:
        snap = read_snapshot(project)
        if len(snap.classes) < 2:
            raise AlstudioError("The project needs at least two classes for a round.")
        if not snap.pool:
            raise AlstudioError("The pool is empty.", "Import scans first.")
        size = config.image_size or choose_input_size(snap.pool, device.type)
        inputs = ProjectInputs(project, size, choose_channels(snap.pool))
        try:
            report(progress, "preparing inputs", 0, None)
            unreadable = inputs.ensure(snap.pool + snap.test, progress=progress, cancel=cancel)
            pool_ids = scored_subset([i.id for i in snap.pool if i.id not in unreadable],
                                     snap, config)
            test_ids = [i for i in snap.test_labels if i not in unreadable]
            past = []
            if config.committee == "checkpoints" and pool_ids and \
                    may_read_committee(config.strategy):
                past = past_models(project, limit=config.committee_size, image_size=size,
                                   in_channels=int(inputs.view(pool_ids[:1]).shape[1]),
                                   num_classes=len(snap.classes))
            config, features = with_encoder(project, inputs, pool_ids, config, size)
            probe = probe_features(project, inputs, pool_ids, test_ids, config, size)
            config = replace(config, feature_probe=probe is not None)
            step = _step(inputs, snap, pool_ids, test_ids, config, device.type, size,
                         past, score_cache(project), progress, cancel, features, probe)
        finally:
            inputs.close()
        check(cancel)
        report(progress, "saving", 0, 1)
        outcome = _save(project, snap, pool_ids, test_ids, step, config, started_at,
                        describe_device(device), size, unreadable)
    return outcome


def _step(inputs: ProjectInputs, snap: LabelSnapshot, pool_ids: list[int], test_ids: list[int],
          config: RoundConfig, device_kind: str, size: int, past: list[StoredModel],
          cache: ScoreCache, progress: ProgressCallback | None,
          cancel: CancelToken | None, features: np.ndarray | None = None,
          probe: tuple[np.ndarray, np.ndarray] | None = None) -> StepResult:
    """Turn the project's snapshot into arrays and run the engine's step on them."""
    from alstudio.engine import StepConfig, run_step
    from alstudio.learning.training import TrainConfig

    position = {item_id: n for n, item_id in enumerate(pool_ids)}
    labeled = [item_id for item_id in pool_ids if item_id in snap.train_labels]
    candidates = np.array([item_id not in snap.decided for item_id in pool_ids], dtype=bool)
    train = replace(config.train or TrainConfig(), model=config.model, image_size=size,
                    device=device_kind, seed=config.seed, num_threads=config.threads)
    if config.max_epochs:
        train = replace(train, max_epochs=config.max_epochs)
    if config.min_steps is not None:
        train = replace(train, min_steps=config.min_steps)
    step_config = StepConfig(strategy=config.strategy, batch_size=config.batch_size,
                             train=train, strategy_params=config.strategy_params,
                             threads=config.threads, committee_models=past,
                             pool_features=features, features_until=config.features_until,
                             semi_supervised=config.semi_supervised,
                             probe_features=probe[0] if probe else None)
    x_test = inputs.images(test_ids) if test_ids else None
    y_test = np.array([snap.test_labels[i] for i in test_ids], dtype=np.int64)
    return run_step(
        inputs.images(pool_ids), np.array([position[i] for i in labeled], dtype=np.int64),
        np.array([snap.train_labels[i] for i in labeled], dtype=np.int64), len(snap.classes),
        step_config, seed=config.seed, x_test=x_test, y_test=y_test if test_ids else None,
        candidates=candidates, pool_ids=np.asarray(pool_ids, dtype=np.int64), cache=cache,
        test_features=probe[1] if probe and test_ids else None, progress=progress,
        cancel=cancel)


def labels_per_class(snap: LabelSnapshot, pool_ids: list[int]) -> dict[str, int]:
    """The agreed labels the round trains on (readable pool items), counted per class, every
    class named: what the exported model card says the checkpoint learned from."""
    counts = dict.fromkeys(snap.classes, 0)
    for item_id in pool_ids:
        if item_id in snap.train_labels:
            counts[snap.classes[snap.train_labels[item_id]]] += 1
    return counts


def training_budget(trained: TrainResult) -> str:
    """One sentence on what training cost: the steps, the periods and the floor behind them."""
    cfg = trained.config
    steps = int(trained.history[-1]["steps"]) if trained.history else 0
    periods = len(trained.history)
    stop = (f"stopped early after {periods} of {cfg.max_epochs} epoch(s)"
            if trained.stopped_early else f"{periods} epoch(s)")
    return (f"Training budget: {steps} optimiser steps in {stop} on {trained.n_train} "
            f"label(s), {trained.seconds:.1f} s (at least {cfg.min_steps} steps over at most "
            f"{cfg.max_epochs} epochs).")


def _save(project: Project, snap: LabelSnapshot, pool_ids: list[int], test_ids: list[int],
          step: StepResult, config: RoundConfig, started_at: str, device: str, size: int,
          unreadable: dict[int, str]) -> RoundOutcome:
    from alstudio.evaluation.metrics import test_metrics
    from alstudio.evaluation.predictions import (
        TEST_PREDICTIONS_KEY,
        encode_predictions,
        predicted_share,
    )
    from alstudio.learning.checkpoints import checkpoint_digest, checkpoint_to_bytes
    from alstudio.workflow.committee import score_cache

    probs = step.pool_outputs.probs if step.pool_outputs is not None else None
    queue = [
        QueueEntry(item_id=pool_ids[int(i)], rank=rank, score=float(score), reason=reason,
                   probs=tuple(float(p) for p in probs[int(i)]) if probs is not None else None)
        for rank, (i, score, reason) in enumerate(zip(step.selection.indices,
                                                      step.selection.scores,
                                                      step.selection.reasons, strict=True))
    ]
    metrics: dict[str, Any] = {"input_size": size, "seconds": step.seconds,
                               "labels": len(snap.train_labels), "cold_start": step.cold_start,
                               "labels_per_class": labels_per_class(snap, pool_ids)}
    notes = [step.selection.explanation] if step.selection.explanation else []
    checkpoint = None
    if step.train is not None:
        if step.test_outputs is not None:
            y_test = np.array([snap.test_labels[i] for i in test_ids], dtype=np.int64)
            metrics["test"] = test_metrics(y_test, step.test_outputs.probs, snap.classes)
        if config.feature_probe:
            metrics["feature_probe"] = True
            notes.append(PROBE_NOTE)
            own = step.classifier_test_outputs
            if own is not None and "test" in metrics:
                metrics["classifier_test"] = test_metrics(y_test, own.probs, snap.classes)
        metrics["training"] = {k: v for k, v in step.train.summary().items() if k != "config"}
        notes.append(training_budget(step.train))
        if probs is not None and len(probs):
            metrics["pool_predicted_share"] = predicted_share(probs)
        if step.train.collapsed:
            notes.append(step.train.collapse_message)
        hyper = step.train.summary()["config"]
        # the checkpoint carries no probe: it is stored with what it alone scores
        own_metrics = {**metrics, "test": metrics["classifier_test"]} \
            if "classifier_test" in metrics else metrics
        blob = checkpoint_to_bytes(step.train.model, {
            "classes": snap.classes, "hyperparameters": hyper, "metrics": own_metrics})
        digest = checkpoint_digest(blob)
        checkpoint = {"architecture": step.train.config.model, "hyperparameters": hyper,
                      "metrics": own_metrics.get("test", {}), "digest": digest,
                      "weights": blob}
        scored = step.classifier_outputs or step.pool_outputs
        if scored is not None:
            # Stream mode and later committees read these instead of scoring the pool again:
            # the checkpoint's own outputs, without a feature probe it does not carry.
            score_cache(project).store(digest, pool_ids, scored, mc_passes=step.mc_passes,
                                       mc_seed=config.seed)
    if not test_ids:
        notes.append("No labeled test items: the round could not be evaluated. Import a test "
                     "split (--split test) and label it to measure the model.")
    if unreadable:
        notes.append(f"{len(unreadable)} scan(s) could not be read and sat out this round.")
    if snap.left_out:
        rule = "a majority" if snap.consensus_rule == "majority" else "all readers agreeing"
        notes.append(f"{snap.left_out} item(s) left out of training: their readers disagree "
                     f"(consensus rule: {rule}) and no adjudicator has settled them.")
    readable = len(snap.pool) - sum(1 for i in snap.pool if i.id in unreadable)
    if len(pool_ids) < readable:
        metrics["scored"] = len(pool_ids)
        notes.append(f"Scored {len(pool_ids)} of {readable} pool items (all labeled ones and a "
                     f"random {config.max_scored} of the rest), so the round's time follows "
                     "the labels, not the pool.")
    stored = dict(metrics)  # what the project keeps: the figures plus the test predictions
    if step.train is not None and step.test_outputs is not None:
        stored[TEST_PREDICTIONS_KEY] = encode_predictions(
            test_ids, [snap.test_labels[i] for i in test_ids], step.test_outputs.probs)
    info = project.save_round(
        strategy=step.selection.strategy,
        params={"requested": config.strategy, "batch_size": config.batch_size,
                "model": step.train.config.model if step.train else None,
                "committee": config.committee, "encoder": config.use_encoder,
                "feature_probe": bool(config.feature_probe and step.train is not None),
                **step.selection.params},
        seed=config.seed, labels_used=len(snap.train_labels), metrics=stored, queue=queue,
        started_at=started_at, explanation=" ".join(notes), device=device,
        checkpoint=checkpoint)
    return RoundOutcome(round=info, queue=queue, metrics=metrics, explanation=info.explanation,
                        seconds=0.0, unreadable=unreadable)
