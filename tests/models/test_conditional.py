"""ConditionalLogisticRegression against statsmodels' ConditionalLogit (the exact conditional
likelihood), R's survival::clogit (Breslow, Efron, weights), closed forms, and its own model
file."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.base import clone
from statsmodels.discrete.conditional_models import ConditionalLogit

from logistic import ConditionalLogisticRegression, DataError, SeparationWarning, load
from logistic.exceptions import StrataDroppedWarning
from logistic.io.model_file import save


def matched(n_strata: int, size: int, cases, d: int = 3, seed: int = 0):
    """Strata of ``size`` rows, ``cases`` (a number, or a range to draw from) of them drawn
    as cases with probability ∝ e^(x·β) one after another."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_strata * size, d))
    beta = np.linspace(-1.0, 1.0, d)
    y = np.zeros(n_strata * size, dtype=int)
    groups = np.repeat(np.arange(n_strata), size)
    for t in range(n_strata):
        rows = np.arange(t * size, (t + 1) * size)
        m = cases if np.isscalar(cases) else rng.integers(cases[0], cases[1] + 1)
        p = np.exp(X[rows] @ beta)
        y[rng.choice(rows, size=m, replace=False, p=p / p.sum())] = 1
    return X, y, groups


def statsmodels_fit(X, y, groups):
    return ConditionalLogit(y, X, groups=groups).fit(disp=0, method="newton", tol=1e-12,
                                                     maxiter=100)


@pytest.mark.parametrize("size, cases", [(2, 1), (5, 1), (6, 2), (7, (1, 4))],
                         ids=["1:1", "1:4", "2:4", "several"])
def test_agrees_with_statsmodels_conditional_logit(size, cases):
    X, y, groups = matched(80, size, cases, seed=size)
    ours = ConditionalLogisticRegression().fit(X, y, groups=groups)
    peer = statsmodels_fit(X, y, groups)
    np.testing.assert_allclose(ours.coef_[0], peer.params, atol=1e-6)
    np.testing.assert_allclose(ours.std_err_, peer.bse, atol=1e-6)
    assert ours.log_likelihood_ == pytest.approx(peer.llf, rel=1e-10)
    np.testing.assert_allclose(ours.p_values_, peer.pvalues, atol=1e-6)
    np.testing.assert_allclose(ours.conf_int(), peer.conf_int(), atol=1e-6)
    assert ours.converged_ and ours.intercept_.tolist() == [0.0]


def test_agrees_with_statsmodels_on_grunfeld():
    """statsmodels' shipped Grunfeld panel (11 firms × 20 years): invest above the firm's
    median (10 cases of 20 in each firm) on log value and log capital, firm as stratum."""
    import statsmodels.datasets

    data = statsmodels.datasets.grunfeld.load_pandas().data
    y = (data.invest > data.groupby("firm").invest.transform("median")).astype(int)
    X = pd.DataFrame({"log_value": np.log(data.value), "log_capital": np.log(data.capital)})
    ours = ConditionalLogisticRegression().fit(X, y, groups=data.firm)
    peer = statsmodels_fit(X.to_numpy(), y.to_numpy(), data.firm.to_numpy())
    np.testing.assert_allclose(ours.coef_[0], peer.params, atol=1e-6)
    np.testing.assert_allclose(ours.std_err_, peer.bse, atol=1e-6)
    assert ours.log_likelihood_ == pytest.approx(peer.llf, rel=1e-10)
    assert list(ours.summary().table.index) == ["log_value", "log_capital"]


