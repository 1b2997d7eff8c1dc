"""Training curves: the loss J and ‖∇J‖∞ per iteration of one fit or several, and the two
comparisons the seeds motivate, drawn from fits made here::

    training_curves(fits)     J and ‖∇J‖∞ per iteration of anything with loss/gradient histories
    solver_comparison(X, y)   gradient descent vs Newton vs L-BFGS on the same data
    loss_comparison(X, y)     squared error vs cross-entropy, gradient descent from one start
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike, NDArray

from logistic.exceptions import ConvergenceWarning, TrainingDivergenceWarning
from logistic.viz.figures import PALETTE, new_figure

__all__ = [
    "UNIT_SCALE", "cost_rose", "fit_losses", "fit_solvers", "loss_comparison",
    "solver_comparison", "training_curves", "warn_if_diverging",
]

#: Features whose root mean square is at most this count as scaled: a rising cost on them
#: asks for a smaller step, not for standardizing.
UNIT_SCALE = 10.0


def _history(fit: Any, names: Sequence[str]) -> NDArray | None:
    for name in names:
        if isinstance(fit, Mapping) and name in fit:
            return np.asarray(fit[name], dtype=np.float64).ravel()
        value = getattr(fit, name, None)
        if value is not None:
            return np.asarray(value, dtype=np.float64).ravel()
    return None


def _draw_history(ax: Any, x_label: str, values: NDArray, label: str, color: str,
                  gid: str) -> None:
    ax.plot(np.arange(values.size), values, color=color, lw=1.8,
            marker="." if values.size < 40 else None, ms=4, label=x_label, gid=gid)


def training_curves(
    fits: Any,
    *,
    title: str | None = None,
    common: Mapping[str, ArrayLike] | None = None,
    common_label: str = "common yardstick",
) -> Figure:
    """The loss J and the gradient norm per iteration of one fit or of several.

    ``fits`` is one fitted object or a mapping ``label → fit``. A fit is anything with a loss
    history: an estimator's ``loss_history_`` / ``grad_norm_history_``, a ``SolverResult``'s
    ``loss_history`` / ``grad_norm_history``, a mapping with keys 'loss' / 'grad_norm', or a
    plain array of losses (then without a gradient curve). Iteration 0 is the start.

    ``common`` (optional, ``label → values per iteration``) adds a first panel with one
    quantity measured the same way for every fit (``common_label`` names it), for fits whose
    own losses are not comparable, e.g. squared error vs cross-entropy.
    gids: 'loss:<label>', 'grad:<label>', 'common:<label>'.
    """
    if isinstance(fits, Mapping) and not {"loss", "loss_history"} & set(fits):
        items = list(fits.items())
    else:
        items = [(getattr(fits, "solver_", None) or "fit", fits)]
    if not items:
        raise ValueError("no fits to draw")
    panels = 3 if common else 2
    figure = new_figure((4.8 * panels, 3.8))
    axes = list(figure.subplots(1, panels))
    first = axes.pop(0) if common else None
    left, right = axes
    for k, (label, fit) in enumerate(items):
        if isinstance(fit, np.ndarray | list | tuple):
            loss, grad = np.asarray(fit, dtype=np.float64).ravel(), None
        else:
            loss = _history(fit, ("loss_history_", "loss_history", "loss"))
            grad = _history(fit, ("grad_norm_history_", "grad_norm_history", "grad_norm"))
        if loss is None:
            raise ValueError(
                f"{label!r} has no loss history (loss_history_, loss_history or 'loss'); "
                "a model read from a file keeps none: refit it"
            )
        color = PALETTE[k % len(PALETTE)]
        _draw_history(left, str(label), loss, str(label), color, f"loss:{label}")
        if grad is not None:
            _draw_history(right, str(label), grad, str(label), color, f"grad:{label}")
        if first is not None and label in common:
            values = np.asarray(common[label], dtype=np.float64).ravel()
            _draw_history(first, str(label), values, str(label), color, f"common:{label}")
    left.set(xlabel="iteration", ylabel="J(w)",
             title="loss J (each fit's own)" if common else "loss J")
    right.set(xlabel="iteration", ylabel=r"$\|\nabla J\|_\infty$", yscale="log",
              title="gradient norm (log scale)")
    left.legend(fontsize=8)
    if right.lines:
        right.legend(fontsize=8)
    if first is not None:
        first.set(xlabel="iteration", ylabel=common_label, title=common_label)
        first.legend(fontsize=8)
    if title:
        figure.suptitle(title)
    return figure


def cost_rose(loss: ArrayLike) -> bool:
    """Whether a loss history ever rose (by more than 1e-9 relative, rounding's share) or
    left the finite numbers: gradient descent with a step η < 2/L (L the curvature's bound)
    never raises the cost of a convex objective, so a rise means η is too long."""
    values = np.asarray(loss, dtype=np.float64).ravel()
    if not np.isfinite(values).all():
        return True
    rise = np.diff(values) > 1e-9 * np.maximum(1.0, np.abs(values[:-1]))
    return bool(rise.any())


def _root_mean_squares(X: Any) -> NDArray:
    """√(mean of x²) of each column of X (dense or sparse): the scale the step η meets."""
    if hasattr(X, "multiply") and hasattr(X, "tocsr"):  # a SciPy sparse matrix
        squares = np.asarray(X.multiply(X).mean(axis=0), dtype=np.float64).ravel()
    else:
        values = np.asarray(X, dtype=np.float64)
        squares = np.mean(np.square(values), axis=0) if values.size else np.zeros(1)
    return np.sqrt(squares)


def warn_if_diverging(model: Any, X: Any, what: str = "gradient descent") -> None:
    """A ``TrainingDivergenceWarning`` when ``model``'s loss history rose (:func:`cost_rose`),
    naming the cost's path, the step η and the features' largest root mean square; it
    suggests standardizing the features (``--standardize``) when that is over
    :data:`UNIT_SCALE`, else a smaller learning rate."""
    loss = getattr(model, "loss_history_", None)
    if loss is None or not cost_rose(loss):
        return
    loss = np.asarray(loss, dtype=np.float64).ravel()
    rms = _root_mean_squares(X)
    names = list(getattr(X, "columns", [f"x{j + 1}" for j in range(rms.size)]))
    worst = int(np.nanargmax(rms)) if np.isfinite(rms).any() else 0
    eta = getattr(model, "learning_rate", None)
    rises = int(np.count_nonzero(np.diff(loss) > 0))
    path = (f"the cost J went from {loss[0]:.4g} to {loss[-1]:.4g}, rising in {rises} of "
            f"{loss.size - 1} iterations, with η = {eta:g}")
    if rms[worst] > UNIT_SCALE:
        advice = (f"the features are unscaled (root mean square up to {rms[worst]:.3g}, "
                  f"column {str(names[worst])!r}): standardize them (logistic plot training "
                  "--standardize; StandardScaler in Python) or take a smaller learning rate "
                  "(--learning-rate)")
    else:
        advice = ("the step is too long for this curvature: take a smaller learning rate "
                  "(--learning-rate)")
    warnings.warn(f"{what} diverged: {path}; {advice}", TrainingDivergenceWarning,
                  stacklevel=3)


def fit_solvers(
    X: Any,
    y: ArrayLike,
    *,
    solvers: Iterable[str] = ("gd", "newton", "lbfgs"),
    max_iter: int = 200,
    learning_rate: float = 0.5,
    **params: Any,
) -> dict[str, Any]:
    """One ``LogisticRegression`` per solver, fitted on the same (X, y) from the same start.

    ``params`` go to every model (e.g. ``penalty='l2'``, ``tol``). Gradient descent running
    out of iterations is the point of the comparison, so ``ConvergenceWarning`` is silenced;
    each model's ``converged_`` says how it went. Gradient descent whose cost rose gives a
    ``TrainingDivergenceWarning`` (:func:`warn_if_diverging`).
    """
    from logistic.models.logistic_regression import LogisticRegression

    fits = {}
    for solver in solvers:
        model = LogisticRegression(solver=solver, max_iter=max_iter,
                                   learning_rate=learning_rate, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fits[solver] = model.fit(X, y)
        if solver == "gd":
            warn_if_diverging(fits[solver], X)
    return fits


_LOSSES = (("squared error", "squared_error"), ("cross-entropy", "cross_entropy"))


def _fit_gd(X: Any, y: ArrayLike, loss: str, start: tuple[ArrayLike, float] | None,
            params: dict[str, Any]) -> Any:
    """Gradient descent on ``loss`` from ``start`` = (w, b), or the estimator's default."""
    from logistic.models.logistic_regression import LogisticRegression

    model = LogisticRegression(loss=loss, solver="gd", **params)
    if start is not None:
        coef, intercept = start
        model.set_params(warm_start=True)
        model.coef_ = np.asarray(coef, dtype=np.float64).reshape(1, -1)
        model.intercept_ = np.array([float(intercept)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    warn_if_diverging(model, X, f"gradient descent on the {loss.replace('_', ' ')}")
    return model


def fit_losses(
    X: Any,
    y: ArrayLike,
    *,
    start: tuple[ArrayLike, float] | None = None,
    max_iter: int = 300,
    learning_rate: float = 0.5,
    **params: Any,
) -> dict[str, Any]:
    """Gradient descent on the squared error ½(y − σ(z))² and on the cross-entropy, from the
    same start with the same step η.

    ``start`` = (w, b) sets the starting point (default: w = 0, b = the log-odds of the
    classes, the estimator's own start). Returns ``{'squared error': model,
    'cross-entropy': model}``; ConvergenceWarning is silenced, and a rising cost warned
    about, as in :func:`fit_solvers`.
    """
    options = {"max_iter": max_iter, "learning_rate": learning_rate, **params}
    return {label: _fit_gd(X, y, loss, start, options) for label, loss in _LOSSES}


def _with_outcome(fits: Mapping[str, Any]) -> dict[str, Any]:
    return {_outcome(label, model): model for label, model in fits.items()}


def _outcome(label: str, model: Any) -> str:
    state = "" if model.converged_ else ", not converged"
    return f"{label} ({int(model.n_iter_.max())} it.{state})"


def solver_comparison(X: Any, y: ArrayLike, **options: Any) -> Figure:
    """Gradient descent vs Newton vs L-BFGS on the same data (options: :func:`fit_solvers`).

    Newton's gradient norm falls quadratically in a handful of iterations, L-BFGS's
    super-linearly, gradient descent's linearly at best.
    """
    return training_curves(_with_outcome(fit_solvers(X, y, **options)),
                           title="Gradient descent vs Newton vs L-BFGS, same data, same start")


def loss_comparison(
    X: Any,
    y: ArrayLike,
    *,
    start: tuple[ArrayLike, float] | None = None,
    max_iter: int = 300,
    learning_rate: float = 0.5,
    **params: Any,
) -> Figure:
    """Squared error vs cross-entropy by gradient descent from one start (see
    :func:`fit_losses`), with a first panel that measures both paths by the same yardstick:
    the cross-entropy −(1/m) Σ [y log ŷ + (1 − y) log(1 − ŷ)] of every iterate.

    The squared error's gradient −(y − ŷ)·σ'(z)·x is damped by σ'(z) ≤ 0.25 and vanishes
    for confident mistakes; the cross-entropy's −(y − ŷ)·x is not: with the same step it
    learns faster, most of all from a confidently wrong start.
    """
    from logistic.core.losses import cross_entropy
    from logistic.core.objective import Objective

    X_array = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y).ravel()
    classes = np.unique(labels)
    if classes.size != 2:
        raise ValueError(f"the loss comparison needs two classes, y has {classes.size}")
    target = (labels == classes[1]).astype(np.float64)
    intercept = bool(params.get("fit_intercept", True))
    measure = Objective(X_array, target, None, cross_entropy, None, intercept)
    if start is None:
        mean = float(np.clip(target.mean(), 1e-12, 1 - 1e-12))
        start = (np.zeros(X_array.shape[1]), float(np.log(mean / (1 - mean))) * intercept)
    theta0 = measure.join(np.asarray(start[0], dtype=np.float64).ravel(), float(start[1]))

    fits, common = {}, {}
    for label, loss in _LOSSES:
        path = [measure.value(theta0)]

        def record(iteration: int, state: dict, path: list = path) -> None:
            path.append(measure.value(np.asarray(state["theta"], dtype=np.float64)))

        options = {"max_iter": max_iter, "learning_rate": learning_rate, "callback": record,
                   **params}
        model = _fit_gd(X if hasattr(X, "columns") else X_array, labels, loss, start, options)
        name = _outcome(label, model)
        fits[name], common[name] = model, path
    return training_curves(
        fits, common=common, common_label="cross-entropy of the iterates",
        title="Squared error vs cross-entropy, gradient descent, same start, same step",
    )
