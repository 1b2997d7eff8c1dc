"""``logistic predict``: a saved model's probabilities and labels for every row of DATA, as
CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from logistic.cli.errors import UsageError, writing
from logistic.cli.options import (
    DATA_HELP,
    Subcommands,
    add_command,
    add_reading_options,
    reading,
)
from logistic.io.formats import TABLE_FORMATS, resolve_format

if TYPE_CHECKING:  # the handler imports rich when it runs: parsing imports no NumPy
    from rich.console import Console


def register(commands: Subcommands) -> None:
    """Adds ``predict`` and its options."""
    predict = add_command(
        commands, "predict", help="predict with a saved model",
        description="Writes CSV with the columns 'probability' (of the model's second class) "
        "and 'prediction' (the label).",
    )
    predict.add_argument("model", type=Path, metavar="MODEL.json")
    predict.add_argument("data", type=Path, metavar="DATA",
                         help=DATA_HELP + "; the model's columns are matched by name")
    predict.add_argument("--out", type=Path, metavar="FILE",
                         help="write the predictions here (default: standard output)")
    predict.add_argument("--offset", metavar="COL",
                         help="the offset column of DATA (default: the one the model was "
                         "fitted with, by name)")
    predict.add_argument("--unseen-levels", choices=["error", "zero"], default="error",
                         help="a formula model's categorical level never seen in training: "
                         "error (the default), or zero: all-zero indicators (the reference "
                         "level under treatment coding), with a warning")
    predict.add_argument("--marginal", action="store_true",
                         help="a mixed model: the probabilities averaged over the random "
                         "effects (the population's), not those of DATA's groups")
    predict.add_argument("--id", metavar="COL",
                         help="a column of DATA copied as the first column of the output, to "
                         "match the predictions to the rows")
    predict.add_argument("--target", metavar="COL",
                         help="the labels column of DATA (a name; an .npy column's index): "
                         "also score the predictions against it, printed to stderr as "
                         "logistic evaluate prints them (the predictions stay on stdout)")
    add_reading_options(predict)
    predict.set_defaults(handler=cmd_predict)


def cmd_predict(args: argparse.Namespace, console: Console) -> int:
    """``logistic predict``: P(classes_[1]) (or one probability_<class> column per class for
    more than two) and the predicted label for every row."""
    import pandas as pd

    from logistic.cli.conditional import conditional_predictions
    from logistic.cli.fit_mixed import mixed_predictions
    from logistic.cli.inputs import feature_names, names_matched
    from logistic.cli.offset_inputs import offset_column
    from logistic.cli.output_paths import check_output_path
    from logistic.io.atomic import write_atomically
    from logistic.io.data import read_features, read_table
    from logistic.io.model_file import load
    from logistic.models.conditional import ConditionalLogisticRegression
    from logistic.models.mixed import MixedLogisticRegression

    model = load(args.model)
    names = feature_names(model, args.model)
    out = None if args.out is None else check_output_path(args.out, args.model, args.data)
    fmt = resolve_format(args.data, args.fmt)
    offset = None
    mixed = isinstance(model, MixedLogisticRegression)
    if args.marginal and not mixed:
        raise UsageError(f"--marginal: {args.model} holds no mixed model (no random effects)")
    if mixed or isinstance(model, ConditionalLogisticRegression):  # need groups or strata
        proba, prediction = (mixed_predictions if mixed else conditional_predictions)(
            model, args, fmt)
    elif model.formula_ is not None:  # the saved encoding turns the raw columns into features
        frame = read_table(args.data, fmt, **reading(args))
        X = model.formula_.transform(frame, unseen=args.unseen_levels)
        offset = offset_column(model, frame, args.offset)
    else:
        X = read_features(args.data, names, fmt=fmt, **reading(args)).X
        if args.offset is not None or getattr(model, "offset_name_", None) is not None:
            offset = offset_column(model, read_table(args.data, fmt, **reading(args)),
                                   args.offset)
    if not (mixed or isinstance(model, ConditionalLogisticRegression)):
        if offset is not None and type(model).__name__ != "LogisticRegression":
            raise UsageError(f"--offset is an option of a logistic model; {args.model} holds "
                             f"an {type(model).__name__}")
        given = {} if offset is None else {"offset": offset}
        with names_matched():
            proba = model.predict_proba(X, **given)
            prediction = model.predict(X, **given)
    if args.target is not None:
        _print_scores(args, fmt, model, proba)
    if len(model.classes_) == 2:
        columns = {"probability": proba[:, 1]}
    else:
        columns = {f"probability_{label}": proba[:, k] for k, label in enumerate(model.classes_)}
    result = pd.DataFrame({**columns, "prediction": prediction})
    if args.id is not None:
        result.insert(0, args.id, _id_values(args, fmt, list(result.columns)))
    if out is None:
        result.to_csv(sys.stdout, index=False)
        sys.stdout.flush()
    else:
        with writing(out, "the predictions"):
            write_atomically(out, lambda handle: result.to_csv(handle, index=False),
                             what="the predictions")
        console.print(f"{len(result)} predictions written to {out}")
    return 0


def _id_values(args: argparse.Namespace, fmt: str, taken: list[str]):
    """The values of DATA's column ``--id``, one per row, for the output's first column."""
    from logistic.exceptions import DataError
    from logistic.io.data import read_table

    if fmt not in TABLE_FORMATS:
        raise UsageError(f"--id copies a column of a table (CSV, TSV or Parquet); {args.data} "
                         f"is a {fmt} file")
    if args.id in taken:
        raise UsageError(f"--id {args.id!r} is also a column of the predictions; rename it")
    frame = read_table(args.data, fmt, **reading(args))
    if args.id not in frame.columns:
        raise DataError(f"{args.data}: no column {args.id!r} (--id)")
    return frame[args.id].to_numpy()


def _print_scores(args: argparse.Namespace, fmt: str, model, proba) -> None:
    """``--target``: the scores of the probabilities against DATA's labels, on stderr."""
    import numpy as np
    from rich.console import Console

    from logistic.cli.evaluate import print_evaluation
    from logistic.exceptions import DataError
    from logistic.io.data import read_dataset, read_table
    from logistic.models.evaluation import evaluate_probabilities

    if fmt in TABLE_FORMATS:
        frame = read_table(args.data, fmt, **reading(args))
        if args.target not in frame.columns:
            raise DataError(f"{args.data}: no column {args.target!r} (--target)")
        y = frame[args.target].to_numpy()
    else:
        y = np.asarray(read_dataset(args.data, args.target, fmt=fmt, **reading(args))[1])
    classes = np.asarray(model.classes_)
    unknown = [v for v in dict.fromkeys(y.tolist()) if v not in set(classes.tolist())]
    if unknown:
        raise DataError(f"{args.data}: column {args.target!r} holds label(s) "
                        f"{', '.join(map(repr, unknown[:5]))} that the model does not know; "
                        f"its classes are {', '.join(repr(c) for c in classes.tolist())}")
    result = evaluate_probabilities(classes, proba, y)
    print_evaluation(Console(stderr=True, highlight=False, soft_wrap=True, width=120), result,
                     f"{args.model} on {args.data}, --target {args.target}")
