"""The Hessian of the K-class softmax cross-entropy on dense X, all its blocks in one pass.

With x̃ᵢ = [xᵢ, 1] (r = d + 1 entries; r = d without an intercept), ŷᵢ = softmax(zᵢ) and the
normalised weights s̃ᵢ, the data part of the Hessian in θ's layout (class k's row of r
entries after class k - 1's) is

    H = Σᵢ s̃ᵢ·(diag(ŷᵢ) - ŷᵢŷᵢᵀ) ⊗ x̃ᵢx̃ᵢᵀ
      = blockdiagₖ(X̃ᵀ diag(s̃ ⊙ ŷₖ) X̃) - MᵀM,   M = the n × K·r rows √s̃ᵢ·(ŷᵢ ⊗ x̃ᵢ).

Block (k, l) is X̃ᵀ diag(s̃ ⊙ ŷₖ(δₖₗ - ŷₗ)) X̃, as ``Objective.hessian`` writes it; formed this
way the K(K+1)/2 blocks come from K Gram matrices of X̃ and one symmetric rank-k update
MᵀM, taken over row chunks of a few MiB: the same multiply-adds as block by block, but in a
handful of large BLAS calls instead of K(K+1)/2 of them (55 for 10 classes), each with its
own temporaries.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

__all__ = ["softmax_hessian"]

_CHUNK_BYTES = 4 * 2**20  # M's rows per chunk: about 4 MiB


def softmax_hessian(X: Array, P: Array, weights: Array, fit_intercept: bool) -> Array:
    """H = Σᵢ s̃ᵢ(diag(ŷᵢ) - ŷᵢŷᵢᵀ) ⊗ x̃ᵢx̃ᵢᵀ, (K·r, K·r), for dense float64 X (n, d),
    probabilities P (n, K) and weights s̃ (n,) (module docstring); no penalty term."""
    n, d = X.shape
    K = P.shape[1]
    r = d + int(fit_intercept)
    step = max(1, _CHUNK_BYTES // (8 * K * r))
    grams = np.zeros((K, r, r))
    rank = np.zeros((K * r, K * r))
    augmented = np.empty((min(step, n), r))
    for start in range(0, n, step):
        stop = min(start + step, n)
        A = augmented[: stop - start]
        A[:, :d] = X[start:stop]
        if fit_intercept:
            A[:, d] = 1.0
        weighted = P[start:stop] * weights[start:stop, None]  # s̃ᵢŷᵢₖ
        for k in range(K):
            grams[k] += A.T @ (A * weighted[:, k, None])
        scaled = P[start:stop] * np.sqrt(weights[start:stop])[:, None]
        M = (scaled[:, :, None] * A[:, None, :]).reshape(stop - start, K * r)
        rank += M.T @ M  # NumPy hands a matrix times its own transpose to BLAS's syrk
    hessian = -rank
    blocks = hessian.reshape(K, r, K, r)
    for k in range(K):
        blocks[k, :, k, :] += grams[k]
    return hessian
