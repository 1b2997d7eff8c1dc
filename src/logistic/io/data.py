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
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import os
import re
import warnings
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from logistic.exceptions import DataError

__all__ = [
    "FORMATS",
    "TABLE_FORMATS",
    "Dataset",
    "check_numeric_columns",
    "infer_format",
    "read_dataset",
    "read_features",
    "read_table",
    "resolve_format",
    "select_features",
    "split_xy",
]

#: The formats and what each holds (``--format`` in the command line, ``fmt=`` here).
FORMATS: dict[str, str] = {
    "csv": "comma-separated text with a header row",
    "tsv": "tab-separated text with a header row",
    "parquet": "Apache Parquet",
    "libsvm": "LIBSVM/svmlight text 'label index:value ...', read as a sparse matrix",
    "npy": "a 2-D numeric NumPy array saved with numpy.save",
}
#: The formats with named columns: a target column by name, --features, formulas.
TABLE_FORMATS = ("csv", "tsv", "parquet")
_ALIASES = {"svmlight": "libsvm", "svm": "libsvm", "pq": "parquet", "txt": "csv"}
_SEPARATORS = {"csv": ",", "tsv": "\t"}
_EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet",
    ".svm": "libsvm", ".libsvm": "libsvm", ".svmlight": "libsvm", ".npy": "npy",
}
_COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst", ".zip")
# pandas decompresses all of _COMPRESSIONS; the LIBSVM reader gets the standard library's.
_LIBSVM_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_READ_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)


class Dataset(NamedTuple):
    """What the readers return: ``X, y, feature_names = read_dataset(...)``."""

    X: pd.DataFrame | sp.csr_matrix
    """float64 DataFrame with the feature names as columns, or CSR for LIBSVM files."""
    y: NDArray | None
    """the labels (integral floats become integers); None from :func:`read_features`."""
    feature_names: list[str]


# -- formats ---------------------------------------------------------------------------------
def infer_format(path: str | os.PathLike[str]) -> str:
    """The format that a file name's extension implies (see the module's table).

    A compression suffix (``.gz``, ``.bz2``, ``.xz``, ``.zst``, ``.zip``) may follow the
    extension of a text format: ``train.csv.gz``, ``train.svm.bz2``.
    """
    if Path(path).is_dir():  # a Parquet dataset (``parquet_files`` finds its parts)
        return "parquet"
    suffixes = [s.lower() for s in Path(path).suffixes]
    compressed = bool(suffixes) and suffixes[-1] in _COMPRESSIONS
    if compressed:
        suffixes = suffixes[:-1]
    fmt = _EXTENSIONS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        known = ", ".join(sorted(_EXTENSIONS))
        raise DataError(
            f"{path}: cannot tell the format from the file name (known extensions: {known}, "
            f"text ones optionally followed by .gz); name the format explicitly "
            f"(--format {_format_list()})"
        )
    if compressed and fmt in ("parquet", "npy"):
        raise DataError(
            f"{path}: a compressed {fmt} file cannot be read directly; decompress it first"
            + (" (Parquet compresses its columns itself)" if fmt == "parquet" else "")
        )
    return fmt


def resolve_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """``fmt`` as one of :data:`FORMATS` (aliases: svmlight, svm, pq, txt), or the format of
    ``path``'s extension when ``fmt`` is None."""
    if fmt is None:
        return infer_format(path)
    name = _ALIASES.get(str(fmt).lower(), str(fmt).lower())
    if name not in FORMATS:
        raise DataError(f"unknown format {fmt!r}; expected one of {_format_list()}")
    return name


