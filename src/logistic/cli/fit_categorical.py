"""``logistic fit --categorical COL,...`` / ``--categorical auto``: a table fitted as a formula
model without writing the formula, and the hint that names these options when a fit meets a
text column.

    --target y --categorical g,h     y ~ x1 + x2 + C(g) + C(h)   (the other features as numbers)
    --target y --categorical auto    every text, categorical or boolean feature as C(col),
                                     the formula 'y ~ .' gives (io/formula_dot.py)

``--features`` chooses the columns, ``--offset COL`` becomes ``offset(COL)``, ``--trials COL``
the response ``cbind(y, COL - y)`` and ``--no-intercept`` a ``- 1``; the --weight, --cluster
and --strata columns are never features. The fit then runs as ``--formula`` with that text,
so the model is a formula model in every command (predict, plot, report, explain, evaluate,
export --onnx) and its file names the real terms.

Parsing stays light (tests/test_startup.py): pandas and the readers are imported when a fit
runs.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from logistic.cli.errors import UsageError
from logistic.exceptions import DataError, NonNumericColumns

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["categorical_formula", "categorical_hint"]

#: the options whose columns are data about rows, never features
_ROW_COLUMNS = ("target", "weight", "cluster", "offset", "trials", "strata")


def categorical_hint(command: Callable[..., int]) -> Callable[..., int]:
    """``command`` (``cmd_fit``) with its error for text feature columns extended by how to
    fit them as categories: ``--categorical COL``, ``--categorical auto`` or ``--formula``."""

    @functools.wraps(command)
    def hinted(args: argparse.Namespace, *rest: Any) -> int:
        try:
            return command(args, *rest)
        except DataError as exc:
            formula_fit = args.formula is not None or getattr(args, "memory", None) is not None
            cause = None if formula_fit else _non_numeric(exc)
            if cause is None:
                raise
            message, inner = str(exc), str(cause)
            where = message[: len(message) - len(inner)] if message.endswith(inner) else ""
            names = cause.columns
            terms = " + ".join(f"C({name})" for name in names[:3])
            raise DataError(
                f"{where}{cause.problem}; fit them as categories with --categorical "
                f"{','.join(names)} (every text column: --categorical auto) or --formula "
                f"'{args.target or 'y'} ~ {terms} + ...', encode them as numbers, or leave "
                "them out with --features") from None

    return hinted


def _non_numeric(exc: BaseException) -> NonNumericColumns | None:
    """The ``NonNumericColumns`` error behind ``exc``: itself, or the one a reader caught and
    raised again with the file's name in front (``exc.__context__``)."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None or isinstance(seen, NonNumericColumns):
            break
        seen = seen.__context__
    return seen if isinstance(seen, NonNumericColumns) else None


def categorical_formula(args: argparse.Namespace, fmt: str) -> None:
    """With --categorical, writes the formula of DATA's columns into ``args.formula`` (and
    clears the options it takes in: --target, --features, --offset, --trials, and for the
    logistic model --no-intercept); without it, nothing."""
    if args.categorical is None:
        return
    from logistic.io.data import TABLE_FORMATS

    if args.formula is not None:
        raise UsageError("give either --formula or --categorical (which writes the formula "
                         "from --target and the columns), not both: in a formula write "
                         "C(col) or 'y ~ .'")
    if fmt not in TABLE_FORMATS:
        raise UsageError(f"--categorical names columns: DATA must be CSV, TSV or Parquet, "
                         f"not {fmt}")
    if args.memory is not None:
        raise UsageError("--categorical fits a formula model in memory: leave out --memory")
    from logistic.cli.options import reading
    from logistic.io.data import read_table

    frame = read_table(args.data, fmt, **reading(args))
    features = _features(frame, args)
    categorical = _categorical_columns(frame, features, args.categorical)
    args.formula = _written(args, features, categorical)
    args.target = args.features = args.offset = args.trials = None
    if args.model == "logistic":  # the other models refuse --no-intercept themselves
        args.no_intercept = False


