"""The regression diagnostics of a fitted binary model on data, in two panels::

    left    deviance residuals against fitted probabilities p̂ (rows of each class form a
            curve: r_D = ±√(-2 log p̂) for y = 1, -√(-2 log(1 - p̂)) for y = 0)
    right   studentized Pearson residuals r_P/√(1 - h) against leverage h, with the
            contours of Cook's distance D at 0.5 and 1:
            D = r²h / (k(1 - h)) for the studentized r, so r = ±√(D·k·(1 - h)/h)

as R's ``plot.glm`` draws "Residuals vs Leverage". The rows of largest Cook's distance are
labelled with their index. The numbers come from ``model.diagnostics(X, y)``, so sparse X
is taken as it is; the fit needs classical inference (``penalty=None``) for the right panel.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from logistic.viz.figures import (
    BLUE,
    GREY,
    RED,
    binary_only,
    check_rows,
    model_labels,
    new_figure,
    note,
)

__all__ = ["COOKS_CONTOURS", "diagnostics_figure"]

#: The Cook's distances drawn as contours on the leverage panel.
COOKS_CONTOURS = (0.5, 1.0)

#: Rows labelled with their index on the leverage panel: the largest Cook's distances.
LABELLED = 3

#: Above this many rows the points are rasterized in an SVG (one image, not n circles).
RASTER_ROWS = 5000


def diagnostics_figure(
    model: Any, X: Any, y: ArrayLike, *, sample_weight: ArrayLike | None = None
) -> Figure:
    """Residuals against fitted values, and studentized residuals against leverage with
    Cook's distance contours (module docstring), of ``model`` on (X, y).

    gids: 'residuals:<class>' (x = p̂, y = the deviance residuals of that class's rows),
    'zero', 'leverage' (x = h, y = studentized Pearson residuals), 'cooks:<D>:+' and
    'cooks:<D>:-' (the contours), 'label:<index>' (the labelled rows), 'note'. A ValueError
    where the model is not binary, the labels are not its classes or the fit has no leverage
    (a penalized fit).
    """
    binary_only(model, "diagnostics figure")
    labels = model_labels(model, y)
    check_rows(X, labels)
    diagnostics = model.diagnostics(X, labels, sample_weight=sample_weight)
    if diagnostics.influence is None:
        raise ValueError(f"the leverage panel needs an unpenalized fit: "
                         f"{diagnostics.influence_note}")
    frame = diagnostics.frame()
    rasterized = len(frame) > RASTER_ROWS
    figure = new_figure((10.0, 4.6))
    left, right = figure.subplots(1, 2)

    positive = frame["y"].to_numpy() == 1.0
    for chosen, colour, label in ((~positive, BLUE, diagnostics.classes[0]),
                                  (positive, RED, diagnostics.classes[1])):
        left.scatter(frame["fitted"][chosen], frame["deviance"][chosen], s=10, alpha=0.6,
                     color=colour, label=f"y = {label}", gid=f"residuals:{label}",
                     rasterized=rasterized)
    left.axhline(0.0, color=GREY, lw=1, ls="--", gid="zero")
    left.set(xlim=(0, 1), xlabel="fitted probability p̂", ylabel="deviance residual",
             title="Residuals vs fitted")
    left.legend(loc="best", fontsize=8)

    _leverage_panel(right, frame, diagnostics.influence.rank, rasterized)
    large = int(np.count_nonzero(frame["cooks_distance"].to_numpy() > COOKS_CONTOURS[0]))
    note(figure, f"Cook's distance D = r²h/(k(1 − h)), k = {diagnostics.influence.rank}: "
                 f"{large} of {len(frame)} rows have D > {COOKS_CONTOURS[0]:g}; the "
                 f"{min(LABELLED, len(frame))} largest are labelled with their row.")
    return figure


def _leverage_panel(ax: Any, frame: Any, rank: int, rasterized: bool) -> None:
    """Studentized Pearson residuals against leverage, with Cook's contours."""
    leverage = frame["leverage"].to_numpy()
    residual = frame["pearson_studentized"].to_numpy()
    ax.scatter(leverage, residual, s=10, alpha=0.6, color=BLUE, gid="leverage",
               rasterized=rasterized)
    ax.axhline(0.0, color=GREY, lw=1, ls="--")
    finite = np.isfinite(residual)
    top = float(np.max(np.abs(residual[finite]), initial=1.0)) * 1.15
    right_edge = min(1.0, float(np.max(leverage, initial=0.0)) * 1.1 + 0.01)
    grid = np.linspace(right_edge / 200, right_edge, 200)
    for distance, style in zip(COOKS_CONTOURS, (":", "--"), strict=True):
        curve = np.sqrt(distance * rank * (1.0 - grid) / grid)
        for sign, mark in ((1.0, "+"), (-1.0, "-")):
            ax.plot(grid, sign * curve, color=RED, lw=1, ls=style,
                    gid=f"cooks:{distance:g}:{mark}",
                    label=f"Cook's distance {distance:g}" if sign > 0 else None)
    order = np.argsort(-np.nan_to_num(frame["cooks_distance"].to_numpy(), nan=-1.0))
    for i in order[:LABELLED]:
        ax.annotate(str(frame.index[i]), (leverage[i], residual[i]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points", gid=f"label:{frame.index[i]}")
    ax.set(xlim=(0, right_edge), ylim=(-top, top), xlabel="leverage h",
           ylabel="studentized Pearson residual", title="Residuals vs leverage")
    ax.legend(loc="best", fontsize=8)
