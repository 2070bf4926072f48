"""The reading process's side of the import's time limit: its loop, memory limit and logs.

:mod:`alstudio.datasets.read_worker` starts this loop in a "spawn" child and hands it files;
here each file is decoded by the named job, its failure becomes the file's one-line reason
(never the child's end), and its log records travel back with the answer so the parent's log
keeps them.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from alstudio.errors import ScanReadError

#: Share of the machine's memory the child may address (Linux; elsewhere no limit is set).
MEMORY_FRACTION = 0.75
MIN_MEMORY_BYTES = 2 << 30


def memory_limit() -> int | None:
    """Bytes of address space the child may use, or None where it cannot be limited."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None
    return max(MIN_MEMORY_BYTES, int(total * MEMORY_FRACTION))


class _Collect(logging.Handler):
    """Log records of one job, sent back with its answer so the parent's log keeps them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _limit_memory(limit: int | None) -> None:
    """Cap the address space, so an allocation too large fails here as MemoryError."""
    if limit is None:
        return
    try:
        import resource
    except ImportError:  # Windows
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def resolve(job: str) -> Callable[[Any], Any]:
    """The function a ``"module:function"`` job name stands for."""
    module, _, name = job.partition(":")
    function: Callable[[Any], Any] = getattr(importlib.import_module(module), name)
    return function


def serve(requests: Connection, answers: Connection, job: str, limit: int | None) -> None:
    """The child's loop: run ``job`` on each request, answer ``(seq, error, logs)``."""
    _limit_memory(limit)
    collect = _Collect()
    root = logging.getLogger()
    root.addHandler(collect)
    root.setLevel(logging.INFO)
    function = resolve(job)
    answers.send(("ready", None, []))
    while True:
        try:
            message = requests.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if message is None:
            return
        seq, argument = message
        error: tuple[str, str] | None = None
        try:
            function(argument)
        except ScanReadError as exc:
            error = (exc.path, exc.reason)
        except MemoryError:
            error = ("", "too large to decode in the available memory")
        except Exception as exc:  # any failure is the file's reason, never the child's end
            error = ("", f"cannot read: {type(exc).__name__}: {exc}"[:160])
        answers.send((seq, error, collect.records))
        collect.records = []
