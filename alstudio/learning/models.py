"""The classifiers alstudio trains, built from MONAI networks behind one small interface.

Selection strategies need three things from any model: class probabilities, penultimate
features (for diversity and BADGE-style gradient embeddings) and a way to draw MC-dropout
samples. So every model is a :class:`Classifier`: ``backbone`` maps an image batch to features
``(B, d)``, ``head`` is the final ``nn.Linear``, and ``forward(x) = head(dropout(embed(x)))``.
Because the only dropout sits between the features and the head, MC-dropout passes can reuse
the features and re-sample just the head, which makes a 20-pass committee nearly free.

The MONAI nets are built with ``pretrained=False``: alstudio is offline and never downloads
weights. Their ImageNet stems throw away most of a 28-pixel image (DenseNet121 would even
pool it to nothing), so the stem is chosen by image size (:func:`stem_plan`).
"""

from __future__ import annotations

from typing import cast

import torch
from monai.networks.nets.densenet import DenseNet121
from monai.networks.nets.efficientnet import EfficientNet, efficientnet_params
from monai.networks.nets.resnet import ResNet
from torch import nn

from alstudio.errors import AlstudioError
from alstudio.learning.names import MODEL_NAMES
from alstudio.learning.safe_weights import read_safetensors

# MONAI's EfficientNetBN("efficientnet-b0") block list; EfficientNet is built directly with it
# so that its static "same" padding is computed for the real image size instead of 224 px.
_EFFICIENTNET_BLOCKS = [
    "r1_k3_s11_e1_i32_o16_se0.25",
    "r2_k3_s22_e6_i16_o24_se0.25",
    "r2_k5_s22_e6_i24_o40_se0.25",
    "r3_k3_s22_e6_i40_o80_se0.25",
    "r3_k5_s11_e6_i80_o112_se0.25",
    "r4_k5_s22_e6_i112_o192_se0.25",
    "r1_k3_s11_e6_i192_o320_se0.25",
]


def stem_plan(image_size: int) -> tuple[int, int, bool]:
    """(kernel, stride, max-pool) of the first convolution for an image size.

    Tiny images (<= 32 px) keep full resolution; mid-size images (<= 128 px) get one stride-2
    convolution; larger ones get the usual ImageNet 7x7/2 stem plus max pooling.
    """
    if image_size <= 32:
        return 3, 1, False
    if image_size <= 128:
        return 3, 2, False
    return 7, 2, True


class SmallCNN(nn.Module):
    """A compact VGG-style net: fast on a laptop CPU and enough for 28-64 px scans.

    Three stages of 3x3 convolutions (32, 64, 128 channels; one convolution at full
    resolution, two in each later stage) with batch norm: a second full-resolution
    convolution cost about 30% of the training speed on a 2-core CPU. Extra
    stride-2 convolutions at the start shrink larger images to about 32 px first, so the
    cost per image stays roughly flat as the image size grows.
    """

    def __init__(self, in_channels: int, image_size: int, width: int = 32) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = in_channels
        size = image_size
        while size > 40:  # cheap stride-2 stem until the map is about 32 px
            layers += [nn.Conv2d(channels, width, 3, stride=2, padding=1, bias=False),
                       nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
            channels, size = width, (size + 1) // 2
        for stage, out in enumerate((width, width * 2, width * 4)):
            for _ in range(1 if stage == 0 else 2):
                layers += [nn.Conv2d(channels, out, 3, padding=1, bias=False),
                           nn.BatchNorm2d(out), nn.ReLU(inplace=True)]
                channels = out
            if stage < 2:
                layers.append(nn.MaxPool2d(2))
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(1)]
        self.body = nn.Sequential(*layers)
        self.out_features = channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class _EfficientNetFeatures(nn.Module):
    """EfficientNet-B0 without its dropout and classifier, so the common head replaces them."""

    def __init__(self, in_channels: int, image_size: int) -> None:
        super().__init__()
        width, depth, _, _, drop_connect = efficientnet_params["efficientnet-b0"]
        net = EfficientNet(_EFFICIENTNET_BLOCKS, spatial_dims=2, in_channels=in_channels,
                           num_classes=1, width_coefficient=width, depth_coefficient=depth,
                           dropout_rate=0.0, image_size=image_size,
                           drop_connect_rate=drop_connect)
        self.out_features = net._fc.in_features
        net._dropout = nn.Identity()  # type: ignore[assignment]  # features only
        net._fc = nn.Identity()  # type: ignore[assignment]
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _resnet(layers: list[int], in_channels: int, image_size: int) -> tuple[nn.Module, int]:
    kernel, stride, pool = stem_plan(image_size)
    net = ResNet("basic", layers, [64, 128, 256, 512], spatial_dims=2,
                 n_input_channels=in_channels, conv1_t_size=kernel, conv1_t_stride=stride,
                 no_max_pool=not pool, feed_forward=False)
    return net, 512


