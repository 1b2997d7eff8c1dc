"""The conditional likelihood's kernels against closed forms: the sum over every subset
(itertools), Breslow's and Efron's formulas written out, finite differences of ℓ and ∇ℓ."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.special import logsumexp

from logistic.core.conditional import ConditionalObjective, centred_within, stratum_offsets

SIZES, CASES = [5, 6, 4, 7, 3], [1, 2, 3, 3, 2]


def strata(seed: int = 0, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(len(SIZES)), SIZES)
    X = scale * rng.normal(size=(codes.size, 3))
    y = np.zeros(codes.size)
    starts = np.r_[0, np.cumsum(SIZES)[:-1]]
    for start, m in zip(starts, CASES, strict=True):
        size = SIZES[list(starts).index(start)]
        y[rng.choice(np.arange(start, start + size), m, replace=False)] = 1
    return X, y, codes, rng.uniform(0.5, 2.0, codes.size)


def by_stratum(codes):
    return [np.flatnonzero(codes == t) for t in range(codes.max() + 1)]


def exact_by_subsets(X, y, codes, beta):
    """Σₛ [Σ_cases η - log Σ_{|S|=m} exp(Σ_S η)], every subset enumerated."""
    total = 0.0
    for rows in by_stratum(codes):
        eta, m = X[rows] @ beta, int(y[rows].sum())
        sums = [eta[list(S)].sum() for S in itertools.combinations(range(rows.size), m)]
        total += eta[y[rows] == 1].sum() - logsumexp(sums)
    return total


def breslow_written_out(X, y, codes, s, beta):
    """Σₛ [Σ_cases sᵢηᵢ - (Σ_cases sᵢ) log Σⱼ sⱼe^ηⱼ]."""
    total = 0.0
    for rows in by_stratum(codes):
        eta, case = X[rows] @ beta, y[rows] == 1
        total += (s[rows] * eta)[case].sum() - s[rows][case].sum() * logsumexp(eta, b=s[rows])
    return total


def efron_written_out(X, y, codes, s, beta):
    """Σₛ [Σ_cases sᵢηᵢ - ā Σ_{l<m} log(Σⱼ sⱼe^ηⱼ - (l/m) Σ_cases sᵢe^ηᵢ)]."""
    total = 0.0
    for rows in by_stratum(codes):
        eta, case, w = X[rows] @ beta, y[rows] == 1, s[rows]
        m = int(case.sum())
        r = np.exp(eta)
        total += (w * eta)[case].sum() - w[case].sum() / m * sum(
            np.log((w * r).sum() - k / m * (w * r)[case].sum()) for k in range(m))
    return total


def objective(X, y, codes, s, ties):
    order, offsets = stratum_offsets(codes)
    return ConditionalObjective(centred_within(X[order], offsets), y[order], s[order],
                                offsets, ties)


BETA = np.array([0.4, -0.7, 0.9])


def test_exact_equals_the_sum_over_every_subset():
    X, y, codes, _ = strata()
    value = objective(X, y, codes, np.ones(codes.size), "exact").log_likelihood_parts(BETA)[0]
    assert value == pytest.approx(exact_by_subsets(X, y, codes, BETA), rel=1e-13)


@pytest.mark.parametrize("ties, formula", [("breslow", breslow_written_out),
                                           ("efron", efron_written_out)])
def test_breslow_and_efron_equal_their_formulas_with_weights(ties, formula):
    X, y, codes, s = strata(1)
    value = objective(X, y, codes, s, ties).log_likelihood_parts(BETA)[0]
    assert value == pytest.approx(formula(X, y, codes, s, BETA), rel=1e-13)


@pytest.mark.parametrize("ties", ["exact", "breslow", "efron"])
def test_gradient_and_hessian_match_finite_differences(ties):
    X, y, codes, s = strata(2)
    weights = np.ones(codes.size) if ties == "exact" else s
    obj = objective(X, y, codes, weights, ties)
    value, grad, information = obj.log_likelihood_parts(BETA)
    h = 1e-6
    steps = np.eye(3) * h
    fd_grad = [(obj.log_likelihood_parts(BETA + e)[0] - obj.log_likelihood_parts(BETA - e)[0])
               / (2 * h) for e in steps]
    fd_hess = np.array([(obj.log_likelihood_parts(BETA + e)[1]
                         - obj.log_likelihood_parts(BETA - e)[1]) / (2 * h) for e in steps])
    np.testing.assert_allclose(grad, fd_grad, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(information, -fd_hess, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(information, information.T)
    assert np.linalg.eigvalsh(information).min() > 0


def test_one_case_per_stratum_makes_the_three_methods_one():
    rng = np.random.default_rng(3)
    codes = np.repeat(np.arange(30), 5)
    X = rng.normal(size=(150, 2))
    y = (np.arange(150) % 5 == 0).astype(float)
    parts = [objective(X, y, codes, np.ones(150), t).log_likelihood_parts(BETA[:2])
             for t in ("exact", "breslow", "efron")]
    for other in parts[1:]:
        for a, b in zip(parts[0], other, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-13)


@pytest.mark.parametrize("scale", [1e3, 1e100])
def test_extreme_linear_predictors_stay_exact_and_finite(scale):
    """η of ±1e3 (e^η overflows) and x of 1e100 (x² near the float64 edge): the log-space
    recursion gives the subsets' log-sum-exp, finite derivatives (the estimator rescales
    columns beyond 2^±64 by powers of two, so its x² never overflows)."""
    X, y, codes, _ = strata(4, scale=scale)
    beta = BETA if scale == 1e3 else BETA / scale * 10.0
    with np.errstate(all="raise"):
        value, grad, information = objective(X, y, codes, np.ones(codes.size),
                                             "exact").log_likelihood_parts(beta)
    assert np.isfinite(value) and np.all(np.isfinite(grad)) and np.all(np.isfinite(information))
    assert value == pytest.approx(exact_by_subsets(X, y, codes, beta), rel=1e-9)


def test_centring_within_strata_leaves_the_likelihood_unchanged():
    X, y, codes, _ = strata(5)
    order, offsets = stratum_offsets(codes)
    raw = ConditionalObjective(X[order], y[order], np.ones(codes.size), offsets, "exact")
    centred = objective(X, y, codes, np.ones(codes.size), "exact")
    for a, b in zip(raw.log_likelihood_parts(BETA), centred.log_likelihood_parts(BETA),
                    strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-12)
