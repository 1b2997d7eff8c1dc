"""Proximal Newton with coordinate descent: L1 and elastic-net penalties, exact zeros.

The objective is split F(θ) = f(θ) + Σⱼ λⱼ|θⱼ|: f is the smooth part (mean loss and the L2
share of the penalty, an ``Objective``), λⱼ = λ₁ on coefficients and 0 on intercepts. Each
outer iteration takes f's second-order model at θ,

    q(Δ) = ∇f·Δ + ½ ΔᵀHΔ + Σⱼ λⱼ|θⱼ + Δⱼ|,   H = Xᵀ diag(s̃·σ(z)(1 - σ(z))) X  (+ λ₂I),

and minimizes it by cyclic coordinate descent, each coordinate in closed form by soft
thresholding (so coefficients land on exactly 0):

    θⱼ + Δⱼ ← S(Hⱼⱼ(θⱼ + Δⱼ) - ∂q/∂Δⱼ|smooth, λⱼ) / Hⱼⱼ,   S(u, λ) = sign(u)·max(|u| - λ, 0).

The step is then damped until Armijo's condition on F holds,
F(θ + tΔ) ≤ F(θ) + c·t·(∇f·Δ + Σⱼ λⱼ(|θⱼ + Δⱼ| - |θⱼ|)).

Only a working set is updated: the nonzero coefficients, the coordinates whose KKT
conditions fail (|∇ⱼf| > λⱼ at θⱼ = 0) and any candidates the caller names (a path's strong
rule); H is formed on those columns alone. Every other coordinate is 0 and satisfies its KKT
condition, which is rechecked on all columns at every iteration, so the answer is the
full problem's.

Stopping (``stopping``): once the step just computed is within tol standard errors,
δ = √(n·s) ≤ tol with s = -∇f·Δ - Σⱼ λⱼ(|θⱼ + Δⱼ| - |θⱼ|) the rate at which F falls along
Δ (∇fᵀH⁻¹∇f for a smooth f), the step is taken in full and the fit ends. s counts moves
along directions where H is flat as well (exactly collinear columns, which only the L1 term
pins down), where ΔᵀHΔ alone would not see them. The KKT residual's max-norm
(``penalties.kkt_residual``) is what the history records.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

from logistic.core.penalties import kkt_residual
from logistic.solvers.protocol import NewtonCDObjective
from logistic.solvers.result import Callback, SolverResult, report, rounding_level
from logistic.solvers.stopping import (
    CONVERGED,
    StallWatch,
    sample_size,
    stalled,
    step_in_standard_errors,
)

_ARMIJO = 1e-4
_MIN_STEP = 2.0**-30
_EPS = np.finfo(np.float64).eps
_FIRST_SWEEPS = 100
_INNER_SWEEPS = 10_000
# The quadratic model is solved to this fraction of the current KKT residual: a looser solve
# (10⁻²) leaves each step's error a fixed share of δ, and the last steps converge linearly.
_INNER = 1e-3
# Violators that may join the working set in one step even when it is smaller (see
# ``_working_set``); problems of up to this many features take every violator at once.
_WORKING_SET_ROOM = 256


@numba.njit(cache=True, nogil=True)
def _sweep(H, grad, theta, l1, delta, h_delta, coordinates):  # pragma: no cover - compiled
    """One cyclic pass over ``coordinates``, each set to its exact minimizer (soft
    thresholding); keeps HΔ current, so a coordinate costs one column of H. Returns the
    largest Hⱼⱼ·|δⱼ| moved."""
    p = grad.shape[0]
    largest = 0.0
    for j in coordinates:
        a = H[j, j]
        if a <= 0.0:
            continue  # a column of zeros: f does not depend on this coordinate
        current = theta[j] + delta[j]
        u = a * current - (grad[j] + h_delta[j])
        if u > l1[j]:
            new = (u - l1[j]) / a
        elif u < -l1[j]:
            new = (u + l1[j]) / a
        else:
            new = 0.0
        change = new - current
        if change != 0.0:
            delta[j] += change
            for i in range(p):
                h_delta[i] += change * H[i, j]
            largest = max(largest, a * abs(change))
    return largest


@numba.njit(cache=True, nogil=True)
def _coordinate_descent(H, grad, theta, l1, tol, delta0, max_sweeps):  # pragma: no cover
    """Minimizes q(Δ) = g·Δ + ½ΔᵀHΔ + Σ λⱼ|θⱼ + Δⱼ| over Δ by cyclic coordinate descent.

    A sweep over every coordinate picks the nonzero ones; sweeps over those alone follow
    until they settle, then a full sweep checks the zeros (most stay 0 and cost one test
    each). Stops when a full sweep moves no coordinate by more than tol (in Hⱼⱼ·|δⱼ|).
    """
    p = grad.shape[0]
    delta = delta0.copy()
    h_delta = H @ delta
    everything = np.arange(p)
    sweeps = 0
    while sweeps < max_sweeps:
        sweeps += 1
        if _sweep(H, grad, theta, l1, delta, h_delta, everything) <= tol:
            break
        nonzero = np.flatnonzero(theta + delta)
        while sweeps < max_sweeps:
            sweeps += 1
            if _sweep(H, grad, theta, l1, delta, h_delta, nonzero) <= tol:
                break
    return delta, sweeps


def _quadratic_step(H, grad, theta, l1, tol) -> NDArray:
    """Δ minimizing the quadratic model q, to tol.

    Coordinate descent settles most problems in a few sweeps. Where it does not (nearly
    collinear columns: covtype's one-hot groups make H close to singular, and cyclic
    coordinate descent then crawls), the face its sign pattern points to is solved exactly:
    on that face q is a smooth quadratic, minimized by one linear solve; the answer is kept
    where it satisfies q's optimality conditions to tol, else coordinate descent goes on.
    """
    start = np.zeros_like(grad)
    delta, sweeps = _coordinate_descent(H, grad, theta, l1, tol, start, _FIRST_SWEEPS)
    if sweeps < _FIRST_SWEEPS:
        return delta
    on_face = _solve_on_face(H, grad, theta, l1, delta, tol)
    if on_face is not None:
        return on_face
    return _coordinate_descent(H, grad, theta, l1, tol, delta, _INNER_SWEEPS)[0]


def _solve_on_face(H, grad, theta, l1, delta, tol) -> NDArray | None:
    """The minimizer of q near θ + Δ, found face by face, if it is q's minimizer.

    With x = θ + Δ, A its nonzeros and s their signs, q on that face is the quadratic
    ½x_AᵀH_AA x_A - b_A·x_A + const, b_A = H_A·θ - g_A - λ_A s_A. Its stationary point in
    the range of H_AA is one linear solve. Exactly collinear columns (one-hot groups beside
    the intercept) leave H_AA a null space N, along which the smooth part is flat and only
    the L1 term moves: there q falls linearly along N Nᵀb_A, so x slides that way until a
    coordinate reaches 0, which leaves A, and the face is solved again; so is the smaller
    face left when the solve flips a sign (those coordinates set to 0). The result is kept
    when every coordinate meets q's optimality conditions to tol, else None.
    """
    x = theta + delta
    for _ in range(x.size + 1):
        active = np.flatnonzero(x)
        if not active.size:  # every coordinate at 0: an empty face, nothing to solve on
            return None
        signs = np.sign(x[active])
        b = H[active] @ theta - grad[active] - l1[active] * signs
        values, vectors = np.linalg.eigh(H[np.ix_(active, active)])
        flat = values <= 1e-10 * max(values[-1], 0.0)
        if np.all(flat):
            return None
        ranged, null = vectors[:, ~flat], vectors[:, flat]
        solution = ranged @ ((ranged.T @ b) / values[~flat]) + null @ (null.T @ x[active])
        penalized = l1[active] > 0
        flipped = penalized & (np.sign(solution) != signs)
        if np.any(flipped):  # the face's minimum lies past a sign change: leave those at 0
            solution[flipped] = 0.0
            x = np.zeros_like(x)
            x[active] = solution
            continue
        slide = null @ (null.T @ b)  # q decreases along +slide on this face
        if np.max(np.abs(slide), initial=0.0) <= tol:
            polished = np.zeros_like(x)
            polished[active] = solution
            step = polished - theta
            residual = kkt_residual(polished, grad + H @ step, l1)
            return step if np.max(np.abs(residual)) <= tol else None
        # the first penalized coordinate that the slide takes to 0
        shrinking = penalized & (solution * slide < 0)
        if not np.any(shrinking):
            return None  # q unbounded along the face: not a case a proper loss produces
        ratios = np.where(shrinking, -solution / np.where(shrinking, slide, 1.0), np.inf)
        first = int(np.argmin(ratios))
        moved = solution + ratios[first] * slide
        moved[first] = 0.0
        x = np.zeros_like(x)
        x[active] = moved
    return None


def _l1_norm(theta: NDArray, l1: NDArray) -> float:
    return float(l1 @ np.abs(theta))


class HessianMemory:
    """The last Hessian a solve formed, for the next solve of a path to start with.

    The next C of a path starts at the last solution, and the last Hessian was formed one
    short step before it: nearly the Hessian there. Proximal Newton needs only a positive
    definite model for its line search and KKT stop to stay exact, so every point but the
    first saves its first Hessian (a pass over X and d² work per row). Used only while the
    smooth part is unchanged (the L2 share of an elastic net moves with C).
    """

    def __init__(self) -> None:
        self.features: NDArray[np.intp] | None = None
        self.hessian: NDArray | None = None
        self.penalty: object = None

    def recall(self, objective: NewtonCDObjective, features: NDArray[np.intp]) -> NDArray | None:
        """The remembered Hessian's rows and columns of ``features``, or None."""
        if self.hessian is None or self.features is None or self.penalty != objective.penalty:
            return None
        if not np.all(np.isin(features, self.features)):
            return None
        index = objective.parameter_indices(features, within=self.features)
        return self.hessian[np.ix_(index, index)]

    def remember(
        self, objective: NewtonCDObjective, features: NDArray[np.intp], hessian: NDArray
    ) -> None:
        self.features, self.hessian, self.penalty = features, hessian, objective.penalty


