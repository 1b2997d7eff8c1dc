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

import numpy as np
import pandas as pd
import pytest

from logistic import MixedLogisticRegression


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
