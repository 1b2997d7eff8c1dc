"""A formula model's raw rows, encoded for the figures, explain and the report (which read
the model's columns by name)."""

from __future__ import annotations

from typing import Any

import pandas as pd


def encoded_rows(model: Any, X: Any) -> Any:
    """A formula model's raw rows (a DataFrame without all of its encoded columns) encoded
    by its saved ``formula_``; anything else as given."""
    spec = getattr(model, "formula_", None)
    if spec is None or not isinstance(X, pd.DataFrame):
        return X
    if all(name in X.columns for name in spec.columns):
        return X
    return spec.transform(X)
