"""Predictions with their uncertainty: the linear predictor's standard error and intervals on
the link and probability scales (R's ``predict(se.fit=TRUE)``), by the delta method.

In the statistics' layout θ (intercept first in each block; with K classes, blocks for
classes 2..K against the first, whose scores are 0) and covariance V::

    linear predictor   ηₖ = x̃ᵀθₖ,   x̃ = [1, x]
    its std err        se(ηₖ) = √(x̃ᵀ Vₖₖ x̃)          (Vₖₖ: the block of class k)
    binary             p = σ(η),  se(p) = p(1 - p)·se(η)
                       interval σ(η ± Φ⁻¹(1 - α/2)·se(η))   (on the link, then mapped by σ)
    K classes          pₖ = exp(ηₖ) / Σⱼ exp(ηⱼ), η₁ = 0
                       ∂pₖ/∂θₗ = pₖ(δₖₗ - pₗ)·x̃   (l = 2..K)
                       se(pₖ)² = Σₗ,ₘ aₖₗ aₖₘ x̃ᵀVₗₘx̃,   aₖₗ = pₖ(δₖₗ - pₗ)
                       interval pₖ ± Φ⁻¹(1 - α/2)·se(pₖ)  (Wald on the probability scale)

The functions here also serve the marginal effects: they accept complex θ (for the complex-step
derivative, exact to rounding) wherever the formula is analytic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy import special, stats

__all__ = [
    "Prediction",
    "class_probabilities",
    "linear_predictors",
    "predict_with_uncertainty",
]

Array = NDArray[np.float64]


def linear_predictors(X, params: NDArray, n_blocks: int, fit_intercept: bool) -> NDArray:
    """η = X̃Θᵀ, (n, n_blocks): ``params`` in the statistics' layout, X dense or sparse."""
    rows = np.reshape(params, (n_blocks, -1))
    weights = rows[:, 1:] if fit_intercept else rows
    eta = np.asarray(X @ weights.T)
    if fit_intercept:
        eta = eta + rows[:, 0]
    return eta


def class_probabilities(eta: NDArray) -> NDArray:
    """softmax([0, η]) by rows, (n, K): the first class is the reference (score 0); with one
    block, [1 - σ(η), σ(η)]. Analytic in η (the max subtracted is the real parts')."""
    scores = np.column_stack([np.zeros(eta.shape[0], dtype=eta.dtype), eta])
    scores = scores - scores.real.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def _augmented(X, fit_intercept: bool):
    """X̃ = [1, X] (sparse stays sparse)."""
    if not fit_intercept:
        return X
    ones = np.ones((X.shape[0], 1))
    if sp.issparse(X):
        return sp.hstack([sp.csr_matrix(ones), X], format="csr")
    return np.hstack([ones, np.asarray(X, dtype=np.float64)])


def _quadratic_forms(X_tilde, cov: Array, n_blocks: int) -> Array:
    """Q[i, l, m] = x̃ᵢᵀ V_lm x̃ᵢ for every pair of blocks, (n, B, B)."""
    p = cov.shape[0] // n_blocks
    n = X_tilde.shape[0]
    forms = np.empty((n, n_blocks, n_blocks))
    for a in range(n_blocks):
        for b in range(n_blocks):
            block = cov[a * p:(a + 1) * p, b * p:(b + 1) * p]
            product = np.asarray(X_tilde @ block)  # (n, p), rows x̃ᵢᵀV_lm
            if sp.issparse(X_tilde):
                forms[:, a, b] = np.asarray(X_tilde.multiply(product).sum(axis=1)).ravel()
            else:
                forms[:, a, b] = np.einsum("ij,ij->i", product, X_tilde)
    return forms


