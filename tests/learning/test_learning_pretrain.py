"""Contrastive pretraining of the encoder on unlabeled images, and fine-tuning from it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from alstudio.errors import AlstudioError
from alstudio.learning.checkpoints import checkpoint_from_bytes
from alstudio.learning.pretrain import (
    PretrainConfig,
    encoder_features,
    encoder_from_bytes,
    encoder_to_bytes,
    nt_xent,
    pretrain,
)
from alstudio.learning.training import train_model
from tests.learning.conftest import fast_config, separable_images

TINY = PretrainConfig(epochs=2, batch_size=16, num_threads=1)


def test_nt_xent_prefers_matching_views() -> None:
    z = torch.randn(8, 16)
    assert nt_xent(z, z.clone(), 0.2) < nt_xent(z, torch.randn(8, 16), 0.2)


def test_pretraining_changes_weights_round_trips_and_resumes(tmp_path: Path) -> None:
    x, _ = separable_images(n=48)
    fresh = pretrain(x, PretrainConfig(epochs=0, batch_size=16, num_threads=1))
    before = {k: v.clone() for k, v in fresh.model.state_dict().items()}
    enc = pretrain(x, TINY)
    after = enc.model.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before if "weight" in k)
    assert enc.epochs_done == 2 and len(enc.history) == 2 and np.isfinite(enc.history).all()

    blob = encoder_to_bytes(enc, TINY)
    again = encoder_from_bytes(blob)
    for key, value in enc.model.state_dict().items():
        assert torch.equal(value, again.model.state_dict()[key])
    np.testing.assert_allclose(encoder_features(again, x), encoder_features(enc, x), atol=1e-6)
    resumed = pretrain(x, TINY, encoder=again)
    assert resumed.epochs_done == 4 and len(resumed.history) == 4
    with pytest.raises(AlstudioError, match=r"do not fit|unexpected"):
        checkpoint_from_bytes(blob)  # never mistaken for a classifier checkpoint


def test_fine_tuning_starts_from_the_encoder(tmp_path: Path) -> None:
    x, y = separable_images(n=48)
    enc = pretrain(x, TINY)
    path = tmp_path / "encoder.safetensors"
    path.write_bytes(encoder_to_bytes(enc, TINY))
    cfg = fast_config(max_epochs=1, min_steps=1, initial_weights=str(path), ema_decay=0.0,
                      lr=1e-9)
    trained = train_model(x, y, 2, cfg)
    stem = "backbone.body.0.weight"
    assert torch.allclose(trained.model.state_dict()[stem], enc.model.state_dict()[stem],
                          atol=1e-5)
    scratch = train_model(x, y, 2, fast_config(max_epochs=1, min_steps=1, ema_decay=0.0,
                                               lr=1e-9))
    assert not torch.allclose(scratch.model.state_dict()[stem], enc.model.state_dict()[stem])


def test_semi_supervised_training_uses_unlabeled_images() -> None:
    x, y = separable_images(n=120)
    labeled = np.arange(24)
    cfg = fast_config(pseudo_threshold=0.5)
    trained = train_model(x[labeled], y[labeled], 2, cfg, unlabeled=(x, np.arange(24, 120)))
    assert trained.pseudo_labels_used > 0
    plain = train_model(x[labeled], y[labeled], 2, cfg)
    assert plain.pseudo_labels_used == 0
    assert not torch.equal(next(iter(trained.model.state_dict().values())),
                           next(iter(plain.model.state_dict().values())))


def test_strong_colour_views_pretrain_a_colour_encoder_and_are_recorded() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((32, 3, 16, 16), dtype=np.float32)
    config = PretrainConfig(epochs=1, batch_size=16, num_threads=1, colour="strong")
    encoder = pretrain(x, config)
    assert encoder.epochs_done == 1 and np.isfinite(encoder.history[-1])
    mild = pretrain(x, PretrainConfig(epochs=1, batch_size=16, num_threads=1))
    assert encoder.history[-1] != mild.history[-1]  # other views, another loss
    with pytest.raises(AlstudioError, match="Unknown colour jitter 'neon'"):
        PretrainConfig(colour="neon")
