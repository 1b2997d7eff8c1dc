"""``OrdinalLogisticRegression`` in a model file: its fields, and a fitted estimator from
them (registered with ``io/model_file.py`` as LogisticRegression is, by
``models/persistence.py``).

The document is the same JSON object; for this estimator "coef" is one row, β, and
"intercept" holds the K - 1 cut-points θ; "classes" keep the levels' order (lowest first),
which is the model's meaning and is not sorted. ``categories`` is not kept among "params":
the classes are the categories of a loaded model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logistic.core.ordinal import increments_from_thresholds
from logistic.families.ordinal import threshold_terms
from logistic.fitting.terms import feature_names
from logistic.inference.statistics import FitStatistics
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
from logistic.models.fitted_fields import fit_record, restore_fit_record, restored_estimator
from logistic.models.ordinal import OrdinalLogisticRegression
from logistic.models.ordinal_fit import check_ordinal_params

__all__ = ["ordinal_fields", "restore_ordinal"]

_NOT_SAVED_PARAMS = frozenset({"categories"})


def ordinal_fields(model: OrdinalLogisticRegression) -> dict[str, Any]:
    """The document's fields after its header, from a fitted model."""
    coef = np.asarray(model.coef_, dtype=np.float64)
    thresholds = np.asarray(model.thresholds_, dtype=np.float64)
    for name, values in (("coef_", coef), ("thresholds_", thresholds),
                         ("objective_", model.objective_)):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"cannot save a model whose {name} is not finite: {values!r}")
    classes, classes_dtype = encode_classes(model.classes_)
    formula = getattr(model, "formula_", None)
    return {
        "params": {name: encode_param(name, value)
                   for name, value in sorted(model.get_params(deep=False).items())
                   if name not in _NOT_SAVED_PARAMS},
        "classes": classes,
        "classes_dtype": classes_dtype,
        "coef": [coef.tolist()],
        "intercept": thresholds.tolist(),
        **fit_record(model),
        **encode_statistics(model.statistics_, model.inference_note_),
        "separation": None,
        "formula": None if formula is None else formula.to_dict(),
    }


def restore_ordinal(fields: ModelFields) -> OrdinalLogisticRegression:
    """A fitted model from a document's checked fields; ``InvalidModelFile`` where they do
    not fit together."""
    model = restored_estimator(OrdinalLogisticRegression, fields.params, check_ordinal_params)
    thresholds = np.asarray(fields.intercept, dtype=np.float64)
    if not np.all(np.diff(thresholds) > 0):
        raise InvalidModelFile("the cut-points (intercept) must be strictly increasing")
    model.categories = fields.classes.tolist()
    model.classes_ = fields.classes
    model.coef_ = fields.coef[0].copy()
    model.thresholds_ = thresholds
    model.params_ = np.concatenate([model.coef_, increments_from_thresholds(thresholds)])
    restore_fit_record(model, fields)
    terms = feature_names(model) + threshold_terms(model.classes_.tolist())
    saved, note = read_statistics(fields.statistics, fields.inference_note, len(terms))
    model.statistics_, model.inference_note_ = None, note
    if saved is not None:
        model.statistics_ = FitStatistics(
            terms=tuple(terms), params=np.concatenate([model.coef_, thresholds]), cov=saved.cov,
            rank=saved.rank, n_obs=saved.n_obs, log_likelihood=saved.log_likelihood,
            null_log_likelihood=saved.null_log_likelihood, n_intercepts=thresholds.size,
        )
        model.inference_note_ = None
    model.formula_ = _formula(fields, model)
    return model


def _formula(fields: ModelFields, model: OrdinalLogisticRegression) -> Any:
    spec = read_formula(fields.formula, fields.schema_version)
    if spec is None:
        return None
    names = getattr(model, "feature_names_in_", None)
    if names is None or list(spec.columns) != [str(n) for n in names]:
        raise InvalidModelFile("formula.columns do not match feature_names")
    return spec


register_model_kind(ModelKind(
    "OrdinalLogisticRegression", OrdinalLogisticRegression, ordinal_fields, restore_ordinal,
    shapes=lambda n_classes: (1, n_classes - 1), sorted_classes=False,
))
