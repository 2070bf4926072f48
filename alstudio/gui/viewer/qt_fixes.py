"""Work around a PySide6 reference-count bug that aborts the app within seconds of use.

The PySide6 6.12.0 wheels return ``None`` from every void method (``QPainter.setPen``,
``QWidget.update``, ``QPainter.drawImage``, ...) and ``True`` from ``SignalInstance.emit()``
and ``.disconnect()`` *without* taking a reference. From Python 3.12 on these singletons
are immortal and nothing happens; on Python 3.11 (our venv) every such call steals one
reference, and a process starts with only a few thousand references to ``None`` and about
fifty to ``True``. A few hundred repaints or signals later the interpreter aborts with
"Fatal Python error: none_dealloc" (or "bool_dealloc"), often only at exit, which also turns
a passing pytest run red.

:func:`install_singleton_guard` gives ``None``, ``True`` and ``False`` a cushion of 2**40
references, which is what Python 3.12 does to make them immortal: a stolen reference then
costs nothing, and at a million stolen references a second the cushion lasts twelve days.
It only touches CPython before 3.12 with the ordinary object layout, is idempotent and
process-wide, and should run once at start-up, before the first window is shown. Remove it
when the project moves to Python 3.12+ or to a PySide6 release without the bug.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading

logger = logging.getLogger(__name__)

#: References added to each singleton; far below Py_ssize_t's limit on 64-bit builds.
CUSHION = 1 << 40
_SINGLETONS = (None, True, False)
_lock = threading.Lock()


def _needed() -> bool:
    """Only CPython < 3.12 counts references to singletons, and only the usual layout
    (``ob_refcnt`` first: not a Py_TRACE_REFS debug build, not a 32-bit build)."""
    return (sys.implementation.name == "cpython" and sys.version_info < (3, 12)
            and not hasattr(sys, "getobjects") and ctypes.sizeof(ctypes.c_ssize_t) == 8)


def install_singleton_guard() -> bool:
    """Make None/True/False effectively immortal; True if they are protected now."""
    if not _needed():
        return sys.version_info >= (3, 12)
    with _lock:
        for obj in _SINGLETONS:
            if sys.getrefcount(obj) < CUSHION // 2:
                ctypes.c_ssize_t.from_address(id(obj)).value += CUSHION
                logger.debug("reference cushion added to %r (PySide6 borrowed returns)", obj)
    return True


def singletons_guarded() -> bool:
    """Whether None/True/False are immortal (3.12+) or carry the cushion."""
    if not _needed():
        return sys.version_info >= (3, 12)
    return all(sys.getrefcount(obj) >= CUSHION // 2 for obj in _SINGLETONS)
