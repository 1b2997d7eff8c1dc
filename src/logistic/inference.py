"""Classical statistics of an unpenalized cross-entropy fit: the table a statistician expects.

At the maximum-likelihood estimate θ̂ = [b, w] (intercept first, as in the summary) with
frequency weights sᵢ (each row stands for sᵢ identical observations)::

    log-likelihood    ℓ(θ̂) = Σᵢ sᵢ [yᵢ log ŷᵢ + (1 - yᵢ) log(1 - ŷᵢ)] = -(Σsᵢ)·J(θ̂)
    information       I = X̃ᵀ diag(sᵢ·ŷᵢ(1 - ŷᵢ)) X̃ = (Σsᵢ)·∇²J(θ̂),   X̃ = [1, X]
    covariance        cov = I⁻¹,   std err = √diag(cov),   z = θ̂ / std err
    p-value           P(|Z| > |z|) = 2·Φ(-|z|)
    Wald interval     θ̂ ± Φ⁻¹(1 - α/2)·std err
    null model        intercept only: ŷ = ȳ (the weighted mean); without an intercept, z = 0
    deviance          D = -2ℓ (the saturated model of 0/1 data has ℓ = 0)
    LR test           LR = 2(ℓ - ℓ₀) ~ χ²(df_model),   df_model = rank - [intercept]
    AIC = -2ℓ + 2k,   BIC = -2ℓ + k·log n,   McFadden's pseudo R² = 1 - ℓ/ℓ₀,
    with k the number of estimated parameters and n = Σsᵢ observations.

Other weights (e.g. inverse-probability or importance weights) give the right point
estimate, but the classical standard errors above then assume they are frequencies.

None of this applies to a penalized fit: its estimates are biased by design and I⁻¹ is not
their covariance, so the table says so instead of printing numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from .linalg import solve_psd

__all__ = ["FitStatistics", "Summary", "fit_statistics", "wald_interval"]

Array = NDArray[np.float64]

# Above this many parameters the (p, p) covariance is not formed at fit time.
MAX_PARAMETERS_FOR_COVARIANCE = 5000


@dataclass(frozen=True)
class FitStatistics:
    """Everything inference needs, intercept first in every per-term array."""

    terms: tuple[str, ...]
    params: Array
    cov: Array
    rank: int
    n_obs: float
    log_likelihood: float
    null_log_likelihood: float
    fit_intercept: bool

    @property
    def std_err(self) -> Array:
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))

    @property
    def z(self) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.params / self.std_err

    @property
    def p_values(self) -> Array:
        return 2.0 * stats.norm.sf(np.abs(self.z))

    @property
    def df_model(self) -> int:
        return self.rank - int(self.fit_intercept)

    @property
    def df_resid(self) -> float:
        return self.n_obs - self.rank

    @property
    def deviance(self) -> float:
        return -2.0 * self.log_likelihood

    @property
    def null_deviance(self) -> float:
        return -2.0 * self.null_log_likelihood

    @property
    def aic(self) -> float:
        return -2.0 * self.log_likelihood + 2.0 * self.rank

    @property
    def bic(self) -> float:
        return -2.0 * self.log_likelihood + self.rank * np.log(self.n_obs)

    @property
    def pseudo_r2(self) -> float:
        return 1.0 - self.log_likelihood / self.null_log_likelihood

    @property
    def lr_stat(self) -> float:
        return 2.0 * (self.log_likelihood - self.null_log_likelihood)

    @property
    def lr_p_value(self) -> float:
        return float(stats.chi2.sf(self.lr_stat, self.df_model)) if self.df_model > 0 else np.nan


def _covariance(information: Array) -> tuple[Array, int]:
    """I⁻¹ by Cholesky; the pseudo-inverse (and its rank) when I is singular."""
    return solve_psd(information, np.eye(information.shape[0]))


def fit_statistics(objective, theta: Array, terms: tuple[str, ...]) -> FitStatistics:
    """The statistics of an unpenalized cross-entropy ``objective`` at its optimum ``theta``.

    ``objective`` is an ``Objective`` whose sample weights are frequency weights; ``theta``
    is [w, b] in its order, and the result puts the intercept first.
    """
    total = float(objective.total_weight)
    information = total * objective.hessian(theta)
    mean_loss = objective.value(theta)
    y_bar = float(objective.weights @ objective.y)
    if objective.fit_intercept:
        order = np.r_[objective.n_params - 1, : objective.n_params - 1]
        information = information[np.ix_(order, order)]
        params = theta[order]
        null = total * (y_bar * np.log(y_bar) + (1.0 - y_bar) * np.log1p(-y_bar))
    else:
        params = np.array(theta, dtype=np.float64)
        null = total * np.log(0.5)
    cov, rank = _covariance(information)
    return FitStatistics(
        terms=tuple(terms),
        params=params,
        cov=cov,
        rank=rank,
        n_obs=total,
        log_likelihood=-total * mean_loss,
        null_log_likelihood=float(null),
        fit_intercept=objective.fit_intercept,
    )


def wald_interval(params: Array, std_err: Array, alpha: float) -> Array:
    """θ̂ ± Φ⁻¹(1 - α/2)·std err, as a (p, 2) array."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    half = stats.norm.ppf(1.0 - alpha / 2.0) * std_err
    return np.column_stack([params - half, params + half])


@dataclass
class Summary:
    """The fit's header and coefficient table; ``str()`` prints it as plain text.

    ``table`` is a DataFrame indexed by term with columns coef, std err, z, P>|z|, [0.025,
    0.975] (NaN where classical inference does not apply, and then ``note`` says why).
    """

    header: dict[str, object]
    table: pd.DataFrame
    note: str | None = None
    title: str = field(default="Logistic Regression Results")

    def __str__(self) -> str:
        width = 78
        lines = [self.title.center(width), "=" * width]
        items = [(k, _format_value(v)) for k, v in self.header.items()]
        half = (len(items) + 1) // 2
        for left, right in zip(items[:half], items[half:] + [("", "")], strict=False):
            lines.append(_pair(*left, 38) + "  " + _pair(*right, 38))
        lines.append("=" * width)
        lines.append(self.table.to_string(float_format=lambda v: f"{v:.4f}", na_rep="-"))
        lines.append("=" * width)
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = pd.DataFrame({"": [_format_value(v) for v in self.header.values()]},
                            index=list(self.header))
        note = f"<p>{self.note}</p>" if self.note else ""
        return head.to_html(header=False) + self.table.to_html(na_rep="-") + note


def _format_value(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{value:.6g}" if np.isfinite(value) else "-"
    return str(value)


def _pair(key: str, value: str, width: int) -> str:
    if not key:
        return " " * width
    key = f"{key}:"
    return key + value.rjust(max(1, width - len(key)))
