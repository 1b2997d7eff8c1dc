"""Reading tables for the estimator: CSV/TSV files to a checked ``(X, y)``.

Everything here raises :class:`~logistic.exceptions.DataError` (a ``ValueError``) with a
message that names the file, the column and, where it helps, the row; nothing prints or
exits, so the library and the command line share the same checks.

    frame = read_table("train.csv")                  # comma-separated, UTF-8 (BOM or not)
    X, y = split_xy(frame, target="label")           # X: float64 DataFrame, y: ndarray
"""

from __future__ import annotations

import codecs
import os
import re
import warnings
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .exceptions import DataError

__all__ = ["FORMATS", "infer_format", "read_table", "select_features", "split_xy"]

#: Table formats and their field separators.
FORMATS: dict[str, str] = {"csv": ",", "tsv": "\t"}
_EXTENSIONS = {".csv": "csv", ".txt": "csv", ".tsv": "tsv"}
_COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst", ".zip")


def infer_format(path: str | os.PathLike[str]) -> str:
    """The format ('csv' or 'tsv') that a file name's extension implies.

    ``.csv`` and ``.txt`` are comma-separated, ``.tsv`` tab-separated; a compression suffix
    (``.gz``, ``.bz2``, ``.xz``, ``.zst``, ``.zip``) after them is allowed.
    """
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in _COMPRESSIONS:
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _EXTENSIONS:
        return _EXTENSIONS[suffixes[-1]]
    known = ", ".join(sorted(_EXTENSIONS))
    raise DataError(
        f"{path}: cannot tell the format from the file name (known extensions: {known}, "
        "optionally followed by .gz); name the format explicitly (--format csv or tsv)"
    )


def read_table(
    path: str | os.PathLike[str], fmt: str | None = None, *, encoding: str | None = None
) -> pd.DataFrame:
    """Reads a delimited text file with a header row into a DataFrame.

    Parameters
    ----------
    path : the file; compressed files (``.gz`` ...) are decompressed transparently.
    fmt : 'csv' or 'tsv'; None infers it from the extension (see :func:`infer_format`).
    encoding : the text encoding; None (default) is UTF-8, with or without a byte-order mark.

    Raises
    ------
    DataError
        The file is missing, empty, has a header but no rows, has rows with more fields than
        the header, is not in the expected encoding, or its format is unknown.
    """
    path = Path(path)
    if fmt is None:
        fmt = infer_format(path)
    if fmt not in FORMATS:
        raise DataError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    encoding = _check_encoding(encoding)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, not a data file")

    try:
        with warnings.catch_warnings():
            # A row longer than the header makes pandas drop data with only a warning.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                path, sep=FORMATS[fmt], encoding=encoding, index_col=False, compression="infer"
            )
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty (no header row, no data)") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{path}: malformed {fmt.upper()}: {_parser_detail(exc)}") from None
    except pd.errors.ParserWarning:
        raise DataError(
            f"{path}: malformed {fmt.upper()}: some rows have more fields than the header"
        ) from None
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 1]
        byte = f" (byte 0x{bad.hex()})" if bad else ""
        raise DataError(
            f"{path}: the text is not valid {_encoding_label(encoding)}{byte}; "
            "give its encoding with --encoding, e.g. --encoding latin-1"
        ) from None
    except (OSError, EOFError, zlib.error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DataError(f"{path}: cannot read the file: {reason}") from None

    if len(frame.columns) == 0:
        raise DataError(f"{path}: the file has no columns")
    if len(frame) == 0:
        raise DataError(f"{path}: the file has a header but no data rows")
    return frame


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
            f"target column {target!r} not found; available columns: {_name_list(columns)}"
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
        raise DataError(f"feature column(s) listed twice: {_name_list(duplicated)}")
    missing = [f for f in features if f not in frame.columns]
    if missing:
        available = [str(c) for c in frame.columns]
        raise DataError(
            f"feature column(s) not found: {_name_list(missing)}; "
            f"available columns: {_name_list(available)}"
        )

    non_numeric = []
    for name in features:
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column.dtype):
            non_numeric.append(f"{name!r}{_first_non_numeric(column)}")
    if non_numeric:
        raise DataError(
            f"feature column(s) are not numeric: {', '.join(non_numeric)}; "
            "encode them as numbers or leave them out with --features"
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


# -- helpers ---------------------------------------------------------------------------------
def labels(column: pd.Series, target: str) -> NDArray:
    n_missing = int(column.isna().sum())
    if n_missing:
        row = int(np.flatnonzero(column.isna().to_numpy())[0]) + 1
        raise DataError(
            f"target column {target!r} has {n_missing} missing value(s) "
            f"(first in data row {row}); remove those rows"
        )
    y = column.to_numpy()
    if y.dtype.kind == "f":
        if not np.isfinite(y).all():
            raise DataError(f"target column {target!r} holds infinite values")
        if np.all(y == np.round(y)):
            y = y.astype(np.int64)
    classes = pd.unique(y).tolist()
    if len(classes) < 2:
        raise DataError(
            f"target column {target!r} has a single class ({classes[0]!r}); "
            "logistic regression needs two"
        )
    if len(classes) > 2 and len(classes) > len(y) / 2:
        shown = ", ".join(repr(c) for c in classes[:5]) + (", ..." if len(classes) > 5 else "")
        raise DataError(
            f"target column {target!r} has {len(classes)} distinct values in {len(y)} rows "
            f"({shown}): that looks like a measurement, not class labels"
        )
    if y.dtype.kind == "f":
        raise DataError(
            f"target column {target!r} holds non-integer numbers; labels must be classes "
            "(e.g. 0/1, -1/1 or names)"
        )
    if y.dtype.kind == "O":
        # Mixed Python types (e.g. 1 and 'a') cannot be sorted into classes_.
        kinds = {type(v) for v in y}
        if len(kinds) > 1:
            y = y.astype(str)
    return y


def _first_non_numeric(column: pd.Series) -> str:
    """' (e.g. 'abc' in data row 3)' for the first value that is not a number, or ''."""
    converted = pd.to_numeric(column, errors="coerce")
    bad = converted.isna() & column.notna()
    if not bad.any():
        return ""
    row = int(np.flatnonzero(bad.to_numpy())[0])
    return f" (e.g. {column.iloc[row]!r} in data row {row + 1})"


def _parser_detail(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if found:
        expected, line, saw = found.groups()
        return f"line {line} has {saw} fields, the header has {expected}"
    return text


def _check_encoding(encoding: str | None) -> str:
    if encoding is None:
        return "utf-8-sig"
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise DataError(f"unknown text encoding {encoding!r}") from None
    # A byte-order mark is never data: read UTF-8 as UTF-8-with-optional-BOM.
    return "utf-8-sig" if name == "utf-8" else encoding


def _encoding_label(encoding: str) -> str:
    return "UTF-8" if encoding == "utf-8-sig" else encoding


def _name_list(names: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(repr(str(n)) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")
