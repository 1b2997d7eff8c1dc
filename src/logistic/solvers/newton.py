"""Newton's method (IRLS for cross-entropy) with a backtracking line search.

    θ ← θ - t·H⁻¹∇J,  H = Xᵀ diag(s̃·σ(z)(1 - σ(z))) X  (+ the penalty's curvature)

t starts at 1 and halves until Armijo's sufficient decrease J(θ - t·d) ≤ J(θ) - c·t·∇Jᵀd
holds.

Near the optimum H is kept for the next steps (the chord method): a Newton step from θ
shrinks the gradient by a factor r that is proportional to the distance to the optimum,
and a step with the Hessian of θ taken at a nearby θ' contracts by about the same r (the
error in H is H(θ) - H(θ*), of the same order). Once a full step has shrunk ‖∇J‖∞ by
r ≤ ¼, the next steps reuse H — each one pass for ∇J instead of a pass for ∇J and one for H
— for as long as each still shrinks ‖∇J‖∞ by ¼ or more without backtracking, and at most c
times, c ≈ p/8 the cost of forming H in gradient passes (p² multiply-adds per row against
2p, at BLAS-3 speed, about 4× BLAS-2's; between 1 and 8): after m chord steps a Newton step
contracts by about r^(m+1) at cost 1 + c, so more chord steps would gain less per pass.
The stopping test is unchanged, so the result meets the same tol. For the same reason the
steps take H with float32 data's products in float32 (``exact=False``: ~1e-7 relative
error, far less than a kept H's); the gradient and J stay float64 sums.

H is factored by Cholesky; where H is singular (duplicate or constant columns) the
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
# A step that shrinks ‖∇J‖∞ by at least this factor lets the next one reuse its Hessian.
_REUSE_RATIO = 0.25


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
    reuse_hessian: bool = True,
) -> SolverResult:
    """Damped Newton iterations on ``objective`` from θ₀ (needs ``objective.hessian``).

    ``reuse_hessian=False`` forms H at every iterate (for objectives whose H comes with
    the gradient's pass at no extra cost)."""
    theta = np.array(theta0, dtype=np.float64)
    result = SolverResult(theta, 0, False, "maximum number of iterations reached")
    value, grad = objective.value_and_gradient(theta)
    norm = result.record(value, grad)
    noise = rounding_level(objective)
    flat_steps = 0
    hessian = None  # H of an earlier iterate while the chord steps contract fast
    most_reuses = int(np.clip(round(objective.n_params / 8), 1, 8)) if reuse_hessian else 0
    for iteration in range(1, max_iter + 1):
        if norm <= tol:
            break
        fresh = hessian is None
        if fresh:
            hessian, reuses = objective.hessian(theta, exact=False), 0
        direction, _ = solve_psd(hessian, grad)
        slope = float(grad @ direction)
        if not slope > 0 and not fresh:  # the kept H no longer fits: form it here
            hessian, fresh, reuses = objective.hessian(theta, exact=False), True, 0
            direction, _ = solve_psd(hessian, grad)
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
        if step < _MIN_STEP and not fresh:  # the kept H misled the search: form it here
            hessian = None
            continue
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
        if step == 1.0 and norm <= _REUSE_RATIO * previous_norm and reuses < most_reuses:
            reuses += 1
        else:
            hessian = None
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
