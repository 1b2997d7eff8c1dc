"""Who computes on which core: BLAS's thread pool against the compiled kernels'.

OpenBLAS runs level-1 routines (dot, axpy) on several threads once a vector is longer than
10,000 elements, and its workers then spin for up to ~0.1 s waiting for more work. Between
two passes of the compiled kernels (``kernels``, on every core), L-BFGS-B and the penalty
do exactly such level-1 work on vectors of length d, so with many features the spinning
workers take a core from each following kernel pass, which then runs at the speed of the
cores left to it (on few cores, about half; the timings are in benchmarks/README.md).
On one BLAS thread those vector operations cost microseconds and nothing spins.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_controller = None  # threadpoolctl's scan of the loaded libraries, ~5 ms: done once
# BLAS's thread count is one setting for the whole process: fits running in several
# threads share one limit, set by the first to enter and lifted by the last to leave (each
# saving and restoring its own would leave it at 1 when they overlap)
_lock = threading.Lock()
_holders = 0
_restore = None


@contextmanager
def blas_on_one_thread() -> Iterator[None]:
    """BLAS (every OpenBLAS/MKL/BLIS loaded at the first call) limited to one thread inside
    the block, for the whole process while any thread is inside one."""
    global _controller, _holders, _restore
    from threadpoolctl import ThreadpoolController

    with _lock:
        if _controller is None:
            _controller = ThreadpoolController()
        if _holders == 0:
            _restore = _controller.limit(limits=1, user_api="blas")
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                if _restore is not None:
                    _restore.restore_original_limits()
                _restore = None


@contextmanager
def one_compute_thread() -> Iterator[None]:
    """BLAS and the compiled kernels both on one thread inside the block."""
    import numba

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        with blas_on_one_thread():
            yield
    finally:
        numba.set_num_threads(threads)


def compute_threads() -> int:
    """How many threads the compiled and BLAS work of one pass may use: numba's setting
    (``NUMBA_NUM_THREADS``, ``numba.set_num_threads``; 1 inside ``one_compute_thread``)."""
    import numba

    return int(numba.get_num_threads())


def map_in_threads(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """[fn(item) for item in items] in that order, on up to ``compute_threads()`` threads,
    each with BLAS on one thread (fn should release the GIL: BLAS, large NumPy ufuncs).

    For BLAS calls that OpenBLAS does not split well itself: a Gram matrix of a few dozen
    columns over many rows runs on one core whatever BLAS's thread count, while threads
    each taking a share of the rows use every core. The pool lives for one call (cheap),
    so nothing is left to a forked child."""
    threads = min(len(items), compute_threads())
    # several items: one-thread BLAS even on one thread, since OpenBLAS's threaded products
    # round differently and the sum must not depend on the thread count
    with blas_on_one_thread() if len(items) > 1 else nullcontext():
        if threads <= 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(fn, items))
