"""The columns of a table: the features (numeric, finite, in the order asked for) and the target
(class labels, checked), and the numeric check of a DataFrame given to the estimator.

Every check raises :class:`~logistic.exceptions.DataError` with a message that names the
column and, where it helps, the first offending row; the readers prefix the file's path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from logistic.exceptions import DataError, NonNumericColumns
from logistic.io.formats import excerpt, name_list

__all__ = ["NonNumericColumns", "check_numeric_columns", "labels", "select_features",
           "split_xy"]


# -- features and target of a table --------------------------------------------------------
def split_xy(
    frame: pd.DataFrame, target: str, features: Sequence[str] | None = None
) -> tuple[pd.DataFrame, NDArray]:
    """Splits a table into the feature matrix X and the label vector y.

    Parameters
    ----------
    frame : the table, one row per sample.
    target : the column holding the labels (any type: strings, 0/1, -1/1 ...), exactly
        two distinct values.
    features : the feature columns, in order; None takes every column except the target.

    Returns
    -------
    X : DataFrame of float64, the features (column names kept for the estimator).
    y : ndarray, the labels (integral floats such as 0.0/1.0 become integers).

    Raises
    ------
    DataError
        The target or a feature is missing; a feature is not numeric or holds NaN/inf; the
        target holds missing values, a single class, or more distinct values than half the
        rows (a measurement rather than labels).
    """
    columns = [str(c) for c in frame.columns]
    if target not in frame.columns:
        raise DataError(
            f"target column {target!r} not found; available columns: {name_list(columns)}"
        )
    if features is None:
        features = [c for c in frame.columns if c != target]
        if not features:
            raise DataError(f"the table has no columns besides the target {target!r}")
    elif target in features:
        raise DataError(f"the target column {target!r} is also listed as a feature")
    X = select_features(frame, features)
    return X, labels(frame[target], target)


def select_features(frame: pd.DataFrame, features: Sequence[str]) -> pd.DataFrame:
    """The named feature columns of ``frame``, in the given order, as a float64 DataFrame.

    Extra columns of ``frame`` are ignored.

    Raises
    ------
    DataError
        A feature is missing from ``frame``, is not numeric, or holds NaN or infinity.
    """
    features = list(features)
    if not features:
        raise DataError("no feature columns given")
    duplicated = sorted(name for name, count in Counter(features).items() if count > 1)
    if duplicated:
        raise DataError(f"feature column(s) listed twice: {name_list(duplicated)}")
    missing = [f for f in features if f not in frame.columns]
    if missing:
        available = [str(c) for c in frame.columns]
        raise DataError(
            f"feature column(s) not found: {name_list(missing)}; "
            f"available columns: {name_list(available)}"
        )

    non_numeric = [name for name in features
                   if not pd.api.types.is_numeric_dtype(frame[name].dtype)]
    if non_numeric:
        described = [f"{name!r}{_first_non_numeric(frame[name])}" for name in non_numeric]
        raise NonNumericColumns(
            f"feature column(s) are not numeric: {', '.join(described)}",
            "encode them as numbers or leave them out with --features", non_numeric
        )

    X = frame[features].astype(np.float64)
    values = X.to_numpy()
    finite = np.isfinite(values)
    if not finite.all():
        problems = []
        for j, name in enumerate(features):
            n_nan = int(np.isnan(values[:, j]).sum())
            n_inf = int(np.isinf(values[:, j]).sum())
            if n_nan or n_inf:
                parts = [f"{n} {kind}" for n, kind in ((n_nan, "missing"), (n_inf, "infinite"))
                         if n]
                row = int(np.flatnonzero(~finite[:, j])[0]) + 1
                problems.append(f"{name!r} ({', '.join(parts)}; first in data row {row})")
        raise DataError(
            f"feature column(s) hold missing or infinite values: {', '.join(problems)}; "
            "remove or impute those rows"
        )
    return X


def labels(column: pd.Series, target: str, *, what: str | None = None) -> NDArray:
    """The class labels of ``column``, checked: no missing value, at least two classes, not a
    measurement; integral floats (0.0/1.0) become integers.

    ``what`` names the labels in messages (default: ``target column '<target>'``).
    """
    what = what or f"target column {target!r}"
    n_missing = int(column.isna().sum())
    if n_missing:
        row = int(np.flatnonzero(column.isna().to_numpy())[0]) + 1
        raise DataError(
            f"{what} has {n_missing} missing value(s) (first in data row {row}); "
            "remove those rows"
        )
    y = column.to_numpy()
    if y.dtype.kind == "f":
        if not np.isfinite(y).all():
            raise DataError(f"{what} holds infinite values")
        if np.all(y == np.round(y)):
            _check_int64_range(y, what)
            y = y.astype(np.int64)
    if y.dtype.kind == "O":
        _check_object_labels(y, what)
    classes = pd.unique(y).tolist()
    if len(classes) < 2:
        raise DataError(
            f"{what} has a single class ({excerpt(classes[0])}); logistic regression needs two"
        )
    if len(classes) > 2 and len(classes) > len(y) / 2:
        shown = ", ".join(excerpt(c) for c in classes[:5]) + (", ..." if len(classes) > 5 else "")
        raise DataError(
            f"{what} has {len(classes)} distinct values in {len(y)} rows "
            f"({shown}): that looks like a measurement, not class labels"
        )
    if y.dtype.kind == "f":
        raise DataError(
            f"{what} holds non-integer numbers; labels must be classes "
            "(e.g. 0/1, -1/1 or names)"
        )
    if y.dtype.kind == "O":
        # Mixed Python types (e.g. 1 and 'a') cannot be sorted into classes_.
        kinds = {type(v) for v in y}
        if len(kinds) > 1:
            y = y.astype(str)
    return y


def _check_int64_range(y: NDArray, what: str) -> None:
    """Integral float labels become int64 only where that keeps them: 2^63 or 1e300 would
    turn into -2^63, so they are refused, not changed."""
    outside = ~((y >= -(2.0**63)) & (y < 2.0**63))
    if outside.any():
        value = float(y[np.flatnonzero(outside)[0]])
        raise DataError(
            f"{what} holds {value!r}, beyond the 64-bit integer range of labels; use smaller "
            "integers or names as labels"
        )


def _check_object_labels(y: NDArray, what: str) -> None:
    """Labels of an object column: bytes (a Parquet binary column) and integers beyond 64
    bits (a CSV column of 25-digit numbers) cannot be a model's classes exactly."""
    if pd.api.types.infer_dtype(y, skipna=False) in ("string", "boolean"):
        return  # the usual text labels: no loop in Python over them
    for value in y:
        if isinstance(value, bytes):
            raise DataError(
                f"{what} holds binary values (e.g. {excerpt(value)}); labels must be text, "
                "integers or booleans: store the column as strings"
            )
        if isinstance(value, int) and not -(2**63) <= value < 2**64:
            raise DataError(
                f"{what} holds {excerpt(value)}, beyond the 64-bit integer range of labels; "
                "use smaller integers or names as labels"
            )


