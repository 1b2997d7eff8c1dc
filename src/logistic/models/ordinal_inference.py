"""What an ordinal fit means: its summary table, profile intervals, and the likelihood-ratio
test of proportional odds against the multinomial model.

Proportional odds test: the multinomial logit (``LogisticRegression``, K - 1 free score
rows of d + 1 parameters) nests the proportional odds model (d slopes shared by every
cumulative logit, K - 1 cut-points), so

    LR = 2(ℓ_multinomial - ℓ_ordinal) ~ χ²((K - 1)(d + 1) - (d + K - 1)) = χ²((K - 2)·d)

under proportional odds. (Brant's test compares the K - 1 binary fits instead; the LR test
uses the same alternative that a user would fit next.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from logistic.families.ordinal import threshold_terms
from logistic.fitting.terms import feature_names
from logistic.inference.coordinate_profile import profile_interval
from logistic.inference.statistics import Summary, wald_interval
from logistic.models.logistic_regression import LogisticRegression
from logistic.models.ordinal_fit import ordinal_objective

__all__ = ["ProportionalOddsTest", "ordinal_conf_int", "ordinal_summary",
           "proportional_odds_test"]


def ordinal_summary(model: Any, alpha: float = 0.05) -> Summary:
    """The coefficient table (β, then the cut-points θ) with the fit's header."""
    low, high = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
    classes = np.asarray(model.classes_).tolist()
    header: dict[str, object] = {
        "Model": "Ordered logit (proportional odds)",
        "Classes": f"{len(classes)}, in order {' < '.join(map(str, classes))}"
        if len(classes) <= 6 else f"{len(classes)}, {classes[0]} < ... < {classes[-1]}",
        "Penalty": "none" if model.penalty is None else f"l2 (C={model.C:g})",
        "Solver": model.solver_,
        "Iterations": int(model.n_iter_.max()),
        "Converged": bool(model.converged_),
    }
    terms = feature_names(model) + threshold_terms(classes)
    fit = model.statistics_
    if fit is None:
        nan = np.full(len(terms), np.nan)
        columns = {"coef": np.concatenate([model.coef_, model.thresholds_]), "std err": nan,
                   "z": nan, "P>|z|": nan, low: nan, high: nan}
        return Summary(header, pd.DataFrame(columns, index=terms), note=model.inference_note_,
                       title="Ordinal Regression Results")
    header.update({
        "No. Observations": fit.n_obs, "Df Residuals": fit.df_resid, "Df Model": fit.df_model,
        "Log-Likelihood": fit.log_likelihood, "LL-Null": fit.null_log_likelihood,
        "LLR p-value": fit.lr_p_value, "Pseudo R-squ.": fit.pseudo_r2,
        "AIC": fit.aic, "BIC": fit.bic,
    })
    interval = wald_interval(fit.params, fit.std_err, alpha)
    columns = {"coef": fit.params, "std err": fit.std_err, "z": fit.z, "P>|z|": fit.p_values,
               low: interval[:, 0], high: interval[:, 1]}
    note = ("logit P(Y ≤ k) = θₖ - xᵀβ (R's MASS::polr, statsmodels' OrderedModel): a "
            "positive coefficient moves the probability to the higher classes. The rows "
            "'a|b' are the cut-points θ, their standard errors by the delta method from "
            "the fit's parameters θ₁, log(θₖ - θₖ₋₁).")
    return Summary(header, pd.DataFrame(columns, index=list(fit.terms)), note=note,
                   title="Ordinal Regression Results")


def ordinal_conf_int(
    model: Any, alpha: float, method: str, X: Any, y: Any, sample_weight: Any
) -> np.ndarray:
    """(d + K - 1, 2) intervals of [β, θ]: Wald's, or for 'profile' the coefficients'
    profile-likelihood intervals (the cut-points' stay Wald's, as MASS's confint.polr
    profiles the coefficients only)."""
    fit = model.statistics_
    if fit is None:
        raise AttributeError(f"conf_int is not available: {model.inference_note_}")
    interval = wald_interval(fit.params, fit.std_err, alpha)
    if method == "wald":
        return interval
    if method != "profile":
        raise ValueError(f"method must be 'wald' or 'profile', got {method!r}")
    if X is None or y is None:
        raise ValueError("method='profile' refits on the data: pass the training X and y "
                         "(and sample_weight)")
    objective = ordinal_objective(_unfitted_copy(model), X, y, sample_weight)
    d = objective.n_features
    for j in range(d):
        interval[j] = profile_interval(objective, model.params_, j, float(fit.std_err[j]), alpha)
    return interval


def _unfitted_copy(model: Any) -> Any:
    from sklearn.base import clone

    return clone(model)


@dataclass(frozen=True)
class ProportionalOddsTest:
    """The LR test of proportional odds against the multinomial logit."""

    statistic: float
    df: int
    p_value: float
    log_likelihood_ordinal: float
    log_likelihood_multinomial: float


def proportional_odds_test(model: Any, X: Any, y: Any, sample_weight: Any = None,
                           tol: float = 1e-10) -> ProportionalOddsTest:
    """2(ℓ_multinomial - ℓ_ordinal) ~ χ²((K - 2)d) on the training data (X, y)."""
    fit = model.statistics_
    if fit is None:
        raise ValueError("the proportional odds test compares likelihoods: fit with "
                         "penalty=None")
    objective = ordinal_objective(_unfitted_copy(model), X, y, sample_weight)
    multinomial = LogisticRegression(penalty=None, tol=tol, max_iter=200)
    multinomial.fit(X, objective.y_index, sample_weight=sample_weight)
    total = objective.total_weight
    log_likelihood = -total * float(multinomial.objective_)
    df = (objective.n_classes - 2) * objective.n_features
    statistic = 2.0 * (log_likelihood - fit.log_likelihood)
    p_value = float(stats.chi2.sf(statistic, df)) if df > 0 else float("nan")
    return ProportionalOddsTest(float(statistic), df, p_value, fit.log_likelihood,
                                log_likelihood)
