"""The mixed logistic fit: ℓ(β, λ) maximized jointly, then its Hessian for the statistics.

The start is the model without random effects (β of the plain logistic fit, by Newton's
method) and λ = 1 on L's diagonal (lme4's start). L-BFGS-B maximizes ℓ over [β, λ] with
L's diagonal ≥ 0 (lme4's second stage, which also optimizes β and θ jointly), restarted
where an element of L's diagonal stopped at 0 but ℓ is higher away from it, then Newton
steps on the Hessian polish the optimum (Laplace: its β–β block in closed form, the λ
columns differenced from the exact gradient, one pass each; Gauss–Hermite: all differenced).
The covariance of β̂ is the β block of (−∇²ℓ)⁻¹ in [β, λ] (lme4's ``vcov`` of a glmer fit
with ``use.hessian = TRUE``, its default), the elements of λ at their bound left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import expit, log_expit

from logistic.core.design import as_design
from logistic.families.mixed import MixedObjective, theta_bounds
from logistic.families.mixed_hessian import laplace_fixed_hessian

__all__ = ["MixedFit", "SINGULAR_TOLERANCE", "binomial_newton", "fit_mixed", "hessian",
           "hessian_and_gradient", "singular_elements"]

SINGULAR_TOLERANCE = 1e-4  # lme4's isSingular(tol = 1e-4) on L's diagonal
_HESSIAN_STEP = 1e-4
_FORWARD_STEP = 1e-6


@dataclass(frozen=True)
class MixedFit:
    """The optimum θ̂ = [β̂, λ̂], ℓ(θ̂), iterations, convergence, the optimizer's word, and
    −∇²ℓ over the ``free`` elements (λ's at their bound left out)."""

    params: NDArray[np.float64]
    log_likelihood: float
    n_iter: int
    converged: bool
    message: str
    information: NDArray[np.float64]
    free: NDArray[np.bool_]


def binomial_log_likelihood(X: NDArray, a: NDArray, b: NDArray, beta: NDArray) -> float:
    """ℓ(β) = Σᵢ [aᵢηᵢ − bᵢ log(1 + e^ηᵢ)], η = Xβ (without the binomial coefficients)."""
    return _binomial_log_likelihood_at(X @ beta, a, b)


def _binomial_log_likelihood_at(eta: NDArray, a: NDArray, b: NDArray) -> float:
    """ℓ = Σᵢ [aᵢηᵢ − bᵢ log(1 + e^ηᵢ)] at the linear predictor η."""
    return float(np.sum(a * eta) + np.sum(b * log_expit(-eta)))


def binomial_newton(X: NDArray, a: NDArray, b: NDArray,
                    max_iter: int = 100) -> tuple[NDArray[np.float64], float]:
    """(β̂, ℓ(β̂)) of the model without random effects by Newton's method (IRLS) with step
    halving: ∇ℓ = Xᵀ(a − bμ), −∇²ℓ = Xᵀ diag(bμ(1 − μ)) X. The accepted trial's η = Xβ
    is kept for the next step (one n × p product fewer per iteration)."""
    beta = np.zeros(X.shape[1])
    eta = X @ beta
    value = _binomial_log_likelihood_at(eta, a, b)
    design = as_design(X)  # XᵀWX by row blocks in threads, no n × p copy of X per step
    for _ in range(max_iter):
        mu = expit(eta)
        grad = X.T @ (a - b * mu)
        info = design.gram(b * mu * (1 - mu), overwrite_h=True)[0]
        step = np.linalg.lstsq(info, grad, rcond=None)[0]
        if float(grad @ step) < 1e-20 * (1 + abs(value)):
            break
        t = 1.0
        while t > 1e-10:
            eta = X @ (beta + t * step)
            trial = _binomial_log_likelihood_at(eta, a, b)
            if trial >= value:
                break
            t /= 2
        beta, value = beta + t * step, trial
        if t <= 1e-10:  # no trial accepted: η of the β taken
            eta = X @ beta
    return beta, value


def fit_mixed(objective: MixedObjective, start: NDArray[np.float64], tol: float,
              max_iter: int) -> MixedFit:
    """θ̂ = argmax ℓ by L-BFGS-B from ``start`` (gradient tolerance ``tol``), then up to
    three Newton steps on the Hessian (formed once) while they raise ℓ."""
    q = objective.data.Z.shape[1]
    bounds = [(None, None)] * objective.n_fixed + theta_bounds(q, objective.covariance)

    def negative(params: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        value, grad = objective.gradient(params)
        return -value, -grad

    options = {"maxiter": int(max_iter), "gtol": float(tol), "ftol": 1e-15, "maxcor": 20}
    result = minimize(negative, start, jac=True, method="L-BFGS-B", bounds=bounds,
                      options=options)
    params, value = np.asarray(result.x, dtype=np.float64), -float(result.fun)
    for _ in range(2):
        # ℓ is even in each diagonal element of L, so its derivative there is 0 at 0 and a
        # step onto the bound can stop L-BFGS-B at a minimum in that direction: look along
        # the elements at 0 for a higher ℓ and restart from it
        better = _off_the_boundary(objective, params, value)
        if better is None:
            break
        result = minimize(negative, better, jac=True, method="L-BFGS-B", bounds=bounds,
                          options=options)
        params, value = np.asarray(result.x, dtype=np.float64), -float(result.fun)
    if objective.n_agq > 1:
        objective.value(params)  # the kept modes are the optimum's (Laplace: hessian's pass)
    free = ~singular_elements(params, objective)
    curvature, origin = hessian_and_gradient(objective, params, free)
    information = -curvature
    low = np.array([-np.inf if lo is None else lo for lo, _ in bounds])
    params, value, grad = _newton_polish(objective, params, value, origin, information,
                                         free, low)
    converged = bool(result.success) or float(np.max(np.abs(grad))) < 100 * tol
    return MixedFit(params, value, int(result.nit), converged, str(result.message),
                    information, free)


_ESCAPE_GRID = (0.03, 0.1, 0.2, 0.4, 0.8, 1.6)


def _off_the_boundary(objective: MixedObjective, params: NDArray[np.float64],
                      value: float) -> NDArray[np.float64] | None:
    """θ with one diagonal element of L moved from its bound 0 to a grid value where ℓ is
    higher than at θ (the highest such), else None: 0 is then a maximum along each."""
    best, best_value = None, value + 1e-9 * (1 + abs(value))
    for k in np.flatnonzero(singular_elements(params, objective)):
        for level in _ESCAPE_GRID:
            trial = params.copy()
            trial[k] = level
            trial_value = objective.value(trial)
            if trial_value > best_value:
                best, best_value = trial, trial_value
    return best


def _newton_polish(objective: MixedObjective, params: NDArray[np.float64], value: float,
                   grad: NDArray[np.float64] | None, information: NDArray[np.float64],
                   free: NDArray, low: NDArray[np.float64]) -> tuple[NDArray[np.float64],
                                                                     float, NDArray]:
    """(θ, ℓ(θ), ∇ℓ on the free elements) after Newton steps θ ← θ + (−∇²ℓ)⁻¹∇ℓ on the
    free elements while ℓ rises and the bounds hold (at most 3), from ∇ℓ(θ) (None: computed
    here); the objective's modes are left at the θ returned."""
    if grad is None:
        _, grad = objective.gradient(params)
    kept = objective.modes.copy(), objective.inverse_information.copy()
    for _ in range(3):
        try:
            step = np.linalg.solve(information, grad[free])
        except np.linalg.LinAlgError:
            break
        trial = params.copy()
        trial[free] += step
        if np.any(trial < low) or float(grad[free] @ step) < 1e-16:
            break
        trial_value, trial_grad = objective.gradient(trial)
        if not trial_value > value:
            break
        params, value, grad = trial, trial_value, trial_grad
        kept = objective.modes.copy(), objective.inverse_information.copy()
    objective.modes, objective.inverse_information = kept  # θ's state, without a pass
    return params, value, grad[free]


def singular_elements(params: NDArray[np.float64], objective: MixedObjective) -> NDArray:
    """Which elements of θ = [β, λ] are diagonal elements of L below lme4's singularity
    tolerance 1e-4 (a variance at its bound 0: a singular fit)."""
    q = objective.data.Z.shape[1]
    bounds = theta_bounds(q, objective.covariance)
    at_bound = np.zeros(params.size, dtype=bool)
    for k, (low, _) in enumerate(bounds):
        at_bound[objective.n_fixed + k] = low == 0.0 and params[objective.n_fixed + k] \
            < SINGULAR_TOLERANCE
    return at_bound


def hessian(objective: MixedObjective, params: NDArray[np.float64],
            free: NDArray) -> NDArray[np.float64]:
    """∇²ℓ over the ``free`` elements (see ``hessian_and_gradient``)."""
    return hessian_and_gradient(objective, params, free)[0]


def hessian_and_gradient(objective: MixedObjective, params: NDArray[np.float64],
                         free: NDArray) -> tuple[NDArray[np.float64], NDArray | None]:
    """∇²ℓ over the ``free`` elements, symmetrized. Laplace: the β–β block in closed form
    (``laplace_fixed_hessian``, one sweep) and the λ columns by forward differences of the
    exact gradient (step 1e-6·max(1, |θⱼ|): truncation ~1e-6, one pass per free λ).
    Gauss–Hermite: every column by central differences of the differenced gradient (step
    1e-4·max(1, |θⱼ|)). With it ∇ℓ(θ) (Laplace; None for Gauss–Hermite, where it would
    cost 2 passes per parameter). The objective's modes are left at θ's."""
    index = np.flatnonzero(free)
    out = np.empty((index.size, index.size))
    exact = objective.n_agq <= 1
    origin = objective.gradient(params)[1] if exact else None
    base, inverse = objective.modes.copy(), objective.inverse_information.copy()
    p = objective.n_fixed
    differenced = range(index.size)
    if origin is not None:
        beta, factor = objective.split(params)
        out[:p, :p] = laplace_fixed_hessian(objective.data, beta, factor, base, inverse)
        differenced = range(p, index.size)
    for col in differenced:
        k = index[col]
        step = (_FORWARD_STEP if exact else _HESSIAN_STEP) * max(1.0, abs(params[k]))
        up, down = params.copy(), params.copy()
        up[k] += step
        down[k] -= step
        objective.modes = base.copy()
        g_up = objective.gradient(up)[1]
        if origin is not None:
            out[:, col] = (g_up[index] - origin[index]) / step
            out[col, :p] = out[:p, col]  # the β rows of the λ column, mirrored
            continue
        objective.modes = base.copy()
        g_down = objective.gradient(down)[1]
        out[:, col] = (g_up[index] - g_down[index]) / (2 * step)
    objective.modes, objective.inverse_information = base, inverse
    if origin is None:
        objective.value(params)
    return 0.5 * (out + out.T), origin
