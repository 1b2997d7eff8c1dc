"""The options ``logistic fit`` shares with its model families and statistics, added to the
parser without importing NumPy, pandas or an estimator (building the parser stays light:
tests/test_startup.py). What the options mean is checked where they are used:
cli/toolkit.py (weights, covariance, extra tables), cli/offset_inputs.py (offsets, grouped
data) and cli/conditional.py (strata)."""

from __future__ import annotations

import argparse
import math

__all__ = [
    "COV_TYPE_CHOICES",
    "TIES_CHOICES",
    "add_categorical_options",
    "add_conditional_options",
    "add_offset_options",
    "add_toolkit_options",
    "categorical_option",
    "class_weight_option",
]

#: --cov-type's choices: inference.statistics.COV_TYPES (a test checks that they agree)
COV_TYPE_CHOICES = ("nonrobust", "HC0", "HC1", "cluster")
#: --ties' choices: models.conditional.TIES (a test checks that they agree)
TIES_CHOICES = ("exact", "breslow", "efron")


def class_weight_option(text: str) -> str | dict[str, float]:
    """``--class-weight``: 'balanced', or 'label:weight,label:weight' (read as data)."""
    if text == "balanced":
        return text
    weights: dict[str, float] = {}
    for part in text.split(","):
        label, colon, value = part.rpartition(":")
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not colon or not label.strip() or not (math.isfinite(number) and number >= 0):
            raise argparse.ArgumentTypeError(
                f"expected 'balanced' or label:weight pairs such as 'no:1,yes:3' (weights "
                f"finite, >= 0), got {text!r}")
        weights[label.strip()] = number
    return weights


def add_toolkit_options(parser: argparse.ArgumentParser) -> None:
    """The options of weights, covariance and the extra tables."""
    parser.add_argument("--weight", metavar="COL",
                        help="a column of frequency weights, one per row (named columns only)")
    parser.add_argument("--class-weight", type=class_weight_option, metavar="balanced|K:V,...",
                        help="'balanced', or each label's weight: 'no:1,yes:3'")
    parser.add_argument("--cov-type", choices=COV_TYPE_CHOICES, default="nonrobust",
                        help="the covariance of the standard errors: the inverse information, "
                        "a sandwich (HC0, HC1) or clustered by --cluster (default nonrobust)")
    parser.add_argument("--cluster", metavar="COL",
                        help="the column of cluster labels of --cov-type cluster")
    parser.add_argument("--odds-ratios", action="store_true",
                        help="also print the odds ratios exp(coef) with their intervals")
    parser.add_argument("--margins", action="store_true",
                        help="also print the average marginal effects on the training data")


def add_offset_options(parser: argparse.ArgumentParser) -> None:
    """``fit``'s --offset and --trials."""
    parser.add_argument("--offset", metavar="COL",
                        help="a column added to every score, z = w·x + b + COL (e.g. a "
                        "log exposure); not a feature (a formula writes offset(COL))")
    parser.add_argument("--trials", metavar="COL",
                        help="grouped binomial data: the target column holds successes out "
                        "of COL trials per row (a formula writes cbind(s, f) ~ ...)")


def add_conditional_options(fit: argparse.ArgumentParser) -> None:
    """``--strata`` and ``--ties`` of ``--model conditional``."""
    fit.add_argument("--strata", metavar="COL",
                     help="--model conditional: the column of the matched sets (strata); "
                     "or strata(COL) in --formula")
    fit.add_argument("--ties", choices=list(TIES_CHOICES), default="exact",
                     help="--model conditional: strata with several cases, as R's clogit "
                     "method= (default: exact)")


def categorical_option(text: str) -> str | list[str]:
    """``--categorical``: 'auto', or comma-separated column names (repeats dropped)."""
    if text == "auto":
        return text
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected 'auto' or comma-separated column names, "
                                         f"got {text!r}")
    return list(dict.fromkeys(names))


def add_categorical_options(fit: argparse.ArgumentParser) -> None:
    """``--categorical``: columns fitted as categories without writing a formula
    (cli/fit_categorical.py writes it)."""
    fit.add_argument("--categorical", type=categorical_option, metavar="COL,...|auto",
                     help="fit these feature columns as categories (treatment coding, the "
                     "first level in sorted order the reference) and the others as numbers: "
                     "the formula 'TARGET ~ x1 + C(COL) + ...'; 'auto': every text or "
                     "boolean column (as --formula 'TARGET ~ .'); not with --formula")