def _features(frame: pd.DataFrame, args: argparse.Namespace) -> list[str]:
    """--features, or every column but the target's and the other options' columns."""
    from logistic.io.formats import name_list

    columns = [str(c) for c in frame.columns]
    if args.target not in columns:
        raise DataError(f"target column {args.target!r} not found; available columns: "
                        f"{name_list(columns)}")
    taken = {getattr(args, name): name for name in _ROW_COLUMNS if getattr(args, name, None)}
    if args.features is None:
        features = [c for c in columns if c not in taken]
        if not features:
            raise DataError(f"the table has no feature columns besides {name_list(list(taken))}")
        return features
    missing = [c for c in args.features if c not in columns]
    if missing:
        raise DataError(f"feature column(s) not found: {name_list(missing)}; available "
                        f"columns: {name_list(columns)}")
    for column in args.features:
        if column in taken:
            raise UsageError(f"--features lists {column!r}, the --{taken[column]} column")
    return list(dict.fromkeys(args.features))


def _categorical_columns(frame: pd.DataFrame, features: list[str],
                         given: str | list[str]) -> list[str]:
    """The features fitted as C(col): --categorical's, or with 'auto' every non-numeric one
    (``formula_dot.is_categorical``, at most ``MAX_DOT_LEVELS`` levels each)."""
    import pandas as pd

    from logistic.io.formats import name_list
    from logistic.io.formula_dot import MAX_DOT_LEVELS, is_categorical

    if given == "auto":
        chosen = [c for c in features if is_categorical(frame[c])]
        for column in chosen:
            levels = frame[column].nunique()
            if levels > MAX_DOT_LEVELS:
                raise UsageError(
                    f"--categorical auto: the column {column!r} has {levels} levels (more than "
                    f"{MAX_DOT_LEVELS}; an identifier or free text?): leave it out with "
                    f"--features, or name it to fit its levels: --categorical {column}")
        return chosen
    columns = [str(c) for c in frame.columns]
    missing = [c for c in given if c not in columns]
    if missing:
        raise DataError(f"--categorical names the column(s) {name_list(missing)}, which DATA "
                        f"does not have; its columns: {name_list(columns)}")
    outside = [c for c in given if c not in features]
    if outside:
        raise UsageError(f"--categorical column(s) {name_list(outside)} are not features (the "
                         "target, an option's column, or not in --features)")
    text = [c for c in features
            if c not in given and not pd.api.types.is_numeric_dtype(frame[c].dtype)]
    if text:
        raise DataError(f"feature column(s) are not numeric: {name_list(text)}; add them to "
                        f"--categorical ({','.join([*given, *text])}), use --categorical auto, "
                        "or leave them out with --features")
    return list(given)


def _written(args: argparse.Namespace, features: list[str], categorical: list[str]) -> str:
    """The formula: response, the features in their order (C(col) or as they are), the
    offset, and '- 1' for --no-intercept of the logistic model."""
    from logistic.io.formula_dot import categorical_term, numeric_term

    terms = [categorical_term(c) if c in categorical else numeric_term(c) for c in features]
    response = numeric_term(args.target)
    if args.trials is not None:
        response = f"cbind({_plain(args.target, '--target')}, {_plain(args.trials, '--trials')}"\
                   f" - {args.target})"
    if args.offset is not None:
        terms.append(f"offset({_plain(args.offset, '--offset')})")
    if args.no_intercept and args.model == "logistic":
        terms.append("- 1")
    return f"{response} ~ {' + '.join(terms)}".replace("+ - 1", "- 1")


def _plain(column: str, option: str) -> str:
    """A column name that cbind() and offset() take as it is (a Python name)."""
    if not column.isidentifier():
        raise UsageError(f"{option} {column!r} with --categorical: the formula writes the "
                         "column in cbind()/offset(), which take Python names; rename it")
    return column
