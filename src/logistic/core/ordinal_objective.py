"""The proportional odds model's objective: the chain rule from (η, θ) to φ = [β, α], once.

    J(φ) = -(1/Σsᵢ) Σᵢ sᵢ log P(Y = yᵢ | xᵢ) + ‖β‖² / (2·C·Σsᵢ)     (the L2 term optional)

with η = Xβ, θ = θ(α) (``ordinal.thresholds_from_increments``) and the per-row terms of
``ordinal.row_terms``. φ is laid out as statsmodels' OrderedModel lays out its params: the
d coefficients, then α₁ = θ₁ and αₖ = log(θₖ - θₖ₋₁).

    ∇_β J = Xᵀ(s̃ ⊙ ∂L/∂η)                 ∇_θ J = per-threshold sums of s̃ ⊙ ∂L/∂θ
    ∇²_ββ J = Xᵀ diag(s̃ ⊙ ∂²L/∂η²) X       ∇²_βθ J = Xᵀ(s̃ ⊙ ∂²L/∂η∂θ)   (an (n, K-1) matrix)
    ∇_α J = Aᵀ∇_θ J,  ∇²_αα J = Aᵀ∇²_θθ J A + diag(exp(αⱼ)·Σ_{k≥j} ∂J/∂θₖ)  (j ≥ 2),
    A = ∂θ/∂α (``ordinal.threshold_jacobian``), s̃ = s/Σs.

It has what ``solvers/newton.py`` calls (``solvers/protocol.NewtonObjective``). The steps'
Hessian (``exact=False``) leaves out the last, diagonal term: it is a multiple of ∇_θ J,
which vanishes at the optimum (so the steps still converge quadratically), and without it
the Hessian is positive semi-definite everywhere, as the log-likelihood is concave in
(β, θ). The per-row terms come from one compiled pass (``ordinal_kernels``); X is read by
BLAS for η = Xβ, Xᵀr and the Hessian's XᵀDX and Xᵀ·cross.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from logistic.core.design import Design
from logistic.core.ordinal import (
    RowTerms,
    row_terms,
    threshold_jacobian,
    thresholds_from_increments,
)
from logistic.core.ordinal_kernels import ordinal_pass

Array = NDArray[np.float64]

__all__ = ["OrdinalObjective"]


class OrdinalObjective:
    """J(φ) of the cumulative logit model on (X, y) with weights s; y holds class indices
    0..K-1 in their order. ``l2`` is 1/C (0: no penalty)."""

    def __init__(
        self, design: Design, y_index: NDArray[np.intp], n_classes: int,
        sample_weight: Array, l2: float = 0.0,
    ) -> None:
        self.design = design
        self.y_index = np.asarray(y_index, dtype=np.intp)
        self.n_classes = int(n_classes)
        self.total_weight = float(np.sum(sample_weight))
        self.weights = np.asarray(sample_weight, dtype=np.float64) / self.total_weight
        self.l2 = float(l2)
        self.n_features = design.n_features

    # -- sizes (the Newton protocol) ---------------------------------------------------------
    @property
    def n_samples(self) -> int:
        return int(self.y_index.size)

    @property
    def n_params(self) -> int:
        return self.n_features + self.n_classes - 1

    # -- the pass ----------------------------------------------------------------------------
    def split(self, phi: Array) -> tuple[Array, Array]:
        """(β, α) from φ."""
        return phi[: self.n_features], phi[self.n_features:]

    def bounds(self, phi: Array) -> tuple[Array, Array, Array]:
        """(u, l, l - u) per row: θ_{yᵢ} - ηᵢ, θ_{yᵢ-1} - ηᵢ, ±∞ at the ends, and their
        difference from the cut-points alone."""
        beta, alpha = self.split(phi)
        eta = self.design.matvec(beta)
        extended = np.concatenate([[-np.inf], thresholds_from_increments(alpha), [np.inf]])
        gaps = np.concatenate([[-np.inf], -np.exp(alpha[1:]), [-np.inf]])  # θₖ₋₁ - θₖ
        upper, lower = extended[self.y_index + 1], extended[self.y_index]
        return upper - eta, lower - eta, gaps[self.y_index]

    def terms(self, phi: Array) -> RowTerms:
        """The per-row terms by NumPy (``ordinal.row_terms``; the compiled pass's reference)."""
        return row_terms(*self.bounds(phi))

    def _pass(self, phi: Array, hessian: bool) -> tuple:
        """The compiled per-row pass (``ordinal_kernels.ordinal_pass``) at φ."""
        beta, alpha = self.split(phi)
        eta = self.design.matvec(beta)
        extended = np.concatenate([[-np.inf], thresholds_from_increments(alpha), [np.inf]])
        gaps = np.concatenate([[-np.inf], -np.exp(alpha[1:]), [-np.inf]])  # θₖ₋₁ - θₖ
        return ordinal_pass(eta, self.y_index, extended, gaps, self.weights, hessian)

    def _penalty_value(self, beta: Array) -> float:
        return 0.5 * self.l2 * float(beta @ beta) / self.total_weight

    def value(self, phi: Array) -> float:
        """J(φ)."""
        return float(self._pass(phi, False)[0]) + self._penalty_value(self.split(phi)[0])

    def value_and_gradient(self, phi: Array) -> tuple[float, Array]:
        """(J(φ), ∇J(φ))."""
        beta, alpha = self.split(phi)
        loss, r, grad_theta, *_ = self._pass(phi, False)
        grad_beta = self.design.rmatvec(r) + self.l2 * beta / self.total_weight
        value = float(loss) + self._penalty_value(beta)
        return value, np.concatenate([grad_beta, threshold_jacobian(alpha).T @ grad_theta])

    def gradient(self, phi: Array) -> Array:
        return self.value_and_gradient(phi)[1]

    def hessian(self, phi: Array, *, exact: bool = True) -> Array:
        """∇²J(φ), (d + K - 1) square; ``exact=False`` without the term in ∇_θ J (the
        module docstring)."""
        _, alpha = self.split(phi)
        d, k = self.n_features, self.n_classes - 1
        _, _, grad_theta, h, cross, theta_theta = self._pass(phi, True)
        beta_beta, _ = self.design.gram(np.clip(h, 0.0, None), overwrite_h=True)
        beta_beta[np.diag_indices(d)] += self.l2 / self.total_weight
        beta_theta = self.design.rmatvec(cross)
        jacobian = threshold_jacobian(alpha)
        hessian = np.empty((d + k, d + k))
        hessian[:d, :d] = beta_beta
        hessian[:d, d:] = beta_theta @ jacobian
        hessian[d:, :d] = hessian[:d, d:].T
        hessian[d:, d:] = jacobian.T @ theta_theta @ jacobian
        if exact:
            tail = np.cumsum(grad_theta[::-1])[::-1]  # Σ_{k ≥ j} ∂J/∂θₖ
            hessian[d + 1:, d + 1:][np.diag_indices(k - 1)] += np.exp(alpha[1:]) * tail[1:]
        return hessian
