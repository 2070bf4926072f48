"""Reader agreement: kappa, alpha and percent agreement, each pair, each reader.

The figures are those of `alstudio agreement` (:func:`agreement_report`). They are computed in
a worker on its own connection: the bootstrap over thousands of items takes a moment, and the
window keeps labeling meanwhile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from alstudio.gui.worker import Worker
from alstudio.jobs import CancelToken, ProgressCallback

STATISTICS = (("fleiss_kappa", "Fleiss' kappa"), ("krippendorff_alpha", "Krippendorff's alpha"),
              ("percent_agreement", "Percent agreement"))


def agreement_job(project_path: Path, *, progress: ProgressCallback,
                  cancel: CancelToken) -> dict[str, Any]:
    """The report, on the worker's own connection."""
    from alstudio.evaluation.agreement_report import agreement_report
    from alstudio.project import Project

    with Project.open(project_path) as project:
        return agreement_report(project)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _table(headers: list[str], stretch: tuple[int, ...] = ()) -> QTableWidget:
    """A read-only table; ``stretch`` columns share the width, the rest fit their contents."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    if stretch:
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in stretch:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    return table


def _cell(text: object, numeric: bool = True) -> QTableWidgetItem:
    item = QTableWidgetItem(str(text))
    if numeric:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class AgreementDialog(QDialog):
    """A non-modal window; Refresh recomputes after more reads."""

    def __init__(self, project_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reader agreement")
        self.setObjectName("agreementDialog")
        self.resize(760, 640)
        self.project_path = Path(project_path)
        self.report: dict[str, Any] | None = None
        self.worker: Worker | None = None

        self.summary = QLabel("Computing…")
        self.summary.setWordWrap(True)
        self.stats = QGridLayout()
        self.stat_labels: dict[str, tuple[QLabel, QLabel]] = {}
        for row, (key, title) in enumerate(STATISTICS):
            name, value, interval = QLabel(title), QLabel("–"), QLabel("")
            value.setProperty("role", "value")
            value.setStyleSheet("font-size: 15pt; font-weight: 600;")
            interval.setProperty("role", "dim")
            self.stats.addWidget(name, row, 0)
            self.stats.addWidget(value, row, 1, Qt.AlignmentFlag.AlignRight)
            self.stats.addWidget(interval, row, 2)
            self.stat_labels[key] = (value, interval)
        self.stats.setColumnStretch(2, 1)
        stats_box = QGroupBox("All readers")
        stats_box.setLayout(self.stats)

        self.pairs = _table(["Reader A", "Reader B", "Items", "Cohen's κ", "Agreement"],
                            stretch=(0, 1))
        self.pairs.itemSelectionChanged.connect(self._show_confusion)
        self.confusion = _table([])
        self.confusion_title = QLabel("Select a pair to see where they differ")
        self.confusion_title.setProperty("role", "dim")
        self.readers = _table(["Reader", "Labels", "Skipped", "Unsure", "Median s",
                               "vs reference", "Compared"])
        self.readers.setToolTip("Agreement with the adjudicated label where there is one, "
                                "else with the class most other readers gave")

        pairs_box = QGroupBox("Pairs of readers")
        pairs_layout = QHBoxLayout(pairs_box)
        pairs_layout.addWidget(self.pairs, 1)
        confusion_side = QVBoxLayout()
        confusion_side.addWidget(self.confusion_title)
        confusion_side.addWidget(self.confusion, 1)
        pairs_layout.addLayout(confusion_side, 1)
        readers_box = QGroupBox("Readers")
        QVBoxLayout(readers_box).addWidget(self.readers)

        note = QLabel("Skip and unsure are not classes: they count as not read, and appear "
                      "per reader. 95% intervals: bootstrap over items (1000 replicates).")
        note.setWordWrap(True)
        note.setProperty("role", "dim")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(stats_box)
        layout.addWidget(pairs_box, 2)
        layout.addWidget(readers_box, 2)
        layout.addWidget(note)
        layout.addWidget(buttons)

    @classmethod
    def present(cls, project_path: Path, parent: QWidget | None = None) -> AgreementDialog:
        dialog = cls(project_path, parent)
        dialog.show()
        dialog.refresh()
        return dialog

    def refresh(self) -> None:
        if self.worker is not None and self.worker.is_running:
            return
        self.refresh_button.setEnabled(False)
        self.summary.setText("Computing…")
        self.worker = Worker(agreement_job, self.project_path, name="agreement", parent=self)
        self.worker.succeeded.connect(self.show_report)
        self.worker.failed.connect(lambda exc: self.summary.setText(f"Could not compute: {exc}"))
        self.worker.finished.connect(lambda: self.refresh_button.setEnabled(True))
        self.worker.start()

    def show_report(self, report: dict[str, Any]) -> None:
        self.report = report
        self.summary.setText(
            f"{report['readers_counted']} reader(s) · {report['items_with_class_reads']} "
            f"item(s) with a class read · {report['items_read_twice_or_more']} read by two or "
            "more")
        for key, _title in STATISTICS:
            e = report[key]
            value, interval = self.stat_labels[key]
            value.setText(_fmt(e["value"]))
            extra = (f", items with {e['reads_per_item']} reads" if key == "fleiss_kappa"
                     and e.get("reads_per_item") else "")
            interval.setText("not defined (one class only, or too few items)"
                             if e["value"] is None else
                             f"95% CI {_fmt(e['ci_low'])} to {_fmt(e['ci_high'])} · "
                             f"n = {e['n_items']}{extra}")
        self.pairs.setRowCount(len(report["pairs"]))
        for row, p in enumerate(report["pairs"]):
            for col, (text, numeric) in enumerate((
                    (p["a"], False), (p["b"], False), (p["n"], True),
                    (_fmt(p["cohen_kappa"]), True), (_fmt(p["percent_agreement"]), True))):
                self.pairs.setItem(row, col, _cell(text, numeric))
        self.readers.setRowCount(len(report["readers"]))
        for row, r in enumerate(report["readers"]):
            for col, (text, numeric) in enumerate((
                    (r["name"], False), (r["labels"], True), (r["skipped"], True),
                    (r["unsure"], True), (_fmt(r["median_seconds"], 1), True),
                    (_fmt(r["agreement_with_reference"]), True), (r["n_reference"], True))):
                self.readers.setItem(row, col, _cell(text, numeric))
        if report["pairs"]:
            self.pairs.selectRow(0)
        else:
            self.confusion.setRowCount(0)
            self.confusion.setColumnCount(0)

    def _show_confusion(self) -> None:
        if self.report is None:
            return
        rows = self.pairs.selectionModel().selectedRows()
        if not rows:
            return
        pair = self.report["pairs"][rows[0].row()]
        classes = self.report["classes"]
        self.confusion_title.setText(f"Rows: {pair['a']} · columns: {pair['b']}")
        self.confusion.setColumnCount(len(classes))
        self.confusion.setRowCount(len(classes))
        self.confusion.setHorizontalHeaderLabels(classes)
        self.confusion.setVerticalHeaderLabels(classes)
        self.confusion.verticalHeader().show()
        self.confusion.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        for i, row in enumerate(pair["confusion"]):
            for j, count in enumerate(row):
                cell = _cell(count)
                if i == j:
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                self.confusion.setItem(i, j, cell)
