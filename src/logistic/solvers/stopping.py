"""When a Newton-type solver (newton, newton-cd, newton-cg, Firth's) stops: the step in
standard errors.

A fit is accurate enough when the step that Newton's method would take next moves no
coefficient by more than a tiny fraction of its standard error. With J the mean objective
(weights s̃ summing to 1) over n = Σs observations and H its Hessian (penalty included), the
covariance of θ̂ is about H⁻¹/n, and the length of a step d in standard errors is

    δ(d) = √(n · dᵀ H d).

For Newton's step d = H⁻¹∇J this is √(n · ∇JᵀH⁻¹∇J), √n times the Newton decrement, and
½δ² ≈ n·(J(θ) - J(θ̂)) is the log-likelihood the step gains. By Cauchy–Schwarz

    |cᵀd| ≤ δ · SE(cᵀθ̂),   SE(cᵀθ̂)² = cᵀH⁻¹c / n,

for every coefficient (c a unit vector) and every linear combination of them, so δ ≤ tol
means that no estimate, prediction or contrast moves by more than tol standard errors.
δ is invariant under any change of parameters θ = Aφ with A nonsingular (the columns' units
above all), where ‖∇J‖∞ is not: multiplying a column by 10⁴ multiplies its gradient entry by
10⁴ at the same fit.

The solvers compute δ from the rate s = -F'(θ; d) at which their objective F falls along the
step, δ = √(n·s): s = ∇Jᵀd = dᵀHd for Newton's step (the line search's slope), U*ᵀI⁻¹U* for
Firth's (I = Σs·H is already in the units of the total, so n = 1 there), and for the proximal
step of newton-cd s = -∇f·d - Σⱼ λⱼ(|θⱼ + dⱼ| - |θⱼ|), which is at least dᵀHd at the model's
minimizer and also counts moves along directions of zero curvature (exactly collinear
columns) that only the L1 term pins down.

A solver stops once the step it has just computed has δ ≤ tol, and takes that step: the
error after a Newton step is quadratic in the error before (superlinear for the steps with a
kept, secant-updated H), so the returned θ is far closer than tol standard errors to θ̂, at
the cost of the one pass for J and ∇J there.

n is Σs, the sample size that the weights stand for as frequencies (the number of rows
without weights): a weight of 2 stops where a repeated row does, and δ is in the standard
errors the summary prints. Where Σs is not a positive finite number, n is the number of rows.
Under separation H vanishes along the separating direction together with ∇J, so δ falls
with them while the step along that direction stays of order 1, and the fit still ends.
"""

from __future__ import annotations

import numpy as np

from logistic.solvers.protocol import NewtonCDObjective, NewtonObjective
from logistic.solvers.result import SolverResult

#: What SolverResult.message says when this test stopped the fit.
CONVERGED = "the Newton step is within tol standard errors (taken)"


def step_in_standard_errors(slope: float, n: float) -> float:
    """δ = √(n·s) for a step d along which the objective falls at the rate s = -F'(θ; d)
    (module docstring): for Newton's step d = H⁻¹∇J, s = ∇Jᵀd = dᵀHd, the slope the line
    search has anyway; for a proximal step (newton-cd) s = -∇f·d - Σⱼ λⱼ(|θⱼ + dⱼ| - |θⱼ|),
    which is at least dᵀHd at the model's minimizer and also counts moves along directions
    of zero curvature that only the L1 term decides. A non-positive s counts as 0."""
    quadratic = float(slope) * float(n)
    return float(np.sqrt(quadratic)) if quadratic > 0 else 0.0


def sample_size(objective: NewtonObjective | NewtonCDObjective) -> float:
    """n of δ: Σs (``objective.total_weight``) where positive and finite, else the rows."""
    total = float(getattr(objective, "total_weight", 0.0) or 0.0)
    return total if np.isfinite(total) and total > 0 else float(objective.n_samples)


class StallWatch:
    """Counts a Newton-type solver's steps at the floating-point floor: steps that change its
    objective by rounding only (|ΔJ| ≤ ``noise``·|J|) while the residual's norm stays above
    half of what it was. Three in a row end the fit (``stalled``'s message): the floor lies
    above the tol asked for, and more iterations would only repeat them."""

    STEPS = 3

    def __init__(self, noise: float) -> None:
        self.noise = noise
        self.count = 0

    def stalled_after(self, old_value: float, new_value: float, old_norm: float,
                      new_norm: float) -> bool:
        """Counts the step just taken (J and the norm before and after it); True once
        ``STEPS`` such steps came in a row."""
        flat = abs(new_value - old_value) <= self.noise * abs(old_value)
        self.count = self.count + 1 if flat and new_norm > 0.5 * old_norm else 0
        return self.count >= self.STEPS


def stalled(norm: float, tol: float, what: str = "‖∇J‖∞") -> str:
    """The message of a fit whose steps change J by rounding only and no longer shrink
    ``what``: the floating-point floor, above the tol asked for."""
    return (
        f"stalled at the floating-point floor: {what} = {norm:.3g} stopped decreasing while "
        f"J stopped changing; tol = {tol:g} standard errors is out of reach for this data"
    )


def describe_stop(result: SolverResult, tol: float) -> str:
    """'the last Newton step was 3.1e-3 standard errors (tol = 1e-06)' where the solver
    measures it, else '‖∇J‖∞ = 2.4e-5 (tol = 1e-06)': the numbers a ConvergenceWarning
    gives."""
    steps = getattr(result, "step_history", None)
    if steps:
        return f"the last Newton step was {steps[-1]:.3g} standard errors, tol = {tol:g}"
    return f"‖∇J‖∞ = {result.grad_norm_history[-1]:.3g}, tol = {tol:g}"
