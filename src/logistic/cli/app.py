"""The ``logistic`` command: a thin shell over the estimator, the readers and the model file.

    logistic demo [--out PATH] [--seed N]
    logistic fit DATA --target COL [--features A,B,...] [--C C] [--l1-ratio R]
                 [--penalty {none,l2,l1,elasticnet,firth}] [--memory SIZE]
                 [--solver {auto,newton,lbfgs,gd,newton-cd,newton-cg}]
                 [--max-iter N] [--tol T]
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
    logistic export MODEL.json --onnx OUT.onnx
    logistic evaluate MODEL.json DATA --target COL [--threshold T] [--out FILE.json]
    logistic --version | --debug COMMAND ...

DATA is CSV/TSV (header row), Parquet, LIBSVM/svmlight (sparse) or a 2-D ``.npy`` array,
by extension or ``--format {csv,tsv,parquet,libsvm,npy}`` (:mod:`logistic.io.data`). LIBSVM
files hold their labels (no ``--target``); an ``.npy`` array's label column is the last
unless ``--target`` gives its index.

Exit status: 0 on success; 2 on bad input or usage, with one line on stderr starting
``logistic: error:``; 1 on an internal error (``--debug`` shows its traceback).

The estimator does the math, :mod:`logistic.io.data` reads and checks tables, and
:mod:`logistic.io.model_file` reads and writes model files; the CLI only parses arguments,
calls them and prints. Each subcommand is one module of this package that registers its own
parser (``register(commands)``) and handler; this module assembles them and runs one.

Building the parser imports only argparse and the subcommand modules, whose top levels import
nothing heavy: each handler imports NumPy, pandas, rich and the estimator when it runs, so
``logistic --help`` and ``--version`` start in a fraction of a second (tests/test_startup.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from logistic import __version__
from logistic.cli import demo, evaluate, explain, export, fit, plot, predict, report, summary
from logistic.cli.errors import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    INPUT_ERRORS,
    PROG,
    UsageError,
    run_guarding_stdout,
    run_handler,
)
from logistic.cli.options import DEBUG_HELP, CliParser
from logistic.cli.plot import PLOT_KINDS

if TYPE_CHECKING:  # module attributes imported on first use (``__getattr__`` below)
    from logistic.cli.progress import FitProgress
    from logistic.cli.render import render_summary

# besides the entry points, the names that callers and tests import from this module
__all__ = [
    "INPUT_ERRORS", "PLOT_KINDS", "PROG", "FitProgress", "UsageError", "build_parser", "main",
    "render_summary", "run",
]

#: The subcommands, in the order ``logistic --help`` lists them.
COMMANDS = (demo, fit, predict, summary, plot, explain, report, export, evaluate)


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
        if isinstance(exc.code, int):
            return exc.code
        return EXIT_OK if exc.code is None else EXIT_BAD_INPUT
    from logistic.cli.console import stdout_console  # rich: only once a command runs

    return run_guarding_stdout(lambda: run_handler(args, stdout_console()))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``logistic`` and its subcommands."""
    parser = CliParser(
        prog=PROG,
        description="Logistic regression from first principles: fit, predict, summarize.",
        epilog="Exit status: 0 success, 2 bad input or usage, 1 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true", default=False, help=DEBUG_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CliParser)
    commands.required = True
    for command in COMMANDS:
        command.register(commands)
    return parser


def __getattr__(name: str) -> Any:
    """``FitProgress`` and ``render_summary``, imported on first use: they import rich and
    NumPy, which parsing the command line does not need."""
    if name == "FitProgress":
        from logistic.cli.progress import FitProgress

        return FitProgress
    if name == "render_summary":
        from logistic.cli.render import render_summary

        return render_summary
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
