"""Oracle simulation: the headless benchmark of query strategies on a labeled archive.

Protocol (../EVALUATION.md): pool = train + val of a MedMNIST-style archive, labels known to
the oracle; test = the archive's test split, never queried and never used for stopping or
model choice. Every strategy gets the same model, recipe and initial random labels per seed.
After each batch the model is retrained and evaluated on the test split (balanced accuracy
and AUC). A full-data reference is trained once per seed on the whole labeled pool.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from alstudio.datasets.model_inputs import model_input
from alstudio.datasets.records import ScanImage
from alstudio.engine import PROBE_WEIGHTINGS, StepConfig, can_train, run_step
from alstudio.errors import AlstudioError
from alstudio.evaluation.curves import json_ready, simulation_summary
from alstudio.jobs import CancelToken, ProgressCallback, check, report
from alstudio.learning.ensemble import averaged, check_members, train_other_members
from alstudio.learning.feature_probe import blend, held_back_share, probe_probabilities
from alstudio.learning.inference import mirror_averaged, predict
from alstudio.learning.metrics import classification_summary
from alstudio.learning.models import Classifier
from alstudio.learning.pretrain import (
    PretrainConfig,
    encoder_features,
    encoder_to_bytes,
    pretrain,
)
from alstudio.learning.training import TrainConfig, TrainResult, train_model
from alstudio.selection.catalogue import DEFAULT_STRATEGY, parse_spec

METRICS = ("balanced_accuracy", "auc")
#: What a flip-averaged run records beside its figures: the single view's, from the same model.
SINGLE_VIEW = {m: f"{m}_single_view" for m in METRICS}
ENCODER_USES = ("finetune", "probe")


@dataclass
class SimulationConfig:
    strategies: list[str] = field(default_factory=lambda: ["random", DEFAULT_STRATEGY])
    seeds: int = 5
    #: Seeds run are ``first_seed .. first_seed + seeds - 1``: more seeds can be run later,
    #: or on another machine, and merged (``merge_results``) without repeating any.
    first_seed: int = 0
    initial: int = 20
    batch: int = 20
    budget: int = 300
    image_size: int | None = None
    rare_class: int | None = None  # the rare-class scenario: keep few of this class in the pool
    rare_fraction: float = 0.03
    train: TrainConfig = field(default_factory=TrainConfig)
    threads: int | None = None
    #: Pool representation: pretrain an encoder on each seed's (unlabeled) pool, fine-tune
    #: every classifier from it and rank on its features below ``features_until`` labels.
    pretrain: PretrainConfig | None = None
    features_until: int = 60
    semi_supervised: bool = False  # FixMatch-like rounds on the unlabeled pool
    #: What the pretrained encoder is for: "finetune" (the pool representation above) or
    #: "probe": every classifier trains from scratch and its probabilities are averaged with
    #: a linear probe's on the encoder's features (alstudio.learning.feature_probe).
    encoder_use: str = "finetune"
    #: The probe's share of the blend: "mean" or "held_back" (StepConfig.probe_weighting).
    probe_weighting: str = "mean"
    #: Whether the probe's blend ranks the pool too (StepConfig.probe_in_ranking).
    probe_in_ranking: bool = True
    #: Test-time flip averaging of every test evaluation, full-data reference included
    #: (StepConfig.mirror_test): what the model reports changes, the picks do not. The single
    #: view's figures are kept beside (``SINGLE_VIEW``), so the flip is judged on one model.
    mirror_test: bool = False
    #: A deep ensemble in every training, full-data reference included
    #: (StepConfig.ensemble_members); 1: a single classifier.
    ensemble_members: int = 1

    def __post_init__(self) -> None:
        if self.encoder_use not in ENCODER_USES:
            raise AlstudioError(f"Unknown encoder use {self.encoder_use!r}.",
                                f"Choose one of {', '.join(ENCODER_USES)}.")
        if self.probe_weighting not in PROBE_WEIGHTINGS:
            raise AlstudioError(f"Unknown probe weighting {self.probe_weighting!r}.",
                                f"Choose one of {', '.join(PROBE_WEIGHTINGS)}.")
        if self.mirror_test and self.pretrain is not None and self.encoder_use == "probe":
            raise AlstudioError("Flip averaging at test time is not measured with a feature "
                                "probe.", "Run the probe and the flip as separate variants.")
        check_members(self.ensemble_members)
        if self.ensemble_members > 1 and (self.mirror_test or self.encoder_use == "probe"):
            raise AlstudioError("An ensemble is not measured with a feature probe or a flip.",
                                "Run them as separate variants.")

    def recorded(self) -> tuple[str, ...]:
        """The test figures each evaluation records: the metrics, and with ``mirror_test``
        the single view's beside them."""
        return (*METRICS, *SINGLE_VIEW.values()) if self.mirror_test else METRICS

    def budgets(self, pool_size: int) -> list[int]:
        top = min(self.budget, pool_size)
        steps = list(range(self.initial, top + 1, self.batch))
        return steps if steps and steps[-1] == top else [*steps, top]


