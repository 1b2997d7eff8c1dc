"""Odds ratios exp(c·β) with Wald and profile intervals, against statsmodels and R (MASS)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from logistic import LogisticRegression
from logistic.exceptions import InferenceError


@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas().data
    return data[["GPA", "TUCE", "PSI"]], data["GRADE"].astype(int)


def test_wald_odds_ratios_are_statsmodels_exp_params_and_conf_int(spector):
    X, y = spector
    table = LogisticRegression().fit(X, y).odds_ratios(alpha=0.1)
    result = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    np.testing.assert_allclose(table["odds ratio"], np.exp(result.params[1:]), rtol=1e-9)
    np.testing.assert_allclose(table.iloc[:, 4:6], np.exp(result.conf_int(0.1).iloc[1:]),
                               rtol=1e-8)
    # the delta method's std err, as Stata's `logistic` prints it: OR·se(β)
    np.testing.assert_allclose(table["std err"], np.exp(result.params[1:]) * result.bse[1:],
                               rtol=1e-8)
    np.testing.assert_allclose(table["P>|z|"], result.pvalues[1:], rtol=1e-8)
    assert list(table.index) == ["GPA", "TUCE", "PSI"]  # no intercept row


# R 4.2.2: the exact profile likelihood interval of each β (then exp), by uniroot on
#   deviance(glm(GRADE ~ <others>, offset = b * <column>, binomial, weights = wt,
#                control = glm.control(epsilon = 1e-15, maxit = 200))) - deviance(full)
#   - qchisq(0.95, 1), tol = 1e-13. (MASS 7.3.58.2's exp(confint(m)) interpolates the profile
#   by a spline: 1.89528, 316.478 for GPA, 5e-4 off these.)
R_PROFILE_OR = np.array([[1.894885035575339, 316.31275224746616],
                         [0.843494531351679, 1.49932873490942],
                         [1.613598193927881, 122.71680936160003]])
#   the same with wt = 1 + (seq_len(32) %% 3)
R_PROFILE_OR_WEIGHTED = np.array([[2.998669234186625, 82.47660274044816],
                                  [0.997844422054532, 1.49228890704275],
                                  [2.670295714033135, 50.46190501699471]])


def test_profile_odds_ratios_match_r_exact_profile(spector):
    X, y = spector
    model = LogisticRegression().fit(X, y)
    table = model.odds_ratios(method="profile", X=X, y=y)
    np.testing.assert_allclose(table.iloc[:, 4:6], R_PROFILE_OR, rtol=1e-7)
    per_half = model.odds_ratios(method="profile", X=X, y=y, increments={"GPA": 0.5})
    np.testing.assert_allclose(per_half.loc["GPA"].iloc[4:6], np.sqrt(R_PROFILE_OR[0]),
                               rtol=1e-7)


def test_weighted_profile_odds_ratios_match_r(spector):
    X, y = spector
    w = 1.0 + (np.arange(1, 33) % 3)
    model = LogisticRegression().fit(X, y, sample_weight=w)
    table = model.odds_ratios(method="profile", X=X, y=y, sample_weight=w)
    np.testing.assert_allclose(table.iloc[:, 4:6], R_PROFILE_OR_WEIGHTED, rtol=1e-7)


def test_increments_scale_the_log_odds_and_a_negative_one_swaps_the_ends(spector):
    X, y = spector
    model = LogisticRegression().fit(X, y)
    result = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    table = model.odds_ratios(increments={"TUCE": -10})
    ci = result.conf_int().loc["TUCE"].to_numpy()
    np.testing.assert_allclose(table.loc["TUCE", "odds ratio"],
                               np.exp(-10 * result.params["TUCE"]), rtol=1e-8)
    np.testing.assert_allclose(table.loc["TUCE"].iloc[4:6], np.exp(-10 * ci[::-1]), rtol=1e-8)


def test_multinomial_odds_ratios_are_mnlogit_exp_params():
    data = sm.datasets.anes96.load_pandas().data
    X, y = data[["logpopul", "selfLR", "age"]], data["PID"].astype(int) % 3
    table = LogisticRegression().fit(X, y).odds_ratios()
    result = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    expected = np.exp(result.params.iloc[1:].to_numpy().T.ravel())
    np.testing.assert_allclose(table["odds ratio"], expected, rtol=1e-7)
    assert table.index[0] == "1: logpopul"


def test_summary_with_odds_ratios_shows_the_odds_ratio_table(spector):
    X, y = spector
    summary = LogisticRegression().fit(X, y).summary(odds_ratios=True)
    result = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    np.testing.assert_allclose(summary.table["odds ratio"], np.exp(result.params[1:]),
                               rtol=1e-9)
    assert "odds ratio" in str(summary) and "Odds ratios exp(coef)" in str(summary)


def test_firth_summary_odds_ratios_exponentiate_its_profile_intervals(spector):
    X, y = spector
    model = LogisticRegression(penalty="firth").fit(X, y)
    table = model.summary(odds_ratios=True).table
    np.testing.assert_allclose(table.iloc[:, 4:6],
                               np.exp(model.summary().table.iloc[1:, 4:6]), rtol=1e-12)


def test_penalized_fit_odds_ratios_raise_inference_error(spector):
    X, y = spector
    model = LogisticRegression(penalty="l2").fit(X, y)
    with pytest.raises(InferenceError, match="penalty='l2'"):
        model.odds_ratios()
    with pytest.raises(InferenceError, match="penalty='l2'"):
        model.summary(odds_ratios=True)


def test_increments_naming_an_unknown_feature_raise(spector):
    X, y = spector
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="'age'.*not among the model's features"):
        model.odds_ratios(increments={"age": 10})
    with pytest.raises(ValueError, match="finite nonzero"):
        model.odds_ratios(increments={"GPA": 0})


def test_profile_odds_ratios_need_the_data_and_two_classes(spector):
    X, y = spector
    with pytest.raises(ValueError, match="needs the training data"):
        LogisticRegression().fit(X, y).odds_ratios(method="profile")
    multi = LogisticRegression().fit(pd.DataFrame(np.random.default_rng(0).normal(size=(60, 2))),
                                     np.arange(60) % 3)
    with pytest.raises(ValueError, match="two classes"):
        multi.odds_ratios(method="profile", X=np.zeros((60, 2)), y=np.arange(60) % 3)
