"""Model formulas ("y ~ x1 + C(group) + x1:x2"), fitted and re-applied without evaluating code.

``design_matrices(formula, data)`` turns a DataFrame into the numeric design the estimator
fits: categorical terms become treatment-coded columns (``C(group)[T.b]``), interactions
become products, ``center(x)`` and ``scale(x)`` remember their training statistics. What it
learned is a ``FormulaSpec``: the terms, each factor as data (a column and its levels, or a
small tree of arithmetic over columns, ``formula_expr``), so a saved model re-applies exactly
the same encoding to new data, and a level never seen in training is an error rather than a
silently wrong column.

Why not formulaic all the way: formulaic evaluates each factor as Python, so a formula, or a
model file holding one, could run any code (``{__import__('os').system(...)}``). Here
formulaic only *parses* the formula into terms (its tokenizer evaluates nothing); each
factor's text is then read by ``formula_expr.parse_factor`` into a closed set of data nodes,
and anything outside the set is refused, at fit time with ``DataError`` (``FormulaRefused``)
and in a model file with ``ModelFileError``. The columns are computed by this module, with
formulaic's names, order and rank rules (``formula_terms``); tests/test_formula.py checks
them against formulaic's own model matrices.

The response (left-hand side) must be a column name: its values are the class labels as
they are (strings included), not an encoded matrix. Rows with missing values are refused,
never dropped silently.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from logistic.exceptions import DataError
from logistic.io.formula_dot import expand_dot
from logistic.io.formula_expr import (
    MAX_DEPTH,
    FormulaRefused,
    bracket_depth,
    check_tree,
    evaluate,
    excerpt,
    fit_tree,
    parse_factor,
    shorten,
    tree_columns,
    tree_ops,
)
from logistic.io.formula_special import grouped_counts, offset_term
from logistic.io.formula_terms import (
    ScopedTerm,
    interaction_names,
    interaction_values,
    scoped_terms,
)

__all__ = ["MAX_FORMULA_CHARS", "FormulaRefused", "FormulaSpec", "design_matrices",
           "encode_raw", "formula_extras"]

#: The longest formula read, at fit time or from a model file (hundreds of terms fit).
MAX_FORMULA_CHARS = 20_000
#: The rank rules try every subset of a term's categorical factors (2**k, then simplify,
#: superexponential in k: 8 take a second, 10 a minute), so a term may have at most 6 of
#: them, and 16 factors in all; a model of more columns than this is refused too.
MAX_TERM_CATEGORICALS = 6
MAX_TERM_FACTORS = 16
MAX_COLUMNS = 1_000_000


@dataclass(frozen=True)
class FormulaSpec:
    """A fitted formula: how to turn a raw DataFrame into the model's columns.

    ``factors`` maps each factor's name (its text in the formula, ``C(g)``, ``log(x3)``) to
    ``{"kind": "numerical", "expr": tree}`` or ``{"kind": "categorical", "column": name,
    "levels": [...], "reference": level}``; ``terms`` lists the factor names of each term
    (the intercept aside). ``formula`` is the terms written out, for people to read."""

    formula: str
    response: str | None
    columns: tuple[str, ...]
    intercept: bool
    terms: tuple[tuple[str, ...], ...]
    factors: dict[str, dict[str, Any]]
    #: the column of ``offset(col)``, added to every score (``formula_special``), or None
    offset: str | None = None

    def transform(self, data: pd.DataFrame, unseen: str = "error") -> pd.DataFrame:
        """The model's columns for new rows, encoded as in training (no intercept column).

        A categorical level the model never saw raises ``DataError`` (``unseen="error"``), or
        with ``unseen="zero"`` gets all-zero indicator columns, with a ``UserWarning`` naming
        the column and the levels: under treatment coding with an intercept that is the
        reference level's encoding, so such rows predict as the reference level."""
        if unseen not in ("error", "zero"):
            raise ValueError(f"unseen must be 'error' or 'zero', got {unseen!r}")
        frame = _frame(data)
        values = _Values(frame, self.factors, unseen)
        out: dict[str, np.ndarray] = {}
        for scoped in self._scoped:
            parts = [values.columns(name, reduced) for name, reduced in scoped]
            out.update(zip(_names(scoped, self.factors), interaction_values(parts), strict=True))
        if tuple(out) != self.columns:  # build_spec made them equal; a changed spec is not
            raise DataError(f"the terms give the columns {list(out)}, the model expects "
                            f"{list(self.columns)}")
        return pd.DataFrame(out, index=frame.index).astype(np.float64)

    @cached_property
    def _scoped(self) -> list[ScopedTerm]:
        categorical = {n for n, f in self.factors.items() if f["kind"] == "categorical"}
        return scoped_terms(self.terms, categorical, self.intercept)

    def to_dict(self) -> dict[str, Any]:
        """The spec as JSON data (model file schema 2; "offset" only where there is one, a
        model file of schema 4): nothing in it is code."""
        document = {
            "formula": self.formula,
            "response": self.response,
            "columns": list(self.columns),
            "intercept": self.intercept,
            "terms": [list(term) for term in self.terms],
            "factors": self.factors,
        }
        return document if self.offset is None else {**document, "offset": self.offset}


