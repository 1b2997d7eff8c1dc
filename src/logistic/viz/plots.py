"""The seeds' figures, and the figures of a fitted model on the user's data (matplotlib).

Every function returns a :class:`matplotlib.figure.Figure` drawn on the Agg canvas; nothing
here touches ``pyplot`` or the global backend, so importing this module changes nothing for
an interactive session and figures are freed with their last reference.

The seeds' story::

    sigmoid_figure()          σ(z) with its limits 0 (z → −∞), ½ (z = 0), 1 (z → +∞)
    derivatives_figure()      σ'(z) = σ(1 − σ), maximum 0.25 at z = 0, vanishing tails; σ''(z)
    cost_figure()             −log(h) for y = 1, −log(1 − h) for y = 0, the three cases of seed 001
    boundary_figure(W or model, X, y)
                              σ(z) as shading, the line (W = [−3, 1, 1]: x₁ + x₂ = 3) or the
                              circle of squared features (``transform=np.square`` or a Pipeline)
    training_curves(fits)     J and ‖∇J‖∞ per iteration of anything with loss/gradient histories
    solver_comparison(X, y)   gradient descent vs Newton vs L-BFGS on the same data
    loss_comparison(X, y)     squared error vs cross-entropy, gradient descent from one start

A fitted model on data (binary; multiclass where it makes sense, else a ValueError)::

    roc_figure(model, X, y)           ROC curve(s) with AUC (one-vs-rest for K classes)
    calibration_figure(model, X, y)   reliability curve(s) and the histogram of probabilities
    coefficient_figure(model)         coefficients with Wald intervals (none when penalized)
    scores_figure(model, X, y)        the distribution of z with σ'(z): who still drives learning

Artists that carry the figure's numbers have a ``gid`` (see :func:`artists`), so a test or a
reader can get the plotted values back, e.g. ``artists(fig, "boundary")[0].get_xydata()``.
:func:`save_figure` writes PNG or SVG atomically; :func:`png_bytes` gives the PNG in memory.
"""

from __future__ import annotations

import io
import os
import textwrap
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import ArrayLike, NDArray

from logistic.core.boundary import DecisionBoundary
from logistic.core.sigmoid import sigmoid, sigmoid_derivative, sigmoid_second_derivative
from logistic.exceptions import ConvergenceWarning
from logistic.io.atomic import write_atomically

__all__ = [
    "FIGURE_FORMATS",
    "LEARNING_THRESHOLD",
    "artists",
    "boundary_figure",
    "calibration_figure",
    "coefficient_figure",
    "cost_figure",
    "derivatives_figure",
    "fit_losses",
    "fit_solvers",
    "loss_comparison",
    "png_bytes",
    "roc_figure",
    "save_figure",
    "scores_figure",
    "sigmoid_figure",
    "solver_comparison",
    "training_curves",
]

#: The file formats :func:`save_figure` writes, by suffix.
FIGURE_FORMATS = ("png", "svg")

#: σ'(z) at or above this (a tenth of its maximum 0.25) counts as "still learning".
LEARNING_THRESHOLD = 0.025

#: Seed 001's three cases: (y, ŷ).
COST_CASES = ((1, 0.2), (1, 0.8), (0, 0.9))

_BLUE, _RED, _GREEN, _GREY = "#1f77b4", "#d62728", "#2ca02c", "#7f7f7f"
_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
            "#17becf", "#bcbd22", "#7f7f7f")


# -- helpers ---------------------------------------------------------------------------------
def _figure(size: tuple[float, float]) -> Figure:
    """A new figure on its own Agg canvas (no pyplot, no global state)."""
    figure = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def artists(figure: Figure, gid: str, *, prefix: bool = False) -> list[Artist]:
    """The artists of ``figure`` whose gid is ``gid`` (or starts with it, ``prefix=True``)."""

    def match(artist: Artist) -> bool:
        name = artist.get_gid()
        return isinstance(name, str) and (name.startswith(gid) if prefix else name == gid)

    return figure.findobj(match)


