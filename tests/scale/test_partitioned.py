"""The objective over row partitions equals ``Objective`` on the concatenated rows.

J = Σ_c (W_c/W)·J_c + P, and the same for ∇J and ∇²J: checked term by term (to 1e-12),
then through the estimator (``fit_partitioned`` against ``fit``) with weights, class
weights, K classes, one-vs-rest, L2, every solver and the statistics.
"""

from __future__ import annotations

import numpy as np
import pytest

from logistic import ConvergenceWarning, LogisticRegression
from logistic.core.losses import cross_entropy, softmax_cross_entropy, squared_error
from logistic.core.objective import Objective
from logistic.core.penalties import L2Penalty
from logistic.scale.partitioned import (
    Encoding,
    PartitionedObjective,
    Partitions,
    fit_partitioned,
    survey_partition,
)

TIGHT = 1e-12

# uneven partitions, an empty one and one whose weights are all zero
BOUNDS = [(0, 70), (70, 70), (70, 260), (260, 263), (263, 400)]


def _data(n_classes: int = 2, seed: int = 0, m: int = 400, d: int = 4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, d))
    scores = X @ rng.standard_normal((d, n_classes))
    y = np.argmax(scores + rng.gumbel(size=(m, n_classes)), axis=1)
    s = rng.uniform(0.2, 3.0, m)
    s[260:263] = 0.0
    return X, y, s


def _partitions(X, y, s=None) -> Partitions:
    return Partitions(
        (X[a:b], y[a:b], None if s is None else s[a:b]) for a, b in BOUNDS
    )


def _close(actual, expected, tol=TIGHT) -> None:
    scale = max(1.0, float(np.max(np.abs(expected))))
    assert np.max(np.abs(np.asarray(actual) - expected)) <= tol * scale


@pytest.mark.parametrize(
    ("n_classes", "loss", "fit_intercept"),
    [(2, cross_entropy, True), (2, squared_error, False), (3, softmax_cross_entropy, True)],
    ids=["binary", "squared-error-no-intercept", "multinomial"],
)
def test_partitioned_objective_equals_objective(n_classes, loss, fit_intercept):
    X, y, s = _data(n_classes)
    reducer = _partitions(X, y, s)
    survey = reducer.map_reduce(survey_partition)
    classes = survey.classes()
    column = None if n_classes > 2 else 1
    encoding = Encoding(classes, column)
    penalty = L2Penalty(0.05)
    target = np.eye(n_classes)[y] if column is None else (y == 1).astype(float)
    whole = Objective(X, target, s, loss, penalty, fit_intercept)
    parts = PartitionedObjective(reducer, encoding, survey, loss, penalty, fit_intercept)
    theta = np.random.default_rng(1).standard_normal(whole.n_params)
    vector = np.random.default_rng(2).standard_normal(whole.n_params)

    assert parts.n_params == whole.n_params and parts.total_weight == pytest.approx(s.sum())
    _close(parts.value(theta), whole.value(theta))
    value, gradient = parts.value_and_gradient(theta)
    _close(value, whole.value(theta))
    _close(gradient, whole.gradient(theta))
    _close(parts.hessian(theta), whole.hessian(theta))
    _close(parts.hessp(theta, vector), whole.hessp(theta, vector))
    _close(parts.hessian_diagonal(theta), whole.hessian_diagonal(theta))
    _close(parts.score_outer_products(theta), whole.score_outer_products(theta))
    _close(parts.weights @ parts.y, whole.weights @ whole.y)  # the one-row summary
    assert parts.split(theta)[0].shape == whole.split(theta)[0].shape


