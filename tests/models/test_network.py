"""The two-layer sigmoid network against independent references: a literal NumPy forward pass
and its finite differences, the seeds' closed forms, XOR, the circle, LogisticRegression,
scikit-learn's estimator checks, and seed 001's squared-error-versus-cross-entropy claim."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from logistic import ConvergenceWarning, LogisticRegression
from logistic.models.network import (
    Architecture,
    NetworkObjective,
    Parameters,
    SigmoidNetwork,
    backward,
    compare_losses,
    forward,
    output_delta_cross_entropy,
    output_error,
    per_sample_loss,
)

# -- an independent reference: the seeds' formulas evaluated literally ------------------------


def _literal_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _literal_objective(params: Parameters, X, Y, loss, output, alpha):
    """J written straight from the seeds, samples as columns, no library function at all."""
    A1 = X if params.W1 is None else _literal_sigmoid(params.W1 @ X + params.b1)
    Z2 = params.W2 @ A1 + params.b2
    if output == "softmax":
        A2 = np.exp(Z2) / np.exp(Z2).sum(axis=0)
    else:
        A2 = _literal_sigmoid(Z2)
    m = X.shape[1]
    if loss == "cross_entropy":
        if output == "softmax":
            e = -(Y * np.log(A2)).sum(axis=0)
        else:  # seed 001: e = -y log(a) - (1 - y) log(1 - a)
            e = (-Y * np.log(A2) - (1 - Y) * np.log(1 - A2)).sum(axis=0)
    else:  # the seeds' E = ½ Σ (y - ŷ)²
        e = 0.5 * ((Y - A2) ** 2).sum(axis=0)
    decay = sum(np.sum(W**2) for W in (params.W1, params.W2) if W is not None)
    return e.sum() / m + 0.5 * alpha * decay


def _problem(n_classes, loss, hidden=4, m=15, n_features=3, seed=0):
    """Random data and random (moderate) parameters for a network of the given shape."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_features, m))
    labels = rng.integers(0, n_classes, size=m)
    labels[:n_classes] = np.arange(n_classes)
    Y = labels[None, :].astype(float) if n_classes == 2 else np.eye(n_classes)[labels].T
    output = "softmax" if n_classes > 2 and loss == "cross_entropy" else "sigmoid"
    architecture = Architecture(n_features, hidden, Y.shape[0])
    theta = rng.normal(scale=0.8, size=architecture.n_params)
    return X, Y, output, architecture, theta


CASES = [
    (n_classes, loss, hidden, alpha)
    for n_classes in (2, 3)
    for loss in ("cross_entropy", "squared_error")
    for hidden in (0, 4)
    for alpha in (0.0, 0.3)
]


@pytest.mark.parametrize(("n_classes", "loss", "hidden", "alpha"), CASES)
def test_every_gradient_equals_central_differences_of_the_literal_loss(
    n_classes, loss, hidden, alpha, fd_gradient
):
    X, Y, output, architecture, theta = _problem(n_classes, loss, hidden)
    objective = NetworkObjective(X, Y, architecture, loss, output, alpha)

    def literal(t):
        return _literal_objective(architecture.unpack(t), X, Y, loss, output, alpha)

    value, grad = objective.value_and_gradient(theta)
    np.testing.assert_allclose(value, literal(theta), rtol=1e-13)
    numeric, _ = fd_gradient(literal, theta, 1e-3)  # fourth-order: error ~1e-12 here
    ours, theirs = architecture.unpack(grad), architecture.unpack(numeric)
    for name in ("W1", "b1", "W2", "b2"):
        block, reference = getattr(ours, name), getattr(theirs, name)
        if block is None:
            assert hidden == 0 and reference is None
            continue
        # relative to the block's size: each entry within 1e-6 of the largest one
        error = np.max(np.abs(block - reference)) / np.max(np.abs(reference))
        assert error < 1e-6, (name, error)
        np.testing.assert_allclose(block, reference, rtol=1e-6, atol=1e-10)


