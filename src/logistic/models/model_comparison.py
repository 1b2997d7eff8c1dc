"""Fitted models compared: the likelihood-ratio test of two nested fits, R's
``anova(m1, m2, ..., test="Chisq")`` table, and Rao's score test of added columns.

What is checked before two models are compared (``InferenceError`` where it fails):

- both have classical statistics and no penalty (a penalized ℓ, Firth's ℓ* included, is not a
  likelihood whose differences are χ²);
- the same family: the same classes, both binary or both multinomial;
- the same data as far as a model knows it: the same number of observations n = Σsᵢ;
- nested as far as names tell: the smaller model's features (and intercept) are among the
  larger's, and it has fewer parameters;
- the likelihoods agree with nesting: ℓ_big ≥ ℓ_small (up to 1e-8·|ℓ|); a larger model that
  fits worse was fitted on other data, or is not nested.

Rows and weights themselves are not stored in a model, so equal n with other rows passes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import special, stats

from logistic.core.linalg import solve_psd
from logistic.exceptions import InferenceError
from logistic.fitting.terms import feature_names
from logistic.fitting.validation import check_sample_weight, class_weight_per_class
from logistic.inference.hypothesis_tests import TestResult, chi2_test

__all__ = ["anova", "lr_test", "score_test"]

# the score of the model's own columns at its estimate, in χ² units, above which X, y are not
# the data it was fitted on (at a converged fit it is below tol² ≈ 1e-12)
_OWN_SCORE_LIMIT = 1e-4


def _comparable(model: Any, role: str) -> Any:
    """The statistics of a model that a likelihood-ratio comparison can use."""
    if not hasattr(model, "statistics_"):
        raise InferenceError(f"the {role} model is not a fitted LogisticRegression")
    if model.penalty is not None:
        raise InferenceError(
            f"the {role} model has penalty={model.penalty!r}: likelihood-ratio tests compare "
            "unpenalized fits (a penalized log-likelihood's differences are not χ²)"
        )
    if model.statistics_ is None:
        raise InferenceError(f"the {role} model has no statistics: {model.inference_note_}")
    return model.statistics_


def _check_pair(small: Any, big: Any) -> None:
    """The checks of the module docstring, ``small`` having fewer parameters."""
    a, b = small.statistics_, big.statistics_
    if len(small.classes_) != len(big.classes_) or np.any(
            np.asarray(small.classes_) != np.asarray(big.classes_)):
        raise InferenceError(
            f"the models have different classes ({list(small.classes_)!r} and "
            f"{list(big.classes_)!r}): they are not fits of one response"
        )
    if small.family_.multiclass != big.family_.multiclass:
        raise InferenceError("the models are of different families "
                             f"({small.family_.multiclass} and {big.family_.multiclass})")
    if not np.isclose(a.n_obs, b.n_obs, rtol=1e-12, atol=0.0):
        raise InferenceError(
            f"the models were fitted on different data: {a.n_obs:g} and {b.n_obs:g} "
            "observations (Σ sample weights)"
        )
    if a.rank >= b.rank:
        raise InferenceError(f"the models are not nested: both have {a.rank} parameters"
                             if a.rank == b.rank else "the models are not nested")
    small_names, big_names = set(feature_names(small)), set(feature_names(big))
    missing = sorted(small_names - big_names)
    if missing or (small.fit_intercept and not big.fit_intercept):
        shown = ", ".join(map(repr, missing)) or "the intercept"
        raise InferenceError(f"the models are not nested: the larger lacks {shown}")
    if b.log_likelihood < a.log_likelihood - 1e-8 * max(1.0, abs(a.log_likelihood)):
        raise InferenceError(
            f"the larger model's log-likelihood ({b.log_likelihood:.6g}) is below the "
            f"smaller's ({a.log_likelihood:.6g}): they are not nested fits of the same data"
        )


def _ordered(first: Any, second: Any) -> tuple[Any, Any]:
    """(smaller, larger) by the number of parameters, checked."""
    a, b = _comparable(first, "first"), _comparable(second, "second")
    small, big = (first, second) if a.rank <= b.rank else (second, first)
    _check_pair(small, big)
    return small, big


def lr_test(first: Any, second: Any) -> TestResult:
    """LR = 2(ℓ_big - ℓ_small) ~ χ²(rank_big - rank_small), either order."""
    small, big = _ordered(first, second)
    a, b = small.statistics_, big.statistics_
    return chi2_test("Likelihood-ratio test", 2.0 * (b.log_likelihood - a.log_likelihood),
                     b.rank - a.rank)


def anova(*models: Any) -> pd.DataFrame:
    """R's ``anova(m1, m2, ..., test="Chisq")``: one row per model with its residual df
    (n - parameters) and deviance, and from the second on the change from the model before
    (Df, Deviance) with P(χ²(|Df|) > |Deviance|). Each pair of neighbours must pass the
    checks of the module docstring."""
    if len(models) < 2:
        raise InferenceError("anova compares two or more models")
    for before, after in zip(models[:-1], models[1:], strict=True):
        _ordered(before, after)
    stats_ = [m.statistics_ for m in models]
    df_resid = np.array([s.n_obs - s.rank for s in stats_])
    deviance = np.array([s.deviance for s in stats_])
    change_df = np.r_[np.nan, df_resid[:-1] - df_resid[1:]]
    change = np.r_[np.nan, deviance[:-1] - deviance[1:]]
    p = np.r_[np.nan, stats.chi2.sf(np.abs(change[1:]), np.abs(change_df[1:]))]
    return pd.DataFrame({"Resid. Df": df_resid, "Resid. Dev": deviance, "Df": change_df,
                         "Deviance": change, "Pr(>Chi)": p},
                        index=pd.RangeIndex(1, len(models) + 1))


def score_test(model: Any, X: Any, y: Any, added: Any, sample_weight: Any = None) -> TestResult:
    """Rao's S = Uᵀ I⁻¹ U of adding ``added`` to the binary ``model`` on its data X, y."""
    if model.family_.multiclass is not None:
        raise InferenceError("score_test() is for two classes")
    if model.penalty is not None:
        raise InferenceError("score_test() is for unpenalized fits")
    labels = np.asarray(y).ravel()
    n = X.shape[0]
    if labels.shape != (n,) or not np.all(np.isin(labels, model.classes_)):
        raise ValueError(f"y must hold {n} labels among the classes {model.classes_.tolist()!r}")
    if added.ndim == 1:
        added = added.reshape(-1, 1)
    if added.ndim != 2 or added.shape[0] != n or added.shape[1] < 1:
        raise ValueError(f"the added columns must be an (n, m) array with n = {n} rows, "
                         f"got shape {added.shape}")
    weights = check_sample_weight(sample_weight, n)
    if model.class_weight is not None:
        index = np.searchsorted(model.classes_, labels)
        counts = np.bincount(index, minlength=2).astype(np.float64)
        weights = weights * class_weight_per_class(model.class_weight, model.classes_,
                                                   counts)[index]
    target = (labels == model.classes_[1]).astype(np.float64)
    p = special.expit(np.asarray(X @ model.coef_.ravel()).ravel() + model.intercept_[0])
    parts = ([np.ones((n, 1))] if model.fit_intercept else []) + [X, added]
    full = sp.hstack(parts, format="csr") if any(map(sp.issparse, parts)) else np.hstack(parts)
    score = np.asarray(full.T @ (weights * (target - p))).ravel()
    curvature = (weights * p * (1 - p))[:, None]
    if sp.issparse(full):
        information = (full.T @ sp.csr_matrix(full.multiply(curvature))).toarray()
    else:
        information = full.T @ (full * curvature)
    own = full.shape[1] - added.shape[1]
    own_inverse, _ = solve_psd(information[:own, :own], np.eye(own))
    if score[:own] @ own_inverse @ score[:own] > _OWN_SCORE_LIMIT:
        raise InferenceError("X, y are not the data this model was fitted on (its score "
                             "there is not 0)")
    inverse, _ = solve_psd(information, np.eye(full.shape[1]))
    return chi2_test("Score (Rao) test", float(score @ inverse @ score), added.shape[1])
