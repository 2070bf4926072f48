"""Ablation: today's default recipe vs + pool representation vs + semi-supervised vs both.

For each dataset (BreastMNIST, RetinaMNIST) and scenario (natural balance; the rare class kept
at 3% of the pool), every variant runs random and the default strategy under the *same*
recipe, so label efficiency is measured against random within each variant; the absolute
labels to 95% of full data compare variants with each other. Writes one JSON per run and
prints a table (the README's).

The feature probe's variants (``probe``, ``heldback``, ``probemodel``) train every classifier
from scratch and blend its probabilities with a linear probe's on a pool encoder's features.

    python benchmarks/ablation.py [--quick | --short-recipe] [--seeds N] [--budget B]
                                  [--datasets D,..] [--scenarios S,..] [--variants V,..]
                                  [--out docs/benchmarks]
    python benchmarks/ablation.py --table docs/benchmarks/ablation300   # README table from JSON
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from alstudio.cli.progress import StderrProgress
from alstudio.evaluation.curves import labels_to_reach
from alstudio.evaluation.paired import below_random, flags_by_chance, paired_aulc_gain
from alstudio.evaluation.seed_bootstrap import efficiency_interval
from alstudio.evaluation.seed_merge import single_view_result
from alstudio.evaluation.simulate import SimulationConfig, simulate
from alstudio.learning.pretrain import PretrainConfig
from alstudio.learning.training import TrainConfig
from alstudio.selection.catalogue import DEFAULT_STRATEGY

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
DATASETS = {"breastmnist": (DATA / "breastmnist" / "breastmnist.npz", 0),
            "retinamnist": (DATA / "retinamnist" / "retinamnist.npz", 4)}
VARIANTS = ("default", "pool", "semi", "both", "probe", "heldback", "probemodel", "semisteady",
            "mirror", "ensemble")
#: "semisteady": semi-supervised rounds with steadier pseudo-labels (benchmarks/semi_recipe.py
#: "all": the averaged weights label them, unweighted, the term ramped in over half the steps)
STEADY_SEMI = {"pseudo_teacher": "ema", "pseudo_weighting": "none", "unlabeled_ramp": 0.5}


def variant_config(base: SimulationConfig, variant: str, epochs: int,
                   probe_epochs: int = 100) -> SimulationConfig:
    """The simulation of one variant: the pool representation and/or semi-supervised rounds,
    or the feature probe (classifier from scratch, its probabilities averaged with a linear
    probe's on an encoder pretrained for ``probe_epochs``: the setting the probe benchmark
    measured a gain with), its share either half ("probe") or chosen on the classifier's
    held-back slice ("heldback"); "probemodel" keeps the blend as the model but ranks on the
    classifier's own outputs."""
    if variant in ("probe", "heldback", "probemodel"):
        return replace(base, pretrain=PretrainConfig(epochs=probe_epochs), encoder_use="probe",
                       probe_weighting="held_back" if variant == "heldback" else "mean",
                       probe_in_ranking=variant != "probemodel")
    if variant == "semisteady":
        return replace(base, semi_supervised=True, train=replace(base.train, **STEADY_SEMI))
    if variant == "mirror":  # today's recipe, every test scan flip-averaged; same picks
        return replace(base, mirror_test=True)
    if variant == "ensemble":  # today's recipe, three classifiers averaged in every training
        return replace(base, ensemble_members=3)
    pre = PretrainConfig(epochs=epochs) if variant in ("pool", "both") else None
    return replace(base, pretrain=pre, semi_supervised=variant in ("semi", "both"))


def row(name: str, scenario: str, variant: str, result: dict[str, Any]) -> str:
    """One table line: the tried strategy's figures in this run, against random's."""
    tried = result["config"]["strategies"][-1]
    ba = result["summary"][tried]["balanced_accuracy"]
    rnd = result["summary"]["random"]["balanced_accuracy"]
    rounds = len(result["budgets"]) * result["config"]["seeds"] * 2
    per_round = (result["seconds"].get(tried, 0) + result["seconds"]["random"]) \
        / max(1, rounds)
    pos = result["summary"][tried].get("positives")

    def num(v: float | None, f: str = ".0f") -> str:
        return "not reached" if v is None else format(v, f)

    return (f"| {name} | {scenario} | {variant} | {num(ba['labels_to_target'])} | "
            f"{num(rnd['labels_to_target'])} | "
            f"{num(ba['label_efficiency'], '.2f')}{'x' if ba['label_efficiency'] else ''} | "
            f"{ba['aulc']:.3f} / {rnd['aulc']:.3f} | "
            f"{ba['final_mean']:.3f} ± {ba['final_std']:.3f} | "
            f"{rnd['final_mean']:.3f} ± {rnd['final_std']:.3f} | "
            f"{result['full_data']['balanced_accuracy']['mean']:.3f} | {per_round:.1f} | "
            f"{result['seconds'].get('pretrain', 0) / result['config']['seeds']:.0f} | "
            f"{'-' if pos is None else format(pos['final'], '.1f')} | "
            f"{', '.join(map(str, below_random(result, tried))) or 'never'} |")


