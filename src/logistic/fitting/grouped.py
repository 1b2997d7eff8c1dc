"""Grouped binomial data: sᵢ successes out of nᵢ trials per row, as R's
``glm(cbind(s, n - s) ~ x, family = binomial)`` fits and reports them.

The fit minimizes the cross-entropy of the proportions yᵢ = sᵢ/nᵢ with weights wᵢ·nᵢ
(wᵢ the frequency weight of the group, 1 by default) — the same likelihood in θ as the
Σnᵢ expanded 0/1 rows. The statistics differ from the expanded rows' only by what does not
depend on θ and by what counts as an observation::

    ℓ(θ)      = Σᵢ wᵢ [log C(nᵢ, sᵢ) + sᵢ log pᵢ + (nᵢ - sᵢ) log(1 - pᵢ)]
    ℓ_sat     = ℓ at pᵢ = yᵢ (the saturated model: one parameter per group)
    deviance  = 2(ℓ_sat - ℓ),   null deviance = 2(ℓ_sat - ℓ₀)
    AIC       = -2ℓ + 2k  (so it holds -2 Σ wᵢ log C(nᵢ, sᵢ), as R's)
    df_resid  = G - k,   BIC = -2ℓ + k log G,   G = Σ wᵢ over the groups with nᵢ > 0

Groups of 0 trials carry no information: they get weight 0 (as in R, where they do not count
in the residual degrees of freedom). Counts must be whole numbers, 0 ≤ sᵢ ≤ nᵢ. The 0/1
separation screen (``fitting/separation_screen.py``) reads class labels, which grouped rows
do not have: a grouped fit is not screened (``separation_`` is None).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import gammaln, xlogy

from logistic.exceptions import DataError

__all__ = ["GroupedData", "GroupedTotals", "check_grouped"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class GroupedTotals:
    """What a fitted model keeps of its grouped data: G groups (with trials), N trials."""

    n_groups: float
    n_trials: float


def _counts(values: object, what: str, n_samples: int) -> Array:
    """Whole, finite, non-negative numbers, one per row."""
    try:
        counts = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"{what} must hold numbers, one per row") from None
    if counts.shape != (n_samples,):
        raise DataError(f"{what} has shape {counts.shape}; expected one count per row "
                        f"({n_samples},)")
    if not np.all(np.isfinite(counts)):
        raise DataError(f"{what} holds NaN or infinity")
    if np.any(counts < 0):
        raise DataError(f"{what} must be non-negative counts")
    if np.any(counts != np.round(counts)):
        row = int(np.flatnonzero(counts != np.round(counts))[0])
        raise DataError(f"{what} must be whole numbers (counts); row {row} holds "
                        f"{counts[row]!r}")
    return counts


def check_grouped(successes: object, trials: object, n_samples: int) -> tuple[Array, Array]:
    """(successes, trials) checked: whole numbers, 0 ≤ successes ≤ trials, some trials."""
    s = _counts(successes, "the successes (y with trials=)", n_samples)
    n = _counts(trials, "trials", n_samples)
    if np.any(s > n):
        row = int(np.flatnonzero(s > n)[0])
        raise DataError(f"successes exceed trials at row {row}: {s[row]:g} > {n[row]:g}")
    if not np.any(n > 0):
        raise DataError("every row has 0 trials: there is nothing to fit")
    return s, n


@dataclass(frozen=True, eq=False)
class GroupedData:
    """Checked grouped data: successes s, trials n and the groups' frequency weights w."""

    successes: Array
    trials: Array
    weights: Array

    @property
    def proportions(self) -> Array:
        """yᵢ = sᵢ/nᵢ, 0 where nᵢ = 0 (such a row has weight 0)."""
        return np.divide(self.successes, self.trials, out=np.zeros_like(self.trials),
                         where=self.trials > 0)

    @property
    def fit_weights(self) -> Array:
        """wᵢ·nᵢ: the cross-entropy weights that give the binomial likelihood."""
        return self.weights * self.trials

    def totals(self) -> GroupedTotals:
        """G = Σ wᵢ over groups with nᵢ > 0, N = Σ wᵢnᵢ."""
        return GroupedTotals(float(self.weights[self.trials > 0].sum()),
                             float(self.fit_weights.sum()))

    def log_binomial_constant(self) -> float:
        """Σ wᵢ log C(nᵢ, sᵢ), log C(n, s) = lnΓ(n+1) - lnΓ(s+1) - lnΓ(n-s+1)."""
        s, n = self.successes, self.trials
        log_choose = gammaln(n + 1) - gammaln(s + 1) - gammaln(n - s + 1)
        return float(self.weights @ log_choose)

    def saturated_log_likelihood(self) -> float:
        """ℓ_sat = Σ wᵢ [log C(nᵢ, sᵢ) + sᵢ log yᵢ + (nᵢ - sᵢ) log(1 - yᵢ)] (0·log 0 = 0)."""
        s, n, y = self.successes, self.trials, self.proportions
        kernel = xlogy(s, y) + xlogy(n - s, 1.0 - y)
        return float(self.weights @ kernel) + self.log_binomial_constant()

    def statistics(self, statistics: Any) -> Any:
        """The FitStatistics of the proportions' fit as grouped data: ℓ and ℓ₀ with the
        binomial constant, the saturated ℓ, G observations for df and BIC, and the
        small-sample factor of HC1/cluster with G (not N) observations, as statsmodels'
        GLM of the same data (cov_type='cluster' keeps its cluster count)."""
        constant = self.log_binomial_constant()
        totals = self.totals()
        cov = statistics.cov
        n, g, k = statistics.n_obs, totals.n_groups, statistics.rank
        if statistics.cov_type == "HC1":
            cov = cov * (g / (g - k)) / (n / (n - k))
        elif statistics.cov_type == "cluster":
            cov = cov * ((g - 1) / (g - k)) / ((n - 1) / (n - k))
        return replace(
            statistics,
            cov=cov,
            log_likelihood=statistics.log_likelihood + constant,
            null_log_likelihood=statistics.null_log_likelihood + constant,
            saturated_log_likelihood=self.saturated_log_likelihood(),
            n_groups=g,
        )
