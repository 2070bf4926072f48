"""Progress of a long job on stderr, as users of command-line tools expect it.

On a terminal: a tqdm bar per phase ("importing", "epoch 3/40", "scoring", ...) with the count,
the rate and the time left. Otherwise (a pipe, a log file, CI): a plain line every few seconds
and at the end of each phase, with the rate and the time left in words, never a carriage
return. Progress always goes to stderr, so ``--json`` output on stdout stays one parseable
object.
"""

from __future__ import annotations

import io
import math
import os
import sys
import time
import weakref
from typing import IO, Any

from tqdm import tqdm

from alstudio.jobs import Progress

_OPEN: weakref.WeakSet[StderrProgress] = weakref.WeakSet()


def close_all() -> None:
    """Finish every bar still drawn (the CLI calls this when a verb returns or fails)."""
    for progress in list(_OPEN):
        progress.close()


def _clock(seconds: float) -> str:
    """``1:05`` or ``1:02:05``."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _width(stream: IO[str]) -> dict[str, Any]:
    """Follow the terminal's size; one that reports none (0 x 0, as some pseudo-terminals
    do) gets 100 x 24, since tqdm hides a bar below a terminal's last row."""
    try:
        size = os.get_terminal_size(stream.fileno())
        columns, rows = size.columns, size.lines
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        columns, rows = 0, 0
    shape: dict[str, Any] = {"dynamic_ncols": True} if columns > 0 else {"ncols": 100}
    if rows <= 0:
        shape["nrows"] = 24
    return shape


class StderrProgress:
    """A :data:`alstudio.jobs.ProgressCallback` that draws on ``stream`` (default stderr).

    ``tty`` overrides the terminal check (tests); ``quiet`` draws nothing; ``interval`` is the
    seconds between plain lines.
    """

    def __init__(self, quiet: bool = False, interval: float = 2.0, *,
                 stream: IO[str] | None = None, tty: bool | None = None,
                 min_rate_seconds: float = 0.5) -> None:
        self.quiet = quiet
        # a plain line gives a rate only once its phase has run this long: a rate over a
        # blink is noise (thousands of "items per second" for the first step)
        self.min_rate_seconds = min_rate_seconds
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty()) if tty is None and callable(isatty) else bool(tty)
        self.interval = interval
        self._bar: tqdm[None] | None = None
        self._phase: str | None = None
        self._phase_start = 0.0
        # when each phase was first seen: a job may go back and forth between phases (import
        # indexes, then imports, then indexes the next folder), and its rate counts from there
        self._phase_starts: dict[str, float] = {}
        self._last = -math.inf
        _OPEN.add(self)

    def __call__(self, step: Progress) -> None:
        """Show one progress step."""
        if self.quiet:
            return
        if step.phase != self._phase:
            self.close()
            self._phase = step.phase
            self._phase_start = self._phase_starts.setdefault(step.phase, time.monotonic())
            self._last = -math.inf  # the first step of a phase is always shown
        final = step.total is not None and step.done >= step.total
        if self.tty:
            self._draw_bar(step, final)
        else:
            self._write_line(step, final)

    def _draw_bar(self, step: Progress, final: bool) -> None:
        """Update (or open) the phase's bar; close it when the phase is done."""
        if self._bar is None:
            self._bar = tqdm(total=step.total, desc=step.phase, file=self.stream,
                             leave=False, mininterval=0.1, unit="it",
                             **_width(self.stream))
        bar = self._bar
        if step.total is not None and bar.total != step.total:
            bar.total = step.total
        bar.n = step.done
        if step.message:
            bar.set_postfix_str(step.message, refresh=False)
        bar.refresh()
        if final:
            self.close()

    def _write_line(self, step: Progress, final: bool) -> None:
        """A plain line every ``interval`` seconds and at the end of each phase."""
        now = time.monotonic()
        if now - self._last < self.interval and not final:
            return
        self._last = now
        total = f"/{step.total}" if step.total else ""
        elapsed = now - self._phase_start
        pace = ""
        if step.done and elapsed > 0 and elapsed >= self.min_rate_seconds:
            rate = step.done / elapsed
            pace = f" ({rate:.1f}/s"
            if step.total and not final and rate > 0:
                pace += f", {_clock((step.total - step.done) / rate)} left"
            pace += ")"
        text = f"{step.phase}: {step.done}{total}{pace} {step.message}".rstrip()
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Finish the current phase's bar, if one is drawn."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
