"""MixedLogisticRegression against lme4's glmer and against closed forms.

The R numbers below come from R 4.2.2 with lme4 1.1.31, on the data of the generators in
this file written to CSV (``df.to_csv(index=False)``; ``g`` read as a factor), with

    ctl <- glmerControl(optimizer = "bobyqa", tolPwrss = 1e-10,
                        optCtrl = list(rhoend = 1e-10, maxfun = 1e5))
    m <- glmer(<formula>, data = d, family = binomial, nAGQ = <k>, control = ctl)
    fixef(m); sqrt(diag(vcov(m))); getME(m, "theta"); as.data.frame(VarCorr(m))
    logLik(m); AIC(m); BIC(m); ranef(m, condVar = TRUE)

(``vcov`` of a glmer fit uses the finite-difference Hessian in (θ, β), use.hessian = TRUE.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import expit

from logistic import MixedLogisticRegression
from logistic.exceptions import DataError, SingularFitWarning
from logistic.io.formula_expr import FormulaRefused


def clustered(seed: int = 1, n_groups: int = 30, per: int = 12) -> pd.DataFrame:
    """Binary y with a random intercept (sd 0.8) and a random slope of x1 (sd 0.5)."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_groups), per)
    n = g.size
    x1 = rng.normal(size=n)
    x2 = rng.uniform(-1, 1, size=n)
    b0 = rng.normal(scale=0.8, size=n_groups)
    b1 = rng.normal(scale=0.5, size=n_groups)
    eta = -0.3 + 0.7 * x1 - 0.5 * x2 + b0[g] + b1[g] * x1
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g})


def weighted() -> pd.DataFrame:
    """``clustered()`` with integer prior weights 1..3 (R: ``weights = w``)."""
    rng = np.random.default_rng(7)
    df = clustered()
    return df.assign(w=rng.integers(1, 4, size=len(df)).astype(float))


