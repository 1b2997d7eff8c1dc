"""The Newton-type solvers' stopping rule (``solvers/stopping.py``): at default settings the
coefficients equal the fully converged ones, against statsmodels, scikit-learn, logistf's
published numbers and tight fits; the rule does not depend on the columns' units; and
'converged' means the step in standard errors was within tol."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from logistic import LogisticRegression
from logistic.core.objective import Objective
from logistic.core.penalties import L2Penalty
from logistic.solvers import newton, newton_cd
from logistic.solvers.newton import _secant_update
from logistic.solvers.stopping import step_in_standard_errors

DATASETS = Path(os.environ.get("LOGISTIC_DATASETS",
                               Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"))
#: The largest relative difference, max |θ - θ*| / max |θ*|, a default fit may have.
ACCURACY = 1e-8


def params(model: LogisticRegression) -> np.ndarray:
    return np.r_[model.intercept_, model.coef_.ravel()]


def relative(ours: np.ndarray, reference: np.ndarray) -> float:
    return float(np.max(np.abs(ours - reference)) / np.max(np.abs(reference)))


def dataset(name: str):
    path = DATASETS / name
    if not path.exists():
        pytest.skip(f"{path} is not present (set LOGISTIC_DATASETS)")
    return path


# -- defaults against the fully converged coefficients ----------------------------------------
def test_default_fit_equals_statsmodels_on_spector(spector):
    X, y = spector
    reference = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-14, maxiter=100).params
    model = LogisticRegression().fit(X, y)
    assert model.converged_
    np.testing.assert_allclose(params(model), reference, rtol=ACCURACY, atol=0)


def test_default_l2_fit_equals_newton_cholesky_at_tol_1e_12_on_breast_cancer(cancer):
    X, y = cancer
    reference = SkLogisticRegression(solver="newton-cholesky", C=1.0, tol=1e-12,
                                     max_iter=1000).fit(X, y)
    model = LogisticRegression(penalty="l2", C=1.0).fit(X, y)
    ref = np.r_[reference.intercept_, reference.coef_.ravel()]
    assert relative(params(model), ref) <= ACCURACY


LOGISTF = {  # logistf's estimates (intercept first), as in test_firth.py
    "sex2.csv": ("case", [0.12025405, -1.10598131, -0.06881673, 2.26887464, -2.11140817,
                          -0.78831694, 3.09601166]),
    "endometrial.csv": ("HG", [3.77455951, 2.92927330, -0.03475175, -2.60416387]),
}


@pytest.mark.parametrize("name", sorted(LOGISTF))
def test_default_firth_fit_equals_a_tight_fit_and_logistf(name):
    frame = pd.read_csv(dataset(name))
    target, published = LOGISTF[name]
    y = frame.pop(target)
    default = LogisticRegression(penalty="firth").fit(frame, y)
    tight = LogisticRegression(penalty="firth", tol=1e-12, max_iter=500).fit(frame, y)
    assert default.converged_ and tight.converged_
    np.testing.assert_allclose(params(default), params(tight), rtol=ACCURACY, atol=0)
    # logistf prints 7 to 9 significant digits: agreement to that precision
    np.testing.assert_allclose(params(default), published, rtol=1e-6, atol=0)


@pytest.mark.slow
def test_default_l2_fit_on_covtype_equals_a_tight_fit():
    frame = pd.read_csv(dataset("covtype_binary.csv.gz"))
    y = frame.pop("label").to_numpy(np.float64)
    X = np.ascontiguousarray(frame.to_numpy(np.float64))
    default = LogisticRegression(penalty="l2").fit(X, y)
    tight = LogisticRegression(penalty="l2", tol=1e-10, max_iter=500).fit(X, y)
    assert default.converged_
    assert relative(params(default), params(tight)) <= ACCURACY


def test_default_multinomial_fit_equals_a_tight_fit():
    X, y = load_iris(return_X_y=True)
    default = LogisticRegression(penalty="l2").fit(X, y)
    tight = LogisticRegression(penalty="l2", tol=1e-13, max_iter=500).fit(X, y)
    np.testing.assert_allclose(default.coef_, tight.coef_, rtol=0,
                               atol=ACCURACY * np.max(np.abs(tight.coef_)))


@pytest.mark.parametrize("penalty, l1_ratio", [("l1", None), ("elasticnet", 0.5)])
def test_default_newton_cd_fit_equals_a_tight_fit(cancer, penalty, l1_ratio):
    X, y = cancer
    kw = {"penalty": penalty, "C": 1.0, "l1_ratio": l1_ratio}
    default = LogisticRegression(**kw).fit(X, y)
    tight = LogisticRegression(**kw, tol=1e-13, max_iter=500).fit(X, y)
    assert relative(params(default), params(tight)) <= ACCURACY
    np.testing.assert_array_equal(default.coef_ == 0, tight.coef_ == 0)


# -- the test does not depend on the columns' units ------------------------------------------
@pytest.mark.parametrize("factor", [1e4, 1e-4])
def test_a_column_in_other_units_gives_exactly_rescaled_coefficients(spector, factor):
    """‖∇J‖∞ grows with a column's units, the step in standard errors does not: each column
    multiplied by 10⁴ or 10⁻⁴ gives its coefficient divided by that, the others unchanged."""
    X, y = spector
    base = params(LogisticRegression().fit(X, y))
    for j, column in enumerate(X.columns):
        scaled = X.copy()
        scaled[column] = scaled[column] * factor
        moved = params(LogisticRegression().fit(scaled, y))
        moved[j + 1] *= factor
        np.testing.assert_allclose(moved, base, rtol=ACCURACY, atol=0, err_msg=column)


@pytest.mark.parametrize("factor", [1e4, 1e-4])
def test_a_column_in_other_units_gives_exactly_rescaled_firth_coefficients(factor):
    frame = pd.read_csv(dataset("endometrial.csv"))
    y = frame.pop("HG")
    base = params(LogisticRegression(penalty="firth").fit(frame, y))
    frame["PI"] = frame["PI"] * factor
    moved = params(LogisticRegression(penalty="firth").fit(frame, y))
    moved[2] *= factor
    np.testing.assert_allclose(moved, base, rtol=ACCURACY, atol=0)


# -- what converged means --------------------------------------------------------------------
def literal_step_in_standard_errors(X, y, theta, alpha=0.0) -> float:
    """√(n·∇JᵀH⁻¹∇J) from the textbook formulas in numpy (θ = [w, b])."""
    X1 = np.column_stack([X, np.ones(len(y))])
    p = 1 / (1 + np.exp(-(X1 @ theta)))
    ridge = np.diag(np.r_[np.full(X.shape[1], alpha), 0.0])
    gradient = X1.T @ (p - y) / len(y) + ridge @ theta
    hessian = (X1.T * (p * (1 - p))) @ X1 / len(y) + ridge
    return float(np.sqrt(len(y) * gradient @ np.linalg.solve(hessian, gradient)))


@pytest.mark.parametrize("tol", [1e-2, 1e-4, 1e-8])
@pytest.mark.parametrize("alpha", [0.0, 0.05])
def test_converged_means_the_step_was_within_tol_standard_errors(make_data, tol, alpha):
    """The step that met δ ≤ tol was taken, so at the returned θ the next step is smaller
    still (Newton's error squares); δ of every step before it was above tol."""
    X, y = make_data(400, 4, seed=11)
    objective = Objective(X, y, penalty=L2Penalty(alpha) if alpha else None)
    result = newton(objective, np.zeros(5), tol=tol)
    assert result.converged and result.step_history[-1] <= tol
    assert all(delta > tol for delta in result.step_history[:-1])
    last = result.step_history[-1]
    assert literal_step_in_standard_errors(X, y, result.theta, alpha) <= max(last**1.5, 1e-12)


def test_frequency_weights_stop_where_repeated_rows_do(make_data):
    """n = Σs: a weight of 3 is three rows, for the fit and for its stopping test."""
    X, y = make_data(150, 3, seed=4)
    counts = np.random.default_rng(1).integers(1, 4, size=150)
    weighted = newton(Objective(X, y, counts.astype(float)), np.zeros(4))
    repeated = newton(Objective(np.repeat(X, counts, axis=0), np.repeat(y, counts)), np.zeros(4))
    assert weighted.n_iter == repeated.n_iter
    np.testing.assert_allclose(weighted.step_history, repeated.step_history, rtol=1e-8)
    np.testing.assert_allclose(weighted.theta, repeated.theta, rtol=1e-12)


def test_newton_cd_stops_on_the_same_rule(cancer):
    X, y = cancer
    objective = Objective(X, y)
    result = newton_cd(objective, np.zeros(31), l1=1.0 / len(y))
    assert result.converged and result.step_history[-1] <= 1e-6
    assert all(delta > 1e-6 for delta in result.step_history[:-1])


def test_the_step_in_standard_errors_formula():
    assert step_in_standard_errors(4.0, 25.0) == pytest.approx(10.0)
    assert step_in_standard_errors(-1e-30, 100.0) == 0.0  # rounding: no step


def test_the_secant_update_maps_the_step_to_the_gradient_change():
    """BFGS: the updated H satisfies H·s = y exactly, stays symmetric positive definite, and
    is H itself where yᵀs ≤ 0."""
    rng = np.random.default_rng(3)
    A = rng.normal(size=(6, 6))
    H = A @ A.T + 6 * np.eye(6)
    s, y = rng.normal(size=6), rng.normal(size=6)
    y = y if y @ s > 0 else -y
    updated = _secant_update(H, s, y)
    np.testing.assert_allclose(updated @ s, y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(updated, updated.T, rtol=0, atol=1e-12)
    assert np.linalg.eigvalsh(updated).min() > 0
    assert _secant_update(H, s, -y) is H


def test_separated_data_end_within_max_iter_with_the_separation_warning():
    """Along a separating direction δ falls while the step keeps its length: the fit ends
    long before max_iter and the estimator's screen still finds the separation."""
    from logistic import SeparationWarning

    rng = np.random.default_rng(1)
    x1, other = rng.normal(size=600), rng.normal(size=600)
    on_line = rng.random(600) < 0.5
    x2 = np.where(on_line, -x1, rng.normal(size=600))
    y = np.where(on_line, rng.random(600) < 0.5, x1 + x2 > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.warns(SeparationWarning, match="Quasi-complete"):
            model = LogisticRegression().fit(np.column_stack([x1, x2, other]), y)
    assert model.n_iter_[0] < 40 and model.converged_
