"""select(): inputs, errors a user can act on, determinism, threads, progress and cancel."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info

from alstudio.errors import AlstudioError, Cancelled
from alstudio.jobs import CancelToken, Progress
from alstudio.selection import DEFAULT_STRATEGY, STRATEGIES, Selection, limit_threads, select
from tests.selection.conftest import SmallPool


def _all_inputs(pool: SmallPool) -> dict:
    return {"probs": pool.probs, "embeddings": pool.embeddings, "committee": pool.committee,
            "labeled": pool.labeled, "labels": pool.labels}


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_respects_labeled_and_candidates(pool: SmallPool, name: str) -> None:
    cand = np.zeros(len(pool.probs), dtype=bool)
    cand[::3] = True
    sel = select(name, k=12, candidates=cand, seed=1, **_all_inputs(pool))
    assert isinstance(sel, Selection) and len(sel) == 12 == len(sel.reasons) == len(sel.scores)
    assert len(set(sel.indices.tolist())) == 12
    assert cand[sel.indices].all() and not pool.labeled[sel.indices].any()
    again = select(name, k=12, candidates=cand, seed=1, **_all_inputs(pool))
    np.testing.assert_array_equal(sel.indices, again.indices)
    few = select(name, k=10_000, candidates=cand, seed=1, **_all_inputs(pool))
    assert sorted(few.indices) == list(np.flatnonzero(cand & ~pool.labeled))


def test_missing_input_is_named(pool: SmallPool) -> None:
    with pytest.raises(AlstudioError, match="'badge' needs embeddings"):
        select("badge", k=3, probs=pool.probs)
    with pytest.raises(AlstudioError, match="needs probs, embeddings"):
        select("coreset_uncertainty", k=3, labeled=pool.labeled)
    with pytest.raises(AlstudioError, match="needs committee"):
        select("bald", k=3, probs=pool.probs)


def test_bad_names_params_and_inputs(pool: SmallPool) -> None:
    with pytest.raises(AlstudioError, match="Unknown selection strategy"):
        select("nope", k=3, probs=pool.probs)
    with pytest.raises(AlstudioError, match="no parameter 'densty_weight'"):
        select("entropy", k=3, probs=pool.probs, densty_weight=1.0)
    with pytest.raises(AlstudioError, match="logits"):
        select("entropy", k=3, probs=np.log(pool.probs))
    with pytest.raises(AlstudioError, match="boolean mask"):
        select("entropy", k=3, probs=pool.probs, labeled=pool.labeled.astype(int))
    with pytest.raises(AlstudioError, match="same pool"):
        select("coreset", k=3, probs=pool.probs, embeddings=pool.embeddings[:10])
    nan = pool.probs.copy()
    nan[3, 1] = np.nan
    with pytest.raises(AlstudioError, match="NaN"):
        select("margin", k=3, probs=nan)


def test_torch_inputs_and_defaults(pool: SmallPool) -> None:
    a = select(k=7, probs=torch.from_numpy(pool.probs).double(),
               embeddings=torch.from_numpy(pool.embeddings), labeled=torch.from_numpy(pool.labeled))
    b = select(DEFAULT_STRATEGY, k=7, probs=pool.probs, embeddings=pool.embeddings,
               labeled=pool.labeled)
    np.testing.assert_array_equal(a.indices, b.indices)
    assert a.strategy == "coreset_uncertainty"
    empty = select("margin", k=5, probs=pool.probs, labeled=np.ones(len(pool.probs), bool))
    assert len(empty) == 0 and "No candidates" in empty.explanation


def test_threads_are_capped_and_restored(pool: SmallPool) -> None:
    before = torch.get_num_threads()
    with limit_threads(1):
        assert torch.get_num_threads() == 1
        assert all(i["num_threads"] == 1 for i in threadpool_info())
    assert torch.get_num_threads() == before
    select("coreset", k=5, embeddings=pool.embeddings, threads=1)


def test_progress_and_cancel(pool: SmallPool) -> None:
    seen: list[Progress] = []
    select("coreset", k=50, embeddings=pool.embeddings, labeled=pool.labeled,
           progress=seen.append)
    assert seen and seen[-1].done == seen[-1].total == 50
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        select("badge", k=50, probs=pool.probs, embeddings=pool.embeddings, cancel=token)


def test_strategy_metadata() -> None:
    assert STRATEGIES["coreset"].needs == {"embeddings"}
    assert STRATEGIES["badge"].needs == {"probs", "embeddings"}
    assert STRATEGIES["coreset_uncertainty"].parameters()["shortlist_factor"] == 10.0
    assert all(s.title for s in STRATEGIES.values())
