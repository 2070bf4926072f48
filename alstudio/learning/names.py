"""The architecture names a round may ask for, without importing torch or MONAI.

The window's round dialog and the CLI's help list them before the model stack is loaded;
:mod:`alstudio.learning.models` builds them.
"""

from __future__ import annotations

MODEL_NAMES: tuple[str, ...] = ("small_cnn", "resnet18", "resnet34", "densenet121",
                                "efficientnet-b0")

#: What ``hyperparameters["kind"]`` says of a pretrained encoder checkpoint in a project.
ENCODER_KIND = "pretrained_encoder"
