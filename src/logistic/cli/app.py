"""The ``logistic`` command: a thin shell over the estimator, the readers and the model file.

    logistic demo [--out PATH] [--seed N]
    logistic fit DATA --target COL [--features A,B,...] [--C C] [--l1-ratio R]
                 [--penalty {none,l2,l1,elasticnet,firth}] [--memory SIZE]
                 [--solver {auto,newton,lbfgs,gd,newton-cd}] [--max-iter N] [--tol T]
                 [--no-intercept]
                 [--format FMT] [--encoding ENC] --out MODEL.json [--quiet]
    logistic predict MODEL.json DATA [--out FILE] [--format FMT] [--encoding ENC]
    logistic summary MODEL.json
    logistic plot KIND [MODEL.json] [DATA] --out FILE.png|FILE.svg [--target COL]
                 KIND: sigmoid, derivatives, cost (no inputs); boundary MODEL [DATA] or
                 --weights=W0,W1,W2; training DATA --target COL [--compare solvers|losses];
                 coefficients MODEL; roc, calibration MODEL DATA --target COL;
                 scores MODEL DATA [--target COL]
    logistic explain MODEL.json DATA [--target COL] [--rows N]
    logistic report MODEL.json DATA --target COL --out REPORT.html [--title TEXT]
    logistic --version | --debug COMMAND ...

DATA is CSV/TSV (header row), Parquet, LIBSVM/svmlight (sparse) or a 2-D ``.npy`` array,
by extension or ``--format {csv,tsv,parquet,libsvm,npy}`` (:mod:`logistic.io.data`). LIBSVM
files hold their labels (no ``--target``); an ``.npy`` array's label column is the last
unless ``--target`` gives its index.

Exit status: 0 on success; 2 on bad input or usage, with one line on stderr starting
``logistic: error:``; 1 on an internal error (``--debug`` shows its traceback).

The estimator does the math, :mod:`logistic.io.data` reads and checks tables, and
:mod:`logistic.io.model_file` reads and writes model files; this module only parses arguments,
calls them and prints.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import numpy as np
import pandas as pd
import scipy.sparse as sp
from rich.console import Console
from rich.progress import Progress, ProgressColumn, Task, TextColumn
from rich.table import Table
from rich.text import Text

from logistic import __version__
from logistic.exceptions import DataError, ModelFileError
from logistic.inference.statistics import format_number
from logistic.io.atomic import write_atomically
from logistic.io.data import (
    FORMATS,
    TABLE_FORMATS,
    labels,
    read_dataset,
    read_features,
    read_table,
    resolve_format,
)
from logistic.models.logistic_regression import LogisticRegression

if TYPE_CHECKING:  # matplotlib is imported only by the commands that draw
    from matplotlib.figure import Figure

__all__ = ["main", "run"]

PROG = "logistic"
DEMO_MODEL_PATH = "logistic-demo-model.json"

#: ``logistic plot`` kinds and what each takes.
PLOT_KINDS = {
    "sigmoid": "no inputs",
    "derivatives": "no inputs",
    "cost": "no inputs",
    "boundary": "MODEL [DATA], or --weights=W0,W1,W2 [DATA]",
    "training": "DATA --target COL",
    "roc": "MODEL DATA --target COL",
    "calibration": "MODEL DATA --target COL",
    "coefficients": "MODEL",
    "scores": "MODEL DATA [--target COL]",
}


DATA_HELP = (
    "CSV/TSV (header row), Parquet (a file, or a directory of *.parquet parts), LIBSVM/svmlight "
    "or 2-D .npy file"
)
TARGET_HELP = (
    "the labels: a column name (CSV/TSV/Parquet), a column index (.npy; default the last "
    "column); LIBSVM files hold their labels"
)
#: A fit shows its progress once it has run this long (seconds), on a terminal only.
PROGRESS_DELAY_S = 1.0
#: The most cells a sparse file may have to be drawn or reported (densified): 400 MB.
MAX_DENSE_CELLS = 50_000_000


class UsageError(Exception):
    """Bad input that is neither a data nor a model-file problem (exit status 2)."""


#: Exceptions that mean "the user's input is wrong": one line on stderr, exit status 2.
INPUT_ERRORS = (DataError, ModelFileError, UsageError)


# -- entry points ----------------------------------------------------------------------------
def main() -> NoReturn:
    """The console script: runs the command line and exits with its status."""
    sys.exit(run(sys.argv[1:]))


def run(argv: Sequence[str] | None = None) -> int:
    """Runs ``logistic`` with the arguments ``argv`` (default ``sys.argv[1:]``).

    Returns the exit status instead of exiting: 0 success, 2 bad input or usage, 1 internal
    error. Standard output and error are looked up at call time, so tests can capture them.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help, --version, or a usage error already reported
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)

    console = _console()
    try:
        return args.handler(args, console)
    except INPUT_ERRORS as exc:
        _error(str(exc))
        return 2
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): nothing left to report.
        _silence_stdout()
        return 1
    except Exception as exc:  # noqa: BLE001 - the last resort that keeps tracebacks hidden
        if args.debug:
            traceback.print_exc(file=sys.stderr)
        reason = _one_line(f"{type(exc).__name__}: {exc}")
        hint = "" if args.debug else "; run again with --debug for the traceback"
        print(f"{PROG}: internal error: {reason}{hint}", file=sys.stderr)
        return 1


