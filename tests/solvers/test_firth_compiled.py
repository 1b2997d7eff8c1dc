"""The compiled Firth path (firth_kernels) against independent references.

Dense designs of moderate size are evaluated by compiled kernels, with alike rows merged;
CSR input of the same data takes the NumPy path, so each quantity is checked against that
path, the literal formulas of test_firth.py (the full m × m hat matrix, np.linalg.slogdet),
finite differences, and — for the profile — the bracketing search the kernels replace.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from test_firth import (
    Q95,
    brute_force_maximum,
    design,
    literal_modified_score,
    literal_penalized,
    theta_to_reference,
)

from logistic import LogisticRegression, load
from logistic.core.firth_kernels import profile_geometry
from logistic.core.objective import Objective
from logistic.inference.firth import (
    _compiled_curvature,
    _searched_intervals,
    _std_err,
    firth_profile_intervals,
    penalized_lr_tests,
)
from logistic.inference.profile import OffsetObjective
from logistic.solvers.firth import (
    FirthPoint,
    compiled_arrays,
    firth_newton,
    hat_diagonal,
    modified_score,
    penalized_hessian,
    preferred_hessian,
)


@pytest.fixture(scope="module")
def overlapping():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((60, 3))
    y = (rng.random(60) < 1.0 / (1.0 + np.exp(-(0.4 + X @ [1.0, -0.7, 0.3])))).astype(float)
    return X, y


@pytest.fixture(scope="module")
def separated():
    """Complete separation, and ℓ* with several maxima on some lines θⱼ = v."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 2))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0.1).astype(float)


@pytest.fixture(scope="module")
def discrete():
    """Dummy-coded data with many repeated rows (as logistf's sex2): 200 rows, 12 distinct
    covariate patterns, weights and an offset shared by the pattern."""
    rng = np.random.default_rng(11)
    X = np.column_stack([rng.integers(0, 2, 200), rng.integers(0, 3, 200),
                         rng.integers(0, 2, 200)]).astype(float)
    z = -0.3 + X @ np.array([0.8, -0.5, 1.1])
    y = (rng.random(200) < 1.0 / (1.0 + np.exp(-z))).astype(float)
    s = rng.integers(1, 4, 200).astype(float)
    offset = 0.2 * X[:, 1]
    return X, y, s, offset


def quantities(objective, theta):
    point = FirthPoint(objective, theta)
    return (point.penalized, point.information, modified_score(objective, theta),
            hat_diagonal(objective, theta), penalized_hessian(objective, theta, point.factor))


def test_compiled_and_numpy_paths_agree_with_weights_and_an_offset(discrete):
    X, y, s, offset = discrete
    compiled = OffsetObjective(X, y, s, offset)
    numpy_path = OffsetObjective(sp.csr_matrix(X), y, s, offset)
    assert compiled_arrays(compiled) is not None and compiled_arrays(numpy_path) is None
    theta = np.array([0.5, -0.4, 0.9, -0.2])
    for ours, reference in zip(quantities(compiled, theta), quantities(numpy_path, theta),
                                 strict=True):
        np.testing.assert_allclose(ours, reference, rtol=1e-11, atol=1e-12)
    a = firth_newton(compiled, np.zeros(4), tol=1e-11)
    b = firth_newton(numpy_path, np.zeros(4), tol=1e-11)
    np.testing.assert_allclose(a.theta, b.theta, rtol=1e-10, atol=1e-11)


def test_merged_rows_equal_the_literal_formulas_on_every_row(discrete):
    X, y, s, _ = discrete
    objective = Objective(X, y, s)
    assert compiled_arrays(objective)[0].shape[0] < 30  # 200 rows merged into patterns
    theta = np.array([0.7, -0.3, 1.0, -0.4])
    beta, Xt = theta_to_reference(theta), design(X)
    penalized, _, score, hat, _ = quantities(objective, theta)
    assert penalized == pytest.approx(literal_penalized(beta, Xt, y, s), rel=1e-12)
    np.testing.assert_allclose(theta_to_reference(score), literal_modified_score(beta, Xt, y, s),
                               rtol=1e-10, atol=1e-11)
    pi = 1.0 / (1.0 + np.exp(-(Xt @ beta)))
    A = Xt * np.sqrt(s * pi * (1 - pi))[:, None]
    np.testing.assert_allclose(hat, np.diag(A @ np.linalg.inv(A.T @ A) @ A.T), rtol=1e-10)


@pytest.mark.slow
def test_profile_derivatives_are_the_score_and_the_schur_complement(discrete):
    """dℓₚ/dv = U*ⱼ at the constrained maximum and d²ℓₚ/dv² = -c of profile_geometry: what
    the profile's Halley steps rest on, against differences of brute-force maxima."""
    X, y, s, _ = discrete
    objective = Objective(X, y, s)
    theta = firth_newton(objective, np.zeros(4), tol=1e-12).theta
    j, v, h = 1, theta[1] + 0.4, 1e-3
    free = np.arange(4) != j
    start = theta.copy()
    start[j] = v
    fitted = firth_newton(objective, start, free=free, tol=1e-12)
    Xt = design(X)
    profile = []
    for value in (v - h, v, v + h):
        begin = theta_to_reference(fitted.theta)
        begin[j + 1] = value
        # BFGS alone: ℓ* is quadratic in β's error, so its maxima are within 1e-14 of the
        # Nelder–Mead-polished ones (which spend 40,000 evaluations each on no change):
        # 5e-12 in the first difference, 4e-8 in the second, against 2e-4 and 5e-2 allowed
        profile.append(brute_force_maximum(Xt, y, s, begin, fixed={j + 1: value},
                                           polish=False)[1])
    score = modified_score(objective, fitted.theta)
    assert score[j] == pytest.approx((profile[2] - profile[0]) / (2 * h), rel=1e-5)
    point = FirthPoint(objective, fitted.theta)
    curvature = -penalized_hessian(objective, fitted.theta, point.factor)
    _, c, ok = profile_geometry(curvature, j)
    assert ok
    assert -c == pytest.approx((profile[2] - 2 * profile[1] + profile[0]) / h**2, rel=1e-3)


