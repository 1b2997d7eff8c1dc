"""The in-memory fit: a prepared ``Problem`` minimized target by target, then its
statistics and the separation screen.

Columns of size beyond 2^±64 are fitted rescaled by powers of two (``core/scaling.py``),
the penalty staying on the user's coefficients; the unpenalized cross-entropy fit is
screened for separation afterwards, and the screen's per-class column extremes also serve
the scale check, so X is read once for both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from logistic.core.losses import get_loss
from logistic.core.penalties import NoPenalty
from logistic.core.scaling import (
    ScaledPenalty,
    column_scales,
    scale_columns,
    subnormal_columns,
)
from logistic.exceptions import DataError
from logistic.fitting.outcome import FitOutcome, outcome_of_runs
from logistic.fitting.problem import (
    FitSettings,
    Problem,
    choose_solver,
    initial_theta,
    penalty_at,
)
from logistic.fitting.run import run_solver
from logistic.fitting.separation_screen import screen_separation
from logistic.fitting.statistics import statistics_of
from logistic.inference.separation import class_extremes
from logistic.solvers import SolverResult

__all__ = ["ObjectiveFactory", "check_finite_coefficients", "fit_problem",
           "refuse_subnormal_columns", "solve_target"]

Array = NDArray[np.float64]
#: (X, target, weights, loss, penalty, fit_intercept) → an objective (``core.Objective``)
ObjectiveFactory = Callable[..., Any]


def fit_problem(
    settings: FitSettings,
    problem: Problem,
    make_objective: ObjectiveFactory,
    *,
    names: Sequence[str],
    terms: tuple[str, ...],
    groups: object = None,
    previous: tuple[Array, Array] | None = None,
) -> FitOutcome:
    """Fits ``problem``: one solver run per target of its family. ``names`` (d,): the
    feature names the separation warnings use; ``terms``: those of the statistics;
    ``previous``: (coef, intercept) to start from (warm start)."""
    X, weights, classes = problem.X, problem.weights, problem.classes
    # grouped rows hold both classes: the 0/1 screen does not read them
    screened = (settings.penalty is None and settings.loss == "cross_entropy"
                and problem.grouped is None)
    extremes = None
    if screened:
        labels = problem.y_index == 1 if classes.size == 2 else problem.y_index
        extremes = class_extremes(X, labels, weights, classes.size)
    scales = None if settings.penalty == "firth" else column_scales(X, extremes)
    if settings.penalty is None:
        refuse_subnormal_columns(subnormal_columns(scales), names)
    if scales is not None:
        X = scale_columns(X, scales)
        if extremes is not None:  # exact: the scales are powers of two
            extremes = (extremes[0] * scales, extremes[1] * scales)
    if scales is not None and previous is not None:  # the warm start in the fit's units
        previous = _scaled_start(previous, scales)
    fits = [
        solve_target(settings, problem, make_objective, X, target, scales, previous)
        for target in problem.targets()
    ]
    coef, intercept = problem.family.coefficients(
        [(objective, result.theta) for objective, result in fits],
        sparse_penalty=settings.sparse_penalty,
    )
    if scales is not None:
        with np.errstate(over="ignore"):
            coef = coef * scales
    check_finite_coefficients(coef, intercept, names)
    outcome = outcome_of_runs(classes, coef, intercept, fits)
    outcome.statistics, outcome.inference_note = statistics_of(
        settings, fits, terms, groups=groups, scales=scales, n_classes=classes.size,
        grouped=problem.grouped,
    )
    outcome.offset_name = problem.offset_name
    outcome.grouped = None if problem.grouped is None else problem.grouped.totals()
    if screened:
        cov = None  # the nonrobust covariance of the fitted (unscaled) columns, if any
        if outcome.statistics is not None and settings.cov_type == "nonrobust" and scales is None:
            cov = outcome.statistics.cov
        outcome.separation = screen_separation(fits, weights, extremes, scales, cov, names,
                                               classes)
    return outcome


def solve_target(
    settings: FitSettings,
    problem: Problem,
    make_objective: ObjectiveFactory,
    X: Any,
    target: Array,
    scales: Array | None = None,
    previous: tuple[Array, Array] | None = None,
) -> tuple[Any, SolverResult]:
    """(objective, result) of one target ((n,) or one-hot (n, K)); X's columns multiplied
    by ``scales`` where given (the penalty stays the user's)."""
    weights = problem.weights
    penalty = penalty_at(settings, weights)
    smooth: Any = penalty.smooth
    if scales is not None and not isinstance(smooth, NoPenalty):
        smooth = ScaledPenalty(smooth, scales)
    loss = problem.family.loss(get_loss(settings.loss), target)
    fit_intercept = bool(settings.fit_intercept)
    if problem.offset is None:  # factories without an offset (partitioned) keep working
        objective = make_objective(X, target, weights, loss, smooth, fit_intercept)
    else:
        objective = make_objective(X, target, weights, loss, smooth, fit_intercept,
                                   offset=problem.offset)
    solver = choose_solver(settings, objective)
    l1 = penalty.l1 if scales is None else penalty.l1 * scales
    start = initial_theta(objective, target, weights, previous)
    return objective, run_solver(objective, settings, start, solver, l1=l1)


def _scaled_start(previous: tuple[Array, Array], scales: Array) -> tuple[Array, Array] | None:
    """A previous fit's (coef, intercept) in the rescaled columns' units, v = w / s (None,
    a cold start, where that leaves the floats)."""
    with np.errstate(over="ignore", invalid="ignore"):
        coef = previous[0] / scales
    return (coef, previous[1]) if np.all(np.isfinite(coef)) else None


def check_finite_coefficients(coef: Array, intercept: Array, names: Sequence[str]) -> None:
    """A ``DataError`` naming the columns whose coefficient left the float64 range: a column
    of subnormal size (|x| < 2.2e-308) whose effect on z needs a coefficient beyond
    1.8e308. Never a fitted model with an infinite or NaN coefficient."""
    bad = ~np.isfinite(coef).all(axis=0)
    if not bad.any() and np.isfinite(intercept).all():
        return
    which = _named(np.flatnonzero(bad), names) or "the intercept"
    raise DataError(
        f"the coefficient(s) of {which} lie beyond the float64 range (|w| > 1.8e308): the "
        "column's values are too small (near or below 2.2e-308, subnormal) for its effect "
        "to be written as a float coefficient; rescale the column (e.g. multiply it by "
        "1e300) or use penalty='l2'"
    )


def _named(columns: NDArray[np.intp], names: Sequence[str]) -> str:
    shown = [str(names[j]) if j < len(names) else f"x{j + 1}" for j in columns]
    return ", ".join(shown[:5]) + (", ..." if len(shown) > 5 else "")


def refuse_subnormal_columns(columns: NDArray[np.intp], names: Sequence[str]) -> None:
    """A ``DataError`` naming unpenalized columns of subnormal size: an effect on z of any
    size would need a coefficient beyond 1.8e308, and below 2.2e-308 the values have lost
    their digits (5e-324 has one bit)."""
    if columns.size:
        raise DataError(
            f"the column(s) {_named(columns, names)} hold only values below 2.2e-308 "
            "(subnormal floats, with lost digits): an unpenalized coefficient would lie "
            "beyond the float64 range; rescale the column (e.g. multiply it by 1e300) or "
            "use penalty='l2'"
        )
