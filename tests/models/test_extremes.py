"""Numerical robustness (issue 9): extreme feature scales, extreme class imbalance and a
million rows of one feature, each against an independent reference and with every NumPy
floating-point warning an error."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import statsmodels.api as sm

from logistic import LogisticRegression
from logistic.core.scaling import column_scales


def strict_fit(model, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return model.fit(X, y, **kwargs)


def logit_data(m=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 3))
    z = 0.3 + X @ np.array([1.0, -0.8, 0.5])
    y = (rng.random(m) < 1 / (1 + np.exp(-z))).astype(int)
    return X, y


@pytest.fixture(scope="module")
def reference():
    """statsmodels' maximum-likelihood fit of the unscaled data (params: intercept first)."""
    X, y = logit_data()
    return sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-12, maxiter=100)


@pytest.mark.parametrize(
    "scales",
    [[1e150, 1e150, 1e150], [1e-150, 1e-150, 1e-150], [1e150, 1e-150, 1.0],
     [1e300, 1.0, 1e-300], [2.0**70, 2.0**-70, 3.0]],
    ids=["1e150", "1e-150", "mixed", "1e±300", "2^±70"],
)
@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_scaled_features_give_the_scaled_coefficients(reference, scales, layout):
    # z = w·x is unchanged by xⱼ → cⱼxⱼ, wⱼ → wⱼ/cⱼ: the maximum-likelihood coefficients of
    # the scaled data are statsmodels' of the unscaled data divided by c (closed form)
    X, y = logit_data()
    c = np.array(scales)
    Xc = X * c
    data = sp.csr_matrix(Xc) if layout == "csr" else Xc
    model = strict_fit(LogisticRegression(tol=1e-10), data, y)
    assert model.converged_
    np.testing.assert_allclose(model.coef_[0] * c, reference.params[1:], rtol=1e-7)
    np.testing.assert_allclose(model.intercept_[0], reference.params[0], rtol=1e-7)
    if np.max(np.abs(np.log10(c))) < 154:
        # standard errors scale the same way; z and p-values do not change
        np.testing.assert_allclose(model.statistics_.std_err[1:] * c, reference.bse[1:],
                                   rtol=1e-6)
        np.testing.assert_allclose(model.statistics_.p_values, reference.pvalues, rtol=1e-5)
    else:  # a variance of (1e300)² is no float: documented, no statistics rather than wrong
        assert model.statistics_ is None
        assert "variance outside the float64 range" in model.inference_note_
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        proba = model.predict_proba(data)[:, 1]
    np.testing.assert_allclose(proba, reference.predict(sm.add_constant(X)), rtol=1e-8)


def test_ordinary_columns_are_not_rescaled():
    X, _ = logit_data()
    assert column_scales(X * 1e18) is None and column_scales(X * 1e-18) is None
    scales = column_scales(X * np.array([1.0, 1e30, 1e-30]))
    assert scales[0] == 1.0
    # powers of two, which bring the largest |x| of the column into [1/2, 1)
    assert np.all(np.log2(scales) == np.round(np.log2(scales)))
    largest = np.max(np.abs(X * np.array([1.0, 1e30, 1e-30])), axis=0) * scales
    assert np.all((largest[1:] >= 0.5) & (largest[1:] < 1))


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_penalty_is_on_the_users_coefficients(penalty):
    # the penalty stays α‖w‖ on the coefficients of the data as given: with a column scaled
    # by c = 2^80 (exact), the fit must equal the fit of the unscaled data with that
    # coefficient's penalty weight changed by c — checked through the KKT conditions of
    # the user's objective, written out here
    X, y = logit_data()
    c = 2.0**80
    Xc = X.copy()
    Xc[:, 1] *= c
    C = 0.05
    model = strict_fit(LogisticRegression(penalty, C=C, tol=1e-12), Xc, y)
    w, b = model.coef_[0], model.intercept_[0]
    m = len(y)
    p = 1 / (1 + np.exp(-(Xc @ w + b)))
    alpha = 1 / (C * m)
    g = Xc.T @ (p - y) / m
    # in units of each column's size, so the 1e24-sized column is judged like the others
    size = np.max(np.abs(Xc), axis=0)
    if penalty == "l2":
        assert np.max(np.abs(g + alpha * w) / size) < 1e-9
    else:
        nonzero = w != 0
        assert np.max(np.abs(g[nonzero] + alpha * np.sign(w[nonzero])) / size[nonzero]) < 1e-9
        assert np.all(np.abs(g[~nonzero]) <= alpha * (1 + 1e-9))
    assert abs(np.mean(p - y)) < 1e-10


