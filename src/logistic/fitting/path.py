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

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from logistic.models.logistic_regression import LogisticRegression
from logistic.solvers import SOLVERS
from logistic.solvers.newton_cd import HessianMemory

__all__ = ["LogisticPath", "critical_C", "logistic_path"]

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
    X,
    y: ArrayLike,
    *,
    Cs: int | ArrayLike = 10,
    penalty: str = "l1",
    l1_ratio: float | None = None,
    fit_intercept: bool = True,
    sample_weight: ArrayLike | None = None,
    class_weight=None,
    max_iter: int = 100,
    tol: float = 1e-6,
    multi_class: str = "multinomial",
) -> LogisticPath:
    """Fits ``LogisticRegression(penalty, C=C, ...)`` for every C in ``Cs``, warm-started.

    ``Cs`` is a list of C > 0, or an int n for n values spaced evenly in log between 1e-4
    and 1e4 (scikit-learn's grid). The parameters mean what they mean in
    ``LogisticRegression``; ``penalty`` is 'l1', 'elasticnet' or 'l2'.
    """
    if penalty not in ("l1", "elasticnet", "l2"):
        raise ValueError(f"penalty must be 'l1', 'elasticnet' or 'l2' on a path, got {penalty!r}")
    model = LogisticRegression(
        penalty,
        l1_ratio=l1_ratio,
        fit_intercept=fit_intercept,
        class_weight=class_weight,
        max_iter=max_iter,
        tol=tol,
        multi_class=multi_class,
    )
    Cs = grid_of_Cs(Cs)
    model._check_params()
    X, classes, y_index, weights = model._prepare(X, y, sample_weight)
    coefs, n_iter = solve_path(model, X, y_index, classes, weights, Cs)
    return LogisticPath(coefs, Cs, n_iter)


def grid_of_Cs(Cs: int | ArrayLike) -> Array:
    """An int n → n values from 1e-4 to 1e4, evenly spaced in log; else the values, checked."""
    if isinstance(Cs, int | np.integer) and not isinstance(Cs, bool):
        if Cs < 1:
            raise ValueError(f"Cs must be a positive int or a list of C > 0, got {Cs!r}")
        return np.logspace(-4, 4, int(Cs))
    try:
        values = np.asarray(Cs, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"Cs must be a positive int or a list of C > 0, got {Cs!r}") from None
    if values.size == 0 or not np.all(np.isfinite(values) & (values > 0)):
        raise ValueError(f"C must be a finite number > 0; Cs has {Cs!r}")
    return values


def solve_path(
    model: LogisticRegression, X, y_index, classes, weights, Cs: Array
) -> tuple[Array, NDArray[np.int64]]:
    """The path on prepared data (``LogisticRegression._prepare``): (coefs, n_iter) in the
    order of Cs, computed from the smallest C up."""
    order = np.argsort(Cs, kind="stable")
    columns = []  # per target: θ at each C (ascending), and iterations
    for target in model._targets(classes, y_index):
        columns.append(_path_for_target(model, X, target, weights, Cs[order]))
    coefs = np.empty(len(Cs), dtype=object)
    n_iter = np.zeros(len(Cs), dtype=np.int64)
    for rank, position in enumerate(order):
        pairs = [(objective, thetas[rank]) for objective, thetas, _ in columns]
        coef, intercept = model._coefficients(pairs)
        coefs[position] = np.column_stack([coef, intercept]) if model.fit_intercept else coef
        n_iter[position] = sum(iterations[rank] for _, _, iterations in columns)
    stacked = np.stack(list(coefs))
    return (stacked[:, 0, :] if classes.size == 2 else stacked), n_iter


def _path_for_target(model, X, target, weights, Cs_ascending):
    """(objective, θ at each C, iterations at each C) for one target, warm-started."""
    penalty = model._penalty(weights, Cs_ascending[0]).smooth
    objective = model._objective(X, target, weights, penalty)
    theta = model._initial_theta(objective, target, weights)
    thetas, iterations = [], []
    previous_l1, previous_gradient = None, None
    memory = HessianMemory()
    for C in Cs_ascending:
        penalty = model._penalty(weights, C)
        objective.penalty = penalty.smooth
        solver = model._choose_solver(objective)
        options = {"max_iter": int(model.max_iter), "tol": float(model.tol)}
        if solver == "newton-cd":
            options["l1"] = penalty.l1
            options["memory"] = memory
            options["candidates"] = _strong_set(
                objective, previous_gradient, penalty.l1, previous_l1
            )
        result = SOLVERS[solver](objective, theta, **options)
        model._warn_unless_converged(result, solver)
        theta = result.theta
        previous_l1, previous_gradient = penalty.l1, result.gradient
        thetas.append(theta)
        iterations.append(result.n_iter)
    return objective, thetas, iterations


def _strong_set(objective, gradient, l1: float, previous_l1: float | None):
    """Features with |∇ⱼf(θ̂ₖ₋₁)| ≥ 2λₖ - λₖ₋₁ in some class (None without a previous fit)."""
    if gradient is None or previous_l1 is None:
        return None
    rows = gradient.reshape(objective.n_outputs, objective.row_length)
    return (np.abs(rows[:, : objective.n_features]) >= 2 * l1 - previous_l1).any(axis=0)


def critical_C(
    X,
    y: ArrayLike,
    *,
    l1_ratio: float = 1.0,
    fit_intercept: bool = True,
    sample_weight: ArrayLike | None = None,
    class_weight=None,
    multi_class: str = "multinomial",
) -> float:
    """C₀ = ρ / (Σsᵢ·‖∇_w f(θ₀)‖∞): the largest C at which an L1 (or elastic-net) fit has
    every coefficient exactly 0; any larger C lets one in. ``inf`` if no feature ever
    enters (every ∇ⱼf(θ₀) = 0)."""
    model = LogisticRegression(
        "elasticnet",
        l1_ratio=l1_ratio,
        fit_intercept=fit_intercept,
        class_weight=class_weight,
        multi_class=multi_class,
    )
    model._check_params()
    X, classes, y_index, weights = model._prepare(X, y, sample_weight)
    largest = 0.0
    for target in model._targets(classes, y_index):
        objective = model._objective(X, target, weights)
        # w = 0 with the log-odds (log-priors) of the weighted class shares as intercepts:
        # exactly the intercept-only optimum, where Σ s̃ᵢ(ŷᵢ - yᵢ) = 0
        theta0 = model._initial_theta(objective, target, weights)
        rows = objective.gradient(theta0).reshape(objective.n_outputs, objective.row_length)
        largest = max(largest, float(np.max(np.abs(rows[:, : objective.n_features]))))
    if largest == 0.0:
        return np.inf
    total = float(weights.sum())
    return float(l1_ratio / (total * largest))
