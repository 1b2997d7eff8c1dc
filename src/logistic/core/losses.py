"""Pointwise losses of a raw score z, with their first and second derivatives in z.

A loss here knows one sample's target y and score z and nothing of weights, features or
solvers: the chain rule from z to the coefficients lives once, in ``objective.py``.
Every function takes arrays y (targets in [0, 1]) and z (scores, float64) of equal shape.

Cross-entropy (seed 001)::

    e⁽ⁱ⁾ = -y log(ŷ) - (1 - y) log(1 - ŷ),   ŷ = a = σ(z)
         = y·softplus(-z) + (1 - y)·softplus(z) = softplus(z) - y·z
    de/dz   = ŷ - y          (so -(y - ŷ): the seeds' error term, with no σ'(z) factor)
    d²e/dz² = σ(z)(1 - σ(z))

Squared error on σ(z), the seeds' SSE term::

    E = ½ (y - ŷ)²
    dE/dz   = -(y - ŷ)·σ'(z)                    (the factor g'(z) that cross-entropy cancels)
    d²E/dz² = σ'(z)² - (y - ŷ)·σ''(z)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import NDArray
from scipy import special

from logistic.core.sigmoid import sigmoid_derivative, sigmoid_second_derivative

Array = NDArray[np.float64]

__all__ = ["Loss", "cross_entropy", "squared_error", "LOSSES", "get_loss"]


def cross_entropy_value(y: Array, z: Array) -> Array:
    """e = -y log σ(z) - (1 - y) log(1 - σ(z)) = softplus(z) - y·z.

    Computed from z, never from a clipped probability, so a confident wrong prediction
    costs exactly |z| rather than a capped log(1e-15). Written as
    (max(z, 0) - y·z) + log1p(e^-|z|): the first term is exactly 0 for a correct confident
    prediction, so a loss of 4e-18 is not lost to the cancellation of 40 - 40.
    """
    return cross_entropy_value_and_gradient(y, z)[0]


def cross_entropy_gradient(y: Array, z: Array) -> Array:
    """de/dz = σ(z) - y = -(y - ŷ): the seeds' error term, with no σ'(z) factor.

    Evaluated as -(y·σ(-z) - (1 - y)·σ(z)), so that 1 - σ(z) = σ(-z) keeps its tail digits
    (de/dz at y = 1, z = 40 is -4.25e-18, not 0).
    """
    return cross_entropy_value_and_gradient(y, z)[1]


def cross_entropy_value_and_gradient(y: Array, z: Array) -> tuple[Array, Array]:
    """(e, de/dz) from one exponential t = e^-|z|: the kernel of every L-BFGS step.

        e     = (max(z, 0) - y·z) + log1p(t)
        de/dz = -(y·σ(-z) - (1 - y)·σ(z)) = -(y·t - (1 - y)) / (1 + t)   for z ≥ 0
                                          = -(y - (1 - y)·t) / (1 + t)   for z < 0

    since σ(|z|) = 1/(1 + t) and σ(-|z|) = t/(1 + t): neither form subtracts nearly equal
    numbers when y is 0 or 1.
    """
    with np.errstate(under="ignore"):  # t is subnormal or 0 for |z| > 708: exact limits
        t = np.exp(-np.abs(z))
        value = (np.maximum(z, 0.0) - y * z) + np.log1p(t)
        one_minus_y = 1.0 - y
        numerator = np.where(z >= 0, y * t - one_minus_y, y - one_minus_y * t)
        return value, -numerator / (1.0 + t)


def cross_entropy_hessian(y: Array, z: Array) -> Array:
    """d²e/dz² = σ(z)(1 - σ(z)), whatever y is."""
    return cast(Array, sigmoid_derivative(z))  # float64 z: float64 out


def _residual(y: Array, z: Array) -> Array:
    """y - σ(z), written y·σ(-z) - (1 - y)·σ(z) so that 1 - σ(z) never rounds to zero."""
    return y * special.expit(-z) - (1.0 - y) * special.expit(z)


def squared_error_value(y: Array, z: Array) -> Array:
    """E = ½ (y - σ(z))²."""
    with np.errstate(under="ignore"):
        return 0.5 * _residual(y, z) ** 2


def squared_error_gradient(y: Array, z: Array) -> Array:
    """dE/dz = -(y - ŷ)·σ'(z): the update is damped by σ'(z) ≤ 0.25 (seeds 001, 003)."""
    with np.errstate(under="ignore"):  # two tail factors multiply to 0, their exact limit
        return -_residual(y, z) * sigmoid_derivative(z)


def squared_error_hessian(y: Array, z: Array) -> Array:
    """d²E/dz² = σ'(z)² - (y - ŷ)·σ''(z); negative in places: the SSE is not convex in w."""
    with np.errstate(under="ignore"):  # σ'(z)² of a tail score: 0 is its exact limit
        hessian = sigmoid_derivative(z) ** 2 - _residual(y, z) * sigmoid_second_derivative(z)
        return cast(Array, hessian)  # float64 z: float64 out


