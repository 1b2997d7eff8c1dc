"""Who computes on which core: BLAS's thread pool against the compiled kernels'.

OpenBLAS runs level-1 routines (dot, axpy) on several threads once a vector is longer than
10,000 elements, and its workers then spin for up to ~0.1 s waiting for more work. Between
two passes of the compiled kernels (``kernels``, on every core), L-BFGS-B and the penalty
do exactly such level-1 work on vectors of length d, so with d = 20,000 the spinning
workers took a core from each following kernel pass: on 2 cores, 200,000 × 20,000 sparse,
a pass went from 36 to 76 ms (benchmarks/README.md, "sparse pass"). On one BLAS thread
those vector operations cost microseconds and nothing spins.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

_controller = None  # threadpoolctl's scan of the loaded libraries, ~5 ms: done once


@contextmanager
def blas_on_one_thread() -> Iterator[None]:
    """BLAS (every loaded OpenBLAS/MKL/BLIS) limited to one thread inside the block."""
    global _controller
    from threadpoolctl import ThreadpoolController

    if _controller is None:
        _controller = ThreadpoolController()
    with _controller.limit(limits=1, user_api="blas"):
        yield


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