# -- argument parsing ------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line: ``logistic: error: ...``."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix(PROG).strip()
        help_hint = f"{PROG} {command} --help" if command else f"{PROG} --help"
        _error(f"{message} (see '{help_hint}')")
        self.exit(2)


def _positive_float(text: str) -> float:
    value = _float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    value = _float(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text!r}")
    return value


def _unit_float(text: str) -> float:
    value = _float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return value


def _memory_size(text: str) -> int:
    """``--memory``: bytes from '1GB', '512MB', '2GiB' (stream.parse_memory's units)."""
    from logistic.scale.stream import parse_memory

    try:
        return parse_memory(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _float_list(text: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers, got {text!r}"
        ) from None
    if not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"the numbers must be finite, got {text!r}")
    return values


def _feature_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected comma-separated column names, got {text!r}")
    return names


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``logistic`` and its subcommands."""
    # --debug is accepted before or after the subcommand; SUPPRESS keeps the subcommand's
    # parser from overwriting a --debug given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS,
        help="show the traceback of an internal error",
    )

    parser = _Parser(
        prog=PROG,
        description="Logistic regression from first principles: fit, predict, summarize.",
        epilog="Exit status: 0 success, 2 bad input or usage, 1 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--debug", action="store_true", default=False,
        help="show the traceback of an internal error",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    demo = commands.add_parser(
        "demo", parents=[common], help="fit the breast-cancer data shipped with scikit-learn",
        description="Fits an L2-penalized model to scikit-learn's breast-cancer data and "
        "reports held-out accuracy, log-loss and ROC AUC.",
    )
    demo.add_argument(
        "--out", type=Path, default=Path(DEMO_MODEL_PATH), metavar="PATH",
        help=f"where to write the model (default: ./{DEMO_MODEL_PATH})",
    )
    demo.add_argument("--seed", type=int, default=0, help="train/test split seed (default 0)")
    demo.set_defaults(handler=cmd_demo)

    fit = commands.add_parser(
        "fit", parents=[common], help="fit a model to a data file",
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
        "--features", type=_feature_list, metavar="A,B,...",
        help="feature columns (default: every column except the target)",
    )
    fit.add_argument("--penalty", choices=["none", "l2", "l1", "elasticnet", "firth"],
                     default="none",
                     help="'l2' shrinks the coefficients; 'l1' and 'elasticnet' also set some "
                     "exactly to 0; 'firth' is Firth's bias-reduced likelihood, finite under "
                     "separation (default: none)")
    fit.add_argument("--C", type=_positive_float, default=1.0, dest="C",
                     help="inverse penalty strength, > 0 (default 1.0)")
    fit.add_argument("--l1-ratio", type=_unit_float, default=None, metavar="R",
                     help="the L1 share ρ in [0, 1] of --penalty elasticnet (required there)")
    fit.add_argument("--solver", choices=["auto", "newton", "lbfgs", "gd", "newton-cd"],
                     default="auto", help="(default: auto)")
    fit.add_argument("--max-iter", type=_non_negative_int, default=100, metavar="N",
                     help="(default 100)")
    fit.add_argument("--tol", type=_non_negative_float, default=1e-6, metavar="T",
                     help="stop once a step would move no coefficient by more than T "
                          "standard errors (newton, newton-cd, Firth; the gradient max-norm "
                          "for lbfgs and gd; default 1e-6)")
    fit.add_argument("--no-intercept", action="store_true", help="fit without an intercept")
    fit.add_argument("--memory", type=_memory_size, metavar="SIZE",
                     help="stream a Parquet file (or directory) in chunks that fit in SIZE "
                     "(e.g. 1GB, 512MB): exact fit of data larger than memory")
    _add_reading_options(fit)
    fit.add_argument("--out", type=Path, required=True, metavar="MODEL.json",
                     help="where to write the model")
    fit.add_argument("--quiet", action="store_true",
                     help="print nothing but problems (no summary, no progress)")
    fit.set_defaults(handler=cmd_fit)

    predict = commands.add_parser(
        "predict", parents=[common], help="predict with a saved model",
        description="Writes CSV with the columns 'probability' (of the model's second class) "
        "and 'prediction' (the label).",
    )
    predict.add_argument("model", type=Path, metavar="MODEL.json")
    predict.add_argument("data", type=Path, metavar="DATA",
                         help=DATA_HELP + "; the model's columns are matched by name")
    predict.add_argument("--out", type=Path, metavar="FILE",
                         help="write the predictions here (default: standard output)")
    _add_reading_options(predict)
    predict.set_defaults(handler=cmd_predict)

    summary = commands.add_parser(
        "summary", parents=[common], help="show what a saved model holds",
        description="Prints a saved model's coefficients and fit settings.",
    )
    summary.add_argument("model", type=Path, metavar="MODEL.json")
    summary.set_defaults(handler=cmd_summary)

    plot = commands.add_parser(
        "plot", parents=[common], help="draw a figure as PNG or SVG",
        description="Draws one figure. Without inputs: sigmoid (σ and its limits), "
        "derivatives (σ' with its maximum 0.25 at z = 0, and σ''), cost (−log h and "
        "−log(1 − h) with the lecture's three cases). boundary MODEL [DATA] (two features) or "
        "--weights=W0,W1,W2 (e.g. --weights=-3,1,1: the line x1 + x2 = 3). training DATA "
        "--target COL: a saved model keeps no loss history, so this fits gradient descent, "
        "Newton and L-BFGS (--compare solvers) or gradient descent on the squared error and "
        "on the cross-entropy (--compare losses) itself, from one start. coefficients MODEL. "
        "roc, calibration MODEL DATA --target COL. scores MODEL DATA [--target COL].",
    )
    plot.add_argument("kind", choices=PLOT_KINDS, metavar="KIND",
                      help=f"one of: {', '.join(PLOT_KINDS)}")
    plot.add_argument("inputs", nargs="*", type=Path, metavar="MODEL/DATA",
                      help="the model file and/or the data file the KIND needs")
    plot.add_argument("--out", type=Path, required=True, metavar="FILE.png",
                      help="where to write the figure (.png or .svg)")
    plot.add_argument("--target", metavar="COL", help=TARGET_HELP)
    plot.add_argument("--weights", type=_float_list, metavar="W0,W1,W2",
                      help="boundary: bias and two weights, e.g. --weights=-3,1,1")
    plot.add_argument("--compare", choices=["solvers", "losses"], default="solvers",
                      help="training: what to compare (default: solvers)")
    plot.add_argument("--max-iter", type=_non_negative_int, default=None, metavar="N",
                      help="training: iterations per fit (default 200 solvers, 300 losses)")
    plot.add_argument("--learning-rate", type=_positive_float, default=0.5, metavar="ETA",
                      help="training: gradient descent's step η (default 0.5)")
    plot.add_argument("--standardize", action="store_true",
                      help="training: scale each feature to mean 0, standard deviation 1 first")
    plot.add_argument("--dpi", type=_positive_float, default=100.0,
                      help="resolution of a PNG (default 100)")
    _add_reading_options(plot)
    plot.set_defaults(handler=cmd_plot)

    explain = commands.add_parser(
        "explain", parents=[common], help="the lecture's formulas with your numbers, checked",
        description="Evaluates σ(z), σ'(z), the cost J, its gradient −(1/m) Σ (y − ŷ)x, the "
        "Hessian and the Newton step of a saved binary model on DATA, and checks each against "
        "an independent computation or finite differences. Exit status 1 if a check fails.",
    )
    explain.add_argument("model", type=Path, metavar="MODEL.json")
    explain.add_argument("data", type=Path, metavar="DATA")
    explain.add_argument("--target", metavar="COL",
                         help=TARGET_HELP + " (without labels: z, σ(z) and σ'(z) only)")
    explain.add_argument("--rows", type=_positive_int, default=3, metavar="N",
                         help="how many of the first rows to show (default 3)")
    _add_reading_options(explain)
    explain.set_defaults(handler=cmd_explain)

    report = commands.add_parser(
        "report", parents=[common], help="write a self-contained HTML report",
        description="Writes one HTML file (inline CSS, embedded images, no scripts, no "
        "external links): the model and the data, metrics, the coefficient table, the "
        "formulas checked on the data, and the figures.",
    )
    report.add_argument("model", type=Path, metavar="MODEL.json")
    report.add_argument("data", type=Path, metavar="DATA")
    report.add_argument("--target", metavar="COL",
                        help=TARGET_HELP + "; needed for CSV/TSV/Parquet")
    report.add_argument("--out", type=Path, required=True, metavar="REPORT.html",
                        help="where to write the report")
    report.add_argument("--title", default="Logistic regression report",
                        help="the report's title")
    _add_reading_options(report)
    report.set_defaults(handler=cmd_report)
    return parser


def _add_reading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=list(FORMATS), dest="fmt",
        help="the data format (default: from the extension: .csv .txt, .tsv, .parquet .pq, "
        ".svm .libsvm .svmlight, .npy; text ones may end in .gz, .bz2, .xz)",
    )
    parser.add_argument("--encoding", metavar="ENC",
                        help="the text encoding of CSV/TSV (default: UTF-8, with or without "
                        "BOM)")


# -- commands --------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    """``logistic demo``: breast-cancer data, standardized, L2-penalized fit, held-out scores."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from logistic.io.model_file import save

    out = _check_output_path(args.out)
    data = load_breast_cancer(as_frame=True)
    X = data.data
    y = data.target_names[data.target.to_numpy()]  # 'malignant' / 'benign'
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=args.seed
    )
    scaler = StandardScaler().set_output(transform="pandas").fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    console.print(
        f"Breast-cancer data (scikit-learn): {len(X)} tumours, {X.shape[1]} features; "
        f"stratified split: {len(X_train)} to train, {len(X_test)} held out (seed {args.seed})."
    )
    console.print(
        "Features are standardized (mean 0, standard deviation 1 on the training rows), so "
        "the coefficients are comparable: each is the change in log-odds per standard "
        "deviation of its feature."
    )
    console.print(
        "Penalty: L2 with C = 1. Without it the fit is (quasi-)separated: a hyperplane "
        "splits the training classes, so the unpenalized maximum-likelihood estimate does not "
        "exist and its coefficients would run off towards infinity."
    )
    model = LogisticRegression(penalty="l2", C=1.0)
    _fit(model, X_train, y_train)
    positive = model.classes_[1]

    console.print()
    render_summary(console, model.summary())

    proba = model.predict_proba(X_test)
    scores = Table(title="Held-out performance", show_header=False, title_justify="left")
    scores.add_column("metric")
    scores.add_column("value", justify="right")
    scores.add_row("test rows", str(len(X_test)))
    scores.add_row("accuracy", f"{accuracy_score(y_test, model.predict(X_test)):.4f}")
    scores.add_row("log-loss", f"{log_loss(y_test, proba, labels=model.classes_):.4f}")
    scores.add_row(f"ROC AUC (positive: {positive})",
                   f"{roc_auc_score(y_test == positive, proba[:, 1]):.4f}")
    console.print(scores)
    console.print(
        f"Solver: {model.solver_}, {int(model.n_iter_[0])} iterations "
        f"({'converged' if model.converged_ else 'NOT converged'})."
    )

    save(model, out)
    console.print(Text(f"Model written to {out}", style="bold"))
    console.print(
        "It expects standardized features: subtract each feature's training mean and divide "
        "by its training scale (below) before `logistic predict`."
    )
    scaling = Table(title="Standardization (training rows)", title_justify="left")
    scaling.add_column("feature")
    scaling.add_column("mean", justify="right")
    scaling.add_column("scale", justify="right")
    for name, mean, scale in zip(scaler.feature_names_in_, scaler.mean_, scaler.scale_,
                                 strict=True):
        scaling.add_row(Text(str(name)), f"{mean:.6g}", f"{scale:.6g}")
    console.print(scaling)
    return 0