def _working_hessian(
    objective: NewtonCDObjective,
    theta: NDArray[np.float64],
    features: NDArray[np.intp],
    memory: HessianMemory | None,
) -> NDArray[np.float64]:
    """∇²f on the working set's parameters. For most of the columns the whole Hessian is
    formed (one pass, no copy of X) and cut down; for a few, X's slice of those columns."""
    if 2 * features.size > objective.n_features:
        everything = np.arange(objective.n_features)
        full = objective.hessian(theta)
        if memory is not None:
            memory.remember(objective, everything, full)
        index = objective.parameter_indices(features)
        return full[np.ix_(index, index)]
    hessian = objective.hessian(theta, features)
    if memory is not None:
        memory.remember(objective, features, hessian)
    return hessian


def newton_cd(
    objective: NewtonCDObjective,
    theta0: np.ndarray,
    *,
    l1: float,
    max_iter: int = 100,
    tol: float = 1e-6,
    callback: Callback | None = None,
    candidates: NDArray[np.bool_] | None = None,
    memory: HessianMemory | None = None,
) -> SolverResult:
    """Minimizes ``objective`` + λ₁‖w‖₁ from θ₀ (λ₁ = ``l1``; intercepts unpenalized).

    ``candidates`` (a boolean mask over the features) joins the first working set: the
    strong rule's guess of which coefficients will be nonzero. ``memory`` carries the last
    Hessian from one solve of a path to the next. Stops once the step just computed is
    within ``tol`` standard errors (module docstring), after taking it; after ``max_iter``
    steps the test is made once more at the last θ. The history records F and the KKT
    residual's max-norm.
    """
    theta = np.array(theta0, dtype=np.float64)
    weights = np.zeros((objective.n_outputs, objective.row_length))
    weights[:, : objective.n_features] = l1
    lam = weights.ravel()
    result = SolverResult(theta, 0, False, "maximum number of iterations reached")

    smooth, grad = objective.value_and_gradient(theta)
    value = smooth + _l1_norm(theta, lam)
    residual = kkt_residual(theta, grad, lam)
    norm = result.record(value, residual)
    noise = rounding_level(objective)
    # the working set only grows during a solve: a feature that was once active or in
    # violation often is again, and an unchanged set reuses its slice of X (Objective.hessian)
    extra = np.zeros(objective.n_features, dtype=bool)
    if candidates is not None:
        extra |= np.asarray(candidates, dtype=bool)
    stall = StallWatch(noise)
    for iteration in range(1, max_iter + 2):
        direction, decrease, complete = _proximal_step(objective, theta, grad, residual, lam,
                                                       norm, extra, memory, iteration == 1)
        result.step_history.append(step_in_standard_errors(-decrease, sample_size(objective)))
        # a step on part of the violators says nothing of the others: never the last one
        if complete and result.step_history[-1] <= tol:
            result.converged, result.message = True, CONVERGED
            if iteration <= max_iter and np.any(direction):
                grad = _last_step(objective, result, iteration, direction, grad, lam, noise,
                                  callback)
            break
        if iteration > max_iter:
            break
        if not decrease < 0:
            result.message = "the quadratic model gives no descent direction"
            result.gradient = grad
            result.converged = bool(norm <= 1e4 * _EPS * max(abs(value), 1.0))
            return result
        searched = _line_search(objective, theta, value, norm, direction, decrease, lam, noise)
        if searched is None:
            result.message = "line search failed to decrease the objective"
            result.gradient = grad
            return result
        previous_norm, previous_value = norm, value
        theta, value, grad = searched
        residual = kkt_residual(theta, grad, lam)
        result.theta, result.n_iter = theta, iteration
        norm = result.record(value, residual)
        report(callback, iteration, result)
        # F changing by rounding only while the residual stays: the floor, above tol
        if stall.stalled_after(previous_value, value, previous_norm, norm):
            result.message = stalled(norm, tol, "the KKT residual's max-norm")
            break
    result.gradient = grad
    return result


