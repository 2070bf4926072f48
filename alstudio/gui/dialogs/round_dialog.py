"""The Run round dialog: strategy, batch size, model, device and, when the project has one,
whether to start from the pool encoder and whether to average in a probe on its features.

"auto" is always offered: the engine picks random or core-set seeding while labels are few,
core-set plus uncertainty afterwards, and the GPU when there is one. The strategy and model
names come from the torch-free catalogues, so the dialog opens at once. Starting from the
encoder learned by pretraining, and the feature probe, are opt-in (unchecked until chosen),
each with what it was measured to do beside its box.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from alstudio.learning.names import MODEL_NAMES
from alstudio.selection.catalogue import CATALOGUE, strategy_names
from alstudio.workflow.round import ENCODER_MEASURED, RoundConfig
from alstudio.workflow.round_encoder import PROBE_MEASURED

DEVICES = ("auto", "cpu", "cuda")


#: (shown, engine value) of the committee choices.
COMMITTEES = (("MC-dropout of the new model", "dropout"),
              ("New model + earlier checkpoints", "checkpoints"))


class RoundDialog(QDialog):
    """Asks for one round; :meth:`ask` returns the request or ``None``."""

    def __init__(self, previous: RoundConfig, labels: int, parent: QWidget | None = None,
                 encoder_epochs: int | None = None) -> None:
        super().__init__(parent)
        self.previous = previous
        self.setWindowTitle("Run round")
        intro = QLabel(f"Train on the {labels} label(s) given so far, score the unlabeled pool "
                       "and queue the next batch. You can keep labeling while it runs.")
        intro.setWordWrap(True)
        self.strategy = QComboBox()
        self.model = QComboBox()
        names = (strategy_names(), list(MODEL_NAMES))
        for box, value, offered in ((self.strategy, previous.strategy, names[0]),
                                    (self.model, previous.model, names[1])):
            box.addItems(["auto", *[n for n in offered if n != "auto"]])
            box.setCurrentText(value if box.findText(value) >= 0 else "auto")
        for index in range(self.strategy.count()):
            info = CATALOGUE.get(self.strategy.itemText(index))
            if info is not None:
                self.strategy.setItemData(index, info.title, Qt.ItemDataRole.ToolTipRole)
        self.batch = QSpinBox()
        self.batch.setRange(1, 10_000)
        self.batch.setValue(previous.batch_size)
        self.device = QComboBox()
        self.device.addItems(list(DEVICES))
        self.device.setCurrentText(previous.device)
        self.committee = QComboBox()
        for text, value in COMMITTEES:
            self.committee.addItem(text, value)
        self.committee.setCurrentIndex(max(0, self.committee.findData(previous.committee)))
        self.committee.setToolTip("Who votes for BALD, vote entropy and KL to consensus: "
                                  "dropout samples of the new model, or the new model with "
                                  "the last rounds' models.")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(previous.seed)
        self.has_encoder = encoder_epochs is not None
        self.encoder = QCheckBox(f"Start from the pool encoder ({encoder_epochs} epochs)")
        self.encoder.setChecked(self.has_encoder and previous.use_encoder)
        self.encoder.setToolTip("Its features pick the first scans and measure how different "
                                "scans are while labels are few; its weights start the "
                                "classifier's training.")
        self.encoder_note = _note(ENCODER_MEASURED)
        self.probe = QCheckBox("Average the classifier with a probe on the encoder's features")
        self.probe.setChecked(self.has_encoder and previous.feature_probe)
        self.probe.setToolTip("A linear model fitted on the encoder's features of the labeled "
                              "scans; its probabilities are averaged with the classifier's "
                              "for the queue and the test figures.")
        self.probe_note = _note(PROBE_MEASURED)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Run")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Strategy", self.strategy)
        form.addRow("Batch size", self.batch)
        form.addRow("Model", self.model)
        form.addRow("Device", self.device)
        form.addRow("Committee", self.committee)
        form.addRow("Seed", self.seed)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        for widget in (self.encoder, self.encoder_note, self.probe, self.probe_note):
            if self.has_encoder:  # without one the boxes have nothing to offer and stay out
                layout.addWidget(widget)
            else:
                widget.hide()
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

    def request(self) -> RoundConfig:
        """The previous request with the dialog's choices."""
        return replace(self.previous, strategy=self.strategy.currentText(),
                       batch_size=self.batch.value(), model=self.model.currentText(),
                       device=self.device.currentText(), seed=self.seed.value(),
                       committee=str(self.committee.currentData()),
                       use_encoder=self.has_encoder and self.encoder.isChecked(),
                       feature_probe=self.has_encoder and self.probe.isChecked())

    @classmethod
    def ask(cls, parent: QWidget | None, previous: RoundConfig, labels: int,
            encoder_epochs: int | None = None) -> RoundConfig | None:
        """The round to run, or None if cancelled (``encoder_epochs``: the stored pool
        encoder's, None without one)."""
        dialog = cls(previous, labels, parent, encoder_epochs)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.request()


def _note(measured: str) -> QLabel:
    """A dim, wrapped sentence under an option: what it was measured to do."""
    note = QLabel(measured[0].upper() + measured[1:] + ".")
    note.setProperty("role", "dim")
    note.setWordWrap(True)
    return note
