"""The mixed logistic model in the CLI: ``logistic fit --model mixed --groups COL`` (or a
formula with one random-effects term, ``y ~ x + (1 + x | g)``), and ``logistic predict``
with such a model, conditional on DATA's groups or, with ``--marginal``, over the random
effects.

The groups column is not a feature, nor are --weight's (prior weights, read as the binary
model reads them: cli/toolkit.py) and --trials' (the target then counts the successes out of
that column's trials: cli/offset_inputs.py). The options of the binary model that do not apply
(penalties, solvers, --memory, held-out scores, --categorical, offsets) are refused rather than
ignored, and so are the mixed options with another ``--model``. Without ``--tol`` and
``--max-iter`` the fit uses the estimator's own (1e-7 on L-BFGS-B's projected gradient,
1000), as ``--help`` says. NumPy and the estimator are imported when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from logistic.cli.errors import PROG, UsageError, warnings_to_stderr
from logistic.cli.options import reading

__all__ = ["MIXED_TAKES", "check_mixed_options", "fit_mixed_command", "mixed_predictions"]

#: the mixed options: (flag, attribute)
MIXED_ONLY = (("--groups", "groups"), ("--random-slopes", "random_slopes"),
              ("--nagq", "nagq"), ("--covariance", "covariance"))
#: the options of --model logistic that --model mixed takes too (cli/fit.py refuses the rest)
MIXED_TAKES = ("--weight", "--trials")


def check_mixed_options(args: argparse.Namespace) -> None:
    """The mixed options only with ``--model mixed``; the binary model's that do not apply
    refused with it."""
    given = [flag for flag, name in MIXED_ONLY if getattr(args, name, None) is not None]
    if args.model != "mixed":
        if given:
            raise UsageError(f"{', '.join(given)}: option(s) of --model mixed, not --model "
                             f"{args.model}")
        return
    refused = [flag for flag, on in (
        ("--penalty", args.penalty != "none"), ("--solver", args.solver != "auto"),
        ("--memory", args.memory is not None), ("--l1-ratio", args.l1_ratio is not None),
        ("--categorical", args.categorical is not None), ("--strata", args.strata is not None),
        ("--categories", args.categories is not None), ("--test-size", args.test_size is not None),
        ("--cv", args.cv is not None), ("--metrics-out", args.metrics_out is not None)) if on]
    if refused:
        raise UsageError(f"--model mixed fits unpenalized by L-BFGS-B, in memory, on all rows: "
                         f"drop {', '.join(refused)}")
    if args.groups is not None and args.groups in (args.weight, args.trials):
        raise UsageError(f"--groups column {args.groups!r} is also the --weight or --trials "
                         "column")
    if args.formula is not None:
        if args.trials is not None:
            raise UsageError(f"--trials {args.trials} with --formula: write cbind(s, f) ~ ... "
                             "in the formula instead")
        doubled = [flag for flag, name in MIXED_ONLY[:2] + MIXED_ONLY[3:]
                   if getattr(args, name) is not None]
        if doubled:
            raise UsageError(f"--formula's random-effects term (1 + x | g), or (1 + x || g) "
                             f"for a diagonal covariance, says what {', '.join(doubled)} "
                             "would: drop them")
    elif args.groups is None:
        raise UsageError("--model mixed needs --groups COL (the column of group labels), or "
                         "--formula 'y ~ x + (1 | COL)'")


def _params(args: argparse.Namespace, q: int) -> dict[str, Any]:
    """The estimator's parameters; --nagq > 1 needs a single random effect (q = 1)."""
    params: dict[str, Any] = {"nAGQ": args.nagq or 1, "fit_intercept": not args.no_intercept}
    if args.covariance is not None:
        params["covariance"] = args.covariance
    for name in ("tol", "max_iter"):  # None: not given, the estimator's own default
        if getattr(args, name) is not None:
            params[name] = getattr(args, name)
    if params["nAGQ"] > 1 and q != 1:
        raise UsageError(f"--nagq {params['nAGQ']} (adaptive Gauss-Hermite) needs a single "
                         f"random effect, a random intercept only; this model has {q}: "
                         "drop --nagq")
    return params


def _fit(fit: Any) -> Any:
    """Runs the fit; its warnings one stderr line each, a refused value a usage error."""
    try:
        return warnings_to_stderr(fit)
    except ValueError as error:
        raise UsageError(str(error)) from None


