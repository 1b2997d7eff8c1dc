"""The seeds' two-layer sigmoid network and its back-propagation, written out step by step.

The model (seed 001), in the seeds' orientation: **samples are columns**::

    X      (n_features, m)        one column x⁽ⁱ⁾ per sample
    W^[1]  (hidden, n_features)   b^[1] (hidden, 1)
    Z^[1] = W^[1] X + b^[1]       (hidden, m)
    A^[1] = σ(Z^[1])              (hidden, m)
    W^[2]  (n_out, hidden)        b^[2] (n_out, 1)
    Z^[2] = W^[2] A^[1] + b^[2]   (n_out, m)
    A^[2] = g(Z^[2]) = Ŷ          (n_out, m)
    Y                             (n_out, m)   the targets, 0/1 (one-hot rows for K classes)

n_out = 1 for two classes (g = σ). For K > 2 classes n_out = K: with the cross-entropy g is
the softmax of each column; with the squared error g is σ applied to each of the K outputs
(one sigmoid unit per class against one-hot targets; the probabilities reported are
σ(z_k) / Σ_l σ(z_l)). ``hidden = 0`` means no hidden layer: A^[1] = X, W^[2] is
(n_out, n_features), and the network *is* logistic regression.

The objective is a mean over the m samples plus weight decay on W (never on b)::

    J = (1/m) Σᵢ e⁽ⁱ⁾ + (α/2)(‖W^[1]‖² + ‖W^[2]‖²)
    cross-entropy:  e⁽ⁱ⁾ = -Σₖ y_k log a_k^[2](i)   (= softplus(z) - y·z for one sigmoid unit,
                                                     logsumexp(z) - Σₖ y_k z_k for softmax)
    squared error:  e⁽ⁱ⁾ = ½ Σₖ (y_k⁽ⁱ⁾ - ŷ_k⁽ⁱ⁾)²    (the seeds' E; J is their MSE)

always computed from Z^[2], never as the log of a (clipped) probability.

Back-propagation (one function below per line, each with the line in its docstring)::

    E^[2]  = Y - A^[2]                                  output error
    δ^[2]  = ∂J/∂Z^[2] = -(1/m) E^[2] ⊙ g'(Z^[2])         squared error
           = ∂J/∂Z^[2] = -(1/m) E^[2]                     cross-entropy: g' cancels (seed 001)
    ΔW^[2] = δ^[2] A^[1]ᵀ  (+ α W^[2]),   Δb^[2] = δ^[2] 1
    δ^[1]  = (W^[2]ᵀ δ^[2]) ⊙ σ'(Z^[1])
    ΔW^[1] = δ^[1] Xᵀ     (+ α W^[1]),   Δb^[1] = δ^[1] 1

The seeds write the squared-error line for the *sum* E = Σ ½(y - ŷ)², ΔW^[2] = -E^[2]·g'(Z^[2])
·A^[1]ᵀ; J here is the mean, so every gradient carries the same extra factor 1/m.

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

from logistic.core.losses import (
    cross_entropy_value,
    log_softmax,
    softmax,
    softmax_cross_entropy_value,
    squared_error_value,
)
from logistic.core.sigmoid import log_sigmoid, sigmoid, sigmoid_derivative
from logistic.exceptions import ConvergenceWarning
from logistic.solvers import SolverResult, lbfgs
from logistic.solvers.result import report

Array = NDArray[np.float64]

__all__ = [
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
]

LOSS_NAMES = ("cross_entropy", "squared_error")
SOLVER_NAMES = ("lbfgs", "gd")
OUTPUTS = ("sigmoid", "softmax")


# -- the parameters ----------------------------------------------------------------------------
@dataclass
class Parameters:
    """W^[1] (hidden, n_features), b^[1] (hidden, 1), W^[2] (n_out, ·), b^[2] (n_out, 1).

    W1 and b1 are None when there is no hidden layer (hidden = 0); then W^[2] is
    (n_out, n_features). The gradients ΔW, Δb are a ``Parameters`` of the same shapes.
    """

    W1: Array | None
    b1: Array | None
    W2: Array
    b2: Array


Gradients = Parameters


@dataclass(frozen=True)
class Architecture:
    """The sizes of the network and the packing of its parameters into one vector θ.

    θ = [vec W^[1], vec b^[1], vec W^[2], vec b^[2]] (row-major), the vector the solvers see.
    """

    n_features: int
    hidden: int
    n_outputs: int

    @property
    def n_inputs_to_output(self) -> int:
        """Rows of A^[1]: hidden units, or the features themselves when hidden = 0."""
        return self.hidden if self.hidden > 0 else self.n_features

    @property
    def shapes(self) -> list[tuple[int, int]]:
        inner = self.n_inputs_to_output
        layer2 = [(self.n_outputs, inner), (self.n_outputs, 1)]
        if self.hidden == 0:
            return layer2
        return [(self.hidden, self.n_features), (self.hidden, 1), *layer2]

    @property
    def n_params(self) -> int:
        return sum(rows * cols for rows, cols in self.shapes)

    def unpack(self, theta: Array) -> Parameters:
        """θ → Parameters (views into θ, no copy)."""
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (self.n_params,):
            raise ValueError(f"θ has shape {theta.shape}, expected ({self.n_params},)")
        blocks, start = [], 0
        for rows, cols in self.shapes:
            blocks.append(theta[start : start + rows * cols].reshape(rows, cols))
            start += rows * cols
        if self.hidden == 0:
            return Parameters(None, None, *blocks)
        return Parameters(*blocks)

    def pack(self, params: Parameters) -> Array:
        """Parameters → θ, the inverse of ``unpack``."""
        blocks = [params.W2, params.b2]
        if self.hidden > 0:
            blocks = [params.W1, params.b1, *blocks]
        return np.concatenate([np.asarray(block, dtype=np.float64).ravel() for block in blocks])

    def initial_parameters(self, random_state=None) -> Parameters:
        """Glorot-uniform weights, W ~ U(-r, r) with r = √(6 / (fan_in + fan_out)); b = 0."""
        rng = check_random_state(random_state)

        def glorot(fan_out: int, fan_in: int) -> Array:
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            return rng.uniform(-limit, limit, size=(fan_out, fan_in))

        W1 = b1 = None
        if self.hidden > 0:
            W1, b1 = glorot(self.hidden, self.n_features), np.zeros((self.hidden, 1))
        W2 = glorot(self.n_outputs, self.n_inputs_to_output)
        return Parameters(W1, b1, W2, np.zeros((self.n_outputs, 1)))


# -- the forward pass --------------------------------------------------------------------------
@dataclass
class ForwardPass:
    """Every intermediate of one forward pass, samples as columns (A1 is X if hidden = 0)."""

    X: Array
    Z1: Array | None
    A1: Array
    Z2: Array
    A2: Array


def hidden_scores(W1: Array, b1: Array, X: Array) -> Array:
    """Z^[1] = W^[1] X + b^[1]: (hidden, n_features)·(n_features, m) + (hidden, 1)."""
    return W1 @ X + b1


def hidden_activations(Z1: Array) -> Array:
    """A^[1] = σ(Z^[1]), elementwise (scipy's expit: no overflow for any Z^[1])."""
    return sigmoid(Z1)


def output_scores(W2: Array, b2: Array, A1: Array) -> Array:
    """Z^[2] = W^[2] A^[1] + b^[2]: (n_out, ·)·(·, m) + (n_out, 1)."""
    return W2 @ A1 + b2


def output_activations(Z2: Array, output: str) -> Array:
    """A^[2] = g(Z^[2]) = Ŷ: σ elementwise, or the softmax of each column (each sample)."""
    if output == "softmax":
        return softmax(Z2.T).T
    return sigmoid(Z2)


def forward(params: Parameters, X: Array, output: str = "sigmoid") -> ForwardPass:
    """Z^[1] = W^[1]X + b^[1], A^[1] = σ(Z^[1]), Z^[2] = W^[2]A^[1] + b^[2], A^[2] = g(Z^[2]).

    X is (n_features, m), samples as columns. Without a hidden layer A^[1] = X.
    """
    if params.W1 is None:
        Z1, A1 = None, X
    else:
        Z1 = hidden_scores(params.W1, params.b1, X)
        A1 = hidden_activations(Z1)
    Z2 = output_scores(params.W2, params.b2, A1)
    return ForwardPass(X, Z1, A1, Z2, output_activations(Z2, output))


# -- the loss ----------------------------------------------------------------------------------
def per_sample_loss(Y: Array, Z2: Array, loss: str, output: str = "sigmoid") -> Array:
    """e⁽ⁱ⁾ for every sample (m,), from the scores Z^[2] (n_out, m), never from Ŷ.

    cross-entropy, sigmoid units:  e = Σₖ softplus(z_k) - y_k z_k
    cross-entropy, softmax:        e = logsumexp(z) - Σₖ y_k z_k
    squared error (sigmoid units): e = ½ Σₖ (y_k - σ(z_k))²
    """
    if output == "softmax":
        if loss != "cross_entropy":
            raise ValueError("a softmax output is trained with the cross-entropy only")
        return softmax_cross_entropy_value(Y.T, Z2.T)
    if loss == "cross_entropy":
        return cross_entropy_value(Y, Z2).sum(axis=0)
    if loss == "squared_error":
        return squared_error_value(Y, Z2).sum(axis=0)
    raise ValueError(f"loss must be one of {LOSS_NAMES}, got {loss!r}")


def weight_decay(params: Parameters, alpha: float) -> float:
    """(α/2)(‖W^[1]‖² + ‖W^[2]‖²); the biases are not penalized."""
    if alpha == 0:
        return 0.0
    total = float(np.sum(params.W2**2))
    if params.W1 is not None:
        total += float(np.sum(params.W1**2))
    return 0.5 * alpha * total


def objective_value(
    params: Parameters,
    X: Array,
    Y: Array,
    loss: str = "cross_entropy",
    output: str = "sigmoid",
    alpha: float = 0.0,
) -> float:
    """J = (1/m) Σᵢ e⁽ⁱ⁾ + (α/2)(‖W^[1]‖² + ‖W^[2]‖²), from Z^[2]."""
    Z2 = forward(params, X, output).Z2
    return float(np.mean(per_sample_loss(Y, Z2, loss, output))) + weight_decay(params, alpha)


# -- back-propagation --------------------------------------------------------------------------
def output_error(Y: Array, Z2: Array, output: str = "sigmoid") -> Array:
    """E^[2] = Y - A^[2], (n_out, m).

    For sigmoid units written Y·σ(-Z^[2]) - (1 - Y)·σ(Z^[2]), equal to Y - σ(Z^[2]) but
    without rounding 1 - σ(z) to zero in the tails (1 - σ(z) = σ(-z)).
    """
    if output == "softmax":
        return Y - softmax(Z2.T).T
    return Y * sigmoid(-Z2) - (1.0 - Y) * sigmoid(Z2)


def output_delta_squared_error(E2: Array, Z2: Array) -> Array:
    """δ^[2] = ∂J/∂Z^[2] = -(1/m) E^[2] ⊙ g'(Z^[2]),  g' = σ' = σ(1 - σ) ≤ 0.25.

    Seed 001's -(y_k - ŷ_k)·g'(z_k), divided by m because J is the mean (MSE).
    """
    m = E2.shape[1]
    return -(E2 * sigmoid_derivative(Z2)) / m


def output_delta_cross_entropy(E2: Array) -> Array:
    """δ^[2] = ∂J/∂Z^[2] = -(1/m) E^[2]: g'(Z^[2]) cancels (seed 001), for σ and softmax."""
    m = E2.shape[1]
    return -E2 / m


def output_weight_gradient(delta2: Array, A1: Array) -> Array:
    """ΔW^[2] = δ^[2] A^[1]ᵀ: (n_out, m)·(m, ·). With squared error this is seed 001's
    -E^[2]·g'(Z^[2])·A^[1]ᵀ (over m); with cross-entropy -(1/m) E^[2] A^[1]ᵀ."""
    return delta2 @ A1.T


def bias_gradient(delta: Array) -> Array:
    """Δb = δ 1: the row sums of δ ((rows, 1)), since Z = W A + b·1ᵀ."""
    return delta.sum(axis=1, keepdims=True)


def hidden_delta(W2: Array, delta2: Array, Z1: Array) -> Array:
    """δ^[1] = ∂J/∂Z^[1] = (W^[2]ᵀ δ^[2]) ⊙ σ'(Z^[1]): the error sent back through W^[2]."""
    return (W2.T @ delta2) * sigmoid_derivative(Z1)


def hidden_weight_gradient(delta1: Array, X: Array) -> Array:
    """ΔW^[1] = δ^[1] Xᵀ: (hidden, m)·(m, n_features)."""
    return delta1 @ X.T


def backward(
    params: Parameters,
    cache: ForwardPass,
    Y: Array,
    loss: str = "cross_entropy",
    output: str = "sigmoid",
    alpha: float = 0.0,
) -> Gradients:
    """∂J/∂W^[1], ∂J/∂b^[1], ∂J/∂W^[2], ∂J/∂b^[2] from one forward pass, step by step:

    E^[2] = Y - A^[2];  δ^[2];  ΔW^[2] = δ^[2]A^[1]ᵀ + αW^[2];  Δb^[2] = δ^[2]1;
    δ^[1] = (W^[2]ᵀδ^[2]) ⊙ σ'(Z^[1]);  ΔW^[1] = δ^[1]Xᵀ + αW^[1];  Δb^[1] = δ^[1]1.
    """
    E2 = output_error(Y, cache.Z2, output)
    if loss == "cross_entropy":
        delta2 = output_delta_cross_entropy(E2)
    elif loss == "squared_error" and output == "sigmoid":
        delta2 = output_delta_squared_error(E2, cache.Z2)
    else:
        raise ValueError(f"no output delta for loss={loss!r} with a {output} output")
    dW2 = output_weight_gradient(delta2, cache.A1) + alpha * params.W2
    db2 = bias_gradient(delta2)
    if params.W1 is None:
        return Gradients(None, None, dW2, db2)
    delta1 = hidden_delta(params.W2, delta2, cache.Z1)
    dW1 = hidden_weight_gradient(delta1, cache.X) + alpha * params.W1
    return Gradients(dW1, bias_gradient(delta1), dW2, db2)


class NetworkObjective:
    """J(θ) of the network on (X, Y), for the solvers: ``value``, ``gradient`` and
    ``value_and_gradient`` of the packed vector θ (see ``Architecture``).

    X is (n_features, m) and Y (n_out, m): samples as columns. ``columns`` restricts J to a
    mini-batch of samples (J is then the mean over the batch, plus the same weight decay).
    """

    def __init__(
        self,
        X: Array,
        Y: Array,
        architecture: Architecture,
        loss: str = "cross_entropy",
        output: str = "sigmoid",
        alpha: float = 0.0,
    ) -> None:
        self.X = np.asarray(X, dtype=np.float64)
        self.Y = np.asarray(Y, dtype=np.float64)
        self.architecture = architecture
        self.loss = loss
        self.output = output
        self.alpha = float(alpha)
        self.n_params = architecture.n_params
        self.n_samples = self.X.shape[1]

    def _data(self, columns) -> tuple[Array, Array]:
        if columns is None:
            return self.X, self.Y
        return self.X[:, columns], self.Y[:, columns]

    def value(self, theta: Array, columns=None) -> float:
        """J(θ) = (1/m) Σᵢ e⁽ⁱ⁾ + (α/2)Σ‖W‖²."""
        X, Y = self._data(columns)
        params = self.architecture.unpack(theta)
        return objective_value(params, X, Y, self.loss, self.output, self.alpha)

    def value_and_gradient(self, theta: Array, columns=None) -> tuple[float, Array]:
        """(J, ∇J) from one forward and one backward pass."""
        X, Y = self._data(columns)
        params = self.architecture.unpack(theta)
        cache = forward(params, X, self.output)
        value = float(np.mean(per_sample_loss(Y, cache.Z2, self.loss, self.output)))
        value += weight_decay(params, self.alpha)
        grads = backward(params, cache, Y, self.loss, self.output, self.alpha)
        return value, self.architecture.pack(grads)

    def gradient(self, theta: Array, columns=None) -> Array:
        return self.value_and_gradient(theta, columns)[1]


# -- gradient descent: the lecture's update, with momentum and mini-batches --------------------
def gradient_descent(
    objective: NetworkObjective,
    theta0: Array,
    *,
    learning_rate: float = 0.1,
    max_iter: int = 200,
    tol: float = 1e-5,
    momentum: float = 0.0,
    batch_size: int | None = None,
    random_state=None,
    callback: Callable[[int, dict], object] | None = None,
) -> SolverResult:
    """W ← W - η·ΔW (each W and b), with optional momentum v ← μv - ηΔW, W ← W + v.

    Full batch (batch_size None or ≥ m): one step per iteration, stopping when
    ‖∇J‖∞ ≤ tol. Mini-batches: each epoch shuffles the samples with ``random_state`` and
    takes one step per batch; all ``max_iter`` epochs are run. The history holds J and
    ‖∇J‖∞ on the whole training set at the start and after every iteration/epoch.
    A step that makes J non-finite is not taken; the solver stops and says so.
    """
    theta = np.array(theta0, dtype=np.float64)
    velocity = np.zeros_like(theta)
    rng = check_random_state(random_state)
    m = objective.n_samples
    mini_batch = batch_size is not None and batch_size < m
    result = SolverResult(theta.copy(), 0, False, "maximum number of iterations reached")
    value, grad = objective.value_and_gradient(theta)
    norm = result.record(value, grad)
    for epoch in range(1, max_iter + 1):
        if not mini_batch and norm <= tol:
            break
        candidate, new_velocity = theta.copy(), velocity.copy()
        batches = [None]
        if mini_batch:
            order = rng.permutation(m)
            batches = [order[start : start + batch_size] for start in range(0, m, batch_size)]
        for batch in batches:
            batch_grad = grad if batch is None else objective.gradient(candidate, batch)
            new_velocity = momentum * new_velocity - learning_rate * batch_grad
            candidate = candidate + new_velocity
        with np.errstate(over="ignore", invalid="ignore"):  # a step too long is caught below
            new_value, new_grad = objective.value_and_gradient(candidate)
        if not (np.isfinite(new_value) and np.all(np.isfinite(new_grad))):
            result.message = "stopped: the step made the loss non-finite; lower learning_rate"
            break
        theta, velocity, value, grad = candidate, new_velocity, new_value, new_grad
        result.theta, result.n_iter = theta, epoch
        norm = result.record(value, grad)
        report(callback, epoch, result)
    if norm <= tol:
        result.converged, result.message = True, "gradient max-norm below tol"
    elif mini_batch and result.n_iter == max_iter:
        result.message = f"ran all {max_iter} epochs of mini-batches"
    return result


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
        random_state=None,
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
        def integer(name: str, value, low: int) -> None:
            ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
            if not (ok and value >= low):
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")

        def real(name: str, value, low: float, *, strict: bool, high: float | None = None):
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

    def fit(self, X, y: ArrayLike) -> SigmoidNetwork:
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

    def _iteration_callback(self):
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

    def forward(self, X) -> ForwardPass:
        """The forward pass on new rows X (n, n_features); its arrays have samples as columns."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return forward(self.parameters_, X.T, self.output_)

    def decision_function(self, X) -> Array:
        """Z^[2]ᵀ: (n,) for two classes (σ of it is P(classes_[1])), (n, K) for K > 2."""
        Z2 = self.forward(X).Z2
        return Z2[0] if Z2.shape[0] == 1 else Z2.T

    def predict_proba(self, X) -> Array:
        """(n, K) class probabilities, rows summing to 1.

        Two classes: [σ(-z), σ(z)]. Softmax: softmax(z). K sigmoid units (squared error):
        σ(z_k) / Σ_l σ(z_l), computed as softmax(log σ(z)).
        """
        z = self.decision_function(X)
        if z.ndim == 1:
            return np.column_stack([sigmoid(-z), sigmoid(z)])
        return softmax(z if self.output_ == "softmax" else log_sigmoid(z))

    def predict_log_proba(self, X) -> Array:
        """log ``predict_proba`` from the scores (log σ, log-softmax): never log of 0."""
        z = self.decision_function(X)
        if z.ndim == 1:
            return np.column_stack([log_sigmoid(-z), log_sigmoid(z)])
        return log_softmax(z if self.output_ == "softmax" else log_sigmoid(z))

    def predict(self, X) -> NDArray:
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
