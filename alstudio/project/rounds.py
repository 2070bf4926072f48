"""Rounds, their queues and their model checkpoints.

A round is written at its very end, round + queue + checkpoint in one transaction, so a crash
or a cancel mid-round leaves the project exactly as it was before the round started.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from alstudio.errors import DamagedProjectError, ProjectError
from alstudio.project.base import ProjectBase
from alstudio.project.connection import inserted_id, read_meta, transaction
from alstudio.project.readers import FLAGGED_WHY, insert_round_reads, settings_from_meta
from alstudio.project.records import CheckpointBlob, QueueEntry, RoundInfo
from alstudio.project.timeutil import utc_now

_ROUND_COLUMNS = ("id, number, strategy, params, seed, checkpoint_id, labels_used, metrics, "
                  "explanation, device, started_at, finished_at")


def _row_to_round(row: Sequence[Any]) -> RoundInfo:
    """A RoundInfo from its row; stored values that do not decode are reported as damage."""
    try:
        return RoundInfo(
            id=row[0], number=row[1], strategy=row[2], params=json.loads(row[3]), seed=row[4],
            checkpoint_id=row[5], labels_used=row[6], metrics=json.loads(row[7]),
            explanation=row[8], device=row[9], started_at=row[10], finished_at=row[11],
        )
    except (ValueError, TypeError) as exc:
        raise DamagedProjectError(
            f"The stored record of round {row[1]} is damaged ({type(exc).__name__}).",
            "Run `alstudio check PROJECT`; it names the newest good backup.") from exc


class RoundsMixin(ProjectBase):
    def save_round(
        self,
        *,
        strategy: str,
        params: dict[str, Any],
        seed: int | None,
        labels_used: int,
        metrics: dict[str, Any],
        queue: Sequence[QueueEntry],
        started_at: str,
        explanation: str = "",
        device: str | None = None,
        checkpoint: dict[str, Any] | None = None,
        checkpoint_id: int | None = None,
        second_reads: Iterable[int] = (),
        second_reads_why: str = FLAGGED_WHY,
    ) -> RoundInfo:
        """Write a finished round with its queue and (optional) checkpoint atomically.

        ``checkpoint_id`` instead refers to a stored checkpoint (a stream round reuses the
        model of the round before it). The project's second-read fraction of the queue (a
        sample seeded by the round's seed and number) and every item in ``second_reads``
        (suspected label errors, say; queued or not) are asked for a second reader.

        ``checkpoint`` holds ``architecture``, ``hyperparameters``, ``metrics``, ``digest`` and
        ``weights`` (safetensors bytes).
        """
        test_ids = {r[0] for r in self.db.execute("SELECT id FROM items WHERE split = 'test'")}
        leaked = [entry.item_id for entry in queue if entry.item_id in test_ids]
        if leaked:
            raise ProjectError(f"Test items may never be queued (items {leaked[:5]}).")
        with transaction(self.db):
            if checkpoint is not None:
                weights = checkpoint["weights"]
                if not isinstance(weights, bytes | bytearray):
                    raise ProjectError("Checkpoint weights must be safetensors bytes.")
                cur = self.db.conn.execute(
                    "INSERT INTO checkpoints(created_at, architecture, hyperparameters, metrics, "
                    "digest, weights) VALUES (?,?,?,?,?,?)",
                    (utc_now(), checkpoint["architecture"],
                     json.dumps(checkpoint.get("hyperparameters", {}), sort_keys=True),
                     json.dumps(checkpoint.get("metrics", {}), sort_keys=True),
                     checkpoint["digest"], bytes(weights)))
                checkpoint_id = inserted_id(cur)
            number = 1 + (self.db.conn.execute(
                "SELECT COALESCE(MAX(number), 0) FROM rounds").fetchone()[0])
            cur = self.db.conn.execute(
                f"INSERT INTO rounds({_ROUND_COLUMNS[4:]}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (number, strategy, json.dumps(params, sort_keys=True), seed, checkpoint_id,
                 labels_used, json.dumps(metrics, sort_keys=True), explanation, device,
                 started_at, utc_now()))
            round_id = inserted_id(cur)
            self.db.conn.executemany(
                "INSERT INTO queue(round_id, item_id, rank, score, reason, probs) "
                "VALUES (?,?,?,?,?,?)",
                [(round_id, e.item_id, e.rank, e.score, e.reason,
                  json.dumps([round(float(p), 6) for p in e.probs]) if e.probs else None)
                 for e in queue])
            insert_round_reads(self.db.conn, round_id, (seed or 0) * 1_000_003 + number,
                               [e.item_id for e in queue], settings_from_meta(read_meta(self.db)),
                               second_reads, second_reads_why)
            self.db.conn.execute(
                "INSERT INTO audit_log(at, actor, action, details) VALUES (?,?,?,?)",
                (utc_now(), "alstudio", "round",
                 json.dumps({"round": number, "strategy": strategy, "queued": len(queue)})))
        self.backup("round")
        return self.round(round_id)

    def round(self, round_id: int) -> RoundInfo:
        row = self.db.execute(f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE id = ?",
                              (round_id,)).fetchone()
        if row is None:
            raise ProjectError(f"No round {round_id} in this project.")
        return _row_to_round(row)

    def rounds(self) -> list[RoundInfo]:
        return [_row_to_round(r) for r in self.db.execute(
            f"SELECT {_ROUND_COLUMNS} FROM rounds ORDER BY number")]

    def latest_round(self) -> RoundInfo | None:
        row = self.db.execute(
            f"SELECT {_ROUND_COLUMNS} FROM rounds ORDER BY number DESC LIMIT 1").fetchone()
        return _row_to_round(row) if row else None

    def queue(self, round_id: int) -> list[QueueEntry]:
        return [QueueEntry(item_id=r[0], rank=r[1], score=r[2], reason=r[3],
                           probs=tuple(json.loads(r[4])) if r[4] else None)
                for r in self.db.execute(
                    "SELECT item_id, rank, score, reason, probs FROM queue WHERE round_id = ? "
                    "ORDER BY rank", (round_id,))]

    def checkpoint(self, checkpoint_id: int) -> CheckpointBlob:
        row = self.db.execute(
            "SELECT id, architecture, hyperparameters, metrics, digest, weights "
            "FROM checkpoints WHERE id = ?", (checkpoint_id,)).fetchone()
        if row is None:
            raise ProjectError(f"No checkpoint {checkpoint_id} in this project.")
        return CheckpointBlob(id=row[0], architecture=row[1],
                              hyperparameters=json.loads(row[2]), metrics=json.loads(row[3]),
                              digest=row[4], weights=bytes(row[5]))

    def checkpoint_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM checkpoints ORDER BY id")]

    def save_checkpoint(self, *, architecture: str, hyperparameters: dict[str, Any],
                        metrics: dict[str, Any], digest: str, weights: bytes) -> int:
        """Store a checkpoint that belongs to no round (a pretrained encoder), in one
        transaction; ``hyperparameters["kind"]`` says what it is. Returns its id."""
        if not isinstance(weights, bytes | bytearray):
            raise ProjectError("Checkpoint weights must be safetensors bytes.")
        with transaction(self.db):
            cur = self.db.conn.execute(
                "INSERT INTO checkpoints(created_at, architecture, hyperparameters, metrics, "
                "digest, weights) VALUES (?,?,?,?,?,?)",
                (utc_now(), architecture, json.dumps(hyperparameters, sort_keys=True),
                 json.dumps(metrics, sort_keys=True), digest, bytes(weights)))
            self.db.conn.execute(
                "INSERT INTO audit_log(at, actor, action, details) VALUES (?,?,?,?)",
                (utc_now(), "alstudio", "checkpoint",
                 json.dumps({"kind": hyperparameters.get("kind"), "digest": digest})))
            return inserted_id(cur)

    def latest_checkpoint_of_kind(self, kind: str) -> CheckpointBlob | None:
        """The newest checkpoint whose ``hyperparameters["kind"]`` is ``kind``, if any."""
        row = self.db.execute(
            "SELECT id FROM checkpoints WHERE json_extract(hyperparameters, '$.kind') = ? "
            "ORDER BY id DESC LIMIT 1", (kind,)).fetchone()
        return self.checkpoint(int(row[0])) if row else None
