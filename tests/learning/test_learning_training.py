"""The training recipe: it learns, it is reproducible, it stops when told to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from alstudio.errors import AlstudioError, Cancelled
from alstudio.jobs import CancelToken, Progress
from alstudio.learning.inference import predict
from alstudio.learning.metrics import roc_auc
from alstudio.learning.training import TrainConfig, collapse_check, train_model

Images = Callable[..., tuple[np.ndarray, np.ndarray]]
Config = Callable[..., TrainConfig]


def test_training_reduces_the_loss_and_learns(images: Images, config: Config) -> None:
    x, y = images(48)
    result = train_model(x, y, 2, config(max_epochs=6, min_steps=36))
    losses = [h["train_loss"] for h in result.history]
    assert losses[-1] < losses[0]
    assert result.n_val > 0 and result.n_train + result.n_val == 48
    assert 1 <= result.best_epoch <= len(result.history)
    assert "val_balanced_accuracy" in result.history[0]
    assert len(result.class_bias) == 2 and abs(sum(result.class_bias)) < 1e-5
    assert not result.collapsed
    assert result.device.startswith("CPU")
    assert result.config.image_size == 28 and result.config.model == "small_cnn"
    probs = predict(result.model, x).probs
    assert roc_auc(y, probs) > 0.9
    # the held-back slice is handed back with the kept model's own probabilities on it
    assert result.val_index.size == result.n_val and result.val_probs.shape == (result.n_val, 2)
    np.testing.assert_allclose(result.val_probs, probs[result.val_index], atol=1e-5)


def test_same_seed_gives_identical_models(images: Images, config: Config) -> None:
    x, y = images(40)
    runs = [predict(train_model(x, y, 2, config(seed=s)).model, x).probs for s in (3, 3, 4)]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_callers_random_state_is_untouched(images: Images, config: Config) -> None:
    x, y = images(20)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    train_model(x, y, 2, config())
    assert torch.equal(torch.rand(3), expected)


def test_memmap_inputs_train_like_arrays(images: Images, config: Config,
                                         tmp_path: Path) -> None:
    x, y = images(40)
    mm = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float32,
                                   shape=x.shape)
    mm[:] = x
    mm.flush()
    mapped = np.load(tmp_path / "x.npy", mmap_mode="r")
    a = predict(train_model(x, y, 2, config()).model, x).probs
    b = predict(train_model(mapped, y, 2, config()).model, mapped).probs
    np.testing.assert_array_equal(a, b)


def test_tiny_label_sets_train_on_everything(images: Images, config: Config) -> None:
    x, y = images(12)
    result = train_model(x, y, 2, config())
    assert result.n_val == 0 and result.n_train == 12
    assert result.val_index.size == 0 and result.val_probs.size == 0
    assert result.best_epoch == len(result.history) == 4
    assert result.class_bias == [0.0, 0.0]  # no slice to re-centre the threshold on
    assert result.history[-1]["steps"] >= 24


def test_balanced_sampler_and_three_classes(images: Images, config: Config) -> None:
    x, y = images(36, classes=3)
    result = train_model(x, y, 3, config(class_balance="sampler", min_val_items=10))
    assert result.model.num_classes == 3
    assert predict(result.model, x).probs.shape == (36, 3)


class CountingArray:
    """Looks like an image array; counts how many batches training reads from it."""

    def __init__(self, data: np.ndarray) -> None:
        self.data = data
        self.shape = data.shape
        self.ndim = data.ndim
        self.reads = 0

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: object) -> np.ndarray:
        self.reads += 1
        return self.data[index]  # type: ignore[index]


def test_cancel_stops_within_one_batch(images: Images, config: Config) -> None:
    x, y = images(40)
    source = CountingArray(x)
    token = CancelToken()
    seen: list[Progress] = []

    def on_progress(step: Progress) -> None:
        seen.append(step)
        token.cancel()  # the first report comes after the first batch

    with pytest.raises(Cancelled):
        train_model(source, y, 2, config(max_epochs=50, min_steps=500),  # type: ignore[arg-type]
                    progress=on_progress, cancel=token)
    assert source.reads == 1
    assert seen[0].phase == "epoch 1/50"


def test_progress_reports_every_epoch(images: Images, config: Config) -> None:
    x, y = images(20)
    phases: list[str] = []
    train_model(x, y, 2, config(), progress=lambda p: phases.append(p.phase))
    assert [f"epoch {i}/4" for i in range(1, 5)] == sorted(set(phases))


def test_collapse_is_detected() -> None:
    truth = np.array([0] * 6 + [1] * 4)
    assert "collapsed" in collapse_check(truth, np.zeros(10, dtype=np.int64))
    assert collapse_check(truth, truth) == ""
    assert collapse_check(np.zeros(10, dtype=np.int64), np.zeros(10, dtype=np.int64)) == ""


def test_bad_inputs_are_explained(images: Images, config: Config) -> None:
    x, y = images(10)
    with pytest.raises(AlstudioError, match="at least two classes"):
        train_model(x, np.zeros(10, dtype=np.int64), 2, config())
    with pytest.raises(AlstudioError, match="labels"):
        train_model(x, y[:5], 2, config())
    with pytest.raises(AlstudioError, match="channel axis"):
        train_model(x[:, 0], y, 2, config())
    with pytest.raises(AlstudioError, match="Labels must lie"):
        train_model(x, y + 1, 2, config())
    with pytest.raises(AlstudioError, match="class balance"):
        train_model(x, y, 2, config(class_balance="magic"))


def test_learns_breastmnist_from_a_small_labeled_set(breastmnist: dict[str, np.ndarray],
                                                      config: Config) -> None:
    x, y = breastmnist["train_x"][:64], breastmnist["train_y"][:64]
    result = train_model(x, y, 2, config(max_epochs=6, min_steps=60))
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]
    assert result.n_val > 0


@pytest.mark.slow
def test_default_recipe_on_breastmnist_beats_chance_clearly(
        breastmnist: dict[str, np.ndarray]) -> None:
    rng = np.random.default_rng(0)
    pick = rng.choice(len(breastmnist["train_y"]), 160, replace=False)
    result = train_model(breastmnist["train_x"][pick], breastmnist["train_y"][pick], 2,
                         TrainConfig(device="cpu"))
    probs = predict(result.model, breastmnist["test_x"]).probs
    assert roc_auc(breastmnist["test_y"], probs) > 0.75
    assert not result.collapsed


@pytest.mark.gpu
def test_cuda_training_with_mixed_precision(images: Images, config: Config) -> None:
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine")
    x, y = images(40)
    result = train_model(x, y, 2, config(device="cuda", amp=True))
    outputs = predict(result.model, x, device=torch.device("cuda"), mc_passes=3)
    assert outputs.probs.shape == (40, 2)
    np.testing.assert_allclose(outputs.probs.sum(axis=1), 1.0, atol=1e-3)
