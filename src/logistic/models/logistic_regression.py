"""``LogisticRegression``: the seeds' model behind scikit-learn's estimator API.

    ŷ = σ(z),  z = w·x + b,
    minimize J(w, b) = (1/Σsᵢ) Σᵢ sᵢ·e(yᵢ, zᵢ) + P(w)

with e the cross-entropy (default) or the seeds' squared error, and, with α = 1/(C·Σsᵢ),

    P(w) = 0                                    penalty=None (the seeds' unpenalized J)
    P(w) = (α/2)·‖w‖²                           penalty='l2'
    P(w) = α·‖w‖₁                               penalty='l1'
    P(w) = α·(ρ‖w‖₁ + ½(1 - ρ)‖w‖²), ρ = l1_ratio  penalty='elasticnet'

the same minimizers as scikit-learn's C·Σ sᵢ·eᵢ + (its penalty), the intercept never
penalized. ``penalty='firth'`` maximizes Firth's ℓ + ½ log det I instead (``firth.py``),
intercept included, as R's logistf.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from logistic.core.boundary import DecisionBoundary
from logistic.core.design import Design
from logistic.core.objective import Objective
from logistic.families import Family, family_for
from logistic.fitting.in_memory import fit_problem
from logistic.fitting.offset import refuse_offset_or_trials
from logistic.fitting.problem import prepare, settings_of
from logistic.fitting.terms import feature_names, feature_terms
from logistic.fitting.validation import checked_X, checked_X_y
from logistic.inference.statistics import Summary
from logistic.io.formula import design_matrices, encode_raw, formula_extras
from logistic.io.model_file import save as save_model_file
from logistic.models.atomic_fit import atomic_fit
from logistic.models.diagnostics import ModelDiagnostics
from logistic.models.fitted_statistics import FittedStatistics
from logistic.models.offset_scores import with_offset
from logistic.models.onnx_method import OnnxExport
from logistic.models.summary import summary_of
from logistic.models.toolkit import InferenceMethods, odds_ratio_summary
from logistic.scale.lazy_dask import dask_backend, is_dask_collection

__all__ = ["LogisticRegression"]


class LogisticRegression(
    OnnxExport, ModelDiagnostics, InferenceMethods, FittedStatistics, ClassifierMixin,
    BaseEstimator,
):
    """Logistic regression, binary or multinomial, fitted exactly.

    With two classes: ŷ = σ(z), z = w·x + b (the seeds' model). With K > 2 classes and
    ``multi_class='multinomial'``: ŷ = softmax(Wx + b), one row of W per class; with
    ``'ovr'``: one binary model per class against the rest, probabilities normalised.

    Parameters
    ----------
    penalty : None, 'l2', 'l1', 'elasticnet' or 'firth', default None
        None minimizes the seeds' J(w) itself; 'l2' adds ‖w‖² / (2·C·Σsᵢ); 'l1' adds
        ‖w‖₁ / (C·Σsᵢ) and 'elasticnet' (ρ‖w‖₁ + ½(1 - ρ)‖w‖²) / (C·Σsᵢ), fitted by
        proximal Newton with coordinate descent (``solvers/newton_cd.py``): coefficients
        the penalty removes are exactly 0 in ``coef_``. 'firth' (two
        classes, cross-entropy) maximizes Firth's penalized likelihood ℓ + ½ log det I by its
        own modified Newton iterations: finite under separation, with penalized
        likelihood-ratio p-values and profile intervals as R's logistf, and standard errors
        from I(β̂)⁻¹ (see ``cov_type``).
    C : float > 0, default 1.0
        Inverse regularization strength, as in scikit-learn (used by 'l2', 'l1' and
        'elasticnet'): C multiplies the data term.
    l1_ratio : float in [0, 1] or None, default None
        ρ of ``penalty='elasticnet'`` (required there; 1 is the L1 penalty, 0 the L2).
    fit_intercept : bool, default True
        Learn b (the seeds' w₀). Never penalized.
    solver : {'auto', 'newton', 'lbfgs', 'gd', 'newton-cd', 'newton-cg'}, default 'auto'
        'auto' takes Newton for up to 256 parameters (K·(d + 1) for K classes) and a convex
        loss, with K classes also while n·p² ≤ 2·10⁹, beyond that 'newton-cg' (truncated
        Newton: conjugate gradients on Hessian-vector products) for K classes on sparse X,
        else L-BFGS; 'newton-cd' (proximal Newton, coordinate descent on a working set)
        for 'l1' and 'elasticnet', the only solver those accept. 'gd' is the lecture's
        fixed-step gradient descent. The solver that ran is in ``solver_``.
    max_iter : int >= 0, default 100
    tol : float >= 0, default 1e-6
        For the Newton-type fits ('newton', 'newton-cd', 'newton-cg', Firth's): stop once
        the step just computed is within tol standard errors, √(n·∇JᵀH⁻¹∇J) ≤ tol with n = Σsᵢ (no
        coefficient or linear combination of them would move by more than tol standard
        errors; ``solvers/stopping.py``), and take that step. This does not depend on the
        columns' units, and the result is far closer than tol standard errors to the
        optimum (Newton's error after a step is quadratic in the one before). For 'lbfgs'
        and 'gd': stop when the gradient's max-norm ‖∇J‖∞ ≤ tol (J is a mean, so tol does
        not scale with the number of samples).
    learning_rate : float > 0, default 0.1
        The step η of ``solver='gd'``.
    class_weight : None, 'balanced' or dict, default None
        Multiplies each sample's weight by its class's weight, as in scikit-learn.
    warm_start : bool, default False
        Start from the previous fit's coefficients.
    verbose : int, default 0
        > 0 prints the loss and gradient norm of every iteration to stderr.
    loss : {'cross_entropy', 'squared_error'}, default 'cross_entropy'
        'squared_error' is the seeds' ½(y - σ(z))², kept for comparison: non-convex, and
        its gradient is damped by σ'(z) ≤ 0.25.
    multi_class : {'multinomial', 'ovr'}, default 'multinomial'
        How more than two classes are scored (ignored for two).
    cov_type : {'nonrobust', 'HC0', 'HC1', 'cluster', 'augmented'}, default 'nonrobust'
        The covariance behind the standard errors of an unpenalized fit: the inverse
        information, or a sandwich (``inference.py``); 'cluster' needs ``fit(..., groups=)``.
        For penalty='firth', 'nonrobust' is I(β̂)⁻¹ = (X̃ᵀWX̃)⁻¹ at the penalized estimate
        (brglm2's) and 'augmented' (X̃ᵀdiag((s + h)π(1 - π))X̃)⁻¹, h the hat diagonal: the
        information of Firth's data-augmentation form, whose standard errors R's logistf
        prints (its summary of sex2) and firthmodels reports (``bse_``).
    callback : callable(iteration, state) or None
        Called after every iteration with a dict of 'loss', 'grad_norm', 'theta' and
        'passes' (the passes over X so far).

    Attributes
    ----------
    classes_ : (K,) the labels; with two, the second is the "positive" class (y = 1).
    coef_ : (1, n_features) for two classes, (K, n_features) for K; intercept_ : (1,) or (K,)
        Multinomial coefficients are centred over the classes (Σₖ wₖ = 0).
    n_iter_ : (1,) int ((K,) for 'ovr'), converged_ : bool, solver_ : str
    loss_history_, grad_norm_history_ : ndarray, per iteration (the start included)
    n_features_in_, feature_names_in_ (for DataFrames)
    """

    def __init__(
        self,
        penalty: str | None = None,
        *,
        C: float = 1.0,
        l1_ratio: float | None = None,
        fit_intercept: bool = True,
        solver: str = "auto",
        max_iter: int = 100,
        tol: float = 1e-6,
        learning_rate: float = 0.1,
        class_weight=None,
        warm_start: bool = False,
        verbose: int = 0,
        loss: str = "cross_entropy",
        multi_class: str = "multinomial",
        cov_type: str = "nonrobust",
        callback=None,
    ) -> None:
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.learning_rate = learning_rate
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.verbose = verbose
        self.loss = loss
        self.multi_class = multi_class
        self.cov_type = cov_type
        self.callback = callback

    # -- parameters --------------------------------------------------------------------------
    @property
    def family_(self) -> Family:
        """The model family of the fit: binary, multinomial or one-vs-rest."""
        return family_for(len(self.classes_), self.multi_class)

    # -- fitting -----------------------------------------------------------------------------
    @atomic_fit
    def fit(
        self, X, y: ArrayLike, sample_weight: ArrayLike | None = None, groups=None, *,
        offset: ArrayLike | None = None, trials: ArrayLike | None = None,
    ) -> LogisticRegression:
        """Minimizes J(w, b) on (X, y), each sample weighted by ``sample_weight``.

        ``groups`` (one label per row) are the clusters of ``cov_type='cluster'``.
        ``offset`` (n,): a known part of each score, z = w·x + b + offset (two classes).
        ``trials`` (n,): grouped binomial data, y then holds each row's successes out of
        ``trials`` (whole numbers; statistics as R's ``glm(cbind(s, n - s) ~ ...)``).
        """
        settings = settings_of(self)
        if is_dask_collection(X):  # fitted partition by partition, where the data live
            refuse_offset_or_trials("dask collections", offset, trials)
            return dask_backend().fit(self, X, y, sample_weight, groups)
        self.formula_ = None
        X, y = checked_X_y(self, X, y)
        problem = prepare(settings, X, y, sample_weight, offset=offset, trials=trials)
        self.classes_ = problem.classes
        previous = None
        if settings.warm_start and getattr(self, "coef_", None) is not None:
            previous = (self.coef_, self.intercept_)
        terms = problem.family.inference_terms(feature_terms(self), problem.classes)
        # the in-memory objective (core.Objective) is this estimator's choice of objective
        outcome = fit_problem(
            settings, problem, Objective, names=feature_names(self), terms=terms,
            groups=groups, previous=previous,
        )
        outcome.store_on(self)
        return self

    @classmethod
    def from_formula(
        cls, formula: str, data, sample_weight: ArrayLike | None = None, groups=None, **params
    ) -> LogisticRegression:
        """Fits ``formula`` ("y ~ x1 + C(group) + x1:x2", formulaic's syntax) on the DataFrame
        ``data``. The encoding is kept in ``formula_``: predict on raw DataFrames with the
        same columns as ``data``, and a saved model re-applies it.

        The intercept follows the formula ("- 1" or "+ 0" removes it).
        """
        X, y, spec = design_matrices(formula, data)
        if y is None:
            raise ValueError(f"the formula {formula!r} has no response: write 'y ~ ...'")
        if "fit_intercept" in params and params["fit_intercept"] != spec.intercept:
            raise ValueError("the formula decides the intercept: do not pass fit_intercept")
        model = cls(**{**params, "fit_intercept": spec.intercept})
        model.fit(X, y, sample_weight=sample_weight, groups=groups,
                  **formula_extras(spec, data))
        model.formula_ = spec
        return model

    def _encoded(self, X):
        """Raw rows of a formula model become its encoded columns; anything else as given."""
        return encode_raw(getattr(self, "formula_", None), X)

    # -- inference ---------------------------------------------------------------------------
    @property
    def inference_terms_(self) -> tuple[str, ...]:
        """The terms of the statistics: with K classes, classes 2..K against the first (the
        reference-class parametrization of statsmodels' MNLogit), '<class>: <term>'."""
        return self.family_.inference_terms(feature_terms(self), self.classes_)

    def summary(self, alpha: float = 0.05, odds_ratios: bool = False) -> Summary:
        """The coefficient table with the fit's header (statsmodels-style).

        With K classes and statistics, the rows are classes 2..K against the first, as
        statsmodels' MNLogit reports them; without statistics, each class's own row.
        ``odds_ratios``: the table of exp(coef) instead (``odds_ratios()``).
        """
        check_is_fitted(self)
        return odds_ratio_summary(self, alpha) if odds_ratios else summary_of(self, alpha)

    # -- prediction --------------------------------------------------------------------------
    def decision_function(self, X, offset: ArrayLike | None = None) -> NDArray[np.float64]:
        """z = X·w + b (+ offset) per row ((n,) for two classes; (n, K) for K classes).

        σ(z) is the probability of ``classes_[1]``; with K classes softmax(z) gives them all.
        A model fitted with an offset needs ``offset`` (a formula's offset(col): the data's
        column); see ``models/offset_scores.py``.
        """
        check_is_fitted(self)
        if is_dask_collection(X):  # a lazy dask array
            return dask_backend().predict(self, X, "decision_function", offset)
        z = self.family_.scores(Design(checked_X(self, self._encoded(X))), self.coef_,
                                self.intercept_)
        return with_offset(self, z, X, offset)

    def predict_proba(self, X, offset: ArrayLike | None = None) -> NDArray[np.float64]:
        """Class probabilities in ``classes_`` order, rows summing to 1.

        Two classes: [1 - σ(z), σ(z)] (1 - σ(z) computed as σ(-z)). Multinomial:
        softmax(z). One-vs-rest: σ(zₖ) normalised over the classes.
        """
        if is_dask_collection(X):  # a lazy dask array
            return dask_backend().predict(self, X, "predict_proba", offset)
        z = self.decision_function(X, offset)  # checks that the model is fitted
        return self.family_.probabilities(z)

    def predict_log_proba(self, X, offset: ArrayLike | None = None) -> NDArray[np.float64]:
        """log of ``predict_proba`` from the scores: exact in the tails, never log of 0."""
        if is_dask_collection(X):  # a lazy dask array
            return dask_backend().predict(self, X, "predict_log_proba", offset)
        z = self.decision_function(X, offset)
        return self.family_.log_probabilities(z)

    def predict(self, X, offset: ArrayLike | None = None) -> NDArray:
        """The most probable class: ``classes_[1]`` where z > 0 for two classes."""
        if is_dask_collection(X):  # a lazy dask array
            return dask_backend().predict(self, X, "predict", offset)
        z = self.decision_function(X, offset)
        return self.family_.predict(z, self.classes_)

    def decision_boundary(self) -> DecisionBoundary:
        """The hyperplane w₀ + w·x = 0, where σ(z) = 1/2 (two classes).

        Seed 001's W = [-3, 1, 1] gives the line x₁ + x₂ = 3.
        """
        check_is_fitted(self)
        if self.family_.multiclass is not None:
            raise ValueError(
                f"decision_boundary() is for two classes; this model has {len(self.classes_)} "
                "(each pair of classes k, l meets where zₖ = zₗ)"
            )
        return DecisionBoundary(
            float(self.intercept_[0]), self.coef_.ravel().copy(), tuple(feature_names(self))
        )

    def save(self, path) -> None:
        """Writes the fitted model to ``path`` as JSON (atomically; never pickle)."""
        save_model_file(self, path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = self.penalty != "firth"  # Firth: two classes only
        return tags
