"""Penalties on the coefficients w (never on the intercept b).

The objective adds one of these to the mean loss. Each gives its value, gradient and the
diagonal of its Hessian, beside each other; w is a vector, or a (d, K) matrix with a column
per class.

The elastic net is not differentiable where a coefficient is 0, so it is split in two: its
smooth L2 part joins the objective like any penalty, and its L1 strength λ₁ goes to the
proximal Newton solver (``solvers/newton_cd.py``), which handles |w| exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

__all__ = ["NoPenalty", "L2Penalty", "ElasticNetPenalty", "Penalty", "kkt_residual"]


class Penalty(Protocol):
    """What the objective asks of a smooth penalty P(w): its value, gradient and the
    diagonal of its Hessian (P's Hessian is diagonal), each shaped like w."""

    def value(self, w: Array) -> float: ...

    def gradient(self, w: Array) -> Array: ...

    def hessian_diagonal(self, w: Array) -> Array: ...


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


@dataclass(frozen=True)
class ElasticNetPenalty:
    """P(w) = α·(ρ‖w‖₁ + ½(1 - ρ)‖w‖²), ρ = l1_ratio (ρ = 1 is the lasso's L1 penalty).

    With α = 1 / (C·Σsᵢ) the objective mean loss + P(w) has the same minimizer as
    scikit-learn's C·Σ sᵢ·eᵢ + ρ‖w‖₁ + ½(1 - ρ)‖w‖². Split as P = λ₁‖w‖₁ + (λ₂/2)‖w‖²:
    ``smooth`` is the L2 part for the objective and ``l1`` = λ₁ = α·ρ the solver's.
    """

    alpha: float
    l1_ratio: float

    @property
    def l1(self) -> float:
        """λ₁ = α·ρ."""
        return self.alpha * self.l1_ratio

    @property
    def smooth(self) -> L2Penalty | NoPenalty:
        """The differentiable part (λ₂/2)‖w‖², λ₂ = α·(1 - ρ)."""
        l2 = self.alpha * (1.0 - self.l1_ratio)
        return L2Penalty(l2) if l2 > 0 else NoPenalty()


def kkt_residual(theta: Array, gradient: Array, l1: Array) -> Array:
    """The smallest element of the subdifferential of f(θ) + Σⱼ λⱼ|θⱼ| (f smooth, ∇f given).

        rⱼ = ∇ⱼf + λⱼ·sign(θⱼ)                  where θⱼ ≠ 0
        rⱼ = sign(∇ⱼf)·max(|∇ⱼf| - λⱼ, 0)        where θⱼ = 0

    θ is optimal exactly when r = 0 (the KKT conditions of the L1 problem); ‖r‖∞ is what the
    solver drives below tol, as ‖∇J‖∞ for a smooth J. λⱼ = 0 (intercepts) gives rⱼ = ∇ⱼf.
    """
    shrunk = np.sign(gradient) * np.maximum(np.abs(gradient) - l1, 0.0)
    return np.where(theta != 0, gradient + l1 * np.sign(theta), shrunk)
