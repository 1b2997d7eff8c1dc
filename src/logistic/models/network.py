"""The seeds' two-layer sigmoid network as a scikit-learn classifier, and seed 001's
comparison of the two losses.

The mathematics (the forward pass Z^[1], A^[1], Z^[2], A^[2], the loss, and back-propagation
E^[2], δ^[2], ΔW^[2], δ^[1], ΔW^[1], one function per step) is in :mod:`logistic.core.network`,
and its names are importable from here too, as is ``gradient_descent`` (the lecture's
W ← W - η·ΔW, :mod:`logistic.models.network_descent`). This module wraps them::

    SigmoidNetwork     the estimator: fit (L-BFGS or gradient descent), predict, predict_proba
    compare_losses     squared error versus cross-entropy from the same start

``compare_losses`` runs seed 001's comparison of the two losses from a confidently wrong
start: the squared-error gradient is damped by σ'(z) ≤ 0.25 (and by e^-|z| when |z| is
large), the cross-entropy's is not.
"""

from __future__ import annotations

import numbers
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from logistic.core.losses import cross_entropy_value, log_softmax, softmax
from logistic.core.network import (
    LOSS_NAMES,
    OUTPUTS,
    Architecture,
    ForwardPass,
    Gradients,
    NetworkObjective,
    Parameters,
    backward,
    bias_gradient,
    forward,
    hidden_activations,
    hidden_delta,
    hidden_scores,
    hidden_weight_gradient,
    objective_value,
    output_activations,
    output_delta_cross_entropy,
    output_delta_squared_error,
    output_error,
    output_scores,
    output_weight_gradient,
    per_sample_loss,
    weight_decay,
)
from logistic.core.sigmoid import log_sigmoid, sigmoid
from logistic.exceptions import ConvergenceWarning
from logistic.models.atomic_fit import atomic_fit
from logistic.models.network_descent import gradient_descent
from logistic.solvers import lbfgs

Array = NDArray[np.float64]

__all__ = [
    "LOSS_NAMES",
    "OUTPUTS",
    "SOLVER_NAMES",
    "Architecture",
    "ForwardPass",
    "Gradients",
    "LossComparison",
    "LossHistory",
    "NetworkObjective",
    "Parameters",
    "SigmoidNetwork",
    "backward",
    "bias_gradient",
    "compare_losses",
    "forward",
    "gradient_descent",
    "hidden_activations",
    "hidden_delta",
    "hidden_scores",
    "hidden_weight_gradient",
    "objective_value",
    "output_activations",
    "output_delta_cross_entropy",
    "output_delta_squared_error",
    "output_error",
    "output_scores",
    "output_weight_gradient",
    "per_sample_loss",
    "weight_decay",
]

SOLVER_NAMES = ("lbfgs", "gd")


