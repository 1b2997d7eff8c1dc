"""The penalized likelihood-ratio tests and profile intervals of ``firth_inference``, compiled.

Built on ``firth_kernels``' constrained fits: the test of θⱼ is one fit with θⱼ = 0, an end
of its interval a short sequence of fits along the profile ℓₚ(v) = max ℓ*(θ | θⱼ = v)
(``profile_end``). The profile's shape near a constrained maximum is known from -∇²ℓ* there
(``profile_geometry``): each fit starts where the trace's tangent predicts and steps with that
matrix, so few iterations are needed.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .firth_kernels import constrained_newton, curvature, solve_free

__all__ = ["FAILED", "FOUND", "lr_tests", "profile_end", "profile_ends", "profile_geometry"]

# profile_end's outcomes
FOUND, FAILED = 0, 1


@njit(cache=True)
def profile_geometry(curvature, j):
    """(τ, c, ok) for M = -∇²ℓ* (or I, its approximation) at a constrained maximum: τ the
    profile trace's derivative dθ/dθⱼ (τⱼ = 1, τ_F = -M_FF⁻¹M_Fj: the other entries' best
    response) and c = -d²ℓₚ/dv² = M_jj + M_jFτ_F (the Schur complement)."""
    free = np.ones(curvature.shape[0], dtype=np.bool_)
    free[j] = False
    tangent, ok = solve_free(curvature, -curvature[:, j], free)
    tangent[j] = 1.0
    c = curvature[j] @ tangent
    return tangent, c, ok and c > 0.0


@njit(cache=True)
def _halley(f, d1, d2):
    """The step to the root of f with f' = d1, f'' = d2: Halley's where it is no more than
    twice Newton's (the model is then trusted), else Newton's."""
    newton = -f / d1
    denominator = 2.0 * d1 * d1 - f * d2
    if denominator > 0.0:
        halley = -2.0 * f * d1 / denominator
        if abs(halley) <= 2.0 * abs(newton):
            return halley
    return newton


@njit(cache=True)
def profile_end(Xt, y, s, offset, theta, chord, j, side, maximum, q, max_outer, gap,
                loose_gap, max_step, exact_after, check_after):
    """(v, status, iterations): the end of {v : 2(ℓ*max - ℓₚ(v)) ≤ q} on ``side`` (±1) of θⱼ;
    ``chord`` is ``curvature`` at θ.

    r(v) = √LR(v) is nearly linear in v (exactly so for a quadratic ℓ*), and its derivatives
    come from the constrained maximum alone: dℓₚ/dv = U*ⱼ there (the other entries' scores
    vanish) and d²ℓₚ/dv² = -c (``profile_geometry``), so r' = -U*ⱼ/r, r'' = (c - r'²)/r.
    Halley's steps on r(v) = √q from the end of the quadratic approximation, safeguarded by
    bisection once the root is bracketed; each constrained fit starts from the previous one
    moved along the trace, with that point's -∇²ℓ* as its Newton matrix, to ℓ* within
    ``loose_gap`` while the steps are large (an error there only perturbs the next step),
    within ``gap`` near the root. Returns v + Newton's step once that is below 1e-6 of
    min(std err, 1 + |θⱼ|) after a tight fit (its error is of the order of the step
    squared).

    FAILED (the caller then searches by bracketing) where a fit does not converge, LR < 0
    (θ was not the maximum), r does not increase outward (the profile levels off:
    separation), or where the fit from θ itself (θⱼ moved to the last v; Fisher's steps for
    ``check_after`` iterations, as firth_newton's constrained fits) reaches a higher ℓ* on that
    line than the maximum followed: under separation ℓ* restricted to the line can have two
    maxima, and the profile is the higher.
    """
    target = np.sqrt(q)
    free = np.ones(theta.size, dtype=np.bool_)
    free[j] = False
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
        fitted, penalized, _, information, score, converged, used, rows, factor = (
            constrained_newton(Xt, y, s, offset, start, free, 200, 0.0,
                               gap if close else loose_gap, max_step, exact_after, chord))
        iterations += used
        ratio = 2.0 * (maximum - penalized)
        if not converged or not ratio > 0.0 or not -side * score[j] > 0.0:
            return np.nan, FAILED, iterations
        r = np.sqrt(ratio)
        if r < target:
            inside = v
        else:
            outside = v
        slope = -score[j] / r
        step = (target - r) / slope
        if close and abs(step) <= 1e-6 * scale:
            start = theta.copy()
            start[j] = v
            ceiling = penalized + 1e-9 * max(1.0, abs(maximum))
            other = constrained_newton(Xt, y, s, offset, start, free, 200, 0.0, loose_gap,
                                       max_step, check_after, chord[:0, :0], ceiling)
            iterations += other[6]
            if other[1] > ceiling:
                return np.nan, FAILED, iterations
            return v + step, FOUND, iterations
        chord = curvature(Xt, rows, factor, information)
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


@njit(cache=True)
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
    """χ²ⱼ = 2(ℓ*(θ) - max ℓ*(· | θⱼ = 0)) for every j (θ the maximum, ℓ*(θ) = ``maximum``,
    ``chord`` = ``curvature`` there). Each fit starts from θ moved along the profile's
    tangent to θⱼ = 0, with ``chord`` as its Newton matrix; where that does not converge,
    again from θ with θⱼ = 0 and Fisher's steps."""
    p = theta.size
    chi2 = np.empty(p)
    for j in range(p):
        free = np.ones(p, dtype=np.bool_)
        free[j] = False
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
                                     max_step, exact_after, chord[:0, :0])
            penalized = fit[1]
        chi2[j] = 2.0 * (maximum - penalized)
    return chi2
