"""The random-effects term of a formula, read as text (lme4's syntax for one factor)."""

from __future__ import annotations

import pytest

from logistic.io.formula_expr import FormulaRefused
from logistic.io.formula_random import RandomTerm, split_random


@pytest.mark.parametrize(("formula", "fixed", "term"), [
    ("y ~ x1 + x2 + (1 | g)", "y ~ x1 + x2", RandomTerm((), True, "g", False)),
    ("y ~ x1 + (1 + x1 | g)", "y ~ x1", RandomTerm(("x1",), True, "g", False)),
    ("y ~ x1 + (x1 | g)", "y ~ x1", RandomTerm(("x1",), True, "g", False)),
    ("y ~ x1 + (1 + x1 || g)", "y ~ x1", RandomTerm(("x1",), True, "g", True)),
    ("y ~ x1 + (0 + x1 | g)", "y ~ x1", RandomTerm(("x1",), False, "g", False)),
    ("y ~ x1 + (-1 + x1 | g)", "y ~ x1", RandomTerm(("x1",), False, "g", False)),
    ("y ~ (1 | g) + x1", "y ~ x1", RandomTerm((), True, "g", False)),
    ("y ~ (1 | g)", "y ~ 1", RandomTerm((), True, "g", False)),
    ("cbind(s, f) ~ x + (1 | `my group`)", "cbind(s, f) ~ x",
     RandomTerm((), True, "my group", False)),
])
def test_the_random_term_is_split_off(formula, fixed, term):
    assert split_random(formula) == (fixed, term)


@pytest.mark.parametrize(("formula", "message"), [
    ("y ~ x1", "no random-effects term"),
    ("y ~ x1 + (1 | g) + (1 | h)", "one grouping factor"),
    ("y ~ x1 + (1 | g/h)", "one column name"),
    ("y ~ x1 + (1 | g:h)", "one column name"),
    ("y ~ x1 + (x1^2 | g)", "column names joined"),
    ("y ~ x1 + (1 + x1 + x1 | g)", "named twice"),
    ("y ~ x1:(1 | g)", "term of its own"),
    ("x1 + (1 | g)", "needs a response"),
])
def test_other_shapes_are_refused(formula, message):
    with pytest.raises(FormulaRefused, match=message):
        split_random(formula)
