"""The compiled Firth kernels' view of the data (``firth_kernels``): X̃ = [X, 1] stored by
columns, rows with the same x and offset merged."""

from __future__ import annotations

import numpy as np

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
    where no two rows are alike).

    Exact: e(y, z) = softplus(z) - yz is linear in y, and π, v, q = x̃I⁻¹x̃ᵀ depend on the
    row only through x̃ and o, so ℓ, I, U* and ∇²ℓ* are sums over the merged rows with
    their summed weights. Designs of few distinct rows (dummy-coded factors, logistf's sex2:
    239 rows, 24 distinct) are then that much cheaper to evaluate.
    """
    X = np.asarray(X, dtype=np.float64)
    key = np.column_stack([X, offset]) if np.any(offset) else X
    # equal rows are adjacent once sorted by every column (np.unique(axis=0) takes 15×
    # as long: it compares rows as opaque bytes)
    order = np.lexsort(key.T[::-1])
    ordered = key[order]
    first = np.ones(X.shape[0], dtype=bool)
    first[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    if first.all():
        return (design_columns(X, fit_intercept), y, s, offset), None
    groups = np.empty(X.shape[0], dtype=np.intp)
    groups[order] = np.cumsum(first) - 1
    unique = ordered[first]
    weight = np.bincount(groups, weights=s, minlength=unique.shape[0])
    response = np.bincount(groups, weights=s * y, minlength=unique.shape[0])
    response = np.divide(response, weight, out=np.zeros_like(weight), where=weight > 0)
    merged: KernelArrays = (
        design_columns(unique[:, : X.shape[1]], fit_intercept), response, weight,
        np.ascontiguousarray(unique[:, X.shape[1]]) if key is not X
        else np.zeros(unique.shape[0]))
    return merged, groups
