"""The conditional logistic family: matched strata, no intercept, one coefficient row.

    P(the cases of stratum s are the rows they are | mₛ cases in s)
        = exp(Σ_cases xᵢ·β) / Σ_{|S| = mₛ} exp(Σ_{j∈S} xⱼ·β)          (core/conditional.py)

Each stratum's own intercept cancels from this likelihood, which is why there is none. A
stratum of only cases or only controls has likelihood 1 whatever β: it is dropped (and
counted). A column constant within every stratum cancels the same way and is not
identifiable. Scores are ηᵢ = xᵢ·β; the probability of row i being the case of its
stratum, given that the stratum has one case, is the softmax of η within the stratum.

What this module does: the checks of strata, labels and weights, the prepared problem
(rows sorted by stratum, x centred within), the Newton fit, the statistics (exact
information, ℓ at β = 0 as the null model) and the profile-likelihood intervals.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from logistic.core.conditional import ConditionalObjective, centred_within, stratum_offsets
from logistic.core.linalg import solve_psd
from logistic.core.scaling import column_scales, scale_columns, unscale_statistics
from logistic.exceptions import DataError, StrataDroppedWarning
from logistic.inference.profile import profile_bounds
from logistic.inference.statistics import FitStatistics
from logistic.solvers.newton import newton
from logistic.solvers.result import SolverResult

__all__ = ["ConditionalProblem", "conditional_statistics", "fit_problem", "prepare_problem",
           "profile_intervals", "stratum_codes", "within_stratum_probabilities"]

Array = NDArray[np.float64]


def stratum_codes(groups: object, n_rows: int) -> NDArray[np.intp]:
    """Integer codes 0..G-1 of each row's stratum; missing strata are a ``DataError``."""
    if groups is None:
        raise DataError("conditional logistic regression needs each row's stratum: "
                        "fit(X, y, groups=...), strata='column', or strata(col) in a formula")
    labels = groups.to_numpy() if isinstance(groups, pd.Series) else np.asarray(groups)
    labels = labels.ravel()
    if labels.shape[0] != n_rows:
        raise DataError(f"the strata have {labels.shape[0]} values for {n_rows} rows")
    codes, _ = pd.factorize(labels, use_na_sentinel=True)  # NaN, None and NaT: -1
    missing = np.flatnonzero(codes < 0)
    if missing.size:
        shown = ", ".join(map(str, missing[:5])) + (", ..." if missing.size > 5 else "")
        raise DataError(f"the strata have missing values at rows {shown}")
    return codes.astype(np.intp)


@dataclass
class ConditionalProblem:
    """The kept rows sorted by stratum: the objective, and where its rows came from."""

    objective: ConditionalObjective
    n_strata: int
    n_dropped: int
    n_rows_used: int
    #: powers of two by which columns beyond 2^±64 are fitted (β = s ⊙ β̃), or None
    scales: Array | None = None

    def user_units(self, beta_scaled: Array) -> Array:
        return beta_scaled if self.scales is None else beta_scaled * self.scales

    def fitted_units(self, beta: Array) -> Array:
        return beta if self.scales is None else beta / self.scales


def prepare_problem(X: Array, cases: Array, codes: NDArray[np.intp], weights: Array,
                    method: str, names: list[str]) -> ConditionalProblem:
    """Drops the strata without variation, checks what is left, sorts and centres it."""
    counts = np.bincount(codes)
    case_counts = np.bincount(codes, weights=cases, minlength=counts.size)
    informative = (case_counts > 0) & (case_counts < counts)
    n_dropped = int(np.sum(~informative))
    if not informative.any():
        raise DataError(f"all {counts.size} strata have only cases or only controls: "
                        "none carries information on the coefficients")
    if n_dropped:
        warnings.warn(f"{n_dropped} of {counts.size} strata have only cases or only controls "
                      "and were dropped (they carry no information)", StrataDroppedWarning,
                      stacklevel=3)
    keep = informative[codes]
    kept_codes = np.cumsum(informative)[codes[keep]] - 1
    order, offsets = stratum_offsets(kept_codes)
    rows = np.flatnonzero(keep)[order]
    centred = centred_within(np.asarray(X, dtype=np.float64)[rows], offsets)
    _check_identifiable(centred, names)
    scales = column_scales(centred)  # x of 1e300 would overflow the information's x²
    if scales is not None:
        centred = scale_columns(centred, scales)
    sorted_weights = weights[rows]
    if method == "exact":
        _check_stratum_weights(sorted_weights, offsets)
    objective = ConditionalObjective(centred, cases[rows], sorted_weights, offsets, method)
    return ConditionalProblem(objective, int(informative.sum()), n_dropped, int(rows.size),
                              scales)


