"""What the solvers ask of an objective: the methods and attributes they call, typed.

The solvers know nothing of data, losses or penalties; they see J(θ) through these
protocols only. ``logistic.core.objective.Objective`` satisfies all three; the partitioned
and streamed objectives of ``logistic.scale`` and the network's satisfy the ones of the
solvers they are given to. Each protocol is structural (``typing.Protocol``): an objective
does not inherit from it, it only has to have these members.

Optional members that a solver asks for with ``getattr`` and a default are not part of a
protocol: ``hessian_diagonal(theta)`` (L-BFGS's preconditioner), ``fused`` (L-BFGS keeps
BLAS on one thread between compiled passes) and ``total_weight`` (Σs, the n of the
Newton-type stopping test, else ``n_samples``).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

__all__ = ["NewtonCDObjective", "NewtonObjective", "SmoothObjective"]


class SmoothObjective(Protocol):
    """J and ∇J of θ: what gradient descent and L-BFGS call."""

    def value_and_gradient(self, theta: Array) -> tuple[float, Array]:
        """(J(θ), ∇J(θ)), ∇J in θ's flat layout."""
        ...

    def gradient(self, theta: Array) -> Array:
        """∇J(θ) alone."""
        ...


class NewtonObjective(SmoothObjective, Protocol):
    """Adds the Hessian and the sizes that Newton's method and its stopping test read."""

    @property
    def n_samples(self) -> int:
        """The rows m (the n of the stopping test where there is no ``total_weight``)."""
        ...

    @property
    def n_params(self) -> int:
        """The length of θ."""
        ...

    def hessian(self, theta: Array, *, exact: bool = True) -> Array:
        """∇²J(θ), dense (p, p); ``exact=False`` allows float32 products for a step."""
        ...


class NewtonCDObjective(SmoothObjective, Protocol):
    """The smooth part f of F = f + Σλⱼ|θⱼ| that proximal Newton (``newton_cd``) reads: the
    layout of θ (``n_outputs`` rows of ``row_length``: ``n_features`` coefficients, then the
    intercept where there is one) and the Hessian on a working set of columns."""

    @property
    def n_samples(self) -> int: ...

    @property
    def n_features(self) -> int: ...

    @property
    def n_outputs(self) -> int: ...

    @property
    def row_length(self) -> int: ...

    @property
    def penalty(self) -> object:
        """The smooth penalty; compared with ``==`` to decide whether a kept H still fits."""
        ...

    def hessian(
        self, theta: Array, features: NDArray[np.intp] | None = None, *, exact: bool = True
    ) -> Array:
        """∇²f(θ); with ``features`` only those columns' parameters and the intercepts,
        in the order ``parameter_indices(features)`` gives."""
        ...

    def parameter_indices(
        self, features: NDArray[np.intp], within: NDArray[np.intp] | None = None
    ) -> NDArray[np.intp]:
        """Where the parameters of ``features`` (and the intercepts) sit in θ, or in the
        parameters of the columns ``within``."""
        ...
