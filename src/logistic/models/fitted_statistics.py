"""The inference attributes of a fitted ``LogisticRegression``: cov_, std_err_, z_, ...,
and ``conf_int``, read from its ``statistics_`` (a FitStatistics, or None with the
``inference_note_`` that says why)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.utils.validation import check_is_fitted

from logistic.inference.statistics import wald_interval
from logistic.models.profile_interval import profile_conf_int

__all__ = ["FittedStatistics"]


class FittedStatistics:
    """Mixin: the statistics of a fit as attributes (AttributeError where there are none)."""

    statistics_: Any
    inference_note_: str | None

    def _statistic(self, name: str) -> Any:
        check_is_fitted(self)
        if self.statistics_ is None:
            raise AttributeError(f"{name}_ is not available: {self.inference_note_}")
        return getattr(self.statistics_, name)

    cov_ = property(lambda self: self._statistic("cov"), doc="Covariance I⁻¹, intercept first.")
    std_err_ = property(lambda self: self._statistic("std_err"), doc="√diag(cov_).")
    z_ = property(lambda self: self._statistic("z"), doc="Wald z = θ̂ / std err.")
    p_values_ = property(
        lambda self: self._statistic("p_values"),
        doc="2·Φ(-|z|); for penalty='firth' the penalized likelihood-ratio tests' (χ²₁).",
    )
    log_likelihood_ = property(lambda self: self._statistic("log_likelihood"))
    null_log_likelihood_ = property(lambda self: self._statistic("null_log_likelihood"))
    deviance_ = property(lambda self: self._statistic("deviance"))
    null_deviance_ = property(lambda self: self._statistic("null_deviance"))
    aic_ = property(lambda self: self._statistic("aic"))
    bic_ = property(lambda self: self._statistic("bic"))
    pseudo_r2_ = property(lambda self: self._statistic("pseudo_r2"), doc="McFadden's R².")
    lr_stat_ = property(lambda self: self._statistic("lr_stat"))
    lr_p_value_ = property(lambda self: self._statistic("lr_p_value"))
    df_model_ = property(lambda self: self._statistic("df_model"))
    df_resid_ = property(lambda self: self._statistic("df_resid"))

    def conf_int(
        self, alpha: float = 0.05, method: str = "wald", X=None, y=None, sample_weight=None
    ) -> NDArray[np.float64]:
        """(p, 2) confidence intervals at level 1 - α, intercept first.

        'wald': θ̂ ± Φ⁻¹(1 - α/2)·std err. 'profile': the profile likelihood interval
        {v : 2(ℓ(θ̂) - max ℓ(θ | θⱼ = v)) ≤ χ²₁(1 - α)} (``profile.py``; ℓ* for
        penalty='firth', as logistf), ±inf where the profile never reaches the quantile. The
        model does not keep its data, so 'profile' needs the training X, y (and
        sample_weight) again; a Firth fit's summary intervals, computed at fit time for
        α = 0.05, are returned without them.
        """
        if method not in ("wald", "profile"):
            raise ValueError(f"method must be 'wald' or 'profile', got {method!r}")
        params = self._statistic("params")
        if method == "wald":
            return wald_interval(params, self.std_err_, alpha)
        if self.family_.multiclass is not None:
            raise ValueError("method='profile' is for two classes")
        if X is None or y is None:
            stored = getattr(self.statistics_, "profile_ci", None)
            if stored is not None and alpha == self.statistics_.profile_alpha:
                return stored.copy()
            raise ValueError(
                "method='profile' refits the model with each coefficient fixed, so it needs "
                "the training data: conf_int(alpha, method='profile', X=X, y=y)"
            )
        return profile_conf_int(self, alpha, X, y, sample_weight)
