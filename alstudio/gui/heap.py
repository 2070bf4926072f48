"""Keep the garbage collector's full passes short, so they do not stall the window.

A full collection walks every tracked object while holding the interpreter lock. Once Qt,
pydicom and later torch and MONAI are loaded, that is hundreds of thousands of long-lived
objects (modules, classes, functions), and a full pass triggered by an import or a round in a
worker thread froze the window for 50-70 ms. Those objects live as long as the app, so after
each big load they are moved out of the collector's sight with :func:`gc.freeze`; later passes
only walk what the session itself creates. A frozen object that dies later is still freed by
reference counting; only one caught in a reference cycle stays until the app exits, which for
the few objects of a closed project is a small price for a window that never stutters.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def settle_heap(reason: str) -> None:
    """Freeze what is alive now (long-lived by construction: call it after a big load)."""
    if not log.isEnabledFor(logging.DEBUG):  # counting walks every frozen object: 20 ms a call
        gc.freeze()
        return
    before = gc.get_freeze_count()
    gc.freeze()
    after = gc.get_freeze_count()
    log.debug("heap settled after %s: %d objects frozen (+%d)", reason, after, after - before)