def test_cross_entropy_output_delta_is_minus_error_over_m_with_no_sigma_prime():
    for n_classes in (2, 3):
        X, Y, output, architecture, theta = _problem(n_classes, "cross_entropy", seed=1)
        params = architecture.unpack(theta)
        cache = forward(params, X, output)
        m = X.shape[1]
        Z2 = cache.Z2
        A2 = (np.exp(Z2) / np.exp(Z2).sum(axis=0)) if output == "softmax" else _literal_sigmoid(Z2)
        E2 = Y - A2
        delta2 = output_delta_cross_entropy(output_error(Y, Z2, output))
        np.testing.assert_allclose(delta2, -(1 / m) * E2, rtol=1e-12, atol=1e-17)
        # and therefore ΔW^[2] = -(1/m)·E^[2]·A^[1]ᵀ and Δb^[2] = -(1/m)·E^[2]·1
        grads = backward(params, cache, Y, "cross_entropy", output)
        A1 = _literal_sigmoid(params.W1 @ X + params.b1)
        np.testing.assert_allclose(grads.W2, -(1 / m) * E2 @ A1.T, rtol=1e-12, atol=1e-17)
        np.testing.assert_allclose(
            grads.b2, -(1 / m) * E2.sum(axis=1, keepdims=True), rtol=1e-12, atol=1e-17
        )


def test_squared_error_output_gradient_is_the_seeds_matrix_formula():
    """Seed 001: ΔW^[2] = -E^[2] · g'(Z^[2]) · A^[1]ᵀ (over m: J is the mean), as matrices."""
    for n_classes in (2, 3):
        X, Y, output, architecture, theta = _problem(n_classes, "squared_error", seed=2)
        params = architecture.unpack(theta)
        grads = backward(params, forward(params, X, output), Y, "squared_error", output)
        m = X.shape[1]
        A1 = _literal_sigmoid(params.W1 @ X + params.b1)
        Z2 = params.W2 @ A1 + params.b2
        A2 = _literal_sigmoid(Z2)
        E2 = Y - A2
        g_prime = A2 * (1 - A2)  # σ'(z) = σ(z)(1 - σ(z))
        seed_formula = np.multiply(-E2, g_prime) @ A1.T  # the seeds' SSE gradient
        np.testing.assert_allclose(grads.W2, seed_formula / m, rtol=1e-12, atol=1e-17)
        # and the hidden layer: δ^[1] = (W^[2]ᵀ δ^[2]) ⊙ σ'(Z^[1]), ΔW^[1] = δ^[1] Xᵀ
        delta1 = (params.W2.T @ (-E2 * g_prime / m)) * A1 * (1 - A1)
        np.testing.assert_allclose(grads.W1, delta1 @ X.T, rtol=1e-12, atol=1e-17)


