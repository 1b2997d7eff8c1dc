"""Firth's quantities compiled, for small dense designs: ℓ*, U*, ∇²ℓ* and the steps at one θ.

``firth.py``'s formulas, with X̃ = [X, 1] (θ layout) stored by columns, zᵢ = x̃ᵢθ + oᵢ,
tᵢ = e^-|zᵢ|, vᵢ = πᵢ(1 - πᵢ) = tᵢ/(1 + tᵢ)² and frequency weights sᵢ::

    ℓ   = -Σ sᵢeᵢ                  eᵢ the cross-entropy, as kernels._pointwise
    I   = X̃ᵀ diag(s v) X̃ = LLᵀ      log det I = 2Σ log Lₖₖ
    hᵢ  = sᵢvᵢ‖uᵢ‖²,  uᵢ = L⁻¹x̃ᵢᵀ     (the columns of X̃L⁻ᵀ, from L⁻¹ once)
    U*  = X̃ᵀ [s(y - π) + h(½ - π)]

For a few hundred rows each is microseconds of arithmetic, less than NumPy spends on each of
its dozen calls, so the fits built on these (``firth_fits``: the estimate and the
constrained fits; ``firth_profiles``: the tests and interval ends) run compiled, each fit whole.
Single-threaded (nothing spins); sums run down contiguous columns and vectorize (``_FAST``:
reassociation and fused multiply-add only); results equal the NumPy path's to rounding.

numba's cache checks a function's own file only, not the files of the functions it calls:
after editing this module, delete ``core/__pycache__/firth_*.nbi`` (or touch firth_fits.py
and firth_profiles.py) so that their cached machine code is rebuilt with the change.

The three functions here that only the NumPy path calls, once a step (``modified_score``,
``penalized_hessian``, ``newton_step``), are plain Python around the compiled ones: each
compiled entry point has its callees' code optimized again inside it, about a second of CPU
each on a cold cache, to save microseconds per call.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from logistic.core.cholesky_kernels import cholesky_solve

__all__ = ["cholesky", "curvature", "free_norm", "inverse_psd", "modified_score",
           "negative_hessian", "newton_step", "penalized_hessian", "point", "profile_geometry",
           "score_from_rows", "scores", "solve_free", "step_direction"]

_EPS = np.finfo(np.float64).eps
_FAST = {"reassoc", "contract"}


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
def cholesky(A):
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
    factor, ok = cholesky(information)
    ok = ok and np.isfinite(loglik) and np.all(np.isfinite(information))
    penalized = -np.inf
    if ok:
        half_logdet = 0.0
        for j in range(p):
            half_logdet += np.log(factor[j, j])
        penalized = loglik + half_logdet
    return z, loglik, information, factor, penalized, ok, rows


@njit(cache=True, fastmath=_FAST)
def score_from_rows(Xt, rows, factor):
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


def modified_score(Xt, y, s, offset, theta, factor):
    """(U*, h): the modified score and the hat diagonal at θ (L = ``factor``)."""
    return score_from_rows(Xt, _row_terms(scores(Xt, offset, theta), y, s)[1], factor)


def penalized_hessian(Xt, s, offset, theta, factor, information):
    """∇²ℓ* at θ (L = ``factor``, I = ``information``): ``_hessian``."""
    z = scores(Xt, offset, theta)
    return _hessian(Xt, _row_terms(z, np.zeros(z.size), s)[1], factor, information)


def newton_step(Xt, y, s, offset, theta, factor, information, score, free, exact):
    """(δ, ok): firth_newton's step at θ, ``step_direction`` without a chord."""
    rows = _row_terms(scores(Xt, offset, theta), y, s)[1]
    return step_direction(Xt, rows, factor, information, score, free, exact, np.zeros((0, 0)))


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
    factor, ok = cholesky(block)
    if not ok:
        return x, False
    rhs, solved = np.empty(n), np.empty(n)
    for a in range(n):  # LLᵀx = Sb
        rhs[a] = b[index[a]] * scale[a]
    cholesky_solve(factor, rhs, solved)
    for a in range(n):
        x[index[a]] = solved[a] * scale[a]
    return x, True


@njit(cache=True)
def inverse_psd(A):
    """(A⁻¹, ok) by the Cholesky factor of A equilibrated to a unit diagonal, as
    linalg.solve_psd(A, eye) where A is numerically positive definite (ok False otherwise:
    the caller then takes solve_psd's pseudo-inverse)."""
    p = A.shape[0]
    diagonal = np.diag(A).copy()
    if not np.all(diagonal > 0.0):
        return np.zeros((p, p)), False
    scale = 1.0 / np.sqrt(diagonal)
    factor, ok = cholesky(A * np.outer(scale, scale))
    if not ok:
        return np.zeros((p, p)), False
    inverse = _inverse_lower(factor)
    out = inverse.T @ inverse
    return out * np.outer(scale, scale), True


@njit(cache=True)
def free_norm(score, free, total):
    """max|U*_F|/Σs, 0 without free entries."""
    return np.max(np.abs(score[free])) / total if free.any() else 0.0


@njit(cache=True)
def step_direction(Xt, rows, factor, information, score, free, exact, chord):
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
def negative_hessian(Xt, rows, factor, information):
    """-∇²ℓ* from ``point``'s rows, L and I (``step_direction``'s exact matrix)."""
    return -_hessian(Xt, rows, factor, information)


@njit(cache=True)
def curvature(Xt, rows, factor, information):
    """-∇²ℓ* where it is positive definite, else I (Fisher's approximation of it)."""
    exact = -_hessian(Xt, rows, factor, information)
    return exact if cholesky(exact)[1] else information


@njit(cache=True)
def profile_geometry(curvature, j):
    """(τ, c, ok) for M = -∇²ℓ* (or I) at a constrained maximum: the profile trace's dθ/dθⱼ
    (τⱼ = 1, τ_F = -M_FF⁻¹M_Fj) and c = -d²ℓₚ/dv² = M_jj + M_jFτ_F (the Schur complement)."""
    free = np.arange(curvature.shape[0]) != j
    tangent, ok = solve_free(curvature, -curvature[:, j], free)
    tangent[j] = 1.0
    c = curvature[j] @ tangent
    return tangent, c, ok and c > 0.0


