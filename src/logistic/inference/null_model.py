"""The null model of a fit with an offset: the intercept alone, the offset kept.

R's glm reports the null deviance of ``y ~ 1 + offset(o)``; with an offset there is no
closed form (without one ŷ₀ = ȳ), so the intercept is found by Newton's method in one
variable on the weighted log-likelihood, with s̃ the normalised weights::

    ℓ₀(b) = (Σsᵢ) Σᵢ s̃ᵢ [yᵢ(b + oᵢ) - log(1 + e^(b + oᵢ))]
    ∂ℓ₀/∂b = (Σsᵢ) Σᵢ s̃ᵢ (yᵢ - σ(b + oᵢ)),   ∂²ℓ₀/∂b² = -(Σsᵢ) Σᵢ s̃ᵢ σ(1 - σ)

Without an intercept the null model is z = o itself.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from logistic.core.losses import cross_entropy_value
from logistic.core.sigmoid import sigmoid

__all__ = ["offset_null_log_likelihood"]

Array = NDArray[np.float64]


def offset_null_log_likelihood(
    y: Array, weights: Array, total: float, offset: Array, fit_intercept: bool
) -> float:
    """ℓ₀ of z = b + o (b maximizing it) or of z = o without an intercept; y (n,) in
    [0, 1], ``weights`` normalised to sum to 1, ``total`` their sum before that."""
    b = 0.0
    if fit_intercept:
        mean = float(np.clip(weights @ y, 1e-12, 1 - 1e-12))
        b = float(np.log(mean / (1 - mean)) - weights @ offset)
        for _ in range(100):
            p = sigmoid(b + offset)
            step = float(weights @ (y - p)) / max(float(weights @ (p * (1 - p))), 1e-300)
            b += step
            if abs(step) <= 1e-13 * max(1.0, abs(b)):
                break
    return float(-total * (weights @ cross_entropy_value(y, b + offset)))
