"""The pieces of the HTML report: escaped text, numbers as the tables print them (with their
full value kept in a ``data-value`` attribute, so that a reader or a test gets every digit
back), tables from escaped cells, and figures as embedded PNGs."""

from __future__ import annotations

import base64
import html
import math
from typing import Any

import numpy as np

from logistic.inference.statistics import format_number

__all__ = ["cell", "escape", "exact", "image", "notes", "number", "table"]


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


def exact(value: Any) -> str:
    """:func:`number`, its full value (``repr`` of the float) in a ``data-value`` attribute;
    '–' for None."""
    if value is None:
        return "–"
    value = float(value)
    return f'<span data-value="{value!r}">{number(value)}</span>'


def cell(value: Any) -> str:
    """A header field: yes/no, an integer, 6 significant digits, or escaped text."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}" if math.isfinite(value) else "–"
    return escape(value)


def table(header: list[str], rows: list[list[str]], name_columns: int = 1,
          classes: list[str] | None = None) -> str:
    """An HTML table from already escaped cells: the first ``name_columns`` columns are
    left-aligned names; ``classes`` gives each column's CSS class instead."""

    def css(k: int) -> str:
        name = classes[k] if classes is not None else ("name" if k < name_columns else "")
        return f' class="{name}"' if name else ""

    head = "".join(f"<th{css(k)}>{text}</th>" for k, text in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{css(k)}>{text}</td>" for k, text in enumerate(row)) + "</tr>"
        for row in rows
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
