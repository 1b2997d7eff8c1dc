"""The statsmodels-style summary of a fitted ``LogisticRegression``: header and table.

With K classes and statistics, the rows are classes 2..K against the first, as
statsmodels' MNLogit reports them; without statistics, each class's own row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from logistic.fitting.terms import feature_names, feature_terms
from logistic.inference.separation import mark_summary, separated_terms
from logistic.inference.statistics import Summary, wald_interval

__all__ = ["firth_note", "penalty_label", "summary_of"]


def penalty_label(model: Any) -> str:
    """The summary's penalty: 'none', 'l2 (C=1)', 'elasticnet (C=0.1, l1_ratio=0.5)'."""
    if model.penalty is None:
        return "none"
    if model.penalty == "elasticnet":
        return f"elasticnet (C={model.C:g}, l1_ratio={model.l1_ratio:g})"
    return f"{model.penalty} (C={model.C:g})"


def summary_of(model: Any, alpha: float = 0.05) -> Summary:
    """The coefficient table of a fitted ``model`` at level 1 - α, with the fit's header."""
    low, high = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
    header = _header(model)
    if model.statistics_ is None:
        terms = feature_terms(model)
        rows = model.coef_ if not model.fit_intercept else np.column_stack(
            [model.intercept_, model.coef_]
        )
        if model.family_.multiclass is not None:
            terms = [f"{label}: {term}" for label in model.classes_ for term in terms]
        nan = np.full(len(terms), np.nan)
        columns = {"coef": rows.ravel(), "std err": nan, "z": nan, "P>|z|": nan,
                   low: nan, high: nan}
        summary = Summary(header, pd.DataFrame(columns, index=terms), note=model.inference_note_)
        return _mark_separation(model, summary)
    fit = model.statistics_
    header.update({
        "Covariance Type": fit.cov_type,
        "No. Observations": fit.n_observations,  # grouped data: the groups, as R and statsmodels
        "Df Residuals": fit.df_resid,
        "Df Model": fit.df_model,
        "Log-Likelihood": fit.log_likelihood,
        "LL-Null": fit.null_log_likelihood,
        "LLR p-value": fit.lr_p_value,
        "Pseudo R-squ.": fit.pseudo_r2,
        "AIC": fit.aic,
        "BIC": fit.bic,
    })
    if getattr(model, "grouped_", None) is not None:  # R's residual and null deviance
        header.update({"Deviance": fit.deviance, "Null Deviance": fit.null_deviance})
    interval = wald_interval(fit.params, fit.std_err, alpha)
    profiled = getattr(fit, "profile_ci", None) is not None and alpha == fit.profile_alpha
    if profiled:
        interval = fit.profile_ci
    columns = {
        "coef": fit.params, "std err": fit.std_err, "z": fit.z, "P>|z|": fit.p_values,
        low: interval[:, 0], high: interval[:, 1],
    }
    terms = list(fit.terms)
    note = None if fit.rank == len(terms) else (
        f"The information matrix has rank {fit.rank} < {len(terms)} (collinear columns): "
        "standard errors use its pseudo-inverse."
    )
    if model.penalty == "firth":
        header["Penalty"] = "firth (Jeffreys prior)"
        note = firth_note(fit, profiled)
    return _mark_separation(model, Summary(header, pd.DataFrame(columns, index=terms), note))


def _header(model: Any) -> dict[str, object]:
    header: dict[str, object] = {
        "Model": "Logit" if model.loss == "cross_entropy" else f"sigmoid, {model.loss}",
        "Classes": f"{model.classes_[0]!s} / {model.classes_[1]!s} (P of the second)",
        "Penalty": penalty_label(model),
        "Solver": model.solver_,
        "Iterations": int(model.n_iter_.max()),
        "Converged": bool(model.converged_),
    }
    kind = model.family_.multiclass
    if kind is not None:
        header["Model"] = "MNLogit" if kind == "multinomial" else "Logit, one-vs-rest"
        header["Classes"] = f"{len(model.classes_)}, reference {model.classes_[0]!s}"
    offset, grouped = getattr(model, "offset_name_", None), getattr(model, "grouped_", None)
    if offset is not None:
        header["Offset"] = offset
    if grouped is not None:
        header["Classes"] = "successes / trials"
        header["Grouped data"] = f"{grouped.n_groups:g} groups, {grouped.n_trials:g} trials"
    return header


def _mark_separation(model: Any, summary: Summary) -> Summary:
    """The terms ``separation_`` involves marked † in the table, named in the note."""
    found = getattr(model, "separation_", None)  # a loaded model has its file's (or None)
    if found is None or found.involved is None:
        return summary
    names = feature_names(model) + (["Intercept"] if model.fit_intercept else [])
    centred = model.statistics_ is None and model.family_.multiclass == "multinomial"
    terms = separated_terms(found, names, model.classes_, summary.table.index, centred)
    return mark_summary(summary, found, terms)


def firth_note(fit: Any, profile: bool) -> str:
    """What a Firth summary reports, as logistf does."""
    note = getattr(fit, "note", None)
    if getattr(fit, "lr_p_values", None) is not None:
        tests = ("P>|z| is the penalized likelihood-ratio test of each coefficient "
                 "(2(ℓ*(β̂) - max ℓ* with it at 0) ~ χ²₁).")
    else:
        tests = "P>|z| is Wald's" + ("." if note else
                                     " (model files do not hold the likelihood-ratio tests).")
    if getattr(fit, "cov_type", "nonrobust") == "augmented":
        errors = ("std err = √diag (X̃ᵀdiag((s + h)π(1 - π))X̃)⁻¹ (cov_type='augmented': the "
                  "information of Firth's data-augmentation form, as logistf's summary and "
                  "firthmodels print)")
    else:
        errors = ("std err = √diag I(β̂)⁻¹, I = X̃ᵀdiag(sπ(1 - π))X̃ at the penalized estimate "
                  "(as brglm2; logistf's summary prints cov_type='augmented')")
    parts = [
        "Firth's penalized likelihood ℓ* = ℓ + ½ log det I (as R's logistf): Log-Likelihood, "
        "LL-Null, LLR p-value, AIC and BIC use ℓ* (the null model fits the intercept alone "
        f"under the same penalty); {errors}, and z = coef / std err.",
        tests,
        "The interval is the profile penalized likelihood interval." if profile else
        "The interval is Wald's: conf_int(alpha, method='profile', X=X, y=y) gives the "
        "profile penalized likelihood interval.",
    ]
    return " ".join(parts + ([note] if note else []))
