"""Thread control: a caller's cap on every thread pool (:func:`limit_threads`), and BLAS
threads for the per-pick loops.

A greedy pick is a small matrix-vector product followed by Python work. With two or more BLAS
threads, every such product waits for its helper threads to wake, and when other processes
keep the cores busy that wait is a scheduler time slice (milliseconds) for microseconds of
work. The loops therefore run their small products on one thread and switch back to the
caller's thread count only for the large blocked products, where threads pay off.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from threadpoolctl import ThreadpoolController, threadpool_limits

from alstudio.errors import AlstudioError

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


@contextlib.contextmanager
def limit_threads(threads: int | None) -> Iterator[None]:
    """Cap BLAS/OpenMP threads (threadpoolctl) and torch's intra-op threads for a block.

    torch's setting is process-wide, so it is restored afterwards; a GUI worker passes
    ``threads = cores - 1`` to leave a core for the interface.
    """
    if threads is None:
        yield
        return
    if threads < 1:
        raise AlstudioError("threads must be at least 1.")
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        torch.set_num_threads(before)
