"""Firth's quantities and constrained fits compiled, for small dense designs.

``firth.py``'s formulas, with X̃ = [X, 1] (θ layout) stored by columns, zᵢ = x̃ᵢθ + oᵢ,
tᵢ = e^-|zᵢ|, vᵢ = πᵢ(1 - πᵢ) = tᵢ/(1 + tᵢ)² and frequency weights sᵢ::

    ℓ   = -Σ sᵢeᵢ                  eᵢ the cross-entropy, as kernels._pointwise
    I   = X̃ᵀ diag(s v) X̃ = LLᵀ      log det I = 2Σ log Lₖₖ
    hᵢ  = sᵢvᵢ‖uᵢ‖²,  uᵢ = L⁻¹x̃ᵢᵀ     (the columns of X̃L⁻ᵀ, from L⁻¹ once)
    U*  = X̃ᵀ [s(y - π) + h(½ - π)]

For a few hundred rows and a few columns each of these is microseconds of arithmetic, while
NumPy spends more than that on each of a dozen calls; the hundreds of constrained fits behind
the likelihood-ratio tests and the profile intervals are therefore run here whole, Python
entering once per fit. Single-threaded: no thread pool starts, nothing spins. Every product
runs down contiguous columns, so the sums vectorize (``_FAST``: reassociation and fused
multiply-add only); results equal the NumPy path's to rounding.

``constrained_newton`` is ``firth.firth_newton``'s iteration on the free entries (step
I⁻¹U*, at most max_step, halved until ℓ* does not decrease; the exact Hessian of ℓ* after
``exact_after`` iterations, where it is negative definite). The tests and intervals built on
it are in ``firth_profile_kernels``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["constrained_newton", "curvature", "design_columns", "grouped_design",
           "modified_score", "penalized_hessian", "point", "scores", "solve_free"]

_EPS = np.finfo(np.float64).eps
_FLAT = 64 * _EPS
_MAX_HALVINGS = 40
_FAST = {"reassoc", "contract"}


def design_columns(X, fit_intercept: bool) -> np.ndarray:
    """X̃ = [X, 1] (or X) as a Fortran-ordered float64 copy: the kernels' layout."""
    m = X.shape[0]
    out = np.empty((m, X.shape[1] + int(fit_intercept)), dtype=np.float64, order="F")
    out[:, : X.shape[1]] = X
    if fit_intercept:
        out[:, -1] = 1.0
    return out


