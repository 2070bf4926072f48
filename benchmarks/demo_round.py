"""A demo round end to end on the CPU: BreastMNIST with about 100 labels.

Builds the demo project in a temporary folder, gives it LABELS labels (from the archive's
reference labels, as an annotator would), and times `run_round` phase by phase: preparing the
model inputs (first round decodes, later rounds read the cache), training, scoring the pool and
evaluating the test split, selecting and saving. Target: at most 30 s on a 2-core CPU.

    python benchmarks/demo_round.py [--labels 100] [--batch 20] [--quick]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=100)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--strategy", default=DEFAULT_STRATEGY)
    parser.add_argument("--quick", action="store_true", help="one timed round only")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.alstudio"
        project, _ = build_demo(path)
        with project:
            names = project.class_names()
            for item_id, label in list(project.reference_labels("pool").items())[:args.labels]:
                project.add_label(item_id, "benchmark", names[label])
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
            outcome = run_round(path, RoundConfig(strategy=args.strategy,
                                                  batch_size=args.batch),
                                progress=on_progress)
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
    print("target: <= 30 s per round on a 2-core CPU")


if __name__ == "__main__":
    main()
