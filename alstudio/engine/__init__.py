"""The engine: the train -> score -> rank step that rounds, stream mode and the simulator share.

``step`` runs one step on arrays; ``scoring`` turns a model and images into outputs, cached per
checkpoint digest so each checkpoint scores each item once; ranking is the strategies'
(:mod:`alstudio.selection`, run by name through its catalogue), and ``cold_start`` ranks before
any model can be trained. It sits below the workflow (jobs on a project) and the evaluation
(the simulator), above learning and selection.
"""

from __future__ import annotations

from alstudio.engine.cold_start import can_train, cold_start_features
from alstudio.engine.scoring import ScoreCache, StoredModel, score, with_committee
from alstudio.engine.step import (
    COMMITTEE_PASSES,
    PROBE_WEIGHTINGS,
    StepConfig,
    StepResult,
    run_step,
)

__all__ = ["COMMITTEE_PASSES", "PROBE_WEIGHTINGS", "ScoreCache", "StepConfig", "StepResult",
           "StoredModel", "can_train", "cold_start_features", "run_step", "score", "with_committee"]
