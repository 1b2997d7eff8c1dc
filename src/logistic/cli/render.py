"""How a fit's summary looks on standard output: rich tables (the console: cli/console.py)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from logistic.inference.number_format import format_number

if TYPE_CHECKING:
    import pandas as pd


def render_summary(console: Console, summary: Any) -> None:
    """Prints a fit summary (``.header``, ``.table``, optional ``.note``) as rich tables."""
    header = Table(title=getattr(summary, "title", None), show_header=False,
                   title_justify="left")
    items = [(str(key), _header_value(value)) for key, value in summary.header.items()]
    half = (len(items) + 1) // 2
    for _ in range(2):
        header.add_column(style="bold")
        header.add_column(justify="right")
    for (k1, v1), (k2, v2) in zip(items[:half], items[half:] + [("", "")], strict=False):
        header.add_row(Text(k1), Text(v1), Text(k2), Text(v2))
    console.print(header)

    frame: pd.DataFrame = summary.table
    frame = frame.loc[:, frame.notna().any()]  # a penalized fit has coefficients only
    table = Table()
    table.add_column(Text("term"))
    for column in frame.columns:
        table.add_column(Text(str(column)), justify="right")
    separated = set(getattr(summary, "separated", ()))  # marked †, the note says why
    for term, row in frame.iterrows():
        cells = [_p_value(v) if str(c).startswith("P>") else _number(v)
                 for c, v in row.items()]
        label = f"{term} †" if term in separated else str(term)
        table.add_row(Text(label), *[Text(cell) for cell in cells])
    console.print(table)
    note = getattr(summary, "note", None)
    if note:
        console.print(Text(str(note), style="italic"))


def _number(value: Any) -> str:
    value = float(value)
    if math.isnan(value):
        return "-"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return format_number(value)


def _p_value(value: Any) -> str:
    value = float(value)
    if math.isnan(value):
        return "-"
    return f"{value:.3f}" if value >= 1e-3 else f"{value:.1e}"


def _header_value(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        return f"{value:.6g}" if math.isfinite(value) else "-"
    return str(value)


def write_model(console: Console, model: Any, out: Any, quiet: bool) -> None:
    """Saves ``model`` to the model file ``out`` (nothing when None), a failed write one
    line with exit status 2 (``writing``), and says where unless ``quiet``."""
    if out is None:  # fit without --out: the summary only
        return
    from logistic.cli.errors import writing
    from logistic.io.model_file import save

    with writing(out, "the model"):
        save(model, out)
    if not quiet:
        console.print(Text(f"Model written to {out}", style="bold"))
