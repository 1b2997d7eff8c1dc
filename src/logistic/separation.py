"""Complete and quasi-complete separation: when the unpenalized optimum does not exist.

If some direction β (with intercept β₀) gives (2yᵢ - 1)(β₀ + xᵢ·β) ≥ 0 for every sample
and > 0 for at least one, moving w along β lowers J(w) forever: the cross-entropy has no
finite minimizer (Albert & Anderson 1984). Such a β is a feasible point of the linear program

    minimize ‖β‖₁  subject to  (2yᵢ - 1)(β₀ + xᵢ·β) ≥ 0  for all i,
                                Σᵢ (2yᵢ - 1)(β₀ + xᵢ·β) = 1,

solved here with scipy's HiGHS. The L1 objective picks a sparse direction, so the features
it names are the ones that separate. The program is infeasible exactly when the maximum
likelihood estimate exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import linprog

__all__ = ["Separation", "find_separation", "separation_message"]

# Up to this many matrix entries the program is always solved (milliseconds).
_ALWAYS_SOLVE = 1_000_000
# Above it, only when the fit itself looks divergent, and only up to this size.
_SOLVE_IF_SUSPECT = 20_000_000


@dataclass(frozen=True)
class Separation:
    """A separating direction: ``complete`` when every sample lies strictly on its side."""

    complete: bool
    features: tuple[int, ...]
    direction: NDArray[np.float64]
    n_separated: int


def find_separation(X, y: NDArray, sample_weight: NDArray, fit_intercept: bool) -> Separation | None:
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
    total = np.asarray(A.sum(axis=0)).ravel()
    stack = sp.hstack if sp.issparse(A) else np.hstack
    cost = np.ones(2 * p)
    if fit_intercept:
        cost[[p - 1, 2 * p - 1]] = 0.0  # the intercept is free; only features are counted
    solution = linprog(
        cost,
        A_ub=stack([-A, A]),
        b_ub=np.zeros(n),
        A_eq=np.concatenate([total, -total])[None, :],
        b_eq=[1.0],
        bounds=(0, None),
        method="highs",
    )
    if solution.status != 0:
        return None
    direction = solution.x[:p] - solution.x[p:]
    margins = np.asarray(A @ direction).ravel()
    scale = np.abs(direction[:d]).max(initial=0.0)
    features = np.flatnonzero(np.abs(direction[:d]) > 1e-7 * scale) if scale > 0 else []
    order = sorted(features, key=lambda j: -abs(direction[j]))
    tol = 1e-9 * max(1.0, np.abs(margins).max())
    return Separation(
        complete=bool(np.all(margins > tol)),
        features=tuple(int(j) for j in order),
        direction=direction,
        n_separated=int(np.sum(margins > tol)),
    )


def check_separation(X, y, sample_weight, fit_intercept: bool, z: NDArray) -> Separation | None:
    """Runs the program where it is cheap, or where the fitted scores z suggest divergence."""
    size = X.shape[0] * (X.shape[1] + 1)
    signed = np.where(y > 0.5, z, -z)[sample_weight > 0]
    suspect = signed.size > 0 and (signed.min() > 0 or np.abs(z).max() > 15)
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
