"""The model-file fields every estimator shares: its parameters checked by name, and the
record of its fit (solver, iterations, convergence, objective, features) written and read
back. ``persistence.py``, ``ordinal_persistence.py`` and ``conditional_persistence.py`` add
each estimator's own fields around these."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from logistic.io.model_file import InvalidModelFile, ModelFields

__all__ = ["fit_record", "restore_fit_record", "restored_estimator"]

E = TypeVar("E")


def restored_estimator(estimator_type: Callable[..., E], params: dict[str, Any],
                       check: Callable[[E], object]) -> E:
    """``estimator_type(**params)`` from a file's parameters: unknown names and values that
    ``check`` refuses are ``InvalidModelFile``."""
    known = estimator_type().get_params(deep=False)  # type: ignore[attr-defined]
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise InvalidModelFile(f"unknown parameter(s) {', '.join(map(repr, unknown))} for "
                               f"{getattr(estimator_type, '__name__', 'the estimator')}")
    model = estimator_type(**params)
    try:
        check(model)
    except ValueError as error:
        raise InvalidModelFile(f"invalid parameters: {error}") from None
    return model


def fit_record(model: Any) -> dict[str, Any]:
    """The "n_features_in", "feature_names" and "fit" fields of a fitted estimator."""
    names = getattr(model, "feature_names_in_", None)
    return {
        "n_features_in": int(model.n_features_in_),
        "feature_names": None if names is None else [str(name) for name in names],
        "fit": {"solver": str(model.solver_), "n_iter": int(np.asarray(model.n_iter_).ravel()[0]),
                "converged": bool(model.converged_), "objective": float(model.objective_)},
    }


def restore_fit_record(model: Any, fields: ModelFields) -> None:
    """Sets the fitted attributes that ``fit_record`` wrote."""
    model.n_features_in_ = fields.n_features
    if fields.feature_names is not None:
        model.feature_names_in_ = np.asarray(fields.feature_names, dtype=object)
    model.solver_ = fields.solver
    model.n_iter_ = np.array([fields.n_iter])
    model.converged_ = fields.converged
    model.objective_ = fields.objective
