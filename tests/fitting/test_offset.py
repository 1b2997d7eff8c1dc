"""Offsets, z = Xw + b + o: ``fit(X, y, offset=o)`` and the predictions that need it.

References: R 4.2.2 (2022-11-10 r83330) on the 30 rows written below::

    m <- glm(y ~ x1 + x2 + offset(log(expo)), family = binomial, data = d,
             control = glm.control(epsilon = 1e-14, maxit = 100))
    coef(m); sqrt(diag(vcov(m))); deviance(m); m$null.deviance; AIC(m); logLik(m)
    predict(m, data.frame(x1 = c(0.5, -1), x2 = c(1, 0.2), expo = c(2, 0.7)),
            type = "response")
    m0 <- update(m, . ~ . - 1)        # its null model is z = offset: null deviance 45.33

and statsmodels' GLM(Binomial, offset=) / Logit(offset=) for dense, sparse and weighted
fits, glum (offset=) for penalized ones.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from glum import GeneralizedLinearRegressor

from logistic import DataError, LogisticRegression
from logistic.core.objective import Objective

Y = [1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0]
X1 = [0.001, 0.299, -0.274, -0.891, -0.455, -0.992, 0.06, 1.34, -0.492, -0.62, 0.49, 0.357,
      0.105, -0.93, -0.029, 0.695, -1.344, -0.458, -1.901, -1.29, -1.842, -0.235, -1.267,
      0.271, 0.157, -0.187, -2.517, -0.539, -0.049, 0.113]
X2 = [0.994, 0.495, 0.024, 0.385, 1.384, 0.401, 0.739, 0.007, 1.66, 0.309, 0.535, 1.761, 1.02,
      1.694, 1.279, 1.484, 0.183, 1.082, 1.016, 1.743, 0.723, 1.196, 0.119, 0.775, 0.646, 0.3,
      1.633, 0.759, 1.957, 1.18]
EXPOSURE = [2.013, 2.095, 2.191, 0.877, 1.601, 1.099, 1.506, 0.742, 2.92, 1.038, 2.179, 1.251,
            2.685, 2.156, 0.829, 2.613, 2.862, 2.76, 1.924, 0.864, 0.981, 2.82, 1.881, 0.951,
            2.71, 2.104, 1.924, 1.441, 1.527, 1.099]
R_COEF = [0.21520343322360769, 0.93312361249853626, -0.92577716780133879]
R_SE = [0.79580224236313613, 0.59337595493464212, 0.75247579962708611]
R_DEVIANCE, R_NULL_DEVIANCE = 34.503253705725861, 39.323016785118298
R_AIC, R_LOGLIK, R_DF_RESID = 40.503253705725861, -17.25162685286293, 27
R_NO_INTERCEPT_COEF = [0.89060376493613858, -0.75642144775667608]
R_NO_INTERCEPT_NULL_DEVIANCE = 45.32815210514137
R_NO_INTERCEPT_DEVIANCE = 34.577507591808327
R_PREDICTED = [0.6104336127591935, 0.22101683547112883]


def frame() -> pd.DataFrame:
    return pd.DataFrame({"y": Y, "x1": X1, "x2": X2, "expo": EXPOSURE})


def _params(model):
    return np.r_[model.intercept_, model.coef_.ravel()]


def test_fit_with_an_offset_matches_r_glm():
    d = frame()
    model = LogisticRegression(tol=1e-12).fit(d[["x1", "x2"]], d["y"],
                                              offset=np.log(d["expo"]))
    st = model.statistics_
    np.testing.assert_allclose(_params(model), R_COEF, rtol=1e-9)
    np.testing.assert_allclose(st.std_err, R_SE, rtol=1e-8)
    assert st.deviance == pytest.approx(R_DEVIANCE, rel=1e-11)
    assert st.null_deviance == pytest.approx(R_NULL_DEVIANCE, rel=1e-11)
    assert st.aic == pytest.approx(R_AIC, rel=1e-11)
    assert st.log_likelihood == pytest.approx(R_LOGLIK, rel=1e-11)
    assert st.df_resid == R_DF_RESID
    assert model.offset_name_ == "expo"  # the Series' name
    new = pd.DataFrame({"x1": [0.5, -1.0], "x2": [1.0, 0.2]})
    predicted = model.predict_proba(new, offset=np.log([2.0, 0.7]))[:, 1]
    np.testing.assert_allclose(predicted, R_PREDICTED, rtol=1e-9)


def test_without_an_intercept_the_null_model_is_the_offset_alone():
    d = frame()
    model = LogisticRegression(tol=1e-12, fit_intercept=False).fit(
        d[["x1", "x2"]].to_numpy(), d["y"].to_numpy(), offset=np.log(d["expo"]).to_numpy())
    np.testing.assert_allclose(model.coef_.ravel(), R_NO_INTERCEPT_COEF, rtol=1e-9)
    assert model.statistics_.null_deviance == pytest.approx(R_NO_INTERCEPT_NULL_DEVIANCE,
                                                            rel=1e-11)
    assert model.statistics_.deviance == pytest.approx(R_NO_INTERCEPT_DEVIANCE, rel=1e-11)
    assert model.offset_name_ == "offset"


def test_formula_offset_matches_r_and_predicts_from_the_column(tmp_path):
    d = frame().assign(logexpo=np.log(frame()["expo"]))
    model = LogisticRegression.from_formula("y ~ x1 + x2 + offset(logexpo)", d, tol=1e-12)
    np.testing.assert_allclose(_params(model), R_COEF, rtol=1e-9)
    assert model.offset_name_ == "logexpo" and model.formula_.offset == "logexpo"
    new = pd.DataFrame({"x1": [0.5, -1.0], "x2": [1.0, 0.2], "logexpo": np.log([2.0, 0.7])})
    np.testing.assert_allclose(model.predict_proba(new)[:, 1], R_PREDICTED, rtol=1e-9)
    path = tmp_path / "m.json"
    model.save(path)
    from logistic import load

    loaded = load(path)
    np.testing.assert_allclose(loaded.predict_proba(new)[:, 1], R_PREDICTED, rtol=1e-9)
    assert loaded.offset_name_ == "logexpo"
    with pytest.raises(DataError, match="offset column 'logexpo' is not in the data"):
        loaded.predict_proba(new.drop(columns="logexpo"))


def test_saved_models_keep_the_offset_and_grouped_statistics(tmp_path):
    from logistic import load
    from logistic.io.model_file import SCHEMA_VERSION

    X, y, offset = _data()
    fitted = LogisticRegression().fit(X, y, offset=offset)
    fitted.save(tmp_path / "o.json")
    loaded = load(tmp_path / "o.json")
    assert loaded.offset_name_ == "offset"
    with pytest.raises(DataError, match="fitted with an offset"):
        loaded.predict(X)
    np.testing.assert_array_equal(loaded.predict_proba(X, offset=offset),
                                  fitted.predict_proba(X, offset=offset))
    assert '"schema_version": 4' in (tmp_path / "o.json").read_text()
    assert SCHEMA_VERSION == 4
    rng = np.random.default_rng(5)
    n = rng.integers(0, 20, size=50)
    n[0] = 3
    s = rng.binomial(n, 0.4)
    grouped = LogisticRegression().fit(X[:50], s, trials=n)
    grouped.save(tmp_path / "g.json")
    back = load(tmp_path / "g.json")
    for name in ("deviance", "null_deviance", "aic", "bic", "df_resid", "log_likelihood"):
        assert getattr(back.statistics_, name) == getattr(grouped.statistics_, name)
    assert back.grouped_ == grouped.grouped_
    plain = LogisticRegression().fit(X, y)
    plain.save(tmp_path / "p.json")  # without either: the schema as before
    assert '"schema_version": 2' in (tmp_path / "p.json").read_text()
    assert load(tmp_path / "p.json").offset_name_ is None


def _data(seed=0, n=200):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X[rng.random(X.shape) < 0.4] = 0.0
    offset = rng.normal(scale=0.7, size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ [0.8, -0.5, 0.3] + 0.2 + offset)))).astype(int)
    return X, y, offset


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_statsmodels_glm(sparse, weighted):
    X, y, offset = _data()
    w = np.random.default_rng(1).integers(1, 4, size=len(y)).astype(float) if weighted else None
    glm = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(), offset=offset,
                 freq_weights=w).fit(tol=1e-13)
    model = LogisticRegression(tol=1e-12).fit(sp.csr_matrix(X) if sparse else X, y,
                                              sample_weight=w, offset=offset)
    st = model.statistics_
    np.testing.assert_allclose(_params(model), glm.params, rtol=1e-9)
    np.testing.assert_allclose(st.std_err, glm.bse, rtol=1e-9)
    assert st.log_likelihood == pytest.approx(glm.llf, rel=1e-11)
    assert st.null_deviance == pytest.approx(glm.null_deviance, rel=1e-10)
    assert st.deviance == pytest.approx(glm.deviance, rel=1e-10)


@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
def test_logit_offset_and_robust_errors_match_statsmodels(solver):
    X, y, offset = _data(2)
    logit = sm.Logit(y, sm.add_constant(X), offset=offset).fit(disp=0, method="newton",
                                                               tol=1e-13, cov_type="HC0")
    model = LogisticRegression(tol=1e-9 if solver == "lbfgs" else 1e-12, solver=solver,
                               max_iter=1000, cov_type="HC0").fit(X, y, offset=offset)
    np.testing.assert_allclose(_params(model), logit.params, rtol=1e-7)
    np.testing.assert_allclose(model.statistics_.std_err, logit.bse, rtol=1e-6)
    np.testing.assert_allclose(model.decision_function(X, offset=offset),
                               sm.add_constant(X) @ logit.params + offset, atol=1e-6)


@pytest.mark.parametrize(("penalty", "l1_ratio"), [("l2", 0.0), ("l1", 1.0),
                                                   ("elasticnet", 0.5)])
def test_penalized_offset_fit_matches_glum(penalty, l1_ratio):
    X, y, offset = _data(3)
    C = 0.05
    model = LogisticRegression(penalty, C=C, l1_ratio=l1_ratio if penalty == "elasticnet"
                               else None, tol=1e-12).fit(X, y, offset=offset)
    reference = GeneralizedLinearRegressor(family="binomial", alpha=1.0 / (C * len(y)),
                                           l1_ratio=l1_ratio, gradient_tol=1e-12,
                                           max_iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference.fit(X, y, offset=offset)
    np.testing.assert_allclose(model.coef_.ravel(), reference.coef_, rtol=1e-6, atol=1e-8)
    assert model.intercept_[0] == pytest.approx(reference.intercept_, rel=1e-6)


def test_an_offset_of_a_column_shifts_that_coefficient_exactly():
    """o = c·x₀ is the model with w₀ + c: the fit's w₀ is the plain fit's minus c."""
    X, y, _ = _data(4)
    plain = LogisticRegression(tol=1e-12).fit(X, y)
    shifted = LogisticRegression(tol=1e-12).fit(X, y, offset=0.7 * X[:, 0])
    np.testing.assert_allclose(shifted.coef_.ravel(), plain.coef_.ravel() - [0.7, 0, 0],
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(shifted.statistics_.std_err, plain.statistics_.std_err,
                               rtol=1e-9)


def test_objective_without_an_offset_keeps_its_single_pass_kernel():
    X, y, offset = _data(n=100_000)  # above the size at which the compiled pass is used
    assert Objective(X, y.astype(float)).fused
    assert not Objective(X, y.astype(float), offset=offset).fused


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (np.zeros(5), "one value per row"),
        (np.r_[np.zeros(199), np.nan], "NaN or infinity"),
        (np.r_[np.zeros(199), np.inf], "NaN or infinity"),
        (np.array(["a"] * 200), "numbers"),
        (sp.csr_matrix(np.ones((200, 1))), "dense"),
    ],
)
def test_bad_offsets_are_refused(offset, message):
    X, y, _ = _data()
    with pytest.raises(DataError, match=message):
        LogisticRegression().fit(X, y, offset=offset)


def test_prediction_offsets_fitted_and_not():
    X, y, offset = _data()
    with_offset = LogisticRegression().fit(X, y, offset=offset)
    with pytest.raises(DataError, match="fitted with an offset"):
        with_offset.predict_proba(X)
    with pytest.raises(DataError, match="one value per row"):
        with_offset.predict(X, offset=offset[:10])
    plain = LogisticRegression().fit(X, y)
    # a model fitted without an offset adds one given at prediction (as statsmodels)
    np.testing.assert_allclose(plain.decision_function(X, offset=offset),
                               plain.decision_function(X) + offset)


def test_offsets_refused_where_not_supported():
    X, y, offset = _data()
    three = np.arange(len(y)) % 3
    with pytest.raises(DataError, match="two classes"):
        LogisticRegression().fit(X, three, offset=offset)
    with pytest.raises(DataError, match="Firth"):
        LogisticRegression("firth").fit(X, y, offset=offset)
    with pytest.raises(DataError, match="cross-entropy"):
        LogisticRegression(loss="squared_error").fit(X, y, offset=offset)
    multinomial = LogisticRegression().fit(X, three)
    with pytest.raises(DataError, match="two-class"):
        multinomial.predict(X, offset=offset)


def test_formula_offset_errors():
    d = frame()
    with pytest.raises(DataError, match="not in the data"):
        LogisticRegression.from_formula("y ~ x1 + offset(nope)", d)
    with pytest.raises(DataError, match="one offset"):
        LogisticRegression.from_formula("y ~ x1 + offset(x2) + offset(expo)", d)
    with pytest.raises(DataError, match="offset\\(column\\)"):
        LogisticRegression.from_formula("y ~ x1 + offset(log(expo))", d)


def test_logistic_path_with_an_offset_equals_each_single_fit():
    """The path at each C is the estimator's fit at that C (both checked against glum)."""
    from logistic import logistic_path

    X, y, offset = _data(6)
    Cs = [0.01, 0.1, 1.0]
    path = logistic_path(X, y, Cs=Cs, penalty="l1", offset=offset, tol=1e-10)
    for C, coefs in zip(Cs, path.coefs, strict=True):
        single = LogisticRegression("l1", C=C, tol=1e-10).fit(X, y, offset=offset)
        np.testing.assert_allclose(coefs, np.r_[single.coef_.ravel(), single.intercept_],
                                   rtol=1e-6, atol=1e-9)