def _note(figure: Figure, text: str) -> None:
    """A sentence under the axes (gid 'note'), wrapped to the figure's width."""
    width = max(40, int(figure.get_figwidth() * 14))
    figure.supxlabel(textwrap.fill(text, width), fontsize=7.5, color="#444444", gid="note")


def _binary_only(model: Any, what: str) -> None:
    classes = getattr(model, "classes_", None)
    if classes is not None and len(classes) > 2:
        raise ValueError(
            f"the {what} is for a binary model; this model has {len(classes)} classes "
            f"({', '.join(map(str, classes[:5]))}{', ...' if len(classes) > 5 else ''})"
        )


def _labels(model: Any, y: ArrayLike) -> NDArray:
    """y as an array of the model's labels; a ValueError names labels the model never saw."""
    if not hasattr(model, "classes_"):
        raise ValueError("the model is not fitted (it has no classes_)")
    y = np.asarray(y).ravel()
    classes = np.asarray(model.classes_)
    unknown = pd.unique(y[~np.isin(y, classes)])
    if unknown.size:
        shown = ", ".join(repr(v) for v in unknown[:5].tolist())
        raise ValueError(
            f"the labels {shown} are not classes of the model "
            f"({', '.join(repr(c) for c in classes.tolist())})"
        )
    return y


def _check_rows(X: Any, y: NDArray) -> None:
    rows = np.shape(X)[0]
    if rows != y.shape[0]:
        raise ValueError(f"X has {rows} rows but y has {y.shape[0]}")


def _scores_of(model: Any, points: NDArray, transform: Callable | None) -> NDArray:
    """z of ``model`` at the (n, 2) ``points`` (after ``transform``), keeping column names."""
    values = points if transform is None else transform(points)
    names = getattr(model, "feature_names_in_", None)
    if names is not None and not isinstance(values, pd.DataFrame):
        values = np.asarray(values)
        if values.ndim == 2 and values.shape[1] == len(names):
            values = pd.DataFrame(values, columns=list(names))
    if isinstance(model, DecisionBoundary):
        values = np.asarray(values, dtype=np.float64)
        if values.shape[1] != model.coef.size:
            raise ValueError(
                f"the boundary has {model.coef.size} weights for {values.shape[1]} features"
            )
        return model.z(values)
    z = np.asarray(model.decision_function(values), dtype=np.float64)
    if z.ndim != 1:
        raise ValueError(
            f"the decision boundary is for a binary model; this one gives {z.shape[1]} scores "
            "per sample"
        )
    return z


# -- the seeds' functions --------------------------------------------------------------------
def sigmoid_figure(z_min: float = -8.0, z_max: float = 8.0, n: int = 801) -> Figure:
    """σ(z) = 1/(1 + e^−z) on [z_min, z_max], with its limits marked (seed 001).

    gids: 'sigmoid' (the curve), 'limit:0' and 'limit:1' (the asymptotes), 'limit:0.5' (the
    point (0, ½)).
    """
    if not z_min < 0 < z_max:
        raise ValueError("the range must contain z = 0")
    figure = _figure((6.4, 3.8))
    ax = figure.add_subplot()
    z = np.linspace(z_min, z_max, n)
    ax.plot(z, sigmoid(z), color=_BLUE, lw=2.2, gid="sigmoid",
            label=r"$\sigma(z) = \dfrac{1}{1 + e^{-z}}$")
    ax.axhline(0.0, color=_GREY, ls="--", lw=1, gid="limit:0")
    ax.axhline(1.0, color=_GREY, ls="--", lw=1, gid="limit:1")
    ax.axhline(0.5, color=_GREY, ls=":", lw=0.8)
    ax.axvline(0.0, color=_GREY, ls=":", lw=0.8)
    ax.plot([0.0], [float(sigmoid(0.0))], "o", color=_RED, ms=7, gid="limit:0.5",
            label=r"$\sigma(0) = \frac{1}{2}$")
    ax.annotate(r"$\sigma(z) \to 1$ as $z \to +\infty$", xy=(0.55 * z_max, 1.0),
                xytext=(0.2 * z_max, 0.82), arrowprops={"arrowstyle": "->", "color": _GREY})
    ax.annotate(r"$\sigma(z) \to 0$ as $z \to -\infty$", xy=(0.55 * z_min, 0.0),
                xytext=(0.95 * z_min, 0.15), arrowprops={"arrowstyle": "->", "color": _GREY})
    ax.annotate(r"$z = 0$: $\sigma = \frac{1}{2}$, the decision boundary", xy=(0.0, 0.5),
                xytext=(0.12 * z_max, 0.42), fontsize=9)
    ax.set(xlim=(z_min, z_max), ylim=(-0.08, 1.08), xlabel="z = w·x + b",
           ylabel=r"$\hat{y} = \sigma(z)$", title="The sigmoid and its limits")
    ax.legend(loc="upper left", fontsize=9)
    return figure


