"""Compiled kernels of the mixed logistic model: one small problem per group, in parallel.

The model, for row i of group g with fixed part η₀ᵢ = xᵢ·β and random-effect columns zᵢ:

    logit P(yᵢ = 1 | b_g) = η₀ᵢ + zᵢ·b_g,   b_g = L u_g,   u_g ~ N(0, I_q),   Σ = LLᵀ

(L the q × q Cholesky factor, lme4's relative covariance factor Λ). With vᵢ = Lᵀzᵢ the
linear predictor is ηᵢ = η₀ᵢ + vᵢ·u, and the kernels see only η₀, V = ZL and the row
weights aᵢ = wᵢsᵢ (weighted successes) and bᵢ = wᵢnᵢ (weighted trials), so

    h_g(u) = Σᵢ [aᵢηᵢ − bᵢ log(1 + e^ηᵢ)] − ½uᵀu        (the log integrand, less constants)
    ∇h_g   = Σᵢ (aᵢ − bᵢμᵢ) vᵢ − u,   −∇²h_g = H_g = I + Σᵢ bᵢμᵢ(1 − μᵢ) vᵢvᵢᵀ

and each group's likelihood ∫ e^{ℓ_g(u)} φ(u) du is approximated at the mode û_g
(Newton's method on the concave h_g, one q × q Cholesky solve per step):

    Laplace   log L_g ≈ h_g(û) − ½ log det H_g(û)
    AGQ (q=1) log L_g ≈ h_g(û) + log σ̂ + log Σₖ (ωₖ/√π) e^{tₖ²} e^{h_g(û + √2 σ̂ tₖ) − h_g(û)},
              σ̂ = H_g(û)^{-1/2}, (tₖ, ωₖ) Gauss–Hermite nodes and weights (∫e^{-t²}f).

Groups are contiguous row ranges (rows sorted by group). Each group writes only its own
slots (its log-likelihood, its rows' scores, its mode), so the parallel loop is the same on
any number of threads and the sums are taken outside in a fixed order.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from logistic.core.cholesky_kernels import cholesky_solve

__all__ = ["mixed_pass"]

_NEWTON_STEPS = 100
_PARALLEL_ROWS = 20_000
_DECREMENT = 1e-12  # Newton's decrement ∇hᵀH⁻¹∇h: one step more and û is exact to rounding


@njit(cache=True)
def _softplus(z):
    """log(1 + e^z), without overflow for large z."""
    if z > 0.0:
        return z + np.log1p(np.exp(-z))
    return np.log1p(np.exp(z))


@njit(cache=True)
def _expit(z):
    """μ = σ(z) = 1 / (1 + e^{-z}), without overflow on either side."""
    if z >= 0.0:
        return 1.0 / (1.0 + np.exp(-z))
    e = np.exp(z)
    return e / (1.0 + e)


@njit(cache=True)
def _eta(eta0, V, i, u):
    """ηᵢ = η₀ᵢ + vᵢ·u."""
    eta = eta0[i]
    for k in range(u.shape[0]):
        eta += V[i, k] * u[k]
    return eta


@njit(cache=True)
def _log_integrand(eta0, V, a, b, start, stop, u):
    """h(u) = Σᵢ [aᵢηᵢ − bᵢ log(1 + e^ηᵢ)] − ½uᵀu over the group's rows."""
    total = 0.0
    for i in range(start, stop):
        eta = _eta(eta0, V, i, u)
        total += a[i] * eta - b[i] * _softplus(eta)
    for k in range(u.shape[0]):
        total -= 0.5 * u[k] * u[k]
    return total


@njit(cache=True)
def _score_information(eta0, V, a, b, start, stop, u, grad, info, mus):
    """h(u) returned, grad = Σᵢ (aᵢ − bᵢμᵢ) vᵢ − u and info = I + Σᵢ bᵢμᵢ(1 − μᵢ) vᵢvᵢᵀ
    (lower triangle), in one sweep of the rows: one exponential and one log1p per row.
    Each row's μᵢ is written to ``mus[i]`` where ``mus`` has room (else length 0), so the
    sweeps after the last one reuse it."""
    q = u.shape[0]
    h = 0.0
    for k in range(q):
        grad[k] = -u[k]
        h -= 0.5 * u[k] * u[k]
        for m in range(k + 1):
            info[k, m] = 1.0 if k == m else 0.0
    for i in range(start, stop):
        eta = _eta(eta0, V, i, u)
        e = np.exp(-abs(eta))
        if eta >= 0.0:
            mu = 1.0 / (1.0 + e)
            h += a[i] * eta - b[i] * (eta + np.log1p(e))
        else:
            mu = e / (1.0 + e)
            h += a[i] * eta - b[i] * np.log1p(e)
        if mus.shape[0] > 0:
            mus[i] = mu
        r = a[i] - b[i] * mu
        w = b[i] * mu * (1.0 - mu)
        for k in range(q):
            grad[k] += r * V[i, k]
            wk = w * V[i, k]
            for m in range(k + 1):
                info[k, m] += wk * V[i, m]
    return h


