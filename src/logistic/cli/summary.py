"""``logistic summary``: what a model file holds, with the fit's statistics where saved."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

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
    info.add_row("classes", Text(f"{classes[0]!r} (0), {classes[1]!r} (1, the positive class)"))
    info.add_row("features", str(int(model.n_features_in_)))
    info.add_row("intercept", "fitted" if model.fit_intercept else "none")
    console.print(info)
    render_summary(console, model.summary())
    return 0
