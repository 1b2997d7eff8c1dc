"""Newton's method (IRLS for cross-entropy) with a backtracking line search.

    θ ← θ - t·H⁻¹∇J,  H = Xᵀ diag(s̃·σ(z)(1 - σ(z))) X  (+ the penalty's curvature)

t starts at 1 and halves until Armijo's sufficient decrease J(θ - t·d) ≤ J(θ) - c·t·∇Jᵀd
holds.

Stopping (``stopping``): once the step d just computed is within tol standard errors,
δ = √(n·∇Jᵀd) ≤ tol, that step is taken in full and the fit ends. δ does not depend on the
columns' units, and keeping the step costs one pass for J and ∇J: Newton's error after a
step is of the order of the square of the one before.

Near the optimum H is kept for the next steps (the chord method): a Newton step from θ
shrinks the gradient by a factor r that is proportional to the distance to the optimum,
and a step with the Hessian of θ taken at a nearby θ' contracts by about the same r (the
error in H is H(θ) - H(θ*), of the same order). Once a full step has shrunk ‖∇J‖∞ by
r ≤ ¼, the next steps reuse H — each one pass for ∇J instead of a pass for ∇J and one for H
— for as long as each still shrinks ‖∇J‖∞ by ¼ or more without backtracking, and at most c
times, c ≈ p/8 the cost of forming H in gradient passes (p² multiply-adds per row against
2p, at BLAS-3 speed, about 4× BLAS-2's; between 1 and 8): after m chord steps a Newton step
contracts by about r^(m+1) at cost 1 + c, so more chord steps would gain less per pass.
A plain chord step contracts linearly, by the same r every time, which would leave the last
step's error at r·δ rather than δ². So each kept H takes in the curvature that the step just
measured, s = θ₊ - θ and y = ∇J(θ₊) - ∇J(θ), by the BFGS update

    H ← H - (Hs)(Hs)ᵀ/(sᵀHs) + yyᵀ/(yᵀs)

(skipped unless yᵀs > 0 and sᵀHs > 0, which keeps H positive definite): then H·s = y
exactly, the errors of H along the directions the steps take are removed one by one, and
the chord steps converge superlinearly (Dennis & Moré 1974) for p² work each, nothing
beside a pass over X. A kept H at its reuse limit still decides the stopping test at the
next iterate: its step is computed first, and a new H is formed only when that step is not
already within tol. The steps take H with float32 data's products in float32
(``exact=False``: ~1e-7 relative error, far less than a kept H's); the gradient and J stay
float64 sums.

Separation (no finite minimum): along the separating direction the separated samples'
σ'(z) and σ(z) - y decay together, so the steps keep their length while δ falls by a steady
factor. Six such steps in a row, once the log-likelihood the remaining steps could still
gain, ½δ²/(1 - ρ²) at the rate ρ, is below tol, end the fit: J has reached its infimum,
and going on would only carry θ to the floating-point floor, where H along the direction is
rounding and the estimator's separation screen no longer sees it.

H is factored by Cholesky; where H is singular (duplicate or constant columns) the
minimum-norm step from its eigen-decomposition is taken instead (``linalg.solve_psd``), so
the coefficients of collinear columns stay finite and split evenly rather than drifting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from logistic.core.linalg import solve_psd
from logistic.solvers.line_search import MIN_STEP, backtrack, max_abs, take_full_step
from logistic.solvers.protocol import NewtonObjective
from logistic.solvers.result import Callback, SolverResult, report, rounding_level
from logistic.solvers.stopping import (
    CONVERGED,
    StallWatch,
    sample_size,
    stalled,
    step_in_standard_errors,
)

_EPS = np.finfo(np.float64).eps
# A step that shrinks ‖∇J‖∞ by at least this factor lets the next one reuse its Hessian.
_REUSE_RATIO = 0.25
# Steps in a row of constant length and geometrically falling δ that mark a diverging fit.
RUNAWAY_STEPS = 6
RUNAWAY = ("J converged while θ runs off along a direction of vanishing curvature: no finite "
            "minimum (separation)")


class _Curvature:
    """The H the steps use: formed at the iterate, or kept from an earlier one (chord steps,
    secant-updated) while the steps contract fast; ``spare`` is a kept H at its reuse limit,
    which only decides the next stopping test."""

    def __init__(self, objective: NewtonObjective, most_reuses: int) -> None:
        self.objective, self.most_reuses = objective, most_reuses
        self.kept: np.ndarray | None = None
        self.spare: np.ndarray | None = None
        self.reuses = 0

    def form(self, theta: np.ndarray) -> np.ndarray:
        hessian = with_gauge(self.objective, self.objective.hessian(theta, exact=False))
        self.kept, self.spare, self.reuses = hessian, None, 0
        return self.kept

    def after_step(self, full: bool, contraction: float, s: np.ndarray, y: np.ndarray) -> None:
        """Keeps H (updated with the secant pair s, y) after a full step that shrank ‖∇J‖∞
        by ``_REUSE_RATIO`` or more; past the reuse limit it becomes the spare."""
        if not (full and contraction <= _REUSE_RATIO) or self.kept is None or not self.most_reuses:
            self.kept = self.spare = None
            return
        updated = _secant_update(self.kept, s, y)
        if self.reuses < self.most_reuses:
            self.kept, self.reuses = updated, self.reuses + 1
        else:
            self.kept, self.spare = None, updated


def with_gauge(objective: NewtonObjective, hessian: np.ndarray) -> np.ndarray:
    """H + Σⱼ cⱼ·vⱼvⱼᵀ over the directions vⱼ along which J is constant
    (``objective.invariant_columns``: K softmax classes' intercepts, say), cⱼ the mean of
    H's diagonal at them; H itself where there are none.

    Along such a vⱼ, H·vⱼ = 0 and ∇J ⊥ vⱼ, so H is singular and Cholesky would fail every
    iteration, leaving the eigen-decomposition (about ten times the cost). With the term H
    is positive definite, and the step it gives solves H·d = ∇J with vⱼᵀd = 0: Newton's
    step with no part along the directions that change nothing — the same J, ∇J and
    stopping test δ as the minimum-norm step, the θ differing only by amounts along vⱼ
    that the family's centring of the coefficients removes. The BFGS updates of a kept H
    leave the term as it is (their s and y are orthogonal to every vⱼ)."""
    columns = getattr(objective, "invariant_columns", None)
    columns = np.empty(0, dtype=np.intp) if columns is None else columns()
    if not columns.size:
        return hessian
    classes, row_length = objective.n_outputs, objective.row_length  # type: ignore[attr-defined]
    hessian = np.ascontiguousarray(hessian)
    scales = np.diagonal(hessian).reshape(classes, row_length)[:, columns].mean(axis=0)
    blocks = hessian.reshape(classes, row_length, classes, row_length)  # a view: in place
    for column, scale in zip(columns, scales, strict=True):
        blocks[:, column, :, column] += scale
    return hessian


def _secant_update(hessian: np.ndarray, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """BFGS: H - (Hs)(Hs)ᵀ/(sᵀHs) + yyᵀ/(yᵀs), so that the new H maps s to y; H itself where
    yᵀs or sᵀHs is not positive (rounding, or a non-convex loss)."""
    hs = hessian @ s
    shs, ys = float(s @ hs), float(y @ s)
    if not (ys > 0 and shs > 0):
        return hessian
    return hessian - np.outer(hs, hs / shs) + np.outer(y, y / ys)


def _direction(hessian: np.ndarray, grad: np.ndarray) -> tuple[np.ndarray, float]:
    """Newton's step H⁻¹∇J (minimum-norm where H is singular) and its slope ∇Jᵀ·H⁻¹∇J."""
    direction, _ = solve_psd(hessian, grad)
    return direction, float(grad @ direction)


def newton(
    objective: NewtonObjective,
    theta0: np.ndarray,
    *,
    max_iter: int = 100,
    tol: float = 1e-6,
    callback: Callback | None = None,
    reuse_hessian: bool = True,
) -> SolverResult:
    """Damped Newton iterations on ``objective`` from θ₀ (needs ``objective.hessian``).

    Stops once the step d = H⁻¹∇J just computed is within ``tol`` standard errors,
    δ = √(n·∇Jᵀd) ≤ tol (``stopping``), after taking it; after ``max_iter`` steps the test
    is made once more at the last θ. ``reuse_hessian=False`` forms H at every iterate (for
    objectives whose H comes with the gradient's pass at no extra cost)."""
    theta = np.array(theta0, dtype=np.float64)
    result = SolverResult(theta, 0, False, "maximum number of iterations reached")
    value, grad = objective.value_and_gradient(theta)
    norm = result.record(value, grad)
    run = _Run(objective, result, max_iter, tol, rounding_level(objective), callback)
    stall = StallWatch(run.noise)
    most_reuses = int(np.clip(round(objective.n_params / 8), 1, 8)) if reuse_hessian else 0
    curvature = _Curvature(objective, most_reuses)
    for iteration in range(1, max_iter + 2):
        if run.stops_with_spare(curvature, grad, iteration):
            return result
        kept = curvature.kept
        fresh = kept is None
        direction, slope = _direction(curvature.form(theta) if kept is None else kept, grad)
        if not slope > 0 and not fresh:  # the kept H no longer fits: form it here
            fresh = True
            direction, slope = _direction(curvature.form(theta), grad)
        if slope > 0 and run.stops(direction, grad, iteration):
            return result
        if not slope > 0 and not grad.any():  # ∇J = 0 exactly: no step to take
            result.step_history.append(0.0)
            result.converged, result.message = True, CONVERGED
            return result
        if not slope > 0:  # H not positive definite (a non-convex loss): steepest descent
            direction, slope = grad, float(grad @ grad)
        if iteration > max_iter:
            break
        step, new_value, new_grad = backtrack(objective, theta, value, norm, direction,
                                                 slope, run.noise)
        if step < MIN_STEP and not fresh:  # the kept H misled the search: form it here
            curvature.kept = None
            continue
        if step < MIN_STEP:
            _no_decrease(result, slope, value)
            return result
        previous_norm, previous_grad, previous_value = norm, grad, value
        theta, value, grad = theta - step * direction, new_value, new_grad
        result.theta, result.n_iter = theta, iteration
        norm = result.record(value, grad)
        curvature.after_step(step == 1.0, norm / previous_norm if previous_norm else np.inf,
                             -step * direction, grad - previous_grad)
        report(callback, iteration, result)
        if stall.stalled_after(previous_value, value, previous_norm, norm):
            result.message = stalled(norm, tol)
            return result
    return result


@dataclass
class _Run:
    """What the stopping test needs of one call of ``newton``."""

    objective: NewtonObjective
    result: SolverResult
    max_iter: int
    tol: float
    noise: float
    callback: Callback | None
    #: (‖d‖∞, δ) of the previous step, and how many steps in a row ran away (``_runs_away``)
    previous: tuple[float, float] | None = None
    running_away: int = 0

    def stops(self, direction: np.ndarray, grad: np.ndarray, iteration: int) -> bool:
        """Records δ of Newton's step d; where δ ≤ tol, marks the fit converged and takes d
        (when a step is still allowed). Returns whether the fit ends here."""
        delta = step_in_standard_errors(float(grad @ direction), sample_size(self.objective))
        self.result.step_history.append(delta)
        if self._runs_away(max_abs(direction), delta):
            self.result.converged, self.result.message = True, RUNAWAY
            return True
        if not delta <= self.tol:
            return False
        self.result.converged, self.result.message = True, CONVERGED
        if iteration <= self.max_iter:
            take_full_step(self.objective, self.result, iteration, direction, self.noise,
                           self.callback)
        return True

    def _runs_away(self, size: float, delta: float) -> bool:
        """Whether the last ``RUNAWAY_STEPS`` steps kept their length (to 25%) while δ fell
        by ¼ or more each time, and the log-likelihood the remaining steps can gain,
        Σₖ ½δ²ρ²ᵏ = ½δ²/(1 - ρ²) at the rate ρ = δ/δ₋₁, is below tol (module docstring).
        Curvature vanishing along the path as fast as the gradient is what separation does;
        a finite minimum does not allow it, since its steps shrink as they near it."""
        previous, self.previous = self.previous, (size, delta)
        steady = (previous is not None and 0.8 * previous[0] <= size <= 1.25 * previous[0]
                  and delta <= 0.75 * previous[1])
        self.running_away = self.running_away + 1 if steady else 0
        if self.running_away < RUNAWAY_STEPS or previous is None:
            return False
        rate = delta / previous[1]
        return 0.5 * delta**2 / (1.0 - rate**2) <= self.tol

    def stops_with_spare(self, curvature: _Curvature, grad: np.ndarray, iteration: int) -> bool:
        """The stopping test with the spare H before a new one is formed: where its step is
        within tol, that is the last step and no new H is needed."""
        spare, curvature.spare = curvature.spare, None
        if spare is None or curvature.kept is not None:
            return False
        direction, slope = _direction(spare, grad)
        if not slope > 0:
            return False
        if step_in_standard_errors(slope, sample_size(self.objective)) > self.tol:
            return False
        return self.stops(direction, grad, iteration)



def _no_decrease(result: SolverResult, slope: float, value: float) -> None:
    """The message where no step length decreases J along the Newton step."""
    if slope <= 1e4 * _EPS * max(abs(value), np.finfo(np.float64).tiny):
        # J is flat to rounding along the step: as far as J can tell, the minimum
        result.converged = True
        result.message = "converged to floating-point precision (no further decrease)"
    else:
        result.message = "line search failed to decrease the loss"
