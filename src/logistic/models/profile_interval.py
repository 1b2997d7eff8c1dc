"""Profile likelihood intervals of a fitted binary ``LogisticRegression`` on its data."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.utils.validation import validate_data

from logistic.core.objective import Objective
from logistic.exceptions import DataError
from logistic.fitting.validation import check_sample_weight, class_weight_per_class
from logistic.inference.firth import firth_profile_intervals
from logistic.inference.profile import profile_intervals

__all__ = ["profile_conf_int"]


def profile_conf_int(
    model: Any, alpha: float, X: Any, y: Any, sample_weight: Any = None
) -> NDArray[np.float64]:
    """(p, 2) profile likelihood intervals at level 1 - α, intercept first (ℓ* for
    penalty='firth'), refitting ``model``'s objective on its training (X, y)."""
    if getattr(model, "offset_name_", None) is not None or getattr(model, "grouped_", None):
        # the refit would need the offset and trials too: refused rather than wrong
        raise DataError("profile intervals of a fit with an offset or grouped data (trials=) "
                        "are not implemented; use the Wald interval (method='wald')")
    X = validate_data(
        model, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=False
    )
    labels = np.asarray(y).ravel()
    classes = model.classes_
    if labels.shape != (X.shape[0],) or not np.all(np.isin(labels, classes)):
        raise ValueError(
            f"y must hold {X.shape[0]} labels among the classes {classes.tolist()!r}"
        )
    weights = check_sample_weight(sample_weight, X.shape[0])
    if model.class_weight is not None:
        index = np.searchsorted(classes, labels)
        counts = np.bincount(index, minlength=classes.size).astype(np.float64)
        weights = weights * class_weight_per_class(model.class_weight, classes, counts)[index]
    target = (labels == classes[1]).astype(np.float64)
    objective = Objective(X, target, weights, fit_intercept=bool(model.fit_intercept))
    theta = objective.join(model.coef_.ravel(), model.intercept_[0])
    profile = firth_profile_intervals if model.penalty == "firth" else profile_intervals
    d = objective.n_features
    order = np.r_[d, :d] if model.fit_intercept else np.arange(d)
    terms = [model.inference_terms_[i] for i in np.argsort(order)]
    return profile(objective, theta, alpha, terms=terms, check=bool(model.converged_))[order]  # type: ignore[no-any-return]
