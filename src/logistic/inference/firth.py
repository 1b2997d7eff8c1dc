"""The inference of a Firth fit (``firth.py``), as logistf prints it::

    covariance      I(β̂)⁻¹ = (X̃ᵀWX̃)⁻¹ at the penalized estimate, as brglm2; or, with
                    cov_type='augmented', (X̃ᵀdiag((s + h)π(1 - π))X̃)⁻¹, the information of
                    Firth's data-augmentation form (each row also counted with weight h/2
                    at y = 1 and at y = 0): the standard errors logistf's summary prints
                    (its sex2 example, to all 7 digits shown) and firthmodels' bse_
    p-value of βⱼ   penalized likelihood ratio: 2(ℓ*(β̂) - max ℓ*(β | βⱼ = 0)) ~ χ²₁
    interval        profile penalized likelihood: the v where
                    2(ℓ*(β̂) - max ℓ*(β | βⱼ = v)) = χ²₁(1 - α)
    null model      intercept only, the other coefficients fixed at 0 (same penalty)

The p tests and the 2p interval ends are constrained fits (``firth_newton`` with some entries
fixed; logistf's ``col.fit``): the penalty keeps the full information matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from logistic.core import firth_fits, firth_kernels, firth_profiles
from logistic.core.linalg import solve_psd
from logistic.core.objective import Objective
from logistic.core.sigmoid import sigmoid_derivative
from logistic.inference.profile import check_refit, intervals_from_profiles
from logistic.inference.statistics import FitStatistics
from logistic.solvers.firth import (
    MAX_STEP,
    FirthPoint,
    FirthResult,
    check_firth_objective,
    compiled_arrays,
    exact_hessian_affordable,
    firth_newton,
    hat_diagonal,
    penalized_log_likelihood,
)

Array = NDArray[np.float64]

__all__ = [
    "FIRTH_COV_TYPES",
    "MAX_PROFILE_ELEMENTS",
    "MAX_PROFILE_PARAMETERS",
    "FirthStatistics",
    "firth_profile_intervals",
    "firth_statistics",
    "penalized_lr_tests",
]

# Constrained fits for tests and intervals: far tighter than the bounds need (ℓ* errors are
# quadratic in the coefficients' errors).
_INNER_TOL = 1e-11
_INNER_MAX_ITER = 200
# Constrained fits not converged after this many Fisher steps go on with the exact Hessian
# of ℓ*, where that is affordable (firth.exact_hessian_affordable).
_FISHER_ITERATIONS = 12
#: Above this many parameters, or this many entries m·p of X̃, the penalized likelihood-ratio
#: tests and profile intervals (some hundred constrained fits) are not computed at fit time.
MAX_PROFILE_PARAMETERS = 50
MAX_PROFILE_ELEMENTS = 300_000
# Compiled constrained fits also stop once ℓ* is within _GAP·max(1, |ℓ*|) of its maximum
# (their Newton decrement says so): an interval's end then moves by about _GAP/|dℓₚ/dv|.
# Halley's method on the profile makes at most _MAX_OUTER of them per end, the early ones only
# to _LOOSE_GAP (an error there perturbs the next step, not the end).
_GAP = 1e-13
_LOOSE_GAP = 1e-8
_MAX_OUTER = 30
# Up to this many parameters the exact Hessian (O(m·p³)) costs about one evaluation of ℓ* and
# its score (O(m·p²) and the exponentials), and halves the iterations of a fit.
_EXACT_FIRST = 4
_NO_CHORD = np.zeros((0, 0))
#: The covariances of a Firth fit (module docstring).
FIRTH_COV_TYPES = ("nonrobust", "augmented")


def _constrained(objective: Objective, theta: Array, fixed: Sequence[int],
                 chord: Array = _NO_CHORD) -> FirthResult:
    """max ℓ* over the entries not in ``fixed``, which keep their values in ``theta``.

    Fisher scoring first; where it has not converged after a few iterations (the penalty's
    curvature rivals I's: far along a profile under separation) the rest is done with the
    exact Hessian, while its O(m·p³) cost per iteration is moderate. Small dense designs run
    the same iteration compiled (``firth_fits.constrained_newton``), where ``chord`` (a
    -∇²ℓ* from a nearby point) may replace I as the Newton matrix.
    """
    free = np.ones(theta.size, dtype=bool)
    free[list(fixed)] = False
    arrays = compiled_arrays(objective)
    if arrays is not None:
        return _compiled_fit(arrays, theta, free, _exact_after(objective), chord)
    exact = exact_hessian_affordable(objective)
    first = _FISHER_ITERATIONS if exact else _INNER_MAX_ITER
    fit = firth_newton(objective, theta, free=free, max_iter=first, tol=_INNER_TOL)
    if fit.converged or not exact or not np.isfinite(fit.penalized_log_likelihood):
        return fit
    return firth_newton(objective, fit.theta, free=free, max_iter=_INNER_MAX_ITER,
                        tol=_INNER_TOL, hessian="exact")


def _exact_after(objective: Objective) -> int:
    """The Fisher (or chord) iterations of a compiled fit before the exact Hessian's."""
    if objective.n_params <= _EXACT_FIRST:
        return 0
    if exact_hessian_affordable(objective):
        return _FISHER_ITERATIONS
    return _FISHER_ITERATIONS + _INNER_MAX_ITER  # never


def _compiled_fit(arrays: tuple, theta: Array, free: Array, exact_after: int,
                  chord: Array = _NO_CHORD) -> FirthResult:
    fitted, penalized, loglik, information, _, converged, n_iter, _, _, _ = (
        firth_fits.constrained_newton(
            *arrays, np.array(theta, dtype=np.float64), free,
            _FISHER_ITERATIONS + _INNER_MAX_ITER, _INNER_TOL, _GAP, MAX_STEP, exact_after,
            chord))
    message = "converged (modified score or Newton decrement)" if converged else "not converged"
    result = FirthResult(fitted, int(n_iter), bool(converged), message)
    result.penalized_log_likelihood = float(penalized)
    result.log_likelihood = float(loglik)
    result.information = information
    return result


def _compiled_curvature(arrays: tuple | None, theta: Array) -> Array:
    """-∇²ℓ*(θ) where it is positive definite, else I(θ) (0 × 0 without the compiled path,
    or where I is singular): the Newton matrix of fits near θ and the profiles' geometry."""
    if arrays is None:
        return _NO_CHORD
    _, _, information, factor, _, ok, rows = firth_kernels.point(*arrays, theta)
    return firth_kernels.curvature(arrays[0], rows, factor, information) if ok else _NO_CHORD


def augmented_information(objective: Objective, theta: Array) -> Array:
    """X̃ᵀ diag((sᵢ + hᵢ)vᵢ) X̃ (θ layout), vᵢ = πᵢ(1 - πᵢ), hᵢ the hat diagonal: I(β) plus
    X̃ᵀ diag(h ⊙ v) X̃, the Fisher information of Firth's data-augmentation form."""
    point = FirthPoint(objective, theta)
    if point.factor is None:
        raise ValueError("the information matrix is singular")
    extra = hat_diagonal(objective, theta, point.factor)
    extra *= sigmoid_derivative(objective.scores(theta))
    gram, sums = objective.design.gram(extra)
    d = objective.n_features
    out = np.array(point.information, dtype=np.float64)
    out[:d, :d] += gram
    if objective.fit_intercept:
        out[:d, d] += sums
        out[d, :d] += sums
        out[d, d] += extra.sum()
    return out


def _layout(objective: Objective) -> Array:
    """θ-layout indices in the statistics' order: the intercept first."""
    order = np.arange(objective.row_length)
    if objective.fit_intercept:
        order -= 1
        order[0] = objective.row_length - 1
    return order


def _std_err(information: Array) -> Array:
    cov, _ = solve_psd(information, np.eye(information.shape[0]))
    return np.sqrt(np.clip(np.diag(cov), 0.0, None))


# -- tests and intervals -----------------------------------------------------------------------
def penalized_lr_tests(
    objective: Objective, theta: Array, maximum: float | None = None
) -> Array:
    """χ²ⱼ = 2(ℓ*(β̂) - max ℓ*(β | βⱼ = 0)) for every entry j of θ (θ layout), logistf's
    default tests; ``maximum`` is ℓ*(β̂) (computed when None)."""
    theta = np.asarray(theta, dtype=np.float64)
    if maximum is None:
        maximum = penalized_log_likelihood(objective, theta)
    arrays = compiled_arrays(objective)
    chord = _compiled_curvature(arrays, theta)
    if chord.size:  # each fit from β̂ moved along the profile's tangent to βⱼ = 0
        out = firth_profiles.lr_tests(
            *arrays, theta, chord, float(maximum), _FISHER_ITERATIONS + _INNER_MAX_ITER,
            _INNER_TOL, _GAP, MAX_STEP, _exact_after(objective))
        return np.clip(out, 0.0, None)
    out = np.empty(theta.size)
    for j in range(theta.size):
        start = theta.copy()
        start[j] = 0.0
        out[j] = 2.0 * (maximum - _constrained(objective, start, [j]).penalized_log_likelihood)
    return np.clip(out, 0.0, None)


def firth_profile_intervals(
    objective: Objective,
    theta: Array,
    alpha: float = 0.05,
    *,
    indices: Sequence[int] | None = None,
    terms: Sequence[str] | None = None,
    refit: bool = True,
    check: bool = True,
) -> Array:
    """(n_params, 2) profile penalized-likelihood intervals at level 1 - α (θ layout): the
    v on each side of β̂ⱼ where 2(ℓ*(β̂) - max ℓ*(β | βⱼ = v)) = χ²₁(1 - α).

    With ``refit`` β is first re-maximized from ``theta``; with ``check`` as well, a refitted
    estimate more than 1% of a standard error away raises ValueError (the data are not the
    training data). Rows not in ``indices`` are NaN. Ends that do not exist are ±inf with a
    ``SeparationWarning`` (the penalized profile normally always reaches the quantile).
    """
    check_firth_objective(objective)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    q = special.ndtri(0.5 * alpha) ** 2  # χ²₁'s 1 - α quantile
    theta = np.asarray(theta, dtype=np.float64)
    if refit:
        fitted = firth_newton(objective, theta, max_iter=_INNER_MAX_ITER, tol=_INNER_TOL)
        std_err = _std_err(fitted.information)
        if check:
            check_refit(theta, fitted.theta, std_err)
        theta, maximum = fitted.theta, fitted.penalized_log_likelihood
    else:
        point = FirthPoint(objective, theta)
        std_err, maximum = _std_err(point.information), point.penalized

    selected = list(range(theta.size)) if indices is None else list(indices)
    out = np.full((theta.size, 2), np.nan)
    arrays = compiled_arrays(objective)
    chord = _compiled_curvature(arrays, theta)
    if chord.size and selected:
        out[selected] = firth_profiles.profile_ends(
            *arrays, theta, chord, np.asarray(selected, dtype=np.int64), float(maximum), q,
            _MAX_OUTER, _GAP, _LOOSE_GAP, MAX_STEP, _exact_after(objective),
            _FISHER_ITERATIONS)
    searched = [j for j in selected if not np.all(np.isfinite(out[j]))]
    if searched:
        out[searched] = _searched_intervals(objective, theta, maximum, std_err, alpha,
                                            searched, terms)[searched]
    return out


def _searched_intervals(objective, theta, maximum, std_err, alpha, indices, terms) -> Array:
    """Bracketing and brentq on the profile (``profile.intervals_from_profiles``): the
    NumPy path, and the ends ``firth_profiles.profile_end`` did not settle (among
    them the infinite ones)."""

    def solve(j: int, v: float, start: Array) -> tuple[float, Array, bool]:
        fit = _constrained(objective, start, [j])
        return fit.penalized_log_likelihood, fit.theta, fit.converged

    # ℓ* on the line βⱼ = v need not be concave (under separation it can have two maxima):
    # each point is fitted from the nearest solved v and from β̂, and the higher counts
    return intervals_from_profiles(solve, theta, maximum, std_err, alpha, indices, terms,
                                   "profile penalized likelihood", both_starts=True)


# -- the statistics of a fit -------------------------------------------------------------------
@dataclass(frozen=True)
class FirthStatistics(FitStatistics):
    """``FitStatistics`` of a Firth fit (intercept first): log_likelihood is ℓ*(β̂),
    null_log_likelihood the intercept-only ℓ* (same penalty), cov = I(β̂)⁻¹ (or the
    augmented information's inverse: ``cov_type``), and — where
    computed — the penalized likelihood-ratio tests (``p_values`` then returns their
    p-values, as logistf) and the profile penalized-likelihood intervals at ``profile_alpha``.
    """

    lr_chi2: Array | None = None
    lr_p_values: Array | None = None
    profile_alpha: float | None = None
    profile_ci: Array | None = None
    note: str | None = None

    @property
    def p_values(self) -> Array:
        if self.lr_p_values is not None:
            return self.lr_p_values
        return 2.0 * stats.norm.sf(np.abs(self.z))


def firth_statistics(
    objective: Objective,
    result: FirthResult,
    terms: tuple[str, ...],
    *,
    alpha: float = 0.05,
    max_profile_parameters: int = MAX_PROFILE_PARAMETERS,
    max_profile_elements: int = MAX_PROFILE_ELEMENTS,
    cov_type: str = "nonrobust",
) -> FirthStatistics:
    """The statistics of a Firth fit ``result`` on ``objective`` (module docstring).

    The p tests and 2p interval ends (each a root search over constrained fits) are computed
    up to ``max_profile_parameters`` parameters and ``max_profile_elements`` entries m·p of
    X̃; above, p-values and intervals are Wald's and the note says so. ``cov_type`` is one
    of FIRTH_COV_TYPES (module docstring). Small dense designs get the null model, the tests
    and the intervals from the compiled fits (``firth_profiles.statistics``).
    """
    if cov_type not in FIRTH_COV_TYPES:
        raise ValueError(f"cov_type must be one of {FIRTH_COV_TYPES}, got {cov_type!r}")
    theta = result.theta
    order = _layout(objective)
    information = (result.information if cov_type == "nonrobust"
                   else augmented_information(objective, theta))[order][:, order]
    cov, rank = _covariance(information, compiled_arrays(objective) is not None)
    maximum = result.penalized_log_likelihood
    elements = objective.n_samples * theta.size
    extra: dict[str, object] = {}
    if theta.size <= max_profile_parameters and elements <= max_profile_elements:
        layout_terms = [terms[i] for i in np.argsort(order)]
        computed = _compiled_statistics(objective, result, alpha, layout_terms)
        if computed is None:
            null = _null_log_likelihood(objective, theta)
            chi2 = penalized_lr_tests(objective, theta, maximum)
            intervals = firth_profile_intervals(objective, theta, alpha, terms=layout_terms,
                                                refit=False)
        else:
            null, chi2, intervals = computed
        extra = {
            "lr_chi2": chi2[order],
            "lr_p_values": special.erfc(np.sqrt(0.5 * chi2[order])),  # χ²₁'s survival function
            "profile_alpha": float(alpha),
            "profile_ci": intervals[order],
        }
    else:
        null = _null_log_likelihood(objective, theta)
        size = (f"{theta.size} parameters (more than {max_profile_parameters})"
                if theta.size > max_profile_parameters else
                f"{elements} entries in X̃ (more than {max_profile_elements})")
        extra = {"note": (
            f"With {size} the penalized likelihood-ratio tests and profile intervals (hundreds "
            "of constrained fits) are not computed at fit time: p-values and intervals are "
            "Wald's. logistic.inference.firth.penalized_lr_tests gives the tests."
        )}
    return FirthStatistics(
        terms=tuple(terms),
        params=theta[order],
        cov=cov,
        rank=rank,
        n_obs=float(objective.total_weight),
        log_likelihood=float(maximum),
        null_log_likelihood=float(null),
        n_intercepts=int(objective.fit_intercept),
        cov_type=cov_type,
        **extra,
    )


def _covariance(information: Array, small: bool) -> tuple[Array, int]:
    """(I⁻¹, rank) as solve_psd(I, eye); for small designs compiled where I is numerically
    positive definite (solve_psd's LAPACK solve with p right-hand sides is a BLAS trsm, which
    OpenBLAS splits over its threads even for 7 × 7)."""
    if small:
        inverse, ok = firth_kernels.inverse_psd(np.ascontiguousarray(information))
        if ok:
            return inverse, information.shape[0]
    return solve_psd(information, np.eye(information.shape[0]))


def _null_log_likelihood(objective: Objective, theta: Array) -> float:
    """ℓ* of the null model: the intercept alone is fitted, the coefficients are fixed at 0."""
    start = np.zeros_like(theta)
    if not objective.fit_intercept:
        return penalized_log_likelihood(objective, start)
    start[-1] = theta[-1]
    return _constrained(objective, start, range(theta.size - 1)).penalized_log_likelihood


def _compiled_statistics(objective: Objective, result: FirthResult, alpha: float,
                         terms: Sequence[str]) -> tuple[float, Array, Array] | None:
    """(null ℓ*, χ², intervals) in the θ layout by ``firth_profiles.statistics`` (the ends
    it did not settle by ``_searched_intervals``); None without the compiled path."""
    arrays = compiled_arrays(objective)
    if arrays is None:
        return None
    theta, maximum = result.theta, float(result.penalized_log_likelihood)
    start, free = np.zeros_like(theta), np.zeros(theta.size, dtype=bool)
    if objective.fit_intercept:
        start[-1], free[-1] = theta[-1], True
    q = special.ndtri(0.5 * alpha) ** 2  # χ²₁'s 1 - α quantile
    ok, null, chi2, intervals = firth_profiles.statistics(
        *arrays, theta, maximum, start, free, q, _FISHER_ITERATIONS + _INNER_MAX_ITER,
        _INNER_TOL, _GAP, _LOOSE_GAP, MAX_STEP, _exact_after(objective), _FISHER_ITERATIONS,
        _MAX_OUTER)
    if not ok:
        return None
    searched = np.flatnonzero(~np.isfinite(intervals).all(axis=1)).tolist()
    if searched:
        std_err = _std_err(result.information)
        intervals[searched] = _searched_intervals(objective, theta, maximum, std_err, alpha,
                                                  searched, terms)[searched]
    return float(null), np.clip(chi2, 0.0, None), intervals
