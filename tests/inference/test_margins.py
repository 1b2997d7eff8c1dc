"""Marginal effects with delta-method standard errors, against statsmodels' get_margeff
(Logit, MNLogit) and, where statsmodels has no such effect, against effects computed from
statsmodels' own predictions with its numerical derivative (statsmodels.tools.numdiff)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.tools.numdiff import approx_fprime, approx_fprime_cs

from logistic import LogisticRegression
from logistic.exceptions import InferenceError


@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas().data
    return data[["GPA", "TUCE", "PSI"]], data["GRADE"].astype(int)


@pytest.fixture(scope="module")
def anes():
    data = sm.datasets.anes96.load_pandas().data
    X = data[["logpopul", "selfLR", "age", "educ"]].copy()
    X["rich"] = (data["income"] > 12).astype(float)
    return X, data["PID"].astype(int) % 3


def _frame(margins) -> np.ndarray:
    return margins.summary_frame().to_numpy()


@pytest.mark.parametrize("at", ["overall", "mean"])
@pytest.mark.parametrize("dummy", [True, False])
def test_binary_effects_match_statsmodels_logit(spector, at, dummy):
    X, y = spector
    ours = LogisticRegression().fit(X, y).marginal_effects(X, at=at, dummy=dummy)
    result = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    reference = _frame(result.get_margeff(at=at, dummy=dummy))
    np.testing.assert_allclose(ours.table.to_numpy(), reference, rtol=1e-7, atol=1e-12)
    assert ours.kinds["PSI"] == ("discrete change" if dummy else "derivative")


@pytest.mark.parametrize("at", ["overall", "mean"])
def test_multinomial_effects_match_statsmodels_mnlogit(anes, at):
    X, y = anes
    ours = LogisticRegression().fit(X, y).marginal_effects(X, at=at, dummy=False)
    result = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    reference = _frame(result.get_margeff(at=at, dummy=False))
    np.testing.assert_allclose(ours.table.to_numpy(), reference, rtol=1e-6, atol=1e-10)
    assert ours.table.index[0] == (0, "logpopul")


def _delta(function, params, cov):
    """(value, std err) of function(params) by statsmodels' numerical Jacobian."""
    value = function(params)
    jacobian = np.atleast_2d(approx_fprime(params, function, centered=True))
    return value, np.sqrt(np.diag(jacobian @ cov @ jacobian.T))


def test_multinomial_indicator_discrete_change_matches_statsmodels_predictions(anes):
    """statsmodels' MNLogit get_margeff(dummy=True) fails (a shape error in 0.15), so the
    reference is mean P(rich = 1) - P(rich = 0) from MNLogit.predict, its se by numdiff."""
    X, y = anes
    ours = LogisticRegression().fit(X, y).marginal_effects(X, dummy=True).table
    result = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    ones = sm.add_constant(X.assign(rich=1.0), has_constant="add")
    zeros = sm.add_constant(X.assign(rich=0.0), has_constant="add")
    shape = result.params.shape

    def change(params):
        P = params.reshape(shape, order="F")
        return (result.model.predict(P, ones) - result.model.predict(P, zeros)).mean(axis=0)

    value, se = _delta(change, result.params.to_numpy().ravel(order="F"),
                       result.cov_params().to_numpy())
    rows = ours.xs("rich", level="column")
    np.testing.assert_allclose(rows["dy/dx"], value, rtol=1e-8)
    np.testing.assert_allclose(rows["std err"], se, rtol=1e-6)


def test_formula_factor_levels_are_changes_from_the_reference_level():
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["a", "b", "c"], n)})
    z = 0.2 + frame["x"] + frame["g"].map({"a": 0.0, "b": 0.8, "c": -0.6})
    frame["y"] = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    model = LogisticRegression.from_formula("y ~ x + C(g)", frame)
    ours = model.marginal_effects(frame).table
    result = smf.logit("y ~ x + C(g)", frame).fit(disp=0)
    cov = result.cov_params().to_numpy()
    for level in ("b", "c"):
        def change(params, level=level):
            exog = result.model.exog
            at_level = exog.copy()
            at_level[:, 1:3] = [level == "b", level == "c"]
            at_reference = exog.copy()
            at_reference[:, 1:3] = 0.0
            return np.mean(result.model.predict(params, at_level)
                           - result.model.predict(params, at_reference))

        value, se = _delta(change, result.params.to_numpy(), cov)
        np.testing.assert_allclose(ours.loc[f"C(g)[T.{level}]", "dy/dx"], value, rtol=1e-8)
        np.testing.assert_allclose(ours.loc[f"C(g)[T.{level}]", "std err"], se, rtol=1e-6)
    x_ref = result.get_margeff(dummy=False).summary_frame().loc["x"].to_numpy()
    np.testing.assert_allclose(ours.loc["x"].to_numpy(), x_ref, rtol=1e-7)


