"""Reading what the subcommands are given: saved models, and DATA matched to a model's
columns by name (output paths: cli/output_paths.py)."""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from logistic.cli.errors import UsageError
from logistic.cli.options import reading
from logistic.exceptions import DataError
from logistic.io.data import (
    TABLE_FORMATS,
    read_dataset,
    read_features,
    read_table,
    resolve_format,
)
from logistic.io.model_file import load
from logistic.models.logistic_regression import LogisticRegression

#: The most cells a sparse file may have to be drawn or reported (densified): 400 MB.
MAX_DENSE_CELLS = 50_000_000


def require_logistic(model: object, path: Path, what: str = "this command") -> None:
    """Figures, explain and the report read a ``LogisticRegression``'s coefficients; another
    model's file (an ordinal model's) gets a one-line refusal instead of an internal error."""
    if not isinstance(model, LogisticRegression):
        name = type(model).__name__
        article = "an" if name[:1] in "AEIOU" else "a"
        raise UsageError(f"{path}: {what} is for a LogisticRegression model, not {article} "
                         f"{name} (use logistic summary or predict)")


def load_binary(path: Path, what: str) -> LogisticRegression:
    """The model saved at ``path``, which must have two classes for ``what``."""
    model = load(path)
    require_logistic(model, path, what)
    if len(model.classes_) != 2:
        raise UsageError(
            f"{path}: {what} is for a binary model; this one has {len(model.classes_)} classes"
        )
    return model


def feature_names(model: LogisticRegression, model_path: Path) -> list[str]:
    """The names of the model's feature columns, by which DATA's columns are matched."""
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        raise UsageError(
            f"{model_path}: the model has no feature names (it was fitted on an unnamed "
            "array), so its columns cannot be matched by name"
        )
    return [str(name) for name in names]


def model_data(
    model: LogisticRegression, model_path: Path, data_path: Path, args: argparse.Namespace,
    need_target: bool, dense: bool = False,
) -> tuple[pd.DataFrame | sp.csr_matrix, np.ndarray | None]:
    """The model's feature columns of DATA (by name; a formula model's raw columns encoded,
    see :func:`formula_data`) and, where the labels are read (see :func:`read_data`), the
    labels, which must be classes of the model."""
    require_logistic(model, model_path)
    if getattr(model, "formula_", None) is not None:
        X, y = formula_data(model, data_path, args, need_target)
    else:
        names = feature_names(model, model_path)
        if args.target is not None and args.target in names:
            raise UsageError(f"--target {args.target!r} is one of the model's features")
        X, y, _ = read_data(data_path, args, need_target, features=names, dense=dense)
    if y is None:
        return X, None
    classes = np.asarray(model.classes_)
    unknown = pd.unique(y[~np.isin(y, classes)])
    if unknown.size:
        shown = ", ".join(repr(v) for v in unknown[:5].tolist())
        column = "the labels" if args.target is None else f"column {args.target!r}"
        raise DataError(
            f"{data_path}: {column} holds label(s) {shown} that the model does "
            f"not know; its classes are {', '.join(repr(c) for c in classes.tolist())}"
        )
    return X, y


def formula_data(
    model: LogisticRegression, data_path: Path, args: argparse.Namespace, need_target: bool,
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """A formula model's columns of the raw table DATA (its saved encoding applied, as
    ``predict`` does) and the labels: column --target, or the formula's response column
    when --target is omitted and DATA has it."""
    fmt = resolve_format(data_path, args.fmt)
    if fmt not in TABLE_FORMATS:
        raise UsageError(f"{data_path}: a formula model reads the raw columns of a table "
                         f"(CSV, TSV or Parquet), not a {fmt} file")
    frame = read_table(data_path, fmt, **reading(args))
    X = model.formula_.transform(frame)
    column = args.target if args.target is not None else model.formula_.response
    if args.target is not None and args.target not in frame.columns:
        raise DataError(f"{data_path}: no column {args.target!r} (--target)")
    if not isinstance(column, str) or column not in frame.columns:
        if need_target:
            raise UsageError(
                f"the labels are needed: {data_path} has no column "
                f"{column!r} (the formula's response); add --target COL"
                if isinstance(column, str) else "the labels are needed: add --target COL")
        return X, None
    return X, frame[column].to_numpy()


def read_data(
    path: Path, args: argparse.Namespace, need_labels: bool,
    features: list[str] | None = None, dense: bool = False,
) -> tuple[pd.DataFrame | sp.csr_matrix, np.ndarray | None, list[str]]:
    """DATA for plot, explain and report, as ``(X, y, names)``: with labels when --target
    is given, when the format holds them (LIBSVM), or when they are needed (an .npy array's
    last column); ``dense`` for the figures, which take dense arrays."""
    fmt = resolve_format(path, args.fmt)
    if args.target is None and (fmt in TABLE_FORMATS or (fmt == "npy" and not need_labels)):
        if need_labels:
            raise UsageError("the labels are needed: add --target COL")
        X, y, names = read_features(path, features, fmt=fmt, **reading(args))
    else:
        X, y, names = read_dataset(path, args.target, fmt=fmt, features=features,
                                   **reading(args))
    if dense and sp.issparse(X):
        if X.shape[0] * X.shape[1] > MAX_DENSE_CELLS:
            raise UsageError(
                f"{path}: figures and reports take dense data, and this sparse file has "
                f"{X.shape[0]} × {X.shape[1]} cells; use a sample of its rows"
            )
        X = pd.DataFrame(X.toarray(), columns=names)
    return X, y, names


@contextmanager
def names_matched() -> Iterator[None]:
    """Silences scikit-learn's warning that X (a sparse matrix) has no feature names while
    the model has: the readers have already matched its columns to the model's by name."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="X does not have valid feature names",
                                category=UserWarning)
        yield
