"""`alstudio items`: list a project's items with where each stands (what error hints point to).

An item's status is read from its label events: ``unlabeled`` (no standing decision),
``labeled`` (a class everyone agrees on, or an adjudicator's), ``disputed`` (annotators gave
different classes), ``unsure``, ``skipped``; ``queued`` selects the undecided items of the
latest round's queue, in queue order.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from alstudio.cli.arguments import existing_project
from alstudio.project import SPLITS, Item, ItemLabel, Project

STATUSES = ("unlabeled", "labeled", "disputed", "unsure", "skipped", "queued")


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `items` verb."""
    items = verbs.add_parser(
        "items", help="list the project's items and where each stands",
        description="List items in import order (queued: in queue order) with their split, "
                    "status and label.")
    items.add_argument("project", type=existing_project)
    items.add_argument("--status", action="append", choices=STATUSES, metavar="STATUS",
                       help=f"only items with this status ({', '.join(STATUSES)}); repeat to "
                            "combine")
    items.add_argument("--split", choices=SPLITS, help="only one split")
    items.add_argument("--json", action="store_true", help="print one JSON object")
    items.set_defaults(handler=cmd_items)


def item_status(label: ItemLabel | None) -> tuple[str, str | None]:
    """(status, class name or None) of an item from its standing decisions."""
    if label is None:
        return "unlabeled", None
    if label.disagreement:
        return "disputed", None
    if label.consensus is not None:
        return "labeled", label.consensus
    return ("unsure" if "unsure" in label.by_annotator.values() else "skipped"), None


def list_items(project: Project, statuses: list[str] | None = None,
               split: str | None = None) -> list[dict[str, Any]]:
    """The rows `alstudio items` prints, filtered by status and split."""
    current = project.current_labels()
    items: list[Item] = project.items(split)
    queued: set[int] = set()
    if statuses and "queued" in statuses:
        latest = project.latest_round()
        if latest is not None:
            queue_ids = [e.item_id for e in project.queue(latest.id)]
            queued = {i for i in queue_ids if i not in current}
            position = {item_id: n for n, item_id in enumerate(queue_ids)}
            items = sorted(items, key=lambda i: (i.id not in position,
                                                  position.get(i.id, 0), i.id))
    rows = []
    for item in items:
        status, label = item_status(current.get(item.id))
        if statuses and status not in statuses and item.id not in queued:
            continue
        rows.append({"id": item.id, "split": item.split, "status": status, "label": label,
                     "kind": item.kind, "modality": item.modality, "shape": list(item.shape),
                     "path": item.path, "dataset_root": item.dataset_root,
                     "queued": item.id in queued})
    return rows


def cmd_items(args: argparse.Namespace) -> int:
    """Print the items as a table, or as one JSON object with ``--json``."""
    with Project.open(args.project) as project:
        rows = list_items(project, args.status, args.split)
    if args.json:
        print(json.dumps({"project": str(args.project), "count": len(rows), "items": rows},
                         indent=2))
        return 0
    if not rows:
        print("No items match." if args.status or args.split else
              "No items yet: import scans with `alstudio import PROJECT PATH...`.")
        return 0
    print(f"{'ID':>7}  {'SPLIT':<5}  {'STATUS':<9}  {'LABEL':<16}  PATH")
    for row in rows:
        print(f"{row['id']:>7}  {row['split']:<5}  {row['status']:<9}  "
              f"{(row['label'] or '-'):<16}  {row['path']}")
    print(f"{len(rows)} item(s).")
    return 0
