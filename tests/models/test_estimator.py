"""LogisticRegression against scikit-learn's estimator checks, statsmodels and scikit-learn."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from logistic import ConvergenceWarning, DecisionBoundary, LogisticRegression, SeparationWarning
from logistic.core.sigmoid import log_sigmoid

_SEPARATED_WEIGHTS = (
    "15 rows, 30 features, 3 classes: completely separated, no finite optimum. The weighted and "
    "the repeated fit both stop after 17 Newton steps with "
    "coefficients equal to 1e-8 relative, but the steps along the near-null direction amplify "
    "the rounding of weighted against repeated sums: predict_proba differs by 7e-8, above the "
    "check's rtol of 1e-7 (the L2 estimator, which has an optimum, passes it)"
)


@parametrize_with_checks(
    [LogisticRegression(), LogisticRegression(penalty="l2", C=0.5)],
    expected_failed_checks=lambda estimator: (
        {
            "check_sample_weight_equivalence_on_dense_data": _SEPARATED_WEIGHTS,
            "check_sample_weight_equivalence_on_sparse_data": _SEPARATED_WEIGHTS,
        }
        if estimator.penalty in (None, "none")
        else {}
    ),
)
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        # sklearn's toy sets are often separable; the warning is right but not the point here
        warnings.simplefilter("ignore", SeparationWarning)
        check(estimator)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_unpenalized_matches_statsmodels_logit_on_spector(spector, solver):
    X, y = spector
    model = LogisticRegression(solver=solver, tol=1e-10, max_iter=1000).fit(X, y)
    reference = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-14, maxiter=100).params
    ours = np.concatenate([model.intercept_, model.coef_.ravel()])
    np.testing.assert_allclose(ours, reference.values, rtol=1e-8)
    assert model.converged_ and model.solver_ == solver


@pytest.mark.parametrize("C", [0.01, 0.1, 1.0, 10.0])
def test_l2_matches_scikit_learn_on_breast_cancer(cancer, C):
    X, y = cancer
    ours = LogisticRegression(penalty="l2", C=C, tol=1e-12).fit(X, y)
    theirs = SkLogisticRegression(C=C, solver="newton-cholesky", tol=1e-14, max_iter=1000)
    theirs.fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-6, atol=1e-9)


def test_every_solver_reaches_the_same_optimum(cancer):
    X, y = cancer
    fits = {
        solver: LogisticRegression(
            penalty="l2", solver=solver, tol=1e-9, max_iter=200_000, learning_rate=1.0
        ).fit(X, y)
        for solver in ("newton", "lbfgs", "gd")
    }
    best = min(fit.objective_ for fit in fits.values())
    for solver, fit in fits.items():
        assert fit.converged_, solver
        assert abs(fit.objective_ - best) <= 1e-8 * abs(best), solver


def test_dense_sparse_and_float32_agree(cancer):
    X, y = cancer
    dense = LogisticRegression(penalty="l2", tol=1e-10).fit(X, y)
    for variant in (sp.csr_matrix(X), sp.csc_matrix(X), np.asfortranarray(X)):
        other = LogisticRegression(penalty="l2", tol=1e-10).fit(variant, y)
        np.testing.assert_allclose(other.coef_, dense.coef_, rtol=1e-8, atol=1e-10)
    single = LogisticRegression(penalty="l2", tol=1e-6).fit(X.astype(np.float32), y)
    assert single.coef_.dtype == np.float64
    # float32 data carry ~7 digits: the optimum moves by about that much
    np.testing.assert_allclose(single.coef_, dense.coef_, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0, 1]),
        np.array([-1, 1]),
        np.array(["benign", "malignant"]),
        np.array([False, True]),
        np.array([2.0, 7.0]),
    ],
    ids=["01", "pm1", "str", "bool", "float"],
)
def test_labels_of_any_type(cancer, labels):
    X, y = cancer
    reference = LogisticRegression(penalty="l2").fit(X, y)
    model = LogisticRegression(penalty="l2").fit(X, labels[y])
    np.testing.assert_array_equal(model.classes_, labels)
    np.testing.assert_array_equal(model.predict(X), labels[reference.predict(X)])
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X))


def test_predict_proba_is_both_columns_of_the_seed_and_log_proba_is_exact_in_the_tails():
    model = LogisticRegression().fit(np.array([[0.0], [1.0], [1.0], [0.0]]), [0, 0, 1, 1])
    model.coef_ = np.array([[1.0]])
    model.intercept_ = np.array([0.0])
    z = np.array([-1000.0, -40.0, 0.0, 40.0, 745.0, 1000.0])
    proba = model.predict_proba(z[:, None])
    np.testing.assert_array_equal(proba.sum(axis=1) > 0, True)
    assert proba[2, 0] == proba[2, 1] == 0.5
    # 1 - σ(40) is 4.25e-18, not 0: the first column is σ(-z), not 1 - σ(z)
    np.testing.assert_allclose(proba[3, 0], 4.248354255291589e-18, rtol=1e-14)
    log_proba = model.predict_log_proba(z[:, None])
    np.testing.assert_array_equal(log_proba[:, 1], log_sigmoid(z))
    assert log_proba[0, 1] == -1000.0 and np.all(np.isfinite(log_proba))


def test_decision_boundary_of_the_seed_weights():
    boundary = DecisionBoundary.from_weights([-3, 1, 1])
    x1 = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(boundary.solve_last(x1), 3 - x1)  # x1 + x2 = 3
    points = np.column_stack([x1, 3 - x1])
    np.testing.assert_allclose(boundary.z(points), 0.0, atol=1e-12)
    assert str(boundary) == "-3 + 1·x1 + 1·x2 = 0"


def test_fitted_boundary_recovers_the_seed_hyperplane():
    rng = np.random.default_rng(1)
    X = rng.uniform(-2, 5, size=(200_000, 2))
    W = np.array([-3.0, 1.0, 1.0])
    y = rng.random(len(X)) < 1 / (1 + np.exp(-(W[0] + X @ W[1:])))
    model = LogisticRegression().fit(X, y)
    boundary = model.decision_boundary()
    np.testing.assert_allclose(boundary.W / boundary.W[1], W, atol=0.05)
    np.testing.assert_allclose(boundary.z(X[:5]), model.decision_function(X[:5]))


def test_circle_through_squared_features():
    rng = np.random.default_rng(2)
    X = rng.uniform(-2, 2, size=(2000, 2))
    y = (X**2).sum(axis=1) < 1.5  # z = w0 + w1·x1² + w2·x2²
    model = make_pipeline(FunctionTransformer(np.square), LogisticRegression(penalty="l2", C=100))
    model.fit(X[:1000], y[:1000])
    assert model.score(X[1000:], y[1000:]) >= 0.95
    w0, (w1, w2) = model[-1].intercept_[0], model[-1].coef_[0]
    assert w1 < 0 and w2 < 0 and w0 > 0  # inside the circle is the positive class
    np.testing.assert_allclose(-w0 / w1, 1.5, rtol=0.1)  # the radius² it learned


def test_separable_data_gives_finite_coefficients_and_names_the_feature():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 3))
    y = X[:, 1] > 0.2
    frame = pd.DataFrame(X, columns=["age", "dose", "weight"])
    strict = np.errstate(over="raise", invalid="raise", divide="raise")
    with warnings.catch_warnings(), strict:
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(SeparationWarning, match="Complete.*dose"):
            model = LogisticRegression(max_iter=50).fit(frame, y)
    assert np.all(np.isfinite(model.coef_)) and model.n_iter_[0] <= 50
    assert model.separation_.complete and model.separation_.features[0] == 1


def test_quasi_separation_on_an_indicator_is_named():
    rng = np.random.default_rng(4)
    x = rng.normal(size=400)
    flag = (rng.random(400) < 0.1).astype(float)
    y = np.where(flag == 1, 1, rng.random(400) < 1 / (1 + np.exp(-x)))
    X = np.column_stack([x, flag])
    with pytest.warns(SeparationWarning, match="Quasi-complete separation.*by x2\\."):
        model = LogisticRegression().fit(X, y)
    assert not model.separation_.complete
    assert np.all(np.isfinite(model.coef_))


def test_quasi_separation_by_a_combination_of_features_is_found():
    # half the points lie on x1 + x2 = 0 with either label; off it, the side decides
    rng = np.random.default_rng(1)
    x1, other = rng.normal(size=600), rng.normal(size=600)
    on_line = rng.random(600) < 0.5
    x2 = np.where(on_line, -x1, rng.normal(size=600))
    y = np.where(on_line, rng.random(600) < 0.5, x1 + x2 > 0)
    X = np.column_stack([x1, x2, other])
    from logistic.inference.separation import single_feature_separators

    assert single_feature_separators(X, y) == []  # only the combination separates
    with pytest.warns(SeparationWarning, match="Quasi-complete separation.*x[12], x[12]\\."):
        model = LogisticRegression().fit(X, y)
    assert not model.separation_.complete and set(model.separation_.features) == {0, 1}
    direction = model.separation_.direction
    assert direction[0] == pytest.approx(direction[1]) and direction[2] == 0


def test_no_separation_warning_on_overlapping_classes(spector):
    X, y = spector
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticRegression().fit(X, y)
    assert model.separation_ is None


def test_convergence_warning_when_max_iter_is_hit(cancer):
    X, y = cancer
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        model = LogisticRegression("l2", solver="gd", max_iter=3).fit(X, y)
    assert not model.converged_ and model.n_iter_[0] == 3
    assert len(model.loss_history_) == 4 and np.all(np.diff(model.loss_history_) < 0)


def test_max_iter_zero_returns_the_start(cancer):
    X, y = cancer
    with pytest.warns(ConvergenceWarning):
        model = LogisticRegression("l2", max_iter=0).fit(X, y)
    assert model.n_iter_[0] == 0 and np.all(model.coef_ == 0)
    np.testing.assert_allclose(1 / (1 + np.exp(-model.intercept_[0])), y.mean())


def test_sample_weight_equals_repeated_rows(spector):
    X, y = spector
    counts = np.random.default_rng(5).integers(0, 4, size=len(y))
    weighted = LogisticRegression(tol=1e-10).fit(X, y, sample_weight=counts)
    repeated = LogisticRegression(tol=1e-10).fit(np.repeat(X.values, counts, axis=0),
                                                 np.repeat(y.values, counts))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-8)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-8)


def test_class_weight_balanced_matches_scikit_learn(cancer):
    X, y = cancer
    ours = LogisticRegression(penalty="l2", class_weight="balanced", tol=1e-12).fit(X, y)
    theirs = SkLogisticRegression(class_weight="balanced", solver="newton-cholesky", tol=1e-14)
    theirs.fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-6, atol=1e-9)
    custom = LogisticRegression(penalty="l2", class_weight={0: 3.0, 1: 1.0}, tol=1e-12).fit(X, y)
    manual = LogisticRegression(penalty="l2", tol=1e-12).fit(X, y, np.where(y == 0, 3.0, 1.0))
    np.testing.assert_allclose(custom.coef_, manual.coef_, rtol=1e-10)


def test_warm_start_continues_from_the_previous_fit(cancer):
    """Refitted from its own optimum, the model's first Newton step is already within tol
    standard errors: it takes that one (rounding-level) step and stays put."""
    X, y = cancer
    model = LogisticRegression(penalty="l2", warm_start=True, tol=1e-8).fit(X, y)
    first = model.coef_.copy()
    assert model.n_iter_[0] > 3
    model.fit(X, y)
    assert model.n_iter_[0] <= 1 and model.converged_
    np.testing.assert_allclose(model.coef_, first, rtol=1e-12, atol=1e-14)


def test_callback_and_verbose_report_each_iteration(spector, capsys):
    X, y = spector
    seen = []
    model = LogisticRegression(verbose=1, callback=lambda i, s: seen.append((i, s["loss"])))
    model.fit(X, y)
    assert [i for i, _ in seen] == list(range(1, model.n_iter_[0] + 1))
    np.testing.assert_allclose([loss for _, loss in seen], model.loss_history_[1:])
    assert capsys.readouterr().err.count("iter") == model.n_iter_[0]


def test_squared_error_loss_reaches_a_stationary_point_of_the_seeds_sse(cancer):
    X, y = cancer
    model = LogisticRegression(loss="squared_error", penalty="l2", tol=1e-9, max_iter=5000)
    model.fit(X, y)
    assert model.solver_ == "lbfgs" and model.converged_

    def sse(theta):  # the seeds' ½(y - σ(z))², written out independently
        z = X @ theta[:-1] + theta[-1]
        data = np.mean(0.5 * (y - 1 / (1 + np.exp(-z))) ** 2)
        return data + theta[:-1] @ theta[:-1] / (2 * len(y))

    theta = np.append(model.coef_.ravel(), model.intercept_)
    step = 1e-6
    grad = [
        (sse(theta + step * e) - sse(theta - step * e)) / (2 * step) for e in np.eye(theta.size)
    ]
    assert np.max(np.abs(grad)) < 1e-7


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"C": 0}, "C must be"),
        ({"C": -1.0}, "C must be"),
        ({"C": np.inf}, "C must be"),
        ({"penalty": "l3"}, "penalty must be"),
        ({"solver": "sgd"}, "solver must be"),
        ({"max_iter": -1}, "max_iter must be"),
        ({"max_iter": 2.5}, "max_iter must be"),
        ({"tol": -1e-3}, "tol must be"),
        ({"learning_rate": 0}, "learning_rate must be"),
        ({"loss": "hinge"}, "loss must be"),
        ({"class_weight": {7: 1.0}}, "class_weight has labels that are not in y: \\[7\\]"),
        ({"class_weight": "heavy"}, "class_weight must be"),
    ],
)
def test_bad_parameters_raise_a_clear_error(spector, params, match):
    X, y = spector
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**params).fit(X, y)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (-np.ones(32), "non-negative"),
        (np.zeros(32), "zero for every sample"),
        (np.full(32, np.nan), "NaN"),
        (np.ones(5), "shape"),
    ],
)
def test_bad_sample_weights_raise_a_clear_error(spector, weights, match):
    X, y = spector
    with pytest.raises(ValueError, match=match):
        LogisticRegression().fit(X, y, sample_weight=weights)


def test_one_class_is_refused():
    X = np.arange(12.0).reshape(6, 2)
    with pytest.raises(ValueError, match="only 1 class"):
        LogisticRegression().fit(X, np.ones(6))
