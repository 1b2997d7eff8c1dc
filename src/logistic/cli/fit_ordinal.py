"""``logistic fit --model ordinal``: the proportional odds model on DATA, its summary, and
the model file (the options that ``fit`` shares with the binary model, checked for this one).
"""

from __future__ import annotations

import argparse

import numpy as np
from rich.console import Console

from logistic.cli.errors import UsageError, warnings_to_stderr
from logistic.cli.heldout import fit_rows, report_held_out
from logistic.cli.options import reading
from logistic.cli.render import render_summary, write_model
from logistic.io.data import read_dataset, read_table
from logistic.models.ordinal import OrdinalLogisticRegression

__all__ = ["fit_ordinal_command"]


def _check_options(args: argparse.Namespace) -> None:
    if args.penalty not in ("none", "l2"):
        raise UsageError("--model ordinal fits with --penalty none or l2")
    if args.solver not in ("auto", "newton"):
        raise UsageError("--model ordinal is fitted by Newton's method: use --solver auto or "
                         "newton")
    if args.memory is not None:
        raise UsageError("--model ordinal fits in memory: leave out --memory")
    if args.no_intercept:
        raise UsageError("--model ordinal has cut-points in place of an intercept: leave out "
                         "--no-intercept")


def _categories(levels: list[str] | None, y: object) -> list[object] | None:
    """--categories as the labels' own type: numbers where the target column is numeric."""
    if levels is None:
        return None
    kind = getattr(np.asarray(y), "dtype", np.dtype(object)).kind
    if kind in "iuf":
        try:
            return [int(v) if kind in "iu" else float(v) for v in levels]
        except ValueError:
            raise UsageError(f"--categories {','.join(levels)}: the target column is "
                             "numeric, so the levels must be numbers") from None
    return list(levels)


def fit_ordinal_command(args: argparse.Namespace, console: Console, out, fmt: str) -> int:
    """Reads DATA, fits, prints the summary, saves the model."""
    _check_options(args)
    params = {"penalty": None if args.penalty == "none" else "l2", "C": args.C,
              "max_iter": args.max_iter, "tol": args.tol}
    if args.formula is not None:
        frame = read_table(args.data, fmt, **reading(args))
        response = args.formula.split("~")[0].strip()
        y = frame[response] if response in frame.columns else None
        params["categories"] = _categories(args.categories, y)
        model = fit_rows(args, lambda take: warnings_to_stderr(
            lambda: OrdinalLogisticRegression.from_formula(args.formula, take(frame), **params)),
            frame, y)
    else:
        X, y, names = read_dataset(args.data, args.target, fmt=fmt, features=args.features,
                                   **reading(args))
        params["categories"] = _categories(args.categories, y)
        model = fit_rows(args, lambda take: warnings_to_stderr(
            lambda: OrdinalLogisticRegression(**params).fit(take(X), take(y))), X, y)
        if names is not None and getattr(model, "feature_names_in_", None) is None:
            model.feature_names_in_ = np.asarray(names, dtype=object)
    if not args.quiet:
        render_summary(console, model.summary())
    report_held_out(console, args)
    write_model(console, model, out, args.quiet)
    return 0
