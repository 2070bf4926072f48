"""The strategy catalogue: every strategy's name, title, needed inputs and parameters.

It imports nothing (no torch, no numpy), so the window can fill in its round dialog and the
CLI can check a name without loading the model stack. ``tests/selection/test_catalogue.py``
checks it against the registry of running strategies (:data:`alstudio.selection.STRATEGIES`),
so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
                  "density_weight": 0.0, "top_size": None, "rare_share": 0.0}),
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
