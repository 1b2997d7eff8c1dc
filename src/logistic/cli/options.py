"""What the subcommands' command lines share: the parser whose usage errors are one line, the
``--debug`` option every subcommand takes, the argument types, the help of DATA and
``--target``, and the options that read a data file."""

from __future__ import annotations

import argparse
import math
from typing import Any, NoReturn, Protocol

from logistic.cli.errors import EXIT_BAD_INPUT, PROG, error
from logistic.exceptions import DataError
from logistic.io.formats import FORMATS, text_separator  # not io.data: no pandas at parsing

DATA_HELP = (
    "CSV/TSV (header row), Parquet (a file, or a directory of *.parquet parts), LIBSVM/svmlight "
    "or 2-D .npy file"
)
TARGET_HELP = (
    "the labels: a column name (CSV/TSV/Parquet), a column index (.npy; default the last "
    "column); LIBSVM files hold their labels"
)
DEBUG_HELP = "show the traceback of an internal error"


class CliParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line: ``logistic: error: ...``."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix(PROG).strip()
        help_hint = f"{PROG} {command} --help" if command else f"{PROG} --help"
        error(f"{message} (see '{help_hint}')")
        self.exit(EXIT_BAD_INPUT)


class Subcommands(Protocol):
    """What ``ArgumentParser.add_subparsers()`` returns, as the subcommands use it."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


def add_command(commands: Subcommands, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """Adds the subcommand ``name`` (``kwargs`` as for ``add_parser``) with ``--debug``."""
    # --debug is accepted before or after the subcommand; SUPPRESS keeps the subcommand's
    # parser from overwriting a --debug given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help=DEBUG_HELP)
    return commands.add_parser(name, parents=[common], **kwargs)


def add_reading_options(parser: argparse.ArgumentParser) -> None:
    """``--format`` and ``--encoding``, for the subcommands that read DATA."""
    parser.add_argument(
        "--format", choices=list(FORMATS), dest="fmt",
        help="the data format (default: from the extension: .csv .txt, .tsv, .parquet .pq, "
        ".svm .libsvm .svmlight, .npy; text ones may end in .gz, .bz2, .xz)",
    )
    parser.add_argument("--encoding", metavar="ENC",
                        help="the text encoding of CSV/TSV (default: UTF-8, with or without "
                        "BOM)")
    parser.add_argument("--no-header", dest="header", action="store_false",
                        help="CSV/TSV without a header row: the columns are x1 ... xd and "
                        "--target is a column index (0 the first, -1 the last) or a name x<k>")
    parser.add_argument("--sep", type=separator, metavar="SEP",
                        help="the CSV/TSV field separator: one character, or \\t for a tab "
                        "(default: ',' for CSV, a tab for TSV)")
    parser.add_argument("--na-values", type=na_values, metavar="A,B",
                        help="CSV/TSV cell texts that mean a missing value (e.g. '?'), "
                        "besides empty, NA and NaN; spaces around text cells are always "
                        "trimmed")


def reading(args: argparse.Namespace) -> dict[str, Any]:
    """The reading options of ``args`` as keywords for read_table, read_dataset and
    read_features."""
    return {"encoding": getattr(args, "encoding", None), "header": getattr(args, "header", True),
            "sep": getattr(args, "sep", None), "na_values": getattr(args, "na_values", None)}


def separator(text: str) -> str:
    """``--sep``: one literal character, or ``\\t``."""
    try:
        return text_separator(text)
    except DataError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def na_values(text: str) -> list[str]:
    """``--na-values A,B``: the texts, comma-separated."""
    return [value.strip() for value in text.split(",")]


# -- argument types: each raises ArgumentTypeError, whose text argparse shows as it is ---------
def number(text: str) -> float:
    """A float."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None


def positive_float(text: str) -> float:
    """A finite float > 0."""
    value = number(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """A finite float >= 0."""
    value = number(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text!r}")
    return value


def unit_float(text: str) -> float:
    """A float in [0, 1]."""
    value = number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return value


def resolution(text: str) -> float:
    """``--dpi``: 10 to 2400 dots per inch. Below 10 the fonts have no size to render at,
    above 2400 the default figure would be over 15,000 × 11,000 pixels (0.7 GB of RGBA)."""
    value = number(text)
    if not 10 <= value <= 2400:
        raise argparse.ArgumentTypeError(f"must be a number from 10 to 2400, got {text!r}")
    return value


def seed(text: str) -> int:
    """``--seed``: an integer from 0 to 2^32 - 1 (what NumPy's generators take)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(
            f"must be an integer from 0 to 4294967295, got {text!r}"
        )
    return value


def memory_size(text: str) -> int:
    """``--memory``: bytes from '1GB', '512MB', '2GiB' (stream.parse_memory's units)."""
    # imported here: only --memory needs the streaming module
    from logistic.scale.stream import parse_memory

    try:
        return parse_memory(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def float_list(text: str) -> list[float]:
    """Comma-separated finite floats."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers, got {text!r}"
        ) from None
    if not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"the numbers must be finite, got {text!r}")
    return values


def feature_list(text: str) -> list[str]:
    """Comma-separated column names, none empty."""
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected comma-separated column names, got {text!r}")
    return names