# R 4.2.2, survival 3.5.3:
#   d <- read.csv("d.csv")
#   clogit(case ~ x1 + x2 + strata(stratum), data=d, method=m)             m: exact, breslow, efron
#   clogit(case ~ x1 + x2 + strata(stratum), data=d, method=m, weights=w)  m: breslow, efron
# coef(f), sqrt(diag(vcov(f))), f$loglik (at β = 0 and at β̂), printed with %.12g
R_DATA = """stratum,case,x1,x2,w
1,1,-0.37,1.79,2
1,0,-0.62,0.67,1
1,0,-1.45,0.59,1
2,1,0.63,1.24,2
2,1,-0.77,1.33,3
2,0,-0.65,2.0,2
2,0,0.8,-1.18,3
3,1,0.32,1.11,2
3,1,-0.73,2.02,2
3,0,-0.86,-0.37,3
3,0,-0.18,-1.55,1
3,0,-1.81,-0.29,3
4,1,0.61,-0.49,2
4,1,-1.18,0.64,1
4,1,-0.52,-0.41,1
4,0,-1.23,0.29,3
4,0,0.05,1.2,3
4,0,1.09,-0.08,2
5,1,0.41,0.61,1
5,0,1.39,1.07,1
5,0,0.26,-2.34,1
5,0,-0.03,-0.13,2
6,1,0.43,1.99,1
6,1,-0.47,0.02,2
6,1,0.37,1.9,1
6,0,0.46,-0.45,3
6,0,-1.24,0.95,1
7,1,-1.83,0.08,3
7,1,1.0,1.87,3
7,0,2.25,1.4,3
7,0,0.96,-0.13,3
7,0,0.81,1.78,3
7,0,0.91,-1.08,1
8,1,-0.66,-1.4,2
8,0,0.32,-2.71,3
8,0,1.01,1.04,1
9,1,2.72,1.47,1
9,1,0.0,1.42,3
9,0,0.68,-0.58,1
9,0,-0.37,-0.69,3
9,0,-0.4,-0.19,3
10,1,0.6,2.23,3
10,1,-0.53,1.71,3
10,1,0.03,-0.78,1
10,1,-0.88,1.84,1
10,0,1.44,1.72,3
10,0,0.54,-0.3,2
"""
R_CLOGIT = {  # (method, weighted): (coef, se, loglik at 0, loglik at β̂)
    ("exact", False): ([-0.368757119023, 0.693588570419], [0.343376644458, 0.312075164569],
                       -20.6948663624, -17.5302569934),
    ("breslow", False): ([-0.20864727671, 0.458613749924], [0.266004025145, 0.247578299525],
                         -33.7480082708, -31.6566511551),
    ("efron", False): ([-0.250934668671, 0.53676549476], [0.268014646972, 0.253014085313],
                       -30.2290278535, -27.4001841755),
    ("breslow", True): ([-0.374120713382, 0.594398460782], [0.199465111397, 0.195883823006],
                        -94.0741531795, -87.8270272587),
    ("efron", True): ([-0.450490774173, 0.684771616284], [0.202214375172, 0.199507984138],
                      -88.3458654707, -79.9543168577),
}


@pytest.mark.parametrize("ties, weighted", list(R_CLOGIT), ids=lambda v: str(v))
def test_agrees_with_r_clogit(ties, weighted):
    data = pd.read_csv(io.StringIO(R_DATA))
    coef, se, null, loglik = R_CLOGIT[ties, weighted]
    model = ConditionalLogisticRegression(ties=ties).fit(
        data[["x1", "x2"]], data.case, groups=data.stratum,
        sample_weight=data.w if weighted else None)
    np.testing.assert_allclose(model.coef_[0], coef, atol=1e-9)
    np.testing.assert_allclose(model.std_err_, se, atol=1e-9)
    assert model.null_log_likelihood_ == pytest.approx(null, abs=1e-9)
    assert model.log_likelihood_ == pytest.approx(loglik, abs=1e-9)
    assert model.lr_stat_ == pytest.approx(2 * (loglik - null), abs=1e-8)


def test_exact_weights_count_whole_strata():
    """A stratum weight of 2 is the stratum twice (R's clogit ignores weights with
    method='exact'; this is the frequency meaning, checked against duplicated strata)."""
    X, y, groups = matched(30, 5, 2, seed=3)
    weights = np.where(groups % 3 == 0, 2.0, 1.0)
    weighted = ConditionalLogisticRegression().fit(X, y, groups=groups, sample_weight=weights)
    twice = groups % 3 == 0
    X2, y2 = np.vstack([X, X[twice]]), np.r_[y, y[twice]]
    g2 = np.r_[groups, groups[twice] + 1000]
    duplicated = ConditionalLogisticRegression().fit(X2, y2, groups=g2)
    np.testing.assert_allclose(weighted.coef_, duplicated.coef_, atol=1e-10)
    np.testing.assert_allclose(weighted.std_err_, duplicated.std_err_, atol=1e-10)


def test_one_case_per_stratum_makes_the_ties_options_agree():
    X, y, groups = matched(60, 4, 1, seed=4)
    fits = [ConditionalLogisticRegression(ties=t).fit(X, y, groups=groups)
            for t in ("exact", "breslow", "efron")]
    for other in fits[1:]:
        np.testing.assert_allclose(other.coef_, fits[0].coef_, atol=1e-12)
        np.testing.assert_allclose(other.std_err_, fits[0].std_err_, atol=1e-12)


