"""The project report and its random baseline on the demo, timed.

Builds the demo project (BreastMNIST) in a temporary folder and runs ROUNDS rounds of the
default strategy, labeling each queue from the archive's reference labels with simulated
reader times (log-normal around 4 s, two readers), then times `build_report` (bootstrap
included) and the random baseline (`run_random_baseline`, SEEDS seeds at every round's label
count), and prints the report's headline figures.

    python benchmarks/report_speed.py [--rounds 6] [--batch 20] [--seeds 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from alstudio.datasets.demo import build_demo

from alstudio.evaluation.project_report import build_report
from alstudio.learning.training import TrainConfig
from alstudio.project import Project
from alstudio.workflow import RoundConfig, run_round
from alstudio.workflow.baseline import run_random_baseline


def label_queue(path: Path, round_id: int, rng: np.random.Generator) -> None:
    """Label a round's queue as two readers would: reference labels, log-normal seconds."""
    with Project.open(path) as project:
        names = project.class_names()
        reference = project.reference_labels("pool")
        for n, entry in enumerate(project.queue(round_id)):
            reader = "dr_lee" if n % 3 else "dr_okafor"
            seconds = float(rng.lognormal(np.log(4.0 if reader == "dr_lee" else 6.0), 0.4))
            project.ensure_annotator(reader)
            project.add_label(entry.item_id, reader, names[reference[entry.item_id]],
                              seconds_spent=round(seconds, 2))


def build_project(path: Path, rounds: int, batch: int, train: TrainConfig | None,
                  seed: int = 0) -> list[float]:
    """The demo with ``rounds`` rounds, each queue labeled; returns each round's seconds."""
    project, _ = build_demo(path)
    project.close()
    rng = np.random.default_rng(seed)
    seconds = []
    for _ in range(rounds):
        started = time.monotonic()
        outcome = run_round(path, RoundConfig(batch_size=batch, train=train))
        seconds.append(time.monotonic() - started)
        label_queue(path, outcome.round.id, rng)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="copy the project here for a later look")
    parser.add_argument("--quick", action="store_true",
                        help="4 rounds of 16, 2 seeds, a short training recipe")
    args = parser.parse_args()
    train = None
    if args.quick:
        args.rounds, args.batch, args.seeds = 4, 16, 2
        train = TrainConfig(max_epochs=6, min_steps=60, patience=3)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.alstudio"
        per_round = build_project(path, args.rounds, args.batch, train)
        print(f"{args.rounds} rounds of {args.batch}: {sum(per_round):.1f} s "
              f"({', '.join(f'{s:.1f}' for s in per_round)})")
        with Project.open(path) as project:
            started = time.monotonic()
            report = build_report(project)
            first = time.monotonic() - started
        print(f"report without baseline: {first * 1000:.0f} ms "
              f"({len(report['curve']['points'])} points, bootstrap "
              f"{report['curve']['bootstrap']['resamples']} resamples)")
        started = time.monotonic()
        run_random_baseline(path, args.seeds, max_epochs=train.max_epochs if train else None)
        baseline_s = time.monotonic() - started
        with Project.open(path) as project:
            report = build_report(project)
        sizes = report["baseline"]["sizes"]
        print(f"random baseline: {baseline_s:.1f} s for {args.seeds} seeds x {len(sizes)} "
              f"label counts ({baseline_s / max(1, args.seeds * len(sizes)):.2f} s a training)")
        for p in report["curve"]["points"]:
            ba = p["balanced_accuracy"]
            print(f"    round {p['round']}: {p['labels']:>4} labels  balanced accuracy "
                  f"{ba['value']:.3f} [{ba['low']:.3f}, {ba['high']:.3f}]  AUC "
                  f"{p['auc']['value']:.3f}")
        print("efficiency:", report["baseline"]["efficiency"]["text"])
        print("stopping:", report["stopping"]["text"])
        print("cost:", json.dumps({k: report["annotation_cost"][k] for k in
                                   ("labels", "median_s", "labels_per_hour", "total_reader_s")}))
        for warning in report["class_balance"]["warnings"]:
            print("balance:", warning)
        if args.keep:
            shutil.copyfile(path, args.keep)
            print(f"kept {args.keep}")


if __name__ == "__main__":
    main()
