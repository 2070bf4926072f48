"""macOS opens a double-clicked project by sending the running app a file-open event."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from alstudio.gui.file_open import open_files_from_os
from alstudio.gui.main_window import MainWindow


def test_file_open_event_opens_the_project(qapp: QApplication, qtbot: object,
                                           demo_path: Path) -> None:
    window = MainWindow(annotator="dr_finder")
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    flt = open_files_from_os(qapp, window.open_project)
    try:
        QApplication.sendEvent(qapp, QFileOpenEvent(str(demo_path)))
        assert window.session is not None
        assert Path(window.session.project.path).resolve() == demo_path.resolve()
    finally:
        qapp.removeEventFilter(flt)
        window.close()
