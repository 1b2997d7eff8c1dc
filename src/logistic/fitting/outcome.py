"""What a fit produces, and how it lands on an estimator as its fitted attributes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from logistic.fitting.run import solver_of
from logistic.inference.separation import Separation
from logistic.solvers import SolverResult

__all__ = ["FitOutcome", "outcome_of_runs"]

Array = NDArray[np.float64]


@dataclass(eq=False)
class FitOutcome:
    """coef (R, d), intercept (R,); n_iter (runs,); the first run's solver and histories;
    the objective (summed over the runs); statistics or the note why there are none; the
    separation found (None: none, or not screened)."""

    classes: NDArray[Any]
    coef: Array
    intercept: Array
    n_iter: NDArray[np.int64]
    converged: bool
    solver: str
    loss_history: Array
    grad_norm_history: Array
    objective: float
    statistics: Any = None
    inference_note: str | None = None
    separation: Separation | None = None
    offset_name: str | None = None
    grouped: Any = None  # GroupedTotals of grouped data (fitting/grouped.py), or None

    def store_on(self, model: Any) -> None:
        """Sets the estimator's fitted attributes (classes_, coef_, intercept_, ...)."""
        model.classes_ = self.classes
        model.coef_, model.intercept_ = self.coef, self.intercept
        model.n_iter_, model.converged_, model.solver_ = self.n_iter, self.converged, self.solver
        model.loss_history_ = self.loss_history
        model.grad_norm_history_ = self.grad_norm_history
        model.objective_ = self.objective
        model.statistics_ = self.statistics
        model.inference_note_ = self.inference_note
        model.separation_ = self.separation
        model.offset_name_ = self.offset_name
        model.grouped_ = self.grouped


def outcome_of_runs(
    classes: NDArray[Any],
    coef: Array,
    intercept: Array,
    fits: Sequence[tuple[Any, SolverResult]],
) -> FitOutcome:
    """The outcome of solver runs (one per target) before statistics and screening."""
    first = fits[0][1]
    return FitOutcome(
        classes=classes,
        coef=coef,
        intercept=intercept,
        n_iter=np.array([result.n_iter for _, result in fits]),
        converged=all(result.converged for _, result in fits),
        solver=solver_of(first),
        loss_history=np.asarray(first.loss_history),
        grad_norm_history=np.asarray(first.grad_norm_history),
        objective=float(sum(result.loss_history[-1] for _, result in fits)),
    )
