"""The Qt-free error path: unhandled exceptions of any thread and warnings reach the log
file, listeners hear of them, and the terminal stays clean."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (hooks are process-wide) with logs in tmp_path."""
    env = {"PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_STATE_HOME": str(tmp_path / "state"), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_thread_exceptions_and_warnings_go_to_the_log_not_the_terminal(tmp_path: Path) -> None:
    result = _run(f"""
        import logging, sys, threading, warnings
        logging.basicConfig(level=logging.WARNING)  # what the CLI does: a stderr handler
        from alstudio import logs
        path = logs.setup_logging({str(tmp_path / 'logs')!r})
        logs.install_hooks()
        heard = []
        logs.notifications.connect(lambda r: heard.append((r.title, r.thread, r.message)))
        def work():
            raise ValueError("boom in a worker")
        t = threading.Thread(target=work, name="worker-1"); t.start(); t.join()
        warnings.warn("a library warning", UserWarning)
        logging.getLogger("pydicom").warning("a reader's warning")
        sys.excepthook(RuntimeError, RuntimeError("boom on main"), None)
        assert "torch" not in sys.modules and "PySide6" not in sys.modules
        assert [h[:2] for h in heard] == [("Unexpected error", "worker-1"),
                                          ("Unexpected error", "MainThread")], heard
        assert "ValueError: boom in a worker" in heard[0][2]
        print(path)
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    text = Path(result.stdout.strip()).read_text()
    for expected in ("unhandled exception in thread worker-1", "boom in a worker",
                     "Traceback", "a library warning", "a reader's warning", "boom on main"):
        assert expected in text
    assert "Traceback" not in result.stderr and "a library warning" not in result.stderr
    assert "a reader's warning" in result.stderr  # plain warnings still show, as before


def test_qt_messages_reach_the_log_and_never_the_terminal(tmp_path: Path) -> None:
    pytest.importorskip("PySide6")
    result = _run(f"""
        import logging
        logging.basicConfig(level=logging.WARNING)
        from PySide6.QtCore import qWarning
        from alstudio.gui import error_path
        path = error_path.setup_logging({str(tmp_path / 'logs')!r})
        error_path.install_qt_message_handler()
        qWarning("a Qt warning for the log only")
        print(path)
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "a Qt warning for the log only" in Path(result.stdout.strip()).read_text()
    assert "a Qt warning" not in result.stderr
