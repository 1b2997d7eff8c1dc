"""The closed language of a formula's factors, read and computed without evaluating code.

A factor such as ``log(x3)``, ``I(x1 * x2)`` or ``center(x2)`` is text that formulaic would
hand to Python's ``eval``, and a model file could make that text anything (``{__import__('os')
.system(...)}``). Here the text is only *parsed* (``ast.parse``, never compiled), and the
syntax tree is translated into a small tree of plain JSON data, node by node against a closed
set; whatever is not in the set is refused. The same data tree is what a model file stores and
what ``evaluate`` computes on NumPy arrays, so fitting, saving, loading and predicting never
reach an evaluator.

A numeric tree is made of these nodes (JSON objects)::

    {"column": "x1"}                       a numeric column of the data
    {"constant": 2}                        a finite number
    {"op": "add", "args": [a, b]}          add sub mul div pow: + - * / **
    {"op": "neg", "args": [a]}             neg pos: unary - and +
    {"op": "log", "args": [a]}             log log2 log10 log1p exp sqrt abs (NumPy's)
    {"op": "center", "args": [a], "center": m}                 a - m
    {"op": "scale", "args": [a], "center": m, "scale": s}      (a - m) / s

``I(...)`` leaves no node (it only protects arithmetic from the formula grammar). The numbers
of ``center`` and ``scale`` (also ``standardize``, which is ``scale`` with ddof 0) are the
training data's, computed by ``fit_tree``. A categorical factor ``C(col)``, optionally with
``levels=[...]`` and a treatment reference (``contr.treatment('b')``, ``Treatment('b')``), is
parsed by ``parse_factor`` into its column and those literals; its levels are data, not a tree.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from logistic.exceptions import DataError

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPRESSION_CHARS",
    "RESERVED",
    "FormulaRefused",
    "bracket_depth",
    "check_tree",
    "evaluate",
    "excerpt",
    "fit_tree",
    "parse_factor",
    "shorten",
    "tree_columns",
    "tree_ops",
]

#: Elementwise functions a factor may call, by the names formulaic's own context gives them
#: (also spelled ``np.log`` and so on).
FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log": np.log,
    "log2": np.log2,
    "log10": np.log10,
    "log1p": np.log1p,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "abs": np.abs,
}
#: Transforms that learn numbers from the training data: the ddof each uses for its scale.
_STATEFUL = {"center": None, "scale": 1, "standardize": 0}
_BINARY: dict[type, str] = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow",
}
_UNARY: dict[type, str] = {ast.USub: "neg", ast.UAdd: "pos"}
_APPLY: dict[str, Callable[..., np.ndarray]] = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv,
    "pow": operator.pow, "neg": operator.neg, "pos": operator.pos, **FUNCTIONS,
}
#: op -> (number of args, the keys a stored node has besides "op" and "args").
_STORED: dict[str, tuple[int, tuple[str, ...]]] = {
    **{op: (2, ()) for op in _BINARY.values()},
    **{op: (1, ()) for op in (*_UNARY.values(), *FUNCTIONS)},
    "center": (1, ("center",)),
    "scale": (1, ("center", "scale")),
}
#: Names with a meaning inside a factor's code: a column may not be called like one there.
RESERVED = frozenset({*FUNCTIONS, *_STATEFUL, "I", "C", "np", "contr", "Treatment"})
MAX_EXPRESSION_CHARS = 1_000
MAX_DEPTH = 32
_MAX_NODES = 256
#: Integer constants beyond 2**53 are not exact as doubles, and ``x ** 10**100`` would make
#: NumPy raise OverflowError mid-prediction: such a constant is refused up front.
_MAX_INT = 2**53
_ALLOWED = (
    "column names, numbers, + - * / **, I(...), "
    + ", ".join(f"{name}()" for name in (*FUNCTIONS, *_STATEFUL))
    + " and C(column)"
)


class FormulaRefused(DataError):
    """A formula (or a model file's encoding of one) uses something outside the closed set."""


def shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters: a refusal of 10⁵ characters of formula should
    still be one readable line."""
    return text if len(text) <= limit else text[:limit] + "…"


def excerpt(text: str, limit: int = 80) -> str:
    """``text`` shortened and quoted."""
    return repr(shorten(text, limit))


def bracket_depth(text: str) -> int:
    """The deepest nesting of (), [] and {} in ``text`` (quotes ignored: over-counting only
    refuses sooner). Checked before any parser sees the text, so 1000 parentheses cost a
    scan, not Python's parser recursion."""
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def _refuse(text: str, what: str) -> FormulaRefused:
    return FormulaRefused(f"the formula factor {excerpt(text)} is refused: {what}; a factor "
                          f"may use {_ALLOWED}")


def parse_factor(text: str) -> tuple[dict[str, Any], set[str]]:
    """The factor ``text`` (formulaic's code for one factor) as data, and the names it calls.

    Returns ``({"kind": "categorical", "column": ..., "levels": [...] or None,
    "reference": [level] or None}, calls)`` for ``C(...)``, else ``({"kind": "numerical",
    "expr": tree}, calls)`` with the stateful nodes not yet fitted (``fit_tree`` does that).
    Raises ``FormulaRefused`` for anything outside the closed set.
    """
    if len(text) > MAX_EXPRESSION_CHARS:
        raise _refuse(text, f"it is longer than {MAX_EXPRESSION_CHARS} characters")
    if bracket_depth(text) > MAX_DEPTH:
        raise _refuse(text, f"it nests brackets deeper than {MAX_DEPTH}")
    try:
        # Parsing only: the syntax tree is walked below and never compiled or run.
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _refuse(text, "it is not a Python expression") from None
    if not isinstance(node, ast.Call):
        # formulaic evaluates a {...} block as Python; arithmetic is written I(...) here.
        raise _refuse(text, f"{_describe(node)} stands alone: a factor's code is a call "
                      "(C(...), I(...), log(...)); {...} blocks are not allowed")
    calls: set[str] = set()
    if _is_name(node.func, "C"):
        return _categorical(text, node, calls), calls
    return {"kind": "numerical", "expr": _tree(text, node, 0, calls)}, calls


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _tree(text: str, node: ast.AST, depth: int, calls: set[str]) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise _refuse(text, f"it nests deeper than {MAX_DEPTH}")
    if isinstance(node, ast.Name):
        return {"column": _column_name(text, node)}
    if isinstance(node, ast.Constant):
        return {"constant": _number(text, node)}
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        args = [_tree(text, node.left, depth + 1, calls), _tree(text, node.right, depth + 1, calls)]
        return {"op": _BINARY[type(node.op)], "args": args}
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return {"op": _UNARY[type(node.op)], "args": [_tree(text, node.operand, depth + 1, calls)]}
    if isinstance(node, ast.Call):
        name = _function_name(text, node)
        calls.add(name.split(".")[0])
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise _refuse(text, f"{name}() takes exactly one argument here")
        inner = _tree(text, node.args[0], depth + 1, calls)
        if name == "I":
            return inner
        if name in _STATEFUL:  # fitted later; "source" is how formulaic keyed its state
            return {"op": name, "args": [inner], "source": ast.unparse(node)}
        return {"op": name.removeprefix("np."), "args": [inner]}
    raise _refuse(text, _describe(node))


def _function_name(text: str, node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name) and func.id in (*FUNCTIONS, *_STATEFUL, "I"):
        return func.id
    if (isinstance(func, ast.Attribute) and _is_name(func.value, "np")
            and func.attr in FUNCTIONS):
        return f"np.{func.attr}"
    if _is_name(func, "C"):
        raise _refuse(text, "C(...) must be a whole factor, not part of arithmetic")
    if isinstance(func, ast.Name):
        raise _refuse(text, f"{func.id}() is not one of the allowed functions")
    raise _refuse(text, f"calling {_describe(func)}")


def _column_name(text: str, node: ast.Name) -> str:
    if node.id in RESERVED:
        # formulaic would look the name up among its transforms or the data, whichever it
        # finds first; a column must not be mistaken for a function or the other way round.
        raise _refuse(text, f"the column name {node.id!r} is also a transform's name (rename "
                      "the column)")
    return node.id


def _number(text: str, node: ast.Constant) -> int | float:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse(text, _describe(node))
    if isinstance(value, int) and abs(value) > _MAX_INT:
        raise _refuse(text, f"the integer {shorten(str(value), 30)} exceeds 2**53")
    if isinstance(value, float) and not math.isfinite(value):
        raise _refuse(text, "a non-finite number")
    return value


_DESCRIPTIONS: dict[type, str] = {
    ast.Attribute: "an attribute access", ast.Subscript: "a subscript", ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension",
    ast.NamedExpr: "an assignment (:=)", ast.JoinedStr: "an f-string",
    ast.Compare: "a comparison", ast.BoolOp: "and/or", ast.IfExp: "a conditional expression",
    ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict", ast.Set: "a set",
    ast.Starred: "a starred argument", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield", ast.Slice: "a slice",
}


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        kind = type(node.value).__name__
        return f"a {kind} constant" if kind in ("str", "bytes") else f"the constant {kind}"
    what = _DESCRIPTIONS.get(type(node), f"a {type(node).__name__} expression")
    if isinstance(node, ast.BinOp | ast.UnaryOp):
        known = type(node.op) in _BINARY or type(node.op) in _UNARY
        what = "arithmetic" if known else f"the operator {type(node.op).__name__}"
    return f"{what} ({excerpt(ast.unparse(node), 40)})"


# -- C(column, contrasts, levels=[...]) -------------------------------------------------------
def _categorical(text: str, node: ast.Call, calls: set[str]) -> dict[str, Any]:
    calls.add("C")
    if not node.args or not isinstance(node.args[0], ast.Name) or len(node.args) > 2:
        raise _refuse(text, "C() takes a column name and at most a contrast")
    if any(isinstance(arg, ast.Starred) for arg in node.args):
        raise _refuse(text, "a starred argument")
    contrast = node.args[1] if len(node.args) == 2 else None
    levels = None
    for keyword in node.keywords:
        if keyword.arg == "levels":
            levels = _literal_list(text, keyword.value)
        elif keyword.arg == "contrasts" and contrast is None:
            contrast = keyword.value
        else:
            raise _refuse(text, f"C() has no argument {keyword.arg!r} here")
    reference = None if contrast is None else _treatment(text, contrast, calls)
    return {"kind": "categorical", "column": _column_name(text, node.args[0]),
            "levels": levels, "reference": reference}


def _treatment(text: str, node: ast.AST, calls: set[str]) -> list[Any] | None:
    """The reference level of ``contr.treatment(base)`` / ``Treatment(base)``, as a
    one-element list (None: the first level), the only contrast a model file keeps."""
    func = node.func if isinstance(node, ast.Call) else None
    is_contr = (isinstance(func, ast.Attribute) and _is_name(func.value, "contr")
                and func.attr == "treatment")
    if not (is_contr or (func is not None and _is_name(func, "Treatment"))):
        raise _refuse(text, "the only contrast is contr.treatment(reference)")
    calls.add("contr" if is_contr else "Treatment")
    named = node.keywords
    if any(k.arg not in ("base", "reference") for k in named) or len(node.args) + len(named) > 1:
        raise _refuse(text, "a treatment contrast takes one reference level")
    values = [*node.args, *(k.value for k in named)]
    return [_literal(text, values[0])] if values else None


def _literal_list(text: str, node: ast.AST) -> list[Any]:
    if not isinstance(node, ast.List | ast.Tuple) or not node.elts:
        raise _refuse(text, "levels= must be a non-empty list of literals")
    return [_literal(text, element) for element in node.elts]


def _literal(text: str, node: ast.AST) -> Any:
    """A level: a str, bool, int or float literal, or a negative number."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _literal(text, node.operand)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _refuse(text, "a level must be a text, number or boolean literal")
        return -value
    if isinstance(node, ast.Constant) and isinstance(node.value, str | bool):
        return node.value
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return _number(text, node)
    raise _refuse(text, "a level must be a text, number or boolean literal")


# -- stored trees -----------------------------------------------------------------------------
def check_tree(tree: Any, where: str) -> None:
    """Raises ``FormulaRefused`` unless ``tree`` is a fitted numeric tree of the closed set
    (the module docstring): every node's keys, op, arity and numbers are checked."""
    count = [0]
    _check_node(tree, where, 0, count)


def _check_node(node: Any, where: str, depth: int, count: list[int]) -> None:
    count[0] += 1
    if depth > MAX_DEPTH or count[0] > _MAX_NODES:
        raise FormulaRefused(f"{where} is nested deeper than {MAX_DEPTH} or has more than "
                             f"{_MAX_NODES} nodes")
    if not isinstance(node, dict):
        raise FormulaRefused(f"{where} has a node that is not an object: {excerpt(repr(node))}")
    keys = set(node)
    if keys == {"column"} and isinstance(node["column"], str):
        return
    if keys == {"constant"} and _finite_number(node["constant"]):
        return
    op = node.get("op")
    arity, extra = _STORED.get(op, (None, ())) if isinstance(op, str) else (None, ())
    if arity is None or keys != {"op", "args", *extra}:
        raise FormulaRefused(f"{where} has a node outside the closed set: {excerpt(repr(node))}")
    if not isinstance(node["args"], list) or len(node["args"]) != arity:
        raise FormulaRefused(f"{where}: {op} takes {arity} argument(s)")
    if not all(_finite_number(node[key]) for key in extra) or node.get("scale", 1) <= 0:
        raise FormulaRefused(f"{where}: {op} needs finite numbers (a positive scale)")
    for arg in node["args"]:
        _check_node(arg, where, depth + 1, count)


def _finite_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return abs(value) <= _MAX_INT if isinstance(value, int) else math.isfinite(value)


def tree_columns(tree: dict[str, Any]) -> list[str]:
    """The data columns a (checked) tree reads, in first-use order."""
    if "column" in tree:
        return [tree["column"]]
    found: list[str] = []
    for arg in tree.get("args", ()):
        found += [name for name in tree_columns(arg) if name not in found]
    return found


def tree_ops(tree: dict[str, Any]) -> set[str]:
    """The functions and transforms a (checked) tree applies."""
    op = tree.get("op")
    ops = {op} if op in FUNCTIONS or op in ("center", "scale") else set()
    for arg in tree.get("args", ()):
        ops |= tree_ops(arg)
    return ops


# -- computing ----------------------------------------------------------------------------------
def evaluate(tree: dict[str, Any], columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """The values of a fitted tree, from ``columns`` (float64 arrays by column name).

    Errors are left to IEEE arithmetic (log of a negative number is NaN, a division by zero
    infinite): the caller refuses non-finite results with the factor's name."""
    with np.errstate(all="ignore"):
        return np.asarray(_value(tree, columns), dtype=np.float64)


def _value(node: dict[str, Any], columns: Mapping[str, np.ndarray]) -> Any:
    if "column" in node:
        return columns[node["column"]]
    if "constant" in node:
        return node["constant"]
    args = [_value(arg, columns) for arg in node["args"]]
    if not any(isinstance(arg, np.ndarray) for arg in args):
        # constants alone: as doubles, so I(10**10**10) overflows to inf instead of making
        # Python compute a ten-billion-digit integer
        args = [np.float64(arg) for arg in args]
    op = node["op"]
    if op == "center":
        return args[0] - node["center"]
    if op == "scale":
        return (args[0] - node["center"]) / node["scale"]
    return _APPLY[op](*args)


def fit_tree(tree: dict[str, Any], columns: Mapping[str, np.ndarray], name: str) -> dict:
    """``tree`` with each center/scale/standardize node given its training numbers, as
    formulaic's ``scale`` computes them (mean; root of the sum of squares / (n - ddof))."""
    if "op" not in tree:
        return tree
    args = [fit_tree(arg, columns, name) for arg in tree["args"]]
    op = tree["op"]
    if op not in _STATEFUL:
        return {"op": op, "args": args}
    data = evaluate(args[0], columns)
    center = float(np.mean(data, axis=0))
    if op == "center":
        return {"op": "center", "args": args, "center": center}
    ddof = _STATEFUL[op]
    centered = data - center
    with np.errstate(all="ignore"):
        scale = float(np.sqrt(np.sum(centered**2, axis=0) / (data.shape[0] - ddof)))
    if not (math.isfinite(scale) and scale > 0):
        raise DataError(f"{name}: {op}() needs a column that varies over at least "
                        f"{ddof + 1} rows")
    return {"op": "scale", "args": args, "center": center, "scale": scale}
