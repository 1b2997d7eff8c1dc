"""A self-contained HTML report of a fitted model on data.

    html = build_report(model, X, y)                  # the document, as a string
    write_report("report.html", model, X, y)          # written atomically
    write_report("report.html", model, X, y, test=(X_test, y_test))   # + held-out scores

One file, readable offline and safe to open: the CSS is inline, every figure is a PNG in a
``data:image/png;base64,...`` URI, there is no script and no external URL, and every string
that comes from the user (column names, labels, titles, file names) goes through
``html.escape``. Sections: the model and the data, the metrics (accuracy, log-loss, ROC AUC,
Brier score, calibration line) and the confusion matrix at a threshold (both from
:mod:`logistic.models.evaluation`, :mod:`logistic.viz.report_sections`), the coefficient table
of ``model.summary()`` (with inference where the model has it; the terms of a separating
direction marked † and named in its note, as in the text summary), the odds ratios (binary
models), the held-out data's metrics, confusion matrix, ROC and calibration when a test set
is given, the seeds' formulas checked on the data (:mod:`logistic.viz.explain`, binary
models) and the figures of :mod:`logistic.viz.plots` (ROC and calibration side by side in one
aligned row, coefficients, scores; the decision boundary for two features; the training
curves when the model still has its loss history).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from logistic.io.atomic import write_atomically
from logistic.viz.explain import known_labels
from logistic.viz.formula_rows import encoded_rows
from logistic.viz.html_parts import cell as _cell
from logistic.viz.html_parts import escape as _e
from logistic.viz.html_parts import image as _image
from logistic.viz.html_parts import number as _number
from logistic.viz.html_parts import table as _table
from logistic.viz.report_sections import (
    confusion_table,
    curve_pair,
    metric_rows,
    odds_ratio_section,
    scores,
)

__all__ = ["build_report", "write_report"]

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
       max-width: 1100px; margin: 2em auto; padding: 0 1.5em; line-height: 1.45; }
h1 { font-size: 1.7em; border-bottom: 3px solid #1f77b4; padding-bottom: .2em; }
h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .8em 0; font-size: .9em; }
th, td { border: 1px solid #d5d5d5; padding: .25em .6em; text-align: right; }
th { background: #f0f4f8; }
td.name, th.name { text-align: left; }
tr:nth-child(even) td { background: #fafafa; }
td.pass { color: #1a7f37; font-weight: bold; white-space: nowrap; }
td.fail { color: #c62828; font-weight: bold; white-space: nowrap; }
td.formula, td.value { text-align: left; font-family: "DejaVu Sans Mono", Menlo, monospace;
                       font-size: .85em; }
p.note { color: #555; font-style: italic; }
.meta { color: #555; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e3e3e3; }
figcaption { color: #444; font-size: .9em; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; }
.figures figure { flex: 1 1 460px; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; align-items: start; }
.pair figure { margin: 1.2em 0 0 0; }
@media (max-width: 760px) { .pair { grid-template-columns: 1fr; } }
"""


