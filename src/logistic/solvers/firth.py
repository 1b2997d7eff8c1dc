"""Firth's penalized likelihood (Firth 1993; Heinze & Schemper 2002), as R's ``logistf``.

With X̃ the design with its intercept column, πᵢ = σ(zᵢ), zᵢ = x̃ᵢβ (+ an offset), and
frequency weights sᵢ, Firth's estimate maximizes the log-likelihood penalized by Jeffreys'
prior::

    ℓ*(β)  = ℓ(β) + ½·log det I(β)
    ℓ(β)   = Σᵢ sᵢ [yᵢ log πᵢ + (1 - yᵢ) log(1 - πᵢ)]       (from z: -Σᵢ sᵢ·softplus(zᵢ) + sᵢyᵢzᵢ)
    I(β)   = X̃ᵀ W X̃,   W = diag(sᵢ·πᵢ(1 - πᵢ))

Its gradient is the modified score::

    U*(β)ⱼ = Σᵢ [sᵢ(yᵢ - πᵢ) + hᵢ(½ - πᵢ)] x̃ᵢⱼ

with hᵢ the diagonal of the hat matrix H = W^½ X̃ (X̃ᵀWX̃)⁻¹ X̃ᵀ W^½, i.e.
hᵢ = sᵢπᵢ(1 - πᵢ)·x̃ᵢ I⁻¹ x̃ᵢᵀ (so hᵢ = sᵢ·h̄ᵢ and U*ⱼ = Σᵢ sᵢ(yᵢ - πᵢ + h̄ᵢ(½ - πᵢ))x̃ᵢⱼ with
the per-observation h̄ᵢ). The term ½·∂ log det I/∂βⱼ = ½ tr(I⁻¹ ∂I/∂βⱼ) is Σᵢ hᵢ(½ - πᵢ)x̃ᵢⱼ,
because ∂(π(1 - π))/∂z = π(1 - π)(1 - 2π). hᵢ is computed without the m × m matrix H: with
the Cholesky factor I = LLᵀ, hᵢ = sᵢπᵢ(1 - πᵢ)·‖L⁻¹x̃ᵢᵀ‖², in row blocks (x̃ᵢL⁻ᵀ is a row of
one block product); log det I = 2Σ log Lₖₖ.

The estimate is finite whenever X̃ has full column rank, even under complete separation
(where the maximum-likelihood estimate is at infinity), and its O(1/n) bias is removed.

Fitting (``firth_newton``) is logistf's modified Newton iteration::

    β ← β + t·δ,   δ = I(β)⁻¹ U*(β)   (scaled down to max|δ| ≤ 5),

t = 1, ½, ¼, … until ℓ* does not decrease (step-halving); once δ is within a standard error
the steps use ℓ*'s exact Hessian where affordable (quadratic convergence, the same maximum),
and the fit stops on the step in standard errors (``solvers.stopping``). A constrained fit
keeps some coefficients fixed and steps the others with the corresponding block of I, as logistf's
``col.fit``: the penalty keeps the *full* information matrix, so ℓ* with βⱼ fixed is the same
function restricted to a line (not the penalized likelihood of the smaller model). Far along
a profile under separation the penalty's curvature rivals I's and Fisher scoring crawls;
there the constrained fits continue with the exact Hessian of ℓ* (``penalized_hessian``), and
since ℓ* need not be concave on such a line, an interval's end is also fitted from β̂.

ℓ*, U*, h and ∇²ℓ* at one β are in ``firth_point``: dense designs of at most
COMPILED_MAX_ELEMENTS entries are evaluated there by compiled kernels (``core.firth_kernels``),
alike rows merged, the estimator steps with the exact Hessian there (``preferred_hessian``),
and without a callback the whole iteration is one compiled call (``core.firth_fits``). The
tests, intervals and statistics of a fit are in ``logistic.inference.firth``.

Symbols: β is θ of ``objective.py`` (rows [w, b], the intercept last in the solver layout; the
statistics put it first, as the summary does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
from numpy.typing import NDArray

from logistic.core import firth_fits, firth_kernels
from logistic.core.firth_design import KernelArrays
from logistic.core.linalg import solve_psd
from logistic.core.losses import cross_entropy
from logistic.core.objective import Objective
from logistic.solvers.firth_point import (
    COMPILED_MAX_ELEMENTS,
    FirthPoint,
    compiled_arrays,
    hat_diagonal,
    modified_score,
    penalized_hessian,
    penalized_log_likelihood,
)
from logistic.solvers.result import Callback, SolverResult, report
from logistic.solvers.stopping import CONVERGED, step_in_standard_errors

Array = NDArray[np.float64]

__all__ = [
    "COMPILED_MAX_ELEMENTS",
    "EXACT_HESSIAN_WORK",
    "EXACT_STEP_PARAMS",
    "MAX_STEP",
    "FirthPoint",
    "FirthResult",
    "check_firth_objective",
    "compiled_arrays",
    "exact_hessian_affordable",
    "firth_newton",
    "hat_diagonal",
    "modified_score",
    "penalized_hessian",
    "penalized_log_likelihood",
    "preferred_hessian",
]

_EPS = np.finfo(np.float64).eps
_FLAT = 64 * _EPS
MAX_STEP = 5.0  # logistf's maxstep
#: Up to this many parameters a compiled fit steps with the exact Hessian of ℓ*.
EXACT_STEP_PARAMS = 8
#: ℓ*'s exact Hessian (``penalized_hessian``) costs O(m·p³) a step: fits use it while m·p³ is at
#: most this (``exact_hessian_affordable``).
EXACT_HESSIAN_WORK = 2e8
# Fisher steps within this many standard errors of the maximum hand over to the exact Hessian
# (where affordable): the last step's error is then quadratic in δ, not a fixed share of it.
_EXACT_WITHIN = 1.0


def preferred_hessian(objective: Objective) -> str:
    """``firth_newton``'s ``hessian`` for a fit of this objective: 'exact' where the compiled
    kernels evaluate ℓ* and p ≤ EXACT_STEP_PARAMS (there -∇²ℓ* costs about one evaluation,
    and Newton's steps take half the iterations of Fisher's to the same maximum), else
    logistf's 'fisher'."""
    small = objective.n_params <= EXACT_STEP_PARAMS and compiled_arrays(objective) is not None
    return "exact" if small else "fisher"


