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
from logistic.core.scaling import ScaledPenalty, column_scales, scale_columns
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

__all__ = ["ObjectiveFactory", "fit_problem", "solve_target"]

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
    if scales is not None:
        X = scale_columns(X, scales)
        if extremes is not None:  # exact: the scales are powers of two
            extremes = (extremes[0] * scales, extremes[1] * scales)
    fits = [
        solve_target(settings, problem, make_objective, X, target, scales, previous)
        for target in problem.targets()
    ]
    coef, intercept = problem.family.coefficients(
        [(objective, result.theta) for objective, result in fits],
        sparse_penalty=settings.sparse_penalty,
    )
    if scales is not None:
        coef = coef * scales
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
