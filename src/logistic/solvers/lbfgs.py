"""L-BFGS: scipy.optimize's L-BFGS-B on the fused value and gradient of the objective.

Each iteration reads X about twice (z = Xw, then Xᵀg) and keeps only ``memory`` pairs of
vectors, so it suits many features, sparse data and large m.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from ._result import Callback, SolverResult, report

_FTOL = 0.0  # stop on the gradient only: a relative-decrease test stops early when J is flat


def lbfgs(
    objective,
    theta0: np.ndarray,
    *,
    max_iter: int = 100,
    tol: float = 1e-6,
    memory: int = 10,
    callback: Callback | None = None,
) -> SolverResult:
    """Minimizes ``objective`` from θ₀; stops when ‖∇J‖∞ ≤ tol (scipy's ``gtol``)."""
    theta = np.array(theta0, dtype=np.float64)
    result = SolverResult(theta, 0, False, "maximum number of iterations reached")
    last: dict[str, np.ndarray | float] = {}

    def value_and_gradient(x: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = objective.value_and_gradient(x)
        last.update(x=x.copy(), value=value, grad=grad)
        return value, grad

    value, grad = value_and_gradient(theta)
    if result.record(value, grad) <= tol:
        result.converged, result.message = True, "gradient max-norm below tol"
        return result
    if max_iter <= 0:  # scipy would still take one step
        return result

    def gradient_at(x: np.ndarray) -> np.ndarray:
        # L-BFGS-B's last evaluation is normally the accepted point: no extra pass over X.
        return last["grad"] if np.array_equal(x, last["x"]) else objective.gradient(x)

    def on_iteration(intermediate_result) -> None:
        x = intermediate_result.x
        grad = gradient_at(x)
        result.theta, result.n_iter = x, result.n_iter + 1
        result.record(intermediate_result.fun, grad)
        report(callback, result.n_iter, result)

    solution = minimize(
        value_and_gradient,
        theta,
        jac=True,
        method="L-BFGS-B",
        callback=on_iteration,
        options={"maxiter": max_iter, "gtol": tol, "ftol": _FTOL, "maxcor": memory, "maxls": 50},
    )
    result.theta = np.asarray(solution.x, dtype=np.float64)
    result.n_iter = int(solution.nit)
    final_norm = float(np.max(np.abs(gradient_at(result.theta))))
    result.converged = final_norm <= tol
    result.message = str(solution.message)
    return result
