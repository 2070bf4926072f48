"""Work around a PySide6 reference-count bug that aborts the app after a few thousand signals.

In PySide6 6.12.0, ``SignalInstance.emit()`` and ``SignalInstance.disconnect()`` return
``True`` without taking a reference to it. On Python before 3.12, where ``True`` is an
ordinary counted object, every call steals one reference; once a few thousand signals have
been emitted from Python the interpreter aborts with "Fatal Python error: bool_dealloc:
deallocating True or False" (often only at exit, which turns a passing test run red).

:func:`install_signal_refcount_fix` *measures* whether the running PySide6 has the bug and
only then wraps the two methods so that each call gives the stolen reference back. On a
fixed PySide6, or on Python 3.12+ (immortal ``True``), it changes nothing. It is idempotent
and process-wide: call it once at start-up, before any signal is emitted from Python.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, SignalInstance

logger = logging.getLogger(__name__)

_METHODS = ("emit", "disconnect")
_TRIALS = 32
_lock = threading.Lock()
_patched: set[str] = set()

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()

    def slot(self) -> None:
        """A receiver to connect and disconnect while measuring."""


def _true_refs_lost(call: Callable[[], object]) -> int:
    """How many references to True ``_TRIALS`` calls of ``call`` stole (0 when sound)."""
    before = sys.getrefcount(True)
    for _ in range(_TRIALS):
        call()
    return before - sys.getrefcount(True)


def _repay(count: int) -> None:
    for _ in range(count):
        _incref(True)


def _wrap(name: str) -> None:
    original = getattr(SignalInstance, name)

    @functools.wraps(original)
    def fixed(self: SignalInstance, *args: object, **kwargs: object) -> object:
        result = original(self, *args, **kwargs)
        if result is True or result is False:  # an extra reference to a bool is harmless
            _incref(result)
        return result

    fixed._alstudio_refcount_fix = True  # type: ignore[attr-defined]
    setattr(SignalInstance, name, fixed)


def install_signal_refcount_fix() -> list[str]:
    """Patch the leaking ``SignalInstance`` methods; returns the names patched so far."""
    with _lock:
        if sys.version_info >= (3, 12):
            return sorted(_patched)
        probe = _Probe()
        calls: dict[str, Callable[[], object]] = {
            "emit": probe.ping.emit,
            "disconnect": lambda: (probe.ping.connect(probe.slot),
                                   probe.ping.disconnect(probe.slot)),
        }
        for name in _METHODS:
            if name in _patched:
                continue
            lost = _true_refs_lost(calls[name])
            _repay(max(lost, 0))
            if lost >= _TRIALS // 2:
                _wrap(name)
                _patched.add(name)
                again = _true_refs_lost(calls[name])
                _repay(max(again, 0))
                logger.info("PySide6 SignalInstance.%s leaks references to True: patched "
                            "(%d lost before, %d after)", name, lost, again)
        return sorted(_patched)
