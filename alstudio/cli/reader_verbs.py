"""Verbs for several readers: the reading settings and roles, and the disagreements list."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from alstudio.cli.arguments import existing_project, finite_float
from alstudio.errors import AlstudioError
from alstudio.project import Project
from alstudio.project.consensus import CONSENSUS_RULES
from alstudio.project.session import LabelingSession


def register(verbs: argparse._SubParsersAction) -> None:
    settings = verbs.add_parser(
        "settings", help="reading settings: second reads, tie breaks, consensus, roles",
        description="Show the project's reading settings; change any that are given.")
    settings.add_argument("project", type=existing_project)
    settings.add_argument("--second-read", type=finite_float(0.0, 1.0), metavar="FRACTION",
                          help="share of each round's queue read by a second reader (0-1; "
                               "0 = single reading)")
    settings.add_argument("--third-read-ties", choices=("on", "off"),
                          help="a third reader breaks a tie between two")
    settings.add_argument("--consensus", choices=CONSENSUS_RULES,
                          help="what training uses without an adjudication: 'all' readers "
                               "agree (default) or a 'majority'")
    settings.add_argument("--adjudicator", action="append", default=[], metavar="NAME",
                          help="make NAME an adjudicator (repeatable)")
    settings.add_argument("--reader", action="append", default=[], metavar="NAME",
                          help="make NAME a plain reader again (repeatable)")
    settings.add_argument("--json", action="store_true", help="print one JSON object")
    settings.set_defaults(handler=cmd_settings)

    dis = verbs.add_parser(
        "disagreements", help="items whose readers differ, each reader's label side by side",
        description="Only an adjudicator may list them: readers stay blind to each other.")
    dis.add_argument("project", type=existing_project)
    dis.add_argument("--annotator", required=True, help="the adjudicator asking")
    dis.add_argument("--json", action="store_true", help="print one JSON object")
    dis.set_defaults(handler=cmd_disagreements)


def cmd_settings(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        project.set_reading_settings(
            second_read_fraction=args.second_read,
            third_read_ties=None if args.third_read_ties is None else args.third_read_ties == "on",
            consensus=args.consensus)
        for name in args.adjudicator:
            project.set_annotator_role(name, "adjudicator")
        for name in args.reader:
            project.set_annotator_role(name, "annotator")
        settings = project.reading_settings()
        roles = {a.name: a.role for a in project.annotators()}
    if args.json:
        print(json.dumps({**asdict(settings), "annotators": roles}, indent=2))
        return 0
    share = settings.second_read_fraction
    print("second read: "
          + (f"{share:.0%} of each round's queue" if share else "off (single reading)"))
    print(f"third read on ties: {'on' if settings.third_read_ties else 'off'}")
    print(f"consensus: {settings.consensus}")
    print("annotators: " + (", ".join(f"{n} ({r})" for n, r in roles.items()) or "none"))
    return 0


def cmd_disagreements(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        session = LabelingSession(project, args.annotator)
        if not session.can_adjudicate:
            raise AlstudioError(f"{session.reader} is not an adjudicator; readers stay blind "
                                "to each other's labels.",
                                f"Make them one: alstudio settings {args.project} "
                                f"--adjudicator {session.reader}")
        rows: list[dict[str, Any]] = []
        for item_id in session.disagreements():
            state = session.label_state(item_id)
            rows.append({
                "item": item_id,
                "settled": state is not None and state.consensus is not None,
                "label": None if state is None else state.consensus,
                "source": None if state is None else state.source,
                "reason": None if state is None else state.adjudication_reason,
                "readings": [{"annotator": r.annotator, "role": r.role, "label": r.choice,
                              "note": r.note, "seconds": r.seconds_spent}
                             for r in session.readings(item_id)],
            })
    if args.json:
        print(json.dumps({"disagreements": rows}, indent=2))
        return 0
    if not rows:
        print("No disagreements.")
    for row in rows:
        readers = "; ".join(f"{r['annotator']}: {r['label']}"
                            + (f" ({r['note']})" if r["note"] else "") for r in row["readings"])
        settled = f"settled {row['label']} ({row['reason'] or row['source']})" \
            if row["settled"] else "open"
        print(f"item {row['item']}: {settled} | {readers}")
    return 0
