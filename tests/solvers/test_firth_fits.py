"""The compiled Firth iteration (core/firth_fits.firth_fit) and the one-call statistics
(core/firth_profiles.statistics) against the step-by-step paths they replace.

A callback makes firth_newton iterate in Python (the callback sees every iteration), on
the same compiled quantities: the two must take the same steps and keep the same histories.
A CSR design takes the NumPy path throughout, the reference for the statistics.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from logistic.core import firth_kernels
from logistic.core.linalg import solve_psd
from logistic.core.objective import Objective
from logistic.inference.firth import firth_statistics
from logistic.inference.profile import OffsetObjective
from logistic.solvers.firth import compiled_arrays, firth_newton

SRC = Path(__file__).resolve().parents[2] / "src" / "logistic"


@pytest.fixture(scope="module")
def weighted():
    rng = np.random.default_rng(5)
    X = np.column_stack([rng.standard_normal(90), rng.integers(0, 3, 90),
                         rng.standard_normal(90)])
    y = (rng.random(90) < 1.0 / (1.0 + np.exp(-(0.2 + X @ [0.9, -0.6, 0.4])))).astype(float)
    return X, y, rng.integers(1, 4, 90).astype(float), 0.1 * X[:, 1]


@pytest.mark.parametrize("hessian", ["fisher", "exact"])
@pytest.mark.parametrize("constrained", [False, True])
def test_compiled_iteration_takes_the_python_loops_steps(weighted, hessian, constrained):
    X, y, s, offset = weighted
    objective = OffsetObjective(X, y, s, offset)
    assert compiled_arrays(objective) is not None
    free = np.array([True, False, True, True]) if constrained else None
    start = np.array([0.0, -0.3, 0.0, 0.0])
    seen = []
    compiled = firth_newton(objective, start, free=free, hessian=hessian)
    stepped = firth_newton(objective, start, free=free, hessian=hessian,
                           callback=lambda i, state: seen.append(i))
    assert seen == list(range(1, stepped.n_iter + 1))
    assert compiled.converged and stepped.converged
    assert (compiled.n_iter, compiled.message) == (stepped.n_iter, stepped.message)
    np.testing.assert_allclose(compiled.theta, stepped.theta, rtol=1e-12, atol=1e-13)
    for name in ("loss_history", "grad_norm_history", "step_history"):
        np.testing.assert_allclose(getattr(compiled, name), getattr(stepped, name),
                                   rtol=1e-10, atol=1e-14)
    assert compiled.penalized_log_likelihood == pytest.approx(
        stepped.penalized_log_likelihood, rel=1e-14)
    np.testing.assert_allclose(compiled.information, stepped.information, rtol=1e-13)
    if constrained:
        assert compiled.theta[1] == -0.3


def test_compiled_iteration_stops_at_max_iter_and_on_a_singular_start(weighted):
    X, y, s, _ = weighted
    objective = Objective(X, y, s)
    short = firth_newton(objective, np.zeros(4), max_iter=1)
    assert not short.converged and short.n_iter == 1 and len(short.step_history) == 2
    assert short.message == "maximum number of iterations reached"
    collinear = Objective(np.column_stack([X, X[:, 0]]), y, s)
    with pytest.raises(ValueError, match="full column rank"):
        firth_newton(collinear, np.zeros(5))
    fixed = firth_newton(objective, np.zeros(4), free=np.zeros(4, dtype=bool))
    assert fixed.converged and fixed.n_iter == 0 and "nothing to fit" in fixed.message


def test_one_call_statistics_equal_the_numpy_path(weighted):
    X, y, s, _ = weighted
    terms = ("intercept", "a", "b", "c")
    fits = []
    for design in (X, sp.csr_matrix(X)):
        objective = Objective(design, y, s)
        result = firth_newton(objective, np.zeros(4), tol=1e-10)
        fits.append(firth_statistics(objective, result, terms))
    compiled, numpy_path = fits
    np.testing.assert_allclose(compiled.params, numpy_path.params, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(compiled.cov, numpy_path.cov, rtol=1e-8)
    np.testing.assert_allclose(compiled.lr_chi2, numpy_path.lr_chi2, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(compiled.profile_ci, numpy_path.profile_ci, rtol=1e-6)
    assert compiled.null_log_likelihood == pytest.approx(numpy_path.null_log_likelihood,
                                                         rel=1e-10)


def test_compiled_inverse_is_solve_psds(weighted):
    X, y, s, _ = weighted
    information = firth_newton(Objective(X, y, s), np.zeros(4)).information
    inverse, ok = firth_kernels.inverse_psd(information)
    assert ok
    np.testing.assert_allclose(inverse, solve_psd(information, np.eye(4))[0], rtol=1e-12)
    assert not firth_kernels.inverse_psd(np.ones((2, 2)))[1]


def test_solvers_import_nothing_from_the_layers_above():
    for path in (SRC / "solvers").glob("firth*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("logistic.inference", "logistic.models")), (
                    path.name, node.module)
