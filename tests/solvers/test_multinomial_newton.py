"""Newton on K softmax classes: the gauge term that makes the singular Hessian factorable,
and ``auto`` choosing Newton by shape on digits (issue 20, part 2).

References: the eigen-decomposition's minimum-norm solve (``linalg.solve_psd`` on the
singular H) and the defining equations H·d = ∇J, vⱼᵀd = 0; scikit-learn's newton-cholesky
multinomial fit at the same C for the coefficients.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits, load_iris
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

from logistic import LogisticRegression
from logistic.core.linalg import solve_psd
from logistic.core.losses import softmax_cross_entropy
from logistic.core.objective import Objective
from logistic.core.penalties import L2Penalty
from logistic.fitting.problem import choose_solver, settings_of
from logistic.solvers.newton import with_gauge


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def objective_at(iris, penalty):
    X, y = iris
    objective = Objective(X, np.eye(3)[y], loss=softmax_cross_entropy, penalty=penalty)
    theta = np.random.default_rng(0).normal(size=objective.n_params) * 0.3
    return objective, theta


def null_directions(objective, columns):
    """vⱼ = Σₖ e₍ₖ,ⱼ₎ as the columns of a (p, q) matrix."""
    V = np.zeros((objective.n_outputs, objective.row_length, len(columns)))
    for q, column in enumerate(columns):
        V[:, column, q] = 1.0
    return V.reshape(objective.n_params, len(columns))


@pytest.mark.parametrize("penalty, expected", [(None, [0, 1, 2, 3, 4]), (L2Penalty(0.01), [4])])
def test_the_invariant_columns_are_the_hessians_null_space(iris, penalty, expected):
    objective, theta = objective_at(iris, penalty)
    columns = objective.invariant_columns()
    assert columns.tolist() == expected
    V = null_directions(objective, columns)
    H = objective.hessian(theta)
    scale = np.abs(H).max()
    np.testing.assert_allclose(H @ V, 0.0, atol=1e-13 * scale)
    np.testing.assert_allclose(objective.gradient(theta) @ V, 0.0, atol=1e-15)
    # the rank H loses is exactly these directions
    assert np.linalg.matrix_rank(H) == objective.n_params - len(columns)


@pytest.mark.parametrize("penalty", [None, L2Penalty(0.01)])
def test_the_gauged_step_is_newtons_step_without_the_invariant_part(iris, penalty):
    objective, theta = objective_at(iris, penalty)
    H, grad = objective.hessian(theta), objective.gradient(theta)
    V = null_directions(objective, objective.invariant_columns())
    reference, rank = solve_psd(H, grad)  # the eigen-decomposition: H is singular
    assert rank < objective.n_params
    step, full_rank = solve_psd(with_gauge(objective, H.copy()), grad)
    assert full_rank == objective.n_params  # Cholesky now applies
    np.testing.assert_allclose(H @ step, grad, atol=1e-12)
    np.testing.assert_allclose(V.T @ step, 0.0, atol=1e-12)
    # both solve H·d = ∇J: they differ along the invariant directions only
    projector = np.eye(objective.n_params) - V @ np.linalg.pinv(V)
    np.testing.assert_allclose(projector @ step, projector @ reference, atol=1e-10)
    assert float(grad @ step) == pytest.approx(float(grad @ reference), rel=1e-10)


def test_binary_objectives_get_no_gauge(iris):
    X, y = iris
    objective = Objective(X, (y == 1).astype(float))
    assert objective.invariant_columns().size == 0
    H = objective.hessian(np.zeros(objective.n_params))
    np.testing.assert_array_equal(with_gauge(objective, H.copy()), H)


def test_auto_takes_newton_on_digits_and_lbfgs_on_many_rows():
    model = LogisticRegression(penalty="l2", C=0.1)
    settings = settings_of(model)
    small = Objective(np.zeros((1797, 64)), np.eye(10)[np.arange(1797) % 10],
                      loss=softmax_cross_entropy)
    assert choose_solver(settings, small) == "newton"  # 1,797·650² ≈ 7.6e8
    large = Objective(np.zeros((200_000, 50)), np.eye(10)[np.arange(200_000) % 10],
                      loss=softmax_cross_entropy)
    assert choose_solver(settings, large) == "lbfgs"  # 200,000·510² ≈ 5.2e10


def test_auto_takes_newton_cg_for_many_classes_on_sparse_data():
    """Issue 20's text shape: K classes × many sparse features, beyond Newton's work."""
    settings = settings_of(LogisticRegression(penalty="l2", C=10))
    rows, features, classes = 2_000, 1_000, 20
    X = sp.random(rows, features, density=0.01, format="csr", random_state=0)
    Y = np.eye(classes)[np.arange(rows) % classes]
    sparse = Objective(X, Y, loss=softmax_cross_entropy, penalty=L2Penalty(0.1))
    assert choose_solver(settings, sparse) == "newton-cg"  # 2,000·20,020² ≈ 8e11
    dense = Objective(X.toarray(), Y, loss=softmax_cross_entropy, penalty=L2Penalty(0.1))
    assert choose_solver(settings, dense) == "lbfgs"
    binary = Objective(X, (np.arange(rows) % 2).astype(float), penalty=L2Penalty(0.1))
    assert choose_solver(settings, binary) == "lbfgs"
    # without a penalty H has no lower bound (separated text): CG could run without end
    unpenalized = Objective(X, Y, loss=softmax_cross_entropy)
    assert choose_solver(settings_of(LogisticRegression()), unpenalized) == "lbfgs"


@pytest.mark.slow
def test_auto_converges_on_raw_digits_at_default_max_iter_and_matches_scikit_learn():
    X, y = load_digits(return_X_y=True)  # unscaled pixel counts 0-16
    ours = LogisticRegression(penalty="l2", C=0.1).fit(X, y)
    assert ours.solver_ == "newton" and ours.converged_ and ours.n_iter_[0] <= 100
    theirs = SkLogisticRegression(C=0.1, solver="newton-cholesky", tol=1e-14,
                                  max_iter=1000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=0, atol=1e-6)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_the_one_pass_softmax_hessian_matches_its_blocks_written_out(fit_intercept,
                                                                      monkeypatch,
                                                                      softmax_hessian_case):
    """Block (k, l) = X̃ᵀ diag(s̃ ⊙ ŷₖ(δₖₗ - ŷₗ)) X̃ (+ α on the diagonal), written out
    class pair by class pair (``softmax_hessian_case``); chunks of 64 KiB, so that the rows
    take several."""
    monkeypatch.setattr("logistic.core.softmax_hessian._CHUNK_BYTES", 2**16)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2000, 6))  # 9 classes, 8 or more: softmax_hessian's products
    objective, theta, expected = softmax_hessian_case(rng, X, 9, 0.01, fit_intercept, 0.5)
    for exact in (False, True):  # a step's one-pass Hessian, and the blocks' own
        np.testing.assert_allclose(objective.hessian(theta, exact=exact), expected, rtol=0,
                                   atol=1e-14 * np.abs(expected).max())