def load_archive(path: Path, image_size: int | None) -> dict[str, np.ndarray]:
    """Pool and test arrays of a MedMNIST-style archive, through the app's own model-input
    pipeline (the same scaling and resizing a project's items get)."""
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        # numpy's own message may advise allow_pickle=True: never pass that advice on
        raise AlstudioError(f"Cannot read {path} as an .npz archive.",
                            "Give a MedMNIST-style .npz file (a zip of .npy arrays).") from exc
    needed = ("train_images", "train_labels", "val_images", "val_labels", "test_images",
              "test_labels")
    missing = [key for key in needed if key not in archive.files]
    if missing:
        raise AlstudioError(f"{path} lacks {', '.join(missing)}.",
                            "The simulator needs a MedMNIST-style archive with labels.")
    images = {s: archive[f"{s}_images"] for s in ("train", "val", "test")}
    labels = {s: archive[f"{s}_labels"].reshape(-1).astype(np.int64) for s in images}
    size = image_size or int(images["train"].shape[1])
    rgb = images["train"].ndim == 4 and images["train"].shape[-1] == 3  # HxWx3: colour
    channels = 3 if rgb else 1

    def prepare(stack: np.ndarray) -> np.ndarray:
        out = np.empty((len(stack), channels, size, size), dtype=np.float32)
        for i, image in enumerate(stack):
            scan = ScanImage(array=image.astype(np.float32), spacing=None,
                             window=(127.5, 255.0), modality=None, is_rgb=rgb)
            out[i] = model_input(scan, size, channels)
        return out

    return {
        "x_pool": prepare(np.concatenate([images["train"], images["val"]])),
        "y_pool": np.concatenate([labels["train"], labels["val"]]),
        "x_test": prepare(images["test"]),
        "y_test": labels["test"],
    }


def _scenario_pool(y_pool: np.ndarray, config: SimulationConfig, seed: int) -> np.ndarray:
    """Indices of the pool this seed runs on: all of it, or the rare-class version."""
    everything = np.arange(len(y_pool))
    if config.rare_class is None:
        return everything
    rng = np.random.default_rng(10_000 + seed)
    rare = everything[y_pool == config.rare_class]
    other = everything[y_pool != config.rare_class]
    keep = max(1, round(config.rare_fraction / (1 - config.rare_fraction) * len(other)))
    kept = rng.choice(rare, size=min(keep, len(rare)), replace=False)
    return np.sort(np.concatenate([other, kept]))


def _chance_metrics() -> dict[str, float]:
    """What a model that cannot be trained yet (one class labeled) scores: chance."""
    return {"balanced_accuracy": 0.5, "auc": 0.5, "accuracy": float("nan")}