def null_start(y, features: int) -> np.ndarray:
    """statsmodels' start: the intercept-only maximum-likelihood fit, log-odds of the mean
    (closed form), slopes 0. From its default of zeros, Newton needs 17 steps to bring the
    intercept to log(1e-5) on a million rows (2 s); from here 7, to the same optimum."""
    return np.r_[np.log(y.mean() / (1 - y.mean())), np.zeros(features)]


@pytest.mark.slow
def test_imbalance_of_one_to_a_hundred_thousand():
    # 1,000,000 rows, 10 positives: the intercept near log(1e-5); statsmodels is the reference
    rng = np.random.default_rng(1)
    m = 1_000_000
    X = rng.standard_normal((m, 2))
    y = np.zeros(m, dtype=int)
    positives = rng.choice(m, size=10, replace=False)
    y[positives] = 1
    X[positives, 0] += 1.0  # a real, weak signal
    model = strict_fit(LogisticRegression(tol=1e-10), X, y)
    assert model.converged_
    theirs = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-12, maxiter=100,
                                                 start_params=null_start(y, 2))
    assert theirs.mle_retvals["converged"]
    np.testing.assert_allclose(model.intercept_[0], theirs.params[0], rtol=1e-6)
    np.testing.assert_allclose(model.coef_[0], theirs.params[1:], rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(model.statistics_.std_err, theirs.bse, rtol=1e-5)
    proba = model.predict_proba(X)[:, 1]
    assert np.all(proba > 0) and proba.sum() == pytest.approx(10, rel=1e-6)


@pytest.mark.slow
def test_a_million_rows_of_one_feature():
    rng = np.random.default_rng(2)
    m = 1_000_000
    x = rng.standard_normal((m, 1))
    y = (rng.random(m) < 1 / (1 + np.exp(-(0.2 - 0.7 * x[:, 0])))).astype(int)
    model = strict_fit(LogisticRegression(tol=1e-10), x, y)
    theirs = sm.Logit(y, sm.add_constant(x)).fit(disp=0, tol=1e-12, maxiter=100,
                                                 start_params=null_start(y, 1))
    assert theirs.mle_retvals["converged"]
    np.testing.assert_allclose(model.intercept_[0], theirs.params[0], rtol=1e-8)
    np.testing.assert_allclose(model.coef_[0], theirs.params[1:], rtol=1e-8)
    np.testing.assert_allclose(model.statistics_.std_err, theirs.bse, rtol=1e-6)
    assert model.statistics_.log_likelihood == pytest.approx(theirs.llf, rel=1e-10)


def test_columns_in_very_different_units_are_fitted_and_their_errors_too(reference):
    """Columns 10⁸ and 10⁻⁸ times the others — inside the range where no column is rescaled
    (|log₂| ≤ 64) — make Hessian entries 10³² apart. The solves equilibrate
    (``linalg.solve_psd``), so no column is mistaken for rounding noise; coefficients and
    standard errors are statsmodels' of the unscaled data divided by c (closed form)."""
    X, y = logit_data()
    c = np.array([1e8, 1.0, 1e-8])
    model = LogisticRegression(solver="newton", tol=1e-4).fit(X * c, y)
    assert model.converged_
    np.testing.assert_allclose(model.coef_[0] * c, reference.params[1:], rtol=1e-5)
    np.testing.assert_allclose(model.intercept_[0], reference.params[0], rtol=1e-5)
    np.testing.assert_allclose(model.statistics_.std_err[1:] * c, reference.bse[1:], rtol=1e-6)