def _check_identifiable(centred: Array, names: list[str]) -> None:
    """Columns constant within every stratum cancel from the likelihood: name them."""
    spread = np.max(np.abs(centred), axis=0, initial=0.0)
    scale = np.max(np.abs(centred), initial=0.0)
    constant = [names[j] for j in np.flatnonzero(spread <= 1e-12 * max(scale, 1e-300))]
    if constant:
        raise DataError(f"the columns {', '.join(map(repr, constant))} are constant within "
                        "every stratum: their coefficients cancel from the conditional "
                        "likelihood (not identifiable); drop them")


def _check_stratum_weights(weights: Array, offsets: NDArray[np.intp]) -> None:
    """ties='exact' takes a weight per stratum (frequencies of identical strata)."""
    first = weights[offsets[:-1]]
    if np.any(np.repeat(first, np.diff(offsets)) != weights):
        raise DataError("ties='exact' weights whole strata: sample_weight must be the same "
                        "for every row of a stratum (row weights need ties='breslow' or "
                        "'efron', as R's clogit)")


def fit_problem(problem: ConditionalProblem, max_iter: int, tol: float,
                start: Array | None = None) -> SolverResult:
    """Newton from β = 0 (or ``start``), H formed at every step (it comes with ∇ℓ)."""
    theta0 = np.zeros(problem.objective.n_params) if start is None else start
    return newton(problem.objective, theta0, max_iter=max_iter, tol=tol,
                  reuse_hessian=False)


def conditional_statistics(problem: ConditionalProblem, beta: Array,
                           terms: tuple[str, ...]) -> FitStatistics | None:
    """cov = (-∇²ℓ(β̂))⁻¹ (pseudo-inverse where singular), ℓ(β̂), ℓ(0), N = Σ sᵢ of the
    rows kept; no intercepts, so df_model is the rank and AIC = -2ℓ + 2·rank. ``beta`` in
    the problem's (possibly rescaled) units; the statistics in the user's, or None where a
    variance is outside the float64 range (``scaling.UNREPRESENTABLE_COVARIANCE``)."""
    objective = problem.objective
    log_likelihood, _, information = objective.log_likelihood_parts(beta)
    null = objective.log_likelihood_parts(np.zeros_like(beta))[0]
    cov, rank = solve_psd(information, np.eye(information.shape[0]))
    statistics = FitStatistics(terms=terms, params=np.asarray(beta, dtype=np.float64).copy(),
                               cov=cov, rank=rank, n_obs=objective.total_weight,
                               log_likelihood=log_likelihood, null_log_likelihood=null,
                               n_intercepts=0)
    if problem.scales is None:
        return statistics
    return unscale_statistics(statistics, problem.scales, 1, fit_intercept=False)


def profile_intervals(problem: ConditionalProblem, beta: Array, std_err: Array,
                      alpha: float, max_iter: int = 100) -> Array:
    """(p, 2): {v : 2(ℓ(β̂) - max ℓ(β | βⱼ = v)) ≤ χ²₁(1 - α)}, ±inf where unbounded;
    ``beta`` and ``std_err`` in the user's units."""
    objective = problem.objective
    unit = np.ones(beta.size) if problem.scales is None else problem.scales
    beta, std_err = beta / unit, std_err / unit
    best = objective.log_likelihood_parts(beta)[0]
    quantile = float(stats.chi2.ppf(1.0 - alpha, 1))
    intervals = np.empty((beta.size, 2))
    for j in range(beta.size):
        others = np.delete(beta, j)

        def statistic(value: float, j: int = j, others: Array = others) -> float:
            constrained = objective.without_column(j, value)
            if constrained.n_params == 0:
                return 2.0 * (best - constrained.log_likelihood_parts(others)[0]) - quantile
            result = newton(constrained, others, max_iter=max_iter, tol=1e-8,
                            reuse_hessian=False)
            return 2.0 * (best - constrained.log_likelihood_parts(result.theta)[0]) - quantile

        intervals[j] = profile_bounds(statistic, float(beta[j]),
                                      float(stats.norm.ppf(1 - alpha / 2) * std_err[j]))
    return intervals * unit[:, None]


def within_stratum_probabilities(eta: Array, codes: NDArray[np.intp]) -> Array:
    """P(row i is its stratum's case | one case in the stratum) = e^ηᵢ / Σ_{j∈s} e^ηⱼ,
    with each stratum's largest η subtracted first (no overflow for any finite η)."""
    top = np.full(codes.max(initial=-1) + 1, -np.inf)
    np.maximum.at(top, codes, eta)
    scaled = np.exp(eta - top[codes])
    totals = np.bincount(codes, weights=scaled)
    return scaled / totals[codes]
