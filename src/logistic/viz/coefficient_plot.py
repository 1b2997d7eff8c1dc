"""The coefficients of a fitted model with their confidence intervals, on an axis that the
ordinary terms set.

Two things would otherwise flatten the figure: the intercept (a baseline log-odds, often on
another scale than the per-unit effects, and no effect of a feature) and intervals that are
huge or infinite, such as a separated term's (its estimate and standard error describe
where the solver stopped). The intercept is left out unless asked for, and then drawn on its
own axis; a huge interval is cut at the axis's edge, an arrow marks the cut, and a note
names the term with its real numbers.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from logistic.viz.figures import BLUE, GREY, RED, new_figure, note

__all__ = ["HUGE_INTERVAL_RATIO", "coefficient_figure", "huge_intervals", "intercept_terms"]

#: An interval this many times wider than the median width of the model's intervals is
#: "huge": it is cut at the axis's edge instead of setting the axis.
HUGE_INTERVAL_RATIO = 20.0


class _Terms(NamedTuple):
    """Rows of the summary table: names, estimates and interval ends (NaN without one)."""

    names: list[str]
    coef: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]

    def take(self, chosen: NDArray[np.bool_]) -> _Terms:
        return _Terms([n for n, c in zip(self.names, chosen, strict=True) if c],
                      self.coef[chosen], self.low[chosen], self.high[chosen])


def intercept_terms(names: list[str], model: Any) -> NDArray[np.bool_]:
    """Which summary terms are intercepts: 'Intercept', or '<class>: Intercept' for K
    classes (none when the model was fitted without one)."""
    if not getattr(model, "fit_intercept", True):
        return np.zeros(len(names), dtype=bool)
    return np.array([n == "Intercept" or n.endswith(": Intercept") for n in names], dtype=bool)


def huge_intervals(low: NDArray, high: NDArray, coef: NDArray, flagged: NDArray[np.bool_],
                   ratio: float = HUGE_INTERVAL_RATIO) -> NDArray[np.bool_]:
    """The intervals that must not set the axis: a non-finite end or estimate, a term in
    ``flagged`` (separated), or a width over ``ratio`` × the median width of the others
    (never all of them: if every interval is huge, none is)."""
    width = high - low
    finite = np.isfinite(width) & np.isfinite(coef)
    huge = ~finite | flagged
    ordinary = finite & ~flagged
    if ordinary.sum() >= 2:
        huge |= finite & (width > ratio * np.median(width[ordinary]))
    if huge.all():
        huge = ~finite
    return huge


def coefficient_figure(model: Any, *, alpha: float = 0.05, show_intercept: bool = False
                       ) -> Figure:
    """The coefficients (in the order of ``model.summary()``) with the confidence intervals
    of its table at level 1 − alpha (Wald, ``model.conf_int()``, for an unpenalized fit);
    for a penalized model without statistics the coefficients alone, and the model's
    ``inference_note_`` below.

    The intercept(s) are left out (the title says so); ``show_intercept=True`` draws them on
    an axis of their own above the others (a model of only an intercept shows it anyway).
    An interval that is non-finite, belongs to a separated term or is over
    :data:`HUGE_INTERVAL_RATIO` times the median width is cut at the axis's edge (the axis
    spans the other intervals and 0), with an arrow at each cut end and a note that names
    the term, its estimate and its interval.

    Works for K classes too (the rows of the summary table). gids: 'coef' (the points, x the
    estimates), 'interval' (a LineCollection: one segment [(low, i), (high, i)] per drawn
    term, clipped ones excluded), 'clipped' (the cut segments), 'clipped:<term>' (the arrow
    markers at a cut), 'zero', 'note'; on the intercept's axis 'intercept:coef' and
    'intercept:interval'.
    """
    summary = model.summary(alpha=alpha)
    table = summary.table
    coef = table["coef"].to_numpy(dtype=np.float64)
    ends = (table.iloc[:, -2:].to_numpy(dtype=np.float64) if table.shape[1] >= 3
            else np.full((coef.size, 2), np.nan))  # a table of the estimates alone
    terms = _Terms([str(t) for t in table.index], coef, ends[:, 0], ends[:, 1])
    has_interval = not np.isnan(terms.low).all()
    intercepts = intercept_terms(terms.names, model)
    if intercepts.all():  # only an intercept: nothing else to show
        intercepts = np.zeros_like(intercepts)
    shown, baseline = terms.take(~intercepts), terms.take(intercepts)
    separated = set(getattr(summary, "separated", ()) or ())

    rows = len(shown.names) + (len(baseline.names) + 1 if show_intercept else 0)
    figure = new_figure((6.4, min(1.8 + 0.28 * rows, 40.0)))
    if show_intercept and baseline.names:
        top, ax = figure.subplots(2, 1, height_ratios=(len(baseline.names) + 0.6,
                                                        len(shown.names) + 0.6))
        _draw_terms(top, baseline, has_interval, set(), alpha, "intercept:")
        top.set(title="Intercept (its own axis)", xlabel="log-odds at x = 0")
    else:
        ax = figure.add_subplot()
    notes = _draw_terms(ax, shown, has_interval, separated, alpha, "")
    level = f"{100 * (1 - alpha):g}%"
    title = (f"Coefficients with {level} confidence intervals" if has_interval
             else "Coefficients (no confidence intervals)")
    if baseline.names and not show_intercept:
        title += "\n(the intercept is not shown)"
    ax.set(xlabel="coefficient (change in log-odds per unit)", title=title)
    if not has_interval:
        notes.insert(0, getattr(model, "inference_note_", None) or "The model has no statistics.")
    if notes:
        note(figure, " ".join(notes))
    return figure


def _draw_terms(ax: Axes, terms: _Terms, has_interval: bool, separated: set[str], alpha: float,
                prefix: str) -> list[str]:
    """The terms as points with intervals on ``ax`` (the first at the top); huge intervals
    cut at the axis's edge. Returns the notes to print under the figure."""
    n = len(terms.names)
    position = np.arange(n)[::-1].astype(np.float64)
    ax.axvline(0.0, color=GREY, lw=1, gid=f"{prefix}zero" if prefix else "zero")
    ax.set_yticks(position, terms.names, fontsize=8 if n > 12 else 9)
    ax.set_ylim(-0.7, n - 0.3)
    legend = (lambda: ax.legend(loc="best", fontsize=8)) if not prefix else (lambda: None)
    if not has_interval:
        ax.plot(terms.coef, position, "o", color=BLUE, ms=5, gid=f"{prefix}coef",
                label="coefficient")
        legend()
        return []
    flagged = np.array([name in separated for name in terms.names], dtype=bool)
    huge = huge_intervals(terms.low, terms.high, terms.coef, flagged)
    ordinary = ~huge
    if ordinary.any():
        container = ax.errorbar(
            terms.coef[ordinary], position[ordinary],
            xerr=np.vstack([terms.coef[ordinary] - terms.low[ordinary],
                            terms.high[ordinary] - terms.coef[ordinary]]),
            fmt="o", color=BLUE, ecolor=BLUE, capsize=3, ms=5,
            label=f"coefficient, {100 * (1 - alpha):g}% interval")
        container.lines[0].set_gid(f"{prefix}coef")
        container.lines[2][0].set_gid(f"{prefix}interval")
    window = _window(terms.take(ordinary) if ordinary.any() else terms)
    ax.set_xlim(*window)
    if not huge.any():
        legend()
        return []
    _draw_clipped(ax, terms.take(huge), position[huge], window)
    legend()
    return [_clipped_note(terms.take(huge), flagged[huge], alpha)]


