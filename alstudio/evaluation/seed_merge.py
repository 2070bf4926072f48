"""Merge simulator results that ran the same benchmark on different seeds.

Five seeds cannot tell most strategies apart (the README's floor column shows how often a tie
is flagged), and one five-seed run of the product's recipe takes an hour on a 2-core CPU. So
more seeds are run later or on another machine (`alstudio simulate --first-seed N`) and merged
here into the file a single run of all those seeds would have written: the per-seed curves are
joined in seed order and every summary figure is computed again by the simulator's own
function. Numpy only, no torch: merging is bookkeeping.

Runs merge only when they measured the same thing: the same archive (by file name, since a
path differs between machines), scenario, budgets, initial labels, batch and training recipe.
A setting one run lacks (written by an older version, where it did not exist yet) is not a
difference. Strategies not in every run are left out, and the result says which.

:func:`subset_result` goes the other way: one result kept to some of its strategies and
seeds, so a table can pair a new recipe's five seeds with the same five of a larger run;
:func:`single_view_result` reads a flip-averaged run on the single view it kept beside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from alstudio.errors import AlstudioError
from alstudio.evaluation.curves import json_ready, simulation_summary

METRICS = ("balanced_accuracy", "auc")
#: Config entries that must agree; ``seeds``, ``first_seed`` and ``strategies`` may differ.
_SAME_CONFIG = ("initial", "batch", "budget", "image_size", "pretrain", "features_until",
                "semi_supervised", "encoder_use", "probe_weighting",
                "probe_in_ranking", "mirror_test", "ensemble_members")
#: What a run written before an option existed had instead: the option's old behaviour.
_BEFORE_OPTION = {"encoder_use": "finetune", "probe_weighting": "mean",
                  "probe_in_ranking": True, "mirror_test": False, "ensemble_members": 1}
#: Pretraining settings added later, with what a pretraining written before them did.
_PRETRAIN_BEFORE = {"colour": "mild"}
#: Training settings that only say where a run happened, not what it measured.
_WHERE_IT_RAN = ("seed", "device", "num_threads")


def seeds_of(result: Mapping[str, Any]) -> list[int]:
    """The seeds a result ran, in the order its curves list them."""
    config = result["config"]
    if "seed_list" in config:
        return [int(s) for s in config["seed_list"]]
    first = int(config.get("first_seed") or 0)
    return list(range(first, first + int(config["seeds"])))


def _differences(first: Mapping[str, Any], other: Mapping[str, Any]) -> list[str]:
    """What keeps two results from being one benchmark, in words."""
    found = []
    if Path(first["dataset"]).name != Path(other["dataset"]).name:
        found.append(f"dataset {Path(first['dataset']).name} vs {Path(other['dataset']).name}")
    for key in ("scenario", "budgets"):
        if first[key] != other[key]:
            found.append(f"{key} {first[key]} vs {other[key]}")
    for key in _SAME_CONFIG:
        if key in _BEFORE_OPTION:
            a = first["config"].get(key, _BEFORE_OPTION[key])
            b = other["config"].get(key, _BEFORE_OPTION[key])
        elif key not in first["config"] or key not in other["config"]:
            continue  # written by a version without that option: it was off
        else:
            a, b = first["config"][key], other["config"][key]
        if key == "pretrain" and isinstance(a, dict) and isinstance(b, dict):
            a, b = {**_PRETRAIN_BEFORE, **a}, {**_PRETRAIN_BEFORE, **b}
        if a != b:
            found.append(f"{key} {a} vs {b}")
    train_a, train_b = first["config"]["train"], other["config"]["train"]
    for key in sorted(set(train_a) & set(train_b) - set(_WHERE_IT_RAN)):
        if train_a[key] != train_b[key]:
            found.append(f"training {key} {train_a[key]} vs {train_b[key]}")
    return found


def merge_results(results: Sequence[Mapping[str, Any]],
                  sources: Sequence[str] | None = None) -> dict[str, Any]:
    """One result over all the seeds of ``results`` (see the module docstring).

    Raises ``AlstudioError`` when the runs measured different things or share a seed.
    """
    if len(results) < 2:
        raise AlstudioError("Merging needs two or more simulator results.",
                            "Give the JSON files of runs with different seeds.")
    names = list(sources or [f"result {i + 1}" for i in range(len(results))])
    for name, other in zip(names[1:], results[1:], strict=True):
        differences = _differences(results[0], other)
        if differences:
            raise AlstudioError(f"{name} measured something else than {names[0]}: "
                                f"{'; '.join(differences)}.",
                                "Merge only runs of one benchmark that differ in their seeds.")
    seen: dict[int, str] = {}
    for name, result in zip(names, results, strict=True):
        for seed in seeds_of(result):
            if seed in seen:
                raise AlstudioError(f"Seed {seed} is in both {seen[seed]} and {name}.",
                                    "Run the extra seeds with `--first-seed` past the "
                                    "last seed of the earlier run.")
            seen[seed] = name
    common = [s for s in results[0]["config"]["strategies"]
              if all(s in r["config"]["strategies"] for r in results[1:])]
    if "random" not in common:
        raise AlstudioError("The runs share no random baseline.",
                            "Every simulator result holds random; give unedited JSON files.")
    left_out = sorted({s for r in results for s in r["config"]["strategies"]} - set(common))

    # every seed of every run, in seed order, so paired statistics pair the same seeds
    order = sorted((seed, i, k) for i, r in enumerate(results)
                   for k, seed in enumerate(seeds_of(r)))
    return _assemble(results, names, order, common, left_out)


def subset_result(result: Mapping[str, Any], strategies: Sequence[str] | None = None,
                  seeds: Sequence[int] | None = None, source: str = "result") -> dict[str, Any]:
    """``result`` kept to some of its strategies and seeds, every summary figure computed
    again: the file a run of only those would have written. It lets a later table pair a
    recipe variant with today's recipe on the seeds both ran, from a file that holds more.

    Raises ``AlstudioError`` for a strategy or seed the result does not hold.
    """
    ran = list(result["config"]["strategies"])
    keep = list(strategies or ran)
    unknown = [s for s in keep if s not in ran]
    if unknown:
        raise AlstudioError(f"{source} holds no {', '.join(unknown)}.",
                            f"Keep some of the strategies it ran: {', '.join(ran)}.")
    if "random" not in keep:
        keep.insert(0, "random")  # every figure is read against random
    keep = [s for s in ran if s in keep]  # the run's own order: random first
    available = seeds_of(result)
    wanted = list(available if seeds is None else seeds)
    missing = [s for s in wanted if s not in available]
    if missing or not wanted:
        raise AlstudioError(f"{source} did not run seed(s) {missing or wanted}.",
                            f"Keep some of the seeds it ran: {available}.")
    order = sorted((seed, 0, available.index(seed)) for seed in set(wanted))
    left_out = sorted(set(ran) - set(keep))
    kept = _assemble([result], [source], order, keep, left_out)
    if result.get("merged_from"):  # a part of a merge still names the files it came from
        chosen = set(wanted)
        kept["merged_from"] = [{"source": e["source"],
                                "seeds": [s for s in e["seeds"] if s in chosen]}
                               for e in result["merged_from"]
                               if any(s in chosen for s in e["seeds"])]
    return kept


def single_view_result(result: Mapping[str, Any], source: str = "result") -> dict[str, Any]:
    """A flip-averaged run (``mirror_test``) read on the single view it kept beside: the file
    a plain run with the very same models would have written, every figure computed again. The
    flip's gain is then paired on one training per budget, not on two that differ by chance.

    Raises ``AlstudioError`` for a result that kept no single view.
    """
    singles = {m: f"{m}_single_view" for m in METRICS}
    kept = all(v in result["full_data"] for v in singles.values()) and all(
        v in curves for curves in result["curves"].values() for v in singles.values())
    if not result["config"].get("mirror_test") or not kept:
        raise AlstudioError(f"{source} kept no single-view figures.",
                            "Give a flip-averaged run (the ablation's mirror variant).")
    swapped = dict(result)
    swapped["config"] = {**result["config"], "mirror_test": False}
    swapped["full_data"] = {m: result["full_data"][v] for m, v in singles.items()}
    swapped["curves"] = {s: {**{k: c for k, c in curves.items() if k not in singles.values()},
                             **{m: curves[v] for m, v in singles.items()}}
                         for s, curves in result["curves"].items()}
    return subset_result(swapped, source=source)


def _assemble(results: Sequence[Mapping[str, Any]], names: Sequence[str],
              order: Sequence[tuple[int, int, int]], common: Sequence[str],
              left_out: Sequence[str]) -> dict[str, Any]:
    """The result over the (seed, run, position) triples of ``order``, for ``common``."""
    recorded = [m for m in results[0]["full_data"] if all(m in r["full_data"] for r in results)]
    full = {m: [_number(results[i]["full_data"][m]["per_seed"][k]) for _, i, k in order]
            for m in recorded}
    curves: dict[str, dict[str, list[Any]]] = {}
    for strategy in common:
        kinds = [key for key in results[0]["curves"][strategy]
                 if all(key in r["curves"][strategy] for r in results)]
        curves[strategy] = {key: [results[i]["curves"][strategy][key][k] for _, i, k in order]
                            for key in kinds}
    budgets = list(results[0]["budgets"])
    rare = str(results[0]["scenario"]).startswith("rare")
    config = dict(results[0]["config"])
    config.update(strategies=list(common), seeds=len(order), first_seed=order[0][0],
                  seed_list=[seed for seed, _, _ in order])
    share = len(order) / sum(len(seeds_of(r)) for r in results)  # a subset's share of time
    seconds: dict[str, float] = {}
    for result in results:
        for key, value in result["seconds"].items():
            if key == "total" or key in common or key == "pretrain":
                seconds[key] = round(seconds.get(key, 0.0) + float(value or 0.0) * share, 1)
    used = {i for _, i, _ in order}
    # a run counts collapses over all its seeds, so a subset of them cannot say its own
    collapses: dict[str, int | None] = {
        s: sum(int(r["collapses"].get(s, 0)) for r in results) if share == 1 else None
        for s in common}
    return json_ready({
        "dataset": results[0]["dataset"],
        "scenario": results[0]["scenario"],
        "config": config,
        "budgets": budgets,
        "full_data": {m: {"mean": float(np.mean(np.asarray(v, dtype=np.float64))),
                          "std": float(np.std(np.asarray(v, dtype=np.float64))),
                          "per_seed": v}
                      for m, v in full.items()},
        "curves": curves,
        "summary": simulation_summary(list(common), budgets, full, curves, METRICS, rare=rare),
        "collapses": collapses,
        "seconds": seconds,
        "merged_from": [{"source": names[i], "seeds": [s for s, j, _ in order if j == i]}
                        for i in range(len(results)) if i in used],
        "left_out": list(left_out),
    })


def _number(value: float | None) -> float:
    """A JSON number back to a float: the simulator wrote NaN (an AUC undefined on a
    degenerate test set) as null."""
    return float("nan") if value is None else float(value)
