"""``logistic explain``: the seeds' chain σ(z) → J → ∇J → Hessian → Newton step, evaluated on
the user's data with a saved model, each step checked independently."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from logistic.cli.errors import EXIT_CHECK_FAILED, EXIT_OK, PROG
from logistic.cli.options import (
    TARGET_HELP,
    Subcommands,
    add_command,
    add_reading_options,
    positive_int,
)

if TYPE_CHECKING:  # the handler imports rich when it runs: parsing imports no NumPy
    from rich.console import Console
    from rich.table import Table


def register(commands: Subcommands) -> None:
    """Adds ``explain`` and its options."""
    explain = add_command(
        commands, "explain", help="the lecture's formulas with your numbers, checked",
        description="Evaluates σ(z), σ'(z), the cost J, its gradient −(1/m) Σ (y − ŷ)x, the "
        "Hessian and the Newton step of a saved binary model on DATA, and checks each against "
        "an independent computation or finite differences. Exit status 1 if a check fails.",
    )
    explain.add_argument("model", type=Path, metavar="MODEL.json")
    explain.add_argument("data", type=Path, metavar="DATA")
    explain.add_argument("--target", metavar="COL",
                         help=TARGET_HELP + " (without labels: z, σ(z) and σ'(z) only)")
    explain.add_argument("--rows", type=positive_int, default=3, metavar="N",
                         help="how many of the first rows to show (default 3)")
    add_reading_options(explain)
    explain.set_defaults(handler=cmd_explain)


def cmd_explain(args: argparse.Namespace, console: Console) -> int:
    """``logistic explain``: the seeds' chain on the user's data, each step checked."""
    # imported here, not at the top: building the parser (every command, --help) imports
    # none of NumPy, pandas or rich (tests/test_startup.py)
    from rich.text import Text

    from logistic.cli.inputs import load_binary, model_data, names_matched
    from logistic.viz.explain import explain

    model = load_binary(args.model, "explain (the seeds' σ(z) chain)")
    X, y = model_data(model, args.model, args.data, args, need_target=False)
    with names_matched():
        result = explain(model, X, y, rows=args.rows)

    shown = ", ".join(str(int(i) + 1) for i in result.rows)
    penalty = (f"L2, α = 1/(C·m) = {result.penalty_strength:.6g}" if result.penalty_strength
               else "none")
    console.print(Text(f"The lecture's formulas on {args.data} with {args.model}", style="bold"))
    console.print(
        f"{result.n_samples} rows; rows shown: {shown} (1-based); loss: {result.loss}; "
        f"penalty: {penalty}; positive class (y = 1): {result.positive_class!s}"
    )
    console.print(Text("θ = [" + ", ".join(
        f"{term} {value:.6g}" for term, value in zip(result.terms, result.theta, strict=True)
    ) + "]"))
    console.print(_steps_table(result))
    for note in [step.note for step in result if step.note] + list(result.notes):
        console.print(Text(note, style="italic"))
    if not result.passed:
        failed = ", ".join(f"{s.name} ({s.verdict})" for s in result.failed)
        print(f"{PROG}: check failed: {failed}", file=sys.stderr)
        return EXIT_CHECK_FAILED
    return EXIT_OK


def _steps_table(result) -> Table:
    """One row per step of the chain: its formula, its value and the check's verdict."""
    from rich.table import Table
    from rich.text import Text

    from logistic.viz.explain import format_value  # as in cmd_explain

    table = Table(show_lines=True)
    for column in ("step", "formula", "value", "checked against"):
        table.add_column(column)
    table.add_column("result", no_wrap=True)
    for step in result:
        verdict = step.verdict or "-"
        style = "green" if step.passed else ("red" if step.passed is False else "")
        value = format_value(step.value, max_items=4, digits=4,
                             diagonal=step.name == "hessian")
        table.add_row(Text(step.title), Text(step.formula), Text(value), Text(step.check),
                      Text(verdict, style=style))
    return table
