"""Progress on stderr: one rewritten line on a terminal, a line every few seconds otherwise."""

from __future__ import annotations

import sys
import time

from alstudio.jobs import Progress


class StderrProgress:
    def __init__(self, quiet: bool = False, interval: float = 2.0) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.interval = interval if not self.tty else 0.1
        self._last = 0.0
        self._width = 0

    def __call__(self, step: Progress) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        final = step.total is not None and step.done >= step.total
        if now - self._last < self.interval and not final:
            return
        self._last = now
        total = f"/{step.total}" if step.total else ""
        text = f"{step.phase}: {step.done}{total} {step.message}".rstrip()
        if self.tty:
            sys.stderr.write("\r" + text.ljust(self._width))
            self._width = len(text)
            if final:
                sys.stderr.write("\n")
                self._width = 0
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()
