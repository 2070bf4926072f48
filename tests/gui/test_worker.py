"""The background worker: progress and outcome arrive on the GUI thread, in order."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from alstudio.errors import AlstudioError
from alstudio.gui.worker import Worker, live_workers, shutdown_workers
from alstudio.jobs import CancelToken, Progress, ProgressCallback, check, report


def counting(n: int, *, progress: ProgressCallback, cancel: CancelToken) -> int:
    for i in range(n):
        check(cancel)
        report(progress, "counting", i + 1, n)
    return n * 10


def test_progress_then_success_then_finished(qtbot: QtBot) -> None:
    worker = Worker(counting, 5, name="count")
    steps: list[Progress] = []
    threads: list[bool] = []
    gui = QApplication.instance().thread()
    worker.progressed.connect(lambda s: (steps.append(s),
                                         threads.append(QThread.currentThread() is gui)))
    results: list[int] = []
    worker.succeeded.connect(results.append)
    with qtbot.waitSignals([worker.succeeded, worker.finished], order="strict", timeout=5000):
        worker.start()
    assert results == [50]
    assert [s.done for s in steps] == [1, 2, 3, 4, 5]
    assert all(threads)
    assert worker.outcome == "succeeded"
    assert worker not in live_workers()


def test_failure_carries_the_exception(qtbot: QtBot) -> None:
    def broken(*, progress: ProgressCallback, cancel: CancelToken) -> None:
        raise AlstudioError("The disk is full.", "Free some space.")

    worker = Worker(broken)
    errors: list[BaseException] = []
    worker.failed.connect(errors.append)
    with qtbot.waitSignals([worker.failed, worker.finished], order="strict"):
        worker.start()
    [error] = errors
    assert isinstance(error, AlstudioError) and "Free some space." in str(error)
    assert error.__traceback__ is not None


def test_cancel_stops_at_the_next_check(qtbot: QtBot) -> None:
    release = threading.Event()

    def waits(*, progress: ProgressCallback, cancel: CancelToken) -> None:
        report(progress, "waiting", 0)
        release.wait(5)
        check(cancel)
        raise AssertionError("should have been cancelled")

    worker = Worker(waits)
    with qtbot.waitSignal(worker.progressed):
        worker.start()
    worker.cancel()
    release.set()
    with qtbot.waitSignals([worker.cancelled, worker.finished], order="strict"):
        pass
    assert worker.outcome == "cancelled"


def test_a_worker_starts_once(qtbot: QtBot) -> None:
    worker = Worker(counting, 1)
    with qtbot.waitSignal(worker.finished):
        worker.start()
    with pytest.raises(RuntimeError):
        worker.start()


def test_shutdown_cancels_running_jobs(qtbot: QtBot) -> None:
    def loops(*, progress: ProgressCallback, cancel: CancelToken) -> None:
        while True:
            check(cancel)
            QThread.msleep(5)

    worker = Worker(loops).start()
    assert shutdown_workers(5000)
    assert not worker.is_running
    qtbot.waitUntil(lambda: worker.outcome == "cancelled")
    qtbot.waitUntil(lambda: worker not in live_workers())
