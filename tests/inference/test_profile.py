"""Profile-likelihood intervals of unpenalized fits against independent constrained refits.

At each end of an interval the likelihood-ratio statistic 2(ℓ(θ̂) - max ℓ(θ | θⱼ = bound))
must equal the χ²₁ quantile. The constrained maxima are recomputed here by statsmodels' GLM
with the fixed term as an offset (or scipy on the literal log-likelihood), never by the
library.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from scipy import optimize, stats

from logistic import LogisticRegression, SeparationWarning
from logistic.core.objective import Objective
from logistic.inference.profile import OffsetObjective, profile_bounds, profile_intervals
from logistic.solvers.newton import newton

Q95 = float(stats.chi2.ppf(0.95, 1))


def generated(m, coef, intercept, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, len(coef)))
    p = 1.0 / (1.0 + np.exp(-(intercept + X @ np.asarray(coef))))
    return X, (rng.random(m) < p).astype(float)


def glm_loglik(exog, y, offset, weights=None):
    """max ℓ of the binomial GLM with this offset (statsmodels IRLS; ℓ of the offset alone
    when no column is left)."""
    if exog.shape[1] == 0:
        eta = offset
        return float(np.sum((weights if weights is not None else 1.0)
                            * (y * eta - np.logaddexp(0, eta))))
    model = sm.GLM(y, exog, family=sm.families.Binomial(), offset=offset,
                   freq_weights=weights)
    return float(model.fit(tol=1e-13, maxiter=200).llf)


def check_bounds(X, y, intervals, weights=None, fit_intercept=True):
    """|2(ℓ̂ - ℓ(bound)) - χ²₁(0.95)| at every finite bound, with statsmodels refits."""
    Xt = sm.add_constant(X, has_constant="add") if fit_intercept else X
    full = glm_loglik(Xt, y, np.zeros(len(y)), weights)
    errors = []
    for j, (low, high) in enumerate(intervals):
        others = np.delete(Xt, j, axis=1)
        for bound in (low, high):
            if np.isfinite(bound):
                constrained = glm_loglik(others, y, bound * Xt[:, j], weights)
                errors.append(abs(2.0 * (full - constrained) - Q95))
    return max(errors)


@pytest.fixture(scope="module")
def moderate():
    return generated(120, [0.8, -0.5], 0.3, seed=11)


def test_profile_bounds_reach_the_chi2_quantile(moderate):
    X, y = moderate
    model = LogisticRegression(tol=1e-10).fit(X, y)
    intervals = model.conf_int(method="profile", X=X, y=y)
    assert intervals.shape == (3, 2)
    params = np.r_[model.intercept_, model.coef_.ravel()]
    assert np.all((intervals[:, 0] < params) & (params < intervals[:, 1]))
    assert check_bounds(X, y, intervals) < 1e-6


def test_profile_with_frequency_weights_and_other_alpha(moderate):
    X, y = moderate
    weights = np.random.default_rng(2).integers(1, 4, len(y)).astype(float)
    model = LogisticRegression(tol=1e-10).fit(X, y, sample_weight=weights)
    intervals = model.conf_int(0.05, method="profile", X=X, y=y, sample_weight=weights)
    assert check_bounds(X, y, intervals, weights) < 1e-6
    # the same intervals from the repeated rows
    counts = weights.astype(int)
    Xr, yr = np.repeat(X, counts, axis=0), np.repeat(y, counts)
    repeated = LogisticRegression(tol=1e-10).fit(Xr, yr)
    np.testing.assert_allclose(repeated.conf_int(method="profile", X=Xr, y=yr), intervals,
                               rtol=1e-7, atol=1e-9)
    narrower = model.conf_int(0.2, method="profile", X=X, y=y, sample_weight=weights)
    assert np.all(narrower[:, 0] > intervals[:, 0]) and np.all(narrower[:, 1] < intervals[:, 1])


def test_profile_without_intercept_and_on_sparse_data(moderate):
    X, y = moderate
    model = LogisticRegression(fit_intercept=False, tol=1e-10).fit(X, y)
    intervals = model.conf_int(method="profile", X=X, y=y)
    assert intervals.shape == (2, 2)
    assert check_bounds(X, y, intervals, fit_intercept=False) < 1e-6
    dense = LogisticRegression(tol=1e-10).fit(X, y)
    sparse = dense.conf_int(method="profile", X=sp.csr_matrix(X), y=y)
    np.testing.assert_allclose(sparse, dense.conf_int(method="profile", X=X, y=y), rtol=1e-9)


def test_close_to_wald_on_a_large_sample():
    X, y = generated(4000, [0.5, -0.3], -0.2, seed=5)
    model = LogisticRegression(tol=1e-10).fit(X, y)
    profile = model.conf_int(method="profile", X=X, y=y)
    wald = model.conf_int()
    # the difference is O(1/√n) of a standard error
    assert np.max(np.abs(profile - wald) / model.std_err_[:, None]) < 0.03


def test_asymmetric_on_a_small_skewed_sample():
    X, y = generated(30, [1.5], -1.8, seed=4)  # rare events: the likelihood is skewed
    model = LogisticRegression(tol=1e-10).fit(X, y)
    profile = model.conf_int(method="profile", X=X, y=y)
    params = np.r_[model.intercept_, model.coef_.ravel()]
    upper, lower = profile[:, 1] - params, params - profile[:, 0]
    assert np.all(np.abs(upper / lower - 1.0) > 0.1)  # Wald's would be exactly 1
    wald = model.conf_int()
    np.testing.assert_allclose(wald[:, 1] - params, params - wald[:, 0])
    assert check_bounds(X, y, profile) < 1e-6


def test_a_bound_that_does_not_exist_is_infinite_with_a_warning():
    """x = 1 always has y = 1 (quasi-complete separation): ℓ rises towards 0 as the slope
    → ∞, so the profile never reaches the quantile above."""
    X = np.r_[np.zeros(10), np.ones(8)][:, None]
    y = np.r_[np.tile([0.0, 1.0], 5), np.ones(8)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression().fit(X, y)
    with pytest.warns(SeparationWarning, match="x1"):
        intervals = model.conf_int(method="profile", X=X, y=y)
    assert intervals[1, 1] == np.inf and np.isfinite(intervals[1, 0])
    assert np.all(np.isfinite(intervals[0]))
    # the finite lower bound of the slope: the literal profile at it reaches the quantile
    low = intervals[1, 0]
    full = 2 * 5 * np.log(0.5)  # x = 0 group: p = ½ at the supremum; the x = 1 group: ℓ → 0

    def negative(b):
        z = b + low * X[:, 0]
        return -np.sum(y * z - np.logaddexp(0, z))

    best = -optimize.minimize_scalar(negative, bounds=(-20, 20), method="bounded",
                                     options={"xatol": 1e-12}).fun
    assert 2 * (full - best) == pytest.approx(Q95, abs=1e-6)


def test_errors():
    X, y = generated(40, [0.5], 0.0, seed=1)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="training data"):
        model.conf_int(method="profile")
    with pytest.raises(ValueError, match="method"):
        model.conf_int(method="score")
    with pytest.raises(ValueError, match="labels"):
        model.conf_int(method="profile", X=X, y=y + 5)
    with pytest.raises(ValueError, match="not the data the model was fitted on"):
        model.conf_int(method="profile", X=X[::-1] * 2, y=y)
    with pytest.raises(ValueError, match="alpha"):
        model.conf_int(1.5, method="profile", X=X, y=y)
    with pytest.raises(AttributeError, match="penalty='l2'"):
        LogisticRegression(penalty="l2").fit(X, y).conf_int(method="profile", X=X, y=y)
    three = np.arange(40) % 3
    with pytest.raises(ValueError, match="two classes"):
        LogisticRegression().fit(X, three).conf_int(method="profile", X=X, y=three)


def test_offset_objective_adds_the_offset_to_the_scores(moderate):
    X, y = moderate
    offset = np.linspace(-1, 1, len(y))
    objective = OffsetObjective(X, y, None, offset)
    theta = np.array([0.3, -0.2, 0.1])
    z = X @ theta[:2] + theta[2] + offset
    literal = np.mean(np.logaddexp(0, z) - y * z)
    assert objective.value(theta) == pytest.approx(literal, rel=1e-13)
    fitted = newton(objective, np.zeros(3), tol=1e-12).theta
    reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(),
                       offset=offset).fit(tol=1e-13).params
    np.testing.assert_allclose(np.r_[fitted[2], fitted[:2]], reference, rtol=1e-8)


def test_profile_intervals_function_in_the_solver_layout(moderate):
    X, y = moderate
    objective = Objective(X, y)
    theta = newton(objective, np.zeros(3), tol=1e-12).theta
    intervals = profile_intervals(objective, theta, 0.05, indices=[0])
    assert np.all(np.isnan(intervals[1:])) and np.all(np.isfinite(intervals[0]))
    model = LogisticRegression(tol=1e-10).fit(X, y)
    np.testing.assert_allclose(intervals[0], model.conf_int(method="profile", X=X, y=y)[1],
                               rtol=1e-8)


def test_profile_bounds_root_finder():
    # a quadratic statistic: the roots are 1 ± 0.5·√q, whatever the starting half-width
    quadratic = lambda v: (v - 1.0) ** 2 / 0.25 - Q95  # noqa: E731
    for half_width in (0.01, 0.98, 50.0):
        low, high = profile_bounds(quadratic, 1.0, half_width)
        assert low == pytest.approx(1 - 0.5 * np.sqrt(Q95), abs=1e-10)
        assert high == pytest.approx(1 + 0.5 * np.sqrt(Q95), abs=1e-10)
    # levels off below 0 on the right (and not finite far left): +inf on the right only
    levelling = lambda v: -Q95 * np.exp(-v) if v > 0 else (np.inf if v < -3 else -Q95 + v * v)  # noqa: E731
    low, high = profile_bounds(levelling, 0.0, 1.0)
    assert high == np.inf and low == pytest.approx(-np.sqrt(Q95), abs=1e-10)
