"""Truncated Newton (Newton-CG): Newton steps solved inexactly by conjugate gradients on
Hessian-vector products, so that H is never formed.

Each iteration solves H·d = ∇J by conjugate gradients from d = 0, every CG step one
``hessp`` (∇²J(θ)·v: two passes over X, X v then Xᵀu), and stops CG once the residual
‖∇J - H·d‖ ≤ η‖∇J‖ with the forcing term η = min(½, √‖∇J‖∞) (superlinear convergence,
Eisenstat & Walker), or at a direction of non-positive curvature. The step d then goes
through Armijo's backtracking as in ``newton``. The parameters p are never squared: suited
to K classes × many features, where ``newton`` cannot form the (pK)² Hessian.

Why its own CG loop rather than ``scipy.optimize.minimize(method="Newton-CG" /
"trust-ncg" / "trust-krylov", hessp=...)``: the stopping rule below needs the Newton step
d itself (δ is measured on it, and it is the step taken last), which SciPy's methods do not
expose — they stop on ‖∇J‖ or on the step's mean size, in θ's units. Measured on issue 20's
text workload at ¼ scale (5,000 × 10,000 × 20 classes, benchmarks/README.md): this loop
8 Newton iterations, 240 Hessian products; trust-ncg 121 products (gtol 1e-6, f to 3e-9),
trust-krylov 159, SciPy's Newton-CG 152 iterations and 401 products (its line search rejects
most full steps). Preconditioning is off by default: Jacobi's diag ∇²J (one pass per class,
``precondition=True``) took 1,169 products there against 240 without — on sparse word counts
a rare word's diagonal is almost only the penalty's, and scaling it up slows CG.

Stopping (``stopping``): once the step d just computed is within tol standard errors,
δ = √(n·∇Jᵀd) ≤ tol, that step is taken and the fit ends. For a CG iterate ∇Jᵀd = dᵀHd, so
δ is the step's length in standard errors; near the optimum η is small and d is Newton's
step to a relative accuracy of about η. ``max_iter`` counts Newton iterations, not CG's.
"""

from __future__ import annotations

import numpy as np

from logistic.solvers.line_search import MIN_STEP, backtrack, take_full_step
from logistic.solvers.result import Callback, SolverResult, report, rounding_level
from logistic.solvers.stopping import (
    CONVERGED,
    StallWatch,
    sample_size,
    stalled,
    step_in_standard_errors,
)

_REFRESH = 10  # Newton iterations between two preconditioners (K passes over X each)
_MAX_CG = 500


def _inverse_diagonal(objective, theta: np.ndarray) -> np.ndarray | None:
    """1/diag ∇²J(θ) where positive and finite (1 elsewhere); None without a diagonal."""
    diagonal = getattr(objective, "hessian_diagonal", None)
    if diagonal is None:
        return None
    d = np.asarray(diagonal(theta), dtype=np.float64)
    usable = np.isfinite(d) & (d > 0)
    scale = np.ones_like(d)
    scale[usable] = 1.0 / d[usable]
    return scale


def _gauge_projection(objective):
    """v ↦ v without its parts along the directions that change nothing
    (``invariant_columns``: K softmax classes' unpenalized intercepts, say); None where
    there are none. H is singular along them and ∇J orthogonal to them, but rounding puts
    ∇J's and H·p's last bits there, which CG would amplify (the stall at δ ≈ 1e-7 that
    ``newton``'s ``with_gauge`` avoids for the factored H)."""
    columns = getattr(objective, "invariant_columns", None)
    columns = np.empty(0, dtype=np.intp) if columns is None else columns()
    if not columns.size:
        return None
    shape = (objective.n_outputs, objective.row_length)

    def project(v: np.ndarray) -> np.ndarray:
        blocks = v.reshape(shape).copy()
        blocks[:, columns] -= blocks[:, columns].mean(axis=0)
        return blocks.ravel()

    return project