def cmd_fit(args: argparse.Namespace, console: Console) -> int:
    """``logistic fit``: read, check, fit (with progress on a terminal), show the summary,
    save."""
    out = _check_output_path(args.out, args.data)
    fmt = resolve_format(args.data, args.fmt)
    _check_fit_options(args, fmt)
    params = {
        "penalty": None if args.penalty == "none" else args.penalty,
        "C": args.C,
        "l1_ratio": args.l1_ratio,
        "solver": args.solver,
        "max_iter": args.max_iter,
        "tol": args.tol,
    }
    try:  # combinations of options the estimator refuses (l1 with lbfgs, firth with gd)
        LogisticRegression(**params)._check_params()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.memory is not None:  # out of core: the file is read chunk by chunk, every pass
        model = LogisticRegression(fit_intercept=not args.no_intercept, **params)
        with _fit_progress(args) as progress:
            _fit_streaming(model.set_params(callback=progress), args, fmt)
    elif args.formula is not None:
        frame = read_table(args.data, fmt, encoding=args.encoding)
        with _fit_progress(args) as progress:
            model = _fit_formula(args.formula, frame, {**params, "callback": progress})
    else:
        X, y, names = read_dataset(args.data, args.target, fmt=fmt, features=args.features,
                                   encoding=args.encoding)
        model = LogisticRegression(fit_intercept=not args.no_intercept, **params)
        with _fit_progress(args) as progress:
            _fit(model.set_params(callback=progress), X, y, names)
    model.set_params(callback=None)
    if not args.quiet:
        render_summary(console, model.summary())
    from logistic.io.model_file import save

    save(model, out)
    if not args.quiet:
        console.print(Text(f"Model written to {out}", style="bold"))
    return 0


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


