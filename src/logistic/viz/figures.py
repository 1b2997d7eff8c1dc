"""What every figure of :mod:`logistic.viz.plots` shares: a figure on its own Agg canvas (no
``pyplot``, no global backend), the colours, the ``gid`` lookup that gives a figure's numbers
back, the note under the axes, the checks of a model and its labels, and the writing of a
figure as PNG or SVG.
"""

from __future__ import annotations

import io
import os
import textwrap
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import ArrayLike, NDArray

from logistic.fitting.validation import known_labels
from logistic.io.atomic import write_atomically

__all__ = [
    "BLUE",
    "FIGURE_FORMATS",
    "GREEN",
    "GREY",
    "PALETTE",
    "RED",
    "artists",
    "binary_only",
    "check_rows",
    "model_labels",
    "new_figure",
    "note",
    "PANEL_SIZE",
    "probability_panels",
    "png_bytes",
    "save_figure",
]

#: The file formats :func:`save_figure` writes, by suffix.
FIGURE_FORMATS = ("png", "svg")

BLUE, RED, GREEN, GREY = "#1f77b4", "#d62728", "#2ca02c", "#7f7f7f"
#: One colour per class or per fit, in order.
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f")


# -- figures ---------------------------------------------------------------------------------
def new_figure(size: tuple[float, float]) -> Figure:
    """A new figure on its own Agg canvas (no pyplot, no global state)."""
    figure = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


#: The size of the ROC and calibration figures: one size and one grid, so that the two boxes
#: line up side by side (the report sets them in one row).
PANEL_SIZE = (5.6, 6.0)


def probability_panels() -> tuple[Figure, Any, Any]:
    """A figure of :data:`PANEL_SIZE` with a main axes over a strip (heights 3 : 1) at fixed
    places (no layout engine moves them), so that every such figure has the same two boxes
    whatever its labels: the ROC and the calibration figure line up."""
    figure = Figure(figsize=PANEL_SIZE)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(2, 1, height_ratios=(3, 1), left=0.14, right=0.95, top=0.93,
                               bottom=0.09, hspace=0.32)
    return figure, figure.add_subplot(grid[0]), figure.add_subplot(grid[1])


def artists(figure: Figure, gid: str, *, prefix: bool = False) -> list[Artist]:
    """The artists of ``figure`` whose gid is ``gid`` (or starts with it, ``prefix=True``)."""

    def match(artist: Artist) -> bool:
        name = artist.get_gid()
        return isinstance(name, str) and (name.startswith(gid) if prefix else name == gid)

    return figure.findobj(match)


def note(figure: Figure, text: str) -> None:
    """A sentence under the axes (gid 'note'), wrapped to the figure's width."""
    width = max(40, int(figure.get_figwidth() * 14))
    figure.supxlabel(textwrap.fill(text, width), fontsize=7.5, color="#444444", gid="note")


# -- a model and its labels ------------------------------------------------------------------
def binary_only(model: Any, what: str) -> None:
    """A ValueError naming the classes when ``model`` has more than two; ``what`` is the figure."""
    classes = getattr(model, "classes_", None)
    if classes is not None and len(classes) > 2:
        raise ValueError(
            f"the {what} is for a binary model; this model has {len(classes)} classes "
            f"({', '.join(map(str, classes[:5]))}{', ...' if len(classes) > 5 else ''})"
        )


def model_labels(model: Any, y: ArrayLike) -> NDArray:
    """y as an array of the model's labels; a ValueError names labels the model never saw."""
    if not hasattr(model, "classes_"):
        raise ValueError("the model is not fitted (it has no classes_)")
    return known_labels(y, model.classes_)


def check_rows(X: Any, y: NDArray) -> None:
    """A ValueError unless X and y have the same number of rows."""
    rows = np.shape(X)[0]
    if rows != y.shape[0]:
        raise ValueError(f"X has {rows} rows but y has {y.shape[0]}")


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
