"""What a round takes from the project's pool encoder (`alstudio pretrain`), when asked.

Two uses, each opt-in and each refused clearly when no encoder fits the round's inputs, so
no round silently goes without what it asked for:

- ``use_encoder``: its features for the cold start and the early core-set distances, its
  weights as the classifier's starting point (measured: it saved no labels);
- ``feature_probe``: the classifier trains as usual, and its probabilities are averaged with
  a linear probe's on the encoder's features of the pool and the test items (measured: fewer
  labels on BreastMNIST, rare grades missed and random's level not kept on RetinaMNIST).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.project import Project
from alstudio.workflow.inputs import ProjectInputs

if TYPE_CHECKING:
    from alstudio.workflow.round import RoundConfig

#: What the feature probe was measured to do, said wherever a round opts in.
PROBE_MEASURED = ("measured up to 300 labels over ten seeds: a small gain on BreastMNIST "
                  "(today's 95% mark with 86 labels instead of 121, and 132 instead of 154 "
                  "with a rare class); none on RetinaMNIST, where with a rare grade it found "
                  "fewer (4.2 against 4.6 per 100 labels) and fell below random at six "
                  "budgets")
#: Said in a probed round's explanation: what its figures are of.
PROBE_NOTE = ("Probabilities are the mean of the classifier's and a linear probe's on the pool "
              "encoder's features (the queue and the test figures); the checkpoint alone is "
              "the classifier, and its own test figures are kept with it.")


def _fitting_encoder(project: Project, inputs: ProjectInputs, size: int,
                     without: str) -> tuple[str, Any]:
    """The stored encoder's file and encoder for these inputs, or a refusal that says what
    to do; ``without`` names the option the user can turn off instead."""
    from alstudio.workflow.pretrain import encoder_file, stored_encoder

    path = encoder_file(project, size, inputs.channels)
    found = stored_encoder(project, size, inputs.channels) if path is not None else None
    if path is None or found is None:
        raise AlstudioError(
            f"This project has no pool encoder for {size} px, {inputs.channels}-channel "
            f"inputs to {without}.",
            f"Run `alstudio pretrain {project.path}` (Rounds > Learn from the unlabeled pool) "
            "first, or run the round without it.")
    return str(path), found[1]


def with_encoder(project: Project, inputs: ProjectInputs, pool_ids: list[int],
                 config: RoundConfig, size: int) -> tuple[RoundConfig, np.ndarray | None]:
    """The round's request set to start from the project's pretrained encoder, and the
    encoder's pool features, when the round asks for it (``use_encoder``)."""
    if not config.use_encoder or not pool_ids:
        return config, None
    from alstudio.learning.pretrain import encoder_features
    from alstudio.learning.training import TrainConfig

    path, encoder = _fitting_encoder(project, inputs, size, "start the round from")
    name = encoder.model.name
    if config.model not in ("auto", name):
        raise AlstudioError(
            f"The pool encoder is a {name}, not a {config.model}.",
            f"Choose the model auto or {name}, or run the round without the encoder.")
    train = replace(config.train or TrainConfig(), initial_weights=path)
    return (replace(config, model=name, train=train),
            encoder_features(encoder, inputs.view(pool_ids)))


def probe_features(project: Project, inputs: ProjectInputs, pool_ids: list[int],
                   test_ids: list[int], config: RoundConfig, size: int
                   ) -> tuple[np.ndarray, np.ndarray] | None:
    """The encoder's features of the pool and the test items, when the round asks for the
    feature probe; any classifier architecture may be averaged with it."""
    if not config.feature_probe or not pool_ids:
        return None
    from alstudio.learning.pretrain import encoder_features

    _, encoder = _fitting_encoder(project, inputs, size, "fit the feature probe on")
    pool = encoder_features(encoder, inputs.view(pool_ids))
    test = encoder_features(encoder, inputs.view(test_ids)) if test_ids else \
        np.zeros((0, pool.shape[1]), dtype=np.float32)
    return pool, test
