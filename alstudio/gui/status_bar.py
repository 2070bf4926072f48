"""Status bar: project, annotator, device, labels given, current round, and a running
round's progress (phase, bar, elapsed time, Cancel) so labeling can go on meanwhile."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStatusBar,
    QWidget,
)

from alstudio.jobs import Progress


def format_elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


class RoundProgress(QWidget):
    """Shown while a round runs; ``cancel_requested`` when Cancel is pressed."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.phase = QLabel("starting")
        self.phase.setMinimumWidth(150)
        self.bar = QProgressBar()
        self.bar.setFixedWidth(160)
        self.bar.setTextVisible(False)
        self.elapsed = QLabel("0:00")
        self.cancel = QPushButton("Cancel")
        self.cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel.clicked.connect(self._cancel_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Round:"))
        layout.addWidget(self.phase)
        layout.addWidget(self.bar)
        layout.addWidget(self.elapsed)
        layout.addWidget(self.cancel)
        self._seconds = 0.0
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick)
        self.hide()

    def begin(self) -> None:
        self._seconds = 0.0
        self.phase.setText("starting")
        self.bar.setRange(0, 0)
        self.elapsed.setText("0:00")
        self.cancel.setEnabled(True)
        self.cancel.setText("Cancel")
        self._clock.start()
        self.show()

    def step(self, step: Progress) -> None:
        self.phase.setText(step.phase)
        fraction = step.fraction
        if fraction is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(fraction * 1000))
        if step.message:
            self.setToolTip(step.message)

    def end(self) -> None:
        self._clock.stop()
        self.hide()

    def _tick(self) -> None:
        self._seconds += 1
        self.elapsed.setText(format_elapsed(self._seconds))

    def _cancel_clicked(self) -> None:
        self.cancel.setEnabled(False)
        self.cancel.setText("Cancelling…")
        self.phase.setText("cancelling")
        self.cancel_requested.emit()


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.project = QLabel()
        self.annotator = QLabel()
        self.labels = QLabel()
        self.round = QLabel()
        self.device = QLabel()
        self.device.setToolTip("Where rounds train and score")
        self.round_progress = RoundProgress()
        for widget in (self.project, self.annotator, self.labels, self.round):
            self.addWidget(widget)
        self.addPermanentWidget(self.round_progress)
        self.addPermanentWidget(self.device)
        self.show_project(None, None, 0, None)

    def show_project(self, name: str | None, annotator: str | None, labels: int,
                     round_number: int | None) -> None:
        has = name is not None
        self.project.setText(f"Project: {name}" if has else "No project")
        self.annotator.setText(f"Annotator: {annotator}" if has else "")
        self.labels.setText(f"Labels: {labels}" if has else "")
        self.round.setText(("Round: none yet" if round_number is None
                            else f"Round: {round_number}") if has else "")
        for widget in (self.annotator, self.labels, self.round):
            widget.setVisible(has)

    def show_device(self, text: str) -> None:
        self.device.setText(f"Device: {text}")
