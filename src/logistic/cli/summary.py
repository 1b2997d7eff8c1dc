"""``logistic summary``: what a model file holds, with the fit's statistics where saved."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from logistic.cli.errors import UsageError
from logistic.cli.options import Subcommands, add_command

if TYPE_CHECKING:  # the handler imports rich when it runs: parsing imports no NumPy
    from rich.console import Console


def register(commands: Subcommands) -> None:
    """Adds ``summary`` and its argument."""
    summary = add_command(
        commands, "summary", help="show what a saved model holds",
        description="Prints a saved model's coefficients and fit settings.",
    )
    summary.add_argument("model", type=Path, metavar="MODEL.json")
    summary.add_argument("--odds-ratios", action="store_true",
                         help="also print the odds ratios exp(coef) with Wald intervals (a "
                         "model file with statistics: an unpenalized or Firth fit)")
    summary.set_defaults(handler=cmd_summary)


def cmd_summary(args: argparse.Namespace, console: Console) -> int:
    """``logistic summary``: what a model file holds, with the fit's statistics where saved."""
    import numpy as np
    from rich.table import Table
    from rich.text import Text

    from logistic.cli.render import render_summary
    from logistic.io.model_file import load

    model = load(args.model)
    classes = np.asarray(model.classes_).tolist()
    info = Table(title=f"Model file {args.model}", show_header=False, title_justify="left")
    info.add_column("field")
    info.add_column("value")
    if hasattr(model, "thresholds_"):  # an ordinal model: ordered levels, cut-points
        info.add_row("levels", Text(" < ".join(repr(c) for c in classes)))
        info.add_row("features", str(int(model.n_features_in_)))
        info.add_row("cut-points", str(len(model.thresholds_)))
    else:
        info.add_row("classes",
                     Text(f"{classes[0]!r} (0), {classes[1]!r} (1, the positive class)"))
        info.add_row("features", str(int(model.n_features_in_)))
        info.add_row("intercept", "fitted" if model.fit_intercept else "none")
    if hasattr(model, "random_terms_"):  # a mixed model: its groups and random effects
        info.add_row("groups", f"{model.n_groups_} ({model.group_name_})")
        info.add_row("random effects", Text(", ".join(model.random_terms_)))
        if args.odds_ratios:
            raise UsageError(f"--odds-ratios: {args.model} holds a mixed model, whose "
                             "summary has no odds-ratio table")
    console.print(info)
    render_summary(console, model.summary())
    if args.odds_ratios:
        try:
            odds_ratios = model.summary(odds_ratios=True)
        except ValueError as exc:  # InferenceError: the file holds no statistics
            raise UsageError(f"{args.model}: {exc}") from None
        render_summary(console, odds_ratios)
    return 0
