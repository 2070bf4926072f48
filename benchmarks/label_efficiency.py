"""Label efficiency on BreastMNIST: every strategy against random, 5 seeds, two scenarios.

Runs the oracle simulator (the protocol of EVALUATION.md) on the shipped demo archive, in the
natural class balance and in the rare-class scenario (malignant kept at ~3% of the pool, test
set unchanged), and writes JSON and PNG learning curves next to the printed summary.

    python benchmarks/label_efficiency.py [--quick] [--out docs/benchmarks]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from alstudio.cli.progress import StderrProgress
from alstudio.evaluation.plot import plot_simulation
from alstudio.evaluation.report import format_summary
from alstudio.evaluation.simulate import SimulationConfig, simulate
from alstudio.selection.catalogue import DEFAULT_STRATEGY
from alstudio.workflow.demo import demo_archive

STRATEGIES = ["random", DEFAULT_STRATEGY, "entropy", "coreset", "badge"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds, budget 100")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=300)
    parser.add_argument("--scenarios", default="natural,rare")
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks"))
    parser.add_argument("--threads", type=int, help="cap CPU threads (run scenarios side by side)")
    args = parser.parse_args()
    seeds, budget = (2, 100) if args.quick else (args.seeds, args.budget)
    args.out.mkdir(parents=True, exist_ok=True)
    for scenario in args.scenarios.split(","):
        config = SimulationConfig(strategies=args.strategies.split(","), seeds=seeds,
                                  initial=20, batch=20, budget=budget,
                                  rare_class=0 if scenario == "rare" else None,
                                  threads=args.threads)
        started = time.monotonic()
        result = simulate(demo_archive(), config, progress=StderrProgress())
        stem = args.out / f"breastmnist-{scenario}"
        Path(f"{stem}.json").write_text(json.dumps(result, indent=1, allow_nan=False))
        plot_simulation(result, Path(f"{stem}.png"))
        print(f"\n== {scenario} ({time.monotonic() - started:.0f} s; {stem}.json, {stem}.png)")
        print(format_summary(result))
        if scenario == "rare":
            positives = {s: [sum(seed[i] for seed in c["positives"]) / len(c["positives"])
                             for i in (0, -1)]
                         for s, c in result["curves"].items()}
            print("malignant items labeled, first and last budget (mean over seeds): "
                  + ", ".join(f"{s} {a:.1f}->{b:.1f}" for s, (a, b) in positives.items()))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