# -- the modified Newton iteration -------------------------------------------------------------
@dataclass
class FirthResult(SolverResult):
    """A ``SolverResult`` (loss_history holds -ℓ*/Σs, grad_norm_history max|U*|/Σs over the
    fitted entries) with the penalized fit's quantities at the final β."""

    penalized_log_likelihood: float = -np.inf
    log_likelihood: float = -np.inf
    information: Array | None = None

    @property
    def cov(self) -> Array:
        """I(β̂)⁻¹ (θ layout)."""
        if self.information is None:
            raise ValueError("no information matrix: the fit did not start")
        return solve_psd(self.information, np.eye(self.information.shape[0]))[0]


def exact_hessian_affordable(objective: Objective) -> bool:
    """Whether m·p³, the cost of one exact Hessian of ℓ*, is at most EXACT_HESSIAN_WORK."""
    return objective.n_samples * objective.n_params**3 <= EXACT_HESSIAN_WORK


def check_firth_objective(objective: Objective) -> None:
    if objective.loss is not cross_entropy or objective.n_outputs != 1:
        raise ValueError("Firth's penalty is for the binary cross-entropy (two classes)")


def firth_newton(
    objective: Objective,
    theta0: Array,
    *,
    free: Array | None = None,
    max_iter: int = 100,
    tol: float = 1e-6,
    max_step: float = MAX_STEP,
    hessian: str = "fisher",
    callback: Callback | None = None,
) -> FirthResult:
    """Maximizes ℓ*(β) from β₀ by β ← β + t·I⁻¹U* with step-halving on ℓ* (module docstring).

    ``objective`` is an unpenalized binary cross-entropy ``Objective`` (its sample weights are
    the frequency weights s; an ``OffsetObjective`` adds an offset). ``free`` is a boolean
    mask of the entries to fit (all by default); the others stay at their value in β₀ (a
    constrained fit, logistf's ``col.fit``). Stops once the step δ just computed is within
    ``tol`` standard errors, √(U*_Fᵀ d_F) ≤ tol over the free entries F (I⁻¹ is the
    covariance; ``solvers.stopping``), after taking it; or after ``max_iter`` iterations.

    ``hessian='exact'`` steps with -∇²ℓ* (``penalized_hessian``) instead of I wherever it is
    positive definite on the free entries: the same maximum, reached quadratically where the
    penalty's curvature is not small beside I's (few observations, or far along a profile
    under separation, where Fisher scoring crawls). The default 'fisher' is logistf's
    iteration until its step is within a standard error of the maximum, and from there the
    exact one where its O(m·p³) cost is moderate (``exact_hessian_affordable``): the same
    estimate, with quadratic instead of linear convergence at the end.

    Where the compiled kernels evaluate ℓ* and no ``callback`` watches the iterations, the
    whole iteration is one compiled call (``firth_fits.firth_fit``, the same steps).

    Raises ValueError where I(β₀) is singular for an unconstrained fit: Firth's penalty needs
    X̃ of full column rank.
    """
    check_firth_objective(objective)
    if hessian not in ("fisher", "exact"):
        raise ValueError(f"hessian must be 'fisher' or 'exact', got {hessian!r}")
    theta = np.array(theta0, dtype=np.float64)
    mask = np.ones(theta.size, dtype=bool) if free is None else np.asarray(free, dtype=bool)
    arrays = compiled_arrays(objective)
    if arrays is not None and callback is None:
        result = _compiled_newton(objective, arrays, theta, mask, max_iter, tol, max_step,
                                  hessian)
        if result is not None:
            return result
    return _newton(objective, theta, mask, max_iter, tol, max_step, hessian, callback)


