"""Predictions with standard errors and intervals, against R's predict(se.fit=TRUE),
statsmodels' GLM get_prediction and, for K classes, the delta method with statsmodels'
MNLogit predictions and its complex-step derivative."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from statsmodels.tools.numdiff import approx_fprime_cs

from logistic import LogisticRegression
from logistic.exceptions import InferenceError


@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas().data
    return data[["GPA", "TUCE", "PSI"]], data["GRADE"].astype(int)


def test_link_and_response_standard_errors_match_r_predict_se_fit(spector):
    """R 4.2.2: m <- glm(GRADE ~ GPA + TUCE + PSI, binomial, spector, control =
    glm.control(epsilon = 1e-14, maxit = 100)); predict(m, d[1:3, ], se.fit = TRUE);
    predict(..., type = "response", se.fit = TRUE). (R's default epsilon = 1e-8 stops one
    IRLS step early, and its vcov, from that step's weights, is then 1e-5 off.)"""
    X, y = spector
    prediction = LogisticRegression().fit(X, y).get_prediction(X.iloc[:3])
    np.testing.assert_allclose(prediction.linear_predictor,
                               [-3.60073412935190, -2.76041290989154, -1.46791367524889],
                               rtol=1e-9)
    np.testing.assert_allclose(prediction.se_linear,
                               [1.228509747995203, 0.986480139806098, 0.764465428049251],
                               rtol=1e-7)
    np.testing.assert_allclose(prediction.se_probability,
                               [0.0317835178480885, 0.0552042726933853, 0.1163467837825606],
                               rtol=1e-7)


def test_weighted_fit_standard_errors_match_r(spector):
    """R 4.2.2: glm(..., weights = 1 + (seq_len(32) %% 3), control = glm.control(epsilon =
    1e-14)); predict(m, d[c(1, 5, 10), ], se.fit = TRUE)."""
    X, y = spector
    w = 1.0 + (np.arange(1, 33) % 3)
    prediction = LogisticRegression().fit(X, y, sample_weight=w).get_prediction(
        X.iloc[[0, 4, 9]])
    np.testing.assert_allclose(prediction.linear_predictor,
                               [-3.202829500018062, 0.467993915237549, 1.707808600775770],
                               rtol=1e-8)
    np.testing.assert_allclose(prediction.se_linear,
                               [0.785020409074523, 0.785240355398495, 0.864779096580116],
                               rtol=1e-7)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0"])
def test_summary_frame_matches_statsmodels_glm_get_prediction(spector, cov_type):
    X, y = spector
    ours = LogisticRegression(cov_type=cov_type).fit(X, y).get_prediction(X, alpha=0.1)
    glm = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(cov_type=cov_type,
                                                                          tol=1e-14)
    reference = glm.get_prediction(sm.add_constant(X)).summary_frame(alpha=0.1)
    frame = ours.summary_frame()
    np.testing.assert_allclose(frame.iloc[:, :4], reference.to_numpy(), rtol=1e-7)
    link = glm.get_prediction(sm.add_constant(X), which="linear").summary_frame(alpha=0.1)
    np.testing.assert_allclose(frame.iloc[:, 4:], link.to_numpy(), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(ours.conf_int("link"), link.iloc[:, 2:].to_numpy(), rtol=1e-7)


def test_multinomial_probability_standard_errors_are_the_delta_method():
    data = sm.datasets.anes96.load_pandas().data
    X, y = data[["logpopul", "selfLR", "age", "educ"]], data["PID"].astype(int) % 3
    ours = LogisticRegression().fit(X, y).get_prediction(X.iloc[:6])
    result = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12)
    exog = sm.add_constant(X).iloc[:6].to_numpy()
    shape = result.params.shape

    def probabilities(params):
        return result.model.predict(params.reshape(shape, order="F"), exog).ravel()

    params = result.params.to_numpy().ravel(order="F")
    J = approx_fprime_cs(params, probabilities)
    se = np.sqrt(np.diag(J @ result.cov_params().to_numpy() @ J.T)).reshape(6, 3)
    np.testing.assert_allclose(ours.probability, probabilities(params).reshape(6, 3), rtol=1e-9)
    np.testing.assert_allclose(ours.se_probability, se, rtol=1e-7)
    np.testing.assert_allclose(ours.linear_predictor, exog @ result.params.to_numpy(),
                               rtol=1e-8)
    # each class's score: √(x̃ᵀ Vₖₖ x̃), statsmodels' covariance blocks
    V = result.cov_params().to_numpy()
    np.testing.assert_allclose(
        ours.se_linear[:, 1], np.sqrt(np.einsum("ij,jk,ik->i", exog, V[5:, 5:], exog)),
        rtol=1e-7)
    assert ours.summary_frame().shape == (18, 4)


def test_sparse_and_formula_inputs(spector):
    X, y = spector
    dense = LogisticRegression().fit(X.to_numpy(), y).get_prediction(X.to_numpy())
    sparse = LogisticRegression().fit(sp.csr_matrix(X.to_numpy()), y).get_prediction(
        sp.csr_matrix(X.to_numpy()))
    np.testing.assert_allclose(sparse.se_linear, dense.se_linear, rtol=1e-9)
    frame = X.assign(GRADE=y)
    formula = LogisticRegression.from_formula("GRADE ~ GPA + TUCE + PSI", frame)
    np.testing.assert_allclose(formula.get_prediction(frame).se_linear, dense.se_linear,
                               rtol=1e-9)


def test_without_an_intercept_the_standard_error_is_that_of_x_w(spector):
    X, y = spector
    ours = LogisticRegression(fit_intercept=False).fit(X, y).get_prediction(X)
    glm = sm.GLM(y, X, family=sm.families.Binomial()).fit(tol=1e-14)
    np.testing.assert_allclose(ours.se_linear, glm.get_prediction(X, which="linear").se,
                               rtol=1e-7)


def test_bad_input(spector):
    X, y = spector
    with pytest.raises(InferenceError, match="get_prediction"):
        LogisticRegression(penalty="l2").fit(X, y).get_prediction(X)
    prediction = LogisticRegression().fit(X, y).get_prediction(X)
    with pytest.raises(ValueError, match="scale must be"):
        prediction.conf_int("odds")
    with pytest.raises(ValueError, match="alpha"):
        LogisticRegression().fit(X, y).get_prediction(X, alpha=1.5)
    with pytest.raises(ValueError):
        LogisticRegression().fit(X, y).get_prediction(pd.DataFrame({"GPA": [1.0]}))
