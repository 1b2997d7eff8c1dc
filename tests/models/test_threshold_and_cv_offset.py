"""One threshold rule, p̂ > t, for ``evaluate`` and the diagnostics' classification table (a
row at p̂ = t exactly is predicted negative, as scikit-learn's ``predict`` puts z = 0 in the
first class); and ``LogisticRegressionCV.fit(offset=)``."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import StratifiedKFold

from logistic import LogisticRegression, LogisticRegressionCV
from logistic.exceptions import DataError
from logistic.inference.goodness_of_fit import classification_table
from logistic.models.evaluation import evaluate, evaluate_probabilities


def offset_data(n: int = 300, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    offset = rng.normal(size=n)
    z = X @ np.array([1.0, -1.0, 0.5]) + 0.2 + offset
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(int)
    return X, y, offset


def test_a_tie_at_one_half_is_predicted_negative_everywhere():
    X, y, _ = offset_data(n=60, seed=1)
    labels = np.where(y == 1, "yes", "no")
    model = LogisticRegression().fit(X, labels)
    model.coef_[:] = 0.0  # z = 0 on every row: p̂ = σ(0) = 0.5 exactly
    model.intercept_[:] = 0.0
    assert np.all(model.predict_proba(X)[:, 1] == 0.5)
    peer = SkLogisticRegression().fit(X, labels)
    peer.coef_[:], peer.intercept_[:] = 0.0, 0.0
    expected = metrics.confusion_matrix(labels, peer.predict(X), labels=["no", "yes"])
    assert np.all(peer.predict(X) == "no")  # scikit-learn: decision_function > 0 only
    np.testing.assert_array_equal(model.predict(X), peer.predict(X))
    np.testing.assert_array_equal(evaluate(model, X, labels, threshold=0.5).confusion,
                                  expected)
    table = model.diagnostics(X, labels).classification_table(0.5)
    np.testing.assert_array_equal(table.matrix.to_numpy(), expected)


def test_a_tie_at_any_threshold_is_predicted_negative_in_both():
    p = np.array([0.25, 0.25, 0.1, 0.9, 0.25, 0.6])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0])
    classes = np.array(["no", "yes"])
    labels = classes[y.astype(int)]
    strictly_above = np.where(p > 0.25, "yes", "no")  # the rule, written out
    expected = metrics.confusion_matrix(labels, strictly_above, labels=classes)
    table = classification_table(y, p, np.ones_like(p), classes, threshold=0.25)
    np.testing.assert_array_equal(table.matrix.to_numpy(), expected)
    proba = np.column_stack([1.0 - p, p])
    result = evaluate_probabilities(classes, proba, labels, threshold=0.25)
    np.testing.assert_array_equal(result.confusion, expected)
    assert result.metrics["accuracy"] == pytest.approx(
        metrics.accuracy_score(labels, strictly_above), rel=1e-15)


def test_cv_with_an_offset_equals_the_fit_at_the_best_C():
    X, y, offset = offset_data()
    Cs = [0.01, 0.1, 1.0, 10.0]
    cv = LogisticRegressionCV(Cs=Cs, tol=1e-10).fit(X, y, offset=offset)
    best = LogisticRegression(penalty="l2", C=cv.C_[0], tol=1e-10).fit(X, y, offset=offset)
    np.testing.assert_allclose(cv.coef_, best.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(cv.intercept_, best.intercept_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(cv.predict_proba(X, offset=offset),
                               best.predict_proba(X, offset=offset), rtol=1e-8)
    with pytest.raises(DataError, match="fitted with an offset"):
        cv.predict_proba(X)


def test_cv_folds_are_fitted_and_scored_with_their_offset():
    X, y, offset = offset_data(seed=2)
    Cs = [0.05, 1.0]
    cv = LogisticRegressionCV(Cs=Cs, tol=1e-10).fit(X, y, offset=offset)
    folds = StratifiedKFold(5).split(X, y)  # cv=None: scikit-learn's 5 unshuffled folds
    for k, (train, test) in enumerate(folds):
        for j, C in enumerate(Cs):
            fold = LogisticRegression(penalty="l2", C=C, tol=1e-10).fit(
                X[train], y[train], offset=offset[train])
            p = fold.predict_proba(X[test], offset=offset[test])
            expected = -metrics.log_loss(y[test], p, labels=[0, 1])
            assert cv.scores_[1][k, j] == pytest.approx(expected, rel=1e-7)


def test_cv_offset_with_a_scorer_is_refused():
    X, y, offset = offset_data(n=80)
    with pytest.raises(ValueError, match="offset= takes scoring=None"):
        LogisticRegressionCV(Cs=[1.0], scoring="accuracy").fit(X, y, offset=offset)
