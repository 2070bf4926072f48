"""Learn from the unlabeled pool: what pretraining does, how long it takes here, its settings,
and the running job's progress, time left and Cancel.

The dialog is not modal: labeling goes on while the job runs in the background, and closing
the dialog only hides it. It knows the job through :meth:`PretrainDialog.follow`; starting it
is the caller's (``start_requested(epochs, fresh)``), so a test drives the same path.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from alstudio.gui.worker import Worker
from alstudio.jobs import Progress
from alstudio.workflow.pretrain_plan import PretrainPlan

DEFAULT_EPOCHS = 20  # as `alstudio pretrain`
ABOUT = ("Trains the model's encoder on the {images:,} scans in the pool without any labels "
         "(contrastive learning: two random views of the same scan should look alike to it, "
         "views of different scans apart). Nothing is downloaded and no label is used or "
         "changed. Run round then offers starting from it: its features choose the first "
         "scans to label and measure how different scans are, and the classifier is "
         "fine-tuned from it instead of learning from scratch. Measured on BreastMNIST (5 "
         "seeds, 20-60 labels), it did not help at natural balance and did worse with a rare "
         "class, so rounds leave it out unless asked. You can keep labeling while it runs.")


def format_duration(seconds: float) -> str:
    """'40 s', '3 min', '1 h 05 min': a time to plan around, not a stopwatch."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{max(5, round(seconds / 5) * 5)} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class PretrainDialog(QDialog):
    """``start_requested(epochs, fresh)`` when the user presses Start."""

    start_requested = Signal(int, bool)

    def __init__(self, plan: PretrainPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Learn from the unlabeled pool")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setFixedWidth(560)  # wrapped text then sets the height (see _fit)
        self.plan = plan
        self.worker: Worker | None = None
        self._training_since: tuple[float, float] | None = None  # (time, fraction) then
        self.about = QLabel(ABOUT.format(images=plan.images))
        self.about.setWordWrap(True)
        self.encoder_line = QLabel()
        self.encoder_line.setWordWrap(True)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 1000)
        self.epochs.setValue(DEFAULT_EPOCHS)
        self.epochs.setSuffix(" epochs")
        self.epochs.setToolTip("Passes over the pool in this run; a later run adds more")
        self.fresh = QCheckBox("Start afresh (forget the stored encoder)")
        self.estimate = QLabel()
        self.estimate.setWordWrap(True)
        self.estimate.setProperty("role", "dim")
        form = QFormLayout()
        form.addRow("Length", self.epochs)
        form.addRow("", self.fresh)
        form.addRow("Time", self.estimate)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.phase = QLabel()
        self.left = QLabel()
        self.left.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status = QHBoxLayout()
        status.addWidget(self.phase, 1)
        status.addWidget(self.left)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.start_button = QPushButton("Start")
        self.start_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel run")
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Hide this window; a running job goes on")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.start_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addWidget(self.encoder_line)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addLayout(status)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.start_button.clicked.connect(self._start_clicked)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.close)
        self.epochs.valueChanged.connect(self._show_estimate)
        self.fresh.toggled.connect(self._show_estimate)
        self.set_plan(plan)
        self._idle()

    # -- what is stored, and how long a run takes -------------------------------------------
    def set_plan(self, plan: PretrainPlan) -> None:
        """Show ``plan`` (again after a run: the encoder it stored, the speed it measured)."""
        self.plan = plan
        has = plan.encoder_epochs is not None
        if not has:
            text = "No encoder yet: this run starts one."
        else:
            how = " (its last run was cancelled part-way)" if plan.encoder_cancelled else ""
            text = (f"Stored encoder: {plan.encoder_epochs} epoch(s){how}. This run continues "
                    "from it; a cancelled run keeps every epoch it finished, so Start again "
                    "goes on from there.")
        self.encoder_line.setText(text)
        self.fresh.setEnabled(has)
        if not has:
            self.fresh.setChecked(False)
        self._show_estimate()
        self._fit()

    def showEvent(self, event: QShowEvent) -> None:
        """Fit again once shown: the style sheet's fonts reach the labels only then."""
        super().showEvent(event)
        QTimer.singleShot(0, self._fit)

    def _fit(self) -> None:
        """Grow or shrink to the wrapped text (a top-level window does not do it itself)."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
            self.setFixedHeight(layout.totalHeightForWidth(self.width()))

    def _show_estimate(self) -> None:
        p = self.plan
        source = ("measured on this project's last run" if p.measured
                  else "estimated from a reference machine")
        self.estimate.setText(
            f"About {format_duration(p.seconds(self.epochs.value()))} on this machine: "
            f"{p.images:,} scans at {p.image_size} px on {p.threads} CPU thread(s), one core "
            f"left to the window; {source}. The first run also prepares the model inputs.")

    # -- the running job --------------------------------------------------------------------
    def follow(self, worker: Worker) -> None:
        """Show ``worker``'s progress until it stops."""
        self.worker = worker
        self._training_since = None
        self.note.clear()
        self.phase.setText("starting")
        self.left.clear()
        self.bar.setRange(0, 0)
        self.bar.show()
        for widget in (self.start_button, self.epochs, self.fresh):
            widget.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel run")
        worker.progressed.connect(self._progressed)
        worker.finished.connect(self._stopped)

    def _progressed(self, step: Progress) -> None:
        self.phase.setText(step.message or step.phase)
        fraction = step.fraction
        if fraction is None:
            self.bar.setRange(0, 0)
            return
        self.bar.setRange(0, 1000)
        self.bar.setValue(round(fraction * 1000))
        if step.phase != "pretraining":
            return
        now = time.monotonic()
        if self._training_since is None:
            self._training_since = (now, fraction)
            return
        since, start = self._training_since
        if fraction > start:  # the rate since the first report: input preparation excluded
            rate = (now - since) / (fraction - start)
            self.left.setText(f"about {format_duration(rate * (1 - fraction))} left")

    def cancel(self) -> None:
        """Ask the job to stop at its next step (the epochs it finished are kept)."""
        if self.worker is not None and self.worker.is_running:
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Cancelling…")
            self.phase.setText("cancelling at the next step")
            self.worker.cancel()

    def _stopped(self) -> None:
        self.worker = None
        self._idle()

    def _idle(self) -> None:
        running = self.worker is not None
        self.bar.setVisible(running or self.bar.value() > 0)
        self._fit()
        self.left.clear()
        self.start_button.setEnabled(not running)
        self.epochs.setEnabled(not running)
        self.fresh.setEnabled(not running and self.plan.encoder_epochs is not None)
        self.cancel_button.setEnabled(running)

    def show_outcome(self, text: str) -> None:
        """What the run came to (done, cancelled with what kept, failed)."""
        self.note.setText(text)
        self.phase.clear()
        self._fit()

    def _start_clicked(self) -> None:
        self.start_requested.emit(self.epochs.value(), self.fresh.isChecked())
