"""How well a fitted classifier predicts held-out data: log-loss, accuracy, ROC AUC, Brier
score, the confusion matrix and per-class report at a threshold, and calibration.

Every score is scikit-learn's (``sklearn.metrics``) on the model's ``predict_proba``; this
module only chooses the labels, the threshold and the weights, and bins the calibration.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn import metrics

from logistic.inference.goodness_of_fit import predicted_positive

#: How many equal-width bins of the predicted probability the calibration table has.
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class Evaluation:
    """What :func:`evaluate` measured.

    ``metrics``: name → number (None where it is undefined, e.g. AUC with one class present);
    ``confusion``: counts, rows the true class and columns the predicted one, both in
    ``classes`` order; ``report``: one dict per class (precision, recall, f1, support);
    ``calibration``: one dict per non-empty bin (lower, upper, count, mean_predicted,
    observed) of the positive class's probability (binary models only).
    """

    classes: list[Any]
    threshold: float | None
    metrics: dict[str, float | None]
    confusion: np.ndarray
    report: list[dict[str, Any]]
    calibration: list[dict[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: the classes, the threshold and the tables."""
        return {
            "classes": [_plain(c) for c in self.classes],
            "threshold": self.threshold,
            "metrics": self.metrics,
            "confusion_matrix": self.confusion.tolist(),
            "report": self.report,
            "calibration": self.calibration,
        }


def evaluate(model: Any, X: Any, y: Any, threshold: float = 0.5,
             sample_weight: Any = None, offset: Any = None) -> Evaluation:
    """The held-out scores of a fitted ``model`` on ``(X, y)``: :func:`evaluate_probabilities`
    of ``model.predict_proba(X)`` (with ``offset=`` where one is given)."""
    given = {} if offset is None else {"offset": offset}
    proba = model.predict_proba(X, **given)
    return evaluate_probabilities(model.classes_, proba, y, threshold, sample_weight)


def evaluate_probabilities(classes: Any, proba: Any, y: Any, threshold: float = 0.5,
                           sample_weight: Any = None) -> Evaluation:
    """The scores of the probabilities ``proba`` ((n, K), in ``classes`` order) against the
    labels ``y``.

    Two classes: a row is predicted positive (``classes[1]``) when p̂ > ``threshold``
    (:func:`~logistic.inference.goodness_of_fit.predicted_positive`, the rule of ``predict``
    and of the classification table). More classes: the most probable class (``threshold``
    does not apply), the multiclass Brier score and the macro one-vs-rest AUC. Labels that
    are not among ``classes`` are a ValueError. ``sample_weight`` weights every score.
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
    classes = np.asarray(classes)
    y = np.asarray(y)
    unknown = np.unique(y[~np.isin(y, classes)])
    if unknown.size:
        raise ValueError(f"labels {unknown[:5].tolist()} are not classes of the model "
                         f"({classes.tolist()})")
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
    proba = np.asarray(proba, dtype=float)
    if len(classes) == 2:
        predicted = np.where(predicted_positive(proba[:, 1], threshold), classes[1], classes[0])
        scores = _binary_scores(y, proba[:, 1], classes, weights)
        calibration = calibration_bins(y == classes[1], proba[:, 1], weights)
    else:
        predicted = classes[np.argmax(proba, axis=1)]
        scores = _multiclass_scores(y, proba, classes, weights)
        calibration, threshold = [], None
    scores["accuracy"] = float(metrics.accuracy_score(y, predicted, sample_weight=weights))
    confusion = metrics.confusion_matrix(y, predicted, labels=classes, sample_weight=weights)
    return Evaluation([c for c in classes.tolist()], threshold, scores, confusion,
                      class_report(y, predicted, classes, weights), calibration)


def _binary_scores(y: np.ndarray, p: np.ndarray, classes: np.ndarray,
                   weights: np.ndarray | None) -> dict[str, float | None]:
    """Log-loss, ROC AUC, Brier score and the calibration line of the positive class."""
    scores: dict[str, float | None] = {
        "n": float(len(y)),
        "log_loss": float(metrics.log_loss(y, p, labels=classes, sample_weight=weights)),
        "roc_auc": _auc(lambda: metrics.roc_auc_score(y == classes[1], p,
                                                      sample_weight=weights)),
        "brier": float(metrics.brier_score_loss(y, p, pos_label=classes[1],
                                                sample_weight=weights)),
    }
    scores.update(calibration_line(y == classes[1], p, weights))
    return scores


def _multiclass_scores(y: np.ndarray, proba: np.ndarray, classes: np.ndarray,
                       weights: np.ndarray | None) -> dict[str, float | None]:
    """Log-loss, the multiclass Brier score Σ_k (p̂_k − [y = k])² averaged over rows, and the
    macro one-vs-rest ROC AUC."""
    return {
        "n": float(len(y)),
        "log_loss": float(metrics.log_loss(y, proba, labels=classes, sample_weight=weights)),
        "roc_auc_ovr_macro": _auc(lambda: metrics.roc_auc_score(
            y, proba, multi_class="ovr", average="macro", labels=classes,
            sample_weight=weights)),
        "brier": multiclass_brier(y, proba, classes, weights),
    }


def multiclass_brier(y: np.ndarray, proba: np.ndarray, classes: np.ndarray,
                     weights: np.ndarray | None) -> float:
    """Σ_k (p̂_k − [y = k])², averaged over the rows (weighted): scikit-learn's from 1.7,
    where ``brier_score_loss`` takes several classes; the same sum on scikit-learn 1.6."""
    try:
        return float(metrics.brier_score_loss(y, proba, labels=classes,
                                              sample_weight=weights))
    except TypeError:  # scikit-learn 1.6: binary only, no ``labels``
        one_hot = (y[:, None] == classes[None, :]).astype(float)
        return float(np.average(np.sum((proba - one_hot) ** 2, axis=1), weights=weights))


def _auc(score: Any) -> float | None:
    """ROC AUC, or None where it is undefined (a class absent from the held-out labels)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(score())
    except ValueError:
        return None
    return None if math.isnan(value) else value


def class_report(y: np.ndarray, predicted: np.ndarray, classes: np.ndarray,
                 weights: np.ndarray | None) -> list[dict[str, Any]]:
    """Precision, recall, F1 and support per class (0 where a ratio has no denominator)."""
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        y, predicted, labels=classes, sample_weight=weights, zero_division=0)
    return [{"class": _plain(c), "precision": float(p), "recall": float(r), "f1": float(f),
             "support": float(s)}
            for c, p, r, f, s in zip(classes.tolist(), precision, recall, f1, support,
                                     strict=True)]


def calibration_bins(positive: np.ndarray, p: np.ndarray, weights: np.ndarray | None,
                     n_bins: int = CALIBRATION_BINS) -> list[dict[str, float]]:
    """Per bin of p̂ (equal widths on [0, 1], bin b holds p̂ in [b/n, (b+1)/n), the last one
    closed): the weighted mean of p̂ and the weighted share of positives, as
    ``sklearn.calibration.calibration_curve(strategy="uniform")`` bins them."""
    w = np.ones_like(p) if weights is None else weights
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.searchsorted(edges[1:-1], p, side="right")
    rows = []
    for b in range(n_bins):
        inside = bins == b
        total = float(w[inside].sum())
        if not inside.any() or total == 0.0:
            continue
        rows.append({"lower": float(edges[b]), "upper": float(edges[b + 1]),
                     "count": float(inside.sum()),
                     "mean_predicted": float(w[inside] @ p[inside] / total),
                     "observed": float(w[inside] @ positive[inside] / total)})
    return rows


def calibration_line(positive: np.ndarray, p: np.ndarray,
                     weights: np.ndarray | None) -> dict[str, float | None]:
    """Cox's calibration intercept a and slope b: logit P(y = 1) = a + b·logit(p̂), fitted by
    unpenalized maximum likelihood (a = 0, b = 1 for a calibrated model); None where the
    fit does not exist (one class present, or logit(p̂) separating the labels)."""
    from logistic.models.logistic_regression import LogisticRegression

    none: dict[str, float | None] = {"calibration_intercept": None, "calibration_slope": None}
    if positive.all() or not positive.any():
        return none
    eps = np.finfo(float).eps
    clipped = np.clip(p, eps, 1.0 - eps)
    logit = np.log(clipped / (1.0 - clipped)).reshape(-1, 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            line = LogisticRegression().fit(logit, positive.astype(int), sample_weight=weights)
    except (ValueError, ArithmeticError):
        return none
    if getattr(line, "separation_", None):
        return none
    return {"calibration_intercept": float(line.intercept_[0]),
            "calibration_slope": float(line.coef_[0, 0])}


#: The scores a cross-validation summarizes over its folds (the AUC under its two-class or
#: its K-class name, whichever the model has).
FOLD_METRICS = ("log_loss", "accuracy", "roc_auc", "roc_auc_ovr_macro", "brier")


def fold_summary(evaluations: list[Evaluation]) -> dict[str, dict[str, float | None]]:
    """Each of :data:`FOLD_METRICS` that the folds report, over the folds where it is
    defined: the mean m = Σ sᵢ / k, the sample standard deviation √(Σ (sᵢ − m)² / (k − 1))
    (None for k < 2) and k, the number of those folds (an AUC is undefined in a fold whose
    held-out rows have one class)."""
    summary: dict[str, dict[str, float | None]] = {}
    for name in FOLD_METRICS:
        if not any(name in e.metrics for e in evaluations):
            continue
        values = np.array([v for e in evaluations
                           if (v := e.metrics.get(name)) is not None], dtype=float)
        k = values.size
        summary[name] = {"mean": float(values.mean()) if k else None,
                         "sd": float(values.std(ddof=1)) if k > 1 else None,
                         "folds": float(k)}
    return summary


def _plain(value: Any) -> Any:
    """A class label as JSON takes it (NumPy scalars as Python ones)."""
    return value.item() if isinstance(value, np.generic) else value
