"""The cumulative logit (proportional odds) model's pointwise formulas, exact for every
finite score.

    P(Y ≤ k | x) = σ(θₖ - η),  η = xᵀβ,  θ₁ < θ₂ < ... < θ_{K-1}  (θ₀ = -∞, θ_K = +∞)
    P(Y = k | x) = σ(u) - σ(l),  u = θₖ - η,  l = θₖ₋₁ - η

(the sign of R's MASS::polr and statsmodels' OrderedModel: a positive β moves mass to the
higher classes). Every formula is in terms of the row's upper and lower bounds u > l.

The cut-points are parametrized so that they stay ordered for any real vector α (as
statsmodels' OrderedModel): θ₁ = α₁, θₖ = θₖ₋₁ + exp(αₖ).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, log_expit

Array = NDArray[np.float64]

__all__ = [
    "RowTerms",
    "increments_from_thresholds",
    "log_probability",
    "row_terms",
    "threshold_jacobian",
    "thresholds_from_increments",
]


def thresholds_from_increments(alpha: Array) -> Array:
    """θ from α: θ₁ = α₁, θₖ = θₖ₋₁ + exp(αₖ) (strictly increasing for every finite α)."""
    alpha = np.asarray(alpha, dtype=np.float64)
    return np.cumsum(np.concatenate([alpha[:1], np.exp(alpha[1:])]))


def increments_from_thresholds(theta: Array) -> Array:
    """α from strictly increasing θ: α₁ = θ₁, αₖ = log(θₖ - θₖ₋₁)."""
    theta = np.asarray(theta, dtype=np.float64)
    return np.concatenate([theta[:1], np.log(np.diff(theta))])


def threshold_jacobian(alpha: Array) -> Array:
    """∂θₖ/∂αⱼ: 1 for j = 1, exp(αⱼ) for 2 ≤ j ≤ k, 0 for j > k ((K-1, K-1), lower
    triangular)."""
    alpha = np.asarray(alpha, dtype=np.float64)
    scale = np.concatenate([[1.0], np.exp(alpha[1:])])
    return np.tril(np.ones((alpha.size, alpha.size))) * scale


def _gap(upper: Array, lower: Array, gap: Array | None) -> Array:
    """l - u, -∞ at the end classes; ``gap`` where the caller has it from the cut-points
    themselves (θₖ₋₁ - θₖ, exact where u and l are huge and their difference rounds away)."""
    if gap is not None:
        return gap
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(upper) | np.isinf(lower), -np.inf, lower - upper)


def log_probability(upper: Array, lower: Array, gap: Array | None = None) -> Array:
    """log P(Y = k) = log(σ(u) - σ(l)) = log σ(u) + log σ(-l) + log(1 - e^(l-u)).

    The identity σ(u) - σ(l) = σ(u)(1 - σ(l))(1 - e^(l-u)) keeps every digit where both σ
    round to 1 (or to 0): no difference of probabilities is ever formed, and
    1 - e^(l-u) is -expm1(l - u). u = +∞ or l = -∞ (the end classes) give log σ(-l) and
    log σ(u). ``gap``: l - u from the cut-points (``_gap``)."""
    return log_expit(upper) + log_expit(-lower) + np.log(-np.expm1(_gap(upper, lower, gap)))


@dataclass(frozen=True)
class RowTerms:
    """One pass's per-row quantities of the loss L = -log P(Y = yᵢ) (n,) each.

    log_p      log P(Y = yᵢ)
    d_eta      ∂L/∂η = σ(-u) - σ(l)   (= 1 - σ(u) - σ(l))
    d_upper    ∂L/∂θ_upper = -σ(-u) / (σ(-l)(1 - e^(l-u)))
    d_lower    ∂L/∂θ_lower =  σ(l) / (σ(u)(1 - e^(l-u)))
    eta_eta    ∂²L/∂η² = σ'(u) + σ'(l)   (σ' = σ(1 - σ); ≥ 0, no cancellation)
    eta_upper  ∂²L/∂η∂θ_upper = -σ'(u);  eta_lower  ∂²L/∂η∂θ_lower = -σ'(l)
    upper_upper ∂²L/∂θ_upper² = gᵤ² - gᵤ(σ(-u) - σ(u)),  gᵤ = -d_upper
    lower_lower ∂²L/∂θ_lower² = gₗ² - gₗ(σ(-l) - σ(l)),  gₗ = -d_lower
    upper_lower ∂²L/∂θ_upper∂θ_lower = gᵤ·gₗ
    """

    log_p: Array
    d_eta: Array
    d_upper: Array
    d_lower: Array
    eta_eta: Array
    eta_upper: Array
    eta_lower: Array
    upper_upper: Array
    lower_lower: Array
    upper_lower: Array


def row_terms(upper: Array, lower: Array, gap: Array | None = None) -> RowTerms:
    """The loss's value and derivatives in (η, θ_upper, θ_lower) at the rows' bounds u > l
    (u = +∞ for the top class, l = -∞ for the bottom one), each exact for finite bounds.

    The score ratios gᵤ = σ'(u)/p and gₗ = -σ'(l)/p are formed as exponentials of sums of
    logs (log σ(-u) - log σ(-l) - log(1 - e^(l-u))), so they stay finite and exact where σ(-u)
    and σ(-l) both underflow (η → -∞ in a high class)."""
    log_gap = np.log(-np.expm1(_gap(upper, lower, gap)))
    log_sig_u, log_sig_not_u = log_expit(upper), log_expit(-upper)
    log_sig_l, log_sig_not_l = log_expit(lower), log_expit(-lower)
    g_upper = np.exp(log_sig_not_u - log_sig_not_l - log_gap)
    g_lower = -np.exp(log_sig_l - log_sig_u - log_gap)
    sig_u, sig_not_u = expit(upper), expit(-upper)
    sig_l, sig_not_l = expit(lower), expit(-lower)
    slope_u, slope_l = sig_u * sig_not_u, sig_l * sig_not_l
    return RowTerms(
        log_p=log_sig_u + log_sig_not_l + log_gap,
        d_eta=sig_not_u - sig_l,
        d_upper=-g_upper,
        d_lower=-g_lower,
        eta_eta=slope_u + slope_l,
        eta_upper=-slope_u,
        eta_lower=-slope_l,
        upper_upper=g_upper * g_upper - g_upper * (sig_not_u - sig_u),
        lower_lower=g_lower * g_lower - g_lower * (sig_not_l - sig_l),
        upper_lower=g_upper * g_lower,
    )
