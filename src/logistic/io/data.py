"""Reading data files for the estimator: CSV, TSV, Parquet, LIBSVM and ``.npy`` to a checked
``(X, y, feature names)``.

Everything here raises :class:`~logistic.exceptions.DataError` (a ``ValueError``) with a
one-line message that names the file, the column and, where it helps, the row; nothing
prints or exits, so the library and the command line share the same checks.

    X, y, names = read_dataset("train.parquet", target="label")   # any format below
    X, _, _ = read_features("new.svm", names)                     # a model's columns, no labels

=========  ===========================================  ======================================
format     extensions                                   X, feature names, labels
=========  ===========================================  ======================================
csv        .csv, .txt (+ .gz .bz2 .xz .zst .zip)        float64 DataFrame, the header's names,
tsv        .tsv (+ the same compressions)               ``target`` names the label column
parquet    .parquet, .pq                                (the same, read by pyarrow)
libsvm     .svm, .libsvm, .svmlight (+ .gz .bz2 .xz)    scipy.sparse CSR, ``x<index>`` as the
                                                        file writes the index (x1, x2, ... for
                                                        the usual 1-based files), the labels
                                                        are each line's first field
npy        .npy                                         a 2-D numeric array: float64
                                                        DataFrame x1 … xd in column order
                                                        without the target; ``target`` is a
                                                        column index, default the last (-1)
=========  ===========================================  ======================================

The format comes from the extension unless ``fmt`` names it; a directory is a Parquet
dataset (every ``*.parquet`` file under it, in sorted order). The parsing is the libraries':
pandas (text tables), pyarrow (Parquet), scikit-learn's ``load_svmlight_file`` (LIBSVM) and
``numpy.load(allow_pickle=False)`` (``.npy``: pickled objects are never loaded).

This module reads any format; each format's reader and the column checks live in their own
module, and their public names are importable from here too::

    logistic.io.formats    FORMATS, TABLE_FORMATS, infer_format, resolve_format
    logistic.io.tables     read_table (CSV, TSV, Parquet)
    logistic.io.parquet    parquet_files
    logistic.io.libsvm     the LIBSVM reader and its x<index> columns
    logistic.io.npy        the .npy reader
    logistic.io.columns    split_xy, select_features, labels, check_numeric_columns
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple, TypeVar

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from logistic.exceptions import DataError
from logistic.io.columns import check_numeric_columns, labels, select_features, split_xy
from logistic.io.formats import (
    FORMATS,
    TABLE_FORMATS,
    infer_format,
    name_list,
    resolve_format,
)
from logistic.io.libsvm import libsvm_columns, read_libsvm
from logistic.io.npy import npy_names, npy_target, read_npy
from logistic.io.parquet import parquet_files
from logistic.io.tables import check_text_options, read_table

__all__ = [
    "FORMATS",
    "TABLE_FORMATS",
    "Dataset",
    "check_numeric_columns",
    "infer_format",
    "labels",
    "parquet_files",
    "read_dataset",
    "read_features",
    "read_table",
    "resolve_format",
    "select_features",
    "split_xy",
]

_Checked = TypeVar("_Checked")


class Dataset(NamedTuple):
    """What the readers return: ``X, y, feature_names = read_dataset(...)``."""

    X: pd.DataFrame | sp.csr_matrix
    """float64 DataFrame with the feature names as columns, or CSR for LIBSVM files."""
    y: NDArray | None
    """the labels (integral floats become integers); None from :func:`read_features`."""
    feature_names: list[str]


# -- reading ---------------------------------------------------------------------------------
def read_dataset(
    path: str | os.PathLike[str],
    target: str | int | None = None,
    *,
    fmt: str | None = None,
    features: Sequence[str] | None = None,
    encoding: str | None = None,
    header: bool = True,
    sep: str | None = None,
    na_values: Sequence[str] | None = None,
) -> Dataset:
    """Reads a labelled data file of any format as ``(X, y, feature_names)``.

    Parameters
    ----------
    path : the file.
    target : where the labels are. CSV/TSV/Parquet: the label column's name (required).
        ``.npy``: the label column's index (an int or a string such as ``"0"``; negative
        counts from the end), default the last column. LIBSVM: must be None (the labels are
        each line's first field).
    fmt : one of :data:`FORMATS`; None infers it from the extension (:func:`infer_format`).
    features : the feature columns by name, in order; None takes every column except the
        target. ``.npy`` columns are named x1 … xd (the target left out), LIBSVM columns
        ``x<index>`` as the file writes the index.
    encoding : the text encoding of CSV/TSV (default UTF-8, with or without byte-order mark).
    header, sep, na_values : CSV/TSV only, as :func:`read_table`. Without a header the
        columns are x1 … xd and ``target`` is a column index as for ``.npy`` (0 the first,
        -1 the last) or a name ``x<k>`` (k from 1).

    Raises
    ------
    DataError
        The file is missing or unreadable, its format unknown or its content malformed; the
        target is absent; a feature is absent, not numeric, or holds NaN or infinity; the
        labels are missing, a single class or a measurement.
    """
    path = Path(path)
    fmt = resolve_format(path, fmt)
    if fmt in TABLE_FORMATS:
        if target is None:
            raise DataError(f"{path}: name the label column (the target, --target COL)")
        frame = read_table(path, fmt, encoding=encoding, header=header, sep=sep,
                           na_values=na_values)
        if not header:
            target = _headerless_target(path, target, len(frame.columns))
        X, y = _located(path, lambda: split_xy(frame, str(target), features))
        return Dataset(X, y, [str(c) for c in X.columns])
    check_text_options(path, fmt, header, sep, na_values)
    if fmt == "libsvm":
        if target is not None:
            raise DataError(
                f"{path}: a LIBSVM file holds the labels in the first field of each line; "
                f"leave out the target (got {target!r})"
            )
        X, raw_labels = read_libsvm(path)
        X, names = libsvm_columns(path, X, features)
        return Dataset(X, labels(pd.Series(raw_labels), "", what=f"{path}: the label field"), names)
    array = read_npy(path)
    column = npy_target(path, target, array.shape[1])
    if array.shape[1] < 2:
        raise DataError(f"{path}: the array has no columns besides the target")
    kept = np.delete(np.arange(array.shape[1]), column)
    frame = pd.DataFrame(array[:, kept], columns=npy_names(kept.size))
    X = _located(path, lambda: select_features(frame, features or list(frame.columns)))
    y = labels(pd.Series(array[:, column]), "", what=f"{path}: target column {column}")
    return Dataset(X, y, [str(c) for c in X.columns])


def read_features(
    path: str | os.PathLike[str],
    features: Sequence[str] | None = None,
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    header: bool = True,
    sep: str | None = None,
    na_values: Sequence[str] | None = None,
) -> Dataset:
    """Reads the feature columns of a data file without labels, e.g. to predict: a
    :class:`Dataset` whose ``y`` is None.

    ``features`` are the columns a fitted model needs (``model.feature_names_in_``), by name
    and in that order; other columns (a label column included) are ignored. None takes every
    column. For LIBSVM files a name ``x<k>`` beyond the file's largest index is a column of
    zeros (an absent index is a zero); the file's labels are ignored. ``header``, ``sep``
    and ``na_values`` as :func:`read_table` (a headerless file's columns are x1 … xd).

    Raises
    ------
    DataError
        As :func:`read_dataset`; a feature is missing from the file.
    """
    path = Path(path)
    fmt = resolve_format(path, fmt)
    if fmt in TABLE_FORMATS:
        frame = read_table(path, fmt, encoding=encoding, header=header, sep=sep,
                           na_values=na_values)
        features = [str(c) for c in frame.columns] if features is None else list(features)
        missing = [name for name in features if name not in frame.columns]
        if missing:
            raise DataError(
                f"{path}: missing the model's feature column(s): {name_list(missing)}"
            )
        X = _located(path, lambda: select_features(frame, features))
        return Dataset(X, None, [str(c) for c in X.columns])
    check_text_options(path, fmt, header, sep, na_values)
    if fmt == "libsvm":
        X, _ = read_libsvm(path)
        X, names = libsvm_columns(path, X, features)
        return Dataset(X, None, names)
    array = read_npy(path)
    frame = pd.DataFrame(array, columns=npy_names(array.shape[1]))
    names = list(frame.columns) if features is None else [str(f) for f in features]
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise DataError(
            f"{path}: missing the model's feature column(s): {name_list(missing)}; a .npy "
            f"array's columns are x1 … x{array.shape[1]}"
        )
    return Dataset(_located(path, lambda: select_features(frame, names)), None, names)


def _headerless_target(path: Path, target: str | int, n_columns: int) -> str:
    """The label column of a headerless table, x1 … xd: ``target`` as an index (0 the first,
    -1 the last, as for ``.npy``) or as one of the names."""
    text = str(target).strip()
    if isinstance(target, bool) or not re.fullmatch(r"[+-]?\d+", text):
        return text
    index = int(text)
    if not -n_columns <= index < n_columns:
        raise DataError(
            f"{path}: target column {index} is out of range for a file of {n_columns} columns "
            f"(0 the first, -1 the last; or a name x1 … x{n_columns})"
        )
    return f"x{index % n_columns + 1}"


def _located(path: Path, check: Callable[[], _Checked]) -> _Checked:
    """Runs a column check whose DataError does not name the file; prefixes the path."""
    try:
        return check()
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from None