def derivatives_figure(z_min: float = -8.0, z_max: float = 8.0, n: int = 801,
                       tail: float = 0.01) -> Figure:
    """σ'(z) = σ(z)(1 − σ(z)) with its maximum 0.25 at z = 0 and its vanishing tails, and
    σ''(z) = σ'(z)(1 − 2σ(z)) whose zero at z = 0 locates that maximum (seed 003).

    The tails are shaded where σ'(z) < ``tail``. gids: 'sigmoid_derivative', 'max' (the point
    (0, 0.25)), 'tail:left', 'tail:right', 'sigmoid_second_derivative', 'zero' (the point
    (0, 0)), 'extremum' (σ'' at z = ±log(2 + √3), where σ' bends most).
    """
    if not z_min < 0 < z_max:
        raise ValueError("the range must contain z = 0")
    figure = _figure((6.4, 5.6))
    top, bottom = figure.subplots(2, 1, sharex=True)
    z = np.linspace(z_min, z_max, n)

    top.plot(z, sigmoid_derivative(z), color=_BLUE, lw=2.2, gid="sigmoid_derivative",
             label=r"$\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$")
    peak = float(sigmoid_derivative(0.0))
    top.plot([0.0], [peak], "o", color=_RED, ms=7, gid="max",
             label=rf"maximum $\sigma'(0) = {peak:g}$")
    # σ'(z) = tail ⇔ σ(z) = (1 ± √(1 − 4·tail)) / 2
    edge = float(np.log((1 + np.sqrt(1 - 4 * tail)) / (1 - np.sqrt(1 - 4 * tail))))
    top.axvspan(z_min, -edge, color=_GREY, alpha=0.15, gid="tail:left",
                label=rf"$\sigma'(z) < {tail:g}$: confident, almost no update")
    top.axvspan(edge, z_max, color=_GREY, alpha=0.15, gid="tail:right")
    top.annotate("largest update where the\nprediction is least certain", xy=(0.0, peak),
                 xytext=(0.3 * z_max, 0.19), fontsize=9,
                 arrowprops={"arrowstyle": "->", "color": _GREY})
    top.set(ylim=(-0.01, 0.29), ylabel=r"$\sigma'(z)$",
            title="The derivative: 0.25 at most, vanishing in the tails")
    top.legend(loc="upper left", fontsize=8)

    bottom.plot(z, sigmoid_second_derivative(z), color=_GREEN, lw=2.2,
                gid="sigmoid_second_derivative",
                label=r"$\sigma''(z) = \sigma'(z)\,(1 - 2\sigma(z))$")
    bottom.axhline(0.0, color=_GREY, lw=0.8)
    bottom.plot([0.0], [0.0], "o", color=_RED, ms=7, gid="zero",
                label=r"$\sigma''(0) = 0$: where $\sigma'$ peaks")
    bend = float(np.log(2 + np.sqrt(3)))
    bottom.plot([-bend, bend], sigmoid_second_derivative(np.array([-bend, bend])), "s",
                color=_GREY, ms=5, gid="extremum",
                label=r"extrema at $z = \pm\log(2+\sqrt{3})$")
    bottom.set(xlim=(z_min, z_max), xlabel="z", ylabel=r"$\sigma''(z)$")
    bottom.legend(loc="upper right", fontsize=8)
    return figure


