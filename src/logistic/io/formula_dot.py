"""``.`` in a formula: every other column of the data, written out before formulaic reads it.

    y ~ .               y ~ (x1 + x2 + C(g) + C(flag))
    y ~ . - x2 - g      x2 and g left out (a text column g too, which . writes C(g))
    y ~ . + I(x1**2)    the dot beside other terms, as any term
    y ~ . + C(grade)    a column the formula writes as C(col) enters with that coding only

The dot stands for the data's columns in their order except the response's (``y``, the
columns of ``cbind(s, f)``), the columns of ``offset(col)`` and ``strata(col)``, those the
caller excludes (the command line's --weight, --cluster and --strata columns) and those the
formula itself writes as ``C(col)``. Numeric columns enter as they are; text, pandas
categorical, boolean and any other non-numeric columns as ``C(col)``: treatment coding, the
first level (sorted, or the dtype's own order) the reference, as ``C(col)`` written out gives.
statsmodels and R expand ``.`` the same way (R's ``terms(y ~ ., data = frame)``).

The formula is read as text: brackets, quotes, backticks and calls are skipped over whole,
nothing is evaluated. The rewritten formula names only real columns, so what formulaic and
``formula.py`` see, and what a saved model keeps, are the expanded terms.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from logistic.io.formula_expr import FormulaRefused, excerpt, shorten

__all__ = ["MAX_DOT_LEVELS", "categorical_term", "expand_dot", "has_dot", "is_categorical",
           "numeric_term"]

#: A non-numeric column with more levels than this is not swept in by ``.`` (or by the
#: command line's ``--categorical auto``): such a column is mostly an identifier or free
#: text, and hundreds of indicator columns would be fitted silently. Writing ``C(col)``
#: (or naming the column in ``--categorical``) fits it anyway.
MAX_DOT_LEVELS = 100

_NAME = re.compile(r"[A-Za-z_.][\w.]*")
_NUMBER = re.compile(r"\d[\w.]*")
_CALL_ARGUMENT = re.compile(r"^\s*(`[^`]+`|[A-Za-z_.][\w.]*)")
_CLOSING = {"(": ")", "[": "]", "{": "}"}


@dataclass
class _Token:
    kind: str  # "name", "dot", "call", "op", "open", "close", "other"
    start: int
    end: int
    text: str  # a name without its backticks; a call's whole text


def has_dot(formula: object) -> bool:
    """Whether ``formula`` has a ``.`` term on its right-hand side."""
    if not isinstance(formula, str) or "." not in formula:
        return False
    _, rhs = _split(_tokens(formula))
    return any(token.kind == "dot" for token in rhs)


def is_categorical(series: pd.Series) -> bool:
    """Whether ``.`` writes the column as ``C(col)``: anything but plain numbers (booleans,
    text, pandas categoricals, dates)."""
    dtype = series.dtype
    return not (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
                and not pd.api.types.is_complex_dtype(dtype))


def numeric_term(name: str) -> str:
    """The column ``name`` as a formula term: as it is, or in backticks where it is not a
    Python name (``my col``, ``x.1``). Raises ``FormulaRefused`` for a name with a backtick."""
    if name.isidentifier() and not keyword.iskeyword(name):
        return name
    if "`" in name or not name.strip():
        raise FormulaRefused(f"the column {excerpt(name)} cannot be written in a formula "
                             "(a backtick, or blank): rename it")
    return f"`{name}`"


def categorical_term(name: str) -> str:
    """``C(name)``; the name must be a Python name (C()'s argument is read as one)."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise FormulaRefused(f"the column {excerpt(name)} cannot be written C({shorten(name)}) "
                             "(its name is not a Python name): rename it, or leave it out")
    return f"C({name})"


def expand_dot(formula: str, frame: pd.DataFrame, exclude: Iterable[str | None] = (),
               max_chars: int | None = None) -> str:
    """``formula`` with each ``.`` of its right-hand side written out, in brackets, as the
    columns of ``frame`` it stands for (the module docstring) but those a ``- col`` term
    removes; a formula without a dot as it is.

    Raises ``FormulaRefused`` where the dot stands for no column, a ``- col`` names no
    column of the data, a non-numeric column has more than ``MAX_DOT_LEVELS`` levels or a
    name that ``C()`` cannot take, or the result is longer than ``max_chars``."""
    if max_chars is not None and isinstance(formula, str) and len(formula) > max_chars:
        return formula  # parse_formula refuses an over-long formula with its own words
    if not has_dot(formula):
        return formula
    lhs, rhs = _split(_tokens(formula))
    columns = list(frame.columns)
    for name in columns:
        if not isinstance(name, str):
            raise FormulaRefused(f"'.' needs column names that are text; the data have the "
                                 f"column {name!r}")
    removed = {token.text for token in _removals(rhs)}
    missing = sorted(removed - set(columns))
    if missing:
        raise FormulaRefused(f"the formula {excerpt(formula)} removes {missing[0]!r}, which "
                             "is not a column of the data")
    # a removed column is left out of the expansion; its "- col" then removes nothing more
    left_out = removed | _named_columns(lhs, rhs) | {c for c in exclude if c is not None}
    swept = [c for c in columns if c not in left_out]
    if not swept:
        raise FormulaRefused(f"'.' in {excerpt(formula)} stands for the data's other columns, "
                             "and there are none")
    terms = [_categorical_swept(c, frame[c]) if is_categorical(frame[c]) else numeric_term(c)
             for c in swept]
    dot = f"({' + '.join(terms)})"
    dots = [t for t in rhs if t.kind == "dot"]
    length = len(formula) + len(dots) * (len(dot) - 1)  # counted before the text is made
    if max_chars is not None and length > max_chars:
        raise FormulaRefused(f"'.' in {excerpt(formula)} stands for {len(swept)} columns, "
                             f"{length} characters written out, more than the {max_chars} "
                             "of a formula: name the columns")
    expanded = formula
    for token in reversed(dots):
        expanded = expanded[:token.start] + dot + expanded[token.end:]
    return expanded


