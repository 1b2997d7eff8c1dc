"""L1 and elastic-net penalties, regularization paths and cross-validated C, against
scikit-learn, glum and the KKT conditions written out here in NumPy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from glum import GeneralizedLinearRegressor
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.linear_model import LogisticRegressionCV as SkLogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.estimator_checks import parametrize_with_checks

from logistic import LogisticRegression, LogisticRegressionCV, critical_C, load, logistic_path


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def saga(C, l1_ratio, X, y, **kwargs):
    """scikit-learn's saga at a tolerance tight enough for 1e-8 agreement."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = SkLogisticRegression(
            C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-12, max_iter=200_000, **kwargs
        )
        model.fit(X, y)
    assert model.n_iter_.max() < 200_000, "saga did not converge: not a reference"
    return model


def glum_fit(C, l1_ratio, X, y, sample_weight=None):
    """glum's IRLS-CD on the same objective: alpha = 1/(C·Σsᵢ), weights normalized."""
    total = len(y) if sample_weight is None else float(np.sum(sample_weight))
    model = GeneralizedLinearRegressor(
        family="binomial", alpha=1.0 / (C * total), l1_ratio=l1_ratio, gradient_tol=1e-12,
        max_iter=1000,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glum's line search notes near the optimum
        return model.fit(X, y, sample_weight=sample_weight)


def kkt_violation(X, y, coef, intercept, C, l1_ratio=1.0, sample_weight=None):
    """max over the conditions of optimality of the binary elastic net, written from scratch:

        g = Xᵀ s(σ(Xw + b) - y) / Σs + α(1-ρ)w,   α = 1/(C·Σs)
        wⱼ ≠ 0:  gⱼ + αρ·sign(wⱼ) = 0;   wⱼ = 0:  |gⱼ| ≤ αρ;   Σ s(σ - y) = 0
    """
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    alpha = 1.0 / (C * s.sum())
    p = 1.0 / (1.0 + np.exp(-(X @ coef + intercept)))
    g = X.T @ (s * (p - y)) / s.sum() + alpha * (1 - l1_ratio) * coef
    lam = alpha * l1_ratio
    at_zero = np.maximum(np.abs(g) - lam, 0.0)
    off_zero = np.abs(g + lam * np.sign(coef))
    violation = np.where(coef == 0, at_zero, off_zero)
    return max(violation.max(), abs(np.sum(s * (p - y)) / s.sum()))


# -- agreement with the peers -----------------------------------------------------------------
@pytest.mark.parametrize("C", [0.01, 0.1])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_l1_and_elastic_net_equal_saga(cancer, C, l1_ratio):
    X, y = cancer
    ours = LogisticRegression("elasticnet", C=C, l1_ratio=l1_ratio, tol=1e-12).fit(X, y)
    theirs = saga(C, l1_ratio, X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-6)
    # the same exact zeros (saga's are exact too: its proximal step sets them)
    np.testing.assert_array_equal(ours.coef_ == 0, theirs.coef_ == 0)
    assert ours.solver_ == "newton-cd"


def test_elastic_net_at_C_1_equals_saga(cancer):
    X, y = cancer
    ours = LogisticRegression("elasticnet", C=1.0, l1_ratio=0.5, tol=1e-12).fit(X, y)
    theirs = saga(1.0, 0.5, X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("C", [0.01, 0.1, 1.0, 10.0])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_l1_and_elastic_net_equal_glum(cancer, C, l1_ratio):
    # At C ≥ 1 with the pure L1 penalty saga does not converge within 10⁵ epochs and
    # liblinear penalizes the intercept, so glum (IRLS + coordinate descent, same objective)
    # is the peer that reaches this optimum at tight tolerance.
    X, y = cancer
    penalty = "l1" if l1_ratio == 1.0 else "elasticnet"
    ratio = None if penalty == "l1" else l1_ratio
    ours = LogisticRegression(penalty, C=C, l1_ratio=ratio, tol=1e-12).fit(X, y)
    theirs = glum_fit(C, l1_ratio, X, y)
    np.testing.assert_allclose(ours.coef_[0], theirs.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_[0], theirs.intercept_, atol=1e-6)
    assert kkt_violation(X, y, ours.coef_[0], ours.intercept_[0], C, l1_ratio) < 1e-10
    assert 0 < np.count_nonzero(ours.coef_) < X.shape[1]  # sparse, not trivially so


@pytest.mark.parametrize("C", [0.1, 1.0])
def test_multinomial_l1_equals_saga(iris, C):
    X, y = iris
    ours = LogisticRegression("l1", C=C, tol=1e-12).fit(X, y)
    theirs = saga(C, 1.0, X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-6)
    assert np.any(ours.coef_ == 0)


def test_sparse_input_gives_the_dense_fit(cancer):
    X, y = cancer
    X = np.where(np.abs(X) < 0.5, 0.0, X)  # about 40% zeros
    dense = LogisticRegression("l1", C=0.5, tol=1e-12).fit(X, y)
    for matrix in (sp.csr_matrix(X), sp.csc_matrix(X)):
        sparse = LogisticRegression("l1", C=0.5, tol=1e-12).fit(matrix, y)
        np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-10)
        np.testing.assert_array_equal(sparse.coef_ == 0, dense.coef_ == 0)


def test_float32_input_reaches_the_float64_optimum(cancer):
    X, y = cancer
    wide = LogisticRegression("l1", C=0.3, tol=1e-10).fit(X, y)
    narrow = LogisticRegression("l1", C=0.3, tol=1e-10).fit(X.astype(np.float32), y)
    narrow_X = X.astype(np.float32).astype(np.float64)
    assert kkt_violation(narrow_X, y, narrow.coef_[0], narrow.intercept_[0], 0.3) < 1e-7
    np.testing.assert_allclose(narrow.coef_, wide.coef_, atol=1e-4)


def test_elastic_net_ends_are_l1_and_l2(cancer):
    X, y = cancer
    l2 = LogisticRegression("l2", C=0.2, tol=1e-12).fit(X, y)
    ridge = LogisticRegression("elasticnet", C=0.2, l1_ratio=0.0, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(ridge.coef_, l2.coef_, atol=1e-9)
    l1 = LogisticRegression("l1", C=0.2, tol=1e-12).fit(X, y)
    lasso = LogisticRegression("elasticnet", C=0.2, l1_ratio=1.0, tol=1e-12).fit(X, y)
    np.testing.assert_array_equal(lasso.coef_, l1.coef_)


def test_penalized_fits_report_no_standard_errors(cancer):
    X, y = cancer
    model = LogisticRegression("l1", C=0.1).fit(X, y)
    assert model.statistics_ is None
    assert "penalty='l1'" in model.inference_note_
    assert model.summary().header["Penalty"] == "l1 (C=0.1)"
    net = LogisticRegression("elasticnet", C=0.1, l1_ratio=0.25).fit(X, y)
    assert net.summary().header["Penalty"] == "elasticnet (C=0.1, l1_ratio=0.25)"


def test_l1_model_file_round_trips(cancer, tmp_path):
    X, y = cancer
    model = LogisticRegression("elasticnet", C=0.1, l1_ratio=0.7, tol=1e-10).fit(X, y)
    path = tmp_path / "model.json"
    model.save(path)
    loaded = load(path)
    assert loaded.get_params()["l1_ratio"] == 0.7
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_face_solve_slides_along_a_flat_direction_to_the_l1_minimum():
    # columns x and -x: H = [[1, -1], [-1, 1]] is flat along (1, 1), where only the L1 term
    # changes. From (1.2, 0.3) the face solve must slide until the second coordinate is 0,
    # then solve the remaining face: x₀ = -g₀ - λ = 1.5 (closed form), x₁ = 0.
    from logistic.solvers.newton_cd import _solve_on_face

    H = np.array([[1.0, -1.0], [-1.0, 1.0]])
    step = _solve_on_face(H, np.array([-2.0, 2.0]), np.zeros(2), np.array([0.5, 0.5]),
                          np.array([1.2, 0.3]), 1e-12)
    np.testing.assert_allclose(step, [1.5, 0.0], atol=1e-12)
    assert step[1] == 0.0


@pytest.mark.slow
def test_covtype_one_hot_groups_converge_in_few_newton_steps():
    # covtype's soil and wilderness indicators add up to the intercept's column: the
    # Hessian is singular and cyclic coordinate descent crawls along the flat direction
    # (32 Newton steps on this sample without the face solve, 11 with it; on all 581,012
    # rows it stalls at a KKT residual of 1.5e-8). Optional: needs the shared data set.
    path = _datasets() / "covtype_binary.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} not present (set LOGISTIC_DATASETS)")
    import pandas as pd

    frame = pd.read_csv(path).sample(20_000, random_state=0)
    y = frame.pop("label").to_numpy()
    X = frame.to_numpy(dtype=np.float64)
    X = StandardScaler().fit_transform(X[:, X.std(axis=0) > 0])
    C = critical_C(X, y) * 1e4
    model = LogisticRegression("l1", C=C, tol=1e-10, max_iter=60).fit(X, y)
    assert model.converged_ and model.n_iter_[0] <= 15
    assert kkt_violation(X, y, model.coef_[0], model.intercept_[0], C) < 1e-9


def _datasets():
    import os
    from pathlib import Path

    default = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
    return Path(os.environ.get("LOGISTIC_DATASETS", default))


def test_exactly_collinear_one_hot_columns_reach_glums_minimum():
    # one-hot columns of a category add up to the intercept's column: the minimizer is not
    # unique along that direction, the minimum is
    rng = np.random.default_rng(3)
    m = 3000
    levels = rng.integers(0, 6, size=m)
    numeric = rng.standard_normal((m, 2))
    X = StandardScaler().fit_transform(np.column_stack([numeric, np.eye(6)[levels]]))
    z = numeric @ [1.0, -0.5] + np.array([0.5, -1.0, 0.0, 2.0, -0.3, 0.8])[levels]
    y = (rng.random(m) < 1 / (1 + np.exp(-z))).astype(int)
    C = 100.0 / m  # weak: most coefficients nonzero
    ours = LogisticRegression("l1", C=C, tol=1e-10, max_iter=100).fit(X, y)
    assert ours.converged_ and ours.n_iter_[0] < 40
    assert kkt_violation(X, y, ours.coef_[0], ours.intercept_[0], C) < 1e-9
    theirs = glum_fit(C, 1.0, X, y)

    def F(coef, intercept):
        p = 1 / (1 + np.exp(-(X @ coef + intercept)))
        loss = -np.mean(y * np.log(p) + (1 - y) * np.log1p(-p))
        return loss + np.abs(coef).sum() / (C * m)

    # the minimizer need not be unique along the flat direction; the minimum is
    assert F(ours.coef_[0], ours.intercept_[0]) <= F(theirs.coef_, theirs.intercept_) + 1e-12


@pytest.mark.slow
def test_path_with_and_without_the_remembered_hessian_agree(cancer, monkeypatch):
    import logistic.fitting.path as path_module

    X, y = cancer
    Cs = np.logspace(-2.5, 1, 25)
    remembered = logistic_path(X, y, Cs=Cs, tol=1e-10)
    monkeypatch.setattr(path_module, "HessianMemory", lambda: None)
    fresh = logistic_path(X, y, Cs=Cs, tol=1e-10)
    np.testing.assert_allclose(remembered.coefs, fresh.coefs, atol=1e-8)
    for C, row in zip(Cs, remembered.coefs, strict=True):
        assert kkt_violation(X, y, row[:-1], row[-1], C) < 1e-9
    assert remembered.n_iter.sum() <= fresh.n_iter.sum() + len(Cs)


# -- weights ----------------------------------------------------------------------------------
def test_integer_sample_weights_equal_repeated_rows(cancer):
    X, y = cancer
    counts = np.random.default_rng(0).integers(0, 4, size=len(y))
    weighted = LogisticRegression("l1", C=0.05, tol=1e-12).fit(X, y, sample_weight=counts)
    repeated = LogisticRegression("l1", C=0.05, tol=1e-12).fit(
        np.repeat(X, counts, axis=0), np.repeat(y, counts)
    )
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, atol=1e-9)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, atol=1e-9)