def cost_figure(cases: Sequence[tuple[int, float]] = COST_CASES) -> Figure:
    """The cost of one sample: −log(h) if y = 1, −log(1 − h) if y = 0 (seed 001).

    Each case (y, ŷ) is marked on its curve with its loss e = −log ŷ or −log(1 − ŷ); for the
    seed's cases −log 0.2 = 1.609, −log 0.8 = 0.223 and −log(1 − 0.9) = −log 0.1 = 2.303.
    gids: 'cost:y=1', 'cost:y=0' (the curves), 'case:y=<y>:yhat=<ŷ>' (the marker at (ŷ, e)),
    'annotation:y=<y>:yhat=<ŷ>' (its text, ending in '= <e>').
    """
    figure = _figure((6.4, 4.2))
    ax = figure.add_subplot()
    h = np.linspace(0.001, 0.999, 999)
    ax.plot(h, -np.log(h), color=_BLUE, lw=2.2, gid="cost:y=1", label=r"$y = 1$: $-\log(h)$")
    ax.plot(h, -np.log1p(-h), color=_RED, lw=2.2, gid="cost:y=0",
            label=r"$y = 0$: $-\log(1 - h)$")
    # where the seed's three cases put their text; other cases go above their point
    places = {(1, 0.2): (0.24, 2.7), (1, 0.8): (0.42, 1.45), (0, 0.9): (0.38, 3.55)}
    for y, y_hat in cases:
        if y not in (0, 1) or not 0.0 < y_hat < 1.0:
            raise ValueError(f"a case is (y in {{0, 1}}, 0 < ŷ < 1), got {(y, y_hat)!r}")
        argument = y_hat if y == 1 else 1.0 - y_hat
        loss = float(-np.log(argument))
        color = _BLUE if y == 1 else _RED
        ax.plot([y_hat], [loss], "o", color=color, ms=8, mec="black",
                gid=f"case:y={y}:yhat={y_hat:g}")
        inside = f"{y_hat:g}" if y == 1 else f"(1 - {y_hat:g}) = -\\log {1 - y_hat:g}"
        text = rf"$y = {y}$, $\hat{{y}} = {y_hat:g}$" + "\n" + (
            rf"$e = -\log {inside}$ = {loss:.4f}"
        )
        place = places.get((y, y_hat), (min(max(y_hat - 0.2, 0.02), 0.7), min(loss + 1.0, 4.2)))
        ax.annotate(text, xy=(y_hat, loss), xytext=place,
                    fontsize=9, gid=f"annotation:y={y}:yhat={y_hat:g}",
                    arrowprops={"arrowstyle": "->", "color": color},
                    bbox={"boxstyle": "round", "fc": "white", "ec": color, "alpha": 0.9})
    ax.set(xlim=(0, 1), ylim=(0, 5), xlabel=r"$h = \hat{y} = \sigma(z)$",
           ylabel="cost of one sample", title="Cross-entropy: a confident mistake costs most")
    ax.legend(loc="upper center", fontsize=9)
    return figure


