"""The engine: the train -> score -> rank step that rounds, stream mode and the simulator share.

``step`` runs one step on arrays; ``scoring`` turns a model and images into outputs, cached per
checkpoint digest so each checkpoint scores each item once; ``ranking`` turns outputs into a
queue with the strategies of :mod:`alstudio.selection`. It sits below the workflow (jobs on a
project) and the evaluation (the simulator), above learning and selection.
"""

from __future__ import annotations

from alstudio.engine.ranking import can_train, cold_start_features, rank, wants_committee
from alstudio.engine.scoring import ScoreCache, StoredModel, score, with_committee
from alstudio.engine.step import COMMITTEE_PASSES, StepConfig, StepResult, run_step

__all__ = ["COMMITTEE_PASSES", "ScoreCache", "StepConfig", "StepResult", "StoredModel",
           "can_train", "cold_start_features", "rank", "run_step", "score", "wants_committee",
           "with_committee"]
