"""The proportional odds model's per-row pass, compiled: ``ordinal.row_terms`` term for term,
row by row, with the per-threshold sums accumulated on the way.

For row i of class c with score ηᵢ, weight s̃ᵢ, u = θ_c - ηᵢ, l = θ_{c-1} - ηᵢ (±∞ at the
ends) and the gap l - u = θ_{c-1} - θ_c taken from the cut-points:

    J      += -s̃ᵢ log P(Y = c)                     r[i]  = s̃ᵢ ∂L/∂η
    ∇_θ J  += s̃ᵢ ∂L/∂θ_c, s̃ᵢ ∂L/∂θ_{c-1}          and, for the Hessian,
    h[i]   = s̃ᵢ ∂²L/∂η²,  cross[i, c], cross[i, c-1] = s̃ᵢ ∂²L/∂η∂θ,  ∇²_θθ J += s̃ᵢ ∂²L/∂θ²

NumPy would run some twenty passes over n-vectors (each transcendental a pass of its own);
this is one. Rows are split into chunks that depend on n alone, each with its own partial
sums added afterwards in order, so the result does not depend on the number of threads. No
``fastmath``: the formulas rely on exact infinities (u = +∞ for the top class).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = ["ordinal_pass"]

_ROWS_PER_CHUNK = 8192
PARALLEL_ROWS = 200_000


@njit(inline="always")
def _sigmoids(x: float) -> tuple[float, float, float, float]:
    """(log σ(x), log σ(-x), σ(x), σ(-x)) from one exponential t = e^-|x| and log(1 + t):
    no huge exponential, exact infinities (x = ±∞ gives t = 0)."""
    t = math.exp(-abs(x))
    log_one_plus = math.log1p(t)
    if x >= 0:
        return -log_one_plus, -x - log_one_plus, 1.0 / (1.0 + t), t / (1.0 + t)
    return x - log_one_plus, -log_one_plus, t / (1.0 + t), 1.0 / (1.0 + t)


@njit(inline="always")
def _chunk(chunk, eta, y, extended, log_gaps, weights, hessian, loss, grad, r, h, cross, tt):
    """One chunk's rows: their per-row outputs, and the chunk's partial sums."""
    k = extended.shape[0] - 2
    for i in range(chunk * _ROWS_PER_CHUNK, min(eta.shape[0], (chunk + 1) * _ROWS_PER_CHUNK)):
        c = y[i]
        w = weights[i]
        u = extended[c + 1] - eta[i]
        lo = extended[c] - eta[i]
        log_gap = log_gaps[c]
        lsu, lsnu, su, snu = _sigmoids(u)
        lsl, lsnl, sl, snl = _sigmoids(lo)
        g_upper = math.exp(lsnu - lsnl - log_gap)
        g_lower = -math.exp(lsl - lsu - log_gap)
        loss[chunk] -= w * (lsu + lsnl + log_gap)
        r[i] = w * (snu - sl)
        if c < k:
            grad[chunk, c] -= w * g_upper
        if c > 0:
            grad[chunk, c - 1] -= w * g_lower
        if hessian:
            h[i] = w * (su * snu + sl * snl)
            if c < k:
                cross[i, c] = -w * su * snu
                tt[chunk, c, c] += w * (g_upper * g_upper - g_upper * (snu - su))
            if c > 0:
                cross[i, c - 1] = -w * sl * snl
                tt[chunk, c - 1, c - 1] += w * (g_lower * g_lower - g_lower * (snl - sl))
            if 0 < c < k:
                tt[chunk, c, c - 1] += w * g_upper * g_lower
                tt[chunk, c - 1, c] += w * g_upper * g_lower


@njit(inline="always")
def _outputs(n, k, hessian):
    chunks = max(1, (n + _ROWS_PER_CHUNK - 1) // _ROWS_PER_CHUNK)
    rows = n if hessian else 0
    return (chunks, np.zeros(chunks), np.zeros((chunks, k)), np.empty(n), np.empty(rows),
            np.zeros((rows, k)), np.zeros((chunks if hessian else 0, k, k)))


@njit(inline="always")
def _totals(chunks, k, hessian, loss, grad, tt):
    total_loss = 0.0
    total_grad = np.zeros(k)
    total_tt = np.zeros((k, k))
    for chunk in range(chunks):  # in order: the same sums on any number of threads
        total_loss += loss[chunk]
        total_grad += grad[chunk]
        if hessian:
            total_tt += tt[chunk]
    return total_loss, total_grad, total_tt


@njit(cache=True)
def _serial(eta, y, extended, log_gaps, weights, hessian):
    k = extended.shape[0] - 2
    chunks, loss, grad, r, h, cross, tt = _outputs(eta.shape[0], k, hessian)
    for chunk in range(chunks):
        _chunk(chunk, eta, y, extended, log_gaps, weights, hessian, loss, grad, r, h, cross, tt)
    total_loss, total_grad, total_tt = _totals(chunks, k, hessian, loss, grad, tt)
    return total_loss, r, total_grad, h, cross, total_tt


@njit(parallel=True, cache=True)
def _parallel(eta, y, extended, log_gaps, weights, hessian):
    k = extended.shape[0] - 2
    chunks, loss, grad, r, h, cross, tt = _outputs(eta.shape[0], k, hessian)
    for chunk in prange(chunks):
        _chunk(chunk, eta, y, extended, log_gaps, weights, hessian, loss, grad, r, h, cross, tt)
    total_loss, total_grad, total_tt = _totals(chunks, k, hessian, loss, grad, tt)
    return total_loss, r, total_grad, h, cross, total_tt


def ordinal_pass(eta, y, extended, gaps, weights, hessian: bool):
    """(J, r (n,), ∇_θ J (K-1,), h (n,), cross (n, K-1), ∇²_θθ J (K-1, K-1)) as in the module
    docstring; ``extended`` = [-∞, θ, +∞], ``gaps`` = [-∞, θₖ₋₁ - θₖ, -∞] per class. Without
    ``hessian`` the last three are empty. Threads from ``PARALLEL_ROWS`` rows on (below, a
    thread's start costs more than it saves); the sums are the same either way."""
    log_gaps = np.log(-np.expm1(gaps))  # log(1 - e^(l-u)), one per class
    run = _parallel if eta.shape[0] >= PARALLEL_ROWS else _serial
    return run(eta, y, extended, log_gaps, weights, bool(hessian))
