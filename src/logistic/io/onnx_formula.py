"""A formula model's encoding as ONNX nodes: raw columns in, the model's columns out.

Each raw column the formula reads is one input of shape [N, 1], named as the column: double
for a column the formula computes with or whose levels are numbers, string for text levels,
bool for boolean ones. The closed language of ``formula_expr`` maps op for op::

    + - * / **, unary −      Add Sub Mul Div Pow Neg        (unary + is the value itself)
    log exp sqrt abs         Log Exp Sqrt Abs
    log2(x), log10(x)        Log(x) / ln 2, Log(x) / ln 10
    log1p(x)                 Log(1 + x)          (absolute error ≤ 1e-16 near x = 0)
    center(x), scale(x)      x − m, (x − m) / s  with the training numbers m, s
    C(col) level v           Cast(Equal(col, v)) to double: the treatment-coded indicator

Interactions multiply their factors' columns in formulaic's order (``formula_terms``), so the
columns are those ``FormulaSpec.transform`` makes, by name and value. Where the library
raises instead (a level the model never saw, the log of a negative number), the graph gives
NaN: an unseen level makes its row's indicators NaN, and NaN or ∞ from arithmetic flows
into the probabilities; no row is ever silently given another level's encoding.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import Any

import numpy as np

from logistic.exceptions import ExportError
from logistic.io.formula import FormulaSpec
from logistic.io.formula_expr import tree_columns
from logistic.io.formula_terms import interaction_names, scoped_terms
from logistic.io.onnx_graph import GraphBuilder

__all__ = ["formula_columns"]

#: Ops that are one ONNX node of the same arity.
_DIRECT = {"add": "Add", "sub": "Sub", "mul": "Mul", "div": "Div", "pow": "Pow",
           "neg": "Neg", "log": "Log", "exp": "Exp", "sqrt": "Sqrt", "abs": "Abs"}
_LOG_BASES = {"log2": 2.0, "log10": 10.0}


def formula_columns(builder: GraphBuilder, spec: FormulaSpec) -> tuple[list[str], str]:
    """The graph values of ``spec``'s columns ([N, 1] doubles, in ``spec.columns`` order)
    with the raw columns as inputs, and a description of those inputs."""
    inputs = _inputs(builder, spec)
    encoder = _Encoder(builder, spec, inputs)
    categorical = {n for n, f in spec.factors.items() if f["kind"] == "categorical"}
    names: list[str] = []
    columns: list[str] = []
    for scoped in scoped_terms(spec.terms, categorical, spec.intercept):
        parts = [encoder.columns(name, reduced) for name, reduced in scoped]
        names += interaction_names([[label for label, _ in part] for part in parts])
        columns += _products([[value for _, value in part] for part in parts], builder)
    if tuple(names) != tuple(spec.columns):
        raise ExportError(f"the formula's terms give the columns {names[:5]}, the model has "
                          f"{list(spec.columns)[:5]}")
    tensor = builder.onnx.TensorProto
    described = ", ".join(f"{name}: {tensor.DataType.Name(kind).lower()} [N, 1]"
                          for name, kind in inputs.items())
    return columns, f"one per raw column ({described})"


def _inputs(builder: GraphBuilder, spec: FormulaSpec) -> dict[str, int]:
    """Each raw column's input type, in first-use order; the inputs added to the graph."""
    tensor = builder.onnx.TensorProto
    numeric: list[str] = []
    levels: dict[str, list[Any]] = {}
    order: list[str] = []
    for factor in spec.factors.values():
        if factor["kind"] == "numerical":
            used = tree_columns(factor["expr"])
            numeric += used
        else:
            used = [factor["column"]]
            levels.setdefault(factor["column"], []).extend(factor["levels"])
        order += [column for column in used if column not in order]
    kinds: dict[str, int] = {}
    for column in order:
        values = levels.get(column, [])
        if column in numeric or (values and all(_is_number(v) for v in values)):
            if not all(_is_number(v) or isinstance(v, bool) for v in values):
                raise ExportError(f"the column {column!r} is computed with and has text "
                                  "levels: no one ONNX input type holds both")
            kinds[column] = tensor.DOUBLE
        elif all(isinstance(v, str) for v in values):
            kinds[column] = tensor.STRING
        elif all(isinstance(v, bool) for v in values):
            kinds[column] = tensor.BOOL
        else:
            raise ExportError(f"the levels of {column!r} mix types ({values[:4]!r}): an ONNX "
                              "input holds one type")
    for column in order:
        builder.add_input(column, kinds[column], 1)
    return kinds


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _level(value: Any, kind: int, builder: GraphBuilder) -> np.ndarray:
    """A level as a one-element constant of its input's type."""
    tensor = builder.onnx.TensorProto
    if kind == tensor.DOUBLE:
        return np.array([float(value)])
    if kind == tensor.BOOL:
        return np.array([bool(value)])
    return np.array([value], dtype=object)


