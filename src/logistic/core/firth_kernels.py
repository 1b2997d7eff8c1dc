"""Firth's quantities and constrained fits compiled, for small dense designs.

``firth.py``'s formulas, with X̃ = [X, 1] (θ layout) stored by columns, zᵢ = x̃ᵢθ + oᵢ,
tᵢ = e^-|zᵢ|, vᵢ = πᵢ(1 - πᵢ) = tᵢ/(1 + tᵢ)² and frequency weights sᵢ::

    ℓ   = -Σ sᵢeᵢ                  eᵢ the cross-entropy, as kernels._pointwise
    I   = X̃ᵀ diag(s v) X̃ = LLᵀ      log det I = 2Σ log Lₖₖ
    hᵢ  = sᵢvᵢ‖uᵢ‖²,  uᵢ = L⁻¹x̃ᵢᵀ     (the columns of X̃L⁻ᵀ, from L⁻¹ once)
    U*  = X̃ᵀ [s(y - π) + h(½ - π)]

For a few hundred rows each is microseconds of arithmetic, less than NumPy spends on each of
its dozen calls, so the constrained fits behind the tests and intervals run here whole.
Single-threaded (nothing spins); sums run down contiguous columns and vectorize (``_FAST``:
reassociation and fused multiply-add only); results equal the NumPy path's to rounding.

``constrained_newton`` is ``firth.firth_newton``'s iteration on the free entries (step
I⁻¹U*, at most max_step, halved until ℓ* does not decrease; the exact Hessian after
``exact_after`` iterations). On it: the test of θⱼ is one fit with θⱼ = 0 (``lr_tests``), an
end of its interval a few fits along the profile ℓₚ(v) = max ℓ*(θ | θⱼ = v)
(``profile_end``). One module, because numba's cache notices a change of a function's own
file only, not of functions it calls from another.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["FAILED", "FOUND", "constrained_newton", "curvature", "lr_tests", "modified_score",
           "newton_step", "penalized_hessian", "point", "profile_end", "profile_ends",
           "profile_geometry", "scores", "solve_free"]

_EPS = np.finfo(np.float64).eps
_FLAT = 64 * _EPS
_MAX_HALVINGS = 40
_FAST = {"reassoc", "contract"}
FOUND, FAILED = 0, 1  # profile_end's outcomes


@njit(cache=True, fastmath=_FAST)
def scores(Xt, offset, theta):
    """z = X̃θ + o."""
    m, p = Xt.shape
    z = offset.copy()
    for k in range(p):
        c = theta[k]
        for i in range(m):
            z[i] += c * Xt[i, k]
    return z


@njit(cache=True)
def _row_terms(z, y, s):
    """(ℓ, rows): rows[0] = s(y - π), rows[1] = ½ - π, rows[2] = sv, rows[3] = v, from one
    t = e^-|z| a row, as kernels._pointwise and sigmoid_derivative (exact in the tails)."""
    m = z.size
    rows = np.empty((4, m))
    loglik = 0.0
    for i in range(m):
        t = np.exp(-abs(z[i]))
        inverse = 1.0 / (1.0 + t)
        if z[i] >= 0.0:
            linear = z[i] - y[i] * z[i]
            residual = (y[i] * t - (1.0 - y[i])) * inverse
            pi = inverse
        else:
            linear = -y[i] * z[i]
            residual = (y[i] - (1.0 - y[i]) * t) * inverse
            pi = t * inverse
        v = t * inverse * inverse
        loglik -= s[i] * (linear + np.log1p(t))
        rows[0, i] = s[i] * residual
        rows[1, i] = 0.5 - pi
        rows[2, i] = s[i] * v
        rows[3, i] = v
    return loglik, rows


@njit(cache=True, fastmath=_FAST)
def _weighted_gram(Xt, w):
    """X̃ᵀ diag(w) X̃ (p × p)."""
    m, p = Xt.shape
    out = np.empty((p, p))
    wx = np.empty(m)
    for j in range(p):
        for i in range(m):
            wx[i] = w[i] * Xt[i, j]
        for k in range(j + 1):
            acc = 0.0
            for i in range(m):
                acc += wx[i] * Xt[i, k]
            out[j, k] = acc
            out[k, j] = acc
    return out


@njit(cache=True)
def _cholesky(A):
    """(L, ok): A = LLᵀ, ok False where A is not numerically positive definite (a pivot
    below √(p·eps) of the largest, as firth.FirthPoint)."""
    p = A.shape[0]
    L = np.zeros((p, p))
    for j in range(p):
        diagonal = A[j, j]
        for k in range(j):
            diagonal -= L[j, k] * L[j, k]
        if not diagonal > 0.0:
            return L, False
        L[j, j] = np.sqrt(diagonal)
        for i in range(j + 1, p):
            acc = A[i, j]
            for k in range(j):
                acc -= L[i, k] * L[j, k]
            L[i, j] = acc / L[j, j]
    pivots = np.diag(L)
    return L, p == 0 or pivots.min() ** 2 > _EPS * p * pivots.max() ** 2


@njit(cache=True)
def _inverse_lower(L):
    """L⁻¹ for lower-triangular L."""
    p = L.shape[0]
    inverse = np.zeros((p, p))
    for j in range(p):
        inverse[j, j] = 1.0 / L[j, j]
        for i in range(j + 1, p):
            acc = 0.0
            for k in range(j, i):
                acc -= L[i, k] * inverse[k, j]
            inverse[i, j] = acc / L[i, i]
    return inverse


@njit(cache=True, fastmath=_FAST)
def _whitened(Xt, factor):
    """(X̃L⁻ᵀ)ᵀ as a p × m array (row a holds every uᵢ's entry a), and q = ‖uᵢ‖²."""
    m, p = Xt.shape
    inverse = _inverse_lower(factor)
    u = np.zeros((p, m))
    q = np.zeros(m)
    for a in range(p):
        for k in range(a + 1):
            c = inverse[a, k]
            for i in range(m):
                u[a, i] += c * Xt[i, k]
        for i in range(m):
            q[i] += u[a, i] * u[a, i]
    return u, q


@njit(cache=True)
def point(Xt, y, s, offset, theta):
    """(z, ℓ, I, L, ℓ*, ok, rows) at θ (rows: ``_row_terms``); ok False, ℓ* = -inf, where I
    is singular or ℓ, I are not finite."""
    p = Xt.shape[1]
    z = scores(Xt, offset, theta)
    loglik, rows = _row_terms(z, y, s)
    information = _weighted_gram(Xt, rows[2])
    factor, ok = _cholesky(information)
    ok = ok and np.isfinite(loglik) and np.all(np.isfinite(information))
    penalized = -np.inf
    if ok:
        half_logdet = 0.0
        for j in range(p):
            half_logdet += np.log(factor[j, j])
        penalized = loglik + half_logdet
    return z, loglik, information, factor, penalized, ok, rows


@njit(cache=True, fastmath=_FAST)
def _score(Xt, rows, factor):
    """(U*, h) from ``_row_terms``' rows."""
    m, p = Xt.shape
    _, q = _whitened(Xt, factor)
    hat = np.empty(m)
    r = np.empty(m)
    for i in range(m):
        hat[i] = rows[2, i] * q[i]
        r[i] = rows[0, i] + hat[i] * rows[1, i]
    score = np.empty(p)
    for j in range(p):
        acc = 0.0
        for i in range(m):
            acc += r[i] * Xt[i, j]
        score[j] = acc
    return score, hat


@njit(cache=True)
def modified_score(Xt, y, s, offset, theta, factor):
    """(U*, h): the modified score and the hat diagonal at θ (L = ``factor``)."""
    return _score(Xt, _row_terms(scores(Xt, offset, theta), y, s)[1], factor)


@njit(cache=True)
def penalized_hessian(Xt, s, offset, theta, factor, information):
    """∇²ℓ* at θ (L = ``factor``, I = ``information``): ``_hessian``."""
    z = scores(Xt, offset, theta)
    return _hessian(Xt, _row_terms(z, np.zeros(z.size), s)[1], factor, information)


@njit(cache=True)
def newton_step(Xt, y, s, offset, theta, factor, information, score, free, exact):
    """(δ, ok): firth_newton's step at θ, ``_direction`` without a chord."""
    rows = _row_terms(scores(Xt, offset, theta), y, s)[1]
    return _direction(Xt, rows, factor, information, score, free, exact, np.zeros((0, 0)))


@njit(cache=True, fastmath=_FAST)
def _hessian(Xt, rows, factor, information):
    """∇²ℓ* = -I + ½T - ½G as firth.penalized_hessian, each Aⱼ = Σᵢ sᵢv'ᵢx̃ᵢⱼuᵢuᵢᵀ kept as
    its upper triangle (off-diagonal entries times √2, as they count twice in ⟨Aⱼ, Aₖ⟩)."""
    m, p = Xt.shape
    u, q = _whitened(Xt, factor)
    first, second = np.empty(m), np.empty(m)
    for i in range(m):
        first[i] = 2.0 * rows[2, i] * rows[1, i]
        second[i] = rows[2, i] * (1.0 - 6.0 * rows[3, i]) * q[i]
    trace = _weighted_gram(Xt, second)
    pairs = p * (p + 1) // 2
    derivative = np.empty((p, pairs))
    weighted = np.empty(m)
    for j in range(p):
        index = 0
        for a in range(p):
            for i in range(m):
                weighted[i] = first[i] * Xt[i, j] * u[a, i]
            for b in range(a, p):
                acc = 0.0
                for i in range(m):
                    acc += weighted[i] * u[b, i]
                derivative[j, index] = acc if a == b else np.sqrt(2.0) * acc
                index += 1
    out = np.empty((p, p))
    for j in range(p):
        for k in range(j + 1):
            g = 0.0
            for index in range(pairs):
                g += derivative[j, index] * derivative[k, index]
            out[j, k] = -information[j, k] + 0.5 * trace[j, k] - 0.5 * g
            out[k, j] = out[j, k]
    return out


@njit(cache=True)
def solve_free(A, b, free):
    """(x, ok): A_FF x = b_F, x = 0 on the fixed entries; A equilibrated to a unit diagonal
    first, as linalg.solve_psd (the answer does not depend on the columns' units)."""
    index = np.flatnonzero(free)
    n = index.size
    block, x = np.empty((n, n)), np.zeros(free.size)
    diagonal = np.array([A[i, i] for i in index])
    if not np.all(diagonal > 0.0):
        return x, False
    scale = 1.0 / np.sqrt(diagonal)
    for a in range(n):
        for c in range(n):
            block[a, c] = A[index[a], index[c]] * scale[a] * scale[c]
    factor, ok = _cholesky(block)
    if not ok:
        return x, False
    middle, solved = np.empty(n), np.empty(n)
    for a in range(n):  # Lm = Sb, then Lᵀx = m
        acc = b[index[a]] * scale[a]
        for c in range(a):
            acc -= factor[a, c] * middle[c]
        middle[a] = acc / factor[a, a]
    for a in range(n - 1, -1, -1):
        acc = middle[a]
        for c in range(a + 1, n):
            acc -= factor[c, a] * solved[c]
        solved[a] = acc / factor[a, a]
    for a in range(n):
        x[index[a]] = solved[a] * scale[a]
    return x, True


@njit(cache=True)
def _free_norm(score, free, total):
    """max|U*_F|/Σs, 0 without free entries."""
    return np.max(np.abs(score[free])) / total if free.any() else 0.0


@njit(cache=True)
def _direction(Xt, rows, factor, information, score, free, exact, chord):
    """(δ, ok): M_FF⁻¹U*_F for M = -∇²ℓ* here (``exact``), else ``chord`` (a fixed M, where
    it has rows), else I, the first of them positive definite on the free entries."""
    if exact:
        curvature = -_hessian(Xt, rows, factor, information)
        direction, ok = solve_free(curvature, score, free)
        if ok:
            return direction, True
    elif chord.shape[0]:
        direction, ok = solve_free(chord, score, free)
        if ok:
            return direction, True
    return solve_free(information, score, free)  # Fisher's step, which always ascends


@njit(cache=True)
def constrained_newton(Xt, y, s, offset, theta0, free, max_iter, tol, gap, max_step,
                       exact_after, chord, ceiling=np.inf):
    """max ℓ* over the ``free`` entries from θ₀, the others fixed: (θ, ℓ*, ℓ, I, U*,
    converged, iterations, rows, L). Converged once max|U*_F|/Σs ≤ tol, or once the Newton
    decrement ½U*_Fᵀ M_FF⁻¹U*_F (M the step's matrix) puts ℓ* within gap·max(1, |ℓ*|) of
    its maximum: what the tests and intervals need, in any units of the columns, and known
    before the step is evaluated. ``chord`` (0 × 0 for none), a fixed -∇²ℓ* from a nearby
    point, replaces I before ``exact_after``; past ``ceiling`` the fit stops (for a caller
    asking only whether the maximum is higher)."""
    total = s.sum()
    theta = theta0.copy()
    _, loglik, information, factor, penalized, ok, rows = point(Xt, y, s, offset, theta)
    if not ok:
        return (theta, -np.inf, loglik, information, np.zeros(theta.size), False, 0, rows,
                factor)
    score, _ = _score(Xt, rows, factor)
    norm = _free_norm(score, free, total)
    converged = norm <= tol
    iteration = 0
    while not converged and iteration < max_iter:
        direction, ok = _direction(Xt, rows, factor, information, score, free,
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
        step, accepted, new_score = 1.0, False, score
        for _ in range(_MAX_HALVINGS + 1):
            candidate = theta + step * direction
            new = point(Xt, y, s, offset, candidate)
            change = new[4] - penalized
            if new[5] and abs(change) <= _FLAT * floor:
                # within ℓ*'s rounding the smaller modified score decides (as firth_newton)
                new_score, _ = _score(Xt, new[6], new[3])
                if _free_norm(new_score, free, total) < norm:
                    accepted = True
                    break
            elif change >= 0.0:
                new_score, _ = _score(Xt, new[6], new[3])
                accepted = True
                break
            step *= 0.5
        if not accepted:
            converged = slope <= 1e4 * _EPS * floor  # no further increase: at the floor
            break
        theta = candidate
        _, loglik, information, factor, penalized, ok, rows = new
        score = new_score
        norm = _free_norm(score, free, total)
        converged = norm <= tol
        if penalized > ceiling:
            break
    return theta, penalized, loglik, information, score, converged, iteration, rows, factor


@njit(cache=True)
def curvature(Xt, rows, factor, information):
    """-∇²ℓ* where it is positive definite, else I (Fisher's approximation of it)."""
    exact = -_hessian(Xt, rows, factor, information)
    return exact if _cholesky(exact)[1] else information


@njit(cache=True)
def profile_geometry(curvature, j):
    """(τ, c, ok) for M = -∇²ℓ* (or I) at a constrained maximum: the profile trace's dθ/dθⱼ
    (τⱼ = 1, τ_F = -M_FF⁻¹M_Fj) and c = -d²ℓₚ/dv² = M_jj + M_jFτ_F (the Schur complement)."""
    free = np.arange(curvature.shape[0]) != j
    tangent, ok = solve_free(curvature, -curvature[:, j], free)
    tangent[j] = 1.0
    c = curvature[j] @ tangent
    return tangent, c, ok and c > 0.0


@njit(cache=True)
def _halley(f, d1, d2):
    """The step to f's root (f' = d1, f'' = d2): Halley's if at most twice Newton's, else his."""
    newton = -f / d1
    denominator = 2.0 * d1 * d1 - f * d2
    halley = -2.0 * f * d1 / denominator if denominator > 0.0 else np.inf
    return halley if abs(halley) <= 2.0 * abs(newton) else newton


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
    iterations, as firth_newton's) finds a higher ℓ* on the line: ℓ* there can have two
    maxima, and the profile is the higher.
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
        fitted, penalized, _, information, score, converged, used, rows, factor = (
            constrained_newton(Xt, y, s, offset, start, free, 200, 0.0,
                               gap if close else loose_gap, max_step, exact_after, chord))
        iterations += used
        ratio = 2.0 * (maximum - penalized)
        if not converged or not ratio > 0.0 or not -side * score[j] > 0.0:
            return np.nan, FAILED, iterations
        r = np.sqrt(ratio)
        inside, outside = (v, outside) if r < target else (inside, v)
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
                                     max_step, exact_after, chord[:0, :0])
            penalized = fit[1]
        chi2[j] = 2.0 * (maximum - penalized)
    return chi2
