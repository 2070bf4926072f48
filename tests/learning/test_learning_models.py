"""The model factory: every architecture builds, embeds and classifies at 28 and 64 px."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from alstudio.errors import AlstudioError
from alstudio.learning.models import (
    MODEL_NAMES,
    Classifier,
    build_model,
    default_model_name,
    stem_plan,
)


@pytest.mark.parametrize("size", [28, 64])
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_model_embeds_and_classifies(name: str, size: int) -> None:
    torch.manual_seed(0)
    model = build_model(name, in_channels=1, num_classes=3, image_size=size)
    model.eval()
    x = torch.rand(2, 1, size, size)
    with torch.inference_mode():
        features = model.embed(x)
        logits = model(x)
    assert isinstance(model.head, torch.nn.Linear)
    assert features.shape == (2, model.embed_dim)
    assert logits.shape == (2, 3)
    # forward is exactly head(dropout(embed)): in eval mode dropout is the identity.
    with torch.inference_mode():
        assert torch.allclose(logits, model.head(features), atol=1e-5)


def test_three_channel_inputs_work() -> None:
    model = build_model("small_cnn", in_channels=3, num_classes=2, image_size=32).eval()
    with torch.inference_mode():
        assert model(torch.rand(2, 3, 32, 32)).shape == (2, 2)


def test_dropout_is_active_in_train_mode() -> None:
    torch.manual_seed(0)
    model = build_model("small_cnn", 1, 2, 28, dropout=0.5)
    model.eval()
    model.dropout.train()
    x = torch.rand(4, 1, 28, 28)
    with torch.inference_mode():
        assert not torch.equal(model(x), model(x))


def test_unknown_model_and_bad_shapes_are_explained() -> None:
    with pytest.raises(AlstudioError, match="Unknown model"):
        build_model("vgg99", 1, 2, 28)
    with pytest.raises(AlstudioError, match="at least 2 classes"):
        build_model("small_cnn", 1, 1, 28)


def test_stem_keeps_tiny_images_at_full_resolution() -> None:
    assert stem_plan(28) == (3, 1, False)
    assert stem_plan(64)[1] == 2
    assert stem_plan(224) == (7, 2, True)


def test_default_model_on_cpu_is_the_small_cnn() -> None:
    cpu = torch.device("cpu")
    assert default_model_name(cpu, 28) == "small_cnn"
    assert default_model_name(cpu, 224) == "small_cnn"


def _save(model: Classifier, path: Path) -> None:
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))


def test_initial_weights_are_loaded(tmp_path: Path) -> None:
    torch.manual_seed(1)
    source = build_model("small_cnn", 1, 2, 28)
    _save(source, tmp_path / "w.safetensors")
    torch.manual_seed(2)
    warm = build_model("small_cnn", 1, 2, 28, initial_weights=str(tmp_path / "w.safetensors"))
    for key, value in source.state_dict().items():
        assert torch.equal(value, warm.state_dict()[key])


def test_initial_weights_for_other_classes_keep_a_fresh_head(tmp_path: Path) -> None:
    source = build_model("small_cnn", 1, 5, 28)
    _save(source, tmp_path / "w.safetensors")
    warm = build_model("small_cnn", 1, 2, 28, initial_weights=str(tmp_path / "w.safetensors"))
    assert warm.head.out_features == 2
    assert torch.equal(warm.backbone.body[0].weight, source.backbone.body[0].weight)


def test_initial_weights_of_another_architecture_are_refused(tmp_path: Path) -> None:
    _save(build_model("small_cnn", 3, 2, 28), tmp_path / "w.safetensors")
    with pytest.raises(AlstudioError, match="shape mismatch"):
        build_model("small_cnn", 1, 2, 28, initial_weights=str(tmp_path / "w.safetensors"))
    _save(build_model("resnet18", 1, 2, 28), tmp_path / "r.safetensors")
    with pytest.raises(AlstudioError, match="do not fit"):
        build_model("small_cnn", 1, 2, 28, initial_weights=str(tmp_path / "r.safetensors"))


def test_pickled_initial_weights_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.pt"
    torch.save(build_model("small_cnn", 1, 2, 28).state_dict(), path)
    with pytest.raises(AlstudioError, match="not in safetensors format"):
        build_model("small_cnn", 1, 2, 28, initial_weights=str(path))
    with pytest.raises(AlstudioError, match="Cannot read"):
        build_model("small_cnn", 1, 2, 28, initial_weights=str(tmp_path / "missing"))
