"""Rounds from the window: run in the background, the queue updates, the window stays
responsive, Cancel works. The round tests need the round engine (alstudio.workflow)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from alstudio.gui.main_window import NO_ENGINE_TIP
from alstudio.gui.rounds import RoundRequest, engine_available
from alstudio.gui.stall_probe import EventLoopProbe
from alstudio.project import Project

needs_engine = pytest.mark.skipif(
    not engine_available(), reason="the round engine (alstudio.workflow) is not installed yet")

#: The largest event-loop stall a test tolerates while a round trains (the benchmark
#: measures it properly; its target is 50 ms).
MAX_GAP_MS = 250


def tiny_request() -> RoundRequest:
    from alstudio.workflow import available_models

    models = list(available_models())
    tiny = next((m for m in models if "tiny" in m), next((m for m in models if "small" in m),
                                                         "auto"))
    return RoundRequest(strategy="auto", batch_size=8, model=tiny, device="cpu", seed=0)


def _label(qtbot: QtBot, window, keys) -> None:
    for key in keys:
        with qtbot.waitSignal(window.labeling.item_shown, timeout=5000):
            qtbot.keyClick(window, key)


@pytest.mark.skipif(engine_available(), reason="only without the round engine")
def test_without_the_engine_the_queue_is_the_pool_in_import_order(qtbot: QtBot, open_window,
                                                                  demo_path: Path):
    window = open_window(demo_path)
    assert not window.actions.run_round.isEnabled()
    assert window.actions.run_round.toolTip() == NO_ENGINE_TIP
    with Project.open(demo_path) as project:
        assert window.session.queue_ids() == project.item_ids("pool")
    assert all(e.score is None and e.probs is None for e in window.session.entries)
    assert window.label_panel.prediction.state == "none"
    assert window.status.round.text() == "Round: none yet"


@needs_engine
@pytest.mark.slow
def test_a_round_runs_in_the_background_while_labeling_goes_on(qtbot: QtBot, open_window,
                                                               demo_path: Path):
    window = open_window(demo_path)
    _label(qtbot, window, [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_1, Qt.Key.Key_2,
                           Qt.Key.Key_1, Qt.Key.Key_2])
    probe = EventLoopProbe(10)
    phases: list[str] = []
    window.rounds.stepped.connect(lambda step: phases.append(step.phase))
    probe.start()
    assert window.start_round(tiny_request())
    assert window.actions.cancel_round.isEnabled()
    assert not window.actions.run_round.isEnabled()
    assert window.status.round_progress.isVisible()
    _label(qtbot, window, [Qt.Key.Key_2])  # the window stays usable meanwhile
    with qtbot.waitSignal(window.rounds.stopped, timeout=300_000):
        pass
    probe.stop()
    assert probe.max_gap_ms < MAX_GAP_MS, f"the window froze for {probe.max_gap_ms:.0f} ms"
    assert phases, "no progress was reported"
    assert window.session.round is not None and window.session.round.number == 1
    assert len(window.session.entries) == 8
    assert all(e.reason for e in window.session.entries)
    assert window.status.round.text() == "Round: 1"
    assert not window.status.round_progress.isVisible()
    assert window.actions.run_round.isEnabled()
    with Project.open(demo_path) as project:
        assert len([e for e in project.label_events() if not e.retracted]) == 7
    assert window.labeling.current is not None


@needs_engine
def test_cancel_leaves_the_project_as_it_was(qtbot: QtBot, open_window, demo_path: Path):
    window = open_window(demo_path)
    _label(qtbot, window, [Qt.Key.Key_1, Qt.Key.Key_2])
    with qtbot.waitSignal(window.rounds.stepped, timeout=60_000):
        assert window.start_round(tiny_request())
    with qtbot.waitSignals([window.rounds.cancelled, window.rounds.stopped], order="strict",
                           timeout=60_000):
        window.status.round_progress.cancel.click()
    assert window.session.round is None
    with Project.open(demo_path) as project:
        assert project.rounds() == []
    assert "cancelled" in window.status.currentMessage()


@needs_engine
def test_a_failing_round_shows_its_error(qtbot: QtBot, open_window, demo_path: Path,
                                         shown_errors):
    window = open_window(demo_path)
    request = RoundRequest(model="no-such-model", device="cpu", batch_size=4)
    with qtbot.waitSignal(window.rounds.stopped, timeout=60_000):
        window.start_round(request)
    assert len(shown_errors) == 1
    title, message, details = shown_errors.pop()
    assert title == "The round failed" and message and details
    assert window.session.round is None
