"""Expected error reduction (Roy & McCallum, 2001), approximated so it runs in seconds.

Exact EER retrains the model once per candidate and hypothetical label: N·C trainings per
round. We approximate it in three documented ways:

1. the model is a linear softmax head fitted (L2-regularised, L-BFGS) on the labeled items'
   standardised embeddings, standing in for the network's last layer;
2. "retraining" with one more item (x, y) is one Newton step from the fitted head (the
   influence-function approximation), with the Hessian in Kronecker form B ⊗ A (A: feature
   second moment, B: mean softmax covariance; as K-FAC does), so a hypothetical update is
   rank one: ΔW = -(1/(n+1)) B⁻¹(p_x - e_y)(A⁻¹x)ᵀ and every updated logit is an outer product;
3. only ``candidate_sample`` candidates are scored (and at most ``fit_sample`` labeled
   items fit the head), and the expected error (mean of
   1 - max p, the model's own estimate of its 0/1 error) is averaged over ``pool_sample``
   pool items, both drawn with the seed.

Each hypothetical label y is weighted by the *network's* probability p(y | x) from ``probs``.
The score is the expected drop in estimated error; higher is better.
"""

from __future__ import annotations

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.jobs import check, report
from alstudio.selection.base import RunContext, Selection, Strategy
from alstudio.selection.catalogue import register
from alstudio.selection.pool import Pool
from alstudio.selection.ranking import fmt, top_k


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, shifted for stability."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return np.asarray(e)


def head_loss_grad(w: np.ndarray, x: np.ndarray, y: np.ndarray,
                   l2: float) -> tuple[float, np.ndarray]:
    """Mean cross-entropy + (l2/2)|W|² (bias column unpenalised) and its gradient."""
    z = x @ w.T
    z -= z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=1))
    rows = np.arange(x.shape[0])
    loss = float(np.mean(lse - z[rows, y]))
    p = np.exp(z - lse[:, None])
    p[rows, y] -= 1.0
    grad = p.T @ x / x.shape[0]
    wb = w.copy()
    wb[:, -1] = 0.0
    return loss + 0.5 * l2 * float((wb * wb).sum()), grad + l2 * wb


def fit_softmax_head(x: np.ndarray, y: np.ndarray, n_classes: int, l2: float,
                     max_iter: int = 500, tol: float = 1e-8) -> np.ndarray:
    """Weights (C, d) of an L2-regularised multinomial logistic regression; x has a 1 column.

    A plain L-BFGS (10 pairs, Armijo backtracking) in numpy float64: the problem is small and
    convex, and single-threaded numpy avoids thread hand-off costs on tiny tensors.
    """
    w = np.zeros((n_classes, x.shape[1]))
    f, g = head_loss_grad(w, x, y, l2)
    s_hist: list[np.ndarray] = []
    y_hist: list[np.ndarray] = []
    for _ in range(max_iter):
        if np.abs(g).max() < tol:
            break
        q = g.copy()
        alphas = []
        for s_i, y_i in zip(reversed(s_hist), reversed(y_hist), strict=True):
            a = float((s_i * q).sum()) / float((y_i * s_i).sum())
            alphas.append(a)
            q -= a * y_i
        if s_hist:
            q *= float((s_hist[-1] * y_hist[-1]).sum()) / float((y_hist[-1] ** 2).sum())
        for (s_i, y_i), a in zip(zip(s_hist, y_hist, strict=True), reversed(alphas), strict=True):
            q += (a - float((y_i * q).sum()) / float((y_i * s_i).sum())) * s_i
        step, slope = 1.0, -float((g * q).sum())
        if slope >= 0:  # not a descent direction: restart from the gradient
            s_hist.clear()
            y_hist.clear()
            q, slope = g.copy(), -float((g * g).sum())
        while True:
            w_new = w - step * q
            f_new, g_new = head_loss_grad(w_new, x, y, l2)
            if f_new <= f + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s_i, y_i = w_new - w, g_new - g
        if float((s_i * y_i).sum()) > 1e-12:
            s_hist.append(s_i)
            y_hist.append(y_i)
            if len(s_hist) > 10:
                s_hist.pop(0)
                y_hist.pop(0)
        converged = abs(f - f_new) <= 1e-14 * max(1.0, abs(f))
        w, f, g = w_new, f_new, g_new
        if converged:
            break
    return w


def expected_error(logits: np.ndarray) -> np.ndarray:
    """Mean of 1 - max softmax over the last-but-one axis."""
    return np.asarray(1.0 - softmax(logits).max(axis=-1).mean(axis=-1))


