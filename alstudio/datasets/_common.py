"""Small helpers shared by the readers: one-line reasons, hashing, quiet third-party calls."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

_MAX_REASON = 160
_CHUNK = 1 << 20


def one_line(exc: BaseException | str, limit: int = _MAX_REASON) -> str:
    """Squeeze an exception message into one short line for the import summary.

    pydicom's "Unable to decode as exceptions were raised by all available plugins" puts the
    useful part on the next line, so that line is kept instead of the preamble.
    """
    text = exc if isinstance(exc, str) else str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__ if not isinstance(exc, str) else "unknown error"
    line = lines[0]
    if line.startswith("Unable to decode") and len(lines) > 1:
        line = lines[1]
    line = " ".join(line.split())
    if len(line) > limit:
        line = line[: limit - 3].rstrip() + "..."
    return line


def sha256_bytes(data: bytes | memoryview) -> str:
    """Hex sha256 of a buffer (hashlib releases the GIL on large buffers)."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks so a large file never sits in memory at once."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_of_hashes(hashes: list[str]) -> str:
    """Hash of an ordered list of hashes: a series' identity is its files in slice order."""
    return hashlib.sha256("\n".join(hashes).encode("ascii")).hexdigest()


@contextlib.contextmanager
def captured_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Collect warnings from third-party readers instead of letting them escape.

    pydicom and nibabel warn about malformed files; the import turns the relevant ones into
    reasons and logs the rest at debug level rather than flooding the user's console.
    (``warnings.catch_warnings`` is process-wide before Python 3.14; a warning raised in
    another thread meanwhile may be swallowed too, which is harmless here.)
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    for item in caught:
        logger.debug("%s: %s", item.category.__name__, item.message)
