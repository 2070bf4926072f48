"""One active-learning step on arrays: train on the labels so far, score the pool, rank.

The simulator and the project's round (``alstudio.workflow``) both call :func:`run_step`, so a
strategy benchmarked headless is exactly the strategy a radiologist's queue comes from: the
same training recipe, the same scoring, the same cold-start rule. Scoring
(:mod:`alstudio.engine.scoring`: the model over the pool, cached per checkpoint) and ranking
(the strategies, run by name through :func:`alstudio.selection.catalogue.select`: pure and
cheap) are separate steps; before any model, :mod:`alstudio.engine.cold_start` ranks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from alstudio.engine.cold_start import can_train, rank_cold_start
from alstudio.engine.scoring import ScoreCache, StoredModel, score, with_committee
from alstudio.jobs import CancelToken, ProgressCallback, report
from alstudio.learning.ensemble import averaged, check_members, train_other_members
from alstudio.learning.feature_probe import blend, held_back_share, probe_probabilities
from alstudio.learning.inference import ModelOutputs, mirror_averaged
from alstudio.learning.metrics import classification_summary
from alstudio.learning.training import TrainConfig, TrainResult, train_model
from alstudio.selection.base import Selection
from alstudio.selection.catalogue import (
    COMMITTEE_STRATEGIES,
    DEFAULT_STRATEGY,
    may_read_committee,
    select,
)

log = logging.getLogger(__name__)

#: MC-dropout passes for strategies that need a committee (BALD, vote entropy, KL).
COMMITTEE_PASSES = 10


@dataclass
class StepConfig:
    """How one step trains, scores and ranks (the workflow fills it from a round's request)."""

    strategy: str = DEFAULT_STRATEGY
    batch_size: int = 20
    train: TrainConfig = field(default_factory=TrainConfig)
    strategy_params: dict[str, Any] = field(default_factory=dict)
    cold_start_strategy: str = "coreset"
    threads: int | None = None
    inference_batch: int = 256
    #: Earlier checkpoints that join the new model as the committee (query by committee)
    #: instead of MC-dropout passes; empty: MC-dropout.
    committee_models: Sequence[StoredModel] = ()
    #: Features of a pretrained encoder, one row per pool item (alstudio.learning.pretrain):
    #: the cold start runs TypiClust on them, and ranking uses them as the embeddings while
    #: fewer than ``features_until`` labels make the classifier's own features unreliable.
    pool_features: np.ndarray | None = None
    features_until: int = 60
    #: Semi-supervised training: the unlabeled candidates join training (FixMatch-like).
    semi_supervised: bool = False
    #: Features of a pretrained encoder, one row per pool item, for the feature probe: the
    #: classifier's probabilities are averaged with a class-balanced logistic regression's on
    #: these features (:mod:`alstudio.learning.feature_probe`), for ranking and evaluation.
    #: Unlike ``pool_features`` they leave the cold start and the embeddings alone.
    probe_features: np.ndarray | None = None
    #: How the probe's share of the blend is set: "mean" (half, as measured over whole
    #: curves) or "held_back" (the share with the lowest loss on the classifier's held-back
    #: slice, from a probe fitted without it: :func:`feature_probe.held_back_weight`).
    probe_weighting: str = "mean"
    #: Whether the blend also ranks the pool. False: the blend is the step's model (its
    #: pool and test probabilities, its figures), but uncertainty and the core-set rank on
    #: the classifier's own outputs, so the picks are those the classifier alone makes.
    probe_in_ranking: bool = True
    #: Test-time flip averaging of the test split's probabilities (evaluation only: the pool
    #: is ranked on the single view, so the picks are unchanged). Not with a feature probe.
    mirror_test: bool = False
    #: Classifiers trained on the labels, each from its own seed, their probabilities
    #: averaged for ranking and evaluation (:mod:`alstudio.learning.ensemble`); member 0 is
    #: the step's model and checkpoint. 1: a single classifier. Not with a probe or a flip.
    ensemble_members: int = 1


#: The ways a feature probe's share of the blend is set (``StepConfig.probe_weighting``).
PROBE_WEIGHTINGS = ("mean", "held_back")


@dataclass
class StepResult:
    """What a step produced: the picks, the trained model and the outputs it scored."""

    selection: Selection
    train: TrainResult | None = None
    pool_outputs: ModelOutputs | None = None
    test_outputs: ModelOutputs | None = None
    test_metrics: dict[str, Any] = field(default_factory=dict)
    cold_start: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    #: MC-dropout passes in ``pool_outputs.committee`` (0: none, or a checkpoint committee).
    mc_passes: int = 0
    #: The classifier's own pool and test outputs where a feature probe or an ensemble's
    #: other members were averaged into ``pool_outputs`` and ``test_outputs``: what its
    #: checkpoint alone gives, what a cache keeps for it and what its own figures come from.
    classifier_outputs: ModelOutputs | None = None
    classifier_test_outputs: ModelOutputs | None = None
    #: The probe's share of the blend (None: no probe).
    probe_weight: float | None = None
    #: With ``mirror_test``: the figures of the single view the same model gave, so a flip's
    #: effect is read paired on one model, not across two trainings.
    single_view_metrics: dict[str, Any] = field(default_factory=dict)


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
    pool_ids: np.ndarray | None = None,
    cache: ScoreCache | None = None,
    test_features: np.ndarray | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> StepResult:
    """Train on ``x_pool[labeled_idx]`` / ``y_labeled``, evaluate on the test arrays when given,
    and pick ``config.batch_size`` pool items among ``candidates`` (default: unlabeled).

    ``pool_ids`` (one per pool row) and ``cache`` let earlier checkpoints of a committee read
    the scores they computed before instead of scoring the pool again. With too few labels to
    train (fewer than two classes), selection runs on unsupervised features with
    ``config.cold_start_strategy`` and no metrics are produced. With
    ``config.probe_features``, ``test_features`` are the test items' rows of the same encoder.
    """
    if config.probe_features is not None and x_test is not None and test_features is None:
        raise ValueError("a step with a feature probe needs the test items' features too")
    if config.mirror_test and config.probe_features is not None:
        raise ValueError("flip averaging at test time is not measured with a feature probe")
    if config.probe_weighting not in PROBE_WEIGHTINGS:
        raise ValueError(f"unknown probe weighting {config.probe_weighting!r}; one of "
                         f"{', '.join(PROBE_WEIGHTINGS)}")
    check_members(config.ensemble_members)
    if config.ensemble_members > 1 and (config.mirror_test or config.probe_features is not None):
        raise ValueError("an ensemble is not measured with a feature probe or a flip")
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
        selection = rank_cold_start(x_pool, labeled, y_labeled, candidates,
                                    config.cold_start_strategy, config.batch_size, seed=seed,
                                    threads=config.threads, progress=progress, cancel=cancel,
                                    pool_features=config.pool_features)
        timings["select"] = time.monotonic() - started
        return StepResult(selection=selection, cold_start=True, seconds=timings)

    started = time.monotonic()
    train_cfg = config.train
    if config.threads and not train_cfg.num_threads:
        train_cfg = replace(train_cfg, num_threads=config.threads)
    order = np.sort(labeled_idx)
    unlabeled = (x_pool, np.flatnonzero(candidates)) if config.semi_supervised else None
    trained = train_model(x_pool[order], labels[order], num_classes,
                          replace(train_cfg, seed=seed), progress=progress, cancel=cancel,
                          unlabeled=unlabeled)
    others = [member.model for member in train_other_members(
        x_pool[order], labels[order], num_classes, replace(train_cfg, seed=seed),
        config.ensemble_members, progress=progress, cancel=cancel, unlabeled=unlabeled)]
    timings["train"] = time.monotonic() - started

    started = time.monotonic()
    committee = may_read_committee(config.strategy)
    past = list(config.committee_models) if committee else []
    passes = COMMITTEE_PASSES if committee and not past and not others else 0
    pool_out = score(trained.model, x_pool, batch_size=config.inference_batch,
                     mc_passes=passes, mc_seed=seed, progress=progress, cancel=cancel)
    if past:
        pool_out = with_committee(pool_out, past, x_pool, cache=cache, item_ids=pool_ids,
                                  batch_size=config.inference_batch,
                                  device=next(trained.model.parameters()).device,
                                  progress=progress, cancel=cancel)
    test_out = None
    metrics: dict[str, Any] = {}
    single_view: dict[str, Any] = {}
    if x_test is not None and y_test is not None and len(y_test):
        test_out = score(trained.model, x_test, batch_size=config.inference_batch,
                         phase="evaluating", progress=progress, cancel=cancel)
        if config.mirror_test:
            single_view = classification_summary(y_test, test_out.probs)
            test_out = mirror_averaged(trained.model, x_test, test_out,
                                       batch_size=config.inference_batch, cancel=cancel)
    own_outputs, own_test = pool_out, test_out
    if others:
        pool_out = averaged(pool_out, others, x_pool, config.inference_batch, cancel)
        if test_out is not None and x_test is not None:
            test_out = averaged(test_out, others, x_test, config.inference_batch, cancel)
    weight = None
    if config.probe_features is not None:
        weight = (held_back_share(config.probe_features, order, labels[order], trained,
                                  seed=seed)
                  if config.probe_weighting == "held_back" else 0.5)
        pool_out, test_out = _with_probe(config.probe_features, order, labels[order],
                                         num_classes, pool_out, test_out, test_features, seed,
                                         weight)
    if test_out is not None and y_test is not None:
        metrics = classification_summary(y_test, test_out.probs)
    timings["score"] = time.monotonic() - started

    started = time.monotonic()
    embeddings = pool_out.embeddings
    if config.pool_features is not None and labeled_idx.size < config.features_until:
        embeddings = config.pool_features
    report(progress, "selecting", 0, 1)
    ranked = pool_out if config.probe_in_ranking else own_outputs
    selection = select(config.strategy, config.batch_size, probs=ranked.probs,
                       embeddings=embeddings, committee=ranked.committee, labeled=labeled,
                       candidates=candidates, labels=labels, seed=seed, threads=config.threads,
                       cancel=cancel, **config.strategy_params)
    if past and selection.strategy in COMMITTEE_STRATEGIES:
        selection = replace(selection, explanation=(
            f"{selection.explanation} Committee: the new model and {len(past)} earlier "
            "checkpoint(s)."))
    report(progress, "selecting", 1, 1)
    timings["select"] = time.monotonic() - started
    return StepResult(selection=selection, train=trained, pool_outputs=pool_out,
                      test_outputs=test_out, test_metrics=metrics, seconds=timings,
                      mc_passes=passes, classifier_outputs=own_outputs,
                      classifier_test_outputs=own_test, probe_weight=weight,
                      single_view_metrics=single_view)


def _with_probe(features: np.ndarray, order: np.ndarray, y_order: np.ndarray, num_classes: int,
                pool_out: ModelOutputs, test_out: ModelOutputs | None,
                test_features: np.ndarray | None, seed: int, weight: float
                ) -> tuple[ModelOutputs, ModelOutputs | None]:
    """Pool (and test) outputs with the probabilities blended with the feature probe's
    (``weight`` its share), fitted once on the labeled rows and applied to the pool and the
    test items together."""
    rows = features if test_features is None else np.concatenate([features, test_features])
    probe = probe_probabilities(features[order], y_order, rows, num_classes, seed=seed)
    n = features.shape[0]
    pool_out = replace(pool_out, probs=blend(pool_out.probs, probe[:n], weight))
    if test_out is not None and test_features is not None:
        test_out = replace(test_out, probs=blend(test_out.probs, probe[n:], weight))
    return pool_out, test_out

