"""A demo round end to end on the CPU: BreastMNIST with about 100 labels.

Builds the demo project in a temporary folder, gives it LABELS labels (from the archive's
reference labels, as an annotator would), and times `run_round` phase by phase: preparing the
model inputs (first round decodes, later rounds read the cache), training, scoring the pool and
evaluating the test split, selecting and saving. Target: at most 30 s on a 2-core CPU with
the default recipe. The recipe's options are timed the same way: ``--semi-supervised``
(FixMatch-like training on the unlabeled pool), ``--encoder`` (pretrains the pool encoder
first, timed on its own line, then starts every round from it) and ``--probe`` (pretrains it
the same way, then averages each round's classifier with a linear probe on its features).

    python benchmarks/demo_round.py [--labels 100] [--batch 20] [--quick] [--semi-supervised]
                                    [--encoder] [--probe] [--pretrain-epochs 5]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from alstudio.jobs import Progress
from alstudio.project import Project
from alstudio.selection.catalogue import DEFAULT_STRATEGY
from alstudio.workflow import RoundConfig, run_round
from alstudio.workflow.demo import build_demo
from alstudio.workflow.pretrain import run_pretrain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=100)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--strategy", default=DEFAULT_STRATEGY)
    parser.add_argument("--quick", action="store_true", help="one timed round only")
    parser.add_argument("--semi-supervised", action="store_true",
                        help="rounds train on the unlabeled pool too")
    parser.add_argument("--encoder", action="store_true",
                        help="pretrain the pool encoder first and start each round from it")
    parser.add_argument("--probe", action="store_true",
                        help="pretrain the pool encoder first and average a probe on it in")
    parser.add_argument("--pretrain-epochs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.alstudio"
        project, _ = build_demo(path)
        with project:
            names = project.class_names()
            for item_id, label in list(project.reference_labels("pool").items())[:args.labels]:
                project.add_label(item_id, "benchmark", names[label])
        if args.encoder or args.probe:
            pre = run_pretrain(path, epochs=args.pretrain_epochs)
            print(f"pretraining: {pre.epochs_done} epochs on {pre.images} images in "
                  f"{pre.seconds:.1f} s")
        rounds = 1 if args.quick else 2
        for n in range(rounds):
            phases: dict[str, float] = {}
            last = {"phase": "start", "t": time.monotonic()}

            def on_progress(step: Progress, phases: dict[str, float] = phases,
                            last: dict = last) -> None:
                now = time.monotonic()
                key = "training" if step.phase.startswith("epoch") else step.phase
                phases[last["phase"]] = phases.get(last["phase"], 0.0) + now - last["t"]
                last.update(phase=key, t=now)

            started = time.monotonic()
            request = RoundConfig(strategy=args.strategy, batch_size=args.batch,
                                  semi_supervised=args.semi_supervised,
                                  use_encoder=args.encoder, feature_probe=args.probe)
            outcome = run_round(path, request, progress=on_progress)
            total = time.monotonic() - started
            phases[last["phase"]] = phases.get(last["phase"], 0.0) + time.monotonic() - last["t"]
            test = outcome.metrics.get("test", {})
            cache = "cold input cache" if n == 0 else "warm input cache"
            print(f"round {outcome.round.number} ({cache}): {total:.1f} s end to end, "
                  f"{outcome.round.labels_used} labels, model "
                  f"{outcome.round.params.get('model')}, {outcome.round.device}; test balanced "
                  f"accuracy {test.get('balanced_accuracy')}, AUC {test.get('auc')}")
            for phase, seconds in phases.items():
                if phase != "start" and seconds >= 0.01:
                    print(f"    {phase:<18}{seconds:6.2f} s")
        with Project.open(path) as project:
            size_mb = path.stat().st_size / 1e6
            print(f"project file {size_mb:.1f} MB after {len(project.rounds())} round(s) "
                  "(checkpoints included)")
    recipe = " + ".join(["default recipe"] + (["semi-supervised"] if args.semi_supervised
                                              else []) + (["encoder"] if args.encoder else [])
                                              + (["feature probe"] if args.probe else []))
    print(f"{recipe}; target: <= 30 s per round on a 2-core CPU with the default recipe")


if __name__ == "__main__":
    main()
