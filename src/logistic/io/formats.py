"""The data file formats: their names, their extensions, the format of a path; and the file
checks every reader shares (a missing file, an unreadable one, the OS's words for why).

See :mod:`logistic.io.data` for the table of formats and what each reader returns.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import IO, cast

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
    "open_by_magic",
    "name_list",
    "resolve_format",
    "text_separator",
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
        fmt = sniff_format(Path(path))
    if fmt is None:
        known = ", ".join(sorted(_EXTENSIONS))
        raise DataError(
            f"{path}: cannot tell the format from the file name (known extensions: {known}, "
            f"text ones optionally followed by {', '.join(COMPRESSIONS)}) nor from its "
            f"content; name the format explicitly (--format {format_list()})"
        )
    if compressed and fmt in ("parquet", "npy"):
        raise DataError(
            f"{path}: a compressed {fmt} file cannot be read directly; decompress it first"
            + (" (Parquet compresses its columns itself)" if fmt == "parquet" else "")
        )
    return fmt


#: The magic bytes of the compressions the standard library reads, and their openers.
_MAGIC_OPENERS = (
    (b"\x1f\x8b", gzip.open), (b"BZh", bz2.open), (b"\xfd7zXZ\x00", lzma.open),
)
#: A LIBSVM line: a numeric label, then at least one ``index:value`` (a ``qid:`` allowed).
_LIBSVM_LINE = re.compile(
    rb"\s*[+-]?[\d.]+(?:[eE][+-]?\d+)?(?:\s+(?:qid|\d+):\S+)+\s*(?:#.*)?"
)


def open_by_magic(path: Path) -> IO[bytes]:
    """``path`` opened for reading bytes, decompressed when its first bytes are the magic of
    gzip, bzip2 or xz (a file named ``a9a`` as distributed may be any of these)."""
    with open(path, "rb") as handle:
        head = handle.read(6)
    for magic, opener in _MAGIC_OPENERS:
        if head.startswith(magic):
            return cast(IO[bytes], opener(path, "rb"))
    return open(path, "rb")


def sniff_format(path: Path) -> str | None:
    """'libsvm' when the first non-empty line of a regular file (decompressed when its magic
    bytes say so) reads ``label index:value ...``; None otherwise (a FIFO is not read: its
    bytes would be gone for the reader)."""
    if not path.is_file():
        return None
    try:
        with open_by_magic(path) as handle:
            for _ in range(1000):  # a few blank or comment lines, then the first data line
                line = handle.readline(1 << 16)
                if not line:
                    return None
                if line.strip() and not line.lstrip().startswith(b"#"):
                    return "libsvm" if _LIBSVM_LINE.fullmatch(line.rstrip(b"\r\n")) else None
    except READ_ERRORS:
        return None
    return None


def resolve_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """``fmt`` as one of :data:`FORMATS` (aliases: svmlight, svm, pq, txt), or the format of
    ``path``'s extension when ``fmt`` is None."""
    if fmt is None:
        return infer_format(path)
    name = _ALIASES.get(str(fmt).lower(), str(fmt).lower())
    if name not in FORMATS:
        raise DataError(f"unknown format {fmt!r}; expected one of {format_list()}")
    return name


def text_separator(sep: str | None, fmt: str = "csv") -> str:
    """The field separator: ``sep`` as one literal character (``\\t`` written out is a tab),
    or the format's own. Longer texts are refused: pandas would read them as regular
    expressions."""
    if sep is None:
        return "\t" if fmt == "tsv" else ","
    sep = "\t" if sep == "\\t" else sep
    if len(sep) != 1 or sep in "\r\n\"":
        raise DataError(
            f"the separator must be one character other than a quote or a line break "
            f"(or \\t for a tab), got {sep!r}"
        )
    return sep


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
