"""Grouped binomial data (successes out of trials, ``fit(X, s, trials=n)``) against R's glm.

The reference numbers are R 4.2.2's (2022-11-10 r83330), for statsmodels' shipped star98
data (303 school districts: NABOVE successes, NBELOW failures, 20 covariates)::

    m <- glm(cbind(NABOVE, NBELOW) ~ LOWINC + ... + PERSPEN_PTRATIO_PCTAF,
             family = binomial, data = d, control = glm.control(epsilon = 1e-14))
    coef(m); sqrt(diag(vcov(m))); deviance(m); m$null.deviance; AIC(m); BIC(m); logLik(m)
    sqrt(diag(sandwich::vcovHC(m, type = "HC1")))        # sandwich 3.x
    m2 <- update(m, . ~ . + offset(logpct))               # logpct = log(PERASIAN + 1) / 10

(the column order of the data, intercept first). Smaller cases check against statsmodels'
GLM with a two-column endog and against the expanded 0/1 rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm

from logistic import DataError, LogisticRegression

R_COEF = [2.9588779261836162, -0.016815036617131008, 0.0099254766112040742,
          -0.018724214780480308, -0.014238560943705332, 0.25448717299647816,
          0.24069366441828524, 0.08040867393810408, -1.9521605027236533,
          -0.33408647482695697, -0.1690221684739302, 0.0049167021229735283,
          -0.0035799643529617615, -0.014076564775629895, -0.0040049917551902821,
          -0.0039063957859164873, 0.091714300625307985, 0.048989838149186227,
          0.008040738901708526, 0.00022200950302440995, -0.0022492486130480395]
R_SE = [1.5467119568760719, 0.00043394669481185816, 0.00060137141331073607,
        0.00074354991328674542, 0.00043386551983603329, 0.029945758189740136,
        0.057138243294634267, 0.01392358567054517, 0.31681088910081268,
        0.061264108944623884, 0.03270138528771218, 0.0012538770210161602,
        0.00022546326553511071, 0.0019045727169203178, 0.00047398377739229759,
        0.00096236497459766099, 0.01450923356994748, 0.0074516660745229434,
        0.0014994970200656742, 2.9887937634463683e-05, 0.00034898381738903463]
R_HC1_SE = [5.6211143984096568, 0.0021586028204711749, 0.0024427160808032063,
            0.0029811124400345303, 0.0019663401957525795, 0.11034014141752177,
            0.2194820188272972, 0.055137894659755424, 1.0515093754724949,
            0.2135466187460491, 0.12167240195112504, 0.0055331472511357168,
            0.0010058992062275975, 0.007225030320956745, 0.0017584044430246195,
            0.003767895477621146, 0.048445455799133952, 0.026407085863210864,
            0.0056032540264109535, 0.00011276752729554981, 0.0012486061039370779]
R_DEVIANCE, R_NULL_DEVIANCE = 4078.7654177184422, 34345.368893070678
R_AIC, R_BIC, R_LOGLIK = 6039.2251179878067, 6117.213506903503, -2998.6125589939033
R_DF_RESID = 282
R_OFFSET_COEF_0, R_OFFSET_SE_0 = 2.7526217359064007, 1.5489457977101078
R_OFFSET_DEVIANCE, R_OFFSET_NULL_DEVIANCE = 3962.5977578768961, 31921.91175496301
R_OFFSET_AIC, R_OFFSET_LOGLIK = 5923.0574581462615, -2940.5287290731308


@pytest.fixture(scope="module")
def star98():
    data = sm.datasets.star98.load_pandas()
    successes = data.endog["NABOVE"].to_numpy()
    trials = successes + data.endog["NBELOW"].to_numpy()
    return data.exog, successes, trials


def _params(model):
    return np.r_[model.intercept_, model.coef_.ravel()]


def test_star98_matches_r_glm(star98):
    X, s, n = star98
    model = LogisticRegression(tol=1e-12).fit(X, s, trials=n)
    st = model.statistics_
    np.testing.assert_allclose(_params(model), R_COEF, rtol=1e-8, atol=1e-12)
    # R's vcov comes from the QR of its last IRLS iteration's weights (the step before its
    # final β), here 5e-8 away; statsmodels' GLM at its optimum agrees with ours to 1e-10
    np.testing.assert_allclose(st.std_err, R_SE, rtol=1e-7)
    endog = np.column_stack([s, n - s])
    reference = sm.GLM(endog, sm.add_constant(X), family=sm.families.Binomial()).fit(tol=1e-14)
    np.testing.assert_allclose(st.std_err, reference.bse, rtol=1e-9)
    assert st.deviance == pytest.approx(R_DEVIANCE, rel=1e-10)
    assert st.null_deviance == pytest.approx(R_NULL_DEVIANCE, rel=1e-10)
    assert st.aic == pytest.approx(R_AIC, rel=1e-10)
    assert st.bic == pytest.approx(R_BIC, rel=1e-10)
    assert st.log_likelihood == pytest.approx(R_LOGLIK, rel=1e-10)
    assert st.df_resid == R_DF_RESID
    assert model.grouped_.n_groups == 303 and model.grouped_.n_trials == n.sum()


def test_star98_hc1_matches_r_sandwich(star98):
    X, s, n = star98
    model = LogisticRegression(tol=1e-12, cov_type="HC1").fit(X, s, trials=n)
    np.testing.assert_allclose(model.statistics_.std_err, R_HC1_SE, rtol=2e-7)


def test_star98_with_an_offset_matches_r_glm(star98):
    X, s, n = star98
    logpct = np.log(X["PERASIAN"].to_numpy() + 1) / 10
    model = LogisticRegression(tol=1e-10).fit(X, s, trials=n, offset=logpct)
    st = model.statistics_
    assert model.intercept_[0] == pytest.approx(R_OFFSET_COEF_0, rel=1e-8)
    assert st.std_err[0] == pytest.approx(R_OFFSET_SE_0, rel=1e-7)  # R's last-QR SEs
    assert st.deviance == pytest.approx(R_OFFSET_DEVIANCE, rel=1e-10)
    assert st.null_deviance == pytest.approx(R_OFFSET_NULL_DEVIANCE, rel=1e-10)
    assert st.aic == pytest.approx(R_OFFSET_AIC, rel=1e-10)
    assert st.log_likelihood == pytest.approx(R_OFFSET_LOGLIK, rel=1e-10)


def _small(seed=0, groups=40):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(groups, 2))
    n = rng.integers(1, 30, size=groups)
    s = rng.binomial(n, 1 / (1 + np.exp(-(X @ [0.8, -0.4] - 0.2))))
    return X, s, n


def _statsmodels(X, s, n, **fit):
    endog = np.column_stack([s, n - s])
    glm = sm.GLM(endog, sm.add_constant(X), family=sm.families.Binomial())
    return glm.fit(tol=1e-13, **fit)


@pytest.mark.parametrize("sparse", [False, True])
def test_matches_statsmodels_glm_dense_and_sparse(sparse):
    X, s, n = _small()
    reference = _statsmodels(X, s, n)
    model = LogisticRegression(tol=1e-12).fit(sp.csr_matrix(X) if sparse else X, s, trials=n)
    st = model.statistics_
    np.testing.assert_allclose(_params(model), reference.params, rtol=1e-9)
    np.testing.assert_allclose(st.std_err, reference.bse, rtol=1e-9)
    assert st.log_likelihood == pytest.approx(reference.llf, rel=1e-11)
    assert st.deviance == pytest.approx(reference.deviance, rel=1e-9)
    assert st.null_deviance == pytest.approx(reference.null_deviance, rel=1e-11)
    assert st.aic == pytest.approx(reference.aic, rel=1e-11)
    assert st.df_resid == reference.df_resid


def test_hc0_matches_statsmodels_glm():
    X, s, n = _small(1)
    reference = _statsmodels(X, s, n, cov_type="HC0")
    model = LogisticRegression(tol=1e-12, cov_type="HC0").fit(X, s, trials=n)
    np.testing.assert_allclose(model.statistics_.std_err, reference.bse, rtol=1e-8)


def test_same_estimates_as_the_expanded_rows_and_frequency_weights():
    """Each group as its s ones and n - s zeros (sample weights): the same θ and SEs;
    frequency weights of groups equal repeating the groups."""
    X, s, n = _small(2)
    grouped = LogisticRegression(tol=1e-12).fit(X, s, trials=n)
    rows = np.vstack([X, X])
    y = np.r_[np.ones(len(s)), np.zeros(len(s))]
    expanded = LogisticRegression(tol=1e-12).fit(rows, y, sample_weight=np.r_[s, n - s])
    np.testing.assert_allclose(_params(grouped), _params(expanded), rtol=1e-9)
    np.testing.assert_allclose(grouped.statistics_.std_err, expanded.statistics_.std_err,
                               rtol=1e-9)
    # a likelihood-ratio statistic is the same for both forms (constants cancel)
    assert grouped.statistics_.lr_stat == pytest.approx(expanded.statistics_.lr_stat, rel=1e-9)
    w = np.arange(1, len(s) + 1) % 3 + 1
    weighted = LogisticRegression(tol=1e-12).fit(X, s, trials=n, sample_weight=w)
    repeated = LogisticRegression(tol=1e-12).fit(np.repeat(X, w, axis=0), np.repeat(s, w),
                                                 trials=np.repeat(n, w))
    np.testing.assert_allclose(_params(weighted), _params(repeated), rtol=1e-9)
    for name in ("std_err", "deviance", "aic", "df_resid", "null_deviance"):
        np.testing.assert_allclose(getattr(weighted.statistics_, name),
                                   getattr(repeated.statistics_, name), rtol=1e-9)


def test_zero_trial_groups_are_dropped_as_in_r():
    """A group of 0 trials adds nothing and is not counted in df (R gives it weight 0)."""
    X, s, n = _small(3)
    n0, s0 = n.copy(), s.copy()
    n0[[4, 9]], s0[[4, 9]] = 0, 0
    model = LogisticRegression(tol=1e-12).fit(X, s0, trials=n0)
    keep = n0 > 0
    reference = _statsmodels(X[keep], s0[keep], n0[keep])
    np.testing.assert_allclose(_params(model), reference.params, rtol=1e-9)
    assert model.statistics_.df_resid == reference.df_resid == keep.sum() - 3
    assert model.grouped_.n_groups == keep.sum()


def test_penalized_grouped_fit_equals_the_expanded_rows():
    X, s, n = _small(4)
    grouped = LogisticRegression("l2", C=0.05, tol=1e-12).fit(X, s, trials=n)
    expanded = LogisticRegression("l2", C=0.05, tol=1e-12).fit(
        np.vstack([X, X]), np.r_[np.ones(len(s)), np.zeros(len(s))],
        sample_weight=np.r_[s, n - s])
    np.testing.assert_allclose(_params(grouped), _params(expanded), rtol=1e-9)
    l1 = LogisticRegression("l1", C=0.01, tol=1e-12).fit(X, s, trials=n)
    l1_expanded = LogisticRegression("l1", C=0.01, tol=1e-12).fit(
        np.vstack([X, X]), np.r_[np.ones(len(s)), np.zeros(len(s))],
        sample_weight=np.r_[s, n - s])
    np.testing.assert_allclose(_params(l1), _params(l1_expanded), rtol=1e-7, atol=1e-10)


def test_formula_cbind_matches_r_and_both_forms_agree(star98):
    X, s, n = star98
    frame = X.assign(NABOVE=s, NBELOW=n - s, TOTAL=n)
    rhs = " + ".join(X.columns)
    failures = LogisticRegression.from_formula(f"cbind(NABOVE, NBELOW) ~ {rhs}", frame,
                                               tol=1e-12)
    trials = LogisticRegression.from_formula(f"cbind(NABOVE, TOTAL - NABOVE) ~ {rhs}", frame,
                                             tol=1e-12)
    np.testing.assert_allclose(_params(failures), R_COEF, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(_params(trials), _params(failures), rtol=1e-12)
    assert failures.statistics_.aic == pytest.approx(R_AIC, rel=1e-10)


@pytest.mark.parametrize(
    ("successes", "trials", "message"),
    [
        ([1, 5, 2], [3, 4, 2], "successes exceed trials"),
        ([1, -1, 2], [3, 4, 2], "non-negative"),
        ([1, 1, 2], [3, -4, 2], "non-negative"),
        ([1.5, 1, 2], [3, 4, 2], "whole numbers"),
        ([1, 1, 2], [3, 4.2, 2], "whole numbers"),
        ([0, 0, 0], [0, 0, 0], "0 trials"),
        ([1, 1, 2], [3, 4], "one count per row"),
        ([1, 1, 2], [3, np.nan, 2], "NaN"),
    ],
)
def test_bad_counts_are_refused(successes, trials, message):
    X = np.array([[0.0], [1.0], [2.0]])
    with pytest.raises(DataError, match=message):
        LogisticRegression().fit(X, np.array(successes), trials=np.array(trials))


def test_grouped_refuses_firth_and_class_weight():
    X, s, n = _small()
    with pytest.raises(DataError, match="Firth"):
        LogisticRegression("firth").fit(X, s, trials=n)
    with pytest.raises(DataError, match="class_weight"):
        LogisticRegression(class_weight="balanced").fit(X, s, trials=n)


def test_formula_cbind_errors():
    frame = pd.DataFrame({"s": [1, 2, 3], "f": [1, -1, 2], "n": [2, 3, 5], "x": [0., 1., 2.]})
    with pytest.raises(DataError, match="negative"):
        LogisticRegression.from_formula("cbind(s, f) ~ x", frame)
    with pytest.raises(DataError, match="trials - s"):
        LogisticRegression.from_formula("cbind(s, n - f) ~ x", frame)
    with pytest.raises(DataError, match="cbind"):
        LogisticRegression.from_formula("cbind(s, f, n) ~ x", frame)
    with pytest.raises(DataError, match="not in the data"):
        LogisticRegression.from_formula("cbind(s, m) ~ x", frame)


def test_logistic_path_with_trials_equals_each_single_fit():
    from logistic import logistic_path

    X, s, n = _small(5)
    Cs = [0.01, 1.0]
    path = logistic_path(X, s, Cs=Cs, penalty="l2", trials=n, tol=1e-10)
    for C, coefs in zip(Cs, path.coefs, strict=True):
        single = LogisticRegression("l2", C=C, tol=1e-10).fit(X, s, trials=n)
        np.testing.assert_allclose(coefs, np.r_[single.coef_.ravel(), single.intercept_],
                                   rtol=1e-7, atol=1e-10)


def test_dask_collections_refuse_trials():
    dd = pytest.importorskip("dask.dataframe")
    X, s, n = _small()
    frame = dd.from_pandas(pd.DataFrame(X, columns=["a", "b"]), npartitions=2)
    with pytest.raises(DataError, match="not supported for dask"):
        LogisticRegression().fit(frame, s, trials=n)


def test_summary_names_the_offset_and_the_groups(star98):
    """The header as R's print of the glm: G groups as observations, its deviances."""
    X, s, n = star98
    logpct = pd.Series(np.log(X["PERASIAN"].to_numpy() + 1) / 10, name="logpct")
    header = LogisticRegression(tol=1e-10).fit(X, s, trials=n, offset=logpct).summary().header
    assert header["Offset"] == "logpct"
    assert header["Grouped data"] == f"303 groups, {n.sum():g} trials"
    assert header["No. Observations"] == 303
    assert header["Deviance"] == pytest.approx(R_OFFSET_DEVIANCE, rel=1e-10)
    assert header["Null Deviance"] == pytest.approx(R_OFFSET_NULL_DEVIANCE, rel=1e-10)


def test_cluster_covariance_matches_statsmodels_glm():
    """Clusters of groups: u_c sums each group's score nᵢ(pᵢ - yᵢ)x̃ᵢ; the small-sample
    factor counts groups as observations, as statsmodels' GLM of the same data."""
    X, s, n = _small(6, groups=60)
    clusters = np.arange(60) % 12
    reference = _statsmodels(X, s, n, cov_type="cluster", cov_kwds={"groups": clusters})
    model = LogisticRegression(tol=1e-12, cov_type="cluster").fit(X, s, trials=n,
                                                                   groups=clusters)
    np.testing.assert_allclose(model.statistics_.std_err, reference.bse, rtol=1e-8)
