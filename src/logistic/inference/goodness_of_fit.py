"""How well a binary model's probabilities fit the labels: the Hosmer–Lemeshow test by
groups of risk, and the classification table at a threshold.

Hosmer–Lemeshow, with g groups by quantiles of p̂ ("deciles of risk" for g = 10)::

    breaks   b₀ < b₁ < … < b_m: the distinct quantiles of p̂ at 0, 1/g, …, 1 (type 7, NumPy's
             and R's default), each row counted with its weight s (exact for integer weights:
             the same breaks as the data with each row repeated s times)
    groups   row i is in group k where b_(k-1) < p̂ᵢ ≤ b_k (the first group also takes b₀):
             rows with the same p̂ always share a group, so tied quantiles merge groups and
             m ≤ g groups are formed
    C        Σₖ (O₁ₖ - E₁ₖ)²/E₁ₖ + (O₀ₖ - E₀ₖ)²/E₀ₖ,   O₁ₖ = Σ s y, E₁ₖ = Σ s p̂, nₖ = Σ s,
             O₀ₖ = nₖ - O₁ₖ, E₀ₖ = nₖ - E₁ₖ
    p-value  P(χ²(m - 2) > C)

This is R's ``ResourceSelection::hoslem.test(y, fitted, g)`` (``cut`` at the ``unique``
quantiles, ``include.lowest``) except for the degrees of freedom where ties merge groups:
hoslem.test keeps g - 2, here they are the groups formed less 2.

The classification table at a threshold t counts a row as predicted positive
(``classes[1]``) where p̂ > t (:func:`predicted_positive`, the rule of ``predict`` and of
``logistic evaluate --threshold``: scikit-learn's ``predict`` is decision_function > 0, i.e.
p̂ > 0.5; Stata's ``estat classification`` and scikit-learn's ``FixedThresholdClassifier``
count p̂ = t as positive, so they differ at a tie only), each row counted with its weight::

    sensitivity = TP/(TP + FN)   specificity = TN/(TN + FP)
    PPV = TP/(TP + FP)           NPV = TN/(TN + FN)        accuracy = (TP + TN)/total

(NaN where a denominator is 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

__all__ = [
    "ClassificationTable",
    "HosmerLemeshow",
    "check_groups",
    "check_threshold",
    "classification_table",
    "predicted_positive",
    "hosmer_lemeshow",
    "risk_groups",
    "weighted_quantiles",
]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class HosmerLemeshow:
    """The Hosmer–Lemeshow statistic, its χ² p-value and the table of its groups."""

    statistic: float
    df: int
    p_value: float
    groups: int  # the groups formed (fewer than asked where quantiles tie)
    table: pd.DataFrame  # per group: p_low, p_high, n, observed_1, expected_1, observed_0, …

    def __str__(self) -> str:
        return (
            f"Hosmer–Lemeshow: C = {self.statistic:.4f}, df = {self.df}, "
            f"p = {self.p_value:.4g} ({self.groups} groups of risk)"
        )


@dataclass(frozen=True)
class ClassificationTable:
    """The 2 × 2 table of actual against predicted classes at ``threshold``, and its rates."""

    threshold: float
    matrix: pd.DataFrame  # rows: actual classes; columns: predicted; weighted counts
    true_positive: float
    false_positive: float
    true_negative: float
    false_negative: float

    @property
    def sensitivity(self) -> float:
        return _ratio(self.true_positive, self.true_positive + self.false_negative)

    @property
    def specificity(self) -> float:
        return _ratio(self.true_negative, self.true_negative + self.false_positive)

    @property
    def positive_predictive_value(self) -> float:
        return _ratio(self.true_positive, self.true_positive + self.false_positive)

    @property
    def negative_predictive_value(self) -> float:
        return _ratio(self.true_negative, self.true_negative + self.false_negative)

    @property
    def accuracy(self) -> float:
        total = self.true_positive + self.true_negative + self.false_positive + self.false_negative
        return _ratio(self.true_positive + self.true_negative, total)

    def rates(self) -> pd.Series:
        """Sensitivity, specificity, PPV, NPV and accuracy as one Series."""
        return pd.Series({
            "sensitivity": self.sensitivity,
            "specificity": self.specificity,
            "ppv": self.positive_predictive_value,
            "npv": self.negative_predictive_value,
            "accuracy": self.accuracy,
        })


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def check_groups(groups: object, n_rows: int) -> int:
    """``groups`` as an int in [3, n_rows]; a ValueError says why not."""
    if isinstance(groups, bool) or not isinstance(groups, int | np.integer):
        raise ValueError(f"groups must be an integer, got {groups!r}")
    if not 3 <= int(groups) <= n_rows:
        raise ValueError(
            f"groups must be between 3 and the number of rows ({n_rows}): the test has "
            f"groups - 2 degrees of freedom and each group needs a row; got {groups}"
        )
    return int(groups)


def check_threshold(threshold: object) -> float:
    """``threshold`` as a float strictly between 0 and 1; a ValueError says why not."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | float | np.number):
        raise ValueError(f"threshold must be a number in (0, 1), got {threshold!r}")
    value = float(threshold)
    if not 0.0 < value < 1.0:
        raise ValueError(
            f"threshold must lie strictly between 0 and 1 (a probability that splits the "
            f"rows into predicted classes), got {threshold!r}"
        )
    return value


