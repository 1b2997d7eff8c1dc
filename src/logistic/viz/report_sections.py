"""Sections of the HTML report that score the model: the metrics and the confusion matrix at a
threshold (both from :func:`logistic.models.evaluation.evaluate`, the scores ``logistic
evaluate`` prints: one code path), the odds ratios of a binary model
(``model.odds_ratios()``), and the ROC and calibration figures as one aligned row.

Every number is shown rounded, with its full value in its cell's ``data-value`` attribute
(:func:`logistic.viz.html_parts.exact`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logistic.models.evaluation import Evaluation, evaluate
from logistic.viz.html_parts import escape, exact, image, notes, table

__all__ = ["confusion_table", "curve_pair", "metric_rows", "odds_ratio_section", "scores"]


def scores(model: Any, X: Any, y: np.ndarray, threshold: float) -> Evaluation:
    """The model's scores on (X, y) at ``threshold`` (binary models; K classes predict the
    most probable class): :func:`logistic.models.evaluation.evaluate`."""
    return evaluate(model, X, y, threshold=threshold)


def metric_rows(result: Evaluation) -> list[list[Any]]:
    """The metrics table's rows: rows, accuracy, log-loss, ROC AUC, Brier score and, for two
    classes, Cox's calibration intercept and slope."""
    metrics, classes = result.metrics, result.classes
    at = "" if result.threshold in (None, 0.5) else f" (p̂ > {result.threshold:g})"
    rows = [["rows", str(int(metrics["n"] or 0))],
            [f"accuracy{escape(at)}", exact(metrics["accuracy"])],
            ["log-loss", exact(metrics["log_loss"])]]
    if len(classes) == 2:
        auc = metrics["roc_auc"]
        rows.append([f"ROC AUC (positive: {escape(classes[1])})", exact(auc)] if auc is not None
                    else ["ROC AUC", "– (the data hold one class)"])
        rows.append(["Brier score", exact(metrics["brier"])])
        rows.append(["calibration intercept", exact(metrics["calibration_intercept"])])
        rows.append(["calibration slope", exact(metrics["calibration_slope"])])
    else:
        auc = metrics["roc_auc_ovr_macro"]
        rows.append(["ROC AUC (one vs rest, macro average)", exact(auc)] if auc is not None
                    else ["ROC AUC", "– (some classes are absent from the data)"])
        rows.append(["Brier score (summed over classes)", exact(metrics["brier"])])
    return rows


def confusion_table(result: Evaluation, what: str) -> str:
    """The confusion matrix (rows the true class, columns the predicted one), its first
    header cell '<what>: true \\ predicted', and a line saying the rule of prediction."""
    labels = [escape(c) for c in result.classes]
    rows = [[label, *(f"{v:g}" for v in counts)]
            for label, counts in zip(labels, result.confusion.tolist(), strict=True)]
    if result.threshold is None:
        rule = "each row is predicted as its most probable class"
    else:
        rule = (f"a row is predicted {escape(result.classes[1])} when its probability is "
                f"> {result.threshold:g}")
    return (table([f"{escape(what)}: true \\ predicted", *labels], rows)
            + f'<p class="note">Rows: the true class; columns: the predicted one; {rule}.</p>')


def odds_ratio_section(model: Any, alpha: float) -> str:
    """exp(coef) per unit of each feature with its delta-method std err and interval
    (``model.odds_ratios(alpha)``), for a binary model with statistics; a note otherwise."""
    classes = getattr(model, "classes_", ())
    if len(classes) != 2 or not hasattr(model, "odds_ratios"):
        return ('<p class="note">Odds ratios are shown for binary models; this model has '
                f"{len(classes)} classes (see its coefficient table, or logistic summary "
                "--odds-ratios).</p>")
    try:
        frame = model.odds_ratios(alpha=alpha)
    except ValueError as exc:  # no covariance (a penalized fit): say why
        return notes(f"No odds ratios: {exc}")
    frame = frame.drop(columns=["increment"], errors="ignore")
    rows = []
    for term, row in frame.iterrows():
        cells = []
        for column, value in row.items():
            p_value = str(column).startswith("P>") and np.isfinite(value)
            cells.append(exact(value, _p_value(value) if p_value else None))
        rows.append([escape(term), *cells])
    return (table(["odds ratio of", *(escape(c) for c in frame.columns)], rows)
            + notes(f"exp(coef): the factor of the odds of {classes[1]} per unit of the "
                    "feature; the interval is exp of the coefficient's Wald interval, the "
                    "intercept has none."))


def _p_value(value: float) -> str:
    return f"{value:.3f}" if value >= 1e-3 else f"{value:.1e}"


def curve_pair(model: Any, X: Any, y: np.ndarray, dpi: float, suffix: str = "") -> str:
    """The ROC and calibration figures side by side in one row: the same size and the same
    boxes (``probability_panels``), so that their axes line up; a note where one does not
    apply (e.g. one class only)."""
    from logistic.viz.model_plots import calibration_figure, roc_figure

    parts = []
    for title, draw, caption in (
        ("ROC curve", roc_figure, "True against false positive rate as the threshold on P "
         "moves, AUC in the legend; below, the predicted probabilities of each class."),
        ("Calibration", calibration_figure, "Observed frequency against predicted "
         "probability, per bin; the diagonal is perfect. Below, the predictions' histogram."),
    ):
        name = f"{title}{suffix}"
        try:
            figure = draw(model, X, y)
        except ValueError as exc:
            parts.append(f'<p class="note">{escape(name)}: not drawn: {escape(exc)}</p>')
            continue
        parts.append(image(figure, name, f"{name}. {caption}", dpi))
    return '<div class="pair">' + "".join(parts) + "</div>"
