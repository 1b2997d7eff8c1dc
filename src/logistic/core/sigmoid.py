"""The logistic (sigmoid) function and its relatives, exact for every finite float.

Each function carries the seeds' formula in its docstring, and its derivative sits right
after it. The seeds derive (000, 002, 003, 004)::

    σ(z)   = 1 / (1 + e^-z)                       limits 0 (z→-∞), 1/2 (z=0), 1 (z→+∞)
    σ'(z)  = e^-z / (1 + e^-z)² = σ(z)(1 - σ(z))  maximum 0.25 at z = 0, → 0 at ±∞
    σ''(z) = σ(z)(1 - σ(z))(1 - 2σ(z))            zero at z = 0: where σ' peaks
    d/dz log σ(z)       = 1 - σ(z)
    d/dz log(1 - σ(z))  = -σ(z)

Evaluated literally these formulas overflow (e^-z for z = -1000) or lose every digit
(1 - σ(40) is 0 in float64, the truth is 4.2e-18). Two identities keep them exact:

    1 - σ(z) = σ(-z)                (seed 004: e^-z / (1 + e^-z) = 1 - σ(z))
    1 - 2σ(z) = -tanh(z / 2)

and log σ(z) = -softplus(-z) is computed without ever forming σ(z).
Results keep the input's float type (float32 stays float32); integers become float64.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

__all__ = [
    "sigmoid",
    "sigmoid_derivative",
    "sigmoid_second_derivative",
    "log_sigmoid",
    "log_sigmoid_derivative",
    "log_one_minus_sigmoid",
    "log_one_minus_sigmoid_derivative",
    "softplus",
]

_PIECE = 1 << 16  # elements of σ'(z)'s scratch: in cache, and no n-vector


def _as_float(z: ArrayLike) -> NDArray[np.floating]:
    z = np.asarray(z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)


def sigmoid(z: ArrayLike) -> NDArray[np.floating]:
    """σ(z) = 1 / (1 + e^-z).

    σ(z) → 0 as z → -∞, σ(0) = 1/2, σ(z) → 1 as z → +∞. scipy's ``expit`` evaluates it
    through the sign branch, so e^-z is never formed for large negative z: σ(-800) is 0
    (the true value is below the smallest subnormal), never NaN, and no warning is raised.
    """
    return special.expit(_as_float(z))


def sigmoid_derivative(z: ArrayLike) -> NDArray[np.floating]:
    """σ'(z) = e^-z / (1 + e^-z)² = σ(z)(1 - σ(z)).

    Written as t/(1 + t)² with t = e^-|z| — the seed's e^-z/(1 + e^-z)², taken on the side
    where the exponential cannot overflow (σ' is even) — which keeps every digit in the tails
    where 1 - σ(z) would round to zero, from a single exponential. Its maximum is σ'(0) = 0.25
    and it vanishes as z → ±∞ (seed 003: confident predictions produce almost no update).
    """
    z = _as_float(z)
    t = np.empty_like(z)  # computed in place: a Hessian pass holds z and σ'(z), nothing else
    flat = t.ravel(order="K")  # a view: t is contiguous in its own order
    # (1 + t)² in pieces, so that no second n-vector is alive beside t
    denominator = np.empty(min(flat.size, _PIECE), dtype=t.dtype)
    with np.errstate(under="ignore"):  # |z| > 708: t is subnormal or 0, as σ'(z) is
        np.exp(np.negative(np.abs(z, out=t), out=t), out=t)
        for start in range(0, flat.size, _PIECE):
            part = flat[start : start + _PIECE]
            square = denominator[: part.size]
            np.add(part, 1, out=square)
            square *= square
            part /= square
    return t if t.ndim else t[()]


def sigmoid_second_derivative(z: ArrayLike) -> NDArray[np.floating]:
    """σ''(z) = σ(z)(1 - σ(z))(1 - 2σ(z)) = (e^-z - 1)e^-z / (1 + e^-z)³.

    Seed 003 sets it to zero to find where σ' is largest (z = 0) and smallest (z → ±∞).
    Evaluated as σ(z)·σ(-z)·(-tanh(z/2)), since 1 - 2σ(z) = -tanh(z/2) has no cancellation
    near z = 0.
    """
    z = _as_float(z)
    with np.errstate(under="ignore"):  # subnormal z: the true value is subnormal too
        return sigmoid_derivative(z) * -np.tanh(z / 2)


def softplus(t: ArrayLike) -> NDArray[np.floating]:
    """softplus(t) = log(1 + e^t) = max(t, 0) + log1p(e^-|t|).

    The cross-entropy of a raw score is a softplus: -log σ(z) = softplus(-z) and
    -log(1 - σ(z)) = softplus(z). Its derivative is σ(t).
    """
    return -special.log_expit(-_as_float(t))


def log_sigmoid(z: ArrayLike) -> NDArray[np.floating]:
    """log σ(z) = -log(1 + e^-z) = -softplus(-z).

    Never the log of a computed (and possibly rounded) probability: log σ(-1000) is exactly
    -1000 and log σ(40) is -4.25e-18, not 0.
    """
    return special.log_expit(_as_float(z))


def log_sigmoid_derivative(z: ArrayLike) -> NDArray[np.floating]:
    """d/dz log σ(z) = σ'(z) / σ(z) = 1 - σ(z) = σ(-z)   (seed 002: e^-z / (1 + e^-z))."""
    return special.expit(-_as_float(z))


def log_one_minus_sigmoid(z: ArrayLike) -> NDArray[np.floating]:
    """log(1 - σ(z)) = log σ(-z) = -softplus(z)."""
    return special.log_expit(-_as_float(z))


def log_one_minus_sigmoid_derivative(z: ArrayLike) -> NDArray[np.floating]:
    """d/dz log(1 - σ(z)) = -σ'(z) / (1 - σ(z)) = -σ(z)   (seed 002: -1 / (1 + e^-z))."""
    return -special.expit(_as_float(z))
