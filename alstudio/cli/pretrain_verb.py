"""`alstudio pretrain PROJECT`: learn an encoder from the project's unlabeled scans."""

from __future__ import annotations

import argparse
import json

from alstudio.cli.arguments import existing_project, int_at_least, positive_int
from alstudio.cli.progress import StderrProgress


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `pretrain` verb."""
    verb = verbs.add_parser(
        "pretrain", help="learn a representation from the unlabeled pool (no labels, offline)",
        description="Self-supervised (SimCLR-style) pretraining of the classifier's encoder on "
                    "the pool's scans. `alstudio round --encoder` then starts from it (opt-in: "
                    "measured on BreastMNIST, no gain at natural balance and worse with a rare "
                    "class). Running it again continues "
                    "from the stored encoder.")
    verb.add_argument("project", type=existing_project)
    verb.add_argument("--epochs", type=int, default=20, help="epochs to add (default 20)")
    verb.add_argument("--fresh", action="store_true", help="start afresh, do not resume")
    verb.add_argument("--image-size", type=int_at_least(8, 1024),
                      help="input side in pixels (default: auto)")
    verb.add_argument("--threads", type=positive_int, help="cap CPU threads")
    verb.add_argument("--json", action="store_true", help="print one JSON object")
    verb.set_defaults(handler=cmd_pretrain)


def cmd_pretrain(args: argparse.Namespace) -> int:
    """Run the pretraining job with a progress bar on stderr."""
    from alstudio.workflow.pretrain import run_pretrain

    outcome = run_pretrain(args.project, epochs=args.epochs, fresh=args.fresh,
                           image_size=args.image_size, threads=args.threads,
                           progress=StderrProgress())
    if args.json:
        print(json.dumps(vars(outcome)))
    else:
        resumed = (f", continued from checkpoint {outcome.resumed_from}"
                   if outcome.resumed_from else "")
        print(f"Encoder pretrained on {outcome.images} scans: {outcome.epochs_done} epoch(s) in "
              f"all{resumed}, loss {outcome.last_loss:.3f}, {outcome.seconds:.0f} s; stored as "
              f"checkpoint {outcome.checkpoint_id}.")
    return 0
