"""Validation of everything a fit is given: the parameters, X, the labels, the weights.

One place for every check and its message, whichever way the data arrive (in memory, a
path over C, cross-validation folds, row partitions): ``check_params`` for the estimator's
parameters, ``checked_X_y`` / ``checked_X`` for the arrays, then the labels
(``check_labels``, ``encode_labels``, ``check_classes``), the sample weights
(``check_sample_weight``) and the class weights (``class_weight_per_class``).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from logistic.core.losses import LOSSES
from logistic.fitting.caller import user_stacklevel
from logistic.fitting.frame_columns import check_frame_columns
from logistic.fitting.sparse_structure import check_sparse_structure
from logistic.inference.firth import FIRTH_COV_TYPES
from logistic.inference.statistics import COV_TYPES
from logistic.io.data import check_numeric_columns
from logistic.solvers import SOLVERS

__all__ = [
    "MULTI_CLASS",
    "PENALTIES",
    "SOLVER_NAMES",
    "SPARSE_PENALTIES",
    "check_bool",
    "check_class_weight",
    "check_classes",
    "check_cluster_codes",
    "check_l1_ratio",
    "check_l1_ratios",
    "check_labels",
    "check_missing_labels",
    "check_params",
    "check_positive_class_weight",
    "check_sample_weight",
    "checked_X",
    "checked_X_y",
    "class_weight_per_class",
    "encode_labels",
    "grid_of_Cs",
    "is_finite_number",
]

Array = NDArray[np.float64]

PENALTIES = (None, "l2", "l1", "elasticnet", "firth")
SPARSE_PENALTIES = ("l1", "elasticnet")
SOLVER_NAMES = ("auto", *SOLVERS)
MULTI_CLASS = ("multinomial", "ovr")
_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))


# -- parameters ------------------------------------------------------------------------------
def is_finite_number(value: object) -> bool:
    """A real number (not a bool) that is finite; a Python int beyond float's range is not."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _check_positive(name: str, value: object, allow_zero: bool = False) -> None:
    ok = is_finite_number(value) and (value >= 0 if allow_zero else value > 0)  # type: ignore[operator]
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")


def check_bool(name: str, value: object) -> None:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be True or False, got {value!r}")


def check_l1_ratio(penalty: str | None, l1_ratio: object) -> None:
    """l1_ratio: a number in [0, 1] for the elastic net; elsewhere ignored, with a warning."""
    if penalty != "elasticnet":
        if l1_ratio is not None:
            warnings.warn(
                f"l1_ratio={l1_ratio!r} is used only with penalty='elasticnet'; "
                f"penalty={penalty!r} ignores it",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        return
    ok = isinstance(l1_ratio, numbers.Real) and not isinstance(l1_ratio, bool)
    if not (ok and 0 <= l1_ratio <= 1):  # type: ignore[operator,unused-ignore]
        raise ValueError(
            f"l1_ratio must be a number in [0, 1] with penalty='elasticnet', got {l1_ratio!r}"
        )


def check_params(params: Mapping[str, Any]) -> None:
    """The checks of ``LogisticRegression``'s parameters (``get_params()``), alone and in
    combination (penalty against solver, loss and cov_type)."""
    penalty, solver, cov_type = params["penalty"], params["solver"], params["cov_type"]
    if penalty not in PENALTIES:
        raise ValueError(f"penalty must be one of {PENALTIES}, got {penalty!r}")
    _check_positive("C", params["C"])
    check_l1_ratio(penalty, params["l1_ratio"])
    _check_positive("tol", params["tol"], allow_zero=True)
    _check_positive("learning_rate", params["learning_rate"])
    max_iter = params["max_iter"]
    if not isinstance(max_iter, numbers.Integral) or max_iter < 0:
        raise ValueError(f"max_iter must be an integer >= 0, got {max_iter!r}")
    if solver not in SOLVER_NAMES:
        raise ValueError(f"solver must be one of {SOLVER_NAMES}, got {solver!r}")
    if params["loss"] not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {params['loss']!r}")
    _check_cov_type(penalty, cov_type)
    if params["multi_class"] not in MULTI_CLASS:
        raise ValueError(
            f"multi_class must be one of {MULTI_CLASS}, got {params['multi_class']!r}"
        )
    for name in ("fit_intercept", "warm_start"):
        check_bool(name, params[name])
    verbose = params["verbose"]
    if not isinstance(verbose, numbers.Integral) or verbose < 0:
        raise ValueError(f"verbose must be an integer >= 0, got {verbose!r}")
    if params["callback"] is not None and not callable(params["callback"]):
        raise ValueError("callback must be callable(iteration, state) or None")
    _check_solver_for_penalty(penalty, solver)
    if penalty == "firth" and params["loss"] != "cross_entropy":
        raise ValueError(f"penalty='firth' needs loss='cross_entropy', got {params['loss']!r}")


def _check_cov_type(penalty: str | None, cov_type: object) -> None:
    if cov_type not in COV_TYPES + FIRTH_COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES + FIRTH_COV_TYPES[1:]}, got "
                         f"{cov_type!r}")
    if penalty == "firth" and cov_type not in FIRTH_COV_TYPES:
        raise ValueError(f"cov_type for penalty='firth' is one of {FIRTH_COV_TYPES}, got "
                         f"{cov_type!r}")
    if penalty != "firth" and cov_type in FIRTH_COV_TYPES[1:]:
        raise ValueError(f"cov_type={cov_type!r} is for penalty='firth'")


