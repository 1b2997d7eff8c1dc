"""The figures of a fitted model on data (binary; multiclass where it makes sense, else a
ValueError)::

    roc_figure(model, X, y)           ROC curve(s) with AUC (one-vs-rest for K classes)
    calibration_figure(model, X, y)   reliability curve(s) and the histogram of probabilities
    coefficient_figure(model)         coefficients with Wald intervals (viz/coefficient_plot.py)
    scores_figure(model, X, y)        the distribution of z with σ'(z): who still drives learning
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from logistic.core.sigmoid import sigmoid_derivative
from logistic.viz.coefficient_plot import coefficient_figure
from logistic.viz.figures import (
    BLUE,
    GREY,
    PALETTE,
    RED,
    binary_only,
    check_rows,
    model_labels,
    new_figure,
    probability_panels,
)

__all__ = [
    "LEARNING_THRESHOLD",
    "calibration_figure",
    "coefficient_figure",
    "roc_figure",
    "scores_figure",
]


#: σ'(z) at or above this (a tenth of its maximum 0.25) counts as "still learning".
LEARNING_THRESHOLD = 0.025


def roc_figure(model: Any, X: Any, y: ArrayLike) -> Figure:
    """The ROC curve of P(classes_[1]) with its AUC; one-vs-rest curves for K classes.

    The legend reads 'AUC = 0.9876' (4 decimals; '<class> vs rest, AUC = ...' for K classes);
    gid 'roc:<class>' is the curve (x the false-positive rates, y the true-positive rates),
    'chance' the diagonal. The strip below shows what the curve sums up: the histograms of
    P(classes_[1]) among the rows of each true class (K classes: P(k) among the rows of k),
    gids 'scores:<class>'. The figure's size and boxes are :func:`calibration_figure`'s
    (``probability_panels``), so that the two line up side by side.
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    y = model_labels(model, y)
    check_rows(X, y)
    proba = np.asarray(model.predict_proba(X))
    classes = np.asarray(model.classes_)
    shown = [1] if len(classes) == 2 else range(len(classes))
    figure, ax, strip = probability_panels()
    ax.plot([0, 1], [0, 1], ls="--", color=GREY, lw=1, gid="chance", label="chance (AUC = 0.5)")
    for k in shown:
        positive = y == classes[k]
        if positive.all() or not positive.any():
            raise ValueError(
                f"the ROC curve needs samples of class {classes[k]!r} and of the other "
                f"class(es); the data hold {'only' if positive.all() else 'none of'} them"
            )
        fpr, tpr, _ = roc_curve(positive, proba[:, k])
        auc = float(roc_auc_score(positive, proba[:, k]))
        name = "" if len(classes) == 2 else f"{classes[k]} vs rest, "
        ax.plot(fpr, tpr, lw=2, color=PALETTE[k % len(PALETTE)],
                label=f"{name}AUC = {auc:.4f}", gid=f"roc:{classes[k]}")
    positive_name = f"positive class: {classes[1]}" if len(classes) == 2 else "one vs rest"
    ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="false positive rate",
           ylabel="true positive rate", title=f"ROC curve ({positive_name})")
    ax.legend(loc="lower right", fontsize=8)
    _class_scores(strip, y, proba, classes)
    return figure