def _window(terms: _Terms) -> tuple[float, float]:
    """The x range of the ordinary terms' intervals (or estimates) and 0, with a margin."""
    ends = np.concatenate([terms.low, terms.high, terms.coef, [0.0]])
    ends = ends[np.isfinite(ends)]
    low, high = float(ends.min()), float(ends.max())
    margin = 0.08 * (high - low) or 1.0
    return low - margin, high + margin


def _draw_clipped(ax: Axes, terms: _Terms, position: NDArray, window: tuple[float, float]
                  ) -> None:
    """Huge intervals cut to ``window``: a dashed segment, the estimate where it is inside
    (else a hollow point at the edge), and an arrow head at each cut end."""
    from matplotlib.collections import LineCollection

    left, right = window
    inner_left, inner_right = left + 0.02 * (right - left), right - 0.02 * (right - left)
    segments = []
    for k, name in enumerate(terms.names):
        low = terms.low[k] if np.isfinite(terms.low[k]) else -np.inf
        high = terms.high[k] if np.isfinite(terms.high[k]) else np.inf
        start, end = max(low, inner_left), min(high, inner_right)
        if np.isnan(terms.low[k]) or np.isnan(terms.high[k]):
            start, end = inner_left, inner_right  # no interval at all: across the axis
        segments.append([(start, position[k]), (end, position[k])])
        arrows = ([(inner_left, "<")] if low < inner_left or np.isnan(terms.low[k]) else []) + \
                 ([(inner_right, ">")] if high > inner_right or np.isnan(terms.high[k]) else [])
        for x, marker in arrows:
            ax.plot([x], [position[k]], marker=marker, color=RED, ms=8, ls="none",
                    gid=f"clipped:{name}")
        coef = terms.coef[k]
        inside = np.isfinite(coef) and left < coef < right
        shown_at = coef if inside else (inner_right if not coef < left else inner_left)
        ax.plot([shown_at], [position[k]], "o", ms=6, color=RED,
                mfc=RED if inside else "white", ls="none", gid=f"clipped-coef:{name}")
    ax.add_collection(LineCollection(segments, colors=RED, linestyles="--", lw=1.4,
                                     gid="clipped", label="interval cut at the axis"))


def _clipped_note(terms: _Terms, separated: NDArray[np.bool_], alpha: float) -> str:
    """The real numbers of the cut terms, and why they were cut."""
    parts = [f"{name} {_short(c)} [{_short(lo)}, {_short(hi)}]"
             for name, c, lo, hi in zip(terms.names, terms.coef, terms.low, terms.high,
                                        strict=True)]
    names = ", ".join(n for n, s in zip(terms.names, separated, strict=True) if s)
    why = (f"The data separate the classes along {names}: the estimate is where the solver "
           "stopped. ") if separated.any() else ""
    return (f"Cut at the axis (arrows), estimate and {100 * (1 - alpha):g}% interval: "
            f"{'; '.join(parts)}. {why}Intervals this wide or infinite would flatten the "
            "others.")


def _short(value: float) -> str:
    if np.isnan(value):
        return "–"
    if np.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.4g}"