@pytest.mark.parametrize("class_weight", ["balanced", {0: 3.0, 1: 0.5}])
def test_class_weight_equals_its_sample_weights_and_glum(cancer, class_weight):
    X, y = cancer
    weights = compute_sample_weight(class_weight, y)
    ours = LogisticRegression("l1", C=0.1, class_weight=class_weight, tol=1e-12).fit(X, y)
    theirs = glum_fit(0.1, 1.0, X, y, sample_weight=weights)
    np.testing.assert_allclose(ours.coef_[0], theirs.coef_, atol=1e-6)
    assert kkt_violation(X, y, ours.coef_[0], ours.intercept_[0], 0.1, 1.0, weights) < 1e-10


# -- the path ---------------------------------------------------------------------------------
def test_path_satisfies_kkt_at_every_point(cancer):
    X, y = cancer
    Cs = np.logspace(-3, 1, 40)
    path = logistic_path(X, y, Cs=Cs, tol=1e-10)
    assert path.coefs.shape == (40, X.shape[1] + 1)
    for C, row in zip(Cs, path.coefs, strict=True):
        assert kkt_violation(X, y, row[:-1], row[-1], C) < 1e-6
    nonzero = np.count_nonzero(path.coefs[:, :-1], axis=1)
    assert nonzero[0] == 0 and nonzero[-1] > 20  # from the empty model to a dense one


