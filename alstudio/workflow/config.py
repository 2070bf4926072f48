"""What a round is asked to do: the one request the CLI and the window both fill in.

It imports no torch, so the window can keep the last request and fill in its dialog without
loading the model stack; :func:`alstudio.workflow.run_round` carries it out. The strategy's
name is resolved here, once, through the catalogue: ``default`` becomes the default's name and
an unknown name is refused as the request is made, not minutes into a round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alstudio.selection.catalogue import DEFAULT_STRATEGY, checked

if TYPE_CHECKING:
    from alstudio.learning.training import TrainConfig

#: Who votes for the committee strategies: MC-dropout passes of the new model, or the new
#: model with the checkpoints of earlier rounds.
COMMITTEE_SOURCES = ("dropout", "checkpoints")
#: What starting from the pool encoder was measured to do, said wherever a round opts in.
ENCODER_MEASURED = ("measured on BreastMNIST (5 seeds, 20-60 labels): no gain at natural "
                    "balance, worse with a rare class")


@dataclass
class RoundConfig:
    """One round's request; ``None`` fields take the engine's tuned recipe."""

    strategy: str = DEFAULT_STRATEGY
    batch_size: int = 20
    model: str = "auto"
    device: str = "auto"
    seed: int = 0
    image_size: int | None = None
    max_epochs: int | None = None
    #: Floor on optimiser steps (the recipe's keeps tiny labeled sets from being
    #: under-trained); with ``max_epochs`` it bounds how long training takes.
    min_steps: int | None = None
    threads: int | None = None  # None: every core (the window passes all cores but one)
    strategy_params: dict[str, Any] = field(default_factory=dict)
    train: TrainConfig | None = None  # the full recipe, for scripts and tests; None: defaults
    #: Committee strategies (BALD, vote entropy, KL): "dropout" (MC-dropout passes of the new
    #: model) or "checkpoints" (the new model and up to ``committee_size`` earlier ones).
    committee: str = "dropout"
    committee_size: int = 4
    #: Most unlabeled items a round scores: beyond it a seeded random sample is scored (all
    #: labeled items always are), so a round's cost follows the labels, not the pool.
    #: None scores the whole pool.
    max_scored: int | None = 20_000
    #: Start from the project's pretrained encoder (`alstudio pretrain`): TypiClust on its
    #: features for the cold start, its features for core-set distances below
    #: ``features_until`` labels, and its weights as the classifier's starting point.
    #: Opt-in: on BreastMNIST (5 seeds, 20-60 labels) it did not help at natural balance and
    #: did worse with a rare class. Asked for without a fitting encoder, the round refuses.
    use_encoder: bool = False
    features_until: int = 60
    #: FixMatch-like consistency training on the unlabeled pool (off: not measured better).
    semi_supervised: bool = False

    def __post_init__(self) -> None:
        """The strategy by its catalogue name (the alias resolved), or a clear refusal."""
        self.strategy = checked(self.strategy)
