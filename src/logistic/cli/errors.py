"""Exit statuses, and how the command reports problems: one line on stderr each.

0 success; 2 bad input or usage (``logistic: error: ...``); 1 an internal error, whose
traceback only ``--debug`` shows, or a check of ``explain`` that failed; 130 when interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from logistic.exceptions import DataError, ModelFileError

if TYPE_CHECKING:  # rich is imported by the commands that print, not by parsing
    from rich.console import Console

PROG = "logistic"

EXIT_OK = 0
EXIT_INTERNAL_ERROR = 1
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

T = TypeVar("T")


class UsageError(Exception):
    """Bad input that is neither a data nor a model-file problem (exit status 2)."""


#: Exceptions that mean "the user's input is wrong": one line on stderr, exit status 2.
INPUT_ERRORS = (DataError, ModelFileError, UsageError)


def run_handler(args: argparse.Namespace, console: Console) -> int:
    """Runs the parsed subcommand ``args.handler`` and turns what it raises into an exit
    status with at most one line on stderr."""
    try:
        return args.handler(args, console)
    except INPUT_ERRORS as exc:
        error(str(exc))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): nothing left to report.
        silence_stdout()
        return EXIT_INTERNAL_ERROR
    except Exception as exc:  # noqa: BLE001 - the last resort that keeps tracebacks hidden
        return internal_error(exc, debug=args.debug)


def internal_error(exc: Exception, debug: bool) -> int:
    """Reports a bug (not the user's input): one line, or the traceback with --debug."""
    if debug:
        traceback.print_exc(file=sys.stderr)
    reason = one_line(f"{type(exc).__name__}: {exc}")
    hint = "" if debug else "; run again with --debug for the traceback"
    print(f"{PROG}: internal error: {reason}{hint}", file=sys.stderr)
    return EXIT_INTERNAL_ERROR


def error(message: str) -> None:
    """Prints ``logistic: error: MESSAGE`` on one line of stderr."""
    print(f"{PROG}: error: {one_line(message)}", file=sys.stderr)


def one_line(text: object) -> str:
    """``text`` with every run of white space (newlines included) as one space."""
    return " ".join(str(text).split())


def warnings_to_stderr(run: Callable[[], T], sort: bool = False) -> T:
    """Runs ``run()``; each distinct warning it raised becomes one stderr line, in the order
    raised, or sorted with ``sort``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run()
    lines = list(dict.fromkeys(
        one_line(f"{warning.category.__name__}: {warning.message}") for warning in caught
    ))
    for line in sorted(lines) if sort else lines:
        print(f"{PROG}: warning: {line}", file=sys.stderr)
    return result


def silence_stdout() -> None:
    """Points stdout at the null device, so that flushing at exit raises nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
