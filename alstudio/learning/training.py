"""The training recipe: stable, seeded training from 10 to thousands of labels.

An active-learning comparison is only as good as its training: a first prototype trained a
fixed number of steps from scratch and its learning curves were dominated by seed noise and
collapsed models (../shared/EVALUATION.md). The recipe, tuned with
benchmarks/training_stability.py on BreastMNIST (each choice below was measured there), is:

* a step budget that does not shrink with the labeled set: ``max_epochs`` evaluation periods
  of at least ``ceil(min_steps / max_epochs)`` optimiser steps each, so 20 labels get as many
  updates as 600 (half the budget collapsed a 40-label run);
* smaller batches for small sets (a quarter of the training items, at least 16, at most
  ``batch_size``): the same number of steps at about half the cost;
* class-balanced cross-entropy (or a balanced sampler) so a 27%-minority class counts as much
  as the majority; batched augmentation (:mod:`alstudio.learning.augment`) and light mixup;
* AdamW with a short linear warm-up and cosine decay, and an exponential moving average of the
  weights, which is what gets evaluated and kept (without it, balanced accuracy at 80-320
  labels was 0.02-0.03 lower);
* early stopping on a stratified slice of the *labeled* data (never the test set), restoring
  the best period by held-back AUC. Only the second half of the schedule is eligible: a
  few-dozen-item slice once preferred an under-trained early model whose test AUC was 0.74
  against 0.86 later;
* re-centring the decision threshold on the same slice (:mod:`alstudio.learning.calibration`):
  reweighted losses stop balancing once the net fits its training set, and argmax then
  under-calls the minority class on new scans;
* with fewer than ``min_val_items`` labels, or a class with fewer than ``min_val_per_class``,
  a slice would be too small to rank anything: then all labels train for the full step budget,
  the final averaged weights are kept and the threshold is not re-centred;
* optionally (``unlabeled`` given: semi-supervised rounds) a FixMatch-like consistency term
  (Sohn et al. 2020; :mod:`alstudio.learning.semi`): confident pseudo-labels of weakly
  augmented unlabeled images train the strongly augmented views, weighted like the labeled
  classes so a rare class is not drowned by the majority's pseudo-labels;
* a collapse check: a model that gives one class to (almost) every held-back item (or training
  item, without a slice) is reported, never silently used.

Everything random is seeded from ``seed`` (model init, batch order, augmentation, mixup,
dropout) inside a forked RNG, so the caller's random state is untouched and, on the CPU, the
same seed and thread count give identical weights. CUDA kernels are not forced to be
deterministic (that costs speed), so GPU runs agree only to rounding.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from alstudio.errors import AlstudioError
from alstudio.jobs import CancelToken, ProgressCallback, Throttle, check, report
from alstudio.learning.augment import augment_batch
from alstudio.learning.batches import (
    batch_stream,
    check_inputs,
    class_weights,
    load_batch,
    stratified_split,
)
from alstudio.learning.calibration import fit_class_bias, fold_bias
from alstudio.learning.device import describe_device, pick_device
from alstudio.learning.inference import autocast_for
from alstudio.learning.metrics import classification_summary
from alstudio.learning.models import Classifier, build_model, default_model_name
from alstudio.learning.semi import Unlabeled, consistency_loss, unlabeled_factor
from alstudio.learning.train_config import (
    TrainConfig,
    TrainResult,
    check_options,
    collapse_check,
)


def _lr_factor(step: int, total: int) -> float:
    """Linear warm-up over 5% of the steps, then cosine decay to 2% of the peak."""
    warm = max(1, total // 20)
    if step < warm:
        return (step + 1) / warm
    progress = min(1.0, (step - warm) / max(1, total - warm))
    return 0.02 + 0.98 * 0.5 * (1.0 + math.cos(math.pi * progress))


def _ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """Move the averaged weights towards the live ones (buffers too: batch-norm statistics)."""
    with torch.no_grad():
        for target, source in zip(ema.parameters(), model.parameters(), strict=True):
            target.lerp_(source, 1.0 - decay)
        for kept, live in zip(ema.buffers(), model.buffers(), strict=True):
            if kept.dtype.is_floating_point:
                kept.lerp_(live, 1.0 - decay)
            else:
                kept.copy_(live)


def _evaluate(model: Classifier, x: np.ndarray, y: np.ndarray, index: np.ndarray,
              weights: torch.Tensor, device: torch.device, amp: bool,
              cancel: CancelToken | None, batch_size: int = 256
              ) -> tuple[dict[str, float], np.ndarray]:
    """Balanced loss and metrics of ``model`` on ``x[index]``; returns (metrics, logits)."""
    model.eval()
    probs, raw, losses = [], [], 0.0
    with torch.inference_mode():
        for start in range(0, index.size, batch_size):
            check(cancel)
            part = index[start:start + batch_size]
            with autocast_for(device, amp):
                logits = model(load_batch(x, part, device)).float()
            target = torch.as_tensor(y[part], device=device)
            losses += float(F.cross_entropy(logits, target, weight=weights, reduction="sum"))
            probs.append(torch.softmax(logits, dim=1).cpu().numpy())
            raw.append(logits.cpu().numpy())
    p = np.concatenate(probs)
    norm = float(weights[torch.as_tensor(y[index], device=device)].sum())
    metrics = {"loss": losses / max(norm, 1e-12), **classification_summary(y[index], p)}
    return metrics, np.concatenate(raw)


def _score(metrics: dict[str, float], select: str) -> float:
    """Early-stopping score: balanced accuracy plus AUC, minus a little loss to break ties."""
    if select == "loss":
        return -metrics["loss"]
    if select == "last":
        return math.inf
    auc = metrics["auc"] if not math.isnan(metrics["auc"]) else 0.5
    if select == "auc":
        return auc - 0.1 * metrics["loss"]
    return metrics["balanced_accuracy"] + auc - 0.1 * metrics["loss"]


def _resolve(config: TrainConfig, x: np.ndarray, device: torch.device) -> TrainConfig:
    check_options(config)
    size = config.image_size or int(x.shape[-1])
    name = default_model_name(device, size) if config.model == "auto" else config.model
    return replace(config, model=name, image_size=size)


def train_model(x: np.ndarray, y: np.ndarray, num_classes: int, config: TrainConfig | None = None,
                progress: ProgressCallback | None = None,
                cancel: CancelToken | None = None,
                unlabeled: tuple[Any, np.ndarray] | None = None) -> TrainResult:
    """Train a classifier on labeled images ``x`` (N, C, S, S) with labels ``y`` (N,).

    ``unlabeled`` (images, row indices) adds the semi-supervised consistency term."""
    y = np.asarray(y, dtype=np.int64).ravel()
    check_inputs(x, y, num_classes)
    if len(y) < 2 or np.unique(y).size < 2:
        raise AlstudioError("Training needs labeled examples of at least two classes.",
                            "Label a few scans of each class first.")
    device = pick_device((config or TrainConfig()).device)
    cfg = _resolve(config or TrainConfig(), x, device)
    previous_threads = torch.get_num_threads()
    cuda_devices = [device.index or 0] if device.type == "cuda" else []
    try:
        if cfg.num_threads:
            torch.set_num_threads(cfg.num_threads)
        with torch.random.fork_rng(devices=cuda_devices):
            return _train(x, y, num_classes, cfg, device, progress, cancel, unlabeled)
    finally:
        torch.set_num_threads(previous_threads)


@dataclass
class _Run:
    """One training run's state, carried from the setup through every step and period."""

    cfg: TrainConfig
    device: torch.device
    x: np.ndarray
    y: np.ndarray
    num_classes: int
    channels_last: bool
    amp: bool
    aug_rng: torch.Generator
    mix_rng: np.random.Generator
    use_val: bool
    train_idx: np.ndarray
    val_idx: np.ndarray
    per_epoch: int
    total_steps: int
    model: Classifier
    ema: Classifier
    optimiser: torch.optim.Optimizer
    scaler: torch.amp.GradScaler
    balance_weights: np.ndarray
    eval_weights: torch.Tensor
    loss_weights: torch.Tensor | None
    logit_shift: torch.Tensor | None
    stream: Iterator[np.ndarray]
    unlabeled: Unlabeled | None = None
    step: int = 0
    history: list[dict[str, float]] = field(default_factory=list)
    best: tuple[float, int, dict[str, Any]] = (-math.inf, 0, {})


