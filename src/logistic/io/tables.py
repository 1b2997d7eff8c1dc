"""Tables with named columns: CSV and TSV with a header row (read by pandas, compressed or
not, in any text encoding), and Parquet (:mod:`logistic.io.parquet`), into a DataFrame."""

from __future__ import annotations

import codecs
import os
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from logistic.exceptions import DataError
from logistic.io.formats import (
    READ_ERRORS,
    TABLE_FORMATS,
    check_file,
    error_text,
    name_list,
    resolve_format,
    text_separator,
)
from logistic.io.parquet import parquet_files, read_parquet

__all__ = ["check_text_options", "read_table"]

_SEPARATORS = {"csv": ",", "tsv": "\t"}  # the formats that take --sep and the other text options


def read_table(
    path: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    encoding: str | None = None,
    header: bool = True,
    sep: str | None = None,
    na_values: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Reads a table with named columns (CSV/TSV with a header row, or Parquet) into a
    DataFrame.

    Spaces after a separator are skipped (``a, b`` reads ``b``) and the cells of text columns
    and the header's names lose their leading and trailing spaces (``' Male'`` is
    ``'Male'``); numbers read the same with or without spaces around them.

    Parameters
    ----------
    path : the file; compressed text files (``.gz`` ...) are decompressed transparently.
    fmt : 'csv', 'tsv' or 'parquet'; None infers it from the extension.
    encoding : the text encoding; None (default) is UTF-8, with or without a byte-order mark.
    header : False: the text file has no header row; its columns are named x1 … xd.
        A header row whose every field is a number warns (UserWarning): it looks like data.
    sep : the field separator of CSV/TSV, one character (``"\\t"`` written out is a tab);
        None: ',' for CSV, a tab for TSV.
    na_values : further cell texts that mean a missing value (``["?"]``), besides pandas'
        defaults (empty, NA, NaN ...).

    Raises
    ------
    DataError
        The file is missing, empty, has a header but no rows, has rows with more fields than
        the header, is not in the expected encoding, is not valid Parquet, or its format is
        unknown or has no named columns (LIBSVM, ``.npy``); ``sep`` is not one character;
        ``header``, ``sep`` or ``na_values`` is given for a file that is not CSV/TSV.
    """
    path = Path(path)
    fmt = resolve_format(path, fmt)
    if fmt not in TABLE_FORMATS:
        raise DataError(
            f"{path}: a {fmt} file has no named columns; this needs a table (CSV, TSV or "
            "Parquet)"
        )
    check_text_options(path, fmt, header, sep, na_values)
    encoding = _check_encoding(encoding)
    if fmt == "parquet":
        frame = read_parquet(path, parquet_files(path))
    else:
        check_file(path)
        text = _TextOptions(text_separator(sep, fmt), header, list(na_values or []))
        frame = _trimmed(_read_text_table(path, text, encoding), text)
        if header and any(_MANGLED.search(str(name)) for name in frame.columns):
            _check_unique_header(path, text, encoding)
        if header and len(frame.columns) and all(_is_number(n) for n in frame.columns):
            warnings.warn(
                f"{path}: the header row looks like data (all numbers); use --no-header if "
                "the file has none", UserWarning, stacklevel=2,
            )
    if len(frame.columns) == 0:
        raise DataError(f"{path}: the file has no columns")
    if len(frame) == 0:
        what = "no data rows" if fmt == "parquet" else "a header but no data rows"
        raise DataError(f"{path}: the file has {what}")
    return frame


class _TextOptions(NamedTuple):
    sep: str
    header: bool
    na_values: list[str]


def check_text_options(
    path: Path, fmt: str, header: bool, sep: str | None, na_values: Sequence[str] | None
) -> None:
    """Refuses the CSV/TSV reading options for a file of another format, where they would
    mean nothing."""
    given = [name for name, used in (("--no-header", not header), ("--sep", sep is not None),
                                     ("--na-values", bool(na_values))) if used]
    if given and fmt not in _SEPARATORS:
        raise DataError(
            f"{path}: {', '.join(given)} applies to CSV/TSV text only, not to a {fmt} file"
        )


def _is_number(name: object) -> bool:
    try:
        float(str(name))
    except ValueError:
        return False
    return True


def _trimmed(frame: pd.DataFrame, text: _TextOptions) -> pd.DataFrame:
    """Text cells and header names without surrounding spaces; x1 … xd without a header."""
    if not text.header:
        frame.columns = [f"x{j}" for j in range(1, len(frame.columns) + 1)]
    else:
        frame.columns = [n.strip() if isinstance(n, str) else n for n in frame.columns]
    for name in frame.columns:
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            stripped = column.map(lambda v: v.strip() if isinstance(v, str) else v)
            frame[name] = stripped.mask(stripped.isin(text.na_values)) if text.na_values \
                else stripped
    return frame


def _read_text_table(
    path: Path, text: _TextOptions, encoding: str, header_only: bool = False
) -> pd.DataFrame:
    """pandas.read_csv with every failure turned into a one-line DataError; ``header_only``
    reads the first line as data (the header's names as written)."""
    raw: dict[str, object] = {"header": None, "nrows": 1, "dtype": str} if header_only else {
        "header": 0 if text.header else None, "na_values": text.na_values or None,
    }
    fmt = "tsv" if text.sep == "\t" else "csv"
    try:
        with warnings.catch_warnings():
            # A row longer than the header makes pandas drop data with only a warning.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                path, sep=text.sep, encoding=encoding, index_col=False,
                compression="infer", skipinitialspace=True, **raw,  # type: ignore[call-overload]
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
    except READ_ERRORS as exc:
        raise DataError(f"{path}: cannot read the file: {error_text(exc)}") from None


#: How pandas renames a repeated header name: the second 'a' becomes 'a.1'.
_MANGLED = re.compile(r"\.\d+$")


def _check_unique_header(path: Path, text: _TextOptions, encoding: str) -> None:
    """Refuses a header that names a column twice (``a,a,y``), which pandas would silently
    read as 'a' and 'a.1'. Read only when a name looks renamed, so normal files pay
    nothing."""
    header = _read_text_table(path, text, encoding, header_only=True)
    names = [name.strip() for name in header.iloc[0].tolist() if isinstance(name, str)]
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise DataError(
            f"{path}: the header names column(s) more than once: {name_list(repeated)}; "
            "give every column its own name"
        )


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
    try:
        "".encode(name)  # a codec that is no text encoding (rot13, base64) refuses str
    except (LookupError, TypeError, ValueError):
        raise DataError(
            f"{encoding!r} is not a text encoding (it converts bytes to bytes or text to "
            "text); give the file's character encoding, e.g. utf-8 or latin-1"
        ) from None
    # A byte-order mark is never data: read UTF-8 as UTF-8-with-optional-BOM.
    return "utf-8-sig" if name == "utf-8" else encoding


def _encoding_label(encoding: str) -> str:
    return "UTF-8" if encoding == "utf-8-sig" else encoding
