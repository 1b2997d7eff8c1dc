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
full problem's. The stopping rule is the KKT residual's max-norm (``penalties.kkt_residual``)
≤ tol, the analogue of ‖∇J‖∞ ≤ tol for a smooth J.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

from ..penalties import kkt_residual
from ._result import Callback, SolverResult, report

_ARMIJO = 1e-4
_MIN_STEP = 2.0**-30
_EPS = np.finfo(np.float64).eps
_FLAT = 64 * _EPS
_INNER_SWEEPS = 10_000


@numba.njit(cache=True, nogil=True)
def _coordinate_descent(H, grad, theta, l1, tol, max_sweeps):  # pragma: no cover - compiled
    """Minimizes q(Δ) = g·Δ + ½ΔᵀHΔ + Σ λⱼ|θⱼ + Δⱼ| over Δ by cyclic coordinate descent.

    Keeps HΔ up to date so one coordinate costs one column of H. Stops when a sweep moves no
    coordinate's gradient term Hⱼⱼ·|δⱼ| by more than tol.
    """
    p = grad.shape[0]
    delta = np.zeros(p)
    h_delta = np.zeros(p)
    sweeps = 0
    while sweeps < max_sweeps:
        sweeps += 1
        largest = 0.0
        for j in range(p):
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
        if largest <= tol:
            break
    return delta, sweeps


def _l1_norm(theta: NDArray, l1: NDArray) -> float:
    return float(l1 @ np.abs(theta))


def newton_cd(
    objective,
    theta0: np.ndarray,
    *,
    l1: float,
    max_iter: int = 100,
    tol: float = 1e-6,
    callback: Callback | None = None,
    candidates: NDArray[np.bool_] | None = None,
) -> SolverResult:
    """Minimizes ``objective`` + λ₁‖w‖₁ from θ₀ (λ₁ = ``l1``; intercepts unpenalized).

    ``candidates`` (a boolean mask over the features) joins the first working set: the
    strong rule's guess of which coefficients will be nonzero. The history records F and the
    KKT residual's max-norm.
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
    extra = None if candidates is None else np.asarray(candidates, dtype=bool)
    for iteration in range(1, max_iter + 1):
        if norm <= tol:
            break
        features = _working_set(objective, theta, residual, extra)
        extra = None
        index = objective.parameter_indices(features)
        H = objective.hessian(theta, features)
        delta_w, _ = _coordinate_descent(
            H, grad[index], theta[index], lam[index], 1e-3 * norm, _INNER_SWEEPS
        )
        direction = np.zeros_like(theta)
        direction[index] = delta_w
        # Σ λⱼ(|θⱼ + Δⱼ| - |θⱼ|) term by term: the difference of the two norms would lose
        # the tiny decrease of the last iterations to rounding
        decrease = float(grad @ direction) + float(
            lam @ (np.abs(theta + direction) - np.abs(theta))
        )
        if not decrease < 0:
            result.message = "the quadratic model gives no descent direction"
            result.gradient = grad
            result.converged = norm <= max(tol, 1e4 * _EPS * max(abs(value), 1.0))
            return result
        step = 1.0
        while True:
            candidate = theta + step * direction
            with np.errstate(over="ignore", invalid="ignore"):
                new_smooth, new_grad = objective.value_and_gradient(candidate)
            new_value = new_smooth + _l1_norm(candidate, lam)
            if np.isfinite(new_value) and new_value <= value + _ARMIJO * step * decrease:
                break
            new_residual = kkt_residual(candidate, new_grad, lam)
            # near the optimum F changes by rounding only: the smaller residual decides
            if abs(new_value - value) <= _FLAT * abs(value) and (
                np.max(np.abs(new_residual)) < norm
            ):
                break
            step *= 0.5
            if step < _MIN_STEP:
                result.message = "line search failed to decrease the objective"
                result.gradient = grad
                return result
        theta, value, grad = candidate, new_value, new_grad
        residual = kkt_residual(theta, grad, lam)
        result.theta, result.n_iter = theta, iteration
        norm = result.record(value, residual)
        report(callback, iteration, result)
    result.gradient = grad
    if norm <= tol:
        result.converged, result.message = True, "KKT residual max-norm below tol"
    return result


def _working_set(objective, theta, residual, extra) -> NDArray[np.intp]:
    """Features whose coefficient (in any class) is nonzero or violates its KKT condition,
    plus the caller's candidates: the only coordinates this iteration moves."""
    d = objective.n_features
    rows = (objective.n_outputs, objective.row_length)
    moving = (theta.reshape(rows) != 0) | (residual.reshape(rows) != 0)
    active = moving[:, :d].any(axis=0)
    if extra is not None:
        active |= extra
    return np.flatnonzero(active)
