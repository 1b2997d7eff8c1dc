"""Newton's method (IRLS for cross-entropy) with a backtracking line search.

    θ ← θ - t·H⁻¹∇J,  H = Xᵀ diag(s̃·σ(z)(1 - σ(z))) X  (+ the penalty's curvature)

t starts at 1 and halves until Armijo's sufficient decrease J(θ - t·d) ≤ J(θ) - c·t·∇Jᵀd
holds. H is factored by Cholesky; where H is singular (duplicate or constant columns) the
minimum-norm step from its eigen-decomposition is taken instead (``linalg.solve_psd``), so
the coefficients of collinear columns stay finite and split evenly rather than drifting.
"""

from __future__ import annotations

import numpy as np

from ..linalg import solve_psd
from ._result import Callback, SolverResult, report, rounding_level

_ARMIJO = 1e-4
_MIN_STEP = 2.0**-30
_EPS = np.finfo(np.float64).eps
_STALL_STEPS = 3


def _max_abs(values: np.ndarray) -> float:
    return float(np.max(np.abs(values))) if values.size else 0.0


def _evaluate(objective, theta: np.ndarray) -> tuple[float, np.ndarray]:
    """J and ∇J at a trial point; an overlong step may overflow z, which just rejects it."""
    with np.errstate(over="ignore", invalid="ignore"):
        return objective.value_and_gradient(theta)


def newton(
    objective,
    theta0: np.ndarray,
    *,
    max_iter: int = 100,
    tol: float = 1e-6,
    callback: Callback | None = None,
) -> SolverResult:
    """Damped Newton iterations on ``objective`` from θ₀ (needs ``objective.hessian``)."""
    theta = np.array(theta0, dtype=np.float64)
    result = SolverResult(theta, 0, False, "maximum number of iterations reached")
    value, grad = objective.value_and_gradient(theta)
    norm = result.record(value, grad)
    noise = rounding_level(objective)
    flat_steps = 0
    for iteration in range(1, max_iter + 1):
        if norm <= tol:
            break
        direction, _ = solve_psd(objective.hessian(theta), grad)
        slope = float(grad @ direction)
        if not slope > 0:  # H not positive definite (a non-convex loss): steepest descent
            direction, slope = grad, float(grad @ grad)
        step = 1.0
        while True:
            candidate = theta - step * direction
            new_value, new_grad = _evaluate(objective, candidate)
            if np.isfinite(new_value) and new_value <= value - _ARMIJO * step * slope:
                break
            # Near the optimum J changes by less than its rounding: then the smaller gradient
            # decides, or the iteration would stall one ulp short of tol.
            if abs(new_value - value) <= noise * abs(value) and _max_abs(new_grad) < norm:
                break
            step *= 0.5
            if step < _MIN_STEP:
                break
        if step < _MIN_STEP:
            # No decrease is representable: J is flat to rounding along the Newton step.
            if slope <= 1e4 * _EPS * max(abs(value), np.finfo(np.float64).tiny):
                result.converged = True
                result.message = "converged to floating-point precision (no further decrease)"
            else:
                result.message = "line search failed to decrease the loss"
            return result
        # Steps that change J by rounding only and leave ‖∇J‖ where it was: the gradient has
        # hit its floating-point floor above tol, and more iterations would only repeat this.
        previous_norm = norm
        flat = abs(new_value - value) <= noise * abs(value)
        theta, value, grad = candidate, new_value, new_grad
        result.theta, result.n_iter = theta, iteration
        norm = result.record(value, grad)
        report(callback, iteration, result)
        flat_steps = flat_steps + 1 if flat and norm > 0.5 * previous_norm else 0
        if flat_steps >= _STALL_STEPS and norm > tol:
            result.message = (
                f"stalled at the floating-point floor: ‖∇J‖∞ = {norm:.3g} stopped decreasing "
                f"while J stopped changing; tol = {tol:g} is out of reach for this data"
            )
            return result
    if norm <= tol:
        result.converged, result.message = True, "gradient max-norm below tol"
    return result
