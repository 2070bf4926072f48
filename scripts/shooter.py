"""The screenshot harness: a hermetic application, a real main window, waiting on the event
loop until a condition holds, and saving a widget's pixels. The scenes that use it are in
``take_screenshots.py``, ``progress_shots.py`` and ``reader_screenshots.py``."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZE = (1560, 940)


class Shooter:
    """Makes windows and grabs them; settings live under ``work``, shots go to ``out``."""

    def __init__(self, work: Path, out: Path) -> None:
        from PySide6.QtCore import QSettings

        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                          str(work / "settings"))
        from alstudio.gui.app import configure_application, ensure_application

        self.app = ensure_application()
        configure_application(self.app)
        self.work = work
        self.out = out
        out.mkdir(parents=True, exist_ok=True)

    def wait(self, condition: Callable[[], bool], timeout_s: float = 60.0,
             settle_ms: int = 150) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            self.app.processEvents()
            if time.monotonic() > deadline:
                raise TimeoutError("screenshot condition not met")
            time.sleep(0.005)
        end = time.monotonic() + settle_ms / 1000
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.005)

    def save(self, widget, name: str) -> None:
        self.wait(lambda: True)
        path = self.out / name
        widget.grab().save(str(path))
        print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")

    def window(self, annotator: str = "dr_lee"):
        from alstudio.gui.main_window import MainWindow

        window = MainWindow(annotator=annotator)
        window.resize(*SIZE)
        window.move(20, 20)
        window.show()
        window.activateWindow()
        self.wait(lambda: window.isVisible())
        return window

    def press(self, window, *keys) -> None:
        from PySide6.QtTest import QTest

        for key in keys:
            shown: list[int] = []
            window.labeling.item_shown.connect(shown.append)
            QTest.keyClick(window, key)
            self.wait(lambda s=shown: bool(s), settle_ms=20)
            window.labeling.item_shown.disconnect(shown.append)
