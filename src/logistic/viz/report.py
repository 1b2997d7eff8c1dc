"""A self-contained HTML report of a fitted model on data.

    html = build_report(model, X, y)                  # the document, as a string
    write_report("report.html", model, X, y)          # written atomically

One file, readable offline and safe to open: the CSS is inline, every figure is a PNG in a
``data:image/png;base64,...`` URI, there is no script and no external URL, and every string
that comes from the user (column names, labels, titles, file names) goes through
``html.escape``. Sections: the model and the data, the metrics (accuracy, log-loss, ROC AUC,
Brier score), the coefficient table of ``model.summary()`` (with inference where the model
has it; the terms of a separating direction marked † and named in its note, as in the text
summary), the seeds' formulas checked on the data (:mod:`logistic.viz.explain`, binary models) and
the figures of :mod:`logistic.viz.plots` (ROC, calibration, coefficients, scores; the decision
boundary for two features; the training curves when the model still has its loss history).
"""

from __future__ import annotations

import base64
import html
import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from logistic.inference.statistics import format_number
from logistic.io.atomic import write_atomically
from logistic.viz.explain import known_labels
from logistic.viz.formula_rows import encoded_rows

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
"""


def _e(value: Any) -> str:
    """Escaped text of anything (quotes too: safe in attributes)."""
    return html.escape(str(value), quote=True)


def _number(value: Any) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return _e(value)
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return format_number(value)


def _cell(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}" if math.isfinite(value) else "–"
    return _e(value)


def _table(header: list[str], rows: list[list[str]], name_columns: int = 1,
           classes: list[str] | None = None) -> str:
    """An HTML table from already escaped cells: the first ``name_columns`` columns are
    left-aligned names; ``classes`` gives each column's CSS class instead."""

    def css(k: int) -> str:
        name = classes[k] if classes is not None else ("name" if k < name_columns else "")
        return f' class="{name}"' if name else ""

    head = "".join(f"<th{css(k)}>{cell}</th>" for k, cell in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{css(k)}>{cell}</td>" for k, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


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


def _image(figure: Any, alt: str, caption: str, dpi: float) -> str:
    from logistic.viz.plots import png_bytes

    data = base64.b64encode(png_bytes(figure, dpi=dpi)).decode("ascii")
    return (
        f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _metrics(model: Any, X: pd.DataFrame, y: np.ndarray) -> list[list[str]]:
    from sklearn.metrics import accuracy_score, brier_score_loss, log_loss, roc_auc_score

    classes = np.asarray(model.classes_)
    proba = np.asarray(model.predict_proba(X))
    rows = [
        ["rows", str(len(y))],
        ["accuracy", _number(accuracy_score(y, model.predict(X)))],
        ["log-loss", _number(log_loss(y, proba, labels=classes))],
    ]
    present = np.isin(classes, y)
    if len(classes) == 2:
        if present.all():
            positive = y == classes[1]
            rows.append([f"ROC AUC (positive: {_e(classes[1])})",
                         _number(roc_auc_score(positive, proba[:, 1]))])
            rows.append(["Brier score", _number(brier_score_loss(positive, proba[:, 1]))])
        else:
            rows.append(["ROC AUC", "– (the data hold one class)"])
    elif present.all():
        auc = roc_auc_score(y, proba, multi_class="ovr", labels=classes)
        rows.append(["ROC AUC (one vs rest, macro average)", _number(auc)])
    else:
        rows.append(["ROC AUC", "– (some classes are absent from the data)"])
    return rows


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
        ("ROC curve", lambda: plots.roc_figure(model, X, y),
         "True against false positive rate as the threshold on P moves; AUC in the legend."),
        ("Calibration", lambda: plots.calibration_figure(model, X, y),
         "Observed frequency against predicted probability, per bin; the diagonal is perfect."),
        ("Coefficients", lambda: plots.coefficient_figure(model),
         "Estimates with their Wald intervals where the model has inference."),
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
    return '<div class="figures">' + "".join(parts) + "</div>"


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
) -> str:
    """The report of a fitted ``model`` on (X, y) as one self-contained HTML document.

    ``model_name`` and ``data_name`` (e.g. the file names) are shown as given, escaped.
    Raises ValueError when X does not match the model or y holds labels it does not know.
    """
    from logistic import __version__

    frame = _frame(model, X)
    labels = known_labels(model, y, len(frame))
    classes = np.asarray(model.classes_)

    summary = model.summary(alpha=alpha)
    sources = []
    if model_name:
        sources.append(f"model <code>{_e(model_name)}</code>")
    if data_name:
        sources.append(f"data <code>{_e(data_name)}</code>")
    meta = (", ".join(sources) + "; " if sources else "") + f"logistic {_e(__version__)}"

    model_rows = [[_e(key), _cell(value)] for key, value in summary.header.items()]
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

    if len(classes) == 2:
        checks = _explain_section(model, frame, labels, explain_rows)
    else:
        checks = ('<p class="note">The step-by-step check follows the binary model σ(z); '
                  f"this model has {len(classes)} classes.</p>")

    sections = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">{meta}</p>',
        "<h2>Model</h2>",
        _table(["field", "value"], model_rows),
        "<h2>Data</h2>",
        f"<p>{len(frame)} rows, {frame.shape[1]} features.</p>",
        _table(["class", "rows", "share"], counts),
        _table(["feature", "mean", "std", "min", "max"], feature_rows),
        more,
        "<h2>Metrics on these data</h2>",
        _table(["metric", "value"], _metrics(model, frame, labels)),
        "<h2>Coefficients</h2>",
        _coefficient_table(summary),
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
    """Writes :func:`build_report` to ``path`` atomically (options as there)."""
    document = build_report(model, X, y, **options)
    write_atomically(path, lambda handle: handle.write(document), what="the report")
