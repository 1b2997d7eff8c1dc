"""L-BFGS: scipy.optimize's L-BFGS-B on the fused value and gradient of the objective.

Each iteration reads X about once (the compiled kernel: z = Xw and Xᵀg row by row) and
keeps only ``memory`` pairs of vectors, so it suits many features, sparse data and large m.

Diagonal preconditioning. L-BFGS starts every iteration from a multiple of the identity as
its guess of the inverse Hessian, so parameters whose curvatures differ by orders of
magnitude cost it iterations while it learns them — typically the intercept, whose
curvature Σᵢ s̃ᵢσ'(zᵢ) is that of a column of ones, against sparse or unscaled columns. The
solver therefore works in u = θ ⊙ √D, D ≈ diag ∇²J(θ₀) (``Objective.hessian_diagonal``,
one extra pass), each √Dⱼ rounded to a power of two so that θ ↔ u is exact in floating
point. Fewer iterations then reach the same f* (benchmarks/README.md has the counts).
The stopping rule stays ‖∇θJ‖∞ ≤ tol, in θ's own units. K softmax classes on sparse data
are not preconditioned (``_softmax_on_sparse``: measured slower there).
"""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from logistic.core.threads import blas_on_one_thread
from logistic.solvers.protocol import SmoothObjective
from logistic.solvers.result import Callback, SolverResult, report

_FTOL = 0.0  # stop on the gradient only: a relative-decrease test stops early when J is flat


def lbfgs(
    objective: SmoothObjective,
    theta0: np.ndarray,
    *,
    max_iter: int = 100,
    tol: float = 1e-6,
    memory: int = 10,
    precondition: bool = True,
    callback: Callback | None = None,
) -> SolverResult:
    """Minimizes ``objective`` from θ₀; stops when ‖∇J‖∞ ≤ tol.

    ``precondition`` scales the parameters by the Hessian's diagonal at θ₀ where the
    objective provides it (``hessian_diagonal``): one more pass over X, usually several
    fewer iterations.
    """
    # Between two compiled passes (on every core) only level-1 BLAS runs here: on one
    # thread, so that no BLAS worker spins through the next pass (``threads``).
    with blas_on_one_thread() if getattr(objective, "fused", False) else nullcontext():
        return _lbfgs(objective, theta0, max_iter, tol, memory, precondition, callback)


def _lbfgs(
    objective: SmoothObjective,
    theta0: np.ndarray,
    max_iter: int,
    tol: float,
    memory: int,
    precondition: bool,
    callback: Callback | None,
) -> SolverResult:
    theta = np.array(theta0, dtype=np.float64)
    result = SolverResult(theta, 0, False, "maximum number of iterations reached")
    value, grad = objective.value_and_gradient(theta)
    if result.record(value, grad) <= tol:
        result.converged, result.message = True, "gradient max-norm below tol"
        return result
    if max_iter <= 0:  # scipy would still take one step
        return result
    if precondition and _softmax_on_sparse(objective):
        precondition = False
    scale = _scales(objective, theta) if precondition else np.ones_like(theta)
    last: dict[str, np.ndarray] = {"u": theta / scale, "grad": grad}

    def value_and_gradient(u: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = objective.value_and_gradient(u * scale)
        last.update(u=u.copy(), grad=grad)
        return value, grad * scale  # ∂J/∂u = ∂J/∂θ ⊙ ∂θ/∂u

    def gradient_at(u: np.ndarray) -> np.ndarray:
        # L-BFGS-B's last evaluation is normally the accepted point: no extra pass over X.
        return last["grad"] if np.array_equal(u, last["u"]) else objective.gradient(u * scale)

    def on_iteration(intermediate_result) -> None:
        u = intermediate_result.x
        grad = gradient_at(u)
        result.theta, result.n_iter = u * scale, result.n_iter + 1
        norm = result.record(intermediate_result.fun, grad)
        report(callback, result.n_iter, result)
        if norm <= tol:  # in θ's units, not u's
            raise StopIteration

    # u₀·scale is θ₀ exactly (powers of two): scipy's first evaluation is the cached one
    solution = minimize(
        value_and_gradient,
        theta / scale,
        jac=True,
        method="L-BFGS-B",
        callback=on_iteration,
        options={"maxiter": max_iter, "gtol": 0.0, "ftol": _FTOL, "maxcor": memory,
                 "maxls": 50},
    )
    result.theta = np.asarray(solution.x, dtype=np.float64) * scale
    result.n_iter = int(solution.nit)
    final_norm = float(np.max(np.abs(gradient_at(solution.x))))
    result.converged = final_norm <= tol
    result.message = "gradient max-norm below tol" if result.converged else str(solution.message)
    return result


def _softmax_on_sparse(objective: SmoothObjective) -> bool:
    """K softmax classes on sparse X: there the diagonal at θ₀ scales each word's K
    coefficients by its frequency, and L-BFGS took more iterations with it than without
    (issue 20's 20-class text, 20,000 × 10,000: 193 iterations to ‖∇J‖∞ ≤ 1e-6 without,
    100 with still 2e-3 from f*; at 2,000 rows 101 against 198), so it starts from the
    identity as scikit-learn's does."""
    design = getattr(objective, "design", None)
    return getattr(objective, "n_outputs", 1) > 1 and bool(getattr(design, "sparse", False))


def _scales(objective: SmoothObjective, theta: np.ndarray) -> NDArray[np.float64]:
    """1/√Dⱼ rounded to a power of two, D = diag ∇²J(θ); 1 where D is not positive and
    finite (a column of zeros without penalty) or the objective has no diagonal."""
    diagonal = getattr(objective, "hessian_diagonal", None)
    if diagonal is None:
        return np.ones_like(theta)
    d = np.asarray(diagonal(theta), dtype=np.float64)
    usable = np.isfinite(d) & (d > 0)
    exponent = np.zeros(d.shape, dtype=np.int64)
    # √Dⱼ = m·2ᵉ with ½ ≤ m < 1: 1/√Dⱼ ≈ 2^-e within a factor of 2
    exponent[usable] = np.frexp(np.sqrt(d[usable]))[1]
    return np.ldexp(1.0, -exponent)