def grouped(seed: int = 3, n_groups: int = 25, per: int = 6) -> pd.DataFrame:
    """Binomial counts s of t = s + f trials (R: ``cbind(s, f)``)."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_groups), per)
    n = g.size
    x1 = rng.normal(size=n)
    t = rng.integers(1, 9, size=n)
    b = rng.normal(scale=0.6, size=n_groups)
    s = rng.binomial(t, 1 / (1 + np.exp(-(0.2 + 0.8 * x1 + b[g]))))
    return pd.DataFrame({"s": s, "f": t - s, "x1": x1, "g": g})


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return clustered()


def close(actual, expected, rtol):
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                               rtol=rtol, atol=0)


# -- lme4 references ----------------------------------------------------------------------------
# glmer(y ~ x1 + x2 + (1 | g), nAGQ = 1)
R_INTERCEPT_LAPLACE = dict(
    fixef=[-0.448901429767, 0.520228554262, -0.481033367983],
    se=[0.177313955054, 0.135433822797, 0.219064091715], sd=0.718696100701,
    loglik=-225.094873227, aic=458.189746453, bic=473.734162579,
    ranef=[-0.4748551664618, 0.0919572184283, 0.7577714547321],
    postvar=[0.221529929422, 0.214299521257, 0.217485601000])
# glmer(y ~ x1 + x2 + (1 | g), nAGQ = 25)
R_INTERCEPT_AGQ25 = dict(
    fixef=[-0.449702680227, 0.519532624016, -0.481347559966],
    se=[0.179337883379, 0.135463902062, 0.219257202836], sd=0.732984891214,
    loglik=-224.919186749, aic=457.838373497, bic=473.382789623,
    ranef=[-0.482295741369, 0.093949790914, 0.770750555151])


def test_random_intercept_laplace_matches_glmer(data):
    model = MixedLogisticRegression().fit(data[["x1", "x2"]], data["y"], groups=data["g"])
    ref = R_INTERCEPT_LAPLACE
    close(model.fixed_effects_, ref["fixef"], 1e-6)
    close(model.std_err_, ref["se"], 2e-5)
    close(model.variance_components_.sd, [ref["sd"]], 1e-5)
    close(model.llf_, ref["loglik"], 1e-9)
    close([model.aic_, model.bic_], [ref["aic"], ref["bic"]], 1e-9)
    close(model.deviance_, -2 * ref["loglik"], 1e-9)
    close(model.random_effects_["(Intercept)"].to_numpy()[:3], ref["ranef"], 1e-5)
    close(model.random_effects_cov_[:3, 0, 0], ref["postvar"], 1e-5)
    assert model.intercept_.shape == (1,) and model.coef_.shape == (1, 2)
    assert not model.singular_


def test_random_intercept_agq25_matches_glmer(data):
    model = MixedLogisticRegression(nAGQ=25).fit(data[["x1", "x2"]], data["y"],
                                                 groups=data["g"])
    ref = R_INTERCEPT_AGQ25
    close(model.fixed_effects_, ref["fixef"], 1e-6)
    close(model.std_err_, ref["se"], 2e-5)
    close(model.variance_components_.sd, [ref["sd"]], 1e-5)
    close(model.llf_, ref["loglik"], 1e-9)
    close([model.aic_, model.bic_], [ref["aic"], ref["bic"]], 1e-9)
    close(model.random_effects_["(Intercept)"].to_numpy()[:3], ref["ranef"], 1e-5)


def test_summary_prints_the_fixed_effects_and_variance(data):
    model = MixedLogisticRegression().fit(data[["x1", "x2"]], data["y"], groups=data["g"])
    summary = model.summary()
    assert list(summary.table.index) == ["(Intercept)", "x1", "x2"]
    close(summary.table["std err"], R_INTERCEPT_LAPLACE["se"], 2e-5)
    text = str(summary)
    assert "Laplace" in text and "0.718696" in text and "Self & Liang" in text


# glmer(y ~ x1 + x2 + (1 + x1 | g))
R_SLOPE_UNSTRUCTURED = dict(
    fixef=[-0.455899680249, 0.476693773558, -0.480094217920],
    se=[0.190563079067, 0.177637042532, 0.223661572791],
    theta=[0.793252871008, 0.345095751339, 0.315683682266],
    sd=[0.793252871008, 0.467704249330], corr=0.737850365553,
    loglik=-223.849325205, aic=459.698650409, bic=483.015274598,
    ranef=[[-0.4286004732454, -0.1403490842184], [0.0196598902776, -0.0754283885566],
           [0.5435883221295, -0.0348193718524]])
# glmer(y ~ x1 + x2 + (1 + x1 || g))
R_SLOPE_DIAGONAL = dict(
    fixef=[-0.461411235333, 0.544449124730, -0.495142265386],
    se=[0.182244950479, 0.158781241179, 0.222994732132], sd=[0.740346984455, 0.352188699019],
    loglik=-224.658618964, aic=459.317237927, bic=478.747758085,
    ranef=[[-0.491550406493, 0.0358258947517], [0.102819936988, -0.1097992380167],
           [0.769453361715, -0.2458055937917]])
# glmer(y ~ x1 + x2 + (1 | g), weights = w) on weighted()
R_WEIGHTED = dict(
    fixef=[-0.438571625610, 0.468329653469, -0.429266627998],
    se=[0.1653956809662, 0.0934574519332, 0.1546794980762], sd=0.781158317355,
    loglik=-457.131799281, aic=922.263598561, bic=937.808014687,
    ranef=[-0.669440743215, 0.342065526335, 0.769583439917])
# glmer(cbind(s, f) ~ x1 + (1 | g)) on grouped(), nAGQ = 1 and 25
R_GROUPED_LAPLACE = dict(
    fixef=[0.186733998393, 1.024801156028], se=[0.123073833541, 0.106704159647],
    sd=0.421478562923, loglik=-193.227012712, aic=392.454025424, bic=401.485931306,
    ranef=[0.170603614572, -0.545248816606, 0.124507081397])
R_GROUPED_AGQ25 = dict(
    fixef=[0.186720028755, 1.024603995294], se=[0.12359595801, 0.10673292752],
    sd=0.425157769883, ranef=[0.172026159546, -0.550162179143, 0.125571958893])


def test_correlated_random_slope_matches_glmer(data):
    model = MixedLogisticRegression.from_formula("y ~ x1 + x2 + (1 + x1 | g)", data)
    ref = R_SLOPE_UNSTRUCTURED
    close(model.fixed_effects_, ref["fixef"], 1e-5)
    close(model.std_err_, ref["se"], 1e-4)
    close(model.theta_, ref["theta"], 1e-4)
    close(model.variance_components_.sd, ref["sd"], 1e-4)
    close(model.variance_components_.corr[1, 0], ref["corr"], 1e-4)
    close(model.llf_, ref["loglik"], 1e-9)
    close([model.aic_, model.bic_], [ref["aic"], ref["bic"]], 1e-9)
    close(model.random_effects_.to_numpy()[:3], ref["ranef"], 1e-4)
    assert list(model.random_effects_.columns) == ["(Intercept)", "x1"]
    assert model.variance_components_.group == "g"
    close(model.variance_components_.cov[1, 0], 0.273748195522, 1e-4)  # VarCorr's vcov
    theta = ref["theta"]
    close(model.covariance_factor()[np.tril_indices(2)],
          [theta[0], theta[1], theta[2]], 1e-4)  # R's Λ, lower triangle by rows here
    # confint(m, method = "Wald"): fixef ± qnorm(0.975)·SE
    wald = np.column_stack([np.array(ref["fixef"]) - 1.959963984540054 * np.array(ref["se"]),
                            np.array(ref["fixef"]) + 1.959963984540054 * np.array(ref["se"])])
    close(model.conf_int(), wald, 1e-4)


def test_uncorrelated_random_slope_matches_glmer(data):
    model = MixedLogisticRegression.from_formula("y ~ x1 + x2 + (1 + x1 || g)", data)
    ref = R_SLOPE_DIAGONAL
    assert model.covariance == "diagonal"
    close(model.fixed_effects_, ref["fixef"], 1e-5)
    close(model.std_err_, ref["se"], 1e-4)
    close(model.variance_components_.sd, ref["sd"], 1e-4)
    assert model.variance_components_.cov[1, 0] == 0.0
    close(model.llf_, ref["loglik"], 1e-9)
    close([model.aic_, model.bic_], [ref["aic"], ref["bic"]], 1e-9)
    close(model.random_effects_.to_numpy()[:3], ref["ranef"], 1e-4)


def test_random_slope_by_column_equals_the_formula(data):
    by_fit = MixedLogisticRegression().fit(data[["x1", "x2"]], data["y"], groups=data["g"],
                                           random=["x1"])
    close(by_fit.fixed_effects_, R_SLOPE_UNSTRUCTURED["fixef"], 1e-5)
    by_index = MixedLogisticRegression().fit(data[["x1", "x2"]].to_numpy(), data["y"],
                                             groups=data["g"], random=[0])
    close(by_index.llf_, R_SLOPE_UNSTRUCTURED["loglik"], 1e-9)


def test_prior_weights_match_glmer():
    df = weighted()
    model = MixedLogisticRegression().fit(df[["x1", "x2"]], df["y"], groups=df["g"],
                                          sample_weight=df["w"])
    ref = R_WEIGHTED
    close(model.fixed_effects_, ref["fixef"], 1e-5)
    close(model.std_err_, ref["se"], 1e-4)
    close(model.variance_components_.sd, [ref["sd"]], 1e-5)
    close(model.llf_, ref["loglik"], 1e-9)
    close([model.aic_, model.bic_], [ref["aic"], ref["bic"]], 1e-9)
    close(model.random_effects_.to_numpy()[:3, 0], ref["ranef"], 1e-5)


def test_grouped_binomial_matches_glmer_laplace():
    df = grouped()
    model = MixedLogisticRegression.from_formula("cbind(s, f) ~ x1 + (1 | g)", df)
    ref = R_GROUPED_LAPLACE
    close(model.fixed_effects_, ref["fixef"], 1e-5)
    close(model.std_err_, ref["se"], 1e-4)
    close(model.variance_components_.sd, [ref["sd"]], 1e-5)
    close(model.llf_, ref["loglik"], 1e-9)  # log C(n, s) included, as R's dbinom
    close([model.aic_, model.bic_], [ref["aic"], ref["bic"]], 1e-9)
    close(model.random_effects_.to_numpy()[:3, 0], ref["ranef"], 1e-5)
    by_trials = MixedLogisticRegression().fit(df[["x1"]], df["s"], groups=df["g"],
                                              trials=df["s"] + df["f"])
    close(by_trials.llf_, ref["loglik"], 1e-9)


def test_grouped_binomial_agq25_matches_glmer_estimates():
    # glmer's logLik with nAGQ > 1 is on another scale for non-Bernoulli responses (lme4
    # issues #161 and #567: -103.4983 here), so the estimates are compared; ℓ itself is
    # checked against direct integration in tests/core/test_mixed_kernels.py
    df = grouped()
    model = MixedLogisticRegression.from_formula("cbind(s, f) ~ x1 + (1 | g)", df, nAGQ=25)
    ref = R_GROUPED_AGQ25
    close(model.fixed_effects_, ref["fixef"], 1e-5)
    close(model.std_err_, ref["se"], 1e-4)
    close(model.variance_components_.sd, [ref["sd"]], 1e-5)
    close(model.random_effects_.to_numpy()[:3, 0], ref["ranef"], 1e-5)


def no_group_effect() -> pd.DataFrame:
    """y independent of g: glmer(y ~ x + (1 | g)) is a boundary (singular) fit, θ = 0."""
    rng = np.random.default_rng(11)
    g = np.repeat(np.arange(20), 5)
    x = rng.normal(size=g.size)
    y = (rng.uniform(size=g.size) < 1 / (1 + np.exp(-(0.3 + x)))).astype(float)
    return pd.DataFrame({"y": y, "x": x, "g": g})


def test_singular_fit_reports_zero_variance_and_equals_the_glm():
    # lme4 1.1.31: theta 0, isSingular TRUE, fixef 0.355446660386 1.149668230461,
    # SE 0.226704411335 0.284624436130, logLik -57.5228512148; statsmodels' Logit the same
    import statsmodels.api as sm

    df = no_group_effect()
    with pytest.warns(SingularFitWarning, match="boundary"):
        model = MixedLogisticRegression().fit(df[["x"]], df["y"], groups=df["g"])
    assert model.singular_ and model.variance_components_.singular
    assert model.theta_[0] == 0.0 and model.variance_components_.sd[0] == 0.0
    glm = sm.Logit(df["y"], sm.add_constant(df[["x"]])).fit(disp=0)
    close(model.fixed_effects_, glm.params, 1e-6)
    close(model.std_err_, glm.bse, 1e-5)
    close(model.llf_, glm.llf, 1e-10)
    close(model.fixed_effects_, [0.355446660386, 1.149668230461], 1e-6)
    assert "boundary (singular) fit" in str(model.summary())
    test = model.lr_test_random()
    assert test.statistic == 0.0 and test.p_value == 1.0


def test_lr_test_uses_the_boundary_mixture(data):
    from scipy.stats import chi2

    model = MixedLogisticRegression().fit(data[["x1", "x2"]], data["y"], groups=data["g"])
    import statsmodels.api as sm

    glm = sm.Logit(data["y"], sm.add_constant(data[["x1", "x2"]])).fit(disp=0)
    test = model.lr_test_random()
    close(test.null_log_likelihood, glm.llf, 1e-10)
    lr = 2 * (R_INTERCEPT_LAPLACE["loglik"] - glm.llf)
    close(test.statistic, lr, 1e-7)
    close(test.p_value, 0.5 * chi2.sf(lr, 1), 1e-6)
    assert test.df == 1 and "0.5*chi2(0)" in test.null_distribution


def test_predictions_conditional_and_marginal(data):
    model = MixedLogisticRegression().fit(data[["x1", "x2"]], data["y"], groups=data["g"])
    X = data[["x1", "x2"]].iloc[:5]
    eta = X.to_numpy() @ model.coef_[0] + model.intercept_[0]
    b = model.random_effects_.loc[data["g"].iloc[:5], "(Intercept)"].to_numpy()
    close(model.predict_proba(X, data["g"].iloc[:5])[:, 1], expit(eta + b), 1e-12)
    # a group the fit never saw gets b = 0
    close(model.predict_proba(X, ["new"] * 5)[:, 1], expit(eta), 1e-12)
    sd = model.variance_components_.sd[0]
    direct = [integrate.quad(lambda t, e=e: expit(e + sd * t) * np.exp(-t * t / 2)
                             / np.sqrt(2 * np.pi), -np.inf, np.inf, epsabs=1e-13)[0]
              for e in eta]
    close(model.predict_proba(X, kind="marginal")[:, 1], direct, 1e-9)
    assert set(model.predict(X, data["g"].iloc[:5])) <= {0.0, 1.0}


# -- bad input -----------------------------------------------------------------------------------
def test_missing_group_labels_are_refused(data):
    groups = data["g"].astype(float).copy()
    groups.iloc[3] = np.nan
    with pytest.raises(DataError, match="missing values"):
        MixedLogisticRegression().fit(data[["x1"]], data["y"], groups=groups)


def test_a_single_group_is_refused(data):
    with pytest.raises(DataError, match="single group"):
        MixedLogisticRegression().fit(data[["x1"]], data["y"], groups=np.zeros(len(data)))


def test_groups_of_one_row_are_refused(data):
    with pytest.raises(DataError, match="must exceed the number of random effects"):
        MixedLogisticRegression().fit(data[["x1"]], data["y"], groups=np.arange(len(data)))


def test_a_random_slope_not_among_the_columns_is_refused(data):
    with pytest.raises(DataError, match="not among the columns"):
        MixedLogisticRegression().fit(data[["x1"]], data["y"], groups=data["g"],
                                      random=["x9"])
    with pytest.raises(DataError, match="not among the fixed effects"):
        MixedLogisticRegression.from_formula("y ~ x1 + (1 + x2 | g)", data)


def test_agq_with_several_random_effects_is_refused(data):
    with pytest.raises(ValueError, match="single scalar random effect"):
        MixedLogisticRegression(nAGQ=5).fit(data[["x1"]], data["y"], groups=data["g"],
                                            random=["x1"])


def test_a_formula_without_a_random_term_is_refused(data):
    with pytest.raises(FormulaRefused, match="no random-effects term"):
        MixedLogisticRegression.from_formula("y ~ x1", data)
    with pytest.raises(DataError, match="grouping column"):
        MixedLogisticRegression.from_formula("y ~ x1 + (1 | nothere)", data)


def test_warnings_are_quiet_on_a_regular_fit(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MixedLogisticRegression().fit(data[["x1", "x2"]], data["y"], groups=data["g"])


# glmer(y ~ x1 + x2 + (0 + x1 | g)), nAGQ = 1 and 25: a scalar random slope without intercept
R_SLOPE_ONLY = {
    1: dict(fixef=[-0.406130958495, 0.524757610861, -0.432972140473],
            se=[0.112524140857, 0.144351739225, 0.201744558438], theta=0.265896585214,
            loglik=-230.935907390, aic=469.871814780, bic=485.416230906),
    25: dict(fixef=[-0.406674049634, 0.525448322266, -0.433439296419],
             se=[0.112655148855, 0.145382065746, 0.201907118155], theta=0.279693498846,
             loglik=-230.919560554, aic=469.839121109, bic=485.383537235),
}


@pytest.mark.parametrize("n_agq", [1, 25])
def test_random_slope_without_intercept_matches_glmer(data, n_agq):
    model = MixedLogisticRegression.from_formula("y ~ x1 + x2 + (0 + x1 | g)", data,
                                                 nAGQ=n_agq)
    ref = R_SLOPE_ONLY[n_agq]
    assert model.random_terms_ == ("x1",)
    close(model.fixed_effects_, ref["fixef"], 1e-5)
    close(model.std_err_, ref["se"], 1e-4)
    close(model.theta_, [ref["theta"]], 1e-4)
    close(model.llf_, ref["loglik"], 1e-9)
    close([model.aic_, model.bic_], [ref["aic"], ref["bic"]], 1e-9)


def test_lr_test_of_a_diagonal_covariance_uses_the_binomial_mixture(data):
    # two independent boundary parameters (Self & Liang 1987): ¼χ²₀ + ½χ²₁ + ¼χ²₂
    from scipy.stats import chi2

    model = MixedLogisticRegression.from_formula("y ~ x1 + x2 + (1 + x1 || g)", data)
    test = model.lr_test_random()
    close(test.statistic, 2 * (R_SLOPE_DIAGONAL["loglik"] - test.null_log_likelihood), 1e-7)
    close(test.p_value, 0.5 * chi2.sf(test.statistic, 1) + 0.25 * chi2.sf(test.statistic, 2),
          1e-9)
    assert test.df == 2


def test_a_formula_model_reads_the_groups_from_new_data(data):
    model = MixedLogisticRegression.from_formula("y ~ x1 + x2 + (1 | g)", data)
    close(model.llf_, R_INTERCEPT_LAPLACE["loglik"], 1e-9)
    frame = data.iloc[:6]
    eta = frame[["x1", "x2"]].to_numpy() @ model.coef_[0] + model.intercept_[0]
    b = model.random_effects_.loc[frame["g"], "(Intercept)"].to_numpy()
    close(model.predict_proba(frame)[:, 1], expit(eta + b), 1e-12)
    close(model.predict_proba(frame.drop(columns="g"))[:, 1], expit(eta), 1e-12)


def test_no_groups_and_bad_parameters_are_refused(data):
    with pytest.raises(DataError, match="needs groups="):
        MixedLogisticRegression().fit(data[["x1"]], data["y"])
    with pytest.raises(DataError, match="labels for"):
        MixedLogisticRegression().fit(data[["x1"]], data["y"], groups=data["g"][:10])
    with pytest.raises(ValueError, match="covariance must be one of"):
        MixedLogisticRegression(covariance="banded").fit(data[["x1"]], data["y"],
                                                         groups=data["g"])
    with pytest.raises(ValueError, match="nAGQ must be an integer"):
        MixedLogisticRegression(nAGQ=0).fit(data[["x1"]], data["y"], groups=data["g"])
    with pytest.raises(DataError, match="needs 2 classes"):
        MixedLogisticRegression().fit(data[["x1"]], np.arange(len(data)) % 3,
                                      groups=data["g"])


@pytest.mark.slow
def test_modechoice_from_statsmodels_matches_glmer_on_the_boundary():
    # statsmodels.datasets.modechoice (840 rows, 210 individuals, one choice each of 4);
    # glmer(choice ~ ttme + hinc + (1 + ttme | individual)), lme4 1.1.31: a singular fit
    # (corr -1, theta[3] = 0); fixef -0.47911475875395 -0.02497872917683 0.00137342167803,
    # SE 0.20750925642720 0.00435819669513 0.00438888659862, theta 0.7849426312156
    # -0.0276467905695 0, logLik -446.820090485, AIC 905.640180969, BIC 934.040592320.
    # Our ℓ is 3e-7 higher: bobyqa stopped that close to the optimum, hence 1e-4 on β.
    import statsmodels.api as sm

    df = sm.datasets.modechoice.load_pandas().data
    with pytest.warns(SingularFitWarning):
        model = MixedLogisticRegression.from_formula(
            "choice ~ ttme + hinc + (1 + ttme | individual)", df)
    close(model.fixed_effects_, [-0.47911475875395, -0.02497872917683, 0.00137342167803],
          1e-4)
    close(model.std_err_, [0.20750925642720, 0.00435819669513, 0.00438888659862], 1e-4)
    close(model.theta_[:2], [0.7849426312156, -0.0276467905695], 1e-4)
    assert model.theta_[2] == 0.0 and model.singular_
    close(model.variance_components_.corr[1, 0], -1.0, 1e-12)
    assert model.llf_ >= -446.820090485 - 1e-9
    close(model.llf_, -446.820090485, 1e-9)
    close([model.aic_, model.bic_], [905.640180969, 934.040592320], 1e-9)


def test_text_group_labels_and_clone(data):
    from sklearn.base import clone

    labels = data["g"].map(lambda v: f"clinic-{v:02d}")
    model = clone(MixedLogisticRegression(nAGQ=1)).fit(data[["x1", "x2"]], data["y"],
                                                       groups=labels)
    close(model.llf_, R_INTERCEPT_LAPLACE["loglik"], 1e-9)
    assert model.group_levels_[0] == "clinic-00"
    close(model.random_effects_.loc[["clinic-00", "clinic-01", "clinic-02"], "(Intercept)"],
          R_INTERCEPT_LAPLACE["ranef"], 1e-5)
    eta = data[["x1", "x2"]].to_numpy()[:2] @ model.coef_[0] + model.intercept_[0]
    close(model.predict_proba(data[["x1", "x2"]].iloc[:2], labels.iloc[:2])[:, 1],
          expit(eta + np.array(R_INTERCEPT_LAPLACE["ranef"][:1] * 2)), 1e-4)