def _proximal_step(objective: NewtonCDObjective, theta, grad, residual, lam, norm, extra, memory,
                   first):
    """(Δ, ∇f·Δ + Σⱼ λⱼ(|θⱼ + Δⱼ| - |θⱼ|), whether the working set holds every violator):
    the minimizer of the quadratic model on the working set (which joins ``extra``); the
    ``first`` step of a solve starts from the
    Hessian ``memory`` holds where it has one for this set."""
    features, complete = _working_set(objective, theta, residual, extra)
    index = objective.parameter_indices(features)
    H = memory.recall(objective, features) if memory is not None and first else None
    if H is None:
        H = _working_hessian(objective, theta, features, memory)
    direction = np.zeros_like(theta)
    direction[index] = _quadratic_step(H, grad[index], theta[index], lam[index], _INNER * norm)
    # Σ λⱼ(|θⱼ + Δⱼ| - |θⱼ|) term by term: the difference of the two norms would lose the
    # tiny decrease of the last iterations to rounding
    decrease = float(grad @ direction) + float(lam @ (np.abs(theta + direction) - np.abs(theta)))
    return direction, decrease, complete


def _line_search(objective: NewtonCDObjective, theta, value, norm, direction, decrease, lam, noise):
    """(θ + tΔ, F and ∇f there) for t = 1, ½, ¼, … the first that meets Armijo's condition on
    F; None where no t above ``_MIN_STEP`` does."""
    step = 1.0
    while step >= _MIN_STEP:
        candidate = theta + step * direction
        with np.errstate(over="ignore", invalid="ignore"):
            new_smooth, new_grad = objective.value_and_gradient(candidate)
        new_value = new_smooth + _l1_norm(candidate, lam)
        if np.isfinite(new_value) and new_value <= value + _ARMIJO * step * decrease:
            return candidate, new_value, new_grad
        new_residual = kkt_residual(candidate, new_grad, lam)
        # near the optimum F changes by rounding only: the smaller residual decides
        if abs(new_value - value) <= noise * abs(value) and (
            np.max(np.abs(new_residual)) < norm
        ):
            return candidate, new_value, new_grad
        step *= 0.5
    return None