def test_statistics_follow_their_formulas():
    X, y, groups = matched(50, 5, 2, seed=5)
    model = ConditionalLogisticRegression().fit(X, y, groups=groups)
    k, ll = 3, model.log_likelihood_
    assert model.aic_ == pytest.approx(-2 * ll + 2 * k)
    assert model.bic_ == pytest.approx(-2 * ll + k * np.log(len(y)))
    assert model.lr_p_value_ == pytest.approx(stats.chi2.sf(model.lr_stat_, k))
    # ℓ(0) of the exact likelihood is -Σ log C(n, m)
    assert model.null_log_likelihood_ == pytest.approx(-50 * np.log(10.0))


def test_profile_intervals_solve_their_equation():
    """At each end v of the profile interval, the fit with βⱼ = v (statsmodels'
    ConditionalLogit with the column as an offset) is χ²₁(0.95) below the maximum."""
    X, y, groups = matched(60, 4, 1, seed=6)
    model = ConditionalLogisticRegression().fit(X, y, groups=groups)
    intervals = model.conf_int(method="profile", X=X, y=y, groups=groups)
    quantile = stats.chi2.ppf(0.95, 1)
    for j in range(3):
        for v in intervals[j]:
            rest = np.delete(X, j, axis=1)
            fit = ConditionalLogit(y, rest, groups=groups, offset=X[:, j] * v).fit(
                disp=0, method="newton", tol=1e-12)
            assert 2 * (model.log_likelihood_ - fit.llf) == pytest.approx(quantile, abs=1e-6)
    assert np.all(intervals[:, 0] < model.coef_[0]) and np.all(model.coef_[0] < intervals[:, 1])
    table = model.summary(X=X, y=y, groups=groups).table
    np.testing.assert_allclose(table.iloc[:, 4:].to_numpy(), intervals)


def test_predict_proba_is_the_softmax_within_each_stratum():
    X, y, groups = matched(20, 4, 1, seed=7)
    model = ConditionalLogisticRegression().fit(X, y, groups=groups)
    proba = model.predict_proba(X, groups=groups)[:, 1]
    eta = X @ model.coef_[0]
    for t in range(20):
        rows = groups == t
        np.testing.assert_allclose(proba[rows], np.exp(eta[rows]) / np.exp(eta[rows]).sum())
    prediction = model.predict(X, groups=groups)
    assert np.all(np.bincount(groups, weights=prediction) == 1)
    assert np.all(prediction[np.argmax(np.where(groups == 0, proba, -1))] == 1)
    with pytest.raises(DataError, match="stratum"):
        model.predict_proba(X)


def test_formula_with_strata_term_matches_the_arrays():
    X, y, groups = matched(40, 5, 2, seed=8)
    rng = np.random.default_rng(8)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(
        case=y, pair=groups, g=rng.choice(["p", "q", "r"], len(y)))
    model = ConditionalLogisticRegression.from_formula("case ~ a + b + C(g) + strata(pair)",
                                                       frame)
    dummies = pd.get_dummies(frame.g, drop_first=True, dtype=float).to_numpy()
    reference = statsmodels_fit(np.column_stack([X[:, :2], dummies]), y, groups)
    np.testing.assert_allclose(model.coef_[0], reference.params, atol=1e-6)
    assert list(model.feature_names_in_) == ["a", "b", "C(g)[T.q]", "C(g)[T.r]"]
    assert model.strata == "pair"
    np.testing.assert_allclose(model.predict_proba(frame),
                               model.predict_proba(model.formula_.transform(frame), groups))


def test_strata_column_parameter_takes_the_strata_from_the_frame():
    X, y, groups = matched(30, 4, 1, seed=9)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(pair=groups)
    by_column = ConditionalLogisticRegression(strata="pair").fit(frame, y)
    by_groups = ConditionalLogisticRegression().fit(X, y, groups=groups)
    np.testing.assert_allclose(by_column.coef_, by_groups.coef_)
    assert list(by_column.feature_names_in_) == ["a", "b", "c"]
    np.testing.assert_allclose(by_column.predict_proba(frame),
                               by_groups.predict_proba(X, groups))


@pytest.mark.parametrize("formula", [False, True])
def test_model_file_round_trip(tmp_path, formula):
    X, y, groups = matched(30, 5, 2, seed=10)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(case=y, pair=groups)
    model = (ConditionalLogisticRegression.from_formula("case ~ a + b + c + strata(pair)",
                                                        frame, ties="efron") if formula else
             ConditionalLogisticRegression(strata="pair", ties="efron").fit(
                 frame[["a", "b", "c", "pair"]], y))
    frame = frame.drop(columns="case") if not formula else frame
    path = tmp_path / "model.json"
    save(model, path)
    loaded = load(path)
    assert isinstance(loaded, ConditionalLogisticRegression)
    assert loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    np.testing.assert_array_equal(loaded.predict_proba(frame), model.predict_proba(frame))
    pd.testing.assert_frame_equal(loaded.summary().table, model.summary().table)
    assert loaded.aic_ == model.aic_


