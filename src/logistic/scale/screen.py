"""The separation screen of a partitioned fit (Parquet-streamed, Dask, in-memory partitions).

The first pass (``survey.py``) gathers each class's column extremes over its rows of
positive weight, merged over the partitions by min and max (exact); after the fit, the
single-column test of the in-memory screen (``fitting.separation_screen.screen_columns``)
reads them: a column whose nonzero rows all lie in one class (indicators, counts), or whose
values beyond a threshold all belong to some classes, found at no pass of its own. Only
where a column separates does one more pass verify the direction on every row and count
the separated samples, so the warning and ``separation_`` are the in-memory fit's.

Not run over partitions: the fitted hyperplane and the linear programs over the rows
(combinations of columns, tests 2 and 3 of ``inference/separation.py``), which need the
rows in memory; a fit separated only by a combination of columns says nothing, as before.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from numpy.typing import NDArray

from logistic.fitting.separation_screen import margin_counts, screen_columns
from logistic.inference.separation import Separation
from logistic.inference.separation_lp import Rows

__all__ = ["partition_margin_counts", "screen_partitioned"]


def screen_partitioned(reducer, encodings: list, survey, fit_intercept: bool,
                       names, classes: NDArray) -> Separation | None:
    """The screen of the fits of ``encodings`` (``partitioned.Encoding``: one, or one per
    class for one-vs-rest) from ``survey`` (gathered with extremes), warning as in memory."""
    low, high = survey.class_extremes(classes)
    weights = survey.class_weight_sums(classes)
    class_weight = encodings[0].class_weight
    if class_weight is not None:
        weights = weights * class_weight
    present = weights > 0
    low[1:][~present], high[1:][~present] = np.inf, -np.inf  # no kept rows, as in memory

    def measure(k: int, u: NDArray, scale: NDArray) -> NDArray:
        fn = partial(partition_margin_counts, encoding=encodings[k], u=u, scale=scale,
                     fit_intercept=fit_intercept)
        return np.asarray(reducer.map_reduce(fn), dtype=np.float64)

    return screen_columns(len(encodings), (low, high), present, fit_intercept, measure,
                          names, classes)


def partition_margin_counts(X, labels, sample_weight, *, encoding, u: NDArray,
                            scale: NDArray, fit_intercept: bool) -> NDArray:
    """``margin_counts`` of direction u over one partition's rows of positive weight (the
    targets and weights of ``encoding``'s fit), ``scale`` the columns' sizes over all."""
    _, weights = encoding(labels, sample_weight)
    codes = encoding.codes(np.asarray(labels))
    if encoding.column is None:
        labels, n_classes = codes, encoding.classes.size
    else:
        labels, n_classes = codes == encoding.column, 2
    rows = Rows(X, labels, weights > 0, n_classes, fit_intercept, scale)
    return margin_counts(rows, u)
