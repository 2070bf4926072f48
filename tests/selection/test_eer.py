"""Approximate expected error reduction: the vectorised update against a direct one."""

from __future__ import annotations

import numpy as np
import pytest

from alstudio.errors import AlstudioError
from alstudio.selection import select
from alstudio.selection.base import RunContext
from alstudio.selection.eer import (
    expected_error,
    expected_errors,
    fit_softmax_head,
    head_loss_grad,
    influence_logit_updates,
    softmax,
)
from tests.selection.conftest import SmallPool


def _data(pool: SmallPool) -> tuple[np.ndarray, ...]:
    e = pool.embeddings.astype(np.float64)
    x = np.hstack([(e - e.mean(0)) / e.std(0), np.ones((len(e), 1))])  # as the strategy does
    lab = np.flatnonzero(pool.labeled)
    return x[lab], pool.labels[lab], x[:20], x[100:300]


def test_gradient_matches_finite_differences(pool: SmallPool) -> None:
    xl, y, _, _ = _data(pool)
    w = np.random.default_rng(0).standard_normal((4, xl.shape[1])) * 0.1
    _, g = head_loss_grad(w, xl, y, 0.1)
    for i, j in [(0, 0), (2, 5), (3, xl.shape[1] - 1)]:
        e = np.zeros_like(w)
        e[i, j] = 1e-6
        num = (head_loss_grad(w + e, xl, y, 0.1)[0] - head_loss_grad(w - e, xl, y, 0.1)[0]) / 2e-6
        assert g[i, j] == pytest.approx(num, rel=1e-5, abs=1e-8)


def test_head_fit_reaches_a_stationary_point(pool: SmallPool) -> None:
    xl, y, _, _ = _data(pool)
    w = fit_softmax_head(xl, y, 4, 1e-2)
    assert np.abs(head_loss_grad(w, xl, y, 1e-2)[1]).max() < 1e-6


def test_vectorised_updates_equal_direct_newton_steps(pool: SmallPool) -> None:
    xl, y, xs, xu = _data(pool)
    l2, n = 1e-2, xl.shape[0]
    w = fit_softmax_head(xl, y, 4, l2)
    pl = softmax(xl @ w.T)
    a = xl.T @ xl / n + l2 * np.eye(xl.shape[1])
    b = np.diag(pl.mean(0)) - pl.T @ pl / n + 1e-3 * np.eye(4)
    weights = softmax(np.random.default_rng(0).standard_normal((20, 4)))
    err_now, expected = expected_errors(xl, y, xs, xu, weights, 4, l2, RunContext())
    infl, r = influence_logit_updates(xl, w, xs, xu, l2)
    assert err_now == pytest.approx(float(expected_error(xu @ w.T)))
    for s in (0, 7, 19):
        p_s = softmax(xs[s] @ w.T)
        direct = 0.0
        for lab in range(4):
            dw = -np.outer(np.linalg.solve(b, p_s - np.eye(4)[lab]),
                           np.linalg.solve(a, xs[s])) / (n + 1)
            new_logits = xu @ (w + dw).T
            np.testing.assert_allclose(new_logits, xu @ w.T + infl[:, s, None] * r[s, lab],
                                       atol=1e-10)
            direct += weights[s, lab] * float(expected_error(new_logits))
        assert expected[s] == pytest.approx(direct, rel=1e-9)


def test_eer_strategy(pool: SmallPool) -> None:
    kw = {"probs": pool.probs, "embeddings": pool.embeddings, "labeled": pool.labeled,
          "labels": pool.labels, "candidate_sample": 50, "pool_sample": 100}
    sel = select("eer", k=5, **kw)
    assert len(sel) == 5 and not pool.labeled[sel.indices].any()
    assert np.all(np.diff(sel.scores) <= 0)
    assert "50 of 370 candidates" in sel.explanation and "100 of 400" in sel.explanation
    np.testing.assert_array_equal(sel.indices, select("eer", k=5, **kw).indices)


def test_eer_needs_labels_for_labeled_items(pool: SmallPool) -> None:
    with pytest.raises(AlstudioError, match="labels"):
        select("eer", k=5, probs=pool.probs, embeddings=pool.embeddings, labeled=pool.labeled)
    bad = pool.labels.copy()
    bad[np.flatnonzero(pool.labeled)[0]] = -1
    with pytest.raises(AlstudioError, match="no valid label"):
        select("eer", k=5, probs=pool.probs, embeddings=pool.embeddings,
               labeled=pool.labeled, labels=bad)
