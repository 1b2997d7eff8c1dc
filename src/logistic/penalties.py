"""Penalties on the coefficients w (never on the intercept b).

The objective adds one of these to the mean loss. Each gives its value, gradient and the
diagonal of its Hessian, beside each other; w is a vector, or a (d, K) matrix with a column
per class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

__all__ = ["NoPenalty", "L2Penalty"]


@dataclass(frozen=True)
class NoPenalty:
    """The seeds' unpenalized J(w)."""

    def value(self, w: Array) -> float:
        return 0.0

    def gradient(self, w: Array) -> Array:
        return np.zeros_like(w)

    def hessian_diagonal(self, w: Array) -> Array:
        """∂²P/∂w², which is diagonal, shaped like w."""
        return np.zeros_like(w)


@dataclass(frozen=True)
class L2Penalty:
    """P(w) = (α/2)·‖w‖².

    With α = 1 / (C·Σsᵢ) the objective mean loss + P(w) has the same minimizer as
    scikit-learn's C·Σ sᵢ·eᵢ + ½‖w‖².
    """

    alpha: float

    def value(self, w: Array) -> float:
        return 0.5 * self.alpha * float(np.vdot(w, w))

    def gradient(self, w: Array) -> Array:
        """∂P/∂w = α·w."""
        return self.alpha * w

    def hessian_diagonal(self, w: Array) -> Array:
        """∂²P/∂w² = α·I, as its diagonal shaped like w."""
        return np.full_like(w, self.alpha)
