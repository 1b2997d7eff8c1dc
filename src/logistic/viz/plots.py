"""The seeds' figures, and the figures of a fitted model on the user's data (matplotlib).

Every function returns a :class:`matplotlib.figure.Figure` drawn on the Agg canvas; nothing
here touches ``pyplot`` or the global backend, so importing this module changes nothing for
an interactive session and figures are freed with their last reference.

The seeds' story::

    sigmoid_figure()          σ(z) with its limits 0 (z → −∞), ½ (z = 0), 1 (z → +∞)
    derivatives_figure()      σ'(z) = σ(1 − σ), maximum 0.25 at z = 0, vanishing tails; σ''(z)
    cost_figure()             −log(h) for y = 1, −log(1 − h) for y = 0, the three cases of seed 001
    boundary_figure(W or model, X, y)
                              σ(z) as shading, the line (W = [−3, 1, 1]: x₁ + x₂ = 3) or the
                              circle of squared features (``transform=np.square`` or a Pipeline)
    training_curves(fits)     J and ‖∇J‖∞ per iteration of anything with loss/gradient histories
    solver_comparison(X, y)   gradient descent vs Newton vs L-BFGS on the same data (a
                              TrainingDivergenceWarning when gradient descent's cost rises)
    loss_comparison(X, y)     squared error vs cross-entropy, gradient descent from one start

A fitted model on data (binary; multiclass where it makes sense, else a ValueError)::

    roc_figure(model, X, y)           ROC curve(s) with AUC (one-vs-rest for K classes)
    calibration_figure(model, X, y)   reliability curve(s) and the histogram of probabilities
    coefficient_figure(model)         coefficients with Wald intervals (none when penalized),
                                      the intercept left out, huge intervals cut at the axis
    scores_figure(model, X, y)        the distribution of z with σ'(z): who still drives learning
    diagnostics_figure(model, X, y)   residuals vs fitted, studentized residuals vs leverage with
                                      Cook's distance contours (binary, unpenalized)

Artists that carry the figure's numbers have a ``gid`` (see :func:`artists`), so a test or a
reader can get the plotted values back, e.g. ``artists(fig, "boundary")[0].get_xydata()``.
:func:`save_figure` writes PNG or SVG atomically; :func:`png_bytes` gives the PNG in memory.

Every name is importable from here; the figures live by idea in their own modules::

    logistic.viz.seed_figures     sigmoid_figure, derivatives_figure, cost_figure
    logistic.viz.boundary_plot    boundary_figure
    logistic.viz.training_plots   training_curves, the solver and loss comparisons
    logistic.viz.model_plots      roc_figure, calibration_figure, scores_figure
    logistic.viz.coefficient_plot coefficient_figure
    logistic.viz.diagnostics_plot diagnostics_figure
    logistic.viz.figures          the canvas, colours, gids (artists), save_figure, png_bytes
"""

from __future__ import annotations

from logistic.viz.boundary_plot import boundary_figure
from logistic.viz.coefficient_plot import coefficient_figure
from logistic.viz.diagnostics_plot import COOKS_CONTOURS, diagnostics_figure
from logistic.viz.figures import FIGURE_FORMATS, artists, png_bytes, save_figure
from logistic.viz.model_plots import (
    LEARNING_THRESHOLD,
    calibration_figure,
    roc_figure,
    scores_figure,
)
from logistic.viz.seed_figures import COST_CASES, cost_figure, derivatives_figure, sigmoid_figure
from logistic.viz.training_plots import (
    fit_losses,
    fit_solvers,
    loss_comparison,
    solver_comparison,
    training_curves,
)

__all__ = [
    "COOKS_CONTOURS",
    "COST_CASES",
    "FIGURE_FORMATS",
    "LEARNING_THRESHOLD",
    "artists",
    "boundary_figure",
    "calibration_figure",
    "coefficient_figure",
    "cost_figure",
    "derivatives_figure",
    "diagnostics_figure",
    "fit_losses",
    "fit_solvers",
    "loss_comparison",
    "png_bytes",
    "roc_figure",
    "save_figure",
    "scores_figure",
    "sigmoid_figure",
    "solver_comparison",
    "training_curves",
]
