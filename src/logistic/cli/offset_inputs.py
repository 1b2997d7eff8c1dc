"""``--offset COL`` and ``--trials COL``: the columns of DATA that are not features.

``logistic fit --offset COL`` adds the column to every score (z = Xw + b + COL); ``--trials
COL`` makes the target column the successes out of COL trials (grouped binomial data).
Neither column is a feature. ``logistic predict`` reads a model's offset column from DATA by
the name the model file keeps (or ``--offset COL``).
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import pandas as pd

from logistic.cli.errors import UsageError
from logistic.cli.options import reading
from logistic.exceptions import DataError
from logistic.io.columns import select_features, split_xy
from logistic.io.data import TABLE_FORMATS, read_table
from logistic.io.formats import name_list

__all__ = ["check_offset_options", "offset_column", "read_offset_data"]


def check_offset_options(args: argparse.Namespace, fmt: str) -> None:
    """Where --offset and --trials apply: in-memory fits of named columns, no formula."""
    given = [f"--{name} {value}" for name, value in (("offset", args.offset),
                                                     ("trials", args.trials)) if value]
    if not given:
        return
    if args.formula is not None:
        raise UsageError(f"{given[0]} with --formula: write offset(COL) or cbind(s, f) ~ ... "
                         "in the formula instead")
    if args.memory is not None:
        raise UsageError(f"{given[0]} is not supported with --memory (streamed fits): leave "
                         "out --memory")
    if fmt not in TABLE_FORMATS:
        raise UsageError(f"{given[0]} needs named columns (CSV, TSV or Parquet), not {fmt}")


def _column(frame: pd.DataFrame, name: str, option: str) -> pd.Series:
    if name not in frame.columns:
        columns = [str(c) for c in frame.columns]
        raise DataError(f"{option} column {name!r} not found; available columns: "
                        f"{name_list(columns)}")
    return frame[name]


def read_offset_data(
    args: argparse.Namespace, fmt: str, frame: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, Any, dict[str, Any]]:
    """(X, y, fit's offset=/trials= keywords) of DATA (or of ``frame``, its table already
    read) with --offset or --trials; those columns are left out of the features."""
    if frame is None:
        frame = read_table(args.data, fmt, **reading(args))
    extras: dict[str, Any] = {}
    if args.offset is not None:
        extras["offset"] = _column(frame, args.offset, "--offset")
    if args.trials is not None:
        extras["trials"] = _column(frame, args.trials, "--trials").to_numpy()
    rest = frame.drop(columns=[c for c in (args.offset, args.trials) if c is not None])
    if args.trials is None:
        X, y = split_xy(rest, args.target, args.features)
        return X, y, extras
    successes = _column(rest, args.target, "--target")
    if not pd.api.types.is_numeric_dtype(successes):
        raise DataError(f"with --trials the target column {args.target!r} holds the successes "
                        "(counts); it is not numeric")
    features = args.features or [c for c in rest.columns if c != args.target]
    return select_features(rest, features), successes.to_numpy(dtype=np.float64), extras


def offset_column(model: Any, frame: pd.DataFrame, option: str | None) -> pd.Series | None:
    """The offset a prediction of ``model`` takes from DATA: --offset's column, else the
    column named as the model's offset (a formula's offset(col)); None for a model fitted
    without one (an --offset column is then added as given)."""
    spec = getattr(model, "formula_", None)
    name = option or getattr(spec, "offset", None) or getattr(model, "offset_name_", None)
    if name is None:
        return None
    if name not in frame.columns:
        raise DataError(f"the model was fitted with the offset {name!r}, which is not a "
                        "column of DATA: give --offset COL")
    return frame[name]
