"""Scoring apart from ranking: each checkpoint scores each item set once, then reads it back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from alstudio.engine import ScoreCache, StoredModel, score, with_committee
from alstudio.learning.checkpoints import checkpoint_digest, checkpoint_to_bytes
from alstudio.learning.models import Classifier, build_model


def _model(seed: int = 0) -> Classifier:
    torch.manual_seed(seed)
    return build_model("small_cnn", 1, 3, 28, dropout=0.3)


def _inputs(n: int = 12) -> np.ndarray:
    return np.random.default_rng(0).random((n, 1, 28, 28), dtype=np.float32)


def _digest(model: Classifier) -> str:
    return checkpoint_digest(checkpoint_to_bytes(model, {"classes": ["a", "b", "c"]}))


def _scramble(model: Classifier) -> None:
    """Change the weights in place: any output computed afterwards differs."""
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(1.0)


def test_a_second_scoring_with_the_same_checkpoint_reads_the_cache(tmp_path: Path) -> None:
    model, x, ids = _model(), _inputs(), np.arange(100, 112)
    digest = _digest(model)
    cache = ScoreCache(tmp_path / "outputs")
    first = score(model, x, cache=cache, digest=digest, item_ids=ids, batch_size=5)
    assert (cache.hits, cache.misses) == (0, 1)
    _scramble(model)  # were the model run again, the outputs would change
    again = score(model, x, cache=cache, digest=digest, item_ids=ids, batch_size=5)
    assert (cache.hits, cache.misses) == (1, 1)
    np.testing.assert_array_equal(again.probs, first.probs)
    np.testing.assert_array_equal(again.embeddings, first.embeddings)

    # A subset of those items, in another order, is answered by row lookup.
    subset = ids[[7, 2, 5]]
    part = score(model, x[[7, 2, 5]], cache=cache, digest=digest, item_ids=subset)
    assert cache.hits == 2
    np.testing.assert_array_equal(part.probs, first.probs[[7, 2, 5]])

    # Another checkpoint, or an item the checkpoint never saw, runs the model.
    fresh = score(model, x, cache=cache, digest="f" * 64, item_ids=ids)
    assert cache.misses == 2 and not np.allclose(fresh.probs, first.probs)
    assert ScoreCache(tmp_path / "outputs").lookup(digest, [100, 999]) is None


def test_mc_dropout_committees_are_cached_only_for_the_same_request(tmp_path: Path) -> None:
    model, x, ids = _model(), _inputs(), np.arange(12)
    digest = _digest(model)
    cache = ScoreCache(tmp_path)
    first = score(model, x, cache=cache, digest=digest, item_ids=ids, mc_passes=4, mc_seed=1)
    assert first.committee is not None and first.committee.shape == (4, 12, 3)
    again = score(model, x, cache=cache, digest=digest, item_ids=ids, mc_passes=4, mc_seed=1)
    np.testing.assert_array_equal(again.committee, first.committee)
    assert cache.lookup(digest, ids, mc_passes=4, mc_seed=2) is None  # other masks
    assert cache.lookup(digest, ids[:5], mc_passes=4, mc_seed=1) is None  # no subsets
    plain = cache.lookup(digest, ids[:5])  # probabilities alone: any entry serves
    assert plain is not None and plain.committee is None


def test_a_past_checkpoint_in_a_committee_is_scored_once(tmp_path: Path) -> None:
    new, old, x, ids = _model(0), _model(1), _inputs(), np.arange(12)
    cache = ScoreCache(tmp_path)
    member = StoredModel(_digest(old), old)
    own = score(new, x)
    voted = with_committee(own, [member], x, cache=cache, item_ids=ids)
    assert voted.committee is not None and voted.committee.shape == (2, 12, 3)
    np.testing.assert_array_equal(voted.committee[0], own.probs)
    _scramble(old)
    again = with_committee(own, [member], x, cache=cache, item_ids=ids)
    assert cache.hits == 1
    np.testing.assert_array_equal(again.committee, voted.committee)