def test_effects_at_chosen_values_average_over_the_rows_with_those_set(spector):
    X, y = spector
    ours = LogisticRegression().fit(X, y).marginal_effects(X, at={"GPA": 3.0, "PSI": 1.0})
    result = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    exog = sm.add_constant(X.assign(GPA=3.0, PSI=1.0), has_constant="add").to_numpy()

    def tuce_slope(params):  # the derivative in TUCE, averaged with GPA = 3, PSI = 1
        p = result.model.cdf(exog @ params)
        return np.mean(p * (1 - p)) * params[2]

    value, se = _delta(tuce_slope, result.params.to_numpy(), result.cov_params().to_numpy())
    np.testing.assert_allclose(ours.table.loc["TUCE", ["dy/dx", "std err"]], [value, se[0]],
                               rtol=1e-6)
    assert "GPA=3" in ours.at and "GPA=3" in ours.summary()


def test_weighted_effects_are_those_of_the_replicated_rows(spector):
    X, y = spector
    w = 1 + np.arange(32) % 3
    ours = LogisticRegression().fit(X, y, sample_weight=w).marginal_effects(X, sample_weight=w)
    Xr, yr = X.loc[X.index.repeat(w)], y.loc[y.index.repeat(w)]
    result = sm.Logit(yr, sm.add_constant(Xr)).fit(disp=0)
    np.testing.assert_allclose(ours.table.to_numpy(), _frame(result.get_margeff(dummy=True)),
                               rtol=1e-7)


def test_robust_covariance_gives_statsmodels_robust_effects(spector):
    X, y = spector
    ours = LogisticRegression(cov_type="HC0").fit(X, y).marginal_effects(X, dummy=False)
    result = sm.Logit(y, sm.add_constant(X)).fit(disp=0, cov_type="HC0")
    np.testing.assert_allclose(ours.table.to_numpy(), _frame(result.get_margeff()), rtol=1e-7)


def test_sparse_input_gives_the_dense_effects(spector):
    X, y = spector
    dense = LogisticRegression().fit(X.to_numpy(), y)
    sparse = LogisticRegression().fit(sp.csr_matrix(X.to_numpy()), y)
    for at in ("overall", "mean", {"x1": 2.5}):
        np.testing.assert_allclose(
            sparse.marginal_effects(sp.csr_matrix(X.to_numpy()), at=at).table,
            dense.marginal_effects(X.to_numpy(), at=at).table, rtol=1e-9)


def test_complex_step_jacobian_agrees_with_statsmodels_complex_step(spector):
    """The effects' covariance J V Jᵀ, J from statsmodels' own complex-step derivative."""
    X, y = spector
    ours = LogisticRegression().fit(X, y).marginal_effects(X, dummy=False)
    result = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    exog = sm.add_constant(X).to_numpy()

    def effects(params):
        p = 1 / (1 + np.exp(-exog @ params))
        return np.mean(p * (1 - p)) * params[1:]

    J = approx_fprime_cs(result.params.to_numpy(), effects)
    np.testing.assert_allclose(ours.cov, J @ result.cov_params().to_numpy() @ J.T, rtol=1e-7)


def test_unknown_column_in_at_raises(spector):
    X, y = spector
    with pytest.raises(ValueError, match="'age'.*does not have"):
        LogisticRegression().fit(X, y).marginal_effects(X, at={"age": 40})
    with pytest.raises(ValueError, match="at must be"):
        LogisticRegression().fit(X, y).marginal_effects(X, at="median")


def test_penalized_fit_has_no_marginal_effect_standard_errors(spector):
    X, y = spector
    with pytest.raises(InferenceError, match="marginal_effects"):
        LogisticRegression(penalty="l2").fit(X, y).marginal_effects(X)
