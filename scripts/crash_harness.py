"""Kill a labeling and round-writing process with SIGKILL at random moments; check the file.

    python scripts/crash_harness.py PROJECT --kills 500 [--seed 0] [--no-final-round]

PROJECT is a copy of a real project (its items must be readable for the final round). The
harness forks a writer (so each of hundreds of kills costs milliseconds, not an interpreter
start), lets it label through ``Project.add_label`` (what the window's labeling calls) and
write rounds through ``Project.save_round``, and kills it with SIGKILL after a random delay.
The writer reports each write that *returned* on an ack file, fsynced before the next write.

After every kill: ``PRAGMA integrity_check`` is ok, every acknowledged label event and round is
in the file, and no round lacks its queue or its checkpoint. At the end the project opens and a
real round runs on it. Prints one JSON object with the figures; exit 1 if anything failed.
POSIX only (fork, SIGKILL).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alstudio.project import Project, QueueEntry
from alstudio.project.integrity import file_problem

ROUND_SHARE = 0.05  # of writes that are rounds (each with a checkpoint blob and a queue)
QUEUE_LENGTH = 20
WEIGHTS_BYTES = 64 * 1024


def _ack(fd: int, line: str) -> None:
    os.write(fd, line.encode() + b"\n")
    os.fsync(fd)


def writer(path: Path, ack_path: Path, seed: int) -> None:
    """The process that gets killed: label and write rounds until it is."""
    rng = random.Random(seed)
    fd = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    project = Project.open(path)
    classes = project.class_names()
    pool = project.item_ids("pool")
    while True:
        if rng.random() < ROUND_SHARE:
            queue = [QueueEntry(item_id=item, rank=rank, score=1.0, reason="harness")
                     for rank, item in enumerate(rng.sample(pool, QUEUE_LENGTH))]
            info = project.save_round(
                strategy="random", params={"queued": QUEUE_LENGTH}, seed=seed,
                labels_used=0, metrics={}, queue=queue, started_at="2026-01-01T00:00:00Z",
                checkpoint={"architecture": "small_cnn", "digest": f"harness-{seed}",
                            "weights": os.urandom(WEIGHTS_BYTES)})
            _ack(fd, f"R {info.id}")
        else:
            event = project.add_label(rng.choice(pool), f"reader{seed % 3}",
                                      rng.choice(classes), seconds_spent=rng.random() * 5)
            _ack(fd, f"L {event}")


def acknowledged(ack_path: Path) -> tuple[set[int], set[int]]:
    """Label event ids and round ids whose write had returned (whole lines only)."""
    labels: set[int] = set()
    rounds: set[int] = set()
    if not ack_path.exists():
        return labels, rounds
    for line in ack_path.read_bytes().split(b"\n")[:-1]:
        kind, _, number = line.decode().partition(" ")
        (labels if kind == "L" else rounds).add(int(number))
    return labels, rounds


def check_file(path: Path, labels: set[int], rounds: set[int]) -> list[str]:
    """Everything that is wrong with the file after a kill (empty: nothing)."""
    problems = []
    integrity = file_problem(path, full=True)
    if integrity is not None:
        return [f"integrity: {integrity}"]
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        stored = {r[0] for r in conn.execute("SELECT id FROM label_events")}
        if labels - stored:
            problems.append(f"lost label events {sorted(labels - stored)[:5]}")
        rows = conn.execute(
            "SELECT r.id, r.params, r.checkpoint_id, c.id, "
            "(SELECT COUNT(*) FROM queue q WHERE q.round_id = r.id) "
            "FROM rounds r LEFT JOIN checkpoints c ON c.id = r.checkpoint_id").fetchall()
    finally:
        conn.close()
    present = {row[0] for row in rows}
    if rounds - present:
        problems.append(f"lost rounds {sorted(rounds - present)[:5]}")
    for round_id, params, checkpoint_id, found, queued in rows:
        expected = json.loads(params).get("queued")
        if expected is not None and (queued != expected or checkpoint_id is None
                                     or found is None):
            problems.append(f"round {round_id}: {queued} queued, checkpoint {found}")
    return problems


def final_round(path: Path) -> dict[str, Any]:
    """The project opens and a real round runs on what the kills left."""
    from alstudio.learning.training import TrainConfig
    from alstudio.workflow import RoundConfig, run_round

    with Project.open(path) as project:
        labels = len(project.training_labels())
    recipe = TrainConfig(max_epochs=1, min_steps=1)  # the round must run, not learn well
    outcome = run_round(path, RoundConfig(batch_size=5, max_epochs=1, threads=1,
                                          model="small_cnn", train=recipe))
    return {"round": outcome.round.number, "queued": len(outcome.queue),
            "labels": labels, "seconds": round(outcome.seconds, 2)}


def run(path: Path, kills: int, seed: int, max_delay: float,
        final: bool = True) -> dict[str, Any]:
    """Kill a writer ``kills`` times; return the figures and every problem found."""
    rng = random.Random(seed)
    ack_path = path.with_name(path.name + ".acks")
    ack_path.unlink(missing_ok=True)
    problems: list[str] = []
    Project.open(path).close()  # the backup taken on open exists, as it does after first use
    started = time.monotonic()
    for n in range(kills):
        pid = os.fork()
        if pid == 0:  # the writer; it never returns normally
            code = 0
            try:
                writer(path, ack_path, seed * 100_003 + n)
            except BaseException as exc:
                os.write(2, f"writer failed: {type(exc).__name__}: {exc}\n".encode())
                code = 3
            os._exit(code)
        time.sleep(rng.uniform(0.0, max_delay))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
            problems.append(f"kill {n}: the writer ended on its own (status {status})")
        labels, rounds = acknowledged(ack_path)
        problems.extend(f"kill {n}: {p}" for p in check_file(path, labels, rounds))
        if len(problems) > 20:
            break
    labels, rounds = acknowledged(ack_path)
    result: dict[str, Any] = {
        "kills": kills, "acknowledged_labels": len(labels), "acknowledged_rounds": len(rounds),
        "seconds": round(time.monotonic() - started, 2), "problems": problems,
    }
    if final and not problems:
        result["final_round"] = final_round(path)
    return result


def main(argv: list[str] | None = None) -> int:
    """Parse, run, print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-delay", type=float, default=0.15,
                        help="longest wait before a kill, seconds")
    parser.add_argument("--no-final-round", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.project, args.kills, args.seed, args.max_delay,
                 final=not args.no_final_round)
    print(json.dumps(result, indent=1))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
