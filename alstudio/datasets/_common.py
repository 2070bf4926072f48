"""Small helpers shared by the readers: one-line reasons, hashing, quiet third-party calls."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

_MAX_REASON = 160
_CHUNK = 1 << 20


#: Text of Python's own errors (a decoder's bug), which says nothing to a user.
_INTERNAL = re.compile(
    r"'\w+' object (has no attribute|is not (subscriptable|iterable|callable))"
    r"|unsupported operand|positional argument|index out of range|NoneType|^\d+$")


def printable(text: str, limit: int = _MAX_REASON) -> str:
    """``text`` as one line of printable characters, at most ``limit`` long.

    A corrupted tag can put raw bytes into a message ("...1.1.7\x00\x08..."): control and
    other unprintable characters end the text there, since what follows is noise.
    """
    clean = []
    for char in text:
        if char in "\t\n\r":
            clean.append(" ")
        elif not char.isprintable():
            clean.append("…")
            break
        else:
            clean.append(char)
    line = " ".join("".join(clean).split())
    if len(line) > limit:
        line = line[: limit - 3].rstrip() + "..."
    return line


def is_internal(message: str) -> bool:
    """True for messages that are a Python error inside a library, not a reason."""
    return bool(_INTERNAL.search(message))


def one_line(exc: BaseException | str, limit: int = _MAX_REASON) -> str:
    """Squeeze an exception message into one short, printable line for the import summary.

    pydicom's "Unable to decode as exceptions were raised by all available plugins" lists one
    line per plugin: the first that reads as a reason is kept (a plugin's internal Python
    error, "'NoneType' object has no attribute 'encode'", is not one).
    """
    text = exc if isinstance(exc, str) else str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__ if not isinstance(exc, str) else "unknown error"
    line = lines[0]
    if line.startswith("Unable to decode") and len(lines) > 1:
        plugins = [part for part in lines[1:] if not is_internal(part)]
        line = plugins[0] if plugins else "every installed decoder failed on this file"
    elif is_internal(line):
        line = f"unexpected {type(exc).__name__ if not isinstance(exc, str) else 'error'} " \
               "in a reader (details in the log file)"
    return printable(line, limit)


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
        logger.info("%s: %s", item.category.__name__, item.message)
