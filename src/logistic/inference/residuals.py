"""Residuals of a fitted binary model, row by row, from the scores z = w·x + b.

With y ∈ {0, 1}, p̂ = σ(z) and prior weights sᵢ (R's glm ``weights``, statsmodels'
``var_weights``: a row of weight s counts s times in the likelihood)::

    response      y - p̂
    Pearson       √s (y - p̂) / √(p̂(1 - p̂))
    deviance      sign(y - p̂) √(s dᵢ),   dᵢ = -2 [y log p̂ + (1 - y) log(1 - p̂)]
    studentized   r / √(1 - h)            (Pearson or deviance r, h the leverage)
    likelihood    sign(r_D) √(r_D² + h r_P² / (1 - h))   (R's rstudent for a binomial glm)

Each is computed from z, never from a clipped probability, so a row predicted with
p̂ = 1 - 1e-17 keeps its residual.

With K classes, each class k has its response and Pearson residuals yₖ - p̂ₖ and
√s (yₖ - p̂ₖ)/√(p̂ₖ(1 - p̂ₖ)) (yₖ = 1 for the row's class), from the log-probabilities: 1 - p̂ₖ
is the sum of the other classes' probabilities, never 1 minus a rounded p̂ₖ.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import logsumexp

from logistic.core.losses import cross_entropy_value
from logistic.core.sigmoid import sigmoid

__all__ = [
    "class_pearson_residuals",
    "class_response_residuals",
    "deviance_residuals",
    "likelihood_residuals",
    "pearson_residuals",
    "response_residuals",
    "studentized",
]

Array = NDArray[np.float64]


def response_residuals(y: Array, z: Array) -> Array:
    """y - p̂ with p̂ = σ(z); for y = 1 computed as σ(-z) (= 1 - σ(z) without cancellation)."""
    return np.where(y == 1.0, sigmoid(-z), -sigmoid(z))


def pearson_residuals(y: Array, z: Array, weights: Array) -> Array:
    """√s (y - p̂) / √(p̂(1 - p̂)) = √s·e^(-z/2) for y = 1 and -√s·e^(z/2) for y = 0.

    (1 - p̂)/√(p̂(1 - p̂)) = √((1 - p̂)/p̂) = e^(-z/2): exact where p̂(1 - p̂) underflows.
    """
    with np.errstate(over="ignore"):  # |z| > 1419: the residual is ±inf, as it should be
        unweighted = np.where(y == 1.0, np.exp(-z / 2.0), -np.exp(z / 2.0))
    return np.sqrt(weights) * unweighted


def deviance_residuals(y: Array, z: Array, weights: Array) -> Array:
    """sign(y - p̂) √(s dᵢ), dᵢ = -2[y log p̂ + (1 - y) log(1 - p̂)] = 2·e(y, z), the
    cross-entropy from z (``core.losses``); y - p̂ has the sign of 2y - 1 for 0/1 labels."""
    unit = 2.0 * cross_entropy_value(y, z)
    return np.where(y == 1.0, 1.0, -1.0) * np.sqrt(weights * unit)


def studentized(residuals: Array, leverage: Array) -> Array:
    """r / √(1 - h): the residual divided by its standard deviation under the model
    (R's rstandard for a glm with dispersion 1); ±inf where h = 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return residuals / np.sqrt(1.0 - leverage)


def likelihood_residuals(deviance: Array, pearson: Array, leverage: Array) -> Array:
    """sign(r_D) √(r_D² + h r_P² / (1 - h)), Williams' likelihood residual: the one-step
    change in deviance from deleting the row (R's rstudent for a binomial glm)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        squared = deviance**2 + leverage * pearson**2 / (1.0 - leverage)
    return np.sign(deviance) * np.sqrt(squared)


def log_complement(log_p: Array) -> Array:
    """(n, K) log(1 - p̂ₖ) from the log-probabilities: log1p(-p̂ₖ) where p̂ₖ ≤ ½ (exact there);
    for a row's most probable class, log Σ_{l≠k} p̂ₗ (at most one class per row has p̂ₖ > ½)."""
    with np.errstate(divide="ignore"):  # p̂ₖ = 1 exactly: log(0) = -inf, as it should be
        out = np.log1p(-np.exp(log_p))
    rows = np.arange(log_p.shape[0])
    top = np.argmax(log_p, axis=1)
    others = log_p.copy()
    others[rows, top] = -np.inf
    out[rows, top] = logsumexp(others, axis=1)
    return out  # type: ignore[no-any-return]


def class_response_residuals(onehot: Array, log_p: Array) -> Array:
    """(n, K) yₖ - p̂ₖ: 1 - p̂ₖ = e^log(1 - p̂ₖ) for the row's class, -p̂ₖ for the others."""
    return np.where(onehot == 1.0, np.exp(log_complement(log_p)), -np.exp(log_p))


def class_pearson_residuals(onehot: Array, log_p: Array, weights: Array) -> Array:
    """(n, K) √s (yₖ - p̂ₖ)/√(p̂ₖ(1 - p̂ₖ)) = √s·√((1 - p̂ₖ)/p̂ₖ) for the row's class and
    -√s·√(p̂ₖ/(1 - p̂ₖ)) for the others, each as e^(±(log p̂ₖ - log(1 - p̂ₖ))/2)."""
    half_log_odds = (log_p - log_complement(log_p)) / 2.0
    with np.errstate(over="ignore"):
        unweighted = np.where(onehot == 1.0, np.exp(-half_log_odds), -np.exp(half_log_odds))
    return np.sqrt(weights)[:, None] * unweighted
