"""Solvers: each minimizes an ``Objective`` and knows nothing of files, frames or flags.

Every solver stops when the gradient's max-norm ‖∇J(θ)‖∞ ≤ tol, or after ``max_iter``
iterations (for newton_cd the KKT residual of its L1 problem plays ‖∇J‖∞'s part), and
returns a ``SolverResult`` with its history.
"""

from ._result import SolverResult
from .gd import gradient_descent
from .lbfgs import lbfgs
from .newton import newton
from .newton_cd import newton_cd

SOLVERS = {
    "gd": gradient_descent,
    "newton": newton,
    "lbfgs": lbfgs,
    "newton-cd": newton_cd,
}

__all__ = ["SOLVERS", "SolverResult", "gradient_descent", "lbfgs", "newton", "newton_cd"]