def _densenet(in_channels: int, image_size: int) -> tuple[nn.Module, int]:
    kernel, stride, pool = stem_plan(image_size)
    net = DenseNet121(spatial_dims=2, in_channels=in_channels, out_channels=1, pretrained=False)
    init = cast(nn.Conv2d, net.features.conv0).out_channels
    net.features.conv0 = nn.Conv2d(in_channels, init, kernel, stride=stride,
                                   padding=kernel // 2, bias=False)
    nn.init.kaiming_normal_(net.features.conv0.weight)
    if not pool:
        net.features.pool0 = nn.Identity()
    dim = cast(nn.Linear, net.class_layers.out).in_features
    net.class_layers.out = nn.Identity()
    return net, dim


class Classifier(nn.Module):
    """Backbone + dropout + linear head, with the architecture recorded for checkpoints."""

    def __init__(self, name: str, backbone: nn.Module, embed_dim: int, in_channels: int,
                 num_classes: int, image_size: int, dropout: float) -> None:
        super().__init__()
        self.name = name
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.image_size = image_size
        self.dropout_rate = dropout
        self.embed_dim = embed_dim
        self.backbone = backbone
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(embed_dim, num_classes)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate features ``(B, d)``: what diversity-based selection compares."""
        return self.backbone(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.embed(x)))

    def architecture(self) -> dict[str, int | float | str]:
        """Everything :func:`build_model` needs to rebuild this network."""
        return {"architecture": self.name, "in_channels": self.in_channels,
                "num_classes": self.num_classes, "image_size": self.image_size,
                "dropout": self.dropout_rate}


def build_model(name: str, in_channels: int, num_classes: int, image_size: int,
                dropout: float = 0.2, initial_weights: str | None = None) -> Classifier:
    """Build a freshly initialised classifier (``initial_weights``: a safetensors file)."""
    if num_classes < 2:
        raise AlstudioError(f"A classifier needs at least 2 classes, got {num_classes}.",
                            "Add a second label class before training.")
    if in_channels < 1 or image_size < 8:
        raise AlstudioError(f"Cannot build a model for {in_channels} channel(s) of "
                            f"{image_size} px.", "Images must be at least 8x8 pixels.")
    backbone: nn.Module
    if name == "small_cnn":
        backbone = SmallCNN(in_channels, image_size)
        dim = backbone.out_features
    elif name == "resnet18":
        backbone, dim = _resnet([2, 2, 2, 2], in_channels, image_size)
    elif name == "resnet34":
        backbone, dim = _resnet([3, 4, 6, 3], in_channels, image_size)
    elif name == "densenet121":
        backbone, dim = _densenet(in_channels, image_size)
    elif name == "efficientnet-b0":
        backbone = _EfficientNetFeatures(in_channels, image_size)
        dim = backbone.out_features
    else:
        raise AlstudioError(f"Unknown model {name!r}.",
                            f"Choose one of: {', '.join(MODEL_NAMES)} (or 'auto').")
    model = Classifier(name, backbone, dim, in_channels, num_classes, image_size, dropout)
    if initial_weights is not None:
        load_initial_weights(model, initial_weights)
    return model


def load_state_strict(model: nn.Module, state: dict[str, torch.Tensor], source: str,
                      allow_new_head: bool = False) -> None:
    """Load ``state`` only if every name and shape matches, else explain what differs.

    ``allow_new_head`` lets a backbone trained on other classes warm-start a new task: the
    head is kept fresh when its shape differs, everything else must still match exactly.
    """
    own = model.state_dict()
    if allow_new_head:
        head = [k for k in own if k.startswith("head.")]
        if any(k not in state or state[k].shape != own[k].shape for k in head):
            state = {k: v for k, v in state.items() if not k.startswith("head.")}
            state.update({k: own[k] for k in head})
    missing = sorted(set(own) - set(state))
    extra = sorted(set(state) - set(own))
    wrong = sorted(k for k in set(own) & set(state) if own[k].shape != state[k].shape)
    if missing or extra or wrong:
        details = []
        if missing:
            details.append(f"missing {len(missing)} tensors (e.g. {missing[0]})")
        if extra:
            details.append(f"{len(extra)} unexpected tensors (e.g. {extra[0]})")
        if wrong:
            k = wrong[0]
            details.append(f"{len(wrong)} shape mismatches (e.g. {k}: file "
                           f"{tuple(state[k].shape)} vs model {tuple(own[k].shape)})")
        raise AlstudioError(f"The weights in {source} do not fit this {getattr(model, 'name', '')}"
                            f" model: {'; '.join(details)}.",
                            "Use weights saved for the same architecture, channels and size.")
    model.load_state_dict(state, strict=True)


def load_initial_weights(model: Classifier, path: str) -> None:
    """Warm-start ``model`` from a safetensors file (never a pickle; see checkpoints).

    A pretrained encoder's projection head (``projector.*``, see
    :mod:`alstudio.learning.pretrain`) is left out: fine-tuning keeps the backbone only.
    """
    try:
        with open(path, "rb") as handle:
            blob = handle.read()
    except OSError as exc:
        raise AlstudioError(f"Cannot read initial weights {path}: {exc.strerror}.",
                            "Check the path to the .safetensors file.") from exc
    state, _ = read_safetensors(blob, source=path)
    state = {k: v for k, v in state.items() if not k.startswith("projector.")}
    load_state_strict(model, state, path, allow_new_head=True)


def default_model_name(device: torch.device, image_size: int) -> str:
    """The architecture ``"auto"`` picks for a device and image size.

    Measured with benchmarks/training_speed.py on a 2-core CPU (training / inference images
    per second at 28 px): small_cnn 990 / 2570, efficientnet-b0 150 / 1130, resnet18 63 / 200,
    densenet121 26 / 38; at 64 px small_cnn still trains 540 a second, the others 18-90. A
    retraining round on a CPU must take seconds, so the CPU (and Apple MPS, where tiny nets
    are launch-bound anyway) always gets small_cnn; so do images of 64 px or less on any
    device, which carry too little detail for the deep nets to pay off with few labels.
    On an NVIDIA GPU larger images get resnet18, and densenet121 (MONAI's usual radiology
    classifier, 2.5-3.5x resnet18's cost per image on the CPU) once the card has 16 GB.
    The GPU thresholds follow those relative costs; they were not timed on a GPU here.
    """
    if device.type != "cuda" or image_size <= 64:
        return "small_cnn"
    memory_gb = torch.cuda.get_device_properties(device).total_memory / 2**30
    return "densenet121" if memory_gb >= 15.5 else "resnet18"