def influence_logit_updates(xl: np.ndarray, w: np.ndarray, xs: np.ndarray, xu: np.ndarray,
                            l2: float) -> tuple[np.ndarray, np.ndarray]:
    """The rank-one factors of every hypothetical update, from the K-FAC Newton step.

    Returns ``infl`` (U, S) and ``r`` (S, C, C) such that the pool logits after adding
    candidate s with label y are ``xu @ w.T + infl[:, s, None] * r[s, y]``.
    """
    n, c = xl.shape[0], w.shape[0]
    pl = softmax(xl @ w.T)
    a_mat = xl.T @ xl / n + l2 * np.eye(xl.shape[1])
    b_mat = np.diag(pl.mean(0)) - pl.T @ pl / n + 1e-3 * np.eye(c)
    ps = softmax(xs @ w.T)  # the head's view of each candidate
    infl = xu @ np.linalg.solve(a_mat, xs.T) * (-1.0 / (n + 1))  # (U, S)
    b_inv = np.linalg.inv(b_mat)
    r = (ps @ b_inv.T)[:, None, :] - b_inv.T[None, :, :]  # r[s, y] = B^-1 (p_s - e_y)
    return infl, r


def expected_errors(xl: np.ndarray, y: np.ndarray, xs: np.ndarray, xu: np.ndarray,
                    weights: np.ndarray, n_classes: int, l2: float,
                    ctx: RunContext) -> tuple[float, np.ndarray]:
    """Current estimated error and, per candidate, the label-weighted error after its update."""
    w = fit_softmax_head(xl, y, n_classes, l2)
    check(ctx.cancel)
    infl, r = influence_logit_updates(xl, w, xs, xu, l2)
    lu = xu @ w.T
    err_now = float(expected_error(lu))
    expected = np.empty(xs.shape[0])
    blk = 16
    for s0 in range(0, xs.shape[0], blk):
        check(ctx.cancel)
        # logits[b, y, u, :] = lu[u] + infl[u, b] * r[b, y]
        delta = infl[:, s0:s0 + blk].T[:, None, :, None] * r[s0:s0 + blk, :, None, :]
        err = expected_error(lu[None, None] + delta)  # (b, C)
        expected[s0:s0 + blk] = (weights[s0:s0 + blk] * err).sum(1)
        report(ctx.progress, "eer: scoring", min(s0 + blk, xs.shape[0]), xs.shape[0])
    return err_now, expected


@register
class ExpectedErrorReduction(Strategy):
    """Pick the items whose label is expected to lower the estimated error most."""

    name = "eer"
    title = "Expected error reduction (approximate)"
    needs = frozenset({"probs", "embeddings", "labels"})

    def run(self, pool: Pool, k: int, ctx: RunContext, *, candidate_sample: int = 200,
            pool_sample: int = 2000, fit_sample: int = 20000,
            l2: float = 1e-2) -> Selection:
        assert pool.probs is not None and pool.labels is not None
        lab = pool.labeled_indices()
        c = pool.n_classes
        y = pool.labels[lab]
        if lab.size == 0:
            raise AlstudioError("Expected error reduction needs labeled items to fit a model.",
                                hint="Start with 'coreset' or 'random' (or 'auto').")
        if ((y < 0) | (y >= c)).any():
            raise AlstudioError(
                f"Some labeled items have no valid label (labels must be 0..{c - 1}).",
                hint="Pass labels with the class id of every labeled item (-1 elsewhere).")
        rng = ctx.rng()
        n_lab = lab.size
        if n_lab > fit_sample:
            keep = np.sort(rng.choice(n_lab, size=fit_sample, replace=False))
            lab, y = lab[keep], y[keep]
        cand = pool.candidate_indices()
        s_idx = np.sort(rng.choice(cand, size=min(cand.size, max(candidate_sample, k)),
                                   replace=False))
        u_idx = np.sort(rng.choice(pool.n, size=min(pool.n, pool_sample), replace=False))
        emb = pool.embeddings
        mu = emb[u_idx].mean(axis=0, dtype=np.float64)
        sd = emb[u_idx].std(axis=0, dtype=np.float64) + 1e-6

        def feats(idx: np.ndarray) -> np.ndarray:
            z = (emb[idx].astype(np.float64) - mu) / sd
            return np.hstack([z, np.ones((idx.size, 1))])

        report(ctx.progress, "eer: fitting head", 0, None)
        weights = pool.probs[s_idx].astype(np.float64)
        err_now, expected = expected_errors(feats(lab), y, feats(s_idx),
                                            feats(u_idx), weights, c, l2, ctx)
        gain = err_now - expected
        order = top_k(gain, k)
        picks = s_idx[order]
        reasons = [f"expected error {fmt(err_now)} → {fmt(err_now - gain[o])} if labeled"
                   for o in order]
        approx = []
        if lab.size < n_lab:
            approx.append(f"head fitted on {lab.size} of {n_lab} labeled items")
        if s_idx.size < cand.size:
            approx.append(f"{s_idx.size} of {cand.size} candidates scored")
        if u_idx.size < pool.n:
            approx.append(f"error estimated on {u_idx.size} of {pool.n} pool items")
        explanation = ("Approximate EER: linear head on the embeddings, one Newton step per "
                       "hypothetical label" + (f"; {'; '.join(approx)} (random subsample)."
                                                if approx else "."))
        return Selection(picks, gain[order], reasons, self.name, explanation)
