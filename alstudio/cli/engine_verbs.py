"""Verbs that run the learning engine: round and simulate.

torch is imported only when one of these verbs runs, so `alstudio info` and `--help` stay
instant.
"""

from __future__ import annotations

import argparse
import json
import sys

from alstudio.cli.arguments import (
    existing_file,
    existing_project,
    fraction,
    non_negative_int,
    output_file,
    positive_int,
)
from alstudio.cli.progress import StderrProgress
from alstudio.errors import AlstudioError
from alstudio.selection.catalogue import DEFAULT_ALIAS, DEFAULT_STRATEGY, resolve
from alstudio.workflow.round import ENCODER_MEASURED
from alstudio.workflow.round_encoder import PROBE_MEASURED

DEFAULT_SIM_STRATEGIES = f"random,{DEFAULT_STRATEGY},entropy,coreset,badge"
ENCODER_HELP = ("start from the pool encoder stored by `alstudio pretrain`: its features for "
                "the cold start and the early core-set distances, its weights for "
                f"fine-tuning; {ENCODER_MEASURED}")


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add round, stream and simulate; every number and path is checked as it is parsed."""
    rnd = verbs.add_parser(
        "round", help="train on the labels so far, score the pool, queue the next batch",
        description="One active-learning round. The round, its queue and its model "
                    "checkpoint are written together at the end; a cancelled or failed round "
                    "leaves the project as it was.")
    rnd.add_argument("project", type=existing_project)
    rnd.add_argument("--strategy", default=None,
                     help=f"query strategy (default: {DEFAULT_STRATEGY}; `auto` picks by stage); "
                          f"NAME:KEY=VALUE sets a knob, e.g. {DEFAULT_ALIAS}:rare_share=0.25 "
                          f"keeps a quarter of the batch for the likeliest cases of the class "
                          f"with the fewest labels")
    rnd.add_argument("--batch", type=positive_int, default=20,
                     help="items to queue (default 20; more than the pool queues all of it)")
    rnd.add_argument("--model", default="auto", help="architecture (default: by device and "
                     "image size)")
    rnd.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda", "mps"))
    rnd.add_argument("--seed", type=non_negative_int, default=0)
    rnd.add_argument("--max-epochs", type=positive_int,
                     help="cap training epochs (evaluation periods); the --min-steps floor "
                          "still applies")
    rnd.add_argument("--min-steps", type=positive_int,
                     help="floor on optimiser steps however few the labels (default 240): "
                          "with --max-epochs it bounds how long training takes")
    rnd.add_argument("--committee", choices=("dropout", "checkpoints"), default="dropout",
                     help="committee for bald/vote_entropy/kl_consensus: MC-dropout passes of "
                          "the new model (default), or the new model with earlier rounds' "
                          "checkpoints")
    rnd.add_argument("--committee-size", type=positive_int, default=4,
                     help="earlier checkpoints in a checkpoint committee (default 4)")
    rnd.add_argument("--max-scored", type=non_negative_int, default=20_000,
                     help="score at most this many unlabeled items, a random sample of a "
                          "larger pool (default 20000; 0 scores the whole pool)")
    rnd.add_argument("--semi-supervised", action="store_true",
                     help="train on confident pseudo-labels of the unlabeled pool too "
                          "(FixMatch-like; slower, off by default)")
    rnd.add_argument("--encoder", action="store_true", help=ENCODER_HELP)
    probe = rnd.add_mutually_exclusive_group()
    probe.add_argument("--probe", dest="probe", action="store_true",
                       help="average the classifier's probabilities with a linear probe's on "
                            "the pool encoder's features (`alstudio pretrain`), and refuse "
                            "without an encoder; off by default, "
                            + PROBE_MEASURED.replace("%", "%%"))  # argparse formats help
    # the opt-out of the release that had it on by default, now the default: still accepted
    probe.add_argument("--no-probe", dest="probe", action="store_false", help=argparse.SUPPRESS)
    rnd.add_argument("--no-encoder", action="store_true", help=argparse.SUPPRESS)  # the old
    # opt-out, now the default: still accepted so scripts that pass it keep working
    rnd.add_argument("--json", action="store_true", help="print one JSON object")
    rnd.set_defaults(handler=cmd_round)

    stream = verbs.add_parser(
        "stream", help="judge scans imported since the last round, one by one, for a label",
        description="Stream mode: with the latest round's model, decide for each newly "
                    "imported scan whether it is worth a label (uncertain or unlike anything "
                    "labeled), within a label budget. Queues the accepted scans; no training.")
    stream.add_argument("project", type=existing_project)
    stream.add_argument("--budget", type=positive_int, required=True,
                        help="most scans to queue")
    stream.add_argument("--accept-fraction", type=fraction, default=0.05,
                        help="thresholds are set so this share of the pool would be accepted")
    stream.add_argument("--rule", choices=("or", "and"), default="or",
                        help="'or': uncertain or novel suffices; 'and': both are needed")
    stream.add_argument("--json", action="store_true", help="print one JSON object")
    stream.set_defaults(handler=cmd_stream)

    sim = verbs.add_parser(
        "simulate", help="benchmark strategies against an oracle on a labeled .npz archive",
        description="Oracle simulation on a MedMNIST-style archive: pool = train+val, test "
                    "held out. Learning curves per seed, label efficiency against random.")
    sim.add_argument("dataset", type=existing_file, metavar="DATASET.npz")
    sim.add_argument("--strategies", default=DEFAULT_SIM_STRATEGIES,
                     help=f"comma-separated (default {DEFAULT_SIM_STRATEGIES}; `{DEFAULT_ALIAS}` "
                          f"means {DEFAULT_STRATEGY}); random is always included; a variant is "
                          f"NAME:KEY=VALUE[:KEY=VALUE], e.g. {DEFAULT_STRATEGY}:shortlist_factor=5")
    sim.add_argument("--seeds", type=positive_int, default=5)
    sim.add_argument("--first-seed", type=non_negative_int, default=0, metavar="N",
                     help="run seeds N .. N+SEEDS-1, to add seeds to an earlier run "
                          "(merge the JSON files with benchmarks/merge_seeds.py)")
    sim.add_argument("--initial", type=positive_int, default=20,
                     help="random labels to start from")
    sim.add_argument("--batch", type=positive_int, default=20)
    sim.add_argument("--budget", type=positive_int, default=300, help="labels at the end")
    sim.add_argument("--rare-class", type=non_negative_int, metavar="CLASS",
                     help="rare-class scenario: keep only --rare-fraction of this class in the "
                          "pool (test set unchanged)")
    sim.add_argument("--rare-fraction", type=fraction, default=0.03)
    sim.add_argument("--model", default="auto")
    sim.add_argument("--max-epochs", type=positive_int, help="cap epochs per training")
    sim.add_argument("--min-steps", type=non_negative_int,
                     help="floor on optimiser steps per training (the recipe's default keeps "
                          "tiny labeled sets from being under-trained)")
    sim.add_argument("--threads", type=positive_int, help="cap CPU threads")
    sim.add_argument("--json", type=output_file, metavar="OUT.json",
                     help="write the full result")
    sim.add_argument("--plot", type=output_file, metavar="OUT.png",
                     help="draw the learning curves")
    sim.set_defaults(handler=cmd_simulate)


def cmd_round(args: argparse.Namespace) -> int:
    """`alstudio round`: one round, printed as a summary or one JSON object."""
    from alstudio.workflow import RoundConfig, run_round

    if args.min_steps is not None and args.min_steps < 0:
        raise AlstudioError("--min-steps must be 0 or more.")
    if args.max_epochs is not None and args.max_epochs < 1:
        raise AlstudioError("--max-epochs must be at least 1.")

    config = RoundConfig(strategy=args.strategy or DEFAULT_STRATEGY, batch_size=args.batch,
                         model=args.model, device=args.device, seed=args.seed,
                         max_epochs=args.max_epochs, min_steps=args.min_steps,
                         committee=args.committee, committee_size=args.committee_size,
                         max_scored=args.max_scored or None,
                         semi_supervised=args.semi_supervised, use_encoder=args.encoder,
                         feature_probe=args.probe)
    outcome = run_round(args.project, config, progress=StderrProgress())
    test = outcome.metrics.get("test", {})
    if len(outcome.queue) < args.batch:
        print(f"alstudio: --batch {args.batch} is more than the {len(outcome.queue)} unlabeled "
              "pool item(s): the whole unlabeled pool was queued.", file=sys.stderr)
    if args.json:
        print(json.dumps({
            "round": outcome.round.number, "strategy": outcome.round.strategy,
            "labels_used": outcome.round.labels_used, "device": outcome.round.device,
            "queued": [{"item": e.item_id, "rank": e.rank, "score": e.score,
                        "reason": e.reason} for e in outcome.queue],
            "metrics": outcome.metrics, "explanation": outcome.explanation,
            "seconds": round(outcome.seconds, 2)}, indent=2))
        return 0
    print(f"Round {outcome.round.number}: {outcome.round.strategy} queued "
          f"{len(outcome.queue)} item(s) from {outcome.round.labels_used} label(s) in "
          f"{outcome.seconds:.1f} s on {outcome.round.device}.")
    if test:
        print(f"Test split: balanced accuracy {test['balanced_accuracy']}, AUC {test['auc']} "
              f"(n={test['n']}).")
    if outcome.explanation:
        print(outcome.explanation)
    for entry in outcome.queue[:10]:
        print(f"  #{entry.rank + 1:<3} item {entry.item_id:<7} {entry.reason}")
    if len(outcome.queue) > 10:
        print(f"  ... {len(outcome.queue) - 10} more (`alstudio items {args.project} --status "
              "queued` lists them)")
    return 0


def cmd_stream(args: argparse.Namespace) -> int:
    """Judge newly imported scans one by one and queue the accepted ones."""
    from alstudio.workflow import run_stream

    outcome = run_stream(args.project, args.budget, accept_fraction=args.accept_fraction,
                         rule=args.rule, progress=StderrProgress())
    if args.json:
        print(json.dumps({"round": outcome.round.number, "metrics": outcome.metrics,
                          "queued": [{"item": e.item_id, "score": e.score, "reason": e.reason}
                                     for e in outcome.queue],
                          "left_out_checkpoints": outcome.left_out,
                          "explanation": outcome.explanation}, indent=2))
        return 0
    for bad in outcome.left_out:
        print(f"left out round {bad['round']}'s checkpoint: {bad['reason']}", file=sys.stderr)
    print(outcome.explanation)
    for entry in outcome.queue:
        print(f"  item {entry.item_id:<7} {entry.reason}")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    """Check the archive and scenario first (seconds), then run the oracle benchmark."""
    from alstudio.evaluation.archive_check import check_simulation_archive

    check_simulation_archive(args.dataset, args.rare_class)
    from alstudio.evaluation.plot import plot_simulation
    from alstudio.evaluation.report import format_summary
    from alstudio.evaluation.simulate import SimulationConfig, simulate
    from alstudio.learning.device import cpu_threads, free_cpu_threads
    from alstudio.learning.training import TrainConfig

    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    strategies = [resolve(s) for s in strategies]
    if args.min_steps is not None and args.min_steps < 0:
        raise AlstudioError("--min-steps must be 0 or more.")
    if args.seeds < 1 or args.initial < 1 or args.batch < 1 or args.budget < args.initial:
        raise AlstudioError("Need --seeds >= 1, --initial >= 1, --batch >= 1 and "
                            "--budget >= --initial.")
    train = TrainConfig(model=args.model)
    if args.max_epochs:
        train.max_epochs = args.max_epochs
    if args.min_steps is not None:
        train.min_steps = args.min_steps
    config = SimulationConfig(strategies=list(dict.fromkeys(strategies)), seeds=args.seeds,
                              first_seed=args.first_seed, initial=args.initial,
                              batch=args.batch, budget=args.budget,
                              rare_class=args.rare_class, rare_fraction=args.rare_fraction,
                              train=train, threads=args.threads or free_cpu_threads())
    with cpu_threads(config.threads):  # inference too: idle cores only (see free_cpu_threads)
        result = simulate(args.dataset, config, progress=StderrProgress())
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1, allow_nan=False))
    if args.plot:
        plot_simulation(result, args.plot)
    print(format_summary(result))
    return 0