_MESSAGES = {
    firth_fits.MAX_ITER: "maximum number of iterations reached",
    firth_fits.CONVERGED: CONVERGED,
    firth_fits.AT_FLOOR: "converged to floating-point precision (no further increase)",
    firth_fits.HALVING_FAILED: "step-halving failed to increase the penalized likelihood",
}


def _singular_start(theta: Array, free: Array) -> FirthResult:
    if free.all():
        raise ValueError(
            "Firth's penalty needs a design of full column rank (with the intercept "
            "column): log det I(β) = -inf at the start. Drop constant or collinear columns."
        )
    return FirthResult(theta, 0, False, "the information matrix is singular at the start")


def _compiled_newton(objective: Objective, arrays: KernelArrays, theta: Array, free: Array,
                     max_iter: int, tol: float, max_step: float,
                     hessian: str) -> FirthResult | None:
    """``firth_newton`` by ``firth_fits.firth_fit``; None where it found no step to take (the
    NumPy path then fits, with its pseudo-inverse)."""
    switch = (_EXACT_WITHIN if hessian == "fisher" and exact_hessian_affordable(objective)
              else -1.0)
    outcome, fitted, n_iter, penalized, loglik, information, losses, norms, steps = (
        firth_fits.firth_fit(*arrays, theta, free, float(objective.total_weight),
                             int(max_iter), float(tol), float(max_step), hessian == "exact",
                             switch))
    if outcome == firth_fits.NO_DIRECTION:
        return None
    if outcome == firth_fits.SINGULAR_START:
        return _singular_start(theta, free)
    result = FirthResult(fitted, int(n_iter), outcome in (firth_fits.CONVERGED,
                                                          firth_fits.AT_FLOOR),
                         _MESSAGES[outcome], losses.tolist(), norms.tolist(),
                         step_history=steps.tolist())
    if not free.any():
        result.converged, result.message = True, "nothing to fit: every entry is fixed"
    result.penalized_log_likelihood = float(penalized)
    result.log_likelihood = float(loglik)
    result.information = information
    return result


