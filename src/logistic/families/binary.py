"""The binary family: ŷ = σ(z), z = w·x + b, one score row, y = 1 for ``classes[1]``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from logistic.core.design import Design
from logistic.core.losses import Loss, SoftmaxLoss
from logistic.core.objective import Objective
from logistic.core.sigmoid import log_sigmoid, sigmoid
from logistic.families.base import Array, stacked_coefficients, without_overflow

__all__ = ["BINARY", "BinaryFamily"]


class BinaryFamily:
    """Two classes: coef_ (1, d), intercept_ (1,), θ = [w, b]."""

    multiclass: str | None = None

    def targets(self, y_index: NDArray[np.intp], n_classes: int) -> list[Array]:
        return [(y_index == 1).astype(np.float64)]

    def loss(self, binary_loss: Loss, target: Array) -> Loss | SoftmaxLoss:
        return binary_loss

    def coefficients(
        self, fits: Sequence[tuple[Objective, Array]], *, sparse_penalty: bool
    ) -> tuple[Array, Array]:
        return stacked_coefficients(fits)

    def inference_terms(self, terms: Sequence[str], classes: NDArray) -> tuple[str, ...]:
        return tuple(terms)

    def inference_params(self, coef: Array, intercept: Array, fit_intercept: bool) -> Array:
        rows = np.column_stack([intercept, coef]) if fit_intercept else coef
        return np.asarray(rows).ravel()

    def scores(self, design: Design, coef: Array, intercept: Array) -> Array:
        with np.errstate(over="ignore", invalid="ignore"):  # rows near 1e308: redone below
            z = design.matvec(coef.ravel()) + intercept[0]
        return without_overflow(design, z, coef, intercept)

    def probabilities(self, z: Array) -> Array:
        return np.column_stack([sigmoid(-z), sigmoid(z)])  # 1 - σ(z) as σ(-z): exact

    def log_probabilities(self, z: Array) -> Array:
        return np.column_stack([log_sigmoid(-z), log_sigmoid(z)])

    def predict(self, z: Array, classes: NDArray) -> NDArray:
        return classes[(z > 0).astype(int)]


BINARY = BinaryFamily()
