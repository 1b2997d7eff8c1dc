"""Profile-likelihood confidence intervals (as R's ``confint`` for a glm, via MASS).

For a coefficient θⱼ the profile log-likelihood re-maximizes the others with θⱼ held at v::

    ℓₚ(v) = max over θ₋ⱼ of ℓ(θ₋ⱼ, θⱼ = v)
    LR(v) = 2(ℓ(θ̂) - ℓₚ(v))  ~  χ²₁ under θⱼ = v

and the 1 - α interval is {v : LR(v) ≤ q}, q = χ²₁ quantile at 1 - α (= z²₁₋α/₂, so the Wald
interval is θ̂ⱼ ± √q·std err). Its two ends are the roots of LR(v) - q, found by
``scipy.optimize.brentq`` after bracketing outward from the Wald bound (doubling the distance
from θ̂ⱼ until LR exceeds q). Unlike the Wald interval it follows the likelihood's shape, so
it is asymmetric where the likelihood is skewed (small samples, rare events), and it is
unchanged by reparametrization.

The constrained fit is the model with column xⱼ dropped from X and the fixed term v·xⱼ moved
into an offset o (v itself for the intercept)::

    z = X₋ⱼ w₋ⱼ + b + o,   o = v·xⱼ

which ``OffsetObjective`` adds to the scores; Newton's method (``solvers.newton``) then
maximizes over the rest. Under separation the profile can level off below q on one side: the
data are compatible with θⱼ → ±∞, so that end is returned as ±inf with a
``SeparationWarning``.

``profile_bounds`` (the bracketing and root finding) takes any profile statistic, so Firth's
penalized profile (``inference.firth.firth_profile_intervals``) uses it too.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy import optimize, stats

from logistic.core.linalg import solve_psd
from logistic.core.losses import cross_entropy
from logistic.core.objective import Objective
from logistic.core.penalties import NoPenalty
from logistic.exceptions import SeparationWarning
from logistic.solvers.newton import newton

Array = NDArray[np.float64]

__all__ = [
    "OffsetObjective",
    "ProfileStatistic",
    "check_refit",
    "constrained_objective",
    "intervals_from_profiles",
    "profile_bounds",
    "profile_intervals",
    "profile_log_likelihood",
    "warn_unbounded",
]

# Inner fits are solved far below the precision the bounds need: an error δ in θ₋ⱼ changes
# ℓₚ by O(δ²), and LR(v) - q must be right to ~1e-9 at the bound.
_INNER_TOL = 1e-11
_INNER_MAX_ITER = 100
# Bracketing: at most this many doublings of the distance from θ̂ⱼ; after a few, an increase
# of LR by less than _PLATEAU per doubling means the profile has levelled off (separation).
_MAX_DOUBLINGS = 60
_MIN_DOUBLINGS = 3
_PLATEAU = 1e-4
# Where LR is not finite (the fit overflowed far out) it counts as far above any quantile.
_LARGE = 1e6


class OffsetObjective(Objective):
    """``Objective`` with a fixed offset in the scores: z = Xw + b + o.

    o is an (m,) vector (the fixed terms of a constrained fit, or a user's offset). The
    compiled one-pass kernel knows no offset, so it is switched off; every other method
    reaches z through ``scores`` and so sees the offset.
    """

    def __init__(self, X, y: Array, sample_weight: Array | None = None, offset=None,
                 **options) -> None:
        super().__init__(X, y, sample_weight, **options)
        offset = np.zeros(self.n_samples) if offset is None else offset
        self.offset = np.broadcast_to(np.asarray(offset, dtype=np.float64), (self.n_samples,))
        self.fused = False

    def scores(self, theta: Array) -> Array:
        """z = Xw + b + o; the last θ's z is kept for the next call."""
        if self._cached_theta is not None and np.array_equal(theta, self._cached_theta):
            return self._cached_z
        w, b = self.split(theta)
        z = self.design.matvec(w) + self.offset
        if self.fit_intercept:
            z += b
        self._cached_theta, self._cached_z = np.array(theta, dtype=np.float64), z
        return z


def _column(X, j: int) -> Array:
    """Column j of dense or sparse X as a float64 vector."""
    if sp.issparse(X):
        return np.asarray(X[:, [j]].toarray(), dtype=np.float64).ravel()
    return np.asarray(X[:, j], dtype=np.float64)


def _without_column(X, j: int):
    keep = np.delete(np.arange(X.shape[1]), j)
    return X[:, keep]


def constrained_objective(objective: Objective, index: int, value: float):
    """The objective of the other coefficients with θ[index] fixed at ``value``.

    ``index`` is in ``objective``'s θ layout (rows [w, b]). Returns ``(reduced, keep)``:
    ``reduced`` is an ``OffsetObjective`` on X without that column (or without the
    intercept), whose offset holds value·xⱼ (or value); ``keep`` is the boolean mask of the
    θ entries it fits, so θ[keep] is its θ.
    """
    if objective.n_outputs != 1:
        raise ValueError("profile fits are for one score column (two classes)")
    X = objective.design.X
    d = objective.n_features
    given = getattr(objective, "offset", None)  # an Objective's is None without one
    offset = np.zeros(objective.n_samples) if given is None else np.array(given, float)
    fit_intercept = objective.fit_intercept
    if fit_intercept and index == d:  # the intercept
        reduced_X, fit_intercept = X, False
        offset = offset + value
    else:
        reduced_X = _without_column(X, index)
        offset = offset + value * _column(X, index)
    keep = np.ones(objective.n_params, dtype=bool)
    keep[index] = False
    reduced = OffsetObjective(
        reduced_X,
        objective.y,
        objective.weights * objective.total_weight,
        offset,
        loss=objective.loss,
        penalty=objective.penalty,
        fit_intercept=fit_intercept,
    )
    return reduced, keep


def profile_log_likelihood(
    objective: Objective, index: int, value: float, theta0: Array
) -> tuple[float, Array, bool]:
    """(ℓₚ(value), the maximizing θ with θ[index] = value, whether the fit converged) for an
    unpenalized cross-entropy ``objective``; ``theta0`` (full layout) is the starting point
    of the other entries."""
    reduced, keep = constrained_objective(objective, index, value)
    result = newton(reduced, np.asarray(theta0, float)[keep], max_iter=_INNER_MAX_ITER,
                    tol=_INNER_TOL)
    theta = np.array(theta0, dtype=np.float64)
    theta[keep], theta[index] = result.theta, value
    with np.errstate(over="ignore", invalid="ignore"):
        loglik = -reduced.total_weight * reduced.value(result.theta)
    return float(loglik), theta, result.converged


class ProfileStatistic:
    """v ↦ LR(v) - q = 2(ℓ̂ - ℓₚ(v)) - q for coefficient ``index``, memoized.

    ``solve(index, v, θ₀)`` returns (ℓ at the constrained maximum found from θ₀, that θ,
    converged). A fit starts from the converged solution at the nearest v so far, so the
    profile is followed continuously outward; where that fails to converge (or always, with
    ``both_starts``, for an ℓ that need not be concave on the line) the fit from θ̂ is made
    too and the higher maximum counts. Any θ with θⱼ = v bounds ℓₚ(v) from below, so taking
    the higher is always right. A v asked for twice (by the bracketing and then by
    ``brentq``) gets the same value.
    """

    def __init__(self, solve: Callable, index: int, theta: Array, maximum: float, q: float,
                 both_starts: bool = False):
        self.solve, self.index, self.maximum, self.q = solve, index, maximum, q
        self.theta = np.array(theta, dtype=np.float64)
        self.both_starts = both_starts
        self.solutions = {float(theta[index]): self.theta}
        self.values: dict[float, float] = {}

    def _fit(self, v: float, start: Array) -> tuple[float, Array, bool]:
        start = start.copy()
        start[self.index] = v
        loglik, fitted, converged = self.solve(self.index, v, start)
        return (loglik if np.isfinite(loglik) else -np.inf), fitted, converged

    def __call__(self, v: float) -> float:
        v = float(v)
        if v not in self.values:
            nearest = self.solutions[min(self.solutions, key=lambda u: abs(u - v))]
            best = self._fit(v, nearest)
            if nearest is not self.theta and (self.both_starts or not best[2]):
                other = self._fit(v, self.theta)
                best = max(best, other, key=lambda fit: fit[0])
            loglik, fitted, converged = best
            if converged and np.all(np.isfinite(fitted)):
                self.solutions[v] = fitted
            self.values[v] = 2.0 * (self.maximum - loglik) - self.q
        return self.values[v]


def intervals_from_profiles(
    solve: Callable,
    theta: Array,
    maximum: float,
    std_err: Array,
    alpha: float,
    indices: Sequence[int] | None,
    terms: Sequence[str] | None,
    what: str,
    both_starts: bool = False,
) -> Array:
    """(n_params, 2): for each selected index, the ends of {v : LR(v) ≤ χ²₁(1 - α)} from
    ``profile_bounds`` on a ``ProfileStatistic`` (NaN rows for the others); warns once for
    ends that do not exist."""
    q = _quantile(alpha)
    out = np.full((theta.size, 2), np.nan)
    selected = list(range(theta.size)) if indices is None else list(indices)
    for j in selected:
        statistic = ProfileStatistic(solve, j, theta, maximum, q, both_starts)
        out[j] = profile_bounds(statistic, float(theta[j]), np.sqrt(q) * std_err[j])
    names = None if terms is None else [terms[j] for j in selected]
    warn_unbounded(out[selected], names, what)
    return out


def profile_bounds(
    statistic: Callable[[float], float], estimate: float, half_width: float
) -> tuple[float, float]:
    """The two roots of ``statistic`` around ``estimate``, or ∓inf where there is none.

    ``statistic(v)`` is LR(v) - q: negative inside the interval (-q at the estimate),
    increasing outward, zero at each end. Each side is bracketed from the Wald bound
    estimate ± half_width, doubling the distance until the statistic turns positive, then
    ``brentq`` finds the root. A side on which the statistic levels off below 0 (or is still
    negative after 2⁶⁰ Wald half-widths) has no bound: ±inf.
    """
    if not np.isfinite(half_width) or half_width <= 0:
        half_width = 1.0 + abs(estimate)

    def finite(v: float) -> float:
        value = statistic(v)
        return _LARGE if not np.isfinite(value) else min(value, _LARGE)

    bounds = []
    for side in (-1.0, 1.0):
        inside, inside_value = estimate, -np.inf
        distance, root = half_width, side * np.inf
        for doubling in range(_MAX_DOUBLINGS):
            v = estimate + side * distance
            value = finite(v)
            if value > 0:
                # absolute tolerance on the scale of the estimate's uncertainty (not of the
                # bracket, which can be huge where the information is nearly singular)
                xtol = 1e-10 * min(half_width, 1.0 + abs(estimate))
                root = optimize.brentq(finite, inside, v, xtol=xtol, rtol=4 * np.finfo(float).eps,
                                       maxiter=200)
                break
            if doubling >= _MIN_DOUBLINGS and value - inside_value < _PLATEAU:
                break  # levelled off below the quantile: no bound on this side
            inside, inside_value = v, value
            distance *= 2.0
        bounds.append(float(root))
    return bounds[0], bounds[1]


def _quantile(alpha: float) -> float:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    return float(stats.chi2.ppf(1.0 - alpha, 1))


def warn_unbounded(intervals: Array, terms: Sequence[str] | None, what: str) -> None:
    """One ``SeparationWarning`` naming the terms whose interval has an infinite end."""
    rows = np.flatnonzero(~np.all(np.isfinite(intervals), axis=1))
    if rows.size == 0:
        return
    names = [terms[i] if terms is not None else f"θ[{i}]" for i in rows]
    warnings.warn(
        f"The {what} never reaches the χ²₁ quantile on one side for {', '.join(names)}: "
        "the data are compatible with an infinite coefficient there (separation), so that "
        "end of the interval is ±inf.",
        SeparationWarning,
        stacklevel=3,
    )


def check_refit(theta: Array, refitted: Array, std_err: Array) -> None:
    """Raises ValueError where the estimate refitted on the given data is not θ̂: the data
    passed for a profile are then not the data the model was fitted on."""
    moved = np.abs(refitted - theta)
    allowed = 0.01 * np.where(np.isfinite(std_err), std_err, 0.0) + 1e-6 * (1.0 + np.abs(theta))
    if np.any(moved > allowed):
        raise ValueError(
            "the data given for the profile are not the data the model was fitted on: the "
            f"estimate refitted on them differs from the model's by up to {moved.max():.3g}. "
            "Pass the training X, y and sample_weight."
        )


def profile_intervals(
    objective: Objective,
    theta: Array,
    alpha: float = 0.05,
    *,
    indices: Sequence[int] | None = None,
    terms: Sequence[str] | None = None,
    check: bool = True,
) -> Array:
    """(n_params, 2) profile-likelihood intervals at level 1 - α, in θ's layout ([w, b]).

    ``objective`` is the unpenalized cross-entropy on the training data (frequency weights)
    and ``theta`` its maximum. θ is first re-maximized from ``theta`` (a few Newton steps at
    most); with ``check`` a refitted estimate that moved by more than 1% of a standard error
    raises ValueError (the data are not the training data). Rows not in ``indices`` are NaN;
    ``terms`` (θ layout) name the coefficients in the warning about infinite ends.
    """
    if not isinstance(objective.penalty, NoPenalty) or objective.loss is not cross_entropy:
        raise ValueError("profile likelihood intervals need the unpenalized cross-entropy")
    _quantile(alpha)  # validates alpha before any fitting
    theta = np.asarray(theta, dtype=np.float64)
    refitted = newton(objective, theta, max_iter=_INNER_MAX_ITER, tol=_INNER_TOL).theta
    total = objective.total_weight
    cov, _ = solve_psd(total * objective.hessian(refitted), np.eye(theta.size))
    std_err = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    if check:
        check_refit(theta, refitted, std_err)
    with np.errstate(over="ignore", invalid="ignore"):
        maximum = -total * objective.value(refitted)
    return intervals_from_profiles(
        lambda j, v, start: profile_log_likelihood(objective, j, v, start),
        refitted, maximum, std_err, alpha, indices, terms, "profile likelihood",
    )
