"""Odds ratios of a fitted logistic model (Stata's ``logistic``, SAS's ODDSRATIO statement).

For a coefficient βⱼ and an increment c of its column (1 unless chosen)::

    odds ratio     OR = exp(c·βⱼ)                 the odds' factor when xⱼ grows by c
    std err        se(OR) = OR·|c|·se(βⱼ)          (the delta method, as Stata prints it)
    z, P>|z|       those of βⱼ (the test of OR = 1 is the test of βⱼ = 0)
    interval       exp(c·[lo, hi]) of βⱼ's interval (Wald's or the profile likelihood's),
                   its ends swapped where c < 0

With K classes the rows are classes 2..K against the first: exp(c·βₖⱼ) is the factor of the
odds of class k over the first. Intercepts have no odds ratio (their exp is the baseline odds,
not a ratio) and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

__all__ = ["odds_ratio_table", "term_increments"]

Array = NDArray[np.float64]


def term_increments(
    term_features: Sequence[str | None], feature_names: Sequence[str],
    increments: Mapping[str, float] | None,
) -> Array:
    """The increment c of each term (``term_features``: the feature of each term, None for an
    intercept): ``increments[feature]``, else 1. Raises ValueError on a name that is not a
    feature or a value that is not a finite nonzero number."""
    increments = dict(increments or {})
    unknown = sorted(set(increments) - set(feature_names), key=str)
    if unknown:
        raise ValueError(
            f"increments names {', '.join(map(repr, unknown))}, not among the model's features "
            f"{list(feature_names)!r}"
        )
    for name, value in increments.items():
        number = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
        if not number or not np.isfinite(value) or value == 0:
            raise ValueError(f"the increment of {name!r} must be a finite nonzero number, "
                             f"got {value!r}")
    return np.array([float(increments.get(f, 1.0)) if f is not None else 1.0
                     for f in term_features])


def odds_ratio_table(
    terms: Sequence[str],
    params: Array,
    std_err: Array,
    interval: Array,
    increments: Array,
    alpha: float,
    keep: NDArray[np.bool_],
) -> pd.DataFrame:
    """The odds-ratio table (formulas in the module docstring) of the terms where ``keep``
    (the coefficients, not the intercepts); ``interval`` is βⱼ's (p, 2) interval."""
    c = increments
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ratio = np.exp(c * params)
        se = ratio * np.abs(c) * std_err
        z = params / std_err
        ends = np.exp(c[:, None] * interval)
    ends = np.sort(ends, axis=1)  # c < 0 swaps the ends
    low, high = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
    table = pd.DataFrame(
        {"odds ratio": ratio, "std err": se, "z": z, "P>|z|": 2.0 * stats.norm.sf(np.abs(z)),
         low: ends[:, 0], high: ends[:, 1], "increment": c},
        index=list(terms),
    )
    return table.loc[keep]
