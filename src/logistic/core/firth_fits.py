"""Firth fits compiled, for small dense designs: the estimate and the constrained fits.

Both are ``solvers.firth.firth_newton``'s modified Newton iteration on ``firth_kernels``'
quantities: the step M_FF⁻¹U*_F over the free entries F (M = I, or -∇²ℓ* where asked and
positive definite), at most max_step in any entry, halved until ℓ* does not decrease
(``halve``). They differ in when they stop:

``firth_fit``, the estimate: once the step just computed is within ``tol`` standard errors,
δ = √(U*ᵀδ) ≤ tol (``solvers.stopping``), after taking it; its histories are
``firth_newton``'s. ``constrained_newton``, the fits behind the tests and intervals: once
max|U*_F|/Σs ≤ tol or the Newton decrement puts ℓ* within a gap of its maximum.

numba's cache checks a function's own file only: after editing ``firth_kernels``, touch this
file too (``firth_kernels``' docstring).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from logistic.core.firth_kernels import (
    free_norm,
    negative_hessian,
    point,
    score_from_rows,
    solve_free,
    step_direction,
)

__all__ = ["AT_FLOOR", "CONVERGED", "HALVING_FAILED", "MAX_HALVINGS", "MAX_ITER",
           "NO_DIRECTION", "SINGULAR_START", "constrained_newton", "firth_fit", "halve",
           "higher_maximum"]

_EPS = np.finfo(np.float64).eps
_FLAT = 64 * _EPS
MAX_HALVINGS = 40
# firth_fit's outcomes: the iterations ran out; δ ≤ tol; no step increases ℓ* while the
# slope is at the rounding floor (converged) or above it (failed); I(θ₀) singular; no step
# could be solved for (the caller falls back to the NumPy path, which has more solvers)
MAX_ITER, CONVERGED, AT_FLOOR, HALVING_FAILED, SINGULAR_START, NO_DIRECTION = range(6)
# higher_maximum's basin: within a hundredth of a standard error of a maximum (in the metric
# of ℓ*'s curvature there) another maximum would need third derivatives of ℓ* a hundred
# times its curvature per standard error
_BASIN = 1e-2


@njit(cache=True)
def halve(Xt, y, s, offset, theta, direction, penalized, norm, free, total):
    """(accepted, θ + tδ, its ``point``, its U*) for the first t = 1, ½, ¼, … at which ℓ*
    does not decrease. Within ℓ*'s rounding of the current value the comparison is noise:
    there the smaller modified score (max|U*_F|/Σs below ``norm``) decides, or an iteration
    would wander at the floor."""
    floor = max(abs(penalized), 1.0)
    step = 1.0
    for _ in range(MAX_HALVINGS + 1):
        candidate = theta + step * direction
        new = point(Xt, y, s, offset, candidate)
        change = new[4] - penalized
        if new[5] and abs(change) <= _FLAT * floor:
            new_score, _ = score_from_rows(Xt, new[6], new[3])
            if free_norm(new_score, free, total) < norm:
                return True, candidate, new, new_score
        elif change >= 0.0:
            new_score, _ = score_from_rows(Xt, new[6], new[3])
            return True, candidate, new, new_score
        step *= 0.5
    return False, candidate, new, np.zeros(theta.size)


@njit(cache=True)
def firth_fit(Xt, y, s, offset, theta0, free, total, max_iter, tol, max_step, exact, switch):
    """``firth_newton``'s iteration whole: (outcome, θ, n_iter, ℓ*, ℓ, I, losses, norms,
    steps), the histories as its (-ℓ*/Σs and max|U*_F|/Σs after each accepted step, δ of
    each step computed). ``total`` is Σs; steps use -∇²ℓ* from the start with ``exact``, or
    once δ ≤ ``switch`` (negative: never)."""
    theta = theta0.copy()
    _, loglik, information, factor, penalized, ok, rows = point(Xt, y, s, offset, theta)
    losses, norms = np.empty(max_iter + 2), np.empty(max_iter + 2)
    steps = np.empty(max_iter + 1)
    if not ok:
        return (SINGULAR_START, theta, 0, penalized, loglik, information, losses[:0],
                norms[:0], steps[:0])
    score, _ = score_from_rows(Xt, rows, factor)
    norm = free_norm(score, free, total)
    losses[0], norms[0] = -penalized / total, norm
    recorded, taken, n_iter, outcome = 1, 0, 0, MAX_ITER
    for iteration in range(1, max_iter + 2 if free.any() else 1):
        direction, ok = step_direction(Xt, rows, factor, information, score, free, exact,
                                       np.zeros((0, 0)))
        if not ok:
            outcome = NO_DIRECTION
            break
        slope = score @ direction
        delta = np.sqrt(slope) if slope > 0.0 else 0.0
        steps[taken] = delta
        taken += 1
        if delta <= tol:  # taken in full unless ℓ* falls by more than its rounding there
            outcome = CONVERGED
            if iteration <= max_iter:
                candidate = theta + direction
                new = point(Xt, y, s, offset, candidate)
                if new[5] and new[4] >= penalized - _FLAT * max(abs(penalized), 1.0):
                    theta, n_iter = candidate, iteration
                    _, loglik, information, factor, penalized, ok, rows = new
                    score, _ = score_from_rows(Xt, rows, factor)
                    losses[recorded] = -penalized / total
                    norms[recorded] = free_norm(score, free, total)
                    recorded += 1
            break
        if iteration > max_iter:
            break
        if delta <= switch:
            exact = True
        largest = np.max(np.abs(direction))
        if largest > max_step:
            direction *= max_step / largest
        slope = score @ direction
        accepted, candidate, new, new_score = halve(Xt, y, s, offset, theta, direction,
                                                    penalized, norm, free, total)
        if not accepted:
            floor = 1e4 * _EPS * max(abs(penalized), 1.0)
            outcome = AT_FLOOR if slope <= floor else HALVING_FAILED
            break
        theta, n_iter, score = candidate, iteration, new_score
        _, loglik, information, factor, penalized, ok, rows = new
        norm = free_norm(score, free, total)
        losses[recorded], norms[recorded] = -penalized / total, norm
        recorded += 1
    return (outcome, theta, n_iter, penalized, loglik, information, losses[:recorded],
            norms[:recorded], steps[:taken])


@njit(cache=True)
def constrained_newton(Xt, y, s, offset, theta0, free, max_iter, tol, gap, max_step,
                       exact_after, chord, ceiling=np.inf):
    """max ℓ* over the ``free`` entries from θ₀, the others fixed: (θ, ℓ*, ℓ, I, U*,
    converged, iterations, rows, L, H), H = -∇²ℓ* at θ where the last step computed it
    there (0 × 0 otherwise), so that a caller needing it does not compute it again.
    Converged once max|U*_F|/Σs ≤ tol, or once the Newton decrement ½U*_Fᵀ M_FF⁻¹U*_F (M
    the step's matrix) puts ℓ* within gap·max(1, |ℓ*|) of its maximum: what the tests and
    intervals need, in any units of the columns, and known before the step is evaluated.
    ``chord`` (0 × 0 for none), a fixed -∇²ℓ* from a nearby point, replaces I before
    ``exact_after``; past ``ceiling`` the fit stops (for a caller asking only whether the
    maximum is higher)."""
    total = s.sum()
    theta = theta0.copy()
    _, loglik, information, factor, penalized, ok, rows = point(Xt, y, s, offset, theta)
    none = np.zeros((0, 0))
    if not ok:
        return (theta, -np.inf, loglik, information, np.zeros(theta.size), False, 0, rows,
                factor, none)
    score, _ = score_from_rows(Xt, rows, factor)
    norm = free_norm(score, free, total)
    converged = norm <= tol
    iteration = 0
    here = none  # -∇²ℓ* at θ, where computed
    while not converged and iteration < max_iter:
        if iteration >= exact_after:  # step_direction's exact branch, keeping the matrix
            here = negative_hessian(Xt, rows, factor, information)
            direction, ok = solve_free(here, score, free)
            if not ok:
                direction, ok = solve_free(information, score, free)
        else:
            direction, ok = step_direction(Xt, rows, factor, information, score, free,
                                           # False on this branch; a comparison, not the
                                           # literal, so that numba types it bool
                                           iteration >= exact_after, chord)
        if not ok:
            break
        slope = score @ direction
        floor = max(abs(penalized), 1.0)
        if 0.5 * slope <= gap * floor:
            converged = True
            break
        iteration += 1
        largest = np.max(np.abs(direction))
        if largest > max_step:
            direction *= max_step / largest
            slope = score @ direction
        accepted, candidate, new, new_score = halve(Xt, y, s, offset, theta, direction,
                                                    penalized, norm, free, total)
        if not accepted:
            converged = slope <= 1e4 * _EPS * floor  # no further increase: at the floor
            break
        theta, here = candidate, none
        _, loglik, information, factor, penalized, ok, rows = new
        score = new_score
        norm = free_norm(score, free, total)
        converged = norm <= tol
        if penalized > ceiling:
            break
    return (theta, penalized, loglik, information, score, converged, iteration, rows, factor,
            here)


@njit(cache=True)
def higher_maximum(Xt, y, s, offset, start, free, ceiling, anchor, metric, max_iter, gap,
                   max_step, exact_after):
    """(found, iterations): whether ``constrained_newton`` from ``start`` (``chord`` none)
    passes ℓ* = ``ceiling``, for a known constrained maximum ``anchor`` (the same fixed
    entries) with ℓ* just below ``ceiling`` and M = ``metric`` (-∇²ℓ* there, positive
    definite). Stops as soon as the answer is no: where that fit converges, fails, or comes
    within (θ - anchor)ᵀM(θ - anchor) ≤ _BASIN² of the anchor, where ℓ* is its quadratic
    model and has one maximum, the anchor's."""
    total = s.sum()
    theta = start.copy()
    _, _, information, factor, penalized, ok, rows = point(Xt, y, s, offset, theta)
    if not ok or penalized > ceiling:
        return ok, 0
    score, _ = score_from_rows(Xt, rows, factor)
    norm = free_norm(score, free, total)
    for iteration in range(max_iter):
        d = theta - anchor
        if d @ (metric @ d) <= _BASIN * _BASIN:
            return False, iteration
        direction, ok = step_direction(Xt, rows, factor, information, score, free,
                                       iteration >= exact_after, np.zeros((0, 0)))
        if not ok or 0.5 * (score @ direction) <= gap * max(abs(penalized), 1.0):
            return False, iteration
        largest = np.max(np.abs(direction))
        if largest > max_step:
            direction *= max_step / largest
        accepted, theta, new, score = halve(Xt, y, s, offset, theta, direction, penalized,
                                            norm, free, total)
        if not accepted:
            return False, iteration + 1
        _, _, information, factor, penalized, ok, rows = new
        norm = free_norm(score, free, total)
        if penalized > ceiling:
            return True, iteration + 1
    return False, max_iter
