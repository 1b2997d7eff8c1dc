"""The decision boundary z = 0 of a binary model on two features, over σ(z) as shading.

The seeds' line (W = [−3, 1, 1]: x₁ + x₂ = 3, through :class:`~logistic.core.boundary.
DecisionBoundary`) is drawn exactly; any other score, e.g. the circle of squared features
(``transform=np.square`` or a Pipeline), as its z = 0 contour.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike, NDArray

from logistic.core.boundary import DecisionBoundary
from logistic.core.sigmoid import sigmoid
from logistic.viz.figures import PALETTE, binary_only, new_figure, note

__all__ = ["BOUNDARY_LABEL", "boundary_figure"]

#: The boundary's legend entry: symbols, the same for every model (its numbers are in the
#: note under the axes, where the boundary is a line).
BOUNDARY_LABEL = "p̂ = 0.5 boundary (z = 0)"


class _Plane(NamedTuple):
    """What the figure needs of the model: its scores, its line if it has one, the names."""

    model: Any
    linear: DecisionBoundary | None  # the exact line z = 0, or None to draw the contour
    names: list[str]
    positive: str  # the class whose probability the shading shows


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
    x₂ = −(w₀ + w₁x₁)/w₂, its equation in the note under the axes; any other is the z = 0
    contour. The legend holds symbols: ``BOUNDARY_LABEL`` and 'y = <label>' per class.
    gids: 'probability' (the mesh of σ(z) on the grid), 'boundary' (the line or contour),
    'data:<label>' (points).
    """
    plane = _plane(model, transform, feature_names)
    points = _points(X)
    xlim, ylim = _window(xlim, points, 0), _window(ylim, points, 1)
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    with warnings.catch_warnings():
        # a model fitted on a DataFrame gets the grid with its column names; anything else
        # that warns is the model's own business
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        z = _scores_of(plane.model, grid, transform).reshape(grid_x.shape)

    figure = new_figure((6.4, 5.0))
    ax = figure.add_subplot()
    mesh = ax.pcolormesh(xs, ys, sigmoid(z), cmap="RdBu_r", vmin=0.0, vmax=1.0,
                         shading="nearest", alpha=0.6, gid="probability", rasterized=True)
    colorbar = figure.colorbar(mesh, ax=ax)
    colorbar.set_label(rf"$\sigma(z)$ = P(y = {plane.positive})")
    if plane.linear is not None:
        _draw_line(ax, plane.linear, xlim, ylim)
        note(figure, f"The boundary: {plane.linear}.")
    elif z.min() < 0 < z.max():
        contour = ax.contour(xs, ys, z, levels=[0.0], colors="black", linewidths=2.2)
        contour.set_gid("boundary")
        ax.plot([], [], color="black", lw=2.2, label=BOUNDARY_LABEL)
    else:
        note(figure, "The boundary z = 0 does not cross this window.")
    if points is not None:
        _draw_points(ax, plane.model, points, y)
    ax.set(xlim=xlim, ylim=ylim, xlabel=plane.names[0], ylabel=plane.names[1],
           title="Decision boundary z = 0 and the probability σ(z)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    return figure


def _plane(model: Any, transform: Callable | None, feature_names: Sequence[str] | None) -> _Plane:
    """The model as a ``DecisionBoundary`` or a checked binary classifier of two features."""
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
        binary_only(model, "decision boundary")
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
    return _Plane(model, linear, names, positive)


def _points(X: ArrayLike | None) -> NDArray | None:
    """X as (n, 2) float64 points, or None."""
    if X is None:
        return None
    points = np.asarray(X, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"X must have 2 columns for a plane, got shape {points.shape}")
    return points


def _window(
    given: tuple[float, float] | None, points: NDArray | None, column: int
) -> tuple[float, float]:
    """The axis range: as given, else the data's with an 8% margin, else (−1, 5)."""
    if given is not None:
        return tuple(map(float, given))
    if points is None:
        return (-1.0, 5.0)
    low, high = float(points[:, column].min()), float(points[:, column].max())
    margin = 0.08 * (high - low) or 1.0
    return (low - margin, high + margin)


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


def _draw_line(
    ax: Axes, linear: DecisionBoundary, xlim: tuple[float, float], ylim: tuple[float, float]
) -> None:
    """The exact line z = 0: x₂ = −(w₀ + w₁x₁)/w₂, vertical when w₂ = 0, none when w = 0."""
    w0, (w1, w2) = linear.intercept, linear.coef
    if w2 != 0:
        x1 = np.linspace(*xlim, 2)
        x2 = linear.solve_last(x1)
    elif w1 != 0:
        x1 = np.full(2, -w0 / w1)
        x2 = np.array(ylim)
    else:
        x1 = x2 = np.array([])
    ax.plot(x1, x2, color="black", lw=2.2, gid="boundary", label=BOUNDARY_LABEL)


def _draw_points(ax: Axes, model: Any, points: NDArray, y: ArrayLike | None) -> None:
    """The data, black without labels, else one colour per class in the model's order."""
    if y is None:
        ax.scatter(points[:, 0], points[:, 1], s=14, c="black", alpha=0.6, gid="data")
        return
    labels = np.asarray(y).ravel()
    if labels.shape[0] != points.shape[0]:
        raise ValueError(f"X has {points.shape[0]} rows but y has {labels.shape[0]}")
    order = getattr(model, "classes_", None)
    order = list(order) if order is not None else sorted(pd.unique(labels).tolist())
    for k, label in enumerate(order):
        chosen = labels == label
        if chosen.any():
            # the negative class blue and the positive red, as in the shading
            color = ("#1b4f9c", "#b2182b")[k] if len(order) == 2 else PALETTE[k % 10]
            ax.scatter(points[chosen, 0], points[chosen, 1], s=16, color=color,
                       ec="white", lw=0.6, label=f"y = {label}", gid=f"data:{label}")