class _Encoder:
    """Each factor's (name, graph value) columns, built once however many terms use them."""

    def __init__(self, builder: GraphBuilder, spec: FormulaSpec, inputs: dict[str, int]) -> None:
        self.builder, self.spec, self.inputs = builder, spec, inputs
        self._made: dict[tuple[str, bool], list[tuple[str, str]]] = {}

    def columns(self, name: str, reduced: bool) -> list[tuple[str, str]]:
        key = (name, reduced)
        if key not in self._made:
            factor = self.spec.factors[name]
            if factor["kind"] == "numerical":
                if not tree_columns(factor["expr"]):
                    raise ExportError(f"the factor {name!r} reads no column: a constant term "
                                      "has no ONNX column of N rows")
                self._made[key] = [(name, self._tree(factor["expr"]))]
            else:
                self._made[key] = self._indicators(name, factor, reduced)
        return self._made[key]

    def _indicators(
        self, name: str, factor: dict[str, Any], reduced: bool
    ) -> list[tuple[str, str]]:
        """The treatment-coded (``reduced``) or full indicators; NaN on an unseen level."""
        b, column = self.builder, factor["column"]
        kind = self.inputs[column]
        double = b.onnx.TensorProto.DOUBLE
        levels = factor["levels"]
        every = np.concatenate([_level(v, kind, b) for v in levels])
        seen = b.op("ReduceMax", b.op("Cast", b.op("Equal", column, b.constant(every, "levels")),
                                      to=double),
                    b.constant(np.array([1], np.int64), "axis"), keepdims=1)
        # 0 where the row's level is known, NaN where it is not: added to each indicator
        known = b.op("Where", b.op("Greater", seen, b.constant(np.array(0.5), "half")),
                     b.constant(np.array(0.0), "zero"), b.constant(np.array(np.nan), "nan"))
        skip = self._reference(factor) if reduced else -1
        out = []
        for index, level in enumerate(levels):
            if index == skip:
                continue
            equal = b.op("Cast", b.op("Equal", column, b.constant(_level(level, kind, b), "level")),
                         to=double)
            label = f"{name}[T.{level}]" if reduced else f"{name}[{level}]"
            out.append((label, b.op("Add", equal, known)))
        return out

    @staticmethod
    def _reference(factor: dict[str, Any]) -> int:
        reference = factor["reference"]
        for index, level in enumerate(factor["levels"]):
            if type(level) is type(reference) and level == reference:
                return index
        raise ExportError(f"the reference level {reference!r} is not a level")

    def _tree(self, node: dict[str, Any]) -> str:
        """The graph value of a numeric tree (``formula_expr``'s closed language)."""
        b = self.builder
        if "column" in node:
            return node["column"]
        if "constant" in node:
            return b.constant(np.array(float(node["constant"])), "number")
        args = [self._tree(arg) for arg in node["args"]]
        op = node["op"]
        if op in _DIRECT:
            return b.op(_DIRECT[op], *args)
        if op == "pos":
            return args[0]
        if op in _LOG_BASES:
            return b.op("Div", b.op("Log", args[0]),
                        b.constant(np.array(math.log(_LOG_BASES[op])), "ln_base"))
        if op == "log1p":
            return b.op("Log", b.op("Add", args[0], b.constant(np.array(1.0), "one")))
        if op in ("center", "scale"):
            centered = b.op("Sub", args[0], b.constant(np.array(float(node["center"])), "center"))
            if op == "center":
                return centered
            return b.op("Div", centered, b.constant(np.array(float(node["scale"])), "scale"))
        raise ExportError(f"the formula op {op!r} has no ONNX translation")


def _products(parts: list[list[str]], builder: GraphBuilder) -> list[str]:
    """``formula_terms.interaction_values`` on graph values: the one-column factors
    multiplied together first and last in each product, the first factor varying fastest."""
    solo = [part[0] for part in parts if len(part) == 1]
    multi = [list(part) for part in parts if len(part) != 1]
    if solo:
        multi.append([functools.reduce(lambda a, c: builder.op("Mul", a, c), solo)])
    return [
        functools.reduce(lambda a, c: builder.op("Mul", a, c), reversed(pick))
        for pick in itertools.product(*reversed(multi))
    ]
