"""A representation learned from the unlabeled pool: SimCLR-style contrastive pretraining.

With 20-300 labels a classifier trained from scratch ignores the thousands of unlabeled scans
in the pool, and the first picks are made on PCA of raw pixels. Contrastive pretraining
(Chen et al. 2020, SimCLR) trains the classifier's own backbone to map two random strong
views of the same scan (:func:`alstudio.learning.augment.strong_augment`) close together and
views of different scans apart (NT-Xent loss through a small projection head). It needs no
labels and no downloaded weights, and works with small images and small batches on a CPU:
the batch size sets the number of negatives, 64-128 is plenty at 28-64 px.

The result is an encoder checkpoint: the classifier's architecture (head untouched, random)
plus the projection head as ``projector.*`` tensors, so a later run resumes exactly where
this one stopped, and :func:`alstudio.learning.models.load_initial_weights` fine-tunes a
classifier from it (the projector and head are left out there).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save as st_save
from torch import nn

from alstudio.errors import AlstudioError
from alstudio.jobs import CancelToken, ProgressCallback, Throttle, check, report
from alstudio.learning.augment import COLOUR_JITTERS, strong_augment
from alstudio.learning.batches import load_batch
from alstudio.learning.models import Classifier, build_model, load_state_strict
from alstudio.learning.names import ENCODER_KIND
from alstudio.learning.safe_weights import read_safetensors, refuse

PHASE = "pretraining"
_PROJECTOR = "projector."


@dataclass
class PretrainConfig:
    """How long and how the encoder trains; the defaults suit 28-64 px pools on a CPU."""

    model: str = "small_cnn"
    epochs: int = 20  # passes over the pool (more continue from a stored checkpoint)
    batch_size: int = 128
    lr: float = 2e-3
    weight_decay: float = 1e-4
    temperature: float = 0.2
    projection_dim: int = 64
    max_items: int | None = 20000  # a seeded subsample per epoch for very large pools
    seed: int = 0
    num_threads: int | None = None
    #: Colour jitter of the two views of a colour image: "mild" or "strong"
    #: (:data:`alstudio.learning.augment.COLOUR_JITTERS`); grey images ignore it.
    colour: str = "mild"

    def __post_init__(self) -> None:
        if self.colour not in COLOUR_JITTERS:
            raise AlstudioError(f"Unknown colour jitter {self.colour!r}.",
                                f"Choose one of {', '.join(COLOUR_JITTERS)}.")


@dataclass
class Encoder:
    """A pretrained backbone (inside a :class:`Classifier`) with its projection head."""

    model: Classifier
    projector: nn.Module
    epochs_done: int = 0
    history: list[float] = field(default_factory=list)  # mean loss per epoch
    seconds: float = 0.0


def _projector(dim: int, out: int) -> nn.Module:
    return nn.Sequential(nn.Linear(dim, dim), nn.ReLU(inplace=True), nn.Linear(dim, out))


def new_encoder(config: PretrainConfig, in_channels: int, image_size: int) -> Encoder:
    """A freshly initialised encoder (seeded) for these inputs."""
    torch.manual_seed(config.seed)
    model = build_model(config.model, in_channels, 2, image_size, dropout=0.0)
    return Encoder(model, _projector(model.embed_dim, config.projection_dim))


def nt_xent(z1: torch.Tensor, z2: torch.Tensor, temperature: float) -> torch.Tensor:
    """SimCLR's loss: each view must pick its partner out of the other 2B - 2 views."""
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.T / temperature
    n = z1.shape[0]
    sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool, device=z.device), -1e9)
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(sim, target)


def pretrain(x: Any, config: PretrainConfig | None = None, encoder: Encoder | None = None,
             progress: ProgressCallback | None = None,
             cancel: CancelToken | None = None) -> Encoder:
    """Train ``encoder`` (or a new one) for ``config.epochs`` more epochs on images ``x``
    (N, C, S, S); returns it with its epoch count and loss history extended."""
    cfg = config or PretrainConfig()
    n = int(x.shape[0])
    if n < 4:
        raise AlstudioError("Pretraining needs at least 4 images.", "Import more scans first.")
    enc = encoder or new_encoder(cfg, int(x.shape[1]), int(x.shape[-1]))
    if enc.model.in_channels != x.shape[1] or enc.model.image_size != x.shape[-1]:
        raise AlstudioError("The stored encoder was trained on other inputs "
                            f"({enc.model.in_channels} channel(s), {enc.model.image_size} px).",
                            "Pretrain afresh (--fresh).")
    previous = torch.get_num_threads()
    try:
        if cfg.num_threads:
            torch.set_num_threads(cfg.num_threads)
        with torch.random.fork_rng(devices=[]):
            _epochs(x, n, cfg, enc, progress, cancel)
    finally:
        torch.set_num_threads(previous)
    return enc


