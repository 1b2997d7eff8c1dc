"""The conditional logistic likelihood as an objective the Newton solver minimizes.

Rows are grouped into strata (matched sets). Conditioning on the number of cases mₛ in
each stratum removes the stratum's own intercept, and the likelihood of the cases given
the stratum is (exact, as statsmodels' ConditionalLogit and R's clogit(method="exact"))

    Lₛ(β) = exp(Σ_cases xᵢ·β) / Σ_{|S| = mₛ} exp(Σ_{j∈S} xⱼ·β)

or Breslow's or Efron's approximation of it (``conditional_kernels`` has each formula).
The objective is the weighted mean J(β) = -ℓ(β)/N, ℓ = Σₛ ℓₛ, N = Σ sᵢ over the rows of
the strata kept, so that Newton's step-in-standard-errors stopping test means what it
means for the binary model.

Before the fit the rows are sorted by stratum (one contiguous range each) and x is centred
within each stratum: every subset of a stratum has mₛ rows, so a shift of x by a constant
per stratum changes every term of Lₛ by the same factor and Lₛ not at all (also for the
Breslow and Efron forms), and centred columns keep the means and covariances the kernels
form small.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from logistic.core.conditional_kernels import (
    BRESLOW,
    EFRON,
    EXACT,
    conditional_pass,
    n_chunks,
)

__all__ = ["METHODS", "ConditionalObjective", "centred_within", "stratum_offsets"]

Array = NDArray[np.float64]

#: ties= (R's clogit method=) → the kernels' code
METHODS = {"exact": EXACT, "breslow": BRESLOW, "efron": EFRON}


def stratum_offsets(codes: NDArray[np.intp]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """(the rows' order sorted by stratum code (stable), the offsets of each stratum's
    range in that order: stratum t is rows ``order[offsets[t]:offsets[t + 1]]``)."""
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes)
    offsets = np.zeros(counts.size + 1, dtype=np.intp)
    np.cumsum(counts, out=offsets[1:])
    return order, offsets


def centred_within(X: Array, offsets: NDArray[np.intp]) -> Array:
    """X - (each stratum's column means), for rows sorted by stratum."""
    sizes = np.diff(offsets)
    sums = np.add.reduceat(X, offsets[:-1], axis=0) if X.shape[0] else X[:0]
    means = sums / sizes[:, None]
    return X - np.repeat(means, sizes, axis=0)


class ConditionalObjective:
    """J(β) = -ℓ(β)/N of rows sorted by stratum (``offsets``), x centred within strata.

    What ``solvers.newton`` calls (``solvers/protocol.NewtonObjective``). One compiled pass
    gives ℓ, ∇ℓ and -∇²ℓ together; the last point's are kept, so Newton's Hessian at the
    point it just evaluated costs nothing more."""

    def __init__(self, X: Array, y: Array, weights: Array, offsets: NDArray[np.intp],
                 method: str = "exact", offset: Array | None = None) -> None:
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.y = np.ascontiguousarray(y, dtype=np.float64)
        self.weights = np.ascontiguousarray(weights, dtype=np.float64)
        self.offsets = np.ascontiguousarray(offsets, dtype=np.intp)
        self.method = method
        self.code = METHODS[method]
        # a fixed part of η (a profiled coefficient's column times its value), or none
        self.offset = None if offset is None else np.asarray(offset, dtype=np.float64)
        self.total_weight = float(self.weights.sum())
        self._chunks = n_chunks(self.offsets.size - 1)
        sizes = np.diff(self.offsets)
        cases = np.add.reduceat(self.y > 0.5, self.offsets[:-1]) if sizes.size else sizes
        self._most = (int(sizes.max(initial=1)), int(cases.max(initial=1)))
        self._last: tuple[bytes, float, Array, Array] | None = None

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_params(self) -> int:
        return int(self.X.shape[1])

    def log_likelihood_parts(self, beta: Array) -> tuple[float, Array, Array]:
        """(ℓ(β), ∇ℓ(β), -∇²ℓ(β)): the sums of the strata's terms, in a fixed order."""
        key = np.asarray(beta, dtype=np.float64).tobytes()
        if self._last is not None and self._last[0] == key:
            return self._last[1:]
        eta = self.X @ np.asarray(beta, dtype=np.float64)
        if self.offset is not None:
            eta = eta + self.offset
        values, grads, hessians = conditional_pass(self.X, eta, self.y, self.weights,
                                                   self.offsets, self.code, True, self._chunks,
                                                   *self._most)
        information = hessians.sum(axis=0)
        information = np.tril(information) + np.tril(information, -1).T
        parts = (float(values.sum()), grads.sum(axis=0), information)
        self._last = (key, *parts)
        return parts

    def value(self, beta: Array) -> float:
        return -self.log_likelihood_parts(beta)[0] / self.total_weight

    def value_and_gradient(self, beta: Array) -> tuple[float, Array]:
        value, grad, _ = self.log_likelihood_parts(beta)
        return -value / self.total_weight, -grad / self.total_weight

    def gradient(self, beta: Array) -> Array:
        return self.value_and_gradient(beta)[1]

    def hessian(self, beta: Array, *, exact: bool = True) -> Array:
        return self.log_likelihood_parts(beta)[2] / self.total_weight

    def without_column(self, j: int, value: float) -> ConditionalObjective:
        """The objective with βⱼ fixed at ``value`` (its column moved into η's offset): the
        profile likelihood's constrained fit."""
        shift = self.X[:, j] * value
        offset = shift if self.offset is None else self.offset + shift
        return ConditionalObjective(np.delete(self.X, j, axis=1), self.y, self.weights,
                                    self.offsets, self.method, offset)
