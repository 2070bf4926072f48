"""One active-learning step on arrays: train on the labels so far, score the pool, select.

The simulator and the project's round (``alstudio.workflow``) both call :func:`run_step`, so a
strategy benchmarked headless is exactly the strategy a radiologist's queue comes from: the
same training recipe, the same scoring, the same cold-start rule.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from alstudio.jobs import CancelToken, Progress, ProgressCallback, check, report
from alstudio.learning.inference import ModelOutputs, predict, with_past_checkpoints
from alstudio.learning.metrics import classification_summary
from alstudio.learning.training import TrainConfig, TrainResult, train_model
from alstudio.selection import STRATEGIES, Selection, select, unsupervised_features

log = logging.getLogger(__name__)

#: MC-dropout passes for strategies that need a committee (BALD, vote entropy, KL).
COMMITTEE_PASSES = 10
_COMMITTEE_STRATEGIES = frozenset(n for n, s in STRATEGIES.items() if "committee" in s.needs)


def wants_committee(strategy: str) -> bool:
    """Whether ``strategy`` may read committee outputs (``auto`` might choose one that does)."""
    return strategy in _COMMITTEE_STRATEGIES or strategy == "auto"


@dataclass
class StepConfig:
    strategy: str = "coreset_uncertainty"
    batch_size: int = 20
    train: TrainConfig = field(default_factory=TrainConfig)
    strategy_params: dict[str, Any] = field(default_factory=dict)
    cold_start_strategy: str = "coreset"
    threads: int | None = None
    inference_batch: int = 256
    #: Earlier checkpoints that join the new model as the committee (query by committee)
    #: instead of MC-dropout passes; empty: MC-dropout.
    committee_models: Sequence[Any] = ()


@dataclass
class StepResult:
    selection: Selection
    train: TrainResult | None = None
    pool_outputs: ModelOutputs | None = None
    test_outputs: ModelOutputs | None = None
    test_metrics: dict[str, Any] = field(default_factory=dict)
    cold_start: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


def can_train(y_labeled: np.ndarray) -> bool:
    """A model needs at least two labeled examples of at least two classes."""
    return y_labeled.size >= 2 and np.unique(y_labeled).size >= 2


def cold_start_features(x_pool: np.ndarray, seed: int) -> np.ndarray:
    """PCA of downsampled pixels: the embedding core-set seeding uses before any model."""
    return unsupervised_features(x_pool, dim=min(50, max(2, x_pool.shape[0] - 1)), seed=seed)


def run_step(
    x_pool: np.ndarray,
    labeled_idx: np.ndarray,
    y_labeled: np.ndarray,
    num_classes: int,
    config: StepConfig,
    *,
    seed: int = 0,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    candidates: np.ndarray | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> StepResult:
    """Train on ``x_pool[labeled_idx]`` / ``y_labeled``, evaluate on the test arrays when given,
    and pick ``config.batch_size`` pool items among ``candidates`` (default: unlabeled).

    With too few labels to train (fewer than two classes), selection runs on unsupervised
    features with ``config.cold_start_strategy`` and no metrics are produced.
    """
    n = x_pool.shape[0]
    labeled = np.zeros(n, dtype=bool)
    labeled[labeled_idx] = True
    labels = np.full(n, -1, dtype=np.int64)
    labels[labeled_idx] = y_labeled
    if candidates is None:
        candidates = ~labeled
    timings: dict[str, float] = {}
    y_labeled = np.asarray(y_labeled, dtype=np.int64)

    if not can_train(y_labeled):
        started = time.monotonic()
        report(progress, "selecting", 0, 1, "cold start: no model yet")
        features = cold_start_features(x_pool, seed)
        check(cancel)
        selection = select(config.cold_start_strategy, config.batch_size, embeddings=features,
                           labeled=labeled, candidates=candidates, seed=seed,
                           threads=config.threads, cancel=cancel)
        timings["select"] = time.monotonic() - started
        why = (f"Cold start: {int(labeled.sum())} label(s) of "
               f"{np.unique(y_labeled).size} class(es) are too few to train a model, so "
               f"{selection.strategy} ran on unsupervised (PCA) features of the pixels.")
        selection = Selection(selection.indices, selection.scores, selection.reasons,
                              selection.strategy, why, selection.params)
        return StepResult(selection=selection, cold_start=True, seconds=timings)

    started = time.monotonic()
    train_cfg = config.train
    if config.threads and not train_cfg.num_threads:
        train_cfg = replace(train_cfg, num_threads=config.threads)
    order = np.sort(labeled_idx)
    trained = train_model(x_pool[order], labels[order], num_classes,
                          replace(train_cfg, seed=seed), progress=progress, cancel=cancel)
    timings["train"] = time.monotonic() - started

    started = time.monotonic()
    committee = wants_committee(config.strategy)
    past = list(config.committee_models) if committee else []
    passes = COMMITTEE_PASSES if committee and not past else 0
    pool_out = predict(trained.model, x_pool, batch_size=config.inference_batch,
                       mc_passes=passes, mc_seed=seed, progress=_phase(progress, "scoring"),
                       cancel=cancel)
    if past:
        pool_out = with_past_checkpoints(trained.model, pool_out, past, x_pool,
                                         config.inference_batch,
                                         _phase(progress, "scoring past checkpoints"), cancel)
    test_out = None
    metrics: dict[str, Any] = {}
    if x_test is not None and y_test is not None and len(y_test):
        test_out = predict(trained.model, x_test, batch_size=config.inference_batch,
                           progress=_phase(progress, "evaluating"), cancel=cancel)
        metrics = classification_summary(y_test, test_out.probs)
    timings["score"] = time.monotonic() - started

    started = time.monotonic()
    report(progress, "selecting", 0, 1)
    selection = select(config.strategy, config.batch_size, probs=pool_out.probs,
                       embeddings=pool_out.embeddings, committee=pool_out.committee,
                       labeled=labeled, candidates=candidates, labels=labels, seed=seed,
                       threads=config.threads, cancel=cancel, **config.strategy_params)
    timings["select"] = time.monotonic() - started
    if past and selection.strategy in _COMMITTEE_STRATEGIES:
        selection = replace(selection, explanation=(
            f"{selection.explanation} Committee: the new model and {len(past)} earlier "
            f"checkpoint(s)."))
    report(progress, "selecting", 1, 1)
    return StepResult(selection=selection, train=trained, pool_outputs=pool_out,
                      test_outputs=test_out, test_metrics=metrics, seconds=timings)


def _phase(progress: ProgressCallback | None, phase: str) -> ProgressCallback | None:
    """Rename a sub-job's progress so the user sees which part of the round is running."""
    if progress is None:
        return None

    def relay(step: Progress) -> None:
        progress(Progress(phase, step.done, step.total, step.message))

    return relay
