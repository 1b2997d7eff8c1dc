"""Compiled kernels: the objective's chain rule fused into one pass over X.

The generic path (``objective.py``) reads X twice per evaluation — z = Xw, then Xᵀg — and
runs a dozen NumPy passes over n-vectors in between. For the binary cross-entropy these
kernels do all of it row by row while the row is in cache:

    zᵢ = xᵢ·w + b
    eᵢ = (max(zᵢ, 0) - yᵢzᵢ) + log1p(tᵢ),   tᵢ = e^-|zᵢ|          (losses.cross_entropy_value)
    rᵢ = sᵢ·∂e/∂zᵢ = -sᵢ(yᵢσ(-zᵢ) - (1 - yᵢ)σ(zᵢ))               (losses.cross_entropy_gradient)
    J += sᵢeᵢ,   ∂J/∂w += rᵢxᵢ,   ∂J/∂b += rᵢ

so X is read once: the memory-bandwidth floor of an L-BFGS step is halved. The formulas are
the same as the generic path's, term for term; the tests hold the two to 1e-13.

Rows are split into a fixed number of chunks that depend on n alone (not on the number of
threads), each chunk accumulating its own partial sums, so results are bit-identical on any
machine. ``fastmath`` allows only reassociation and fused multiply-add (for SIMD dot
products): no approximate exp/log and no assumptions about NaN or infinity.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["MIN_ELEMENTS", "cross_entropy_csr", "cross_entropy_dense"]

# Below this many entries of X the NumPy path is as fast and needs no compilation.
MIN_ELEMENTS = 200_000
_ROWS_PER_CHUNK = 4096
_FAST = {"reassoc", "contract"}


_PARTIALS_BYTES = 1 << 26  # at most 64 MiB of per-chunk gradient accumulators


def _chunks_within(n_rows: int, chunk_bytes: int, budget: int) -> int:
    """Chunks of about 4096 rows, fewer where their accumulators (``chunk_bytes`` each)
    would pass ``budget`` bytes; at least one. A function of the shape alone, so that the
    sums (added chunk by chunk, in order) do not depend on the thread count."""
    most = max(1, budget // max(1, chunk_bytes))
    return int(max(1, min(-(-n_rows // _ROWS_PER_CHUNK), most)))


def n_chunks(n_rows: int, n_features: int) -> int:
    """The chunks of the fused passes: at most 64 MiB of partial gradients."""
    return _chunks_within(n_rows, 8 * (n_features + 1), _PARTIALS_BYTES)


@njit(inline="always")
def _pointwise(z: float, y: float):
    """(e, ∂e/∂z) of the binary cross-entropy at one sample, from t = e^-|z|."""
    t = np.exp(-abs(z))
    one_minus_y = 1.0 - y
    if z >= 0.0:
        linear = z - y * z
        numerator = y * t - one_minus_y
    else:
        linear = -y * z
        numerator = y - one_minus_y * t
    return linear + np.log1p(t), -numerator / (1.0 + t)


@njit(parallel=True, fastmath=_FAST, cache=True)
def cross_entropy_dense(X, y, s, w, b, z_out, chunks):
    """Per-chunk (Σ sᵢeᵢ, [Σ rᵢxᵢ, Σ rᵢ]) for C-ordered X (float32 or float64); writes z
    into z_out. The caller adds the chunks up (outside numba, which would split that sum by
    thread and make the result depend on the thread count)."""
    n, d = X.shape
    step = (n + chunks - 1) // chunks
    partial_value = np.zeros(chunks)
    partial_grad = np.zeros((chunks, d + 1))
    for c in prange(chunks):
        grad = partial_grad[c]
        value = 0.0
        for i in range(c * step, min((c + 1) * step, n)):
            z = b
            for j in range(d):
                z += X[i, j] * w[j]
            z_out[i] = z
            e, de = _pointwise(z, y[i])
            value += s[i] * e
            r = s[i] * de
            for j in range(d):
                grad[j] += r * X[i, j]
            grad[d] += r
        partial_value[c] = value
    return partial_value, partial_grad


@njit(inline="always")
def _sparse_dot(data, indices, w, start, end):
    """Σₖ dataₖ·w[indicesₖ] over k in [start, end), in four interleaved sums: a single sum
    waits on each addition, while the gathers of the next entries could already run."""
    s0 = s1 = s2 = s3 = 0.0
    k = start
    while k + 4 <= end:
        s0 += data[k] * w[indices[k]]
        s1 += data[k + 1] * w[indices[k + 1]]
        s2 += data[k + 2] * w[indices[k + 2]]
        s3 += data[k + 3] * w[indices[k + 3]]
        k += 4
    while k < end:
        s0 += data[k] * w[indices[k]]
        k += 1
    return (s0 + s1) + (s2 + s3)


# No reassociation here: it lets LLVM turn the row's dot product into vector gathers of
# scattered indices, which are slower than the scalar loads of the four interleaved sums
# (the timings are in benchmarks/README.md).
@njit(parallel=True, fastmath={"contract"}, cache=True)
def cross_entropy_csr(data, indices, indptr, n_features, y, s, w, b, z_out, chunks):
    """The same for a CSR matrix given by its three arrays."""
    n = indptr.size - 1
    step = (n + chunks - 1) // chunks
    partial_value = np.zeros(chunks)
    partial_grad = np.zeros((chunks, n_features + 1))
    for c in prange(chunks):
        grad = partial_grad[c]
        value = 0.0
        for i in range(c * step, min((c + 1) * step, n)):
            z = b + _sparse_dot(data, indices, w, indptr[i], indptr[i + 1])
            z_out[i] = z
            e, de = _pointwise(z, y[i])
            value += s[i] * e
            r = s[i] * de
            for k in range(indptr[i], indptr[i + 1]):
                grad[indices[k]] += r * data[k]
            grad[n_features] += r
        partial_value[c] = value
    return partial_value, partial_grad


# Up to this many features the sparse Hessian is accumulated densely, per chunk.
GRAM_CSR_MAX_FEATURES = 1024
_GRAM_CHUNKS = 16
#: At most this many bytes of per-chunk d × d accumulators. Each product lands at a
#: scattered (a, b) of its chunk's matrix: once the matrices outgrow the caches, every
#: chunk's first touches are misses, and zeroing and summing them cost more than the
#: products (reuters_lasvm's 400-column working set: 26 ms with 16 chunks, 13.5 with one).
_GRAM_PARTIALS_BYTES = 1 << 22


def gram_chunks(n_rows: int, n_features: int) -> int:
    """The chunks of ``gram_csr``: at most 16, and at most 4 MiB of d × d accumulators."""
    return min(_GRAM_CHUNKS, _chunks_within(n_rows, 8 * n_features**2, _GRAM_PARTIALS_BYTES))


@njit(parallel=True, fastmath=_FAST, cache=True)
def gram_csr(data, indices, indptr, n_features, h, chunks):
    """Per-chunk halves of Xᵀ·diag(h)·X, and Xᵀh, of a CSR matrix from each row's nonzeros:
    hᵢ·xᵢₐ·xᵢ_b added once per pair a ≤ b of the row, at (a, b) — about Σᵢ nnzᵢ²/2
    products, no copy of X. With U the sum over chunks, the Gram matrix is
    U + Uᵀ - diag(U) (``symmetric_from_half``), whatever the order of a row's indices."""
    n = indptr.size - 1
    step = (n + chunks - 1) // chunks
    partial = np.zeros((chunks, n_features, n_features))
    sums = np.zeros((chunks, n_features))
    for c in prange(chunks):
        out = partial[c]
        total = sums[c]
        for i in range(c * step, min((c + 1) * step, n)):
            weight = h[i]
            for a in range(indptr[i], indptr[i + 1]):
                scaled = weight * data[a]
                column = indices[a]
                total[column] += scaled
                out[column, column] += scaled * data[a]
                for b in range(a + 1, indptr[i + 1]):
                    out[column, indices[b]] += scaled * data[b]
    return partial, sums


