"""A fitted linear logistic model as an ONNX graph: label and probabilities, in float64.

The graph computes what ``predict`` and ``predict_proba`` compute::

    z = X·Wᵀ + b                        (MatMul, Add; W is (1, p) or (K, p))
    binary       P = [σ(−z), σ(z)]      label = classes[z > 0]   (σ as exp(log σ))
    multinomial  P = softmax(z)         label = classes[argmax z]
    one-vs-rest  P = σ(zₖ) / Σⱼ σ(zⱼ)   label = classes[argmax z]   (as softmax(log σ(z)))

with the outputs ``label`` (shape [N], the classes' own type: int64, double, bool or string)
and ``probabilities`` ([N, K], double, in ``classes`` order). Everything is double precision
(onnxruntime runs MatMul, Exp, Log and Softmax in float64), so the graph agrees with
``predict_proba`` to rounding, not to float32's 1e-7 relative.

The input is one double tensor ``X`` of shape [N, p] in the model's column order, dense
(a model fitted on sparse X exports the same; feed its rows densified). A formula model
instead takes one input per raw column and encodes them in the graph
(``onnx_formula.py``). ``onnx`` is optional: ``pip install 'logistic[onnx]'``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from logistic.exceptions import ExportError
from logistic.io.atomic import write_atomically
from logistic.io.formula import FormulaSpec
from logistic.io.onnx_formula import formula_columns
from logistic.io.onnx_graph import GraphBuilder

__all__ = ["FAMILIES", "LinearModel", "linear_model_onnx", "write_onnx"]

#: The model families a graph is written for, by ``Family.multiclass`` (None: binary).
FAMILIES = ("binary", "multinomial", "ovr")


@dataclass(frozen=True)
class LinearModel:
    """What the graph needs of a fitted model, as plain arrays.

    ``coef`` is (1, p) for two classes or (K, p), ``intercept`` (1,) or (K,), ``classes`` the
    K labels, ``family`` one of ``FAMILIES``, ``feature_names`` the p columns' names, and
    ``formula`` the fitted encoding of a formula model (None: the input is X itself)."""

    coef: np.ndarray
    intercept: np.ndarray
    classes: np.ndarray
    family: str
    feature_names: tuple[str, ...]
    formula: FormulaSpec | None = None


def linear_model_onnx(model: LinearModel) -> Any:
    """The ``onnx.ModelProto`` of ``model``, checked by ``onnx.checker``.

    Raises ``ExportError`` for what the graph cannot represent exactly (labels of mixed or
    unsupported types, a formula factor outside the ops that map, mismatched shapes) and
    ``ExportDependencyError`` (an ``ExportError`` and ``ImportError``) without ``onnx``.
    """
    coef, intercept = _checked_parameters(model)
    builder = GraphBuilder()
    for output in ("label", "probabilities"):
        builder.claim(output, "an output")
    label_type = _label_type(builder, model.classes)
    if model.formula is None:
        features = builder.add_input("X", builder.onnx.TensorProto.DOUBLE, coef.shape[1])
        inputs = "X: double [N, p], the model's columns in order"
    else:
        features, inputs = _formula_features(builder, model.formula, model.feature_names)
    z = builder.op("Add", builder.op("MatMul", features, builder.constant(coef.T, "coef_T")),
                   builder.constant(intercept, "intercept"), output=builder.fresh("z"))
    _head(builder, model.family, z, model.classes)
    n_classes = len(model.classes)
    builder.add_output("label", label_type, ["N"])
    builder.add_output("probabilities", builder.onnx.TensorProto.DOUBLE, ["N", n_classes])
    doc = (f"logistic {model.family} model of {n_classes} classes; inputs {inputs}; outputs "
           "label [N] and probabilities [N, K] in the classes' order")
    metadata = {"classes": ", ".join(map(str, model.classes.tolist())),
                "feature_names": ", ".join(model.feature_names), "family": model.family}
    return builder.model(doc, metadata)


def write_onnx(proto: Any, path: str | os.PathLike[str]) -> None:
    """Writes the ``onnx.ModelProto`` ``proto`` to ``path`` atomically."""
    data = proto.SerializeToString()

    def write(handle: Any) -> None:
        handle.flush()
        handle.buffer.write(data)

    write_atomically(path, write, what="the ONNX model")


def _checked_parameters(model: LinearModel) -> tuple[np.ndarray, np.ndarray]:
    if model.family not in FAMILIES:
        raise ExportError(f"no ONNX graph for the family {model.family!r}; one of {FAMILIES}")
    coef = np.asarray(model.coef, dtype=np.float64)
    intercept = np.asarray(model.intercept, dtype=np.float64).reshape(-1)
    rows = 1 if model.family == "binary" else len(model.classes)
    if (coef.ndim != 2 or coef.shape[0] != rows or intercept.shape != (rows,)
            or len(model.feature_names) != coef.shape[1]):
        raise ExportError(f"coef {coef.shape}, intercept {intercept.shape} and "
                          f"{len(model.feature_names)} feature names do not make a "
                          f"{model.family} model of {len(model.classes)} classes")
    if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
        raise ExportError("the model's coefficients are not all finite")
    return coef, intercept


def _label_type(builder: GraphBuilder, classes: np.ndarray) -> int:
    """The ONNX type of the label output: the classes' own (int64, double, bool, string)."""
    tensor = builder.onnx.TensorProto
    kind = classes.dtype.kind
    if kind in "iu" and np.all(np.abs(classes.astype(np.float64)) < 2**63):
        return tensor.INT64
    if kind in "f":
        return tensor.DOUBLE
    if kind == "b":
        return tensor.BOOL
    if kind in "UO" and all(isinstance(c, str) for c in classes.tolist()):
        return tensor.STRING
    raise ExportError(f"class labels of type {classes.dtype} ({classes.tolist()[:3]!r}...) "
                      "have no ONNX tensor type: labels must be all integers, all floats, all "
                      "booleans or all strings")


