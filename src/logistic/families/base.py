"""The interface every model family implements (``families/``).

Shapes: n rows, d features, K classes, R = the family's score rows (1 for the binary
family, K otherwise), p = the number of reported estimates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from logistic.core.design import Design
from logistic.core.losses import Loss, SoftmaxLoss
from logistic.core.objective import Objective

Array = NDArray[np.float64]


class Family(Protocol):
    """Loss, parameter layout and statistics hooks of one kind of model."""

    #: None for the binary model, else how K classes are scored ('multinomial', 'ovr')
    multiclass: str | None

    def targets(self, y_index: NDArray[np.intp], n_classes: int) -> list[Array]:
        """What each solver run fits against, one array per run: (n,) 0/1 vectors or an
        (n, K) one-hot matrix."""
        ...

    def loss(self, binary_loss: Loss, target: Array) -> Loss | SoftmaxLoss:
        """The pointwise loss of one run (``binary_loss`` is the estimator's choice)."""
        ...

    def coefficients(
        self, fits: Sequence[tuple[Objective, Array]], *, sparse_penalty: bool
    ) -> tuple[Array, Array]:
        """(coef (R, d), intercept (R,)) from each run's (objective, θ)."""
        ...

    def inference_terms(self, terms: Sequence[str], classes: NDArray) -> tuple[str, ...]:
        """The names of the reported estimates (p of them), given one model's terms."""
        ...

    def inference_params(self, coef: Array, intercept: Array, fit_intercept: bool) -> Array:
        """The reported estimates (p,), in the order of ``inference_terms``."""
        ...

    def scores(self, design: Design, coef: Array, intercept: Array) -> Array:
        """z: (n,) for one score row, (n, R) otherwise."""
        ...

    def probabilities(self, z: Array) -> Array:
        """(n, K) class probabilities from the scores, rows summing to 1."""
        ...

    def log_probabilities(self, z: Array) -> Array:
        """(n, K) log of ``probabilities``, exact in the tails."""
        ...

    def predict(self, z: Array, classes: NDArray) -> NDArray:
        """The most probable class of each row."""
        ...


def stacked_coefficients(fits: Sequence[tuple[Objective, Array]]) -> tuple[Array, Array]:
    """(coef, intercept) with one row per score column of every run, in run order."""
    rows, intercepts = [], []
    for objective, theta in fits:
        w, b = objective.split(theta)
        rows.append(np.asarray(w).T.reshape(objective.n_outputs, -1))
        intercepts.append(np.atleast_1d(b))
    return np.vstack(rows), np.concatenate(intercepts)


def linear_scores(design: Design, coef: Array, intercept: Array) -> Array:
    """z = X·Wᵀ + b, (n, R)."""
    with np.errstate(over="ignore", invalid="ignore"):  # rows near 1e308: redone below
        z = design.matvec(coef.T) + intercept
    return without_overflow(design, z, coef, intercept)


def without_overflow(design: Design, z: Array, coef: Array, intercept: Array) -> Array:
    """z (n,) or (n, R) with its non-finite rows recomputed where no product overflows.

    A row near 1e308 times a coefficient of 7 overflows: xᵢⱼwⱼ = ±inf and inf - inf = NaN
    in the sum, though the true score is finite or of a definite sign. Such a row is taken
    as x = x̃·2ᵉ and W as W̃·2ᶠ with |x̃|, |W̃| ≤ 1 (powers of two: exact), so that
    z = (x̃·W̃ᵀ + b·2⁻ᵉ⁻ᶠ)·2ᵉ⁺ᶠ: the bracket cannot overflow, and the last product is
    the true z, or ±inf of its sign. Finite z (every ordinary row) is returned as it is.
    """
    bad = ~np.isfinite(z) if z.ndim == 1 else ~np.isfinite(z).all(axis=1)
    if not bad.any():
        return z
    rows = np.flatnonzero(bad)
    X = design.X[rows]
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=np.float64)
    row_exponent = np.frexp(np.abs(X).max(axis=1))[1]
    coef_exponent = int(np.frexp(np.abs(coef).max(initial=0.0))[1])
    exponent = row_exponent + coef_exponent
    with np.errstate(over="ignore", under="ignore"):
        scaled = np.ldexp(X, -row_exponent[:, None]) @ np.ldexp(coef, -coef_exponent).T
        scaled += np.ldexp(np.asarray(intercept, dtype=np.float64)[None, :],
                           -exponent[:, None])
        fixed = np.ldexp(scaled, exponent[:, None])
    z = np.array(z, dtype=np.float64)
    z[rows] = fixed.ravel() if z.ndim == 1 else fixed
    return z
