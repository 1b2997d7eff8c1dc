"""``LogisticRegressionCV``: C (and the elastic net's ρ) chosen by k-fold cross-validation.

For each fold the whole path over ``Cs`` is fitted on the training rows, warm-started point
to point (``path.py``), and every point is scored on the held-out rows; the (C, ρ) with the
best mean score over the folds wins, and the model is refitted on all rows there. The
default score is the (weighted) mean log-likelihood of the held-out labels, scikit-learn's
'neg_log_loss': the quantity the fit itself maximizes, so the choice does not depend on a
decision threshold.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from joblib import Parallel, delayed
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import get_scorer
from sklearn.model_selection import check_cv
from sklearn.utils.validation import check_is_fitted

from logistic.fitting.path import solve_path
from logistic.fitting.problem import FitSettings, Problem, prepare, settings_of
from logistic.fitting.validation import check_bool, check_l1_ratios, checked_X_y, grid_of_Cs
from logistic.models.atomic_fit import atomic_fit
from logistic.models.logistic_regression import LogisticRegression

__all__ = ["LogisticRegressionCV"]

_PENALTIES = ("l2", "l1", "elasticnet")


class LogisticRegressionCV(ClassifierMixin, BaseEstimator):
    """Logistic regression whose C (and l1_ratio) is picked by cross-validation.

    J(w, b) = (1/Σsᵢ) Σᵢ sᵢ·e(yᵢ, zᵢ) + P(w) as in ``LogisticRegression``, for each C in
    ``Cs`` and each ρ in ``l1_ratios``.

    Parameters
    ----------
    Cs : int or list of float > 0, default 10
        The C to try; an int n means n values evenly spaced in log from 1e-4 to 1e4.
    l1_ratios : list of float in [0, 1] or None, default None
        The ρ to try with ``penalty='elasticnet'`` (required there, ignored otherwise).
    cv : int, cross-validation splitter or iterable, default None
        scikit-learn's meaning: None is 5-fold, an int k is k-fold, stratified by class
        (``StratifiedKFold`` without shuffling).
    penalty : {'l2', 'l1', 'elasticnet'}, default 'l2'
    scoring : None, str or callable(estimator, X, y), default None
        None is the held-out log-likelihood per sample (scikit-learn's 'neg_log_loss',
        weighted by the held-out rows' sample_weight); a string names a scikit-learn scorer.
    fit_intercept, max_iter, tol, class_weight, multi_class
        As in ``LogisticRegression``. class_weight='balanced' is computed once from all of y,
        so every fold weighs the classes alike.
    n_jobs : int or None, default None
        Folds fitted in parallel by joblib.
    refit : bool, default True
        Refit on all rows at the best (C, ρ). False: coef_ is the mean over the folds of
        each fold's coefficients at its own best (C, ρ), and C_ the mean of those C.

    Attributes
    ----------
    Cs_ : (n_Cs,), l1_ratios_ : (n_l1_ratios,) (the penalty's ρ: 1 for 'l1', 0 for 'l2')
    scores_ : dict class → (n_folds, n_Cs) array ((n_folds, n_Cs, n_l1_ratios) for
        'elasticnet'); the same array under every class
    coefs_paths_ : dict class → (n_folds, n_Cs[, n_l1_ratios], n_features [+ 1]) (that
        class's row of the coefficients, intercept last)
    C_, l1_ratio_ : (1,) for two classes, (K,) for K (the same value repeated)
    n_iter_ : (1, n_folds, n_Cs[, n_l1_ratios])
    coef_, intercept_, classes_, n_features_in_, feature_names_in_ : as the refitted model's
    estimator_ : the ``LogisticRegression`` that predicts
    """

    def __init__(
        self,
        *,
        Cs: int | ArrayLike = 10,
        l1_ratios: ArrayLike | None = None,
        cv=None,
        penalty: str = "l2",
        scoring=None,
        fit_intercept: bool = True,
        max_iter: int = 100,
        tol: float = 1e-6,
        class_weight=None,
        multi_class: str = "multinomial",
        n_jobs: int | None = None,
        refit: bool = True,
    ) -> None:
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.cv = cv
        self.penalty = penalty
        self.scoring = scoring
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.multi_class = multi_class
        self.n_jobs = n_jobs
        self.refit = refit

    def _model(self, C: float = 1.0, l1_ratio: float | None = None) -> LogisticRegression:
        return LogisticRegression(
            self.penalty,
            C=C,
            l1_ratio=l1_ratio,
            fit_intercept=self.fit_intercept,
            max_iter=self.max_iter,
            tol=self.tol,
            class_weight=self.class_weight,
            multi_class=self.multi_class,
        )

    def _ratios(self) -> NDArray[np.float64]:
        if self.penalty not in _PENALTIES:
            raise ValueError(f"penalty must be one of {_PENALTIES}, got {self.penalty!r}")
        if self.penalty != "elasticnet":
            return np.array([1.0 if self.penalty == "l1" else 0.0])
        return check_l1_ratios(self.l1_ratios)

    @atomic_fit
    def fit(self, X, y: ArrayLike, sample_weight: ArrayLike | None = None,
            offset: ArrayLike | None = None):
        """Cross-validates every (C, ρ), then refits at the best.

        ``offset``: a known part of every score, z = Xw + b + o (two classes), as in
        ``LogisticRegression.fit``: each fold's path is fitted with its training rows'
        offset and scored with its held-out rows'; the refit takes it whole, and the
        predictions then need ``offset=`` too. With an offset ``scoring`` must be None (a
        scikit-learn scorer calls ``predict_proba`` without one): a ValueError otherwise.
        """
        Cs, ratios = grid_of_Cs(self.Cs), self._ratios()
        check_bool("refit", self.refit)
        if offset is not None and self.scoring is not None:
            raise ValueError("offset= takes scoring=None (the held-out log-likelihood): a "
                             "scikit-learn scorer predicts without the offset")
        base = self._model(l1_ratio=float(ratios[0]) if self.penalty == "elasticnet" else None)
        settings = settings_of(base)
        Xv, labels = checked_X_y(base, X, y)
        problem = prepare(settings, Xv, labels, sample_weight, offset=offset)
        classes, y_index = problem.classes, problem.y_index
        user_weights = None if sample_weight is None else weights_without_classes(
            sample_weight, Xv.shape[0]
        )
        folds = list(check_cv(self.cv, classes[y_index], classifier=True).split(Xv, y_index))
        scorer = None if self.scoring is None else get_scorer(self.scoring)
        jobs = (
            delayed(_fold)(self, settings, problem, user_weights, train, test, Cs, ratio, scorer)
            for train, test in folds
            for ratio in ratios
        )
        results = Parallel(n_jobs=self.n_jobs)(jobs)
        n_folds, shape = len(folds), (len(folds), len(ratios), len(Cs))
        scores = np.array([r[0] for r in results]).reshape(shape).transpose(0, 2, 1)
        n_iter = np.array([r[2] for r in results]).reshape(shape).transpose(0, 2, 1)
        paths = np.array([r[1] for r in results])
        paths = paths.reshape(n_folds, len(ratios), *paths.shape[1:]).swapaxes(1, 2)

        self.classes_, self.Cs_, self.l1_ratios_ = classes, Cs, ratios
        squeeze = self.penalty != "elasticnet"
        grid = scores[:, :, 0] if squeeze else scores
        keys = classes[1:] if classes.size == 2 else classes
        self.scores_ = {label: grid for label in keys}
        per_class = paths[:, :, 0] if squeeze else paths  # (folds, Cs[, ρ], [K,] dof)
        self.coefs_paths_ = {
            label: per_class[..., row, :] if classes.size > 2 else per_class
            for row, label in enumerate(keys)
        }
        self.n_iter_ = (n_iter[:, :, 0] if squeeze else n_iter)[None]

        if self.refit:
            mean = scores.mean(axis=0)
            i, j = np.unravel_index(np.argmax(mean), mean.shape)
            best_C, best_ratio = float(Cs[i]), float(ratios[j])
            self.estimator_ = self._model(best_C, self._ratio_param(best_ratio)).fit(
                X, y, sample_weight=sample_weight, **({} if offset is None else
                                                      {"offset": offset})
            )
        else:
            best = [np.unravel_index(np.argmax(s), s.shape) for s in scores]
            best_C = float(np.mean([Cs[i] for i, _ in best]))
            best_ratio = float(np.mean([ratios[j] for _, j in best]))
            coefs = np.mean([paths[f, i, j] for f, (i, j) in enumerate(best)], axis=0)
            self.estimator_ = _fitted_model(
                self._model(best_C, self._ratio_param(best_ratio)), classes, coefs,
                base.n_features_in_, getattr(base, "feature_names_in_", None),
            )
        n_rows = 1 if classes.size == 2 else classes.size
        self.C_ = np.full(n_rows, best_C)
        self.l1_ratio_ = np.full(n_rows, best_ratio)
        for name in ("coef_", "intercept_", "n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
        return self

    def _ratio_param(self, ratio: float) -> float | None:
        return ratio if self.penalty == "elasticnet" else None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def decision_function(self, X, offset: ArrayLike | None = None) -> NDArray[np.float64]:
        check_is_fitted(self)
        return self.estimator_.decision_function(X, offset=offset)

    def predict_proba(self, X, offset: ArrayLike | None = None) -> NDArray[np.float64]:
        check_is_fitted(self)
        return self.estimator_.predict_proba(X, offset=offset)

    def predict_log_proba(self, X, offset: ArrayLike | None = None) -> NDArray[np.float64]:
        check_is_fitted(self)
        return self.estimator_.predict_log_proba(X, offset=offset)

    def predict(self, X, offset: ArrayLike | None = None) -> NDArray:
        check_is_fitted(self)
        return self.estimator_.predict(X, offset=offset)


def weights_without_classes(sample_weight, n_samples: int) -> NDArray[np.float64]:
    """The user's sample weights alone (class weights shape the fit, not the score)."""
    return np.broadcast_to(np.asarray(sample_weight, dtype=np.float64), (n_samples,))


def _fold(cv_model, settings: FitSettings, problem: Problem, user_weights, train, test, Cs,
          ratio, scorer):
    """One fold at one ρ: (score at each C, coefficients at each C, iterations at each C)."""
    ratio_param = cv_model._ratio_param(float(ratio))
    model = cv_model._model(l1_ratio=ratio_param)
    offset = problem.offset
    training = Problem(problem.X[train], problem.classes, problem.y_index[train],
                       problem.weights[train], problem.family,
                       offset=None if offset is None else offset[train])
    coefs, n_iter = solve_path(replace(settings, l1_ratio=ratio_param), training, Cs)
    X, y_index, classes = problem.X, problem.y_index, problem.classes
    held_out = None if user_weights is None else user_weights[test]
    scores = []
    for coef in coefs:
        fitted = _fitted_model(model, classes, coef, X.shape[1], None)
        if scorer is None:
            log_p = fitted.predict_log_proba(
                X[test], offset=None if offset is None else offset[test]
            )[np.arange(len(test)), y_index[test]]
            scores.append(float(np.average(log_p, weights=held_out)))
        else:
            extra = {} if held_out is None else {"sample_weight": held_out}
            scores.append(float(scorer(fitted, X[test], classes[y_index[test]], **extra)))
    return np.array(scores), coefs, n_iter


def _fitted_model(model: LogisticRegression, classes, coefs, n_features: int, names):
    """``model`` with the coefficients ``coefs`` (a path's row: intercept last) set as if
    fitted on ``n_features`` columns called ``names`` (None: unnamed)."""
    rows = np.atleast_2d(coefs)
    model.classes_ = classes
    if model.fit_intercept:
        model.coef_, model.intercept_ = rows[:, :-1].copy(), rows[:, -1].copy()
    else:
        model.coef_, model.intercept_ = rows.copy(), np.zeros(rows.shape[0])
    model.n_features_in_ = n_features
    if names is not None:
        model.feature_names_in_ = names
    model.formula_ = None
    model.statistics_ = None
    model.inference_note_ = "coefficients from cross-validation folds: no statistics"
    return model
