"""A random-effects term ``(1 + x1 | g)`` in a formula, taken out as data (lme4's syntax).

    y ~ x1 + x2 + (1 | g)          a random intercept per level of g
    y ~ x1 + x2 + (1 + x1 | g)     a random intercept and slope of x1, correlated
    y ~ x1 + x2 + (1 + x1 || g)    the same, uncorrelated (a diagonal Σ)
    y ~ x1 + (0 + x1 | g)          a random slope alone (also "-1 + x1", as in R)

The term is recognised by its text — parentheses around column names joined by "+" on
the left of "|" (or "||") and one column name on its right — and removed before the rest
of the formula is parsed (``formula.py``); nothing is evaluated. An intercept is implied
unless "0" or "-1" is written, as in R.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logistic.io.formula_expr import FormulaRefused, excerpt

__all__ = ["RandomTerm", "split_random"]

_NAME = r"`[^`]+`|[A-Za-z_.][\w.]*"
_BAR_TERM = re.compile(r"\(([^()]*?)(\|\|?)([^()]*)\)")
_GROUP = re.compile(rf"^\s*({_NAME})\s*$")
_PIECE = re.compile(rf"^\s*({_NAME}|0|1|-\s*1)\s*$")


@dataclass(frozen=True)
class RandomTerm:
    """The random part of a formula: the slopes' columns, whether a random intercept is
    there, the grouping column and whether Σ is diagonal ('||')."""

    slopes: tuple[str, ...]
    intercept: bool
    group: str
    diagonal: bool


def split_random(formula: str) -> tuple[str, RandomTerm]:
    """(the formula without its random-effects term, the term). FormulaRefused for none,
    more than one (one grouping factor), one on the left-hand side or one whose parts are
    not plain column names."""
    if "~" not in formula:
        raise FormulaRefused("a mixed model's formula needs a response: 'y ~ x + (1 | g)'")
    found = list(_BAR_TERM.finditer(formula))
    if not found:
        raise FormulaRefused(f"the formula {excerpt(formula)} has no random-effects term "
                             "such as (1 | group)")
    if len(found) > 1:
        raise FormulaRefused(f"the formula {excerpt(formula)} has {len(found)} random-effects "
                             "terms; one grouping factor is supported")
    match = found[0]
    if match.start() < formula.index("~"):
        raise FormulaRefused("the random-effects term belongs on the right-hand side")
    term = _parse_term(match.group(1), match.group(3), match.group(2) == "||", match.group(0))
    before, after = formula[: match.start()].rstrip(), formula[match.end():].lstrip()
    if before.endswith((":", "*", "/")) or after.startswith((":", "*", "/")):
        raise FormulaRefused("the random-effects term is a term of its own, not a factor of "
                             "an interaction")
    if before.endswith("+"):
        before = before[:-1].rstrip()
    elif after.startswith("+"):
        after = after[1:].lstrip()
    fixed = f"{before} {after}".strip()
    if fixed.endswith("~"):
        fixed += " 1"
    return fixed, term


def _parse_term(left: str, right: str, diagonal: bool, text: str) -> RandomTerm:
    """The term's parts: "1 + x1" (or "0 + x1", "x1") on the left, a column on the right."""
    group = _GROUP.match(right)
    if group is None:
        raise FormulaRefused(f"in {excerpt(text)} the right of '|' must be one column name "
                             "(nested or crossed factors are not supported)")
    intercept, slopes = True, []
    for piece in (p for p in re.split(r"\+", left)):
        matched = _PIECE.match(piece)
        if matched is None:
            raise FormulaRefused(f"in {excerpt(text)} the left of '|' must be '1', '0' and "
                                 f"column names joined by '+', got {excerpt(piece.strip())}")
        value = re.sub(r"\s+", "", matched.group(1))
        if value in ("0", "-1"):
            intercept = False
        elif value != "1":
            slopes.append(value.strip("`"))
    if len(set(slopes)) != len(slopes):
        raise FormulaRefused(f"in {excerpt(text)} a column is named twice")
    return RandomTerm(tuple(slopes), intercept, group.group(1).strip("`"), diagonal)
