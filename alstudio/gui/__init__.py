"""The Qt front end: the only package that imports PySide6.

Everything here draws and reacts; the work itself (import, rounds, demo build) runs in
background workers (:mod:`alstudio.gui.worker`) that call the same engine functions as the
CLI. torch is never imported at module level, so the window opens before the model stack loads.

Importing :mod:`alstudio.gui.viewer` (which the window always does) installs the guard against
PySide6 6.12's over-released ``None``/``True`` on Python 3.11; :func:`alstudio.gui.app.run`
also installs it before the application object exists.
"""