def _epochs(x: Any, n: int, cfg: PretrainConfig, enc: Encoder,
            progress: ProgressCallback | None, cancel: CancelToken | None) -> None:
    """The training loop: AdamW, cosine learning rate over these epochs, cancel per step.
    ``enc`` counts each epoch as it completes, so after a cancel it holds the epochs done
    (and the weights of the unfinished one's steps)."""
    seed = cfg.seed + 7919 * enc.epochs_done  # a resumed run draws new views
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    rng = np.random.default_rng(seed + 2)
    per_epoch_items = min(n, cfg.max_items or n)
    batch = min(cfg.batch_size, per_epoch_items)
    steps = max(1, per_epoch_items // batch)
    params = [*enc.model.backbone.parameters(), *enc.projector.parameters()]
    optimiser = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    total = steps * cfg.epochs
    started = time.perf_counter()
    try:
        _steps(x, n, cfg, enc, rng, gen, optimiser, steps, batch, per_epoch_items, total,
               progress, cancel)
    finally:
        enc.seconds += time.perf_counter() - started
        enc.model.eval()
        enc.projector.eval()


def _steps(x: Any, n: int, cfg: PretrainConfig, enc: Encoder, rng: np.random.Generator,
           gen: torch.Generator, optimiser: torch.optim.Optimizer, steps: int, batch: int,
           per_epoch_items: int, total: int, progress: ProgressCallback | None,
           cancel: CancelToken | None) -> None:
    """Every optimiser step of the run; each finished epoch is counted in ``enc`` at once."""
    device = torch.device("cpu")
    throttle = Throttle(0.2)
    enc.model.train()
    enc.projector.train()
    step = 0
    for _epoch in range(cfg.epochs):
        order = rng.permutation(n)[:per_epoch_items]
        loss_sum = 0.0
        for s in range(steps):
            check(cancel)
            index = np.sort(order[s * batch:(s + 1) * batch])
            images = load_batch(x, index, device)
            for group in optimiser.param_groups:
                group["lr"] = cfg.lr * 0.5 * (1 + math.cos(math.pi * step / total))
            colour = COLOUR_JITTERS[cfg.colour]
            z1 = enc.projector(enc.model.embed(strong_augment(images, gen, colour)))
            z2 = enc.projector(enc.model.embed(strong_augment(images, gen, colour)))
            loss = nt_xent(z1, z2, cfg.temperature)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            loss_sum += float(loss.item())
            step += 1
            if throttle.ready() or s == steps - 1:
                report(progress, PHASE, step, total,
                       f"epoch {enc.epochs_done + 1}, loss {loss_sum / (s + 1):.3f}")
        enc.history.append(loss_sum / steps)
        enc.epochs_done += 1


def encoder_features(enc: Encoder | Classifier, x: Any, batch_size: int = 256) -> np.ndarray:
    """(N, d) L2-normalised backbone features: what cold-start and core-set distances use."""
    model = enc.model if isinstance(enc, Encoder) else enc
    model.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, int(x.shape[0]), batch_size):
            index = np.arange(start, min(int(x.shape[0]), start + batch_size))
            out.append(F.normalize(model.embed(load_batch(x, index, torch.device("cpu"))),
                                   dim=1).numpy())
    return np.concatenate(out).astype(np.float32)


def encoder_to_bytes(enc: Encoder, config: PretrainConfig) -> bytes:
    """Safetensors bytes: backbone (as a classifier), projector, architecture and history."""
    state = {k: v.detach().cpu().contiguous() for k, v in enc.model.state_dict().items()}
    state.update({_PROJECTOR + k: v.detach().cpu().contiguous()
                  for k, v in enc.projector.state_dict().items()})
    meta = {k: json.dumps(v) for k, v in enc.model.architecture().items()}
    meta.update({"kind": json.dumps(ENCODER_KIND), "epochs_done": json.dumps(enc.epochs_done),
                 "history": json.dumps(enc.history), "seconds": json.dumps(enc.seconds),
                 "pretrain_config": json.dumps(asdict(config)), "format_version": "1"})
    return st_save(state, metadata=meta)


def encoder_from_bytes(blob: bytes, source: str = "encoder") -> Encoder:
    """Rebuild an encoder written by :func:`encoder_to_bytes` (refusing anything else)."""
    tensors, raw = read_safetensors(blob, source)
    try:
        meta = {k: json.loads(v) for k, v in raw.items()}
    except json.JSONDecodeError as exc:
        raise refuse(source, "its metadata is not alstudio's") from exc
    if meta.get("kind") != ENCODER_KIND:
        raise refuse(source, "it is not a pretrained encoder")
    model = build_model(str(meta["architecture"]), int(meta["in_channels"]),
                        int(meta["num_classes"]), int(meta["image_size"]), dropout=0.0)
    load_state_strict(model, {k: v for k, v in tensors.items()
                              if not k.startswith(_PROJECTOR)}, source)
    proj_state = {k[len(_PROJECTOR):]: v for k, v in tensors.items()
                  if k.startswith(_PROJECTOR)}
    out_dim = int(proj_state["2.weight"].shape[0]) if "2.weight" in proj_state else 64
    projector = _projector(model.embed_dim, out_dim)
    load_state_strict(projector, proj_state, source)
    model.eval()
    projector.eval()
    return Encoder(model, projector, int(meta.get("epochs_done", 0)),
                   [float(v) for v in meta.get("history", [])], float(meta.get("seconds", 0)))
