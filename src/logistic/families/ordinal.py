"""The ordinal family (proportional odds, cumulative logit): what its score η means.

    P(Y ≤ k | x) = σ(θₖ - η),  η = xᵀβ;   P(Y = k) = σ(θₖ - η) - σ(θₖ₋₁ - η)

One score per row, K - 1 ordered cut-points θ in place of an intercept (a constant column
would be confounded with them). The statistics report β and θ (as R's MASS::polr); the
solver works in φ = [β, α] (``core/ordinal_objective.py``), and θ's covariance comes from
φ's by the delta method, cov(β, θ) = G cov(φ) Gᵀ, G = diag(I, ∂θ/∂α).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from logistic.core.linalg import solve_psd
from logistic.core.ordinal import log_probability, threshold_jacobian
from logistic.core.ordinal_objective import OrdinalObjective
from logistic.inference.statistics import FitStatistics

Array = NDArray[np.float64]

__all__ = [
    "class_log_probabilities",
    "class_probabilities",
    "increment_covariance",
    "most_probable",
    "null_log_likelihood",
    "ordinal_statistics",
    "parameter_covariance",
    "threshold_terms",
]


def class_log_probabilities(eta: Array, thresholds: Array) -> Array:
    """(n, K) log P(Y = k | η) for every class, each exact in the tails
    (``core.ordinal.log_probability``)."""
    extended = np.concatenate([[-np.inf], thresholds, [np.inf]])
    upper = extended[None, 1:] - eta[:, None]
    lower = extended[None, :-1] - eta[:, None]
    gaps = np.concatenate([[-np.inf], -np.diff(thresholds), [-np.inf]])  # θₖ₋₁ - θₖ
    return log_probability(upper, lower, np.broadcast_to(gaps, upper.shape))


def class_probabilities(eta: Array, thresholds: Array) -> Array:
    """(n, K) P(Y = k | η), rows summing to 1."""
    return np.exp(class_log_probabilities(eta, thresholds))


def most_probable(eta: Array, thresholds: Array, classes: NDArray) -> NDArray:
    """The class of highest probability per row."""
    return classes[np.argmax(class_log_probabilities(eta, thresholds), axis=1)]


def threshold_terms(classes: Sequence) -> list[str]:
    """The cut-points' names, 'a|b' between consecutive classes (as polr prints them)."""
    labels = [str(c) for c in classes]
    return [f"{low}|{high}" for low, high in zip(labels[:-1], labels[1:], strict=True)]


def null_log_likelihood(y_index: NDArray[np.intp], weights: Array, n_classes: int) -> float:
    """ℓ₀ = Σₖ nₖ log(nₖ/n): the thresholds alone reproduce the class frequencies."""
    counts = np.bincount(y_index, weights, minlength=n_classes)
    present = counts[counts > 0]
    return float(np.sum(present * np.log(present / present.sum())))


def parameter_covariance(objective: OrdinalObjective, phi: Array) -> tuple[Array, int]:
    """(cov(φ̂) = (Σs·∇²J(φ̂))⁻¹, its rank): the inverse information in the solver's
    parameters [β, α] (statsmodels' OrderedModel's ``cov_params``)."""
    information = objective.total_weight * objective.hessian(phi, exact=True)
    return solve_psd(information, np.eye(information.shape[0]))


def ordinal_statistics(
    objective: OrdinalObjective, phi: Array, thresholds: Array, terms: Sequence[str],
) -> FitStatistics:
    """The unpenalized fit's statistics of [β, θ] at its optimum φ̂ (delta method for θ)."""
    d = objective.n_features
    cov_phi, rank = parameter_covariance(objective, phi)
    transform = np.eye(phi.size)
    transform[d:, d:] = threshold_jacobian(phi[d:])
    return FitStatistics(
        terms=tuple(terms),
        params=np.concatenate([phi[:d], thresholds]),
        cov=transform @ cov_phi @ transform.T,
        rank=rank,
        n_obs=objective.total_weight,
        log_likelihood=-objective.total_weight * objective.value(phi),
        null_log_likelihood=null_log_likelihood(
            objective.y_index, objective.weights * objective.total_weight, objective.n_classes
        ),
        n_intercepts=objective.n_classes - 1,
    )


def increment_covariance(cov: Array, coef: Array, thresholds: Array) -> Array:
    """cov of [β, α] (the solver's parameters, statsmodels' layout) from cov of [β, θ]:
    G⁻¹ cov G⁻ᵀ, the inverse of the delta method's map."""
    d = coef.size
    inverse = np.eye(d + thresholds.size)
    # ∂α/∂θ: α₁ = θ₁, αₖ = log(θₖ - θₖ₋₁) → 1/(θₖ - θₖ₋₁) on θₖ, -1/(θₖ - θₖ₋₁) on θₖ₋₁
    gaps = np.diff(thresholds)
    block = np.eye(thresholds.size)
    block[np.arange(1, thresholds.size), np.arange(1, thresholds.size)] = 1.0 / gaps
    block[np.arange(1, thresholds.size), np.arange(thresholds.size - 1)] = -1.0 / gaps
    inverse[d:, d:] = block
    return inverse @ cov @ inverse.T
