"""The Qt front end: the only package that imports PySide6.

Everything here draws and reacts; the work itself (import, rounds, demo build) runs in
background workers (:mod:`alstudio.gui.worker`) that call the same engine functions as the
CLI. torch is never imported at module level, so the window opens before the model stack loads.
"""

from alstudio.gui._refcount_guard import guard_singletons

guard_singletons()  # before any Qt object exists; see the module for the PySide6 bug
