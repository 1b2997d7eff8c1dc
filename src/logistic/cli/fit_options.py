"""The options ``logistic fit`` shares with its model families and statistics, added to the
parser without importing NumPy, pandas or an estimator (building the parser stays light:
tests/test_startup.py). What the options mean is checked where they are used:
cli/toolkit.py (weights, covariance, extra tables), cli/offset_inputs.py (offsets, grouped
data), cli/conditional.py (strata) and cli/fit_mixed.py (groups, random slopes)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

__all__ = [
    "COV_TYPE_CHOICES",
    "TIES_CHOICES",
    "add_categorical_options",
    "add_conditional_options",
    "add_held_out_options",
    "add_mixed_options",
    "add_offset_options",
    "add_toolkit_options",
    "categorical_option",
    "class_weight_option",
    "fold_count",
    "test_fraction",
]

#: --cov-type's choices: inference.statistics.COV_TYPES (a test checks that they agree)
COV_TYPE_CHOICES = ("nonrobust", "HC0", "HC1", "cluster")
#: --ties' choices: models.conditional.TIES (a test checks that they agree)
TIES_CHOICES = ("exact", "breslow", "efron")
#: --covariance's choices: families.mixed.COVARIANCES (a test checks that they agree)
MIXED_COVARIANCES = ("unstructured", "diagonal")


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


def quadrature_nodes(text: str) -> int:
    """``--nagq``: an integer in 1..100."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be an integer in 1..100, got {text!r}")
    return value


def slope_list(text: str) -> list[str]:
    """``--random-slopes``: comma-separated column names, none empty, none twice."""
    names = [name.strip() for name in text.split(",")]
    if not all(names) or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"expected comma-separated column names, each once, "
                                         f"got {text!r}")
    return names


def add_mixed_options(fit: argparse.ArgumentParser) -> None:
    """``--groups``, ``--random-slopes``, ``--nagq`` and ``--covariance`` of ``--model
    mixed`` (cli/fit_mixed.py)."""
    fit.add_argument("--groups", metavar="COL",
                     help="--model mixed: the column of group labels with a random intercept "
                     "each; or (1 | COL) in --formula")
    fit.add_argument("--random-slopes", type=slope_list, metavar="A,B,...",
                     help="--model mixed: feature columns with a random slope per group too, "
                     "(1 + A + B | COL); or in --formula")
    fit.add_argument("--nagq", type=quadrature_nodes, metavar="N",
                     help="--model mixed: 1 the Laplace approximation (default), N > 1 "
                     "adaptive Gauss-Hermite with N nodes (a random intercept only)")
    fit.add_argument("--covariance", choices=list(MIXED_COVARIANCES),
                     help="--model mixed: the random effects' covariance, any (unstructured, "
                     "the default) or diagonal; a formula writes || for diagonal")


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


def test_fraction(text: str) -> float:
    """``--test-size``: the share of the rows held out, strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1), got {text!r}")
    return value


def fold_count(text: str) -> int:
    """``--cv``: the number of folds, an integer >= 2."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be an integer >= 2, got {text!r}")
    return value


def add_held_out_options(fit: argparse.ArgumentParser) -> None:
    """``--test-size``, ``--cv`` and their ``--seed``, ``--stratify``, ``--metrics-out``
    (cli/heldout.py runs them)."""
    fit.add_argument("--test-size", type=test_fraction, metavar="F",
                     help="hold out the share F of the rows (0 < F < 1), fit on the rest and "
                     "print the held-out metrics after the summary (those of logistic "
                     "evaluate, weighted by --weight); --out then saves the model fitted on "
                     "the training rows")
    fit.add_argument("--cv", type=fold_count, metavar="K",
                     help="K-fold cross-validation (K >= 2): the mean and sd (n - 1 "
                     "denominator) over the folds of log-loss, accuracy, AUC and Brier score; "
                     "then the fit on all rows as without --cv (--model conditional: refused)")
    fit.add_argument("--seed", type=int, metavar="S",
                     help="the seed of the rows' shuffle of --test-size and --cv (default 0)")
    fit.add_argument("--stratify", action=argparse.BooleanOptionalAction, default=None,
                     help="keep each class's share in every part (the default with "
                     "--test-size and --cv)")
    fit.add_argument("--metrics-out", type=Path, metavar="FILE.json",
                     help="also write the held-out (--test-size) or cross-validated (--cv) "
                     "metrics as JSON")