@dataclass(frozen=True)
class Prediction:
    """Predictions of a fitted model with their standard errors and intervals.

    ``linear_predictor``, ``se_linear``: (n,) for two classes, (n, K - 1) for K (classes
    2..K against the first). ``probability``, ``se_probability``: (n,) P(classes[1]) for two
    classes, (n, K) for K. ``conf_int(scale)``: (n, 2) or (n, ·, 2) intervals at level
    1 - alpha, ``scale`` 'link' or 'probability'.
    """

    linear_predictor: Array
    se_linear: Array
    probability: Array
    se_probability: Array
    alpha: float
    classes: tuple

    @property
    def _quantile(self) -> float:
        return float(stats.norm.ppf(1.0 - self.alpha / 2.0))

    def conf_int(self, scale: str = "probability") -> Array:
        """Intervals at level 1 - alpha on the 'link' or the 'probability' scale."""
        q = self._quantile
        if scale == "link":
            eta, se = self.linear_predictor, self.se_linear
            return np.stack([eta - q * se, eta + q * se], axis=-1)
        if scale != "probability":
            raise ValueError(f"scale must be 'link' or 'probability', got {scale!r}")
        if self.probability.ndim == 1:  # two classes: the link interval mapped by σ
            link = self.conf_int("link")
            return special.expit(link)  # type: ignore[no-any-return]
        p, se = self.probability, self.se_probability
        return np.stack([p - q * se, p + q * se], axis=-1)

    def summary_frame(self) -> pd.DataFrame:
        """One row per sample (two classes), or per (sample, class): mean, mean_se, its
        interval, and the linear predictor with its se and interval (as statsmodels')."""
        low, high = f"[{self.alpha / 2:g}", f"{1 - self.alpha / 2:g}]"
        mean_ci = self.conf_int("probability")
        if self.probability.ndim == 1:
            link_ci = self.conf_int("link")
            return pd.DataFrame({
                "mean": self.probability, "mean_se": self.se_probability,
                f"mean_ci {low}": mean_ci[:, 0], f"mean_ci {high}": mean_ci[:, 1],
                "linear": self.linear_predictor, "linear_se": self.se_linear,
                f"linear_ci {low}": link_ci[:, 0], f"linear_ci {high}": link_ci[:, 1],
            })
        n, K = self.probability.shape
        index = pd.MultiIndex.from_product([range(n), list(self.classes)],
                                           names=["row", "class"])
        return pd.DataFrame({
            "mean": self.probability.ravel(), "mean_se": self.se_probability.ravel(),
            f"mean_ci {low}": mean_ci[..., 0].ravel(), f"mean_ci {high}": mean_ci[..., 1].ravel(),
        }, index=index)


def predict_with_uncertainty(
    X, params: Array, cov: Array, n_blocks: int, fit_intercept: bool, alpha: float,
    classes: tuple,
) -> Prediction:
    """The prediction of every row of X with the delta method's standard errors (formulas in
    the module docstring); ``cov`` is the model's covariance (its ``cov_type``)."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    eta = linear_predictors(X, params, n_blocks, fit_intercept)
    forms = _quadratic_forms(_augmented(X, fit_intercept), cov, n_blocks)
    se_eta = np.sqrt(np.clip(np.diagonal(forms, axis1=1, axis2=2), 0.0, None))
    probabilities = class_probabilities(eta)
    if n_blocks == 1:
        p = probabilities[:, 1]
        return Prediction(eta[:, 0], se_eta[:, 0], p, p * (1.0 - p) * se_eta[:, 0], alpha,
                          classes)
    K = n_blocks + 1
    # a[i, k, l] = pₖ(δₖ,ₗ₊₁ - pₗ₊₁): the derivative of pₖ along block l's x̃ᵀθₗ
    indicator = np.eye(K)[:, 1:]
    a = probabilities[:, :, None] * (indicator[None] - probabilities[:, None, 1:])
    variance = np.einsum("ikl,ilm,ikm->ik", a, forms, a)
    se_p = np.sqrt(np.clip(variance, 0.0, None))
    return Prediction(eta, se_eta, probabilities, se_p, alpha, classes)
