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

import math
import numbers
import sys
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from logistic.core.boundary import DecisionBoundary
from logistic.core.design import Design, canonical
from logistic.core.losses import LOSSES, get_loss, log_softmax, softmax, softmax_cross_entropy
from logistic.core.objective import Objective
from logistic.core.penalties import ElasticNetPenalty, NoPenalty
from logistic.core.scaling import (
    UNREPRESENTABLE_COVARIANCE,
    ScaledPenalty,
    column_scales,
    scale_columns,
    unscale_statistics,
)
from logistic.core.sigmoid import log_sigmoid, sigmoid
from logistic.exceptions import ConvergenceWarning, SeparationWarning
from logistic.inference.firth import (
    FIRTH_COV_TYPES,
    firth_profile_intervals,
    firth_statistics,
)
from logistic.inference.profile import profile_intervals
from logistic.inference.separation import (
    check_separation,
    class_extremes,
    in_user_units,
    mark_summary,
    merge_one_against_rest,
    one_against_rest,
    separated_terms,
    separation_message,
)
from logistic.inference.statistics import (
    COV_TYPES,
    MAX_PARAMETERS_FOR_COVARIANCE,
    FitStatistics,
    Summary,
    fit_statistics,
    wald_interval,
)
from logistic.io.formula import design_matrices
from logistic.solvers import SOLVERS, SolverResult
from logistic.solvers.firth import firth_newton, preferred_hessian
from logistic.solvers.stopping import describe_stop

__all__ = ["LogisticRegression"]

PENALTIES = (None, "l2", "l1", "elasticnet", "firth")
_SPARSE_PENALTIES = ("l1", "elasticnet")
SOLVER_NAMES = ("auto", *SOLVERS)
# Newton forms the p × p Hessian each iteration: worth it while p is moderate.
_NEWTON_MAX_PARAMS = 256
MULTI_CLASS = ("multinomial", "ovr")