def cmd_predict(args: argparse.Namespace, console: Console) -> int:
    """``logistic predict``: P(classes_[1]) (or one probability_<class> column per class for
    more than two) and the predicted label for every row."""
    from logistic.io.model_file import load

    model = load(args.model)
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        raise UsageError(
            f"{args.model}: the model has no feature names (it was fitted on an unnamed "
            "array), so its columns cannot be matched by name"
        )
    out = None if args.out is None else _check_output_path(args.out, args.model, args.data)
    fmt = resolve_format(args.data, args.fmt)
    if model.formula_ is not None:  # the saved encoding turns the raw columns into features
        X = model.formula_.transform(read_table(args.data, fmt, encoding=args.encoding))
    else:
        X = read_features(args.data, [str(name) for name in names], fmt=fmt,
                          encoding=args.encoding).X
    with _names_matched():
        proba, prediction = model.predict_proba(X), model.predict(X)
    if len(model.classes_) == 2:
        columns = {"probability": proba[:, 1]}
    else:
        columns = {f"probability_{label}": proba[:, k] for k, label in enumerate(model.classes_)}
    result = pd.DataFrame({**columns, "prediction": prediction})
    if out is None:
        result.to_csv(sys.stdout, index=False)
        sys.stdout.flush()
    else:
        write_atomically(out, lambda handle: result.to_csv(handle, index=False),
                         what="the predictions")
        console.print(f"{len(result)} predictions written to {out}")
    return 0


