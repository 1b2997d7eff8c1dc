"""Complete and quasi-complete separation: when the unpenalized optimum does not exist.

If some direction β (with intercept β₀) gives margins mᵢ = (2yᵢ - 1)(β₀ + xᵢ·β) ≥ 0 for
every sample and > 0 for at least one, moving w along β lowers J(w) forever: the
cross-entropy has no finite minimizer (Albert & Anderson 1984). Linear programs, solved with
scipy's HiGHS, decide it:

    exists:          maximize Σᵢ mᵢ  subject to  mᵢ ≥ 0 for all i,  -1 ≤ β ≤ 1
                     (optimum > 0 exactly when the maximum-likelihood estimate does not exist)
    complete:        minimize ‖β‖₁  subject to  mᵢ ≥ 1 for all i
    quasi-complete:  minimize ‖β‖₁  subject to  mᵢ ≥ 0 for all i,  Σᵢ mᵢ = 1

The first runs on every suspect fit; the other two only once separation is known, to tell
complete from quasi-complete and to find a sparse direction, whose features are named.

The programs cost milliseconds to seconds, so they run only where the fit gives cause:
every fitted margin positive, a single column that splits the classes, or a next Newton
step H⁻¹∇J that is still large. At a true optimum that step is of the order of tol; when
the optimum is at infinity the separated samples' weights σ(1-σ) vanish with their
gradient, so the Hessian is nearly singular along the separating direction and the step
along it stays of order 1 however small ∇J has become.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import linprog

from . import kernels

__all__ = [
    "Separation", "check_separation", "class_extremes", "find_separation", "separation_message",
]

# The programs run on suspect fits up to this many matrix entries (about two seconds).
_SOLVE_IF_SUSPECT = 2_000_000
# A next Newton step that still moves a coefficient this much means the fit is diverging.
_SUSPECT_STEP = 1e-2


@dataclass(frozen=True)
class Separation:
    """A separating direction: ``complete`` when every sample lies strictly on its side."""

    complete: bool
    features: tuple[int, ...]
    direction: NDArray[np.float64]
    n_separated: int


def find_separation(
    X, y: NDArray, sample_weight: NDArray, fit_intercept: bool
) -> Separation | None:
    """The separating direction of (X, y) among samples of positive weight, or None."""
    keep = sample_weight > 0
    X = X[keep] if keep.any() and not keep.all() else X
    sign = np.where(y[keep] > 0.5, 1.0, -1.0)
    n, d = X.shape
    if sp.issparse(X):
        A = sp.diags(sign) @ sp.csr_matrix(X)
        if fit_intercept:
            A = sp.hstack([A, sp.csr_matrix(sign[:, None])], format="csr")
    else:
        A = np.asarray(X, dtype=np.float64) * sign[:, None]
        if fit_intercept:
            A = np.column_stack([A, sign])
    p = A.shape[1]
    stack = sp.hstack if sp.issparse(A) else np.hstack
    total = np.asarray(A.sum(axis=0)).ravel()
    exists = linprog(-total, A_ub=-A, b_ub=np.zeros(n), bounds=(-1, 1), method="highs")
    scale = max(1.0, float(np.abs(total).max(initial=0.0)))
    if exists.status != 0 or -exists.fun <= 1e-9 * scale:
        return None
    # β = β⁺ - β⁻ with β± ≥ 0; the intercept is free, only the features' |β| are counted.
    cost = np.ones(2 * p)
    if fit_intercept:
        cost[[p - 1, 2 * p - 1]] = 0.0
    margins_at_least = {"A_ub": stack([-A, A]), "method": "highs", "bounds": (0, None)}
    solution = linprog(cost, b_ub=-np.ones(n), **margins_at_least)
    if solution.status != 0:
        solution = linprog(
            cost,
            b_ub=np.zeros(n),
            A_eq=np.concatenate([total, -total])[None, :],
            b_eq=[1.0],
            **margins_at_least,
        )
    if solution.status == 0:
        direction = solution.x[:p] - solution.x[p:]
    else:  # numerically marginal: keep the first program's direction
        direction = exists.x
    margins = np.asarray(A @ direction).ravel()
    order = single_feature_separators(X, sign > 0)
    if not order:
        # Name the features whose share of the separating score is not negligible: |βⱼ|
        # times the column's root mean square, against the largest such product.
        squares = X.multiply(X) if sp.issparse(X) else np.square(X)
        rms = np.sqrt(np.asarray(squares.mean(axis=0))).ravel()
        contribution = np.abs(direction[:d]) * rms
        largest = contribution.max(initial=0.0)
        named = np.flatnonzero(contribution >= 0.05 * largest) if largest > 0 else []
        order = sorted(named, key=lambda j: -contribution[j])
    tol = 1e-9 * max(1.0, np.abs(margins).max())
    return Separation(
        complete=bool(np.all(margins > tol)),
        features=tuple(int(j) for j in order),
        direction=direction,
        n_separated=int(np.sum(margins > tol)),
    )


def single_feature_separators(X, positive: NDArray[np.bool_]) -> list[int]:
    """Columns that alone (with a threshold) separate the classes, at most touching at a tie.

    Column j separates when every value of one class is ≤ every value of the other. The
    per-class extremes come from one pass over X (``kernels.column_extremes``), so no copy
    of either class is made.
    """
    low, high = kernels.column_extremes(X, positive, 2)
    return _separators(low, high)


def _separators(low: NDArray, high: NDArray) -> list[int]:
    """The columns whose extremes over the last two groups (negatives, positives) do not
    overlap."""
    separates = (high[-2] <= low[-1]) | (high[-1] <= low[-2])
    return [int(j) for j in np.flatnonzero(separates)]


def class_extremes(X, y: NDArray, sample_weight: NDArray) -> tuple[NDArray, NDArray]:
    """(low, high), each (3, d): every column's smallest and largest value over the rows of
    weight 0, the negatives and the positives among the others, in one pass over X with no
    copy of any group. ``check_separation`` reads the last two; a fit reads all three for
    its column-scale check (``scaling.column_scales``), so the screen costs no pass of its
    own."""
    groups = (sample_weight > 0).view(np.int8) * (1 + (y > 0.5).view(np.int8))
    return kernels.column_extremes(X, groups, 3)


def check_separation(
    X,
    y,
    sample_weight,
    fit_intercept: bool,
    z: NDArray,
    newton_step: Callable[[], float],
    extremes: tuple[NDArray, NDArray] | None = None,
) -> Separation | None:
    """Runs the programs where the fit gives cause (see the module docstring).

    ``newton_step()`` returns ‖H⁻¹∇J‖∞ at the fitted θ; it is called only when the cheaper
    signs are absent and the programs would be affordable. ``extremes`` are
    ``class_extremes(X, y, sample_weight)`` where the caller has them.
    """
    keep = sample_weight > 0
    signed = np.array(z, dtype=np.float64)  # the margins ±zᵢ, in one n-vector
    np.negative(signed, out=signed, where=y <= 0.5)
    if not keep.all():
        signed = signed[keep]
    if signed.size == 0:
        return None
    complete_fit = signed.min() > 0  # the fitted hyperplane itself separates every sample
    if extremes is None:
        extremes = class_extremes(X, y, sample_weight)
    affordable = X.shape[0] * (X.shape[1] + 1) <= _SOLVE_IF_SUSPECT
    suspect = (
        complete_fit
        or bool(_separators(*extremes))
        or (affordable and newton_step() > _SUSPECT_STEP)
    )
    if not suspect:
        return None
    if affordable:
        return find_separation(X, y, sample_weight, fit_intercept)
    if complete_fit:
        return Separation(True, (), np.zeros(0), int(signed.size))
    return None


def separation_message(found: Separation, feature_names) -> str:
    names = [str(feature_names[j]) for j in found.features[:5]]
    more = len(found.features) - len(names)
    listed = ", ".join(names) + (f" and {more} more" if more > 0 else "")
    kind = "Complete" if found.complete else "Quasi-complete"
    where = f" by {listed}" if listed else ""
    return (
        f"{kind} separation: {found.n_separated} samples are perfectly classified{where}. "
        "The unpenalized maximum-likelihood estimate does not exist; the coefficients are "
        "finite only because the solver stopped. Use penalty='firth' (finite, unbiased to "
        "first order, with standard errors) or penalty='l2' for meaningful estimates."
    )