# -- decision boundary -----------------------------------------------------------------------
def boundary_figure(
    model: Any,
    X: ArrayLike | None = None,
    y: ArrayLike | None = None,
    *,
    transform: Callable[[NDArray], Any] | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    feature_names: Sequence[str] | None = None,
    resolution: int = 200,
) -> Figure:
    """The decision boundary z = 0 of a binary model on two features, over σ(z) as shading.

    Parameters
    ----------
    model : the seeds' weights W = [w₀, w₁, w₂] (array or list), a ``DecisionBoundary``, or a
        fitted binary classifier with ``decision_function`` (a ``LogisticRegression``, or a
        scikit-learn ``Pipeline`` such as ``make_pipeline(FunctionTransformer(np.square),
        LogisticRegression())`` for the seed's circle z = w₀ + w₁x₁² + w₂x₂²).
    X, y : optional data drawn as points (two columns), coloured by label when y is given.
    transform : optional callable applied to the (n, 2) grid points before the model, e.g.
        ``np.square`` for a model fitted on squared features.
    xlim, ylim : the window; default from X with a margin, else (−1, 5) each.
    feature_names : axis labels; default the model's feature names, else x₁, x₂.

    The boundary of a linear score in the plane (W, a ``DecisionBoundary`` or a
    ``LogisticRegression`` without ``transform``) is drawn as the exact line
    x₂ = −(w₀ + w₁x₁)/w₂; any other is the z = 0 contour. gids: 'probability' (the mesh of
    σ(z) on the grid), 'boundary' (the line or contour), 'data:<label>' (points).
    """
    if isinstance(model, list | tuple | np.ndarray):
        model = DecisionBoundary.from_weights(model)
    if isinstance(model, DecisionBoundary):
        linear = model if transform is None else None
        if transform is None and model.coef.size != 2:
            raise ValueError(
                f"a boundary in the plane needs 2 features; these weights have {model.coef.size}"
            )
        names = list(model.feature_names)
        positive = "1"
    else:
        _binary_only(model, "decision boundary")
        if not hasattr(model, "decision_function"):
            raise ValueError("the model needs a decision_function (a fitted binary classifier)")
        n_in = getattr(model, "n_features_in_", None)
        if n_in is not None and n_in != 2:
            raise ValueError(
                f"the decision boundary is drawn in the plane of 2 features; the model takes "
                f"{n_in}"
            )
        linear = None
        if transform is None and hasattr(model, "decision_boundary") and hasattr(model, "coef_"):
            linear = model.decision_boundary()
        raw_names = getattr(model, "feature_names_in_", None)
        names = [str(n) for n in raw_names] if raw_names is not None else ["x1", "x2"]
        classes = getattr(model, "classes_", None)
        positive = str(classes[1]) if classes is not None else "1"
    if feature_names is not None:
        names = [str(n) for n in feature_names]

    points = None
    if X is not None:
        points = np.asarray(X, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"X must have 2 columns for a plane, got shape {points.shape}")

    def window(given, column):
        if given is not None:
            return tuple(map(float, given))
        if points is None:
            return (-1.0, 5.0)
        low, high = float(points[:, column].min()), float(points[:, column].max())
        margin = 0.08 * (high - low) or 1.0
        return (low - margin, high + margin)

    xlim, ylim = window(xlim, 0), window(ylim, 1)
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    with warnings.catch_warnings():
        # a model fitted on a DataFrame gets the grid with its column names; anything else
        # that warns is the model's own business
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        z = _scores_of(model, grid, transform).reshape(grid_x.shape)

    figure = _figure((6.4, 5.0))
    ax = figure.add_subplot()
    mesh = ax.pcolormesh(xs, ys, sigmoid(z), cmap="RdBu_r", vmin=0.0, vmax=1.0,
                         shading="nearest", alpha=0.6, gid="probability", rasterized=True)
    colorbar = figure.colorbar(mesh, ax=ax)
    colorbar.set_label(rf"$\sigma(z)$ = P(y = {positive})")

    if linear is not None:
        w0, (w1, w2) = linear.intercept, linear.coef
        if w2 != 0:
            x1 = np.linspace(*xlim, 2)
            x2 = linear.solve_last(x1)
        elif w1 != 0:
            x1 = np.full(2, -w0 / w1)
            x2 = np.array(ylim)
        else:
            x1 = x2 = np.array([])
        ax.plot(x1, x2, color="black", lw=2.2, gid="boundary", label=f"z = 0: {linear}")
    else:
        if z.min() < 0 < z.max():
            contour = ax.contour(xs, ys, z, levels=[0.0], colors="black", linewidths=2.2)
            contour.set_gid("boundary")
            ax.plot([], [], color="black", lw=2.2, label=r"z = 0 ($\sigma = \frac{1}{2}$)")
        else:
            _note(figure, "The boundary z = 0 does not cross this window.")

    if points is not None:
        if y is None:
            ax.scatter(points[:, 0], points[:, 1], s=14, c="black", alpha=0.6, gid="data")
        else:
            labels = np.asarray(y).ravel()
            if labels.shape[0] != points.shape[0]:
                raise ValueError(f"X has {points.shape[0]} rows but y has {labels.shape[0]}")
            order = getattr(model, "classes_", None)
            order = list(order) if order is not None else sorted(pd.unique(labels).tolist())
            for k, label in enumerate(order):
                chosen = labels == label
                if chosen.any():
                    # the negative class blue and the positive red, as in the shading
                    color = ("#1b4f9c", "#b2182b")[k] if len(order) == 2 else _PALETTE[k % 10]
                    ax.scatter(points[chosen, 0], points[chosen, 1], s=16, color=color,
                               ec="white", lw=0.6, label=f"y = {label}", gid=f"data:{label}")
    ax.set(xlim=xlim, ylim=ylim, xlabel=names[0], ylabel=names[1],
           title="Decision boundary z = 0 and the probability σ(z)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    return figure


# -- training curves -------------------------------------------------------------------------
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
    figure = _figure((4.8 * panels, 3.8))
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
        color = _PALETTE[k % len(_PALETTE)]
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
    each model's ``converged_`` says how it went.
    """
    from logistic.models.logistic_regression import LogisticRegression

    fits = {}
    for solver in solvers:
        model = LogisticRegression(solver=solver, max_iter=max_iter,
                                   learning_rate=learning_rate, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fits[solver] = model.fit(X, y)
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
        return model.fit(X, y)


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
    'cross-entropy': model}``; ConvergenceWarning is silenced as in :func:`fit_solvers`.
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
        model = _fit_gd(X_array, labels, loss, start, options)
        name = _outcome(label, model)
        fits[name], common[name] = model, path
    return training_curves(
        fits, common=common, common_label="cross-entropy of the iterates",
        title="Squared error vs cross-entropy, gradient descent, same start, same step",
    )


# -- a fitted model on data ------------------------------------------------------------------
def roc_figure(model: Any, X: Any, y: ArrayLike) -> Figure:
    """The ROC curve of P(classes_[1]) with its AUC; one-vs-rest curves for K classes.

    The legend reads 'AUC = 0.9876' (4 decimals; '<class> vs rest, AUC = ...' for K classes);
    gid 'roc:<class>' is the curve (x the false-positive rates, y the true-positive rates),
    'chance' the diagonal.
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    y = _labels(model, y)
    _check_rows(X, y)
    proba = np.asarray(model.predict_proba(X))
    classes = np.asarray(model.classes_)
    shown = [1] if len(classes) == 2 else range(len(classes))
    figure = _figure((5.2, 4.8))
    ax = figure.add_subplot()
    ax.plot([0, 1], [0, 1], ls="--", color=_GREY, lw=1, gid="chance", label="chance (AUC = 0.5)")
    for k in shown:
        positive = y == classes[k]
        if positive.all() or not positive.any():
            raise ValueError(
                f"the ROC curve needs samples of class {classes[k]!r} and of the other "
                f"class(es); the data hold {'only' if positive.all() else 'none of'} them"
            )
        fpr, tpr, _ = roc_curve(positive, proba[:, k])
        auc = float(roc_auc_score(positive, proba[:, k]))
        name = "" if len(classes) == 2 else f"{classes[k]} vs rest, "
        ax.plot(fpr, tpr, lw=2, color=_PALETTE[k % len(_PALETTE)],
                label=f"{name}AUC = {auc:.4f}", gid=f"roc:{classes[k]}")
    positive_name = f"positive class: {classes[1]}" if len(classes) == 2 else "one vs rest"
    ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="false positive rate",
           ylabel="true positive rate", title=f"ROC curve ({positive_name})", aspect="equal")
    ax.legend(loc="lower right", fontsize=8)
    return figure


