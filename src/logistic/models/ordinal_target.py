"""An ordinal target's levels in their order, and each label's place among them.

The order comes from the user, never from guessing: ``categories=[...]`` (lowest first), a
pandas ordered Categorical, or numbers (ordered as numbers). Text labels without an order
are refused with a message that says how to give one: alphabetical order is rarely the
intended one ('high' < 'low' < 'medium').
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import type_of_target

from logistic.exceptions import DataError

__all__ = ["check_levels_present", "ordered_levels"]


def _shown(values: Sequence[Any], most: int = 5) -> str:
    items = [repr(v) for v in list(values)[:most]]
    return ", ".join(items) + (", ..." if len(values) > most else "")


def ordered_levels(y: Any, categories: Sequence[Any] | None) -> tuple[NDArray, NDArray[np.intp]]:
    """(the ordered classes (K,), every label's index among them (n,)).

    Raises ``DataError`` for fewer than 2 levels, labels outside ``categories``, missing
    labels, and text labels given without an order."""
    if y is None:
        raise ValueError("OrdinalLogisticRegression requires y to be passed, but the target y "
                         "is None")
    dtype = getattr(y, "dtype", None)
    if isinstance(dtype, pd.CategoricalDtype):
        if categories is None and not dtype.ordered:
            raise DataError(
                "y is an unordered pandas Categorical; an ordinal target needs an order: make "
                "it ordered (y.cat.as_ordered(), or pd.Categorical(y, categories=[...], "
                "ordered=True)) or pass categories=[...] lowest first"
            )
        if categories is None:
            categories = list(dtype.categories)
        y = np.asarray(y.astype(object))
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        warnings.warn("A column-vector y was passed when a 1d array was expected; it is "
                      "read as its one column", DataConversionWarning, stacklevel=4)
        labels = labels.ravel()
    if labels.dtype.kind == "c":
        raise ValueError("Complex data not supported")
    if labels.ndim != 1:
        raise DataError(f"y must be one column of labels, got shape {np.shape(y)}")
    if labels.dtype.kind == "f" and np.isinf(labels).any():
        raise DataError("Input y contains infinity: an ordinal label must be a level")
    if labels.size and pd.isna(pd.Series(labels)).any():
        raise DataError("y holds missing labels (None or NaN); an ordinal label must be a level")
    if categories is None:
        return _natural_order(labels)
    levels = list(categories)
    if len(set(levels)) != len(levels):
        raise DataError(f"categories must be distinct levels, got {_shown(levels)}")
    if len(levels) < 2:
        raise DataError(f"an ordinal model needs at least 2 ordered levels; categories has "
                        f"{len(levels)} class: {_shown(levels)}")
    position = {level: k for k, level in enumerate(levels)}
    unknown = pd.unique(pd.Series([v for v in labels.tolist() if v not in position], dtype=object))
    if unknown.size:
        raise DataError(
            f"y holds labels {_shown(unknown.tolist())} that are not among categories "
            f"{_shown(levels, 10)}"
        )
    index = np.fromiter((position[v] for v in labels.tolist()), dtype=np.intp, count=labels.size)
    return np.asarray(levels), index


def _natural_order(labels: NDArray) -> tuple[NDArray, NDArray[np.intp]]:
    """Numbers and booleans in their own order; anything else has none."""
    if labels.dtype.kind not in "biuf":
        found = pd.unique(pd.Series(labels, dtype=object)).tolist()
        raise DataError(
            f"y holds the labels {_shown(found)}, which have no order; an ordinal target "
            "needs one: pass categories=[...] lowest first (the CLI's --categories "
            f"LOW,...,HIGH; e.g. categories={found[:3]!r}) or y as a pandas ordered "
            "Categorical"
        )
    if labels.dtype.kind == "f" and type_of_target(labels) == "continuous":
        raise DataError(
            "Unknown label type: continuous (y holds non-integer numbers): an ordinal target "
            "has a few ordered levels; pass categories=[...] to use these values as levels"
        )
    classes = np.unique(labels)
    if classes.size < 2:
        raise DataError(
            f"an ordinal model needs at least 2 ordered levels; y has {classes.size} class"
            + (f": {classes[0].item()!r}" if classes.size else "")
        )
    return classes, np.searchsorted(classes, labels)


def check_levels_present(classes: NDArray, y_index: NDArray[np.intp], weights: NDArray) -> None:
    """Every level has rows of positive weight: an empty level's cut-points are not
    identified (its probability's maximum likelihood is 0, at θₖ = θₖ₋₁)."""
    counts = np.bincount(y_index, weights, minlength=classes.size)
    empty = [classes[k] for k in np.flatnonzero(counts <= 0)]
    if empty:
        raise DataError(
            f"the level(s) {_shown([c.item() if hasattr(c, 'item') else c for c in empty])} "
            "have no rows (of positive weight): every class needs some; leave them out of "
            "categories"
        )