def cmd_summary(args: argparse.Namespace, console: Console) -> int:
    """``logistic summary``: what a model file holds, with the fit's statistics where saved."""
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


def cmd_plot(args: argparse.Namespace, console: Console) -> int:
    """``logistic plot KIND``: one figure of :mod:`logistic.viz.plots`, written atomically."""
    from logistic.viz import plots

    kind, inputs = args.kind, list(args.inputs)
    out = _check_output_path(args.out, *inputs)
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in plots.FIGURE_FORMATS:
        raise UsageError(
            f"{out}: the figure is written as .png or .svg; give --out a file name ending in "
            "one of them"
        )

    def expect(count: int | tuple[int, int]) -> None:
        low, high = (count, count) if isinstance(count, int) else count
        if low <= len(inputs) <= high:
            return
        given = " ".join(str(p) for p in inputs) or "nothing"
        if high == 0:
            raise UsageError(f"plot {kind} takes no MODEL or DATA (got {given})")
        raise UsageError(
            f"plot {kind} takes {PLOT_KINDS[kind]} (got {given}): "
            f"logistic plot {kind} {PLOT_KINDS[kind]} --out FILE.png"
        )

    def target(data: Path) -> None:
        # LIBSVM files hold their labels; an .npy array's are its last column by default
        if args.target is None and resolve_format(data, args.fmt) in TABLE_FORMATS:
            raise UsageError(f"plot {kind} needs the label column: add --target COL")

    if kind in ("sigmoid", "derivatives", "cost"):
        expect(0)
        figure = {"sigmoid": plots.sigmoid_figure, "derivatives": plots.derivatives_figure,
                  "cost": plots.cost_figure}[kind]()
    elif kind == "training":
        if len(inputs) == 2:
            raise UsageError(
                "plot training takes DATA only: a saved model keeps no loss history, so the "
                "command fits the models itself (logistic plot training DATA --target COL "
                "--out FILE.png)"
            )
        expect(1)
        target(inputs[0])
        figure = _training_figure(args, inputs[0])
    elif kind == "boundary":
        if args.weights is not None:
            expect((0, 1))
            if len(args.weights) != 3:
                raise UsageError(
                    f"--weights takes the bias and two weights W0,W1,W2, got "
                    f"{len(args.weights)} number(s)"
                )
            model, data = args.weights, (inputs[0] if inputs else None)
            X = y = names = None
            if data is not None:
                X, y, names = _read_data(data, args, need_labels=False, dense=True)
                if len(names) != 2:
                    raise DataError(
                        f"{data}: the boundary of --weights is drawn over 2 feature columns; "
                        f"the table has {len(names)} besides the target"
                    )
            figure = _plot_call(kind, lambda: plots.boundary_figure(
                model, X, y, feature_names=names))
        else:
            if not inputs:
                raise UsageError(
                    "plot boundary needs MODEL [DATA], or the weights: --weights=W0,W1,W2"
                )
            expect((1, 2))
            model = _load_binary(inputs[0], "the decision boundary")
            if int(model.n_features_in_) != 2:
                raise UsageError(
                    f"{inputs[0]}: the decision boundary is drawn for a model of 2 features; "
                    f"this one has {int(model.n_features_in_)}"
                )
            X = y = None
            if len(inputs) == 2:
                X, y = _model_data(model, inputs[0], inputs[1], args, need_target=False,
                                   dense=True)
            figure = _plot_call(kind, lambda: plots.boundary_figure(model, X, y))
    elif kind == "coefficients":
        expect(1)
        from logistic.io.model_file import load

        model = load(inputs[0])
        figure = _plot_call(kind, lambda: plots.coefficient_figure(model))
    else:  # roc, calibration, scores: a model and its data
        expect(2)
        if kind == "scores":
            model = _load_binary(inputs[0], "the score distribution")
            X, y = _model_data(model, inputs[0], inputs[1], args, need_target=False, dense=True)
            figure = _plot_call(kind, lambda: plots.scores_figure(model, X, y))
        else:
            from logistic.io.model_file import load

            target(inputs[1])
            model = load(inputs[0])
            X, y = _model_data(model, inputs[0], inputs[1], args, need_target=True, dense=True)
            draw = plots.roc_figure if kind == "roc" else plots.calibration_figure
            figure = _plot_call(kind, lambda: draw(model, X, y))
    plots.save_figure(figure, out, dpi=args.dpi)
    console.print(f"{kind} figure written to {out}")
    return 0


