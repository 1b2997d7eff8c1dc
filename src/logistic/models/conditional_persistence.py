"""``ConditionalLogisticRegression`` in a model file: its fields, and a fitted model from them.

The document is ``io/model_file.py``'s, with "estimator": "ConditionalLogisticRegression":
params are ``ties``, ``strata`` (the strata column's name, which ``logistic predict`` reads,
or null), ``max_iter`` and ``tol``; "intercept" is [0.0] (the model has none, and a file
with anything else is refused); "statistics" holds the conditional fit's covariance, rank,
N and ℓ(β̂), with ℓ(β = 0) as the null log-likelihood; "separation" is never written.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logistic.inference.statistics import FitStatistics
from logistic.io.formula import FormulaSpec
from logistic.io.model_file import (
    InvalidModelFile,
    ModelFields,
    ModelKind,
    encode_classes,
    encode_param,
    encode_statistics,
    read_formula,
    read_statistics,
    register_model_kind,
)
from logistic.models.conditional import ConditionalLogisticRegression
from logistic.models.fitted_fields import fit_record, restore_fit_record, restored_estimator

__all__ = ["model_fields", "restore"]


def model_fields(model: ConditionalLogisticRegression) -> dict[str, Any]:
    """The document's fields after its header, from a fitted model."""
    coef = np.asarray(model.coef_, dtype=np.float64)
    if not np.all(np.isfinite(coef)) or not np.isfinite(model.objective_):
        raise ValueError(f"cannot save a model whose coef_ or objective_ is not finite: {coef!r}")
    classes, classes_dtype = encode_classes(model.classes_)
    formula = getattr(model, "formula_", None)
    return {
        "params": {name: encode_param(name, value)
                   for name, value in sorted(model.get_params(deep=False).items())},
        "classes": classes,
        "classes_dtype": classes_dtype,
        "coef": coef.tolist(),
        "intercept": [0.0],
        **fit_record(model),
        **encode_statistics(model.statistics_, model.inference_note_),
        "separation": None,
        "formula": None if formula is None else formula.to_dict(),
    }


def restore(fields: ModelFields) -> ConditionalLogisticRegression:
    """A fitted model from a document's checked fields; ``InvalidModelFile`` where they do
    not fit together."""
    model = restored_estimator(ConditionalLogisticRegression, fields.params,
                               ConditionalLogisticRegression.check_parameters)
    if len(fields.classes) != 2 or np.any(fields.intercept != 0.0):
        raise InvalidModelFile("a conditional model has 2 classes and intercept [0.0]")
    if fields.separation is not None:
        raise InvalidModelFile("a conditional model file has no separation")
    model.classes_ = fields.classes
    model.coef_ = fields.coef
    model.intercept_ = np.zeros(1)
    restore_fit_record(model, fields)
    model.statistics_, model.inference_note_ = _statistics(fields, model)
    model.formula_ = _formula(fields, model)
    return model


def _statistics(fields: ModelFields, model: ConditionalLogisticRegression) -> tuple[Any, Any]:
    terms = model.inference_terms_
    saved, note = read_statistics(fields.statistics, fields.inference_note, len(terms))
    if saved is None:
        return None, note
    return FitStatistics(terms=terms, params=model.coef_[0].copy(), cov=saved.cov,
                         rank=saved.rank, n_obs=saved.n_obs,
                         log_likelihood=saved.log_likelihood,
                         null_log_likelihood=saved.null_log_likelihood, n_intercepts=0), note


def _formula(fields: ModelFields, model: ConditionalLogisticRegression) -> FormulaSpec | None:
    spec = read_formula(fields.formula, fields.schema_version)
    if spec is None:
        return None
    names = getattr(model, "feature_names_in_", None)
    if names is None or list(spec.columns) != [str(n) for n in names]:
        raise InvalidModelFile("formula.columns do not match feature_names")
    return spec


register_model_kind(ModelKind("ConditionalLogisticRegression", ConditionalLogisticRegression,
                              model_fields, restore))
