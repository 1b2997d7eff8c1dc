"""The chain rule from the raw score z to the coefficients, written once.

With θ = [w, b], scores z = Xw + b, sample weights s normalised to s̃ = s / Σs (so s̃ᵢ = 1/m
without weights) and a pointwise loss L(y, z)::

    J(w, b)   = Σᵢ s̃ᵢ·L(yᵢ, zᵢ) + P(w)
    ∂J/∂w     = Xᵀ(s̃ ⊙ ∂L/∂z) + ∇P(w)
    ∂J/∂b     = Σᵢ s̃ᵢ·∂L/∂zᵢ
    ∂²J/∂w²   = Xᵀ diag(s̃ ⊙ ∂²L/∂z²) X + ∇²P

For cross-entropy ∂L/∂z = ŷ - y, so these are exactly the seeds' (000, 001)

    ∂J/∂w = -(1/m) Σᵢ (y⁽ⁱ⁾ - ŷ⁽ⁱ⁾)·x⁽ⁱ⁾,   ∂J/∂b = -(1/m) Σᵢ (y⁽ⁱ⁾ - ŷ⁽ⁱ⁾),
    ∂²J/∂w² = (1/m) Xᵀ diag(σ(z)(1 - σ(z))) X.

Dense, sparse and (later) chunked data all reach X through ``design.Design``. The solvers
see only this object: value, gradient, Hessian and Hessian-vector products of θ.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .design import Design, as_design
from .losses import Loss, cross_entropy
from .penalties import NoPenalty

Array = NDArray[np.float64]

__all__ = ["Objective"]


class Objective:
    """J(θ) for data (X, y, s) under a pointwise loss and a penalty on w.

    Parameters
    ----------
    X : (m, d) array or scipy.sparse matrix, or a ``Design``.
    y : (m,) targets in [0, 1].
    sample_weight : (m,) non-negative weights, or None for 1/m each.
    loss : pointwise loss of z (``losses.cross_entropy`` by default).
    penalty : penalty on w (``penalties.NoPenalty()`` by default).
    fit_intercept : whether θ ends with the intercept b.
    """

    def __init__(
        self,
        X,
        y: Array,
        sample_weight: Array | None = None,
        loss: Loss = cross_entropy,
        penalty=None,
        fit_intercept: bool = True,
    ) -> None:
        self.design: Design = as_design(X)
        self.y = np.asarray(y, dtype=np.float64)
        m = self.design.n_samples
        s = np.ones(m) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self.total_weight = float(s.sum())
        self.weights = s / self.total_weight
        self.loss = loss
        self.penalty = NoPenalty() if penalty is None else penalty
        self.fit_intercept = fit_intercept
        self.n_features = self.design.n_features
        self.n_params = self.n_features + int(fit_intercept)
        self._cached_theta: Array | None = None
        self._cached_z: Array | None = None

    # -- θ and z ---------------------------------------------------------------------------
    def split(self, theta: Array) -> tuple[Array, float]:
        """θ = [w, b] → (w, b); b = 0 without an intercept."""
        w = theta[: self.n_features]
        return w, float(theta[-1]) if self.fit_intercept else 0.0

    def scores(self, theta: Array) -> Array:
        """z = Xw + b, one pass over X (the last θ's z is kept for the next call)."""
        if self._cached_theta is not None and np.array_equal(theta, self._cached_theta):
            return self._cached_z
        w, b = self.split(theta)
        z = self.design.matvec(w)
        if b:
            z += b
        self._cached_theta, self._cached_z = np.array(theta, dtype=np.float64), z
        return z

    def _to_theta(self, grad_w: Array, grad_b: float) -> Array:
        return np.append(grad_w, grad_b) if self.fit_intercept else grad_w

    # -- value and derivatives -------------------------------------------------------------
    def value(self, theta: Array) -> float:
        """J(θ) = Σ s̃ᵢ L(yᵢ, zᵢ) + P(w)."""
        z = self.scores(theta)
        w, _ = self.split(theta)
        return float(self.weights @ self.loss.value(self.y, z)) + self.penalty.value(w)

    def value_and_gradient(self, theta: Array) -> tuple[float, Array]:
        """(J, ∇J) with one pass over X for z and one for Xᵀ(s̃ ⊙ ∂L/∂z)."""
        z = self.scores(theta)
        w, _ = self.split(theta)
        values, dz = self.loss.value_and_gradient(self.y, z)
        value = float(self.weights @ values) + self.penalty.value(w)
        g = self.weights * dz
        grad_w = self.design.rmatvec(g) + self.penalty.gradient(w)
        return value, self._to_theta(grad_w, float(g.sum()))

    def gradient(self, theta: Array) -> Array:
        return self.value_and_gradient(theta)[1]

    def curvature(self, theta: Array) -> Array:
        """s̃ ⊙ ∂²L/∂z²: the diagonal D of the Hessian XᵀDX (σ(1-σ)/m for cross-entropy)."""
        return self.weights * self.loss.hessian(self.y, self.scores(theta))

    def hessian(self, theta: Array) -> Array:
        """∇²J(θ) as a dense (p, p) array: [[XᵀDX + ∇²P, XᵀD1], [1ᵀDX, 1ᵀD1]]."""
        h = self.curvature(theta)
        hessian_ww = self.design.gram(h)
        self.penalty.add_hessian(hessian_ww)
        if not self.fit_intercept:
            return hessian_ww
        p = self.n_params
        out = np.empty((p, p))
        out[:-1, :-1] = hessian_ww
        out[:-1, -1] = out[-1, :-1] = self.design.rmatvec(h)
        out[-1, -1] = h.sum()
        return out

    def hessp(self, theta: Array, v: Array) -> Array:
        """∇²J(θ)·v without forming the Hessian: Xᵀ(D(X v_w + v_b)) + ∇²P v_w."""
        h = self.curvature(theta)
        v_w, v_b = self.split(v)
        u = self.design.matvec(v_w)
        if v_b:
            u += v_b
        u *= h
        out_w = self.design.rmatvec(u) + self.penalty.hessp(v_w)
        return self._to_theta(out_w, float(u.sum()))
