"""Last-layer gradient embeddings and expected gradient length (EGL).

For a linear softmax head on features h, the gradient of the cross-entropy loss with respect
to the head's weights, for label y, is the outer product (p - e_y) ⊗ h. Its size factorises:
|(p - e_y) ⊗ h| = |p - e_y|·|h|, and inner products of two such gradients factorise too:
<(a ⊗ h), (b ⊗ h')> = <a, b>·<h, h'>. BADGE and EGL therefore never need the N x (C·d)
matrix; :func:`gradient_embeddings` builds it only for small pools, for tests and inspection.
"""

from __future__ import annotations

import numpy as np

from alstudio.selection.base import RunContext, Selection, Strategy
from alstudio.selection.catalogue import register
from alstudio.selection.pool import ArrayLike, Pool, to_numpy
from alstudio.selection.ranking import fmt, top_k
from alstudio.selection.uncertainty import apply_density, with_typicality


def pseudo_residual(probs: np.ndarray) -> np.ndarray:
    """p - onehot(argmax p): the loss gradient w.r.t. the logits if the prediction is right.

    BADGE uses the predicted class as the hypothetical label; ties go to the lowest class.
    """
    q = probs.astype(np.float32, copy=True)
    q[np.arange(q.shape[0]), probs.argmax(axis=1)] -= np.float32(1.0)
    return q


def gradient_embeddings(probs: ArrayLike, embeddings: ArrayLike) -> np.ndarray:
    """The explicit (N, C·d) gradient embeddings (p_i - e_ŷi) ⊗ h_i, float32.

    Row i is the flattened C x d outer product, class-major. Memory is N·C·d·4 bytes: meant
    for small pools; the strategies themselves use the factorised form.
    """
    p = to_numpy(probs, np.float32)
    h = to_numpy(embeddings, np.float32)
    q = pseudo_residual(p)
    return np.asarray(np.einsum("nc,nd->ncd", q, h).reshape(p.shape[0], -1))


def expected_gradient_length(probs: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
    """Σ_y p_y·|p - e_y|·|h| per item, with |p - e_y|² = |p|² - p_y² + (1 - p_y)².

    Computed in float64: for a confident item |p - e_y| is a small difference of numbers
    near 1, which float32 would round away.
    """
    p64 = probs.astype(np.float64)
    pp = np.einsum("ij,ij->i", p64, p64)
    r = pp[:, None] - p64 * p64 + (1.0 - p64) ** 2
    np.maximum(r, 0.0, out=r)
    np.sqrt(r, out=r)
    r *= p64
    hn = np.sqrt(np.einsum("ij,ij->i", embeddings, embeddings, dtype=np.float64))
    return np.asarray((r.sum(axis=1) * hn).astype(np.float32))


@register
class ExpectedGradientLength(Strategy):
    """Items whose label would change the last layer most, in expectation under the model."""

    name = "egl"
    title = "Expected gradient length of the last layer"
    needs = frozenset({"probs", "embeddings"})

    def run(self, pool: Pool, k: int, ctx: RunContext, *,
            density_weight: float = 0.0) -> Selection:
        assert pool.probs is not None
        raw = expected_gradient_length(pool.probs, pool.embeddings)
        scores = raw.copy() if density_weight else raw
        dens = apply_density(scores, pool, density_weight)
        idx = top_k(scores, k, pool.candidates)
        reasons = [f"expected gradient length {fmt(float(raw[i]))}" for i in idx]
        reasons = with_typicality(reasons, idx, dens)
        return Selection(idx, scores[idx].astype(np.float64), reasons, self.name)
