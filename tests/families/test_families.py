"""The model families (``logistic.families``) against closed forms and scikit-learn.

Each family maps raw scores z to probabilities, log-probabilities and labels, and lays the
solvers' θ out as ``coef_``/``intercept_``. References: scipy's ``expit``/``softmax``/
``log_softmax`` (the closed forms σ(z) = 1/(1+e^-z) and softmax), the tails of log σ(z)
(log σ(z) → z as z → -∞), and scikit-learn's predictions from the same coefficients.
"""

import numpy as np
import pytest
from scipy.special import expit, log_softmax, softmax
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

from logistic import LogisticRegression
from logistic.core.design import Design
from logistic.families import (
    BINARY,
    MULTINOMIAL,
    ONE_VS_REST,
    BinaryFamily,
    MultinomialFamily,
    OneVsRestFamily,
    family_for,
)

RNG = np.random.default_rng(0)


def test_family_for_picks_by_classes_and_multi_class():
    assert isinstance(family_for(2, "multinomial"), BinaryFamily)
    assert isinstance(family_for(3, "multinomial"), MultinomialFamily)
    assert isinstance(family_for(3, "ovr"), OneVsRestFamily)


def test_binary_probabilities_are_sigmoid_and_exact_in_the_tails():
    z = np.array([-800.0, -40.0, -1.0, 0.0, 2.5, 40.0, 800.0])
    p = BINARY.probabilities(z)
    np.testing.assert_allclose(p[:, 1], expit(z), rtol=1e-15)
    np.testing.assert_allclose(p[:, 0], expit(-z), rtol=1e-15)  # 1 − σ(z), not rounded to 0
    logp = BINARY.log_probabilities(z)
    assert logp[0, 1] == pytest.approx(-800.0, rel=1e-15)  # log σ(z) ≈ z for z → −∞
    assert logp[-1, 0] == pytest.approx(-800.0, rel=1e-15)
    np.testing.assert_allclose(logp[2:-2], np.log(p[2:-2]), rtol=1e-13)
    # log σ(40) = −log1p(e^−40) ≈ −e^−40, where log of the rounded σ(40) = 1 would give 0
    assert logp[-2, 1] == pytest.approx(-np.exp(-40.0), rel=1e-15)
    assert logp[1, 0] == pytest.approx(-np.exp(-40.0), rel=1e-15)
    assert list(BINARY.predict(z, np.array(["a", "b"]))) == ["a"] * 4 + ["b"] * 3


def test_multinomial_probabilities_are_softmax():
    z = RNG.normal(scale=5.0, size=(20, 4))
    np.testing.assert_allclose(MULTINOMIAL.probabilities(z), softmax(z, axis=1), rtol=1e-13)
    np.testing.assert_allclose(MULTINOMIAL.log_probabilities(z), log_softmax(z, axis=1),
                               rtol=1e-13, atol=1e-13)
    classes = np.array([10, 20, 30, 40])
    np.testing.assert_array_equal(MULTINOMIAL.predict(z, classes), classes[z.argmax(axis=1)])


def test_one_vs_rest_probabilities_are_normalised_sigmoids():
    z = RNG.normal(scale=3.0, size=(20, 3))
    s = expit(z)
    np.testing.assert_allclose(ONE_VS_REST.probabilities(z), s / s.sum(axis=1, keepdims=True),
                               rtol=1e-13)


@pytest.mark.parametrize("family, n_runs", [(BINARY, 1), (MULTINOMIAL, 1), (ONE_VS_REST, 3)])
def test_targets(family, n_runs):
    y_index = np.array([0, 1, 2, 1, 0]) if family is not BINARY else np.array([0, 1, 1, 0, 1])
    n_classes = 2 if family is BINARY else 3
    targets = family.targets(y_index, n_classes)
    assert len(targets) == n_runs
    if family is BINARY:
        np.testing.assert_array_equal(targets[0], y_index)
    elif family is MULTINOMIAL:
        np.testing.assert_array_equal(targets[0], np.eye(3)[y_index])  # one-hot rows
    else:
        for k, target in enumerate(targets):
            np.testing.assert_array_equal(target, (y_index == k).astype(float))


@pytest.mark.parametrize("multi_class", ["multinomial", "ovr"])
def test_scores_and_probabilities_of_a_fit_match_scikit_learn_on_the_same_coefficients(
        multi_class):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = LogisticRegression(penalty="l2", multi_class=multi_class).fit(X, y)
    family = model.family_
    z = family.scores(Design(X), model.coef_, model.intercept_)
    reference = SkLogisticRegression()
    reference.classes_, reference.coef_, reference.intercept_ = \
        model.classes_, model.coef_, model.intercept_
    np.testing.assert_allclose(z, reference.decision_function(X), rtol=1e-12, atol=1e-12)
    if multi_class == "multinomial":  # scikit-learn's multinomial probabilities: softmax(z)
        np.testing.assert_allclose(family.probabilities(z), reference.predict_proba(X),
                                   rtol=1e-10)
    np.testing.assert_allclose(family.probabilities(z), model.predict_proba(X), rtol=1e-14)


def test_inference_layout_has_one_name_per_estimate():
    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(penalty="l2").fit(StandardScaler().fit_transform(X), y)
    terms = ["const", "x1", "x2", "x3", "x4"]
    names = MULTINOMIAL.inference_terms(terms, model.classes_)
    params = MULTINOMIAL.inference_params(model.coef_, model.intercept_, True)
    assert len(names) == len(params) == 2 * 5  # classes 2..K against the first
    # against the first class: class k's estimate is row k minus row 0
    np.testing.assert_allclose(params[:5], np.r_[model.intercept_[1] - model.intercept_[0],
                                                  model.coef_[1] - model.coef_[0]], rtol=1e-12)
