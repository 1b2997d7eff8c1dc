"""The separation screen of a finished unpenalized fit, with its warnings: in memory
(``screen_separation``, all three tests of ``inference/separation.py``) and over data not
in memory (``screen_columns``, the single-column test from the classes' column extremes,
which the first pass over the partitions gathers)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from logistic.exceptions import SeparationWarning
from logistic.fitting.caller import user_stacklevel
from logistic.inference.separation import (
    Separation,
    check_separation,
    column_direction,
    described,
    in_user_units,
    merge_one_against_rest,
    one_against_rest,
    separation_message,
)
from logistic.inference.separation_lp import STRICT, TOLERANCE, Rows
from logistic.solvers import SolverResult

__all__ = ["column_separation", "margin_counts", "screen_columns", "screen_separation"]

#: measure(k, u, scale) → ``margin_counts`` of direction u of problem k over every row
Measure = Callable[[int, NDArray[Any], NDArray[Any]], NDArray[Any]]


def screen_separation(
    fits: Sequence[tuple[Any, SolverResult]],
    weights: NDArray[Any],
    extremes: Any,
    scales: NDArray[Any] | None,
    cov: NDArray[Any] | None,
    names: Sequence[str],
    classes: NDArray[Any],
) -> Separation | None:
    """What the screen (``inference/separation.py``) finds, with ``names`` (d,) filled in,
    and a SeparationWarning per separated problem; one-vs-rest screens each class's binary
    problem. ``scales``: the power-of-two column scales the fits used, or None; ``cov``:
    the nonrobust covariance of the fitted columns, or None."""
    found = []
    for k, (objective, result) in enumerate(fits):
        part = extremes if len(fits) == 1 else one_against_rest(extremes, k)
        found.append(in_user_units(
            check_separation(objective, result.theta, weights, part, cov), scales))
    return _reported(found, names, classes)


def screen_columns(
    n_problems: int,
    extremes: Any,
    present: NDArray[np.bool_],
    fit_intercept: bool,
    measure: Measure,
    names: Sequence[str],
    classes: NDArray[Any],
) -> Separation | None:
    """``screen_separation``'s single-column test for data not in memory, with the same
    warnings and Separation: ``n_problems`` fits (1, or K for one-vs-rest), ``extremes``
    the K classes' (``class_extremes`` merged over the partitions), ``present`` (K,)
    whether each class has samples of positive weight, ``measure`` one pass over the rows
    (run only for a problem a column separates)."""
    found = []
    for k in range(n_problems):
        part, seen = extremes, present
        if n_problems > 1:
            part, seen = one_against_rest(extremes, k), np.ones(2, dtype=bool)
        found.append(column_separation(part, seen, fit_intercept, partial(measure, k)))
    return _reported(found, names, classes)


def _reported(found: list[Separation | None], names: Sequence[str],
              classes: NDArray[Any]) -> Separation | None:
    """The problems' separations as one, names filled in, and their warnings."""
    separation = found[0] if len(found) == 1 else merge_one_against_rest(found)
    if separation is None:
        return None
    separation = replace(separation, names=tuple(names[j] for j in separation.features))
    labels = [None] if len(found) == 1 else list(classes)
    for label, part in zip(labels, found, strict=True):
        if part is not None:
            prefix = "" if label is None else f"Class {label!s} against the rest: "
            warnings.warn(prefix + separation_message(part, names), SeparationWarning,
                          stacklevel=user_stacklevel())
    return separation


def column_separation(
    extremes: Any, present: NDArray[np.bool_], fit_intercept: bool,
    measure: Callable[[NDArray[Any], NDArray[Any]], NDArray[Any]],
) -> Separation | None:
    """Test 1 of ``inference/separation.py`` alone, for data not in memory: the
    single-column direction from ``extremes`` ((1 + K, d) ``class_extremes``, merged over
    the partitions by min and max, which is exact), verified over every row by
    ``measure(u, scale)``, the sum over the partitions of ``margin_counts`` of
    ``Rows(X_c, …, scale)``. The direction, Separation and warning are those of the
    in-memory screen wherever no combination of columns separates beyond the single
    columns: the fitted hyperplane and the linear programs (tests 2 and 3) need the rows
    in memory and are not run."""
    low, high = extremes
    K, d = low.shape[0] - 1, low.shape[1]
    scale = np.maximum(np.maximum(high[1:].max(axis=0, initial=-np.inf),
                                  -low[1:].min(axis=0, initial=np.inf)), 0.0)
    shape = Rows(np.empty((0, d)), np.zeros(0, dtype=np.intp), np.zeros(0, dtype=bool), K,
                 fit_intercept, scale)
    u, columns = column_direction(shape, extremes, np.asarray(present, dtype=bool))
    if u is None:
        return None
    u = u / np.max(np.abs(u))  # as the in-memory screen normalizes one direction
    separated, violated, strict, loose = np.asarray(measure(u, scale))
    if violated > 0 or strict == 0:  # not certified: the rounding of the sums alone
        return None
    return described(shape, [u], u, columns, bool(loose == 0), int(separated))


def margin_counts(rows: Rows, u: NDArray[Any]) -> NDArray[np.float64]:
    """[samples separated, rows below -τ·r, rows at or above ρ·r, rows at or below τ·r] of
    direction u over ``rows`` (m = a·u, r = |a|·|u|; ``separation_lp``): what the
    certificate, completeness and n_separated need, added up over partitions."""
    m, r = rows.margins(u)
    separated = (m > TOLERANCE * r).reshape(-1, rows.K - 1).any(axis=1)
    return np.array([separated.sum(), np.sum(m < -TOLERANCE * r), np.sum(m >= STRICT * r),
                     np.sum(m <= TOLERANCE * r)], dtype=np.float64)