def simulate(archive: Path, config: SimulationConfig, *,
             progress: ProgressCallback | None = None,
             cancel: CancelToken | None = None) -> dict[str, Any]:
    """Run every strategy for every seed; return the JSON-ready result (README documents it)."""
    for spec in config.strategies:
        parse_spec(spec)  # refuses unknown names and settings before any work
    if "random" not in config.strategies:
        config.strategies = ["random", *config.strategies]  # the baseline every claim needs
    data = load_archive(Path(archive), config.image_size)
    num_classes = int(max(data["y_pool"].max(), data["y_test"].max()) + 1)
    started = time.monotonic()
    runs_total = config.seeds * (len(config.strategies) + 1)
    runs_done = 0

    full: dict[str, list[float]] = {m: [] for m in config.recorded()}
    curves: dict[str, dict[str, list[list[float]]]] = {
        s: {m: [] for m in (*config.recorded(), "positives")} for s in config.strategies}
    collapses = dict.fromkeys(config.strategies, 0)
    timing = dict.fromkeys(config.strategies, 0.0)
    budgets: list[int] = []
    encoder_dir = tempfile.TemporaryDirectory(prefix="alstudio-encoder-")
    try:  # the encoders' folder goes, cancelled or not
        for seed in range(config.first_seed, config.first_seed + config.seeds):
            pool_idx = _scenario_pool(data["y_pool"], config, seed)
            x_pool, y_pool = data["x_pool"][pool_idx], data["y_pool"][pool_idx]
            budgets = config.budgets(len(pool_idx))
            seed_config, features = _representation(x_pool, data["x_test"], config, seed,
                                                    encoder_dir, timing, progress, cancel)
            report(progress, "full-data reference", runs_done, runs_total, f"seed {seed}")
            reference = _full_data(x_pool, y_pool, data, num_classes, seed_config, seed, cancel,
                                   features)
            for metric in config.recorded():
                full[metric].append(reference[metric])
            runs_done += 1
            initial = np.random.default_rng(seed).choice(len(pool_idx), config.initial,
                                                         replace=False)
            for strategy in config.strategies:
                check(cancel)
                report(progress, "simulating", runs_done, runs_total, f"{strategy}, seed {seed}")
                t0 = time.monotonic()
                curve, collapsed = _one_run(x_pool, y_pool, data, num_classes, initial, budgets,
                                            strategy, seed_config, seed, cancel, features)
                timing[strategy] += time.monotonic() - t0
                collapses[strategy] += collapsed
                for key, values in curve.items():
                    curves[strategy][key].append(values)
                runs_done += 1
    finally:
        encoder_dir.cleanup()
    report(progress, "simulating", runs_total, runs_total, "done")
    return _result(archive, config, budgets, full, curves, collapses, timing,
                   time.monotonic() - started)


@dataclass
class _Features:
    """One seed's encoder features: the pool's rows and, for the probe, the test split's."""

    pool: np.ndarray
    test: np.ndarray | None = None

    def step_fields(self, config: SimulationConfig) -> dict[str, Any]:
        """The StepConfig fields this use of the encoder sets."""
        if config.encoder_use == "probe":
            return {"probe_features": self.pool, "probe_weighting": config.probe_weighting,
                    "probe_in_ranking": config.probe_in_ranking}
        return {"pool_features": self.pool}


def _representation(x_pool: np.ndarray, x_test: np.ndarray, config: SimulationConfig,
                    seed: int, folder: tempfile.TemporaryDirectory[str],
                    timing: dict[str, float], progress: ProgressCallback | None,
                    cancel: CancelToken | None) -> tuple[SimulationConfig, _Features | None]:
    """Pretrain this seed's encoder on its pool's images (no labels) when asked. To
    fine-tune, the config then starts every classifier from it, and its pool features are
    returned for ranking; for the probe, the pool's and the test split's features."""
    if config.pretrain is None:
        return config, None
    started = time.monotonic()
    pre = replace(config.pretrain, seed=seed, num_threads=config.threads)
    encoder = pretrain(x_pool, pre, progress=progress, cancel=cancel)
    timing["pretrain"] = timing.get("pretrain", 0.0) + time.monotonic() - started
    if config.encoder_use == "probe":
        return config, _Features(encoder_features(encoder, x_pool),
                                 encoder_features(encoder, x_test))
    path = Path(folder.name) / f"encoder-{seed}.safetensors"
    path.write_bytes(encoder_to_bytes(encoder, pre))
    return replace(config, train=replace(config.train, initial_weights=str(path))), \
        _Features(encoder_features(encoder, x_pool))


