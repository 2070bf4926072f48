"""Keep the readers' libraries off the user's terminal: their log records go to ours.

pydicom logs every failed decoder plugin at ERROR level, with a traceback, before it raises;
nibabel's ``nibabel.global`` logger writes straight to stderr. An import of a folder of odd
files would flood the terminal with text that the one-line reason already says. Their
records are re-logged here under ``alstudio.datasets.libraries`` at INFO at most, tracebacks
kept: alstudio's log file (INFO and up) records them, the console (WARNING and up, or
``--verbose``) does not show them unless asked to.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import Any

#: Library loggers routed into alstudio's own.
LIBRARY_LOGGERS = ("pydicom", "nibabel", "nibabel.global", "PIL")
TARGET = "alstudio.datasets.libraries"
_FLAG = "_alstudio_library_route"


class _Reroute(logging.Handler):
    """Re-log a library's record under alstudio's logger, at INFO at most."""

    def emit(self, record: logging.LogRecord) -> None:
        target = logging.getLogger(TARGET)
        level = min(record.levelno, logging.INFO)
        if target.isEnabledFor(level):
            target.log(level, "%s: %s", record.name, record.getMessage(),
                       exc_info=record.exc_info)


def route_library_logs() -> None:
    """Attach the re-routing handler once to each library logger (idempotent)."""
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if any(getattr(h, _FLAG, False) for h in logger.handlers):
            continue
        for handler in list(logger.handlers):
            if isinstance(handler, logging.StreamHandler):
                logger.removeHandler(handler)  # nibabel's own stderr handler
        handler = _Reroute()
        setattr(handler, _FLAG, True)
        logger.addHandler(handler)
        logger.propagate = False


_redirect_lock = threading.Lock()
_redirect_depth = 0
_redirect_saved: tuple[int, Any] | None = None


@contextlib.contextmanager
def c_stderr_to_log() -> Iterator[None]:
    """Send what C decoders print to file descriptor 2 (OpenJPEG, GDCM) to the log instead.

    Python's ``sys.stderr`` is not involved: the C libraries write to the descriptor itself,
    so it is pointed at a temporary file for the duration and the text re-logged at INFO.
    Nested and concurrent uses share one redirection (the last one out restores it).
    """
    global _redirect_depth, _redirect_saved
    with _redirect_lock:
        if _redirect_depth == 0:
            try:
                sys.stderr.flush()
                sink = tempfile.TemporaryFile()  # noqa: SIM115  (closed on restore)
                _redirect_saved = (os.dup(2), sink)
                os.dup2(sink.fileno(), 2)
            except (OSError, ValueError):  # no usable descriptor 2 (a windowed app)
                _redirect_saved = None
        _redirect_depth += 1
    try:
        yield
    finally:
        with _redirect_lock:
            _redirect_depth -= 1
            if _redirect_depth == 0 and _redirect_saved is not None:
                saved, sink = _redirect_saved
                _redirect_saved = None
                os.dup2(saved, 2)
                os.close(saved)
                sink.seek(0)
                text = sink.read().decode("utf-8", errors="replace").strip()
                sink.close()
                if text:
                    logging.getLogger(TARGET).info("decoder output: %s", text)
