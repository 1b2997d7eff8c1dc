"""``.npy`` files: one 2-D numeric array saved with ``numpy.save``, loaded with
``allow_pickle=False`` (pickled objects are never loaded); its columns are named x1 … xd."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from logistic.exceptions import DataError
from logistic.io.formats import READ_ERRORS, check_file, error_text

__all__ = ["npy_names", "npy_target", "read_npy"]


def read_npy(path: Path) -> NDArray:
    """A 2-D numeric array from ``numpy.load(allow_pickle=False)``."""
    from numpy.lib.format import MAGIC_PREFIX

    check_file(path)
    try:
        with open(path, "rb") as handle:
            magic = handle.read(len(MAGIC_PREFIX))
    except READ_ERRORS as exc:
        raise DataError(f"{path}: cannot read the file: {error_text(exc)}") from None
    if magic != MAGIC_PREFIX:
        # numpy.load would take any other content for a pickle and refuse it as such.
        kind = "an .npz archive" if magic.startswith(b"PK") else "not a NumPy .npy file"
        raise DataError(f"{path}: {kind}; save one 2-D array with numpy.save")
    _check_npy_size(path)
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(
                f"{path}: the array holds Python objects (a pickle), which are never loaded; "
                "save a numeric array"
            ) from None
        raise DataError(f"{path}: malformed .npy file: {error_text(exc)}") from None
    except READ_ERRORS as exc:
        raise DataError(f"{path}: cannot read the file: {error_text(exc)}") from None
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


def _check_npy_size(path: Path) -> None:
    """Refuses a header whose shape needs more bytes than the file holds, before
    ``numpy.load`` allocates it (a 100-byte file may claim 10^11 rows)."""
    from numpy.lib import format as npy_format

    try:
        with open(path, "rb") as handle:
            version = npy_format.read_magic(handle)
            if version == (1, 0):
                shape, _, dtype = npy_format.read_array_header_1_0(handle)
            else:
                shape, _, dtype = npy_format.read_array_header_2_0(handle)
            offset = handle.tell()
            size = os.fstat(handle.fileno()).st_size
    except (ValueError, TypeError, *READ_ERRORS):
        return  # numpy.load reports a malformed header in its own words
    need = math.prod(int(n) for n in shape) * dtype.itemsize
    if need > size - offset:
        raise DataError(
            f"{path}: malformed .npy file: its header gives shape {shape} of {dtype} "
            f"({need} bytes of data), but the file holds {max(size - offset, 0)} bytes after "
            "the header (truncated or corrupted)"
        )


def npy_target(path: Path, target: str | int | None, n_columns: int) -> int:
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


def npy_names(n_columns: int) -> list[str]:
    """The names of an array's columns: x1 … x<n_columns>."""
    return [f"x{j}" for j in range(1, n_columns + 1)]
