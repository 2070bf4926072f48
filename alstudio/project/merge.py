"""Copy the work of other project files into one: items, reads, rounds and checkpoints.

Identity decides what is the same across files, never a row id:

* an item is its content hash;
* a label event is its ``origin`` key when it has one (imported reads), else the tuple
  (item content hash, annotator, decision, class, submitted_at to the millisecond): two files
  copied from one project share their early history, and that history lands once;
* a round is (workstation, number where it ran, started_at); a checkpoint is its digest.

What comes in keeps its provenance: the workstation it was made on (the source file's
``workstation_id``, or the one it already recorded), its annotator, its times and, for an
adjudication, its reason; requests for further reads come along too. Events are
appended in submission order across all sources, so a reader's latest read is the latest one
they gave on any workstation. Nothing in the target is changed or removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from alstudio.project import Project
from alstudio.project.connection import transaction
from alstudio.project.reads import _rowid

EventKey = tuple[str, ...]


@dataclass
class MergeCounts:
    items: int = 0
    label_events: int = 0
    retractions: int = 0
    rounds: int = 0
    checkpoints: int = 0
    annotators: int = 0
    read_requests: int = 0
    split_conflicts: list[str] = field(default_factory=list)  # content hashes
    role_conflicts: list[str] = field(default_factory=list)  # annotator names


def _event_keys(project: Project, class_map: dict[str, str]) -> list[tuple[int, EventKey]]:
    """(event id, identity) of every event in ``project``, oldest submission first."""
    rows = project.db.execute(
        "SELECT e.id, i.content_hash, a.name, e.decision, c.name, e.submitted_at, e.origin "
        "FROM label_events e JOIN items i ON i.id = e.item_id "
        "JOIN annotators a ON a.id = e.annotator_id LEFT JOIN classes c ON c.id = e.class_id "
        "ORDER BY e.submitted_at, e.id")
    out = []
    for event_id, content_hash, annotator, decision, cls, submitted, origin in rows:
        key: EventKey = ((origin,) if origin else
                         (content_hash, annotator, decision, class_map.get(cls, cls) or "",
                          submitted))
        out.append((event_id, key))
    return out


def merge_into(target: Project, sources: Sequence[Project],
               class_maps: Sequence[dict[str, str]]) -> MergeCounts:
    """Bring every source's work into ``target`` in one transaction.

    ``class_maps[i]`` renames source ``i``'s classes to the target's; the caller has checked
    that every mapped class exists in the target.
    """
    counts = MergeCounts()
    db = target.db.conn
    with transaction(target.db):
        item_maps = [_merge_items(target, source, counts) for source in sources]
        annotator_ids = _merge_annotators(target, sources, counts)
        checkpoint_maps = [_merge_checkpoints(target, s, counts) for s in sources]
        round_maps = [_merge_rounds(target, source, items, checkpoints, counts)
                      for source, items, checkpoints in zip(sources, item_maps, checkpoint_maps,
                                                            strict=True)]
        for source, items, rounds in zip(sources, item_maps, round_maps, strict=True):
            _merge_read_requests(target, source, items, rounds, counts)
        classes = {name: cid for cid, name in db.execute("SELECT id, name FROM classes")}
        known: dict[EventKey, int] = {key: event_id
                                      for event_id, key in _event_keys(target, {})}
        pending = []
        for n, (source, cmap) in enumerate(zip(sources, class_maps, strict=True)):
            ws = source.workstation_id
            events = {r[0]: r[1:] for r in source.db.execute(
                "SELECT e.id, e.item_id, a.name, e.decision, c.name, e.started_at, "
                "e.submitted_at, e.seconds_spent, e.note, COALESCE(e.workstation, ?), e.origin, "
                "e.reason FROM label_events e JOIN annotators a ON a.id = e.annotator_id "
                "LEFT JOIN classes c ON c.id = e.class_id", (ws,))}
            for event_id, key in _event_keys(source, cmap):
                pending.append((events[event_id][5], n, event_id, key, events[event_id]))
        pending.sort(key=lambda p: (p[0], p[1], p[2]))
        source_to_target: list[dict[int, int]] = [{} for _ in sources]
        for _, n, event_id, key, row in pending:
            if key in known:
                source_to_target[n][event_id] = known[key]
                continue
            item_id, annotator, decision, cls, started, submitted, seconds, note, ws, origin, \
                reason = row
            cls = class_maps[n].get(cls, cls) if cls else None
            cur = db.execute(
                "INSERT INTO label_events(item_id, annotator_id, decision, class_id, "
                "started_at, submitted_at, seconds_spent, note, workstation, origin, reason) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (item_maps[n][item_id], annotator_ids[annotator], decision,
                 classes[cls] if cls else None, started, submitted, seconds, note, ws, origin,
                 reason))
            known[key] = source_to_target[n][event_id] = _rowid(cur)
            counts.label_events += 1
        retracted = {r[0] for r in db.execute("SELECT event_id FROM label_retractions")}
        for n, source in enumerate(sources):
            for event_id, who, at in source.db.execute(
                    "SELECT r.event_id, a.name, r.retracted_at FROM label_retractions r "
                    "JOIN annotators a ON a.id = r.annotator_id"):
                mapped = source_to_target[n][event_id]
                if mapped not in retracted:
                    db.execute("INSERT INTO label_retractions(event_id, annotator_id, "
                               "retracted_at) VALUES (?,?,?)", (mapped, annotator_ids[who], at))
                    retracted.add(mapped)
                    counts.retractions += 1
    return counts


def _merge_items(target: Project, source: Project, counts: MergeCounts) -> dict[int, int]:
    """Source item id -> target item id, adding the items the target lacks."""
    db = target.db.conn
    roots = {root: rid for rid, root in db.execute("SELECT id, root FROM datasets")}
    existing = {h: (iid, split) for iid, h, split in db.execute(
        "SELECT id, content_hash, split FROM items")}
    mapping: dict[int, int] = {}
    for row in source.db.execute(
            "SELECT i.id, d.root, d.added_at, i.path, i.kind, i.files, i.member, "
            "i.content_hash, i.split, i.modality, i.shape, i.spacing, i.series_uid, "
            "i.metadata, i.reference_label, i.added_at FROM items i "
            "JOIN datasets d ON d.id = i.dataset_id ORDER BY i.id"):
        source_id, root, root_added, *values = row
        content_hash, split = values[4], values[5]
        if content_hash in existing:
            target_id, target_split = existing[content_hash]
            if target_split != split:
                counts.split_conflicts.append(content_hash)
            mapping[source_id] = target_id
            continue
        if root not in roots:
            roots[root] = _rowid(db.execute("INSERT INTO datasets(root, added_at) VALUES (?,?)",
                                         (root, root_added)))
        cur = db.execute(
            "INSERT INTO items(dataset_id, path, kind, files, member, content_hash, split, "
            "modality, shape, spacing, series_uid, metadata, reference_label, added_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (roots[root], *values))
        mapping[source_id] = _rowid(cur)
        existing[content_hash] = (mapping[source_id], split)
        counts.items += 1
    return mapping


def _merge_annotators(target: Project, sources: Sequence[Project],
                      counts: MergeCounts) -> dict[str, int]:
    db = target.db.conn
    known = {name: (aid, role) for aid, name, role in db.execute(
        "SELECT id, name, role FROM annotators")}
    for source in sources:
        for name, role, created in source.db.execute(
                "SELECT name, role, created_at FROM annotators ORDER BY id"):
            if name in known:
                if known[name][1] != role and name not in counts.role_conflicts:
                    counts.role_conflicts.append(name)
                continue
            cur = db.execute("INSERT INTO annotators(name, role, created_at) VALUES (?,?,?)",
                             (name, role, created))
            known[name] = (_rowid(cur), role)
            counts.annotators += 1
    return {name: aid for name, (aid, _) in known.items()}


def _merge_checkpoints(target: Project, source: Project, counts: MergeCounts
                       ) -> dict[int, int]:
    db = target.db.conn
    by_digest = {d: cid for cid, d in db.execute("SELECT id, digest FROM checkpoints")}
    mapping: dict[int, int] = {}
    ws = source.workstation_id
    for cid, digest in source.db.execute("SELECT id, digest FROM checkpoints ORDER BY id"):
        if digest not in by_digest:
            row = source.db.execute(
                "SELECT created_at, architecture, hyperparameters, metrics, weights, "
                "COALESCE(workstation, ?) FROM checkpoints WHERE id = ?", (ws, cid)).fetchone()
            cur = db.execute(
                "INSERT INTO checkpoints(created_at, architecture, hyperparameters, metrics, "
                "digest, weights, workstation) VALUES (?,?,?,?,?,?,?)",
                (*row[:4], digest, row[4], row[5]))
            by_digest[digest] = _rowid(cur)
            counts.checkpoints += 1
        mapping[cid] = by_digest[digest]
    return mapping


def _merge_rounds(target: Project, source: Project, items: dict[int, int],
                  checkpoints: dict[int, int], counts: MergeCounts) -> dict[int, int]:
    """Source round id -> target round id. Rounds are renumbered after the target's own;
    ``origin_number`` keeps the number a round had where it ran."""
    db = target.db.conn
    own = target.workstation_id
    known = {(r[1], r[2], r[3]): r[0] for r in db.execute(
        "SELECT id, COALESCE(workstation, ?), COALESCE(origin_number, number), started_at "
        "FROM rounds", (own,))}
    mapping: dict[int, int] = {}
    test_items = {r[0] for r in db.execute("SELECT id FROM items WHERE split = 'test'")}
    ws = source.workstation_id
    for row in source.db.execute(
            "SELECT id, COALESCE(workstation, ?), COALESCE(origin_number, number), strategy, "
            "params, seed, checkpoint_id, labels_used, metrics, explanation, device, "
            "started_at, finished_at FROM rounds ORDER BY finished_at, id", (ws,)).fetchall():
        round_id, workstation, origin_number, *values = row
        if (workstation, origin_number, values[8]) in known:
            mapping[round_id] = known[(workstation, origin_number, values[8])]
            continue
        values[3] = checkpoints.get(values[3]) if values[3] is not None else None
        number = 1 + db.execute("SELECT COALESCE(MAX(number), 0) FROM rounds").fetchone()[0]
        cur = db.execute(
            "INSERT INTO rounds(number, strategy, params, seed, checkpoint_id, labels_used, "
            "metrics, explanation, device, started_at, finished_at, workstation, origin_number) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", (number, *values, workstation, origin_number))
        new_id = _rowid(cur)
        queue = [(new_id, items[item_id], rank, score, reason, probs)
                 for item_id, rank, score, reason, probs in source.db.execute(
                     "SELECT item_id, rank, score, reason, probs FROM queue WHERE round_id = ?",
                     (round_id,)) if items[item_id] not in test_items]
        db.executemany("INSERT OR IGNORE INTO queue(round_id, item_id, rank, score, reason, "
                       "probs) VALUES (?,?,?,?,?,?)", queue)
        known[(workstation, origin_number, values[8])] = mapping[round_id] = new_id
        counts.rounds += 1
    return mapping


def _merge_read_requests(target: Project, source: Project, items: dict[int, int],
                         rounds: dict[int, int], counts: MergeCounts) -> None:
    """Requests for more reads (append-only, like events); the same request lands once."""
    db = target.db.conn
    hashes = {iid: h for iid, h in db.execute("SELECT id, content_hash FROM items")}
    known = {(hashes[item], reads, why, at) for item, reads, why, at in db.execute(
        "SELECT item_id, reads, why, requested_at FROM read_requests")}
    for item_id, reads, round_id, why, at in source.db.execute(
            "SELECT item_id, reads, round_id, why, requested_at FROM read_requests "
            "ORDER BY id").fetchall():
        mapped = items[item_id]
        if (hashes[mapped], reads, why, at) in known:
            continue
        db.execute("INSERT INTO read_requests(item_id, reads, round_id, why, requested_at) "
                   "VALUES (?,?,?,?,?)",
                   (mapped, reads, rounds.get(round_id) if round_id is not None else None,
                    why, at))
        known.add((hashes[mapped], reads, why, at))
        counts.read_requests += 1
