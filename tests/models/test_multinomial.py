"""Multinomial and one-vs-rest logistic regression against scikit-learn, statsmodels and
finite differences."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from scipy.special import logsumexp
from sklearn.datasets import load_digits, load_iris
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

from logistic import LogisticRegression, SeparationWarning, load
from logistic.core.losses import log_softmax, softmax, softmax_cross_entropy
from logistic.core.objective import Objective
from logistic.core.penalties import L2Penalty


def _problem(seed=0, m=120, d=4, K=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, d))
    labels = rng.integers(0, K, size=m)
    return X, np.eye(K)[labels], rng


@pytest.mark.parametrize("layout", ["dense", "csr", "float32"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("penalized", [False, True])
def test_gradient_hessian_and_hessp_equal_finite_differences(layout, fit_intercept, penalized):
    X, Y, rng = _problem()
    data = {"dense": X, "csr": sp.csr_matrix(X), "float32": X.astype(np.float32)}[layout]
    weights = rng.uniform(0.5, 2.0, size=len(X))
    penalty = L2Penalty(0.3) if penalized else None
    objective = Objective(data, Y, weights, softmax_cross_entropy, penalty, fit_intercept)
    theta = rng.normal(size=objective.n_params)
    step = 1e-6
    basis = np.eye(objective.n_params)
    numeric_grad = np.array(
        [(objective.value(theta + step * e) - objective.value(theta - step * e)) / (2 * step)
         for e in basis]
    )
    numeric_hess = np.array(
        [(objective.gradient(theta + step * e) - objective.gradient(theta - step * e)) / (2 * step)
         for e in basis]
    )
    tolerance = 1e-4 if layout == "float32" else 1e-6
    np.testing.assert_allclose(objective.gradient(theta), numeric_grad, rtol=tolerance, atol=1e-9)
    hessian = objective.hessian(theta)
    np.testing.assert_allclose(hessian, numeric_hess, rtol=tolerance, atol=1e-8)
    np.testing.assert_allclose(hessian, hessian.T, atol=1e-14)
    np.testing.assert_allclose(objective.hessian_diagonal(theta), np.diag(hessian), rtol=1e-6)
    v = rng.normal(size=objective.n_params)
    np.testing.assert_allclose(objective.hessp(theta, v), hessian @ v, rtol=1e-10, atol=1e-12)


def test_value_is_the_literal_softmax_cross_entropy():
    X, Y, rng = _problem(1)
    objective = Objective(X, Y, None, softmax_cross_entropy, None, True)
    theta = rng.normal(size=objective.n_params)
    rows = theta.reshape(3, -1)
    Z = X @ rows[:, :-1].T + rows[:, -1]
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(objective.value(theta), -np.mean(np.log(P[Y == 1])), rtol=1e-13)


def test_softmax_never_overflows_and_log_softmax_is_exact_in_the_tails():
    Z = np.array([[1e308, 0.0, -1e308], [800.0, 0.0, -800.0], [0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            P = softmax(Z)
            logP = log_softmax(Z)
    assert np.all(np.isfinite(P)) and np.allclose(P.sum(axis=1), 1.0, atol=1e-15)
    assert logP[1, 1] == -800.0 and logP[1, 2] == -1600.0  # not log(0)
    np.testing.assert_allclose(logP[2], np.log(1 / 3), rtol=1e-15)
    Z = np.random.default_rng(2).normal(scale=30, size=(50, 4))
    np.testing.assert_allclose(log_softmax(Z), Z - logsumexp(Z, axis=1, keepdims=True),
                               rtol=1e-13, atol=1e-13)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_l2_multinomial_matches_scikit_learn_on_iris(iris, C):
    X, y = iris
    ours = LogisticRegression(penalty="l2", C=C, tol=1e-11).fit(X, y)
    # scikit-learn's lbfgs stops at |grad| ~ 4e-9 here; its newton-cholesky is exact
    theirs = SkLogisticRegression(C=C, solver="newton-cholesky", tol=1e-14).fit(X, y)
    assert ours.coef_.shape == (3, 4) and ours.solver_ == "newton"
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-5, atol=1e-7)
    proba = ours.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(proba, theirs.predict_proba(X), atol=1e-6)


@pytest.mark.slow
def test_l2_multinomial_matches_scikit_learn_on_digits():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ours = LogisticRegression(penalty="l2", C=0.1, tol=1e-9, max_iter=5000).fit(X, y)
    theirs = SkLogisticRegression(C=0.1, solver="newton-cholesky", tol=1e-14).fit(X, y)
    assert ours.coef_.shape == (10, 64) and ours.solver_ == "newton"  # by shape: n·p² ≤ 2e9
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-5, atol=1e-6)


@pytest.fixture(scope="module")
def anes96():
    data = sm.datasets.anes96.load_pandas().data
    exog = data[["logpopul", "selfLR", "age", "educ", "income"]]
    return exog, data["PID"].astype(int)


@pytest.fixture(scope="module")
def anes96_fits(anes96):
    X, y = anes96
    ours = LogisticRegression(tol=1e-10, max_iter=200).fit(X, y)
    theirs = sm.MNLogit(y, sm.add_constant(X)).fit(method="newton", disp=0, tol=1e-14)
    return ours, theirs


def test_unpenalized_multinomial_matches_statsmodels_mnlogit(anes96, anes96_fits):
    ours, theirs = anes96_fits
    # statsmodels' columns are classes 2..K against the first, rows [const, features...]
    np.testing.assert_allclose(ours.statistics_.params, theirs.params.values.T.ravel(),
                               rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ours.std_err_, theirs.bse.values.T.ravel(), rtol=1e-6)
    np.testing.assert_allclose(ours.p_values_, theirs.pvalues.values.T.ravel(),
                               rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(ours.log_likelihood_, theirs.llf, rtol=1e-10)
    # statsmodels fits the null model numerically; ours is its closed form Σ n_k log(n_k / n)
    np.testing.assert_allclose(ours.null_log_likelihood_, theirs.llnull, rtol=1e-8)
    counts = np.bincount(anes96[1])[np.bincount(anes96[1]) > 0]
    np.testing.assert_allclose(ours.null_log_likelihood_,
                               np.sum(counts * np.log(counts / counts.sum())), rtol=1e-13)
    np.testing.assert_allclose(ours.aic_, theirs.aic, rtol=1e-10)
    np.testing.assert_allclose(ours.bic_, theirs.bic, rtol=1e-10)
    np.testing.assert_allclose(ours.lr_p_value_, theirs.llr_pvalue, rtol=1e-6, atol=1e-300)
    assert ours.df_model_ == theirs.df_model and ours.df_resid_ == theirs.df_resid
    # the coefficients are centred over the classes; differences to class 0 are statsmodels'
    np.testing.assert_allclose(ours.coef_.sum(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose((ours.coef_ - ours.coef_[0])[1:].T,
                               theirs.params.values[1:], rtol=1e-6, atol=1e-9)


def test_multinomial_summary_names_class_and_term(anes96_fits):
    ours, _ = anes96_fits
    table = ours.summary().table
    assert table.index[0] == "1: Intercept" and table.index[-1] == "6: income"
    assert len(table) == 6 * 6


def test_multinomial_model_file_round_trip(tmp_path, anes96, anes96_fits):
    X, _ = anes96
    ours, _ = anes96_fits
    ours.save(tmp_path / "m.json")
    loaded = load(tmp_path / "m.json")
    assert np.array_equal(loaded.predict_proba(X), ours.predict_proba(X))
    assert np.array_equal(loaded.std_err_, ours.std_err_)
    assert str(loaded.summary()) == str(ours.summary())


def test_one_vs_rest_is_one_binary_model_per_class(iris):
    X, y = iris
    ovr = LogisticRegression(penalty="l2", multi_class="ovr", tol=1e-10).fit(X, y)
    assert ovr.coef_.shape == (3, 4) and ovr.n_iter_.shape == (3,)
    for k in range(3):
        binary = LogisticRegression(penalty="l2", tol=1e-10).fit(X, y == k)
        np.testing.assert_allclose(ovr.coef_[k], binary.coef_[0], rtol=1e-10)
        np.testing.assert_allclose(ovr.intercept_[k], binary.intercept_[0], rtol=1e-10)
    scores = 1 / (1 + np.exp(-ovr.decision_function(X)))
    np.testing.assert_allclose(ovr.predict_proba(X), scores / scores.sum(1, keepdims=True))
    np.testing.assert_allclose(np.exp(ovr.predict_log_proba(X)), ovr.predict_proba(X))
    with pytest.warns(SeparationWarning, match="Class 0 against the rest: Complete"):
        unpenalized = LogisticRegression(multi_class="ovr").fit(X, y)  # setosa: petals
    with pytest.raises(AttributeError, match="one binary model per class"):
        _ = unpenalized.std_err_


def test_string_labels_and_predictions(iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])
    model = LogisticRegression(penalty="l2").fit(X, names[y])
    assert list(model.classes_) == list(names)
    assert (model.predict(X) == names[y]).mean() > 0.95
    np.testing.assert_array_equal(model.predict(X), names[model.predict_proba(X).argmax(1)])


def test_multiclass_refusals(iris):
    X, y = iris
    with pytest.raises(ValueError, match="loss='squared_error' is for two classes"):
        LogisticRegression(loss="squared_error").fit(X, y)
    with pytest.raises(ValueError, match="multi_class must be"):
        LogisticRegression(multi_class="crammer").fit(X, y)
    with pytest.raises(ValueError, match="decision_boundary\\(\\) is for two classes"):
        LogisticRegression(penalty="l2").fit(X, y).decision_boundary()


def test_every_solver_reaches_the_same_multinomial_optimum(iris):
    X, y = iris
    fits = [
        LogisticRegression(penalty="l2", solver=solver, tol=1e-9, max_iter=50_000,
                           learning_rate=1.0).fit(X, y)
        for solver in ("newton", "lbfgs", "gd")
    ]
    best = min(fit.objective_ for fit in fits)
    for fit in fits:
        assert fit.converged_
        assert abs(fit.objective_ - best) <= 1e-8 * best