@pytest.mark.parametrize("data", ["overlapping", "discrete"])
def test_newton_ends_equal_the_bracketing_search(data, request):
    values = request.getfixturevalue(data)
    X, y, s = values[0], values[1], (values[2] if len(values) > 2 else None)
    objective = Objective(X, y, s)
    theta = firth_newton(objective, np.zeros(X.shape[1] + 1), tol=1e-12).theta
    point = FirthPoint(objective, theta)
    ours = firth_profile_intervals(objective, theta, refit=False)
    searched = _searched_intervals(objective, theta, point.penalized, _std_err(point.information),
                                   0.05, list(range(theta.size)), None)
    np.testing.assert_allclose(ours, searched, rtol=1e-9, atol=1e-10)


def test_each_end_is_on_the_highest_maximum_found_from_either_start(separated):
    """Under separation ℓ* on a line θⱼ = v has several maxima: an end followed along one
    of them is kept only if the fit from β̂ does not find a higher one (else the search from
    two starts decides), so at every end the better of the two starts gives LR = q."""
    X, y = separated
    objective = Objective(X, y)
    theta = firth_newton(objective, np.zeros(3), tol=1e-12).theta
    maximum = FirthPoint(objective, theta).penalized
    intervals = firth_profile_intervals(objective, theta, refit=False)
    for j in range(3):
        for v in intervals[j]:
            free = np.arange(3) != j
            start = theta.copy()
            start[j] = v
            from_estimate = firth_newton(objective, start, free=free, tol=1e-12)
            assert 2 * (maximum - from_estimate.penalized_log_likelihood) >= Q95 - 1e-7


def test_likelihood_ratio_tests_equal_the_numpy_path(discrete):
    X, y, s, _ = discrete
    compiled, numpy_path = Objective(X, y, s), Objective(sp.csr_matrix(X), y, s)
    theta = firth_newton(compiled, np.zeros(4), tol=1e-12).theta
    np.testing.assert_allclose(penalized_lr_tests(compiled, theta),
                               penalized_lr_tests(numpy_path, theta), rtol=1e-9, atol=1e-10)
    assert _compiled_curvature(compiled_arrays(numpy_path), theta).size == 0


def test_the_estimator_steps_with_the_exact_hessian_where_it_is_cheap(discrete):
    X, y, s, _ = discrete
    assert preferred_hessian(Objective(X, y, s)) == "exact"
    assert preferred_hessian(Objective(sp.csr_matrix(X), y, s)) == "fisher"
    assert preferred_hessian(Objective(np.tile(X, 3), y, s)) == "fisher"  # 10 parameters
    model = LogisticRegression(penalty="firth", tol=1e-8).fit(X, y, sample_weight=s)
    reference = firth_newton(Objective(X, y, s), np.zeros(4), tol=1e-12)
    np.testing.assert_allclose(np.r_[model.coef_.ravel(), model.intercept_], reference.theta,
                               rtol=1e-9, atol=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("sparse", [False, True])
def test_augmented_covariance_equals_its_closed_form(discrete, sparse):
    """cov_type='augmented': (X̃ᵀdiag((s + h)π(1 - π))X̃)⁻¹ with h from the full m × m hat
    matrix, on the compiled (merged rows) and the NumPy (CSR) path."""
    X, y, s, _ = discrete
    model = LogisticRegression(penalty="firth", tol=1e-10, cov_type="augmented")
    model.fit(sp.csr_matrix(X) if sparse else X, y, sample_weight=s)
    Xt = design(X)
    beta = np.r_[model.intercept_, model.coef_.ravel()]
    pi = 1.0 / (1.0 + np.exp(-(Xt @ beta)))
    A = Xt * np.sqrt(s * pi * (1 - pi))[:, None]
    h = np.diag(A @ np.linalg.inv(A.T @ A) @ A.T)
    reference = np.linalg.inv(Xt.T @ (Xt * ((s + h) * pi * (1 - pi))[:, None]))
    np.testing.assert_allclose(model.cov_, reference, rtol=1e-9, atol=1e-12)
    assert model.summary().header["Covariance Type"] == "augmented"


def test_a_saved_model_keeps_the_augmented_covariance(discrete, tmp_path):
    X, y, _, _ = discrete
    model = LogisticRegression(penalty="firth", cov_type="augmented").fit(X, y)
    model.save(tmp_path / "model.json")
    loaded = load(tmp_path / "model.json")
    np.testing.assert_array_equal(loaded.cov_, model.cov_)
    assert loaded.summary().header["Covariance Type"] == "augmented"


def test_augmented_covariance_is_firthmodels_bse(discrete):
    firthmodels = pytest.importorskip("firthmodels")
    X, y, _, _ = discrete
    model = LogisticRegression(penalty="firth", tol=1e-10, cov_type="augmented").fit(X, y)
    peer = firthmodels.FirthLogisticRegression(gtol=1e-10, xtol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.std_err_, np.r_[peer.bse_[-1], peer.bse_[:-1]],
                               rtol=1e-8)


@pytest.mark.parametrize("penalty, cov_type", [("firth", "HC0"), (None, "augmented")])
def test_covariance_types_belong_to_their_fits(penalty, cov_type):
    X, y = np.eye(4)[:, :2], np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="cov_type"):
        LogisticRegression(penalty=penalty, cov_type=cov_type).fit(X, y)