class LogisticRegression(ClassifierMixin, BaseEstimator):
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
    solver : {'auto', 'newton', 'lbfgs', 'gd', 'newton-cd'}, default 'auto'
        'auto' takes Newton for up to 256 parameters (K·(d + 1) for K classes) and a convex
        loss, else L-BFGS; 'newton-cd' (proximal Newton, coordinate descent on a working set)
        for 'l1' and 'elasticnet', the only solver those accept. 'gd' is the lecture's
        fixed-step gradient descent. The solver that ran is in ``solver_``.
    max_iter : int >= 0, default 100
    tol : float >= 0, default 1e-6
        For the Newton-type fits ('newton', 'newton-cd', Firth's): stop once the step just
        computed is within tol standard errors, √(n·∇JᵀH⁻¹∇J) ≤ tol with n = Σsᵢ (no
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
    def _check_params(self) -> None:
        def positive(name: str, value, allow_zero: bool = False) -> None:
            ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
            ok = ok and _finite(value) and (value >= 0 if allow_zero else value > 0)
            if not ok:
                bound = ">= 0" if allow_zero else "> 0"
                raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")

        if self.penalty not in PENALTIES:
            raise ValueError(f"penalty must be one of {PENALTIES}, got {self.penalty!r}")
        positive("C", self.C)
        _check_l1_ratio(self.penalty, self.l1_ratio)
        positive("tol", self.tol, allow_zero=True)
        positive("learning_rate", self.learning_rate)
        if not isinstance(self.max_iter, numbers.Integral) or self.max_iter < 0:
            raise ValueError(f"max_iter must be an integer >= 0, got {self.max_iter!r}")
        if self.solver not in SOLVER_NAMES:
            raise ValueError(f"solver must be one of {SOLVER_NAMES}, got {self.solver!r}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {self.loss!r}")
        if self.cov_type not in COV_TYPES + FIRTH_COV_TYPES:
            raise ValueError(f"cov_type must be one of {COV_TYPES + FIRTH_COV_TYPES[1:]}, got "
                             f"{self.cov_type!r}")
        if self.penalty == "firth" and self.cov_type not in FIRTH_COV_TYPES:
            raise ValueError(f"cov_type for penalty='firth' is one of {FIRTH_COV_TYPES}, got "
                             f"{self.cov_type!r}")
        if self.penalty != "firth" and self.cov_type in FIRTH_COV_TYPES[1:]:
            raise ValueError(f"cov_type={self.cov_type!r} is for penalty='firth'")
        if self.multi_class not in MULTI_CLASS:
            raise ValueError(f"multi_class must be one of {MULTI_CLASS}, got {self.multi_class!r}")
        for name in ("fit_intercept", "warm_start"):
            if not isinstance(getattr(self, name), bool | np.bool_):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if not isinstance(self.verbose, numbers.Integral) or self.verbose < 0:
            raise ValueError(f"verbose must be an integer >= 0, got {self.verbose!r}")
        if self.callback is not None and not callable(self.callback):
            raise ValueError("callback must be callable(iteration, state) or None")
        if self.penalty == "firth" and self.solver not in ("auto", "newton"):
            raise ValueError(
                f"penalty='firth' is fitted by its modified Newton iterations: solver must be "
                f"'auto' or 'newton', got {self.solver!r}"
            )
        if self.penalty in _SPARSE_PENALTIES and self.solver not in ("auto", "newton-cd"):
            raise ValueError(
                f"penalty={self.penalty!r} is not differentiable at 0: solver must be 'auto' "
                f"or 'newton-cd', got {self.solver!r}"
            )
        if self.penalty == "firth" and self.loss != "cross_entropy":
            raise ValueError(f"penalty='firth' needs loss='cross_entropy', got {self.loss!r}")

    # -- fitting -----------------------------------------------------------------------------
    def fit(
        self, X, y: ArrayLike, sample_weight: ArrayLike | None = None, groups=None
    ) -> LogisticRegression:
        """Minimizes J(w, b) on (X, y), each sample weighted by ``sample_weight``.

        ``groups`` (one label per row) are the clusters of ``cov_type='cluster'``.
        """
        self._check_params()
        if hasattr(X, "__dask_graph__"):  # a dask collection: fitted partition by partition
            from logistic.scale.dask_backend import fit as fit_dask

            return fit_dask(self, X, y, sample_weight, groups)
        self.formula_ = None
        X, classes, y_index, weights = self._prepare(X, y, sample_weight)
        self.classes_ = classes
        # the unpenalized fit is screened for separation afterwards; the screen's per-class
        # column extremes also serve the scale check, so X is read once for both
        screened = self.penalty is None and self.loss == "cross_entropy"
        extremes = None
        if screened:
            labels = y_index == 1 if classes.size == 2 else y_index
            extremes = class_extremes(X, labels, weights, classes.size)
        # columns of size beyond 2^±64 are fitted rescaled by powers of two (scaling.py)
        scales = None if self.penalty == "firth" else column_scales(X, extremes)
        if scales is not None:
            X = scale_columns(X, scales)
            if extremes is not None:  # exact: the scales are powers of two
                extremes = (extremes[0] * scales, extremes[1] * scales)
        targets = self._targets(classes, y_index)
        del y_index  # an n-vector the fits do not need
        fits = [self._solve(X, target, weights, scales) for target in targets]
        self._store(fits)
        if scales is not None:
            self.coef_ = self.coef_ * scales

        self.statistics_ = None
        self.inference_note_ = self._inference_note(fits)
        if self.inference_note_ is None:
            objective, result = fits[0]
            if self.penalty == "firth":
                self.statistics_ = firth_statistics(objective, result, self._inference_terms(),
                                                    cov_type=self.cov_type)
            else:
                terms = self._inference_terms()
                codes = self._cluster_codes(groups, X.shape[0])
                self.statistics_ = fit_statistics(
                    objective, result.theta, terms, self.cov_type, codes
                )
                if scales is not None:
                    kept = max(classes.size - 1, 1)
                    self.statistics_ = unscale_statistics(
                        self.statistics_, scales, kept, bool(self.fit_intercept)
                    )
                    if self.statistics_ is None:
                        self.inference_note_ = UNREPRESENTABLE_COVARIANCE
        self.separation_ = None
        if screened:
            self._warn_if_separated(fits, weights, extremes, scales)
        return self

    def _prepare(self, X, y, sample_weight):
        """Checked (X, classes, y as class indices, sample weights × class weights)."""
        with _finite_check_quietly():
            X, y = validate_data(
                self, _numeric_columns(X), y, accept_sparse=["csr", "csc"],
                dtype=[np.float64, np.float32],
            )
        X = canonical(X)  # duplicate sparse entries summed (a copy, only for such input)
        _check_no_missing_labels(y)
        _check_class_labels(y)
        # the classes by a sort, the indices by binary search: np.unique's return_inverse
        # argsorts the labels instead (covtype's 581,012: 101 ms against 16)
        classes = np.unique(y)
        y_index = np.searchsorted(classes, y)
        if classes.size < 2:
            raise ValueError(
                "LogisticRegression needs samples of at least 2 classes, "
                f"but the data contain only 1 class: {classes[0]!r}"
            )
        weights = _sample_weight(sample_weight, X.shape[0])
        if self.class_weight is not None:
            weights = weights * _class_weights(self.class_weight, classes, y)
        present = np.flatnonzero(np.bincount(y_index[weights > 0], minlength=classes.size))
        if present.size < 2:
            raise ValueError(
                "sample_weight leaves only 1 class with positive weight: "
                f"{classes[present[0]]!r}"
            )
        if classes.size > 2 and self.loss != "cross_entropy":
            raise ValueError(
                f"loss={self.loss!r} is for two classes; y has {classes.size}: use the "
                "cross-entropy (loss='cross_entropy')"
            )
        if classes.size > 2 and self.penalty == "firth":
            raise ValueError(
                "Only binary classification is supported with penalty='firth'; y has "
                f"{classes.size} classes: use penalty=None or 'l2' for more"
            )
        return X, classes, y_index, weights

    def _targets(self, classes, y_index) -> list[NDArray[np.float64]]:
        """What each fit minimizes against: y ∈ {0, 1} for two classes, one-hot rows for
        the multinomial, one 0/1 vector per class for one-vs-rest."""
        if classes.size == 2:
            return [(y_index == 1).astype(np.float64)]
        if self.multi_class == "multinomial":
            return [np.eye(classes.size)[y_index]]
        return [(y_index == k).astype(np.float64) for k in range(classes.size)]

    def _cluster_codes(self, groups, n_samples: int) -> NDArray[np.intp] | None:
        """Integer cluster codes for cov_type='cluster' (None otherwise)."""
        if self.cov_type != "cluster":
            return None
        if groups is None:
            raise ValueError("cov_type='cluster' needs fit(X, y, groups=...): a cluster per row")
        groups = np.asarray(groups).ravel()
        if groups.shape != (n_samples,):
            raise ValueError(f"groups has {groups.size} labels for {n_samples} rows")
        codes = np.unique(groups, return_inverse=True)[1]
        if codes.max(initial=0) < 1:
            raise ValueError("cov_type='cluster' needs at least 2 clusters")
        return codes.ravel()

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
        model.fit(X, y, sample_weight=sample_weight, groups=groups)
        model.formula_ = spec
        return model

    def _encoded(self, X):
        """Raw rows of a formula model become its encoded columns; anything else as given."""
        spec = getattr(self, "formula_", None)
        if spec is None or not isinstance(X, pd.DataFrame):
            return X
        if [str(c) for c in X.columns] == list(spec.columns):
            return X
        return spec.transform(X)

    def _solve(self, X, target, weights, scales=None) -> tuple[Objective, SolverResult]:
        """Builds the objective for one target (vector, or one-hot matrix) and minimizes it;
        X's columns multiplied by ``scales`` where given (the penalty stays the user's)."""
        penalty = self._penalty(weights)
        smooth = penalty.smooth
        if scales is not None and not isinstance(smooth, NoPenalty):
            smooth = ScaledPenalty(smooth, scales)
        objective = self._objective(X, target, weights, smooth)
        solver = self._choose_solver(objective)
        minimize = firth_newton if self.penalty == "firth" else SOLVERS[solver]
        options = {"max_iter": int(self.max_iter), "tol": float(self.tol)}
        if solver == "gd":
            options["learning_rate"] = float(self.learning_rate)
        if solver == "newton-cd":
            options["l1"] = penalty.l1 if scales is None else penalty.l1 * scales
        if self.penalty == "firth":
            options["hessian"] = preferred_hessian(objective)
        result = minimize(
            objective,
            self._initial_theta(objective, target, weights),
            **options,
            callback=_with_passes(self._iteration_callback(), objective),
        )
        self._warn_unless_converged(result, solver)
        result.solver = solver
        return objective, result

    def _objective(self, X, target, weights, penalty=None) -> Objective:
        """J for one target: the softmax cross-entropy for one-hot rows, else the chosen
        binary loss, with this model's intercept and the given (smooth) penalty."""
        loss = softmax_cross_entropy if target.ndim == 2 else get_loss(self.loss)
        return Objective(X, target, weights, loss, penalty, bool(self.fit_intercept))

    def _warn_unless_converged(self, result: SolverResult, solver: str) -> None:
        if not result.converged:
            warnings.warn(
                f"solver '{solver}' did not converge: {result.message} after "
                f"{result.n_iter} iterations ({describe_stop(result, self.tol)}). Increase "
                "max_iter, scale the features or loosen tol.",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _store(self, fits: list[tuple[Objective, SolverResult]]) -> None:
        """coef_ (one row per score column), intercept_, and how the solver(s) went."""
        self.coef_, self.intercept_ = self._coefficients(
            [(objective, result.theta) for objective, result in fits]
        )
        self.n_iter_ = np.array([result.n_iter for _, result in fits])
        self.converged_ = all(result.converged for _, result in fits)
        self.solver_ = fits[0][1].solver
        self.loss_history_ = np.asarray(fits[0][1].loss_history)
        self.grad_norm_history_ = np.asarray(fits[0][1].grad_norm_history)
        self.objective_ = float(sum(result.loss_history[-1] for _, result in fits))

    def _coefficients(self, fits) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(coef, intercept) from (objective, θ) pairs: a row per score column."""
        rows, intercepts = [], []
        for objective, theta in fits:
            w, b = objective.split(theta)
            rows.append(np.asarray(w).T.reshape(objective.n_outputs, -1))
            intercepts.append(np.atleast_1d(b))
        coef, intercept = np.vstack(rows), np.concatenate(intercepts)
        if fits[0][0].n_outputs > 1:
            # softmax scores are unchanged by adding one vector to every class: report the
            # centred solution (Σₖ wₖ = 0, Σₖ bₖ = 0), the minimum-norm one. An L1 penalty
            # picks its own sparse representative, which centring would destroy; the
            # intercepts are never penalized, so they are always free to centre.
            if self.penalty not in _SPARSE_PENALTIES:
                coef -= coef.mean(axis=0)
            intercept -= intercept.mean()
        return coef, intercept

    @property
    def _multiclass(self) -> str | None:
        """None for two classes, else 'multinomial' or 'ovr' (how this fit scored them)."""
        return None if len(self.classes_) <= 2 else self.multi_class

    def _inference_note(self, fits) -> str | None:
        """Why classical inference does not apply to this fit, or None where it does."""
        if self.penalty not in (None, "firth"):
            return (
                f"Standard errors, z and p-values are not reported for penalty={self.penalty!r}:"
                " a penalized estimate is biased by design and the inverse information is not"
                " its covariance. Refit with penalty=None for classical inference."
            )
        if self.loss != "cross_entropy":
            return f"loss={self.loss!r} is not a log-likelihood: no likelihood-based statistics."
        if not np.isfinite(fits[0][0].total_weight):
            return (
                "The sample weights add up beyond the largest float: as frequencies they "
                "give no finite sample size, so no statistics are reported."
            )
        if len(fits) > 1:
            return (
                "multi_class='ovr' fits one binary model per class; their joint likelihood is "
                "not one model's. Use multi_class='multinomial' for standard errors."
            )
        if fits[0][0].n_params > MAX_PARAMETERS_FOR_COVARIANCE:
            return (
                f"{fits[0][0].n_params} parameters: the covariance matrix is not formed above "
                f"{MAX_PARAMETERS_FOR_COVARIANCE}."
            )
        return None

    def _penalty(self, weights: NDArray[np.float64], C: float | None = None) -> ElasticNetPenalty:
        """The penalty at C (self.C by default) as an elastic net: λ₁ for the solver, the
        smooth rest for the objective (ρ = 0 is the L2 penalty, α = 0 none)."""
        if self.penalty not in ("l2", *_SPARSE_PENALTIES):
            return ElasticNetPenalty(0.0, 0.0)
        ratio = {"l2": 0.0, "l1": 1.0}.get(self.penalty, self.l1_ratio)
        strength = _l2_strength(self.C if C is None else C, weights)
        return ElasticNetPenalty(strength, float(ratio))

    def _penalty_label(self) -> str:
        """The summary's penalty: 'none', 'l2 (C=1)', 'elasticnet (C=0.1, l1_ratio=0.5)'."""
        if self.penalty is None:
            return "none"
        if self.penalty == "elasticnet":
            return f"elasticnet (C={self.C:g}, l1_ratio={self.l1_ratio:g})"
        return f"{self.penalty} (C={self.C:g})"

    def _choose_solver(self, objective: Objective) -> str:
        if self.penalty == "firth":
            return "firth-newton"
        if self.solver != "auto":
            return self.solver
        if self.penalty in _SPARSE_PENALTIES:
            return "newton-cd"
        convex = objective.loss.convex
        return "newton" if convex and objective.n_params <= _NEWTON_MAX_PARAMS else "lbfgs"

    def _initial_theta(self, objective: Objective, target, weights) -> NDArray[np.float64]:
        """The previous fit's θ with warm_start; else w = 0 and b = the log-odds of the
        weighted class frequencies (centred log-priors for K classes)."""
        previous = getattr(self, "coef_", None) if self.warm_start else None
        shape = (objective.n_outputs, objective.n_features)
        if previous is not None and previous.shape == shape:
            return objective.join(previous.T, self.intercept_)
        share = weights / weights.max()  # weights near 1e307 must not overflow the sums
        # einsum, not BLAS's share @ target: OpenBLAS would wake a thread for this one long
        # dot product, which then spins through the first compiled pass (threads.py)
        weighted = np.einsum("i,i...->...", share, target)
        mean = np.clip(weighted / share.sum(), 1e-12, 1 - 1e-12)
        if objective.n_outputs == 1:
            b = np.log(mean) - np.log1p(-mean)
        else:
            b = np.log(mean) - np.log(mean).mean()
        return objective.join(np.zeros((objective.n_features, objective.n_outputs)), b)

    def _iteration_callback(self):
        user = self.callback
        if not self.verbose and user is None:
            return None

        def on_iteration(iteration: int, state: dict) -> None:
            if self.verbose:
                print(
                    f"iter {iteration:4d}  loss {state['loss']:.10g}  "
                    f"|grad|max {state['grad_norm']:.3e}",
                    file=sys.stderr,
                )
            if user is not None:
                user(iteration, state)

        return on_iteration

    def _warn_if_separated(self, fits, weights, extremes, scales) -> None:
        """``separation_`` and a SeparationWarning where the screen (separation.py) finds
        one; one-vs-rest screens each class's binary problem. ``scales``: the columns'
        power-of-two scales the fits used (scaling.py), or None."""
        cov = None  # the nonrobust covariance of the fitted (unscaled) columns, if any
        if self.statistics_ is not None and self.cov_type == "nonrobust" and scales is None:
            cov = self.statistics_.cov
        found = []
        for k, (objective, result) in enumerate(fits):
            part = extremes if len(fits) == 1 else one_against_rest(extremes, k)
            found.append(in_user_units(
                check_separation(objective, result.theta, weights, part, cov), scales))
        self.separation_ = found[0] if len(fits) == 1 else merge_one_against_rest(found)
        if self.separation_ is None:
            return
        names = self._feature_names()
        self.separation_ = replace(
            self.separation_, names=tuple(names[j] for j in self.separation_.features)
        )
        labels = [None] if len(fits) == 1 else self.classes_
        for label, part in zip(labels, found, strict=True):
            if part is not None:
                prefix = "" if label is None else f"Class {label!s} against the rest: "
                warnings.warn(prefix + separation_message(part, names), SeparationWarning,
                              stacklevel=3)

    # -- inference ---------------------------------------------------------------------------
    def _feature_names(self) -> list[str]:
        """feature_names_in_ as strings, or the seeds' x1, x2, … for unnamed columns."""
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            return [f"x{j}" for j in range(1, self.n_features_in_ + 1)]
        return [str(name) for name in names]

    def _feature_terms(self) -> list[str]:
        names = self._feature_names()
        return ["Intercept", *names] if self.fit_intercept else names

    def _inference_terms(self) -> tuple[str, ...]:
        """The terms of the statistics: with K classes, classes 2..K against the first (the
        reference-class parametrization of statsmodels' MNLogit), '<class>: <term>'."""
        terms = self._feature_terms()
        if self._multiclass is None:
            return tuple(terms)
        return tuple(f"{label}: {term}" for label in self.classes_[1:] for term in terms)

    def _inference_params(self) -> NDArray[np.float64]:
        """The estimates in the order of ``_inference_terms``, intercept first."""
        rows = self.coef_
        if self.fit_intercept:
            rows = np.column_stack([self.intercept_, rows])
        if self._multiclass is not None:
            rows = (rows - rows[0])[1:]
        return rows.ravel()

    def _rebuild_statistics(self, cov, rank, n_obs, log_likelihood, null_log_likelihood):
        """FitStatistics from stored numbers (a model file), with this model's estimates."""
        n_intercepts = (max(len(self.classes_) - 1, 1)) * int(self.fit_intercept)
        return FitStatistics(
            terms=self._inference_terms(),
            params=self._inference_params(),
            cov=cov,
            rank=rank,
            n_obs=n_obs,
            log_likelihood=log_likelihood,
            null_log_likelihood=null_log_likelihood,
            n_intercepts=n_intercepts,
            cov_type=self.cov_type,
        )

    def _statistic(self, name: str):
        check_is_fitted(self)
        if self.statistics_ is None:
            raise AttributeError(f"{name}_ is not available: {self.inference_note_}")
        return getattr(self.statistics_, name)

    cov_ = property(lambda self: self._statistic("cov"), doc="Covariance I⁻¹, intercept first.")
    std_err_ = property(lambda self: self._statistic("std_err"), doc="√diag(cov_).")
    z_ = property(lambda self: self._statistic("z"), doc="Wald z = θ̂ / std err.")
    p_values_ = property(
        lambda self: self._statistic("p_values"),
        doc="2·Φ(-|z|); for penalty='firth' the penalized likelihood-ratio tests' (χ²₁).",
    )
    log_likelihood_ = property(lambda self: self._statistic("log_likelihood"))
    null_log_likelihood_ = property(lambda self: self._statistic("null_log_likelihood"))
    deviance_ = property(lambda self: self._statistic("deviance"))
    null_deviance_ = property(lambda self: self._statistic("null_deviance"))
    aic_ = property(lambda self: self._statistic("aic"))
    bic_ = property(lambda self: self._statistic("bic"))
    pseudo_r2_ = property(lambda self: self._statistic("pseudo_r2"), doc="McFadden's R².")
    lr_stat_ = property(lambda self: self._statistic("lr_stat"))
    lr_p_value_ = property(lambda self: self._statistic("lr_p_value"))
    df_model_ = property(lambda self: self._statistic("df_model"))
    df_resid_ = property(lambda self: self._statistic("df_resid"))

    def conf_int(
        self, alpha: float = 0.05, method: str = "wald", X=None, y=None, sample_weight=None
    ) -> NDArray[np.float64]:
        """(p, 2) confidence intervals at level 1 - α, intercept first.

        'wald': θ̂ ± Φ⁻¹(1 - α/2)·std err. 'profile': the profile likelihood interval
        {v : 2(ℓ(θ̂) - max ℓ(θ | θⱼ = v)) ≤ χ²₁(1 - α)} (``profile.py``; ℓ* for
        penalty='firth', as logistf), ±inf where the profile never reaches the quantile. The
        model does not keep its data, so 'profile' needs the training X, y (and
        sample_weight) again; a Firth fit's summary intervals, computed at fit time for
        α = 0.05, are returned without them.
        """
        if method not in ("wald", "profile"):
            raise ValueError(f"method must be 'wald' or 'profile', got {method!r}")
        params = self._statistic("params")
        if method == "wald":
            return wald_interval(params, self.std_err_, alpha)
        if self._multiclass is not None:
            raise ValueError("method='profile' is for two classes")
        if X is None or y is None:
            stored = getattr(self.statistics_, "profile_ci", None)
            if stored is not None and alpha == self.statistics_.profile_alpha:
                return stored.copy()
            raise ValueError(
                "method='profile' refits the model with each coefficient fixed, so it needs "
                "the training data: conf_int(alpha, method='profile', X=X, y=y)"
            )
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=False
        )
        labels = np.asarray(y).ravel()
        if labels.shape != (X.shape[0],) or not np.all(np.isin(labels, self.classes_)):
            raise ValueError(
                f"y must hold {X.shape[0]} labels among the classes {self.classes_.tolist()!r}"
            )
        weights = _sample_weight(sample_weight, X.shape[0])
        if self.class_weight is not None:
            weights = weights * _class_weights(self.class_weight, self.classes_, labels)
        target = (labels == self.classes_[1]).astype(np.float64)
        objective = Objective(X, target, weights, fit_intercept=bool(self.fit_intercept))
        theta = objective.join(self.coef_.ravel(), self.intercept_[0])
        profile = firth_profile_intervals if self.penalty == "firth" else profile_intervals
        d = objective.n_features
        order = np.r_[d, :d] if self.fit_intercept else np.arange(d)
        terms = [self._inference_terms()[i] for i in np.argsort(order)]
        return profile(objective, theta, alpha, terms=terms, check=bool(self.converged_))[order]

    def summary(self, alpha: float = 0.05) -> Summary:
        """The coefficient table with the fit's header (statsmodels-style).

        With K classes and statistics, the rows are classes 2..K against the first, as
        statsmodels' MNLogit reports them; without statistics, each class's own row.
        """
        check_is_fitted(self)
        low, high = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
        kind = self._multiclass
        header: dict[str, object] = {
            "Model": "Logit" if self.loss == "cross_entropy" else f"sigmoid, {self.loss}",
            "Classes": f"{self.classes_[0]!s} / {self.classes_[1]!s} (P of the second)",
            "Penalty": self._penalty_label(),
            "Solver": self.solver_,
            "Iterations": int(self.n_iter_.max()),
            "Converged": bool(self.converged_),
        }
        if kind is not None:
            header["Model"] = "MNLogit" if kind == "multinomial" else "Logit, one-vs-rest"
            header["Classes"] = f"{len(self.classes_)}, reference {self.classes_[0]!s}"
        if self.statistics_ is None:
            terms = self._feature_terms()
            rows = self.coef_ if not self.fit_intercept else np.column_stack(
                [self.intercept_, self.coef_]
            )
            if kind is not None:
                terms = [f"{label}: {term}" for label in self.classes_ for term in terms]
            nan = np.full(len(terms), np.nan)
            columns = {"coef": rows.ravel(), "std err": nan, "z": nan, "P>|z|": nan,
                       low: nan, high: nan}
            summary = Summary(header, pd.DataFrame(columns, index=terms), note=self.inference_note_)
            return self._mark_separation(summary)
        fit = self.statistics_
        header.update({
            "Covariance Type": fit.cov_type,
            "No. Observations": fit.n_obs,
            "Df Residuals": fit.df_resid,
            "Df Model": fit.df_model,
            "Log-Likelihood": fit.log_likelihood,
            "LL-Null": fit.null_log_likelihood,
            "LLR p-value": fit.lr_p_value,
            "Pseudo R-squ.": fit.pseudo_r2,
            "AIC": fit.aic,
            "BIC": fit.bic,
        })
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
        if self.penalty == "firth":
            header["Penalty"] = "firth (Jeffreys prior)"
            note = _firth_note(fit, profiled)
        return self._mark_separation(Summary(header, pd.DataFrame(columns, index=terms), note))

    def _mark_separation(self, summary: Summary) -> Summary:
        """The terms ``separation_`` involves marked † in the table, named in the note."""
        found = getattr(self, "separation_", None)  # a loaded model has none
        if found is None or found.involved is None:
            return summary
        names = self._feature_names() + (["Intercept"] if self.fit_intercept else [])
        centred = self.statistics_ is None and self._multiclass == "multinomial"
        terms = separated_terms(found, names, self.classes_, summary.table.index, centred)
        return mark_summary(summary, found, terms)

    # -- prediction --------------------------------------------------------------------------
    def decision_function(self, X) -> NDArray[np.float64]:
        """z = X·w + b per row ((n,) for two classes; (n, K) scores for K classes).

        σ(z) is the probability of ``classes_[1]``; with K classes softmax(z) gives them all.
        """
        check_is_fitted(self)
        if hasattr(X, "__dask_graph__"):  # dask input: a lazy dask array
            from logistic.scale.dask_backend import predict as predict_dask

            return predict_dask(self, X, "decision_function")
        with _finite_check_quietly():
            X = validate_data(
                self,
                _numeric_columns(self._encoded(X)),
                accept_sparse=["csr", "csc"],
                dtype=[np.float64, np.float32],
                reset=False,
            )
        if self._multiclass is None:
            return Design(X).matvec(self.coef_.ravel()) + self.intercept_[0]
        return Design(X).matvec(self.coef_.T) + self.intercept_

    def predict_proba(self, X) -> NDArray[np.float64]:
        """Class probabilities in ``classes_`` order, rows summing to 1.

        Two classes: [1 - σ(z), σ(z)] (1 - σ(z) computed as σ(-z)). Multinomial:
        softmax(z). One-vs-rest: σ(zₖ) normalised over the classes.
        """
        if hasattr(X, "__dask_graph__"):  # dask input: a lazy dask array
            from logistic.scale.dask_backend import predict as predict_dask

            return predict_dask(self, X, "predict_proba")
        z = self.decision_function(X)
        if self._multiclass is None:
            return np.column_stack([sigmoid(-z), sigmoid(z)])
        if self._multiclass == "multinomial":
            return softmax(z)
        return softmax(log_sigmoid(z))

    def predict_log_proba(self, X) -> NDArray[np.float64]:
        """log of ``predict_proba`` from the scores: exact in the tails, never log of 0."""
        if hasattr(X, "__dask_graph__"):  # dask input: a lazy dask array
            from logistic.scale.dask_backend import predict as predict_dask

            return predict_dask(self, X, "predict_log_proba")
        z = self.decision_function(X)
        if self._multiclass is None:
            return np.column_stack([log_sigmoid(-z), log_sigmoid(z)])
        return log_softmax(z if self._multiclass == "multinomial" else log_sigmoid(z))

    def predict(self, X) -> NDArray:
        """The most probable class: ``classes_[1]`` where z > 0 for two classes."""
        if hasattr(X, "__dask_graph__"):  # dask input: a lazy dask array
            from logistic.scale.dask_backend import predict as predict_dask

            return predict_dask(self, X, "predict")
        z = self.decision_function(X)
        if self._multiclass is None:
            return self.classes_[(z > 0).astype(int)]
        return self.classes_[np.argmax(z, axis=1)]

    def decision_boundary(self) -> DecisionBoundary:
        """The hyperplane w₀ + w·x = 0, where σ(z) = 1/2 (two classes).

        Seed 001's W = [-3, 1, 1] gives the line x₁ + x₂ = 3.
        """
        check_is_fitted(self)
        if self._multiclass is not None:
            raise ValueError(
                f"decision_boundary() is for two classes; this model has {len(self.classes_)} "
                "(each pair of classes k, l meets where zₖ = zₗ)"
            )
        return DecisionBoundary(
            float(self.intercept_[0]), self.coef_.ravel().copy(), tuple(self._feature_names())
        )

    def save(self, path) -> None:
        """Writes the fitted model to ``path`` as JSON (atomically; never pickle)."""
        from logistic.io.model_file import save

        save(self, path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = self.penalty != "firth"  # Firth: two classes only
        return tags


def _firth_note(fit, profile: bool) -> str:
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


def _finite(value) -> bool:
    """math.isfinite for any real, a Python int beyond float's range included (not finite)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _l2_strength(C: float, weights: NDArray[np.float64]) -> float:
    """α = 1/(C·Σsᵢ), computed so that neither C·Σs nor Σs overflows for huge values."""
    scale = float(weights.max())
    with np.errstate(over="ignore"):
        return float((1.0 / C) / scale / (weights / scale).sum())


def _finite_check_quietly():
    """scikit-learn's finiteness check first sums X, which for finite values near 1e308
    overflows to inf and then inf - inf: NumPy warnings about a sum that is only a fast
    test (the exact test that follows decides). Silenced for that check alone."""
    return np.errstate(over="ignore", invalid="ignore")


def _check_l1_ratio(penalty, l1_ratio) -> None:
    """l1_ratio: a number in [0, 1] for the elastic net; elsewhere ignored, with a warning."""
    if penalty != "elasticnet":
        if l1_ratio is not None:
            warnings.warn(
                f"l1_ratio={l1_ratio!r} is used only with penalty='elasticnet'; "
                f"penalty={penalty!r} ignores it",
                UserWarning,
                stacklevel=4,
            )
        return
    ok = isinstance(l1_ratio, numbers.Real) and not isinstance(l1_ratio, bool)
    if not (ok and 0 <= l1_ratio <= 1):
        raise ValueError(
            f"l1_ratio must be a number in [0, 1] with penalty='elasticnet', got {l1_ratio!r}"
        )


def _check_class_labels(y) -> None:
    """scikit-learn's check_classification_targets, which accepts 1-d integer and boolean
    labels always: those skip its type_of_target (0.3 ms, the largest part of a small fit's
    validation)."""
    if not (y.ndim == 1 and y.dtype.kind in "biu"):
        check_classification_targets(y)


def _check_no_missing_labels(y) -> None:
    """None or NaN among object labels is a missing label, not a class."""
    if np.asarray(y).dtype != object:
        return
    missing = [i for i, v in enumerate(y) if v is None or (isinstance(v, float) and v != v)]
    if missing:
        shown = ", ".join(map(str, missing[:5])) + (", ..." if len(missing) > 5 else "")
        raise ValueError(f"y has missing labels (None or NaN) at rows {shown}")


def _class_weights(class_weight, classes, y) -> NDArray[np.float64]:
    """Per-sample weights from class_weight ('balanced' or {label: weight})."""
    if isinstance(class_weight, dict):
        unknown = [label for label in class_weight if label not in set(classes.tolist())]
        if unknown:
            raise ValueError(
                f"class_weight has labels that are not in y: {unknown!r}; "
                f"the classes are {classes.tolist()!r}"
            )
        bad = [w for w in class_weight.values() if not (np.isfinite(w) and w >= 0)]
        if bad:
            raise ValueError(f"class_weight values must be finite and >= 0, got {bad!r}")
    elif class_weight != "balanced":
        raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {class_weight!r}")
    return compute_sample_weight(class_weight, y)


def _sample_weight(sample_weight, n_samples: int) -> NDArray[np.float64]:
    """Validated weights: a finite, non-negative vector of length n with a positive sum."""
    if sample_weight is None:
        return np.ones(n_samples)
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool):
        sample_weight = np.full(n_samples, float(sample_weight))
    if sp.issparse(sample_weight):
        raise ValueError("sample_weight must be a dense 1-d array")
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("sample_weight must be numeric") from None
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {weights.shape}, expected ({n_samples},)"
        )
    if not np.all(np.isfinite(weights)):
        raise ValueError("sample_weight contains NaN or infinity")
    if np.any(weights < 0):
        raise ValueError("sample_weight must be non-negative")
    if not np.any(weights > 0):
        raise ValueError("sample_weight is zero for every sample: no sample would count")
    return weights


def _numeric_columns(X):
    """X as given, once no DataFrame column (pandas or polars) holds text or categories:
    those get a DataError naming them (``data.check_numeric_columns``)."""
    from logistic.io.data import check_numeric_columns

    check_numeric_columns(X)
    return X


def _with_passes(callback, objective: Objective):
    """``callback`` with the passes over X so far added to its state as 'passes' (the
    design's counter: reading it costs nothing); None stays None."""
    if callback is None:
        return None

    def on_iteration(iteration: int, state: dict) -> None:
        passes = getattr(objective.design, "passes", None)
        callback(iteration, state if passes is None else {**state, "passes": passes})

    return on_iteration