def _label_constant(builder: GraphBuilder, classes: np.ndarray) -> str:
    kind = classes.dtype.kind
    if kind in "iu":
        return builder.constant(classes.astype(np.int64), "classes")
    if kind in "fb":
        return builder.constant(classes, "classes")
    return builder.constant(np.array([str(c) for c in classes.tolist()], dtype=object),
                            "classes")


def _head(builder: GraphBuilder, family: str, z: str, classes: np.ndarray) -> None:
    """The probabilities and the label from the scores z, as the family defines them."""
    labels = _label_constant(builder, classes)
    if family == "binary":
        # 1 − σ(z) as σ(−z), the library's own choice: no cancellation near p = 1; and σ as
        # exp(log σ), since onnxruntime's Sigmoid gives 0 for σ(−40) = 4.2e-18
        builder.op("Concat", builder.op("Exp", _log_sigmoid(builder, builder.op("Neg", z))),
                   builder.op("Exp", _log_sigmoid(builder, z)), output="probabilities", axis=1)
        positive = builder.op("Greater", z, builder.constant(np.array(0.0), "zero"))
        as_index = builder.op("Cast", positive, to=builder.onnx.TensorProto.INT64)
        index = builder.op("Reshape", as_index,
                           builder.constant(np.array([-1], dtype=np.int64), "flat"))
    else:
        if family == "multinomial":
            builder.op("Softmax", z, output="probabilities", axis=1)
        else:  # softmax of log σ(zₖ), the library's form: no 0/0 when every σ underflows
            builder.op("Softmax", _log_sigmoid(builder, z), output="probabilities", axis=1)
        index = builder.op("ArgMax", z, axis=1, keepdims=0)  # the first of ties, as NumPy's
    builder.op("Gather", labels, index, output="label", axis=0)


def _log_sigmoid(builder: GraphBuilder, z: str) -> str:
    """log σ(z) = min(z, 0) − log(1 + e^(−|z|)), exact in both tails."""
    zero = builder.constant(np.array(0.0), "zero")
    tail = builder.op("Log", builder.op("Add", builder.constant(np.array(1.0), "one"),
                                        builder.op("Exp", builder.op("Neg", builder.op("Abs", z)))))
    return builder.op("Sub", builder.op("Min", z, zero), tail)


def _formula_features(
    builder: GraphBuilder, spec: FormulaSpec, names: Sequence[str]
) -> tuple[str, str]:
    """The formula's columns computed from the raw inputs, concatenated to [N, p]."""
    if tuple(names) != tuple(spec.columns):
        raise ExportError(f"the model's columns {list(names)[:5]} are not its formula's "
                          f"{list(spec.columns)[:5]}")
    columns, described = formula_columns(builder, spec)
    return builder.op("Concat", *columns, axis=1), described
