"""``logistic evaluate MODEL.json DATA --target COL``: a saved model's scores on held-out
data (log-loss, accuracy, ROC AUC, Brier score, confusion matrix, per-class report,
calibration), computed by :func:`logistic.models.evaluation.evaluate`.

Only argparse and the CLI's own option and error modules load when the command line is
parsed; NumPy, scikit-learn, rich and the readers load when the command runs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from logistic.cli.options import (
    TARGET_HELP,
    Subcommands,
    add_command,
    add_reading_options,
    number,
)

if TYPE_CHECKING:  # the handler imports rich when it runs: parsing imports no NumPy
    from rich.console import Console

    from logistic.models.evaluation import Evaluation


def threshold(text: str) -> float:
    """``--threshold``: a probability strictly between 0 and 1."""
    value = number(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1), got {text!r}")
    return value


def register(commands: Subcommands) -> None:
    """Adds ``evaluate`` and its options."""
    evaluate = add_command(
        commands, "evaluate", help="score a saved model on held-out data",
        description="Scores a saved model on DATA with known labels: log-loss, accuracy, "
        "ROC AUC, Brier score, the confusion matrix and precision/recall/F1 per class at "
        "--threshold, and (binary models) calibration in 10 bins of the predicted "
        "probability with the calibration intercept and slope.",
    )
    evaluate.add_argument("model", type=Path, metavar="MODEL.json")
    evaluate.add_argument("data", type=Path, metavar="DATA")
    evaluate.add_argument("--target", metavar="COL", help=TARGET_HELP)
    evaluate.add_argument("--threshold", type=threshold, default=0.5, metavar="T",
                          help="binary models: predict the positive class when its "
                          "probability is > T (default 0.5, as predict)")
    evaluate.add_argument("--out", type=Path, metavar="FILE.json",
                          help="also write the scores and tables as JSON")
    add_reading_options(evaluate)
    evaluate.set_defaults(handler=cmd_evaluate)


def cmd_evaluate(args: argparse.Namespace, console: Console) -> int:
    """``logistic evaluate``: the scores of the model at ``args.model`` on ``args.data``."""
    from logistic.cli.inputs import model_data, names_matched
    from logistic.cli.output_paths import check_output_path
    from logistic.io.atomic import write_atomically
    from logistic.io.model_file import load
    from logistic.models.evaluation import evaluate

    out = None if args.out is None else check_output_path(args.out, args.model, args.data)
    model = load(args.model)
    X, y = model_data(model, args.model, args.data, args, need_target=True)
    with names_matched():
        result = evaluate(model, X, y, threshold=args.threshold)
    print_evaluation(console, result, f"{args.model} on {args.data}")
    if out is not None:
        write_atomically(out, lambda f: json.dump(result.to_dict(), f, indent=2),
                         what="the scores")
        console.print(f"scores written to {out}")
    return 0


def print_evaluation(console: Console, result: Evaluation, title: str) -> None:
    """The scores (under ``title``), the confusion matrix, the per-class report and the
    calibration table: what ``evaluate`` prints, and ``fit --test-size`` and ``predict
    --target`` too."""
    from rich.table import Table
    from rich.text import Text

    scores = Table(title=title, title_justify="left")
    scores.add_column("metric")
    scores.add_column("value", justify="right")
    for name, value in result.metrics.items():
        scores.add_row(name, "undefined" if value is None else f"{value:.6g}")
    console.print(scores)

    at = "" if result.threshold is None else f" at threshold {result.threshold:g}"
    confusion = Table(title=f"Confusion matrix{at} (rows: true, columns: predicted)",
                      title_justify="left")
    confusion.add_column("true \\ predicted")
    labels = [Text(str(c)) for c in result.classes]
    for label in labels:
        confusion.add_column(label.copy(), justify="right")
    for label, row in zip(labels, result.confusion.tolist(), strict=True):
        confusion.add_row(label, *(f"{v:g}" for v in row))
    console.print(confusion)

    report = Table(title="Per class", title_justify="left")
    for column in ("class", "precision", "recall", "f1", "support"):
        report.add_column(column, justify="left" if column == "class" else "right")
    for row in result.report:
        report.add_row(Text(str(row["class"])), *(f"{row[k]:.4g}" for k in
                                            ("precision", "recall", "f1", "support")))
    console.print(report)

    if result.calibration:
        calibration = Table(title="Calibration (bins of the predicted probability)",
                            title_justify="left")
        for column in ("bin", "count", "mean predicted", "observed"):
            calibration.add_column(column, justify="right")
        for row in result.calibration:
            calibration.add_row(f"[{row['lower']:.1f}, {row['upper']:.1f})",
                                f"{row['count']:g}", f"{row['mean_predicted']:.4f}",
                                f"{row['observed']:.4f}")
        console.print(calibration)