def _first_non_numeric(column: pd.Series) -> str:
    """' (e.g. 'abc' in data row 3)' for the first value that is not a number, or ''."""
    converted = pd.to_numeric(column, errors="coerce")
    bad = converted.isna() & column.notna()
    if not bad.any():
        return ""
    row = int(np.flatnonzero(bad.to_numpy())[0])
    return f" (e.g. {excerpt(column.iloc[row])} in data row {row + 1})"


# -- DataFrames given to the estimator -------------------------------------------------------
def check_numeric_columns(X: object) -> None:
    """Raises a DataError naming the text and categorical columns of a pandas or polars
    DataFrame; anything else passes unchecked.

    scikit-learn's ``validate_data`` converts a DataFrame (polars too) to one float array:
    a categorical column of numbers would silently become its values, a text column of
    numerals its numbers, and any other text fails with ``could not convert string to
    float`` and no column name. Categories need an encoding, which a formula gives.
    """
    if isinstance(X, pd.DataFrame):
        problems, data = _pandas_problems(X), "data"
    elif type(X).__module__.split(".")[0] == "polars" and hasattr(X, "schema"):
        problems, data = _polars_problems(X), "data.to_pandas()"
    else:
        return
    if problems:
        names = [name for name, _ in problems]
        example = " + ".join(f"C({name})" for name in names[:2])
        described = ", ".join(f"{name!r} ({detail})" for name, detail in problems)
        raise NonNumericColumns(
            f"DataFrame column(s) are not numeric: {described}",
            f"convert them to numbers, encode categories with a formula, e.g. "
            f"LogisticRegression.from_formula('y ~ {example} + ...', {data}), or drop them",
            names,
        )


def _pandas_problems(frame: pd.DataFrame) -> list[tuple[str, str]]:
    problems = []
    for name, dtype in frame.dtypes.items():
        column = frame[name]
        if isinstance(dtype, pd.CategoricalDtype):
            problems.append((str(name), "categorical"))
        elif pd.api.types.is_object_dtype(dtype):
            # object columns of numbers are fine; any string or bytes is text
            kind = pd.api.types.infer_dtype(column, skipna=True)
            if kind in ("string", "bytes", "mixed", "mixed-integer"):
                problems.append((str(name), _text_detail(column.dropna().tolist())))
        elif pd.api.types.is_string_dtype(dtype):
            problems.append((str(name), _text_detail(column.dropna().tolist())))
    return problems


def _polars_problems(frame) -> list[tuple[str, str]]:
    import polars as pl

    problems = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Categorical | pl.Enum) or dtype in (pl.Categorical, pl.Enum):
            problems.append((name, "categorical"))
        elif dtype in (pl.String, pl.Object, pl.Binary):
            problems.append((name, _text_detail(frame.get_column(name).drop_nulls().to_list())))
    return problems


def _text_detail(values: list) -> str:
    """'could not convert string to float: 'x'' for the first value that is not a number,
    else 'text such as '1''."""
    for value in values:
        if not isinstance(value, str | bytes):
            continue
        try:
            float(value)
        except ValueError:
            return f"could not convert string to float: {excerpt(value)}"
    first = next((v for v in values if isinstance(v, str | bytes)), None)
    return f"text such as {excerpt(first)}" if first is not None else "text"
