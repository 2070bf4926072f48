"""Agreement on 10,000 items x 4 readers, and the merge of two 10,000-item project files.

Synthetic reads: 3 classes, each reader right with probability 0.9 (else a random other
class), every reader reads every item, about 2% skips. Times:

* ``agreement``: the whole report (reads from SQLite, Fleiss, alpha, percent agreement with
  1000 bootstrap replicates, 6 pairs, 4 readers), and the statistics alone;
* ``merge``: two workstations that share a 10,000-item base (readers 1-2 on A, 3-4 on B, B
  with 1,000 scans A lacks), merged into a new file, then merged again with B (nothing new).

Setup writes the reads with one bulk insert, which is not what is timed.

    python benchmarks/agreement_merge.py [--items 10000] [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from alstudio.evaluation.agreement import category_counts, reliability
from alstudio.evaluation.agreement_report import agreement_report, reads_matrix
from alstudio.project import NewItem, Project
from alstudio.project.connection import transaction
from alstudio.workflow.merge import merge_projects

CLASSES = ("normal", "benign", "malignant")


def _item(n: int) -> NewItem:
    return NewItem(path=f"scans/{n:06d}.png", kind="raster", files=(f"scans/{n:06d}.png",),
                   member=None, content_hash=f"{n:064x}", split="pool", modality="US",
                   shape=(64, 64), spacing=None, series_uid=None)


def build(path: Path, items: range, readers: list[str], seed: int) -> None:
    rng = np.random.default_rng(seed)
    with Project.create(path, list(CLASSES)) as project:
        project.add_items(project.dataset_root_id(path.parent / "data"),
                          [_item(n) for n in items])
        add_reads(project, readers, rng)


def add_reads(project: Project, readers: list[str], rng: np.random.Generator) -> None:
    ids = project.item_ids()
    truth = np.array([int(h[-8:], 16) % 3 for h in (i.content_hash for i in project.items())])
    class_ids = [project.class_id(c) for c in CLASSES]
    rows = []
    for r, reader in enumerate(readers):
        annotator = project.ensure_annotator(reader)
        right = rng.random(len(ids)) < 0.9
        other = (truth + rng.integers(1, 3, len(ids))) % 3
        given = np.where(right, truth, other)
        skip = rng.random(len(ids)) < 0.02
        for k, item_id in enumerate(ids):
            stamp = f"2026-01-01T{r:02d}:{k // 60000 % 60:02d}:{k // 1000 % 60:02d}." \
                    f"{k % 1000:03d}Z"
            rows.append((item_id, annotator, "skip" if skip[k] else "label",
                         None if skip[k] else class_ids[int(given[k])], stamp,
                         float(rng.gamma(3.0, 1.5))))
    with transaction(project.db):
        project.db.conn.executemany(
            "INSERT INTO label_events(item_id, annotator_id, decision, class_id, submitted_at, "
            "seconds_spent) VALUES (?,?,?,?,?,?)", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="2,000 items")
    args = parser.parse_args()
    n = 2_000 if args.quick else args.items
    work = Path(tempfile.mkdtemp(prefix="alstudio-bench-"))
    try:
        four = work / "four.alstudio"
        build(four, range(n), ["r1", "r2", "r3", "r4"], seed=0)
        with Project.open(four) as project:
            started = time.perf_counter()
            report = agreement_report(project, replicates=args.replicates)
            whole = time.perf_counter() - started
            started = time.perf_counter()
            reads = project.standing_reads()
            read_s = time.perf_counter() - started
        _, _, matrix, _ = reads_matrix(reads, list(CLASSES))
        started = time.perf_counter()
        reliability(category_counts(matrix, 3), replicates=args.replicates)
        stats_s = time.perf_counter() - started
        print(f"agreement, {n} items x 4 readers ({len(reads)} reads), "
              f"{args.replicates} bootstrap replicates:")
        print(f"  whole report {whole:.2f} s (reading the reads {read_s:.2f} s, statistics "
              f"with intervals {stats_s:.2f} s)")
        print(f"  Fleiss {report['fleiss_kappa']['value']}, alpha "
              f"{report['krippendorff_alpha']['value']}, agreement "
              f"{report['percent_agreement']['value']}")

        base = work / "base.alstudio"
        build(base, range(n), [], seed=1)
        a, b = work / "a.alstudio", work / "b.alstudio"
        shutil.copyfile(base, a)
        shutil.copyfile(base, b)
        with Project.open(a) as project:
            add_reads(project, ["r1", "r2"], np.random.default_rng(2))
        with Project.open(b) as project:
            project.set_meta("workstation_id", "b" * 32)
            extra = max(1, n // 10)
            project.add_items(project.dataset_root_id(work / "data"),
                              [_item(k) for k in range(n, n + extra)])
            add_reads(project, ["r3", "r4"], np.random.default_rng(3))
        started = time.perf_counter()
        first = merge_projects([a, b], work / "merged.alstudio")
        merge_s = time.perf_counter() - started
        started = time.perf_counter()
        again = merge_projects([work / "merged.alstudio", b], work / "again.alstudio")
        again_s = time.perf_counter() - started
        print(f"merge of two {n}-item projects (+{extra} on B), {first.counts.label_events} "
              "reads:")
        print(f"  merge {merge_s:.2f} s ({first.counts.items} items, "
              f"{first.disagreements} disagreements)")
        print(f"  merging the merged file with B again {again_s:.2f} s: "
              f"{again.counts.label_events - first.counts.label_events} reads and "
              f"{again.counts.items - first.counts.items} items beyond the first merge")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
