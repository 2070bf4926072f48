"""The earlier rounds' models, as a committee for the next round's selection.

A project keeps every round's checkpoint, so a committee costs nothing to train: the models of
the last few rounds saw different label sets and disagree where the labels are still thin.
Only checkpoints built for the same input size, channel count and classes can vote; a
checkpoint that cannot be read is skipped with a warning, never unpickled (see
:mod:`alstudio.learning.checkpoints`).
"""

from __future__ import annotations

import logging

from alstudio.engine import ScoreCache, StoredModel
from alstudio.errors import AlstudioError
from alstudio.learning.checkpoints import checkpoint_from_bytes
from alstudio.project import Project
from alstudio.workflow.round import COMMITTEE_SOURCES

log = logging.getLogger(__name__)

__all__ = ["COMMITTEE_SOURCES", "past_models", "score_cache"]


def score_cache(project: Project) -> ScoreCache:
    """The project's cache of model outputs per checkpoint (beside the input cache)."""
    return ScoreCache(project.cache_dir / "outputs")


def past_models(project: Project, *, limit: int, image_size: int, in_channels: int,
                num_classes: int) -> list[StoredModel]:
    """Up to ``limit`` of the newest checkpoints that fit these inputs and classes."""
    models: list[StoredModel] = []
    for checkpoint_id in reversed(project.checkpoint_ids()):
        if len(models) >= limit:
            break
        blob = project.checkpoint(checkpoint_id)
        if blob.hyperparameters.get("kind"):  # a pretrained encoder, not a classifier
            continue
        try:
            model, meta = checkpoint_from_bytes(blob.weights, f"checkpoint {checkpoint_id}")
        except AlstudioError as exc:
            log.warning("checkpoint %d left out of the committee: %s", checkpoint_id, exc)
            continue
        if (int(meta["image_size"]), int(meta["in_channels"]), int(meta["num_classes"])) != \
                (image_size, in_channels, num_classes):
            continue
        models.append(StoredModel(blob.digest, model))
    return models
