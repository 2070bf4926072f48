"""Jobs that span the engine's layers: an active-learning round on a project.

The GUI's workers and the CLI call these same functions; each takes a progress callback and
a cancel token (see :mod:`alstudio.jobs`) and opens its own project connection.
"""

from __future__ import annotations

from alstudio.workflow.round import RoundConfig, RoundOutcome, run_round
from alstudio.workflow.stream import run_stream


def available_strategies() -> list[str]:
    from alstudio.selection import STRATEGIES

    return sorted(STRATEGIES)


def available_models() -> list[str]:
    from alstudio.learning.models import MODEL_NAMES

    return ["auto", *MODEL_NAMES]


def describe_device(preference: str = "auto") -> str:
    """The GPU's name, or the CPU and its threads: what the status bar shows."""
    from alstudio.learning.device import describe_device as describe
    from alstudio.learning.device import pick_device

    return describe(pick_device(preference))


__all__ = ["RoundConfig", "RoundOutcome", "available_models", "available_strategies",
           "describe_device", "run_round", "run_stream"]
