"""Scoring an image set: probabilities, features and MC-dropout committees in one pass.

Selection strategies read everything they need from :class:`ModelOutputs`, so the expensive
part (the backbone over every pool image) runs once per checkpoint and can be cached
(see :mod:`alstudio.learning.cache`). Inputs are read one batch at a time, so a memmapped pool
larger than memory is fine, and the token is checked before every batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import numpy as np
import torch

from alstudio.errors import AlstudioError
from alstudio.jobs import CancelToken, Progress, ProgressCallback, check, report
from alstudio.learning.batches import check_inputs, load_batch
from alstudio.learning.models import Classifier


@dataclass
class ModelOutputs:
    """What one model says about N images.

    ``probs`` (N, C) softmax probabilities; ``embeddings`` (N, d) penultimate features;
    ``committee`` (P, N, C) probabilities of P MC-dropout passes or checkpoints, or ``None``.
    """

    probs: np.ndarray
    embeddings: np.ndarray
    committee: np.ndarray | None = None


def autocast_for(device: torch.device, enabled: bool = True) -> AbstractContextManager[object]:
    """Mixed precision on CUDA only (bf16 where the card has it); a no-op elsewhere."""
    if not enabled or device.type != "cuda":
        return nullcontext()
    dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.autocast("cuda", dtype=dtype)


def _model_device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def predict(model: Classifier, x: np.ndarray, batch_size: int = 256,
            device: torch.device | None = None, mc_passes: int = 0,
            progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
            mc_seed: int = 0, amp: bool = True) -> ModelOutputs:
    """Score ``x`` (N, C, S, S) with ``model`` (moved to ``device`` when one is given).

    MC-dropout keeps batch norm in eval mode and re-samples only the dropout before the head:
    since that is the model's only dropout, reusing the features gives exactly the
    distribution of full stochastic forward passes at a fraction of the cost. Masks come from
    a generator seeded with ``mc_seed``, so a committee is reproducible.
    """
    check_inputs(x)
    if x.shape[1] != model.in_channels:
        raise AlstudioError(f"The model expects {model.in_channels}-channel images, these have "
                            f"{x.shape[1]}.", "Score with a model trained on this image type.")
    if device is not None:
        model.to(device)
    dev = _model_device(model)
    model.eval()
    n = len(x)
    probs = np.empty((n, model.num_classes), dtype=np.float32)
    embeddings = np.empty((n, model.embed_dim), dtype=np.float32)
    committee = (np.empty((mc_passes, n, model.num_classes), dtype=np.float32)
                 if mc_passes > 0 else None)
    keep = 1.0 - model.dropout_rate
    mask_rng = torch.Generator().manual_seed(mc_seed)
    report(progress, "scoring", 0, n)
    with torch.inference_mode():
        for start in range(0, n, batch_size):
            check(cancel)
            stop = min(n, start + batch_size)
            batch = load_batch(x, slice(start, stop), dev)
            with autocast_for(dev, amp):
                features = model.embed(batch)
            features = features.float()
            probs[start:stop] = torch.softmax(model.head(features), dim=1).cpu().numpy()
            embeddings[start:stop] = features.cpu().numpy()
            if committee is not None:
                for p in range(mc_passes):
                    mask = torch.rand(features.shape, generator=mask_rng) < keep
                    mask = mask.to(dev, features.dtype) / max(keep, 1e-6)
                    logits = model.head(features * mask)
                    committee[p, start:stop] = torch.softmax(logits, dim=1).cpu().numpy()
            report(progress, "scoring", stop, n)
    return ModelOutputs(probs, embeddings, committee)


def mirrored(x: np.ndarray) -> np.ndarray:
    """Scans (N, C, H, W) mirrored left to right: the flip training's augmentation makes."""
    return np.ascontiguousarray(x[..., ::-1])


def mirror_averaged(model: Classifier, x: np.ndarray, outputs: ModelOutputs,
                    batch_size: int = 256, cancel: CancelToken | None = None) -> ModelOutputs:
    """``outputs`` of ``model`` on ``x`` with each row's probabilities averaged with those of
    its left-right mirror image (test-time flip averaging).

    Training flips scans at random, so the mirror is a scan the model has learned to read;
    averaging the two halves the variance a single view's quirks add. Embeddings and the
    committee stay those of the original view: this changes what the model reports, not
    what ranking sees.
    """
    mirror = predict(model, mirrored(x), batch_size=batch_size, cancel=cancel)
    return ModelOutputs((outputs.probs + mirror.probs) / 2, outputs.embeddings,
                        outputs.committee)


def ensemble_committee(models: Sequence[Classifier], x: np.ndarray, batch_size: int = 256,
                       device: torch.device | None = None,
                       progress: ProgressCallback | None = None,
                       cancel: CancelToken | None = None) -> np.ndarray:
    """Stack the probabilities of several checkpoints as a committee ``(M, N, C)``."""
    if not models:
        raise AlstudioError("An ensemble committee needs at least one model.",
                            "Train or load a checkpoint first.")
    layers = []
    for index, model in enumerate(models):
        phase = f"scoring model {index + 1}/{len(models)}"

        def relay(step: Progress, phase: str = phase) -> None:
            report(progress, phase, step.done, step.total)

        outputs = predict(model, x, batch_size, device, progress=relay, cancel=cancel)
        layers.append(outputs.probs)
    return np.stack(layers)


def with_past_checkpoints(model: Classifier, outputs: ModelOutputs, past: Sequence[Classifier],
                          x: np.ndarray, batch_size: int = 256,
                          progress: ProgressCallback | None = None,
                          cancel: CancelToken | None = None) -> ModelOutputs:
    """``outputs`` of ``model`` on ``x`` with a committee of it and earlier checkpoints.

    Query by committee in its classic form: models trained on different label sets disagree
    exactly where one more label teaches most. The current model's probabilities come first;
    the past models run on the current model's device.
    """
    past_probs = ensemble_committee(past, x, batch_size, _model_device(model),
                                    progress=progress, cancel=cancel)
    committee = np.concatenate([outputs.probs[None].astype(np.float32), past_probs])
    return ModelOutputs(outputs.probs, outputs.embeddings, committee)


def gradient_embeddings(outputs: ModelOutputs, max_bytes: int = 2**30) -> np.ndarray:
    """BADGE gradient embeddings ``(N, C*d)``: (p - onehot(argmax p)) outer h, per item.

    This is the last layer's loss gradient under the model's own pseudo-label. It is C times
    larger than the features, so it is refused beyond ``max_bytes`` rather than swapping the
    machine to death; strategies on large pools should work on a candidate subset.
    """
    probs = np.asarray(outputs.probs, dtype=np.float32)
    feats = np.asarray(outputs.embeddings, dtype=np.float32)
    n, c = probs.shape
    size = n * c * feats.shape[1] * 4
    if size > max_bytes:
        raise AlstudioError(f"Gradient embeddings for {n} items would take "
                            f"{size / 2**30:.1f} GB.",
                            "Score a smaller candidate subset of the pool first.")
    residual = probs.copy()
    residual[np.arange(n), probs.argmax(axis=1)] -= 1.0
    return (residual[:, :, None] * feats[:, None, :]).reshape(n, -1)
