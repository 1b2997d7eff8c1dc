"""Exit statuses, and how the command reports problems: one line on stderr each.

0 success; 2 bad input or usage (``logistic: error: ...``); 1 an internal error, whose
traceback only ``--debug`` shows, or a check of ``explain`` that failed; 130 when interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
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

#: The longest message a stderr line carries: a value quoted from a file (a 1 GB text cell)
#: is cut to an excerpt, so an error line stays one readable line.
MAX_MESSAGE_CHARS = 2000

T = TypeVar("T")


class UsageError(Exception):
    """Bad input that is neither a data nor a model-file problem (exit status 2)."""


#: Exceptions that mean "the user's input is wrong": one line on stderr, exit status 2.
INPUT_ERRORS = (DataError, ModelFileError, UsageError)


def run_handler(args: argparse.Namespace, console: Console) -> int:
    """Runs the parsed subcommand ``args.handler`` and turns what it raises into an exit
    status with at most one line on stderr.

    Warnings that no command reported itself become one ``logistic: warning:`` line each,
    except NumPy's floating-point RuntimeWarnings (overflow, invalid value): those are the
    arithmetic of extreme but valid inputs (a coefficient of 1e308), whose results are
    checked where they matter, not news for the user. After bad input (exit status 2) only
    the error line is printed.
    """
    import numpy as np  # a command runs: NumPy is loaded by then (parsing does not load it)

    with warnings.catch_warnings(record=True) as caught, \
            np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", RuntimeWarning)
        status = _run_guarded(args, console)
    if status == EXIT_BAD_INPUT:
        return status  # bad input is exactly one line: its error
    lines = dict.fromkeys(
        one_line(f"{warning.category.__name__}: {warning.message}") for warning in caught
    )
    for line in lines:
        print(f"{PROG}: warning: {short(line)}", file=sys.stderr)
    return status


def _run_guarded(args: argparse.Namespace, console: Console) -> int:
    try:
        return args.handler(args, console)
    except INPUT_ERRORS as exc:
        error(str(exc))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): it has what it wanted, so
        # nothing is reported and this is no failure (exit 0, as `head` would have it).
        silence_stdout()
        return EXIT_OK
    except StdoutError as exc:
        error(str(exc))
        silence_stdout()
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - the last resort that keeps tracebacks hidden
        return internal_error(exc, debug=args.debug)


class StdoutError(Exception):
    """Standard output cannot be written (closed, or a full device such as /dev/full)."""


class GuardedStdout:
    """Standard output whose write errors are :class:`StdoutError`: exit status 2 with one
    line wherever a command prints (a rich table, pandas' CSV), instead of an OSError that
    would read as a bug. Started with stdout closed (``>&-``, ``sys.stdout`` is None), a
    command that prints nothing still runs; one that prints fails at its first write."""

    def __init__(self, stream: object) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._guard(lambda stream: stream.write(text))
        except UnicodeEncodeError:
            # a file name of non-UTF-8 bytes (surrogate-escaped): printed as \udce9 escapes
            encoding = getattr(self._stream, "encoding", None) or "utf-8"
            safe = text.encode(encoding, "backslashreplace").decode(encoding)
            return self._guard(lambda stream: stream.write(safe))

    def flush(self) -> None:
        if self._stream is not None:
            self._guard(lambda stream: stream.flush())

    def isatty(self) -> bool:
        return self._stream is not None and bool(self._stream.isatty())  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        if self._stream is None:
            raise AttributeError(name)
        return getattr(self._stream, name)

    def _guard(self, operation: Callable[[object], T]) -> T:
        if self._stream is None:
            raise StdoutError("cannot write to standard output: it is closed")
        try:
            return operation(self._stream)
        except (BrokenPipeError, UnicodeEncodeError):
            raise
        except (OSError, ValueError) as exc:  # ValueError: "I/O operation on closed file"
            reason = getattr(exc, "strerror", None) or one_line(exc)
            raise StdoutError(f"cannot write to standard output: {reason}") from None


@contextlib.contextmanager
def writing(path: Path, what: str) -> Iterator[None]:
    """Turns an OSError while writing ``path`` into bad input (exit status 2): a full disk,
    a read-only file system, a missing permission are the environment the user gave, not a
    bug. An atomic write leaves an existing file as it was."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno is None or exc.errno == errno.EEXIST:  # write_atomically's own words
            raise UsageError(reason) from None
        raise UsageError(f"{path}: cannot write {what}: {reason}") from None


def run_guarding_stdout(run: Callable[[], int]) -> int:
    """Runs a command with ``sys.stdout`` a :class:`GuardedStdout` and flushes it before
    returning: output that a full stdout refuses at the last flush is exit status 2 too."""
    original = sys.stdout
    sys.stdout = GuardedStdout(original)  # type: ignore[assignment]
    try:
        status = run()
        try:
            sys.stdout.flush()
        except BrokenPipeError:  # the reader went away: no failure, as above
            silence_stdout()
            return EXIT_OK
        except StdoutError as exc:
            error(str(exc))
            silence_stdout()
            return EXIT_BAD_INPUT
        return status
    finally:
        sys.stdout = original


def internal_error(exc: Exception, debug: bool) -> int:
    """Reports a bug (not the user's input): one line, or the traceback with --debug."""
    if debug:
        traceback.print_exc(file=sys.stderr)
    reason = short(one_line(f"{type(exc).__name__}: {exc}"))
    hint = "" if debug else "; run again with --debug for the traceback"
    print(f"{PROG}: internal error: {reason}{hint}", file=sys.stderr)
    return EXIT_INTERNAL_ERROR


def error(message: str) -> None:
    """Prints ``logistic: error: MESSAGE`` on one line of stderr."""
    print(f"{PROG}: error: {short(one_line(message))}", file=sys.stderr)


def short(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, marked with how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


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
        if not issubclass(warning.category, RuntimeWarning)  # see run_handler
    ))
    for line in sorted(lines) if sort else lines:
        print(f"{PROG}: warning: {short(line)}", file=sys.stderr)
    return result


def silence_stdout() -> None:
    """Points stdout at the null device, so that flushing at exit raises nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