def test_path_points_equal_single_fits_in_any_order(cancer):
    X, y = cancer
    Cs = [1.0, 0.01, 0.1]  # not sorted: the answer comes back in the order given
    path = logistic_path(X, y, Cs=Cs, penalty="elasticnet", l1_ratio=0.5, tol=1e-12)
    for C, row in zip(Cs, path.coefs, strict=True):
        single = LogisticRegression("elasticnet", C=C, l1_ratio=0.5, tol=1e-12).fit(X, y)
        np.testing.assert_allclose(row[:-1], single.coef_[0], atol=1e-9)
        np.testing.assert_allclose(row[-1], single.intercept_[0], atol=1e-9)
    np.testing.assert_array_equal(path.Cs, Cs)


def test_first_coefficient_enters_at_the_kkt_critical_C(cancer):
    X, y = cancer
    m = len(y)
    # at w = 0 the intercept-only optimum is b = logit(ȳ), so ∇_w f = Xᵀ(ȳ - y)/m, and
    # |∇ⱼf| ≤ 1/(C·m) for every j exactly while C ≤ 1 / (m·‖Xᵀ(ȳ - y)/m‖∞)
    gradient = X.T @ (y.mean() - y) / m
    expected = 1.0 / (m * np.abs(gradient).max())
    assert critical_C(X, y) == pytest.approx(expected, rel=1e-12)
    path = logistic_path(X, y, Cs=[expected * (1 - 1e-6), expected * (1 + 1e-3)], tol=1e-12)
    assert np.count_nonzero(path.coefs[0, :-1]) == 0
    assert path.coefs[0, -1] == pytest.approx(np.log(y.mean() / (1 - y.mean())), rel=1e-10)
    entered = np.flatnonzero(path.coefs[1, :-1])
    np.testing.assert_array_equal(entered, [np.argmax(np.abs(gradient))])
    # it enters with the sign that lowers the loss
    assert np.sign(path.coefs[1, entered[0]]) == -np.sign(gradient[entered[0]])


