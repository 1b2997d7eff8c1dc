"""A fitted binary model's diagnostics on data: per-row residuals and influence, the
Hosmer–Lemeshow test and the classification table, as one result object.

Residuals (``residuals.py``) need only the scores; leverage, the studentized residuals,
Cook's distance and dfbeta (``influence.py``) need the inverse information of an
unpenalized maximum-likelihood fit, and say why they are missing otherwise
(``influence_note``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from logistic.core.sigmoid import sigmoid
from logistic.inference.goodness_of_fit import (
    ClassificationTable,
    HosmerLemeshow,
    check_groups,
    check_threshold,
    classification_table,
    hosmer_lemeshow,
)
from logistic.inference.influence import Influence, cooks_distance, dfbeta
from logistic.inference.residuals import (
    class_pearson_residuals,
    class_response_residuals,
    deviance_residuals,
    likelihood_residuals,
    pearson_residuals,
    response_residuals,
    studentized,
)

__all__ = ["ClassResiduals", "Diagnostics"]

Array = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Diagnostics:
    """Per-row diagnostics of a binary fit on (X, y) with prior weights s.

    ``y`` is 1 for ``classes[1]``, ``z`` the scores w·x + b; ``influence`` is None (with
    ``influence_note`` saying why) for a fit without classical inference. Arrays are (n,)
    unless said otherwise; ``frame()`` gathers them.
    """

    X: Any  # the checked features (dense or CSR), kept for dfbeta
    y: Array
    z: Array
    weights: Array
    classes: NDArray
    terms: tuple[str, ...]  # the coefficients' names, intercept first
    influence: Influence | None
    influence_note: str | None
    index: pd.Index

    # -- residuals -----------------------------------------------------------------------
    @cached_property
    def fitted(self) -> Array:
        """p̂ = σ(z), the probability of ``classes[1]``."""
        return np.asarray(sigmoid(self.z), dtype=np.float64)

    @cached_property
    def response(self) -> Array:
        """y - p̂."""
        return response_residuals(self.y, self.z)

    @cached_property
    def pearson(self) -> Array:
        """√s (y - p̂)/√(p̂(1 - p̂))."""
        return pearson_residuals(self.y, self.z, self.weights)

    @cached_property
    def deviance(self) -> Array:
        """sign(y - p̂) √(s dᵢ); Σ deviance² is the fit's deviance."""
        return deviance_residuals(self.y, self.z, self.weights)

    # -- influence -----------------------------------------------------------------------
    def _influence(self, what: str) -> Influence:
        if self.influence is None:
            raise ValueError(f"no {what} for this fit: {self.influence_note}")
        return self.influence

    @property
    def leverage(self) -> Array:
        """hᵢ = Wᵢ x̃ᵢᵀ (X̃ᵀWX̃)⁻¹ x̃ᵢ, the hat values (R's ``hatvalues``)."""
        return self._influence("leverage").leverage

    @property
    def pearson_studentized(self) -> Array:
        """r_P / √(1 - h) (R's ``rstandard(fit, type='pearson')``)."""
        return studentized(self.pearson, self.leverage)

    @property
    def deviance_studentized(self) -> Array:
        """r_D / √(1 - h) (R's ``rstandard(fit)``)."""
        return studentized(self.deviance, self.leverage)

    @property
    def likelihood_residual(self) -> Array:
        """sign(r_D) √(r_D² + h r_P²/(1 - h)) (R's ``rstudent(fit)``)."""
        return likelihood_residuals(self.deviance, self.pearson, self.leverage)

    @property
    def cooks_distance(self) -> Array:
        """r_P² h / (k (1 - h)²), k the rank (R's ``cooks.distance``)."""
        influence = self._influence("Cook's distance")
        return cooks_distance(self.pearson, influence.leverage, influence.rank)

    @cached_property
    def dfbeta(self) -> pd.DataFrame:
        """(n, p) one-step β̂ - β̂₍₋ᵢ₎, intercept first (R's ``dfbeta``)."""
        influence = self._influence("dfbeta")
        values = dfbeta(self.X, influence, self.y, self.fitted, self.weights)
        return pd.DataFrame(values, index=self.index, columns=list(self.terms))

    @property
    def dfbetas(self) -> pd.DataFrame:
        """dfbeta / the standard errors √diag (X̃ᵀWX̃)⁻¹ (statsmodels' ``dfbetas``)."""
        std_err = np.sqrt(np.clip(np.diag(self._influence("dfbetas").cov), 0.0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.dfbeta / std_err

    # -- the table and the tests ---------------------------------------------------------
    def frame(self, *, dfbeta: bool = False) -> pd.DataFrame:
        """One row per sample: y (0/1), fitted, weight, the residuals and, where the fit has
        classical inference, leverage, the studentized residuals and Cook's distance;
        ``dfbeta=True`` adds 'dfbeta:<term>' columns."""
        columns: dict[str, Array] = {
            "y": self.y, "fitted": self.fitted, "weight": self.weights,
            "response": self.response, "pearson": self.pearson, "deviance": self.deviance,
        }
        if self.influence is not None:
            columns.update({
                "leverage": self.leverage,
                "pearson_studentized": self.pearson_studentized,
                "deviance_studentized": self.deviance_studentized,
                "likelihood_residual": self.likelihood_residual,
                "cooks_distance": self.cooks_distance,
            })
        frame = pd.DataFrame(columns, index=self.index)
        if dfbeta:
            frame = frame.join(self.dfbeta.add_prefix("dfbeta:"))
        return frame

    def hosmer_lemeshow(self, groups: int = 10) -> HosmerLemeshow:
        """The Hosmer–Lemeshow test with ``groups`` groups by quantiles of p̂ (ties share a
        group; ``goodness_of_fit.py``), 3 ≤ groups ≤ the number of rows."""
        groups = check_groups(groups, self.y.size)
        return hosmer_lemeshow(self.y, self.fitted, self.weights, groups)

    def classification_table(self, threshold: float = 0.5) -> ClassificationTable:
        """Actual against predicted classes, predicted ``classes[1]`` where p̂ > threshold,
        0 < threshold < 1; counts weighted."""
        threshold = check_threshold(threshold)
        return classification_table(self.y, self.fitted, self.weights, self.classes, threshold)


@dataclass(frozen=True, eq=False)
class ClassResiduals:
    """The per-class residuals of a model of K > 2 classes on (X, y) with prior weights s:
    response yₖ - p̂ₖ and Pearson √s (yₖ - p̂ₖ)/√(p̂ₖ(1 - p̂ₖ)), (n, K) frames with one column
    per class. Leverage, influence and the binary tests are not defined here."""

    onehot: Array  # (n, K) yₖ
    log_p: Array  # (n, K) log p̂ₖ
    weights: Array
    classes: NDArray
    index: pd.Index

    def _table(self, values: Array) -> pd.DataFrame:
        return pd.DataFrame(values, index=self.index, columns=[str(c) for c in self.classes])

    @property
    def fitted(self) -> pd.DataFrame:
        """p̂ₖ, one column per class."""
        return self._table(np.exp(self.log_p))

    @property
    def response(self) -> pd.DataFrame:
        """yₖ - p̂ₖ, one column per class."""
        return self._table(class_response_residuals(self.onehot, self.log_p))

    @property
    def pearson(self) -> pd.DataFrame:
        """√s (yₖ - p̂ₖ)/√(p̂ₖ(1 - p̂ₖ)), one column per class."""
        return self._table(class_pearson_residuals(self.onehot, self.log_p, self.weights))

    def frame(self) -> pd.DataFrame:
        """One row per sample: its weight, then 'fitted:<class>', 'response:<class>' and
        'pearson:<class>' columns."""
        weight = pd.DataFrame({"weight": self.weights}, index=self.index)
        return pd.concat([weight, self.fitted.add_prefix("fitted:"),
                          self.response.add_prefix("response:"),
                          self.pearson.add_prefix("pearson:")], axis=1)
