"""Solvers: each minimizes an ``Objective`` and knows nothing of files, frames or flags.

The Newton-type solvers (newton, newton_cd, newton_cg, and Firth's ``firth.firth_newton``) stop once
the step they have just computed is within tol standard errors and take that step
(``stopping``: δ = √(n·∇JᵀH⁻¹∇J) ≤ tol, whatever the columns' units); L-BFGS and gradient
descent stop when the gradient's max-norm ‖∇J(θ)‖∞ ≤ tol. Every solver stops after
``max_iter`` iterations at the latest and returns a ``SolverResult`` with its history.
"""

from collections.abc import Callable

from logistic.solvers.gd import gradient_descent
from logistic.solvers.lbfgs import lbfgs
from logistic.solvers.newton import newton
from logistic.solvers.newton_cd import newton_cd
from logistic.solvers.newton_cg import newton_cg
from logistic.solvers.result import SolverResult

#: each takes (objective, theta0, **options) and returns a SolverResult; the options differ
SOLVERS: dict[str, Callable[..., SolverResult]] = {
    "gd": gradient_descent,
    "newton": newton,
    "lbfgs": lbfgs,
    "newton-cd": newton_cd,
    "newton-cg": newton_cg,
}

__all__ = [
    "SOLVERS", "SolverResult", "gradient_descent", "lbfgs", "newton", "newton_cd", "newton_cg",
]