def conjugate_gradients(hessp, grad: np.ndarray, inverse_diagonal: np.ndarray | None,
                        forcing: float, max_steps: int) -> tuple[np.ndarray, int]:
    """(d, steps): an approximate solution of H·d = ∇J by preconditioned CG from d = 0,
    stopped once ‖∇J - H·d‖ ≤ forcing·‖∇J‖ or along a direction of non-positive curvature
    (then the iterate so far, or ∇J itself at the first step)."""
    d = np.zeros_like(grad)
    r = grad.copy()
    z = r * inverse_diagonal if inverse_diagonal is not None else r.copy()
    p = z.copy()
    rz = float(r @ z)
    target = forcing * float(np.linalg.norm(grad))
    for step in range(1, max_steps + 1):
        hp = hessp(p)
        curvature = float(p @ hp)
        if not curvature > 0:
            return (d if step > 1 else grad.copy()), step
        alpha = rz / curvature
        d += alpha * p
        r -= alpha * hp
        if float(np.linalg.norm(r)) <= target:
            return d, step
        z = r * inverse_diagonal if inverse_diagonal is not None else r
        rz_new = float(r @ z)
        p = z + (rz_new / rz) * p
        rz = rz_new
    return d, max_steps


def newton_cg(
    objective,
    theta0: np.ndarray,
    *,
    max_iter: int = 100,
    tol: float = 1e-6,
    callback: Callback | None = None,
    precondition: bool = False,
    max_cg: int = _MAX_CG,
) -> SolverResult:
    """Truncated Newton iterations on ``objective`` from θ₀ (needs ``objective.hessp``).

    Stops once the CG step d just computed is within ``tol`` standard errors,
    δ = √(n·∇Jᵀd) ≤ tol (``stopping``), after taking it; after ``max_iter`` Newton steps
    the test is made once more at the last θ. ``precondition`` uses the Hessian's diagonal
    (Jacobi, refreshed every ``_REFRESH`` iterations) where the objective provides it."""
    theta = np.array(theta0, dtype=np.float64)
    result = SolverResult(theta, 0, False, "maximum number of iterations reached")
    value, grad = objective.value_and_gradient(theta)
    norm = result.record(value, grad)
    n = sample_size(objective)
    noise = rounding_level(objective)
    inverse_diagonal = None
    project = _gauge_projection(objective)
    stall = StallWatch(noise)
    for iteration in range(1, max_iter + 2):
        if not grad.any():  # ∇J = 0 exactly: no step to take
            result.step_history.append(0.0)
            result.converged, result.message = True, CONVERGED
            return result
        if precondition and (iteration - 1) % _REFRESH == 0:
            inverse_diagonal = _inverse_diagonal(objective, theta)
        forcing = min(0.5, float(np.sqrt(norm)))
        point = theta

        def hessp(v: np.ndarray, point: np.ndarray = point) -> np.ndarray:
            product = objective.hessp(point, v)
            return product if project is None else project(product)

        rhs = grad if project is None else project(grad)
        direction, _ = conjugate_gradients(hessp, rhs, inverse_diagonal, forcing, max_cg)
        slope = float(grad @ direction)
        if not slope > 0:  # no descent along CG's step: steepest descent
            direction, slope = grad, float(grad @ grad)
        delta = step_in_standard_errors(slope, n)
        result.step_history.append(delta)
        if delta <= tol:
            result.converged, result.message = True, CONVERGED
            if iteration <= max_iter:
                take_full_step(objective, result, iteration, direction, noise, callback)
            return result
        if iteration > max_iter:
            break
        step, new_value, new_grad = backtrack(objective, theta, value, norm, direction,
                                                 slope, noise)
        if step < MIN_STEP:
            result.message = "line search failed to decrease the loss"
            return result
        previous_norm, previous_value = norm, value
        theta, value, grad = theta - step * direction, new_value, new_grad
        result.theta, result.n_iter = theta, iteration
        norm = result.record(value, grad)
        report(callback, iteration, result)
        if stall.stalled_after(previous_value, value, previous_norm, norm):
            result.message = stalled(norm, tol)
            return result
    return result