HEADER = ("| data | scenario | variant | labels→95% default | labels→95% random | efficiency |"
          " AULC default / random | final bal.acc default | final random | full data |"
          " s/round | pretrain s/seed | rare per 100 labels | below random by > 1 SE at |\n"
          + "|---" * 14 + "|")


TITLES = {"breastmnist": "BreastMNIST", "retinamnist": "RetinaMNIST"}
VARIANT_TITLES = {"default": "today's default", "pool": "+ pool representation",
                  "semi": "+ semi-supervised", "both": "+ both (pool + semi-supervised)",
                  "probe": "+ feature probe (mean with the classifier)",
                  "heldback": "+ feature probe (share chosen on the held-back slice)",
                  "probemodel": "+ feature probe as the model only (the classifier ranks)",
                  "semisteady": "+ semi-supervised, steadier pseudo-labels",
                  "mirror": "+ flip averaging at test time",
                  "ensemble": "+ ensemble of three classifiers",
                  "single": "the same models, single view (no flip)"}
TABLE_HEADER = (
    "| data | scenario | variant | labels → 95%, tried / random | efficiency vs random |"
    " 95% interval over seeds |"
    " labels → today's 95% mark | AULC tried / random | bal. acc. at final budget, tried |"
    " random at final budget | rare per 100 labels, tried / random | s per round, tried |"
    " tried below random by > 1 SE at | a tie flagged at ≥ 1 / ≥ as many budgets |\n"
    + "|---" * 14 + "|")


def table_row(result: dict[str, Any], today: dict[str, Any] | None, data: str, scenario: str,
              variant: str) -> str:
    """One README line for a finished run. "Today's mark" is 95% of the full-data model of
    today's recipe (the ``default`` variant of the same cell), so rows with another recipe,
    whose own full-data model differs, still compare in labels a reader would spend."""
    tried = result["config"]["strategies"][-1]
    ba = result["summary"][tried]["balanced_accuracy"]
    rnd = result["summary"]["random"]["balanced_accuracy"]
    full = result["full_data"]["balanced_accuracy"]["mean"]
    mark = 0.95 * (today or result)["full_data"]["balanced_accuracy"]["mean"]
    to_mark = labels_to_reach(result["budgets"], result["summary"][tried]["balanced_accuracy"]
                              ["mean"], mark)
    per_round = result["seconds"].get(tried, 0.0) / (len(result["budgets"])
                                                     * result["config"]["seeds"])
    pos, pos_r = result["summary"][tried].get("positives"), result["summary"]["random"].get(
        "positives")
    rare = "–" if not pos else f"{pos['final']:.1f} / {pos_r['final']:.1f}"
    label = VARIANT_TITLES[variant] if tried == DEFAULT_STRATEGY else f"`{tried}`"
    if tried != DEFAULT_STRATEGY and variant != "default":
        label += f" {VARIANT_TITLES[variant][2:]}"
    scenario = "natural" if scenario == "natural" else \
        f"rare: class {DATASETS[data][1]} at 3%"
    eff = ba["label_efficiency"]
    chance = flags_by_chance(result, tried)
    interval = efficiency_interval(result, tried)

    def num(v: float | None) -> str:
        return "not reached" if v is None else f"{v:.0f}"

    return (f"| {TITLES[data]} (full data {full:.3f}) | "
            f"{scenario} | {label} | {num(ba['labels_to_target'])} / "
            f"{num(rnd['labels_to_target'])} | "
            f"{'not reached' if eff is None else format(eff, '.2f') + '×'} | "
            f"{interval.bounds()} | {num(to_mark)} | "
            f"{ba['aulc']:.3f} / {rnd['aulc']:.3f} | "
            f"{ba['final_mean']:.3f} ± {ba['final_std']:.3f} | "
            f"{rnd['final_mean']:.3f} ± {rnd['final_std']:.3f} | {rare} | {per_round:.0f} | "
            f"{', '.join(map(str, below_random(result, tried))) or 'never'} | "
            f"{chance[0]:.0%} / {chance[1]:.0%} |")