def calibration_figure(
    model: Any, X: Any, y: ArrayLike, *, n_bins: int = 10, strategy: str = "uniform"
) -> Figure:
    """Reliability curve: the observed frequency of a class against its predicted probability
    (``sklearn.calibration.calibration_curve``), and the histogram of the predictions.

    Binary: P(classes_[1]); K classes: one curve per class (one vs rest). gids:
    'calibration:<class>' (x = mean predicted, y = observed frequency per bin),
    'perfect' (the diagonal), 'hist:<class>'.
    """
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    y = _labels(model, y)
    _check_rows(X, y)
    proba = np.asarray(model.predict_proba(X))
    classes = np.asarray(model.classes_)
    shown = [1] if len(classes) == 2 else range(len(classes))
    figure = _figure((5.6, 6.0))
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    top.plot([0, 1], [0, 1], ls="--", color=_GREY, lw=1, gid="perfect",
             label="perfectly calibrated")
    for k in shown:
        positive = (y == classes[k]).astype(int)
        observed, predicted = calibration_curve(positive, proba[:, k], n_bins=n_bins,
                                                strategy=strategy)
        brier = float(brier_score_loss(positive, proba[:, k]))
        color = _PALETTE[k % len(_PALETTE)]
        name = f"P({classes[k]})"
        top.plot(predicted, observed, "o-", color=color, lw=1.8, ms=5,
                 label=f"{name}, Brier = {brier:.4f}", gid=f"calibration:{classes[k]}")
        bottom.hist(proba[:, k], bins=n_bins, range=(0, 1), color=color, alpha=0.5,
                    gid=f"hist:{classes[k]}")
    top.set(xlim=(0, 1), ylim=(0, 1), ylabel="observed frequency",
            title=f"Calibration ({n_bins} {strategy} bins)")
    top.legend(loc="upper left", fontsize=8)
    bottom.set(xlabel="predicted probability", ylabel="samples")
    return figure