def grouped_design(X, fit_intercept: bool, y, s, offset) -> tuple[tuple, np.ndarray | None]:
    """((X̃, y, s, o), groups): the kernels' arrays, rows with the same x and offset merged
    into one of weight Σs and response Σsy/Σs (``groups[i]`` is row i's merged row; None
    where no two rows are alike).

    Exact: e(y, z) = softplus(z) - yz is linear in y, and π, v, q = x̃I⁻¹x̃ᵀ depend on the
    row only through x̃ and o, so ℓ, I, U* and ∇²ℓ* are sums over the merged rows with
    their summed weights. Designs of few distinct rows (dummy-coded factors, logistf's sex2:
    239 rows, 24 distinct) are then that much cheaper to evaluate.
    """
    X = np.asarray(X, dtype=np.float64)
    key = np.column_stack([X, offset]) if np.any(offset) else X
    # equal rows are adjacent once sorted by every column (np.unique(axis=0) takes 15×
    # as long: it compares rows as opaque bytes)
    order = np.lexsort(key.T[::-1])
    ordered = key[order]
    first = np.ones(X.shape[0], dtype=bool)
    first[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    if first.all():
        return (design_columns(X, fit_intercept), y, s, offset), None
    groups = np.empty(X.shape[0], dtype=np.intp)
    groups[order] = np.cumsum(first) - 1
    unique = ordered[first]
    weight = np.bincount(groups, weights=s, minlength=unique.shape[0])
    response = np.bincount(groups, weights=s * y, minlength=unique.shape[0])
    response = np.divide(response, weight, out=np.zeros_like(weight), where=weight > 0)
    merged = (design_columns(unique[:, : X.shape[1]], fit_intercept), response, weight,
              np.ascontiguousarray(unique[:, X.shape[1]]) if key is not X
              else np.zeros(unique.shape[0]))
    return merged, groups


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
    """(ℓ, rows) at the scores z, from one t = e^-|zᵢ| per row: rows[0] = sᵢ(yᵢ - πᵢ),
    rows[1] = ½ - πᵢ, rows[2] = sᵢvᵢ, rows[3] = vᵢ; e and y - π = -de/dz as
    kernels._pointwise, π and v as sigmoid and sigmoid_derivative (no digit lost in the
    tails)."""
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
    below √(p·eps) of the largest, as firth._Point)."""
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
    smallest, largest = np.inf, 0.0
    for j in range(p):
        smallest = min(smallest, L[j, j])
        largest = max(largest, L[j, j])
    return L, p == 0 or smallest * smallest > _EPS * p * largest * largest


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
    """(z, ℓ, I, L, ℓ*, ok, rows) at θ; ℓ* = -inf and ok False where I is singular or ℓ, I
    are not finite; ``rows`` as ``_row_terms``."""
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
def modified_score(Xt, y, s, z, factor):
    """(U*, h): the modified score and the hat diagonal at the scores z (L = ``factor``)."""
    return _score(Xt, _row_terms(z, y, s)[1], factor)


@njit(cache=True)
def penalized_hessian(Xt, s, z, factor, information):
    """∇²ℓ* at the scores z (L = ``factor``, I = ``information``): ``_hessian``."""
    return _hessian(Xt, _row_terms(z, np.zeros(z.size), s)[1], factor, information)


@njit(cache=True, fastmath=_FAST)
def _hessian(Xt, rows, factor, information):
    """∇²ℓ* = -I + ½T - ½G (firth.penalized_hessian's formula): T = X̃ᵀdiag(s v'' q)X̃, and
    Aⱼ = Σᵢ sᵢv'ᵢx̃ᵢⱼuᵢuᵢᵀ kept as its upper triangle (the off-diagonal entries, scaled by
    √2, count twice in Gⱼₖ = ⟨Aⱼ, Aₖ⟩); v' = v(1 - 2π), v'' = v(1 - 6v)."""
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
    """(x, ok): A_FF x = b_F on the free entries, A equilibrated to a unit diagonal first
    (as linalg.solve_psd: the answer does not depend on the columns' units); x is 0 on the
    fixed entries."""
    index = np.flatnonzero(free)
    n = index.size
    scale = np.empty(n)
    block = np.empty((n, n))
    x = np.zeros(free.size)
    for a in range(n):
        diagonal = A[index[a], index[a]]
        if not diagonal > 0.0:
            return x, False
        scale[a] = 1.0 / np.sqrt(diagonal)
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
    largest = 0.0
    for j in range(score.size):
        if free[j]:
            largest = max(largest, abs(score[j]))
    return largest / total


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
    """max ℓ* over the ``free`` entries from θ₀ (the others keep their values): returns
    (θ, ℓ*, ℓ, I, U*, converged, iterations, rows, L).

    Stops when max|U*_F|/Σs ≤ tol, or when the Newton decrement says ℓ* is within
    ``gap``·max(1, |ℓ*|) of the maximum: ½U*_Fᵀ M_FF⁻¹ U*_F, M the step's matrix, is ℓ*'s
    increase to the maximum of its quadratic model. ℓ* is what the tests and intervals use,
    and this test is the same in any units of the columns (the max-norm is not); it is
    made before the step, which then need not be evaluated. ``chord`` (p × p, or 0 × 0 for
    none) is a fixed -∇²ℓ* from a nearby point, used for the steps before ``exact_after``:
    close to the maximum it converges nearly as fast as Newton's method, at the cost of
    Fisher scoring's steps. The fit ends early, unconverged, once ℓ* exceeds ``ceiling``
    (a caller that only asks whether the maximum is above it)."""
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
