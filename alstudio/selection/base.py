"""The result type and the strategy base class (the registry is the catalogue's).

A strategy is a small object with a ``name``, the inputs it ``needs`` and a ``run`` method
whose keyword-only parameters *are* its documented parameters: :func:`alstudio.selection.select`
checks the caller's keyword arguments against that signature, so a misspelt parameter is a
clear error instead of a silently ignored one.
"""

from __future__ import annotations

import inspect
from abc import ABC
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.jobs import CancelToken, ProgressCallback
from alstudio.selection.pool import Pool

#: Every input a strategy may ask for, in the order error messages list them.
INPUT_NAMES = ("probs", "embeddings", "committee", "labels")


@dataclass(frozen=True)
class Selection:
    """What a strategy picked, in pick order, with a score and a human reason per pick.

    ``indices`` index the full pool arrays (not the candidate subset), ``scores`` follow the
    strategy's own scale (higher = more worth a label) and ``reasons`` are short enough for a
    table cell. ``strategy`` is the strategy that actually ran (for ``auto``: the one chosen)
    and ``explanation`` says why, or what was approximated.
    """

    indices: np.ndarray
    scores: np.ndarray
    reasons: list[str]
    strategy: str
    explanation: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.indices.shape[0])


@dataclass(frozen=True)
class RunContext:
    """What every strategy gets besides its parameters: seed, progress and cancel hooks."""

    seed: int = 0
    progress: ProgressCallback | None = None
    cancel: CancelToken | None = None

    def rng(self) -> np.random.Generator:
        """A fresh generator, so a strategy's draws never depend on what ran before it."""
        return np.random.default_rng(self.seed)


class Strategy(ABC):
    """Base class: subclasses set ``name``, ``needs``, ``title`` and implement ``run``."""

    name: ClassVar[str]
    needs: ClassVar[frozenset[str]] = frozenset()
    title: ClassVar[str] = ""

    #: ``run(pool, k, ctx, *, PARAM=default, ...) -> Selection``: pick up to ``k`` candidates
    #: of ``pool`` (``k`` is already capped at the candidates). Each strategy declares its
    #: own keyword-only parameters, so the signature differs per strategy; it is typed as a
    #: callable attribute because no one signature fits them all.
    run: Callable[..., Selection]

    def parameters(self) -> dict[str, Any]:
        """The keyword-only parameters of :meth:`run` with their defaults."""
        sig = inspect.signature(self.run)
        return {p.name: p.default for p in sig.parameters.values()
                if p.kind is inspect.Parameter.KEYWORD_ONLY}

    def check_params(self, params: dict[str, Any]) -> None:
        """Raise a clear error for a parameter this strategy does not have."""
        known = self.parameters()
        unknown = sorted(set(params) - set(known))
        if unknown:
            listed = ", ".join(sorted(known)) or "none"
            raise AlstudioError(
                f"Strategy {self.name!r} has no parameter {', '.join(map(repr, unknown))}.",
                hint=f"Its parameters are: {listed}.",
            )

    def check_inputs(self, pool: Pool) -> None:
        """Raise a clear error naming every input this strategy needs and did not get."""
        missing = [n for n in INPUT_NAMES if n in self.needs and not pool.has(n)]
        if missing:
            raise AlstudioError(
                f"Strategy {self.name!r} needs {', '.join(missing)}, which "
                f"{'was' if len(missing) == 1 else 'were'} not given.",
                hint=f"Pass {', '.join(f'{m}=...' for m in missing)} to select(), or choose "
                f"a strategy that needs only what you have (see STRATEGIES[name].needs).",
            )