# -- the estimator -----------------------------------------------------------------------------
class SigmoidNetwork(ClassifierMixin, BaseEstimator):
    """The seeds' two-layer network: input → ``hidden`` sigmoid units → sigmoid/softmax output.

        Z^[1] = W^[1]X + b^[1],  A^[1] = σ(Z^[1]),  Z^[2] = W^[2]A^[1] + b^[2],  Ŷ = g(Z^[2])

    trained by back-propagation to minimize J = (1/m)Σᵢ e⁽ⁱ⁾ + (α/2)(‖W^[1]‖² + ‖W^[2]‖²).
    Samples are the columns of X in the formulas (and in ``W1_`` … ``b2_``); ``fit`` and
    ``predict`` take the usual (n_samples, n_features) rows and transpose.

    Parameters
    ----------
    hidden : int >= 0, default 8
        Hidden sigmoid units. 0: no hidden layer, Ŷ = g(W^[2]X + b^[2]) is logistic
        regression (binary, or multinomial with the cross-entropy).
    loss : {'cross_entropy', 'squared_error'}, default 'cross_entropy'
        Cross-entropy: one sigmoid output for two classes, a softmax over K outputs for K > 2.
        Squared error (the seeds' ½Σ(y - ŷ)², averaged over samples): sigmoid outputs, one
        for two classes, one per class against one-hot targets for K > 2.
    solver : {'lbfgs', 'gd'}, default 'lbfgs'
        'lbfgs': scipy's L-BFGS-B on the packed parameters (``solvers.lbfgs``).
        'gd': the lecture's W ← W - η·ΔW, with ``momentum`` and ``batch_size``.
    learning_rate : float > 0, default 0.1
        η of 'gd'.
    max_iter : int >= 0, default 200
        Iterations (L-BFGS, full-batch GD) or epochs (mini-batch GD).
    batch_size : int >= 1 or None, default None
        None (or ≥ m): full batch. Otherwise mini-batches, reshuffled every epoch with
        ``random_state``; all ``max_iter`` epochs are run.
    momentum : float in [0, 1), default 0
        μ of v ← μv - ηΔW, W ← W + v ('gd').
    alpha : float >= 0, default 0
        Weight decay on W^[1] and W^[2] (not on b): J += (α/2)Σ‖W‖². α = 1/(C·m) gives
        scikit-learn's C.
    tol : float >= 0, default 1e-5
        Stop when ‖∇J‖∞ ≤ tol (L-BFGS, full-batch GD).
    random_state : int, RandomState or None
        Seeds the Glorot-uniform initialization of W (b starts at 0) and the shuffling.
    verbose : int, default 0
        > 0 prints J and ‖∇J‖∞ every iteration to stderr.

    Attributes
    ----------
    classes_ : (K,) labels; with two, the network's output is P(classes_[1]).
    W1_ : (hidden, n_features), b1_ : (hidden, 1); both None when hidden = 0
    W2_ : (n_out, hidden) — (n_out, n_features) when hidden = 0; b2_ : (n_out, 1)
        n_out = 1 for two classes, K for K > 2.
    output_ : 'sigmoid' or 'softmax', the output g
    n_iter_ : int, converged_ : bool
    loss_history_, grad_norm_history_ : (n_iter_ + 1,) J and ‖∇J‖∞ per iteration/epoch,
        the start included
    n_features_in_, feature_names_in_ (for DataFrames)
    """

    def __init__(
        self,
        hidden: int = 8,
        *,
        loss: str = "cross_entropy",
        solver: str = "lbfgs",
        learning_rate: float = 0.1,
        max_iter: int = 200,
        batch_size: int | None = None,
        momentum: float = 0.0,
        alpha: float = 0.0,
        tol: float = 1e-5,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
    ) -> None:
        self.hidden = hidden
        self.loss = loss
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.momentum = momentum
        self.alpha = alpha
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose

    def _check_params(self) -> None:
        def integer(name: str, value: object, low: int) -> None:
            ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
            if not (ok and value >= low):
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")

        def real(
            name: str, value: object, low: float, *, strict: bool, high: float | None = None
        ) -> None:
            ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
            ok = ok and bool(np.isfinite(value)) and (value > low if strict else value >= low)
            ok = ok and (high is None or value < high)
            if not ok:
                bound = f"{'>' if strict else '>='} {low:g}" + (
                    f" and < {high:g}" if high is not None else ""
                )
                raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")

        integer("hidden", self.hidden, 0)
        integer("max_iter", self.max_iter, 0)
        if self.batch_size is not None:
            integer("batch_size", self.batch_size, 1)
        if self.loss not in LOSS_NAMES:
            raise ValueError(f"loss must be one of {LOSS_NAMES}, got {self.loss!r}")
        if self.solver not in SOLVER_NAMES:
            raise ValueError(f"solver must be one of {SOLVER_NAMES}, got {self.solver!r}")
        real("learning_rate", self.learning_rate, 0.0, strict=True)
        real("momentum", self.momentum, 0.0, strict=False, high=1.0)
        real("alpha", self.alpha, 0.0, strict=False)
        real("tol", self.tol, 0.0, strict=False)

    @atomic_fit
    def fit(self, X: ArrayLike, y: ArrayLike) -> SigmoidNetwork:
        """Back-propagation from a Glorot-uniform start until ‖∇J‖∞ ≤ tol or max_iter."""
        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        classes, index = np.unique(y, return_inverse=True)
        if classes.size < 2:
            raise ValueError(
                "SigmoidNetwork needs samples of at least 2 classes, "
                f"but the data contain only 1 class: {classes[0]!r}"
            )
        self.classes_ = classes
        if classes.size == 2:
            Y = index[None, :].astype(np.float64)  # (1, m): y = 1 for classes_[1]
        else:
            Y = np.eye(classes.size)[index].T  # (K, m) one-hot columns
        self.output_ = "softmax" if classes.size > 2 and self.loss == "cross_entropy" else "sigmoid"
        architecture = Architecture(X.shape[1], int(self.hidden), Y.shape[0])
        objective = NetworkObjective(
            X.T, Y, architecture, self.loss, self.output_, float(self.alpha)
        )
        rng = check_random_state(self.random_state)
        theta0 = architecture.pack(architecture.initial_parameters(rng))
        callback = self._iteration_callback()
        if self.solver == "lbfgs":
            result = lbfgs(
                objective, theta0, max_iter=int(self.max_iter), tol=float(self.tol),
                callback=callback,
            )
        else:
            result = gradient_descent(
                objective,
                theta0,
                learning_rate=float(self.learning_rate),
                max_iter=int(self.max_iter),
                tol=float(self.tol),
                momentum=float(self.momentum),
                batch_size=self.batch_size,
                random_state=rng,
                callback=callback,
            )
        mini_batch = self.solver == "gd" and self.batch_size is not None
        mini_batch = mini_batch and self.batch_size < X.shape[0]
        if not result.converged and not mini_batch:
            warnings.warn(
                f"SigmoidNetwork (solver '{self.solver}') did not converge: {result.message} "
                f"after {result.n_iter} iterations (‖∇J‖∞ = {result.grad_norm_history[-1]:.3g}, "
                f"tol = {self.tol:g}). Increase max_iter, scale the features or loosen tol.",
                ConvergenceWarning,
                stacklevel=2,
            )
        params = architecture.unpack(np.array(result.theta, dtype=np.float64))
        self.W1_, self.b1_, self.W2_, self.b2_ = params.W1, params.b1, params.W2, params.b2
        self.n_iter_ = int(result.n_iter)
        self.converged_ = bool(result.converged)
        self.loss_history_ = np.asarray(result.loss_history)
        self.grad_norm_history_ = np.asarray(result.grad_norm_history)
        return self

    def _iteration_callback(self) -> Callable[[int, dict], None] | None:
        if not self.verbose:
            return None

        def on_iteration(iteration: int, state: dict) -> None:
            print(
                f"iter {iteration:4d}  loss {state['loss']:.10g}  "
                f"|grad|max {state['grad_norm']:.3e}",
                file=sys.stderr,
            )

        return on_iteration

    @property
    def parameters_(self) -> Parameters:
        check_is_fitted(self)
        return Parameters(self.W1_, self.b1_, self.W2_, self.b2_)

    def forward(self, X: ArrayLike) -> ForwardPass:
        """The forward pass on new rows X (n, n_features); its arrays have samples as columns."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return forward(self.parameters_, X.T, self.output_)

    def decision_function(self, X: ArrayLike) -> Array:
        """Z^[2]ᵀ: (n,) for two classes (σ of it is P(classes_[1])), (n, K) for K > 2."""
        Z2 = self.forward(X).Z2
        return Z2[0] if Z2.shape[0] == 1 else Z2.T

    def predict_proba(self, X: ArrayLike) -> Array:
        """(n, K) class probabilities, rows summing to 1.

        Two classes: [σ(-z), σ(z)]. Softmax: softmax(z). K sigmoid units (squared error):
        σ(z_k) / Σ_l σ(z_l), computed as softmax(log σ(z)).
        """
        z = self.decision_function(X)
        if z.ndim == 1:
            return np.column_stack([sigmoid(-z), sigmoid(z)])
        return softmax(z if self.output_ == "softmax" else log_sigmoid(z))

    def predict_log_proba(self, X: ArrayLike) -> Array:
        """log ``predict_proba`` from the scores (log σ, log-softmax): never log of 0."""
        z = self.decision_function(X)
        if z.ndim == 1:
            return np.column_stack([log_sigmoid(-z), log_sigmoid(z)])
        return log_softmax(z if self.output_ == "softmax" else log_sigmoid(z))

    def predict(self, X: ArrayLike) -> NDArray:
        """classes_[1] where z > 0 (two classes); else the class of the largest score."""
        z = self.decision_function(X)
        if z.ndim == 1:
            return self.classes_[(z > 0).astype(int)]
        return self.classes_[np.argmax(z, axis=1)]


# -- seed 001: squared error versus cross-entropy ------------------------------------------------
@dataclass(frozen=True)
class LossHistory:
    """One gradient-descent run, per iteration t = 0 … n_iter (the start included).

    loss: the objective being minimized (its own J); grad_norm: ‖∇J‖∞ of that objective;
    cross_entropy: the mean training cross-entropy; accuracy: the training accuracy. The
    last two are measured the same way for both losses, so the two runs are comparable.
    """

    loss_name: str
    iterations: NDArray[np.int64]
    loss: Array
    grad_norm: Array
    cross_entropy: Array
    accuracy: Array

    def iterations_to_accuracy(self, target: float) -> int | None:
        """The first iteration with accuracy ≥ target, or None if never reached."""
        hits = np.flatnonzero(self.accuracy >= target)
        return int(self.iterations[hits[0]]) if hits.size else None

    def iterations_to_cross_entropy(self, target: float) -> int | None:
        """The first iteration with training cross-entropy ≤ target, or None."""
        hits = np.flatnonzero(self.cross_entropy <= target)
        return int(self.iterations[hits[0]]) if hits.size else None


@dataclass(frozen=True)
class LossComparison:
    """Seed 001's experiment: both losses from the same wrong start, same η, same data."""

    squared_error: LossHistory
    cross_entropy: LossHistory
    learning_rate: float
    initial_W: Array  # (1, n_features): W^[2] of the single sigmoid unit at the start
    initial_b: Array  # (1, 1)
    initial_median_abs_z: float
    initial_accuracy: float

    def __getitem__(self, loss_name: str) -> LossHistory:
        return {"squared_error": self.squared_error, "cross_entropy": self.cross_entropy}[
            loss_name
        ]