def _class_scores(ax: Any, y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> None:
    """Binary: P(classes_[1]) among the rows of each true class; K: P(k) among k's rows."""
    if len(classes) == 2:
        pairs = [(classes[k], proba[y == classes[k], 1], f"P({classes[1]}) | y = {classes[k]}")
                 for k in range(2)]
        xlabel = f"predicted probability of {classes[1]}"
    else:
        pairs = [(label, proba[y == label, k], f"P({label}) | y = {label}")
                 for k, label in enumerate(classes)]
        xlabel = "predicted probability of the true class"
    for k, (label, values, name) in enumerate(pairs):
        ax.hist(values, bins=20, range=(0, 1), histtype="step", lw=1.6,
                color=PALETTE[k % len(PALETTE)], label=name, gid=f"scores:{label}")
    ax.set(xlim=(0, 1), xlabel=xlabel, ylabel="samples")
    ax.legend(loc="upper center", fontsize=7, ncol=min(len(pairs), 3))


def calibration_figure(
    model: Any, X: Any, y: ArrayLike, *, n_bins: int = 10, strategy: str = "uniform"
) -> Figure:
    """Reliability curve: the observed frequency of a class against its predicted probability
    (``sklearn.calibration.calibration_curve``), and the histogram of the predictions.

    Binary: P(classes_[1]); K classes: one curve per class (one vs rest). gids:
    'calibration:<class>' (x = mean predicted, y = observed frequency per bin),
    'perfect' (the diagonal), 'hist:<class>'. The size and boxes are :func:`roc_figure`'s.
    """
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    y = model_labels(model, y)
    check_rows(X, y)
    proba = np.asarray(model.predict_proba(X))
    classes = np.asarray(model.classes_)
    shown = [1] if len(classes) == 2 else range(len(classes))
    figure, top, bottom = probability_panels()
    top.plot([0, 1], [0, 1], ls="--", color=GREY, lw=1, gid="perfect",
             label="perfectly calibrated")
    for k in shown:
        positive = (y == classes[k]).astype(int)
        observed, predicted = calibration_curve(positive, proba[:, k], n_bins=n_bins,
                                                strategy=strategy)
        brier = float(brier_score_loss(positive, proba[:, k]))
        color = PALETTE[k % len(PALETTE)]
        name = f"P({classes[k]})"
        top.plot(predicted, observed, "o-", color=color, lw=1.8, ms=5,
                 label=f"{name}, Brier = {brier:.4f}", gid=f"calibration:{classes[k]}")
        bottom.hist(proba[:, k], bins=n_bins, range=(0, 1), color=color, alpha=0.5,
                    gid=f"hist:{classes[k]}")
    top.set(xlim=(0, 1), ylim=(0, 1), ylabel="observed frequency",
            xlabel="mean predicted probability", title=f"Calibration ({n_bins} {strategy} bins)")
    top.legend(loc="upper left", fontsize=8)
    bottom.set(xlim=(0, 1), xlabel="predicted probability", ylabel="samples")
    return figure


def scores_figure(model: Any, X: Any, y: ArrayLike | None = None, *, bins: int = 40) -> Figure:
    """The distribution of z = decision_function(X) with σ'(z) overlaid (seed 003).

    σ'(z) is each sample's weight in the Hessian Xᵀdiag(σ')X and the factor that damps the
    squared error's gradient: samples with σ'(z) ≥ 0.025 (|z| ≤ 3.64, shaded) are the
    uncertain ones that still drive learning; confident ones (large |z|) barely move w.
    Binary models only. gids: 'z' or 'z:<label>' (histograms), 'sigmoid_derivative',
    'learning-zone:count=<k>' (the shaded band; k samples inside).
    """
    binary_only(model, "score distribution")
    z = np.asarray(model.decision_function(X), dtype=np.float64)
    if z.ndim != 1:
        raise ValueError("the score distribution is for a binary model (one score per sample)")
    labels = None if y is None else model_labels(model, y)
    if labels is not None and labels.shape[0] != z.shape[0]:
        raise ValueError(f"X has {z.shape[0]} rows but y has {labels.shape[0]}")
    # σ'(z) = c ⇔ |z| = log((1 + √(1 − 4c)) / (1 − √(1 − 4c)))
    root = np.sqrt(1 - 4 * LEARNING_THRESHOLD)
    edge = float(np.log((1 + root) / (1 - root)))
    inside = int(np.count_nonzero(sigmoid_derivative(z) >= LEARNING_THRESHOLD))

    figure = new_figure((7.0, 4.2))
    ax = figure.add_subplot()
    low, high = min(float(z.min()), -edge - 1), max(float(z.max()), edge + 1)
    ax.axvspan(-edge, edge, color="#ffdd88", alpha=0.35, gid=f"learning-zone:count={inside}",
               label=rf"$\sigma'(z) \geq {LEARNING_THRESHOLD:g}$: {inside} of {z.size} samples")
    if labels is None:
        ax.hist(z, bins=bins, range=(low, high), color=BLUE, alpha=0.7, gid="z", label="z")
    else:
        for k, label in enumerate(np.asarray(model.classes_)):
            chosen = labels == label
            if chosen.any():
                ax.hist(z[chosen], bins=bins, range=(low, high), alpha=0.6,
                        color=(BLUE, RED)[k % 2], label=f"y = {label}", gid=f"z:{label}")
    ax.axvline(0.0, color="black", lw=1, ls=":")
    ax.set(xlim=(low, high), xlabel="z = w·x + b", ylabel="samples",
           title="Scores, and how much each still drives learning")
    twin = ax.twinx()
    grid = np.linspace(low, high, 600)
    twin.plot(grid, sigmoid_derivative(grid), color="black", lw=2, gid="sigmoid_derivative",
              label=r"$\sigma'(z)$ (right axis)")
    twin.set(ylim=(0, 0.27), ylabel=r"$\sigma'(z)$")
    handles, names = ax.get_legend_handles_labels()
    more, more_names = twin.get_legend_handles_labels()
    ax.legend(handles + more, names + more_names, loc="upper right", fontsize=8)
    return figure
