"""Classical statistics of an unpenalized cross-entropy fit: the table a statistician expects.

At the maximum-likelihood estimate θ̂ = [b, w] (intercept first, as in the summary) with
frequency weights sᵢ (each row stands for sᵢ identical observations)::

    log-likelihood    ℓ(θ̂) = Σᵢ sᵢ [yᵢ log ŷᵢ + (1 - yᵢ) log(1 - ŷᵢ)] = -(Σsᵢ)·J(θ̂)
    information       I = X̃ᵀ diag(sᵢ·ŷᵢ(1 - ŷᵢ)) X̃ = (Σsᵢ)·∇²J(θ̂),   X̃ = [1, X]
    covariance        cov = I⁻¹,   std err = √diag(cov),   z = θ̂ / std err
    p-value           P(|Z| > |z|) = 2·Φ(-|z|)
    Wald interval     θ̂ ± Φ⁻¹(1 - α/2)·std err
    null model        intercept only: ŷ = ȳ (the weighted mean); without an intercept, z = 0
    K classes         classes 2..K against the first (statsmodels' MNLogit): θₖ - θ₁, whose
                      information is the full Hessian's block of classes 2..K
    deviance          D = -2ℓ (the saturated model of 0/1 data has ℓ = 0)
    LR test           LR = 2(ℓ - ℓ₀) ~ χ²(df_model),   df_model = rank - (number of intercepts)
    AIC = -2ℓ + 2k,   BIC = -2ℓ + k·log n,   McFadden's pseudo R² = 1 - ℓ/ℓ₀,
    with k the number of estimated parameters and n = Σsᵢ observations.

Sandwich covariances (``cov_type``), for a misspecified model or clustered samples, with
gᵢ = ∂eᵢ/∂θ the per-sample score and B = I⁻¹ the bread::

    HC0      B (Σᵢ sᵢ gᵢgᵢᵀ) B
    HC1      HC0 · n / (n - k)
    cluster  B (Σ_c u_c u_cᵀ) B · G/(G - 1) · (n - 1)/(n - k),   u_c = Σ_{i ∈ c} sᵢgᵢ
             (G clusters; the small-sample factor statsmodels applies by default)

Other weights (e.g. inverse-probability or importance weights) give the right point
estimate, but the classical standard errors above then assume they are frequencies; HC0
with such weights is the usual robust choice.

None of this applies to a penalized fit: its estimates are biased by design and I⁻¹ is not
their covariance, so the table says so instead of printing numbers.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from logistic.core.linalg import inverse_psd
from logistic.inference.null_model import offset_null_log_likelihood

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
    n_intercepts: int
    cov_type: str = "nonrobust"
    #: ℓ of the saturated model: 0 for 0/1 rows; grouped binomial data (fitting/grouped.py)
    #: have their own, and count G groups (n_groups) as observations for df and BIC
    saturated_log_likelihood: float = 0.0
    n_groups: float | None = None

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
        return self.rank - self.n_intercepts

    @property
    def n_observations(self) -> float:
        """What df and BIC count: the rows' total weight, or the groups of grouped data."""
        return self.n_obs if self.n_groups is None else self.n_groups

    @property
    def df_resid(self) -> float:
        return self.n_observations - self.rank

    @property
    def deviance(self) -> float:
        return 2.0 * (self.saturated_log_likelihood - self.log_likelihood)

    @property
    def null_deviance(self) -> float:
        return 2.0 * (self.saturated_log_likelihood - self.null_log_likelihood)

    @property
    def aic(self) -> float:
        return -2.0 * self.log_likelihood + 2.0 * self.rank

    @property
    def bic(self) -> float:
        return -2.0 * self.log_likelihood + self.rank * np.log(self.n_observations)

    @property
    def pseudo_r2(self) -> float:
        return 1.0 - self.log_likelihood / self.null_log_likelihood

    @property
    def lr_stat(self) -> float:
        return 2.0 * (self.log_likelihood - self.null_log_likelihood)

    @property
    def lr_p_value(self) -> float:
        return float(stats.chi2.sf(self.lr_stat, self.df_model)) if self.df_model > 0 else np.nan


COV_TYPES = ("nonrobust", "HC0", "HC1", "cluster")


