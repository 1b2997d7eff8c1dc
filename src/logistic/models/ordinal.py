"""``OrdinalLogisticRegression``: the proportional odds model behind scikit-learn's API.

    logit P(Y ≤ k | x) = θₖ - xᵀβ,   θ₁ < ... < θ_{K-1}

(R's MASS::polr and statsmodels' OrderedModel, same sign), fitted by Newton's method on
φ = [β, θ₁, log(θₖ - θₖ₋₁)] (the cut-points stay ordered), with

    J(φ) = -(1/Σsᵢ) Σᵢ sᵢ log P(Y = yᵢ | xᵢ)  [+ ‖β‖² / (2·C·Σsᵢ) for penalty='l2']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from logistic.core.design import Design
from logistic.families.ordinal import (
    class_log_probabilities,
    increment_covariance,
    most_probable,
)
from logistic.fitting.validation import checked_X
from logistic.inference.statistics import Summary
from logistic.io.formula import design_matrices, encode_raw
from logistic.io.model_file import save as save_model_file
from logistic.models.fitted_statistics import FittedStatistics
from logistic.models.ordinal_fit import fit_ordinal
from logistic.models.ordinal_inference import (
    ProportionalOddsTest,
    ordinal_conf_int,
    ordinal_summary,
    proportional_odds_test,
)

__all__ = ["OrdinalLogisticRegression"]


class OrdinalLogisticRegression(FittedStatistics, ClassifierMixin, BaseEstimator):
    """Ordinal logistic regression (cumulative logit, proportional odds).

    Parameters
    ----------
    penalty : None or 'l2', default None
        'l2' adds ‖β‖² / (2·C·Σsᵢ) (the cut-points are never penalized).
    C : float > 0, default 1.0
    categories : sequence or None, default None
        The levels of y, lowest first. Without it the order is a pandas ordered
        Categorical's, or the numbers' own; text labels without an order are refused.
    max_iter : int >= 0, default 100
    tol : float >= 0, default 1e-8
        Newton stops once its step is within tol standard errors (``solvers/stopping.py``).

    Attributes
    ----------
    classes_ : (K,) the levels in their order
    coef_ : (n_features,) β;  thresholds_ : (K - 1,) θ
    params_ : (n_features + K - 1,) [β, θ₁, log(θₖ - θₖ₋₁)], statsmodels' OrderedModel's
        ``params`` layout
    statistics_ : the inference of [β, θ] (None for penalty='l2'); cov_, std_err_, z_,
        p_values_, log_likelihood_, aic_, bic_, lr_stat_, ... from it
    n_iter_, converged_, solver_, objective_, n_features_in_, feature_names_in_
    """

    def __init__(
        self,
        penalty: str | None = None,
        *,
        C: float = 1.0,
        categories: Any = None,
        max_iter: int = 100,
        tol: float = 1e-8,
    ) -> None:
        self.penalty = penalty
        self.C = C
        self.categories = categories
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y, sample_weight: ArrayLike | None = None) -> OrdinalLogisticRegression:
        """Maximizes the (weighted, optionally penalized) likelihood on (X, y)."""
        self.formula_ = None
        fit_ordinal(self, X, y, sample_weight)
        return self

    @classmethod
    def from_formula(cls, formula: str, data, sample_weight: ArrayLike | None = None,
                     **params) -> OrdinalLogisticRegression:
        """Fits ``formula`` ("rating ~ x1 + C(group)") on the DataFrame ``data``; the
        response is the ordinal target (an ordered Categorical column keeps its order).
        The cut-points take the intercept's place, so the formula's intercept is dropped."""
        X, y, spec = design_matrices(formula, data)
        if y is None:
            raise ValueError(f"the formula {formula!r} has no response: write 'y ~ ...'")
        response = formula.split("~")[0].strip()
        column = data[response] if isinstance(data, pd.DataFrame) and response in data else y
        model = cls(**params)
        model.fit(X, column, sample_weight=sample_weight)
        model.formula_ = spec
        return model

    def _encoded(self, X):
        return encode_raw(getattr(self, "formula_", None), X)

    # -- prediction --------------------------------------------------------------------------
    def linear_predictor(self, X) -> NDArray[np.float64]:
        """η = xᵀβ per row: logit P(Y ≤ k) = θₖ - η."""
        check_is_fitted(self)
        X = checked_X(self, self._encoded(X))
        return Design(X).matvec(np.asarray(self.coef_, dtype=np.float64))

    def decision_function(self, X) -> NDArray[np.float64]:
        """scikit-learn's scores: for two levels logit P(Y = classes_[1]) = η - θ₁ (n,); for
        more, the (n, K) log-probabilities (their argmax is ``predict``)."""
        check_is_fitted(self)
        if len(self.classes_) == 2:
            return self.linear_predictor(X) - self.thresholds_[0]
        return self.predict_log_proba(X)

    def predict_log_proba(self, X) -> NDArray[np.float64]:
        """(n, K) log P(Y = k), in ``classes_`` order, exact in the tails."""
        return class_log_probabilities(self.linear_predictor(X), self.thresholds_)

    def predict_proba(self, X) -> NDArray[np.float64]:
        """(n, K) P(Y = k) = σ(θₖ - η) - σ(θₖ₋₁ - η), rows summing to 1."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X) -> NDArray:
        """The most probable level of each row."""
        return most_probable(self.linear_predictor(X), self.thresholds_, self.classes_)

    # -- inference ---------------------------------------------------------------------------
    @property
    def params_cov_(self) -> NDArray[np.float64]:
        """The covariance of ``params_`` ([β, θ₁, log(θₖ - θₖ₋₁)], statsmodels' OrderedModel's
        ``cov_params()``), from ``cov_`` by the delta method."""
        return increment_covariance(self.cov_, self.coef_, self.thresholds_)

    def summary(self, alpha: float = 0.05) -> Summary:
        """The coefficient table (β, then the cut-points) with the fit's header."""
        check_is_fitted(self)
        return ordinal_summary(self, alpha)

    def conf_int(self, alpha: float = 0.05, method: str = "wald", X=None, y=None,
                 sample_weight=None) -> NDArray[np.float64]:
        """(d + K - 1, 2) intervals of [β, θ]: 'wald', or 'profile' (the coefficients'
        profile-likelihood intervals; needs the training X, y)."""
        check_is_fitted(self)
        return ordinal_conf_int(self, alpha, method, X, y, sample_weight)

    def proportional_odds_test(self, X, y, sample_weight=None) -> ProportionalOddsTest:
        """The likelihood-ratio test of proportional odds against the multinomial logit
        on the training data: LR = 2(ℓ_multinomial - ℓ_ordinal) ~ χ²((K - 2)·d)."""
        check_is_fitted(self)
        return proportional_odds_test(self, X, y, sample_weight)

    def save(self, path) -> None:
        """Writes the fitted model to ``path`` as JSON (atomically; never pickle)."""
        save_model_file(self, path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
