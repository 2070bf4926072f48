"""The headless labeling session on a large project: opening it, one key press, one undo.

A key press must stay fast however many labels a project holds: a give writes one event and
reads back that one item, never every label. This builds a synthetic project (N pool items,
two readers over all of them, a 20 % second-read sample), then times a session's open, a
give, an undo and, for comparison, a full current-labels query.

    python benchmarks/labeling_session.py [--items 10000] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from alstudio.project import NewItem, Project, QueueEntry
from alstudio.project.session import LabelingSession


def build(path: Path, n: int) -> list[int]:
    """N pool items; dr_a labels all of them, dr_b the first half; one round queues 200."""
    project = Project.create(path, ["normal", "abnormal"])
    with project:
        root = project.dataset_root_id(path.parent)
        project.add_items(root, [NewItem(
            path=f"img{i}.png", kind="raster", files=(f"img{i}.png",), member=None,
            content_hash=f"h{i}", split="pool", modality="OT", shape=(28, 28), spacing=None,
            series_uid=None) for i in range(n)])
        ids = project.item_ids("pool")
        rows = [(i, 1, "label", 1 + (i % 2), "2026-01-01T00:00:00Z") for i in ids]
        rows += [(i, 2, "label", 1 + (i % 3 == 0), "2026-01-01T00:00:00Z") for i in ids[:n // 2]]
        for name in ("dr_a", "dr_b"):
            project.ensure_annotator(name)
        with project.db.conn:  # bulk history in one go: the benchmark is about what follows
            project.db.conn.executemany(
                "INSERT INTO label_events(item_id, annotator_id, decision, class_id, "
                "submitted_at) VALUES (?,?,?,?,?)", rows)
        project.set_reading_settings(second_read_fraction=0.2)
        project.save_round(strategy="random", params={}, seed=0, labels_used=0, metrics={},
                           queue=[QueueEntry(item_id=i, rank=r, score=None, reason="")
                                  for r, i in enumerate(ids[-200:])],
                           started_at="2026-01-01T00:00:00Z")
    return ids


def timed(fn, repeat: int) -> float:
    """Median milliseconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="2,000 items")
    args = parser.parse_args()
    n = 2_000 if args.quick else args.items
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.alstudio"
        ids = build(path, n)
        with Project.open(path) as project:
            open_ms = timed(lambda: LabelingSession(project, "dr_c"), 5)
            session = LabelingSession(project, "dr_c")
            queue = session.queue_ids()
            targets = iter(queue * 3)
            give_ms = timed(lambda: session.give(next(targets), "dr_c", "2", 3.0), 50)
            undo_ms = timed(session.undo, 20)
            full_ms = timed(project.current_labels, 5)
    print(f"labeling session, {n} items, {int(n * 1.5)} label events, "
          f"{len(queue)} queued for dr_c (of {len(ids)} pool)")
    print(f"  open session       {open_ms:8.1f} ms (median of 5)")
    print(f"  give (key press)   {give_ms:8.2f} ms (median of 50)")
    print(f"  undo               {undo_ms:8.2f} ms (median of 20)")
    print(f"  all current labels {full_ms:8.1f} ms (what a key press no longer runs)")


if __name__ == "__main__":
    main()
