"""Complete and quasi-complete separation: when the unpenalized optimum does not exist.

If some direction β (with intercept β₀) gives margins mᵢ = (2yᵢ - 1)(β₀ + xᵢ·β) ≥ 0 for
every sample and > 0 for at least one, moving w along β lowers J(w) forever: the
cross-entropy has no finite minimizer (Albert & Anderson 1984). Two linear programs, solved
with scipy's HiGHS, decide it:

    complete:        minimize ‖β‖₁  subject to  mᵢ ≥ 1 for all i
    quasi-complete:  minimize ‖β‖₁  subject to  mᵢ ≥ 0 for all i,  Σᵢ mᵢ = 1

The first is feasible when a hyperplane puts every sample strictly on its side; the second
exactly when the maximum-likelihood estimate does not exist. The L1 objective picks a
sparse direction, so the features it names are the ones that separate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import linprog

__all__ = ["Separation", "check_separation", "find_separation", "separation_message"]

# Up to this many matrix entries the programs are always solved (tens of milliseconds).
_ALWAYS_SOLVE = 50_000
# Above it, only when the fit itself looks divergent, and only up to this size (seconds).
_SOLVE_IF_SUSPECT = 2_000_000


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
    # β = β⁺ - β⁻ with β± ≥ 0; the intercept is free, only the features' |β| are counted.
    cost = np.ones(2 * p)
    if fit_intercept:
        cost[[p - 1, 2 * p - 1]] = 0.0
    margins_at_least = {"A_ub": stack([-A, A]), "method": "highs", "bounds": (0, None)}
    solution = linprog(cost, b_ub=-np.ones(n), **margins_at_least)
    if solution.status != 0:
        total = np.asarray(A.sum(axis=0)).ravel()
        solution = linprog(
            cost,
            b_ub=np.zeros(n),
            A_eq=np.concatenate([total, -total])[None, :],
            b_eq=[1.0],
            **margins_at_least,
        )
    if solution.status != 0:
        return None
    direction = solution.x[:p] - solution.x[p:]
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

    Column j separates when every value of one class is ≤ every value of the other.
    """
    def extremes(rows):
        part = X[rows]
        if sp.issparse(part):
            return part.min(axis=0).toarray().ravel(), part.max(axis=0).toarray().ravel()
        return part.min(axis=0), part.max(axis=0)

    low_pos, high_pos = extremes(positive)
    low_neg, high_neg = extremes(~positive)
    separates = (high_neg <= low_pos) | (high_pos <= low_neg)
    return [int(j) for j in np.flatnonzero(separates)]


def check_separation(X, y, sample_weight, fit_intercept: bool, z: NDArray) -> Separation | None:
    """Runs the program where it is cheap, or where the fitted scores z suggest divergence."""
    size = X.shape[0] * (X.shape[1] + 1)
    signed = np.where(y > 0.5, z, -z)[sample_weight > 0]
    # With tol = 1e-6 a divergent fit stops near |z| ≈ 14 - log(m/k); a sound one rarely
    # reaches 10. Above the always-solve size the programs run only on such suspects.
    suspect = signed.size > 0 and (signed.min() > 0 or np.abs(z).max() > 10)
    if size <= _ALWAYS_SOLVE or (suspect and size <= _SOLVE_IF_SUSPECT):
        return find_separation(X, y, sample_weight, fit_intercept)
    if signed.size and signed.min() > 0:  # the fit itself separates every sample
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
        "finite only because the solver stopped. Use penalty='l2' (or Firth's correction) "
        "for meaningful estimates."
    )
