"""The pieces of the HTML report: escaped text, numbers as the tables print them (with their
full value kept in a ``data-value`` attribute, so that a reader or a test gets every digit
back), tables from escaped cells, and figures as embedded PNGs."""

from __future__ import annotations

import base64
import html
import math
from typing import Any, NamedTuple

import numpy as np

from logistic.inference.number_format import format_number

__all__ = ["Exact", "cell", "escape", "exact", "image", "notes", "number", "table"]


class Exact(NamedTuple):
    """A table cell of a number: the text shown, and the full value that :func:`table`
    writes in the cell's ``data-value`` attribute."""

    text: str
    value: float


def escape(value: Any) -> str:
    """Escaped text of anything (quotes too: safe in attributes)."""
    return html.escape(str(value), quote=True)


def number(value: Any) -> str:
    """A table number: 4 decimals (or 3 significant digits in scientific notation), '–' for
    NaN, ∞ signed; anything else as escaped text."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return escape(value)
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return format_number(value)


def exact(value: Any, text: str | None = None) -> Exact | str:
    """A number cell: ``text`` (default :func:`number`) with the full value (``repr`` of the
    float) kept for the cell's ``data-value`` attribute; '–' for None."""
    if value is None:
        return "–"
    value = float(value)
    return Exact(number(value) if text is None else text, value)


def cell(value: Any) -> str:
    """A header field: yes/no, an integer, 6 significant digits, or escaped text."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}" if math.isfinite(value) else "–"
    return escape(value)


def table(header: list[str], rows: list[list[Any]], name_columns: int = 1,
          classes: list[str] | None = None) -> str:
    """An HTML table from already escaped cells (or :class:`Exact` numbers, their full value
    in ``data-value``): the first ``name_columns`` columns are left-aligned names;
    ``classes`` gives each column's CSS class instead."""

    def css(k: int) -> str:
        name = classes[k] if classes is not None else ("name" if k < name_columns else "")
        return f' class="{name}"' if name else ""

    def data(k: int, text: Any) -> str:
        if isinstance(text, Exact):
            return f'<td{css(k)} data-value="{text.value!r}">{text.text}</td>'
        return f"<td{css(k)}>{text}</td>"

    head = "".join(f"<th{css(k)}>{text}</th>" for k, text in enumerate(header))
    body = "".join(
        "<tr>" + "".join(data(k, text) for k, text in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def notes(text: str) -> str:
    """One escaped note paragraph per line of ``text``."""
    return "".join(f'<p class="note">{escape(line)}</p>' for line in text.splitlines())


def image(figure: Any, alt: str, caption: str, dpi: float) -> str:
    """The figure as an embedded PNG with its caption."""
    from logistic.viz.figures import png_bytes

    data = base64.b64encode(png_bytes(figure, dpi=dpi)).decode("ascii")
    return (
        f'<figure><img alt="{escape(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )
