"""``logistic fit --test-size F`` and ``logistic fit --cv K``: metrics of the fit's settings
on rows it did not see.

Each way ``fit`` reads and fits its data hands :func:`fit_rows` a function that fits a new
model on some rows (it is given ``take``, which cuts any row-aligned value, X, y, weights,
groups or a raw frame, to those rows), the rows' X as ``predict_proba`` takes them and the
labels. Then:

- ``--test-size F``: ``sklearn.model_selection.train_test_split`` (stratified by the labels
  unless ``--no-stratify``; ``--seed``, default 0) holds out the share F of the rows; the
  model is fitted on the rest, and that model is the one shown and saved; the held-out rows
  are scored by :func:`logistic.models.evaluation.evaluate_probabilities` and printed as
  ``logistic evaluate`` prints them (:func:`logistic.cli.evaluate.print_evaluation`).
- ``--cv K``: ``StratifiedKFold`` (``KFold`` with ``--no-stratify``; shuffled, ``--seed``)
  folds; a model per fold scores its held-out fold, the mean and sd over folds are shown
  (:func:`logistic.models.evaluation.fold_summary`), and the model fitted on every row is
  the one shown and saved, as without ``--cv``.

Frequency weights (``--weight``) weight the held-out scores as they weight the fit (a row of
weight 3 counts as three rows); ``--class-weight`` is a device of fitting and weights no
score. An offset (``--offset`` or a formula's ``offset(col)``) enters the held-out rows'
probabilities. The conditional model (its probabilities are shares within matched sets, so
rows are not scored one by one), grouped counts (``--trials``) and streamed fits
(``--memory``) are refused.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from logistic.cli.errors import UsageError
from logistic.cli.inputs import names_matched
from logistic.cli.output_paths import check_output_path

if TYPE_CHECKING:
    from rich.console import Console

    from logistic.models.evaluation import Evaluation

__all__ = ["check_held_out_options", "fit_rows", "report_held_out", "take_rows"]

#: A function that cuts a row-aligned value to some rows.
Take = Callable[[Any], Any]


@dataclass
class HeldOutReport:
    """What ``--test-size`` or ``--cv`` measured, kept on ``args`` until the summary is shown."""

    settings: dict[str, Any]
    evaluation: Evaluation | None = None
    folds: list[Evaluation] = field(default_factory=list)


def requested(args: argparse.Namespace) -> bool:
    """Whether ``fit`` was given --test-size or --cv."""
    return getattr(args, "test_size", None) is not None or getattr(args, "cv", None) is not None


def check_held_out_options(args: argparse.Namespace) -> None:
    """The combinations of --test-size, --cv, --seed, --stratify and --metrics-out that
    ``fit`` accepts, checked before any data is read."""
    if args.test_size is not None and args.cv is not None:
        raise UsageError("give --test-size F or --cv K, not both")
    if not requested(args):
        given = [flag for flag, value in (("--seed", args.seed), ("--stratify", args.stratify),
                                          ("--metrics-out", args.metrics_out))
                 if value is not None]
        if given:
            raise UsageError(f"{', '.join(given)} applies to --test-size F or --cv K")
        return
    flag = "--test-size" if args.test_size is not None else "--cv"
    refused = [(args.model == "conditional", "--model conditional (its probabilities are "
                "shares within matched sets, not scores of single rows)"),
               (args.trials is not None, "--trials (grouped counts are not labels)"),
               (args.memory is not None, "--memory (a streamed fit reads no rows to hold out)")]
    for given, why in refused:
        if given:
            raise UsageError(f"{flag} does not take {why}")
    if args.metrics_out is not None:
        check_output_path(args.metrics_out, args.data)
        if args.out is not None and args.metrics_out.resolve() == args.out.resolve():
            raise UsageError("--metrics-out and --out must be different files")


def take_rows(rows: np.ndarray | None) -> Take:
    """``take``: a value cut to ``rows`` (None: every row, the value itself)."""
    def take(value: Any) -> Any:
        if rows is None or value is None:
            return value
        if isinstance(value, pd.DataFrame | pd.Series):
            return value.iloc[rows]
        return value[rows]
    return take


def fit_rows(args: argparse.Namespace, fit: Callable[[Take], Any], X: Any, y: Any,
             weights: Any = None, offset: Any = None) -> Any:
    """The model ``fit`` builds from the rows --test-size or --cv say (every row without
    them); the held-out scores are kept on ``args`` for :func:`report_held_out`.

    ``X``, ``weights``, ``offset``: every row's features as ``predict_proba`` takes them,
    frequency weights and offset; ``y``: the labels.
    """
    if not requested(args):
        return fit(take_rows(None))
    if y is None:
        raise UsageError("--test-size and --cv need the labels as a column of DATA")
    labels = np.asarray(y)
    seed = 0 if args.seed is None else args.seed
    stratify = args.stratify is not False
    settings = {"rows": int(labels.shape[0]), "seed": seed, "stratified": stratify}
    if args.test_size is not None:
        train, test = _split(labels, args.test_size, seed, stratify)
        _check_training_classes(labels, train, "the training rows")
        model = fit(take_rows(train))
        report = HeldOutReport({**settings, "test_size": args.test_size,
                                "train_rows": int(train.size), "test_rows": int(test.size)})
        report.evaluation = _score(model, take_rows(test), X, labels, weights, offset)
    else:
        report = HeldOutReport({**settings, "folds": args.cv})
        folds = _folds(labels, args.cv, seed, stratify)
        for k, (train, _) in enumerate(folds, 1):  # all checked before the first fit
            _check_training_classes(labels, train, f"fold {k}'s training rows")
        for train, test in folds:
            report.folds.append(_score(fit(take_rows(train)), take_rows(test), X, labels,
                                       weights, offset))
        model = fit(take_rows(None))
    args.held_out_report = report
    return model


def _split(labels: np.ndarray, test_size: float, seed: int,
           stratify: bool) -> tuple[np.ndarray, np.ndarray]:
    """The training and held-out rows of ``train_test_split``."""
    from sklearn.model_selection import train_test_split

    try:
        train, test = train_test_split(np.arange(labels.shape[0]), test_size=test_size,
                                       random_state=seed,
                                       stratify=labels if stratify else None)
    except ValueError as exc:  # too few rows, or a class too small to stratify
        raise UsageError(f"--test-size {test_size:g} cannot split the {labels.shape[0]} "
                         f"rows: {exc}") from None
    return np.asarray(train), np.asarray(test)


def _folds(labels: np.ndarray, k: int, seed: int, stratify: bool) -> list[tuple[Any, Any]]:
    """The (training, held-out) rows of the shuffled (stratified) K folds."""
    import warnings

    from sklearn.model_selection import KFold, StratifiedKFold

    kind = StratifiedKFold if stratify else KFold
    try:
        with warnings.catch_warnings():  # a class with fewer rows than folds: said below
            warnings.simplefilter("ignore", UserWarning)
            return list(kind(n_splits=k, shuffle=True, random_state=seed)
                        .split(np.zeros((labels.shape[0], 1)), labels))
    except ValueError as exc:  # more folds than rows (or than every class's rows)
        raise UsageError(f"--cv {k} cannot fold the {labels.shape[0]} rows: {exc}") from None


def _check_training_classes(labels: np.ndarray, train: np.ndarray, where: str) -> None:
    """Every class of the labels has a row among the training rows (else the model could
    not score it)."""
    missing = [c for c in pd.unique(labels) if c not in set(pd.unique(labels[train]))]
    if missing:
        raise UsageError(f"{where} have no row of class {missing[0]!r}: too few rows of it "
                         "to hold some out (use a smaller --test-size or --cv, or more data)")


def _score(model: Any, take: Take, X: Any, labels: np.ndarray, weights: Any,
           offset: Any) -> Evaluation:
    """The model's scores on the held-out rows."""
    from logistic.models.evaluation import evaluate_probabilities

    given = {} if offset is None else {"offset": take(offset)}
    with names_matched():
        proba = model.predict_proba(take(X), **given)
    w = take(weights)
    return evaluate_probabilities(model.classes_, proba, take(labels),
                                  sample_weight=None if w is None else np.asarray(w))


