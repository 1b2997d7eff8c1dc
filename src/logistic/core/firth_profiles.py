"""Firth's tests and profile intervals compiled, for small dense designs.

The test of θⱼ is one constrained fit with θⱼ = 0 (``lr_tests``), an end of its interval a
few fits along the profile ℓₚ(v) = max ℓ*(θ | θⱼ = v) (``profile_end``), all of them
``firth_fits.constrained_newton`` stepping with the curvature at the estimate (or near it).
``statistics`` does the null model, every test and every interval end in one Python call.

numba's cache checks a function's own file only: after editing ``firth_kernels`` or
``firth_fits``, touch this file too (``firth_kernels``' docstring).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from logistic.core.firth_fits import constrained_newton, higher_maximum
from logistic.core.firth_kernels import cholesky, curvature, point, profile_geometry

__all__ = ["FAILED", "FOUND", "lr_tests", "profile_end", "profile_ends", "statistics"]

FOUND, FAILED = 0, 1  # profile_end's outcomes
_END_ITER = 200  # constrained fits along a profile
# profile_ends and statistics are plain Python around the compiled fits: as compiled wrappers
# numba optimized every callee's code again inside each of them (about a third of the Firth
# kernels' compile time on a cold cache), to save a few calls per coefficient.
# Arguments are passed with the types every other call site gives (np.int64(...), a C-order
# np.zeros((0, 0)) for "no chord"): a literal or a sliced array would make numba compile the
# callees once more for that type, seconds each on a cold cache.


@njit(cache=True)
def _halley(f, d1, d2):
    """The step to f's root (f' = d1, f'' = d2): Halley's if at most twice Newton's, else his."""
    newton = -f / d1
    denominator = 2.0 * d1 * d1 - f * d2
    halley = -2.0 * f * d1 / denominator if denominator > 0.0 else np.inf
    return halley if abs(halley) <= 2.0 * abs(newton) else newton


@njit(cache=True)
def _curvature(Xt, rows, factor, information, known):
    """``curvature`` at a fit's end, from its -∇²ℓ* there where the fit computed it."""
    if known.shape[0]:
        return known if cholesky(known)[1] else information
    return curvature(Xt, rows, factor, information)


@njit(cache=True)
def profile_end(Xt, y, s, offset, theta, chord, j, side, maximum, q, max_outer, gap,
                loose_gap, max_step, exact_after, check_after):
    """(v, status, iterations): the end on ``side`` (±1) of θⱼ of {v : 2(ℓ*max - ℓₚ(v)) ≤ q};
    ``chord`` is ``curvature`` at θ.

    r(v) = √LR(v) is nearly linear (exactly, for a quadratic ℓ*), and the constrained maximum
    gives its derivatives: dℓₚ/dv = U*ⱼ there, d²ℓₚ/dv² = -c (``profile_geometry``), so
    r' = -U*ⱼ/r and r'' = (c - r'²)/r. Halley's steps from the quadratic approximation's end,
    bisecting once bracketed; each fit starts from the last one moved along the trace, steps
    with its -∇²ℓ*, and is loose (``loose_gap``) until the steps are small. The end is
    v + Newton's step once that is below 1e-6·min(std err, 1 + |θⱼ|) after a tight fit.
    FAILED (the caller then brackets) where a fit fails, LR ≤ 0, r stops rising outward
    (separation), or the fit from θ itself (θⱼ = v; Fisher's steps for ``check_after``
    iterations, as firth_newton's) finds a higher ℓ* on the line (``higher_maximum``, which
    stops once that fit reaches the end's own maximum): ℓ* there can have two maxima, and
    the profile is the higher.
    """
    target = np.sqrt(q)
    free = np.arange(theta.size) != j
    tangent, c, ok = profile_geometry(chord, j)
    if not ok:
        return np.nan, FAILED, 0
    half_width = target / np.sqrt(c)
    scale = min(1.0 / np.sqrt(c), 1.0 + abs(theta[j]))
    v = theta[j] + side * half_width
    start = theta + (v - theta[j]) * tangent
    inside, outside = theta[j], np.nan
    close = False
    iterations = 0
    for _ in range(max_outer):
        start[j] = v
        fitted, penalized, _, information, score, converged, used, rows, factor, here = (
            constrained_newton(Xt, y, s, offset, start, free, np.int64(_END_ITER), 0.0,
                               gap if close else loose_gap, max_step, exact_after, chord))
        iterations += used
        ratio = 2.0 * (maximum - penalized)
        if not converged or not ratio > 0.0 or not -side * score[j] > 0.0:
            return np.nan, FAILED, iterations
        r = np.sqrt(ratio)
        inside, outside = (v, outside) if r < target else (inside, v)
        slope = -score[j] / r
        step = (target - r) / slope
        chord = _curvature(Xt, rows, factor, information, here)
        if close and abs(step) <= 1e-6 * scale:
            start = theta.copy()
            start[j] = v
            ceiling = penalized + 1e-9 * max(1.0, abs(maximum))
            higher, used = higher_maximum(Xt, y, s, offset, start, free, ceiling, fitted,
                                          chord, np.int64(_END_ITER), loose_gap, max_step,
                                          check_after)
            iterations += used
            if higher:
                return np.nan, FAILED, iterations
            return v + step, FOUND, iterations
        tangent, c, ok = profile_geometry(chord, j)
        if not ok:
            return np.nan, FAILED, iterations
        step = _halley(r - target, slope, (c - slope * slope) / r)
        proposal = v + step
        if not np.isnan(outside) and not min(inside, outside) < proposal < max(inside, outside):
            proposal = 0.5 * (inside + outside)
        close = abs(proposal - v) <= 1e-2 * scale
        start = fitted + (proposal - v) * tangent
        v = proposal
    return np.nan, FAILED, iterations