def _newton(objective: Objective, theta: Array, free: Array, max_iter: int, tol: float,
            max_step: float, hessian: str, callback: Callback | None) -> FirthResult:
    """``firth_newton`` step by step, for any design (and a callback)."""
    total = objective.total_weight
    point = FirthPoint(objective, theta)
    if point.factor is None:
        return _singular_start(theta, free)
    result = FirthResult(theta, 0, False, _MESSAGES[firth_fits.MAX_ITER])
    score = modified_score(objective, theta, point.factor)
    norm = result.record(-point.penalized / total, score[free] / total)
    affordable = exact_hessian_affordable(objective)
    for iteration in range(1, max_iter + 2 if free.any() else 1):
        direction = np.zeros_like(theta)
        direction[free] = _direction(objective, theta, point, free, score, hessian)
        # the stopping test (solvers.stopping): δ = √(U*ᵀd), the step in standard errors, as
        # I = Σs·∇²J already holds Σs; the step that meets it is taken, the rest is rounding
        result.step_history.append(step_in_standard_errors(float(score @ direction), 1.0))
        if result.step_history[-1] <= tol:
            result.converged, result.message = True, CONVERGED
            last = _last_step(objective, theta, point, direction) if iteration <= max_iter else None
            if last is not None:
                theta, point = last
                score = modified_score(objective, theta, point.factor)
                result.theta, result.n_iter = theta, iteration
                result.record(-point.penalized / total, score[free] / total)
                report(callback, iteration, result)
            break
        if iteration > max_iter:
            break
        if hessian == "fisher" and result.step_history[-1] <= _EXACT_WITHIN and affordable:
            # Fisher scoring converges only linearly (by the ratio of the penalty's curvature
            # to I's) and would leave the last step's error at that ratio times δ: within a
            # standard error of the maximum ℓ*'s own curvature takes over (quadratic)
            hessian = "exact"
        largest = float(np.max(np.abs(direction)))
        if largest > max_step:
            direction *= max_step / largest
        searched = _halve(objective, theta, point, direction, free, norm)
        if searched is None:
            slope = float(score @ direction)
            outcome = (firth_fits.AT_FLOOR if slope <= 1e4 * _EPS * max(abs(point.penalized),
                                                                        1.0)
                       else firth_fits.HALVING_FAILED)
            result.converged = outcome == firth_fits.AT_FLOOR
            result.message = _MESSAGES[outcome]
            break
        theta, point, score = searched
        result.theta, result.n_iter = theta, iteration
        norm = result.record(-point.penalized / total, score[free] / total)
        report(callback, iteration, result)
    if not free.any():
        result.converged, result.message = True, "nothing to fit: every entry is fixed"
    result.theta = theta
    result.penalized_log_likelihood = point.penalized
    result.log_likelihood = point.loglik
    result.information = point.information
    return result


def _halve(objective: Objective, theta: Array, point: FirthPoint, direction: Array,
           free: Array, norm: float) -> tuple[Array, FirthPoint, Array] | None:
    """(β + tδ, its point, its U*) for the first t = 1, ½, ¼, … at which ℓ* does not
    decrease, or None (``firth_fits.halve``)."""
    total, step = objective.total_weight, 1.0
    for _ in range(firth_fits.MAX_HALVINGS + 1):
        candidate = theta + step * direction
        new = FirthPoint(objective, candidate)
        change = new.penalized - point.penalized
        # Within ℓ*'s rounding the comparison is noise: the smaller modified score decides
        # there, or the iteration would wander at the floor short of tol.
        if new.factor is not None and abs(change) <= _FLAT * max(abs(point.penalized), 1.0):
            score = modified_score(objective, candidate, new.factor)
            if np.max(np.abs(score[free])) / total < norm:
                return candidate, new, score
        elif change >= 0:
            return candidate, new, modified_score(objective, candidate, new.factor)
        step *= 0.5
    return None


def _last_step(objective: Objective, theta: Array, point: FirthPoint,
               direction: Array) -> tuple[Array, FirthPoint] | None:
    """(β + d, its point) for the step d that met the stopping test, taken in full unless ℓ*
    falls there by more than its rounding or I is singular there; else None (β stays)."""
    candidate = theta + direction
    new = FirthPoint(objective, candidate)
    if new.factor is None or new.penalized < point.penalized - _FLAT * max(abs(point.penalized),
                                                                           1.0):
        return None
    return candidate, new


def _direction(objective: Objective, theta: Array, point: FirthPoint, free: Array,
               score: Array, hessian: str) -> Array:
    """The step on the free entries: I_FF⁻¹U*_F, or (-∇²ℓ*)_FF⁻¹U*_F where that is positive
    definite and asked for (``point`` has a factor: I is positive definite there)."""
    assert point.factor is not None
    arrays = compiled_arrays(objective)
    if arrays is not None:  # the same steps, in one compiled call
        step, ok = firth_kernels.newton_step(*arrays, np.asarray(theta, dtype=np.float64),
                                             point.factor, point.information, score, free,
                                             hessian == "exact")
        if ok:
            return step[free]
    index = np.ix_(free, free)
    if hessian == "exact":
        curvature = -penalized_hessian(objective, theta, point.factor, point.information)
        curvature = curvature[index]
        try:
            factor = scipy.linalg.cho_factor(curvature, check_finite=False)
            return scipy.linalg.cho_solve(factor, score[free], check_finite=False)
        except np.linalg.LinAlgError:
            pass  # ℓ* is not concave here: Fisher's step, which always ascends
    return solve_psd(point.information[index], score[free])[0]