def test_newton_reads_the_data_once_per_iteration():
    """Each pass returns the Hessian with the gradient: Newton's next iteration starts
    from the accepted line-search point's pass."""
    X, y, s = _data()
    reducer = _partitions(X, y, s)
    counted = []
    model = LogisticRegression(
        tol=1e-12, callback=lambda it, state: counted.append(state["passes"])
    )
    fit_partitioned(model, reducer)
    assert model.solver_ == "newton"
    # the start, then one pass per iteration (every step is a full Newton step here)
    assert counted == list(range(2, model.n_iter_[0] + 2))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"class_weight": "balanced"},
        {"penalty": "l2", "C": 0.3, "class_weight": {0: 2.0, 1: 0.5}},
        {"solver": "lbfgs"},
        {"solver": "newton-cg", "penalty": "l2", "C": 0.5},
        {"cov_type": "HC1"},
        {"fit_intercept": False},
    ],
    ids=["plain", "balanced", "l2-dict", "lbfgs", "newton-cg", "HC1", "no-intercept"],
)
def test_fit_partitioned_equals_fit(params):
    X, y, s = _data()
    memory = LogisticRegression(tol=1e-10, **params).fit(X, y, sample_weight=s)
    parts = fit_partitioned(LogisticRegression(tol=1e-10, **params), _partitions(X, y, s))
    assert parts.solver_ == memory.solver_
    _close(parts.coef_, memory.coef_, 1e-8)
    _close(parts.intercept_, memory.intercept_, 1e-8)
    assert parts.objective_ == pytest.approx(memory.objective_, rel=1e-12)
    if memory.statistics_ is not None:
        _close(parts.std_err_, memory.std_err_, 1e-8)
        assert parts.log_likelihood_ == pytest.approx(memory.log_likelihood_, rel=1e-12)
        assert parts.null_log_likelihood_ == pytest.approx(memory.null_log_likelihood_)
    else:
        assert parts.inference_note_ == memory.inference_note_


@pytest.mark.parametrize("multi_class", ["multinomial", "ovr"])
def test_fit_partitioned_multiclass_with_text_labels(multi_class):
    X, codes, s = _data(n_classes=3)
    y = np.array(["ant", "bee", "cat"], dtype=object)[codes]
    memory = LogisticRegression(tol=1e-10, multi_class=multi_class).fit(X, y, sample_weight=s)
    parts = fit_partitioned(
        LogisticRegression(tol=1e-10, multi_class=multi_class), _partitions(X, y, s)
    )
    assert parts.classes_.tolist() == memory.classes_.tolist()
    _close(parts.coef_, memory.coef_, 1e-8)
    _close(parts.predict_proba(X), memory.predict_proba(X), 1e-8)
    if multi_class == "multinomial":
        _close(parts.std_err_, memory.std_err_, 1e-7)


@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_first_order_solvers_run_unchanged(solver):
    X, y, _ = _data()
    params = {"solver": solver, "max_iter": 6, "tol": 1e-10}
    with pytest.warns(ConvergenceWarning):  # 6 iterations are not enough: both say so
        memory = LogisticRegression(**params).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        parts = fit_partitioned(LogisticRegression(**params), _partitions(X, y))
    np.testing.assert_allclose(parts.loss_history_, memory.loss_history_, rtol=1e-10)


def test_feature_names_and_no_separation_screen():
    X, y, _ = _data()
    model = fit_partitioned(LogisticRegression(), _partitions(X, y), feature_names=list("abcd"))
    assert model.feature_names_in_.tolist() == list("abcd")
    assert model.n_features_in_ == 4 and model.separation_ is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"penalty": "firth"}, "penalty='firth' needs the data in memory"),
        ({"cov_type": "cluster"}, "cov_type='cluster' is not available"),
    ],
)
def test_options_that_need_the_data_in_memory(params, message):
    X, y, _ = _data()
    with pytest.raises(ValueError, match=message):
        fit_partitioned(LogisticRegression(**params), _partitions(X, y))


def test_bad_partitions():
    X, y, _ = _data()
    mixed = Partitions([(X[:200], y[:200], None), (X[200:], y[200:].astype(str), None)])
    with pytest.raises(ValueError, match="the labels mix types"):
        fit_partitioned(LogisticRegression(), mixed)
    one_class = Partitions([(X[:10], np.zeros(10, int), None), (X[10:20], np.zeros(10, int), None)])
    with pytest.raises(ValueError, match="only 1 class"):
        fit_partitioned(LogisticRegression(), one_class)
    ragged = Partitions([(X[:10], y[:10], None), (X[10:20, :3], y[10:20], None)])
    with pytest.raises(ValueError, match="different numbers of features"):
        fit_partitioned(LogisticRegression(), ragged)
    short = Partitions([(X[:10], y[:9], None)])
    with pytest.raises(ValueError, match="10 rows of X but"):
        fit_partitioned(LogisticRegression(), short)
    X_nan = X[:20].copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fit_partitioned(LogisticRegression(), Partitions([(X_nan, y[:20], None)]))
    with pytest.raises(ValueError, match="non-negative"):
        fit_partitioned(LogisticRegression(), Partitions([(X[:20], y[:20], -np.ones(20))]))
