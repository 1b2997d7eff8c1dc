"""``logistic fit``: read and check DATA, fit (with progress on a terminal), show the summary,
and save the model."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logistic.cli.errors import UsageError, warnings_to_stderr
from logistic.cli.options import (
    DATA_HELP,
    TARGET_HELP,
    Subcommands,
    add_command,
    add_reading_options,
    feature_list,
    memory_size,
    non_negative_float,
    non_negative_int,
    positive_float,
    unit_float,
)
from logistic.io.formats import TABLE_FORMATS, resolve_format

if TYPE_CHECKING:  # the handler imports these when it runs: parsing imports no NumPy
    import pandas as pd
    from rich.console import Console

    from logistic.models.logistic_regression import LogisticRegression


def register(commands: Subcommands) -> None:
    """Adds ``fit`` and its options."""
    fit = add_command(
        commands, "fit", help="fit a model to a data file",
        description="Fits a logistic regression (two or more classes) and writes the model "
        "as JSON. DATA: CSV/TSV with a header row, Parquet, LIBSVM/svmlight (read sparse; "
        "the labels are each line's first field, the features x<index>) or a 2-D .npy "
        "array (features x1 ... xd; the labels in the last column, or --target INDEX). On a "
        "terminal a fit longer than a second shows its progress on stderr.",
    )
    fit.add_argument("data", type=Path, metavar="DATA", help=DATA_HELP)
    fit.add_argument("--target", metavar="COL", help=TARGET_HELP + " (or use --formula)")
    fit.add_argument(
        "--formula", metavar="'y ~ x1 + C(g)'",
        help="formulaic model formula: categorical terms, interactions, transforms; the "
        "response is the label column (CSV/TSV/Parquet only)",
    )
    fit.add_argument(
        "--features", type=feature_list, metavar="A,B,...",
        help="feature columns (default: every column except the target)",
    )
    fit.add_argument("--penalty", choices=["none", "l2", "l1", "elasticnet", "firth"],
                     default="none",
                     help="'l2' shrinks the coefficients; 'l1' and 'elasticnet' also set some "
                     "exactly to 0; 'firth' is Firth's bias-reduced likelihood, finite under "
                     "separation (default: none)")
    fit.add_argument("--C", type=positive_float, default=1.0, dest="C",
                     help="inverse penalty strength, > 0 (default 1.0)")
    fit.add_argument("--l1-ratio", type=unit_float, default=None, metavar="R",
                     help="the L1 share ρ in [0, 1] of --penalty elasticnet (required there)")
    fit.add_argument("--solver", choices=["auto", "newton", "lbfgs", "gd", "newton-cd"],
                     default="auto", help="(default: auto)")
    fit.add_argument("--max-iter", type=non_negative_int, default=100, metavar="N",
                     help="(default 100)")
    fit.add_argument("--tol", type=non_negative_float, default=1e-6, metavar="T",
                     help="stop once a step would move no coefficient by more than T "
                          "standard errors (newton, newton-cd, Firth; the gradient max-norm "
                          "for lbfgs and gd; default 1e-6)")
    fit.add_argument("--no-intercept", action="store_true", help="fit without an intercept")
    fit.add_argument("--memory", type=memory_size, metavar="SIZE",
                     help="stream a Parquet file (or directory) in chunks that fit in SIZE "
                     "(e.g. 1GB, 512MB): exact fit of data larger than memory")
    add_reading_options(fit)
    fit.add_argument("--out", type=Path, required=True, metavar="MODEL.json",
                     help="where to write the model")
    fit.add_argument("--quiet", action="store_true",
                     help="print nothing but problems (no summary, no progress)")
    fit.set_defaults(handler=cmd_fit)


def cmd_fit(args: argparse.Namespace, console: Console) -> int:
    """``logistic fit``: read, check, fit (with progress on a terminal), show the summary,
    save."""
    from rich.text import Text

    from logistic.cli.inputs import check_output_path
    from logistic.cli.progress import fit_progress
    from logistic.cli.render import render_summary
    from logistic.io.data import read_dataset, read_table
    from logistic.io.model_file import save
    from logistic.models.logistic_regression import LogisticRegression

    out = check_output_path(args.out, args.data)
    fmt = resolve_format(args.data, args.fmt)
    _check_fit_options(args, fmt)
    params = _estimator_params(args)
    if args.memory is not None:  # out of core: the file is read chunk by chunk, every pass
        model = LogisticRegression(fit_intercept=not args.no_intercept, **params)
        with fit_progress(args.quiet, args.max_iter) as callback:
            _fit_streaming(model.set_params(callback=callback), args, fmt)
    elif args.formula is not None:
        frame = read_table(args.data, fmt, encoding=args.encoding)
        with fit_progress(args.quiet, args.max_iter) as callback:
            model = _fit_formula(args.formula, frame, {**params, "callback": callback})
    else:
        X, y, names = read_dataset(args.data, args.target, fmt=fmt, features=args.features,
                                   encoding=args.encoding)
        model = LogisticRegression(fit_intercept=not args.no_intercept, **params)
        with fit_progress(args.quiet, args.max_iter) as callback:
            _fit(model.set_params(callback=callback), X, y, names)
    model.set_params(callback=None)
    if not args.quiet:
        render_summary(console, model.summary())
    save(model, out)
    if not args.quiet:
        console.print(Text(f"Model written to {out}", style="bold"))
    return 0


def _estimator_params(args: argparse.Namespace) -> dict[str, Any]:
    """The estimator's parameters from the options, checked together by the estimator."""
    from logistic.fitting.validation import check_params
    from logistic.models.logistic_regression import LogisticRegression

    params = {
        "penalty": None if args.penalty == "none" else args.penalty,
        "C": args.C,
        "l1_ratio": args.l1_ratio,
        "solver": args.solver,
        "max_iter": args.max_iter,
        "tol": args.tol,
    }
    try:  # combinations of options the estimator refuses (l1 with lbfgs, firth with gd)
        check_params(LogisticRegression(**params).get_params())
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return params


