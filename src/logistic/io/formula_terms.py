"""Which columns a formula's terms become: formulaic's rank rules, as plain logic.

A categorical factor can enter a term reduced (treatment-coded, its reference level dropped:
``C(g)[T.b]``) or in full (one column per level: ``C(g)[a]``). Which one formulaic picks
depends on the terms before it: the intercept and the lower-order terms already span some
directions, and each new term adds only what they do not (patsy's rule, which formulaic
follows). A term may so become several *scoped terms* (``C(g):C(h)`` without main effects is
``C(h)[T.v]`` plus ``C(g)[T.b]:C(h)[u]``...). ``scoped_terms`` mirrors formulaic's
``_get_scoped_terms`` / ``_simplify_scoped_terms`` on factor names only, so a loaded model
rebuilds its columns without formulaic evaluating anything, and ``interaction_names`` /
``interaction_values`` order and multiply the columns of a scoped term as formulaic's pandas
materializer does (the first factor varies fastest). tests/test_formula.py checks the result
against formulaic's own model matrices.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["ScopedTerm", "interaction_names", "interaction_values", "scoped_terms"]

#: A scoped term: (factor name, reduced) for each of its factors, in the term's order.
ScopedTerm = tuple[tuple[str, bool], ...]


def scoped_terms(
    terms: Sequence[Sequence[str]], categorical: set[str], intercept: bool
) -> list[ScopedTerm]:
    """The scoped terms of ``terms`` (factor names, formulaic's order, the intercept left
    out) in column order; ``categorical`` names the factors that can be reduced."""
    spanned: set[frozenset[tuple[str, bool]]] = {frozenset()} if intercept else set()
    out: list[ScopedTerm] = []
    for term in terms:
        choices = [((name, True), None) if name in categorical else ((name, False),)
                   for name in term]
        span = _unique(tuple(f for f in pick if f is not None)
                       for pick in itertools.product(*choices))
        span = [scoped for scoped in span if frozenset(scoped) not in spanned]
        spanned.update(frozenset(scoped) for scoped in span)
        out.extend(_simplify(span))
    return out


def _unique(items: Iterable[ScopedTerm]) -> list[ScopedTerm]:
    """Scoped terms without repeats, first occurrence kept (formulaic's OrderedSet; two
    scoped terms are equal when they hold the same factors, whatever the order)."""
    seen: set[frozenset[tuple[str, bool]]] = set()
    kept = []
    for item in items:
        if frozenset(item) not in seen:
            seen.add(frozenset(item))
            kept.append(item)
    return kept


def _simplify(scoped: list[ScopedTerm]) -> list[ScopedTerm]:
    """The fewest scoped terms spanning the same space: ``A:B- + A`` becomes ``A:B`` (a
    reduced factor plus the term without it is the full factor), repeated to a fixed point."""
    terms: list[ScopedTerm] = []
    for term in sorted(scoped, key=len):
        factors = set(term)
        for existing in terms:
            difference = factors - set(existing)
            if len(factors) - 1 != len(existing) or len(difference) != 1:
                continue
            (new,) = difference
            if new[1]:
                merged = tuple((name, False) if (name, reduced) == new else (name, reduced)
                               for name, reduced in term)
                rest = [t for t in terms if frozenset(t) != frozenset(existing)]
                terms = _simplify(_unique([*rest, merged]))
                break
        else:
            terms = _unique([*terms, term])
    return terms


def interaction_names(parts: Sequence[Sequence[str]]) -> list[str]:
    """The column names of a scoped term whose factors have the column names ``parts``."""
    return [":".join(reversed(pick)) for pick in itertools.product(*reversed(parts))]


def interaction_values(parts: Sequence[Sequence[np.ndarray]]) -> list[np.ndarray]:
    """The columns of a scoped term, in ``interaction_names`` order. Like formulaic, the
    factors with one column are multiplied together first and last in each product, so the
    floating-point results are the same bits."""
    solo = [part[0] for part in parts if len(part) == 1]
    multi = [list(part) for part in parts if len(part) != 1]
    if solo:
        multi.append([functools.reduce(np.multiply, solo)])
    return [
        functools.reduce(np.multiply, reversed(pick))
        for pick in itertools.product(*reversed(multi))
    ]