def _check_solver_for_penalty(penalty: str | None, solver: object) -> None:
    if penalty == "firth" and solver not in ("auto", "newton"):
        raise ValueError(
            f"penalty='firth' is fitted by its modified Newton iterations: solver must be "
            f"'auto' or 'newton', got {solver!r}"
        )
    if penalty in SPARSE_PENALTIES and solver not in ("auto", "newton-cd"):
        raise ValueError(
            f"penalty={penalty!r} is not differentiable at 0: solver must be 'auto' "
            f"or 'newton-cd', got {solver!r}"
        )


def check_l1_ratios(l1_ratios: ArrayLike | None) -> Array:
    """The ρ values of a cross-validated elastic net: a non-empty list in [0, 1]."""
    if l1_ratios is None:
        raise ValueError("penalty='elasticnet' needs l1_ratios: a list of numbers in [0, 1]")
    ratios = np.atleast_1d(np.asarray(l1_ratios, dtype=object))
    bad = [
        r for r in ratios
        if not (isinstance(r, numbers.Real) and not isinstance(r, bool) and 0 <= r <= 1)  # type: ignore[operator]
    ]
    if ratios.size == 0 or bad:
        raise ValueError(f"l1_ratios must be numbers in [0, 1], got {l1_ratios!r}")
    return ratios.astype(np.float64)


def grid_of_Cs(Cs: int | ArrayLike) -> Array:
    """An int n → n values from 1e-4 to 1e4, evenly spaced in log; else the values, checked."""
    if isinstance(Cs, int | np.integer) and not isinstance(Cs, bool):
        if Cs < 1:
            raise ValueError(f"Cs must be a positive int or a list of C > 0, got {Cs!r}")
        return np.logspace(-4, 4, int(Cs))
    try:
        values = np.asarray(Cs, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"Cs must be a positive int or a list of C > 0, got {Cs!r}") from None
    if values.size == 0 or not np.all(np.isfinite(values) & (values > 0)):
        raise ValueError(f"C must be a finite number > 0; Cs has {Cs!r}")
    return values


# -- X and y ---------------------------------------------------------------------------------
def _finite_check_quietly() -> np.errstate:
    """scikit-learn's finiteness check first sums X, which for finite values near 1e308
    overflows to inf and then inf - inf: NumPy warnings about a sum that is only a fast
    test (the exact test that follows decides). Silenced for that check alone."""
    return np.errstate(over="ignore", invalid="ignore")


def _plain_finite_matrix(X: object) -> bool:
    """X is a float32/float64 ndarray, 2-D, non-empty, with a finite sum (so finite): the
    case in which scikit-learn's checks pass and return X itself."""
    if type(X) is not np.ndarray or X.ndim != 2 or X.dtype not in _FLOATS or 0 in X.shape:
        return False
    with _finite_check_quietly():
        return bool(np.isfinite(np.sum(X)))


