"""Decode files for the import in a child process, each under a time limit: both sides.

A hostile or broken file can make a decoder spin, or ask for more memory than the machine
has. Python threads cannot be stopped, so the import's pixel check (:func:`verify`) runs in
one persistent child process, started with "spawn" (the same on every platform). The
parent hands it files one after another and knows when each began (the previous answer's
arrival); a file still unanswered after ``timeout`` seconds has the child killed, is
skipped with the reason :func:`timeout_reason` gives, and a fresh child takes over the files
still waiting. A child that dies on a file (a decoder's crash, the memory limit) skips that
file the same way. On Linux the child's address space is limited
(:data:`MEMORY_FRACTION` of the machine's memory), so an allocation too large
fails there as ``MemoryError``, not in the window.

The work is pipelined: the parent keeps indexing headers while the child decodes the files
handed to it, so on two cores the import is not slower than doing both in turn. The child is
started when the first file is handed over and stays up for the next import of this process
(the window's second import starts no process). Where no child can be started, files are
checked in this process, without a time limit, and the log says why.

The job run in the child is named as ``"module:function"`` (default: this package's
``verify``), so the time limit can be exercised with any importable function. The parent's
side and the child's loop sit in this one module, so the messages between them are written
down once: a request is ``(seq, argument)`` (None: finish), an answer ``(seq, error, logs)``.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from alstudio.errors import ScanReadError

logger = logging.getLogger(__name__)

#: Seconds one file may take to decode before it is skipped (`alstudio import --file-timeout`).
FILE_TIMEOUT_SECONDS = 30.0
#: Seconds a new child may take to import the readers (not counted against any file).
STARTUP_SECONDS = 120.0
#: Files handed to the child ahead of the one it is on.
AHEAD = 8
VERIFY_JOB = "alstudio.datasets.pixels:verify"
#: Share of the machine's memory the child may address (Linux; elsewhere no limit is set).
MEMORY_FRACTION = 0.75
MIN_MEMORY_BYTES = 2 << 30

T = TypeVar("T")


class FileTimedOut(ScanReadError):
    """A file was skipped because decoding it took longer than the time limit."""


def timeout_reason(seconds: float) -> str:
    """The one-line reason a file over the time limit is skipped with."""
    return f"took longer than {seconds:g} s to read; skipped"


# The child's side: its loop, memory limit and logs.
class _Collect(logging.Handler):
    """Log records of one job, sent back with its answer so the parent's log keeps them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _limit_memory() -> None:
    """Cap the child's address space, so an allocation too large fails as MemoryError."""
    try:
        import resource

        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ImportError, AttributeError, ValueError, OSError):  # Windows: no limit is set
        return
    limit = max(MIN_MEMORY_BYTES, int(total * MEMORY_FRACTION))
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def resolve(job: str) -> Callable[[Any], Any]:
    """The function a ``"module:function"`` job name stands for."""
    module, _, name = job.partition(":")
    function: Callable[[Any], Any] = getattr(importlib.import_module(module), name)
    return function


def serve(requests: Connection, answers: Connection, job: str) -> None:
    """The child's loop: run ``job`` on each request, answer ``(seq, error, logs)``."""
    _limit_memory()
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


# The parent's side: the child's life, files handed over and answers taken back.

@dataclass
class _Job(Generic[T]):
    seq: int
    payload: T
    argument: Any
    path: str