def _comparison_data(n_samples: int, rng: np.random.RandomState) -> tuple[Array, Array, Array]:
    """Two standard-normal features labelled by the line 2x₁ - x₂ + 0.5 = 0: (X rows, y, θ*)."""
    X = rng.standard_normal((n_samples, 2))
    true = np.array([2.0, -1.0, 0.5])  # [w₁, w₂, b]
    y = (X @ true[:2] + true[2] > 0).astype(np.float64)
    return X, y, true


def compare_losses(
    X: ArrayLike | None = None,
    y: ArrayLike | None = None,
    *,
    learning_rate: float = 1.0,
    n_iter: int = 1000,
    confidence: float = 5.0,
    n_samples: int = 200,
    random_state: int | None = 0,
) -> LossComparison:
    """Trains one sigmoid unit (hidden = 0) by plain gradient descent, W ← W - η·ΔW, once
    with the squared error and once with the cross-entropy, from the same confidently wrong
    start, and records both runs.

    The start points the weights *against* the data, scaled so that the median |z| is
    ``confidence``: most samples are misclassified with σ(z) near 0 or 1. Seed 001 shows why
    that matters: ΔW = -(1/m) E·σ'(Z)·Xᵀ for the squared error is damped by σ'(z) ≈ e^-|z|,
    while the cross-entropy's ΔW = -(1/m) E·Xᵀ is not.

    X, y: two-class data (rows as samples, y in {0, 1}); None generates ``n_samples``
    points of two standard-normal features labelled by the line 2x₁ - x₂ + 0.5 = 0. For
    given data the "right" direction is that of an L2-penalized logistic fit.
    """
    rng = check_random_state(random_state)
    if X is None:
        X_rows, y_vec, right = _comparison_data(n_samples, rng)
    else:
        X_rows = np.asarray(X, dtype=np.float64)
        y_vec = np.asarray(y, dtype=np.float64).ravel()
        if not np.all((y_vec == 0) | (y_vec == 1)):
            raise ValueError("compare_losses needs y in {0, 1}")
        fit = SigmoidNetwork(hidden=0, alpha=1e-3, tol=1e-8, max_iter=500).fit(X_rows, y_vec)
        right = np.concatenate([fit.W2_.ravel(), fit.b2_.ravel()])
    Xc, Y = X_rows.T, y_vec[None, :]
    architecture = Architecture(Xc.shape[0], 0, 1)
    z_right = right[:-1] @ Xc + right[-1]
    scale = confidence / float(np.median(np.abs(z_right)))
    wrong = Parameters(None, None, -scale * right[None, :-1], -scale * right[-1:].reshape(1, 1))
    theta0 = architecture.pack(wrong)

    def run(loss_name: str) -> LossHistory:
        objective = NetworkObjective(Xc, Y, architecture, loss_name)
        thetas = [theta0]
        result = gradient_descent(
            objective,
            theta0,
            learning_rate=learning_rate,
            max_iter=n_iter,
            tol=0.0,
            callback=lambda _, state: thetas.append(np.array(state["theta"])),
        )
        scores = [forward(architecture.unpack(t), Xc).Z2[0] for t in thetas]
        return LossHistory(
            loss_name=loss_name,
            iterations=np.arange(len(thetas)),
            loss=np.asarray(result.loss_history),
            grad_norm=np.asarray(result.grad_norm_history),
            cross_entropy=np.array([np.mean(cross_entropy_value(y_vec, z)) for z in scores]),
            accuracy=np.array([np.mean((z > 0) == (y_vec == 1)) for z in scores]),
        )

    z0 = forward(wrong, Xc).Z2[0]
    return LossComparison(
        squared_error=run("squared_error"),
        cross_entropy=run("cross_entropy"),
        learning_rate=float(learning_rate),
        initial_W=wrong.W2.copy(),
        initial_b=wrong.b2.copy(),
        initial_median_abs_z=float(np.median(np.abs(z0))),
        initial_accuracy=float(np.mean((z0 > 0) == (y_vec == 1))),
    )
