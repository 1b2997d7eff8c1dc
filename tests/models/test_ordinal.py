"""OrdinalLogisticRegression against statsmodels' OrderedModel, R's MASS::polr and
ordinal::clm (numbers written in below with their calls), finite differences and mpmath."""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from statsmodels.miscmodels.ordinal_model import OrderedModel

from logistic import DataError, OrdinalLogisticRegression, load
from logistic.core.design import Design
from logistic.core.ordinal import log_probability, row_terms
from logistic.core.ordinal_objective import OrdinalObjective


def generated(n=400, d=3, seed=0, cuts=(-1.0, 0.3, 1.5)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    beta = np.linspace(1.0, -0.5, d)
    latent = X @ beta + rng.logistic(size=n)
    return X, np.digitize(latent, cuts)


def statsmodels_fit(X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return OrderedModel(y, X, distr="logit").fit(method="bfgs", disp=0, gtol=1e-10,
                                                      maxiter=10000)


def anes96():
    data = sm.datasets.anes96.load_pandas().data
    return data[["logpopul", "age", "educ", "income"]], data["PID"].astype(int)


# -- the formulas ------------------------------------------------------------------------------
@pytest.mark.parametrize("upper, lower", [(3.0, -2.0), (800.0, 790.0), (-790.0, -800.0),
                                          (1e-3, -1e-3), (50.0, -np.inf), (np.inf, -40.0),
                                          (-745.0, -np.inf), (np.inf, 745.0)])
def test_log_probability_is_exact_in_the_tails(upper, lower):
    mpmath.mp.dps = 400  # σ(800) - σ(790) cancels 340 digits

    def cdf(t):
        if np.isinf(t):
            return mpmath.mpf(1 if t > 0 else 0)
        return 1 / (1 + mpmath.exp(-mpmath.mpf(t)))

    exact = float(mpmath.log(cdf(upper) - cdf(lower)))
    got = float(log_probability(np.array([upper]), np.array([lower]))[0])
    assert got == pytest.approx(exact, rel=1e-14, abs=1e-300)
    terms = row_terms(np.array([upper]), np.array([lower]))
    assert all(np.isfinite(getattr(terms, f)[0]) for f in terms.__dataclass_fields__)


def test_row_derivatives_match_mpmath():
    mpmath.mp.dps = 50
    u, low = 2.5, -0.75

    def loss(a, b):
        return -mpmath.log(1 / (1 + mpmath.exp(-a)) - 1 / (1 + mpmath.exp(-b)))

    terms = row_terms(np.array([u]), np.array([low]))
    assert terms.d_upper[0] == pytest.approx(float(mpmath.diff(lambda a: loss(a, low), u)),
                                             1e-13)
    assert terms.d_lower[0] == pytest.approx(float(mpmath.diff(lambda b: loss(u, b), low)),
                                             1e-13)
    assert terms.upper_upper[0] == pytest.approx(
        float(mpmath.diff(lambda a: loss(a, low), u, 2)), 1e-12)
    assert terms.lower_lower[0] == pytest.approx(
        float(mpmath.diff(lambda b: loss(u, b), low, 2)), 1e-12)
    assert terms.upper_lower[0] == pytest.approx(
        float(mpmath.diff(lambda a, b: loss(a, b), (u, low), (1, 1))), 1e-12)
    # η shifts both bounds: ∂L/∂η = -(∂L/∂u + ∂L/∂l)
    assert terms.d_eta[0] == pytest.approx(
        float(mpmath.diff(lambda t: loss(u - t, low - t), 0)), 1e-13)
    assert terms.eta_eta[0] == pytest.approx(
        float(mpmath.diff(lambda t: loss(u - t, low - t), 0, 2)), 1e-12)


@pytest.mark.parametrize("l2", [0.0, 0.7])
def test_gradient_and_hessian_match_finite_differences(l2):
    X, y = generated(n=150, d=3, seed=3)
    weights = np.random.default_rng(1).uniform(0.2, 3.0, y.size)
    objective = OrdinalObjective(Design(X), y, 4, weights, l2)
    phi = np.array([0.4, -0.3, 0.2, -0.8, -0.4, 0.1])
    _, gradient = objective.value_and_gradient(phi)
    step = 1e-6
    basis = np.eye(phi.size)
    numeric = [(objective.value(phi + step * e) - objective.value(phi - step * e)) / (2 * step)
               for e in basis]
    np.testing.assert_allclose(gradient, numeric, atol=1e-9)
    numeric_hessian = np.array([(objective.gradient(phi + step * e)
                                 - objective.gradient(phi - step * e)) / (2 * step)
                                for e in basis])
    np.testing.assert_allclose(objective.hessian(phi), numeric_hessian, atol=1e-8)


def test_the_threaded_pass_gives_the_same_sums(monkeypatch):
    from logistic.core import ordinal_kernels

    X, y = generated(n=30_000, d=3, seed=6)
    objective = OrdinalObjective(Design(X), y, 4, np.ones(y.size))
    phi = np.array([0.4, -0.3, 0.2, -0.8, -0.4, 0.1])
    serial = objective._pass(phi, True)
    monkeypatch.setattr(ordinal_kernels, "PARALLEL_ROWS", 0)
    threaded = objective._pass(phi, True)
    assert serial[0] == threaded[0]
    for a, b in zip(serial[1:], threaded[1:], strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_compiled_pass_equals_the_numpy_formulas():
    X, y = generated(n=3000, d=3, seed=6)
    weights = np.random.default_rng(2).uniform(0.0, 2.0, y.size)
    objective = OrdinalObjective(Design(X * 40.0), y, 4, weights)  # tails included
    phi = np.array([0.4, -0.3, 0.2, -0.8, -0.4, 0.1])
    terms = objective.terms(phi)
    loss, r, grad_theta, h, cross, theta_theta = objective._pass(phi, True)
    s = objective.weights
    assert loss == pytest.approx(-(s @ terms.log_p), rel=1e-13)
    np.testing.assert_allclose(r, s * terms.d_eta, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(h, s * terms.eta_eta, rtol=1e-13, atol=1e-300)
    for k in range(3):
        at_upper, at_lower = y == k, y == k + 1
        expected = s[at_upper] @ terms.d_upper[at_upper] + s[at_lower] @ terms.d_lower[at_lower]
        assert grad_theta[k] == pytest.approx(expected, rel=1e-12, abs=1e-15)
        curvature = (s[at_upper] @ terms.upper_upper[at_upper]
                     + s[at_lower] @ terms.lower_lower[at_lower])
        assert theta_theta[k, k] == pytest.approx(curvature, rel=1e-12)
        np.testing.assert_allclose(cross[at_upper, k], (s * terms.eta_upper)[at_upper],
                                   rtol=1e-13)


# -- against statsmodels' OrderedModel --------------------------------------------------------
def _assert_matches_statsmodels(model, reference, X):
    np.testing.assert_allclose(model.params_, reference.params, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.sqrt(np.diag(model.params_cov_)), reference.bse, rtol=1e-6)
    thresholds = reference.model.transform_threshold_params(np.asarray(reference.params))[1:-1]
    np.testing.assert_allclose(model.thresholds_, thresholds, rtol=1e-6, atol=1e-7)
    assert model.log_likelihood_ == pytest.approx(reference.llf, rel=1e-10)
    assert model.aic_ == pytest.approx(reference.aic, rel=1e-10)
    assert model.bic_ == pytest.approx(reference.bic, rel=1e-10)
    expected = reference.model.predict(np.asarray(reference.params), exog=np.asarray(X))
    np.testing.assert_allclose(model.predict_proba(X), expected, rtol=1e-6, atol=1e-9)


def test_generated_data_match_statsmodels():
    X, y = generated()
    model = OrdinalLogisticRegression(tol=1e-10).fit(X, y)
    _assert_matches_statsmodels(model, statsmodels_fit(X, y), X)


def test_anes96_party_identification_matches_statsmodels():
    X, y = anes96()
    model = OrdinalLogisticRegression(tol=1e-10).fit(X, y)
    _assert_matches_statsmodels(model, statsmodels_fit(X, y), X)
    assert list(model.summary().table.index[:4]) == ["logpopul", "age", "educ", "income"]


@pytest.mark.slow
def test_fair_marriage_ratings_match_statsmodels():
    data = sm.datasets.fair.load_pandas().data  # rate_marriage: 1 (very poor) .. 5 (very good)
    X = data[["age", "yrs_married", "children", "religious", "educ"]]
    y = data["rate_marriage"].astype(int)
    model = OrdinalLogisticRegression(tol=1e-10).fit(X, y)
    _assert_matches_statsmodels(model, statsmodels_fit(X, y), X)


# R 4.2.2, MASS 7.3.58.2, ordinal 2022.11.16, on statsmodels' anes96 (944 rows):
#   d$PID <- factor(d$PID, ordered=TRUE)
#   f <- polr(PID ~ logpopul + age + educ + income, data=d, Hess=TRUE,
#             control=list(reltol=1e-14, maxit=1000))
#   c1 <- clm(PID ~ logpopul + age + educ + income, data=d, control=clm.control(gradTol=1e-12))
# polr's vcov uses optim's numerical Hessian (about 1e-5 off); clm's is analytic.
POLR_COEF = [-0.0897210804487, 0.000775110959058, 0.0480809756272, 0.0540618983059]
POLR_ZETA = [-0.463570899032, 0.504701737958, 0.996356146346, 1.16243675045, 1.60070751215,
             2.46696147104]
POLR_LOGLIK = -1716.89790226
CLM_SE_ZETA = [0.289774263363, 0.288909686817, 0.290733066057, 0.291523464198,
               0.293775633823, 0.299892195516]
CLM_SE_BETA = [0.0183853056171, 0.003597718315, 0.0389110068381, 0.0103546892164]
# the exact profile-likelihood ends (R: each coefficient b as offset(b * x) in a polr refit of
# the others, uniroot(tol=1e-12) of sqrt(2(logLik(f) - logLik(refit))) - qnorm(0.975));
# MASS's confint(f), which interpolates the profile, gives the same to ~3e-7
R_PROFILE = [(-0.1258610301, -0.05376553008), (-0.006286468855, 0.007822361764),
             (-0.02816697173, 0.1244157182), (0.03383227667, 0.07444646444)]


def test_anes96_matches_R_polr_and_clm():
    X, y = anes96()
    model = OrdinalLogisticRegression(tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.coef_, POLR_COEF, rtol=1e-7)
    np.testing.assert_allclose(model.thresholds_, POLR_ZETA, rtol=1e-7)
    assert model.log_likelihood_ == pytest.approx(POLR_LOGLIK, rel=1e-10)
    np.testing.assert_allclose(model.std_err_, CLM_SE_BETA + CLM_SE_ZETA, rtol=1e-8)


@pytest.mark.slow
def test_profile_intervals_match_R():
    X, y = anes96()
    model = OrdinalLogisticRegression(tol=1e-10).fit(X, y)
    interval = model.conf_int(method="profile", X=X, y=y)
    np.testing.assert_allclose(interval[:4], R_PROFILE, rtol=1e-7)
    wald = model.conf_int()
    np.testing.assert_allclose(interval[4:], wald[4:])  # the cut-points' stay Wald's


# R: g$y <- factor(g$y, ordered=TRUE)
#    polr(y ~ x1 + x2, data=g, weights=w, Hess=TRUE, control=list(reltol=1e-14, maxit=1000))
# on the data of ``weighted_data`` (written to CSV with 17 significant digits)
R_WEIGHTED_COEF = [1.12828879739, -0.80390373185]
R_WEIGHTED_ZETA = [-0.903204027769, 0.00823883158613, 1.04511470434]
R_WEIGHTED_SE = [0.161619231412, 0.143494842126, 0.150835363383, 0.138873969575,
                 0.152612611073]
R_WEIGHTED_LOGLIK = -307.067491361


def weighted_data():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(120, 2))
    latent = X @ [0.8, -0.6] + rng.logistic(size=120)
    return X, np.digitize(latent, [-1, 0, 1.2]), rng.integers(1, 4, 120)


def test_frequency_weights_match_R_and_repeated_rows():
    X, y, w = weighted_data()
    model = OrdinalLogisticRegression(tol=1e-10).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(model.coef_, R_WEIGHTED_COEF, rtol=1e-6)
    np.testing.assert_allclose(model.thresholds_, R_WEIGHTED_ZETA, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(model.std_err_, R_WEIGHTED_SE, rtol=1e-4)  # polr: numerical H
    assert model.log_likelihood_ == pytest.approx(R_WEIGHTED_LOGLIK, rel=1e-10)
    repeated = OrdinalLogisticRegression(tol=1e-10).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(model.params_, repeated.params_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model.std_err_, repeated.std_err_, rtol=1e-9)


def test_l2_penalty_matches_a_direct_minimization_of_statsmodels_loglike():
    from scipy.optimize import minimize

    X, y = generated(n=200, seed=5)
    C = 0.05
    model = OrdinalLogisticRegression(penalty="l2", C=C, tol=1e-10).fit(X, y)
    reference = OrderedModel(y, X, distr="logit")
    n = y.size

    def penalized(params):
        return -reference.loglike(params) / n + params[:3] @ params[:3] / (2 * C * n)

    found = minimize(penalized, np.zeros(6), method="BFGS", options={"gtol": 1e-11})
    np.testing.assert_allclose(model.params_, found.x, atol=2e-6)
    assert np.all(np.abs(model.coef_) < np.abs(OrdinalLogisticRegression().fit(X, y).coef_))
    assert model.statistics_ is None and "Penalized" in model.summary().note


def test_proportional_odds_test_uses_statsmodels_likelihoods():
    X, y = generated(n=300, seed=2)
    model = OrdinalLogisticRegression(tol=1e-10).fit(X, y)
    result = model.proportional_odds_test(X, y)
    multinomial = sm.MNLogit(y, sm.add_constant(X)).fit(method="newton", disp=0, tol=1e-12)
    assert result.log_likelihood_multinomial == pytest.approx(multinomial.llf, rel=1e-9)
    assert result.log_likelihood_ordinal == pytest.approx(statsmodels_fit(X, y).llf, rel=1e-9)
    assert result.df == (4 - 2) * 3
    assert result.p_value > 0.01  # the data are proportional odds by construction


def test_non_proportional_data_are_rejected_by_the_test():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2000, 1))
    # class 1 more likely at both ends of x: not a cumulative logit
    y = np.where(np.abs(x[:, 0]) > 1.0, 1, np.where(x[:, 0] > 0, 2, 0))
    y = np.where(rng.uniform(size=2000) < 0.2, rng.integers(0, 3, 2000), y)
    model = OrdinalLogisticRegression().fit(x, y)
    assert model.proportional_odds_test(x, y).p_value < 1e-6


# -- order, API, files -----------------------------------------------------------------------
def test_categories_and_ordered_categoricals_give_the_order():
    X, y = generated(n=200, seed=8)
    names = np.array(["low", "mid", "high", "top"])[y]
    by_list = OrdinalLogisticRegression(categories=["low", "mid", "high", "top"]).fit(X, names)
    ordered = pd.Series(pd.Categorical(names, categories=["low", "mid", "high", "top"],
                                       ordered=True))
    by_dtype = OrdinalLogisticRegression().fit(X, ordered)
    numbers = OrdinalLogisticRegression().fit(X, y)
    np.testing.assert_allclose(by_list.params_, numbers.params_)
    np.testing.assert_allclose(by_dtype.params_, numbers.params_)
    assert list(by_list.classes_) == ["low", "mid", "high", "top"]
    reversed_ = OrdinalLogisticRegression(categories=["top", "high", "mid", "low"]).fit(X, names)
    np.testing.assert_allclose(reversed_.coef_, -numbers.coef_, rtol=1e-7)
    np.testing.assert_allclose(reversed_.thresholds_, -numbers.thresholds_[::-1], rtol=1e-7)
    assert set(by_list.predict(X)) <= set(by_list.classes_)


def test_predictions_stay_exact_for_extreme_scores():
    X, y = generated(n=200, seed=9)
    model = OrdinalLogisticRegression().fit(X, y)
    far = np.array([[1e4, 0.0, 0.0], [-1e4, 0.0, 0.0], [1e300, 0.0, 0.0]])
    with np.errstate(all="raise"):
        log_p = model.predict_log_proba(far[:2])
    assert np.all(np.isfinite(log_p))
    eta = 1e4 * model.coef_[0]
    top = model.thresholds_[-1]
    # the lowest class of a very high score: log σ(θ₁ - η) ≈ θ₁ - η
    assert log_p[0, 0] == pytest.approx(model.thresholds_[0] - eta, rel=1e-12)
    assert log_p[1, -1] == pytest.approx(-(top + eta), rel=1e-12)
    np.testing.assert_allclose(model.predict_proba(far).sum(axis=1), 1.0)


def test_save_and_load_round_trip(tmp_path):
    X, y = generated(n=200, seed=10)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    names = np.array(["low", "mid", "high", "top"])[y]
    model = OrdinalLogisticRegression(categories=["low", "mid", "high", "top"]).fit(frame, names)
    model.save(tmp_path / "m.json")
    loaded = load(tmp_path / "m.json")
    assert isinstance(loaded, OrdinalLogisticRegression)
    assert list(loaded.classes_) == ["low", "mid", "high", "top"]
    np.testing.assert_array_equal(loaded.predict_proba(frame), model.predict_proba(frame))
    np.testing.assert_array_equal(loaded.predict(frame), model.predict(frame))
    pd.testing.assert_frame_equal(loaded.summary().table, model.summary().table)
    penalized = OrdinalLogisticRegression(penalty="l2", C=0.1).fit(frame, y)
    penalized.save(tmp_path / "p.json")
    assert load(tmp_path / "p.json").statistics_ is None


def test_formula_fit_and_raw_predictions():
    X, y = generated(n=200, seed=11)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["g"] = np.where(X[:, 2] > 0, "u", "v")
    frame["rating"] = pd.Categorical(np.array(["1st", "2nd", "3rd", "4th"])[y], ordered=True)
    model = OrdinalLogisticRegression.from_formula("rating ~ a + b + C(g)", frame)
    direct = OrdinalLogisticRegression().fit(
        pd.DataFrame({"a": frame.a, "b": frame.b, "C(g)[T.v]": (frame.g == "v") * 1.0}), y)
    np.testing.assert_allclose(model.params_, direct.params_, rtol=1e-8)
    raw = frame.drop(columns="rating")
    np.testing.assert_allclose(model.predict_proba(raw), direct.predict_proba(
        pd.DataFrame({"a": frame.a, "b": frame.b, "C(g)[T.v]": (frame.g == "v") * 1.0})))


def test_scikit_learn_api():
    X, y = generated(n=300, seed=12)
    model = OrdinalLogisticRegression(C=2.0, penalty="l2")
    assert clone(model).get_params() == model.get_params()
    scores = cross_val_score(make_pipeline(StandardScaler(), OrdinalLogisticRegression()), X, y,
                             cv=3)
    assert np.all(scores > 0.3)  # 4 classes: well above chance


_NO_ORDER = "text or object labels have no order: an ordinal target needs categories=[...]"
_ORDINAL_CHECKS = {
    "check_classifiers_classes": _NO_ORDER,
    "check_dtype_object": _NO_ORDER,
    "check_classifiers_train": "three blobs in the plane are not ordered along one direction, "
                               "which is what a proportional odds model fits",
}


@parametrize_with_checks([OrdinalLogisticRegression(), OrdinalLogisticRegression("l2", C=0.5)],
                         expected_failed_checks=lambda estimator: _ORDINAL_CHECKS)
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # convergence on sklearn's toy sets
        check(estimator)


# -- bad input -------------------------------------------------------------------------------
def test_fewer_than_two_levels():
    X, _ = generated(n=50)
    with pytest.raises(DataError, match="at least 2 ordered levels"):
        OrdinalLogisticRegression().fit(X, np.zeros(50))
    with pytest.raises(DataError, match="at least 2 ordered levels"):
        OrdinalLogisticRegression(categories=["a"]).fit(X, ["a"] * 50)


def test_unordered_text_target_says_how_to_order_it():
    X, y = generated(n=60)
    names = np.array(["low", "mid", "high", "top"])[y]
    with pytest.raises(DataError, match=r"no order.*categories=\[\.\.\.\]"):
        OrdinalLogisticRegression().fit(X, names)
    with pytest.raises(DataError, match="unordered pandas Categorical"):
        OrdinalLogisticRegression().fit(X, pd.Series(pd.Categorical(names)))


def test_labels_outside_categories_and_empty_levels():
    X, y = generated(n=60)
    names = np.array(["low", "mid", "high", "top"])[y]
    with pytest.raises(DataError, match=r"not among categories"):
        OrdinalLogisticRegression(categories=["low", "mid", "high"]).fit(X, names)
    with pytest.raises(DataError, match=r"'extra'.* have no rows"):
        OrdinalLogisticRegression(categories=["low", "mid", "extra", "high", "top"]).fit(X, names)


def test_bad_weights_and_parameters():
    X, y = generated(n=60)
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(59,\), expected \(60,\)"):
        OrdinalLogisticRegression().fit(X, y, sample_weight=np.ones(59))
    with pytest.raises(ValueError, match="non-negative"):
        OrdinalLogisticRegression().fit(X, y, sample_weight=-np.ones(60))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        OrdinalLogisticRegression().fit(X, y[:-1])
    with pytest.raises(ValueError, match="penalty must be None or 'l2'"):
        OrdinalLogisticRegression(penalty="l1").fit(X, y)
    with pytest.raises(ValueError, match="C must be a positive"):
        OrdinalLogisticRegression(C=0.0).fit(X, y)
    with pytest.raises(DataError, match="missing labels"):
        OrdinalLogisticRegression().fit(X, np.where(y == 0, np.nan, y))
