"""One-vs-rest: K binary models, class k against the others, probabilities normalised.

Each class is its own solver run with a 0/1 target; the scores σ(zₖ) are normalised over
the classes (softmax of log σ(zₖ)). The runs' joint likelihood is not one model's, so the
family reports no statistics of its own; its terms are named as the multinomial's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from logistic.core.design import Design
from logistic.core.losses import Loss, SoftmaxLoss, log_softmax, softmax
from logistic.core.objective import Objective
from logistic.core.sigmoid import log_sigmoid
from logistic.families.base import Array, linear_scores, stacked_coefficients
from logistic.families.multinomial import against_first_class, params_against_first_class

__all__ = ["ONE_VS_REST", "OneVsRestFamily"]


class OneVsRestFamily:
    """K classes, one binary run each: coef_ (K, d), intercept_ (K,)."""

    multiclass: str | None = "ovr"

    def targets(self, y_index: NDArray[np.intp], n_classes: int) -> list[Array]:
        return [(y_index == k).astype(np.float64) for k in range(n_classes)]

    def loss(self, binary_loss: Loss, target: Array) -> Loss | SoftmaxLoss:
        return binary_loss

    def coefficients(
        self, fits: Sequence[tuple[Objective, Array]], *, sparse_penalty: bool
    ) -> tuple[Array, Array]:
        return stacked_coefficients(fits)

    def inference_terms(self, terms: Sequence[str], classes: NDArray) -> tuple[str, ...]:
        return against_first_class(terms, classes)

    def inference_params(self, coef: Array, intercept: Array, fit_intercept: bool) -> Array:
        return params_against_first_class(coef, intercept, fit_intercept)

    def scores(self, design: Design, coef: Array, intercept: Array) -> Array:
        return linear_scores(design, coef, intercept)

    def probabilities(self, z: Array) -> Array:
        return softmax(np.asarray(log_sigmoid(z), dtype=np.float64))

    def log_probabilities(self, z: Array) -> Array:
        return log_softmax(np.asarray(log_sigmoid(z), dtype=np.float64))

    def predict(self, z: Array, classes: NDArray) -> NDArray:
        return classes[np.argmax(z, axis=1)]


ONE_VS_REST = OneVsRestFamily()
