"""Leverage and influence of each row of an unpenalized binary fit, never an n × n matrix.

With X̃ = [1, X] (intercept first), Wᵢ = sᵢ p̂ᵢ(1 - p̂ᵢ) (prior weights sᵢ) and the inverse
information C = (X̃ᵀWX̃)⁻¹ at the fit::

    leverage (hat value)   hᵢ = Wᵢ x̃ᵢᵀ C x̃ᵢ          the diagonal of W^½X̃ C X̃ᵀW^½
    Cook's distance        Dᵢ = r_P,ᵢ² hᵢ / (k (1 - hᵢ)²),  k = rank of X̃ᵀWX̃
    dfbeta                 Δᵢ = C x̃ᵢ sᵢ(yᵢ - p̂ᵢ) / (1 - hᵢ)   (≈ β̂ - β̂₍₋ᵢ₎)
    dfbetas                Δᵢⱼ / √Cⱼⱼ

dfbeta is the one-step approximation to the change in the coefficients when row i is left
out (one Newton step from β̂ on the other rows, Pregibon's): statsmodels'
``GLMInfluence.d_params``. R's ``dfbeta`` for a glm puts the deviance residual where this
has the Pearson one (``lm.influence`` on ``weighted.residuals``): its row i is this one
times r_D,ᵢ/r_P,ᵢ. Cook's distance is R's ``cooks.distance`` for a glm with
dispersion 1 (statsmodels' ``GLMInfluence.cooks_distance``, which divides by the number of
columns instead of the rank; the two agree for a full-rank X̃).

The rows are taken in blocks: each block's X̃C (rows × p) is formed, never X̃CX̃ᵀ, and sparse
X is multiplied as given (the intercept's column is added to the products, not to X).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from logistic.core.linalg import solve_psd
from logistic.core.objective import Objective
from logistic.core.sigmoid import sigmoid_derivative

__all__ = ["Influence", "cooks_distance", "dfbeta", "influence_of"]

Array = NDArray[np.float64]

#: Entries of X̃C held at once (a block of rows × p), 4 MiB of float64.
BLOCK_ENTRIES = 1 << 19


@dataclass(frozen=True)
class Influence:
    """The inverse information of a fit and each row's leverage, intercept first."""

    cov: Array  # (p, p) C = (X̃ᵀWX̃)⁻¹ (a pseudo-inverse where X̃ᵀWX̃ is singular)
    rank: int  # the rank of X̃ᵀWX̃: k of Cook's distance
    leverage: Array  # (n,) hᵢ
    fit_intercept: bool


def influence_of(
    X, y: Array, weights: Array, coef: Array, intercept: float, *, fit_intercept: bool
) -> Influence:
    """C = (X̃ᵀWX̃)⁻¹ at the coefficients (``coef`` (d,), ``intercept``) and the leverage
    hᵢ = Wᵢ x̃ᵢᵀ C x̃ᵢ of each row of ``X`` (dense or CSR), y in {0, 1}."""
    objective = Objective(X, y, weights, fit_intercept=fit_intercept)
    theta = objective.join(coef, intercept)
    d = objective.n_features
    order = np.r_[d, :d] if fit_intercept else np.arange(d)  # θ = [w, b] → [b, w]
    information = objective.total_weight * objective.hessian(theta)[np.ix_(order, order)]
    cov, rank = solve_psd(information, np.eye(order.size))
    curvature = weights * sigmoid_derivative(objective.scores(theta))  # sᵢ p̂ᵢ(1 - p̂ᵢ)
    quadratic = np.empty(objective.n_samples)
    for rows, projected in _projected_rows(X, cov, fit_intercept):
        quadratic[rows] = _row_products(X, rows, projected, fit_intercept)
    return Influence(cov=cov, rank=rank, leverage=curvature * quadratic,
                     fit_intercept=fit_intercept)


def cooks_distance(pearson: Array, leverage: Array, rank: int) -> Array:
    """Dᵢ = r_P,ᵢ² hᵢ / (k (1 - hᵢ)²): the shift of all fitted values when row i is left
    out, in units of k times their covariance (one-step approximation, dispersion 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return pearson**2 * leverage / (rank * (1.0 - leverage) ** 2)


def dfbeta(X, influence: Influence, y: Array, p: Array, weights: Array) -> Array:
    """(n, p) Δᵢ = C x̃ᵢ sᵢ(yᵢ - p̂ᵢ) / (1 - hᵢ), intercept first: the one-step change
    β̂ - β̂₍₋ᵢ₎ when row i is left out."""
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = weights * (y - p) / (1.0 - influence.leverage)
    out = np.empty((factor.size, influence.cov.shape[0]))
    for rows, projected in _projected_rows(X, influence.cov, influence.fit_intercept):
        out[rows] = projected * factor[rows, None]
    return out


def _projected_rows(X, cov: Array, fit_intercept: bool) -> Iterator[tuple[slice, Array]]:
    """(rows, X̃[rows] C) block by block: C's intercept row and column are added to the
    product of X's rows, so sparse X is never widened or densified."""
    n, p = X.shape[0], cov.shape[0]
    step = max(1, BLOCK_ENTRIES // max(p, 1))
    features = slice(1, None) if fit_intercept else slice(None)
    for start in range(0, n, step):
        rows = slice(start, min(start + step, n))
        block = X[rows]
        projected = np.asarray(block @ cov[features, :], dtype=np.float64)
        if fit_intercept:
            projected += cov[0, :]
        yield rows, projected


def _row_products(X, rows: slice, projected: Array, fit_intercept: bool) -> Array:
    """x̃ᵢᵀ(C x̃ᵢ) for the block's rows: the row sums of X̃[rows] ⊙ X̃[rows]C."""
    block = X[rows]
    features = projected[:, 1:] if fit_intercept else projected
    if sp.issparse(block):
        products = np.asarray(block.multiply(features).sum(axis=1), dtype=np.float64).ravel()
    else:
        products = np.einsum("ij,ij->i", block, features)
    if fit_intercept:
        products += projected[:, 0]
    return products  # type: ignore[no-any-return]
