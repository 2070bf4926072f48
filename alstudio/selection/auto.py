"""``auto``: choose a strategy from what is available and how far the project has come.

The rules follow the usual advice from the active-learning literature, with every threshold a
parameter (defaults in :class:`AutoThresholds`):

1. **Cold start** – no model outputs, or fewer than ``cold_start_labels`` labeled items: the
   model's probabilities are not worth trusting yet. Cover the data instead: ``coreset`` on
   whatever embeddings exist (they may be unsupervised features, see
   :func:`alstudio.selection.unsupervised_features`), else ``random``.
2. **Small labeled set** – fewer than ``small_budget_labels``: at low budgets, typical and
   diverse samples beat uncertain ones (Hacohen et al., 2022), so ``coreset`` again.
3. **Large pool** – more than ``large_pool`` items: only O(N·C) work per round is affordable,
   so ``margin`` (or, with ``large_pool_diversify``, ``coreset_uncertainty``, whose k-center
   runs on a shortlist and so also does not grow with N).
4. **Otherwise** – ``badge`` (uncertainty and diversity, no knob) when its cost, about
   N·d·k multiply-adds streamed from memory, is at most ``badge_max_work``; else
   ``coreset_uncertainty``. Without embeddings, ``margin``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from alstudio.selection.base import RunContext, Selection, Strategy
from alstudio.selection.catalogue import STRATEGIES, register
from alstudio.selection.pool import Pool


@dataclass(frozen=True)
class AutoThresholds:
    """The stage and size boundaries ``auto`` uses (see the module docstring)."""

    cold_start_labels: int = 20
    small_budget_labels: int = 200
    large_pool: int = 100_000
    badge_max_work: float = 2e10
    large_pool_diversify: bool = False


def choose_strategy(*, n_pool: int, n_labeled: int, k: int, has_probs: bool,
                    has_embeddings: bool, embedding_dim: int = 0,
                    thresholds: AutoThresholds | None = None) -> tuple[str, str]:
    """The strategy ``auto`` would run, and a sentence saying why."""
    th = thresholds or AutoThresholds()
    if not has_probs or n_labeled < th.cold_start_labels:
        why = ("no model outputs yet" if not has_probs else
               f"only {n_labeled} labeled item(s) (< {th.cold_start_labels}), too few to "
               f"trust the model's uncertainty")
        if has_embeddings:
            return "coreset", f"Cold start ({why}): covering the embedding space with core-set."
        return "random", f"Cold start ({why}) and no embeddings: random sample."
    if not has_embeddings:
        return "margin", "No embeddings given: margin uncertainty (needs only probabilities)."
    if n_labeled < th.small_budget_labels:
        return "coreset", (f"Small labeled set ({n_labeled} < {th.small_budget_labels}): "
                           f"diverse, representative picks help most at low budgets.")
    if n_pool > th.large_pool:
        if th.large_pool_diversify:
            return "coreset_uncertainty", (
                f"Large pool ({n_pool} > {th.large_pool}): uncertainty shortlist, then "
                f"core-set on the shortlist only, so the cost does not grow with the pool.")
        return "margin", (f"Large pool ({n_pool} > {th.large_pool}): margin uncertainty, "
                          f"linear in the pool size.")
    work = float(n_pool) * max(embedding_dim, 1) * k
    if work <= th.badge_max_work:
        return "badge", (f"{n_labeled} labeled items and a pool of {n_pool}: BADGE balances "
                         f"uncertainty and diversity without tuning.")
    return "coreset_uncertainty", (
        f"{n_labeled} labeled items; BADGE would cost ~{work:.1e} multiply-adds for k={k}, "
        f"over {th.badge_max_work:.0e}: uncertainty shortlist, then core-set.")


@register
class Auto(Strategy):
    """Chooses a strategy by stage and size, runs it, and records why in ``explanation``."""

    name = "auto"
    title = "Automatic: chosen by labeled-set size and pool size"

    def run(self, pool: Pool, k: int, ctx: RunContext, *,
            cold_start_labels: int = AutoThresholds.cold_start_labels,
            small_budget_labels: int = AutoThresholds.small_budget_labels,
            large_pool: int = AutoThresholds.large_pool,
            badge_max_work: float = AutoThresholds.badge_max_work,
            large_pool_diversify: bool = AutoThresholds.large_pool_diversify) -> Selection:
        th = AutoThresholds(cold_start_labels, small_budget_labels, large_pool,
                            badge_max_work, large_pool_diversify)
        dim = 0
        if pool.has("embeddings"):
            emb = pool.embeddings_device if pool.on_device else pool.embeddings
            assert emb is not None
            dim = int(emb.shape[1])
        name, why = choose_strategy(n_pool=pool.n, n_labeled=int(pool.labeled.sum()), k=k,
                                    has_probs=pool.has("probs"),
                                    has_embeddings=pool.has("embeddings"),
                                    embedding_dim=dim, thresholds=th)
        strategy: Strategy = STRATEGIES[name]
        sel = strategy.run(pool, k, ctx)
        explanation = why + (f" {sel.explanation}" if sel.explanation else "")
        return Selection(sel.indices, sel.scores, sel.reasons, name, explanation,
                         {**sel.params, "auto": asdict(th)})
