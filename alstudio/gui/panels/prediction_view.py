"""The model's opinion on the item on screen: hidden, absent, or a bar per class.

In blind mode (the default) it stays hidden until the annotator has given a label, so the
model cannot anchor the expert; afterwards it shows what the model thought, which is how an
annotator learns where the model is weak.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from alstudio.project import ClassInfo


class PredictionView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = QLabel()
        self.message.setProperty("role", "dim")
        self.message.setWordWrap(True)
        self._rows = QWidget()
        self._grid = QGridLayout(self._rows)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setVerticalSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(self._rows)
        self.state = "none"
        self.show_none()

    # -- states -----------------------------------------------------------------------------
    def show_none(self, text: str = "No model prediction yet: run a round first.") -> None:
        self.state = "none"
        self._clear()
        self.message.setText(text)
        self.message.show()

    def show_hidden(self) -> None:
        self.state = "hidden"
        self._clear()
        self.message.setText("Hidden until you label this item (blind mode, B).")
        self.message.show()

    def show_probabilities(self, probs: list[tuple[ClassInfo, float]]) -> None:
        self.state = "shown"
        self._clear()
        best = max(probs, key=lambda pair: pair[1])[0]
        self.message.setText(f"Model: <b>{best.name}</b>")
        self.message.show()
        for row, (cls, p) in enumerate(probs):
            name = QLabel(cls.name)
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setValue(round(p * 1000))
            bar.setTextVisible(False)
            bar.setFixedHeight(8)
            bar.setStyleSheet(f"QProgressBar::chunk {{ background: {cls.colour}; }}")
            value = QLabel(f"{p * 100:.1f} %")
            self._grid.addWidget(name, row, 0)
            self._grid.addWidget(bar, row, 1)
            self._grid.addWidget(value, row, 2)
        self._grid.setColumnStretch(1, 1)

    def text(self) -> str:
        """Everything shown, as plain text (what tests check)."""
        parts = [self.message.text()] if self.message.isVisibleTo(self) else []
        for i in range(self._grid.count()):
            entry = self._grid.itemAt(i)
            widget = entry.widget() if entry is not None else None
            if isinstance(widget, QLabel):
                parts.append(widget.text())
        return " ".join(parts)

    def _clear(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:  # hide now: deletion waits for the event loop
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
