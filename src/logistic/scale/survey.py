"""The first pass over partitioned data: the rows, the features and per label its rows and
weight sum, each partition checked as the in-memory fit checks its data; for a fit that is
screened for separation also per label each column's smallest and largest value over the
rows of positive weight (``inference.class_extremes``, implicit zeros of sparse data
included), which the single-column screen needs (``fitting.separation_screen``).

``survey_partition`` surveys one partition; ``+`` merges two surveys, so any reducer
(``partitioned.Reducer``) computes the survey of all the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.utils.validation import check_array

from logistic.fitting.validation import check_labels, check_sample_weight
from logistic.inference.separation import class_extremes

__all__ = ["Survey", "survey_partition"]

Array = NDArray[np.float64]


@dataclass
class Survey:
    """What the first pass learns: rows, features, and per label its rows and weight sum.

    ``+`` merges two partitions' surveys, so any reducer can compute it.
    """

    n_samples: int = 0
    n_features: int | None = None
    labels: dict = field(default_factory=dict)  # label -> [rows, weight sum]
    # label -> (low, high), each (d,), over its rows of positive weight (None: not gathered)
    extremes: dict | None = None

    def __add__(self, other: Survey) -> Survey:
        if self.n_features is not None and other.n_features not in (None, self.n_features):
            raise ValueError(
                f"partitions have different numbers of features: {self.n_features} and "
                f"{other.n_features}"
            )
        merged = {key: list(value) for key, value in self.labels.items()}
        for key, (rows, weight) in other.labels.items():
            entry = merged.setdefault(key, [0, 0.0])
            entry[0] += rows
            entry[1] += weight
        features = self.n_features if self.n_features is not None else other.n_features
        return Survey(self.n_samples + other.n_samples, features, merged,
                      _merged_extremes(self.extremes, other.extremes))

    def classes(self) -> NDArray:
        """The sorted distinct labels (strings as an object array, as ``np.unique`` of a
        string column gives them in memory)."""
        keys = list(self.labels)
        try:
            if any(isinstance(key, str) for key in keys):
                keys = sorted(keys)
                return np.array(keys, dtype=object)
            return np.unique(np.array(keys))
        except TypeError:
            kinds = sorted({type(key).__name__ for key in keys})
            raise ValueError(
                f"the labels mix types ({', '.join(kinds)}): they cannot be ordered into "
                "classes; give every label the same type"
            ) from None

    def class_counts(self, classes: NDArray) -> Array:
        return np.array([self.labels[_key(c)][0] for c in classes], dtype=np.float64)

    def class_weight_sums(self, classes: NDArray) -> Array:
        return np.array([self.labels[_key(c)][1] for c in classes], dtype=np.float64)

    def class_extremes(self, classes: NDArray) -> tuple[Array, Array]:
        """(low, high), each (1 + K, d), as ``inference.class_extremes`` gives them for all
        the rows in memory: the first row (the rows of weight 0, which the screen does not
        read) and a class without rows of positive weight hold +inf / -inf."""
        d = int(self.n_features or 0)
        low, high = np.full((1 + classes.size, d), np.inf), np.full((1 + classes.size, d), -np.inf)
        for k, c in enumerate(classes):
            if (self.extremes or {}).get(_key(c)) is not None:
                low[1 + k], high[1 + k] = self.extremes[_key(c)]
        return low, high


def _merged_extremes(a: dict | None, b: dict | None) -> dict | None:
    """Two partitions' per-label extremes as those of both: min of the lows, max of the highs
    (exact)."""
    if a is None or b is None:
        return a if b is None else b
    merged = dict(a)
    for key, (low, high) in b.items():
        if key in merged:
            low, high = np.minimum(merged[key][0], low), np.maximum(merged[key][1], high)
        merged[key] = (low, high)
    return merged


def _key(label):
    """A label as a plain Python value, so that np.int64(1) and 1 are one dict key."""
    return label.item() if isinstance(label, np.generic) else label


def survey_partition(X, labels, sample_weight, extremes: bool = False) -> Survey:
    """Checks one partition (X finite and numeric, labels classes, weights ≥ 0 and finite)
    and counts its labels and weight per label; ``extremes``: also each label's column
    extremes over its rows of positive weight (one more read of the partition, in memory)."""
    X = check_array(X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32],
                    ensure_min_samples=0, ensure_all_finite=True, input_name="X")
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.shape[0] != X.shape[0]:
        raise ValueError(
            f"a partition has {X.shape[0]} rows of X but {labels.shape} labels: X and y must "
            "be split into the same row partitions"
        )
    weights = check_sample_weight(sample_weight, X.shape[0], partition=True)
    if X.shape[0] == 0:
        return Survey(0, X.shape[1], {}, {} if extremes else None)
    check_labels(labels)
    codes, values = pd.factorize(labels)  # hashing: no sort of the (maybe text) labels
    counts = np.bincount(codes, minlength=values.size)
    sums = np.bincount(codes, weights=weights, minlength=values.size)
    table = {_key(v): [int(n), float(w)] for v, n, w in zip(values, counts, sums, strict=True)}
    found = None
    if extremes:  # row 0 of class_extremes: the rows of weight 0, not kept
        low, high = class_extremes(X, codes, weights, max(values.size, 3))
        found = {_key(v): (low[1 + k], high[1 + k]) for k, v in enumerate(values)
                 if np.isfinite(low[1 + k]).all()}
    return Survey(X.shape[0], X.shape[1], table, found)
