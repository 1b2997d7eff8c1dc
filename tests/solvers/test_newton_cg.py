"""newton-cg (truncated Newton, CG on Hessian-vector products) against solver="newton" and
scikit-learn on binary and multinomial, dense and sparse data, with weights and without an
intercept; and the solvers' contract: the Newton-type stop on δ, max_iter counting Newton
iterations, the histories and the callback.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from solver_checks import assert_callback_saw_each_iteration

from logistic import LogisticRegression
from logistic.core.losses import softmax_cross_entropy
from logistic.core.objective import Objective
from logistic.core.penalties import L2Penalty
from logistic.solvers import SOLVERS, newton, newton_cg
from logistic.solvers.stopping import CONVERGED, sample_size, step_in_standard_errors


def data(classes: int, sparse: bool, seed: int = 0, m: int = 400, d: int = 6):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, d))
    X[rng.random((m, d)) < 0.4] = 0.0
    W = rng.standard_normal((max(classes, 2), d))
    Z = X @ W.T
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    y = np.array([rng.choice(P.shape[1], p=p) for p in P])
    if classes == 2:
        y = (y == 0).astype(int)
    return (sp.csr_matrix(X) if sparse else X), y


def test_registered_as_a_solver():
    assert SOLVERS["newton-cg"] is newton_cg


CASES = [(k, s, w, b) for k in (2, 4) for s in (False, True) for w in (False, True)
         for b in (True, False)]


@pytest.mark.parametrize(("classes", "sparse", "weighted", "intercept"), CASES)
def test_same_optimum_as_newton_and_sklearn(classes, sparse, weighted, intercept):
    X, y = data(classes, sparse, seed=classes + 2 * sparse)
    weights = np.random.default_rng(5).uniform(0.5, 2.0, size=len(y)) if weighted else None
    fits = {}
    for solver in ("newton", "newton-cg"):
        model = LogisticRegression("l2", C=0.5, solver=solver, tol=1e-10,
                                   fit_intercept=intercept)
        fits[solver] = model.fit(X, y, sample_weight=weights)
    ours, reference = fits["newton-cg"], fits["newton"]
    assert ours.solver_ == "newton-cg"
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, rtol=0, atol=1e-8)
    sk = SkLogisticRegression(C=0.5,  # both: mean weighted loss + ‖w‖²/(2·C·Σs)
                              tol=1e-12, max_iter=10_000, fit_intercept=intercept)
    sk.fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=0, atol=1e-5)


def multinomial_objective(sparse=False):
    X, y = data(4, sparse, seed=3)
    return Objective(X, np.eye(4)[y], loss=softmax_cross_entropy, penalty=L2Penalty(0.01))


@pytest.mark.parametrize("sparse", [False, True])
def test_stops_on_the_step_in_standard_errors_and_takes_it(sparse):
    objective = multinomial_objective(sparse)
    theta0 = np.zeros(objective.n_params)
    result = newton_cg(objective, theta0, tol=1e-8)
    exact = newton(objective, theta0, tol=1e-12)
    assert result.converged and result.message == CONVERGED
    assert result.step_history[-1] <= 1e-8
    assert len(result.step_history) == result.n_iter
    assert objective.value(result.theta) <= objective.value(exact.theta) * (1 + 1e-14)
    # the taken last step leaves the exact Newton step of θ well within tol
    grad = objective.gradient(result.theta)
    direction = np.linalg.lstsq(objective.hessian(result.theta), grad, rcond=None)[0]
    assert step_in_standard_errors(grad @ direction, sample_size(objective)) <= 1e-8


def test_max_iter_counts_newton_iterations():
    objective = multinomial_objective()
    result = newton_cg(objective, np.zeros(objective.n_params), max_iter=2, tol=1e-12)
    assert not result.converged
    assert result.n_iter == 2
    assert len(result.loss_history) == 3  # the start and one entry per iteration
    # the test is made once more at the last θ
    assert len(result.step_history) == 3


def test_max_iter_zero_returns_the_start():
    objective = multinomial_objective()
    theta0 = np.full(objective.n_params, 0.1)
    result = newton_cg(objective, theta0.copy(), max_iter=0)
    np.testing.assert_array_equal(result.theta, theta0)
    assert result.n_iter == 0 and not result.converged


def test_callback_sees_increasing_iterations_and_the_current_state():
    objective = multinomial_objective()
    calls = []

    def callback(iteration, state):
        calls.append((iteration, dict(state, theta=np.array(state["theta"], copy=True))))

    result = newton_cg(objective, np.zeros(objective.n_params), tol=1e-8, callback=callback)
    assert result.converged
    assert_callback_saw_each_iteration(calls, result, objective)
    assert np.all(np.diff(result.loss_history) <= 1e-15)


def test_the_jacobi_preconditioner_reaches_the_same_optimum():
    objective = multinomial_objective(sparse=True)
    theta0 = np.zeros(objective.n_params)
    plain = newton_cg(objective, theta0, tol=1e-9)
    jacobi = newton_cg(objective, theta0, tol=1e-9, precondition=True)
    assert plain.converged and jacobi.converged
    np.testing.assert_allclose(jacobi.theta, plain.theta, rtol=0, atol=1e-8)