def test_weighted_path_kkt_and_critical_C(cancer):
    X, y = cancer
    weights = np.random.default_rng(1).uniform(0.2, 3.0, size=len(y))
    Cs = np.logspace(-2, 0, 12)
    path = logistic_path(X, y, Cs=Cs, sample_weight=weights, class_weight="balanced", tol=1e-10)
    total = weights * compute_sample_weight("balanced", y)
    for C, row in zip(Cs, path.coefs, strict=True):
        assert kkt_violation(X, y, row[:-1], row[-1], C, 1.0, total) < 1e-6
    mean = np.average(y, weights=total)
    expected = 1.0 / np.abs(X.T @ (total * (mean - y))).max()
    assert critical_C(
        X, y, sample_weight=weights, class_weight="balanced"
    ) == pytest.approx(expected, rel=1e-12)


def test_multinomial_path_shape_and_points(iris):
    X, y = iris
    path = logistic_path(X, y, Cs=[0.05, 0.5], tol=1e-12)
    assert path.coefs.shape == (2, 3, X.shape[1] + 1)
    single = LogisticRegression("l1", C=0.5, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(path.coefs[1, :, :-1], single.coef_, atol=1e-9)


def test_l2_path_equals_scikit_learn(cancer):
    X, y = cancer
    Cs = np.logspace(-2, 1, 5)
    path = logistic_path(X, y, Cs=Cs, penalty="l2", tol=1e-12)
    for C, row in zip(Cs, path.coefs, strict=True):
        theirs = SkLogisticRegression(
            C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000
        ).fit(X, y)
        np.testing.assert_allclose(row[:-1], theirs.coef_[0], atol=1e-6)


# -- cross-validation -------------------------------------------------------------------------
def sk_cv(X, y, Cs, l1_ratio, solver, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SkLogisticRegressionCV(
            Cs=Cs, l1_ratios=(l1_ratio,), solver=solver, cv=StratifiedKFold(5),
            scoring="neg_log_loss", tol=1e-10, max_iter=100_000, use_legacy_attributes=True,
            **kwargs,
        ).fit(X, y)


@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_l2_cv_scores_and_C_equal_scikit_learn(cancer, class_weight):
    X, y = cancer
    Cs = np.logspace(-3, 2, 8)
    ours = LogisticRegressionCV(
        Cs=Cs, cv=StratifiedKFold(5), tol=1e-10, max_iter=1000, class_weight=class_weight
    ).fit(X, y)
    theirs = sk_cv(X, y, Cs, 0.0, "newton-cholesky", class_weight=class_weight)
    np.testing.assert_allclose(ours.scores_[1], theirs.scores_[1].reshape(5, -1), atol=1e-6)
    np.testing.assert_array_equal(ours.C_, theirs.C_)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)


def test_l1_cv_picks_the_C_of_scikit_learn():
    # three informative features among twelve: the best C is inside the grid. The grid
    # starts above C = 0.06 because below it saga stops early on the intercept (its
    # stopping rule sees the C-scaled data term), while ours sits at logit(ȳ) exactly there.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 12))
    truth = np.zeros(12)
    truth[:3] = [1.0, -0.7, 0.4]
    y = (rng.random(200) < 1 / (1 + np.exp(-(X @ truth + 0.3)))).astype(int)
    Cs = np.logspace(-1.2, 1, 7)
    ours = LogisticRegressionCV(
        Cs=Cs, penalty="l1", cv=StratifiedKFold(5), tol=1e-10, max_iter=1000
    ).fit(X, y)
    theirs = sk_cv(X, y, Cs, 1.0, "saga")
    np.testing.assert_allclose(ours.scores_[1], theirs.scores_[1].reshape(5, -1), atol=1e-8)
    best = np.argmax(ours.scores_[1].mean(axis=0))
    assert 0 < best < len(Cs) - 1  # an interior choice, not a grid end
    np.testing.assert_array_equal(ours.C_, theirs.C_)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-8)
    assert np.any(ours.coef_ == 0)


