"""``strata(col)`` in a formula: the conditional model's matched sets, taken out as data.

"case ~ x1 + C(g) + strata(pair)" is the formula "case ~ x1 + C(g)" with the strata in
the column ``pair`` (R's clogit writes the same). The term is recognised by its text — the
word ``strata``, one column name in parentheses (plain, or in backticks) — and removed
before the rest of the formula is parsed (``formula.py``); nothing is evaluated.
"""

from __future__ import annotations

import re

from logistic.io.formula_expr import FormulaRefused

__all__ = ["split_strata"]

_STRATA_CALL = re.compile(r"(?<![\w.])strata\(")
_STRATA = re.compile(r"(?<![\w.])strata\(\s*(`[^`]+`|[A-Za-z_.][\w.]*)\s*\)")


def split_strata(formula: str) -> tuple[str, str | None]:
    """(the formula without its ``strata(col)`` term, col), or (formula, None) without one.

    Raises ``FormulaRefused`` for more than one strata term, one on the left-hand side, or
    one combined with other factors (``x:strata(id)``)."""
    found = list(_STRATA.finditer(formula))
    if not found:
        if _STRATA_CALL.search(formula):
            raise FormulaRefused("strata(...) takes one column name: strata(col)")
        return formula, None
    if len(found) > 1:
        raise FormulaRefused(f"the formula {formula!r} has {len(found)} strata(...) terms; "
                             "one column names the strata")
    match = found[0]
    if "~" in formula and match.start() < formula.index("~"):
        raise FormulaRefused("strata(...) belongs on the right-hand side of the formula")
    before, after = formula[: match.start()].rstrip(), formula[match.end():].lstrip()
    if before.endswith((":", "*", "/")) or after.startswith((":", "*", "/")):
        raise FormulaRefused("strata(col) is a term of its own, not a factor of an "
                             "interaction")
    # the term becomes "1", the intercept the model has anyway (conditioning removes it
    # later), so the other terms keep the coding they have beside an intercept
    return f"{before} 1 {after}".strip(), match.group(1).strip("`")