def report_held_out(console: Console, args: argparse.Namespace) -> None:
    """Prints (unless --quiet) and writes (--metrics-out) what :func:`fit_rows` measured."""
    report: HeldOutReport | None = getattr(args, "held_out_report", None)
    if report is None:
        return
    from logistic.models.evaluation import fold_summary

    summary = fold_summary(report.folds) if report.folds else None
    if not args.quiet:
        _print(console, report, summary)
    if args.metrics_out is not None:
        from logistic.io.atomic import write_atomically

        data: dict[str, Any] = {"held_out": report.settings}
        if report.evaluation is not None:
            data.update(report.evaluation.to_dict())
        else:
            data["cross_validated"] = summary
            data["per_fold"] = [e.metrics for e in report.folds]
        write_atomically(args.metrics_out, lambda f: json.dump(data, f, indent=2),
                         what="the metrics")
        if not args.quiet:
            console.print(f"metrics written to {args.metrics_out}")


def _print(console: Console, report: HeldOutReport, summary: dict[str, Any] | None) -> None:
    """The held-out scores as ``evaluate`` prints them, or the folds' means and sds."""
    from rich.table import Table

    from logistic.cli.evaluate import print_evaluation

    how = (f"{'stratified, ' if report.settings['stratified'] else ''}seed "
           f"{report.settings['seed']}")
    if report.evaluation is not None:
        print_evaluation(console, report.evaluation,
                         f"Held out: {report.settings['test_rows']} of "
                         f"{report.settings['rows']} rows ({how})")
        return
    table = Table(title=f"Cross-validated: {report.settings['folds']} folds ({how})",
                  title_justify="left")
    for column in ("metric", "mean", "sd", "folds"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for name, row in (summary or {}).items():
        table.add_row(name, *("undefined" if row[k] is None else f"{row[k]:.6g}"
                              for k in ("mean", "sd", "folds")))
    console.print(table)
