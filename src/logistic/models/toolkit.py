"""The statistician's toolkit on a fitted ``LogisticRegression``: odds ratios, marginal
effects, predictions with standard errors, Wald, likelihood-ratio and score tests.

Each method checks that the fit has classical statistics (``statistics_``: an unpenalized or
Firth fit) and hands the numbers to its ``inference/`` module, where the formulas are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import check_is_fitted

from logistic.exceptions import InferenceError
from logistic.fitting.terms import feature_names
from logistic.fitting.validation import checked_X
from logistic.inference.hypothesis_tests import (
    TestResult,
    parse_restrictions,
    restriction_matrix,
    wald_test,
)
from logistic.inference.margins import MarginalEffects, indicator_columns, marginal_effects
from logistic.inference.odds_ratios import odds_ratio_table, term_increments
from logistic.inference.prediction import Prediction, predict_with_uncertainty
from logistic.inference.statistics import Summary
from logistic.models.model_comparison import lr_test, score_test
from logistic.models.summary import summary_of

__all__ = ["InferenceMethods", "fitted_statistics", "odds_ratio_summary"]


def fitted_statistics(model: Any, what: str) -> Any:
    """The model's FitStatistics; InferenceError (saying why) where it has none."""
    check_is_fitted(model)
    if model.statistics_ is None:
        raise InferenceError(f"{what} needs the fit's covariance, which this model does not "
                             f"have: {model.inference_note_}")
    return model.statistics_


def _blocks(model: Any) -> int:
    return max(len(model.classes_) - 1, 1)


def _term_features(model: Any) -> list[str | None]:
    """The feature of each inference term (None for an intercept), in the terms' order."""
    block = ([None] if model.fit_intercept else []) + list(feature_names(model))
    return block * _blocks(model)


def _design(model: Any, X: Any) -> Any:
    """X as the model's columns (a formula model's raw rows encoded), checked."""
    return checked_X(model, model._encoded(X))


def _factor_columns(model: Any, names: list[str]) -> list[list[int]]:
    """The dummy set of each categorical factor of a formula model (its own term's
    columns, '<factor>[...]'; interactions are other columns)."""
    spec = getattr(model, "formula_", None)
    if spec is None:
        return []
    groups = []
    for factor, description in spec.factors.items():
        if description["kind"] == "categorical" and (factor,) in spec.terms:
            columns = [j for j, name in enumerate(names)
                       if name.startswith(f"{factor}[") and ":" not in name[len(factor):]]
            if columns:
                groups.append(columns)
    return groups


def odds_ratio_summary(model: Any, alpha: float = 0.05) -> Summary:
    """The summary with the odds-ratio table in place of the coefficients (the intervals
    are the summary's: Wald's, or a Firth fit's profile intervals)."""
    fit = fitted_statistics(model, "summary(odds_ratios=True)")
    summary = summary_of(model, alpha)
    profiled = getattr(fit, "profile_ci", None) is not None and alpha == fit.profile_alpha
    table = model.odds_ratios(alpha, "profile" if profiled else "wald")
    note = ("Odds ratios exp(coef) per unit of each column; std err by the delta method "
            "(OR·se); z and P>|z| test coef = 0. Intercepts are left out.")
    return Summary(summary.header, table.drop(columns="increment"),
                   note=" ".join(filter(None, [note, summary.note])),
                   title="Logistic Regression: Odds Ratios", separated=summary.separated)


