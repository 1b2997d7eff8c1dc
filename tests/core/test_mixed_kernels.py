"""The mixed model's per-group kernels against direct numerical integration and finite
differences (independent references: scipy.integrate.quad / dblquad, scipy.optimize)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, optimize
from scipy.special import log_expit

from logistic.core.mixed_kernels import mixed_pass
from logistic.families.mixed import MixedObjective, prepare_data
from logistic.families.mixed_fit import hessian
from logistic.families.mixed_hessian import laplace_fixed_hessian


def one_group(seed: int = 0, n: int = 8, q: int = 1):
    rng = np.random.default_rng(seed)
    eta0 = rng.normal(scale=0.5, size=n)
    V = rng.normal(scale=0.8, size=(n, q))
    y = (rng.uniform(size=n) < 0.5).astype(float)
    return eta0, V, y


def run(eta0, V, a, b, starts, n_agq=1):
    n_groups, q = starts.size - 1, V.shape[1]
    nodes, weights = (np.polynomial.hermite.hermgauss(n_agq) if n_agq > 1
                      else (np.zeros(1), np.full(1, np.sqrt(np.pi))))
    modes = np.zeros((n_groups, q))
    loglik = np.empty(n_groups)
    scores = np.empty(eta0.size)
    inverse = np.empty((n_groups, q, q))
    sums = np.empty((n_groups, 2 * q + q * q))
    mixed_pass(eta0, V, V, a, b, starts, modes, nodes, weights, n_agq == 1, loglik, scores,
               inverse, sums)
    return loglik, modes, inverse, scores


def log_integrand(u, eta0, V, y):
    """Σᵢ log p(yᵢ | u) − ½uᵀu, written directly."""
    eta = eta0 + V @ np.atleast_1d(u)
    return float(np.sum(y * log_expit(eta) + (1 - y) * log_expit(-eta))
                 - 0.5 * np.sum(np.atleast_1d(u) ** 2))


def test_mode_and_laplace_match_a_direct_optimization():
    eta0, V, y = one_group(q=2)
    starts = np.array([0, y.size], dtype=np.int64)
    loglik, modes, inverse, _ = run(eta0, V, y, np.ones_like(y), starts)
    found = optimize.minimize(lambda u: -log_integrand(u, eta0, V, y), np.zeros(2),
                              method="BFGS", options={"gtol": 1e-12})
    np.testing.assert_allclose(modes[0], found.x, atol=1e-7)
    mu = 1 / (1 + np.exp(-(eta0 + V @ found.x)))
    H = np.eye(2) + (V * (mu * (1 - mu))[:, None]).T @ V
    laplace = log_integrand(found.x, eta0, V, y) - 0.5 * np.linalg.slogdet(H)[1]
    np.testing.assert_allclose(loglik[0], laplace, rtol=1e-8)  # BFGS finds u to ~1e-7
    np.testing.assert_allclose(inverse[0], np.linalg.inv(H), rtol=1e-7)


@pytest.mark.parametrize(("n_agq", "rtol"), [(5, 1e-3), (25, 1e-8), (60, 1e-11)])
def test_adaptive_gauss_hermite_converges_to_the_integral(n_agq, rtol):
    # log ∫ Πᵢ p(yᵢ | u) φ(u) du by adaptive quadrature (scipy.integrate.quad)
    eta0, V, y = one_group(seed=3, n=6)
    starts = np.array([0, y.size], dtype=np.int64)
    loglik, _, _, _ = run(eta0, V, y, np.ones_like(y), starts, n_agq)
    direct = integrate.quad(lambda u: np.exp(log_integrand(u, eta0, V, y))
                            / np.sqrt(2 * np.pi), -np.inf, np.inf, epsabs=0, epsrel=1e-13)[0]
    np.testing.assert_allclose(loglik[0], np.log(direct), rtol=rtol)
    laplace, _, _, _ = run(eta0, V, y, np.ones_like(y), starts, 1)
    assert abs(laplace[0] - np.log(direct)) > 1e-4  # Laplace is an approximation here


def test_grouped_counts_integrate_like_their_bernoulli_rows():
    # a = s, b = n trials: the same h(u) as the n Bernoulli rows (without log C(n, s))
    eta0 = np.array([0.3, -0.4])
    V = np.array([[0.7], [0.7]])
    s, n = np.array([2.0, 1.0]), np.array([3.0, 4.0])
    counted, _, _, _ = run(eta0, V, s, n, np.array([0, 2], dtype=np.int64), 20)
    rows_eta = np.repeat(eta0, n.astype(int))
    rows_y = np.r_[1, 1, 0, 1, 0, 0, 0].astype(float)
    rows_v = np.full((7, 1), 0.7)
    direct = integrate.quad(lambda u: np.exp(log_integrand(u, rows_eta, rows_v, rows_y))
                            / np.sqrt(2 * np.pi), -np.inf, np.inf, epsrel=1e-13)[0]
    np.testing.assert_allclose(counted[0], np.log(direct), rtol=1e-10)


def test_row_scores_are_the_derivative_in_the_fixed_part():
    eta0, V, y = one_group(seed=5, n=10, q=2)
    starts = np.array([0, 4, 10], dtype=np.int64)
    _, _, _, scores = run(eta0, V, y, np.ones_like(y), starts)
    step = 1e-6
    for i in range(eta0.size):
        up, down = eta0.copy(), eta0.copy()
        up[i] += step
        down[i] -= step
        numeric = (run(up, V, y, np.ones_like(y), starts)[0].sum()
                   - run(down, V, y, np.ones_like(y), starts)[0].sum()) / (2 * step)
        np.testing.assert_allclose(scores[i], numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("covariance", ["unstructured", "diagonal"])
def test_laplace_gradient_matches_finite_differences(covariance):
    rng = np.random.default_rng(2)
    n, groups = 120, 12
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    Z = X[:, :2].copy()
    y = (rng.uniform(size=n) < 0.5).astype(float)
    w = rng.integers(1, 3, size=n).astype(float)
    data = prepare_data(X, Z, y, np.ones(n), w, np.repeat(np.arange(groups), n // groups))
    objective = MixedObjective(data, covariance)
    theta = [0.8, 0.3, 0.5] if covariance == "unstructured" else [0.8, 0.5]
    params = np.r_[-0.2, 0.4, -0.3, theta]
    _, grad = objective.gradient(params)
    numeric = [(objective.value(params + 1e-5 * e) - objective.value(params - 1e-5 * e)) / 2e-5
               for e in np.eye(params.size)]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)


def test_the_threaded_pass_equals_the_serial_one():
    # 24,000 rows run on threads; each half (12,000 rows) runs serially: the same numbers
    rng = np.random.default_rng(4)
    n, per = 24_000, 40
    eta0 = rng.normal(size=n)
    V = rng.normal(scale=0.7, size=(n, 2))
    y = (rng.uniform(size=n) < 0.5).astype(float)
    starts = np.arange(0, n + 1, per, dtype=np.int64)
    whole = run(eta0, V, y, np.ones(n), starts)
    half = n // 2
    first = run(eta0[:half], V[:half], y[:half], np.ones(half), starts[: half // per + 1])
    second = run(eta0[half:], V[half:], y[half:], np.ones(half),
                 starts[half // per:] - half)
    np.testing.assert_array_equal(whole[0], np.r_[first[0], second[0]])
    np.testing.assert_array_equal(whole[1], np.r_[first[1], second[1]])
    np.testing.assert_array_equal(whole[3], np.r_[first[3], second[3]])


@pytest.mark.parametrize(("covariance", "q"), [("unstructured", 2), ("diagonal", 2),
                                               ("unstructured", 1)])
def test_fixed_hessian_block_matches_differences_of_the_exact_gradient(covariance, q):
    # the closed-form β–β block against central differences of the exact Laplace gradient
    rng = np.random.default_rng(7)
    n, groups = 120, 12
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    Z = X[:, :q].copy()
    y = (rng.uniform(size=n) < 0.4).astype(float)
    w = rng.integers(1, 3, size=n).astype(float)
    data = prepare_data(X, Z, y, np.ones(n), w, np.repeat(np.arange(groups), n // groups))
    objective = MixedObjective(data, covariance)
    theta = {1: [0.9], 2: [0.8, 0.3, 0.5] if covariance == "unstructured" else [0.8, 0.5]}[q]
    params = np.r_[-0.2, 0.4, -0.3, theta]
    objective.gradient(params)
    beta, factor = objective.split(params)
    block = laplace_fixed_hessian(data, beta, factor, objective.modes.copy(),
                                  objective.inverse_information.copy())
    numeric = np.empty((3, 3))
    for k, e in enumerate(1e-5 * np.eye(params.size)[:3]):
        numeric[:, k] = (objective.gradient(params + e)[1][:3]
                         - objective.gradient(params - e)[1][:3]) / 2e-5
    np.testing.assert_allclose(block, numeric, rtol=1e-6, atol=1e-6)
    # the test can fail: the information without random effects, −XᵀWX at η₀, is far off
    mu = 1 / (1 + np.exp(-(X[data.order] @ beta)))
    assert np.max(np.abs(block + (X[data.order].T * mu * (1 - mu)) @ X[data.order])) > 1e-3


def test_hessian_of_the_fit_matches_central_differences_in_every_direction():
    # fit_mixed's Hessian (closed β–β block, forward-differenced λ columns) against central
    # differences of the exact gradient, β and λ together
    rng = np.random.default_rng(8)
    n, groups = 150, 15
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    y = (rng.uniform(size=n) < 0.5).astype(float)
    data = prepare_data(X, X[:, :2].copy(), y, np.ones(n), np.ones(n),
                        np.repeat(np.arange(groups), n // groups))
    objective = MixedObjective(data, "unstructured")
    params = np.r_[0.1, -0.3, 0.2, 0.7, 0.2, 0.4]
    full = hessian(objective, params, np.ones(params.size, dtype=bool))
    numeric = np.empty((params.size, params.size))
    for k, e in enumerate(1e-5 * np.eye(params.size)):
        numeric[:, k] = (objective.gradient(params + e)[1]
                         - objective.gradient(params - e)[1]) / 2e-5
    np.testing.assert_allclose(full, 0.5 * (numeric + numeric.T), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(full[:3, :3], numeric[:3, :3], rtol=1e-6, atol=1e-6)
