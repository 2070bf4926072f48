"""Items, duplicates, rounds with their queues and checkpoints."""

from __future__ import annotations

import pytest

from alstudio.errors import ProjectError
from alstudio.project import Project, QueueEntry
from alstudio.project.timeutil import utc_now
from tests.project.conftest import make_item


def test_duplicates_are_stored_once(project: Project, tmp_path) -> None:
    dataset = project.dataset_root_id(tmp_path)
    first = project.add_items(dataset, [make_item(1), make_item(2)])
    again = project.add_items(dataset, [make_item(2), make_item(3), make_item(3)])
    assert None not in first
    assert again[0] is None and again[1] is not None and again[2] is None
    assert project.count_items() == {"pool": 3, "test": 0}


def test_item_round_trip(stocked: Project) -> None:
    item = stocked.item(1)
    assert item.files == ("img0.png",) and item.shape == (28, 28)
    assert item.metadata == {"BitsStored": 8}
    assert [i.id for i in stocked.items(ids=[3, 1])] == [3, 1]
    assert len(stocked.items("test")) == 2


def _save(project: Project, queue: list[QueueEntry], **extra) -> object:
    return project.save_round(strategy="random", params={"batch": len(queue)}, seed=0,
                              labels_used=0, metrics={"balanced_accuracy": 0.5}, queue=queue,
                              started_at=utc_now(), **extra)


def test_round_with_queue_and_checkpoint(stocked: Project) -> None:
    weights = b"safetensors-bytes"
    queue = [QueueEntry(2, 0, 0.9, "entropy 0.69", (0.25, 0.75)), QueueEntry(1, 1, 0.5, "")]
    info = _save(stocked, queue,
                 checkpoint={"architecture": "small_cnn", "digest": "abc", "weights": weights})
    assert info.number == 1 and stocked.latest_round().id == info.id
    queue = stocked.queue(info.id)
    assert [e.item_id for e in queue] == [2, 1]
    assert queue[0].probs == (0.25, 0.75) and queue[1].probs is None
    assert stocked.checkpoint(info.checkpoint_id).weights == weights
    second = _save(stocked, [QueueEntry(3, 0, None, "")])
    assert second.number == 2 and second.checkpoint_id is None


def test_test_items_are_never_queued(stocked: Project) -> None:
    test_id = stocked.item_ids("test")[0]
    with pytest.raises(ProjectError, match="never be queued"):
        _save(stocked, [QueueEntry(test_id, 0, 1.0, "")])
    assert stocked.rounds() == []


def test_failed_round_writes_nothing(stocked: Project) -> None:
    # Same item twice in one queue violates UNIQUE: the whole round must roll back.
    with pytest.raises(Exception):  # noqa: B017 - sqlite's IntegrityError
        _save(stocked, [QueueEntry(1, 0, 1.0, ""), QueueEntry(1, 1, 1.0, "")],
              checkpoint={"architecture": "x", "digest": "d", "weights": b"w"})
    assert stocked.rounds() == [] and stocked.checkpoint_ids() == []