def test_cv_takes_an_offset_but_no_trials():
    from logistic import LogisticRegressionCV

    X, y, offset = _data()
    cv = LogisticRegressionCV(Cs=[1.0]).fit(X, y, offset=offset)  # one C: the refit is it
    at_C = LogisticRegression(penalty="l2", C=1.0).fit(X, y, offset=offset)
    np.testing.assert_allclose(cv.coef_, at_C.coef_, rtol=1e-10)
    with pytest.raises(TypeError, match="trials"):
        LogisticRegressionCV().fit(X, y, trials=np.full(len(y), 2.0))


def test_profile_intervals_refuse_offset_fits():
    X, y, offset = _data()
    model = LogisticRegression().fit(X, y, offset=offset)
    with pytest.raises(DataError, match="profile intervals"):
        model.conf_int(method="profile", X=X, y=y)
    assert model.conf_int().shape == (4, 2)  # Wald's needs no data


def test_dask_predictions_refuse_offsets():
    da = pytest.importorskip("dask.array")
    X, y, offset = _data()
    lazy = da.from_array(X, chunks=(50, 3))
    with pytest.raises(DataError, match="not supported for dask"):
        LogisticRegression().fit(X, y).predict_proba(lazy, offset=offset)
    with pytest.raises(DataError, match="fitted with an offset"):
        LogisticRegression().fit(X, y, offset=offset).predict(lazy)
    with pytest.raises(DataError, match="not supported for dask"):
        LogisticRegression().fit(lazy, y, offset=offset)