# -- learning ------------------------------------------------------------------------------------
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def test_learns_xor():
    net = SigmoidNetwork(hidden=4, random_state=0, max_iter=500, tol=1e-6).fit(XOR_X, XOR_Y)
    assert net.score(XOR_X, XOR_Y) == 1.0 and net.converged_
    np.testing.assert_array_equal(net.predict(XOR_X), XOR_Y)
    # not a lucky seed: nearly every start solves it (measured: hidden = 8 solves seeds 0-9;
    # hidden = 4 solves 9 of 10, seed 4 stops in a local minimum at 75%)
    scores = []
    for seed in range(5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = SigmoidNetwork(hidden=8, random_state=seed, max_iter=500, tol=1e-6)
            scores.append(model.fit(XOR_X, XOR_Y).score(XOR_X, XOR_Y))
    assert sum(score == 1.0 for score in scores) >= 4, scores


def test_hidden_layer_is_needed_for_xor():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        linear = SigmoidNetwork(hidden=0, random_state=0).fit(XOR_X, XOR_Y)
    assert linear.score(XOR_X, XOR_Y) <= 0.75  # no line separates XOR


def _circle(m, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(m, 2))
    return X, (X**2).sum(axis=1) < 1.5  # inside the radius √1.5


def test_learns_the_circle_on_held_out_data():
    X, y = _circle(400, 0)
    X_test, y_test = _circle(1000, 1)
    net = SigmoidNetwork(hidden=8, alpha=1e-4, random_state=0, max_iter=500).fit(X, y)
    assert net.converged_
    assert net.score(X_test, y_test) >= 0.95


def test_gradient_descent_with_momentum_and_mini_batches_learns_the_circle():
    X, y = _circle(300, 2)
    X_test, y_test = _circle(1000, 3)
    net = SigmoidNetwork(
        hidden=8, solver="gd", learning_rate=0.5, momentum=0.9, batch_size=32,
        max_iter=150, random_state=0,
    ).fit(X, y)
    assert net.n_iter_ == 150 and net.loss_history_.shape == (151,)
    assert net.loss_history_[-1] < 0.5 * net.loss_history_[0]
    assert net.score(X_test, y_test) >= 0.9
    # the seeded shuffling makes the fit reproducible
    again = clone(net).fit(X, y)
    np.testing.assert_array_equal(again.W1_, net.W1_)


def test_full_batch_gradient_descent_stops_at_tol_and_momentum_gets_there_sooner(make_data):
    X, y = make_data(200, 3, seed=4)
    common = {"hidden": 0, "solver": "gd", "learning_rate": 0.1, "alpha": 0.01, "tol": 1e-6,
              "max_iter": 3000, "random_state": 0}
    plain = SigmoidNetwork(**common).fit(X, y)
    heavy = SigmoidNetwork(momentum=0.8, **common).fit(X, y)
    assert plain.converged_ and heavy.converged_
    assert plain.grad_norm_history_[-1] <= 1e-6 < plain.grad_norm_history_[-2]
    assert heavy.n_iter_ < plain.n_iter_ / 3  # 379 against 2192 iterations
    with warnings.catch_warnings():
        # L-BFGS may stop on its relative-reduction test a little short of tol = 1e-10
        # (‖∇J‖∞ ≈ 7e-10 seen): far tighter than the 2e-4 compared below
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = SigmoidNetwork(hidden=0, alpha=0.01, tol=1e-10, random_state=1).fit(X, y)
    # strongly convex with λ_min ≥ α: ‖θ - θ*‖ ≤ ‖∇J‖₂ / α ≤ √4·1e-6 / 0.01
    np.testing.assert_allclose(plain.W2_, reference.W2_, atol=2e-4)
    np.testing.assert_allclose(heavy.W2_, reference.W2_, atol=2e-4)


def test_convergence_warning_when_max_iter_is_hit():
    X, y = _circle(100, 4)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        net = SigmoidNetwork(hidden=4, max_iter=3, random_state=0).fit(X, y)
    assert not net.converged_ and net.n_iter_ == 3


# -- hidden = 0 is logistic regression ----------------------------------------------------------
def test_no_hidden_layer_is_unpenalized_logistic_regression(make_data):
    X, y = make_data(300, 4, seed=5)  # labels drawn from a logistic model: not separable
    net = SigmoidNetwork(hidden=0, tol=1e-10, max_iter=1000, random_state=0).fit(X, y)
    reference = LogisticRegression(penalty=None, tol=1e-12, max_iter=100).fit(X, y)
    assert net.W1_ is None and net.b1_ is None
    assert net.W2_.shape == (1, 4) and net.b2_.shape == (1, 1)
    np.testing.assert_allclose(net.W2_, reference.coef_, atol=1e-6)
    np.testing.assert_allclose(net.b2_.ravel(), reference.intercept_, atol=1e-6)
    np.testing.assert_allclose(net.predict_proba(X), reference.predict_proba(X), atol=1e-7)


def test_no_hidden_layer_with_weight_decay_is_multinomial_l2_logistic_regression():
    rng = np.random.default_rng(6)
    m, C = 240, 0.5
    X = rng.normal(size=(m, 3))
    scores = X @ rng.normal(size=(3, 3))
    y = np.array([rng.choice(3, p=np.exp(s) / np.exp(s).sum()) for s in scores])
    net = SigmoidNetwork(hidden=0, alpha=1 / (C * m), tol=1e-8, max_iter=1000, random_state=0)
    net.fit(X, y)
    reference = LogisticRegression(penalty="l2", C=C, tol=1e-12).fit(X, y)
    assert net.output_ == "softmax" and net.W2_.shape == (3, 3)
    # the decay centres W over the classes by itself; softmax leaves b's mean free
    np.testing.assert_allclose(net.W2_, reference.coef_, atol=1e-6)
    np.testing.assert_allclose(net.b2_.ravel() - net.b2_.mean(), reference.intercept_, atol=1e-6)
    np.testing.assert_allclose(net.predict_proba(X), reference.predict_proba(X), atol=1e-7)


# -- numerics and the scikit-learn API ----------------------------------------------------------
@pytest.mark.parametrize(("n_classes", "loss"), [(2, "cross_entropy"), (3, "cross_entropy"),
                                                 (2, "squared_error"), (3, "squared_error")])
def test_probabilities_sum_to_one_and_nothing_overflows_at_scale_1e6(n_classes, loss):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(60, 2))
    y = np.arange(60) % n_classes
    with np.errstate(over="raise", invalid="raise"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net = SigmoidNetwork(hidden=3, loss=loss, max_iter=30, random_state=0).fit(X * 1e6, y)
        proba = net.predict_proba(X * 1e6)
        log_proba = net.predict_log_proba(X * 1e6)
        also = SigmoidNetwork(hidden=3, loss=loss, max_iter=30, random_state=0).fit(X, y)
        huge = also.predict_proba(X * 1e6)
        huge_log = also.predict_log_proba(X * 1e6)
    for p, logp in ((proba, log_proba), (huge, huge_log)):
        assert p.shape == (60, n_classes)
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
        assert np.all(np.isfinite(logp)) and np.all(logp <= 0)
    assert np.all(np.isfinite(net.loss_history_))


def test_loss_is_computed_from_the_scores_not_a_clipped_probability():
    Z2 = np.array([[-1000.0, 800.0, 40.0]])
    Y = np.array([[1.0, 0.0, 1.0]])
    with np.errstate(all="raise", under="ignore"):
        values = per_sample_loss(Y, Z2, "cross_entropy")
    np.testing.assert_allclose(values, [1000.0, 800.0, np.exp(-40.0)], rtol=1e-15)
    three = np.array([[1000.0], [-1000.0], [0.0]])
    values = per_sample_loss(np.array([[0.0], [1.0], [0.0]]), three, "cross_entropy", "softmax")
    np.testing.assert_allclose(values, [2000.0], rtol=1e-15)


@parametrize_with_checks([
    SigmoidNetwork(hidden=3, alpha=1e-4, max_iter=40, random_state=0),
    SigmoidNetwork(hidden=3, alpha=1e-4, solver="gd", batch_size=16, momentum=0.9,
                   max_iter=20, random_state=0),
])
def test_scikit_learn_estimator_checks(estimator, check):
    # α > 0: with α = 0 a separable toy set drives the scores to ±1e3, where our exact
    # log-probabilities are finite but log(predict_proba) is -inf (the check compares them)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def test_clone_get_params_and_string_labels():
    net = SigmoidNetwork(hidden=5, loss="squared_error", solver="gd", learning_rate=0.3,
                         batch_size=8, momentum=0.5, alpha=0.01, tol=1e-4, random_state=3)
    params = net.get_params()
    assert params["hidden"] == 5 and params["batch_size"] == 8
    assert clone(net).get_params() == params
    assert SigmoidNetwork(**params).get_params() == params
    X, _ = _circle(120, 5)
    labels = np.where((X**2).sum(axis=1) < 1.5, "inside", "outside")
    frame = pd.DataFrame(X, columns=["u", "v"])
    model = SigmoidNetwork(hidden=6, alpha=1e-4, random_state=0).fit(frame, labels)
    assert list(model.classes_) == ["inside", "outside"]
    assert list(model.feature_names_in_) == ["u", "v"] and model.n_features_in_ == 2
    assert set(model.predict(frame)) <= {"inside", "outside"}
    assert model.score(frame, labels) > 0.9
    assert model.W1_.shape == (6, 2) and model.b1_.shape == (6, 1)
    assert model.W2_.shape == (1, 6) and model.b2_.shape == (1, 1)
    assert model.loss_history_.shape == model.grad_norm_history_.shape == (model.n_iter_ + 1,)


def test_verbose_prints_each_iteration(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        SigmoidNetwork(hidden=2, solver="gd", max_iter=3, tol=0, verbose=1,
                       random_state=0).fit(XOR_X, XOR_Y)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("iter    1  loss")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"hidden": -1}, "hidden"),
        ({"hidden": 2.5}, "hidden"),
        ({"loss": "hinge"}, "loss"),
        ({"solver": "newton"}, "solver"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"momentum": 1.0}, "momentum"),
        ({"alpha": -1}, "alpha"),
        ({"batch_size": 0}, "batch_size"),
        ({"max_iter": -1}, "max_iter"),
    ],
)
def test_bad_parameters_raise_a_clear_error(params, match):
    with pytest.raises(ValueError, match=match):
        SigmoidNetwork(**params).fit(XOR_X, XOR_Y)