def build_spec(
    response: str | None,
    intercept: bool,
    terms: list[tuple[str, ...]],
    factors: dict[str, dict[str, Any]],
    columns: tuple[str, ...] | None = None,
) -> FormulaSpec:
    """A checked ``FormulaSpec``; ``columns`` (from a model file) must be the ones the terms
    make. Raises ``FormulaRefused``."""
    for name, factor in factors.items():
        _check_factor(name, factor)
    _check_shadowing(factors)
    for term in terms:
        _check_term(term, factors)
    if set(factors) != {name for term in terms for name in term}:
        raise FormulaRefused("a factor is not used by any term")
    spec = FormulaSpec(
        formula=" + ".join(["1"] * intercept + [":".join(term) for term in terms]),
        response=response, columns=(), intercept=intercept, terms=tuple(terms),
        factors=factors,
    )
    # counted before any name is made: a file's levels could multiply to 10**12 columns
    count = sum(math.prod(len(_factor_names(n, factors[n], r)) for n, r in scoped)
                for scoped in spec._scoped)
    if count > MAX_COLUMNS:
        raise FormulaRefused(f"the terms make {count} columns, more than {MAX_COLUMNS}")
    if columns is not None and count != len(columns):
        raise FormulaRefused(f"the terms make {count} columns, the file lists {len(columns)}")
    made = tuple(name for scoped in spec._scoped for name in _names(scoped, factors))
    if not made or len(set(made)) != len(made):
        raise FormulaRefused(f"the formula makes {'no' if not made else 'repeated'} columns "
                             f"{shorten(str(list(made)), 200)}")
    if columns is not None and made != columns:
        raise FormulaRefused(f"the columns {shorten(str(list(columns)), 200)} are not those the "
                             f"terms make, {shorten(str(list(made)), 200)}")
    return FormulaSpec(spec.formula, response, made, intercept, spec.terms, factors)


def _check_term(term: tuple[str, ...], factors: dict[str, dict[str, Any]]) -> None:
    where = f"the term {excerpt(':'.join(map(str, term)))}"
    if not term or len(set(term)) != len(term) or not all(n in factors for n in term):
        raise FormulaRefused(f"{where} names a factor twice or one that is not a factor")
    categorical = sum(factors[n]["kind"] == "categorical" for n in term)
    if len(term) > MAX_TERM_FACTORS or categorical > MAX_TERM_CATEGORICALS:
        raise FormulaRefused(f"{where} has more than {MAX_TERM_FACTORS} factors or "
                             f"{MAX_TERM_CATEGORICALS} categorical ones")


def _check_factor(name: str, factor: Any) -> None:
    where = f"the factor {excerpt(name)}"
    if not isinstance(factor, dict) or factor.get("kind") not in ("numerical", "categorical"):
        raise FormulaRefused(f"{where} is not a numerical or categorical factor")
    if factor["kind"] == "numerical":
        if set(factor) != {"kind", "expr"}:
            raise FormulaRefused(f"{where} must have the keys 'kind' and 'expr'")
        check_tree(factor["expr"], where)
        return
    if set(factor) != {"kind", "column", "levels", "reference"}:
        raise FormulaRefused(f"{where} must have the keys 'kind', 'column', 'levels' and "
                             "'reference'")
    levels = factor["levels"]
    ok = isinstance(factor["column"], str) and isinstance(levels, list) and levels
    if not ok or not all(_level_value(v) for v in levels):
        raise FormulaRefused(f"{where} needs a column name and a list of levels (text, "
                             "finite numbers or booleans)")
    if len({(type(v), v) for v in levels}) != len(levels) or not _pandas_unique(levels):
        raise FormulaRefused(f"{where} repeats a level")
    _reference_index(factor, where)