def _training_figure(args: argparse.Namespace, data: Path) -> Figure:
    """Fits the comparison of ``--compare`` on DATA and draws it."""
    from logistic.viz import plots

    X, y, _ = _read_data(data, args, need_labels=True, dense=True)
    target = "the labels" if args.target is None else repr(args.target)
    if args.standardize:
        scale = X.std(ddof=0).replace(0.0, 1.0)
        X = (X - X.mean()) / scale
    if args.compare == "losses":
        if len(pd.unique(y)) != 2:
            raise DataError(
                f"{data}: the squared error is for two classes; {target} has "
                f"{len(pd.unique(y))}"
            )
        options = {"max_iter": 300 if args.max_iter is None else args.max_iter,
                   "learning_rate": args.learning_rate}
        return _plot_call("training", lambda: plots.loss_comparison(X, y, **options))
    options = {"max_iter": 200 if args.max_iter is None else args.max_iter,
               "learning_rate": args.learning_rate}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = _plot_call("training", lambda: plots.solver_comparison(X, y, **options))
    for line in sorted({_one_line(f"{w.category.__name__}: {w.message}") for w in caught}):
        print(f"{PROG}: warning: {line}", file=sys.stderr)
    return figure


def _plot_call(kind: str, draw: Callable[[], Figure]) -> Figure:
    """Runs a figure function; its ValueError (the figure does not apply to this model or
    these data, e.g. one class only) is the user's input problem: exit status 2."""
    try:
        return draw()
    except ValueError as exc:
        raise UsageError(f"cannot draw {kind}: {exc}") from None


def _load_binary(path: Path, what: str) -> LogisticRegression:
    from logistic.io.model_file import load

    model = load(path)
    if len(model.classes_) != 2:
        raise UsageError(
            f"{path}: {what} is for a binary model; this one has {len(model.classes_)} classes"
        )
    return model


def _model_data(
    model: LogisticRegression, model_path: Path, data_path: Path, args: argparse.Namespace,
    need_target: bool, dense: bool = False,
) -> tuple[pd.DataFrame | sp.csr_matrix, np.ndarray | None]:
    """The model's feature columns of DATA (by name) and, where the labels are read (see
    :func:`_read_data`), the labels, which must be classes of the model."""
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        raise UsageError(
            f"{model_path}: the model has no feature names (it was fitted on an unnamed "
            "array), so its columns cannot be matched by name"
        )
    names = [str(name) for name in names]
    if args.target is not None and args.target in names:
        raise UsageError(f"--target {args.target!r} is one of the model's features")
    X, y, _ = _read_data(data_path, args, need_target, features=names, dense=dense)
    if y is None:
        return X, None
    classes = np.asarray(model.classes_)
    unknown = pd.unique(y[~np.isin(y, classes)])
    if unknown.size:
        shown = ", ".join(repr(v) for v in unknown[:5].tolist())
        column = "the labels" if args.target is None else f"column {args.target!r}"
        raise DataError(
            f"{data_path}: {column} holds label(s) {shown} that the model does "
            f"not know; its classes are {', '.join(repr(c) for c in classes.tolist())}"
        )
    return X, y


def _read_data(
    path: Path, args: argparse.Namespace, need_labels: bool,
    features: list[str] | None = None, dense: bool = False,
):
    """DATA for plot, explain and report, as ``(X, y, names)``: with labels when --target
    is given, when the format holds them (LIBSVM), or when they are needed (an .npy array's
    last column); ``dense`` for the figures, which take dense arrays."""
    fmt = resolve_format(path, args.fmt)
    if args.target is None and (fmt in TABLE_FORMATS or (fmt == "npy" and not need_labels)):
        if need_labels:
            raise UsageError("the labels are needed: add --target COL")
        X, y, names = read_features(path, features, fmt=fmt, encoding=args.encoding)
    else:
        X, y, names = read_dataset(path, args.target, fmt=fmt, features=features,
                                   encoding=args.encoding)
    if dense and sp.issparse(X):
        if X.shape[0] * X.shape[1] > MAX_DENSE_CELLS:
            raise UsageError(
                f"{path}: figures and reports take dense data, and this sparse file has "
                f"{X.shape[0]} × {X.shape[1]} cells; use a sample of its rows"
            )
        X = pd.DataFrame(X.toarray(), columns=names)
    return X, y, names


