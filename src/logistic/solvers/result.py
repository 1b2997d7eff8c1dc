"""What every solver returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Callback = Callable[[int, dict], object]

_EPS = float(np.finfo(np.float64).eps)


def rounding_level(objective: object) -> float:
    """The relative size of the rounding in J over n rows: 64 ulp, or 4√n ulp where that is
    more (a sum of n terms typically carries √n roundings). Line searches treat changes of J
    below it as no change, and let the gradient decide."""
    n = float(getattr(objective, "n_samples", 0) or 0)
    return max(64.0, 4.0 * np.sqrt(n)) * _EPS


@dataclass
class SolverResult:
    """θ at the end, how it got there, and whether the solver's stopping test was met
    (‖∇J‖∞ ≤ tol for L-BFGS and gradient descent; the Newton-type solvers' in ``stopping``)."""

    theta: NDArray[np.float64]
    n_iter: int
    converged: bool
    message: str
    loss_history: list[float] = field(default_factory=list)
    grad_norm_history: list[float] = field(default_factory=list)
    #: ∇J at ``theta`` where the solver kept it (newton_cd: its smooth part's), else None
    gradient: NDArray[np.float64] | None = None
    #: the Newton-type solvers' steps in standard errors, δ of ``stopping``, per iteration
    step_history: list[float] = field(default_factory=list)

    def record(self, value: float, gradient: NDArray[np.float64]) -> float:
        """Appends J and ‖∇J‖∞ to the history; returns the norm."""
        norm = float(np.max(np.abs(gradient))) if gradient.size else 0.0
        self.loss_history.append(float(value))
        self.grad_norm_history.append(norm)
        return norm


def report(callback: Callback | None, iteration: int, result: SolverResult) -> None:
    """Calls the user's callback(iteration, state) with the latest loss and gradient norm."""
    if callback is not None:
        callback(
            iteration,
            {
                "loss": result.loss_history[-1],
                "grad_norm": result.grad_norm_history[-1],
                "theta": result.theta,
            },
        )