@njit(parallel=True, fastmath={"contract"}, cache=True)
def column_squares_csr(data, indices, indptr, n_features, h, chunks):
    """Per-chunk Σᵢ hᵢ·xᵢⱼ² of a CSR matrix (the diagonal of Xᵀ·diag(h)·X), scattered row
    by row like the gradient of ``cross_entropy_csr``."""
    n = indptr.size - 1
    step = (n + chunks - 1) // chunks
    partial = np.zeros((chunks, n_features))
    for c in prange(chunks):
        out = partial[c]
        for i in range(c * step, min((c + 1) * step, n)):
            weight = h[i]
            for k in range(indptr[i], indptr[i + 1]):
                out[indices[k]] += weight * data[k] * data[k]
    return partial


_EXTREMES_CHUNKS = 16


@njit(parallel=True, cache=True)
def _sparse_extremes(data, indices, indptr, by_row, groups, n_groups, n_columns):
    """Per chunk, (low, high, count) of the explicit entries of each (group, column), side
    by side in the last axis (one cache line per update, not three) and updated without
    branches: whether an entry is a new low or high is data-dependent, so a branch would
    be mispredicted every few entries."""
    n_major = indptr.size - 1
    chunks = min(_EXTREMES_CHUNKS, max(1, n_major))
    step = (n_major + chunks - 1) // chunks
    out = np.empty((chunks, n_groups, n_columns, 3))
    for c in prange(chunks):
        extremes = out[c]
        for g in range(n_groups):
            for j in range(n_columns):
                extremes[g, j, 0], extremes[g, j, 1], extremes[g, j, 2] = np.inf, -np.inf, 0.0
        for major in range(c * step, min((c + 1) * step, n_major)):
            g = groups[major] if by_row else 0
            for k in range(indptr[major], indptr[major + 1]):
                column = np.int64(indices[k]) if by_row else major
                if not by_row:
                    g = groups[indices[k]]
                value = data[k]  # finite (checked before any fit): min/max need no NaN rule
                extremes[g, column, 0] = min(extremes[g, column, 0], value)
                extremes[g, column, 1] = max(extremes[g, column, 1], value)
                extremes[g, column, 2] += 1.0  # exact: counts stay far below 2⁵³
    return out


