"""The design matrix X seen through the three products the objective needs.

    matvec(w)  = X·w            one pass over X: the scores z
    rmatvec(g) = Xᵀ·g           one pass over X: the gradient
    gram(h)    = Xᵀ·diag(h)·X   one pass over X: the Hessian

X is used as given (C- or F-ordered float32/float64, CSR/CSC): no copy is made. float32 data
stay float32 inside BLAS while the reductions are accumulated in float64 over row blocks,
so the gradient keeps float64 accuracy across millions of rows. ``passes`` counts the
passes over X, for the benchmark.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

Array = NDArray[np.float64]

__all__ = ["Design", "as_design"]

_BLOCK_BYTES = 1 << 22  # 4 MiB of X per block: large enough for BLAS, small next to X


class Design:
    """Dense or scipy.sparse X with the products the chain rule needs."""

    def __init__(self, X) -> None:
        self.X = X
        self.sparse = sp.issparse(X)
        self.n_samples, self.n_features = X.shape
        self.dtype = X.dtype
        self.passes = 0
        row_bytes = max(1, self.n_features * X.dtype.itemsize)
        self._block = max(1, _BLOCK_BYTES // row_bytes)

    def _blocks(self):
        for start in range(0, self.n_samples, self._block):
            yield slice(start, min(start + self._block, self.n_samples))

    def matvec(self, w: Array) -> Array:
        """z = X·w in X's float type (no upcast copy of X), returned as float64."""
        self.passes += 1
        return np.asarray(self.X @ w.astype(self.dtype, copy=False), dtype=np.float64)

    def rmatvec(self, g: Array) -> Array:
        """Xᵀ·g, accumulated in float64."""
        self.passes += 1
        if self.dtype == np.float64 or self.sparse:
            return np.asarray(self.X.T @ g.astype(self.dtype, copy=False), dtype=np.float64)
        out = np.zeros(self.n_features)
        g32 = g.astype(self.dtype)
        for rows in self._blocks():
            out += self.X[rows].T @ g32[rows]
        return out

    def gram(self, h: Array) -> Array:
        """Xᵀ·diag(h)·X as a dense (d, d) float64 array, formed block by block.

        Where h ≥ 0 each block is scaled by √h and multiplied by its own transpose, which
        NumPy hands to BLAS as a symmetric rank-k update; no n×d temporary is made.
        """
        self.passes += 1
        if self.sparse:
            return np.asarray((self.X.T @ self.X.multiply(h[:, None]).tocsr()).todense())
        d = self.n_features
        out = np.zeros((d, d))
        nonnegative = bool(np.all(h >= 0))
        root = np.sqrt(h) if nonnegative else h
        for rows in self._blocks():
            block = self.X[rows]
            scaled = block * root[rows, None].astype(self.dtype, copy=False)
            out += (scaled.T @ scaled) if nonnegative else (block.T @ scaled)
        return out


def as_design(X) -> Design:
    return X if isinstance(X, Design) else Design(X)
