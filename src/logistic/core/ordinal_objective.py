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
(β, θ).
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
        # the rows' upper and lower threshold (index into [-∞, θ₁..θ_{K-1}, +∞])
        self._has_upper = self.y_index < self.n_classes - 1
        self._has_lower = self.y_index > 0

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
        return row_terms(*self.bounds(phi))

    def _penalty_value(self, beta: Array) -> float:
        return 0.5 * self.l2 * float(beta @ beta) / self.total_weight

    def value(self, phi: Array) -> float:
        """J(φ)."""
        beta, _ = self.split(phi)
        return float(-(self.weights @ self.terms(phi).log_p)) + self._penalty_value(beta)

    def _threshold_sums(self, upper: Array, lower: Array) -> Array:
        """Σᵢ s̃ᵢ·(the row's upper value at θ_{yᵢ}, its lower value at θ_{yᵢ-1}), (K-1,)."""
        k = self.n_classes - 1
        up = np.bincount(self.y_index[self._has_upper], (self.weights * upper)[self._has_upper],
                         minlength=k + 1)[:k]
        down = np.bincount(self.y_index[self._has_lower] - 1,
                           (self.weights * lower)[self._has_lower], minlength=k)[:k]
        return np.asarray(up + down, dtype=np.float64)

    def _gradients(self, phi: Array, terms: RowTerms) -> tuple[Array, Array]:
        """(∇_β J, ∇_θ J)."""
        beta, _ = self.split(phi)
        grad_beta = self.design.rmatvec(self.weights * terms.d_eta)
        grad_beta += self.l2 * beta / self.total_weight
        return grad_beta, self._threshold_sums(terms.d_upper, terms.d_lower)

    def value_and_gradient(self, phi: Array) -> tuple[float, Array]:
        """(J(φ), ∇J(φ))."""
        beta, alpha = self.split(phi)
        terms = self.terms(phi)
        grad_beta, grad_theta = self._gradients(phi, terms)
        value = float(-(self.weights @ terms.log_p)) + self._penalty_value(beta)
        return value, np.concatenate([grad_beta, threshold_jacobian(alpha).T @ grad_theta])

    def gradient(self, phi: Array) -> Array:
        return self.value_and_gradient(phi)[1]

    def hessian(self, phi: Array, *, exact: bool = True) -> Array:
        """∇²J(φ), (d + K - 1) square; ``exact=False`` without the term in ∇_θ J (the
        module docstring)."""
        beta, alpha = self.split(phi)
        d, k = self.n_features, self.n_classes - 1
        terms = self.terms(phi)
        weighted = self.weights * np.clip(terms.eta_eta, 0.0, None)
        beta_beta, _ = self.design.gram(weighted, overwrite_h=True)
        beta_beta[np.diag_indices(d)] += self.l2 / self.total_weight
        cross = np.zeros((self.n_samples, k))
        rows = np.arange(self.n_samples)
        up, down = self._has_upper, self._has_lower
        cross[rows[up], self.y_index[up]] = (self.weights * terms.eta_upper)[up]
        cross[rows[down], self.y_index[down] - 1] += (self.weights * terms.eta_lower)[down]
        beta_theta = self.design.rmatvec(cross)
        theta_theta = np.diag(self._threshold_sums(terms.upper_upper, terms.lower_lower))
        both = up & down
        between = np.bincount(self.y_index[both] - 1, (self.weights * terms.upper_lower)[both],
                              minlength=k)[: k - 1]
        theta_theta[np.arange(k - 1), np.arange(1, k)] = between
        theta_theta[np.arange(1, k), np.arange(k - 1)] = between
        jacobian = threshold_jacobian(alpha)
        hessian = np.empty((d + k, d + k))
        hessian[:d, :d] = beta_beta
        hessian[:d, d:] = beta_theta @ jacobian
        hessian[d:, :d] = hessian[:d, d:].T
        hessian[d:, d:] = jacobian.T @ theta_theta @ jacobian
        if exact:
            grad_theta = self._threshold_sums(terms.d_upper, terms.d_lower)
            tail = np.cumsum(grad_theta[::-1])[::-1]  # Σ_{k ≥ j} ∂J/∂θₖ
            hessian[d + 1:, d + 1:][np.diag_indices(k - 1)] += np.exp(alpha[1:]) * tail[1:]
        return hessian
