"""fitting/validation.py: the one module of checks, each message as the copies it replaced
gave it, and the direct path for ndarrays that ends where validate_data ends."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.validation import validate_data

from logistic import LogisticRegression
from logistic.fitting.problem import FitSettings, l2_strength
from logistic.fitting.validation import (
    check_class_weight,
    check_classes,
    check_cluster_codes,
    check_l1_ratios,
    check_labels,
    check_params,
    check_positive_class_weight,
    check_sample_weight,
    checked_X,
    checked_X_y,
    class_weight_per_class,
    encode_labels,
    grid_of_Cs,
    is_finite_number,
)
from logistic.scale.partitioned import Partitions, fit_partitioned


def _params(**changes):
    return {**vars(FitSettings()), **changes}


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"penalty": "l3"}, r"penalty must be one of"),
        ({"C": 0}, r"C must be a finite number > 0, got 0"),
        ({"C": 10**400}, r"C must be a finite number > 0"),
        ({"tol": -1.0}, r"tol must be a finite number >= 0"),
        ({"learning_rate": float("nan")}, r"learning_rate must be a finite number > 0"),
        ({"max_iter": 1.5}, r"max_iter must be an integer >= 0"),
        ({"solver": "sgd"}, r"solver must be one of"),
        ({"loss": "hinge"}, r"loss must be one of"),
        ({"cov_type": "HC9"}, r"cov_type must be one of"),
        ({"penalty": "firth", "cov_type": "HC0"}, r"cov_type for penalty='firth' is one of"),
        ({"cov_type": "augmented"}, r"cov_type='augmented' is for penalty='firth'"),
        ({"multi_class": "auto"}, r"multi_class must be one of"),
        ({"fit_intercept": 1}, r"fit_intercept must be True or False"),
        ({"warm_start": "yes"}, r"warm_start must be True or False"),
        ({"verbose": -1}, r"verbose must be an integer >= 0"),
        ({"callback": 3}, r"callback must be callable"),
        ({"penalty": "firth", "solver": "lbfgs"}, r"solver must be 'auto' or 'newton'"),
        ({"penalty": "l1", "solver": "newton"}, r"not differentiable at 0"),
        ({"penalty": "firth", "loss": "squared_error"}, r"needs loss='cross_entropy'"),
        ({"penalty": "elasticnet"}, r"l1_ratio must be a number in \[0, 1\]"),
        ({"penalty": "elasticnet", "l1_ratio": True}, r"l1_ratio must be a number"),
    ],
)
def test_each_parameter_check_has_the_estimators_message(changes, match):
    with pytest.raises(ValueError, match=match):
        check_params(_params(**changes))
    with pytest.raises(ValueError, match=match):  # the estimator raises the same
        LogisticRegression(**changes).fit(np.eye(4), [0, 1, 0, 1])


def test_l1_ratio_without_the_elastic_net_warns():
    with pytest.warns(UserWarning, match="is used only with penalty='elasticnet'"):
        check_params(_params(penalty="l2", l1_ratio=0.5))


def test_finite_numbers():
    assert is_finite_number(1) and is_finite_number(np.float32(2.5))
    assert not any(is_finite_number(v) for v in (True, float("inf"), 10**400, "1", None))


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([1.0, 2.0], r"sample_weight.shape == \(2,\), expected \(3,\)"),
        (["a", "b", "c"], r"sample_weight must be numeric"),
        ([1.0, np.nan, 1.0], r"sample_weight contains NaN or infinity"),
        ([1.0, -1.0, 1.0], r"sample_weight must be non-negative"),
        ([0.0, 0.0, 0.0], r"sample_weight is zero for every sample"),
    ],
)
def test_sample_weight_messages(weights, match):
    with pytest.raises(ValueError, match=match):
        check_sample_weight(weights, 3)


def test_sample_weight_forms():
    np.testing.assert_array_equal(check_sample_weight(None, 2), [1.0, 1.0])
    np.testing.assert_array_equal(check_sample_weight(2, 2), [2.0, 2.0])
    import scipy.sparse as sp

    with pytest.raises(ValueError, match="sample_weight must be a dense 1-d array"):
        check_sample_weight(sp.csr_matrix(np.ones((1, 3))), 3)


def test_partition_weights_may_all_be_zero_but_keep_the_other_rules():
    np.testing.assert_array_equal(check_sample_weight([0, 0], 2, partition=True), [0, 0])
    with pytest.raises(ValueError, match="sample_weight has 1 values in a partition of 2 rows"):
        check_sample_weight([1.0], 2, partition=True)
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        check_sample_weight([1.0, -2.0], 2, partition=True)


def test_label_messages():
    with pytest.raises(ValueError, match=r"y has missing labels \(None or NaN\) at rows 1"):
        check_labels(np.array(["a", None, "b"], dtype=object))
    with pytest.raises(ValueError, match="Unknown label type"):
        check_labels(np.array([0.5, 1.5, 2.25]))
    with pytest.raises(ValueError, match=r"at least 2 classes.*only 1 class: np.int64\(1\)"):
        encode_labels(np.array([1, 1, 1]))
    classes, index = encode_labels(np.array(["b", "a", "b"]))
    assert classes.tolist() == ["a", "b"] and index.tolist() == [1, 0, 1]


def test_class_count_messages():
    three = np.array([0, 1, 2])
    with pytest.raises(ValueError, match="loss='squared_error' is for two classes; y has 3"):
        check_classes(three, "squared_error")
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        check_classes(three, "cross_entropy", "firth")


def test_class_weight_messages():
    classes = np.array([0, 1])
    with pytest.raises(ValueError, match=r"class_weight has labels that are not in y: \[2\]"):
        check_class_weight({2: 1.0}, classes)
    with pytest.raises(ValueError, match="class_weight values must be finite and >= 0"):
        check_class_weight({0: -1.0}, classes)
    with pytest.raises(ValueError, match="class_weight must be None, 'balanced' or a dict"):
        check_class_weight("auto", classes)
    with pytest.raises(ValueError, match=r"only 1 class with positive weight: np.int64\(1\)"):
        check_positive_class_weight(np.array([0.0, 2.0]), classes)
    with pytest.raises(ValueError, match="sample_weight is zero for every sample"):
        check_positive_class_weight(np.array([0.0, 0.0]), classes)


def test_class_weights_equal_scikit_learns():
    from sklearn.utils.class_weight import compute_sample_weight

    y = np.array(["a", "b", "b", "c", "c", "c"])
    classes, index = encode_labels(y)
    counts = np.bincount(index).astype(float)
    for class_weight in ("balanced", {"a": 3.0, "c": 0.5}):
        per_class = class_weight_per_class(class_weight, classes, counts)
        np.testing.assert_array_equal(per_class[index], compute_sample_weight(class_weight, y))
    assert class_weight_per_class(None, classes, counts) is None


def test_cluster_messages():
    with pytest.raises(ValueError, match=r"needs fit\(X, y, groups=...\)"):
        check_cluster_codes(None, 3)
    with pytest.raises(ValueError, match="groups has 2 labels for 3 rows"):
        check_cluster_codes([1, 2], 3)
    with pytest.raises(ValueError, match="needs at least 2 clusters"):
        check_cluster_codes([1, 1, 1], 3)


def test_grid_and_ratio_messages():
    with pytest.raises(ValueError, match="Cs must be a positive int"):
        grid_of_Cs(0)
    with pytest.raises(ValueError, match="C must be a finite number > 0; Cs has"):
        grid_of_Cs([1.0, -1.0])
    with pytest.raises(ValueError, match="needs l1_ratios"):
        check_l1_ratios(None)
    with pytest.raises(ValueError, match=r"l1_ratios must be numbers in \[0, 1\]"):
        check_l1_ratios([0.5, 2])


def test_partitioned_fit_gives_the_in_memory_messages():
    X = np.arange(12.0).reshape(6, 2)
    one_class = Partitions([(X, np.zeros(6), None)])
    with pytest.raises(ValueError, match="at least 2 classes"):
        fit_partitioned(LogisticRegression(), one_class)
    two = Partitions([(X, np.array([0, 1] * 3), None)])
    with pytest.raises(ValueError, match="class_weight has labels that are not in y"):
        fit_partitioned(LogisticRegression(class_weight={5: 1.0}), two)


def test_l2_strength_does_not_overflow():
    assert l2_strength(1.0, np.full(4, 1e308)) == pytest.approx(1 / 4e308, rel=1e-12)


# -- the direct path for ndarrays -----------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
def test_ndarray_path_ends_where_validate_data_ends(dtype, order):
    rng = np.random.default_rng(0)
    X = np.asarray(rng.normal(size=(20, 3)), dtype=dtype, order=order)
    y = rng.integers(0, 2, size=20)
    fast, reference = LogisticRegression(), LogisticRegression()
    fast.feature_names_in_ = reference.feature_names_in_ = np.array(["a", "b", "c"], object)
    X_fast, y_fast = checked_X_y(fast, X, y)
    X_ref, y_ref = validate_data(reference, X, y, accept_sparse=["csr", "csc"],
                                 dtype=[np.float64, np.float32])
    assert X_fast is X and X_ref is X
    np.testing.assert_array_equal(y_fast, y_ref)
    assert fast.n_features_in_ == reference.n_features_in_ == 3
    assert not hasattr(fast, "feature_names_in_") and not hasattr(reference, "feature_names_in_")
    assert checked_X(fast, X) is X


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.array([[1.0, np.nan], [0.0, 1.0]]), "Input X contains NaN"),
        (np.array([[1.0, np.inf], [0.0, 1.0]]), "Input X contains infinity"),
        (np.zeros((0, 2)), "Found array with 0 sample"),
        (np.zeros((2, 0)), "Found array with 0 feature"),
    ],
)
def test_ndarrays_that_fail_get_scikit_learns_messages(X, match):
    y = np.arange(X.shape[0]) % 2
    with pytest.raises(ValueError, match=match):
        checked_X_y(LogisticRegression(), X, y)


def test_predict_checks_on_the_direct_path():
    X = np.random.default_rng(1).normal(size=(10, 2))
    model = LogisticRegression().fit(X, np.arange(10) % 2)
    with pytest.raises(ValueError, match="X has 3 features, but LogisticRegression is expecting 2"):
        model.predict(np.zeros((2, 3)))
    named = LogisticRegression().fit(pd.DataFrame(X, columns=["a", "b"]), np.arange(10) % 2)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        named.predict(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X)
