"""``LogisticRegression`` in a model file: its fields, and a fitted estimator from them.

The document itself (schema, field checks, atomic write, reading) is
``io/model_file.py``; this module registers the estimator there, so that
``logistic.load`` / ``io.model_file.load`` give back a ``LogisticRegression``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logistic.fitting.grouped import GroupedTotals
from logistic.fitting.problem import FitSettings
from logistic.fitting.terms import feature_names
from logistic.inference.separation import Separation
from logistic.inference.statistics import FitStatistics
from logistic.io.formula import FormulaSpec
from logistic.io.model_file import (
    InvalidModelFile,
    ModelFields,
    ModelKind,
    encode_classes,
    encode_param,
    encode_separation,
    encode_statistics,
    load,
    read_data,
    read_formula,
    read_separation,
    read_statistics,
    register_model_kind,
    save,
    score_rows,
)
from logistic.models.fitted_fields import restore_fit_record
from logistic.models.logistic_regression import LogisticRegression

__all__ = ["load", "model_fields", "restore", "save"]

_NOT_SAVED_PARAMS = frozenset({"callback"})


def model_fields(model: LogisticRegression) -> dict[str, Any]:
    """The document's fields after its header, from a fitted model."""
    n_features = int(model.n_features_in_)
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    rows = score_rows(len(model.classes_))
    if coef.shape != (rows, n_features) or intercept.shape != (rows,):
        raise ValueError(
            f"cannot save a model with coef_ of shape {coef.shape} and intercept_ of shape "
            f"{intercept.shape}; expected ({rows}, {n_features}) and ({rows},)"
        )
    objective = float(model.objective_)
    for name, values in (("coef_", coef), ("intercept_", intercept), ("objective_", objective)):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"cannot save a model whose {name} is not finite: {values!r}")
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        names = [str(name) for name in names]
        if len(names) != n_features:
            raise ValueError(
                f"cannot save a model with {len(names)} feature names for {n_features} features"
            )
    classes, classes_dtype = encode_classes(model.classes_)
    formula = getattr(model, "formula_", None)
    return {
        "params": {
            name: encode_param(name, value)
            for name, value in sorted(model.get_params(deep=False).items())
            if name not in _NOT_SAVED_PARAMS
        },
        "classes": classes,
        "classes_dtype": classes_dtype,
        "coef": coef.tolist(),
        "intercept": intercept.tolist(),
        "n_features_in": n_features,
        "feature_names": names,
        "fit": {
            "solver": str(model.solver_),
            "n_iter": int(np.asarray(model.n_iter_).ravel()[0]),
            "converged": bool(model.converged_),
            "objective": objective,
        },
        **encode_statistics(model.statistics_, model.inference_note_),
        "separation": encode_separation(getattr(model, "separation_", None), _columns(model)),
        "formula": None if formula is None else formula.to_dict(),
        "data": _data_field(model),
    }


def _data_field(model: LogisticRegression) -> dict[str, Any] | None:
    """The "data" field (schema 4): the offset's name and grouped data's totals, or None."""
    offset, grouped = getattr(model, "offset_name_", None), getattr(model, "grouped_", None)
    if offset is None and grouped is None:
        return None
    statistics = model.statistics_
    saturated = 0.0 if statistics is None else float(statistics.saturated_log_likelihood)
    return {
        "offset": offset,
        "grouped": None if grouped is None else {
            "n_groups": float(grouped.n_groups), "n_trials": float(grouped.n_trials),
            "saturated_log_likelihood": saturated,
        },
    }


def restore(fields: ModelFields) -> LogisticRegression:
    """A fitted ``LogisticRegression`` from a document's checked fields; raises
    ``InvalidModelFile`` where they do not fit together."""
    model = LogisticRegression(**_checked_params(fields.params))
    model.classes_ = fields.classes
    model.coef_ = fields.coef
    model.intercept_ = fields.intercept
    restore_fit_record(model, fields)
    model.offset_name_, grouped = read_data(fields.data)
    model.grouped_ = None if grouped is None else GroupedTotals(grouped[0], grouped[1])
    model.statistics_, model.inference_note_ = _statistics(fields, model, grouped)
    model.formula_ = _formula(fields, model)
    model.separation_ = _separation(fields, model)
    return model


def _columns(model: LogisticRegression) -> list[str]:
    """The names of a score row's coefficients in ``separation_``'s order: the features,
    then 'Intercept' where fitted."""
    return feature_names(model) + (["Intercept"] if model.fit_intercept else [])


def _separation(fields: ModelFields, model: LogisticRegression) -> Separation | None:
    """The saved ``separation_`` (None where the file has none), in the fit's shapes: binary
    (columns,), K classes (K, columns); a direction the file does not hold is NaN."""
    columns, names = _columns(model), feature_names(model)
    rows = score_rows(len(model.classes_))
    saved = read_separation(fields.separation, columns, rows, len(names))
    if saved is None:
        return None
    direction = saved.direction
    if direction is None:
        direction = np.full((rows, len(columns)), np.nan)
    involved = saved.involved
    if rows == 1:
        direction, involved = direction[0], None if involved is None else involved[0]
    return Separation(
        complete=saved.complete,
        features=saved.features,
        direction=direction,
        n_separated=saved.n_separated,
        involved=involved,
        names=tuple(names[j] for j in saved.features),
    )


def _checked_params(params: dict[str, Any]) -> dict[str, Any]:
    known = LogisticRegression().get_params(deep=False)
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise InvalidModelFile(
            f"unknown parameter(s) {', '.join(map(repr, unknown))} for LogisticRegression"
        )
    try:
        FitSettings.checked(params)
    except (TypeError, ValueError) as error:
        raise InvalidModelFile(f"invalid parameters: {error}") from None
    return params


def _statistics(
    fields: ModelFields, model: LogisticRegression, grouped: tuple[float, float, float] | None
) -> tuple[Any, str]:
    """The saved FitStatistics (or None) with this model's estimates, and the note;
    ``grouped``: (G, N, saturated ℓ) of grouped data."""
    terms = model.inference_terms_
    saved, note = read_statistics(fields.statistics, fields.inference_note, len(terms))
    if saved is None:
        return None, note
    n_intercepts = (max(len(model.classes_) - 1, 1)) * int(model.fit_intercept)
    params = model.family_.inference_params(model.coef_, model.intercept_, model.fit_intercept)
    statistics = FitStatistics(
        terms=terms,
        params=params,
        cov=saved.cov,
        rank=saved.rank,
        n_obs=saved.n_obs,
        log_likelihood=saved.log_likelihood,
        null_log_likelihood=saved.null_log_likelihood,
        n_intercepts=n_intercepts,
        cov_type=model.cov_type,
        saturated_log_likelihood=0.0 if grouped is None else grouped[2],
        n_groups=None if grouped is None else grouped[0],
    )
    return statistics, note


def _formula(fields: ModelFields, model: LogisticRegression) -> FormulaSpec | None:
    spec = read_formula(fields.formula, fields.schema_version)
    if spec is None:
        return None
    names = getattr(model, "feature_names_in_", None)
    if names is None or list(spec.columns) != [str(n) for n in names]:
        raise InvalidModelFile("formula.columns do not match feature_names")
    if spec.intercept != model.fit_intercept:
        raise InvalidModelFile("formula.intercept does not match params.fit_intercept")
    return spec


register_model_kind(ModelKind("LogisticRegression", LogisticRegression, model_fields, restore))
