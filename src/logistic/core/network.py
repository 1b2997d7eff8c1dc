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

The estimator that trains this network, ``SigmoidNetwork``, and seed 001's comparison of the
two losses, ``compare_losses``, are in :mod:`logistic.models.network`; this module is the
mathematics alone (NumPy and :mod:`logistic.core`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.utils import check_random_state

from logistic.core.losses import (
    cross_entropy_value,
    softmax,
    softmax_cross_entropy_value,
    squared_error_value,
)
from logistic.core.sigmoid import sigmoid, sigmoid_derivative

Array = NDArray[np.float64]

__all__ = [
    "LOSS_NAMES",
    "OUTPUTS",
    "Architecture",
    "ForwardPass",
    "Gradients",
    "NetworkObjective",
    "Parameters",
    "backward",
    "bias_gradient",
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
    "weight_decay",
]

LOSS_NAMES = ("cross_entropy", "squared_error")
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
            assert params.W1 is not None and params.b1 is not None  # a hidden layer has both
            blocks = [params.W1, params.b1, *blocks]
        return np.concatenate([np.asarray(block, dtype=np.float64).ravel() for block in blocks])

    def initial_parameters(
        self, random_state: int | np.random.RandomState | None = None
    ) -> Parameters:
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
    return np.asarray(sigmoid(Z1), dtype=np.float64)


def output_scores(W2: Array, b2: Array, A1: Array) -> Array:
    """Z^[2] = W^[2] A^[1] + b^[2]: (n_out, ·)·(·, m) + (n_out, 1)."""
    return W2 @ A1 + b2


def output_activations(Z2: Array, output: str) -> Array:
    """A^[2] = g(Z^[2]) = Ŷ: σ elementwise, or the softmax of each column (each sample)."""
    if output == "softmax":
        return softmax(Z2.T).T
    return np.asarray(sigmoid(Z2), dtype=np.float64)


def forward(params: Parameters, X: Array, output: str = "sigmoid") -> ForwardPass:
    """Z^[1] = W^[1]X + b^[1], A^[1] = σ(Z^[1]), Z^[2] = W^[2]A^[1] + b^[2], A^[2] = g(Z^[2]).

    X is (n_features, m), samples as columns. Without a hidden layer A^[1] = X.
    """
    if params.W1 is None:
        Z1, A1 = None, X
    else:
        assert params.b1 is not None  # a hidden layer has both W^[1] and b^[1]
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
    assert cache.Z1 is not None  # the forward pass of a hidden layer keeps Z^[1]
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

    def _data(self, columns: ArrayLike | None) -> tuple[Array, Array]:
        if columns is None:
            return self.X, self.Y
        index = np.asarray(columns)
        return self.X[:, index], self.Y[:, index]

    def value(self, theta: Array, columns: ArrayLike | None = None) -> float:
        """J(θ) = (1/m) Σᵢ e⁽ⁱ⁾ + (α/2)Σ‖W‖²."""
        X, Y = self._data(columns)
        params = self.architecture.unpack(theta)
        return objective_value(params, X, Y, self.loss, self.output, self.alpha)

    def value_and_gradient(
        self, theta: Array, columns: ArrayLike | None = None
    ) -> tuple[float, Array]:
        """(J, ∇J) from one forward and one backward pass."""
        X, Y = self._data(columns)
        params = self.architecture.unpack(theta)
        cache = forward(params, X, self.output)
        value = float(np.mean(per_sample_loss(Y, cache.Z2, self.loss, self.output)))
        value += weight_decay(params, self.alpha)
        grads = backward(params, cache, Y, self.loss, self.output, self.alpha)
        return value, self.architecture.pack(grads)

    def gradient(self, theta: Array, columns: ArrayLike | None = None) -> Array:
        """∇J(θ), from ``value_and_gradient``."""
        return self.value_and_gradient(theta, columns)[1]