# -- reading ---------------------------------------------------------------------------------
def read_dataset(
    path: str | os.PathLike[str],
    target: str | int | None = None,
    *,
    fmt: str | None = None,
    features: Sequence[str] | None = None,
    encoding: str | None = None,
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
        frame = read_table(path, fmt, encoding=encoding)
        X, y = _located(path, lambda: split_xy(frame, str(target), features))
        return Dataset(X, y, [str(c) for c in X.columns])
    if fmt == "libsvm":
        if target is not None:
            raise DataError(
                f"{path}: a LIBSVM file holds the labels in the first field of each line; "
                f"leave out the target (got {target!r})"
            )
        X, raw_labels = _read_libsvm(path)
        X, names = _libsvm_columns(path, X, features)
        return Dataset(X, labels(pd.Series(raw_labels), "", what=f"{path}: the label field"), names)
    array = _read_npy(path)
    column = _npy_target(path, target, array.shape[1])
    if array.shape[1] < 2:
        raise DataError(f"{path}: the array has no columns besides the target")
    kept = np.delete(np.arange(array.shape[1]), column)
    frame = pd.DataFrame(array[:, kept], columns=_npy_names(kept.size))
    X = _located(path, lambda: select_features(frame, features or list(frame.columns)))
    y = labels(pd.Series(array[:, column]), "", what=f"{path}: target column {column}")
    return Dataset(X, y, [str(c) for c in X.columns])


def read_features(
    path: str | os.PathLike[str],
    features: Sequence[str] | None = None,
    *,
    fmt: str | None = None,
    encoding: str | None = None,
) -> Dataset:
    """Reads the feature columns of a data file without labels, e.g. to predict: a
    :class:`Dataset` whose ``y`` is None.

    ``features`` are the columns a fitted model needs (``model.feature_names_in_``), by name
    and in that order; other columns (a label column included) are ignored. None takes every
    column. For LIBSVM files a name ``x<k>`` beyond the file's largest index is a column of
    zeros (an absent index is a zero); the file's labels are ignored.

    Raises
    ------
    DataError
        As :func:`read_dataset`; a feature is missing from the file.
    """
    path = Path(path)
    fmt = resolve_format(path, fmt)
    if fmt in TABLE_FORMATS:
        frame = read_table(path, fmt, encoding=encoding)
        features = [str(c) for c in frame.columns] if features is None else list(features)
        missing = [name for name in features if name not in frame.columns]
        if missing:
            raise DataError(
                f"{path}: missing the model's feature column(s): {_name_list(missing)}"
            )
        X = _located(path, lambda: select_features(frame, features))
        return Dataset(X, None, [str(c) for c in X.columns])
    if fmt == "libsvm":
        X, _ = _read_libsvm(path)
        X, names = _libsvm_columns(path, X, features)
        return Dataset(X, None, names)
    array = _read_npy(path)
    frame = pd.DataFrame(array, columns=_npy_names(array.shape[1]))
    names = list(frame.columns) if features is None else [str(f) for f in features]
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise DataError(
            f"{path}: missing the model's feature column(s): {_name_list(missing)}; a .npy "
            f"array's columns are x1 … x{array.shape[1]}"
        )
    return Dataset(_located(path, lambda: select_features(frame, names)), None, names)


def read_table(
    path: str | os.PathLike[str], fmt: str | None = None, *, encoding: str | None = None
) -> pd.DataFrame:
    """Reads a table with named columns (CSV/TSV with a header row, or Parquet) into a
    DataFrame.

    Parameters
    ----------
    path : the file; compressed text files (``.gz`` ...) are decompressed transparently.
    fmt : 'csv', 'tsv' or 'parquet'; None infers it from the extension.
    encoding : the text encoding; None (default) is UTF-8, with or without a byte-order mark.

    Raises
    ------
    DataError
        The file is missing, empty, has a header but no rows, has rows with more fields than
        the header, is not in the expected encoding, is not valid Parquet, or its format is
        unknown or has no named columns (LIBSVM, ``.npy``).
    """
    path = Path(path)
    fmt = resolve_format(path, fmt)
    if fmt not in TABLE_FORMATS:
        raise DataError(
            f"{path}: a {fmt} file has no named columns; this needs a table (CSV, TSV or "
            "Parquet)"
        )
    encoding = _check_encoding(encoding)
    if fmt == "parquet":
        frame = _read_parquet(path, parquet_files(path))
    else:
        _check_file(path)
        frame = _read_text_table(path, fmt, encoding)
    if len(frame.columns) == 0:
        raise DataError(f"{path}: the file has no columns")
    if len(frame) == 0:
        what = "no data rows" if fmt == "parquet" else "a header but no data rows"
        raise DataError(f"{path}: the file has {what}")
    return frame


def _read_text_table(path: Path, fmt: str, encoding: str) -> pd.DataFrame:
    """pandas.read_csv with every failure turned into a one-line DataError."""
    try:
        with warnings.catch_warnings():
            # A row longer than the header makes pandas drop data with only a warning.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                path, sep=_SEPARATORS[fmt], encoding=encoding, index_col=False,
                compression="infer",
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
    except _READ_ERRORS as exc:
        raise DataError(f"{path}: cannot read the file: {_reason(exc)}") from None


def parquet_files(path: str | os.PathLike[str]) -> list[Path]:
    """The Parquet files that ``path`` names: the file itself, or every ``*.parquet`` file
    under a directory (a dataset written in parts), in sorted order."""
    path = Path(path)
    if path.is_dir():
        found = sorted(p for p in path.rglob("*.parquet") if p.is_file())
        if not found:
            raise DataError(f"{path}: the directory holds no *.parquet files")
        return found
    _check_file(path)
    return [path]


def _read_parquet(path: Path, files: list[Path]) -> pd.DataFrame:
    """pyarrow's Parquet reader on ``files`` (the parts of ``path``); a file that is not
    Parquet (or is truncated), or parts whose columns disagree, are a DataError."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table([str(f) for f in files] if len(files) > 1 else files[0]).to_pandas()
    except (pa.ArrowException, *_READ_ERRORS) as exc:
        # pyarrow's message repeats the path: "Could not open Parquet input source '<path>': "
        reason = re.sub(r"^Could not open Parquet input source '.*?': ", "", _reason(exc))
        raise DataError(f"{path}: not a readable Parquet file: {reason}") from None


def _read_libsvm(path: Path) -> tuple[sp.csr_matrix, NDArray[np.float64]]:
    """(X as CSR float64, the raw labels) of a LIBSVM file, column j holding index j as the
    file writes it (``zero_based=True``: no guessing of the base here)."""
    from sklearn.datasets import load_svmlight_file

    _check_file(path)
    try:
        with _open_libsvm(path) as handle:
            X, y = load_svmlight_file(handle, dtype=np.float64, zero_based=True)
    except DataError:
        raise
    except ValueError as exc:
        raise DataError(
            f"{path}: malformed LIBSVM file ({_libsvm_detail(path, exc)}); each line must read "
            "'label index:value index:value ...' with increasing indices"
        ) from None
    except _READ_ERRORS as exc:
        raise DataError(f"{path}: cannot read the file: {_reason(exc)}") from None
    if X.shape[0] == 0:
        raise DataError(f"{path}: the file has no data lines")
    _check_finite_sparse(path, X)
    return X, y


def _libsvm_columns(
    path: Path, X: sp.csr_matrix, wanted: Sequence[str] | None
) -> tuple[sp.csr_matrix, list[str]]:
    """The columns of a LIBSVM matrix and their names ``x<index>``.

    Without ``wanted``: every column, except an empty column 0 (the usual 1-based file never
    writes index 0), so the names are x1 … xd. Naming the columns by the file's own indices
    makes a model and a later file agree whatever the base, where scikit-learn's
    ``zero_based='auto'`` guesses per file. With ``wanted`` (names ``x<k>``): those columns in
    that order, an index the file never wrote being a column of zeros.
    """
    if wanted is None:
        if X.shape[1] > 0 and not np.any(X.indices == 0):
            # shift the indices down rather than slice: no copy of the values
            shape = (X.shape[0], X.shape[1] - 1)
            X = sp.csr_matrix((X.data, X.indices - 1, X.indptr), shape=shape)
            names = [f"x{j}" for j in range(1, X.shape[1] + 1)]
        else:
            names = [f"x{j}" for j in range(X.shape[1])]
        if not names:
            raise DataError(f"{path}: the file has labels but no features")
        return X, names
    wanted = [str(name) for name in wanted]
    if not wanted:
        raise DataError("no feature columns given")
    duplicated = sorted(name for name, count in Counter(wanted).items() if count > 1)
    if duplicated:
        raise DataError(f"feature column(s) listed twice: {_name_list(duplicated)}")
    found = [re.fullmatch(r"x(\d+)", name) for name in wanted]
    unknown = [name for name, match in zip(wanted, found, strict=True) if match is None]
    if unknown:
        raise DataError(
            f"{path}: feature column(s) not found: {_name_list(unknown)}; a LIBSVM file's "
            "columns are named x<index> (x1, x2, ...)"
        )
    index = np.array([int(match.group(1)) for match in found], dtype=np.intp)
    if index.max() >= X.shape[1]:  # indices the file never wrote: zeros
        X = sp.csr_matrix((X.data, X.indices, X.indptr), shape=(X.shape[0], index.max() + 1))
    if not np.array_equal(index, np.arange(X.shape[1])):
        X = X[:, index]
    return X, wanted


def _open_libsvm(path: Path) -> IO[bytes]:
    suffix = path.suffix.lower()
    if suffix in _COMPRESSIONS and suffix not in _LIBSVM_OPENERS:
        raise DataError(
            f"{path}: {suffix} compression is not supported for LIBSVM files; use .gz, .bz2 "
            "or .xz, or decompress it"
        )
    return _LIBSVM_OPENERS.get(suffix, open)(path, "rb")


def _check_finite_sparse(path: Path, X: sp.csr_matrix) -> None:
    """NaN or infinity among the stored values: a DataError naming the feature and row."""
    bad = np.flatnonzero(~np.isfinite(X.data))
    if bad.size:
        row = int(np.searchsorted(X.indptr, bad[0], side="right"))
        raise DataError(
            f"{path}: {bad.size} feature value(s) are missing or infinite (first: "
            f"'x{int(X.indices[bad[0]])}' in data row {row}); remove or impute those rows"
        )


def _read_npy(path: Path) -> NDArray:
    """A 2-D numeric array from ``numpy.load(allow_pickle=False)``."""
    from numpy.lib.format import MAGIC_PREFIX

    _check_file(path)
    try:
        with open(path, "rb") as handle:
            magic = handle.read(len(MAGIC_PREFIX))
    except _READ_ERRORS as exc:
        raise DataError(f"{path}: cannot read the file: {_reason(exc)}") from None
    if magic != MAGIC_PREFIX:
        # numpy.load would take any other content for a pickle and refuse it as such.
        kind = "an .npz archive" if magic.startswith(b"PK") else "not a NumPy .npy file"
        raise DataError(f"{path}: {kind}; save one 2-D array with numpy.save")
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(
                f"{path}: the array holds Python objects (a pickle), which are never loaded; "
                "save a numeric array"
            ) from None
        raise DataError(f"{path}: malformed .npy file: {_reason(exc)}") from None
    except _READ_ERRORS as exc:
        raise DataError(f"{path}: cannot read the file: {_reason(exc)}") from None
    if array.ndim != 2:
        raise DataError(
            f"{path}: expected a 2-D array (rows × columns), got {array.ndim}-D of shape "
            f"{array.shape}"
        )
    if array.dtype.kind not in "biuf":
        raise DataError(
            f"{path}: the array's dtype {array.dtype} is not numeric; save numbers "
            "(integers or floats)"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise DataError(f"{path}: the array is empty (shape {array.shape})")
    return array


def _npy_target(path: Path, target: str | int | None, n_columns: int) -> int:
    """The label column of an array: ``target`` as an index, default the last column."""
    if target is None:
        return n_columns - 1
    text = str(target).strip()
    if isinstance(target, bool) or not re.fullmatch(r"[+-]?\d+", text):
        raise DataError(
            f"{path}: a .npy array has no column names; give the target as a column index "
            f"(0 the first, -1 the last, the default), not {target!r}"
        )
    index = int(text)
    if not -n_columns <= index < n_columns:
        raise DataError(
            f"{path}: target column {index} is out of range for an array of {n_columns} "
            "columns"
        )
    return index % n_columns


def _npy_names(n_columns: int) -> list[str]:
    return [f"x{j}" for j in range(1, n_columns + 1)]


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, not a data file")


def _located(path: Path, check):
    """Runs a column check whose DataError does not name the file; prefixes the path."""
    try:
        return check()
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from None


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


# -- DataFrames given to the estimator -------------------------------------------------------
def check_numeric_columns(X) -> None:
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
        raise DataError(
            f"DataFrame column(s) are not numeric: {described}; convert them to numbers, "
            f"encode categories with a formula, e.g. LogisticRegression.from_formula("
            f"'y ~ {example} + ...', {data}), or drop them"
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
            return f"could not convert string to float: {value!r}"
    first = next((v for v in values if isinstance(v, str | bytes)), None)
    return f"text such as {first!r}" if first is not None else "text"


# -- helpers ---------------------------------------------------------------------------------
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
            y = y.astype(np.int64)
    classes = pd.unique(y).tolist()
    if len(classes) < 2:
        raise DataError(
            f"{what} has a single class ({classes[0]!r}); logistic regression needs two"
        )
    if len(classes) > 2 and len(classes) > len(y) / 2:
        shown = ", ".join(repr(c) for c in classes[:5]) + (", ..." if len(classes) > 5 else "")
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


def _libsvm_detail(path: Path, exc: ValueError) -> str:
    """scikit-learn's parse error, with the first line holding the offending text where the
    message quotes it (its parser does not give line numbers)."""
    text = _reason(exc)
    quoted = re.search(r"b'([^']+)'", text)
    if quoted is None:
        return text
    token = quoted.group(1).encode("latin-1", "backslashreplace")
    try:
        with _open_libsvm(path) as handle:
            for number, line in enumerate(handle, start=1):
                if token in line:
                    return f"{text} (line {number})"
    except (DataError, *_READ_ERRORS):
        pass
    return text


def _reason(exc: BaseException) -> str:
    """An exception's message on one line (the OS's words for an OSError)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _format_list() -> str:
    names = list(FORMATS)
    return ", ".join(names[:-1]) + f" or {names[-1]}"
