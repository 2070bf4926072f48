"""The Run round dialog: strategy, batch size, model and device.

"auto" is always offered and is the default: the engine picks random or core-set seeding
while labels are few, core-set plus uncertainty afterwards, and the GPU when there is one.
The engine's own lists fill in when they have been loaded (in the background).
"""

from __future__ import annotations

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from alstudio.gui.rounds import RoundRequest

DEVICES = ("auto", "cpu", "cuda")


#: (shown, engine value) of the committee choices.
COMMITTEES = (("MC-dropout of the new model", "dropout"),
              ("New model + earlier checkpoints", "checkpoints"))


class RoundDialog(QDialog):
    def __init__(self, previous: RoundRequest, labels: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Run round")
        intro = QLabel(f"Train on the {labels} label(s) given so far, score the unlabeled pool "
                       "and queue the next batch. You can keep labeling while it runs.")
        intro.setWordWrap(True)
        self.strategy = QComboBox()
        self.model = QComboBox()
        for box, value in ((self.strategy, previous.strategy), (self.model, previous.model)):
            box.addItem("auto")
            if value != "auto":
                box.addItem(value)
            box.setCurrentText(value)
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
        self.loading = QLabel("Loading the engine's strategies and models…")
        self.loading.setProperty("role", "dim")
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
        layout.addWidget(self.loading)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

    def set_options(self, strategies: list[str], models: list[str]) -> None:
        """Fill in the engine's names, keeping the current choices."""
        for box, names in ((self.strategy, strategies), (self.model, models)):
            current = box.currentText()
            box.clear()
            box.addItems(["auto", *[n for n in names if n != "auto"]])
            box.setCurrentText(current if box.findText(current) >= 0 else "auto")
        self.loading.hide()

    def request(self) -> RoundRequest:
        return RoundRequest(strategy=self.strategy.currentText(),
                            batch_size=self.batch.value(), model=self.model.currentText(),
                            device=self.device.currentText(), seed=self.seed.value(),
                            committee=str(self.committee.currentData()))

    @classmethod
    def ask(cls, parent: QWidget | None, previous: RoundRequest, labels: int,
            options: dict[str, list[str]] | None,
            options_loaded: SignalInstance | None = None) -> RoundRequest | None:
        """The round to run, or None if cancelled. ``options_loaded`` delivers the engine's
        names later when ``options`` is not known yet."""
        dialog = cls(previous, labels, parent)
        if options is not None:
            dialog.set_options(options["strategies"], options["models"])
        elif options_loaded is not None:
            options_loaded.connect(lambda o: dialog.set_options(o["strategies"], o["models"]))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.request()
