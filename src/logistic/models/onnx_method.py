"""``model.to_onnx(path)``: a fitted ``LogisticRegression`` as an ONNX graph
(``io/onnx_export.py`` builds it from plain arrays; ``onnx`` is optional and imported only
here, at call time: ``pip install 'logistic[onnx]'``)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from logistic.exceptions import ExportError
from logistic.fitting.terms import feature_names
from logistic.io.onnx_export import LinearModel, linear_model_onnx, write_onnx

__all__ = ["OnnxExport", "linear_model_of"]


def linear_model_of(model: Any) -> LinearModel:
    """The arrays of a fitted ``LogisticRegression`` that its ONNX graph needs."""
    check_is_fitted(model)
    coef = getattr(model, "coef_", None)
    if coef is None or not hasattr(model, "family_"):
        raise ExportError(f"a {type(model).__name__} has no linear scores to export to ONNX; "
                          "only LogisticRegression models are exported")
    family = model.family_.multiclass or "binary"
    return LinearModel(
        coef=np.asarray(coef, dtype=np.float64),
        intercept=np.asarray(model.intercept_, dtype=np.float64),
        classes=np.asarray(model.classes_),
        family=family,
        feature_names=tuple(str(name) for name in feature_names(model)),
        formula=getattr(model, "formula_", None),
    )


class OnnxExport:
    """The mixin behind ``model.to_onnx(path)``."""

    def to_onnx(self, path: str | os.PathLike[str] | None = None) -> Any:
        """The fitted model as an ONNX graph (``onnx.ModelProto``), written to ``path``
        (atomically) when given.

        Outputs ``label`` [N] and ``probabilities`` [N, K] (double, ``classes_`` order), as
        ``predict`` and ``predict_proba``. Input: ``X``, double [N, n_features] (dense, also
        for a model fitted on sparse X), or for a formula model one [N, 1] input per raw
        column (double for numbers, string or bool for categories), encoded in the graph.

        Raises ``ExportError`` (a ValueError) for what has no exact graph, and
        ``ExportDependencyError`` (also an ImportError) without the ``onnx`` package.
        """
        proto = linear_model_onnx(linear_model_of(self))
        if path is not None:
            write_onnx(proto, path)
        return proto
