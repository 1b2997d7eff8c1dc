"""The multinomial Hessian of many classes in a few matrix products, not K(K+1)/2 passes.

With x̃ᵢ = [xᵢ, 1] (r entries), class probabilities pᵢ (K,) and weights s̃ᵢ, the Hessian of
the softmax cross-entropy in θ's layout (class k's r entries together) is

    H = Σᵢ s̃ᵢ (diag(pᵢ) - pᵢpᵢᵀ) ⊗ x̃ᵢx̃ᵢᵀ

Block by block that is K(K+1)/2 passes over X, each a Python call: for 1,000 classes on
3,000 × 4 rows, half a million calls and 146 s, for a 5,000 × 5,000 matrix. Here it is one
of two routes, each a few BLAS products over row chunks:

- pairs (``pair_products``, where there are no more classes than columns, K ≤ r: digits'
  10 classes on 65 columns): both symmetries at once. With cᵢ,ₖₗ = s̃ᵢ pᵢₖ(δₖₗ - pᵢₗ) for
  the K(K+1)/2 class pairs k ≤ l and mᵢ,ₐᵦ = x̃ᵢₐx̃ᵢᵦ for the r(r+1)/2 column pairs a ≤ b,

      H₍ₖₐ₎₍ₗᵦ₎ = Σᵢ cᵢ,ₖₗ mᵢ,ₐᵦ = (CᵀM)ₖₗ,ₐᵦ,

  one product of n·K(K+1)/2·r(r+1)/2 multiply-adds: a quarter of the dense (n × K·r)ᵀ(n × K·r)
  product and half of its symmetric (syrk) half. The diagonal coefficient is s̃ᵢpᵢₖ(1 - pᵢₖ),
  not pᵢₖ - pᵢₖ², which would cancel where pᵢₖ is near 1.
- stacked (many classes on few columns, K > r: there C would hold K²/2 numbers a row):
  the off-diagonal blocks are -UᵀU, U = [√s̃ᵢ pᵢₖ x̃ᵢ]ₖ (n × K·r), and the diagonal blocks
  are formed apart as X̃ᵀ diag(s̃ ⊙ pₖ(1 - pₖ)) X̃, one K-vector product per column pair.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

__all__ = ["dense_operands", "pair_products", "softmax_hessian"]

# At most 16 MiB of U, or of C and M, at a time: a chunk of M then stays in the last-level
# cache (32 MiB here) between its forming and the product that reads it. 100,000 × 51
# rows, 10 classes: 0.62–0.67 s at 1,024–2,048 rows a chunk against 0.81–0.88 s at 64 MiB
# (6,075 rows), best of 5 each, alternating.
_CHUNK_BYTES = 1 << 24
# X̃'s column-pair products are kept for the fit's next Hessians up to this many entries
# (64 MiB; digits' 1,797 × 2,145: 31 MiB), else formed again chunk by chunk each time.
_KEPT_PRODUCT_ENTRIES = 1 << 23


def dense_operands(X, fit_intercept: bool, n_classes: int) -> tuple[Array, Array | None]:
    """(X̃ = [X, 1] as dense float64 (X alone without an intercept), its ``pair_products``
    where the classes take the pairs route (K ≤ r) and they hold at most
    ``_KEPT_PRODUCT_ENTRIES``, else None): what ``softmax_hessian`` reads, for a caller to
    keep across a fit's Hessians."""
    import scipy.sparse as sp

    dense = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)
    if fit_intercept:
        dense = np.hstack([dense, np.ones((dense.shape[0], 1))])
    n, r = dense.shape
    small = n * r * (r + 1) // 2 <= _KEPT_PRODUCT_ENTRIES
    return dense, (pair_products(dense) if small and n_classes <= r else None)


def pair_products(augmented: Array) -> Array:
    """M (n, r(r+1)/2): mᵢ,ₐᵦ = x̃ᵢₐ·x̃ᵢᵦ for the column pairs a ≤ b in ``np.triu_indices``
    order (a = 0's pairs first)."""
    n, r = augmented.shape
    products = np.empty((n, r * (r + 1) // 2))
    start = 0
    for a in range(r):  # r calls: the products of column a with columns a..r-1
        np.multiply(augmented[:, a:], augmented[:, a, None], out=products[:, start:start + r - a])
        start += r - a
    return products


def softmax_hessian(augmented: Array, P: Array, weights: Array, curvature: Array | None,
                    products: Array | None = None) -> Array:
    """H (K·r, K·r) from X̃ (n, r) dense float64 (the intercept's column of ones last, if
    any), P (n, K) the probabilities, weights (n,) s̃, curvature (d, K) the penalty's
    diagonal on the d feature entries of each class (None: none); ``products``: X̃'s
    ``pair_products`` where the caller keeps them (else formed chunk by chunk)."""
    r, K = augmented.shape[1], P.shape[1]
    if K <= r:
        H = _by_pairs(augmented, P, weights, products)
    else:
        H = _stacked(augmented, P, weights)
    if curvature is not None:
        blocks = H.reshape(K, r, K, r)  # a view: in place
        features = np.arange(curvature.shape[0])
        for k in range(K):
            blocks[k, features, k, features] += curvature[:, k]
    return H


def _by_pairs(augmented: Array, P: Array, weights: Array, products: Array | None) -> Array:
    """H = CᵀM scattered into its blocks (module docstring, pairs)."""
    n, r = augmented.shape
    K = P.shape[1]
    first, second = np.triu_indices(K)
    class_pairs = first.size
    same = (first == second).astype(np.float64)  # δₖₗ
    columns = r * (r + 1) // 2
    rows = n if products is not None else max(1, _CHUNK_BYTES // (8 * (class_pairs + columns)))
    G = np.zeros((class_pairs, columns))
    for start in range(0, n, rows):
        part = slice(start, min(start + rows, n))
        C = P[part, first] * (same - P[part, second])  # pₖ(1 - pₖ) where k = l
        C *= weights[part, None]
        M = products[part] if products is not None else pair_products(augmented[part])
        G += C.T @ M
    a, b = np.triu_indices(r)
    square = np.empty((class_pairs, r, r))
    square[:, a, b] = G
    square[:, b, a] = G
    H = np.empty((K * r, K * r))
    blocks = H.reshape(K, r, K, r)
    blocks[first, :, second, :] = square
    blocks[second, :, first, :] = square  # each block is symmetric: its transpose is itself
    return H


def _stacked(augmented: Array, P: Array, weights: Array) -> Array:
    """H from -UᵀU and the diagonal blocks apart (module docstring, stacked)."""
    n, r = augmented.shape
    K = P.shape[1]
    H = np.zeros((K * r, K * r))
    rows = max(1, _CHUNK_BYTES // (8 * K * r))
    root = np.sqrt(weights)
    for start in range(0, n, rows):
        part = slice(start, min(start + rows, n))
        U = ((root[part, None] * P[part])[:, :, None] * augmented[part, None, :]).reshape(-1, K * r)
        H -= U.T @ U
    own = weights[:, None] * P * (1.0 - P)  # (n, K): s̃ᵢ pᵢₖ(1 - pᵢₖ)
    diagonal = np.empty((K, r, r))
    for a in range(r):  # K > r: one K-vector product per pair of columns
        for b in range(a, r):
            diagonal[:, a, b] = diagonal[:, b, a] = own.T @ (augmented[:, a] * augmented[:, b])
    for k in range(K):
        H[k * r : (k + 1) * r, k * r : (k + 1) * r] = diagonal[k]
    return H