def profile_ends(Xt, y, s, offset, theta, chord, indices, maximum, q, max_outer, gap,
                 loose_gap, max_step, exact_after, check_after):
    """(len(indices), 2): ``profile_end`` on both sides of each θⱼ, NaN where it failed."""
    ends = np.full((indices.size, 2), np.nan)
    for a in range(indices.size):
        for k in range(2):
            v, status, _ = profile_end(Xt, y, s, offset, theta, chord, indices[a],
                                       2.0 * k - 1.0, maximum, q, max_outer, gap, loose_gap,
                                       max_step, exact_after, check_after)
            if status == FOUND:
                ends[a, k] = v
    return ends


@njit(cache=True)
def lr_tests(Xt, y, s, offset, theta, chord, maximum, max_iter, tol, gap, max_step,
             exact_after):
    """χ²ⱼ = 2(ℓ*(θ) - max ℓ*(· | θⱼ = 0)) for every j (θ the maximum, ``chord`` its
    ``curvature``): each fit from θ moved along the profile's tangent to θⱼ = 0, stepping
    with ``chord``; if that does not converge, from θ with θⱼ = 0 and Fisher's steps."""
    p = theta.size
    chi2 = np.empty(p)
    for j in range(p):
        free = np.arange(p) != j
        tangent, _, ok = profile_geometry(chord, j)
        converged = False
        if ok:
            start = theta - theta[j] * tangent
            start[j] = 0.0
            fit = constrained_newton(Xt, y, s, offset, start, free, max_iter, tol, gap,
                                     max_step, exact_after, chord)
            converged, penalized = fit[5], fit[1]
        if not converged:
            start = theta.copy()
            start[j] = 0.0
            fit = constrained_newton(Xt, y, s, offset, start, free, max_iter, tol, gap,
                                     max_step, exact_after, np.zeros((0, 0)))
            penalized = fit[1]
        chi2[j] = 2.0 * (maximum - penalized)
    return chi2


def statistics(Xt, y, s, offset, theta, maximum, null_start, null_free, q, max_iter, tol,
               gap, loose_gap, max_step, exact_after, check_after, max_outer):
    """(ok, null ℓ*, χ², ends) at the estimate θ (ℓ*(θ) = ``maximum``): the null model's
    ℓ* (the ``null_free`` entries fitted from ``null_start``, the others fixed there), the
    ``lr_tests`` and both ``profile_ends`` of every θⱼ, with one curvature at θ for all of
    them; ok False where I(θ) is singular."""
    p = theta.size
    _, _, information, factor, _, ok, rows = point(Xt, y, s, offset, theta)
    if not ok:
        return False, np.nan, np.full(p, np.nan), np.full((p, 2), np.nan)
    chord = curvature(Xt, rows, factor, information)
    null = constrained_newton(Xt, y, s, offset, null_start, null_free, max_iter, tol, gap,
                              max_step, exact_after, np.zeros((0, 0)))[1]
    chi2 = lr_tests(Xt, y, s, offset, theta, chord, maximum, max_iter, tol, gap, max_step,
                    exact_after)
    ends = profile_ends(Xt, y, s, offset, theta, chord, np.arange(p), maximum, q, max_outer,
                        gap, loose_gap, max_step, exact_after, check_after)
    return True, null, chi2, ends
