"""``logistic.viz.explain``: each step's value against an independent numpy computation, and the
finite-difference checks passing (and failing when the library's derivative is wrong)."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from logistic import LogisticRegression, load
from logistic.core.objective import Objective
from logistic.viz.explain import Explanation, explain, format_value, relative_error


def make_data(m: int = 200, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 3)) * np.array([1.0, 10.0, 0.1])  # different scales
    z = 0.3 + X @ np.array([1.0, -0.2, 5.0])
    y = np.where(rng.random(m) < 1 / (1 + np.exp(-z)), "sick", "well")
    return pd.DataFrame(X, columns=["age", "dose", "weight"]), y


def numpy_chain(model: LogisticRegression, X, y, alpha: float = 0.0):
    """The seeds' formulas written out in numpy, intercept first: an independent reference."""
    A = np.asarray(X, dtype=np.float64)
    m = A.shape[0]
    X1 = np.column_stack([np.ones(m), A])
    theta = np.r_[model.intercept_, model.coef_[0]]
    t = (np.asarray(y) == model.classes_[1]).astype(float)
    z = X1 @ theta
    p = 1 / (1 + np.exp(-z))
    loss = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    penalty_gradient = np.r_[0.0, alpha * theta[1:]]
    gradient = -(X1.T @ (t - p)) / m + penalty_gradient
    hessian = (X1.T * (p * (1 - p))) @ X1 / m + np.diag(np.r_[0.0, np.full(A.shape[1], alpha)])
    return {
        "z": z, "p": p, "dp": p * (1 - p), "loss": loss, "t": t, "X1": X1,
        "cost": loss.mean() + 0.5 * alpha * theta[1:] @ theta[1:],
        "gradient": gradient, "hessian": hessian,
        "newton": -np.linalg.solve(hessian, gradient),
    }


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.fixture(scope="module")
def model(data):
    X, y = data
    return LogisticRegression().fit(X, y)


def test_every_step_equals_numpy_and_every_check_passes(model, data):
    X, y = data
    result = explain(model, X, y, rows=4)
    assert isinstance(result, Explanation) and result.passed
    assert [s.name for s in result] == [
        "score", "sigmoid", "sigmoid_derivative", "loss", "cost", "row_gradient", "gradient",
        "hessian", "newton_step",
    ]
    ref = numpy_chain(model, X, y)
    rows = slice(0, 4)
    np.testing.assert_allclose(result["score"].value, ref["z"][rows], rtol=1e-12)
    np.testing.assert_allclose(result["sigmoid"].value, ref["p"][rows], rtol=1e-12)
    np.testing.assert_allclose(result["sigmoid_derivative"].value, ref["dp"][rows], rtol=1e-10)
    np.testing.assert_allclose(result["loss"].value, ref["loss"][rows], rtol=1e-10)
    assert result["cost"].value == pytest.approx(ref["cost"], rel=1e-12)
    residual = ref["t"][rows] - ref["p"][rows]
    np.testing.assert_allclose(result["row_gradient"].value,
                               -residual[:, None] * ref["X1"][rows], rtol=1e-9, atol=1e-15)
    scale = np.abs(ref["X1"]).max()
    np.testing.assert_allclose(result["gradient"].value, ref["gradient"], atol=1e-12 * scale)
    np.testing.assert_allclose(result["hessian"].value, ref["hessian"], rtol=1e-10)
    np.testing.assert_allclose(result["newton_step"].value, ref["newton"], rtol=1e-6,
                               atol=1e-12)
    # the finite-difference checks and the others: all well below 1e-6
    for step in result:
        assert step.passed and step.rel_error < 1e-6, (step.name, step.rel_error)
        assert re.fullmatch(r"✓ rel\. err \d\.\de[+-]\d\d", step.verdict), step.verdict
    for name in ("sigmoid_derivative", "row_gradient", "gradient", "hessian"):
        assert "finite difference" in result[name].check
        assert result[name].reference is not None
    assert result["newton_step"].reference is None  # a residual check
    assert result.terms == ("Intercept", "age", "dose", "weight")
    np.testing.assert_array_equal(result.theta, np.r_[model.intercept_, model.coef_[0]])
    assert result.positive_class == "well" and result.n_samples == len(y)
    assert "minimum" in result["gradient"].note


def test_the_l2_penalty_is_the_models_own(data):
    X, y = data
    model = LogisticRegression(penalty="l2", C=0.3).fit(X, y)
    result = explain(model, X, y)
    alpha = 1 / (0.3 * len(y))
    assert result.penalty_strength == pytest.approx(alpha)
    ref = numpy_chain(model, X, y, alpha)
    assert result["cost"].value == pytest.approx(ref["cost"], rel=1e-12)
    np.testing.assert_allclose(result["hessian"].value, ref["hessian"], rtol=1e-10)
    np.testing.assert_allclose(result["gradient"].value, ref["gradient"], atol=1e-9)
    assert "α" in result["cost"].formula and result.passed


