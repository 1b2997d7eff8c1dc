"""The compiled Firth kernels' view of the data (``firth_kernels``): X̃ = [X, 1] stored by
columns, rows with the same x and offset merged."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["KernelArrays", "design_columns", "grouped_design"]

#: (X̃, y, s, offset): the data as every ``firth_kernels`` function takes it first.
KernelArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def design_columns(X, fit_intercept: bool) -> np.ndarray:
    """X̃ = [X, 1] (or X) as a Fortran-ordered float64 copy: the kernels' layout."""
    m = X.shape[0]
    out = np.empty((m, X.shape[1] + int(fit_intercept)), dtype=np.float64, order="F")
    out[:, : X.shape[1]] = X
    if fit_intercept:
        out[:, -1] = 1.0
    return out


def grouped_design(X, fit_intercept: bool, y, s,
                   offset) -> tuple[KernelArrays, np.ndarray | None]:
    """((X̃, y, s, o), groups): the kernels' arrays, rows with the same x and offset merged
    into one of weight Σs and response Σsy/Σs (``groups[i]`` is row i's merged row; None
    where no two rows are alike). ``offset`` None is no offset.

    Exact: e(y, z) = softplus(z) - yz is linear in y, and π, v, q = x̃I⁻¹x̃ᵀ depend on the
    row only through x̃ and o, so ℓ, I, U* and ∇²ℓ* are sums over the merged rows with
    their summed weights. Designs of few distinct rows (dummy-coded factors, logistf's sex2:
    239 rows, 24 distinct) are then that much cheaper to evaluate.
    """
    X = np.asarray(X, dtype=np.float64)
    if offset is None:
        offset = np.zeros(X.shape[0])
    # C order either way: X from a DataFrame is in F order, and numba would compile
    # _merged_rows once more for it (seconds on a cold cache)
    with_offset = bool(offset.any())
    key = np.column_stack([X, offset]) if with_offset else np.ascontiguousarray(X)
    first, groups, weight, response, order = _merged_rows(key, y, s)
    if weight.size == X.shape[0]:
        return (design_columns(X, fit_intercept), y, s, offset), None
    unique = key[order[first]]
    merged: KernelArrays = (
        design_columns(unique[:, : X.shape[1]], fit_intercept), response, weight,
        np.ascontiguousarray(unique[:, X.shape[1]]) if with_offset
        else np.zeros(unique.shape[0]))
    return merged, groups


@njit(cache=True)
def _merged_rows(key, y, s):
    """(first, groups, Σs, Σsy/Σs, order) for the rows of ``key`` sorted lexicographically
    (``order``, stable, as np.lexsort(key.T[::-1])): equal rows are then adjacent
    (np.unique(axis=0) compares rows as opaque bytes, and takes far longer). first[r]: whether
    sorted row r starts a run of equal rows; groups[i]: row i's run; the sums over each
    run's rows in their original order, as np.bincount; the response 0 where the weight
    is."""
    m, k = key.shape
    order = np.arange(m)
    for c in range(k - 1, -1, -1):  # stable sorts, the least significant column first
        order = order[np.argsort(key[order, c], kind="mergesort")]
    first = np.empty(m, dtype=np.bool_)
    groups = np.empty(m, dtype=np.intp)
    count = 0
    for r in range(m):
        new = r == 0
        if not new:
            a, b = order[r], order[r - 1]
            for c in range(k):
                if key[a, c] != key[b, c]:
                    new = True
                    break
        first[r] = new
        if new:
            count += 1
        groups[order[r]] = count - 1
    weight, response = np.zeros(count), np.zeros(count)
    for i in range(m):
        weight[groups[i]] += s[i]
        response[groups[i]] += s[i] * y[i]
    for g in range(count):
        response[g] = response[g] / weight[g] if weight[g] > 0 else 0.0
    return first, groups, weight, response, order