def cmd_explain(args: argparse.Namespace, console: Console) -> int:
    """``logistic explain``: the seeds' chain on the user's data, each step checked."""
    from logistic.viz.explain import explain, format_value

    model = _load_binary(args.model, "explain (the seeds' σ(z) chain)")
    X, y = _model_data(model, args.model, args.data, args, need_target=False)
    with _names_matched():
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
    console.print(table)
    for note in [step.note for step in result if step.note] + list(result.notes):
        console.print(Text(note, style="italic"))
    if not result.passed:
        failed = ", ".join(f"{s.name} ({s.verdict})" for s in result.failed)
        print(f"{PROG}: check failed: {failed}", file=sys.stderr)
        return 1
    return 0


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    """``logistic report``: the self-contained HTML report, written atomically."""
    from logistic.io.model_file import load
    from logistic.viz.report import write_report

    out = _check_output_path(args.out, args.model, args.data)
    model = load(args.model)
    X, y = _model_data(model, args.model, args.data, args, need_target=True, dense=True)
    try:
        write_report(out, model, X, y, title=args.title, model_name=args.model.name,
                     data_name=args.data.name)
    except ValueError as exc:
        raise UsageError(f"cannot write the report: {exc}") from None
    console.print(Text(f"Report written to {out}", style="bold"))
    return 0


# -- shared pieces ---------------------------------------------------------------------------
def render_summary(console: Console, summary) -> None:
    """Prints a fit summary (``.header``, ``.table``, optional ``.note``) as rich tables."""
    header = Table(title=getattr(summary, "title", None), show_header=False,
                   title_justify="left")
    items = [(str(key), _header_value(value)) for key, value in summary.header.items()]
    half = (len(items) + 1) // 2
    for _ in range(2):
        header.add_column(style="bold")
        header.add_column(justify="right")
    for (k1, v1), (k2, v2) in zip(items[:half], items[half:] + [("", "")], strict=False):
        header.add_row(Text(k1), Text(v1), Text(k2), Text(v2))
    console.print(header)

    frame: pd.DataFrame = summary.table
    frame = frame.loc[:, frame.notna().any()]  # a penalized fit has coefficients only
    table = Table()
    table.add_column(Text("term"))
    for column in frame.columns:
        table.add_column(Text(str(column)), justify="right")
    separated = set(getattr(summary, "separated", ()))  # marked †, the note says why
    for term, row in frame.iterrows():
        cells = [_p_value(v) if str(c).startswith("P>") else _number(v)
                 for c, v in row.items()]
        label = f"{term} †" if term in separated else str(term)
        table.add_row(Text(label), *[Text(cell) for cell in cells])
    console.print(table)
    note = getattr(summary, "note", None)
    if note:
        console.print(Text(str(note), style="italic"))


def _fit_formula(formula: str, frame: pd.DataFrame, params: dict) -> LogisticRegression:
    """from_formula with the CLI's handling of warnings and label checks."""
    from logistic.io.formula import design_matrices

    X, y, _ = design_matrices(formula, frame)
    if y is None:
        raise UsageError(f"the formula {formula!r} has no response: write 'y ~ ...'")
    labels(pd.Series(y), formula.split("~")[0].strip())  # --target's checks, on the response
    return _warnings_to_stderr(lambda: LogisticRegression.from_formula(formula, frame, **params))


def _fit_streaming(model: LogisticRegression, args: argparse.Namespace, fmt: str) -> None:
    """``--memory``: fits ``model`` on the Parquet data streamed in chunks (stream.py)."""
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
    _warnings_to_stderr(
        lambda: fit_parquet(model, args.data, args.target, args.features, memory=args.memory)
    )


def _fit(model: LogisticRegression, X, y, names: Sequence[str] | None = None) -> None:
    """Fits ``model``; its warnings (convergence, separation) go to stderr, one line each.

    X without column names (a sparse LIBSVM matrix) takes ``names``: the model file then
    names its features, and ``predict`` matches a later file's columns by them.
    """
    _warnings_to_stderr(lambda: model.fit(X, y))
    if names is not None and getattr(model, "feature_names_in_", None) is None:
        model.feature_names_in_ = np.asarray(names, dtype=object)


