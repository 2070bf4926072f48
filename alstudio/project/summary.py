"""What a project holds, as one plain dict: `alstudio info --json` prints it and the window's
status shows the same numbers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from alstudio.project import Project

#: Round metrics kept for the report (per-test-item predictions for its bootstrap): too bulky
#: for `info`, which gives the figures only.
REPORT_ONLY_METRICS = ("test_predictions",)

def project_summary(project: Project) -> dict[str, Any]:
    """Items, classes, labels, readers, reading settings, time spent and the latest round."""
    labels = project.label_counts()
    events = project.label_events()
    latest = project.latest_round()
    current = project.current_labels()
    return {
        "path": str(project.path),
        "name": project.name,
        "schema_version": int(project.meta()["schema_version"]),
        "items": project.count_items(),
        "modalities": project.modalities(),
        "classes": [{"name": c.name, "shortcut": c.shortcut, "colour": c.colour}
                    for c in project.classes()],
        "labels": labels,
        "labeled_items": sum(n for k, n in labels.items() if k not in ("skip", "unsure")),
        "reference_labels": {split: len(project.reference_labels(split))
                             for split in ("pool", "test")},
        "annotators": [
            {"name": a.name, "role": a.role,
             "events": sum(1 for e in events if e.annotator == a.name and not e.retracted)}
            for a in project.annotators()
        ],
        "reading": asdict(project.reading_settings()),
        "disagreements": {
            "open": sum(1 for s in current.values() if s.disagreement and s.consensus is None),
            "settled": sum(1 for s in current.values()
                           if s.disagreement and s.consensus is not None),
        },
        "time": project.time_statistics(),
        "rounds": len(project.rounds()),
        "latest_round": None if latest is None else {
            "number": latest.number, "strategy": latest.strategy,
            "labels_used": latest.labels_used,
            "metrics": {k: v for k, v in latest.metrics.items() if k not in REPORT_ONLY_METRICS},
            "queued": len(project.queue(latest.id)),
        },
    }
