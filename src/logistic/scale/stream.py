"""Out-of-core fitting: exact full-batch optimization over Parquet files read in chunks.

    model = fit_parquet(LogisticRegression(), "big.parquet", target="y", memory="1GB")

Every pass of the solver reads the file(s) once, in row chunks (pyarrow's
``ParquetFile.iter_batches``), and adds up each chunk's share of J, ∇J and, for Newton, ∇²J
(``partitioned.PartitionedObjective``): the optimum is the in-memory one, only the memory is
bounded. The chunk size comes from the budget:

    rows per chunk = (memory / 2) / (8·(4d + 6K + 8))  bytes per row

(per row: three float64 chunks of X in flight — the one being computed on, the next one,
read ahead by a thread, and the one being read — the Arrow columns being decoded, and about
6K + 8 float64 vectors of the chain rule: z, ∂L/∂z, the weights, targets, …); the other half
is left to the allocator. On top come the interpreter and its libraries (≈ 250 MB) and
pyarrow's reader, which holds a row group's column-chunk state (dictionary pages, page
buffers: 100–300 MB for row groups of 200,000 rows × 50 float64 columns) whatever the
budget. Column chunks are read through a small buffer, so row groups may be larger than
the budget.

The first pass discovers the classes (labels may be strings) and checks every chunk: each
problem is a ``DataError`` naming the file, the column and the row, raised before anything
is fitted or written; for an unpenalized fit it also gathers each class's column extremes,
from which the separation screen finds the columns that separate by themselves
(``screen.py``). Later passes do not check the values again: they must read exactly the same
rows, which each pass makes sure of by comparing every file's size, modification time, inode,
columns and row groups, before and after reading it, with what they were when the fit began
(a file replaced or written over is a ``DataError`` naming it).
Newton — one pass per iteration with the Hessian — is chosen for up to 256 parameters,
L-BFGS (one pass per evaluation) above, as in memory.
"""

from __future__ import annotations

import os
import queue
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from logistic.core.threads import one_compute_thread
from logistic.exceptions import DataError
from logistic.io.data import parquet_files
from logistic.io.parquet import check_unique_names
from logistic.scale.partitioned import fit_partitioned

__all__ = ["ParquetSource", "batch_rows", "fit_parquet", "parse_memory"]

_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12,
          "ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40}
#: The largest budget (1 EiB): rows per chunk then still fit the C integers pyarrow takes.
_MAX_MEMORY = 2**60
_MIN_ROWS = 256  # below this a chunk costs more in overhead than it saves in memory
# pyarrow reads column chunks through a 64 KiB buffer, not whole: less resident memory with
# large row groups, and no slower (measured on 200,000-row groups of 50 float64 columns)
_READ_BUFFER = 1 << 16


def parse_memory(memory: str | int) -> int:
    """Bytes from '1GB', '512MB', '1.5GiB', '800M' or an int: K/M/G/T are powers of 1000,
    Ki/Mi/Gi/Ti of 1024 (a trailing B optional)."""
    if isinstance(memory, int | np.integer) and not isinstance(memory, bool):
        value = int(memory)
    else:
        found = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmgt]i?)?b?\s*", str(memory).lower())
        if found is None:
            raise ValueError(
                f"memory must be a size such as '1GB', '512MB' or '2GiB', got {memory!r}"
            )
        size = float(found.group(1)) * _UNITS[found.group(2) or ""]
        if not np.isfinite(size):
            raise ValueError(f"memory must be a finite size, got {memory!r}")
        value = int(size)
    if value <= 0:
        raise ValueError(f"memory must be positive, got {memory!r}")
    if value > _MAX_MEMORY:
        raise ValueError(f"memory must be at most 1 EiB (2^60 bytes), got {memory!r}")
    return value


