"""``MixedLogisticRegression``: logistic regression with random effects per group (a GLMM).

    model = MixedLogisticRegression().fit(X, y, groups=g)                 # (1 | g)
    model = MixedLogisticRegression().fit(X, y, groups=g, random=["x1"])  # (1 + x1 | g)
    model = MixedLogisticRegression.from_formula("y ~ x1 + x2 + (1 + x1 | g)", df)

The likelihood and its approximations are ``families/mixed.py`` over the compiled per-group
kernels of ``core/mixed_kernels.py``; the fit is ``families/mixed_fit.py``; the statistics
``families/mixed_stats.py``; the summary and the LR test ``models/mixed_summary.py``.
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

from logistic.core.threads import blas_on_one_thread
from logistic.exceptions import DataError, SingularFitWarning
from logistic.families.mixed import (
    COVARIANCES,
    MixedObjective,
    group_codes,
    prepare_data,
    relative_factor,
    theta_bounds,
)
from logistic.families.mixed_fit import binomial_newton, fit_mixed
from logistic.families.mixed_stats import marginal_probability
from logistic.fitting.grouped import check_grouped
from logistic.fitting.validation import check_sample_weight, checked_X, checked_X_y
from logistic.io.formula import FormulaSpec, design_matrices, encode_raw, formula_extras
from logistic.io.formula_random import split_random
from logistic.models.mixed_summary import FittedMixedStatistics, mixed_statistics

__all__ = ["MixedLogisticRegression"]

KINDS = ("conditional", "marginal")


class MixedLogisticRegression(FittedMixedStatistics, ClassifierMixin, BaseEstimator):
    """Mixed-effects logistic regression: logit P(y = 1 | b_g) = xᵀβ + zᵀb_g, b_g ~ N(0, Σ)
    per group g of one grouping factor (lme4's ``glmer(family = binomial)``).

    Parameters
    ----------
    nAGQ : int
        1: the Laplace approximation of each group's integral; k > 1: adaptive
        Gauss–Hermite quadrature with k nodes at the group's mode (one scalar random
        effect only, as lme4's ``nAGQ``).
    covariance : {'unstructured', 'diagonal'}
        Σ of several random effects: any positive semi-definite matrix, lme4's
        ``(1 + x | g)``, or a diagonal one, ``(1 + x || g)``. Parametrized by its Cholesky
        factor L (lme4's θ, L's diagonal ≥ 0).
    fit_intercept : bool
        A fixed intercept (the column of ones, first in the fixed effects).
    tol, max_iter : L-BFGS-B's projected-gradient tolerance and its iteration limit.

    ``fit(X, y, groups, random=None, sample_weight=None, trials=None,
    random_intercept=True)``: ``groups`` one label per row (no missing values); ``random``
    the columns of X with random slopes (indices or, for a DataFrame, names), besides the
    random intercept unless ``random_intercept=False``; ``trials`` makes y the successes
    out of that many trials per row (grouped binomial, R's ``cbind(s, n - s)``);
    ``sample_weight`` prior weights (R's ``weights=``). ``from_formula("y ~ x1 + x2 +
    (1 + x1 | g)", df)``: the same from a formula, ``||`` for a diagonal Σ, ``(0 + x1 | g)``
    without the random intercept, ``cbind(s, f)`` responses.

    Attributes after fit: ``coef_`` (1, p) and ``intercept_`` (1,) the fixed effects;
    ``cov_fixed_`` their covariance ((p+1) × (p+1), the intercept first), ``std_err_``,
    ``z_``, ``p_values_`` (intercept first); ``theta_`` (λ, the free elements of L),
    ``variance_components_`` (Σ, sds, correlations, ``singular``), ``random_effects_`` (a
    frame of the conditional modes b̂_g by group), ``random_effects_cov_`` (G × q × q
    conditional covariances), ``random_terms_`` ('(Intercept)' first where fitted, then
    the slopes' column names), ``random_slopes_`` (their column indices in X),
    ``random_intercept_``, ``group_levels_`` (sorted), ``group_name_`` (the groups' name),
    ``group_column_`` (a formula's grouping column, else None), ``formula_``; ``llf_``, ``aic_``,
    ``bic_``, ``deviance_`` (= −2·llf_; lme4's ``deviance()`` of a glmer fit is the
    conditional deviance instead), ``df_resid_``, ``n_obs_``, ``n_groups_``, ``llf_glm_``
    (the fit without random effects), ``singular_``, ``converged_``, ``n_iter_``.
    ``summary()``, ``conf_int(alpha)``, ``lr_test_random()``, ``covariance_factor()``,
    ``predict_proba(X, groups=None, kind="conditional"|"marginal")``, ``predict``.
    """

    def __init__(self, nAGQ: int = 1, covariance: str = "unstructured",
                 fit_intercept: bool = True, tol: float = 1e-7, max_iter: int = 1000) -> None:
        self.nAGQ = nAGQ
        self.covariance = covariance
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter

    def check_parameters(self, q: int) -> None:
        """ValueError for a parameter outside its range, or nAGQ > 1 with q > 1."""
        if not (isinstance(self.nAGQ, (int, np.integer)) and 1 <= self.nAGQ <= 100):
            raise ValueError(f"nAGQ must be an integer in 1..100, got {self.nAGQ!r}")
        if self.nAGQ > 1 and q != 1:
            raise ValueError("nAGQ > 1 (adaptive Gauss-Hermite) needs a single scalar random "
                             f"effect; this model has {q} random-effect terms: use nAGQ=1")
        if self.covariance not in COVARIANCES:
            raise ValueError(f"covariance must be one of {COVARIANCES}, got "
                             f"{self.covariance!r}")
        if not (np.isscalar(self.tol) and float(self.tol) > 0):
            raise ValueError(f"tol must be a number > 0, got {self.tol!r}")
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 1):
            raise ValueError(f"max_iter must be an integer >= 1, got {self.max_iter!r}")

    # -- fit ---------------------------------------------------------------------------------
    def fit(self, X: Any, y: ArrayLike, groups: ArrayLike | None = None,
            random: list[int | str] | None = None, sample_weight: ArrayLike | None = None,
            trials: ArrayLike | None = None,
            random_intercept: bool = True) -> MixedLogisticRegression:
        """Fits β and Σ by maximizing the approximate marginal likelihood (see the class)."""
        X, y = checked_X_y(self, X, y)
        dense = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)
        slopes = self._slope_columns(random)
        self.random_terms_ = tuple((["(Intercept)"] if random_intercept else [])
                                   + [self._names()[j] for j in slopes])
        if not self.random_terms_:
            raise ValueError("no random effects: give random= columns or keep the random "
                             "intercept")
        self.check_parameters(len(self.random_terms_))
        successes, counts, self.classes_ = self._response(y, trials, dense.shape[0])
        weights = check_sample_weight(sample_weight, dense.shape[0])
        Z = dense[:, slopes]
        if random_intercept:
            Z = np.column_stack([np.ones(dense.shape[0]), Z])
        design = np.column_stack([np.ones(dense.shape[0]), dense]) if self.fit_intercept \
            else dense
        data = prepare_data(design, Z, successes, counts, weights, groups)
        self.group_name_ = str(getattr(groups, "name", None) or "group")
        with blas_on_one_thread():  # BLAS's spinning workers would slow the kernel passes
            self._fit_data(data, random_intercept, slopes)
        self.formula_: FormulaSpec | None = None
        self.group_column_: str | None = None
        return self

    def _fit_data(self, data: Any, random_intercept: bool, slopes: list[int]) -> None:
        q = data.Z.shape[1]
        objective = MixedObjective(data, self.covariance, int(self.nAGQ))
        beta0, self.llf_glm_ = binomial_newton(data.X, data.a, data.b)
        self.llf_glm_ += data.constant
        start_theta = np.array([1.0 if low == 0.0 else 0.0
                                for low, _ in theta_bounds(q, self.covariance)])
        result = fit_mixed(objective, np.r_[beta0, start_theta], float(self.tol),
                           int(self.max_iter))
        if not result.converged:
            warnings.warn(f"L-BFGS-B did not converge: {result.message}", ConvergenceWarning,
                          stacklevel=3)
        params = result.params.copy()
        self.singular_ = bool((~result.free).any())
        if self.singular_:
            warnings.warn("boundary (singular) fit: the random effects' covariance Σ is "
                          "singular (a variance 0, or a correlation of ±1); see "
                          "variance_components_", SingularFitWarning, stacklevel=3)
        p = objective.n_fixed
        self.cov_fixed_ = np.linalg.pinv(result.information)[:p, :p]
        beta = params[:p]
        self.intercept_ = np.array([beta[0] if self.fit_intercept else 0.0])
        self.coef_ = (beta[1:] if self.fit_intercept else beta)[None, :].copy()
        self.theta_ = params[p:].copy()
        self.random_slopes_ = list(slopes)
        self.random_intercept_ = bool(random_intercept)
        self.group_levels_ = data.levels
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged
        mixed_statistics(self, objective, params, result.log_likelihood)

    def _names(self) -> list[str]:
        return [str(n) for n in getattr(self, "feature_names_in_",
                                        [f"x{j + 1}" for j in range(int(self.n_features_in_))])]

    def _slope_columns(self, random: list[int | str] | None) -> list[int]:
        """The column indices of X with random slopes; DataError for one not in X."""
        names = self._names()
        columns = []
        for item in [] if random is None else list(random):
            if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
                if not 0 <= int(item) < len(names):
                    raise DataError(f"random slope column {item} is outside X's "
                                    f"{len(names)} columns")
                columns.append(int(item))
            elif str(item) in names:
                columns.append(names.index(str(item)))
            else:
                raise DataError(f"the random-slope term {item!r} is not among the columns "
                                f"of X ({', '.join(names[:10])})")
        if len(set(columns)) != len(columns):
            raise DataError("a random-slope column is named twice")
        return columns

    def _response(self, y: NDArray, trials: Any, n: int) -> tuple[NDArray, NDArray, NDArray]:
        """(successes, trials, classes): y's two classes (the second counts as 1), or y
        successes out of ``trials``."""
        if trials is not None:
            s, counts = check_grouped(y, trials, n)
            return s, counts, np.array([0, 1])
        classes = np.unique(y)
        if classes.size != 2:
            raise DataError(f"a mixed logistic model needs 2 classes; y has {classes.size} "
                            "(give trials= for counts of successes)")
        return (y == classes[1]).astype(np.float64), np.ones(n), classes

    @classmethod
    def from_formula(cls, formula: str, data: pd.DataFrame,
                     sample_weight: ArrayLike | None = None,
                     **params: Any) -> MixedLogisticRegression:
        """Fits ``formula`` with one random-effects term ``(1 + x1 | g)`` (``||``: a diagonal
        Σ, which sets ``covariance``) on ``data``; slopes must be fixed-effect columns too."""
        fixed, term = split_random(formula)
        if term.diagonal:
            params["covariance"] = "diagonal"
        if term.group not in data.columns:
            raise DataError(f"the grouping column {term.group!r} is not in the data")
        X, y, spec = design_matrices(fixed, data)
        if y is None:
            raise ValueError(f"the formula {formula!r} has no response: write 'y ~ ...'")
        missing = [name for name in term.slopes if name not in X.columns]
        if missing:
            raise DataError(f"the random-slope term {missing[0]!r} is not among the fixed "
                            f"effects' columns ({', '.join(map(str, X.columns))})")
        model = cls(**{"fit_intercept": spec.intercept, **params})
        extras = formula_extras(spec, data)
        model.fit(X, y, groups=data[term.group], random=list(term.slopes),
                  sample_weight=sample_weight, trials=extras.get("trials"),
                  random_intercept=term.intercept)
        model.formula_ = spec
        model.group_column_ = term.group
        return model

    # -- predictions -------------------------------------------------------------------------
    def _design(self, X: Any) -> NDArray[np.float64]:
        X = checked_X(self, encode_raw(getattr(self, "formula_", None), X))
        return np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)

    def decision_function(self, X: Any, groups: ArrayLike | None = None) -> NDArray:
        """η = xᵀβ + zᵀb̂_g of each row, b̂_g the group's conditional mode; a group the fit
        never saw gets b = 0, the population's mean, and so does every row with groups=None
        (except for a formula's model given a DataFrame with the grouping column: its
        groups are read from it)."""
        check_is_fitted(self)
        column = getattr(self, "group_column_", None)
        if groups is None and column is not None and isinstance(X, pd.DataFrame) \
                and column in X.columns:
            groups = X[column]
        dense = self._design(X)
        eta = dense @ self.coef_[0] + self.intercept_[0]
        if groups is None:
            return np.asarray(eta)
        codes, levels = group_codes(groups, dense.shape[0])
        effects = self.random_effects_.reindex(levels).fillna(0.0).to_numpy()[codes]
        return np.asarray(eta + np.sum(self._random_design(dense) * effects, axis=1))

    def _random_design(self, dense: NDArray[np.float64]) -> NDArray[np.float64]:
        Z = dense[:, self.random_slopes_]
        return np.column_stack([np.ones(dense.shape[0]), Z]) if self.random_intercept_ else Z

    def predict_proba(self, X: Any, groups: ArrayLike | None = None,
                      kind: str = "conditional") -> NDArray[np.float64]:
        """(n, 2) probabilities. 'conditional': σ(xᵀβ + zᵀb̂_g), b = 0 for a new group (or
        groups=None, see ``decision_function``); 'marginal': ∫ σ(xᵀβ + zᵀb) N(b; 0, Σ) db
        over the population of groups (Gauss–Hermite, 40 nodes), which ignores ``groups``."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        if kind == "conditional":
            p = 1.0 / (1.0 + np.exp(-self.decision_function(X, groups)))
        else:
            check_is_fitted(self)
            dense = self._design(X)
            Z = self._random_design(dense)
            variance = np.einsum("ij,jk,ik->i", Z, self.variance_components_.cov, Z)
            p = marginal_probability(dense @ self.coef_[0] + self.intercept_[0], variance)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any, groups: ArrayLike | None = None,
                kind: str = "conditional") -> NDArray:
        """The class of probability above ½ (``predict_proba``'s)."""
        p = self.predict_proba(X, groups, kind)[:, 1]
        return np.where(p > 0.5, self.classes_[1], self.classes_[0])

    def covariance_factor(self) -> NDArray[np.float64]:
        """L, the lower Cholesky factor of Σ = LLᵀ, from ``theta_`` (lme4's θ order: the
        lower triangle column by column, or the diagonal)."""
        return relative_factor(self.theta_, len(self.random_terms_), self.covariance)
