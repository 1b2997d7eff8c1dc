"""``ConditionalLogisticRegression``: the scikit-learn face of the conditional family.

    model = ConditionalLogisticRegression(ties="exact").fit(X, y, groups=stratum)
    model = ConditionalLogisticRegression.from_formula("case ~ x1 + C(g) + strata(id)", df)

The likelihood, the checks and the statistics are ``families/conditional.py``; this module
reads the inputs (the strata from ``groups=``, or from the DataFrame column ``strata``),
runs the fit and keeps what predictions, the summary and the model file need.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from logistic.core.scaling import UNREPRESENTABLE_COVARIANCE
from logistic.exceptions import DataError, SeparationWarning
from logistic.families.conditional import (
    ConditionalProblem,
    conditional_statistics,
    fit_problem,
    prepare_problem,
    profile_intervals,
    stratum_codes,
    within_stratum_probabilities,
)
from logistic.fitting.validation import check_sample_weight, checked_X, checked_X_y
from logistic.inference.statistics import Summary, wald_interval
from logistic.io.formula import FormulaSpec, design_matrices, encode_raw
from logistic.io.formula_strata import split_strata
from logistic.models.conditional_summary import FittedConditionalStatistics, conditional_summary
from logistic.solvers.newton import RUNAWAY

__all__ = ["TIES", "ConditionalLogisticRegression"]

TIES = ("exact", "breslow", "efron")


class ConditionalLogisticRegression(FittedConditionalStatistics, ClassifierMixin, BaseEstimator):
    """Conditional (fixed-effects, matched case-control) logistic regression.

    Parameters
    ----------
    ties : {'exact', 'breslow', 'efron'}
        The likelihood of a stratum with several cases, as R's ``clogit(method=)``: 'exact'
        (the conditional likelihood, statsmodels' ConditionalLogit), or Breslow's or
        Efron's approximation. With one case per stratum all three are the same.
    strata : str or None
        The column of a DataFrame X that holds the strata, when ``fit`` gets no
        ``groups``; that column is then not a feature (and predictions read it too).
    max_iter, tol : Newton's iterations and its stopping test (a step of at most ``tol``
        standard errors).

    Sample weights: with 'breslow' and 'efron', row weights as R's coxph/clogit with
    ``weights=`` (each case's term and each row's share of the risk set weighted); with
    'exact', one weight per stratum (constant within it): the stratum counted that many
    times. No intercept: conditioning on each stratum's cases removes it (``intercept_``
    is 0). Attributes after fit: ``coef_`` (1, d), ``n_strata_`` (strata used),
    ``n_dropped_strata_`` (only cases or only controls), ``statistics_`` and the inference
    attributes (``std_err_``, ``p_values_``, ``log_likelihood_``, ``aic_``, ...).
    """

    fit_intercept = False  # not a parameter: absent by construction

    def __init__(self, ties: str = "exact", strata: str | None = None, max_iter: int = 100,
                 tol: float = 1e-6) -> None:
        self.ties = ties
        self.strata = strata
        self.max_iter = max_iter
        self.tol = tol

    # -- fit ---------------------------------------------------------------------------------
    def fit(self, X: Any, y: ArrayLike, groups: ArrayLike | None = None,
            sample_weight: ArrayLike | None = None) -> ConditionalLogisticRegression:
        """Fits β by Newton on the conditional likelihood of y (two classes; the second is
        the case) given each stratum (``groups``, one label per row, or the column
        ``strata`` of a DataFrame X)."""
        self.check_parameters()
        X, groups = self._split_strata(X, groups)
        X, y = checked_X_y(self, X, y)
        problem, classes = self._problem(X, y, groups, sample_weight)
        result = fit_problem(problem, int(self.max_iter), float(self.tol))
        if not result.converged:
            warnings.warn(f"Newton did not converge: {result.message}", ConvergenceWarning,
                          stacklevel=2)
        elif result.message == RUNAWAY:
            warnings.warn("The conditional likelihood has no finite maximum: within the "
                          "strata the cases are separated from the controls along a "
                          "direction of the coefficients, which diverge along it; their "
                          "estimates and standard errors are not meaningful",
                          SeparationWarning, stacklevel=2)
        fitted = np.asarray(result.theta, dtype=np.float64)
        beta = problem.user_units(fitted)
        self.classes_ = classes
        self.coef_ = beta[None, :].copy()
        self.intercept_ = np.zeros(1)
        self.n_iter_ = np.array([result.n_iter])
        self.converged_ = bool(result.converged)
        self.solver_ = "newton"
        self.objective_ = float(problem.objective.value(fitted))
        self.n_strata_, self.n_dropped_strata_ = problem.n_strata, problem.n_dropped
        self.statistics_ = conditional_statistics(problem, fitted, self.inference_terms_)
        self.inference_note_ = None if self.statistics_ else UNREPRESENTABLE_COVARIANCE
        self.formula_: FormulaSpec | None = None
        return self

    @classmethod
    def from_formula(cls, formula: str, data: pd.DataFrame,
                     sample_weight: ArrayLike | None = None, groups: ArrayLike | None = None,
                     **params: Any) -> ConditionalLogisticRegression:
        """Fits ``formula`` on ``data``; ``strata(col)`` among its terms names the strata
        column (else ``groups`` or ``strata=``). The formula's intercept is dropped."""
        rest, column = split_strata(formula)
        if column is not None:
            if groups is not None or params.get("strata") not in (None, column):
                raise ValueError("give the strata once: strata(col) in the formula, groups= "
                                 "or strata=")
            params["strata"] = column
        model = cls(**params)
        X, y, spec = design_matrices(rest, data, exclude=[model.strata])  # not in '.'
        if y is None:
            raise ValueError(f"the formula {formula!r} has no response: write 'y ~ ...'")
        if groups is None:
            groups = model._strata_column(data)
        model.fit(X, y, groups=groups, sample_weight=sample_weight)
        model.formula_ = spec
        return model

    def check_parameters(self) -> None:
        """ValueError for a parameter outside its range (fit and loading a file call it)."""
        if self.ties not in TIES:
            raise ValueError(f"ties must be one of {TIES}, got {self.ties!r}")
        if self.strata is not None and not isinstance(self.strata, str):
            raise ValueError(f"strata must be a column name or None, got {self.strata!r}")
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 0):
            raise ValueError(f"max_iter must be an integer >= 0, got {self.max_iter!r}")
        if not (np.isscalar(self.tol) and float(self.tol) >= 0):
            raise ValueError(f"tol must be a number >= 0, got {self.tol!r}")

    def _problem(self, X: Any, y: NDArray, groups: Any,
                 sample_weight: Any) -> tuple[ConditionalProblem, NDArray]:
        classes = np.unique(y)
        if classes.size != 2:
            raise DataError(f"conditional logistic regression needs 2 classes (the second "
                            f"is the case); y has {classes.size}")
        dense = X.toarray() if sp.issparse(X) else np.asarray(X)
        weights = check_sample_weight(sample_weight, dense.shape[0])
        codes = stratum_codes(groups, dense.shape[0])
        names = [str(n) for n in getattr(self, "feature_names_in_",
                                         [f"x{j + 1}" for j in range(dense.shape[1])])]
        cases = (y == classes[1]).astype(np.float64)
        return prepare_problem(dense, cases, codes, weights, self.ties, names), classes

    def _strata_column(self, X: Any) -> Any:
        if self.strata is None:
            return None
        if not isinstance(X, pd.DataFrame) or self.strata not in X.columns:
            raise DataError(f"the strata column {self.strata!r} is not in the data")
        return X[self.strata]

    def _split_strata(self, X: Any, groups: Any) -> tuple[Any, Any]:
        """(X without the strata column, the strata) where ``strata`` names a column."""
        if self.strata is None or not isinstance(X, pd.DataFrame):
            return X, groups
        if self.strata in X.columns:
            column = X[self.strata]
            return X.drop(columns=[self.strata]), column if groups is None else groups
        return X, groups

    # -- predictions -------------------------------------------------------------------------
    def _encoded(self, X: Any) -> Any:
        return encode_raw(getattr(self, "formula_", None), X)

    def decision_function(self, X: Any) -> NDArray[np.float64]:
        """η = x·β of each row: the log odds of a row against another of its stratum."""
        check_is_fitted(self)
        X, _ = self._split_strata(X, None)
        X = checked_X(self, self._encoded(X))
        dense = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
        return np.asarray(dense @ self.coef_[0], dtype=np.float64)

    def predict_proba(self, X: Any, groups: ArrayLike | None = None) -> NDArray[np.float64]:
        """(n, 2): column 1 is P(row i is the case of its stratum | the stratum has one
        case) = e^ηᵢ / Σ_{j∈stratum} e^ηⱼ; column 0 is 1 minus it. Needs the strata
        (``groups``, or the ``strata`` column of a DataFrame X)."""
        if groups is None:
            groups = self._strata_column(X) if self.strata is not None else None
        eta = self.decision_function(X)
        p = within_stratum_probabilities(eta, stratum_codes(groups, eta.size))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any, groups: ArrayLike | None = None) -> NDArray:
        """The case label for the most probable row of each stratum (the first of equals),
        the control label for the others."""
        if groups is None:
            groups = self._strata_column(X) if self.strata is not None else None
        eta = self.decision_function(X)
        codes = stratum_codes(groups, eta.size)
        order = np.lexsort((-eta, codes))
        first = np.r_[True, codes[order][1:] != codes[order][:-1]]
        chosen = np.zeros(eta.size, dtype=bool)
        chosen[order[first]] = True
        return np.where(chosen, self.classes_[1], self.classes_[0])

    def score(self, X: Any, y: ArrayLike, groups: ArrayLike | None = None,
              sample_weight: ArrayLike | None = None) -> float:
        """The share of rows whose label ``predict`` gets right."""
        return float(np.average(self.predict(X, groups) == np.asarray(y), weights=sample_weight))

    # -- inference ---------------------------------------------------------------------------
    @property
    def inference_terms_(self) -> tuple[str, ...]:
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            return tuple(f"x{j + 1}" for j in range(int(self.n_features_in_)))
        return tuple(str(n) for n in names)

    def conf_int(self, alpha: float = 0.05, method: str = "wald", X: Any = None,
                 y: ArrayLike | None = None, groups: ArrayLike | None = None,
                 sample_weight: ArrayLike | None = None) -> NDArray[np.float64]:
        """(d, 2) intervals at level 1 - α: 'wald', β̂ ± Φ⁻¹(1 - α/2)·se, or 'profile',
        {v : 2(ℓ(β̂) - max ℓ(β | βⱼ = v)) ≤ χ²₁(1 - α)} (±inf where unbounded), which
        refits on the training data (X, y, groups, sample_weight) again."""
        check_is_fitted(self)
        fit = self.statistics_
        if fit is None:
            raise ValueError(self.inference_note_)
        if method == "wald":
            return wald_interval(fit.params, fit.std_err, alpha)
        if method != "profile":
            raise ValueError(f"method must be 'wald' or 'profile', got {method!r}")
        if X is None or y is None:
            raise ValueError("method='profile' refits with each coefficient fixed: pass the "
                             "training data, conf_int(alpha, 'profile', X=X, y=y, groups=g)")
        if groups is None:
            groups = self._strata_column(X)
        X, _ = self._split_strata(X, None)
        X = checked_X(self, self._encoded(X))
        problem, _ = self._problem(X, np.asarray(y), groups, sample_weight)
        return profile_intervals(problem, fit.params, fit.std_err, alpha, int(self.max_iter))

    def summary(self, alpha: float = 0.05, X: Any = None, y: ArrayLike | None = None,
                groups: ArrayLike | None = None,
                sample_weight: ArrayLike | None = None) -> Summary:
        """The coefficient table and the fit's header; with the training data (X, y,
        groups) the intervals are profile-likelihood ones, else Wald."""
        check_is_fitted(self)
        profile = None
        if X is not None and y is not None:
            profile = self.conf_int(alpha, "profile", X, y, groups, sample_weight)
        return conditional_summary(self, alpha, profile)