@pytest.mark.slow
def test_elastic_net_cv_searches_both_parameters(cancer):
    X, y = cancer
    Cs, ratios = np.logspace(-2, 0, 4), [0.2, 0.8]
    folds = list(StratifiedKFold(4).split(X, y))
    ours = LogisticRegressionCV(
        Cs=Cs, l1_ratios=ratios, penalty="elasticnet", cv=folds, tol=1e-10, n_jobs=2
    ).fit(X, y)
    assert ours.scores_[1].shape == (4, 4, 2)
    # each score is the held-out mean log-likelihood of a fit on the other folds
    train, test = folds[2]
    fit = LogisticRegression("elasticnet", C=Cs[1], l1_ratio=0.8, tol=1e-10).fit(
        X[train], y[train]
    )
    log_p = fit.predict_log_proba(X[test])[np.arange(len(test)), y[test]]
    assert ours.scores_[1][2, 1, 1] == pytest.approx(log_p.mean(), abs=1e-8)
    best = np.unravel_index(np.argmax(ours.scores_[1].mean(axis=0)), (4, 2))
    assert ours.C_[0] == Cs[best[0]] and ours.l1_ratio_[0] == ratios[best[1]]
    refit = LogisticRegression(
        "elasticnet", C=ours.C_[0], l1_ratio=ours.l1_ratio_[0], tol=1e-10
    ).fit(X, y)
    np.testing.assert_allclose(ours.coef_, refit.coef_, atol=1e-12)


