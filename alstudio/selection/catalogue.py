"""The strategies by name: the one door to them.

What each strategy is (name, title, needed inputs, parameters, the default and its alias)
is written out here without importing anything heavy (no torch, no numpy), so the window can
fill in its round dialog and a request can check its name without loading the model stack.
Running one by name goes through the same module: :func:`select` loads the strategy modules
on first use (each joins :data:`STRATEGIES` with :func:`register`), looks the name up and runs
it. ``tests/selection/test_catalogue.py`` checks the written-out entries against the
registered strategies, so the two cannot drift apart.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alstudio.errors import AlstudioError
from alstudio.jobs import CancelToken, ProgressCallback, check

if TYPE_CHECKING:
    from alstudio.selection.base import Selection, Strategy
    from alstudio.selection.pool import ArrayLike

#: The strategy a project uses unless told otherwise; see alstudio.selection.coreset for why.
#: On BreastMNIST it needed 113 labels to reach 95% of full-data balanced accuracy where
#: ``auto`` needed 153 and random 175.
DEFAULT_STRATEGY = "coreset_uncertainty"

#: What a user may type for :data:`DEFAULT_STRATEGY`.
DEFAULT_ALIAS = "default"


@dataclass(frozen=True)
class StrategyInfo:
    """One strategy as a user or a dialog sees it; ``parameters`` maps name -> default."""

    name: str
    title: str
    needs: frozenset[str] = frozenset()
    parameters: dict[str, Any] = field(default_factory=dict)


_DENSITY: dict[str, Any] = {"density_weight": 0.0}

CATALOGUE: dict[str, StrategyInfo] = {info.name: info for info in (
    StrategyInfo("random", "Uniform random sample"),
    StrategyInfo("least_confidence", "Lowest top-class probability", frozenset({"probs"}),
                 dict(_DENSITY)),
    StrategyInfo("margin", "Smallest gap between the two most likely classes",
                 frozenset({"probs"}), dict(_DENSITY)),
    StrategyInfo("entropy", "Highest predictive entropy", frozenset({"probs"}), dict(_DENSITY)),
    StrategyInfo("coreset", "Core-set: cover the embedding space", frozenset({"embeddings"}),
                 {"init": "mean", "top_size": None}),
    StrategyInfo("coreset_uncertainty",
                 "Uncertain and diverse: uncertainty shortlist, then core-set",
                 frozenset({"probs", "embeddings"}),
                 {"uncertainty_measure": "margin", "shortlist_factor": 10.0,
                  "density_weight": 0.0, "top_size": None, "rare_share": 0.0,
                  "random_share": 0.0}),
    StrategyInfo("typiclust", "TypiClust: typical items of uncovered clusters (cold start)",
                 frozenset({"embeddings"}), {"max_items": 5000, "neighbours": 20}),
    StrategyInfo("badge", "BADGE: k-means++ on gradient embeddings",
                 frozenset({"probs", "embeddings"})),
    StrategyInfo("bald", "BALD: mutual information over MC-dropout passes",
                 frozenset({"committee"}), dict(_DENSITY)),
    StrategyInfo("vote_entropy", "Query by committee: entropy of the members' votes",
                 frozenset({"committee"}), dict(_DENSITY)),
    StrategyInfo("kl_consensus", "Query by committee: mean KL of members to the consensus",
                 frozenset({"committee"}), dict(_DENSITY)),
    StrategyInfo("egl", "Expected gradient length of the last layer",
                 frozenset({"probs", "embeddings"}), dict(_DENSITY)),
    StrategyInfo("eer", "Expected error reduction (approximate)",
                 frozenset({"probs", "embeddings", "labels"}),
                 {"candidate_sample": 200, "pool_sample": 2000, "fit_sample": 20000,
                  "l2": 0.01}),
    StrategyInfo("auto", "Automatic: chosen by labeled-set size and pool size", frozenset(),
                 {"cold_start_labels": 20, "small_budget_labels": 200, "large_pool": 100000,
                  "badge_max_work": 2e10, "large_pool_diversify": False}),
)}

#: Strategies that read a committee (BALD, vote entropy, KL to consensus).
COMMITTEE_STRATEGIES = frozenset(n for n, s in CATALOGUE.items() if "committee" in s.needs)


def strategy_names() -> list[str]:
    """Every strategy name, sorted (what `--strategy` and the round dialog offer)."""
    return sorted(CATALOGUE)


def resolve(name: str) -> str:
    """``name`` with the alias ``default`` replaced by :data:`DEFAULT_STRATEGY`."""
    return DEFAULT_STRATEGY if name == DEFAULT_ALIAS else name


def checked(name: str) -> str:
    """``name`` resolved, or a clear error naming the strategies there are (no torch)."""
    resolved = resolve(name.strip())
    if resolved not in CATALOGUE:
        raise AlstudioError(f"Unknown strategy {name!r}.",
                            hint=f"Choose one of: {', '.join(strategy_names())} "
                                 f"(or {DEFAULT_ALIAS}).")
    return resolved


def _value(text: str) -> Any:
    """A setting typed on a command line as the number or truth value it spells."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """(strategy name, settings) of ``NAME[:KEY=VALUE...]``, e.g.
    ``coreset_uncertainty:rare_share=0.25``: how a round, a stream or the simulator takes a
    strategy with its knobs set, checked against the written-out parameters (no torch), so a
    misspelt setting is refused with the choices before any work starts."""
    head, *pairs = spec.strip().split(":")
    name = resolve(head.strip())
    if name not in CATALOGUE:
        raise AlstudioError(f"Unknown strategy {head!r} in {spec!r}.",
                            hint=f"Choose one of: {', '.join(strategy_names())} "
                                 f"(or {DEFAULT_ALIAS}).")
    accepted = CATALOGUE[name].parameters
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or key.strip() not in accepted:
            raise AlstudioError(f"{pair!r} in {spec!r} is not a setting of {name}.",
                                hint=f"{name} takes: {', '.join(sorted(accepted)) or 'no settings'}"
                                     " (as KEY=VALUE).")
        params[key.strip()] = _value(text.strip())
    return name, params


def may_read_committee(name: str) -> bool:
    """Whether ``name`` may read committee outputs (``auto`` might choose one that does), so
    a step knows before scoring whether to build a committee."""
    return name in COMMITTEE_STRATEGIES or name == "auto"


# -- the registry: the running strategies ---------------------------------------------------

#: name -> strategy instance, filled by the strategy modules as they load (:func:`select`
#: and :func:`get_strategy` load them; so does any name of :mod:`alstudio.selection`).
STRATEGIES: dict[str, Strategy] = {}

#: The modules whose import registers every strategy.
STRATEGY_MODULES = ("uncertainty", "gradients", "badge", "committee", "coreset", "eer",
                    "typiclust", "auto")


def register(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator: add one instance of ``cls`` to :data:`STRATEGIES`."""
    if cls.name in STRATEGIES:
        raise ValueError(f"strategy {cls.name!r} registered twice")
    STRATEGIES[cls.name] = cls()
    return cls