def test_sklearn_parameters_and_clone():
    model = ConditionalLogisticRegression(ties="breslow", max_iter=50)
    assert clone(model).get_params() == {"ties": "breslow", "strata": None, "max_iter": 50,
                                         "tol": 1e-6}
    with pytest.raises(ValueError, match="ties must be one of"):
        ConditionalLogisticRegression(ties="cox").fit(np.ones((4, 1)), [0, 1, 0, 1],
                                                      groups=[0, 0, 1, 1])


def test_features_near_float_max_fit_exactly_rescaled():
    X, y, groups = matched(40, 4, 1, seed=11)
    plain = ConditionalLogisticRegression().fit(X, y, groups=groups)
    with np.errstate(all="raise"):
        huge = ConditionalLogisticRegression().fit(X * 1e300, y, groups=groups)
    np.testing.assert_allclose(huge.coef_ * 1e300, plain.coef_, rtol=1e-10)
    assert huge.statistics_ is None and "float64 range" in huge.inference_note_
    big = ConditionalLogisticRegression().fit(X * 1e100, y, groups=groups)
    np.testing.assert_allclose(big.std_err_ * 1e100, plain.std_err_, rtol=1e-10)


# -- bad input ---------------------------------------------------------------------------------
def test_strata_without_variation_are_dropped_and_counted():
    X, y, groups = matched(30, 4, 1, seed=12)
    y = y.copy()
    y[groups == 0] = 0  # only controls
    y[groups == 1] = 1  # only cases
    with pytest.warns(StrataDroppedWarning, match="2 of 30 strata"):
        model = ConditionalLogisticRegression().fit(X, y, groups=groups)
    kept = groups >= 2
    reference = statsmodels_fit(X[kept], y[kept], groups[kept])
    np.testing.assert_allclose(model.coef_[0], reference.params, atol=1e-6)
    assert (model.n_strata_, model.n_dropped_strata_) == (28, 2)
    assert model.statistics_.n_obs == kept.sum()


def test_all_strata_without_variation_is_an_error():
    with pytest.raises(DataError, match="all 2 strata have only cases or only controls"):
        ConditionalLogisticRegression().fit(np.arange(4.0)[:, None], [0, 0, 1, 1],
                                            groups=[0, 0, 1, 1])


def test_missing_strata_are_an_error():
    with pytest.raises(DataError, match="missing values at rows 2"):
        ConditionalLogisticRegression().fit(np.arange(4.0)[:, None], [0, 1, 0, 1],
                                            groups=[1, 1, None, 2])


def test_a_column_constant_within_every_stratum_is_named():
    X, y, groups = matched(20, 4, 1, seed=13)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(age=groups * 3.0)
    with pytest.raises(DataError, match="'age' are constant within every stratum"):
        ConditionalLogisticRegression().fit(frame, y, groups=groups)


def test_exact_with_row_weights_is_an_error():
    X, y, groups = matched(10, 4, 2, seed=14)
    with pytest.raises(DataError, match="the same for every row of a stratum"):
        ConditionalLogisticRegression().fit(X, y, groups=groups,
                                            sample_weight=np.arange(1.0, 41.0))


def test_no_strata_and_wrong_lengths_are_errors():
    X, y, groups = matched(10, 4, 1, seed=15)
    with pytest.raises(DataError, match="needs each row's stratum"):
        ConditionalLogisticRegression().fit(X, y)
    with pytest.raises(DataError, match="39 values for 40 rows"):
        ConditionalLogisticRegression().fit(X, y, groups=groups[:-1])
    with pytest.raises(DataError, match="needs 2 classes"):
        ConditionalLogisticRegression().fit(X, y + (groups == 0), groups=groups)


def test_separation_within_strata_warns():
    """A column that is largest at the case of every stratum: β̂ is infinite."""
    X, y, groups = matched(10, 4, 1, seed=16)
    X = X.copy()
    X[:, 0] = y + 0.1 * X[:, 0]
    with pytest.warns(SeparationWarning, match="no finite maximum"):
        ConditionalLogisticRegression().fit(X, y, groups=groups)


def test_a_model_file_with_an_intercept_is_refused(tmp_path):
    import json

    from logistic import ModelFileError

    X, y, groups = matched(10, 4, 1, seed=17)
    path = tmp_path / "model.json"
    save(ConditionalLogisticRegression().fit(X, y, groups=groups), path)
    document = json.loads(path.read_text())
    document["intercept"] = [0.5]
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="intercept"):
        load(path)
