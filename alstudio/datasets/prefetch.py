"""Read and hash files ahead of the header parser, on worker threads.

Indexing a classic DICOM slice is three steps of similar cost: read the file, hash it,
parse the header. The first two release the GIL (file I/O and hashlib on large buffers), so
two worker threads doing them for the next few files overlap with the parser on the main
thread. Files too large to hold several of at once (``MAX_PREFETCH_BYTES``) are loaded by
the caller when their turn comes instead.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from alstudio.datasets._common import sha256_bytes
from alstudio.datasets.dicom import looks_like_dicom
from alstudio.datasets.raster import is_raster_magic

HEAD_BYTES = 132  # enough for the DICOM preamble and every image signature we test
MAX_PREFETCH_BYTES = 32 << 20
AHEAD = 16  # files in flight: bounded memory (AHEAD x MAX_PREFETCH_BYTES at worst)
WORKERS = 2


@dataclass(frozen=True)
class LoadedFile:
    """The first bytes of a file, and all of it (with its hash) when it may be DICOM."""

    path: str
    size: int
    head: bytes
    data: bytes | None = None
    sha256: str | None = None
    error: OSError | None = None
    deferred: bool = False  # large possible DICOM: the caller reads it itself

    @property
    def is_dicom(self) -> bool:
        # DICM first: a DICOM preamble may itself carry a TIFF signature (dual format files)
        return self.head[128:132] == b"DICM" or (not is_raster_magic(self.head)
                                                 and looks_like_dicom(self.head))


def load_file(path: str, whole_if_dicom: bool = True,
              limit: int | None = MAX_PREFETCH_BYTES) -> LoadedFile:
    """Read ``path``'s head, and the whole file plus its sha256 when it may be DICOM."""
    try:
        size = os.path.getsize(path)
        if size == 0:
            return LoadedFile(path, 0, b"")
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
            loaded = LoadedFile(path, size, head)
            if not whole_if_dicom or not loaded.is_dicom:
                return loaded
            if limit is not None and size > limit:
                return LoadedFile(path, size, head, deferred=True)
            data = head + handle.read()
    except OSError as exc:
        return LoadedFile(path, -1, b"", error=exc)
    return LoadedFile(path, size, head, data, sha256_bytes(data))


def prefetched(paths: Iterable[tuple[str, bool]],
               executor: ThreadPoolExecutor) -> Iterator[tuple[str, Future[LoadedFile] | None]]:
    """Yield ``(path, future)`` in order, keeping up to ``AHEAD`` loads in flight.

    ``paths`` pairs each path with whether to load it here (NIfTI and .npz files are
    opened by their own readers, so they get ``None``).
    """
    pending: deque[tuple[str, Future[LoadedFile] | None]] = deque()
    for path, wanted in paths:
        pending.append((path, executor.submit(load_file, path) if wanted else None))
        if len(pending) >= AHEAD:
            yield pending.popleft()
    while pending:
        yield pending.popleft()


def new_executor() -> ThreadPoolExecutor:
    """The worker pool discovery uses for one walk."""
    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="alstudio-index")
