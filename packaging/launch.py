"""Entry point of the frozen app (both `alstudio` and `alstudio-cli`): the `alstudio` command.

A windowed build on Windows has no console, so ``sys.stdout``/``sys.stderr`` are None there;
they are pointed at the null device so a stray print cannot crash the app (the log file keeps
everything). ``freeze_support`` lets worker processes started with "spawn" (Windows, macOS)
run inside the bundle instead of starting a second app.
"""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115

    from alstudio.__main__ import main

    sys.exit(main())
