"""Status bar: project, annotator, device, labels given, current round, and a running
round's progress (phase, bar, elapsed time, Cancel) so labeling can go on meanwhile."""

from __future__ import annotations

import re

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

_EPOCH = re.compile(r"epoch (\d+)/(\d+)")


def overall_fraction(step: Progress) -> float | None:
    """Progress through the whole phase: "epoch 3/30" at batch 40/80 is 2.5/30 done, so the
    bar fills once over training instead of once per epoch."""
    match = _EPOCH.match(step.phase)
    if match is None:
        return step.fraction
    epoch, epochs = int(match.group(1)), int(match.group(2))
    within = step.fraction or 0.0
    return min(1.0, (epoch - 1 + within) / max(1, epochs))


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
        fraction = overall_fraction(step)
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
    """Messages appear beside the project line instead of hiding it, as QStatusBar's own
    messages would: the annotator should always see who is labeling which project."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.note = QLabel()
        self.note.setProperty("role", "dim")
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.timeout.connect(self.clearMessage)
        self.project = QLabel()
        self.annotator = QLabel()
        self.labels = QLabel()
        self.round = QLabel()
        self.device = QLabel()
        self.device.setToolTip("Where rounds train and score")
        self.encoder = QLabel()
        self.encoder.hide()
        self.round_progress = RoundProgress()
        for widget in (self.project, self.annotator, self.labels, self.round):
            self.addWidget(widget)
        self.addWidget(self.note, 1)
        self.addPermanentWidget(self.round_progress)
        self.addPermanentWidget(self.encoder)
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

    def show_encoder(self, text: str, tip: str = "") -> None:
        """The pool encoder's state ("" hides it): Run round offers it once it is there."""
        self.encoder.setText(text)
        self.encoder.setToolTip(tip)
        self.encoder.setVisible(bool(text))

    def show_device(self, text: str) -> None:
        self.device.setText(f"Device: {text}")

    def showMessage(self, text: str, timeout: int | None = 0) -> None:
        self.note.setText(text)
        if timeout is not None and timeout > 0:
            self._note_timer.start(timeout)
        else:
            self._note_timer.stop()

    def currentMessage(self) -> str:
        return self.note.text()

    def clearMessage(self) -> None:
        self.note.clear()
