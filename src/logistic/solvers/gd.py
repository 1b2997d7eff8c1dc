"""Gradient descent exactly as in the lecture: a fixed learning rate η.

    w ← w - η·∂J/∂w = w + η·(1/m) Σᵢ (y⁽ⁱ⁾ - ŷ⁽ⁱ⁾)·x⁽ⁱ⁾
    b ← b - η·∂J/∂b
"""

from __future__ import annotations

import numpy as np

from logistic.solvers.protocol import SmoothObjective
from logistic.solvers.result import Callback, SolverResult, report


def gradient_descent(
    objective: SmoothObjective,
    theta0: np.ndarray,
    *,
    max_iter: int = 100,
    tol: float = 1e-6,
    learning_rate: float = 0.1,
    callback: Callback | None = None,
) -> SolverResult:
    """Fixed-step gradient descent on ``objective`` from θ₀.

    A step that makes J or its gradient non-finite (η far too large for the data's scale) is
    not taken: the solver stops at the last finite θ and says so in ``message``.
    """
    theta = np.array(theta0, dtype=np.float64)
    result = SolverResult(theta, 0, False, "maximum number of iterations reached")
    value, grad = objective.value_and_gradient(theta)
    norm = result.record(value, grad)
    for iteration in range(1, max_iter + 1):
        if norm <= tol:
            break
        candidate = theta - learning_rate * grad
        with np.errstate(over="ignore", invalid="ignore"):  # a step too long is caught below
            new_value, new_grad = objective.value_and_gradient(candidate)
        if not (np.isfinite(new_value) and np.all(np.isfinite(new_grad))):
            result.message = "stopped: the step made the loss non-finite; lower learning_rate"
            break
        theta, value, grad = candidate, new_value, new_grad
        result.theta, result.n_iter = theta, iteration
        norm = result.record(value, grad)
        report(callback, iteration, result)
    if norm <= tol:
        result.converged, result.message = True, "gradient max-norm below tol"
    return result