@njit(parallel=True, cache=True)
def _dense_extremes(X, groups, n_groups):
    """Per-chunk (low, high) of each (group, column) of C-ordered X, in one pass (NumPy's
    column reductions over C-ordered rows would read X once per group and statistic)."""
    n, d = X.shape
    chunks = min(_EXTREMES_CHUNKS, max(1, n))
    step = (n + chunks - 1) // chunks
    low = np.full((chunks, n_groups, d), np.inf)
    high = np.full((chunks, n_groups, d), -np.inf)
    for c in prange(chunks):
        for i in range(c * step, min((c + 1) * step, n)):
            g = groups[i]
            for j in range(d):
                value = X[i, j]
                if value < low[c, g, j]:
                    low[c, g, j] = value
                if value > high[c, g, j]:
                    high[c, g, j] = value
    return low, high


def _group_codes(groups, n: int, n_groups: int):
    """The group of each row as int8 (int64 beyond 127 groups): a boolean mask is viewed,
    not copied, so a screen over two classes adds one byte per row, not eight."""
    if groups is None:
        return np.zeros(n, dtype=np.int8)
    groups = np.asarray(groups)
    if groups.dtype == np.bool_:
        return groups.view(np.int8)
    return groups.astype(np.int8 if n_groups <= 127 else np.int64, copy=False)


def dense_column_extremes(X, groups=None, n_groups: int = 1):
    """(low, high), each (n_groups, d): the smallest and largest value of each column of
    C-ordered X over the rows of each group (``groups[i]`` in 0 … n_groups-1; None: one
    group), in one compiled pass. A group without rows has low = +inf and high = -inf."""
    low, high = _dense_extremes(X, _group_codes(groups, X.shape[0], n_groups), n_groups)
    return low.min(axis=0), high.max(axis=0)


def sparse_column_extremes(X, groups=None, n_groups: int = 1):
    """(low, high), each (n_groups, d): the smallest and largest value of each column over
    the rows of each group (``groups[i]`` in 0 … n_groups-1; None: one group), the implicit
    zeros included — scipy's ``min(axis=0)``/``max(axis=0)`` per group, in one pass over
    the nonzeros of CSR or CSC data (scipy converts CSR to CSC for each call). A group
    without rows has low = +inf and high = -inf."""
    import scipy.sparse as sp

    if X.format not in ("csr", "csc"):
        X = sp.csr_matrix(X)
    n, d = X.shape
    groups = _group_codes(groups, n, n_groups)
    out = _sparse_extremes(X.data, X.indices, X.indptr, X.format == "csr", groups, n_groups, d)
    low, high, count = out[..., 0].min(axis=0), out[..., 1].max(axis=0), out[..., 2].sum(axis=0)
    rows = np.bincount(groups, minlength=n_groups)[:, None]
    implicit = count < rows  # some rows of the group hold an implicit zero in the column
    low = np.where(implicit, np.minimum(low, 0.0), low)
    return low, np.where(implicit, np.maximum(high, 0.0), high)


def column_extremes(X, groups=None, n_groups: int = 1):
    """(low, high), each (n_groups, d): each column's smallest and largest value over the
    rows of each group, for any X — one compiled pass for sparse and for large C-ordered
    data, NumPy over 4 MiB row blocks otherwise (no copy of a group's rows either way)."""
    import scipy.sparse as sp

    if sp.issparse(X):
        return sparse_column_extremes(X, groups, n_groups)
    if X.flags.c_contiguous and X.size >= MIN_ELEMENTS:
        return dense_column_extremes(X, groups, n_groups)
    codes = _group_codes(groups, X.shape[0], n_groups)
    d = X.shape[1]
    low = np.full((n_groups, d), np.inf)
    high = np.full((n_groups, d), -np.inf)
    step = max(1, (1 << 22) // max(1, 8 * d))
    for start in range(0, X.shape[0], step):
        block, labels = X[start : start + step], codes[start : start + step]
        for g in range(n_groups):
            rows = labels == g
            if rows.any():
                part = block if rows.all() else block[rows]  # one group: no copy
                low[g] = np.minimum(low[g], part.min(axis=0))
                high[g] = np.maximum(high[g], part.max(axis=0))
    return low, high


def symmetric_from_half(half):
    """U + Uᵀ - diag(U): the symmetric matrix whose pairs U holds once, on either side."""
    full = half + half.T
    full[np.diag_indices_from(full)] = np.diag(half)
    return full
