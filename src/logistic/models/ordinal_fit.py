"""The fit of an ``OrdinalLogisticRegression``: the objective on checked data, Newton, and
what lands on the estimator.

The start is β = 0 with the cut-points at the logits of the cumulative class frequencies,
θₖ = log(Fₖ / (1 - Fₖ)): the null model's optimum, so the first step starts from ℓ₀.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from logistic.core.design import Design
from logistic.core.ordinal import increments_from_thresholds, thresholds_from_increments
from logistic.core.ordinal_objective import OrdinalObjective
from logistic.exceptions import ConvergenceWarning
from logistic.families.ordinal import ordinal_statistics, threshold_terms
from logistic.fitting.terms import feature_names
from logistic.fitting.validation import check_sample_weight, checked_X_y
from logistic.models.ordinal_target import check_levels_present, ordered_levels
from logistic.solvers.newton import newton

__all__ = ["check_ordinal_params", "fit_ordinal", "ordinal_objective", "start_point"]

Array = NDArray[np.float64]


def check_ordinal_params(model: Any) -> None:
    """The estimator's parameters, checked before any work."""
    if model.penalty not in (None, "l2"):
        raise ValueError(f"penalty must be None or 'l2', got {model.penalty!r}")
    for name, low in (("C", 0.0), ("tol", 0.0)):
        value = getattr(model, name)
        if not isinstance(value, int | float) or isinstance(value, bool) or not (
            np.isfinite(value) and (value > low or (name == "tol" and value == 0))
        ):
            raise ValueError(f"{name} must be a {'positive' if name == 'C' else 'non-negative'} "
                             f"finite number, got {value!r}")
    if not isinstance(model.max_iter, int) or isinstance(model.max_iter, bool) or \
            model.max_iter < 0:
        raise ValueError(f"max_iter must be an integer >= 0, got {model.max_iter!r}")


def start_point(y_index: NDArray[np.intp], weights: Array, n_classes: int, d: int) -> Array:
    """φ₀ = [0, α(θ₀)], θ₀ the logits of the cumulative weighted class frequencies."""
    counts = np.bincount(y_index, weights, minlength=n_classes)
    cumulative = np.cumsum(counts)[:-1] / counts.sum()
    theta = np.log(cumulative) - np.log1p(-cumulative)
    return np.concatenate([np.zeros(d), increments_from_thresholds(theta)])


def ordinal_objective(model: Any, X: Any, y: Any, sample_weight: Any) -> OrdinalObjective:
    """The checked data's objective; sets classes_, n_features_in_ (and feature names)."""
    classes, y_index = ordered_levels(y, model.categories)
    X, y_index = checked_X_y(model, X, y_index)
    weights = check_sample_weight(sample_weight, X.shape[0])
    check_levels_present(classes, y_index, weights)
    model.classes_ = classes
    l2 = 1.0 / model.C if model.penalty == "l2" else 0.0
    return OrdinalObjective(Design(X), y_index, classes.size, weights, l2)


def fit_ordinal(model: Any, X: Any, y: Any, sample_weight: Any) -> None:
    """Fits ``model`` on (X, y) and stores the fitted attributes."""
    check_ordinal_params(model)
    objective = ordinal_objective(model, X, y, sample_weight)
    d, K = objective.n_features, objective.n_classes
    phi0 = start_point(objective.y_index, objective.weights, K, d)
    with np.errstate(over="ignore", under="ignore"):
        result = newton(objective, phi0, max_iter=model.max_iter, tol=model.tol)
    if not result.converged:
        warnings.warn(f"OrdinalLogisticRegression did not converge: {result.message}",
                      ConvergenceWarning, stacklevel=3)
    phi = result.theta
    model.params_ = phi.copy()
    model.coef_ = phi[:d].copy()
    model.thresholds_ = thresholds_from_increments(phi[d:])
    model.solver_ = "newton"
    model.n_iter_ = np.array([result.n_iter])
    model.converged_ = bool(result.converged)
    model.objective_ = float(result.loss_history[-1])
    model.loss_history_ = np.asarray(result.loss_history)
    terms = feature_names(model) + threshold_terms(classes_list(model))
    model.statistics_, model.inference_note_ = None, None
    if model.penalty is None:
        model.statistics_ = ordinal_statistics(objective, phi, model.thresholds_, terms)
    else:
        model.inference_note_ = ("Penalized fit (L2 on β): no standard errors, as the penalty "
                                 "biases the estimates by design.")


def classes_list(model: Any) -> list[Any]:
    return list(np.asarray(model.classes_).tolist())
