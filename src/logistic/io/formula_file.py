"""A model file's ``formula`` object read back into a ``FormulaSpec``, evaluating nothing.

Schema 2 (written since the formula stopped being code) stores the encoding as data::

    {"formula": "1 + x1 + C(g) + log(x3)",       the terms written out, for people only
     "response": "y", "columns": [...], "intercept": true,
     "terms": [["x1"], ["C(g)"], ["log(x3)"]],   factor names per term (intercept aside)
     "factors": {"x1": {"kind": "numerical", "expr": {"column": "x1"}},
                 "C(g)": {"kind": "categorical", "column": "g",
                          "levels": ["a", "b", "c"], "reference": "a"},
                 "log(x3)": {"kind": "numerical",
                             "expr": {"op": "log", "args": [{"column": "x3"}]}}}}

Every field is checked, the trees against ``formula_expr``'s closed set, and the columns the
terms make must be the file's ``columns``; the ``formula`` text must be the terms written out,
so what a person reads is what the model computes.

Schema 1 files hold formulaic's own state: the formula string, ``encoder_state`` (each
factor's kind and categories) and ``transform_state`` (center/scale numbers keyed by the
call's text). The string is parsed (formulaic's tokenizer, then ``parse_factor``: never
evaluated) into the same data, with levels and numbers taken from the two states; a file
whose formula leaves the closed set is refused, naming the part.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from logistic.io.formula import FormulaSpec, build_spec, parse_formula
from logistic.io.formula_expr import FormulaRefused, excerpt, parse_factor

__all__ = ["decode"]

_KEYS = {
    1: ("formula", "response", "columns", "intercept", "encoder_state", "transform_state"),
    2: ("formula", "response", "columns", "intercept", "terms", "factors"),
}


def decode(document: Any, schema_version: int = 2) -> FormulaSpec:
    """The ``FormulaSpec`` a model file's formula object describes (``FormulaSpec.to_dict``'s
    data; ``schema_version`` 1: the older file form, a formula string with formulaic's
    encoder and transform state), every part checked. Raises ``FormulaRefused`` (a
    ``DataError``) for anything malformed or outside the closed set."""
    if schema_version not in _KEYS:
        raise FormulaRefused(f"no formula encoding is known for schema version {schema_version}")
    if not isinstance(document, dict):
        raise FormulaRefused("the formula must be a JSON object")
    keys = _KEYS[schema_version]
    missing = [k for k in keys if k not in document]
    # "offset" (offset(col)'s column) is there only where the formula has one
    extra = sorted(str(k) for k in document if k not in (*keys, "offset"))
    if missing or extra:
        raise FormulaRefused("; ".join(
            [f"missing key(s) {', '.join(repr('formula.' + k) for k in missing)}"] * bool(missing)
            + [f"unexpected key(s) {', '.join(repr('formula.' + k) for k in extra)}"] * bool(extra)
        ))
    response, columns, intercept = _common(document)
    if schema_version == 1:
        return _from_version_1(document, response, columns, intercept)
    terms, factors = document["terms"], document["factors"]
    if not isinstance(terms, list) or not all(
        isinstance(t, list) and all(isinstance(n, str) for n in t) for t in terms
    ):
        raise FormulaRefused("formula.terms must be a list of lists of factor names")
    if not isinstance(factors, dict):
        raise FormulaRefused("formula.factors must be an object")
    spec = build_spec(response, intercept, [tuple(t) for t in terms], factors, columns)
    if "offset" in document:
        offset = document["offset"]
        if not isinstance(offset, str) or not offset:
            raise FormulaRefused("formula.offset must be a column name")
        spec = replace(spec, offset=offset)
    if document["formula"] != spec.formula:
        raise FormulaRefused(f"formula.formula {excerpt(str(document['formula']))} is not its "
                             f"terms written out, {excerpt(spec.formula)}")
    return spec


def _common(document: dict[str, Any]) -> tuple[str | None, tuple[str, ...], bool]:
    response, columns = document["response"], document["columns"]
    if response is not None and not isinstance(response, str):
        raise FormulaRefused("formula.response must be null or a column name")
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise FormulaRefused("formula.columns must be a list of names")
    if not isinstance(document["intercept"], bool):
        raise FormulaRefused("formula.intercept must be true or false")
    if not isinstance(document["formula"], str):
        raise FormulaRefused("formula.formula must be a string")
    return response, tuple(columns), document["intercept"]


def _from_version_1(
    document: dict[str, Any], response: str | None, columns: tuple[str, ...], intercept: bool
) -> FormulaSpec:
    encoder_state, transform_state = document["encoder_state"], document["transform_state"]
    if not isinstance(encoder_state, dict) or not isinstance(transform_state, dict):
        raise FormulaRefused("formula.encoder_state and formula.transform_state must be objects")
    _check_written_form(document["formula"])
    lhs, terms, has_intercept = parse_formula(document["formula"])
    if lhs is not None:
        raise FormulaRefused("formula.formula must be the right-hand side only")
    if has_intercept != intercept:
        raise FormulaRefused("formula.intercept does not match formula.formula")
    factors: dict[str, dict[str, Any]] = {}
    for term in terms:
        for expr, method in term:
            if expr not in factors:
                factors[expr] = _factor(expr, method, encoder_state, transform_state)
    names = [tuple(expr for expr, _ in term) for term in terms]
    return build_spec(response, intercept, names, factors, columns)


def _check_written_form(text: Any) -> None:
    """A schema-1 formula is formulaic's own rendering, terms joined by ' + ' and factors by
    ':'. Any other operator outside brackets (* / ** - ~ |) is refused before formulaic's
    parser sees it: the parser expands products, and 'x0*x1*...*x25' is 2**26 terms."""
    if not isinstance(text, str):
        raise FormulaRefused("formula.formula must be a string")
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and char in "*/-~|%^":
            raise FormulaRefused(f"formula.formula {excerpt(text)} has {char!r} between its "
                                 "terms; a saved formula joins terms by + and factors by :")


def _encoder(encoder_state: dict[str, Any], expr: str) -> tuple[str, dict[str, Any]]:
    entry = encoder_state.get(expr)
    ok = isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], dict)
    if not ok or entry[0] not in ("numerical", "categorical"):
        raise FormulaRefused(f"formula.encoder_state has no [kind, state] for {excerpt(expr)}")
    return entry[0], entry[1]


def _factor(
    expr: str, method: str, encoder_state: dict[str, Any], transform_state: dict[str, Any]
) -> dict[str, Any]:
    """One factor of a schema-1 file as data, its kind as the file's encoder state says."""
    if method == "lookup":
        kind, state = _encoder(encoder_state, expr)
        parsed: dict[str, Any] = {"kind": kind, "expr": {"column": expr}, "column": expr,
                                  "levels": None, "reference": None}
    else:
        parsed, _ = parse_factor(expr)  # the closed set first: the code is refused as code
        kind, state = _encoder(encoder_state, expr)
    if parsed["kind"] != kind:
        raise FormulaRefused(f"formula.encoder_state says {excerpt(expr)} is {kind}")
    if kind == "numerical":
        return {"kind": "numerical", "expr": _fill(parsed["expr"], transform_state, expr)}
    levels = state.get("categories")
    if not isinstance(levels, list) or not levels:
        raise FormulaRefused(f"formula.encoder_state has no categories for {excerpt(expr)}")
    reference = levels[0]
    if parsed["reference"] is not None:
        matches = [level for level in levels if level == parsed["reference"][0]]
        if not matches:
            raise FormulaRefused(f"{excerpt(expr)}: the reference level is not a category")
        reference = matches[0]
    return {"kind": "categorical", "column": parsed["column"], "levels": levels,
            "reference": reference}


def _fill(tree: dict[str, Any], transform_state: dict[str, Any], expr: str) -> dict[str, Any]:
    """The parsed tree with formulaic's saved center/scale numbers in its stateful nodes."""
    if "op" not in tree:
        return tree
    args = [_fill(arg, transform_state, expr) for arg in tree["args"]]
    if "source" not in tree:
        return {"op": tree["op"], "args": args}
    state = transform_state.get(tree["source"])
    center = state.get("center") if isinstance(state, dict) else None
    scale = state.get("scale") if isinstance(state, dict) else None
    if not _number(center) or (tree["op"] != "center" and not _number(scale)):
        raise FormulaRefused(f"formula.transform_state has no numbers for "
                             f"{excerpt(tree['source'])} in {excerpt(expr)}")
    if tree["op"] == "center":
        return {"op": "center", "args": args, "center": center}
    return {"op": "scale", "args": args, "center": center, "scale": scale}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(
        value
    )