def batch_rows(memory: int, n_features: int, n_outputs: int = 1) -> int:
    """Rows per chunk so that the chunks in flight take at most half of ``memory`` bytes:
    (memory / 2) / (8·(4d + 6K + 8)). A budget too small for 256 rows is an error."""
    row_bytes = 8 * (4 * n_features + 6 * n_outputs + 8)
    rows = (memory // 2) // row_bytes
    if rows < _MIN_ROWS:
        need = 2 * _MIN_ROWS * row_bytes
        raise ValueError(
            f"memory={memory} bytes is too small for chunks of {n_features} features: "
            f"give at least {need} bytes ({need / 1e6:.1f} MB)"
        )
    return int(rows)


class ParquetSource:
    """Chunks (X, labels, weights) of one or more Parquet files: a reducer for
    ``PartitionedObjective`` that reads the files once per pass.

    ``path`` is a file, a directory (its ``*.parquet`` files, sorted, recursively) or a list
    of files; every file must hold the target and the features with compatible types
    (checked from the schemas before any row is read).
    """

    def __init__(
        self,
        path: str | os.PathLike | Sequence[str | os.PathLike],
        target: str,
        features: Sequence[str] | None = None,
        weight: str | None = None,
        memory: str | int = "1GB",
    ) -> None:
        self.memory = parse_memory(memory)
        self.files = _files(path)
        self.target, self.weight = target, weight
        self.features = _check_schemas(self.files, target, list(features or []) or None, weight)
        self.columns = [*self.features, target, *([weight] if weight else [])]
        # what each file was when the fit began: every pass must read exactly those rows
        self.signatures = {path: _signature(path, _open(path)) for path in self.files}
        self.batch_rows = self._rows(1)
        self.checked = False  # set after a complete pass has checked every chunk

    def prepare(self, n_outputs: int) -> None:
        """Chunks sized for K = ``n_outputs`` score columns."""
        self.batch_rows = self._rows(n_outputs)

    def _rows(self, n_outputs: int) -> int:
        try:
            return batch_rows(self.memory, len(self.features), n_outputs)
        except ValueError as exc:  # the budget is too small for these files' rows
            raise DataError(f"{_names(self.files)}: {exc}") from None

    def map_reduce(self, fn):
        """Σ over the chunks of fn(X, labels, weights), reading the files once; the next
        chunk is read and converted in a thread while fn works on this one."""
        total = None
        # BLAS and numba on one thread while a pass streams: the reading thread decodes the
        # next chunk on another core, and threaded arithmetic contending with it made passes
        # slower (2 cores, 2.6 M × 50 rows: a Hessian pass 1.33 s → 1.0 s, a gradient pass
        # 0.8 s → 0.56 s; benchmarks/out_of_core.py).
        with one_compute_thread():
            for path, first, X, labels, weights in _prefetched(self.chunks()):
                try:
                    result = fn(X, labels, weights)
                except DataError:
                    raise
                except ValueError as exc:
                    rows = f"rows {first + 1}-{first + X.shape[0]}"
                    raise DataError(f"{path} ({rows}): {_one_line(exc)}") from None
                total = result if total is None else total + result
        self.checked = True
        if total is None:
            raise DataError(f"{_names(self.files)}: no data rows")
        return total

    def chunks(self) -> Iterator[tuple[Path, int, NDArray, NDArray, NDArray | None]]:
        """(file, index of the chunk's first row in it, X, labels, weights) per chunk."""
        import pyarrow as pa

        for path in self.files:
            first = 0
            parquet = _open(path)
            _check_unchanged(path, self.signatures[path], _signature(path, parquet))
            try:
                reader = parquet.iter_batches(
                    batch_size=self.batch_rows, columns=self.columns, use_threads=True
                )
                for batch in reader:
                    yield (path, first, *self._arrays(batch, path, first))
                    first += batch.num_rows
            except (pa.ArrowException, OSError) as exc:
                raise DataError(f"{path}: cannot read the Parquet file: {_one_line(exc)}") from None
            # written over in place while this pass read it (the last pass has no next one)
            _check_unchanged(path, self.signatures[path], _signature(path, parquet))

    # -- one chunk ---------------------------------------------------------------------------
    def _arrays(self, batch, path: Path, first: int):
        """The chunk as float64 X, labels and weights; checked on the first pass. X is in
        Fortran order: each Arrow column is then one contiguous copy (filling a C-ordered X
        column by column is a strided transpose, 3× slower than reading the file)."""
        check = not self.checked
        d = len(self.features)
        X = np.empty((batch.num_rows, d), order="F")
        for j in range(d):
            column = batch.column(j)
            if check:
                _check_no_nulls(column, path, self.features[j], first)
            X[:, j] = column.to_numpy(zero_copy_only=False)
        if check:
            _check_finite(X, path, self.features, first)
        labels = _labels(batch.column(d), path, self.target, first, check)
        weights = None
        if self.weight is not None:
            column = batch.column(d + 1)
            if check:
                _check_no_nulls(column, path, self.weight, first)
            weights = column.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
            if check:
                _check_weights(weights, path, self.weight, first)
        return X, labels, weights


def _prefetched(items: Iterator) -> Iterator:
    """``items``, produced one ahead by a thread: reading (pyarrow decodes without the GIL)
    overlaps the chain rule's arithmetic. At most three items live at once: the consumer's,
    the queued one and the one being produced. An exception in the producer is re-raised
    here; a consumer that stops early stops the producer."""
    ready: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer((True, item)):
                    return
            offer((False, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, re-raised there
            offer((False, exc))
        finally:
            items.close()

    thread = threading.Thread(target=produce, name="parquet-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            more, item = ready.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        thread.join()


def fit_parquet(
    model,
    path: str | os.PathLike | Sequence[str | os.PathLike],
    target: str,
    features: Sequence[str] | None = None,
    *,
    weight: str | None = None,
    memory: str | int = "1GB",
):
    """Fits ``model`` (a ``LogisticRegression``) on Parquet data too large for memory.

    ``path``: a file, a directory of ``*.parquet`` files or a list of files; ``target``:
    the label column; ``features``: the feature columns (default: all others but ``weight``);
    ``weight``: an optional column of sample weights; ``memory``: the budget for the data's
    chunks ('1GB', '512MB', bytes). Every solver pass streams the files once; the result
    equals the in-memory fit's. Returns ``model``, fitted (feature_names_in_ = features).

    Raises ``DataError`` (naming the file, the column and the row) for unreadable files,
    a missing column, types that differ between files, non-numeric or missing features,
    missing labels; ``ValueError`` for options a partitioned fit does not offer
    (penalty='firth', cov_type='cluster').
    """
    source = ParquetSource(path, target, features, weight, memory)
    return fit_partitioned(model, source, feature_names=source.features)


# -- files and schemas -----------------------------------------------------------------------
def _files(path) -> list[Path]:
    paths = [path] if isinstance(path, str | os.PathLike) else list(path)
    files: list[Path] = []
    for entry in paths:
        files.extend(parquet_files(entry))
    if not files:
        raise DataError("no Parquet files given")
    return files


def _open(path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path, buffer_size=_READ_BUFFER, pre_buffer=False)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: not a readable Parquet file: {_one_line(exc)}") from None


def _signature(path: Path, parquet) -> dict[str, object]:
    """What identifies a Parquet file's content without reading it: the file's size,
    modification time and inode (a replaced file has a new one), its columns and its row
    groups' sizes."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise DataError(f"{path}: cannot read the Parquet file: {_one_line(exc)}") from None
    meta = parquet.metadata
    groups = tuple((meta.row_group(i).num_rows, meta.row_group(i).total_byte_size)
                   for i in range(meta.num_row_groups))
    return {"size": info.st_size, "modification time": info.st_mtime_ns,
            "inode": (info.st_dev, info.st_ino), "columns": tuple(parquet.schema_arrow.names),
            "row groups": groups}


def _check_unchanged(path: Path, before: dict[str, object], now: dict[str, object]) -> None:
    """A DataError when a file differs from what it was when the fit began: each solver pass
    must see the same rows, or the sums of the passes mix two data sets."""
    changed = [what for what in before if before[what] != now[what]]
    if changed:
        raise DataError(
            f"{path}: the file changed during the fit (changed since the fit began: "
            f"{', '.join(changed)}); every pass must read the same data, so the fit was "
            "stopped: fit again once the data stays put"
        )


def _check_schemas(files: list[Path], target: str, features, weight) -> list[str]:
    """The feature columns; every file must have the target, the features and the weight,
    the features and weight numeric, and the target of one kind (integer, float, bool or
    text) in all files."""
    target_kind = None
    for path in files:
        schema = _open(path).schema_arrow
        names = list(schema.names)
        check_unique_names(path, names)
        if features is None:
            features = [n for n in names if n not in (target, weight)]
            if not features:
                raise DataError(f"{path}: the file has no columns besides the target {target!r}")
        if target in features:
            raise DataError(f"the target column {target!r} is also listed as a feature")
        for name in [target, *features, *([weight] if weight else [])]:
            if name not in names:
                role = "target" if name == target else "weight" if name == weight else "feature"
                raise DataError(
                    f"{path}: {role} column {name!r} not found; available columns: "
                    f"{', '.join(map(repr, names[:20]))}"
                )
        for name in [*features, *([weight] if weight else [])]:
            kind = _kind(schema.field(name).type)
            if kind not in ("integer", "float", "bool"):
                raise DataError(
                    f"{path}: column {name!r} is not numeric (Parquet type "
                    f"{schema.field(name).type}); encode it as numbers or leave it out"
                )
        kind = _kind(schema.field(target).type)
        if kind == "other":
            raise DataError(
                f"{path}: target column {target!r} has type {schema.field(target).type}; "
                "labels must be integers, booleans or text"
            )
        if target_kind is not None and kind != target_kind[0]:
            raise DataError(
                f"{path}: target column {target!r} holds {kind} values, but {target_kind[1]} "
                f"holds {target_kind[0]}: every file must give the labels the same type"
            )
        target_kind = target_kind or (kind, path)
    return list(features)


def _kind(arrow_type) -> str:
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pa.types.is_boolean(arrow_type):
        return "bool"
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "float"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "text"
    return "other"


# -- checks of one chunk ---------------------------------------------------------------------
def _check_no_nulls(column, path: Path, name: str, first: int) -> None:
    if column.null_count:
        row = first + int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
        raise DataError(
            f"{path}: column {name!r} has {column.null_count} missing value(s) in rows "
            f"{first + 1}-{first + len(column)} (first in data row {row + 1}); remove or impute "
            "those rows"
        )


def _check_finite(X: NDArray, path: Path, features: list[str], first: int) -> None:
    finite = np.isfinite(X)
    if finite.all():
        return
    rows, columns = np.nonzero(~finite)
    raise DataError(
        f"{path}: column {features[columns[0]]!r} holds a non-finite value "
        f"({X[rows[0], columns[0]]}) in data row {first + rows[0] + 1}; remove or impute it"
    )


def _check_weights(weights: NDArray, path: Path, name: str, first: int) -> None:
    bad = ~(np.isfinite(weights) & (weights >= 0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{path}: weight column {name!r} holds {weights[row]} in data row "
            f"{first + row + 1}; weights must be finite and >= 0"
        )


def _labels(column, path: Path, target: str, first: int, check: bool) -> NDArray:
    """The target column as labels: text as an object array, integral floats as integers
    (as the CSV reader does), so that 0.0/1.0 and 0/1 files give the same classes."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if check:
        _check_no_nulls(column, path, target, first)
    labels = column.to_numpy(zero_copy_only=False)
    if check and labels.dtype.kind in "uf" and labels.size:
        _check_label_range(labels, path, target, first)
    if labels.dtype.kind == "f":
        integral = np.isfinite(labels) & (labels == np.round(labels))
        if check and not integral.all():
            row = int(np.flatnonzero(~integral)[0])
            raise DataError(
                f"{path}: target column {target!r} holds {labels[row]} in data row "
                f"{first + row + 1}; labels must be classes (e.g. 0/1, -1/1 or names)"
            )
        labels = labels.astype(np.int64)
    return labels


def _check_label_range(labels: NDArray, path: Path, target: str, first: int) -> None:
    """Labels must stay exact as int64 (the classes of a streamed fit): uint64 values or
    integral floats of 2^63 and more would be changed, so they are refused."""
    with np.errstate(invalid="ignore"):
        if labels.dtype.kind == "u":
            outside = labels > np.iinfo(np.int64).max
        else:
            outside = np.isfinite(labels) & ~((labels >= -(2.0**63)) & (labels < 2.0**63))
    if outside.any():
        row = int(np.flatnonzero(outside)[0])
        raise DataError(
            f"{path}: target column {target!r} holds {labels[row].item()!r} in data row "
            f"{first + row + 1}, beyond the 64-bit integer range of streamed labels; use "
            "smaller integers or names as labels"
        )


def _names(files: list[Path]) -> str:
    return str(files[0]) if len(files) == 1 else f"{files[0]} and {len(files) - 1} more"


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__

