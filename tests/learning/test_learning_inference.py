"""Scoring: shapes, probabilities, MC-dropout committees, ensembles and BADGE embeddings."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from alstudio.errors import AlstudioError, Cancelled
from alstudio.jobs import CancelToken, Progress
from alstudio.learning.inference import (
    ModelOutputs,
    ensemble_committee,
    gradient_embeddings,
    predict,
)
from alstudio.learning.models import Classifier, build_model


def _model(seed: int = 0, classes: int = 3) -> Classifier:
    torch.manual_seed(seed)
    return build_model("small_cnn", 1, classes, 28, dropout=0.3)


def _inputs(n: int = 10) -> np.ndarray:
    return np.random.default_rng(0).random((n, 1, 28, 28), dtype=np.float32)


def test_predict_shapes_and_probabilities() -> None:
    model, x = _model(), _inputs(10)
    out = predict(model, x, batch_size=4)
    assert out.probs.shape == (10, 3) and out.probs.dtype == np.float32
    assert out.embeddings.shape == (10, model.embed_dim)
    assert out.committee is None
    np.testing.assert_allclose(out.probs.sum(axis=1), 1.0, atol=1e-5)
    with torch.inference_mode():
        expected = torch.softmax(model.eval()(torch.from_numpy(x)), dim=1).numpy()
    np.testing.assert_allclose(out.probs, expected, atol=1e-5)


def test_mc_dropout_passes_vary_and_are_seeded() -> None:
    model, x = _model(), _inputs(6)
    out = predict(model, x, mc_passes=5)
    assert out.committee is not None and out.committee.shape == (5, 6, 3)
    np.testing.assert_allclose(out.committee.sum(axis=2), 1.0, atol=1e-5)
    assert not np.allclose(out.committee[0], out.committee[1])
    again = predict(model, x, mc_passes=5).committee
    np.testing.assert_array_equal(out.committee, again)
    other = predict(model, x, mc_passes=5, mc_seed=1).committee
    assert not np.array_equal(out.committee, other)


def test_progress_per_batch_and_cancel_within_one_batch() -> None:
    model, x = _model(), _inputs(10)
    steps: list[Progress] = []
    predict(model, x, batch_size=4, progress=steps.append)
    assert [s.done for s in steps] == [0, 4, 8, 10]
    token = CancelToken()

    def cancel_after_first_batch(step: Progress) -> None:
        if step.done > 0:
            token.cancel()

    seen: list[int] = []
    with pytest.raises(Cancelled):
        predict(model, x, batch_size=4, cancel=token,
                progress=lambda s: (seen.append(s.done), cancel_after_first_batch(s)))
    assert seen == [0, 4]


def test_wrong_channel_count_is_explained() -> None:
    with pytest.raises(AlstudioError, match="1-channel"):
        predict(_model(), np.zeros((2, 3, 28, 28), dtype=np.float32))


def test_ensemble_committee_stacks_checkpoints() -> None:
    x = _inputs(5)
    committee = ensemble_committee([_model(0), _model(1)], x)
    assert committee.shape == (2, 5, 3)
    assert not np.allclose(committee[0], committee[1])
    with pytest.raises(AlstudioError):
        ensemble_committee([], x)


def test_gradient_embeddings_by_hand() -> None:
    outputs = ModelOutputs(probs=np.array([[0.7, 0.3], [0.2, 0.8]], dtype=np.float32),
                           embeddings=np.array([[1.0, 2.0], [3.0, -1.0]], dtype=np.float32))
    g = gradient_embeddings(outputs)
    # item 0: residual (-0.3, 0.3) outer (1, 2); item 1: residual (0.2, -0.2) outer (3, -1)
    np.testing.assert_allclose(g, [[-0.3, -0.6, 0.3, 0.6], [0.6, -0.2, -0.6, 0.2]], atol=1e-6)
    with pytest.raises(AlstudioError, match="smaller candidate subset"):
        gradient_embeddings(outputs, max_bytes=8)
