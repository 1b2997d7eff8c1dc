"""The names of a fitted model's columns and coefficients, as the summary prints them."""

from __future__ import annotations

from typing import Any

__all__ = ["feature_names", "feature_terms"]


def feature_names(model: Any) -> list[str]:
    """``feature_names_in_`` as strings, or the seeds' x1, x2, … for unnamed columns (d,)."""
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        return [f"x{j}" for j in range(1, int(model.n_features_in_) + 1)]
    return [str(name) for name in names]


def feature_terms(model: Any) -> list[str]:
    """The terms of one score row: 'Intercept' first where fitted, then the features."""
    names = feature_names(model)
    return ["Intercept", *names] if model.fit_intercept else names