PointwiseFunction = Callable[[Array, Array], Array]


@dataclass(frozen=True)
class Loss:
    """A pointwise loss: its value, dL/dz and d²L/dz², each a function of (y, z)."""

    name: str
    value: PointwiseFunction
    gradient: PointwiseFunction
    hessian: PointwiseFunction
    convex: bool
    fused: Callable[[Array, Array], tuple[Array, Array]] | None = None

    def value_and_gradient(self, y: Array, z: Array) -> tuple[Array, Array]:
        """Both at once (one shared exponential where a fused kernel exists)."""
        if self.fused is not None:
            return self.fused(y, z)
        return self.value(y, z), self.gradient(y, z)

    def hessp(self, y: Array, z: Array, u: Array) -> Array:
        """d²L/dz² · u, pointwise."""
        return self.hessian(y, z) * u

    def hessian_pairs(self, y: Array, z: Array):
        """The curvature between score columns k ≤ l: one column, one pair."""
        yield 0, 0, self.hessian(y, z)

    def hessian_diagonal_terms(self, y: Array, z: Array):
        """(k, d²e/dzₖ²) for each score column: one here."""
        yield 0, self.hessian(y, z)


cross_entropy = Loss(
    "cross_entropy",
    cross_entropy_value,
    cross_entropy_gradient,
    cross_entropy_hessian,
    True,
    cross_entropy_value_and_gradient,
)
squared_error = Loss(
    "squared_error", squared_error_value, squared_error_gradient, squared_error_hessian, False
)

LOSSES: dict[str, Loss] = {loss.name: loss for loss in (cross_entropy, squared_error)}


def get_loss(name: str) -> Loss:
    """The loss called ``name``; a ValueError lists the known ones otherwise."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {name!r}") from None


# -- several classes: the softmax generalization ---------------------------------------------
# With K classes the score is a row zᵢ ∈ ℝᴷ, ŷᵢ = softmax(zᵢ) and Y is one-hot (n, K):
#
#     e = -Σₖ yₖ log ŷₖ = logsumexp(z) - Σₖ yₖ zₖ
#     de/dzₖ = ŷₖ - yₖ                         (the binary σ(z) - y, class by class)
#     d²e/dzₖdzₗ = ŷₖ(δₖₗ - ŷₗ)                (σ(1 - σ) on the diagonal for K = 2)
#
# The row maximum is subtracted before exponentiating, so no finite z overflows.


# n·K from which the softmax cross-entropy takes its compiled pass on every core: below it
# (digits: 17,970) NumPy's passes take well under a millisecond, and waking the threads can
# cost more than that on a busy machine
_COMPILED_ENTRIES = 1 << 17


def _shifted(Z: Array, m: Array) -> Array:
    """Z - m, with 0 where zₖ is the row's maximum: a score of ±inf (a prediction on rows
    near 1e308) would otherwise give inf - inf = NaN; checked on m alone (n values)."""
    if np.isfinite(m).all():
        return Z - m
    with np.errstate(invalid="ignore"):
        return np.where(Z == m, 0.0, Z - m)


def _shifted_exp(Z: Array) -> tuple[Array, Array, Array]:
    """(E, s, m): E = e^(Z - m) with m the row maximum, and s = Σₖ E."""
    m = Z.max(axis=1, keepdims=True)
    with np.errstate(over="ignore", under="ignore"):  # scores 1e308 apart: e^-inf = 0
        E = np.exp(_shifted(Z, m))
    return E, E.sum(axis=1, keepdims=True), m


def softmax(Z: Array) -> Array:
    """ŷₖ = e^zₖ / Σₗ e^zₗ, rows summing to 1."""
    E, s, _ = _shifted_exp(Z)
    return E / s


def log_softmax(Z: Array) -> Array:
    """log ŷₖ = zₖ - logsumexp(z): exact in the tails, never the log of a rounded 0."""
    E, s, m = _shifted_exp(Z)
    with np.errstate(over="ignore"):
        return _shifted(Z, m) - np.log(s)


def softmax_cross_entropy_value_and_gradient(Y: Array, Z: Array) -> tuple[Array, Array]:
    """(e, de/dZ) = (logsumexp(z) - Σₖ yₖzₖ, softmax(Z) - Y) from one exponential: in one
    compiled pass (``softmax_kernels``) for C-ordered float64 scores of finite row maxima,
    else here."""
    compiled = _compiled_rows(Y, Z, np.ones(Z.shape[0]))
    if compiled is not None:
        return compiled
    E, s, m = _shifted_exp(Z)
    with np.errstate(over="ignore"):  # a loss above 1.8e308 is inf: it is not representable
        value = (np.log(s) + m).ravel() - np.einsum("ik,ik->i", Y, Z)
    return value, E / s - Y


def weighted_softmax_cross_entropy(Y: Array, Z: Array, weights: Array) -> tuple[float, Array]:
    """(Σᵢ sᵢeᵢ, s ⊙ de/dZ): the objective's data term and the weighted gradient that Xᵀ
    takes, the weights applied in the compiled pass where it runs."""
    compiled = _compiled_rows(Y, Z, weights)
    if compiled is not None:
        return float(weights @ compiled[0]), compiled[1]
    value, gradient = softmax_cross_entropy_value_and_gradient(Y, Z)
    return float(weights @ value), gradient * weights[:, None]


def _compiled_rows(Y: Array, Z: Array, weights: Array) -> tuple[Array, Array] | None:
    """(e, s ⊙ de/dZ) from the compiled pass (``softmax_kernels``) where it takes (Y, Z):
    both (n, K) C-ordered float64, n·K at least ``_COMPILED_ENTRIES`` (below it NumPy's
    passes are as fast), every row's maximum finite; else None."""
    if not (Z.ndim == 2 and Y.shape == Z.shape and Z.size >= _COMPILED_ENTRIES
            and Z.dtype == np.float64 and Y.dtype == np.float64
            and Z.flags.c_contiguous and Y.flags.c_contiguous):
        return None
    from logistic.core.softmax_kernels import softmax_cross_entropy_rows

    value, gradient = np.empty(Z.shape[0]), np.empty_like(Z)
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    if softmax_cross_entropy_rows(Y, Z, weights, value, gradient) != 0:
        return None
    return value, gradient