def _last_step(objective: NewtonCDObjective, result: SolverResult, iteration: int, direction,
               grad, lam, noise, callback):
    """Takes the step Δ that met the stopping test in full (within tol standard errors the
    quadratic model is exact to rounding) and returns ∇f at the new θ; keeps θ and returns
    ``grad`` where F rises there by more than its rounding (a model far off)."""
    value = result.loss_history[-1]
    candidate = result.theta + direction
    with np.errstate(over="ignore", invalid="ignore"):
        smooth, new_grad = objective.value_and_gradient(candidate)
    new_value = smooth + _l1_norm(candidate, lam)
    if not (np.isfinite(new_value) and new_value <= value + noise * abs(value)):
        return grad
    result.theta, result.n_iter = candidate, iteration
    result.record(new_value, kkt_residual(candidate, new_grad, lam))
    report(callback, iteration, result)
    return new_grad


def _working_set(objective: NewtonCDObjective, theta, residual, extra):
    """(features, complete): the features whose coefficient (in any class) is nonzero now or
    was at an earlier step of this solve, those the caller names (both kept in ``extra``,
    which this updates) and the KKT violators (|∇ⱼf| > λⱼ at θⱼ = 0): the only coordinates
    this iteration moves. ``complete`` says whether every violator is in.

    At most as many violators join as there are nonzero coefficients (and at least
    ``_WORKING_SET_ROOM``), the largest violations first: far from the solution of a wide
    problem (text: thousands of violators at θ = 0, a hundred nonzeros at the end) the set
    then grows with the solution instead of taking every violator, whose Hessian (p²
    entries) and coordinate sweeps (p² per sweep) would cost more than all the passes."""
    d = objective.n_features
    rows = (objective.n_outputs, objective.row_length)
    nonzero = (theta.reshape(rows) != 0)[:, :d].any(axis=0)
    extra |= nonzero
    inside = extra.copy()
    violation = np.abs(residual.reshape(rows))[:, :d].max(axis=0)
    outside = np.flatnonzero((violation > 0) & ~inside)
    room = max(_WORKING_SET_ROOM, int(np.count_nonzero(nonzero)))
    complete = outside.size <= room
    if not complete:
        outside = outside[np.argpartition(-violation[outside], room - 1)[:room]]
    inside[outside] = True
    return np.flatnonzero(inside), complete