def _level_value(value: Any) -> bool:
    return isinstance(value, str | bool | int) or (
        isinstance(value, float) and math.isfinite(value)
    )


def _pandas_unique(levels: list[Any]) -> bool:
    """Whether pandas takes ``levels`` as distinct categories (1 and 1.0 are one to it)."""
    try:
        pd.CategoricalDtype(levels)
    except (TypeError, ValueError):
        return False
    return True


def _reference_index(factor: dict[str, Any], where: str) -> int:
    reference = factor["reference"]
    for index, level in enumerate(factor["levels"]):
        if type(level) is type(reference) and level == reference:
            return index
    raise FormulaRefused(f"{where}: its reference {excerpt(repr(reference))} is not a level")


def _check_shadowing(factors: dict[str, dict[str, Any]]) -> None:
    """Refuses a column named like a transform the formula calls (``log(log)``): formulaic
    would look such a name up in the data first, so the text cannot mean what it says."""
    used: set[str] = set()
    called: set[str] = set()
    for name, factor in factors.items():
        if factor["kind"] == "categorical":
            used.add(factor["column"])
            called |= {"C"} if name.startswith("C(") else set()
        else:
            used.update(tree_columns(factor["expr"]))
            called |= tree_ops(factor["expr"])
    clash = sorted(used & called)
    if clash:
        raise FormulaRefused(f"the column {clash[0]!r} has the name of a transform the formula "
                             "calls; rename the column")


def _names(scoped: ScopedTerm, factors: dict[str, dict[str, Any]]) -> list[str]:
    return interaction_names([_factor_names(n, factors[n], reduced) for n, reduced in scoped])


def _factor_names(name: str, factor: dict[str, Any], reduced: bool) -> list[str]:
    """formulaic's column names: ``x``, ``C(g)[T.b]`` (reduced), ``C(g)[b]`` (full)."""
    if factor["kind"] == "numerical":
        return [name]
    levels = factor["levels"]
    if not reduced:
        return [f"{name}[{level}]" for level in levels]
    skip = _reference_index(factor, name)
    return [f"{name}[T.{level}]" for i, level in enumerate(levels) if i != skip]


class _Values:
    """Each factor's values on one frame, computed once however many terms use them."""

    def __init__(self, frame: pd.DataFrame, factors: dict[str, dict[str, Any]],
                 unseen: str = "error") -> None:
        self.frame, self.factors, self.unseen = frame, factors, unseen
        self._numeric: dict[str, np.ndarray] = {}
        self._factor: dict[str, np.ndarray] = {}

    def numeric(self, column: str) -> np.ndarray:
        if column not in self._numeric:
            self._numeric[column] = _numeric_column(self.frame, column)
        return self._numeric[column]

    def columns(self, name: str, reduced: bool) -> list[np.ndarray]:
        factor = self.factors[name]
        if name not in self._factor:
            if factor["kind"] == "numerical":
                self._factor[name] = self._numerical(name, factor["expr"])
            else:
                self._factor[name] = _codes(self.frame, name, factor, self.unseen)
        values = self._factor[name]
        if factor["kind"] == "numerical":
            return [values]
        skip = _reference_index(factor, name) if reduced else -1
        return [(values == i).astype(np.float64) for i in range(len(factor["levels"]))
                if i != skip]

    def _numerical(self, name: str, tree: dict[str, Any]) -> np.ndarray:
        values = evaluate(tree, {c: self.numeric(c) for c in tree_columns(tree)})
        bad = ~np.isfinite(values)
        if bad.any():
            raise DataError(
                f"the formula column {excerpt(name)} is not finite in {int(bad.sum())} row(s) "
                f"(first at index {self.frame.index[np.argmax(bad)]!r}): the log or square "
                "root of a negative number, a division by zero, or an infinite value"
            )
        return values


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        raise DataError(f"the data have no column {column!r}, which the formula uses")
    series = frame[column]
    if isinstance(series, pd.DataFrame):
        raise DataError(f"the data have more than one column named {column!r}")
    missing = series.isna().to_numpy()
    if missing.any():
        raise DataError(f"the column {column!r} holds null values ({int(missing.sum())}, first "
                        f"at index {frame.index[np.argmax(missing)]!r}); remove or impute them")
    return series


def _is_numeric(series: pd.Series) -> bool:
    dtype = series.dtype
    return bool(pd.api.types.is_bool_dtype(dtype) or (
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
    ))