def weighted_quantiles(values: Array, weights: Array, probabilities: Array) -> Array:
    """Type-7 quantiles of ``values`` with each counted ``weights`` times: the order
    statistic at position h = (N - 1)q, N = Σs, interpolated between ⌊h⌋ and ⌊h⌋ + 1.
    Unit weights give ``np.quantile``; integer weights the quantiles of the repeated data."""
    order = np.argsort(values, kind="stable")
    ordered, cumulative = values[order], np.cumsum(weights[order])
    positions = (cumulative[-1] - 1.0) * np.asarray(probabilities, dtype=np.float64)
    below = np.floor(positions)
    last = ordered.size - 1

    def statistic(position: Array) -> Array:  # the row whose weight covers the position
        index = np.searchsorted(cumulative, position, side="right")
        return ordered[np.minimum(index, last)]  # type: ignore[no-any-return]

    low, high = statistic(below), statistic(below + 1.0)
    return low + (positions - below) * (high - low)  # type: ignore[no-any-return]


def risk_groups(p: Array, weights: Array, groups: int) -> tuple[NDArray[np.intp], Array]:
    """(each row's group 0..m-1, the m + 1 breaks) by the weighted quantiles of p̂."""
    breaks = np.unique(weighted_quantiles(p, weights, np.linspace(0.0, 1.0, groups + 1)))
    return np.searchsorted(breaks[1:-1], p, side="left"), breaks


def hosmer_lemeshow(y: Array, p: Array, weights: Array, groups: int = 10) -> HosmerLemeshow:
    """The Hosmer–Lemeshow test of labels y ∈ {0, 1} against probabilities p̂ (module
    docstring for the groups); a ValueError where fewer than 3 groups can be formed."""
    codes, breaks = risk_groups(p, weights, groups)
    formed = breaks.size - 1
    if formed < 3:
        distinct = np.unique(p[weights > 0]).size
        raise ValueError(
            f"the predicted probabilities take {distinct} distinct value(s), too few for 3 "
            f"groups of risk from {groups} quantiles: the test would have no degrees of freedom"
        )
    n = np.bincount(codes, weights=weights, minlength=formed)
    observed = np.bincount(codes, weights=weights * y, minlength=formed)
    expected = np.bincount(codes, weights=weights * p, minlength=formed)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = (observed - expected) ** 2 / expected + (
            (n - observed) - (n - expected)) ** 2 / (n - expected)
    statistic = float(np.sum(terms))
    df = formed - 2
    table = pd.DataFrame({
        "p_low": breaks[:-1], "p_high": breaks[1:], "n": n,
        "observed_1": observed, "expected_1": expected,
        "observed_0": n - observed, "expected_0": n - expected,
    })
    table.index.name = "group"
    return HosmerLemeshow(statistic, df, float(stats.chi2.sf(statistic, df)), formed, table)


def predicted_positive(p: Array, threshold: float = 0.5) -> NDArray[np.bool_]:
    """The rows predicted positive (``classes[1]``) at ``threshold``: p̂ > t, strictly.

    The one rule of the classification table, ``logistic evaluate --threshold`` and
    ``predict`` (p̂ > 0.5 is z > 0, scikit-learn's decision_function > 0); a row with p̂
    exactly t is predicted negative.
    """
    return np.asarray(p) > threshold


def classification_table(
    y: Array, p: Array, weights: Array, classes: NDArray, threshold: float = 0.5
) -> ClassificationTable:
    """Actual (y = 1 for ``classes[1]``) against predicted (p̂ > threshold), weighted."""
    predicted = predicted_positive(p, threshold)
    actual = y == 1.0
    tp = float(np.sum(weights[actual & predicted]))
    fn = float(np.sum(weights[actual & ~predicted]))
    fp = float(np.sum(weights[~actual & predicted]))
    tn = float(np.sum(weights[~actual & ~predicted]))
    names = [str(c) for c in classes]
    matrix = pd.DataFrame([[tn, fp], [fn, tp]],
                          index=pd.Index(names, name="actual"),
                          columns=pd.Index(names, name="predicted"))
    return ClassificationTable(threshold, matrix, tp, fp, tn, fn)
