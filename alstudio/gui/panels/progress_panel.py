"""The Progress panel: is labeling still paying off?

It shows the project's own report (:mod:`alstudio.evaluation.project_report`): the stopping
advice first, then the learning curve with its bootstrap spread and, once computed, the
random baseline's band and the label efficiency; the annotation cost; the class balance
with its warnings; and the latest round's per-class figures. The report is built in a
worker (it opens its own connection), after a project opens, after each round and after the
baseline; while the panel is hidden it only remembers that it is out of date.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from alstudio.gui.error_path import report_error
from alstudio.gui.panels.progress_jobs import baseline_job, report_job
from alstudio.gui.session import ProjectSession
from alstudio.gui.worker import Worker
from alstudio.jobs import Progress

log = logging.getLogger(__name__)



def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: 600; font-size: 10pt; margin-top: 8px;")
    return label


def _text() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ProgressPanel(QScrollArea):
    """``report_shown(dict)`` after each refresh has been drawn (tests and screenshots)."""

    report_shown = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressPanel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.session: ProjectSession | None = None
        self.report: dict[str, Any] | None = None
        self._stale = False
        self._report_worker: Worker | None = None
        self.baseline_worker: Worker | None = None
        self._plots: dict[str, Any] = {}

        body = QWidget()
        self.setWidget(body)
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(10, 8, 10, 10)
        self.advice = _text()
        self.advice.setObjectName("stoppingAdvice")
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 100.0)
        self.threshold.setSingleStep(0.25)
        self.threshold.setDecimals(2)
        self.threshold.setSuffix(" points / 100 labels")
        self.threshold.setKeyboardTracking(False)
        self.threshold.setToolTip("Below this gain of balanced accuracy per 100 labels, more "
                                  "labels count as diminishing returns")
        self.threshold.valueChanged.connect(self._threshold_edited)
        row = QHBoxLayout()
        row.addWidget(QLabel("Stop below"))
        row.addWidget(self.threshold, 1)
        self._layout.addWidget(_heading("When to stop"))
        self._layout.addWidget(self.advice)
        self._layout.addLayout(row)

        self._layout.addWidget(_heading("Learning curve (test split)"))
        self.curve_box = QVBoxLayout()
        self._layout.addLayout(self.curve_box)
        self.baseline_button = QPushButton("Random baseline")
        self.baseline_button.setToolTip("Retrain on random subsets of the labeled set at the "
                                        "rounds' label counts, to see what the order of "
                                        "labeling was worth")
        self.baseline_button.clicked.connect(self.start_baseline)
        self.seeds = QSpinBox()
        self.seeds.setRange(1, 10)
        self.seeds.setValue(3)
        self.seeds.setSuffix(" seeds")
        self.baseline_bar = QProgressBar()
        self.baseline_bar.setTextVisible(True)
        self.baseline_bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_baseline)
        self.cancel_button.hide()
        base_row = QHBoxLayout()
        base_row.addWidget(self.baseline_button)
        base_row.addWidget(self.seeds)
        base_row.addWidget(self.baseline_bar, 1)
        base_row.addWidget(self.cancel_button)
        self._layout.addLayout(base_row)
        self.curve_text = _text()
        self._layout.addWidget(self.curve_text)

        self._layout.addWidget(_heading("Annotation cost"))
        self.cost_text = _text()
        self._layout.addWidget(self.cost_text)
        self.cost_box = QVBoxLayout()
        self._layout.addLayout(self.cost_box)

        self._layout.addWidget(_heading("Class balance"))
        self.balance_text = _text()
        self._layout.addWidget(self.balance_text)
        self.balance_box = QVBoxLayout()
        self._layout.addLayout(self.balance_box)

        self._layout.addWidget(_heading("Latest round"))
        self.latest_text = _text()
        self._layout.addWidget(self.latest_text)
        self._layout.addStretch(1)
        self._set_enabled(False)

    # -- project ----------------------------------------------------------------------------
    def set_session(self, session: ProjectSession | None) -> None:
        """Follow ``session`` (``None``: no project; the panel's jobs stop and it empties)."""
        self.stop()
        self.session = session
        self.report = None
        self._set_enabled(session is not None)
        if session is None:
            self.advice.setText("Open a project to see its progress.")
            return
        self.threshold.blockSignals(True)
        from alstudio.evaluation.project_report import THRESHOLD_META_KEY, stored_threshold

        self.threshold.setValue(stored_threshold(session.project.meta().get(THRESHOLD_META_KEY)))
        self.threshold.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the report now if the panel is on screen, else when it is next shown."""
        self._stale = True
        if self.session is not None and self.isVisible():
            self._start_report()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.session is not None:
            self._start_report()

    def _start_report(self) -> None:
        if self._report_worker is not None or self.session is None:
            return  # one at a time; a refresh asked for meanwhile runs when it ends
        self._stale = False
        path = self.session.path
        worker = Worker(report_job, path, name="report", parent=self)
        worker.succeeded.connect(lambda report: self._show_report(report, path))
        worker.failed.connect(lambda exc: log.warning("report failed: %s", exc))
        worker.finished.connect(self._report_finished)
        self._report_worker = worker
        worker.start()

    def _report_finished(self) -> None:
        if self._report_worker is not None:
            self._report_worker.deleteLater()
        self._report_worker = None
        if self._stale and self.isVisible():
            self._start_report()

    def stop(self, timeout_ms: int = 10_000) -> None:
        """Cancel and wait for the panel's jobs (closing a project, quitting, tests)."""
        for worker in (self.baseline_worker, self._report_worker):
            if worker is not None and worker.is_running:
                worker.cancel()
                worker.wait(timeout_ms)

    # -- the random baseline ----------------------------------------------------------------
    def start_baseline(self) -> None:
        if self.session is None or self.baseline_worker is not None:
            return
        worker = Worker(baseline_job, self.session.path, self.seeds.value(), name="baseline",
                        parent=self)
        worker.progressed.connect(self._baseline_step)
        worker.succeeded.connect(lambda _result: self.refresh())
        worker.failed.connect(lambda exc: report_error(self, exc, "The random baseline failed"))
        worker.finished.connect(self._baseline_finished)
        self.baseline_worker = worker
        self.baseline_button.setEnabled(False)
        self.baseline_bar.setRange(0, 0)
        self.baseline_bar.setFormat("starting")
        self.baseline_bar.show()
        self.cancel_button.show()
        worker.start()

    def cancel_baseline(self) -> None:
        if self.baseline_worker is not None:
            self.baseline_bar.setFormat("cancelling…")
            self.baseline_worker.cancel()

    def _baseline_step(self, step: Progress) -> None:
        if step.phase == "random baseline" and step.total:
            self.baseline_bar.setRange(0, step.total)
            self.baseline_bar.setValue(step.done)
            self.baseline_bar.setFormat(f"{step.message} (%v/%m)")

    def _baseline_finished(self) -> None:
        if self.baseline_worker is not None:
            self.baseline_worker.deleteLater()
        self.baseline_worker = None
        self.baseline_bar.hide()
        self.cancel_button.hide()
        self.baseline_button.setEnabled(self.session is not None)

    # -- drawing ----------------------------------------------------------------------------
    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.threshold, self.baseline_button, self.seeds):
            widget.setEnabled(enabled)

    def _threshold_edited(self, value: float) -> None:
        if self.session is None:
            return
        from alstudio.evaluation.project_report import THRESHOLD_META_KEY

        self.session.project.set_meta(THRESHOLD_META_KEY, f"{value:g}")
        self.refresh()

    def _show_report(self, report: dict[str, Any], path: Path) -> None:
        """Draw the report a part per turn of the event loop: making a plot costs tens of
        milliseconds the first time, and four at once stalled the window for a tenth of a
        second (pyqtgraph itself was imported by the report's job, off this thread)."""
        if self.session is None or self.session.path != path:
            return  # the project was closed or another opened while it was built
        from alstudio.gui.panels import progress_view as view

        self.report = report
        def texts() -> None:
            view.show_advice(self.advice, report["stopping"])
            self.latest_text.setText(view.latest_html(report.get("latest_round")))

        steps: list[Callable[[], None]] = [
            texts,
            *[lambda n=name: view.show_curve_plot(self, report, n) for name, _ in view.CURVES],
            lambda: view.show_curve_text(self, report),
            lambda: view.show_cost(self, report["annotation_cost"]),
            lambda: view.show_balance(self, report["class_balance"]),
            lambda: self.report_shown.emit(report),
        ]
        self._draw_steps(report, path, steps)

    def _draw_steps(self, report: dict[str, Any], path: Path,
                    steps: list[Callable[[], None]]) -> None:
        """Run the first step, the rest on later turns, while ``report`` is still the one to
        show (a newer report, or another project, drops the rest)."""
        if not steps or self.report is not report or self.session is None \
                or self.session.path != path:
            return
        steps[0]()
        if len(steps) > 1:
            # a timer, not a zero-delay call: those can run back to back before a paint
            QTimer.singleShot(1, self, lambda: self._draw_steps(report, path, steps[1:]))

    def plot(self, name: str, box: QVBoxLayout, title: str, y_label: str,
             x_label: str = "labels", height: int = 200) -> Any:
        """The named plot, made (and pyqtgraph imported) the first time it is needed."""
        if name not in self._plots:
            from alstudio.gui.panels.progress_plots import ThemedPlot

            self._plots[name] = ThemedPlot(title, y_label, x_label)
            self._plots[name].setFixedHeight(height)
            box.addWidget(self._plots[name])
        return self._plots[name]

    @property
    def project_path(self) -> Path | None:
        return self.session.path if self.session is not None else None