def _test_metrics(trained: TrainResult, rows: np.ndarray, y_rows: np.ndarray,
                  data: dict[str, np.ndarray], num_classes: int, features: _Features | None,
                  seed: int, weighting: str, cancel: CancelToken | None,
                  mirror: bool = False, others: Sequence[Classifier] = ()) -> dict[str, float]:
    """The test split's figures: from the classifier's probabilities, flip-averaged with
    ``mirror`` (the single view's figures beside them), or blended with the probe's (fitted
    on ``rows``) when the encoder is used for one, with the share the rounds would use, or
    averaged with an ensemble's ``others``."""
    outputs = averaged(predict(trained.model, data["x_test"], cancel=cancel), others,
                       data["x_test"], cancel=cancel)
    if not mirror:
        return classification_summary(data["y_test"], _with_test_probe(
            outputs.probs, trained, rows, y_rows, data, num_classes, features, seed, weighting))
    single = classification_summary(data["y_test"], outputs.probs)
    outputs = mirror_averaged(trained.model, data["x_test"], outputs, cancel=cancel)
    return {**classification_summary(data["y_test"], outputs.probs),
            **{SINGLE_VIEW[m]: single[m] for m in METRICS}}


def _with_test_probe(probs: np.ndarray, trained: TrainResult, rows: np.ndarray,
                     y_rows: np.ndarray, data: dict[str, np.ndarray], num_classes: int,
                     features: _Features | None, seed: int, weighting: str) -> np.ndarray:
    """The classifier's test probabilities, blended with the probe's when there is one."""
    if features is None or features.test is None:
        return probs
    probe = probe_probabilities(features.pool[rows], y_rows, features.test, num_classes,
                                seed=seed)
    weight = (held_back_share(features.pool, rows, y_rows, trained, seed=seed)
              if weighting == "held_back" else 0.5)
    return blend(probs, probe, weight)


def _full_data(x_pool: np.ndarray, y_pool: np.ndarray, data: dict[str, np.ndarray],
               num_classes: int, config: SimulationConfig, seed: int,
               cancel: CancelToken | None, features: _Features | None = None
               ) -> dict[str, float]:
    """The full-data reference, under the same recipe as the runs (probe included)."""
    train_cfg = _train_config(config, seed)
    trained = train_model(x_pool, y_pool, num_classes, train_cfg, cancel=cancel)
    others = [m.model for m in train_other_members(x_pool, y_pool, num_classes, train_cfg,
                                                   config.ensemble_members, cancel=cancel)]
    everything = np.arange(len(y_pool))
    return _test_metrics(trained, everything, y_pool, data, num_classes, features, seed,
                         config.probe_weighting, cancel, config.mirror_test, others)


def _train_config(config: SimulationConfig, seed: int) -> TrainConfig:
    return replace(config.train, seed=seed, num_threads=config.threads)