def test_away_from_the_optimum_the_gradient_and_newton_step_are_real(model):
    X, y = make_data(seed=5)  # other data than the fit's
    result = explain(model, X, y)
    ref = numpy_chain(model, X, y)
    np.testing.assert_allclose(result["gradient"].value, ref["gradient"], rtol=1e-9)
    np.testing.assert_allclose(result["newton_step"].value, ref["newton"], rtol=1e-8)
    assert np.max(np.abs(ref["gradient"])) > 1e-3
    assert result.passed and "not the minimum" in result["gradient"].note
    assert max(result[n].rel_error for n in ("gradient", "hessian", "row_gradient")) < 1e-6


def test_a_wrong_gradient_fails_its_check(model, monkeypatch):
    X, y = make_data(seed=5)
    right = Objective.gradient
    monkeypatch.setattr(Objective, "gradient", lambda self, theta: 2 * right(self, theta))
    result = explain(model, X, y)
    assert not result.passed
    assert {s.name for s in result.failed} >= {"gradient", "row_gradient", "hessian"}
    assert result["gradient"].verdict.startswith("✗ rel. err")


def test_confident_rows_in_the_tails_keep_their_digits(data):
    X, y = data
    model = LogisticRegression().fit(X, y)
    model.coef_ = model.coef_ * 40  # scores in the hundreds
    result = explain(model, X, y, rows=10)
    assert np.max(np.abs(result["score"].value)) > 100
    assert result.passed, [(s.name, s.rel_error) for s in result.failed]
    z = result["score"].value
    exact = np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))) ** 2
    np.testing.assert_allclose(result["sigmoid_derivative"].value, exact, rtol=1e-12)


