"""Validated model outputs for one pool: what every strategy reads.

Callers hand over numpy arrays or torch tensors in whatever dtype their model produced. This
module checks shapes once, turns everything into float32 C-contiguous numpy arrays (the layout
the BLAS kernels stream fastest, and half the bytes of float64), and keeps a CUDA tensor of
embeddings on its device for the strategies that can run there.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from alstudio.errors import AlstudioError

ArrayLike = Any  # numpy array or torch tensor


def _is_tensor(x: object) -> bool:
    return isinstance(x, torch.Tensor)


def to_numpy(x: ArrayLike, dtype: type | None = None) -> np.ndarray:
    """A C-contiguous numpy array; copies only when dtype, layout or device require it."""
    if _is_tensor(x):
        x = x.detach()
        if x.device.type != "cpu":
            x = x.cpu()
        x = x.numpy()
    return np.ascontiguousarray(x, dtype=dtype)


def _mask(x: ArrayLike | None, n: int, what: str) -> np.ndarray | None:
    if x is None:
        return None
    m = to_numpy(x)
    if m.dtype != np.bool_:
        raise AlstudioError(
            f"{what} must be a boolean mask over the pool, got dtype {m.dtype}.",
            hint=f"Pass a bool array of length {n} (True = {what.split()[0]} item).",
        )
    if m.shape != (n,):
        raise AlstudioError(f"{what} has shape {m.shape}, expected ({n},).",
                            hint="It must have one entry per pool item.")
    return m


def all_finite(a: np.ndarray) -> bool:
    """np.isfinite(a).all() without a full-size boolean temporary."""
    flat = a.reshape(a.shape[0], -1) if a.ndim > 1 else a.reshape(-1, 1)
    step = max(1, (1 << 22) // max(1, flat.shape[1]))
    return all(np.isfinite(flat[s:s + step]).all() for s in range(0, flat.shape[0], step))


def check_probs(p: np.ndarray, what: str = "probs") -> None:
    """Reject non-finite values and logits passed where probabilities belong.

    Only a strided sample of rows is summed: a full check would cost as much as entropy itself.
    """
    if p.shape[-1] < 2:
        raise AlstudioError(f"{what} has {p.shape[-1]} class column(s); at least 2 are needed.")
    if not all_finite(p):
        raise AlstudioError(f"{what} contains NaN or infinite values.",
                            hint="Check the model outputs for this pool.")
    flat = p.reshape(-1, p.shape[-1])
    sample = flat[:: max(1, flat.shape[0] // 1024)]
    if (sample < 0).any() or not np.allclose(sample.sum(axis=1), 1.0, atol=1e-3):
        raise AlstudioError(f"{what} rows do not sum to 1; these look like logits.",
                            hint="Apply a softmax over the class axis before selecting.")


class Pool:
    """Inputs of one selection call, validated and in the layout the strategies expect.

    ``candidates`` never includes a labeled item. ``embeddings`` is always numpy (converted from
    a device tensor on first use); ``embeddings_device`` keeps a CUDA tensor as given.
    """

    def __init__(self, *, probs: ArrayLike | None = None, embeddings: ArrayLike | None = None,
                 committee: ArrayLike | None = None, labeled: ArrayLike | None = None,
                 candidates: ArrayLike | None = None, labels: ArrayLike | None = None,
                 n: int | None = None) -> None:
        self.n = self._infer_n(probs, embeddings, committee, labeled, candidates, labels, n)
        n = self.n
        self.probs: np.ndarray | None = None
        if probs is not None:
            self.probs = to_numpy(probs, np.float32)
            self._shape(self.probs, 2, "probs", "(N, C) softmax probabilities")
            check_probs(self.probs)
        self.embeddings_device: torch.Tensor | None = None
        self._embeddings: np.ndarray | None = None
        if embeddings is not None:
            if _is_tensor(embeddings) and embeddings.device.type != "cpu":
                self.embeddings_device = embeddings.detach().float().contiguous()
                self._shape(self.embeddings_device, 2, "embeddings", "(N, d) features")
            else:
                self._embeddings = to_numpy(embeddings, np.float32)
                self._shape(self._embeddings, 2, "embeddings", "(N, d) features")
                if not all_finite(self._embeddings):
                    raise AlstudioError("embeddings contain NaN or infinite values.",
                                        hint="Check the model's feature extractor.")
        self.committee: np.ndarray | None = None
        if committee is not None:
            self.committee = to_numpy(committee, np.float32)
            if self.committee.ndim != 3 or self.committee.shape[1] != n:
                raise AlstudioError(
                    f"committee has shape {self.committee.shape}, expected (M, {n}, C).",
                    hint="Stack the members' (N, C) probabilities along a new first axis.")
            check_probs(self.committee, "committee")
        lab = _mask(labeled, n, "labeled mask")
        self.labeled = lab if lab is not None else np.zeros(n, dtype=bool)
        cand = _mask(candidates, n, "candidates mask")
        self.candidates = ~self.labeled if cand is None else cand & ~self.labeled
        self.labels: np.ndarray | None = None
        if labels is not None:
            self.labels = to_numpy(labels, np.int64)
            self._shape(self.labels, 1, "labels", "(N,) class ids, -1 where unlabeled")
        self._given = {"probs": probs is not None, "embeddings": embeddings is not None,
                       "committee": committee is not None, "labels": labels is not None}

    @staticmethod
    def _infer_n(*arrays: Any) -> int:
        *inputs, n = arrays
        for a in inputs:
            if a is not None:
                shape = tuple(a.shape)
                return int(shape[1] if len(shape) == 3 else shape[0])
        if n is None:
            raise AlstudioError("No pool inputs given, so the pool size is unknown.",
                                hint="Pass at least probs, embeddings or a labeled mask.")
        return int(n)

    def _shape(self, a: Any, ndim: int, name: str, expected: str) -> None:
        if a.ndim != ndim or a.shape[0] != self.n:
            raise AlstudioError(f"{name} has shape {tuple(a.shape)}; expected {expected} "
                                f"with N = {self.n}.",
                                hint="All inputs must describe the same pool, row for row.")

    def has(self, name: str) -> bool:
        """Whether input ``name`` ("probs", "embeddings", ...) was given."""
        return self._given.get(name, False)

    @property
    def embeddings(self) -> np.ndarray:
        """The embeddings as float32 numpy (copied from the device once when given on CUDA)."""
        if self._embeddings is None:
            if self.embeddings_device is None:
                raise AlstudioError("embeddings were not given.")
            self._embeddings = to_numpy(self.embeddings_device, np.float32)
        return self._embeddings

    @property
    def on_device(self) -> bool:
        """True when the embeddings live on an accelerator (the strategies use torch there)."""
        return self.embeddings_device is not None

    @property
    def n_classes(self) -> int:
        if self.probs is not None:
            return int(self.probs.shape[1])
        if self.committee is not None:
            return int(self.committee.shape[2])
        raise AlstudioError("The number of classes is unknown without probs or committee.")

    def candidate_indices(self) -> np.ndarray:
        """Pool indices that may be picked, ascending."""
        return np.flatnonzero(self.candidates)

    def labeled_indices(self) -> np.ndarray:
        return np.flatnonzero(self.labeled)
