"""LIBSVM/svmlight files (``label index:value ...``), read by scikit-learn's
``load_svmlight_file`` as a CSR matrix whose columns are named ``x<index>`` as the file writes
the index."""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from logistic.exceptions import DataError
from logistic.io.formats import (
    COMPRESSIONS,
    READ_ERRORS,
    check_file,
    error_text,
    name_list,
    open_by_magic,
)

__all__ = ["libsvm_columns", "read_libsvm"]


# pandas decompresses all of COMPRESSIONS; the LIBSVM reader gets the standard library's.
_LIBSVM_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def read_libsvm(path: Path) -> tuple[sp.csr_matrix, NDArray[np.float64]]:
    """(X as CSR float64, the raw labels) of a LIBSVM file, column j holding index j as the
    file writes it (``zero_based=True``: no guessing of the base here)."""
    from sklearn.datasets import load_svmlight_file

    check_file(path)
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
    except OverflowError:
        raise DataError(
            f"{path}: malformed LIBSVM file: a feature index is beyond the 64-bit integer range"
        ) from None
    except READ_ERRORS as exc:
        raise DataError(f"{path}: cannot read the file: {error_text(exc)}") from None
    if X.shape[0] == 0:
        raise DataError(f"{path}: the file has no data lines")
    _check_width(path, X)
    _check_finite_sparse(path, X)
    return X, y


#: Columns a LIBSVM file may always have; beyond this, no more columns than stored values.
MAX_FREE_COLUMNS = 2**20
#: A fit's memory per column, measured (1.8 GB for 2^20 columns, 60 rows, unpenalized).
_COLUMN_BYTES = 1500


def _check_width(path: Path, X: sp.csr_matrix) -> None:
    """Refuses a width that the file's values do not justify: a fit holds many float64
    vectors of one entry per column (coefficients, gradients, L-BFGS history, column
    statistics, the separation screen's extremes): measured, 1.8 GB of memory for a
    60-line file of 2^20 columns, ~ 1.5 KB per column, so 60 lines with the index
    2,000,000,000 would need ~ 3 TB. Up to 2^20 columns are always allowed, more only up to
    the number of stored values (real sparse data has fewer columns than values: news20
    1.4 M columns for 9 M values)."""
    width, stored = X.shape[1], X.nnz
    if width > max(MAX_FREE_COLUMNS, stored):
        need = width * _COLUMN_BYTES / 1e9
        raise DataError(
            f"{path}: the largest feature index is {width - 1}, but the file stores only "
            f"{stored} value(s): fitting that many columns would need ~ {need:.3g} GB; "
            f"a LIBSVM file may have up to {MAX_FREE_COLUMNS} columns, or as many as it "
            "stores values (check the indices)"
        )


def libsvm_columns(
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
        raise DataError(f"feature column(s) listed twice: {name_list(duplicated)}")
    found = [re.fullmatch(r"x(\d+)", name) for name in wanted]
    unknown = [name for name, match in zip(wanted, found, strict=True) if match is None]
    if unknown:
        raise DataError(
            f"{path}: feature column(s) not found: {name_list(unknown)}; a LIBSVM file's "
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
    if suffix in COMPRESSIONS and suffix not in _LIBSVM_OPENERS:
        raise DataError(
            f"{path}: {suffix} compression is not supported for LIBSVM files; use .gz, .bz2 "
            "or .xz, or decompress it"
        )
    if suffix in _LIBSVM_OPENERS:
        return _LIBSVM_OPENERS[suffix](path, "rb")
    # no compression suffix (a9a as distributed): the magic bytes tell; a FIFO is read as is
    return open_by_magic(path) if path.is_file() else open(path, "rb")


def _check_finite_sparse(path: Path, X: sp.csr_matrix) -> None:
    """NaN or infinity among the stored values: a DataError naming the feature and row."""
    bad = np.flatnonzero(~np.isfinite(X.data))
    if bad.size:
        row = int(np.searchsorted(X.indptr, bad[0], side="right"))
        raise DataError(
            f"{path}: {bad.size} feature value(s) are missing or infinite (first: "
            f"'x{int(X.indices[bad[0]])}' in data row {row}); remove or impute those rows"
        )


def _libsvm_detail(path: Path, exc: ValueError) -> str:
    """scikit-learn's parse error, with the first line holding the offending text where the
    message quotes it (its parser does not give line numbers)."""
    text = error_text(exc)
    quoted = re.search(r"b'([^']+)'", text)
    if quoted is None:
        return text
    token = quoted.group(1).encode("latin-1", "backslashreplace")
    try:
        with _open_libsvm(path) as handle:
            for number, line in enumerate(handle, start=1):
                if token in line:
                    return f"{text} (line {number})"
    except (DataError, *READ_ERRORS):
        pass
    return text
