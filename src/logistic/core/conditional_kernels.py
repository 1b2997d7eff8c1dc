"""Compiled kernels of the conditional logistic likelihood: one pass over every stratum.

Per stratum s with rows j = 1..n, linear predictors ηⱼ = xⱼ·β, rⱼ = e^ηⱼ and m cases
(yⱼ = 1), each method's log-likelihood has the form ℓₛ = Σ_cases aᵢηᵢ - (log-normalizers),
and each normalizer is log Σ over a distribution on rows or subsets, so its gradient is that
distribution's mean of x and its Hessian the distribution's covariance of x. Every kernel
below forms the mean and covariance directly (never E[xxᵀ] - E[x]E[x]ᵀ, which cancels), from
weights that are ratios of exponentials of differences, so any finite η works:

    exact     ℓₛ = Σ_cases ηᵢ - log B(m, n),   B(k, j) = Σ_{|S| = k, S ⊆ 1..j} Π_{i∈S} rᵢ
              B(k, j) = B(k, j-1) + rⱼ·B(k-1, j-1)  (Gail, Lubin & Rubinstein 1981; Howard)
              in log space; the subsets' sum of x under P(S) ∝ Π rᵢ mixes the two branches
              with weights ω = B(k, j-1)/B(k, j) and 1 - ω = rⱼB(k-1, j-1)/B(k, j):
                  μ(k, j) = ω μ(k, j-1) + (1-ω)(xⱼ + μ(k-1, j-1))
                  C(k, j) = ω C(k, j-1) + (1-ω) C(k-1, j-1) + ω(1-ω) δδᵀ,
                  δ = μ(k, j-1) - xⱼ - μ(k-1, j-1)
              O(n·m·d²) per stratum; with m = 1 it is the softmax below.
    breslow   ℓₛ = Σ_cases sᵢηᵢ - (Σ_cases sᵢ)·log Σ_j sⱼrⱼ
    efron     ℓₛ = Σ_cases sᵢηᵢ - ā Σ_{l=0}^{m-1} log Σ_j cₗⱼ,   ā = (Σ_cases sᵢ)/m,
              cₗⱼ = sⱼrⱼ(1 - (l/m)·[j is a case])   (R's survival::coxph, method="efron")

Strata are given as contiguous row ranges (rows sorted by stratum). They are split into a
fixed number of chunks that depend on the shape alone; each chunk accumulates its own
partial sums, added in order outside, so results are the same on any number of threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["EXACT", "BRESLOW", "EFRON", "conditional_pass", "n_chunks"]

EXACT, BRESLOW, EFRON = 0, 1, 2
_STRATA_PER_CHUNK = 256
_MOST_CHUNKS = 64


def n_chunks(n_strata: int) -> int:
    """Chunks of about 256 strata, at most 64: a function of the shape alone."""
    return int(max(1, min(-(-n_strata // _STRATA_PER_CHUNK), _MOST_CHUNKS)))


@njit(cache=True)
def _weighted_softmax(X, eta, c_scale, start, stop, factor, grad, hess, want_hessian, p,
                      mean, delta):
    """factor·log Σⱼ cⱼe^ηⱼ (cⱼ = c_scale[j] ≥ 0) with its mean of x (subtracted from
    ``grad``) and covariance (added to ``hess``) under pⱼ ∝ cⱼe^ηⱼ, scaled by ``factor``.
    ``p``, ``mean``, ``delta``: work space (the chunk's, reused by every stratum)."""
    d = X.shape[1]
    top = -np.inf
    for j in range(start, stop):
        if c_scale[j - start] > 0.0 and eta[j] > top:
            top = eta[j]
    total = 0.0
    for j in range(start, stop):
        p[j - start] = c_scale[j - start] * np.exp(eta[j] - top)
        total += p[j - start]
    for a in range(d):
        mean[a] = 0.0
    for j in range(start, stop):
        p[j - start] /= total
        for a in range(d):
            mean[a] += p[j - start] * X[j, a]
    for a in range(d):
        grad[a] -= factor * mean[a]
    if want_hessian:
        for j in range(start, stop):
            pj = factor * p[j - start]
            if pj == 0.0:
                continue
            for a in range(d):
                delta[a] = X[j, a] - mean[a]
            for a in range(d):
                scaled = pj * delta[a]
                for b in range(a + 1):
                    hess[a, b] += scaled * delta[b]
    return factor * (top + np.log(total))


@njit(cache=True)
def _start_recursion(log_b, mean, cov, m, want_hessian):
    """B(0, 0) = 1 and B(k, 0) = 0 for k ≥ 1 (in logs), μ = 0, C = 0."""
    for k in range(m + 1):
        log_b[k] = -np.inf
        mean[k, :] = 0.0
        if want_hessian:
            cov[k, :, :] = 0.0
    log_b[0] = 0.0


@njit(cache=True)
def _exact_normalizer(X, eta, start, stop, m, factor, grad, hess, want_hessian, log_b, mean,
                      cov, delta):
    """factor·log B(m, n) by the recursion in log space, its mean μ(m, n) subtracted from
    ``grad`` and its covariance C(m, n) added to ``hess`` (the module docstring's formulas).
    ``log_b`` (≥ m + 1), ``mean`` (≥ m + 1, d), ``cov`` (≥ m + 1, d, d), ``delta`` (d,):
    work space."""
    d = X.shape[1]
    _start_recursion(log_b, mean, cov, m, want_hessian)
    for j in range(start, stop):
        seen = j - start + 1
        for k in range(min(seen, m), 0, -1):
            keep = log_b[k]
            take = eta[j] + log_b[k - 1]
            # ω and 1 - ω from ρ = e^-|keep - take| ≤ 1: 1/(1 + ρ) and ρ/(1 + ρ), one exp
            ratio = np.exp(-abs(keep - take))
            larger, smaller = 1.0 / (1.0 + ratio), ratio / (1.0 + ratio)
            new = max(keep, take) + np.log1p(ratio)
            omega, other = (larger, smaller) if keep >= take else (smaller, larger)
            for a in range(d):
                delta[a] = mean[k, a] - X[j, a] - mean[k - 1, a]
            if want_hessian:
                mix = omega * other
                for a in range(d):
                    for b in range(a + 1):
                        cov[k, a, b] = (omega * cov[k, a, b] + other * cov[k - 1, a, b]
                                        + mix * delta[a] * delta[b])
            for a in range(d):
                mean[k, a] = omega * mean[k, a] + other * (X[j, a] + mean[k - 1, a])
            log_b[k] = new
    for a in range(d):
        grad[a] -= factor * mean[m, a]
    if want_hessian:
        for a in range(d):
            for b in range(a + 1):
                hess[a, b] += factor * cov[m, a, b]
    return factor * log_b[m]


@njit(cache=True)
def _stratum(X, eta, y, s, start, stop, method, grad, hess, want_hessian, weights, p, log_b,
             mean, cov):
    """ℓₛ of one stratum; adds ∂ℓₛ/∂β to ``grad`` and -∂²ℓₛ/∂β² (lower triangle) to
    ``hess``. ``s`` are the sample weights (constant within a stratum for ``exact``); the
    rest is the chunk's work space."""
    d = X.shape[1]
    m = 0
    case_weight = 0.0
    value = 0.0
    for j in range(start, stop):
        if y[j] > 0.5:
            m += 1
            case_weight += s[j]
            value += s[j] * eta[j]
            for a in range(d):
                grad[a] += s[j] * X[j, a]
    delta = mean[0]  # a row of the work space the softmax does not otherwise use
    if method == EXACT and m > 1:
        return value - _exact_normalizer(X, eta, start, stop, m, s[start], grad, hess,
                                         want_hessian, log_b, mean[1:], cov, delta)
    centre = mean[1]
    for j in range(start, stop):  # exact: P(row j is the case) ∝ rⱼ, the stratum's weight outside
        weights[j - start] = 1.0 if method == EXACT else s[j]
    if method != EFRON or m == 1:
        return value - _weighted_softmax(X, eta, weights, start, stop, case_weight, grad, hess,
                                         want_hessian, p, centre, delta)
    mean_case_weight = case_weight / m
    for level in range(m):
        fraction = level / m
        for j in range(start, stop):
            weights[j - start] = s[j] * (1.0 - fraction) if y[j] > 0.5 else s[j]
        value -= _weighted_softmax(X, eta, weights, start, stop, mean_case_weight, grad, hess,
                                   want_hessian, p, centre, delta)
    return value


def _conditional_pass(X, eta, y, s, offsets, method, want_hessian, chunks, most_rows,
                      most_cases):
    """Per-chunk (ℓ, ∇ℓ, -∇²ℓ) over the strata ``offsets[t]:offsets[t + 1]`` of rows sorted
    by stratum (at most ``most_rows`` rows and ``most_cases`` cases each); the Hessians'
    upper triangles are filled in by the caller."""
    d = X.shape[1]
    n_strata = offsets.shape[0] - 1
    values = np.zeros(chunks)
    grads = np.zeros((chunks, d))
    hessians = np.zeros((chunks, d, d) if want_hessian else (chunks, 1, 1))
    for c in prange(chunks):
        first = c * n_strata // chunks
        last = (c + 1) * n_strata // chunks
        weights, p = np.empty(most_rows), np.empty(most_rows)
        log_b = np.empty(most_cases + 1)
        mean = np.empty((most_cases + 2, d))  # rows 0 and 1: δ and the softmax's mean
        cov = np.empty((most_cases + 1, d, d) if want_hessian else (1, 1, 1))
        total = 0.0
        grad, hess = grads[c], hessians[c]
        for t in range(first, last):
            total += _stratum(X, eta, y, s, offsets[t], offsets[t + 1], method, grad, hess,
                              want_hessian, weights, p, log_b, mean, cov)
        values[c] = total
    return values, grads, hessians


# One chunk runs serially: waking numba's threads costs more than a small pass (measured
# 40 ms against 0.1 ms for 60 strata on a loaded 2-core machine).
_serial_pass = njit(cache=True)(_conditional_pass)
_parallel_pass = njit(parallel=True, cache=True)(_conditional_pass)


def conditional_pass(X, eta, y, s, offsets, method, want_hessian, chunks, most_rows,
                     most_cases):
    """``_conditional_pass`` compiled, in threads where there is more than one chunk."""
    kernel = _parallel_pass if chunks > 1 else _serial_pass
    return kernel(X, eta, y, s, offsets, method, want_hessian, chunks, most_rows, most_cases)
