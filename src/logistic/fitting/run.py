"""The one solver run: an objective, the settings and a start in, a ``SolverResult`` out.

The estimator, the regularization path, cross-validation and the partitioned (Dask,
Parquet) fits all minimize through ``run_solver``: the options each solver takes, the
callback with the passes over the data, and the warning when it stops unconverged are
written here once.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from logistic.exceptions import ConvergenceWarning
from logistic.fitting.caller import user_stacklevel
from logistic.fitting.problem import FitSettings
from logistic.solvers import SOLVERS, SolverResult
from logistic.solvers.firth import firth_newton, preferred_hessian
from logistic.solvers.newton_cd import HessianMemory
from logistic.solvers.stopping import describe_stop

__all__ = [
    "Callback",
    "iteration_callback",
    "run_solver",
    "solver_of",
    "warn_unless_converged",
]

Array = NDArray[np.float64]
Callback = Callable[[int, dict[str, Any]], None]


def run_solver(
    objective: Any,
    settings: FitSettings,
    start: Array,
    solver: str,
    *,
    l1: float | Array | None = None,
    memory: HessianMemory | None = None,
    candidates: NDArray[np.bool_] | None = None,
    reuse_hessian: bool | None = None,
    report: bool = True,
) -> SolverResult:
    """Minimizes ``objective`` from θ = ``start`` (p,) with ``solver`` ('firth-newton' for
    Firth's penalized likelihood). ``l1``: λ₁ of newton-cd (a number, or one per
    feature), with its Hessian ``memory`` and working-set ``candidates`` along a path;
    ``reuse_hessian=False`` where every gradient pass brings a fresh Hessian. ``report``:
    call the settings' verbose printer and callback each iteration."""
    options: dict[str, Any] = {"max_iter": int(settings.max_iter), "tol": float(settings.tol)}
    if solver == "gd":
        options["learning_rate"] = float(settings.learning_rate)
    if solver == "newton-cd":
        options.update(l1=l1, memory=memory, candidates=candidates)
    if reuse_hessian is not None:
        options["reuse_hessian"] = reuse_hessian
    if solver == "firth-newton":
        options["hessian"] = preferred_hessian(objective)
    if report:
        options["callback"] = _with_passes(iteration_callback(settings), objective)
    minimize = cast(
        Callable[..., SolverResult], firth_newton if solver == "firth-newton" else SOLVERS[solver]
    )
    result = minimize(objective, start, **options)
    warn_unless_converged(result, solver, settings.tol)
    # the name travels with the result (``solver_of``); SolverResult does not declare it
    result.solver = solver  # type: ignore[attr-defined]
    return result


def solver_of(result: SolverResult) -> str:
    """The solver that produced ``result`` (set by ``run_solver``)."""
    return str(result.solver)  # type: ignore[attr-defined]


def warn_unless_converged(result: SolverResult, solver: str, tol: float) -> None:
    if not result.converged:
        warnings.warn(
            f"solver '{solver}' did not converge: {result.message} after "
            f"{result.n_iter} iterations ({describe_stop(result, tol)}). Increase "
            "max_iter, scale the features or loosen tol.",
            ConvergenceWarning,
            stacklevel=user_stacklevel(),
        )


def iteration_callback(settings: FitSettings) -> Callback | None:
    """The per-iteration report: verbose's line on stderr, then the user's callback."""
    user, verbose = settings.callback, settings.verbose
    if not verbose and user is None:
        return None

    def on_iteration(iteration: int, state: dict[str, Any]) -> None:
        if verbose:
            print(
                f"iter {iteration:4d}  loss {state['loss']:.10g}  "
                f"|grad|max {state['grad_norm']:.3e}",
                file=sys.stderr,
            )
        if user is not None:
            user(iteration, state)

    return on_iteration


def _passes(objective: Any) -> int | None:
    """The passes over the data so far: the partitioned objective's counter, or the
    in-memory design's (reading either costs nothing)."""
    passes = getattr(objective, "passes", None)
    if passes is None:
        passes = getattr(getattr(objective, "design", None), "passes", None)
    return passes


def _with_passes(callback: Callback | None, objective: Any) -> Callback | None:
    """``callback`` with the passes over the data so far in its state as 'passes'."""
    if callback is None:
        return None

    def on_iteration(iteration: int, state: dict[str, Any]) -> None:
        passes = _passes(objective)
        callback(iteration, state if passes is None else {**state, "passes": passes})

    return on_iteration
