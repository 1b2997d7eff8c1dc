"""The design matrix X seen through the three products the objective needs.

    matvec(w)  = X·w            one pass over X: the scores z
    rmatvec(g) = Xᵀ·g           one pass over X: the gradient
    gram(h)    = Xᵀ·diag(h)·X   one pass over X: the Hessian

X is used as given (C- or F-ordered float32/float64, CSR/CSC): no copy of X is made. float64
data go straight to BLAS / scipy.sparse. float32 data are read in small blocks that are
widened to float64 while they sit in cache, so every sum is a float64 sum: a gradient over
millions of rows keeps float64 accuracy, yet X is read from memory at 4 bytes an entry.
``passes`` counts the passes over X, for the benchmark. w and g may be vectors or matrices
(one column per class).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from logistic.core import kernels
from logistic.core.threads import map_in_threads

Array = NDArray[np.float64]

__all__ = ["Design", "as_design", "canonical"]

_BLOCK_BYTES = 1 << 20  # X bytes per block of the Hessian (0.5-4 MiB: the same speed)
_WIDEN_BYTES = 1 << 20  # float64 bytes of a widened float32 block: stays in cache
_ROOT_PIECE = 1 << 16  # elements per piece of a float32 √h written over a float64 h
_SEGMENTS = 16  # row segments of a Hessian pass, run in threads (at most this many)
_PARTIALS_BYTES = 1 << 26  # at most 64 MiB of the segments' partial Hessians


def canonical(X):
    """X itself, unless it is a sparse matrix with entries stored twice for one cell (or
    unsorted indices, which scipy reports together): then a copy with them summed. The
    Hessian kernel and the column extremes take each stored entry as a cell's value; a
    duplicate made them square 1 and 2 where the cell holds 3."""
    if sp.issparse(X) and X.format in ("csr", "csc") and not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X


class Design:
    """Dense or scipy.sparse X with the products the chain rule needs."""

    def __init__(self, X) -> None:
        X = canonical(X)
        self.X = X
        self.sparse = sp.issparse(X)
        self.n_samples, self.n_features = X.shape
        self.dtype = X.dtype
        self.passes = 0
        self._widen = X.dtype != np.float64
        self._by_columns = self.sparse and X.format == "csc"
        row_bytes = max(1, self.n_features * 8)
        self._gram_rows = max(1, _BLOCK_BYTES // row_bytes)
        if self._by_columns:
            self._widen_step = max(1, _WIDEN_BYTES // max(1, 8 * self.n_samples))
        else:
            self._widen_step = max(1, _WIDEN_BYTES // row_bytes)

    def _slices(self, step: int, length: int, begin: int = 0) -> Iterator[slice]:
        for start in range(begin, length, step):
            yield slice(start, min(start + step, length))

    def _widened(self) -> Iterator[tuple[slice, Any]]:
        """(slice, block as float64): row blocks, or column blocks of a CSC matrix."""
        length = self.n_features if self._by_columns else self.n_samples
        for part in self._slices(self._widen_step, length):
            block = self.X[:, part] if self._by_columns else self.X[part]
            yield part, block.astype(np.float64)

    def matvec(self, w: Array) -> Array:
        """z = X·w, float64."""
        self.passes += 1
        if not self._widen:
            return np.asarray(self.X @ w, dtype=np.float64)
        out = np.zeros((self.n_samples, *w.shape[1:]))
        for part, block in self._widened():
            if self._by_columns:
                out += block @ w[part]
            else:
                out[part] = block @ w
        return out

    def rmatvec(self, g: Any) -> Array:
        """Xᵀ·g, float64; g may also be a scipy.sparse matrix (one column per group)."""
        self.passes += 1
        if sp.issparse(g):
            g = g.tocsr()
            if not self._widen:
                return _dense(g.T @ self.X).T
            out = np.zeros((self.n_features, g.shape[1]))
            for part, block in self._widened():
                if self._by_columns:
                    out[part] = _dense(g.T @ block).T
                else:
                    out += _dense(g[part].T @ block).T
            return out
        if not self._widen:
            return np.asarray(self.X.T @ g, dtype=np.float64)
        out = np.zeros((self.n_features, *g.shape[1:]))
        for part, block in self._widened():
            if self._by_columns:
                out[part] = block.T @ g
            else:
                out += block.T @ g[part]
        return out

    def gram(
        self, h: Array, exact: bool = True, overwrite_h: bool = False
    ) -> tuple[Array, Array]:
        """(Xᵀ·diag(h)·X as a dense (d, d) float64 array, Xᵀh) in one pass.

        Dense X is taken in row blocks; where h ≥ 0 each block is scaled by √h and
        multiplied by its own transpose, which NumPy hands to BLAS as a symmetric rank-k
        update, and Xᵀh (the intercept's column of the Hessian) is taken from the same
        block while it is in cache. No n×d temporary is made. Consecutive blocks form
        segments that run in threads (``_sum_over_segments``).

        ``exact=False`` lets dense float32 X stay float32 inside each block's product (the
        blocks' sums are still added in float64): about 1e-7 relative error for a faster
        product — enough for a Newton direction, not for a covariance. ``overwrite_h=True``
        lets √h be written over h (a caller's own n-vector: one fewer at the peak).
        """
        self.passes += 1
        if self.sparse:
            if self.X.format == "csr" and self.n_features <= kernels.GRAM_CSR_MAX_FEATURES:
                X = self.X
                chunks = kernels.gram_chunks(self.n_samples, self.n_features)
                partial, sums = kernels.gram_csr(
                    X.data, X.indices, X.indptr, self.n_features, np.ascontiguousarray(h),
                    chunks,
                )
                return kernels.symmetric_from_half(partial.sum(axis=0)), sums.sum(axis=0)
            X = self.X.astype(np.float64) if self._widen else self.X
            gram = np.asarray((X.T @ X.multiply(h[:, None]).tocsr()).todense())
            return gram, np.asarray(X.T @ h, dtype=np.float64)
        d = self.n_features
        if not np.all(h >= 0):  # no square root: Xᵀ(hX) block by block, a general product

            def general(segment: slice) -> Array:
                out = np.zeros((d + 1, d))
                for rows in self._slices(self._gram_rows, segment.stop, segment.start):
                    block = self.X[rows].astype(np.float64, copy=False)
                    out[:d] += block.T @ (block * h[rows, None])
                    out[d] += h[rows] @ block
                return out

            out = self._sum_over_segments(general, d + 1)
            return out[:d], out[d]
        # each block becomes [√h ⊙ X, √h] in one scratch array (one per segment: allocating
        # it per block costs a quarter of the products' time); its Gram matrix holds XᵀDX in
        # the top left and Xᵀh in the last column, so one symmetric product gives both
        precision = np.float32 if not exact and self.dtype == np.float32 else np.float64
        if overwrite_h and h.dtype == np.float64 and h.flags.c_contiguous:
            root = _square_root_over(h, precision)
        else:
            root = np.sqrt(h, out=np.empty(h.shape, dtype=precision), casting="same_kind")

        def symmetric(segment: slice) -> Array:
            out = np.zeros((d + 1, d + 1))
            rows_at_most = min(self._gram_rows, segment.stop - segment.start)
            scratch = np.empty((rows_at_most, d + 1), dtype=precision)
            for rows in self._slices(self._gram_rows, segment.stop, segment.start):
                block = self.X[rows]
                scaled = scratch[: block.shape[0]]
                np.multiply(block, root[rows, None], out=scaled[:, :d])
                scaled[:, d] = root[rows]
                out += scaled.T @ scaled
            return out

        out = self._sum_over_segments(symmetric, d + 1)
        return out[:d, :d].copy(), out[:d, d].copy()

    def _sum_over_segments(self, fn, width: int) -> Array:
        """Σ fn(segment) over consecutive row segments of whole blocks, the segments run in
        threads (``threads.map_in_threads``: BLAS does not split a product this narrow
        itself, so one thread per segment is what uses the cores) and added in order. Their number
        depends on the shape alone (16, or 1 below 16 blocks; at most 64 MiB of partial
        sums of ``width``² floats), so the result does not depend on the thread count."""
        blocks = max(1, -(-self.n_samples // self._gram_rows))  # one, empty, for no rows
        most = max(1, _PARTIALS_BYTES // (8 * width * width))
        # below 16 blocks (16 MiB of X) starting threads costs more than it saves: the
        # product of so few rows takes about as long as starting and joining the threads
        count = min(_SEGMENTS, most) if blocks >= _SEGMENTS else 1
        per_segment = -(-blocks // count) * self._gram_rows
        segments = list(self._slices(per_segment, self.n_samples)) or [slice(0, 0)]
        partials = map_in_threads(fn, segments)
        total = partials[0]
        for partial in partials[1:]:
            total += partial
        return total

    def column_squares(self, h: Array) -> Array:
        """Σᵢ hᵢ·xᵢⱼ² for every column j — the diagonal of Xᵀ·diag(h)·X — in one pass, in
        blocks of about 1 MiB of X (a compiled kernel for CSR), squared in float64."""
        self.passes += 1
        X, d = self.X, self.n_features
        if self.sparse and X.format == "csr":
            chunks = kernels.n_chunks(self.n_samples, d)
            partial = kernels.column_squares_csr(
                X.data, X.indices, X.indptr, d, np.ascontiguousarray(h, dtype=np.float64), chunks
            )
            return partial.sum(axis=0)
        out = np.zeros(d)
        if self._by_columns:  # CSC: columns, a few MiB of nonzeros at a time
            step = max(1, d * _BLOCK_BYTES // max(1, 12 * X.nnz))
            for part in self._slices(step, d):
                block = X[:, part].astype(np.float64)
                out[part] = block.multiply(block).T @ h
            return out
        for rows in self._slices(self._gram_rows, self.n_samples):
            block = np.square(X[rows], dtype=np.float64)
            out += block.T @ h[rows]
        return out

    @property
    def fusable(self) -> bool:
        """Whether the compiled one-pass kernels apply: C-ordered dense or CSR, and large
        enough for the compilation to pay off."""
        if self.n_samples * self.n_features < kernels.MIN_ELEMENTS:
            return False
        if self.sparse:
            return self.X.format == "csr" and self.dtype in (np.float32, np.float64)
        return bool(self.X.flags.c_contiguous)

    def cross_entropy(self, w: Array, b: float, y: Array, s: Array) -> tuple[float, Array, Array]:
        """(Σ sᵢeᵢ, [Xᵀr, Σr], z) of the binary cross-entropy in one pass (``kernels``)."""
        self.passes += 1
        z = np.empty(self.n_samples)
        chunks = kernels.n_chunks(self.n_samples, self.n_features)
        w = np.ascontiguousarray(w, dtype=np.float64)
        if self.sparse:
            X = self.X
            value, grad = kernels.cross_entropy_csr(
                X.data, X.indices, X.indptr, self.n_features, y, s, w, float(b), z, chunks
            )
        else:
            value, grad = kernels.cross_entropy_dense(self.X, y, s, w, float(b), z, chunks)
        return float(np.sum(value)), grad.sum(axis=0), z


def _square_root_over(h: Array, precision) -> NDArray:
    """√h in ``precision``, written over h's own buffer (no second n-vector). In float32
    it fills the first half of the buffer, in pieces: piece k's results land on bytes that
    earlier pieces have already read (the first piece overlaps itself, which NumPy
    buffers)."""
    if precision == np.float64:
        return np.sqrt(h, out=h)
    root = h.view(np.float32)[: h.size]
    for start in range(0, h.size, _ROOT_PIECE):
        stop = min(start + _ROOT_PIECE, h.size)
        np.sqrt(h[start:stop], out=root[start:stop], casting="same_kind")
    return root


def _dense(product) -> Array:
    return np.asarray(product.toarray() if sp.issparse(product) else product, dtype=np.float64)


def as_design(X) -> Design:
    return X if isinstance(X, Design) else Design(X)
