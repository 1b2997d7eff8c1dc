"""Regularization paths: the penalized fit at many C, each warm-started from the last.

For C₁ < C₂ < … (strength α = 1/(C·Σsᵢ) decreasing) the fit at Cₖ starts from the solution
at Cₖ₋₁, which is close, so each point costs a few Newton steps. With an L1 share (λ₁ = ρα)
the sequential strong rule (Tibshirani et al., 2012) guesses which coefficients may leave 0:

    j is a candidate at λₖ  ⇔  |∇ⱼf(θ̂ₖ₋₁)| ≥ 2λₖ - λₖ₋₁,

and the solver starts with those in its working set; its KKT check on every column at every
iteration keeps the answer exact where the guess is wrong.

Below ``critical_C`` every coefficient of an L1 fit is exactly 0: at the intercept-only fit
θ₀ the KKT conditions |∇ⱼf(θ₀)| ≤ λ₁ hold for all j while λ₁ ≥ ‖∇_w f(θ₀)‖∞, that is

    C ≤ C₀ = ρ / (Σsᵢ · ‖∇_w f(θ₀)‖∞).
"""

from __future__ import annotations

from typing import Any, NamedTuple, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from logistic.core.losses import Loss, get_loss
from logistic.core.objective import Objective
from logistic.fitting.problem import (
    FitSettings,
    Problem,
    choose_solver,
    initial_theta,
    penalty_at,
    prepare,
)
from logistic.fitting.run import run_solver
from logistic.fitting.validation import TrainingColumns, checked_X_y, grid_of_Cs
from logistic.solvers.newton_cd import HessianMemory

__all__ = ["LogisticPath", "critical_C", "grid_of_Cs", "logistic_path", "solve_path"]

Array = NDArray[np.float64]


class LogisticPath(NamedTuple):
    """A path, in the order of ``Cs``.

    coefs : (n_Cs, n_features [+ 1]) for two classes, intercept last (as scikit-learn's
        path); (n_Cs, K, n_features [+ 1]) for K classes.
    Cs : (n_Cs,) the inverse strengths.
    n_iter : (n_Cs,) solver iterations at each C (summed over one-vs-rest's classes).
    """

    coefs: Array
    Cs: Array
    n_iter: NDArray[np.int64]


def logistic_path(
    X: Any,
    y: ArrayLike,
    *,
    Cs: int | ArrayLike = 10,
    penalty: str = "l1",
    l1_ratio: float | None = None,
    fit_intercept: bool = True,
    sample_weight: ArrayLike | None = None,
    class_weight: Any = None,
    max_iter: int = 100,
    tol: float = 1e-6,
    multi_class: str = "multinomial",
    offset: ArrayLike | None = None,
    trials: ArrayLike | None = None,
) -> LogisticPath:
    """Fits ``LogisticRegression(penalty, C=C, ...)`` for every C in ``Cs``, warm-started.

    ``Cs`` is a list of C > 0, or an int n for n values spaced evenly in log between 1e-4
    and 1e4 (scikit-learn's grid). The parameters mean what they mean in
    ``LogisticRegression``; ``penalty`` is 'l1', 'elasticnet' or 'l2'. ``offset`` and
    ``trials`` are ``LogisticRegression.fit``'s (two classes).
    """
    if penalty not in ("l1", "elasticnet", "l2"):
        raise ValueError(f"penalty must be 'l1', 'elasticnet' or 'l2' on a path, got {penalty!r}")
    settings = FitSettings(
        penalty,
        l1_ratio=l1_ratio,
        fit_intercept=fit_intercept,
        class_weight=class_weight,
        max_iter=max_iter,
        tol=tol,
        multi_class=multi_class,
    )
    grid = grid_of_Cs(Cs)
    problem = _problem(settings, X, y, sample_weight, offset, trials)
    coefs, n_iter = solve_path(settings, problem, grid)
    return LogisticPath(coefs, grid, n_iter)


def _problem(
    settings: FitSettings, X: Any, y: ArrayLike, sample_weight: Any, offset: Any = None,
    trials: Any = None,
) -> Problem:
    """The checked problem of a path (the estimator's checks of parameters and data)."""
    settings = FitSettings.checked(vars(settings))
    X, labels = checked_X_y(TrainingColumns(), X, y)
    return prepare(settings, X, labels, sample_weight, offset=offset, trials=trials)


