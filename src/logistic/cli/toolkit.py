"""``logistic fit``'s statistician's options: --weight, --class-weight, --cov-type, --cluster,
--odds-ratios and --margins; their columns taken from DATA and what they print."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console

from logistic.cli.errors import UsageError
from logistic.cli.options import reading
from logistic.cli.render import render_summary
from logistic.exceptions import DataError
from logistic.fitting.validation import check_sample_weight
from logistic.inference.statistics import Summary
from logistic.io.data import read_table, split_xy

__all__ = [
    "check_toolkit_options",
    "described_summary",
    "read_weighted",
    "render_toolkit",
    "resolve_class_weight",
    "take_columns",
]

def check_toolkit_options(args: argparse.Namespace, table: bool) -> None:
    """The combinations the options accept (``table``: DATA has named columns)."""
    if (args.cov_type == "cluster") != (args.cluster is not None):
        raise UsageError("--cov-type cluster and --cluster COL go together")
    if (args.weight or args.cluster) and not table:
        raise UsageError("--weight and --cluster name columns: DATA must be CSV, TSV or Parquet")
    if args.memory is not None and (args.weight or args.cluster or args.margins):
        raise UsageError("--memory streams the data: --weight, --cluster and --margins need it "
                         "in memory")
    if (args.odds_ratios or args.margins) and args.penalty not in ("none", "firth"):
        raise UsageError(f"--odds-ratios and --margins need the fit's covariance: --penalty "
                         f"none or firth, not {args.penalty}")
    named = [c for c in (args.weight, args.cluster) if c is not None]
    for column in named:
        if column == args.target or column in (args.features or []):
            raise UsageError(f"--weight/--cluster column {column!r} is also the target or a "
                             "feature")


def take_columns(frame: pd.DataFrame, args: argparse.Namespace) -> tuple[
        pd.DataFrame, np.ndarray | None, np.ndarray | None]:
    """(the frame without them, the --weight column checked, the --cluster labels)."""
    taken = {}
    for option, column in (("--weight", args.weight), ("--cluster", args.cluster)):
        if column is None:
            continue
        if column not in frame.columns:
            raise DataError(f"{option} column {column!r} not found; available columns: "
                            f"{', '.join(map(str, frame.columns))}")
        taken[option] = frame[column].to_numpy()
    weights = taken.get("--weight")
    if weights is not None:
        try:
            weights = check_sample_weight(np.asarray(pd.to_numeric(pd.Series(weights)),
                                                     dtype=np.float64), len(frame))
        except (TypeError, ValueError) as exc:
            raise DataError(f"--weight column {args.weight!r}: {exc}") from None
    groups = taken.get("--cluster")
    if groups is not None and pd.isna(groups).any():
        raise DataError(f"--cluster column {args.cluster!r} has missing values")
    kept = [c for c in frame.columns if c not in (args.weight, args.cluster)]
    return frame[kept], weights, groups


def read_weighted(args: argparse.Namespace, fmt: str) -> tuple[
        pd.DataFrame, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """DATA's features, labels, --weight and --cluster columns (a table format)."""
    frame, weights, groups = take_columns(read_table(args.data, fmt, **reading(args)),
                                          args)
    try:
        X, y = split_xy(frame, str(args.target), args.features)
    except DataError as exc:
        raise DataError(f"{args.data}: {exc}") from None
    return X, y, weights, groups


def resolve_class_weight(spec: Any, y: np.ndarray) -> Any:
    """--class-weight's labels (text) as the labels of y."""
    if spec is None or spec == "balanced":
        return spec
    by_text = {}
    for label in pd.unique(y):
        by_text[str(label)] = label
        if isinstance(label, (float, np.floating)) and float(label).is_integer():
            by_text[str(int(label))] = label  # '1' names the label 1.0 of a CSV column
    unknown = [label for label in spec if label not in by_text]
    if unknown:
        raise UsageError(f"--class-weight names label(s) {', '.join(map(repr, unknown))} that "
                         f"the data do not have; its labels are {', '.join(sorted(by_text))}")
    return {by_text[label]: weight for label, weight in spec.items()}


def described_summary(model: Any, args: argparse.Namespace) -> Summary:
    """The fit's summary, its header naming the weights and clusters it was given."""
    summary = model.summary()
    for key, value in (("Weights", args.weight), ("Class Weights", args.class_weight),
                       ("Clusters", args.cluster)):
        if value is not None:
            summary.header[key] = value if isinstance(value, str) else ", ".join(
                f"{k}:{v:g}" for k, v in value.items())
    return summary  # type: ignore[no-any-return]


def render_toolkit(console: Console, model: Any, args: argparse.Namespace, X: Any,
                   weights: np.ndarray | None) -> None:
    """The tables --odds-ratios and --margins asked for."""
    try:
        if args.odds_ratios:
            render_summary(console, model.summary(odds_ratios=True))
        if args.margins:
            effects = model.marginal_effects(X, sample_weight=weights)
            table = effects.table.copy()
            table.index = [": ".join(map(str, i)) if isinstance(i, tuple) else str(i)
                           for i in table.index]
            header = {"At": effects.at, "Method": "dy/dx, delta-method std err",
                      "Weights": args.weight or "none"}
            discrete = [c for c, kind in effects.kinds.items() if kind == "discrete change"]
            note = ("Discrete change (0 → 1, or from the factor's reference level): "
                    + ", ".join(discrete)) if discrete else None
            render_summary(console, Summary(header, table, note=note,
                                            title="Average marginal effects"))
    except ValueError as exc:  # InferenceError among them: the fit has no covariance
        raise UsageError(str(exc)) from None
