"""Columns of extreme magnitude, brought near 1 by powers of two before a fit.

A feature of size 1e300 has a coefficient near 1e-300: the Hessian's xᵢⱼ² overflows, and a
feature of size 1e-300 has a gradient below any tol at w = 0, so the fit "converges" at the
start. Neither is a property of the model: z = w·x is the same for any rescaling
xⱼ → sⱼxⱼ, wⱼ → wⱼ/sⱼ. So a column whose largest |x| lies outside [2⁻⁶⁴, 2⁶⁴] is fitted
as sⱼ·xⱼ with sⱼ a power of two that puts it in [½, 1), and its coefficient is sⱼ·vⱼ.

Powers of two change only exponents: the scaled data carry exactly the digits of the
user's, and the only rounding the round trip adds is in sⱼ·vⱼ itself. Other columns (all of
them, for ordinary data) are untouched and X is not copied.

The penalty stays the user's: P(w) = P(s ⊙ v), which ``ScaledPenalty`` writes in v with
the chain rule (∇ᵥ = s ⊙ ∇_w P, diagonal curvature s² ⊙ ∂²P/∂w²); an L1 strength λ becomes
λ·sⱼ per coordinate. The gradient-based solvers' tol then applies to ∇ᵥJ, the gradient in
well-scaled coordinates: what ‖∇J‖∞ ≤ tol means for data of ordinary size (the Newton-type
solvers' test does not depend on the columns' units).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from logistic.core import kernels
from logistic.core.penalties import Penalty

Array = NDArray[np.float64]

__all__ = [
    "UNREPRESENTABLE_COVARIANCE",
    "ScaledPenalty",
    "column_scales",
    "scale_columns",
    "subnormal_columns",
    "unscale_statistics",
]

#: columns whose largest |x| has a binary exponent beyond ±this are rescaled
EXPONENT_LIMIT = 64
_WALL = 1e250
_LARGEST_EXPONENT = np.finfo(np.float64).maxexp - 1  # 2¹⁰²³, the largest power of two


def column_scales(X, extremes: tuple[Array, Array] | None = None) -> Array | None:
    """sⱼ = 2⁻ᵉ for the columns whose largest |xᵢⱼ| = m·2ᵉ (½ ≤ m < 1) has |e| > 64 (at
    most 2¹⁰²³, for subnormal columns), 1 for the others; None where no column needs it
    (the common case). ``extremes``: (low, high)
    per group of rows and column (``kernels.column_extremes``) where the caller has them;
    else one pass over X finds them."""
    low, high = kernels.column_extremes(X) if extremes is None else extremes
    largest = np.maximum(high.max(axis=0), -low.min(axis=0))
    exponent = np.frexp(largest)[1]
    extreme = (largest > 0) & (np.abs(exponent) > EXPONENT_LIMIT)
    if not np.any(extreme):
        return None
    scales = np.ones(largest.shape[0])
    # a subnormal column (largest |x| below 2⁻¹⁰²²) would need sⱼ beyond 2¹⁰²³, which is
    # not a float: it gets 2¹⁰²³, which still brings it to at least 2⁻⁵¹
    scales[extreme] = np.ldexp(1.0, np.minimum(-exponent[extreme], _LARGEST_EXPONENT))
    return scales


def scale_columns(X, scales: Array):
    """X·diag(s) in X's own dtype and layout (a copy: only for data that need it); float64
    where a scale is beyond X's dtype (float32 columns below 2⁻¹²⁶ need more than 2¹²⁷)."""
    dtype = X.dtype if np.all(scales <= np.finfo(X.dtype).max) else np.dtype(np.float64)
    if sp.issparse(X):
        scaled = X.astype(dtype, copy=False) @ sp.diags(scales.astype(dtype))
        return scaled.asformat(X.format)
    order: Literal["C", "F"] = "F" if X.flags.f_contiguous and not X.flags.c_contiguous else "C"
    return np.asarray(X.astype(dtype, copy=False) * scales.astype(dtype), order=order)


def subnormal_columns(scales: Array | None) -> NDArray[np.intp]:
    """The columns whose largest |x| is below the normal floats (2⁻¹⁰²² ≈ 2.2e-308): those
    that ``column_scales`` gave 2¹⁰²² or more."""
    if scales is None:
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(scales >= 2.0**1022)


def _broadcast(scales: Array, w: Array) -> Array:
    return scales if w.ndim == 1 else scales[:, None]


@dataclass(frozen=True)
class ScaledPenalty:
    """P(s ⊙ v) as a penalty of v: the user's penalty on the scaled problem's coefficients."""

    inner: Penalty
    scales: Array

    # A column of size 1e-300 scaled up by 2^997 makes s² overflow: its penalty is then, to
    # every digit, a wall at v = 0, so the terms are capped at a finite _WALL.

    def value(self, v: Array) -> float:
        with np.errstate(over="ignore", invalid="ignore"):
            return float(min(self.inner.value(_broadcast(self.scales, v) * v), _WALL))

    def gradient(self, v: Array) -> Array:
        """∇ᵥ = s ⊙ ∇_w P(w), w = s ⊙ v."""
        s = _broadcast(self.scales, v)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.clip(np.nan_to_num(s * self.inner.gradient(s * v)), -_WALL, _WALL)

    def hessian_diagonal(self, v: Array) -> Array:
        """s² ⊙ ∂²P/∂w² (P's Hessian is diagonal)."""
        s = _broadcast(self.scales, v)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.minimum(np.nan_to_num(s * s * self.inner.hessian_diagonal(s * v)), _WALL)

    def __eq__(self, other) -> bool:  # the scales are an array: compare them by value
        return (isinstance(other, ScaledPenalty) and self.inner == other.inner
                and np.array_equal(self.scales, other.scales))

    __hash__ = None  # type: ignore[assignment]  # unhashable, as its array is


UNREPRESENTABLE_COVARIANCE = (
    "A feature's scale (beyond about 1e±150) puts its coefficient's variance outside the "
    "float64 range, so no covariance, standard errors or p-values are reported; rescale "
    "that column (e.g. to units of 1e300) for inference. The coefficients are exact."
)


def unscale_statistics(statistics, scales: Array, n_kept: int, fit_intercept: bool):
    """FitStatistics of v → those of w = s ⊙ v: params × u, cov × uuᵀ, with u = [1 (the
    intercept), s₁, …, s_d] for each of the ``n_kept`` classes. None where a variance would
    overflow or fall below the normal floats (a column of size 1e±300: its standard error
    of 1e∓300 is a float, its square is not)."""
    row = np.concatenate([[1.0], scales]) if fit_intercept else scales
    u = np.tile(row, n_kept)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        cov = statistics.cov * u[:, None] * u[None, :]
    variances, before = np.diag(cov), np.diag(statistics.cov)
    lost = (before > 0) & (variances < np.finfo(np.float64).tiny)
    if not np.all(np.isfinite(cov)) or np.any(lost):
        return None
    return replace(statistics, params=statistics.params * u, cov=cov)