def _categorical_swept(name: str, series: pd.Series) -> str:
    """``C(name)`` of a non-numeric column the dot takes, unless it has too many levels."""
    levels = series.nunique()
    if levels > MAX_DOT_LEVELS:
        raise FormulaRefused(f"'.' would fit the column {name!r} as C({shorten(name)}) of "
                             f"{levels} levels (more than {MAX_DOT_LEVELS}; an identifier or "
                             f"free text?): leave it out with '- {shorten(name)}', or write "
                             f"C({shorten(name)}) to fit its levels")
    return categorical_term(name)


def _named_columns(lhs: list[_Token], rhs: list[_Token]) -> set[str]:
    """The columns the dot leaves out: every name of the left-hand side (a column, or those
    of cbind(...)) and the arguments of C(), offset() and strata() calls."""
    names: set[str] = set()
    for token in lhs:
        if token.kind == "name":
            names.add(token.text)
        elif token.kind == "call":
            names.update(_NAME.findall(token.text))
    for token in rhs:
        function = token.text.split("(", 1)[0].strip() if token.kind == "call" else ""
        if function in ("C", "offset", "strata"):
            match = _CALL_ARGUMENT.match(token.text.split("(", 1)[1])
            if match is not None:
                names.add(match.group(1).strip("`"))
    return names


def _removals(rhs: list[_Token]) -> list[_Token]:
    """The name tokens of ``- col`` terms: a minus, one column name, then +, -, ) or the end."""
    found = []
    for k in range(len(rhs) - 1):
        minus, name = rhs[k], rhs[k + 1]
        after = rhs[k + 2] if k + 2 < len(rhs) else None
        if (minus.kind == "op" and minus.text == "-" and name.kind == "name" and (
                after is None or after.kind == "close"
                or (after.kind == "op" and after.text in "+-"))):
            found.append(name)
    return found


def _split(tokens: list[_Token]) -> tuple[list[_Token], list[_Token]]:
    """(the left-hand side's tokens, the right-hand side's), at the first ``~``."""
    for k, token in enumerate(tokens):
        if token.kind == "op" and token.text == "~":
            return tokens[:k], tokens[k + 1:]
    return [], tokens


def _tokens(text: str) -> list[_Token]:
    """The formula's tokens outside calls, brackets and quotes (each of those one token)."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "'\"":
            end = _after_quote(text, i)
            tokens.append(_Token("other", i, end, text[i:end]))
            i = end
        elif char == "`":
            end = text.find("`", i + 1)
            end = n if end < 0 else end + 1
            tokens.append(_Token("name", i, end, text[i + 1:end - 1]))
            i = end
        elif char == "(" and tokens and tokens[-1].kind == "name" and tokens[-1].end == i:
            end = _after_bracket(text, i)
            start = tokens.pop().start
            tokens.append(_Token("call", start, end, text[start:end]))
            i = end
        elif char in "[{":
            end = _after_bracket(text, i)
            tokens.append(_Token("other", i, end, text[i:end]))
            i = end
        elif char in "()":
            tokens.append(_Token("open" if char == "(" else "close", i, i + 1, char))
            i += 1
        elif char.isdigit():
            match = _NUMBER.match(text, i)
            assert match is not None
            tokens.append(_Token("other", i, match.end(), match.group()))
            i = match.end()
        elif _NAME.match(text, i):
            match = _NAME.match(text, i)
            assert match is not None
            word = match.group()
            is_dot = word == "." and not text[match.end():match.end() + 1] == "("
            tokens.append(_Token("dot" if is_dot else "name", i, match.end(), word))
            i = match.end()
        else:
            width = 2 if text.startswith("**", i) else 1
            tokens.append(_Token("op", i, i + width, text[i:i + width]))
            i += width
    return tokens


def _after_quote(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return len(text)


def _after_bracket(text: str, start: int) -> int:
    """The index after the bracket that closes the one at ``start`` (quotes skipped)."""
    stack = [_CLOSING[text[start]]]
    i = start + 1
    while i < len(text) and stack:
        char = text[i]
        if char in "'\"":
            i = _after_quote(text, i)
            continue
        if char in _CLOSING:
            stack.append(_CLOSING[char])
        elif char == stack[-1]:
            stack.pop()
        i += 1
    return i