def coefficient_figure(model: Any, *, alpha: float = 0.05) -> Figure:
    """The coefficients (intercept first, as in ``model.summary()``) with the confidence
    intervals of its table at level 1 − alpha (Wald, ``model.conf_int()``, for an
    unpenalized fit) where the model has statistics; for a penalized model without them the
    coefficients alone, and the model's ``inference_note_`` below.

    Works for K classes too (the rows of the summary table). gids: 'coef' (the points, x the
    estimates), 'interval' (a LineCollection: one segment [(low, i), (high, i)] per term),
    'zero', 'note'.
    """
    table = model.summary(alpha=alpha).table
    terms = [str(t) for t in table.index]
    coef = table["coef"].to_numpy(dtype=np.float64)
    low, high = (table.iloc[:, -2].to_numpy(dtype=np.float64),
                 table.iloc[:, -1].to_numpy(dtype=np.float64))
    has_interval = bool(np.isfinite(low).all() and np.isfinite(high).all())
    n = len(terms)
    figure = _figure((6.4, min(1.6 + 0.28 * n, 40.0)))
    ax = figure.add_subplot()
    position = np.arange(n)[::-1].astype(np.float64)  # the first term at the top
    ax.axvline(0.0, color=_GREY, lw=1, gid="zero")
    if has_interval:
        container = ax.errorbar(coef, position, xerr=np.vstack([coef - low, high - coef]),
                                fmt="o", color=_BLUE, ecolor=_BLUE, capsize=3, ms=5,
                                label=f"coefficient, {100 * (1 - alpha):g}% interval")
        container.lines[0].set_gid("coef")
        container.lines[2][0].set_gid("interval")
        title = f"Coefficients with {100 * (1 - alpha):g}% confidence intervals"
    else:
        ax.plot(coef, position, "o", color=_BLUE, ms=5, gid="coef", label="coefficient")
        title = "Coefficients (no confidence intervals)"
        note = getattr(model, "inference_note_", None) or "The model has no statistics."
        _note(figure, note)
    ax.set_yticks(position, terms, fontsize=8 if n > 12 else 9)
    ax.set(xlabel="coefficient (change in log-odds per unit)", title=title,
           ylim=(-0.7, n - 0.3))
    ax.legend(loc="best", fontsize=8)
    return figure