def print_table(folder: Path) -> None:
    """The README table from a folder of this script's JSON files, ordered by dataset,
    scenario and variant, with no simulation run."""
    runs = []
    for path in sorted(folder.glob("*.json")):
        result = json.loads(path.read_text())
        data, scenario, variant = path.stem.split("-")[:3]
        runs.append(((data, scenario, VARIANTS.index(variant), path.stem), variant, result))
        if variant == "mirror":  # beside it, the single view of the very same models
            runs.append(((data, scenario, VARIANTS.index(variant), f"{path.stem}~single"),
                         "single", single_view_result(result, path.name)))
    todays = {(k[0], k[1]): r for k, _, r in runs
              if k[2] == 0 and k[3] == f"{k[0]}-{k[1]}-default"}
    print(TABLE_HEADER)
    for key, variant, result in sorted(runs, key=lambda run: run[0]):
        print(table_row(result, todays.get((key[0], key[1])), key[0], key[1], variant))
    print("\n| data | scenario | tried | AULC minus today's default, paired mean ± SE |\n"
          + "|---" * 4 + "|")
    for key, variant, result in sorted(runs, key=lambda run: run[0]):
        today = todays.get((key[0], key[1]))
        if today is None or result is today:
            continue
        mean, se = paired_aulc_gain(result, today)
        tried = result["config"]["strategies"][-1]
        label = VARIANT_TITLES[variant] if tried == DEFAULT_STRATEGY else f"`{tried}`"
        print(f"| {TITLES[key[0]]} | {key[1]} | {label} | {mean:+.3f} ± {se:.3f} |")
    _print_flip_gains(runs)


def _print_flip_gains(runs: list[tuple[tuple[str, str, int, str], str, dict[str, Any]]]
                      ) -> None:
    """The flip's own effect: each mirror run against its single view, the same models and
    picks, so the pairing is exact (its table against today's pairs two trainings)."""
    pairs = [(key, result) for key, variant, result in runs if variant == "mirror"]
    if not pairs:
        return
    print("\n| data | scenario | strategy | AULC flip-averaged minus single view, paired mean ± SE"
          " | final budget, the same |\n" + "|---" * 5 + "|")
    for key, result in sorted(pairs, key=lambda pair: pair[0]):
        single = single_view_result(result)
        for strategy in result["config"]["strategies"]:
            mean, se = paired_aulc_gain(result, single, tried=strategy, baseline=strategy)
            last = (np.asarray(result["curves"][strategy]["balanced_accuracy"])[:, -1]
                    - np.asarray(single["curves"][strategy]["balanced_accuracy"])[:, -1])
            print(f"| {TITLES[key[0]]} | {key[1]} | `{strategy}` | {mean:+.3f} ± {se:.3f} | "
                  f"{last.mean():+.3f} ± {last.std(ddof=1) / np.sqrt(last.size):.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 seed, budgets 20/40/60, a shortened recipe (80 steps, 10 "
                             "periods) and 5 pretraining epochs: what a shared 2-core CPU allows")
    parser.add_argument("--short-recipe", action="store_true",
                        help="the shortened recipe of --quick (80 steps, 10 periods, patience "
                             "4) with any number of seeds and budget")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0,
                        help="run seeds N .. N+SEEDS-1, to add seeds to an earlier run "
                             "(merge them with benchmarks/merge_seeds.py)")
    parser.add_argument("--budget", type=int, default=300)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=20, help="pretraining epochs")
    parser.add_argument("--probe-epochs", type=int, default=100,
                        help="pretraining epochs of the feature probe's encoder")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--scenarios", default="natural,rare")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--strategy", default=DEFAULT_STRATEGY,
                        help="the strategy set against random (a variant as NAME:KEY=VALUE, "
                             "e.g. coreset_uncertainty:rare_share=0.25); default: the default")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks/ablation"))
    parser.add_argument("--table", type=Path, metavar="FOLDER",
                        help="print the README table from this folder's JSON files and stop")
    args = parser.parse_args()
    if args.table:
        print_table(args.table)
        return
    train = TrainConfig()
    seeds, budget = args.seeds, args.budget
    if args.quick:
        seeds, budget = 1, 60
        args.epochs, args.probe_epochs = min(args.epochs, 5), min(args.probe_epochs, 5)
    if args.quick or args.short_recipe:
        train = TrainConfig(min_steps=80, max_epochs=10, patience=4)
    args.out.mkdir(parents=True, exist_ok=True)
    lines = [HEADER]
    for name in args.datasets.split(","):
        archive, rare_class = DATASETS[name]
        if not archive.exists():
            print(f"{archive} is absent: {name} skipped", file=sys.stderr)
            continue
        for scenario in args.scenarios.split(","):
            base = SimulationConfig(strategies=["random", args.strategy], seeds=seeds,
                                    first_seed=args.first_seed, initial=20,
                                    batch=args.batch, budget=budget,
                                    rare_class=rare_class if scenario == "rare" else None,
                                    train=train, threads=args.threads)
            for variant in args.variants.split(","):
                started = time.monotonic()
                config = variant_config(base, variant, args.epochs, args.probe_epochs)
                result = simulate(archive, config, progress=StderrProgress())
                tag = "" if args.strategy == DEFAULT_STRATEGY else \
                    "-" + args.strategy.replace(":", "-").replace("=", "")
                path = args.out / f"{name}-{scenario}-{variant}{tag}.json"
                path.write_text(json.dumps(result, indent=1, allow_nan=False))
                lines.append(row(name, scenario, variant, result))
                print(f"{lines[-1]}  ({time.monotonic() - started:.0f} s)", flush=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