def _check_fit_options(args: argparse.Namespace, fmt: str) -> None:
    """The combinations of --target, --formula, --features that ``fit`` accepts."""
    if args.formula is not None:
        if args.target is not None:
            raise UsageError("give either --target COL or --formula 'y ~ ...', not both")
        if args.features or args.no_intercept:
            raise UsageError("--formula decides the features and the intercept: drop "
                             "--features/--no-intercept")
        if fmt not in TABLE_FORMATS:
            raise UsageError(f"--formula needs named columns (CSV, TSV or Parquet), not {fmt}")
    elif args.target is None and fmt in TABLE_FORMATS:
        raise UsageError("give either --target COL or --formula 'y ~ ...'")
    if args.penalty == "elasticnet" and args.l1_ratio is None:
        raise UsageError("--penalty elasticnet needs --l1-ratio R (the L1 share, in [0, 1])")
    if args.penalty != "elasticnet" and args.l1_ratio is not None:
        raise UsageError("--l1-ratio applies to --penalty elasticnet only")


def _fit_formula(formula: str, frame: pd.DataFrame, params: dict) -> LogisticRegression:
    """from_formula with the CLI's handling of warnings and label checks."""
    import pandas as pd

    from logistic.io.data import labels
    from logistic.io.formula import design_matrices
    from logistic.models.logistic_regression import LogisticRegression

    X, y, _ = design_matrices(formula, frame)
    if y is None:
        raise UsageError(f"the formula {formula!r} has no response: write 'y ~ ...'")
    labels(pd.Series(y), formula.split("~")[0].strip())  # --target's checks, on the response
    return warnings_to_stderr(lambda: LogisticRegression.from_formula(formula, frame, **params))


def _fit_streaming(model: LogisticRegression, args: argparse.Namespace, fmt: str) -> None:
    """``--memory``: fits ``model`` on the Parquet data streamed in chunks (stream.py)."""
    # imported here: only --memory needs the streaming module
    from logistic.scale.stream import fit_parquet

    if fmt != "parquet":
        raise UsageError(f"--memory streams Parquet data; {args.data} is {fmt}: convert it "
                         "to Parquet, or leave out --memory to read it into memory")
    if args.formula is not None:
        raise UsageError("--memory streams columns by name: give --target COL (and "
                         "--features), not --formula")
    if args.penalty not in ("none", "l2") or args.solver == "newton-cd":
        raise UsageError("--memory fits with --penalty none or l2 and --solver auto, newton, "
                         "lbfgs or gd")
    warnings_to_stderr(
        lambda: fit_parquet(model, args.data, args.target, args.features, memory=args.memory)
    )


def _fit(model: LogisticRegression, X, y, names: Sequence[str] | None = None) -> None:
    """Fits ``model``; its warnings (convergence, separation) go to stderr, one line each.

    X without column names (a sparse LIBSVM matrix) takes ``names``: the model file then
    names its features, and ``predict`` matches a later file's columns by them.
    """
    import numpy as np

    warnings_to_stderr(lambda: model.fit(X, y))
    if names is not None and getattr(model, "feature_names_in_", None) is None:
        model.feature_names_in_ = np.asarray(names, dtype=object)
