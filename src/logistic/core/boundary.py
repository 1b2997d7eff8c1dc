"""The decision boundary: where z = 0, so σ(z) = 1/2 and either class is equally likely.

Seed 001: with W = [w₀, w₁, w₂] = [-3, 1, 1], z = -3 + x₁ + x₂ and the boundary is the line
x₁ + x₂ = 3, a hyperplane in general. With squared features, z = w₀ + w₁x₁² + w₂x₂², the
same linear model draws a circle (or ellipse) in the original coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class DecisionBoundary:
    """The hyperplane w₀ + w₁x₁ + … + w_d·x_d = 0."""

    intercept: float
    coef: NDArray[np.float64]
    feature_names: tuple[str, ...]

    @classmethod
    def from_weights(cls, W: ArrayLike, feature_names=None) -> DecisionBoundary:
        """From the seeds' W = [w₀, w₁, …]: bias first, then one weight per feature."""
        W = np.asarray(W, dtype=np.float64).ravel()
        names = feature_names or tuple(f"x{j}" for j in range(1, W.size))
        return cls(float(W[0]), W[1:].copy(), tuple(names))

    @property
    def W(self) -> NDArray[np.float64]:
        """[w₀, w₁, …, w_d], the seeds' notation."""
        return np.concatenate([[self.intercept], self.coef])

    def z(self, X: ArrayLike) -> NDArray[np.float64]:
        """z = w₀ + X·w: positive on the side of the second class."""
        return self.intercept + np.asarray(X, dtype=np.float64) @ self.coef

    def solve_last(self, *others: ArrayLike) -> NDArray[np.float64]:
        """The last feature on the boundary given the others: x_d = -(w₀ + Σ wⱼxⱼ) / w_d.

        For two features this is the line x₂ = -(w₀ + w₁x₁) / w₂ (x₂ = 3 - x₁ for the seed's W).
        """
        if len(others) != self.coef.size - 1:
            raise ValueError(f"give values for the first {self.coef.size - 1} features")
        if self.coef[-1] == 0:
            raise ValueError("the boundary does not depend on the last feature (its weight is 0)")
        pairs = zip(self.coef[:-1], others, strict=True)
        total = self.intercept + sum(w * np.asarray(x, float) for w, x in pairs)
        return -total / self.coef[-1]

    def __str__(self) -> str:
        terms = " ".join(
            f"{'-' if w < 0 else '+'} {abs(w):.6g}·{name}"
            for w, name in zip(self.coef, self.feature_names, strict=True)
        )
        return f"{self.intercept:.6g} {terms} = 0"