_loaded: list[bool] = []  # one True once every strategy module is imported


def load_strategies() -> dict[str, Strategy]:
    """Import the strategy modules (torch loads here), once; returns the registry."""
    if not _loaded:
        for module in STRATEGY_MODULES:
            importlib.import_module(f"alstudio.selection.{module}")
        _loaded.append(True)
    return STRATEGIES


def get_strategy(name: str) -> Strategy:
    """The running strategy called ``name`` (or the alias), with a clear error if none is."""
    strategies = load_strategies()
    try:
        return strategies[resolve(name)]
    except KeyError:
        raise AlstudioError(
            f"Unknown selection strategy {name!r}.",
            hint=f"Choose one of: {', '.join(sorted(strategies))}.",
        ) from None


def select(strategy: str = DEFAULT_STRATEGY, k: int = 10, *,
           probs: ArrayLike | None = None, embeddings: ArrayLike | None = None,
           committee: ArrayLike | None = None, labeled: ArrayLike | None = None,
           candidates: ArrayLike | None = None, labels: ArrayLike | None = None,
           seed: int = 0, threads: int | None = None,
           progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
           **params: Any) -> Selection:
    """Pick up to ``k`` pool items to label next with the named strategy.

    Inputs are numpy arrays or torch tensors over the same pool of N items: ``probs`` (N, C)
    softmax outputs, ``embeddings`` (N, d) penultimate features (kept on the GPU when given
    there, for the strategies that can use it), ``committee`` (M, N, C) member probabilities,
    ``labeled`` and ``candidates`` boolean masks (N,), ``labels`` (N,) class ids with -1 for
    unlabeled items. Labeled items are never picked; with ``k`` above the number of candidates
    every candidate is returned. Strategy parameters are keyword arguments (see
    ``STRATEGIES[name].parameters()``). Results are deterministic for a given ``seed``.
    """
    import numpy as np  # the model stack loads with the strategies, not with the catalogue

    from alstudio.selection.base import RunContext, Selection
    from alstudio.selection.pool import Pool
    from alstudio.selection.threads import limit_threads

    strat = get_strategy(strategy)
    strat.check_params(params)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise AlstudioError(f"k must be a non-negative integer, got {k!r}.")
    with limit_threads(threads):
        pool = Pool(probs=probs, embeddings=embeddings, committee=committee, labeled=labeled,
                    candidates=candidates, labels=labels)
        strat.check_inputs(pool)
        check(cancel)
        n_cand = int(np.count_nonzero(pool.candidates))
        k = min(int(k), n_cand)
        ctx = RunContext(seed=seed, progress=progress, cancel=cancel)
        if k == 0:
            return Selection(np.empty(0, np.int64), np.empty(0), [], strat.name,
                             "No candidates left to pick from." if n_cand == 0 else "")
        sel = strat.run(pool, k, ctx, **params)
    return Selection(np.asarray(sel.indices, dtype=np.int64),
                     np.asarray(sel.scores, dtype=np.float64), list(sel.reasons),
                     sel.strategy, sel.explanation, {**params, **sel.params})
