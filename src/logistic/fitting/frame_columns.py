"""DataFrame columns that cannot become features, named before scikit-learn converts them.

Dates, times, durations, periods and intervals have no single numeric meaning (ns since
1970? days? the interval's left end?): NumPy refuses them with a ``DTypePromotionError``
or a ``TypeError`` that names no column. Two columns of one name cannot be told apart in
a model file or a summary, and narwhals refuses them with its own ``DuplicateError``.
Both become a ``DataError`` naming the columns. Text and categorical columns are
``io.columns.check_numeric_columns``'s.
"""

from __future__ import annotations

import pandas as pd

from logistic.exceptions import DataError

__all__ = ["check_frame_columns"]


def _temporal_kind(dtype: object, column: pd.Series) -> str | None:
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return "dates/times"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "durations"
    if isinstance(dtype, pd.PeriodDtype):
        return "periods"
    if isinstance(dtype, pd.IntervalDtype):
        return "intervals"
    if pd.api.types.is_object_dtype(dtype):
        kind = pd.api.types.infer_dtype(column, skipna=True)
        if kind in ("datetime", "datetime64", "date", "time", "timedelta", "period",
                    "interval"):
            return kind
    return None


def check_frame_columns(X: object) -> None:
    """A ``DataError`` for a pandas DataFrame with duplicate column names or columns of
    dates, durations, periods or intervals; anything else passes."""
    if not isinstance(X, pd.DataFrame):
        return
    names = [str(name) for name in X.columns]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        shown = ", ".join(repr(name) for name in repeated[:5])
        raise DataError(f"DataFrame has duplicate column names: {shown}; each feature needs "
                        "its own name (rename or drop the copies)")
    kinds = [_temporal_kind(X.dtypes.iloc[i], X.iloc[:, i]) for i in range(len(names))]
    temporal = [(name, kind) for name, kind in zip(names, kinds, strict=True) if kind]
    if temporal:
        described = ", ".join(f"{name!r} ({kind})" for name, kind in temporal[:5])
        raise DataError(
            f"DataFrame column(s) are not numeric features: {described}; convert them to "
            "numbers first (e.g. days since a start, (t - t0).dt.days, or an interval's "
            "midpoint) or drop them"
        )
