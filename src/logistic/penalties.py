"""Penalties on the coefficient vector w (never on the intercept b).

The objective adds one of these to the mean loss. Each gives its value, gradient and its
contribution to the Hessian, beside each other.
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

    def add_hessian(self, hessian_ww: Array) -> None:
        """Adds ∂²P/∂w² to the (d, d) block in place."""

    def hessp(self, v: Array) -> Array:
        return np.zeros_like(v)


@dataclass(frozen=True)
class L2Penalty:
    """P(w) = (α/2)·‖w‖².

    With α = 1 / (C·Σsᵢ) the objective mean loss + P(w) has the same minimizer as
    scikit-learn's C·Σ sᵢ·eᵢ + ½‖w‖².
    """

    alpha: float

    def value(self, w: Array) -> float:
        return 0.5 * self.alpha * float(w @ w)

    def gradient(self, w: Array) -> Array:
        """∂P/∂w = α·w."""
        return self.alpha * w

    def add_hessian(self, hessian_ww: Array) -> None:
        """∂²P/∂w² = α·I, added to the diagonal in place."""
        hessian_ww[np.diag_indices_from(hessian_ww)] += self.alpha

    def hessp(self, v: Array) -> Array:
        return self.alpha * v