def _numeric_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    series = _column(frame, column)
    if not _is_numeric(series):
        raise DataError(f"the formula computes with the column {column!r}, which is not "
                        f"numeric ({series.dtype}); use C({column}) for categories")
    return series.to_numpy(dtype=np.float64)


def _codes(frame: pd.DataFrame, name: str, factor: dict[str, Any],
           unseen: str = "error") -> np.ndarray:
    """Each row's level number; a level outside the model's is an error, never a NaN, or
    with ``unseen="zero"`` the code -1 (no indicator column is 1), with a warning."""
    series = _column(frame, factor["column"])
    # the categories pandas would make of the levels, so 1 matches 1.0 as in training
    categories = pd.CategoricalDtype(factor["levels"]).categories
    codes = np.asarray(categories.get_indexer(series))
    unseen_rows = codes < 0
    if unseen_rows.any():
        examples = ", ".join(repr(v) for v in pd.unique(series[unseen_rows])[:5])
        if unseen == "zero":
            warnings.warn(
                f"{int(unseen_rows.sum())} row(s) of {factor['column']!r} ({shorten(name)}) "
                f"hold level(s) the model never saw, {shorten(examples)}: encoded as all-zero "
                "indicators (the reference level under treatment coding)", UserWarning,
                stacklevel=4)
            return codes
        raise DataError(
            f"a categorical column has a level the model never saw: {factor['column']!r} "
            f"({shorten(name)}) holds {shorten(examples)}; the model knows "
            f"{shorten(', '.join(map(repr, factor['levels'])), 200)}"
        )
    return codes


# -- fitting ------------------------------------------------------------------------------------
def design_matrices(formula: str, data, exclude: Iterable[str | None] = ()) -> tuple[
        pd.DataFrame, np.ndarray | None, FormulaSpec]:
    """(X, y, spec) for ``formula`` on ``data``: X without the intercept column (the
    estimator's fit_intercept follows ``spec.intercept``), y the raw response or None.
    A formula outside the closed set (see the module docstring) is refused with
    ``FormulaRefused``, before anything of it is computed. A ``.`` term stands for the
    other columns of ``data`` but ``exclude`` (``formula_dot``)."""
    frame = _frame(data)
    formula = expand_dot(formula, frame, exclude, MAX_FORMULA_CHARS)
    response, terms, intercept = parse_formula(formula)
    terms, offset = offset_term(terms)
    counts = None
    if response is not None and len(response) == 1:
        counts = grouped_counts(response[0], frame)
    if counts is None and offset is not None and offset not in frame.columns:
        raise DataError(f"offset({offset}): the column {offset!r} is not in the data")
    if counts is None and response is not None and (len(response) != 1
                                                    or response[0] not in frame.columns):
        raise DataError(f"the left-hand side of {excerpt(formula)} must be one column of the "
                        f"data, got {excerpt(' + '.join(response))}")
    factors: dict[str, dict[str, Any]] = {}
    for term in terms:
        for expr, method in term:
            if expr not in factors:
                factors[expr] = _fit_factor(expr, method, frame)
    spec = build_spec(None if response is None else response[0], intercept,
                      [tuple(expr for expr, _ in term) for term in terms], factors)
    if offset is not None:
        spec = replace(spec, offset=offset)
    X = spec.transform(frame)
    y = None
    if counts is not None:
        y = counts[0]
    elif response is not None:
        y = frame[response[0]].to_numpy()
        if pd.isna(frame[response[0]]).any():
            raise DataError(f"the response column {response[0]!r} holds missing values")
    return X, y, spec


def formula_extras(spec: FormulaSpec, data: pd.DataFrame) -> dict[str, Any]:
    """``fit``'s keywords a formula's rows give: ``offset`` (its offset(col)'s column, named)
    and ``trials`` (of a cbind response)."""
    extras: dict[str, Any] = {}
    if spec.offset is not None:
        extras["offset"] = data[spec.offset]
    counts = None if spec.response is None else grouped_counts(spec.response, data)
    if counts is not None:
        extras["trials"] = counts[1]
    return extras


