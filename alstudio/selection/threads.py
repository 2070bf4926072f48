"""BLAS thread control for the per-pick loops.

A greedy pick is a small matrix-vector product followed by Python work. With two or more BLAS
threads, every such product waits for its helper threads to wake, and when other processes
keep the cores busy that wait is a scheduler time slice (milliseconds) for microseconds of
work. The loops therefore run their small products on one thread and switch back to the
caller's thread count only for the large blocked products, where threads pay off.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from threadpoolctl import ThreadpoolController

_controller: ThreadpoolController | None = None


def controller() -> ThreadpoolController:
    """One controller per process: creating it scans the loaded libraries (milliseconds)."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


def blas_threads() -> int:
    """The BLAS thread count in effect now (1 when no BLAS library is loaded)."""
    info = controller().select(user_api="blas").info()
    return max([int(i["num_threads"]) for i in info] or [1])


@contextlib.contextmanager
def blas_limit(n: int) -> Iterator[None]:
    """Run a block with at most ``n`` BLAS threads (restored afterwards)."""
    with controller().limit(limits=n, user_api="blas"):
        yield