def test_cv_scores_weigh_held_out_rows_by_sample_weight(cancer):
    X, y = cancer
    weights = np.random.default_rng(2).integers(1, 4, size=len(y)).astype(float)
    folds = list(StratifiedKFold(3).split(X, y))
    ours = LogisticRegressionCV(Cs=[0.1], penalty="l1", cv=folds, tol=1e-10).fit(
        X, y, sample_weight=weights
    )
    train, test = folds[0]
    fit = LogisticRegression("l1", C=0.1, tol=1e-10).fit(
        X[train], y[train], sample_weight=weights[train]
    )
    log_p = fit.predict_log_proba(X[test])[np.arange(len(test)), y[test]]
    expected = np.average(log_p, weights=weights[test])
    assert ours.scores_[1][0, 0] == pytest.approx(expected, abs=1e-8)


def test_cv_with_a_named_scorer_and_no_refit(iris):
    X, y = iris
    folds = list(StratifiedKFold(3).split(X, y))
    ours = LogisticRegressionCV(
        Cs=[0.01, 1.0], penalty="l1", cv=folds, scoring="accuracy", refit=False, tol=1e-8
    ).fit(X, y)
    assert set(ours.scores_) == {0, 1, 2} and ours.scores_[0].shape == (3, 2)
    train, test = folds[1]
    fit = LogisticRegression("l1", C=1.0, tol=1e-8).fit(X[train], y[train])
    assert ours.scores_[0][1, 1] == pytest.approx(np.mean(fit.predict(X[test]) == y[test]))
    assert ours.predict(X).shape == (len(y),)
    assert ours.coefs_paths_[2].shape == (3, 2, X.shape[1] + 1)