def fit_mixed(args: argparse.Namespace, fmt: str) -> Any:
    """Reads the table and fits the model (its groups column's name kept for predict)."""
    from logistic.cli.toolkit import take_columns
    from logistic.io.data import TABLE_FORMATS, labels, read_table
    from logistic.io.formula_random import split_random
    from logistic.models.mixed import MixedLogisticRegression

    if fmt not in TABLE_FORMATS:
        raise UsageError(f"--model mixed reads named columns (CSV, TSV or Parquet), not {fmt}")
    # --weight's column checked and taken out of the frame (cli/toolkit.py)
    frame, weights, _ = take_columns(read_table(args.data, fmt, **reading(args)), args)
    if args.formula is not None:
        fixed, term = split_random(args.formula)
        response = fixed.split("~")[0].strip()
        if response in frame.columns:
            labels(frame[response], response)
        params = _params(args, int(term.intercept) + len(term.slopes))
        return _fit(lambda: MixedLogisticRegression.from_formula(
            args.formula, frame, sample_weight=weights, **params))
    slopes = args.random_slopes or []
    for column in (args.target, args.groups):
        _check_column(frame, column, "")
    if args.groups == args.target:
        raise UsageError("--groups and --target must be different columns")
    taken = (args.target, args.groups, args.trials)
    features = args.features or [c for c in frame.columns if c not in taken]
    if any(column in features for column in taken if column is not None):
        raise UsageError("--features must not include the --target, --groups or --trials "
                         "column")
    for column in features:
        _check_column(frame, column, "")
    outside = [name for name in slopes if name not in features]
    if outside:
        raise UsageError(f"--random-slopes {outside[0]!r} is not a feature column (features: "
                         f"{', '.join(map(str, features[:10]))})")
    X, y, trials = _response(args, fmt, frame, features)
    params = _params(args, 1 + len(slopes))
    model = _fit(lambda: MixedLogisticRegression(**params).fit(
        X, y, groups=frame[args.groups], random=slopes, sample_weight=weights, **trials))
    model.group_column_ = args.groups
    return model


def _response(args: argparse.Namespace, fmt: str, frame: Any, features: list[str]) -> tuple[
        Any, Any, dict[str, Any]]:
    """(X, y, the fit's trials= keyword): y the target's two labels, or with --trials the
    successes out of that column's trials (read as the binary model reads them)."""
    from logistic.cli.offset_inputs import read_offset_data
    from logistic.io.data import labels

    if args.trials is None:
        return frame[features], labels(frame[args.target], args.target), {}
    return read_offset_data(argparse.Namespace(**{**vars(args), "features": features}), fmt,
                            frame)


def _check_column(frame: Any, column: str, what: str) -> None:
    if column not in frame.columns:
        raise UsageError(f"no column {column!r} in the data{what} (columns: "
                         f"{', '.join(map(str, frame.columns[:10]))})")


def fit_mixed_command(args: argparse.Namespace, console: Any, out: Any, fmt: str) -> int:
    """Reads DATA, fits, prints the summary, saves the model."""

    from logistic.cli.render import render_summary, write_model

    model = fit_mixed(args, fmt)
    if not args.quiet:
        render_summary(console, model.summary())
    write_model(console, model, out, args.quiet)
    return 0


def mixed_predictions(model: Any, args: argparse.Namespace, fmt: str) -> tuple[Any, Any]:
    """(the (n, 2) probabilities and the predicted labels) of every row of DATA: given its
    groups (read from the model's groups column; a group the fit never saw has random
    effects 0, with a warning), or with ``--marginal`` averaged over the random effects."""
    from logistic.io.data import TABLE_FORMATS, read_table

    if fmt not in TABLE_FORMATS:
        raise UsageError(f"a mixed model reads named columns (CSV, TSV or Parquet), not {fmt}")
    frame = read_table(args.data, fmt, **reading(args))
    column = model.group_column_
    kind = "marginal" if args.marginal else "conditional"
    groups = None
    if not args.marginal:
        if column is None:
            raise UsageError(f"{args.model}: the model was fitted with groups= rather than a "
                             "groups column, so DATA's groups cannot be found by name; "
                             "use --marginal")
        _check_column(frame, column, " (the model's groups column; or use --marginal)")
        groups = frame[column]
        unseen = int((~groups.isin(model.group_levels_)).sum())
        if unseen:
            print(f"{PROG}: warning: {unseen} row(s) of groups the fit never saw: their "
                  "random effects are 0 (the population's)", file=sys.stderr)
    X = frame
    if model.formula_ is None:
        names = [str(n) for n in model.feature_names_in_]
        for name in names:
            _check_column(frame, name, "")
        X = frame[names]
    return (model.predict_proba(X, groups, kind=kind),
            model.predict(X, groups, kind=kind))
