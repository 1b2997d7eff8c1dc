"""Standard errors, tests and the summary, against statsmodels and closed forms."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest
import scipy.linalg
import statsmodels.api as sm
from scipy import stats

from logistic import LogisticRegression, SeparationWarning


@pytest.fixture(scope="module")
def fitted(spector):
    X, y = spector
    ours = LogisticRegression(tol=1e-12).fit(X, y)
    theirs = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-14, maxiter=100)
    return ours, theirs


def test_standard_errors_z_and_p_values_match_statsmodels(fitted):
    ours, theirs = fitted
    np.testing.assert_allclose(ours.cov_, theirs.cov_params().values, rtol=1e-6)
    np.testing.assert_allclose(ours.std_err_, theirs.bse.values, rtol=1e-6)
    np.testing.assert_allclose(ours.z_, theirs.tvalues.values, rtol=1e-6)
    np.testing.assert_allclose(ours.p_values_, theirs.pvalues.values, rtol=1e-6)
    np.testing.assert_allclose(ours.conf_int(), theirs.conf_int().values, rtol=1e-6)
    np.testing.assert_allclose(ours.conf_int(0.1), theirs.conf_int(0.1).values, rtol=1e-6)


def test_likelihood_statistics_match_statsmodels(fitted):
    ours, theirs = fitted
    np.testing.assert_allclose(ours.log_likelihood_, theirs.llf, rtol=1e-10)
    np.testing.assert_allclose(ours.null_log_likelihood_, theirs.llnull, rtol=1e-10)
    np.testing.assert_allclose(ours.aic_, theirs.aic, rtol=1e-10)
    np.testing.assert_allclose(ours.bic_, theirs.bic, rtol=1e-10)
    np.testing.assert_allclose(ours.pseudo_r2_, theirs.prsquared, rtol=1e-10)
    np.testing.assert_allclose(ours.lr_stat_, theirs.llr, rtol=1e-10)
    np.testing.assert_allclose(ours.lr_p_value_, theirs.llr_pvalue, rtol=1e-8)
    np.testing.assert_allclose(ours.deviance_, -2 * theirs.llf, rtol=1e-10)
    assert ours.df_model_ == theirs.df_model and ours.df_resid_ == theirs.df_resid


def test_frequency_weights_equal_repeated_rows(spector):
    X, y = spector
    counts = np.random.default_rng(0).integers(1, 5, size=len(y))
    ours = LogisticRegression(tol=1e-12).fit(X, y, sample_weight=counts)
    theirs = sm.Logit(np.repeat(y.values, counts), sm.add_constant(np.repeat(X.values, counts, 0)))
    theirs = theirs.fit(disp=0, tol=1e-14)
    np.testing.assert_allclose(ours.std_err_, theirs.bse, rtol=1e-6)
    np.testing.assert_allclose(ours.log_likelihood_, theirs.llf, rtol=1e-10)
    np.testing.assert_allclose(ours.bic_, theirs.bic, rtol=1e-10)
    assert ours.df_resid_ == theirs.df_resid


def test_without_intercept_the_null_model_is_z_equal_zero(spector):
    X, y = spector
    ours = LogisticRegression(fit_intercept=False, tol=1e-12).fit(X, y)
    theirs = sm.Logit(y, X).fit(disp=0, tol=1e-14)
    np.testing.assert_allclose(ours.coef_.ravel(), theirs.params, rtol=1e-8)
    np.testing.assert_allclose(ours.std_err_, theirs.bse, rtol=1e-6)
    # as R's glm: the null model of a model without intercept has linear predictor 0
    np.testing.assert_allclose(ours.null_log_likelihood_, len(y) * np.log(0.5), rtol=1e-12)
    assert ours.df_model_ == 3


def test_collinear_columns_use_the_pseudo_inverse(spector):
    X, y = spector
    doubled = np.column_stack([X.values, X.values[:, 2]])
    model = LogisticRegression(tol=1e-10).fit(doubled, y)
    p = model.predict_proba(doubled)[:, 1]
    design = np.column_stack([np.ones(len(y)), doubled])
    information = design.T @ (design * (p * (1 - p))[:, None])
    np.testing.assert_allclose(model.cov_, scipy.linalg.pinvh(information, rtol=1e-10),
                               rtol=1e-6, atol=1e-10)
    # the duplicated column and its twin share the coefficient and its uncertainty evenly
    assert model.std_err_[3] == pytest.approx(model.std_err_[4], rel=1e-8)
    assert model.df_model_ == 3
    assert "rank 4 < 5" in model.summary().note


def test_summary_table_and_text(fitted):
    ours, theirs = fitted
    summary = ours.summary()
    table = summary.table
    assert list(table.index) == ["Intercept", "GPA", "TUCE", "PSI"]
    assert list(table.columns) == ["coef", "std err", "z", "P>|z|", "[0.025", "0.975]"]
    np.testing.assert_allclose(table["std err"], theirs.bse.values, rtol=1e-6)
    assert summary.header["No. Observations"] == 32
    text = str(summary)
    for term in table.index:
        assert term in text
    assert f"{theirs.llf:.6g}" in text


def test_penalized_fit_says_why_there_are_no_standard_errors(spector):
    X, y = spector
    model = LogisticRegression(penalty="l2").fit(X, y)
    with pytest.raises(AttributeError, match="not reported for penalty='l2'"):
        _ = model.std_err_
    summary = model.summary()
    assert summary.table["std err"].isna().all()
    assert summary.table["coef"].notna().all()
    assert "biased by design" in summary.note and "biased by design" in str(summary)


def test_conf_int_checks_its_arguments(fitted):
    ours, _ = fitted
    with pytest.raises(ValueError, match="alpha"):
        ours.conf_int(alpha=1.5)
    with pytest.raises(ValueError, match="method"):
        ours.conf_int(method="bootstrap")


def test_wald_interval_is_the_normal_quantile(fitted):
    ours, _ = fitted
    params = np.concatenate([ours.intercept_, ours.coef_.ravel()])
    half = (ours.conf_int(0.01)[:, 1] - ours.conf_int(0.01)[:, 0]) / 2
    np.testing.assert_allclose(half, stats.norm.ppf(0.995) * ours.std_err_, rtol=1e-12)
    np.testing.assert_allclose(ours.conf_int(0.01).mean(axis=1), params, rtol=1e-12)


def test_summary_of_a_dataframe_keeps_feature_names():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(200, 2)), columns=["height", "weight"])
    y = rng.random(200) < 0.5
    assert list(LogisticRegression().fit(frame, y).summary().table.index) == [
        "Intercept",
        "height",
        "weight",
    ]


# -- sandwich covariances ------------------------------------------------------------------


def _spector_objective(spector):
    from logistic.core.objective import Objective

    X, y = spector
    model = LogisticRegression(tol=1e-12).fit(X, y)
    theta = np.append(model.coef_[0], model.intercept_)
    return Objective(X.values, y.values), theta


def test_hc0_and_cluster_covariances_match_statsmodels(spector):
    from logistic.inference.statistics import fit_statistics

    objective, theta = _spector_objective(spector)
    X, y = spector
    groups = np.arange(len(y)) % 6
    for cov_type, extra in (("HC0", {}), ("cluster", {"cov_kwds": {"groups": groups}})):
        ours = fit_statistics(objective, theta, tuple("abcd"), cov_type, groups)
        theirs = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-14, cov_type=cov_type,
                                                      **extra)
        np.testing.assert_allclose(ours.cov, theirs.cov_params().values, rtol=1e-8)
        assert ours.cov_type == cov_type


def test_hc1_is_hc0_with_the_degrees_of_freedom_factor(spector):
    # statsmodels returns HC0 for every HCx outside linear models (its issue #7798);
    # HC1 here is R sandwich's: HC0 · n / (n - k)
    from logistic.inference.statistics import fit_statistics

    objective, theta = _spector_objective(spector)
    hc0 = fit_statistics(objective, theta, tuple("abcd"), "HC0").cov
    hc1 = fit_statistics(objective, theta, tuple("abcd"), "HC1").cov
    np.testing.assert_allclose(hc1, hc0 * 32 / (32 - 4), rtol=1e-13)


def test_multinomial_hc0_is_the_literal_sandwich():
    from logistic.core.losses import softmax_cross_entropy
    from logistic.core.objective import Objective
    from logistic.inference.statistics import fit_statistics

    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 2))
    labels = rng.integers(0, 3, size=400)
    model = LogisticRegression(tol=1e-12).fit(X, labels)
    objective = Objective(X, np.eye(3)[labels], None, softmax_cross_entropy)
    theta = objective.join(model.coef_.T, model.intercept_)
    ours = fit_statistics(objective, theta, tuple(range(6)), "HC0").cov
    # reference parametrization: classes 1, 2 against 0, rows [1, x1, x2]
    P = model.predict_proba(X)
    design = np.column_stack([np.ones(400), X])
    scores = np.hstack([(np.eye(3)[labels] - P)[:, [k]] * design for k in (1, 2)])
    information = sum(
        np.kron(np.diag(P[i, 1:]) - np.outer(P[i, 1:], P[i, 1:]), np.outer(design[i], design[i]))
        for i in range(400)
    )
    bread = np.linalg.inv(information)
    np.testing.assert_allclose(ours, bread @ (scores.T @ scores) @ bread, rtol=1e-8)


def test_estimator_cov_type_option(spector):
    X, y = spector
    groups = np.arange(len(y)) % 6
    robust = LogisticRegression(cov_type="HC0", tol=1e-12).fit(X, y)
    clustered = LogisticRegression(cov_type="cluster", tol=1e-12).fit(X, y, groups=groups)
    for model, cov_type, extra in (
        (robust, "HC0", {}),
        (clustered, "cluster", {"cov_kwds": {"groups": groups}}),
    ):
        theirs = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-14, cov_type=cov_type,
                                                      **extra)
        np.testing.assert_allclose(model.std_err_, theirs.bse.values, rtol=1e-7)
        assert model.summary().header["Covariance Type"] == cov_type
    with pytest.raises(ValueError, match="needs fit\\(X, y, groups=...\\)"):
        LogisticRegression(cov_type="cluster").fit(X, y)
    with pytest.raises(ValueError, match="cov_type must be"):
        LogisticRegression(cov_type="HC9").fit(X, y)


def test_summary_html_escapes_the_users_column_names():
    """A column named like markup shows as text in a notebook's HTML summary, note included."""
    rng = np.random.default_rng(3)
    name = "<img src=x onerror=alert(1)>"
    x = rng.normal(size=60)
    flag = (rng.random(60) < 0.3).astype(float)
    y = ((x + rng.normal(size=60) > 0) | (flag == 1)).astype(int)  # flag = 1 only in class 1
    frame = pd.DataFrame({"x": x, name: flag})
    with pytest.warns(SeparationWarning):
        model = LogisticRegression().fit(frame, y)
    page = model.summary()._repr_html_()
    assert name not in page
    assert html.escape(name) in page
    assert model.summary().note and html.escape(model.summary().note.splitlines()[0]) in page