def fit_statistics(
    objective,
    theta: Array,
    terms: tuple[str, ...],
    cov_type: str = "nonrobust",
    groups: NDArray | None = None,
    score_scale: Array | None = None,
) -> FitStatistics:
    """The statistics of an unpenalized cross-entropy ``objective`` at its optimum ``theta``.

    ``objective`` is an ``Objective`` whose sample weights are frequency weights; ``theta``
    is in its layout (rows [wₖ, bₖ]). The result puts each intercept first and, with K
    classes, holds classes 2..K against the first. ``groups`` (integer codes) are needed
    for ``cov_type='cluster'``; ``score_scale`` (n,): each row's score outer product
    multiplied by it in HC0/HC1 (a grouped row of nᵢ trials: its score is nᵢ times the
    per-trial one, ``fitting/grouped.py``).
    """
    total = float(objective.total_weight)
    K, r = objective.n_outputs, objective.row_length
    rows = np.reshape(theta, (K, r))
    kept = range(1, K) if K > 1 else range(1)
    if K > 1:
        rows = (rows - rows[0])[1:]
    within = np.r_[r - 1, : r - 1] if objective.fit_intercept else np.arange(r)
    index = np.ix_(*2 * [np.concatenate([k * r + within for k in kept])])
    information = total * objective.hessian(theta)[index]
    cov, rank = inverse_psd(information)
    if cov_type != "nonrobust":
        cov = _sandwich(objective, theta, index, cov, rank, cov_type, groups, score_scale)
    return FitStatistics(
        terms=tuple(terms),
        params=rows[:, within].ravel(),
        cov=cov,
        rank=rank,
        n_obs=total,
        log_likelihood=-total * objective.value(theta),
        null_log_likelihood=_null_log_likelihood(objective),
        n_intercepts=len(kept) * int(objective.fit_intercept),
        cov_type=cov_type,
    )


def _sandwich(objective, theta, index, bread: Array, rank: int, cov_type: str, groups,
              score_scale: Array | None = None) -> Array:
    """B·M·B for cov_type 'HC0', 'HC1' or 'cluster' (formulas in the module docstring)."""
    total = float(objective.total_weight)
    if cov_type != "HC0" and not total > rank:
        raise ValueError(
            f"cov_type={cov_type!r} needs more observations than estimated parameters "
            f"(n = {total:g}, rank {rank}): its small-sample correction divides by n - k; "
            "use cov_type='HC0' or more rows"
        )
    if cov_type == "cluster":
        sums = total * objective.cluster_score_sums(theta, groups)
        selected = sums[:, index[1].ravel()]
        meat = selected.T @ selected
        n_groups = int(np.unique(groups).size)
        factor = n_groups / (n_groups - 1) * (total - 1) / (total - rank)
    else:
        if score_scale is None:
            meat = total * objective.score_outer_products(theta)[index]
        else:
            meat = total * objective.score_outer_products(theta, score_scale)[index]
        factor = total / (total - rank) if cov_type == "HC1" else 1.0
    return factor * (bread @ meat @ bread)


def _null_log_likelihood(objective) -> float:
    """ℓ₀: the intercept-only model (ŷ = the weighted class frequencies), or z = 0."""
    total, K = float(objective.total_weight), max(objective.n_outputs, 2)
    if getattr(objective, "offset", None) is not None:  # ℓ₀ keeps the offset, as R's glm
        return offset_null_log_likelihood(objective.y, objective.weights, total,
                                          objective.offset, objective.fit_intercept)
    if not objective.fit_intercept:
        return total * np.log(1.0 / K)
    frequencies = objective.weights @ objective.y
    if objective.n_outputs == 1:
        frequencies = np.array([1.0 - frequencies, frequencies])
    present = frequencies[frequencies > 0]
    return float(total * np.sum(present * np.log(present)))


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
    ``separated``: the terms whose estimates diverge (separation); printed with a †, which
    the note explains. The table's index stays the plain terms.
    """

    header: dict[str, object]
    table: pd.DataFrame
    note: str | None = None
    title: str = field(default="Logistic Regression Results")
    separated: tuple[str, ...] = ()

    def marked_table(self) -> pd.DataFrame:
        """``table`` with ' †' after the separated terms (for printing)."""
        if not self.separated:
            return self.table
        marked = set(self.separated)
        table = self.table.copy()
        table.index = [f"{term} †" if term in marked else term for term in table.index]
        return table

    def __str__(self) -> str:
        width = 78
        lines = [self.title.center(width), "=" * width]
        items = [(k, _format_value(v)) for k, v in self.header.items()]
        half = (len(items) + 1) // 2
        for left, right in zip(items[:half], items[half:] + [("", "")], strict=False):
            lines.append(_pair(*left, 38) + "  " + _pair(*right, 38))
        lines.append("=" * width)
        lines.append(self.marked_table().to_string(float_format=lambda v: f"{v:.4f}", na_rep="-"))
        lines.append("=" * width)
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def __repr__(self) -> str:
        """At a REPL, ``model.summary()`` shows the table, as ``print`` does."""
        return str(self)

    def _repr_html_(self) -> str:
        """In a notebook: the title as the caption of the header table (as statsmodels'
        "Logit Regression Results"), then the coefficient table and the note."""
        head = pd.DataFrame({"": [_format_value(v) for v in self.header.values()]},
                            index=list(self.header))
        # the note and the tables name the user's columns: text, never markup (pandas
        # escapes the tables' cells, the caption and the note are escaped here)
        lines = self.note.splitlines() if self.note else []
        note = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
        title = html.escape(self.title)
        header = head.to_html(header=False).replace(
            ">\n", f">\n  <caption>{title}</caption>\n", 1)
        return header + self.marked_table().to_html(na_rep="-") + note


def _format_value(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{value:.6g}" if np.isfinite(value) else "-"
    return str(value)


def _pair(key: str, value: str, width: int) -> str:
    if not key:
        return " " * width
    key = f"{key}:"
    return key + value.rjust(max(1, width - len(key)))
