"""Stream mode: judge each newly imported scan, one by one, against a label budget.

A department that keeps importing (a scanner's daily output) does not want a full round for
every delivery. A stream round takes the model of the latest trained round, calibrates the
uncertainty and novelty thresholds on the pool it was trained beside (so that about
``accept_fraction`` of that pool would have been worth a label), then decides for each scan
imported since, in import order, whether it joins the queue. It writes a round whose strategy
is "stream" and which reuses the existing checkpoint: nothing is retrained.

A checkpoint that cannot be used (damaged metadata, tensors that do not match it) is left out
with its reason, logged and named in the round's explanation and parameters, and the newest
good checkpoint of an earlier round is used instead. Only when no trained round has a good
one does stream mode stop, saying to run a round.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from alstudio.engine import score
from alstudio.errors import AlstudioError
from alstudio.jobs import CancelToken, ProgressCallback, check, report
from alstudio.learning.checkpoint_meta import CheckpointRejected
from alstudio.learning.checkpoints import checkpoint_from_bytes
from alstudio.project import CheckpointBlob, Project, QueueEntry, RoundInfo
from alstudio.project.timeutil import utc_now
from alstudio.selection import StreamSelector
from alstudio.workflow.committee import score_cache
from alstudio.workflow.inputs import ProjectInputs
from alstudio.workflow.round import RoundOutcome, read_snapshot

log = logging.getLogger(__name__)


def _trained_rounds(project: Project) -> list[RoundInfo]:
    """Rounds with a checkpoint, newest first; refuses when there is none."""
    trained = [info for info in reversed(project.rounds()) if info.checkpoint_id is not None]
    if not trained:
        raise AlstudioError("Stream decisions need a trained model.",
                            "Run a round first (`alstudio round`), then import new scans.")
    return trained


@dataclass
class _Base:
    """The round whose model judges the newcomers, and the newer checkpoints left out."""

    info: RoundInfo
    blob: CheckpointBlob
    model: Any
    meta: dict[str, Any]
    left_out: list[dict[str, Any]]


def _usable_base(project: Project, trained: list[RoundInfo]) -> _Base:
    """The newest trained round whose checkpoint loads; the bad ones before it, with why."""
    left_out: list[dict[str, Any]] = []
    for info in trained:
        assert info.checkpoint_id is not None
        source = f"round {info.number}'s checkpoint"
        try:
            blob = project.checkpoint(info.checkpoint_id)
            model, meta = checkpoint_from_bytes(blob.weights, source=source)
        except AlstudioError as exc:
            reason = exc.reason if isinstance(exc, CheckpointRejected) else str(exc)
            log.warning("stream mode leaves out %s (checkpoint %d): %s", source,
                        info.checkpoint_id, reason)
            left_out.append({"round": info.number, "checkpoint": info.checkpoint_id,
                             "reason": reason})
            continue
        return _Base(info, blob, model, meta, left_out)
    reasons = "; ".join(f"round {e['round']}: {e['reason']}" for e in left_out)
    raise AlstudioError(f"No trained round has a usable checkpoint ({reasons}).",
                        "Run a round (`alstudio round`) to train a fresh model, then run "
                        "stream mode again.")


def _left_out_text(left_out: list[dict[str, Any]], used: int) -> str:
    if not left_out:
        return ""
    named = "; ".join(f"round {e['round']}'s ({e['reason']})" for e in left_out)
    return f" Left out the checkpoint of {named}; used round {used}'s instead."


def run_stream(project_path: str, budget: int, *, accept_fraction: float = 0.05,
               rule: str = "or", progress: ProgressCallback | None = None,
               cancel: CancelToken | None = None) -> RoundOutcome:
    """Queue the scans imported since the latest trained round that are worth a label."""
    if budget < 1:
        raise AlstudioError("The stream's label budget must be at least 1.")
    started, started_at = time.monotonic(), utc_now()
    with Project.open(project_path) as project:
        trained = _trained_rounds(project)
        latest = trained[0]
        snap = read_snapshot(project)
        # newcomers: since the newest trained round, whose queue offered everything before
        newcomers = [i for i in project.item_ids_added_after(latest.finished_at)
                     if i not in snap.decided]
        if not newcomers:
            raise AlstudioError(f"No unlabeled scans were imported after round "
                                f"{latest.number}.", "Import new scans first (`alstudio import`).")
        chosen = _usable_base(project, trained)
        base, blob, model, meta = chosen.info, chosen.blob, chosen.model, chosen.meta
        inputs = ProjectInputs(project, int(meta["image_size"]), int(meta["in_channels"]))
        try:
            unreadable = inputs.ensure(snap.pool, progress=progress, cancel=cancel)
            fresh = set(newcomers)
            known = [i.id for i in snap.pool if i.id not in unreadable and i.id not in fresh]
            judged = [i for i in newcomers if i not in unreadable]
            report(progress, "scoring", 0, 2)
            # The base round scored its pool with this checkpoint: read it, do not rescore.
            cache = score_cache(project)
            known_out = score(model, inputs.images(known), cache=cache, digest=blob.digest,
                              item_ids=known, cancel=cancel)
            new_out = score(model, inputs.images(judged), cache=cache, digest=blob.digest,
                            item_ids=judged, cancel=cancel)
            report(progress, "scoring", 2, 2)
        finally:
            inputs.close()
        labeled = np.array([i in snap.train_labels for i in known], dtype=bool)
        selector = StreamSelector.fit_thresholds(known_out.probs, known_out.embeddings, labeled,
                                                 budget, accept_fraction=accept_fraction,
                                                 rule=rule)
        queue: list[QueueEntry] = []
        for row, item_id in enumerate(judged):
            check(cancel)
            decision = selector.decide(new_out.probs[row], new_out.embeddings[row])
            if decision.take:
                queue.append(QueueEntry(item_id, len(queue), float(decision.score),
                                        decision.reason,
                                        tuple(float(p) for p in new_out.probs[row])))
        explanation = (f"Judged {len(judged)} scan(s) imported since round {latest.number} one "
                       f"by one with round {base.number}'s model: {len(queue)} worth a label "
                       f"(budget {budget}, thresholds calibrated to accept ~"
                       f"{accept_fraction:.0%} of the pool)."
                       + _left_out_text(chosen.left_out, base.number))
        info = project.save_round(
            strategy="stream",
            params={"budget": budget, "accept_fraction": accept_fraction, "rule": rule,
                    "base_round": base.number, "left_out_checkpoints": chosen.left_out,
                    "threshold_uncertainty": selector.threshold_uncertainty,
                    "threshold_novelty": selector.threshold_novelty},
            seed=None, labels_used=len(snap.train_labels),
            metrics={"judged": len(judged), "accepted": len(queue)}, queue=queue,
            started_at=started_at, explanation=explanation, device="CPU",
            checkpoint_id=base.checkpoint_id)
    return RoundOutcome(round=info, queue=queue, metrics=info.metrics,
                        explanation=explanation, seconds=time.monotonic() - started,
                        unreadable=unreadable, left_out=chosen.left_out)
