"""A fitted mixed logistic model's statistics as attributes, its summary and its LR test.

The likelihood statistics are lme4's for a glmer fit: llf the approximate log-likelihood
(binomial coefficients included), AIC = −2ℓ + 2k and BIC = −2ℓ + k log n with k = p + the
free elements of L and n the rows; ``deviance_`` is −2ℓ (what ``summary(glmer)`` prints as
"deviance"; R's ``deviance()`` of the fit is the conditional deviance instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from logistic.families.mixed import MixedObjective
from logistic.families.mixed_stats import (
    boundary_lr_p_value,
    information_criteria,
    random_effect_frames,
    variance_components,
    wald_table,
)
from logistic.inference.statistics import Summary

__all__ = ["FittedMixedStatistics", "RandomEffectsTest", "mixed_statistics"]

SINGULAR_NOTE = ("boundary (singular) fit: Σ is singular (an element of L's diagonal below "
                 "1e-4, lme4's isSingular: a variance 0 or a correlation of ±1); the "
                 "standard errors leave that element out.")


@dataclass(frozen=True)
class RandomEffectsTest:
    """The LR test of Σ = 0 against the model without random effects."""

    statistic: float
    df: int
    p_value: float
    null_distribution: str
    log_likelihood: float
    null_log_likelihood: float

    def __str__(self) -> str:
        return (f"LR test vs. logistic regression: LR = {self.statistic:.4f}, "
                f"p = {self.p_value:.4g} ({self.null_distribution}; Self & Liang 1987)")


def mixed_statistics(model: Any, objective: MixedObjective, params: NDArray[np.float64],
                     log_likelihood: float) -> None:
    """Sets the fitted model's variance components, conditional modes and likelihood
    statistics from the optimum (the objective's kept modes are θ̂'s)."""
    data = objective.data
    _, factor = objective.split(params)
    terms = model.random_terms_
    model.variance_components_ = variance_components(factor, terms, model.group_name_,
                                                     model.singular_)
    model.random_effects_, model.random_effects_cov_ = random_effect_frames(
        objective.modes, objective.inverse_information, factor, data.levels, terms)
    n_params = params.size
    model.llf_ = float(log_likelihood)
    model.aic_, model.bic_ = information_criteria(model.llf_, n_params, data.a.size)
    model.deviance_ = -2.0 * model.llf_
    model.n_obs_ = int(data.a.size)
    model.n_groups_ = int(data.n_groups)
    model.df_resid_ = int(data.a.size - n_params)
    model.n_params_ = int(n_params)


class FittedMixedStatistics:
    """The inference of a fitted ``MixedLogisticRegression``: Wald statistics of the fixed
    effects (intercept first), the summary and the LR test of the random effects."""

    cov_fixed_: NDArray[np.float64]
    coef_: NDArray[np.float64]
    intercept_: NDArray[np.float64]
    fit_intercept: bool

    @property
    def fixed_terms_(self) -> list[str]:
        names = [str(n) for n in getattr(self, "feature_names_in_", [
            f"x{j + 1}" for j in range(self.coef_.shape[1])])]
        return (["(Intercept)"] if self.fit_intercept else []) + names

    @property
    def fixed_effects_(self) -> NDArray[np.float64]:
        """β̂, the intercept first (where fitted)."""
        beta = self.coef_[0]
        return np.r_[self.intercept_[0], beta] if self.fit_intercept else beta.copy()

    def fixed_table(self, alpha: float = 0.05) -> pd.DataFrame:
        """coef, std err, z, P>|z| and the Wald interval of each fixed effect."""
        return wald_table(self.fixed_effects_, self.cov_fixed_, self.fixed_terms_, alpha)

    def conf_int(self, alpha: float = 0.05) -> NDArray[np.float64]:
        """((p+1) × 2) Wald intervals of the fixed effects, β̂ ± Φ⁻¹(1 − α/2)·se."""
        return self.fixed_table(alpha).iloc[:, 4:6].to_numpy()

    std_err_ = property(lambda self: self.fixed_table()["std err"].to_numpy())
    z_ = property(lambda self: self.fixed_table()["z"].to_numpy())
    p_values_ = property(lambda self: self.fixed_table()["P>|z|"].to_numpy())

    def lr_test_random(self) -> RandomEffectsTest:
        """LR = 2(ℓ_mixed − ℓ_glm) against the same fixed effects without random effects;
        its p-value from the boundary mixture of χ² laws (``boundary_lr_p_value``)."""
        model: Any = self
        q = len(model.random_terms_)
        statistic = max(2.0 * (model.llf_ - model.llf_glm_), 0.0)
        p, how = boundary_lr_p_value(statistic, q, model.covariance)
        return RandomEffectsTest(statistic, int(model.theta_.size), p, how, model.llf_,
                                 model.llf_glm_)

    def summary(self, alpha: float = 0.05) -> Summary:
        """The header (method, groups, likelihood statistics), the fixed effects' table, and
        in the note the variance components, the LR test and a singular fit's warning."""
        model: Any = self
        method = "Laplace" if model.nAGQ == 1 else f"adaptive Gauss-Hermite, nAGQ = {model.nAGQ}"
        header: dict[str, object] = {
            "Model": "Mixed Logit (GLMM)",
            "Method": method,
            "Covariance": model.covariance,
            "No. Observations": model.n_obs_,
            "No. Groups": model.n_groups_,
            "Converged": bool(model.converged_),
            "Log-Likelihood": model.llf_,
            "Deviance (-2 llf)": model.deviance_,
            "AIC": model.aic_,
            "BIC": model.bic_,
            "Df Resid.": model.df_resid_,
            "Iterations": model.n_iter_,
        }
        lines = ["Random effects (group: " + model.variance_components_.group + "):",
                 _components_text(model.variance_components_, model.covariance),
                 str(self.lr_test_random()),
                 "Intervals: Wald; standard errors from the Hessian of the approximate "
                 "log-likelihood in (beta, theta)."]
        if model.singular_:
            lines.append(SINGULAR_NOTE)
        return Summary(header, self.fixed_table(alpha), note="\n".join(lines),
                       title="Mixed Logistic Regression Results")


def _components_text(components: Any, covariance: str) -> str:
    """Each random effect's variance and sd, then the correlations, as lme4 prints them."""
    rows = [f"  {name:<20} variance {components.cov[j, j]:10.6f}  sd {components.sd[j]:10.6f}"
            for j, name in enumerate(components.terms)]
    q = len(components.terms) if covariance == "unstructured" else 0
    for j in range(q):
        for k in range(j + 1, q):
            rows.append(f"  corr({components.terms[j]}, {components.terms[k]}) = "
                        f"{components.corr[k, j]:.4f}")
    return "\n".join(rows)
