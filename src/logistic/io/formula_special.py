"""Two parts of a formula that are data about rows, not model columns, read as R writes them:

    cbind(s, f) ~ x        grouped binomial data: s successes and f failures per row
    cbind(s, n - s) ~ x    the same with n trials (the second name must be the first's)
    y ~ x + offset(o)      the column o added to every score, z = Xw + b + o

Each is matched as text against these shapes (column names only), never evaluated: anything
else with ``cbind`` or ``offset`` is refused with ``FormulaRefused``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from logistic.exceptions import DataError
from logistic.io.formula_expr import FormulaRefused, excerpt

__all__ = ["grouped_counts", "offset_term", "parse_cbind"]

_NAME = r"([A-Za-z_.][\w.]*)"
_CBIND = re.compile(rf"^\s*cbind\(\s*{_NAME}\s*,\s*(?:{_NAME}\s*-\s*{_NAME}|{_NAME})\s*\)\s*$")
_OFFSET = re.compile(rf"^\s*offset\(\s*{_NAME}\s*\)\s*$")


def parse_cbind(response: str) -> tuple[str, str, bool] | None:
    """(successes, other column, whether the other is the trials n of 'n - s') of a
    'cbind(...)' response; None for a plain column name."""
    if not response.lstrip().startswith("cbind("):
        return None
    match = _CBIND.match(response)
    if match is None:
        raise FormulaRefused(f"the response {excerpt(response)} must be cbind(successes, "
                             "failures) or cbind(successes, trials - successes) of columns")
    successes, trials, subtracted, failures = match.groups()
    if trials is not None:
        if subtracted != successes:
            raise FormulaRefused(f"in {excerpt(response)} the second part must be "
                                 f"trials - {successes}")
        return successes, trials, True
    return successes, failures, False


def grouped_counts(response: str, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """(successes, trials) of a cbind response read from ``frame``; None for a column."""
    parsed = parse_cbind(response)
    if parsed is None:
        return None
    successes, other, is_trials = parsed
    for column in (successes, other):
        if column not in frame.columns:
            raise DataError(f"the response {excerpt(response)} names the column {column!r}, "
                            "which is not in the data")
        if not pd.api.types.is_numeric_dtype(frame[column]) or frame[column].isna().any():
            raise DataError(f"the column {column!r} of {excerpt(response)} must hold counts "
                            "without missing values")
    s = frame[successes].to_numpy(dtype=np.float64)
    second = frame[other].to_numpy(dtype=np.float64)
    if not is_trials and np.any(second < 0):
        raise DataError(f"the failures column {other!r} holds negative counts")
    return s, (second if is_trials else s + second)


def offset_term(terms: list[list[tuple[str, Any]]]) -> tuple[list[list[tuple[str, Any]]],
                                                             str | None]:
    """(the terms without the offset, the offset's column or None); one ``offset(col)`` of
    a column name, as a term of its own."""
    kept, columns = [], []
    for term in terms:
        exprs = [expr for expr, _ in term]
        if not any(expr.lstrip().startswith("offset(") for expr in exprs):
            kept.append(term)
            continue
        match = _OFFSET.match(exprs[0]) if len(exprs) == 1 else None
        if match is None:
            raise FormulaRefused(f"{excerpt(':'.join(exprs))}: an offset is a term of its own, "
                                 "offset(column) of one column name")
        columns.append(match.group(1))
    if len(columns) > 1:
        raise FormulaRefused(f"the formula has {len(columns)} offsets; one offset(column) is "
                             "supported (add the columns into one)")
    return kept, (columns[0] if columns else None)
