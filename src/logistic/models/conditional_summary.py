"""A fitted conditional model's statistics as attributes, and its summary table.

The numbers are ``inference.statistics.FitStatistics`` (no intercept: df_model is the rank,
AIC = -2ℓ + 2·rank, BIC = -2ℓ + rank·log N, the LR test against β = 0, McFadden's R²
= 1 - ℓ/ℓ(0)), laid out as statsmodels prints ConditionalLogit's results.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from logistic.inference.statistics import Summary, wald_interval

__all__ = ["FittedConditionalStatistics", "conditional_summary"]


class FittedConditionalStatistics:
    """The inference attributes of a fitted ``ConditionalLogisticRegression``."""

    statistics_: Any

    def _statistic(self, name: str) -> Any:
        if self.statistics_ is None:  # a variance outside float64's range: the note says so
            raise AttributeError(getattr(self, "inference_note_", "no statistics"))
        return getattr(self.statistics_, name)

    cov_ = property(lambda self: self._statistic("cov"))
    std_err_ = property(lambda self: self._statistic("std_err"))
    z_ = property(lambda self: self._statistic("z"))
    p_values_ = property(lambda self: self._statistic("p_values"))
    log_likelihood_ = property(lambda self: self._statistic("log_likelihood"))
    null_log_likelihood_ = property(lambda self: self._statistic("null_log_likelihood"),
                                    doc="ℓ at β = 0.")
    aic_ = property(lambda self: self._statistic("aic"))
    bic_ = property(lambda self: self._statistic("bic"))
    pseudo_r2_ = property(lambda self: self._statistic("pseudo_r2"), doc="McFadden's R².")
    lr_stat_ = property(lambda self: self._statistic("lr_stat"), doc="2(ℓ(β̂) - ℓ(0)).")
    lr_p_value_ = property(lambda self: self._statistic("lr_p_value"))
    df_model_ = property(lambda self: self._statistic("df_model"))


def conditional_summary(model: Any, alpha: float,
                        profile: NDArray[np.float64] | None = None) -> Summary:
    """The header (method, strata, fit, likelihood statistics) and the table: coef, std
    err, z, P>|z| and the 1 - α interval (profile where given, else Wald)."""
    fit = model.statistics_
    header: dict[str, object] = {
        "Model": "Conditional Logit",
        "Ties": model.ties,
        "Classes": f"{model.classes_[0]!s} / {model.classes_[1]!s} (the second: case)",
        "Solver": model.solver_,
        "Iterations": int(np.asarray(model.n_iter_).max()),
        "Converged": bool(model.converged_),
    }
    if hasattr(model, "n_strata_"):  # a loaded model does not know them
        header["Strata"] = f"{model.n_strata_} ({model.n_dropped_strata_} dropped)"
    low, high = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
    if fit is None:
        nan = np.full(model.coef_.shape[1], np.nan)
        table = pd.DataFrame({"coef": model.coef_[0], "std err": nan, "z": nan, "P>|z|": nan,
                              low: nan, high: nan}, index=list(model.inference_terms_))
        return Summary(header, table, note=model.inference_note_,
                       title="Conditional Logit Results")
    header.update({
        "No. Observations": fit.n_obs,
        "Df Model": fit.df_model,
        "Log-Likelihood": fit.log_likelihood,
        "LL-Null (β = 0)": fit.null_log_likelihood,
        "LLR p-value": fit.lr_p_value,
        "Pseudo R-squ.": fit.pseudo_r2,
        "AIC": fit.aic,
        "BIC": fit.bic,
    })
    interval = wald_interval(fit.params, fit.std_err, alpha) if profile is None else profile
    table = pd.DataFrame({"coef": fit.params, "std err": fit.std_err, "z": fit.z,
                          "P>|z|": fit.p_values, low: interval[:, 0], high: interval[:, 1]},
                         index=list(fit.terms))
    notes = ["Intervals: profile likelihood." if profile is not None else "Intervals: Wald."]
    if fit.rank < len(fit.terms):
        notes.append(f"The information matrix has rank {fit.rank} < {len(fit.terms)} "
                     "(collinear columns): standard errors use its pseudo-inverse.")
    return Summary(header, table, note=" ".join(notes), title="Conditional Logit Results")
