"""Decode the next queue items ahead of time, so the next scan appears at once.

Reading a 35-file DICOM series takes a few hundred milliseconds; the annotator presses a key
and expects the next scan *now*. :class:`ImagePrefetcher` decodes the item needed now and the
next few in a small private thread pool, keeps the decoded :class:`ScanImage` objects in an
LRU bounded by count and bytes, and reports completion with signals delivered on the GUI
thread.

Workers receive only :class:`ScanSource` values (frozen dataclasses of paths), never a
:class:`~alstudio.project.Project`: a project holds one SQLite connection, which must not
cross threads.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal, SignalInstance

from alstudio.datasets.records import ScanImage, ScanSource
from alstudio.errors import ScanReadError

logger = logging.getLogger(__name__)

Reader = Callable[[ScanSource], ScanImage]


def _default_reader(source: ScanSource) -> ScanImage:
    """:func:`alstudio.datasets.read_pixels`, imported on first use (keeps start-up light)."""
    from alstudio.datasets import read_pixels

    return read_pixels(source)


class _Relay(QObject):
    """Lives on the GUI thread; workers emit through it, so slots run on the GUI thread."""

    decoded = Signal(int, object, int)  # item id, ScanImage, job token
    failed = Signal(int, str, int)  # item id, reason, job token
    skipped = Signal(int, int)  # item id, job token: no longer wanted when its turn came


class ImagePrefetcher(QObject):
    """Background decoding with an LRU of decoded images.

    ``request([(item_id, source), ...])``: the first item is needed now, the rest are ahead,
    decoded in that order (at most ``max_threads`` at once). Items already cached emit
    nothing: call :meth:`get` first, and wait for ``ready(item_id)`` only when it returns
    None. ``failed(item_id, reason)`` gives the reader's one-line reason; a look-ahead item
    that failed once is not retried until it is the one needed now. Call :meth:`shutdown`
    before the application quits (it is also hooked to ``aboutToQuit``).
    """

    ready = Signal(int)
    failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None, *, max_items: int = 8,
                 max_bytes: int = 512 * 1024 * 1024, max_threads: int = 1,
                 reader: Reader | None = None) -> None:
        super().__init__(parent)
        self.max_items = max(1, max_items)
        self.max_bytes = max_bytes
        self._reader = reader or _default_reader
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(1, min(max_threads, 2)))
        self._cache: OrderedDict[int, ScanImage] = OrderedDict()
        self._bytes = 0
        self._pinned: int | None = None  # the item needed now is never evicted
        self._requested: dict[int, tuple[ScanSource, int]] = {}  # last request: source, priority
        self._failures: dict[int, str] = {}
        self._lock = threading.Lock()
        self._wanted: frozenset[int] = frozenset()  # read by workers under the lock
        self._in_flight: dict[int, int] = {}  # item id -> token of its queued/running job
        self._next_token = 0
        self._closed = False
        self._relay = _Relay(self)
        self._relay.decoded.connect(self._on_decoded)
        self._relay.failed.connect(self._on_failed)
        self._relay.skipped.connect(self._on_skipped)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- public -----------------------------------------------------------------------------

    def request(self, sources: Sequence[tuple[int, ScanSource]]) -> None:
        """Decode these items (first = needed now) unless cached or already on their way."""
        if self._closed:
            return
        self._requested = {item_id: (source, len(sources) - rank)
                           for rank, (item_id, source) in enumerate(sources)}
        self._pinned = sources[0][0] if sources else None
        if self._pinned is not None:
            self._failures.pop(self._pinned, None)  # the item needed now is always retried
            if self._pinned in self._cache:
                self._cache.move_to_end(self._pinned)
        with self._lock:
            self._wanted = frozenset(self._requested)
        for item_id in self._requested:
            self._start(item_id)

    def get(self, item_id: int) -> ScanImage | None:
        """The decoded image if cached (and mark it recently used), else None."""
        image = self._cache.get(item_id)
        if image is not None:
            self._cache.move_to_end(item_id)
        return image

    def failure(self, item_id: int) -> str | None:
        """The reason the item last failed to decode, if it did."""
        return self._failures.get(item_id)

    def is_pending(self, item_id: int) -> bool:
        """True while the item is queued or being decoded."""
        return item_id in self._in_flight

    def cached_ids(self) -> list[int]:
        """Cached item ids, least recently used first."""
        return list(self._cache)

    @property
    def cached_bytes(self) -> int:
        return self._bytes

    def active_threads(self) -> int:
        return self._pool.activeThreadCount()

    def discard(self, item_id: int) -> None:
        """Forget one item (e.g. its file changed on disk)."""
        image = self._cache.pop(item_id, None)
        if image is not None:
            self._bytes -= image.array.nbytes
        self._failures.pop(item_id, None)

    def clear(self) -> None:
        """Drop the cache and queued work; running decodes finish and are ignored."""
        with self._lock:
            self._wanted = frozenset()
        self._pool.clear()
        self._requested = {}
        self._in_flight.clear()
        self._failures.clear()
        self._cache.clear()
        self._bytes = 0
        self._pinned = None

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Stop taking work, drop queued jobs and wait for running ones. Idempotent.

        Returns False if a decode was still running after ``timeout_ms`` (it will finish on
        its own; its result is ignored).
        """
        if self._closed:
            return True
        self._closed = True
        self.clear()
        done = self._pool.waitForDone(timeout_ms)
        if not done:
            logger.warning("image prefetch: a decode was still running at shutdown")
        return done

    # -- worker side ------------------------------------------------------------------------

    def _start(self, item_id: int) -> None:
        if (item_id in self._cache or item_id in self._in_flight
                or item_id in self._failures or item_id not in self._requested):
            return
        source, priority = self._requested[item_id]
        self._next_token += 1
        token = self._next_token
        self._in_flight[item_id] = token
        self._pool.start(self._make_job(item_id, source, token), priority)

    def _make_job(self, item_id: int, source: ScanSource, token: int) -> Callable[[], None]:
        relay, reader, lock, owner = self._relay, self._reader, self._lock, self

        def send(signal: SignalInstance, *args: object) -> None:
            try:
                signal.emit(*args)
            except RuntimeError:  # the owner was deleted without shutdown(): nobody listens
                logger.debug("image prefetch: result for item %d dropped", item_id)

        def job() -> None:
            with lock:
                wanted = item_id in owner._wanted
            if not wanted:
                send(relay.skipped, item_id, token)
                return
            try:
                image = reader(source)
            except ScanReadError as error:
                send(relay.failed, item_id, error.reason, token)
            except Exception as error:  # a reader bug must not kill the pool thread
                logger.exception("decoding %s failed", source.path)
                send(relay.failed, item_id, f"{type(error).__name__}: {error}", token)
            else:
                send(relay.decoded, item_id, image, token)

        return job

    # -- GUI thread -------------------------------------------------------------------------

    def _finish(self, item_id: int, token: int) -> bool:
        """True if this is the live job for the item (stale results after clear() are not)."""
        if self._closed or self._in_flight.get(item_id) != token:
            return False
        del self._in_flight[item_id]
        return True

    def _on_decoded(self, item_id: int, image: ScanImage, token: int) -> None:
        if self._finish(item_id, token):
            self._store(item_id, image)
            self.ready.emit(item_id)

    def _on_failed(self, item_id: int, reason: str, token: int) -> None:
        if self._finish(item_id, token):
            self._failures[item_id] = reason
            self.failed.emit(item_id, reason)

    def _on_skipped(self, item_id: int, token: int) -> None:
        if self._finish(item_id, token):
            self._start(item_id)  # wanted again since the job decided to skip: requeue

    def _store(self, item_id: int, image: ScanImage) -> None:
        old = self._cache.pop(item_id, None)
        if old is not None:
            self._bytes -= old.array.nbytes
        self._cache[item_id] = image
        self._bytes += image.array.nbytes
        if self._pinned is not None and item_id != self._pinned and self._pinned in self._cache:
            # keep the item needed now the most recent, so look-ahead cannot evict it
            self._cache.move_to_end(self._pinned)
        self._evict()

    def _evict(self) -> None:
        while len(self._cache) > 1 and (len(self._cache) > self.max_items
                                        or self._bytes > self.max_bytes):
            victim = next(iter(self._cache))
            image = self._cache.pop(victim)
            self._bytes -= image.array.nbytes
