"""The agreement report of a project: what `alstudio agreement` prints and the GUI panel shows.

Who counts as a reader: annotators with the role ``annotator``. An ``adjudicator``'s class is
the reference each reader is compared with; ``simulator`` reads (oracle runs) are left out.

How skip and unsure count: they are not classes. For the statistics a skipped or unsure item
is one the reader gave no class, exactly as if they had not read it; each reader's row counts
them separately (``skipped``, ``unsure``), next to the ``labels`` (class reads) they gave.

Each reader's ``agreement_with_reference`` is the share of their class reads that match the
item's reference: the adjudicated class where an adjudicator gave one, otherwise the class
most of the *other* readers gave (a unique most common class; a tie gives no reference).
Leaving the reader out keeps their own read from voting for itself.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any

import numpy as np

from alstudio.evaluation.agreement import (
    DEFAULT_REPLICATES,
    MISSING,
    category_counts,
    cohen_kappa_from_confusion,
    confusion,
    reliability,
)
from alstudio.project import Project, Read

READER_ROLE = "annotator"


def reads_matrix(reads: list[Read], classes: list[str]) -> tuple[list[str], np.ndarray,
                                                                 np.ndarray, np.ndarray]:
    """(readers, item ids, (items, readers) class matrix, adjudicated class per item).

    Only items some reader gave a class appear; cells are class indices or ``MISSING``.
    """
    index = {name: i for i, name in enumerate(classes)}
    readers = sorted({r.annotator for r in reads if r.role == READER_ROLE})
    column = {name: j for j, name in enumerate(readers)}
    items = sorted({r.item_id for r in reads if r.role == READER_ROLE and r.class_name})
    row = {item: i for i, item in enumerate(items)}
    matrix = np.full((len(items), len(readers)), MISSING, dtype=np.int64)
    adjudicated = np.full(len(items), MISSING, dtype=np.int64)
    for r in reads:
        if r.class_name is None or r.item_id not in row:
            continue
        if r.role == READER_ROLE:
            matrix[row[r.item_id], column[r.annotator]] = index[r.class_name]
        elif r.role == "adjudicator":
            adjudicated[row[r.item_id]] = index[r.class_name]
    return readers, np.array(items, dtype=np.int64), matrix, adjudicated


def _references(matrix: np.ndarray, adjudicated: np.ndarray, n_classes: int) -> np.ndarray:
    """(items, readers): the reference each reader is compared with, ``MISSING`` for none."""
    counts = category_counts(matrix, n_classes)
    refs = np.full(matrix.shape, MISSING, dtype=np.int64)
    for j in range(matrix.shape[1]):
        others = counts.copy()
        own = matrix[:, j] != MISSING
        others[np.nonzero(own)[0], matrix[own, j]] -= 1
        top = others.max(axis=1)
        unique = (others == top[:, None]).sum(axis=1) == 1
        refs[:, j] = np.where((top > 0) & unique, others.argmax(axis=1), MISSING)
    has_adjudication = adjudicated != MISSING
    refs[has_adjudication] = adjudicated[has_adjudication, None]
    return refs


def agreement_report(project: Project, replicates: int = DEFAULT_REPLICATES,
                     seed: int = 0) -> dict[str, Any]:
    """Every figure of the agreement view, as one JSON-ready dict."""
    classes = project.class_names()
    reads = project.standing_reads()
    readers, items, matrix, adjudicated = reads_matrix(reads, classes)
    k = len(classes)
    counts = category_counts(matrix, k)
    rel = reliability(counts, replicates=replicates, seed=seed)

    pairs = []
    for a in range(len(readers)):
        for b in range(a + 1, len(readers)):
            table = confusion(matrix[:, a], matrix[:, b], k)
            n = int(table.sum())
            pairs.append({
                "a": readers[a], "b": readers[b], "n": n,
                "cohen_kappa": _num(cohen_kappa_from_confusion(table)),
                "percent_agreement": _num(np.trace(table) / n) if n else None,
                "confusion": table.tolist()})

    decisions: dict[str, Counter[str]] = defaultdict(Counter)
    seconds: dict[str, list[float]] = defaultdict(list)
    for r in reads:
        if r.role != READER_ROLE:
            continue
        decisions[r.annotator][r.decision] += 1
        if r.decision == "label" and r.seconds_spent is not None:
            seconds[r.annotator].append(r.seconds_spent)
    refs = _references(matrix, adjudicated, k)
    reader_rows = []
    for j, name in enumerate(readers):
        compared = (matrix[:, j] != MISSING) & (refs[:, j] != MISSING)
        n_ref = int(compared.sum())
        agree = float(np.mean(matrix[compared, j] == refs[compared, j])) if n_ref else None
        reader_rows.append({
            "name": name, "labels": decisions[name]["label"],
            "skipped": decisions[name]["skip"], "unsure": decisions[name]["unsure"],
            "median_seconds": round(statistics.median(seconds[name]), 2)
            if seconds[name] else None,
            "agreement_with_reference": _num(agree) if agree is not None else None,
            "n_reference": n_ref,
            "n_adjudicated": int((compared & (adjudicated != MISSING)).sum())})

    reads_per_item = (matrix != MISSING).sum(axis=1)
    return {
        "classes": classes,
        "readers_counted": len(readers),
        "items_with_class_reads": len(items),
        "items_read_twice_or_more": int((reads_per_item >= 2).sum()),
        "fleiss_kappa": {**rel.fleiss_kappa.as_json(),
                         "reads_per_item": rel.fleiss_reads_per_item},
        "krippendorff_alpha": rel.krippendorff_alpha.as_json(),
        "percent_agreement": rel.percent_agreement.as_json(),
        "bootstrap": {"replicates": replicates, "seed": seed, "level": 0.95},
        "pairs": pairs,
        "readers": reader_rows,
    }


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 4)


def format_report(report: dict[str, Any]) -> str:
    """The report as a few aligned tables for a terminal."""
    lines = [f"{report['readers_counted']} reader(s); {report['items_with_class_reads']} item(s)"
             f" with a class read, {report['items_read_twice_or_more']} read by two or more."]

    def est(name: str, key: str, extra: str = "") -> None:
        e = report[key]
        value = "n/a" if e["value"] is None else f"{e['value']:.3f}"
        ci = ("" if e["ci_low"] is None else f"  (95% CI {e['ci_low']:.3f} to {e['ci_high']:.3f})")
        lines.append(f"  {name:<22}{value:>7}{ci}  n={e['n_items']}{extra}")

    est("Fleiss' kappa", "fleiss_kappa",
        f" items with {report['fleiss_kappa']['reads_per_item']} reads")
    est("Krippendorff's alpha", "krippendorff_alpha")
    est("Percent agreement", "percent_agreement")
    if report["pairs"]:
        lines += ["", f"  {'reader A':<14}{'reader B':<14}{'n':>6}{'kappa':>8}{'agree':>8}"]
        for p in report["pairs"]:
            lines.append(f"  {p['a']:<14}{p['b']:<14}{p['n']:>6}{_fmt(p['cohen_kappa']):>8}"
                         f"{_fmt(p['percent_agreement']):>8}")
    if report["readers"]:
        lines += ["", f"  {'reader':<14}{'labels':>7}{'skip':>6}{'unsure':>7}{'median s':>10}"
                      f"{'vs ref':>8}{'n ref':>7}"]
        for r in report["readers"]:
            lines.append(f"  {r['name']:<14}{r['labels']:>7}{r['skipped']:>6}{r['unsure']:>7}"
                         f"{_fmt(r['median_seconds'], 1):>10}"
                         f"{_fmt(r['agreement_with_reference']):>8}{r['n_reference']:>7}")
    return "\n".join(lines)


def _fmt(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"