class InferenceMethods:
    """Mixin of ``LogisticRegression``: the toolkit's methods."""

    def odds_ratios(
        self, alpha: float = 0.05, method: str = "wald",
        increments: Mapping[str, float] | None = None, X: Any = None, y: Any = None,
        sample_weight: Any = None,
    ) -> pd.DataFrame:
        """exp(c·coef) of each coefficient (intercepts left out) with its delta-method std
        err, z, P>|z| and interval ('wald' or 'profile', the latter refitting on the
        training X, y; binary only), per unit, or per ``increments[feature]`` = c
        (``inference/odds_ratios.py``)."""
        fit = fitted_statistics(self, "odds_ratios()")
        features = _term_features(self)
        c = term_increments(features, list(feature_names(self)), increments)
        interval = self.conf_int(alpha, method, X=X, y=y, sample_weight=sample_weight)  # type: ignore[attr-defined]
        keep = np.array([f is not None for f in features])
        return odds_ratio_table(fit.terms, fit.params, fit.std_err, interval, c, alpha, keep)

    def get_prediction(self, X: Any, alpha: float = 0.05) -> Prediction:
        """Predictions of X with standard errors and intervals: the linear predictor's
        se √(x̃ᵀVx̃) (V: cov_, of the model's cov_type), link-scale intervals mapped by σ
        for two classes, delta-method se of each class probability for K
        (``inference/prediction.py``)."""
        fit = fitted_statistics(self, "get_prediction()")
        design = _design(self, X)
        return predict_with_uncertainty(
            design, fit.params, fit.cov, _blocks(self), bool(self.fit_intercept),  # type: ignore[attr-defined]
            alpha, tuple(self.classes_.tolist()),  # type: ignore[attr-defined]
        )

    def marginal_effects(
        self, X: Any, at: str | Mapping[str, float] = "overall", dummy: bool = True,
        alpha: float = 0.05, sample_weight: Any = None,
    ) -> MarginalEffects:
        """Marginal effects dP/dx of each column on the class probabilities (P(classes_[1])
        for two classes, every class for K) at='overall' (the average over X's rows), 'mean'
        (at the column means) or {column: value} (the average with those columns set), with
        delta-method standard errors. ``dummy``: 0/1 columns, and the dummy set of a formula's
        C(g), as discrete changes (``inference/margins.py``)."""
        fit = fitted_statistics(self, "marginal_effects()")
        design = _design(self, X)
        names = list(feature_names(self))
        factors = _factor_columns(self, names) if dummy else []
        grouped = {j for group in factors for j in group}
        dummies = [j for j in indicator_columns(design) if j not in grouped] if dummy else []
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64).ravel()
            if sample_weight.shape != (design.shape[0],) or np.any(sample_weight < 0) \
                    or not np.all(np.isfinite(sample_weight)) or sample_weight.sum() <= 0:
                raise ValueError(f"sample_weight must be {design.shape[0]} finite weights "
                                 ">= 0 with a positive sum")
        return marginal_effects(
            design, fit.params, fit.cov, _blocks(self), bool(self.fit_intercept), names,  # type: ignore[attr-defined]
            at=at, dummies=dummies, factors=factors, weights=sample_weight, alpha=alpha,
            classes=list(self.classes_.tolist()),  # type: ignore[attr-defined]
        )

    def wald_test(self, R: Any, q: Any = None) -> TestResult:
        """Wald's χ² test of Rθ = q (θ: the summary's coefficients, intercept first; V: cov_),
        R an (m, p) matrix or restrictions as text, "x1 = x2, x3 = 0", over the summary's
        term names (``inference/hypothesis_tests.py``)."""
        fit = fitted_statistics(self, "wald_test()")
        if isinstance(R, str):
            if q is not None:
                raise ValueError("give q inside the text ('x1 = 1'), or R as a matrix")
            R, q = parse_restrictions(R, fit.terms)
        matrix, values = restriction_matrix(R, q, fit.params.size)
        return wald_test(fit.params, fit.cov, matrix, values)

    def lr_test(self, other: Any) -> TestResult:
        """The likelihood-ratio test of two nested fits on the same data (either order):
        2(ℓ_big - ℓ_small) ~ χ²(df_big - df_small); ``models/model_comparison.py`` lists the
        checks."""
        return lr_test(self, other)

    def score_test(self, X: Any, y: Any, added: Any, sample_weight: Any = None) -> TestResult:
        """Rao's score test of adding the columns ``added`` (n, m) to this binary fit, on its
        training X, y: only this model is fitted (``inference/hypothesis_tests.py``)."""
        fitted_statistics(self, "score_test()")
        design = _design(self, X)
        extra = added.to_numpy() if isinstance(added, pd.DataFrame) else added
        extra = extra if sp.issparse(extra) else np.asarray(extra, dtype=np.float64)
        return score_test(self, design, y, extra, sample_weight)
