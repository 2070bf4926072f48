"""The View and Help commands: theme, panel layout, the scan window's presets, the shortcut
sheet, the log folder and About. None of them touches the project."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from alstudio import __version__
from alstudio.build_info import version_line
from alstudio.gui.dialogs.shortcut_sheet import ShortcutSheet
from alstudio.gui.error_path import log_file
from alstudio.gui.theme import apply_theme, current_theme
from alstudio.gui.viewer import build_preset_menu
from alstudio.paths import log_dir

if TYPE_CHECKING:
    from alstudio.gui.main_window import MainWindow


def application() -> QApplication:
    """The running QApplication (the window exists only inside one)."""
    return cast(QApplication, QApplication.instance())


class ViewCommands:
    """Connects the View and Help menus' actions to what they do."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._preset_menu: QMenu | None = None  # kept alive while View mirrors it
        a = window.actions
        a.dark_theme.triggered.connect(lambda: self.set_theme("dark"))
        a.light_theme.triggered.connect(lambda: self.set_theme("light"))
        (a.light_theme if current_theme(application()) == "light"
         else a.dark_theme).setChecked(True)
        a.reset_layout.triggered.connect(
            lambda: window.docks.reset(window.session is not None))
        a.shortcuts.triggered.connect(lambda: ShortcutSheet.present(window.menuBar(), window))
        a.open_log.triggered.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir()))))
        a.about.triggered.connect(self.about)
        window.menus.window_menu.aboutToShow.connect(self.fill_window_menu)

    def set_theme(self, theme: str) -> None:
        """Dark or light, at once and remembered."""
        apply_theme(application(), theme)
        self.window.settings.set_theme(theme)

    def fill_window_menu(self) -> None:
        """View > Scan window: the viewer's presets for the scan on screen."""
        viewer = self.window.viewer
        self._preset_menu = build_preset_menu(viewer, self.window) if viewer.image() else None
        self.window.menus.set_window_menu(self._preset_menu)

    def about(self) -> None:
        QMessageBox.about(self.window, "About alstudio", (
            f"<b>alstudio {__version__}</b><br>Offline active learning for medical scans."
            f"<br><br>{version_line()}"
            f"<br><br>Log file: {log_file() or log_dir()}"))
