"""Scoring: one model's outputs over a set of items, computed once per checkpoint.

Scoring is the expensive half of selection (the backbone over every pool image); ranking (the
strategies, run by name through :mod:`alstudio.selection.catalogue`) is cheap and pure. So
scoring is kept apart and its outputs are cached per checkpoint digest: stream mode reads
what its base round computed, and a committee of earlier checkpoints reads what each of them
computed in its own round. Only a model that has never seen these items is run.

An entry is keyed by the checkpoint's sha256, a hash of the item ids (in row order) and the
MC-dropout passes and seed, and stores the item ids beside the rows, so a later request for a
*subset* of those items (the pool minus what was imported since) is answered by row lookup.
A subset is never taken from an entry for MC-dropout committees: their masks depend on the
batch layout, so only the very same request reproduces them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from alstudio.jobs import CancelToken, Progress, ProgressCallback, report
from alstudio.learning.cache import OutputCache, cache_key
from alstudio.learning.inference import ModelOutputs, predict
from alstudio.learning.models import Classifier

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredModel:
    """A model loaded from a checkpoint, with the digest its scores are cached under."""

    digest: str
    model: Classifier


def _ids(item_ids: Sequence[int] | np.ndarray) -> np.ndarray:
    """Item ids as the int64 array the cache stores and hashes."""
    return np.asarray(item_ids, dtype=np.int64).reshape(-1)


def entry_key(digest: str, item_ids: np.ndarray, mc_passes: int = 0, mc_seed: int = 0) -> str:
    """The cache key of one checkpoint over these items (row order) with these MC passes."""
    ids_hash = hashlib.sha256(item_ids.tobytes()).hexdigest()[:16]
    seed = mc_seed if mc_passes else 0
    return cache_key(digest, f"n{item_ids.size}-{ids_hash}-mc{mc_passes}-s{seed}")


class ScoreCache:
    """Model outputs per checkpoint digest and item set, on disk (see :class:`OutputCache`).

    ``hits`` and ``misses`` count the lookups, so a caller (or a test) can tell whether the
    model ran.
    """

    def __init__(self, folder: Path | str) -> None:
        self._cache = OutputCache(folder)
        self.hits = 0
        self.misses = 0

    def lookup(self, digest: str, item_ids: Sequence[int] | np.ndarray, *, mc_passes: int = 0,
               mc_seed: int = 0) -> ModelOutputs | None:
        """Stored outputs of checkpoint ``digest`` for exactly these items, in this order."""
        ids = _ids(item_ids)
        found = self._cache.get(entry_key(digest, ids, mc_passes, mc_seed))
        if found is None and not mc_passes:
            found = self._subset(digest, ids)
        if found is None or found.probs.shape[0] != ids.size:
            self.misses += 1
            return None
        self.hits += 1
        return found

    def _subset(self, digest: str, ids: np.ndarray) -> ModelOutputs | None:
        """Rows of an entry of the same checkpoint whose items include all of ``ids``."""
        for key in self._cache.keys(f"{digest}-"):
            stored = self._cache.get_ids(key)
            if stored is None or stored.size < ids.size:
                continue
            order = np.argsort(stored, kind="stable")
            where = np.searchsorted(stored[order], ids)
            if np.any(where >= stored.size):
                continue
            rows = order[where]
            if not np.array_equal(stored[rows], ids):
                continue
            entry = self._cache.get(key)
            if entry is None or entry.probs.shape[0] != stored.size:
                continue
            return ModelOutputs(np.asarray(entry.probs[rows]),
                                np.asarray(entry.embeddings[rows]), None)
        return None

    def store(self, digest: str, item_ids: Sequence[int] | np.ndarray, outputs: ModelOutputs,
              *, mc_passes: int = 0, mc_seed: int = 0) -> None:
        """Keep ``outputs`` of checkpoint ``digest``; a committee is kept only if it is the
        model's own MC-dropout (``mc_passes`` > 0), never one that other models joined."""
        ids = _ids(item_ids)
        kept = outputs if mc_passes else ModelOutputs(outputs.probs, outputs.embeddings, None)
        self._cache.put(entry_key(digest, ids, mc_passes, mc_seed), kept, ids=ids)


def score(model: Classifier, x: np.ndarray, *, cache: ScoreCache | None = None,
          digest: str | None = None, item_ids: Sequence[int] | np.ndarray | None = None,
          mc_passes: int = 0, mc_seed: int = 0, batch_size: int = 256,
          device: torch.device | None = None, phase: str = "scoring",
          progress: ProgressCallback | None = None,
          cancel: CancelToken | None = None) -> ModelOutputs:
    """Outputs of ``model`` on ``x``: from ``cache`` when checkpoint ``digest`` already scored
    ``item_ids`` (one id per row of ``x``), else by running it, and then kept there."""
    if cache is not None and digest is not None and item_ids is not None:
        hit = cache.lookup(digest, item_ids, mc_passes=mc_passes, mc_seed=mc_seed)
        if hit is not None:
            log.info("%s: %d item(s) read from the score cache of checkpoint %s", phase,
                     hit.probs.shape[0], digest[:12])
            report(progress, phase, hit.probs.shape[0], hit.probs.shape[0], "from cache")
            return hit

    def relay(step: Progress) -> None:
        report(progress, phase, step.done, step.total, step.message)

    outputs = predict(model, x, batch_size=batch_size, device=device, mc_passes=mc_passes,
                      mc_seed=mc_seed, progress=relay if progress is not None else None,
                      cancel=cancel)
    if cache is not None and digest is not None and item_ids is not None:
        cache.store(digest, item_ids, outputs, mc_passes=mc_passes, mc_seed=mc_seed)
    return outputs


def with_committee(outputs: ModelOutputs, past: Sequence[StoredModel], x: np.ndarray, *,
                   cache: ScoreCache | None = None,
                   item_ids: Sequence[int] | np.ndarray | None = None, batch_size: int = 256,
                   device: torch.device | None = None,
                   progress: ProgressCallback | None = None,
                   cancel: CancelToken | None = None) -> ModelOutputs:
    """``outputs`` (the new model's) with a committee of the new model and ``past`` checkpoints.

    Query by committee in its classic form: models trained on different label sets disagree
    exactly where one more label teaches most. The new model's probabilities come first; each
    earlier checkpoint's come from the cache when it scored these items before.
    """
    layers = [np.asarray(outputs.probs, dtype=np.float32)]
    for member in past:
        scored = score(member.model, x, cache=cache, digest=member.digest, item_ids=item_ids,
                       batch_size=batch_size, device=device,
                       phase="scoring past checkpoints", progress=progress,
                       cancel=cancel)
        layers.append(np.asarray(scored.probs, dtype=np.float32))
    return ModelOutputs(outputs.probs, outputs.embeddings, np.stack(layers))