@contextmanager
def _names_matched() -> Iterator[None]:
    """Silences scikit-learn's warning that X (a sparse matrix) has no feature names while
    the model has: the readers have already matched its columns to the model's by name."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="X does not have valid feature names",
                                category=UserWarning)
        yield


# -- progress --------------------------------------------------------------------------------
class FitProgress:
    """The live progress line of a long fit: iteration, loss J, ‖∇J‖∞, passes over the data
    and the elapsed time, drawn by rich on ``console`` (stderr).

    Called as the estimator's ``callback(iteration, state)``. Nothing is drawn until the fit
    has run ``delay`` seconds, so a quick fit leaves no trace; ``close()`` (or leaving the
    ``with`` block) stops the display and leaves its last line.
    """

    def __init__(
        self, console: Console, max_iter: int, delay: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console, self.max_iter, self.clock = console, max_iter, clock
        self.delay = PROGRESS_DELAY_S if delay is None else delay
        self.start = clock()
        self._progress: Progress | None = None
        self._task = None

    def __call__(self, iteration: int, state: dict) -> None:
        if self._progress is None:
            if self.clock() - self.start < self.delay:
                return
            self._open()  # drawn from the first update below, not before it
        passes = state.get("passes")
        self._progress.update(
            self._task, completed=min(iteration, self.max_iter), iteration=iteration,
            loss=f"{state['loss']:.8g}", grad_norm=f"{state['grad_norm']:.2e}",
            passes="-" if passes is None else str(passes),
        )
        if not self._progress.live.is_started:
            self._progress.start()

    def _open(self) -> None:
        # no bar: most fits stop long before max_iter, and the line fits 80 columns
        columns = (
            TextColumn("[bold]fit[/]"),
            TextColumn("iteration {task.fields[iteration]}/{task.total:.0f}"),
            TextColumn("loss {task.fields[loss]}"),
            TextColumn("‖∇J‖∞ {task.fields[grad_norm]}"),
            TextColumn("passes {task.fields[passes]}"),
            _ElapsedColumn(self.start, self.clock),
        )
        # stdout (the summary, predictions) stays where it goes; warnings printed to stderr
        # during the fit appear above the line
        self._progress = Progress(*columns, console=self.console, refresh_per_second=4,
                                  redirect_stdout=False)
        self._task = self._progress.add_task(
            "fit", total=max(self.max_iter, 1), iteration=0, loss="-", grad_norm="-",
            passes="-",
        )

    def close(self) -> None:
        """Stops the display (if it started), leaving its last state on the terminal."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> FitProgress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _ElapsedColumn(ProgressColumn):
    """Seconds since the fit began (not since the display appeared)."""

    def __init__(self, start: float, clock: Callable[[], float]) -> None:
        super().__init__()
        self.start, self.clock = start, clock

    def render(self, task: Task) -> Text:
        return Text(f"{self.clock() - self.start:.1f} s")


@contextmanager
def _fit_progress(args: argparse.Namespace) -> Iterator[FitProgress | None]:
    """A :class:`FitProgress` on stderr for ``fit``, or None (no callback) with --quiet or
    when stderr is not a terminal."""
    console = None if args.quiet else _progress_console()
    if console is None:
        yield None
        return
    with FitProgress(console, args.max_iter) as progress:
        yield progress


def _progress_console() -> Console | None:
    """A console on stderr when stderr is a terminal, else None. The check is ``isatty``
    itself: rich would also draw into a pipe when FORCE_COLOR is set."""
    stream = sys.stderr
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        terminal = False
    return Console(file=stream, highlight=False) if terminal else None


def _warnings_to_stderr(run):
    """Runs ``run()``; each distinct warning it raised becomes one stderr line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run()
    seen = set()
    for warning in caught:
        line = _one_line(f"{warning.category.__name__}: {warning.message}")
        if line not in seen:
            seen.add(line)
            print(f"{PROG}: warning: {line}", file=sys.stderr)
    return result


def _check_output_path(path: Path, *inputs: Path) -> Path:
    """Fails early (before any work) when ``path`` cannot be an output file, or is one of
    the command's ``inputs`` (writing there would replace what the user has)."""
    if path.is_dir():
        raise UsageError(f"{path}: is a directory; give a file name to write")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{path}: the directory {parent} does not exist")
    for source in inputs:
        if _same_file(path, source):
            raise UsageError(f"{path}: is also the input {source}; writing there would "
                             "replace it, so give --out another file name")
    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # either is absent (or unreadable): they cannot be one file
        return False


def _console() -> Console:
    console = Console(file=sys.stdout, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = max(console.width, 120)  # pipes and files: do not squeeze tables
    return console


def _error(message: str) -> None:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _number(value) -> str:
    value = float(value)
    if math.isnan(value):
        return "-"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return format_number(value)


def _p_value(value) -> str:
    value = float(value)
    if math.isnan(value):
        return "-"
    return f"{value:.3f}" if value >= 1e-3 else f"{value:.1e}"


def _header_value(value) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        return f"{value:.6g}" if math.isfinite(value) else "-"
    return str(value)
