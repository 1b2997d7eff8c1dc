"""What a mixed logistic fit means: variance components, conditional modes, likelihood
statistics, the LR test of the random effects and the marginal probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import comb, expit
from scipy.stats import chi2, norm

__all__ = ["VarianceComponents", "boundary_lr_p_value", "information_criteria",
           "marginal_probability", "random_effect_frames", "variance_components",
           "wald_table"]

_MARGINAL_NODES = 40


@dataclass(frozen=True)
class VarianceComponents:
    """Σ = LLᵀ of the random effects named ``terms``, their standard deviations √Σⱼⱼ and
    correlations Σⱼₖ/(sⱼsₖ) (NaN where a standard deviation is 0); ``singular``: Σ is
    singular (an L diagonal element below 1e-4, lme4's "boundary (singular) fit")."""

    terms: tuple[str, ...]
    group: str
    cov: NDArray[np.float64]
    sd: NDArray[np.float64]
    corr: NDArray[np.float64]
    singular: bool

    def frame(self) -> pd.DataFrame:
        """One row per variance and covariance, as lme4's ``as.data.frame(VarCorr(m))``."""
        rows = []
        for j, name in enumerate(self.terms):
            rows.append((self.group, name, None, self.cov[j, j], self.sd[j]))
        for j in range(len(self.terms)):
            for k in range(j + 1, len(self.terms)):
                rows.append((self.group, self.terms[j], self.terms[k], self.cov[k, j],
                             self.corr[k, j]))
        return pd.DataFrame(rows, columns=["grp", "var1", "var2", "vcov", "sdcor"])


def variance_components(factor: NDArray[np.float64], terms: tuple[str, ...], group: str,
                        singular: bool) -> VarianceComponents:
    """Σ = LLᵀ, s = √diag Σ, ρ = Σ / (s sᵀ)."""
    cov = factor @ factor.T
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(sd, sd)
    corr[~np.isfinite(corr)] = np.nan
    np.fill_diagonal(corr, 1.0)
    return VarianceComponents(terms, group, cov, sd, corr, singular)


def random_effect_frames(modes: NDArray[np.float64], inverse_information: NDArray[np.float64],
                         factor: NDArray[np.float64], levels: NDArray,
                         terms: tuple[str, ...]) -> tuple[pd.DataFrame, NDArray[np.float64]]:
    """(b̂_g = L û_g per group as a frame, their conditional covariances L H_g⁻¹ Lᵀ (G × q ×
    q): lme4's ``ranef(m, condVar = TRUE)`` and its "postVar")."""
    effects = modes @ factor.T
    cov = np.einsum("jk,gkl,ml->gjm", factor, inverse_information, factor)
    return pd.DataFrame(effects, index=pd.Index(levels, name="group"), columns=list(terms)), cov


def wald_table(params: NDArray[np.float64], cov: NDArray[np.float64], names: list[str],
               alpha: float) -> pd.DataFrame:
    """coef, std err = √diag V, z = β/se, P>|z| = 2Φ(−|z|), β ± Φ⁻¹(1 − α/2)·se."""
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = params / se
    half = norm.ppf(1 - alpha / 2) * se
    return pd.DataFrame({"coef": params, "std err": se, "z": z, "P>|z|": 2 * norm.sf(np.abs(z)),
                         f"[{alpha / 2:g}": params - half, f"{1 - alpha / 2:g}]": params + half},
                        index=names)


def information_criteria(log_likelihood: float, n_params: int, n_obs: int) -> tuple[float,
                                                                                     float]:
    """(AIC, BIC) = (−2ℓ + 2k, −2ℓ + k log n), k = p + the free elements of L, n rows (as
    lme4's AIC and BIC of a glmer fit)."""
    return (-2 * log_likelihood + 2 * n_params,
            -2 * log_likelihood + n_params * np.log(n_obs))


def boundary_lr_p_value(statistic: float, q: int, covariance: str) -> tuple[float, str]:
    """(p, how) for LR = 2(ℓ_mixed − ℓ_glm) testing Σ = 0, a value on the boundary of the
    parameter space (Self & Liang 1987): the mixture of χ² laws the statistic follows.

    One variance (q = 1): ½χ²₀ + ½χ²₁, p = ½P(χ²₁ > LR). q variances of a diagonal Σ:
    Σⱼ C(q, j)2^{-q} χ²ⱼ (independent boundary parameters; an approximation where their
    information is not diagonal). An unstructured Σ with q > 1: its boundary is a cone
    whose mixture weights have no simple form, so p is the conservative χ²ₘ one
    (m = q(q + 1)/2 parameters), an upper bound of the mixture's."""
    lr = max(float(statistic), 0.0)
    if q == 1:
        return 0.5 * float(chi2.sf(lr, 1)) if lr > 0 else 1.0, "0.5*chi2(0) + 0.5*chi2(1)"
    if covariance == "diagonal":
        p = sum(comb(q, j) / 2**q * (float(chi2.sf(lr, j)) if j else float(lr <= 0))
                for j in range(q + 1))
        return float(p), f"binomial mixture of chi2(0..{q})"
    m = q * (q + 1) // 2
    return float(chi2.sf(lr, m)), f"chi2({m}), conservative"


def marginal_probability(eta0: NDArray[np.float64],
                         variance: NDArray[np.float64]) -> NDArray[np.float64]:
    """P(y = 1) = ∫ σ(η₀ + s t) φ(t) dt, s² = zᵀΣz, by Gauss–Hermite with 40 nodes:
    Σₖ (ωₖ/√π) σ(η₀ + √2 s tₖ)."""
    nodes, weights = np.polynomial.hermite.hermgauss(_MARGINAL_NODES)
    scale = np.sqrt(np.clip(variance, 0.0, None))
    values = expit(eta0[:, None] + np.sqrt(2.0) * scale[:, None] * nodes[None, :])
    return np.asarray(values @ (weights / np.sqrt(np.pi)), dtype=np.float64)