def softmax_cross_entropy_value(Y: Array, Z: Array) -> Array:
    """e = logsumexp(z) - Σₖ yₖzₖ per row: the multiclass cross-entropy from the scores."""
    return softmax_cross_entropy_value_and_gradient(Y, Z)[0]


def softmax_cross_entropy_gradient(Y: Array, Z: Array) -> Array:
    """de/dZ = softmax(Z) - Y, (n, K)."""
    return softmax_cross_entropy_value_and_gradient(Y, Z)[1]


def softmax_cross_entropy_hessp(Z: Array, U: Array) -> Array:
    """Σₗ d²e/dzₖdzₗ·uₗ = ŷₖ(uₖ - Σₗ ŷₗuₗ) per row, without forming the K×K blocks."""
    P = softmax(Z)
    return P * (U - np.einsum("ik,ik->i", P, U)[:, None])


@dataclass(frozen=True)
class SoftmaxLoss:
    """The softmax cross-entropy of K score columns, in the same shape as ``Loss``."""

    name: str = "softmax_cross_entropy"
    convex: bool = True

    def value(self, Y: Array, Z: Array) -> Array:
        return softmax_cross_entropy_value(Y, Z)

    def gradient(self, Y: Array, Z: Array) -> Array:
        return softmax_cross_entropy_gradient(Y, Z)

    def value_and_gradient(self, Y: Array, Z: Array) -> tuple[Array, Array]:
        return softmax_cross_entropy_value_and_gradient(Y, Z)

    def weighted_value_and_gradient(self, Y: Array, Z: Array,
                                    weights: Array) -> tuple[float, Array]:
        return weighted_softmax_cross_entropy(Y, Z, weights)

    def hessp(self, Y: Array, Z: Array, U: Array) -> Array:
        return softmax_cross_entropy_hessp(Z, U)

    def hessian_pairs(self, Y: Array, Z: Array):
        """d²e/dzₖdzₗ = ŷₖ(δₖₗ - ŷₗ) for every pair k ≤ l."""
        P = softmax(Z)
        K = P.shape[1]
        for k in range(K):
            for m in range(k, K):
                yield k, m, P[:, k] * ((k == m) - P[:, m])

    def hessian_diagonal_terms(self, Y: Array, Z: Array):
        """(k, d²e/dzₖ² = ŷₖ(1 - ŷₖ)) for each class: K vectors, not hessian_pairs' K(K+1)/2."""
        P = softmax(Z)
        for k in range(P.shape[1]):
            yield k, P[:, k] * (1.0 - P[:, k])


softmax_cross_entropy = SoftmaxLoss()
