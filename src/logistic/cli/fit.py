"""``logistic fit``: read and check DATA, fit (with progress on a terminal), show the summary,
and save the model."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logistic.cli.errors import UsageError, warnings_to_stderr
from logistic.cli.fit_categorical import categorical_formula, categorical_hint
from logistic.cli.fit_options import (
    add_categorical_options,
    add_conditional_options,
    add_held_out_options,
    add_mixed_options,
    add_offset_options,
    add_toolkit_options,
)
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
    reading,
    unit_float,
)
from logistic.io.formats import TABLE_FORMATS, check_file, resolve_format

if TYPE_CHECKING:  # the handler imports these when it runs: parsing imports no NumPy
    import pandas as pd
    from rich.console import Console

    from logistic.models.logistic_regression import LogisticRegression

#: the model families ``--model`` fits (other families add themselves here)
MODELS = ("logistic", "ordinal", "conditional", "mixed")


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
    fit.add_argument("--model", choices=MODELS, default="logistic",
                     help="'logistic': binary or multinomial logistic regression; 'ordinal': "
                     "proportional odds on ordered levels (--categories); 'conditional': "
                     "conditional logistic regression on matched strata (--strata COL); 'mixed': "
                     "random effects per group (--groups COL, or (1 | COL) in --formula); "
                     "default: logistic")
    fit.add_argument("--categories", type=feature_list, metavar="LOW,...,HIGH",
                     help="--model ordinal: the target's levels in order, lowest first "
                     "(needed for text labels; numbers are ordered as numbers)")
    fit.add_argument("--penalty", choices=["none", "l2", "l1", "elasticnet", "firth"],
                     default="none",
                     help="'l2' shrinks the coefficients; 'l1' and 'elasticnet' also set some "
                     "exactly to 0; 'firth' is Firth's bias-reduced likelihood, finite under "
                     "separation (default: none)")
    fit.add_argument("--C", type=positive_float, default=1.0, dest="C",
                     help="inverse penalty strength, > 0 (default 1.0)")
    fit.add_argument("--l1-ratio", type=unit_float, default=None, metavar="R",
                     help="the L1 share ρ in [0, 1] of --penalty elasticnet (required there)")
    fit.add_argument("--solver",
                     choices=["auto", "newton", "lbfgs", "gd", "newton-cd", "newton-cg"],
                     default="auto", help="(default: auto)")
    fit.add_argument("--max-iter", type=non_negative_int, default=None, metavar="N",
                     help="(default 100; --model mixed: 1000)")
    fit.add_argument("--tol", type=non_negative_float, default=None, metavar="T",
                     help="stop once a step would move no coefficient by more than T "
                          "standard errors (newton, newton-cd, newton-cg, Firth; the gradient "
                          "max-norm for lbfgs and gd; default 1e-6; --model mixed: 1e-7 on "
                          "L-BFGS-B's projected gradient)")
    fit.add_argument("--no-intercept", action="store_true", help="fit without an intercept")
    fit.add_argument("--memory", type=memory_size, metavar="SIZE",
                     help="stream a Parquet file (or directory) in chunks that fit in SIZE "
                     "(e.g. 1GB, 512MB): exact fit of data larger than memory")
    add_conditional_options(fit)
    add_mixed_options(fit)
    add_categorical_options(fit)
    add_offset_options(fit)
    add_reading_options(fit)
    add_toolkit_options(fit)
    add_held_out_options(fit)
    fit.add_argument("--out", type=Path, metavar="MODEL.json",
                     help="where to write the model (without it, the summary only)")
    fit.add_argument("--quiet", action="store_true",
                     help="print nothing but problems (no summary, no progress)")
    fit.set_defaults(handler=cmd_fit)


@categorical_hint  # a text feature column's error names --categorical and --formula
def cmd_fit(args: argparse.Namespace, console: Console) -> int:
    """``logistic fit``: read, check, fit (with progress on a terminal), show the summary,
    save."""

    out = _model_path(args)
    fmt = resolve_format(args.data, args.fmt)
    if not args.data.is_dir():  # a Parquet dataset is a directory (DATA is a Path)
        check_file(args.data)  # before the imports below: a missing file is said at once
    from logistic.cli.conditional import fit_conditional
    from logistic.cli.heldout import report_held_out
    from logistic.cli.offset_inputs import check_offset_options
    from logistic.cli.progress import fit_progress
    from logistic.cli.render import render_summary, write_model
    from logistic.cli.toolkit import (
        check_toolkit_options,
        described_summary,
        read_weighted,
        render_toolkit,
        resolve_class_weight,
        take_columns,
    )
    from logistic.io.data import read_dataset, read_table
    from logistic.models.logistic_regression import LogisticRegression
    _check_fit_options(args, fmt)
    check_toolkit_options(args, fmt in TABLE_FORMATS)
    categorical_formula(args, fmt)  # --categorical: DATA's columns as a formula
    if args.model != "mixed":  # the mixed estimator's own defaults differ (fit_mixed.py)
        args.max_iter = 100 if args.max_iter is None else args.max_iter
        args.tol = 1e-6 if args.tol is None else args.tol
    if args.model in ("ordinal", "mixed"):  # a command of their own
        return _model_command(args.model)(args, console, out, fmt)
    if args.categories is not None:
        raise UsageError("--categories orders the levels of --model ordinal")
    check_offset_options(args, fmt)
    params = _estimator_params(args)
    weights = groups = None
    model: Any
    if args.model == "conditional":
        model = fit_conditional(args, fmt)
    elif args.offset is not None or args.trials is not None:  # columns that are not features
        model, X, weights = _fit_offset(args, fmt, params)
    elif args.memory is not None:  # out of core: the file is read chunk by chunk, every pass
        X = None
        model = LogisticRegression(fit_intercept=not args.no_intercept, **params)
        with fit_progress(args.quiet, args.max_iter) as callback:
            _fit_streaming(model.set_params(callback=callback), args, fmt)
    elif args.formula is not None:
        frame, weights, groups = take_columns(
            read_table(args.data, fmt, **reading(args)), args)
        X = frame
        with fit_progress(args.quiet, args.max_iter) as callback:
            model = _fit_formula(args.formula, frame, {
                **params, "callback": callback, "class_weight": args.class_weight,
            }, weights, groups, args)
    else:
        if args.weight or args.cluster:
            X, y, weights, groups = read_weighted(args, fmt)
            names = None
        else:
            X, y, names = read_dataset(args.data, args.target, fmt=fmt,
                                       features=args.features, **reading(args))
        params["class_weight"] = resolve_class_weight(args.class_weight, y)
        model = LogisticRegression(fit_intercept=not args.no_intercept, **params)
        with fit_progress(args.quiet, args.max_iter) as callback:
            model = _fit(model.set_params(callback=callback), X, y, names, weights, groups,
                         args)
    if isinstance(model, LogisticRegression):
        model.set_params(callback=None)
    if not args.quiet:
        render_summary(console, described_summary(model, args))
        if args.odds_ratios or args.margins:
            render_toolkit(console, model, args, X, weights)
    report_held_out(console, args)
    write_model(console, model, out, args.quiet)
    return 0


def _model_command(model: str) -> Any:
    """The fit command of ``--model ordinal`` or ``mixed`` (imported when used)."""
    if model == "ordinal":
        from logistic.cli.fit_ordinal import fit_ordinal_command
        return fit_ordinal_command
    from logistic.cli.fit_mixed import fit_mixed_command
    return fit_mixed_command


def _model_path(args: argparse.Namespace) -> Path | None:
    """--out checked before any work; without it fit shows the summary only (so --quiet,
    which hides the summary, needs it)."""
    from logistic.cli.output_paths import check_output_path

    if args.out is None:
        if args.quiet:
            raise UsageError("fit --quiet without --out would show and save nothing: "
                             "add --out MODEL.json")
        return None
    return check_output_path(args.out, args.data)


def _fit_offset(args: argparse.Namespace, fmt: str, params: dict[str, Any]) -> tuple[
        LogisticRegression, pd.DataFrame, Any]:
    """--offset / --trials: (the fitted model, its features, the --weight column)."""
    import numpy as np

    from logistic.cli.heldout import fit_rows
    from logistic.cli.offset_inputs import read_offset_data
    from logistic.cli.progress import fit_progress
    from logistic.cli.toolkit import resolve_class_weight, take_columns
    from logistic.io.data import read_table
    from logistic.models.logistic_regression import LogisticRegression

    frame, weights, groups = take_columns(read_table(args.data, fmt, **reading(args)),
                                          args)
    X, y, extras = read_offset_data(args, fmt, frame)
    given = {"sample_weight": weights, "groups": groups}
    extras.update({name: value for name, value in given.items() if value is not None})
    if args.class_weight is not None:
        params["class_weight"] = resolve_class_weight(args.class_weight, np.asarray(y))
    with fit_progress(args.quiet, args.max_iter) as callback:
        model = fit_rows(args, lambda take: warnings_to_stderr(lambda: LogisticRegression(
            fit_intercept=not args.no_intercept, callback=callback, **params).fit(
            take(X), take(y), **{name: take(value) for name, value in extras.items()})),
            X, y, weights, extras.get("offset"))
    return model, X, weights


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
        "cov_type": args.cov_type,
        # a dict's labels are matched to the data's once they are read (resolve_class_weight)
        "class_weight": args.class_weight if not isinstance(args.class_weight, dict) else None,
    }
    try:  # combinations of options the estimator refuses (l1 with lbfgs, firth with gd)
        check_params(LogisticRegression(**params).get_params())
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return params


#: options of ``--model logistic`` only: (flag, attribute, its value when not given)
LOGISTIC_ONLY = (
    ("--offset", "offset", None), ("--trials", "trials", None), ("--weight", "weight", None),
    ("--class-weight", "class_weight", None), ("--cluster", "cluster", None),
    ("--cov-type", "cov_type", "nonrobust"), ("--odds-ratios", "odds_ratios", False),
    ("--margins", "margins", False),
)


def _check_model_options(args: argparse.Namespace) -> None:
    """The ordinal and conditional models take none of the logistic model's options of
    weights, offsets, covariance types and extra tables, the mixed model only --weight and
    --trials (cli/fit_mixed.py): named, not silently ignored."""
    from logistic.cli.fit_mixed import MIXED_TAKES

    if args.model == "logistic":
        return
    taken = MIXED_TAKES if args.model == "mixed" else ()
    given = [flag for flag, name, unset in LOGISTIC_ONLY
             if getattr(args, name) != unset and flag not in taken]
    if given:
        raise UsageError(f"--model {args.model} does not take {', '.join(given)} (options of "
                         "--model logistic)")


def _check_fit_options(args: argparse.Namespace, fmt: str) -> None:
    """The combinations of --target, --formula, --features that ``fit`` accepts."""
    from logistic.cli.fit_mixed import check_mixed_options
    from logistic.cli.heldout import check_held_out_options

    _check_model_options(args)
    check_mixed_options(args)  # cli/fit_mixed.py, imported without NumPy
    check_held_out_options(args)
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


def _fit_formula(formula: str, frame: pd.DataFrame, params: dict,
                 weights=None, groups=None, args=None) -> LogisticRegression:
    """from_formula with the CLI's handling of warnings and label checks (on the rows
    --test-size or --cv say: cli/heldout.py)."""
    import numpy as np
    import pandas as pd

    from logistic.cli.heldout import fit_rows
    from logistic.cli.toolkit import resolve_class_weight
    from logistic.io.data import labels
    from logistic.io.formula import design_matrices
    from logistic.io.formula_special import parse_cbind
    from logistic.models.logistic_regression import LogisticRegression

    X, y, spec = design_matrices(formula, frame)
    if y is None:
        raise UsageError(f"the formula {formula!r} has no response: write 'y ~ ...'")
    if parse_cbind(str(spec.response)) is None:  # successes of cbind(s, f) are counts
        labels(pd.Series(y), formula.split("~")[0].strip())  # --target's checks
        params["class_weight"] = resolve_class_weight(params["class_weight"], np.asarray(y))
    _check_firth_classes(params["penalty"], y)
    return fit_rows(args, lambda take: warnings_to_stderr(lambda: LogisticRegression.from_formula(
        formula, take(frame), sample_weight=take(weights), groups=take(groups), **params)),
        frame, y, weights)


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
    if isinstance(args.class_weight, dict):
        raise UsageError("--memory takes --class-weight balanced, not per-label weights")
    if args.penalty not in ("none", "l2") or args.solver == "newton-cd":
        raise UsageError("--memory fits with --penalty none or l2 and --solver auto, newton, "
                         "newton-cg, lbfgs or gd")
    warnings_to_stderr(
        lambda: fit_parquet(model, args.data, args.target, args.features, memory=args.memory)
    )


def _check_firth_classes(penalty: str | None, y) -> None:
    """Firth's penalty is for two classes: more is bad input, said before fitting."""
    import numpy as np
    import pandas as pd

    n_classes = len(pd.unique(np.asarray(y).ravel()))
    if penalty == "firth" and n_classes > 2:
        raise UsageError(
            f"--penalty firth fits two classes; the labels have {n_classes}: use --penalty "
            "none or l2 for more"
        )


def _fit(model: LogisticRegression, X, y, names: Sequence[str] | None = None,
         weights=None, groups=None, args=None) -> LogisticRegression:
    """Fits a model of ``model``'s parameters (on the rows --test-size or --cv say:
    cli/heldout.py); its warnings (convergence, separation) go to stderr, one line each.

    X without column names (a sparse LIBSVM matrix) takes ``names``: the model file then
    names its features, and ``predict`` matches a later file's columns by them.
    """
    import numpy as np

    from logistic.cli.heldout import fit_rows

    _check_firth_classes(model.penalty, y)
    given = {"sample_weight": weights, "groups": groups}
    extra = {name: value for name, value in given.items() if value is not None}
    model = fit_rows(args, lambda take: warnings_to_stderr(lambda: type(model)(
        **model.get_params()).fit(take(X), take(y), **{k: take(v) for k, v in extra.items()})),
        X, y, weights)
    if names is not None and getattr(model, "feature_names_in_", None) is None:
        model.feature_names_in_ = np.asarray(names, dtype=object)
    return model
