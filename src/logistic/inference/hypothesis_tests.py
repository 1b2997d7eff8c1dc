"""Tests of hypotheses about a fit's coefficients θ̂ (covariance V): Wald's of linear
restrictions, the likelihood ratio of nested models, Rao's score test of added columns.

    Wald      Rθ = q:  W = (Rθ̂ - q)ᵀ (R V Rᵀ)⁻¹ (Rθ̂ - q) ~ χ²(rank R)
              (statsmodels' ``wald_test(..., scalar=True)``; V of the model's cov_type)
    LR        LR = 2(ℓ_big - ℓ_small) = D_small - D_big ~ χ²(df_big - df_small)
              (R's ``anova(m1, m2, test="Chisq")``), for nested unpenalized fits on one data set
    score     adding columns Z to a fit at θ̃, whose score and information at [θ̃, 0] are
              U = [X̃, Z]ᵀ s(y - p̃) and I = [X̃, Z]ᵀ diag(s p̃(1 - p̃)) [X̃, Z]:
              S = Uᵀ I⁻¹ U ~ χ²(columns of Z)   (R's ``anova(test="Rao")``; statsmodels' GLM
              ``score_test(exog_extra=Z)``); only the small model is fitted, and I is the
              model-based information whatever the fit's cov_type

Restrictions given as text ("x1 = x2, x3 = 0", "2*x1 - x2 = 1") are read as data: each side a
sum of signed terms, a term a known name with an optional number before it (``2*x1``,
``0.5 x1``) or a number; nothing is evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from logistic.core.linalg import solve_psd

__all__ = ["TestResult", "chi2_test", "parse_restrictions", "restriction_matrix", "wald_test"]

Array = NDArray[np.float64]

_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class TestResult:
    """One χ² test: its statistic, degrees of freedom and p-value P(χ²(df) > statistic)."""

    name: str
    statistic: float
    df: float
    p_value: float

    def __str__(self) -> str:
        return (f"{self.name}: chi2({self.df:g}) = {self.statistic:.6g}, "
                f"P > chi2 = {self.p_value:.4g}")


def chi2_test(name: str, statistic: float, df: float) -> TestResult:
    """P(χ²(df) > statistic) as a TestResult (NaN for df ≤ 0)."""
    p = float(stats.chi2.sf(statistic, df)) if df > 0 else float("nan")
    return TestResult(name, float(statistic), float(df), p)


def wald_test(params: Array, cov: Array, R: Array, q: Array) -> TestResult:
    """W = (Rθ̂ - q)ᵀ (R V Rᵀ)⁻¹ (Rθ̂ - q) ~ χ²(rank of R V Rᵀ)."""
    difference = R @ params - q
    middle = R @ cov @ R.T
    inverse, rank = solve_psd(middle, np.eye(middle.shape[0]))
    return chi2_test("Wald test", float(difference @ inverse @ difference), rank)


def restriction_matrix(R: ArrayLike, q: ArrayLike | None, n_params: int) -> tuple[Array, Array]:
    """(R, q) checked: R (m, n_params) finite, q (m,) (zeros by default)."""
    matrix = np.atleast_2d(np.asarray(R, dtype=np.float64))
    if matrix.ndim != 2 or matrix.shape[1] != n_params:
        raise ValueError(
            f"the restriction matrix R must have {n_params} columns (one per coefficient, "
            f"intercept first, as in summary()), got shape {np.shape(R)}"
        )
    values = np.zeros(matrix.shape[0]) if q is None else np.atleast_1d(
        np.asarray(q, dtype=np.float64)).ravel()
    if values.shape != (matrix.shape[0],):
        raise ValueError(f"q must hold {matrix.shape[0]} values (one per row of R), "
                         f"got shape {np.shape(q)}")
    if not (np.all(np.isfinite(matrix)) and np.all(np.isfinite(values))):
        raise ValueError("R and q must be finite")
    return matrix, values


def parse_restrictions(text: str, terms: Sequence[str]) -> tuple[Array, Array]:
    """(R, q) from restrictions such as "x1 = x2, x3 = 0" over ``terms`` (read as data)."""
    rows, values = [], []
    for part in text.split(","):
        sides = part.split("=")
        if len(sides) != 2 or not sides[0].strip() or not sides[1].strip():
            raise ValueError(f"each restriction must be 'left = right', got {part.strip()!r}")
        left, left_constant = _linear_side(sides[0], terms)
        right, right_constant = _linear_side(sides[1], terms)
        rows.append(left - right)
        values.append(right_constant - left_constant)
    return np.vstack(rows), np.array(values)


def _linear_side(text: str, terms: Sequence[str]) -> tuple[Array, float]:
    """The coefficients of ``terms`` and the constant of one side: a sum of signed terms."""
    by_length = sorted(terms, key=len, reverse=True)  # 'x10' before 'x1'
    row, constant, at, expect_term = np.zeros(len(terms)), 0.0, 0, True
    while True:
        at = _skip_spaces(text, at)
        if at == len(text):
            break
        sign = 1.0
        if text[at] in "+-":
            sign = -1.0 if text[at] == "-" else 1.0
            at = _skip_spaces(text, at + 1)
        elif not expect_term:
            raise ValueError(f"expected + or - at {text[at:]!r} in the restriction {text!r}")
        # a name first: terms may start with digits ('2: x1', a class labelled 2)
        factor, name = None, next((t for t in by_length if text.startswith(t, at)), None)
        if name is None:
            factor, at = _number_at(text, at)
            at = _skip_spaces(text, at)
            if factor is not None and text.startswith("*", at):
                at = _skip_spaces(text, at + 1)
            name = next((t for t in by_length if text.startswith(t, at)), None)
        if name is None:
            if factor is None:
                raise ValueError(f"{text[at:].strip()!r} in the restriction {text.strip()!r} is "
                                 f"neither a number nor a term; the terms are {list(terms)!r}")
            constant += sign * factor
        else:
            row[list(terms).index(name)] += sign * (1.0 if factor is None else factor)
            at += len(name)
        expect_term = False
    return row, constant


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _number_at(text: str, at: int) -> tuple[float | None, int]:
    match = _NUMBER.match(text, at)
    if match is None:
        return None, at
    return float(match.group(0)), match.end()