@njit(cache=True)
def _cholesky(info, factor):
    """The lower Cholesky factor C of the symmetric positive definite ``info`` (its lower
    triangle read), C Cᵀ = info; returns log det info = 2 Σ log Cₖₖ."""
    q = info.shape[0]
    logdet = 0.0
    for j in range(q):
        s = info[j, j]
        for k in range(j):
            s -= factor[j, k] * factor[j, k]
        d = np.sqrt(s)
        factor[j, j] = d
        logdet += 2.0 * np.log(d)
        for i in range(j + 1, q):
            s = info[i, j]
            for k in range(j):
                s -= factor[i, k] * factor[j, k]
            factor[i, j] = s / d
    return logdet


@njit(cache=True)
def _conditional_mode(eta0, V, a, b, start, stop, u, grad, info, factor, step, trial, mus):
    """û = argmax h(u) by Newton's method with step halving, from the u given (updated in
    place); returns (h(û), log det H(û)), with ``factor`` the Cholesky factor of H(û).
    Once Newton's decrement ∇hᵀH⁻¹∇h is below 1e-12·(1 + |h|) one last full step (which
    squares it) ends the iterations without a line search. The last sweep is at û, so
    ``mus`` (see ``_score_information``) holds μᵢ(û) on return."""
    q = u.shape[0]
    h = _score_information(eta0, V, a, b, start, stop, u, grad, info, mus)
    for _ in range(_NEWTON_STEPS):
        _cholesky(info, factor)
        cholesky_solve(factor, grad, step)
        decrement = 0.0
        for k in range(q):
            decrement += grad[k] * step[k]
        if decrement <= _DECREMENT * (1.0 + abs(h)):
            for k in range(q):
                u[k] += step[k]
            h = _score_information(eta0, V, a, b, start, stop, u, grad, info, mus)
            return h, _cholesky(info, factor)
        t = 1.0
        while True:  # each trial's sweep leaves grad and info at the trial point
            for k in range(q):
                trial[k] = u[k] + t * step[k]
            h_trial = _score_information(eta0, V, a, b, start, stop, trial, grad, info,
                                         mus)
            if h_trial >= h or t < 1e-12:
                break
            t *= 0.5
        for k in range(q):
            u[k] = trial[k]
        h = h_trial
    return h, _cholesky(info, factor)


@njit(cache=True)
def _adaptive_gauss_hermite(eta0, V, a, b, start, stop, u, h_mode, information, nodes,
                            weights, trial):
    """log ∫ e^{h(u)} du / √(2π) for q = 1 by adaptive Gauss–Hermite at the mode û = u:
    h(û) + log σ̂ + log Σₖ (ωₖ/√π) e^{tₖ²} e^{h(û + √2 σ̂ tₖ) − h(û)}, σ̂ = information^{-1/2}."""
    scale = 1.0 / np.sqrt(information)
    total = 0.0
    for k in range(nodes.shape[0]):
        trial[0] = u[0] + np.sqrt(2.0) * scale * nodes[k]
        h = _log_integrand(eta0, V, a, b, start, stop, trial)
        total += weights[k] / np.sqrt(np.pi) * np.exp(nodes[k] * nodes[k] + h - h_mode)
    return h_mode + np.log(scale) + np.log(total)


@njit(cache=True)
def _row_terms(V, a, b, i, mu, factor, m, hs):
    """(rᵢ, cᵢ, Wᵢ) of ``_laplace_row_scores`` at μᵢ: rᵢ = aᵢ − bᵢμᵢ, Wᵢ = bᵢμᵢ(1 − μᵢ),
    cᵢ = −½ (vᵢᵀH⁻¹vᵢ) Wᵢ(1 − 2μᵢ)."""
    q = m.shape[0]
    for k in range(q):
        m[k] = V[i, k]
    cholesky_solve(factor, m, hs)
    quad = 0.0
    for k in range(q):
        quad += V[i, k] * hs[k]
    w = b[i] * mu * (1.0 - mu)
    return a[i] - b[i] * mu, -0.5 * quad * w * (1.0 - 2.0 * mu), w


