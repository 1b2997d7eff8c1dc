"""The compiled solve by a Cholesky factor, shared by ``firth_kernels`` and ``mixed_kernels``.

For a lower-triangular C with C Cᵀ = A, x = A⁻¹b by the two triangular solves: Cm = b
forward, then Cᵀx = m backward, each entry the right-hand side less the known terms,
divided by the pivot.

numba's cache checks a function's own file only, not the files of the functions it calls:
after editing this module, delete ``core/__pycache__/firth_*.nbi`` and
``core/__pycache__/mixed_kernels*.nbi`` (or touch the modules that call it) so that their
cached machine code is rebuilt with the change.
"""

from __future__ import annotations

from numba import njit

__all__ = ["cholesky_solve"]


@njit(cache=True)
def cholesky_solve(factor, rhs, out):
    """out = (C Cᵀ)⁻¹ rhs by the two triangular solves (C = ``factor``, lower; only its
    lower triangle is read); ``out`` may not be ``rhs``."""
    q = rhs.shape[0]
    for i in range(q):
        s = rhs[i]
        for k in range(i):
            s -= factor[i, k] * out[k]
        out[i] = s / factor[i, i]
    for i in range(q - 1, -1, -1):
        s = out[i]
        for k in range(i + 1, q):
            s -= factor[k, i] * out[k]
        out[i] = s / factor[i, i]