def parse_formula(text: Any) -> tuple[list[str] | None, list[list[tuple[str, str]]], bool]:
    """(the left-hand side's terms or None, the right-hand side's terms as (factor text,
    formulaic's eval method) pairs, whether there is an intercept), by formulaic's parser,
    which only tokenizes. Raises ``FormulaRefused`` for an unparsable or unsupported formula."""
    import formulaic
    from formulaic.formula import SimpleFormula

    if not isinstance(text, str):
        raise FormulaRefused(f"a formula is a string, got {type(text).__name__}")
    if len(text) > MAX_FORMULA_CHARS or bracket_depth(text) > MAX_DEPTH:
        raise FormulaRefused(f"the formula {excerpt(text)} is longer than {MAX_FORMULA_CHARS} "
                             f"characters or nests brackets deeper than {MAX_DEPTH}")
    try:
        parsed = formulaic.Formula(text)
    except Exception as error:  # noqa: BLE001 - formulaic raises several parser types
        raise FormulaRefused(f"cannot parse the formula {excerpt(text)}: "
                             f"{' '.join(str(error).split())}") from None
    response, rhs = None, parsed
    if hasattr(parsed, "lhs"):
        response, rhs = [str(term) for term in parsed.lhs], parsed.rhs
    if not isinstance(rhs, SimpleFormula):
        raise FormulaRefused(f"the formula {excerpt(text)} has several parts ('|'); one "
                             "right-hand side is supported")
    terms = [[(f.expr, f.eval_method.value) for f in term.factors] for term in rhs]
    intercept = [("1", "literal")] in terms
    terms = [term for term in terms if term != [("1", "literal")]]
    for term in terms:
        for expr, method in term:
            if method == "literal":
                raise FormulaRefused(f"the formula {excerpt(text)} scales a term by the "
                                     f"constant {excerpt(expr)}, which is not supported")
    return response, terms, intercept


def _fit_factor(expr: str, method: str, frame: pd.DataFrame) -> dict[str, Any]:
    """One factor, learned from the training frame: a lookup's kind follows its dtype."""
    if method == "lookup":
        series = _column(frame, expr)
        if _is_numeric(series):
            return {"kind": "numerical", "expr": {"column": expr}}
        return _fit_levels({"kind": "categorical", "column": expr, "levels": None,
                            "reference": None}, series, expr)
    factor, calls = parse_factor(expr)
    shadowed = sorted(calls & {str(c) for c in frame.columns})
    if shadowed:
        raise FormulaRefused(f"the data have a column named {shadowed[0]!r}, which the factor "
                             f"{excerpt(expr)} calls as a function; rename the column")
    if factor["kind"] == "categorical":
        return _fit_levels(factor, _column(frame, factor["column"]), expr)
    tree = factor["expr"]
    columns = {c: _numeric_column(frame, c) for c in tree_columns(tree)}
    return {"kind": "numerical", "expr": fit_tree(tree, columns, expr)}


def _fit_levels(factor: dict[str, Any], series: pd.Series, name: str) -> dict[str, Any]:
    """The levels as formulaic finds them (pandas' categories: sorted, or the dtype's own,
    or ``levels=`` as given) and the reference level as a level's own value."""
    given = factor["levels"]
    if given is not None:
        if not _pandas_unique(given):
            raise DataError(f"{excerpt(name)}: levels= repeats a level")
        extra = set(pd.unique(series)).difference(given)
        if extra:
            raise DataError(f"{excerpt(name)}: the data hold values outside levels=: "
                            f"{shorten(', '.join(map(repr, sorted(extra, key=str))))}")
        categories = pd.Series(pd.Categorical(series, categories=given)).cat.categories
    else:
        categories = series.astype("category").cat.categories
    levels = [v.item() if isinstance(v, np.generic) else v for v in categories]
    if not all(_level_value(v) for v in levels):
        raise DataError(f"{excerpt(name)}: a model file keeps levels that are text, numbers or "
                        f"booleans, not {type(levels[0]).__name__}")
    reference = levels[0]
    if factor["reference"] is not None:
        wanted = factor["reference"][0]
        if wanted not in levels:
            raise DataError(f"{excerpt(name)}: the reference level {wanted!r} is not in the data")
        reference = levels[levels.index(wanted)]
    return {"kind": "categorical", "column": factor["column"], "levels": levels,
            "reference": reference}


def _frame(data) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"a formula needs a pandas DataFrame, got {type(data).__name__}")
    return data


def encode_raw(spec: FormulaSpec | None, X: Any) -> Any:
    """A formula model's raw rows (a DataFrame of its data's columns) become its encoded
    columns; the encoded columns themselves, and anything without a formula, as given."""
    if spec is None or not isinstance(X, pd.DataFrame):
        return X
    if [str(c) for c in X.columns] == list(spec.columns):
        return X
    return spec.transform(X)
