"""``logistic report``: one self-contained HTML file on a saved model and DATA."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from logistic.cli.errors import UsageError, writing
from logistic.cli.evaluate import threshold
from logistic.cli.options import TARGET_HELP, Subcommands, add_command, add_reading_options

if TYPE_CHECKING:  # the handler imports rich when it runs: parsing imports no NumPy
    from rich.console import Console


def register(commands: Subcommands) -> None:
    """Adds ``report`` and its options."""
    report = add_command(
        commands, "report", help="write a self-contained HTML report",
        description="Writes one HTML file (inline CSS, embedded images, no scripts, no "
        "external links): the model and the data, metrics and the confusion matrix, the "
        "coefficient table, the odds ratios (binary models), the formulas checked on the data, "
        "and the figures; with --test, the held-out data's metrics, confusion matrix, ROC "
        "and calibration too.",
    )
    report.add_argument("model", type=Path, metavar="MODEL.json")
    report.add_argument("data", type=Path, metavar="DATA")
    report.add_argument("--target", metavar="COL",
                        help=TARGET_HELP + "; needed for CSV/TSV/Parquet")
    report.add_argument("--out", type=Path, required=True, metavar="REPORT.html",
                        help="where to write the report")
    report.add_argument("--title", default="Logistic regression report",
                        help="the report's title")
    report.add_argument("--test", type=Path, metavar="TEST",
                        help="held-out data (the same columns and --target as DATA): adds "
                        "their metrics, confusion matrix, ROC and calibration")
    report.add_argument("--threshold", type=threshold, default=0.5, metavar="T",
                        help="binary models: the confusion matrices predict the positive "
                        "class when its probability is > T (default 0.5, as predict)")
    add_reading_options(report)
    report.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    """``logistic report``: the self-contained HTML report, written atomically."""
    # imported here, not at the top: only this command needs the report (and, through it,
    # matplotlib), and building the parser (every command, --help) imports none of NumPy,
    # pandas, matplotlib or rich (tests/test_startup.py)
    from rich.text import Text

    from logistic.cli.inputs import model_data
    from logistic.cli.output_paths import check_output_path
    from logistic.io.model_file import load
    from logistic.viz.report import write_report

    inputs = [args.model, args.data] + ([] if args.test is None else [args.test])
    out = check_output_path(args.out, *inputs)
    model = load(args.model)
    X, y = model_data(model, args.model, args.data, args, need_target=True, dense=True)
    test = test_name = None
    if args.test is not None:  # read as DATA is: the model's columns, the same --target
        test = model_data(model, args.model, args.test, args, need_target=True, dense=True)
        test_name = args.test.name
    try:
        with writing(out, "the report"):
            write_report(out, model, X, y, title=args.title, model_name=args.model.name,
                         data_name=args.data.name, test=test, test_name=test_name,
                         threshold=args.threshold)
    except ValueError as exc:
        raise UsageError(f"cannot write the report: {exc}") from None
    console.print(Text(f"Report written to {out}", style="bold"))
    return 0

