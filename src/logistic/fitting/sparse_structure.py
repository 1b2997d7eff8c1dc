"""The structure of a sparse X, checked once before any compiled kernel reads it.

A CSR matrix is three arrays that must agree: ``indptr`` (rows + 1 offsets, starting at
0, non-decreasing, ending within ``indices``) and ``indices`` (each a column in
0 … n_features - 1). scipy checks this when the matrix is built, not after its arrays are
edited in place; a compiled kernel (ours, or scipy's own C++) then reads or writes out of
bounds: a malloc abort, a segfault, or — for index -1 — silently wrong numbers. One pass
over ``indices`` (its min and max) and one over ``indptr`` cost O(nnz + n) and far less
than one pass of a fit; dense X skips this entirely.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from logistic.exceptions import DataError

__all__ = ["check_sparse_structure"]


def _corrupt(message: str) -> DataError:
    return DataError(f"X is a corrupt sparse matrix: {message} (rebuild it with scipy.sparse, "
                     "or call its check_format() to see where)")


def _check_compressed(X: Any) -> None:
    """CSR (rows over columns) or CSC (columns over rows)."""
    major, minor = X.shape if X.format == "csr" else X.shape[::-1]
    outer, inner = ("row", "column") if X.format == "csr" else ("column", "row")
    indptr, indices = np.asarray(X.indptr), np.asarray(X.indices)
    if indptr.ndim != 1 or indptr.shape[0] != major + 1:
        raise _corrupt(f"indptr has {indptr.size} offsets for {major} {outer}s "
                       f"(expected {major + 1})")
    stored = min(indices.shape[0], np.asarray(X.data).shape[0])
    if indptr[0] != 0 or not 0 <= indptr[-1] <= stored:
        raise _corrupt(f"indptr runs from {indptr[0]} to {indptr[-1]}; it must run from 0 to "
                       f"at most the {stored} stored entries")
    if major and np.any(indptr[1:] < indptr[:-1]):
        first = int(np.flatnonzero(indptr[1:] < indptr[:-1])[0])
        raise _corrupt(f"indptr decreases at {outer} {first}")
    used = indices[: int(indptr[-1])]
    if used.size:
        low, high = int(used.min()), int(used.max())
        if low < 0 or high >= minor:
            bad = low if low < 0 else high
            raise _corrupt(f"a {inner} index is {bad}, outside 0 … {minor - 1} "
                           f"(X has {minor} {inner}s)")


def check_sparse_structure(X: Any) -> None:
    """A ``DataError`` unless a CSR/CSC X has consistent ``indptr`` and in-range indices
    (COO: row and column indices in range); anything else passes unchanged."""
    if not sp.issparse(X):
        return
    if X.format in ("csr", "csc"):
        _check_compressed(X)
    elif X.format == "coo":
        for name, index, size in (("row", X.row, X.shape[0]), ("column", X.col, X.shape[1])):
            index = np.asarray(index)
            if index.size and (int(index.min()) < 0 or int(index.max()) >= size):
                raise _corrupt(f"a {name} index lies outside 0 … {size - 1}")