def _setup(x: np.ndarray, y: np.ndarray, num_classes: int, cfg: TrainConfig,
           device: torch.device) -> _Run:
    """Seed, split off the held-back slice, size the batches and steps, build the model."""
    # Channels-last convolutions trained small_cnn 18% faster on a 2-core CPU; MPS lacks them.
    channels_last = device.type in ("cpu", "cuda")
    torch.manual_seed(cfg.seed)
    rng = np.random.Generator(np.random.PCG64(cfg.seed))
    aug_rng = torch.Generator().manual_seed(cfg.seed + 1)
    mix_rng = np.random.Generator(np.random.PCG64(cfg.seed + 2))

    counts = np.bincount(y, minlength=num_classes)
    use_val = bool(len(y) >= cfg.min_val_items and cfg.val_fraction > 0
                   and counts[counts > 0].min() >= cfg.min_val_per_class)
    if use_val:
        train_idx, val_idx = stratified_split(y, cfg.val_fraction, rng, cfg.min_val_per_class)
    else:
        train_idx, val_idx = np.arange(len(y)), np.empty(0, dtype=np.int64)
    y_train = y[train_idx]
    # Small sets use smaller batches (never below 16): same number of steps, half the work.
    batch = min(cfg.batch_size, train_idx.size, max(16, train_idx.size // 4))
    per_epoch = max(math.ceil(train_idx.size / batch), math.ceil(cfg.min_steps / cfg.max_epochs))

    model = build_model(cfg.model, int(x.shape[1]), num_classes, int(cfg.image_size or 0),
                        dropout=cfg.dropout, initial_weights=cfg.initial_weights).to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    ema = copy.deepcopy(model)
    optimiser = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    amp = cfg.amp and device.type == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=amp and not torch.cuda.is_bf16_supported())
    balance_weights = class_weights(y_train, num_classes)
    eval_weights = torch.as_tensor(balance_weights, device=device)
    counts_train = np.bincount(y_train, minlength=num_classes).astype(np.float64)
    prior = np.maximum(counts_train, 0.5) / counts_train.sum()
    logit_shift = (torch.as_tensor(np.log(prior), dtype=torch.float32, device=device)
                   if cfg.class_balance == "logit" else None)
    stream = batch_stream(y_train, batch, rng, balanced=cfg.class_balance == "sampler")
    return _Run(cfg=cfg, device=device, x=x, y=y, num_classes=num_classes,
                channels_last=channels_last, amp=amp, aug_rng=aug_rng, mix_rng=mix_rng,
                use_val=use_val, train_idx=train_idx, val_idx=val_idx, per_epoch=per_epoch,
                total_steps=per_epoch * cfg.max_epochs, model=model, ema=ema,
                optimiser=optimiser, scaler=scaler, balance_weights=balance_weights,
                eval_weights=eval_weights,
                loss_weights=eval_weights if cfg.class_balance == "loss" else None,
                logit_shift=logit_shift, stream=stream, best=(-math.inf, 0, ema.state_dict()))


def _train_step(run: _Run) -> float:
    """One optimiser step on the next batch (augmented, mixed up); returns its loss."""
    cfg, device = run.cfg, run.device
    positions = next(run.stream)
    index = run.train_idx[positions]
    inputs = load_batch(run.x, index, device)
    if cfg.augment:
        inputs = augment_batch(inputs, run.aug_rng)
    if run.unlabeled is not None:
        inputs = torch.cat([inputs, run.unlabeled.images(run.aug_rng, device)])
    if run.channels_last:
        inputs = inputs.contiguous(memory_format=torch.channels_last)
    target = torch.as_tensor(run.y[index], device=device)
    labeled_rows = target.numel()
    for group in run.optimiser.param_groups:
        group["lr"] = cfg.lr * _lr_factor(run.step, run.total_steps)
    mix = float(run.mix_rng.beta(cfg.mixup, cfg.mixup)) if cfg.mixup > 0 else 1.0
    partner = torch.randperm(target.numel(), generator=run.aug_rng).to(device)
    if mix < 1.0:
        inputs[:labeled_rows] = mix * inputs[:labeled_rows] + (1.0 - mix) * inputs[partner]
    with autocast_for(device, run.amp):
        logits = run.model(inputs).float()
        extra = logits[labeled_rows:]
        logits = logits[:labeled_rows]
        if run.logit_shift is not None:
            logits = logits + run.logit_shift
        loss = F.cross_entropy(logits, target, weight=run.loss_weights)
        if mix < 1.0:
            loss = mix * loss + (1.0 - mix) * F.cross_entropy(
                logits, target[partner], weight=run.loss_weights)
        if run.unlabeled is not None:
            weights = run.eval_weights if cfg.pseudo_weighting == "balanced" else None
            loss = loss + unlabeled_factor(cfg, run.step, run.total_steps) * consistency_loss(
                extra, run.unlabeled, weights, cfg.pseudo_threshold)
    run.optimiser.zero_grad(set_to_none=True)
    run.scaler.scale(loss).backward()
    run.scaler.step(run.optimiser)
    run.scaler.update()
    run.step += 1
    _ema_update(run.ema, run.model, min(cfg.ema_decay, (1 + run.step) / (10 + run.step)))
    return float(loss.item())


def _end_period(run: _Run, epoch: int, loss_sum: float, epoch_start: float,
                cancel: CancelToken | None) -> str:
    """Record the period, score the averaged weights on the held-back slice and keep the
    best; returns the progress message."""
    cfg = run.cfg
    record: dict[str, float] = {"epoch": epoch, "steps": run.step,
                                "train_loss": loss_sum / run.per_epoch,
                                "lr": cfg.lr * _lr_factor(run.step - 1, run.total_steps)}
    message = f"loss {record['train_loss']:.3f}"
    if run.use_val:
        metrics, _ = _evaluate(run.ema, run.x, run.y, run.val_idx, run.eval_weights,
                               run.device, run.amp, cancel)
        record.update({f"val_{k}": v for k, v in metrics.items()})
        message += (f", held-back balanced accuracy {metrics['balanced_accuracy']:.3f}, "
                    f"AUC {metrics['auc']:.3f}")
        score = _score(metrics, cfg.select)
        eligible = epoch >= max(1, math.ceil(cfg.select_from * cfg.max_epochs))
        if eligible and (score > run.best[0] or cfg.select == "last"):
            run.best = (score, epoch, copy.deepcopy(run.ema.state_dict()))
    record["seconds"] = time.perf_counter() - epoch_start
    run.history.append(record)
    return message


def _finish(run: _Run, started: float, stopped_early: bool,
            cancel: CancelToken | None) -> TrainResult:
    """Keep the best period's weights, re-centre the threshold, check for a collapse."""
    cfg, x, y, device = run.cfg, run.x, run.y, run.device
    ema, val_idx = run.ema, run.val_idx
    shift = torch.zeros(run.num_classes)
    if run.use_val:
        ema.load_state_dict(run.best[2])
        best_epoch = run.best[1]
        if cfg.calibrate:
            _, logits = _evaluate(ema, x, y, val_idx, run.eval_weights, device, run.amp, cancel)
            shift = fit_class_bias(torch.from_numpy(logits), torch.as_tensor(y[val_idx]),
                                   torch.as_tensor(run.balance_weights))
            fold_bias(ema.head, shift)
    else:
        best_epoch = len(run.history)
    check_idx = val_idx if run.use_val else np.arange(len(y))
    val_metrics, logits = _evaluate(ema, x, y, check_idx, run.eval_weights, device, run.amp,
                                    cancel)
    pred = logits.argmax(axis=1)
    message = collapse_check(y[check_idx], pred)
    if message and not run.use_val:
        message = message.replace("held-back labeled items", "labeled training items")
    # Hand back a plain NCHW model: it then computes exactly what its checkpoint will.
    ema = ema.to(memory_format=torch.contiguous_format).eval()  # type: ignore[call-overload]
    result = TrainResult(model=ema, config=cfg, history=run.history, best_epoch=best_epoch,
                         val_metrics=val_metrics if run.use_val else {},
                         collapsed=bool(message), collapse_message=message,
                         device=describe_device(device),
                         seconds=time.perf_counter() - started, n_train=int(run.train_idx.size),
                         n_val=int(val_idx.size), stopped_early=stopped_early,
                         class_bias=[float(v) for v in shift])
    if run.use_val:  # the slice and the kept model's probabilities on it
        result.val_index, result.val_probs = run.val_idx.copy(), _softmax(logits)
    return result


def _softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise probabilities of logits, computed stably."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (shifted / shifted.sum(axis=1, keepdims=True)).astype(np.float32)


def _train(x: np.ndarray, y: np.ndarray, num_classes: int, cfg: TrainConfig,
           device: torch.device, progress: ProgressCallback | None,
           cancel: CancelToken | None,
           unlabeled: tuple[Any, np.ndarray] | None = None) -> TrainResult:
    """Set up, run ``max_epochs`` periods of steps (stopping early on the held-back slice),
    finish."""
    started = time.perf_counter()
    run = _setup(x, y, num_classes, cfg, device)
    if unlabeled is not None and len(unlabeled[1]):
        teacher = run.ema if cfg.pseudo_teacher == "ema" else run.model
        run.unlabeled = Unlabeled(unlabeled[0], np.asarray(unlabeled[1], dtype=np.int64),
                                  teacher, cfg.seed + 3, int(run.train_idx.size),
                                  cfg.batch_size)
    throttle = Throttle(0.2)
    stopped_early = False
    for epoch in range(1, cfg.max_epochs + 1):
        phase = f"epoch {epoch}/{cfg.max_epochs}"
        run.model.train()
        epoch_start, loss_sum = time.perf_counter(), 0.0
        for inner in range(run.per_epoch):
            check(cancel)
            loss_sum += _train_step(run)
            if inner == 0 or throttle.ready():
                report(progress, phase, inner + 1, run.per_epoch,
                       f"loss {loss_sum / (inner + 1):.3f}")
        message = _end_period(run, epoch, loss_sum, epoch_start, cancel)
        report(progress, phase, run.per_epoch, run.per_epoch, message)
        if run.use_val and run.best[1] and epoch - run.best[1] >= cfg.patience:
            stopped_early = True
            break
    result = _finish(run, started, stopped_early, cancel)
    result.pseudo_labels_used = run.unlabeled.used if run.unlabeled is not None else 0
    return result