def checked_X_y(estimator: BaseEstimator, X: object, y: object) -> tuple[Any, NDArray]:
    """(X, y) checked as scikit-learn's ``validate_data(reset=True)`` checks them, setting
    ``n_features_in_`` (and ``feature_names_in_`` for DataFrames). X: (n, d), float32 or
    float64, dense or CSR/CSC; y: (n,).

    A numeric ndarray X with a numeric 1-D ndarray y of its length takes a direct path
    with the same outcome; anything else, valid or not, goes through ``validate_data``
    (so every error and warning is scikit-learn's own).
    """
    if (
        _plain_finite_matrix(X)
        and type(y) is np.ndarray
        and y.ndim == 1
        and y.shape[0] == X.shape[0]  # type: ignore[attr-defined]
        and y.dtype.kind in "biu"
    ):
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        estimator.n_features_in_ = X.shape[1]  # type: ignore[attr-defined]
        return X, y
    check_frame_columns(X)
    check_missing_labels(y)
    check_numeric_columns(X)
    check_sparse_structure(X)  # before scipy's or our compiled code reads its indices
    with _finite_check_quietly():
        return validate_data(  # type: ignore[no-any-return]
            estimator, X, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32]
        )


def checked_X(estimator: BaseEstimator, X: object) -> Any:
    """X checked against a fitted estimator as ``validate_data(reset=False)`` checks it:
    (n, n_features_in_), float32 or float64, dense or CSR/CSC, the same column names."""
    if (
        _plain_finite_matrix(X)
        and X.shape[1] == getattr(estimator, "n_features_in_", None)  # type: ignore[attr-defined]
        and not hasattr(estimator, "feature_names_in_")
    ):
        return X
    check_frame_columns(X)
    check_numeric_columns(X)
    check_sparse_structure(X)
    with _finite_check_quietly():
        return validate_data(
            estimator, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32],
            reset=False,
        )


# -- labels ----------------------------------------------------------------------------------
def check_labels(y: NDArray) -> None:
    """Labels that are classes: no None or NaN among object labels (a missing label is not
    a class), and what scikit-learn's check_classification_targets accepts. 1-d integer
    and boolean labels pass always and skip its type_of_target (the largest part of a
    small fit's validation)."""
    check_missing_labels(y)
    if not (y.ndim == 1 and y.dtype.kind in "biu"):
        check_classification_targets(y)


def check_missing_labels(y: object) -> None:
    """No missing label among object (text) labels, pandas' string arrays included: None,
    NaN, pd.NA and NaT alike (pd.NA == x is NA, whose truth value is an error)."""
    if not isinstance(y, np.ndarray | pd.Series | pd.api.extensions.ExtensionArray | list):
        return
    labels = np.asarray(y, dtype=object) if isinstance(y, list) else np.asarray(y)
    if labels.dtype != object:
        return
    missing = np.flatnonzero(pd.isna(labels)).tolist()
    if missing:
        shown = ", ".join(map(str, missing[:5])) + (", ..." if len(missing) > 5 else "")
        raise ValueError(f"y has missing labels (None or NaN) at rows {shown}")


def encode_labels(y: NDArray) -> tuple[NDArray, NDArray[np.intp]]:
    """(classes (K,), the class index of every label (n,)); at least two classes."""
    # the classes by a sort, the indices by binary search: np.unique's return_inverse
    # argsorts the labels instead (covtype's 581,012: 101 ms against 16)
    classes = np.unique(y)
    y_index = np.searchsorted(classes, y)
    check_classes(classes)
    return classes, y_index


def known_labels(y: ArrayLike, classes: ArrayLike) -> NDArray:
    """y as a flat array whose every label is one of ``classes`` (a fitted model's); a
    ValueError names up to five labels that are not."""
    labels = np.asarray(y).ravel()
    classes = np.asarray(classes)
    unknown = pd.unique(labels[~np.isin(labels, classes)])
    if unknown.size:
        shown = ", ".join(repr(v) for v in unknown[:5].tolist())
        raise ValueError(
            f"the labels {shown} are not classes of the model "
            f"({', '.join(repr(c) for c in classes.tolist())})"
        )
    return labels


def check_classes(
    classes: NDArray, loss: str = "cross_entropy", penalty: str | None = None
) -> None:
    """At least two classes; more than two only for the cross-entropy, without Firth."""
    if classes.size < 2:
        raise ValueError(
            "LogisticRegression needs samples of at least 2 classes, "
            f"but the data contain only 1 class: {classes[0]!r}"
        )
    if classes.size > 2 and loss != "cross_entropy":
        raise ValueError(
            f"loss={loss!r} is for two classes; y has {classes.size}: use the "
            "cross-entropy (loss='cross_entropy')"
        )
    if classes.size > 2 and penalty == "firth":
        raise ValueError(
            "Only binary classification is supported with penalty='firth'; y has "
            f"{classes.size} classes: use penalty=None or 'l2' for more"
        )