@njit(cache=True)
def _laplace_row_scores(V, Z, a, b, start, stop, factor, scores, s, m, hs, sums, g):
    """∂ log L_g/∂η₀ᵢ of the Laplace approximation (so ∇_β = Xᵀ·scores), û moving with β:
    eᵢ = rᵢ + cᵢ − Wᵢ vᵢ·H⁻¹s,  rᵢ = aᵢ − bᵢμᵢ,  Wᵢ = bᵢμᵢ(1 − μᵢ),
    cᵢ = −½ (vᵢᵀH⁻¹vᵢ) bᵢμᵢ(1 − μᵢ)(1 − 2μᵢ),  s = Σᵢ cᵢvᵢ;
    and the group's sums for ∇_λ: sums[g] = [Σᵢ rᵢzᵢ, Σᵢ cᵢzᵢ, Σᵢ Wᵢzᵢzᵢᵀ (row-major)].
    ``scores`` holds μᵢ(û) on entry (the mode's last sweep): no exponential here."""
    q = s.shape[0]
    for k in range(q):
        s[k] = 0.0
    for k in range(sums.shape[1]):
        sums[g, k] = 0.0
    for i in range(start, stop):
        r, c, w = _row_terms(V, a, b, i, scores[i], factor, m, hs)
        for k in range(q):
            s[k] += c * V[i, k]
            sums[g, k] += r * Z[i, k]
            sums[g, q + k] += c * Z[i, k]
            for j in range(q):
                sums[g, 2 * q + k * q + j] += w * Z[i, k] * Z[i, j]
    cholesky_solve(factor, s, hs)
    for k in range(q):
        s[k] = hs[k]  # H⁻¹s, kept while _row_terms reuses hs
    for i in range(start, stop):
        along = 0.0
        for k in range(q):
            along += V[i, k] * s[k]
        r, c, w = _row_terms(V, a, b, i, scores[i], factor, m, hs)
        scores[i] = r + c - w * along


def _mixed_pass(eta0, V, Z, a, b, starts, modes, nodes, weights, want_scores, loglik, scores,
                inverse_information, sums):
    """Every group's mode (``modes``, G × q, updated in place from the values given),
    log L_g (``loglik``, G: Laplace with one node, else adaptive Gauss–Hermite, q = 1),
    H_g(û)⁻¹ (``inverse_information``, G × q × q) and, with ``want_scores`` (Laplace), each
    row's ∂ log L/∂η₀ᵢ (``scores``, n) and each group's sums for ∇_λ (``sums``, G × (2q +
    q²), see ``_laplace_row_scores``). Compiled twice: in parallel and serially."""
    n_groups, q = modes.shape
    for g in prange(n_groups):
        start, stop = starts[g], starts[g + 1]
        u = modes[g]
        grad = np.empty(q)
        info = np.empty((q, q))
        factor = np.zeros((q, q))
        step = np.empty(q)
        trial = np.empty(q)
        h, logdet = _conditional_mode(eta0, V, a, b, start, stop, u, grad, info, factor, step,
                                      trial, scores)
        if nodes.shape[0] > 1:
            loglik[g] = _adaptive_gauss_hermite(eta0, V, a, b, start, stop, u, h, info[0, 0],
                                                nodes, weights, trial)
        else:
            loglik[g] = h - 0.5 * logdet
        unit = np.zeros(q)
        for k in range(q):
            unit[k] = 1.0
            cholesky_solve(factor, unit, step)
            for m in range(q):
                inverse_information[g, m, k] = step[m]
            unit[k] = 0.0
        if want_scores:
            _laplace_row_scores(V, Z, a, b, start, stop, factor, scores, grad, trial, step,
                                sums, g)


_parallel_pass = njit(cache=True, parallel=True)(_mixed_pass)
_serial_pass = njit(cache=True)(_mixed_pass)


def mixed_pass(eta0, V, Z, a, b, starts, modes, nodes, weights, want_scores, loglik, scores,
               inverse_information, sums):
    """``_mixed_pass`` on threads from 20,000 rows (below, starting the threads costs more
    than the pass: a few microseconds per group)."""
    kernel = _parallel_pass if eta0.shape[0] >= _PARALLEL_ROWS else _serial_pass
    kernel(eta0, V, Z, a, b, starts, modes, nodes, weights, want_scores, loglik, scores,
           inverse_information, sums)