# -- seed 001: squared error versus cross-entropy ------------------------------------------------
def test_cross_entropy_escapes_a_confidently_wrong_start_and_squared_error_crawls():
    result = compare_losses(n_iter=600)
    se, ce = result.squared_error, result.cross_entropy
    assert result.initial_accuracy < 0.1 and result.initial_median_abs_z == pytest.approx(5.0)
    for history in (se, ce):
        assert history.iterations.shape == history.loss.shape == history.grad_norm.shape
        assert history.accuracy.shape == history.cross_entropy.shape == (601,)
    # both start from the same point: same cross-entropy and accuracy at t = 0
    assert se.cross_entropy[0] == ce.cross_entropy[0] and se.accuracy[0] == ce.accuracy[0]
    np.testing.assert_allclose(ce.loss, ce.cross_entropy, rtol=1e-12)
    # the squared-error gradient is damped by σ'(z) ≤ 0.25, tiny for large |z|
    assert ce.grad_norm[0] > 20 * se.grad_norm[0]
    # and so the cross-entropy reaches 95% accuracy (and a low loss) far sooner
    ce_steps, se_steps = ce.iterations_to_accuracy(0.95), se.iterations_to_accuracy(0.95)
    assert ce_steps is not None and ce_steps <= 50
    assert se_steps is None or se_steps > 5 * ce_steps
    assert ce.iterations_to_cross_entropy(0.2) < (se.iterations_to_cross_entropy(0.2) or np.inf)


def test_compare_losses_on_given_data_starts_wrong_and_gradient_norms_are_consistent(make_data):
    X, y = make_data(150, 2, seed=8, coef_scale=3.0)
    result = compare_losses(X, y, learning_rate=0.5, n_iter=50, confidence=8.0)
    assert result.initial_accuracy < 0.3
    se, ce = result["squared_error"], result["cross_entropy"]
    architecture = Architecture(2, 0, 1)
    theta0 = architecture.pack(Parameters(None, None, result.initial_W, result.initial_b))
    for history in (se, ce):
        objective = NetworkObjective(X.T, y[None, :], architecture, history.loss_name)
        value, grad = objective.value_and_gradient(theta0)
        assert history.loss[0] == pytest.approx(value, rel=1e-14)
        assert history.grad_norm[0] == pytest.approx(np.max(np.abs(grad)), rel=1e-14)
    assert ce.grad_norm[0] > 10 * se.grad_norm[0]