# -- weights ---------------------------------------------------------------------------------
def check_sample_weight(
    sample_weight: object, n_samples: int, *, partition: bool = False
) -> Array:
    """Validated weights (n,): finite and non-negative, with a positive sum. ``partition``:
    the weights of one row partition of the data, which may all be 0 (the sum that counts
    is the data's)."""
    if sample_weight is None:
        return np.ones(n_samples)
    if partition:
        weights = np.asarray(sample_weight, dtype=np.float64).ravel()
        if weights.shape != (n_samples,):
            raise ValueError(
                f"sample_weight has {weights.size} values in a partition of {n_samples} rows"
            )
    else:
        weights = _weight_vector(sample_weight, n_samples)
    if not np.all(np.isfinite(weights)):
        raise ValueError("sample_weight contains NaN or infinity")
    if np.any(weights < 0):
        raise ValueError("sample_weight must be non-negative")
    if not partition and not np.any(weights > 0):
        raise ValueError("sample_weight is zero for every sample: no sample would count")
    return weights


def _weight_vector(sample_weight: object, n_samples: int) -> Array:
    """A number (every sample's weight) or a dense vector of n numbers, as float64."""
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool):
        sample_weight = np.full(n_samples, float(sample_weight))
    if sp.issparse(sample_weight):
        raise ValueError("sample_weight must be a dense 1-d array")
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("sample_weight must be numeric") from None
    if weights.shape != (n_samples,):
        raise ValueError(f"sample_weight.shape == {weights.shape}, expected ({n_samples},)")
    return weights


def check_class_weight(class_weight: object, classes: NDArray) -> None:
    """None, 'balanced', or a dict {label: finite weight >= 0} over labels of ``classes``."""
    if class_weight is None:
        return
    if isinstance(class_weight, dict):
        known = set(classes.tolist())
        unknown = [label for label in class_weight if label not in known]
        if unknown:
            raise ValueError(
                f"class_weight has labels that are not in y: {unknown!r}; "
                f"the classes are {classes.tolist()!r}"
            )
        bad = [w for w in class_weight.values() if not (is_finite_number(w) and w >= 0)]
        if bad:
            raise ValueError(f"class_weight values must be finite and >= 0, got {bad!r}")
    elif class_weight != "balanced":
        raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {class_weight!r}")


def class_weight_per_class(
    class_weight: object, classes: NDArray, counts: Array
) -> Array | None:
    """One multiplier per class (K,), or None for class_weight=None: 'balanced' is
    scikit-learn's n / (K·n_k) from the class counts (K,), a dict gives its labels' weights
    (1 for the others). A sample's weight is multiplied by its class's."""
    check_class_weight(class_weight, classes)
    if class_weight is None:
        return None
    if isinstance(class_weight, dict):
        per_class = np.ones(classes.size)
        for k, label in enumerate(classes.tolist()):
            if label in class_weight:
                per_class[k] = class_weight[label]
        return per_class
    return float(counts.sum()) / (classes.size * np.asarray(counts, dtype=np.float64))


def check_positive_class_weight(weight_sums: Array, classes: NDArray) -> None:
    """At least two classes keep a positive total weight (weight_sums: (K,))."""
    if not np.any(weight_sums > 0):
        raise ValueError("sample_weight is zero for every sample: no sample would count")
    present = np.flatnonzero(weight_sums > 0)
    if present.size < 2:
        raise ValueError(
            f"sample_weight leaves only 1 class with positive weight: {classes[present[0]]!r}"
        )


def check_cluster_codes(groups: object, n_samples: int) -> NDArray[np.intp]:
    """Integer cluster codes (n,) of cov_type='cluster' from one label per row."""
    if groups is None:
        raise ValueError("cov_type='cluster' needs fit(X, y, groups=...): a cluster per row")
    labels = np.asarray(groups).ravel()
    if labels.shape != (n_samples,):
        raise ValueError(f"groups has {labels.size} labels for {n_samples} rows")
    # factorize, not np.unique: labels of mixed types (1 and "a") cannot be sorted
    codes = np.asarray(pd.factorize(labels)[0], dtype=np.intp)
    if np.any(codes < 0):
        first = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(f"groups has missing labels (None or NaN), first at row {first}")
    if codes.max(initial=0) < 1:
        raise ValueError("cov_type='cluster' needs at least 2 clusters")
    return codes.ravel()  # type: ignore[no-any-return]


class TrainingColumns(BaseEstimator):  # type: ignore[misc]
    """Where scikit-learn's checks record the training columns (``n_features_in_``,
    ``feature_names_in_``) for fits that have no estimator of their own (a path)."""
