"""The backtracking line search the Newton-type solvers share (newton, newton-cg).

Along a descent direction d with slope s = ∇Jᵀd > 0, the step t = 1, ½, ¼, … is accepted
once Armijo's sufficient decrease J(θ − t·d) ≤ J(θ) − c·t·s holds (c = 1e-4). Near the
optimum J changes by less than its own rounding; there the smaller gradient decides, or the
iteration would stall one ulp short of tol.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logistic.solvers.result import Callback, SolverResult, report

__all__ = ["ARMIJO", "MIN_STEP", "backtrack", "evaluate", "max_abs", "take_full_step"]

ARMIJO = 1e-4
#: below this step length no t decreases J: the caller decides what that means
MIN_STEP = 2.0**-30


def max_abs(values: np.ndarray) -> float:
    """‖v‖∞, 0 for an empty vector."""
    return float(np.max(np.abs(values))) if values.size else 0.0


def evaluate(objective: Any, theta: np.ndarray) -> tuple[float, np.ndarray]:
    """J and ∇J at a trial point; an overlong step may overflow z, which just rejects it."""
    with np.errstate(over="ignore", invalid="ignore"):
        return objective.value_and_gradient(theta)


def backtrack(objective: Any, theta: np.ndarray, value: float, norm: float,
              direction: np.ndarray, slope: float,
              noise: float) -> tuple[float, float, np.ndarray]:
    """(t, J, ∇J at θ − t·d): halves t from 1 until Armijo's condition holds, or J is flat to
    ``noise`` (relative) and ‖∇J‖∞ is below ``norm``, or t < ``MIN_STEP``."""
    step = 1.0
    while True:
        new_value, new_grad = evaluate(objective, theta - step * direction)
        if np.isfinite(new_value) and new_value <= value - ARMIJO * step * slope:
            return step, new_value, new_grad
        if abs(new_value - value) <= noise * abs(value) and max_abs(new_grad) < norm:
            return step, new_value, new_grad
        step *= 0.5
        if step < MIN_STEP:
            return step, new_value, new_grad


def take_full_step(objective: Any, result: SolverResult, iteration: int,
                   direction: np.ndarray, noise: float, callback: Callback | None) -> None:
    """Takes the step θ − d that met the stopping test in full: within tol standard errors of
    the optimum the quadratic model is exact to rounding, so no line search is needed. The
    one exception, J rising by more than its rounding (a model far off), keeps θ."""
    value = result.loss_history[-1]
    candidate = result.theta - direction
    new_value, new_grad = evaluate(objective, candidate)
    if not (np.isfinite(new_value) and new_value <= value + noise * abs(value)):
        return
    result.theta, result.n_iter = candidate, iteration
    result.record(new_value, new_grad)
    report(callback, iteration, result)
