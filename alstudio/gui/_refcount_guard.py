"""Guard against a reference-count bug of PySide6 (seen in 6.12.0) on CPython before 3.12.

Each Python-side ``signal.emit()`` releases one reference to ``True`` it never took, and
each Python override that returns ``None`` to C++ (``paintEvent``, a model's ``data`` for
an unused role) releases one reference to ``None``. On CPython 3.12 and later these objects
are immortal and nothing happens; on 3.11 their counts run down as the app runs, and after
a few thousand key presses or repaints the interpreter aborts with "Fatal Python error:
bool_dealloc" or "none_dealloc".

The fix here does what CPython 3.12 does: it gives ``None``, ``True`` and ``False`` a
reference count so large that no number of over-releases reaches zero. These objects are
statically allocated and are never freed, so nothing else changes. It runs once, when
:mod:`alstudio.gui` is imported, before any Qt object exists.
"""

from __future__ import annotations

import ctypes
import sys

#: Headroom added to each singleton's count: 2**40 over-releases take days at 10 MHz.
HEADROOM = 1 << 40


def singletons_need_guard() -> bool:
    return sys.implementation.name == "cpython" and sys.version_info < (3, 12)


def guard_singletons() -> bool:
    """Raise the reference counts of None, True and False; True if it did anything."""
    if not singletons_need_guard():
        return False
    for obj in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is the first field
        if count.value < HEADROOM:
            count.value += HEADROOM
    return True