def _one_run(x_pool: np.ndarray, y_pool: np.ndarray, data: dict[str, np.ndarray],
             num_classes: int, initial: np.ndarray, budgets: Sequence[int], strategy: str,
             config: SimulationConfig, seed: int, cancel: CancelToken | None,
             features: _Features | None = None) -> tuple[dict[str, list[float]], int]:
    labeled = list(initial)
    curve: dict[str, list[float]] = {m: [] for m in (*config.recorded(), "positives")}
    collapsed = 0
    rare = config.rare_class if config.rare_class is not None else 0
    for step, budget in enumerate(budgets):
        idx = np.asarray(labeled[:budget], dtype=np.int64)
        last = step == len(budgets) - 1
        next_budget = budgets[step + 1] if not last else budget
        name, params = parse_spec(strategy)
        step_cfg = StepConfig(strategy=name, batch_size=max(1, next_budget - len(idx)),
                              train=_train_config(config, seed * 1000 + step),
                              threads=config.threads, strategy_params=params,
                              features_until=config.features_until,
                              semi_supervised=config.semi_supervised,
                              mirror_test=config.mirror_test,
                              ensemble_members=config.ensemble_members,
                              **(features.step_fields(config) if features else {}))
        if last:
            metrics = _evaluate_only(x_pool, y_pool, idx, data, num_classes, step_cfg, cancel,
                                     features, seed * 1000 + step)
            picks: list[int] = []
        else:
            result = run_step(x_pool, idx, y_pool[idx], num_classes, step_cfg,
                              seed=seed * 1000 + step, x_test=data["x_test"],
                              y_test=data["y_test"], cancel=cancel,
                              test_features=features.test if features else None)
            metrics = {**_chance_metrics(), **{SINGLE_VIEW[m]: 0.5 for m in METRICS},
                       **result.test_metrics,
                       **{SINGLE_VIEW[m]: result.single_view_metrics[m] for m in METRICS
                          if m in result.single_view_metrics}}
            collapsed += int(bool(result.train and result.train.collapsed))
            picks = [int(i) for i in result.selection.indices]
        for metric in config.recorded():
            curve[metric].append(float(metrics[metric]))
        curve["positives"].append(float(np.sum(y_pool[idx] == rare)))
        labeled.extend(picks)
    return curve, collapsed


def _evaluate_only(x_pool: np.ndarray, y_pool: np.ndarray, idx: np.ndarray,
                   data: dict[str, np.ndarray], num_classes: int, step_cfg: StepConfig,
                   cancel: CancelToken | None, features: _Features | None = None,
                   seed: int = 0) -> dict[str, float]:
    """The last budget: train and evaluate, nothing left to select."""
    if not can_train(y_pool[idx]):
        return {**_chance_metrics(), **{SINGLE_VIEW[m]: 0.5 for m in METRICS}}
    rows = np.sort(idx)
    rest = np.setdiff1d(np.arange(len(y_pool)), idx)
    unlabeled = (x_pool, rest) if step_cfg.semi_supervised else None
    trained = train_model(x_pool[rows], y_pool[rows], num_classes, step_cfg.train,
                          cancel=cancel, unlabeled=unlabeled)
    others = [m.model for m in train_other_members(
        x_pool[rows], y_pool[rows], num_classes, step_cfg.train, step_cfg.ensemble_members,
        cancel=cancel, unlabeled=unlabeled)]
    return _test_metrics(trained, rows, y_pool[rows], data, num_classes, features, seed,
                         step_cfg.probe_weighting, cancel, step_cfg.mirror_test, others)


def _result(archive: Path, config: SimulationConfig, budgets: list[int],
            full: dict[str, list[float]], curves: dict[str, dict[str, list[list[float]]]],
            collapses: dict[str, int], timing: dict[str, float],
            seconds: float) -> dict[str, Any]:
    summary = simulation_summary(config.strategies, budgets, full, curves, METRICS,
                                 rare=config.rare_class is not None)
    train = asdict(config.train)
    return json_ready({
        "dataset": str(archive),
        "scenario": ("natural" if config.rare_class is None else
                     f"rare class {config.rare_class} at {config.rare_fraction:.0%} of pool"),
        "config": {"strategies": config.strategies, "seeds": config.seeds,
                   "first_seed": config.first_seed,
                   "initial": config.initial, "batch": config.batch,
                   "budget": config.budget, "image_size": config.image_size, "train": train,
                   "pretrain": asdict(config.pretrain) if config.pretrain else None,
                   "features_until": config.features_until,
                   "semi_supervised": config.semi_supervised,
                   "encoder_use": config.encoder_use,
                   "probe_weighting": config.probe_weighting,
                   "probe_in_ranking": config.probe_in_ranking,
                   "mirror_test": config.mirror_test,
                   "ensemble_members": config.ensemble_members},
        "budgets": budgets,
        "full_data": {m: {"mean": float(np.mean(v)), "std": float(np.std(v)), "per_seed": v}
                      for m, v in full.items()},
        "curves": curves,
        "summary": summary,
        "collapses": collapses,
        "seconds": {"total": round(seconds, 1),
                    **{s: round(t, 1) for s, t in timing.items()}},
    })