def solve_path(
    settings: FitSettings, problem: Problem, Cs: Array
) -> tuple[Array, NDArray[np.int64]]:
    """The path on a prepared problem: (coefs, n_iter) in the order of Cs, computed from
    the smallest C up."""
    order = np.argsort(Cs, kind="stable")
    columns = []  # per target: θ at each C (ascending), and iterations
    for target in problem.targets():
        columns.append(_path_for_target(settings, problem, target, Cs[order]))
    coefs = np.empty(len(Cs), dtype=object)
    n_iter = np.zeros(len(Cs), dtype=np.int64)
    for rank, position in enumerate(order):
        pairs = [(objective, thetas[rank]) for objective, thetas, _ in columns]
        coef, intercept = problem.family.coefficients(
            pairs, sparse_penalty=settings.sparse_penalty
        )
        coefs[position] = np.column_stack([coef, intercept]) if settings.fit_intercept else coef
        n_iter[position] = sum(iterations[rank] for _, _, iterations in columns)
    stacked = np.stack(list(coefs))
    return (stacked[:, 0, :] if problem.classes.size == 2 else stacked), n_iter


def _path_for_target(
    settings: FitSettings, problem: Problem, target: Array, Cs_ascending: Array
) -> tuple[Objective, list[Array], list[int]]:
    """(objective, θ at each C, iterations at each C) for one target, warm-started."""
    weights = problem.weights
    loss = cast(Loss, problem.family.loss(get_loss(settings.loss), target))
    smooth = penalty_at(settings, weights, Cs_ascending[0]).smooth
    objective = Objective(problem.X, target, weights, loss, smooth, bool(settings.fit_intercept),
                          offset=problem.offset)
    theta = initial_theta(objective, target, weights)
    thetas, iterations = [], []
    previous_l1, previous_gradient = None, None
    memory = HessianMemory()
    for C in Cs_ascending:
        penalty = penalty_at(settings, weights, C)
        objective.penalty = penalty.smooth
        solver = choose_solver(settings, objective)
        candidates = None
        if solver == "newton-cd":
            candidates = _strong_set(objective, previous_gradient, penalty.l1, previous_l1)
        result = run_solver(objective, settings, theta, solver, l1=penalty.l1, memory=memory,
                            candidates=candidates, report=False)
        theta = result.theta
        previous_l1, previous_gradient = penalty.l1, result.gradient
        thetas.append(theta)
        iterations.append(result.n_iter)
    return objective, thetas, iterations


def _strong_set(
    objective: Objective, gradient: Array | None, l1: float, previous_l1: float | None
) -> NDArray[np.bool_] | None:
    """Features with |∇ⱼf(θ̂ₖ₋₁)| ≥ 2λₖ - λₖ₋₁ in some class (None without a previous fit)."""
    if gradient is None or previous_l1 is None:
        return None
    rows = gradient.reshape(objective.n_outputs, objective.row_length)
    entering = np.abs(rows[:, : objective.n_features]) >= 2 * l1 - previous_l1
    return np.asarray(entering.any(axis=0))


def critical_C(
    X: Any,
    y: ArrayLike,
    *,
    l1_ratio: float = 1.0,
    fit_intercept: bool = True,
    sample_weight: ArrayLike | None = None,
    class_weight: Any = None,
    multi_class: str = "multinomial",
) -> float:
    """C₀ = ρ / (Σsᵢ·‖∇_w f(θ₀)‖∞): the largest C at which an L1 (or elastic-net) fit has
    every coefficient exactly 0; any larger C lets one in. ``inf`` if no feature ever
    enters (every ∇ⱼf(θ₀) = 0)."""
    settings = FitSettings(
        "elasticnet",
        l1_ratio=l1_ratio,
        fit_intercept=fit_intercept,
        class_weight=class_weight,
        multi_class=multi_class,
    )
    problem = _problem(settings, X, y, sample_weight)
    largest = 0.0
    for target in problem.targets():
        loss = cast(Loss, problem.family.loss(get_loss(settings.loss), target))
        objective = Objective(problem.X, target, problem.weights, loss, None,
                              bool(settings.fit_intercept))
        # w = 0 with the log-odds (log-priors) of the weighted class shares as intercepts:
        # exactly the intercept-only optimum, where Σ s̃ᵢ(ŷᵢ - yᵢ) = 0
        theta0 = initial_theta(objective, target, problem.weights)
        rows = objective.gradient(theta0).reshape(objective.n_outputs, objective.row_length)
        largest = max(largest, float(np.max(np.abs(rows[:, : objective.n_features]))))
    if largest == 0.0:
        return np.inf
    total = float(problem.weights.sum())
    return float(l1_ratio / (total * largest))
