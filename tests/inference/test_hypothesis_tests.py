"""Wald, likelihood-ratio and score tests, and anova, against statsmodels and R."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from logistic import LogisticRegression, anova
from logistic.exceptions import InferenceError
from logistic.inference.hypothesis_tests import parse_restrictions


@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas().data
    return data[["GPA", "TUCE", "PSI"]], data["GRADE"].astype(int)


@pytest.fixture(scope="module")
def nested(spector):
    X, y = spector
    return [LogisticRegression().fit(X[columns], y)
            for columns in (["GPA"], ["GPA", "TUCE"], ["GPA", "TUCE", "PSI"])]


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0"])
def test_wald_test_matches_statsmodels_scalar_chi2(spector, cov_type):
    X, y = spector
    model = LogisticRegression(cov_type=cov_type).fit(X, y)
    result = sm.Logit(y, sm.add_constant(X)).fit(disp=0, cov_type=cov_type)
    reference = result.wald_test("GPA = TUCE, PSI = 0", scalar=True, use_f=False)
    ours = model.wald_test("GPA = TUCE, PSI = 0")
    np.testing.assert_allclose([ours.statistic, ours.p_value],
                               [reference.statistic, reference.pvalue], rtol=1e-7)
    assert ours.df == 2
    R = np.array([[0, 1, -1, 0], [0, 0, 0, 1.0]])
    np.testing.assert_allclose(model.wald_test(R).statistic, ours.statistic, rtol=1e-12)


def test_wald_test_uses_hc1_as_r_sandwich_defines_it(spector):
    """HC1 = HC0 · n / (n - k) (R sandwich's vcovHC type "HC1"; statsmodels' Logit prints
    HC0 for HC1): statsmodels' wald_test with that covariance."""
    X, y = spector
    result = sm.Logit(y, sm.add_constant(X)).fit(disp=0, cov_type="HC0")
    reference = result.wald_test("GPA = TUCE, PSI = 0", scalar=True, use_f=False,
                                 cov_p=result.cov_params() * 32 / 28)
    ours = LogisticRegression(cov_type="HC1").fit(X, y).wald_test("GPA = TUCE, PSI = 0")
    np.testing.assert_allclose(ours.statistic, reference.statistic, rtol=1e-7)


def test_wald_test_with_a_constant_and_clusters(spector):
    X, y = spector
    groups = np.arange(32) % 8
    model = LogisticRegression(cov_type="cluster").fit(X, y, groups=groups)
    result = sm.Logit(y, sm.add_constant(X)).fit(disp=0, cov_type="cluster",
                                                 cov_kwds={"groups": groups})
    reference = result.wald_test("2*GPA - TUCE = 1", scalar=True, use_f=False)
    ours = model.wald_test("2*GPA - TUCE = 1")
    np.testing.assert_allclose(ours.statistic, reference.statistic, rtol=1e-7)


def test_multinomial_wald_test_by_term_names():
    data = sm.datasets.anes96.load_pandas().data
    X, y = data[["logpopul", "selfLR", "age"]], data["PID"].astype(int) % 3
    model = LogisticRegression().fit(X, y)
    result = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    R = np.zeros((2, 8))
    R[0, 2] = R[1, 6] = 1.0  # selfLR of classes 1 and 2 (statsmodels: class-major params)
    reference = result.wald_test(R, scalar=True, use_f=False)
    ours = model.wald_test("1: selfLR = 0, 2: selfLR = 0")
    np.testing.assert_allclose(ours.statistic, reference.statistic, rtol=1e-7)


def test_restrictions_are_read_as_data():
    terms = ("Intercept", "x1", "x10", "C(g)[T.b]", "2: x1")
    R, q = parse_restrictions("x10 - 0.5 x1 = 2, C(g)[T.b] = -x1 + 1e-1, 2: x1 = 0", terms)
    np.testing.assert_array_equal(R, [[0, -0.5, 1, 0, 0], [0, 1, 0, 1, 0], [0, 0, 0, 0, 1]])
    np.testing.assert_array_equal(q, [2, 0.1, 0])
    for bad in ("x1", "x1 = = 0", "__import__('os') = 0", "x1 x10 = 0"):
        with pytest.raises(ValueError):
            parse_restrictions(bad, terms)


def test_restriction_matrix_of_the_wrong_width_raises(spector):
    X, y = spector
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="must have 4 columns"):
        model.wald_test(np.eye(3))
    with pytest.raises(ValueError, match="q must hold 1"):
        model.wald_test([[0, 1, 0, 0]], q=[0, 1])
    with pytest.raises(ValueError, match="neither a number nor a term"):
        model.wald_test("age = 0")


def test_lr_test_and_anova_match_r(nested):
    """R 4.2.2: anova(m0, m1, m, test = "Chisq") for GRADE ~ GPA, + TUCE, + PSI on spector
    (glm.control(epsilon = 1e-14)): Deviance NA 0.434840153666965 6.203697621531788,
    Pr(>Chi) NA 0.509623465625504 0.012748371435386; Resid. Df 30 29 28, Resid. Dev
    32.41780621946 31.98296606579 25.77926844426."""
    table = anova(*nested)
    np.testing.assert_allclose(table["Deviance"].iloc[1:], [0.434840153666965,
                                                            6.203697621531788], rtol=1e-8)
    np.testing.assert_allclose(table["Pr(>Chi)"].iloc[1:], [0.509623465625504,
                                                            0.012748371435386], rtol=1e-7)
    np.testing.assert_allclose(table["Resid. Dev"], [32.41780621946, 31.98296606579,
                                                     25.77926844426], rtol=1e-11)
    np.testing.assert_array_equal(table["Resid. Df"], [30, 29, 28])
    test = nested[2].lr_test(nested[1])
    assert test.df == 1 and nested[1].lr_test(nested[2]).statistic == test.statistic
    np.testing.assert_allclose(test.p_value, 0.012748371435386, rtol=1e-7)