class _Child:
    """One child process, its two pipes and the thread that feeds it."""

    def __init__(self, job: str) -> None:
        context = multiprocessing.get_context("spawn")
        requests_in, self._requests = context.Pipe(duplex=False)
        self._answers, answers_out = context.Pipe(duplex=False)
        self.process = context.Process(target=serve, name="alstudio-reader", daemon=True,
                                       args=(requests_in, answers_out, job))
        self.process.start()
        requests_in.close()
        answers_out.close()
        self.ready = False
        self._outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._feeder = threading.Thread(target=self._feed, name="alstudio-reader-feed",
                                        daemon=True)
        self._feeder.start()

    def _feed(self) -> None:  # in its own thread: a send to a stuck child blocks
        while True:
            message = self._outbox.get()
            try:
                self._requests.send(message)
            except (OSError, ValueError):  # the child was killed: nothing more to send
                return
            if message is None:
                return

    def send(self, message: Any) -> None:
        self._outbox.put(message)

    def receive(self, timeout: float) -> tuple[Any, Any, list[tuple[str, int, str]]] | None:
        """The next answer, or None when none came within ``timeout``; EOFError if it died."""
        answer: tuple[Any, Any, list[tuple[str, int, str]]] | None = (
            self._answers.recv() if self._answers.poll(max(0.0, timeout)) else None)
        return answer

    def stop(self, kill: bool) -> None:
        """Ask the child to finish (or kill it) and release its pipes."""
        if kill:
            self.process.kill()
        else:
            self.send(None)
        self.process.join(timeout=None if kill else 5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self._outbox.put(None)
        self._requests.close()
        self._answers.close()
        self.process.close()


_idle: list[_Child] = []
_idle_lock = threading.Lock()


def prestart() -> None:
    """Start the child now, so it has imported the readers by the time the first file comes
    (the CLI calls this before it opens and checks the project)."""
    with _idle_lock:
        if _idle:
            return
    try:
        child = _Child(VERIFY_JOB)
    except Exception as exc:
        logger.info("cannot start the reading process ahead: %s", exc)
        return
    with _idle_lock:
        _idle.append(child)


class GuardedReader(Generic[T]):
    """Hand files to the child, get each back as ``(payload, error or None)`` in order.

    ``submit`` queues one file; ``finished`` yields what is done without waiting (and waits
    for the oldest once ``AHEAD`` are queued); ``drain`` waits for all. Each file gets
    ``timeout`` seconds from the moment the child starts on it.
    """

    def __init__(self, timeout: float = FILE_TIMEOUT_SECONDS, job: str = VERIFY_JOB) -> None:
        if not timeout > 0:
            raise ValueError("the time limit must be positive")
        self.timeout = timeout
        self.job = job
        self._child: _Child | None = None
        self._broken = False
        self._pending: deque[_Job[T]] = deque()
        self._sent: deque[_Job[T]] = deque()
        self._started: float | None = None  # when the child began the oldest sent job
        self._seq = 0

    # -- the child's life

    def start(self) -> None:
        """Start (or take over) the child now rather than with the first file."""
        self._ensure_child()

    def _ensure_child(self) -> _Child | None:
        if self._child is None and not self._broken:
            try:
                with _idle_lock:  # the child `prestart` or the last import left
                    idle = _idle.pop() if self.job == VERIFY_JOB and _idle else None
                self._child = idle or _Child(self.job)
            except Exception as exc:
                logger.warning("cannot start the reading process (%s); files are checked "
                               "here, without a time limit", exc)
                self._broken = True
        return self._child

    def _restart(self, kill: bool) -> None:
        child, self._child = self._child, None
        if child is not None:
            child.stop(kill=kill)
        waiting = list(self._sent)
        self._sent.clear()
        self._started = None
        self._pending.extendleft(reversed(waiting))

    def close(self) -> None:
        """Keep a healthy child for the next import; stop anything else."""
        if self._sent or self._pending:
            self._restart(kill=True)
            self._pending.clear()
            return
        child, self._child = self._child, None
        if child is None:
            return
        if self.job == VERIFY_JOB and child.process.is_alive():
            with _idle_lock:
                if not _idle:
                    _idle.append(child)
                    return
        child.stop(kill=False)

    def __enter__(self) -> GuardedReader[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- handing files over

    def submit(self, payload: T, argument: Any, path: str) -> None:
        """Queue one file (``argument`` is what the job gets; ``path`` names it in a skip)."""
        self._seq += 1
        self._pending.append(_Job(self._seq, payload, argument, path))
        self._send_pending()

    def _send_pending(self) -> None:
        child = self._ensure_child()
        if child is None:
            return
        while self._pending and len(self._sent) < AHEAD:
            job = self._pending.popleft()
            if not self._sent and child.ready:
                self._started = time.monotonic()
            self._sent.append(job)
            child.send((job.seq, job.argument))

    def finished(self) -> Iterator[tuple[T, ScanReadError | None]]:
        """What is done now; waits for the oldest only when ``AHEAD`` files are queued."""
        return self._results(wait_all=False)

    def drain(self) -> Iterator[tuple[T, ScanReadError | None]]:
        """Everything handed over, waiting as long as each file's time limit allows."""
        return self._results(wait_all=True)

    def _results(self, wait_all: bool) -> Iterator[tuple[T, ScanReadError | None]]:
        while self._pending or self._sent:
            if self._child is None and self._broken:
                yield from self._here()
                return
            wait = wait_all or len(self._pending) + len(self._sent) >= AHEAD
            result = self._next(wait=wait)
            if result is not None:
                yield result
            elif not wait_all:
                return

    def _here(self) -> Iterator[tuple[T, ScanReadError | None]]:
        """No child: run the job in this process (no time limit)."""
        function = resolve(self.job)
        while self._pending:
            job = self._pending.popleft()
            try:
                function(job.argument)
            except ScanReadError as exc:
                yield job.payload, exc
            else:
                yield job.payload, None

    def _next(self, wait: bool) -> tuple[T, ScanReadError | None] | None:
        """The oldest file's result; None when not waiting and it is not done yet."""
        self._send_pending()
        child = self._child
        if child is None:
            return None
        while True:
            if not child.ready:
                limit = STARTUP_SECONDS if wait else 0.0
            else:
                assert self._started is not None
                limit = self._started + self.timeout - time.monotonic() if wait else 0.0
            try:
                answer = child.receive(limit)
            except (EOFError, OSError):
                if not child.ready:  # it died importing the readers: no file is to blame
                    self._give_up("stopped while starting")
                    return None
                return self._lost(child, crashed=True)
            if answer is None:
                if not wait:
                    return None
                if not child.ready:
                    self._give_up(f"did not start within {STARTUP_SECONDS:g} s")
                    return None
                return self._lost(child, crashed=False)
            seq, error, records = answer
            if seq == "ready":
                child.ready = True
                self._started = time.monotonic()
                continue
            return self._answered(seq, error, records)

    def _give_up(self, why: str) -> None:
        """No child can serve: the files are checked in this process from now on."""
        logger.warning("the reading process %s; files are checked here, without a time limit", why)
        self._broken = True
        self._restart(kill=True)

    def _answered(self, seq: int, error: tuple[str, str] | None,
                  records: list[tuple[str, int, str]]) -> tuple[T, ScanReadError | None]:
        job = self._sent.popleft()
        assert job.seq == seq, "answers come back in the order files were handed over"
        for name, level, message in records:
            logging.getLogger(name).log(level, "%s", message)
        self._started = time.monotonic()
        self._send_pending()
        if error is None:
            return job.payload, None
        path, reason = error
        return job.payload, ScanReadError(path or job.path, reason)

    def _lost(self, child: _Child, crashed: bool) -> tuple[T, ScanReadError]:
        """The child is stuck on (or died with) the oldest file: skip it, start afresh."""
        job = self._sent.popleft()
        if crashed:
            child.process.join(timeout=5)
            code = child.process.exitcode
            reason = (f"the reader stopped on this file (exit code {code}), "
                      "e.g. out of memory; skipped")
        else:
            reason = timeout_reason(self.timeout)
        logger.info("skipped %s: %s", job.path, reason)
        self._restart(kill=True)
        self._send_pending()
        kind = ScanReadError if crashed else FileTimedOut
        return job.payload, kind(job.path, reason)
