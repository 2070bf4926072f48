"""What a training run is asked to do and what it reports; the recipe is
:mod:`alstudio.learning.training`, which re-exports both."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.learning.models import Classifier

CLASS_BALANCE = ("loss", "logit", "sampler", "none")
PSEUDO_TEACHERS = ("model", "ema")
PSEUDO_WEIGHTINGS = ("balanced", "none")


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run; the defaults are the tuned recipe."""

    model: str = "auto"  # a name from MODEL_NAMES, or "auto" (default_model_name)
    image_size: int | None = None  # None: taken from the inputs
    max_epochs: int = 40  # evaluation periods; progress says "epoch 3/40"
    min_steps: int = 240  # optimiser steps however few the labels
    batch_size: int = 32  # the largest batch; small sets use smaller ones
    lr: float = 2e-3  # AdamW peak learning rate
    weight_decay: float = 0.05
    patience: int = 8  # periods without a better held-back AUC before stopping
    val_fraction: float = 0.2  # share of each class held back for early stopping
    min_val_items: int = 30  # fewer labels: no held-back slice, fixed budget
    min_val_per_class: int = 3  # a rarer class: no held-back slice either
    class_balance: str = "loss"  # "loss" | "logit" | "sampler" | "none"
    augment: bool = True
    ema_decay: float = 0.98  # weight averaging; 0 keeps the raw weights
    select: str = "auc"  # "auc" | "score" | "loss" | "last": which held-back period is kept
    select_from: float = 0.5  # share of the periods before which none is kept
    calibrate: bool = True  # re-centre the threshold on the held-back slice
    mixup: float = 0.2  # Beta(a, a) mixing of batch pairs; 0 turns it off
    dropout: float = 0.2  # before the head; also what MC-dropout samples
    seed: int = 0
    device: str = "auto"  # "auto" | "cpu" | "cuda" | "cuda:N" | "mps"
    amp: bool = True  # mixed precision, CUDA only
    num_threads: int | None = None  # CPU threads while training; None: torch's default
    initial_weights: str | None = None
    # Semi-supervised rounds (used when train_model gets unlabeled images): FixMatch-like
    # consistency on pseudo-labels the model is at least this sure of, class-weighted.
    pseudo_threshold: float = 0.95
    unlabeled_weight: float = 1.0
    pseudo_teacher: str = "model"  # "model": the weights being trained | "ema": their average
    pseudo_weighting: str = "balanced"  # "balanced": the labeled classes' weights | "none"
    unlabeled_ramp: float = 0.0  # share of the steps over which the term's weight rises from 0


@dataclass
class TrainResult:
    """The trained model (eval mode) and what happened while training it.

    ``val_metrics`` are the kept model's loss, accuracy, balanced accuracy and AUC on the
    held-back slice after threshold re-centring: optimistic, since the slice chose the period
    and the threshold, and empty when there was no slice. Only a separate test set measures
    the model.
    """

    model: Classifier
    config: TrainConfig  # with "auto" and image_size resolved
    history: list[dict[str, float]] = field(default_factory=list)  # one dict per period
    best_epoch: int = 0  # the period whose averaged weights were kept
    val_metrics: dict[str, float] = field(default_factory=dict)
    collapsed: bool = False
    collapse_message: str = ""  # what to tell the user when ``collapsed``
    device: str = ""  # describe_device() of where it trained
    seconds: float = 0.0
    n_train: int = 0
    n_val: int = 0
    stopped_early: bool = False
    class_bias: list[float] = field(default_factory=list)  # offsets folded into the head
    pseudo_labels_used: int = 0  # semi-supervised: confident pseudo-labels trained on
    #: Positions (in the training arrays) of the held-back slice, and the kept model's
    #: probabilities on it: what a feature probe's weight is chosen on. Empty: no slice.
    val_index: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    val_probs: np.ndarray = field(default_factory=lambda: np.empty((0, 0), dtype=np.float32))

    def summary(self) -> dict[str, Any]:
        """JSON-friendly facts for checkpoint metadata and logs."""
        return {"config": asdict(self.config), "best_epoch": self.best_epoch,
                "val_metrics": self.val_metrics, "collapsed": self.collapsed,
                "n_train": self.n_train, "n_val": self.n_val, "seconds": self.seconds,
                "class_bias": self.class_bias}


def collapse_check(y_true: np.ndarray, pred: np.ndarray, share: float = 0.95) -> str:
    """A message if ``pred`` puts (almost) everything in one class while the truth does not."""
    if pred.size == 0 or np.unique(y_true).size < 2:
        return ""
    counts = np.bincount(pred)
    top = int(counts.argmax())
    predicted_share = counts[top] / pred.size
    true_share = float(np.mean(y_true == top))
    if predicted_share >= share and true_share < share:
        return (f"The model predicts class {top} for {predicted_share:.0%} of the held-back "
                f"labeled items (only {true_share:.0%} truly are): it has collapsed to one "
                "class. Label more examples of the other classes, or check the labels.")
    return ""


def check_options(config: TrainConfig) -> None:
    """Refuse a recipe whose named options are not ones the trainer knows, before any work."""
    for name, value, allowed in (("class balance", config.class_balance, CLASS_BALANCE),
                                 ("pseudo-label teacher", config.pseudo_teacher,
                                  PSEUDO_TEACHERS),
                                 ("pseudo-label weighting", config.pseudo_weighting,
                                  PSEUDO_WEIGHTINGS)):
        if value not in allowed:
            raise AlstudioError(f"Unknown {name} {value!r}.",
                                f"Choose one of: {', '.join(allowed)}.")
    if not 0.0 <= config.unlabeled_ramp <= 1.0:
        raise AlstudioError(f"The unlabeled term's ramp {config.unlabeled_ramp} is not a share.",
                            "Give a share of the steps between 0 and 1.")
