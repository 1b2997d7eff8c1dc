"""Profile-likelihood intervals of single parameters of any Newton objective.

For parameter j with estimate φ̂ⱼ, the profile log-likelihood ℓₚ(b) = max ℓ(φ) over φ with
φⱼ = b, and the signed root r(b) = sign(b - φ̂ⱼ)·√(2(ℓ(φ̂) - ℓₚ(b))). The 1 - α interval's
ends solve r(b) = ±Φ⁻¹(1 - α/2) (as R's confint for glm and polr, which interpolate r on a
grid; here each end is a root, found by Brent's method, each evaluation a Newton fit of the
other parameters warm-started from the last).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from logistic.solvers.newton import newton
from logistic.solvers.protocol import NewtonObjective

Array = NDArray[np.float64]

__all__ = ["FixedParameter", "profile_interval"]


class FixedParameter:
    """J with parameter ``index`` held at ``value``: a Newton objective of the others."""

    def __init__(self, objective: NewtonObjective, index: int, value: float) -> None:
        self.objective, self.index, self.value_at = objective, index, float(value)
        self.total_weight = float(getattr(objective, "total_weight", objective.n_samples))

    @property
    def n_samples(self) -> int:
        return self.objective.n_samples

    @property
    def n_params(self) -> int:
        return self.objective.n_params - 1

    def full(self, rest: Array) -> Array:
        return np.insert(rest, self.index, self.value_at)

    def value_and_gradient(self, rest: Array) -> tuple[float, Array]:
        value, grad = self.objective.value_and_gradient(self.full(rest))
        return value, np.delete(grad, self.index)

    def gradient(self, rest: Array) -> Array:
        return self.value_and_gradient(rest)[1]

    def hessian(self, rest: Array, *, exact: bool = True) -> Array:
        kept = np.delete(np.arange(self.objective.n_params), self.index)
        return self.objective.hessian(self.full(rest), exact=exact)[np.ix_(kept, kept)]


def profile_interval(
    objective: NewtonObjective, optimum: Array, index: int, std_err: float, alpha: float = 0.05,
    tol: float = 1e-10,
) -> tuple[float, float]:
    """The (lower, upper) ends of parameter ``index``'s 1 - α profile-likelihood interval;
    ``objective`` is the mean negative log-likelihood over ``total_weight`` observations,
    ``optimum`` its minimizer, ``std_err`` the Wald standard error (the first bracket)."""
    total = float(getattr(objective, "total_weight", objective.n_samples))
    best = objective.value_and_gradient(optimum)[0]
    quantile = float(stats.norm.ppf(1.0 - alpha / 2.0))
    centre = float(optimum[index])
    start = {"rest": np.delete(optimum, index)}

    def excess(b: float) -> float:
        fixed = FixedParameter(objective, index, b)
        fit = newton(fixed, start["rest"], max_iter=200, tol=tol)
        start["rest"] = fit.theta
        drop = 2.0 * total * (fixed.value_and_gradient(fit.theta)[0] - best)
        return float(np.sqrt(max(drop, 0.0))) - quantile

    ends = []
    for side in (-1.0, 1.0):
        start["rest"] = np.delete(optimum, index)
        near, step = centre, quantile * std_err
        far = centre + side * step
        while excess(far) < 0:  # widen until the root is inside
            near, step = far, 2.0 * step
            far = centre + side * step
            if step > 1e6 * max(std_err, 1.0):
                far = np.inf * side
                break
        if not np.isfinite(far):
            ends.append(far)
            continue
        root = optimize.brentq(excess, min(near, far), max(near, far),
                               xtol=1e-12 * max(1.0, abs(centre)), rtol=1e-12)
        ends.append(float(root))
    return ends[0], ends[1]
