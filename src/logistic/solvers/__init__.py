"""Solvers: each minimizes an ``Objective`` and knows nothing of files, frames or flags.

Every solver stops when the gradient's max-norm ‖∇J(θ)‖∞ ≤ tol, or after ``max_iter``
iterations, and returns a ``SolverResult`` with its history.
"""

from ._result import SolverResult
from .gd import gradient_descent
from .lbfgs import lbfgs
from .newton import newton

SOLVERS = {"gd": gradient_descent, "newton": newton, "lbfgs": lbfgs}

__all__ = ["SOLVERS", "SolverResult", "gradient_descent", "lbfgs", "newton"]