def scores_figure(model: Any, X: Any, y: ArrayLike | None = None, *, bins: int = 40) -> Figure:
    """The distribution of z = decision_function(X) with σ'(z) overlaid (seed 003).

    σ'(z) is each sample's weight in the Hessian Xᵀdiag(σ')X and the factor that damps the
    squared error's gradient: samples with σ'(z) ≥ 0.025 (|z| ≤ 3.64, shaded) are the
    uncertain ones that still drive learning; confident ones (large |z|) barely move w.
    Binary models only. gids: 'z' or 'z:<label>' (histograms), 'sigmoid_derivative',
    'learning-zone:count=<k>' (the shaded band; k samples inside).
    """
    _binary_only(model, "score distribution")
    z = np.asarray(model.decision_function(X), dtype=np.float64)
    if z.ndim != 1:
        raise ValueError("the score distribution is for a binary model (one score per sample)")
    labels = None if y is None else _labels(model, y)
    if labels is not None and labels.shape[0] != z.shape[0]:
        raise ValueError(f"X has {z.shape[0]} rows but y has {labels.shape[0]}")
    # σ'(z) = c ⇔ |z| = log((1 + √(1 − 4c)) / (1 − √(1 − 4c)))
    root = np.sqrt(1 - 4 * LEARNING_THRESHOLD)
    edge = float(np.log((1 + root) / (1 - root)))
    inside = int(np.count_nonzero(sigmoid_derivative(z) >= LEARNING_THRESHOLD))

    figure = _figure((7.0, 4.2))
    ax = figure.add_subplot()
    low, high = min(float(z.min()), -edge - 1), max(float(z.max()), edge + 1)
    ax.axvspan(-edge, edge, color="#ffdd88", alpha=0.35, gid=f"learning-zone:count={inside}",
               label=rf"$\sigma'(z) \geq {LEARNING_THRESHOLD:g}$: {inside} of {z.size} samples")
    if labels is None:
        ax.hist(z, bins=bins, range=(low, high), color=_BLUE, alpha=0.7, gid="z", label="z")
    else:
        for k, label in enumerate(np.asarray(model.classes_)):
            chosen = labels == label
            if chosen.any():
                ax.hist(z[chosen], bins=bins, range=(low, high), alpha=0.6,
                        color=(_BLUE, _RED)[k % 2], label=f"y = {label}", gid=f"z:{label}")
    ax.axvline(0.0, color="black", lw=1, ls=":")
    ax.set(xlim=(low, high), xlabel="z = w·x + b", ylabel="samples",
           title="Scores, and how much each still drives learning")
    twin = ax.twinx()
    grid = np.linspace(low, high, 600)
    twin.plot(grid, sigmoid_derivative(grid), color="black", lw=2, gid="sigmoid_derivative",
              label=r"$\sigma'(z)$ (right axis)")
    twin.set(ylim=(0, 0.27), ylabel=r"$\sigma'(z)$")
    handles, names = ax.get_legend_handles_labels()
    more, more_names = twin.get_legend_handles_labels()
    ax.legend(handles + more, names + more_names, loc="upper right", fontsize=8)
    return figure


# -- output ----------------------------------------------------------------------------------
def _format_of(path: str | os.PathLike[str], fmt: str | None) -> str:
    if fmt is None:
        suffix = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
        fmt = suffix
    fmt = fmt.lower()
    if fmt not in FIGURE_FORMATS:
        raise ValueError(
            f"{os.fspath(path)}: cannot write a figure as {fmt or 'a file without extension'!r};"
            f" use one of: {', '.join('.' + f for f in FIGURE_FORMATS)}"
        )
    return fmt


def _render(figure: Figure, fmt: str, dpi: float) -> bytes:
    # No software/date stamps: the same figure gives the same bytes, and no URL sits in them.
    metadata = {"Software": None} if fmt == "png" else {"Creator": None, "Date": None}
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def png_bytes(figure: Figure, *, dpi: float = 100) -> bytes:
    """The figure as PNG bytes (no metadata stamps)."""
    return _render(figure, "png", dpi)


def save_figure(
    figure: Figure, path: str | os.PathLike[str], *, dpi: float = 100, fmt: str | None = None
) -> None:
    """Writes ``figure`` to ``path`` as PNG or SVG (by ``fmt`` or the path's suffix),
    atomically: a complete new file or the old one, never a partial image.

    Raises ValueError for another format, FileNotFoundError for a missing directory.
    """
    data = _render(figure, _format_of(path, fmt), dpi)
    # TextIO.buffer is the binary stream under the text handle write_atomically opens.
    write_atomically(path, lambda handle: handle.buffer.write(data), what="the figure")
