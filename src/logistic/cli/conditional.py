"""The conditional logit in the CLI: ``logistic fit --model conditional --strata COL`` and
``logistic predict`` with such a model.

The strata column is not a feature; with ``--formula`` it may instead be a term,
``strata(col)``. The options of the binary model that do not apply (penalties, --memory,
--no-intercept, other solvers) are refused rather than ignored. ``predict`` reads the
strata column the model was fitted with (its name is in the model file) and writes each
row's probability of being its stratum's case (given one case per stratum).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from logistic.cli.errors import UsageError, warnings_to_stderr
from logistic.cli.options import reading
from logistic.io.data import TABLE_FORMATS, labels, read_table
from logistic.io.formula_strata import split_strata
from logistic.models.conditional import ConditionalLogisticRegression

__all__ = ["conditional_predictions", "fit_conditional"]


def fit_conditional(args: argparse.Namespace, fmt: str) -> ConditionalLogisticRegression:
    """Reads the table and fits; one-line usage errors for options that do not apply."""
    _check_options(args, fmt)
    frame = read_table(args.data, fmt, **reading(args))
    params = {"ties": args.ties, "max_iter": args.max_iter, "tol": args.tol}
    if args.formula is not None:
        rest, column = split_strata(args.formula)
        if (column is None) == (args.strata is None):
            raise UsageError("give the strata once: --strata COL or strata(COL) in --formula")
        strata = column or args.strata
        _check_column(frame, strata)
        response = rest.split("~")[0].strip()
        if response in frame.columns:
            labels(frame[response], response)
        groups = frame[strata] if column is None else None
        return warnings_to_stderr(lambda: ConditionalLogisticRegression.from_formula(
            args.formula, frame, groups=groups, **params,
            **({"strata": strata} if column is None else {})))
    if args.strata is None:
        raise UsageError("--model conditional needs --strata COL (the matched sets' column)")
    for column in (args.target, args.strata):
        _check_column(frame, column)
    if args.strata == args.target:
        raise UsageError("--strata and --target must be different columns")
    features = args.features or [c for c in frame.columns if c not in (args.target, args.strata)]
    if args.strata in features or args.target in features:
        raise UsageError("--features must not include the --target or --strata column")
    _check_columns(frame, features)
    y = labels(frame[args.target], args.target)
    model = ConditionalLogisticRegression(strata=args.strata, **params)
    return warnings_to_stderr(lambda: model.fit(frame[[*features, args.strata]], y))


def _check_options(args: argparse.Namespace, fmt: str) -> None:
    if fmt not in TABLE_FORMATS:
        raise UsageError(f"--model conditional reads named columns (CSV, TSV or Parquet), "
                         f"not {fmt}")
    refused = [name for name, given in (
        ("--penalty", args.penalty != "none"), ("--memory", args.memory is not None),
        ("--no-intercept", args.no_intercept), ("--l1-ratio", args.l1_ratio is not None),
        ("--solver", args.solver not in ("auto", "newton"))) if given]
    if refused:
        raise UsageError(f"--model conditional fits by Newton, unpenalized, in memory, "
                         f"without an intercept: drop {', '.join(refused)}")
    if args.formula is not None and args.target is not None:
        raise UsageError("give either --target COL or --formula 'y ~ ...', not both")
    if args.formula is None and args.target is None:
        raise UsageError("give either --target COL or --formula 'y ~ ... + strata(COL)'")


def _check_column(frame: pd.DataFrame, column: str) -> None:
    if column not in frame.columns:
        raise UsageError(f"no column {column!r} in the data (columns: "
                         f"{', '.join(map(str, frame.columns[:10]))})")


def _check_columns(frame: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        _check_column(frame, column)


def conditional_predictions(model: ConditionalLogisticRegression, args: argparse.Namespace,
                            fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """(the (n, 2) probabilities, column 1 P(case), and the predicted labels) of every row
    of DATA, the strata read from its column named in the model."""
    if model.strata is None:
        raise UsageError(f"{args.model}: the model was fitted with groups= rather than a "
                         "strata column, so the strata of DATA cannot be found by name")
    if fmt not in TABLE_FORMATS:
        raise UsageError(f"a conditional model reads named columns (CSV, TSV or Parquet), "
                         f"not {fmt}")
    frame = read_table(args.data, fmt, **reading(args))
    _check_column(frame, model.strata)
    if model.formula_ is None:
        _check_columns(frame, [str(n) for n in model.feature_names_in_])
        frame = frame[[*map(str, model.feature_names_in_), model.strata]]
    return model.predict_proba(frame), model.predict(frame)
