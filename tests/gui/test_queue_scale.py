"""The queue panel at 100,000 queued items (a real project file): filters are one pass over
the queue, a key press moves one row, and nothing asks Python about every row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from alstudio.gui.panels.queue_model import QueueModel
from alstudio.gui.panels.queue_panel import QueuePanel
from alstudio.gui.session import ProjectSession
from alstudio.project import NewItem, Project

N = 100_000


@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of N images inside one .npz archive (rows only: nothing reads pixels)."""
    folder = tmp_path_factory.mktemp("queue-scale")
    np.savez(folder / "pool.npz", train_images=np.zeros((1, 28, 28), np.uint8))
    path = folder / "big.alstudio"
    with Project.create(path, ["normal", "abnormal"]) as project:
        root = project.dataset_root_id(folder)
        project.add_items(root, [
            NewItem(path="pool.npz", kind="npz", files=("pool.npz",), member=f"train:{i}",
                    content_hash=f"h{i}", split="pool", modality=None, shape=(28, 28),
                    spacing=None, series_uid=None) for i in range(N)])
    return path


def test_queue_of_100k_items_filters_in_one_pass(qtbot: QtBot, big_project: Path) -> None:
    session = ProjectSession(Project.open(big_project), "reader")
    panel = QueuePanel()
    qtbot.addWidget(panel)
    try:
        panel.set_session(session)
        model = panel.table.model()
        assert isinstance(model, QueueModel)  # no proxy between the view and the rows
        assert model.rowCount() == N
        first, second = model.ids[0], model.ids[1]
        asked: list[int] = []
        status = session.status

        def counting(item_id: int) -> str | None:
            asked.append(item_id)
            return status(item_id)

        session.status = counting  # type: ignore[method-assign]
        panel.set_filter("unlabeled")
        assert model.rowCount() == N
        assert len(asked) <= N + 200  # one pass (and the rows the view paints)
        session.status = status  # type: ignore[method-assign]

        resets: list[bool] = []
        removed: list[tuple[int, int]] = []
        model.modelReset.connect(lambda: resets.append(True))
        model.rowsRemoved.connect(lambda _p, a, b: removed.append((a, b)))
        session.core.give(first, "reader", "normal", seconds=1.0)
        assert removed == [(0, 0)] and not resets  # a label moves one row, no reset
        assert model.ids[0] == second and model.rowCount() == N - 1
        assert model.row_of(second) == 0 and model.row_of(first) == -1
        session.core.undo()
        assert model.ids[:2] == [first, second] and not resets  # back in its place
        panel.set_filter("labeled")
        assert model.rowCount() == 0
        # the suspects and back: the view keeps its one model (a swap relays 100,000 rows),
        # and each switch resets it once
        resets.clear()
        assert panel.set_filter("suspects") and model.suspects is not None
        assert panel.table.model() is model and model.rowCount() == 0
        assert panel.set_filter("all")
        assert panel.table.model() is model and model.suspects is None
        assert model.rowCount() == N and resets == [True, True]
    finally:
        panel.set_session(None)
        session.close()
