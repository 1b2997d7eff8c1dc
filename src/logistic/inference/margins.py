"""Marginal effects of a fitted logistic model, with the delta method's standard errors
(statsmodels' ``get_margeff(method='dydx')``, Stata's ``margins, dydx()``).

With θ in the statistics' layout, η = X̃Θᵀ and P = softmax([0, η]) (K classes; for two,
P₁ = σ(η)), the effect of column j on the probability of class k at a row x is::

    continuous          ∂Pₖ/∂xⱼ = Pₖ (W̃ₖⱼ - Σₘ Pₘ W̃ₘⱼ),  W̃ = [0; W]   (two: P(1 - P)·wⱼ)
    indicator (0/1)     Pₖ(x with xⱼ = 1) - Pₖ(x with xⱼ = 0)           (dummy=True)
    factor level j      Pₖ(x at level j) - Pₖ(x at the reference level): every column of the
                        factor's dummy set at 0, then column j at 1 (formula models' C(g))

    at='overall'        the (sample-weighted) average of the effect over the rows (AME)
    at='mean'           the effect at the column means x̄ (MEM)
    at={col: value}     the average over the rows with those columns set to the values

Every effect is a smooth function m(θ); its covariance is the delta method's
J V Jᵀ, J = ∂m/∂θ, with J computed by the complex step Im m(θ + i·h·eₗ)/h (exact to rounding,
no step to tune), V the model's covariance. Other columns, interactions included, are held
as they are (as statsmodels does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy import stats

from logistic.inference.prediction import class_probabilities, linear_predictors

__all__ = ["MarginalEffects", "indicator_columns", "marginal_effects"]

Array = NDArray[np.float64]

_STEP = 1e-20  # the complex step: no subtraction, so no cancellation however small


@dataclass(frozen=True)
class MarginalEffects:
    """Marginal effects with their standard errors.

    ``table``: a DataFrame indexed by column (two classes; the effect on P(classes[1])) or
    by (class, column) (K classes), with dy/dx, std err, z, P>|z| and the interval;
    ``kinds``: 'derivative' or 'discrete change' per column; ``cov``: the effects' covariance.
    """

    table: pd.DataFrame
    kinds: dict[str, str]
    cov: Array
    at: str
    alpha: float

    def summary(self) -> str:
        """The table as text, with what it holds."""
        discrete = [c for c, k in self.kinds.items() if k == "discrete change"]
        lines = [
            "Marginal effects (dy/dx) of a logistic regression".center(78), "=" * 78,
            f"At: {self.at}    Method: dydx, delta-method standard errors", "=" * 78,
            self.table.to_string(float_format=lambda v: f"{v:.4f}"), "=" * 78,
        ]
        if discrete:
            lines.append("Discrete change (0 → 1, or from the factor's reference level): "
                         + ", ".join(discrete))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def indicator_columns(X) -> list[int]:
    """The columns whose values are all 0 or 1 (with both present)."""
    if sp.issparse(X):  # by the stored values of each column: one pass, no dense column
        columns = sp.csc_matrix(X)
        found = []
        for j in range(columns.shape[1]):
            stored = columns.data[columns.indptr[j]:columns.indptr[j + 1]]
            stored = stored[stored != 0]
            if 0 < stored.size < columns.shape[0] and np.all(stored == 1):
                found.append(j)
        return found
    found = []
    for j in range(X.shape[1]):
        values = np.unique(_column(X, j))
        if values.size == 2 and values[0] == 0 and values[1] == 1:
            found.append(j)
    return found


def _column(X, j: int) -> Array:
    if sp.issparse(X):
        return np.asarray(X[:, [j]].toarray(), dtype=np.float64).ravel()
    return np.asarray(X[:, j], dtype=np.float64)


@dataclass(frozen=True)
class _Rows:
    """The rows the effects are evaluated at: X with some columns fixed, and row weights."""

    X: object
    fixed: dict[int, float]
    weights: Array

    def value(self, j: int) -> Array:
        if j in self.fixed:
            return np.full(self.weights.size, self.fixed[j])
        return _column(self.X, j)


def _rows_at(X, at, names: Sequence[str], weights: Array) -> tuple[_Rows, str]:
    """The evaluation rows of ``at`` ('overall', 'mean' or a {column: value} dict)."""
    if isinstance(at, Mapping):
        unknown = [c for c in at if c not in names]
        if unknown:
            raise ValueError(f"at names column(s) {', '.join(map(repr, unknown))} that the "
                             f"model does not have; its columns are {list(names)!r}")
        fixed = {list(names).index(c): float(v) for c, v in at.items()}
        if not all(np.isfinite(list(fixed.values()))):
            raise ValueError("the values of at must be finite numbers")
        shown = ", ".join(f"{c}={v:g}" for c, v in zip(at, fixed.values(), strict=True))
        return _Rows(X, fixed, weights), f"overall, with {shown}"
    if at == "overall":
        return _Rows(X, {}, weights), "overall (average of the rows)"
    if at == "mean":
        means = np.asarray(X.T @ weights, dtype=np.float64)  # sparse X stays sparse
        return _Rows(means.reshape(1, -1), {}, np.ones(1)), "mean (the columns' means)"
    raise ValueError(f"at must be 'overall', 'mean' or a dict of column values, got {at!r}")


def _effects_function(
    rows: _Rows, n_blocks: int, fit_intercept: bool, plan: list[tuple[str, int, list[int]]],
) -> Callable[[NDArray], NDArray]:
    """m(θ): the effects of ``plan`` ((kind, column, its factor's columns) each), flattened
    (column-major in classes), in closed form and analytic in θ (formulas in the module
    docstring)."""
    discrete = {g for kind, _, group in plan if kind != "derivative" for g in group}
    values = {j: rows.value(j) for j in discrete}
    shifts = {j: v - _column(rows.X, j) for j, v in rows.fixed.items()}

    def effects(theta: NDArray) -> NDArray:
        W = np.reshape(theta, (n_blocks, -1))[:, int(fit_intercept):]
        eta = linear_predictors(rows.X, theta, n_blocks, fit_intercept)
        for j, shift in shifts.items():
            eta = eta + shift[:, None] * W[:, j]
        P = class_probabilities(eta)
        out = []
        for kind, j, group in plan:
            if kind == "derivative":
                slopes = np.concatenate([[0.0], W[:, j]])
                change = P * (slopes - P @ slopes[:, None])
            else:
                base = eta - sum(values[g][:, None] * W[:, g] for g in group)
                change = class_probabilities(base + W[:, j]) - class_probabilities(base)
            out.append(rows.weights @ change)
        stacked = np.vstack(out)
        return (stacked[:, 1:] if n_blocks == 1 else stacked).ravel(order="F")

    return effects


def _complex_step_jacobian(function: Callable[[NDArray], NDArray], theta: Array) -> Array:
    """J[:, l] = Im m(θ + i·h·eₗ) / h."""
    columns = []
    for index in range(theta.size):
        shifted = theta.astype(np.complex128)
        shifted[index] += 1j * _STEP
        columns.append(function(shifted).imag / _STEP)
    return np.column_stack(columns)


def marginal_effects(
    X, params: Array, cov: Array, n_blocks: int, fit_intercept: bool, names: Sequence[str],
    *, at="overall", dummies: Sequence[int] = (), factors: Sequence[Sequence[int]] = (),
    weights: Array | None = None, alpha: float = 0.05, classes: Sequence = (),
) -> MarginalEffects:
    """The effects of every column of X (``names``), with ``dummies`` (0/1 columns) and
    ``factors`` (each a factor's dummy set) as discrete changes, the rest as derivatives."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    n = X.shape[0]
    w = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, float) / np.sum(weights)
    rows, label = _rows_at(X, at, names, w)
    group_of = {j: list(group) for group in factors for j in group}
    plan = [("discrete change" if j in group_of or j in dummies else "derivative", j,
             group_of.get(j, [j])) for j in range(len(names))]
    function = _effects_function(rows, n_blocks, fit_intercept, plan)
    theta = np.asarray(params, dtype=np.float64)
    effects = function(theta).real
    jacobian = _complex_step_jacobian(function, theta)
    effects_cov = jacobian @ cov @ jacobian.T
    se = np.sqrt(np.clip(np.diag(effects_cov), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = effects / se
    half = stats.norm.ppf(1.0 - alpha / 2.0) * se
    if n_blocks == 1:
        index: pd.Index = pd.Index(list(names), name="column")
    else:
        index = pd.MultiIndex.from_product([list(classes), list(names)], names=["class", "column"])
    table = pd.DataFrame({
        "dy/dx": effects, "std err": se, "z": z, "P>|z|": 2.0 * stats.norm.sf(np.abs(z)),
        f"[{alpha / 2:g}": effects - half, f"{1 - alpha / 2:g}]": effects + half,
    }, index=index)
    kinds = {names[j]: kind for kind, j, _ in plan}
    return MarginalEffects(table, kinds, effects_cov, label, alpha)