# -- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"penalty": "l1", "C": 0.0}, "C must be"),
        ({"penalty": "l1", "C": -1.0}, "C must be"),
        ({"penalty": "elasticnet", "l1_ratio": 1.5}, "l1_ratio must be a number in"),
        ({"penalty": "elasticnet", "l1_ratio": -0.1}, "l1_ratio must be a number in"),
        ({"penalty": "elasticnet"}, "l1_ratio must be a number in"),
        ({"penalty": "elasticnet", "l1_ratio": "half"}, "l1_ratio must be a number in"),
        ({"penalty": "lasso"}, "penalty must be one of"),
        ({"penalty": "l1", "class_weight": {0: 1.0, 7: 2.0}}, "class_weight"),
        ({"penalty": "l1", "solver": "lbfgs"}, "solver must be 'auto' or 'newton-cd'"),
    ],
)
def test_bad_parameters_name_the_parameter(cancer, params, match):
    X, y = cancer
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**params).fit(X, y)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"Cs": [0.1, 0.0]}, "C must be a finite number > 0"),
        ({"Cs": 0}, "Cs must be a positive int"),
        ({"penalty": "elasticnet", "l1_ratio": 2.0}, "l1_ratio must be a number in"),
        ({"penalty": "firth"}, "penalty must be"),
        ({"class_weight": {9: 1.0}}, "class_weight"),
    ],
)
def test_bad_path_arguments(cancer, kwargs, match):
    X, y = cancer
    with pytest.raises(ValueError, match=match):
        logistic_path(X, y, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"Cs": [-1.0]}, "C must be a finite number > 0"),
        ({"penalty": "elasticnet"}, "needs l1_ratios"),
        ({"penalty": "elasticnet", "l1_ratios": [0.5, 1.2]}, "l1_ratios must be numbers in"),
        ({"penalty": "lasso"}, "penalty must be one of"),
        ({"class_weight": {0: 1.0, 5: 1.0}}, "class_weight"),
        ({"refit": "yes"}, "refit must be True or False"),
    ],
)
def test_bad_cv_arguments(cancer, kwargs, match):
    X, y = cancer
    with pytest.raises(ValueError, match=match):
        LogisticRegressionCV(**kwargs).fit(X, y)


# -- scikit-learn's contract ------------------------------------------------------------------
_FLAT_MINIMUM = (
    "at C = 1e4 these 15 nearly separable rows leave a minimum flat to rounding: the weighted "
    "and the repeated fit both meet the KKT conditions to 1e-16 and agree in F to 1e-17 and in "
    "predict_proba to 1e-10, but 2e-5 apart along a direction of near-zero curvature, "
    "decision_function differs in the 5th digit; whether the dense or the sparse layout lands "
    "that far apart depends on BLAS's summation order (one thread or two)"
)
@parametrize_with_checks(
    [
        LogisticRegression("l1", C=0.5),
        LogisticRegression("elasticnet", C=0.5, l1_ratio=0.3),
        LogisticRegressionCV(Cs=3, penalty="l1", cv=3),
    ],
    expected_failed_checks=lambda estimator: (
        {
            "check_non_transformer_estimators_n_iter": (
                "n_iter_ counts the steps taken honestly: at C = 1e-4 the intercept-only start "
                "is the optimum, and its one step is rounding (0 where the step is exactly 0)"
            ),
            "check_sample_weight_equivalence_on_sparse_data": _FLAT_MINIMUM,
            "check_sample_weight_equivalence_on_dense_data": _FLAT_MINIMUM,
        }
        if isinstance(estimator, LogisticRegressionCV)
        else {}
    ),
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_l1_ratio_without_elasticnet_warns(cancer):
    X, y = cancer
    with pytest.warns(UserWarning, match="l1_ratio=0.5 is used only with penalty='elasticnet'"):
        warned = LogisticRegression("l1", C=0.1, l1_ratio=0.5, tol=1e-10).fit(X, y)
    plain = LogisticRegression("l1", C=0.1, tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(warned.coef_, plain.coef_)


def test_l1_refused_on_partitioned_data(tmp_path, capsys):
    import dask.array as da
    import pandas as pd

    from logistic.cli.app import run
    from logistic.scale.stream import fit_parquet

    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 3))
    y = (X[:, 0] + rng.standard_normal(400) > 0).astype(int)
    message = "penalty='l1' is not available for partitioned"
    with pytest.raises(ValueError, match=message):
        LogisticRegression("l1").fit(da.from_array(X, chunks=100), y)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(label=y)
    path = tmp_path / "data.parquet"
    frame.to_parquet(path)
    with pytest.raises(ValueError, match=message):
        fit_parquet(LogisticRegression("l1"), path, "label", None, memory=2**20)
    out = tmp_path / "m.json"
    code = run(["fit", str(path), "--target", "label", "--penalty", "elasticnet", "--l1-ratio",
                "0.5", "--memory", "1MB", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "--memory fits with --penalty none or l2" in err
    assert not out.exists()
