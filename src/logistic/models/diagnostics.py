"""``model.diagnostics(X, y)``: the residuals, influence and goodness of fit of a fitted
binary ``LogisticRegression`` on data (``inference/diagnostics.py`` holds the result).

Sample weights are prior weights, as R's ``glm(weights=)`` and statsmodels'
``GLM(var_weights=)`` treat them: a row of weight s counts s times in the likelihood, its
Pearson and deviance residuals carry √s and its leverage s. (statsmodels' ``freq_weights``
give the same fit and leverage but residuals without √s.) A model fitted with
``class_weight`` multiplies them by its class weights, as at fit time, so the information
is the fit's own.

Residuals, the Hosmer–Lemeshow test and the classification table need only the
probabilities and are given for every binary model. A model of K > 2 classes gets each
class's response and Pearson residuals (``ClassResiduals``), nothing else. Leverage, the
studentized residuals, Cook's distance and dfbeta are one-step approximations around the
maximum-likelihood estimate, so they need an unpenalized cross-entropy fit with statistics
(``penalty=None``); for any other fit they raise a ValueError that says why, and
``frame()`` leaves them out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike
from sklearn.utils.validation import check_is_fitted

from logistic.core.design import Design
from logistic.fitting.validation import (
    check_sample_weight,
    checked_X,
    class_weight_per_class,
    known_labels,
)
from logistic.inference.diagnostics import ClassResiduals, Diagnostics
from logistic.inference.influence import influence_of

__all__ = ["ModelDiagnostics", "diagnostics_of", "influence_note_of"]


class ModelDiagnostics:
    """Mixin: ``diagnostics(X, y, sample_weight)`` of a fitted binary model."""

    def diagnostics(
        self, X, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> Diagnostics | ClassResiduals:
        """Per-row residuals, leverage, Cook's distance and dfbeta, and the Hosmer–Lemeshow
        test and classification table, of this binary model on (X, y) (usually its training
        data; ``models/diagnostics.py`` for the weights and which fits have influence).

        ``.frame()`` is the per-row table; ``.hosmer_lemeshow(groups=10)`` and
        ``.classification_table(threshold=0.5)`` the tests. With K > 2 classes: the
        response and Pearson residuals of each class (``ClassResiduals``) only.
        """
        return diagnostics_of(self, X, y, sample_weight)


def influence_note_of(model: Any) -> str | None:
    """Why leverage and influence are not defined for this fit, or None where they are."""
    if model.penalty is not None:
        return (
            "leverage, Cook's distance and dfbeta approximate a refit without each row "
            f"around the maximum-likelihood estimate, which a fit with penalty="
            f"{model.penalty!r} is not; refit with penalty=None"
        )
    if model.statistics_ is None:
        return str(model.inference_note_)
    return None


def diagnostics_of(
    model: Any, X: Any, y: ArrayLike, sample_weight: Any = None
) -> Diagnostics | ClassResiduals:
    """The ``Diagnostics`` of a fitted binary ``model`` on (X, y, sample_weight); with K > 2
    classes its ``ClassResiduals``."""
    check_is_fitted(model)
    classes = np.asarray(model.classes_)
    if model.loss != "cross_entropy":
        raise ValueError(f"diagnostics() is for the cross-entropy (a likelihood); this model "
                         f"was fitted with loss={model.loss!r}")
    index = pd.Index(X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(np.shape(X)[0]))
    X = checked_X(model, model._encoded(X))
    if sp.issparse(X) and X.format != "csr":
        X = X.tocsr()  # the influence is taken by blocks of rows
    labels = known_labels(y, classes)
    n = X.shape[0]
    if labels.shape != (n,):
        raise ValueError(f"y has {labels.size} labels but X has {n} rows")
    codes = np.searchsorted(classes, labels)
    weights = check_sample_weight(sample_weight, n)
    counts = np.bincount(codes, minlength=classes.size).astype(np.float64)
    per_class = class_weight_per_class(model.class_weight, classes, counts)
    if per_class is not None:  # the weights the fit used
        weights = weights * per_class[codes]
    z = model.family_.scores(Design(X), model.coef_, model.intercept_)
    if classes.size > 2:
        onehot = (codes[:, None] == np.arange(classes.size)).astype(np.float64)
        return ClassResiduals(onehot=onehot, log_p=model.family_.log_probabilities(z),
                              weights=weights, classes=classes, index=index)
    target = codes.astype(np.float64)
    note = influence_note_of(model)
    influence = None
    if note is None:
        influence = influence_of(X, target, weights, model.coef_.ravel(),
                                 float(model.intercept_[0]),
                                 fit_intercept=bool(model.fit_intercept))
    return Diagnostics(
        X=X, y=target, z=np.asarray(z, dtype=np.float64), weights=weights, classes=classes,
        terms=tuple(model.inference_terms_), influence=influence, influence_note=note,
        index=index,
    )
