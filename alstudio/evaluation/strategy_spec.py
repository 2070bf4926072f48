"""Strategy variants by name in the simulator: ``coreset_uncertainty:shortlist_factor=5``.

A strategy's knobs are keyword arguments of its ``run``; comparing a variant against the
default under the same seeds is how a knob's value gets chosen by measurement, so the
simulator accepts ``NAME:KEY=VALUE[:KEY=VALUE...]`` wherever it takes a strategy name. The
spec string itself labels the variant's curves.
"""

from __future__ import annotations

import inspect
from typing import Any

from alstudio.errors import AlstudioError
from alstudio.selection import STRATEGIES


def _value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_strategy_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """(strategy name, keyword arguments) of ``NAME[:KEY=VALUE...]``; unknown names or
    keywords are refused with the choices."""
    name, *pairs = spec.strip().split(":")
    if name not in STRATEGIES:
        raise AlstudioError(f"Unknown strategy {name!r} in {spec!r}.",
                            f"Choose from: {', '.join(sorted(STRATEGIES))}.")
    accepted = {p.name for p in inspect.signature(STRATEGIES[name].run).parameters.values()
                if p.kind == inspect.Parameter.KEYWORD_ONLY}
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or key not in accepted:
            raise AlstudioError(f"{pair!r} in {spec!r} is not a setting of {name}.",
                                f"{name} takes: {', '.join(sorted(accepted)) or 'no settings'}"
                                " (as KEY=VALUE).")
        params[key] = _value(text)
    return name, params