def test_lr_test_matches_statsmodels_log_likelihoods(spector):
    X, y = spector
    big = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    small = sm.Logit(y, sm.add_constant(X[["GPA"]])).fit(disp=0)
    statistic, df = 2 * (big.llf - small.llf), big.df_model - small.df_model
    p = stats.chi2.sf(statistic, df)
    ours = LogisticRegression().fit(X, y).lr_test(LogisticRegression().fit(X[["GPA"]], y))
    np.testing.assert_allclose([ours.statistic, ours.p_value, ours.df], [statistic, p, df],
                               rtol=1e-8)


def test_score_test_matches_r_rao_and_statsmodels(spector):
    """R 4.2.2: anova(m0, m, test = "Rao") with glm.control(epsilon = 1e-14): Rao
    6.45962122937951, Pr(>Chi) 0.0395649911070243 (R's default epsilon gives 6.46000,
    its small model not quite at the optimum)."""
    X, y = spector
    small = LogisticRegression().fit(X[["GPA"]], y)
    ours = small.score_test(X[["GPA"]], y, X[["TUCE", "PSI"]])
    np.testing.assert_allclose([ours.statistic, ours.p_value],
                               [6.45962122937951, 0.0395649911070243], rtol=1e-7)
    glm = sm.GLM(y, sm.add_constant(X[["GPA"]]), family=sm.families.Binomial()).fit(tol=1e-14)
    reference = glm.score_test(exog_extra=X[["TUCE", "PSI"]].to_numpy())
    np.testing.assert_allclose(ours.statistic, reference[0], rtol=1e-7)
    assert ours.df == 2


def test_comparisons_that_are_not_defined_raise(spector, nested):
    X, y = spector
    with pytest.raises(InferenceError, match="different data: 31 and 32"):
        LogisticRegression().fit(X.iloc[1:], y.iloc[1:]).lr_test(nested[2])
    with pytest.raises(InferenceError, match="penalty='l2'"):
        LogisticRegression(penalty="l2").fit(X, y).lr_test(nested[0])
    with pytest.raises(InferenceError, match="penalty='firth'"):
        LogisticRegression(penalty="firth").fit(X, y).lr_test(nested[0])
    with pytest.raises(InferenceError, match="not nested: both have 2"):
        LogisticRegression().fit(X[["TUCE"]], y).lr_test(nested[0])
    with pytest.raises(InferenceError, match="larger lacks 'PSI'"):
        LogisticRegression().fit(X[["PSI"]], y).lr_test(nested[1])
    three = pd.Series(np.arange(32) % 3)
    with pytest.raises(InferenceError, match="different classes"):
        LogisticRegression().fit(X, three).lr_test(nested[0])
    with pytest.raises(InferenceError, match="two or more"):
        anova(nested[0])


def test_a_larger_model_that_fits_worse_was_fitted_on_other_data(spector):
    X, y = spector
    other = pd.Series(np.random.default_rng(1).permutation(y.to_numpy()))
    small = LogisticRegression().fit(X[["GPA"]], y)
    big = LogisticRegression().fit(X, other)
    assert big.log_likelihood_ < small.log_likelihood_
    with pytest.raises(InferenceError, match="not nested fits of the same data"):
        small.lr_test(big)


def test_models_of_different_families_raise():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(90, 2)), columns=["a", "b"])
    y = np.arange(90) % 3
    multinomial = LogisticRegression().fit(X, y)
    ovr = LogisticRegression(multi_class="ovr").fit(X[["a"]], y)
    with pytest.raises(InferenceError, match="multi_class='ovr'"):
        multinomial.lr_test(ovr)


def test_score_test_on_other_data_raises(spector):
    X, y = spector
    small = LogisticRegression().fit(X[["GPA"]], y)
    with pytest.raises(InferenceError, match="not the data this model was fitted on"):
        small.score_test(X[["GPA"]], 1 - y, X[["TUCE"]])
    with pytest.raises(ValueError, match="32 rows"):
        small.score_test(X[["GPA"]], y, np.ones((5, 1)))


def test_multinomial_lr_test_and_anova_match_mnlogit_log_likelihoods():
    data = sm.datasets.anes96.load_pandas().data
    X, y = data[["logpopul", "selfLR", "age"]], data["PID"].astype(int) % 3
    big = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    small = sm.MNLogit(y, sm.add_constant(X[["selfLR"]])).fit(disp=0, method="newton",
                                                             tol=1e-12)
    ours = LogisticRegression().fit(X, y).lr_test(LogisticRegression().fit(X[["selfLR"]], y))
    statistic = 2 * (big.llf - small.llf)
    np.testing.assert_allclose([ours.statistic, ours.df], [statistic, 4], rtol=1e-8)
    np.testing.assert_allclose(ours.p_value, stats.chi2.sf(statistic, 4), rtol=1e-7)


def test_score_test_on_sparse_data_is_the_dense_one(spector):
    import scipy.sparse as sp

    X, y = spector
    dense = LogisticRegression().fit(X[["GPA"]].to_numpy(), y)
    sparse = LogisticRegression().fit(sp.csr_matrix(X[["GPA"]].to_numpy()), y)
    added = X[["TUCE", "PSI"]].to_numpy()
    np.testing.assert_allclose(
        sparse.score_test(sp.csr_matrix(X[["GPA"]].to_numpy()), y, sp.csr_matrix(added)).statistic,
        dense.score_test(X[["GPA"]].to_numpy(), y, added).statistic, rtol=1e-9)
