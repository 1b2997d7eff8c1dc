"""Parquet, read by pyarrow: one file, or a dataset written in parts (a directory of
``*.parquet`` files, read in sorted order)."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from logistic.exceptions import DataError
from logistic.io.formats import READ_ERRORS, check_file, error_text, name_list

__all__ = ["check_unique_names", "parquet_files", "read_parquet"]


def parquet_files(path: str | os.PathLike[str]) -> list[Path]:
    """The Parquet files that ``path`` names: the file itself, or every ``*.parquet`` file
    under a directory (a dataset written in parts), in sorted order."""
    path = Path(path)
    if path.is_dir():
        found = sorted(p for p in path.rglob("*.parquet") if p.is_file())
        if not found:
            raise DataError(f"{path}: the directory holds no *.parquet files")
        return found
    check_file(path)
    return [path]


def check_unique_names(path: Path, names: list[str]) -> None:
    """Refuses a Parquet schema that names a column twice (pyarrow writes such files)."""
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise DataError(
            f"{path}: the file names column(s) more than once: {name_list(repeated)}; "
            "give every column its own name"
        )


def read_parquet(path: Path, files: list[Path]) -> pd.DataFrame:
    """pyarrow's Parquet reader on ``files`` (the parts of ``path``); a file that is not
    Parquet (or is truncated), or parts whose columns disagree, are a DataError."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        for file in files:  # before reading: pyarrow's own error names no column
            check_unique_names(file, pq.read_schema(file).names)
        return pq.read_table([str(f) for f in files] if len(files) > 1 else files[0]).to_pandas()
    except (pa.ArrowException, *READ_ERRORS) as exc:
        # pyarrow's message repeats the path: "Could not open Parquet input source '<path>': "
        reason = re.sub(r"^Could not open Parquet input source '.*?': ", "", error_text(exc))
        raise DataError(f"{path}: not a readable Parquet file: {reason}") from None
