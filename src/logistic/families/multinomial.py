"""The multinomial family: ŷ = softmax(Wx + b), one score row per class, one solver run.

Softmax scores are unchanged by adding one vector to every class, so the reported
coefficients are the centred solution (Σₖ wₖ = 0, Σₖ bₖ = 0), the minimum-norm one; the
statistics use classes 2..K against the first (statsmodels' MNLogit parametrization).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from logistic.core.design import Design
from logistic.core.losses import Loss, SoftmaxLoss, log_softmax, softmax, softmax_cross_entropy
from logistic.core.objective import Objective
from logistic.families.base import Array, linear_scores, stacked_coefficients

__all__ = ["MULTINOMIAL", "MultinomialFamily", "against_first_class"]


def against_first_class(terms: Sequence[str], classes: NDArray) -> tuple[str, ...]:
    """'<class>: <term>' for classes 2..K: the reference-class terms of K-class statistics."""
    return tuple(f"{label}: {term}" for label in classes[1:] for term in terms)


def params_against_first_class(coef: Array, intercept: Array, fit_intercept: bool) -> Array:
    """Rows 2..K minus row 1, intercept first, flattened: ((K - 1)·(d [+ 1]),)."""
    rows = np.column_stack([intercept, coef]) if fit_intercept else coef
    return np.asarray((rows - rows[0])[1:]).ravel()


class MultinomialFamily:
    """K classes scored jointly: coef_ (K, d), intercept_ (K,), θ the (d [+ 1]) × K
    coefficients in ``Objective``'s layout."""

    multiclass: str | None = "multinomial"

    def targets(self, y_index: NDArray[np.intp], n_classes: int) -> list[Array]:
        return [np.eye(n_classes)[y_index]]

    def loss(self, binary_loss: Loss, target: Array) -> Loss | SoftmaxLoss:
        return softmax_cross_entropy

    def coefficients(
        self, fits: Sequence[tuple[Objective, Array]], *, sparse_penalty: bool
    ) -> tuple[Array, Array]:
        coef, intercept = stacked_coefficients(fits)
        # an L1 penalty picks its own sparse representative, which centring would destroy;
        # the intercepts are never penalized, so they are always free to centre
        if not sparse_penalty:
            coef -= coef.mean(axis=0)
        intercept -= intercept.mean()
        return coef, intercept

    def inference_terms(self, terms: Sequence[str], classes: NDArray) -> tuple[str, ...]:
        return against_first_class(terms, classes)

    def inference_params(self, coef: Array, intercept: Array, fit_intercept: bool) -> Array:
        return params_against_first_class(coef, intercept, fit_intercept)

    def scores(self, design: Design, coef: Array, intercept: Array) -> Array:
        return linear_scores(design, coef, intercept)

    def probabilities(self, z: Array) -> Array:
        return softmax(z)

    def log_probabilities(self, z: Array) -> Array:
        return log_softmax(z)

    def predict(self, z: Array, classes: NDArray) -> NDArray:
        return classes[np.argmax(z, axis=1)]


MULTINOMIAL = MultinomialFamily()
