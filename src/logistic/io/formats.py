"""The data file formats: their names, their extensions, the format of a path; and the file
checks every reader shares (a missing file, an unreadable one, the OS's words for why).

See :mod:`logistic.io.data` for the table of formats and what each reader returns.
"""

from __future__ import annotations

import lzma
import os
import zlib
from collections.abc import Sequence
from pathlib import Path

from logistic.exceptions import DataError

__all__ = [
    "COMPRESSIONS",
    "FORMATS",
    "READ_ERRORS",
    "TABLE_FORMATS",
    "check_file",
    "error_text",
    "excerpt",
    "format_list",
    "infer_format",
    "name_list",
    "resolve_format",
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
_EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet",
    ".svm": "libsvm", ".libsvm": "libsvm", ".svmlight": "libsvm", ".npy": "npy",
}
#: The compression suffixes a text format may carry (``train.csv.gz``).
COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst", ".zip")
#: What reading a file may raise besides a parse error: the OS's and the decompressors'.
READ_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)


# -- formats ---------------------------------------------------------------------------------
def infer_format(path: str | os.PathLike[str]) -> str:
    """The format that a file name's extension implies (see the module's table).

    A compression suffix (``.gz``, ``.bz2``, ``.xz``, ``.zst``, ``.zip``) may follow the
    extension of a text format: ``train.csv.gz``, ``train.svm.bz2``.
    """
    if Path(path).is_dir():  # a Parquet dataset (``parquet_files`` finds its parts)
        return "parquet"
    suffixes = [s.lower() for s in Path(path).suffixes]
    compressed = bool(suffixes) and suffixes[-1] in COMPRESSIONS
    if compressed:
        suffixes = suffixes[:-1]
    fmt = _EXTENSIONS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        known = ", ".join(sorted(_EXTENSIONS))
        raise DataError(
            f"{path}: cannot tell the format from the file name (known extensions: {known}, "
            f"text ones optionally followed by .gz); name the format explicitly "
            f"(--format {format_list()})"
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
        raise DataError(f"unknown format {fmt!r}; expected one of {format_list()}")
    return name


def format_list() -> str:
    """The format names for a message: 'csv, tsv, parquet, libsvm or npy'."""
    names = list(FORMATS)
    return ", ".join(names[:-1]) + f" or {names[-1]}"


# -- the checks every reader shares ----------------------------------------------------------
def check_file(path: Path) -> None:
    """A DataError unless ``path`` is an existing file (not a directory, not a device).

    A FIFO is read (``<(zcat data.csv.gz)``); a character or block device is not: /dev/zero
    or /dev/urandom would be read without end.
    """
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, not a data file")
    if path.is_char_device() or path.is_block_device():
        raise DataError(f"{path}: is a device, not a data file")


def error_text(exc: BaseException) -> str:
    """An exception's message on one line (the OS's words for an OSError)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def excerpt(value: object, limit: int = 40) -> str:
    """``repr(value)`` for a message, cut to about ``limit`` characters: a value quoted from a
    file (a 10 MB text cell) must not make the message as long as the file."""
    if isinstance(value, str | bytes) and len(value) > limit:
        return f"{value[:limit]!r}... ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= limit + 20 else f"{text[:limit]}... ({len(text)} characters)"


def name_list(names: Sequence[str], limit: int = 20) -> str:
    """Names quoted for a message ("'a', 'b'"), the first ``limit`` and then how many in all."""
    shown = ", ".join(excerpt(str(n)) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")