def _frame(model: Any, X: Any) -> pd.DataFrame:
    """X as a DataFrame with the model's feature names, in the model's order (a formula
    model's raw rows encoded first)."""
    X = encoded_rows(model, X)
    names = getattr(model, "feature_names_in_", None)
    if isinstance(X, pd.DataFrame):
        if names is not None:
            missing = [str(n) for n in names if n not in X.columns]
            if missing:
                raise ValueError(
                    f"the data lack the model's feature(s): {', '.join(map(repr, missing))}"
                )
            return X[list(names)]
        return X
    values = np.asarray(X, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != model.n_features_in_:
        raise ValueError(
            f"X has shape {values.shape}; the model takes {model.n_features_in_} features"
        )
    columns = ([str(n) for n in names] if names is not None
               else [f"x{j}" for j in range(1, values.shape[1] + 1)])
    return pd.DataFrame(values, columns=columns)


def _coefficient_table(summary: Any) -> str:
    """The summary's table, its separated terms marked † as the text summary prints them
    (``Summary.marked_table``), and its note, one paragraph per line (the † footnote is
    the note's last line)."""
    frame: pd.DataFrame = summary.marked_table()
    frame = frame.loc[:, frame.notna().any()]
    header = ["term", *(_e(c) for c in frame.columns)]
    rows = []
    for term, row in frame.iterrows():
        cells = []
        for column, value in row.items():
            if str(column).startswith("P>") and math.isfinite(float(value)):
                cells.append(f"{value:.3f}" if value >= 1e-3 else f"{value:.1e}")
            else:
                cells.append(_number(value))
        rows.append([_e(term), *cells])
    table = _table(header, rows)
    note = getattr(summary, "note", None) or ""
    return table + "".join(f'<p class="note">{_e(line)}</p>' for line in note.splitlines())


def _explain_section(model: Any, X: pd.DataFrame, y: np.ndarray, rows: int) -> str:
    from logistic.viz.explain import explain, format_value

    result = explain(model, X, y, rows=rows)
    shown = ", ".join(str(int(i) + 1) for i in result.rows)
    header = ["step", "formula", "value", "checked against", "result"]
    body = []
    for step in result:
        verdict = "pass" if step.passed else ("fail" if step.passed is False else "name")
        diag = step.name == "hessian"
        body.append(
            "<tr>"
            f'<td class="name">{_e(step.title)}</td>'
            f'<td class="formula">{_e(step.formula)}</td>'
            f'<td class="value">{_e(format_value(step.value, max_items=4, diagonal=diag))}</td>'
            f'<td class="name">{_e(step.check)}</td>'
            f'<td class="{verdict}">{_e(step.verdict or "–")}</td>'
            "</tr>"
        )
    head = "".join(f'<th class="name">{h}</th>' for h in header)
    rows_html = "".join(body)
    notes = [s.note for s in result if s.note] + list(result.notes)
    penalty = (f"α = 1/(C·m) = {result.penalty_strength:.6g}" if result.penalty_strength
               else "no penalty (α = 0)")
    return (
        f"<p>The per-row steps use data rows {_e(shown)} (1-based) of {result.n_samples}; "
        f"J, ∇J, ∇²J and the Newton step use all of them; {_e(penalty)}; positive class "
        f"{_e(result.positive_class)}. Each check must agree to a relative error of "
        f"{result.tolerance:g}.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows_html}</tbody></table>"
        + "".join(f'<p class="note">{_e(n)}</p>' for n in notes)
    )


def _figures(model: Any, X: pd.DataFrame, y: np.ndarray, dpi: float) -> str:
    from logistic.viz import plots

    binary = len(model.classes_) == 2
    drawn: list[tuple[str, Callable[[], Any], str]] = [
        ("Coefficients", lambda: plots.coefficient_figure(model),
         "Estimates with their Wald intervals where the model has inference (the intercept "
         "left out; huge intervals cut at the axis, named in the note)."),
    ]
    if binary:
        drawn.append(("Scores", lambda: plots.scores_figure(model, X, y),
                      "The distribution of z with σ'(z): the shaded samples still drive "
                      "learning, the confident ones barely move w."))
        if model.n_features_in_ == 2 and hasattr(model, "decision_boundary"):
            drawn.append(("Decision boundary",
                          lambda: plots.boundary_figure(model, X.to_numpy(), y),
                          "The line z = 0 over σ(z), with the data."))
    if getattr(model, "loss_history_", None) is not None:
        drawn.append(("Training", lambda: plots.training_curves(model),
                      "The loss and the gradient norm per iteration of this fit."))
    parts = []
    for title, draw, caption in drawn:
        try:
            figure = draw()
        except ValueError as exc:  # the figure does not apply to these data (e.g. one class)
            parts.append(f'<p class="note">{_e(title)}: not drawn: {_e(exc)}</p>')
            continue
        parts.append(_image(figure, title, f"{title}. {caption}", dpi))
    return curve_pair(model, X, y, dpi) + '<div class="figures">' + "".join(parts) + "</div>"


def _data_section(frame: pd.DataFrame, labels: np.ndarray, classes: np.ndarray) -> list[str]:
    """The rows, the classes' counts and the features' ranges."""
    counts = [[_e(label), str(int(np.sum(labels == label))),
               f"{100 * np.mean(labels == label):.1f}%"] for label in classes]
    describe = frame.describe().T
    limit = 100
    feature_rows = [
        [_e(name), _number(row["mean"]), _number(row["std"]), _number(row["min"]),
         _number(row["max"])]
        for name, row in describe.head(limit).iterrows()
    ]
    more = (f'<p class="note">{len(describe) - limit} more features not listed.</p>'
            if len(describe) > limit else "")
    return [
        "<h2>Data</h2>",
        f"<p>{len(frame)} rows, {frame.shape[1]} features.</p>",
        _table(["class", "rows", "share"], counts),
        _table(["feature", "mean", "std", "min", "max"], feature_rows),
        more,
    ]


def _held_out_section(model: Any, test: Any, name: str | None, threshold: float,
                      dpi: float) -> list[str]:
    """Held-out data (X_test, y_test): their metrics, confusion matrix, ROC and calibration."""
    if not isinstance(test, tuple | list) or len(test) != 2:
        raise ValueError("test must be a pair (X_test, y_test)")
    try:
        frame = _frame(model, test[0])
        labels = known_labels(model, test[1], len(frame))
    except ValueError as exc:
        raise ValueError(f"the test data: {exc}") from None
    result = scores(model, frame, labels, threshold)
    source = f" (<code>{_e(name)}</code>)" if name else ""
    return [
        "<h2>Held-out data</h2>",
        f"<p>{len(frame)} rows{source} the model was not fitted on.</p>",
        _table(["held-out metric", "value"], metric_rows(result)),
        confusion_table(result, "held-out"),
        curve_pair(model, frame, labels, dpi, suffix=" (held-out)"),
    ]


def build_report(
    model: Any,
    X: Any,
    y: ArrayLike,
    *,
    title: str = "Logistic regression report",
    model_name: str | None = None,
    data_name: str | None = None,
    alpha: float = 0.05,
    explain_rows: int = 3,
    dpi: float = 90,
    test: tuple[Any, ArrayLike] | None = None,
    test_name: str | None = None,
    threshold: float = 0.5,
) -> str:
    """The report of a fitted ``model`` on (X, y) as one self-contained HTML document.

    ``model_name``, ``data_name`` and ``test_name`` (e.g. the file names) are shown as
    given, escaped. ``test`` = (X_test, y_test) adds a held-out section: the metrics, the
    confusion matrix, ROC and calibration on those rows. The confusion matrices predict the
    positive class when p̂ > ``threshold`` (binary models; the metrics and matrices are
    :func:`logistic.models.evaluation.evaluate`'s). Raises ValueError when X (or X_test)
    does not match the model or y (y_test) holds labels it does not know.
    """
    from logistic import __version__

    frame = _frame(model, X)
    labels = known_labels(model, y, len(frame))
    classes = np.asarray(model.classes_)
    held_out = ([] if test is None
                else _held_out_section(model, test, test_name, threshold, dpi))

    summary = model.summary(alpha=alpha)
    sources = []
    if model_name:
        sources.append(f"model <code>{_e(model_name)}</code>")
    if data_name:
        sources.append(f"data <code>{_e(data_name)}</code>")
    if test_name:
        sources.append(f"held-out data <code>{_e(test_name)}</code>")
    meta = (", ".join(sources) + "; " if sources else "") + f"logistic {_e(__version__)}"
    model_rows = [[_e(key), _cell(value)] for key, value in summary.header.items()]

    if len(classes) == 2:
        checks = _explain_section(model, frame, labels, explain_rows)
    else:
        checks = ('<p class="note">The step-by-step check follows the binary model σ(z); '
                  f"this model has {len(classes)} classes.</p>")
    result = scores(model, frame, labels, threshold)
    sections = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">{meta}</p>',
        "<h2>Model</h2>",
        _table(["field", "value"], model_rows),
        *_data_section(frame, labels, classes),
        "<h2>Metrics on these data</h2>",
        _table(["metric", "value"], metric_rows(result)),
        confusion_table(result, "training"),
        "<h2>Coefficients</h2>",
        _coefficient_table(summary),
        "<h2>Odds ratios</h2>",
        odds_ratio_section(model, alpha),
        *held_out,
        "<h2>The formulas, checked on these data</h2>",
        checks,
        "<h2>Figures</h2>",
        _figures(model, frame, labels, dpi),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )


def write_report(path: str | os.PathLike[str], model: Any, X: Any, y: ArrayLike,
                 **options: Any) -> None:
    """Writes :func:`build_report` to ``path`` atomically (options as there, e.g.
    ``test=(X_test, y_test)`` for the held-out section)."""
    document = build_report(model, X, y, **options)
    write_atomically(path, lambda handle: handle.write(document), what="the report")
