"""Jobs on a project that span the engine's layers: import, the demo, a round, stream mode.

The GUI's workers and the CLI call these same functions; each takes a progress callback and
a cancel token (see :mod:`alstudio.jobs`) and opens its own project connection. The package
loads lazily: importing it, or :mod:`alstudio.workflow.round` (a round's request and its job),
loads no torch; the first run of a job imports the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from alstudio.workflow.round import COMMITTEE_SOURCES, RoundConfig, RoundOutcome, run_round

if TYPE_CHECKING:
    from alstudio.workflow.stream import run_stream

_LAZY = {"run_stream": "stream"}


def __getattr__(name: str) -> Any:
    """Import a job's module on first use, so the window can import this package cheaply."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def available_strategies() -> list[str]:
    """Every strategy name, from the torch-free catalogue."""
    from alstudio.selection.catalogue import strategy_names

    return strategy_names()


def available_models() -> list[str]:
    """``auto`` and every architecture name (torch-free)."""
    from alstudio.learning.names import MODEL_NAMES

    return ["auto", *MODEL_NAMES]


def describe_device(preference: str = "auto") -> str:
    """The GPU's name, or the CPU and its threads: what the status bar shows."""
    from alstudio.learning.device import describe_device as describe
    from alstudio.learning.device import pick_device

    return describe(pick_device(preference))


__all__ = ["COMMITTEE_SOURCES", "RoundConfig", "RoundOutcome", "available_models",
           "available_strategies", "describe_device", "run_round", "run_stream"]