def test_squared_error_has_its_own_chain(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(loss="squared_error", solver="lbfgs").fit(X, y)
    result = explain(model, X, y)
    ref = numpy_chain(model, X, y)
    t, p = ref["t"], ref["p"]
    np.testing.assert_allclose(result["loss"].value, 0.5 * (t - p)[:3] ** 2, rtol=1e-10)
    gradient = -(ref["X1"].T @ ((t - p) * p * (1 - p))) / len(t)
    np.testing.assert_allclose(result["gradient"].value, gradient, atol=1e-12)
    assert "σ'(z)" in result["gradient"].formula and result.passed


def test_rows_by_index_without_intercept_and_after_save_and_load(data, tmp_path):
    X, y = data
    model = LogisticRegression(fit_intercept=False).fit(X, y)
    model.save(tmp_path / "m.json")
    result = explain(load(tmp_path / "m.json"), X, y, rows=[7, 2])
    np.testing.assert_array_equal(result.rows, [7, 2])
    assert result.terms == ("age", "dose", "weight")
    np.testing.assert_allclose(result["score"].value, X.to_numpy()[[7, 2]] @ model.coef_[0],
                               rtol=1e-12)
    assert result["hessian"].value.shape == (3, 3) and result.passed
    assert result["score"].formula == "z = w·x"


def test_sparse_data_give_the_same_chain(model, data):
    import scipy.sparse as sp

    X, y = data
    dense = explain(model, X.to_numpy(), y)
    sparse = explain(model, sp.csr_matrix(X.to_numpy()), y)
    assert sparse.passed
    for a, b in zip(dense, sparse, strict=True):
        np.testing.assert_allclose(b.value, a.value, rtol=1e-9, atol=1e-14, err_msg=a.name)


def test_class_weights_make_a_weighted_mean(data):
    X, y = data
    model = LogisticRegression(class_weight="balanced").fit(X, y)
    result = explain(model, X, y)
    ref = numpy_chain(model, X, y)
    t = ref["t"]
    weights = np.where(t == 1, len(t) / (2 * t.sum()), len(t) / (2 * (1 - t).sum()))
    assert result["cost"].value == pytest.approx(weights @ ref["loss"] / weights.sum())
    assert result.passed and "minimum" in result["gradient"].note


def test_without_labels_only_the_per_sample_functions(model, data):
    X, _ = data
    result = explain(model, X)
    assert [s.name for s in result] == ["score", "sigmoid", "sigmoid_derivative"]
    assert result.passed and "y" in result.notes[0]


def test_what_explain_refuses(model, data):
    X, y = data
    rng = np.random.default_rng(0)
    multi = LogisticRegression().fit(rng.normal(size=(60, 2)), np.repeat(["a", "b", "c"], 20))
    with pytest.raises(ValueError, match="3 classes"):
        explain(multi, rng.normal(size=(5, 2)), ["a"] * 5)
    with pytest.raises(ValueError, match="'maybe'"):
        explain(model, X, np.where(y == "sick", "maybe", y))
    with pytest.raises(ValueError, match="features"):
        explain(model, X.to_numpy()[:, :2], y)
    with pytest.raises(ValueError, match="rows"):
        explain(model, X, y[:-1])
    with pytest.raises(ValueError, match="rows"):
        explain(model, X, y, rows=0)


def test_relative_error_and_formatting():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([0.0], [0.0]) == 0.0
    assert relative_error([1.0], [1.001]) == pytest.approx(0.001 / 1.001)
    assert relative_error([1e-12], [2e-12], scale=1.0) == pytest.approx(1e-12)
    assert format_value(0.5) == "0.5"
    assert format_value(np.arange(8.0), max_items=3) == "[0, 1, 2, … (+5)]"
    assert format_value(np.eye(2)) == "2×2 [[1, 0], [0, 1]]"
    assert format_value(np.diag([1.0, 2.0, 3.0]), diagonal=True) == "3×3, diagonal [1, 2, 3]"


# -- the verdict: Newton's step in standard errors (diagnosis.py) ------------------------------
def statsmodels_fit(X, y, positive):
    import statsmodels.api as sm

    t = (np.asarray(y) == positive).astype(float)
    return sm.Logit(t, sm.add_constant(np.asarray(X, dtype=float))).fit(disp=0, tol=1e-14)


def test_a_converged_fit_is_called_converged_with_statsmodels_standard_errors(model, data):
    X, y = data
    result = explain(model, X, y)
    diagnosis = result.diagnosis
    assert diagnosis.converged and diagnosis.unpinned == ()
    assert diagnosis.largest < 1e-8
    reference = statsmodels_fit(X, y, model.classes_[1])
    np.testing.assert_allclose(diagnosis.std_err, reference.bse, rtol=1e-6)
    assert "the fit has converged." in result["newton_step"].note


def test_on_other_data_the_verdict_lists_the_steps_in_standard_errors(model):
    X, y = make_data(seed=5)
    result = explain(model, X, y)
    ref = numpy_chain(model, X, y)
    std_err = np.sqrt(np.diag(np.linalg.inv(ref["hessian"])) / len(y))
    in_se = np.abs(ref["newton"]) / std_err
    diagnosis = result.diagnosis
    np.testing.assert_allclose(diagnosis.steps, in_se, rtol=1e-6)
    assert not diagnosis.converged and diagnosis.largest == pytest.approx(in_se.max(), rel=1e-6)
    note = result["newton_step"].note
    assert "not converged" in note
    worst = result.terms[int(np.argmax(in_se))]
    assert f"moves {worst} by {in_se.max():.3g}" in note


def test_a_quasi_separated_coefficient_is_named_not_pinned_down(data):
    """flag = 1 only where y = 1: its coefficient runs off, its next Newton step stays of
    order 1 (‖Δ‖∞ is large) while every other coefficient is converged to 1e-8 SE."""
    X, y = data
    rng = np.random.default_rng(3)
    frame = X.copy()
    frame["flag"] = ((rng.random(len(y)) < 0.15) & (y == "well")).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression().fit(frame, y)
    result = explain(model, frame, y)
    diagnosis = result.diagnosis
    assert np.max(np.abs(result["newton_step"].value)) > 0.5
    assert [term for term, _, _ in diagnosis.unpinned] == ["flag"]
    assert diagnosis.unpinned[0][1] in ("separated", "saturated")
    assert diagnosis.converged and diagnosis.largest < 1e-8
    assert "Not pinned down by these data: separation" in result["newton_step"].note


@pytest.mark.parametrize("noise, kind", [(1e-4, "inflated"), (0.0, "collinear")])
def test_near_and_exactly_collinear_columns_are_named_not_pinned_down(data, noise, kind):
    X, y = data
    frame = X.copy()
    frame["age2"] = frame["age"] + noise * np.random.default_rng(4).normal(size=len(y))
    model = LogisticRegression().fit(frame, y)
    diagnosis = explain(model, frame, y).diagnosis
    assert {(term, k) for term, k, _ in diagnosis.unpinned} == {("age", kind), ("age2", kind)}
    assert diagnosis.converged


@pytest.mark.slow
def test_the_report_carries_the_verdict(data):
    from logistic.viz.report import build_report

    X, y = data
    frame = X.copy()
    frame["age2"] = frame["age"]
    model = LogisticRegression().fit(frame, y)
    document = build_report(model, frame, y)
    assert "the fit has converged (for the coefficients the data pin down)" in document
    assert "exactly collinear with other columns" in document
