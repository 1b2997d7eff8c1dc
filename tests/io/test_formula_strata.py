"""``strata(col)`` taken out of a formula as text: the rest keeps its terms and coding."""

from __future__ import annotations

import pytest

from logistic.io.formula_expr import FormulaRefused
from logistic.io.formula_strata import split_strata


@pytest.mark.parametrize("formula, rest, column", [
    ("y ~ x1 + strata(id) + C(g)", "y ~ x1 + 1 + C(g)", "id"),
    ("y ~ strata(pair.id) + x", "y ~ 1 + x", "pair.id"),
    ("y ~ x + strata(`matched set`)", "y ~ x + 1", "matched set"),
    ("y ~ x1 + x2", "y ~ x1 + x2", None),
    ("y ~ x1 + mystrata(x2)", "y ~ x1 + mystrata(x2)", None),
])
def test_the_strata_term_becomes_the_intercept(formula, rest, column):
    assert split_strata(formula) == (rest, column)


@pytest.mark.parametrize("formula, message", [
    ("y ~ strata(a) + strata(b)", "2 strata"),
    ("y ~ x:strata(id)", "not a factor of an interaction"),
    ("strata(id) ~ x", "right-hand side"),
    ("y ~ x + strata(a + b)", "one column name"),
])
def test_other_uses_of_strata_are_refused(formula, message):
    with pytest.raises(FormulaRefused, match=message):
        split_strata(formula)
