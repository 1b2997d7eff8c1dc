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

With K classes (softmax) each class k has its own row θₖ = [wₖ, bₖ] and score column
zₖ = Xwₖ + bₖ; the same three lines hold column by column, and the Hessian's (k, l) block is
Xᵀ diag(s̃ ⊙ ∂²L/∂zₖ∂zₗ) X. θ is the flat (K, d + 1) array, so the binary θ = [w, b] is the
case K = 1.

Dense, sparse and (later) chunked data all reach X through ``design.Design``. The solvers
see only this object: value, gradient, Hessian and Hessian-vector products of θ.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from logistic.core.design import Design, as_design
from logistic.core.losses import Loss, SoftmaxLoss, cross_entropy, softmax
from logistic.core.penalties import NoPenalty
from logistic.core.softmax_hessian import dense_operands, softmax_hessian

# From this many classes on the multinomial Hessian is formed by softmax_hessian's products
# (for fewer, the K(K+1)/2 block passes are as fast and need no dense copy of X).
_MANY_CLASSES = 8
_DENSE_COPY_ENTRIES = 1 << 24

Array = NDArray[np.float64]

__all__ = ["Objective"]


def _weighted_terms(loss, y: Array, z: Array, weights: Array) -> tuple[float, Array]:
    """(Σᵢ s̃ᵢLᵢ, s̃ ⊙ ∂L/∂z); the softmax loss applies the weights in its own (compiled)
    pass over the scores."""
    if isinstance(loss, SoftmaxLoss) and y.ndim == 2:
        return loss.weighted_value_and_gradient(y, z, weights)
    values, dz = loss.value_and_gradient(y, z)
    return float(weights @ values), dz * (weights if dz.ndim == 1 else weights[:, None])


class Objective:
    """J(θ) for data (X, y, s) under a pointwise loss and a penalty on w.

    Parameters
    ----------
    X : (m, d) array or scipy.sparse matrix, or a ``Design``.
    y : (m,) targets in [0, 1] for one score column, or (m, K) one-hot rows for K classes.
    sample_weight : (m,) non-negative weights, or None for 1/m each.
    loss : pointwise loss of z (``losses.cross_entropy`` by default; a softmax loss for K).
    penalty : penalty on w (``penalties.NoPenalty()`` by default).
    fit_intercept : whether each row of θ ends with its intercept.
    offset : (m,) a known part of every score, z = Xw + b + offset (one score column), or
        None (no extra pass, the compiled single-pass kernel kept).
    """

    def __init__(
        self,
        X,
        y: Array,
        sample_weight: Array | None = None,
        loss: Loss = cross_entropy,
        penalty=None,
        fit_intercept: bool = True,
        offset: Array | None = None,
    ) -> None:
        self.design: Design = as_design(X)
        self.y = np.asarray(y, dtype=np.float64)
        m = self.design.n_samples
        s = np.ones(m) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        # normalised through the largest weight, so that weights near 1e307 do not overflow
        # the sum; total_weight (Σs, the frequency count) can still be inf, and says so
        scale = float(s.max())
        relative = s / scale
        relative_total = relative.sum()
        with np.errstate(over="ignore"):
            self.total_weight = float(scale * relative_total)
        relative /= relative_total  # in place: one n-vector, not two
        self.weights = relative
        self.loss = loss
        self.penalty = NoPenalty() if penalty is None else penalty
        self.fit_intercept = fit_intercept
        self.n_samples = self.design.n_samples
        self.n_features = self.design.n_features
        self.n_outputs = 1 if self.y.ndim == 1 else self.y.shape[1]
        self.row_length = self.n_features + int(fit_intercept)
        self.n_params = self.n_outputs * self.row_length
        self._cached_theta: Array | None = None
        self._cached_terms: tuple[Array, float, Array] | None = None
        self._sub: tuple[NDArray[np.intp], Design] | None = None  # _sub_design's last slice
        self._cached_z: Array | None = None
        self._dense: tuple[Array, Array | None] | None = None  # X̃ and its pair products
        self.offset = None if offset is None else np.asarray(offset, dtype=np.float64)
        # the binary cross-entropy on C-ordered or CSR data runs as one compiled pass (its
        # kernel forms z = Xw + b itself, so a fit with an offset takes the two-pass route)
        self.fused = (
            loss is cross_entropy and self.n_outputs == 1 and self.design.fusable
            and self.offset is None
        )

    # -- θ and z ---------------------------------------------------------------------------
    def split(self, theta: Array) -> tuple[Array, Array | float]:
        """θ → (w, b): w is (d,) and b a float for one column; (d, K) and (K,) for K."""
        rows = np.asarray(theta).reshape(self.n_outputs, self.row_length)
        w = rows[:, : self.n_features].T
        b = rows[:, -1] if self.fit_intercept else np.zeros(self.n_outputs)
        if self.n_outputs == 1:
            return w[:, 0], float(b[0])
        return w, b

    def join(self, w: Array, b) -> Array:
        """(w, b) → θ, the inverse of ``split``."""
        rows = np.empty((self.n_outputs, self.row_length))
        rows[:, : self.n_features] = np.reshape(w, (self.n_features, self.n_outputs)).T
        if self.fit_intercept:
            rows[:, -1] = b
        return rows.ravel()

    def scores(self, theta: Array) -> Array:
        """z = Xw + b (+ the offset) in one pass over X; the last θ's z is kept."""
        cached_theta, cached_z = self._cached_theta, self._cached_z
        if cached_theta is not None and cached_z is not None and np.array_equal(theta,
                                                                                 cached_theta):
            return cached_z
        w, b = self.split(theta)
        z = self.design.matvec(w)
        if self.fit_intercept:
            z += b
        if self.offset is not None:
            z += self.offset if z.ndim == 1 else self.offset[:, None]
        self._cached_theta, self._cached_z = np.array(theta, dtype=np.float64), z
        return z

    def _backward(self, w: Array, g: Array, penalty_term: Array | float) -> Array:
        """The chain rule's last link: (∂L/∂z already weighted) → θ-space, Xᵀg and Σg."""
        return self.join(self.design.rmatvec(g) + penalty_term, g.sum(axis=0))

    def _weighted(self, values: Array) -> Array:
        return values * (self.weights if values.ndim == 1 else self.weights[:, None])

    # -- value and derivatives -------------------------------------------------------------
    def value(self, theta: Array) -> float:
        """J(θ) = Σ s̃ᵢ L(yᵢ, zᵢ) + P(w)."""
        w, _ = self.split(theta)
        cached = self._cached_terms  # a solver's last evaluation: often the θ asked for
        if cached is not None and np.array_equal(theta, cached[0]):
            return cached[1] + self.penalty.value(w)
        values = self.loss.value(self.y, self.scores(theta))
        return float(self.weights @ values) + self.penalty.value(w)

    def value_and_gradient(self, theta: Array) -> tuple[float, Array]:
        """(J, ∇J) with one pass over X for z and one for Xᵀ(s̃ ⊙ ∂L/∂z) — or a single
        pass of the compiled kernel, which computes the same terms row by row."""
        w, _ = self.split(theta)
        value, grad = self._data_terms(theta)
        return value + self.penalty.value(w), grad + self.join(self.penalty.gradient(w), 0.0)

    def _data_terms(self, theta: Array) -> tuple[float, Array]:
        """(Σ s̃ᵢLᵢ, its gradient in θ-space): the part that reads X. The last θ's pair is
        kept: a regularization path asks for it again at the next C, where only the penalty
        has changed."""
        cached = self._cached_terms
        if cached is not None and np.array_equal(theta, cached[0]):
            return cached[1], cached[2].copy()
        w, b = self.split(theta)
        if self.fused:
            value, grad, z = self.design.cross_entropy(w, float(b), self.y, self.weights)
            self._cached_theta, self._cached_z = np.array(theta, dtype=np.float64), z
            grad = self.join(grad[:-1], grad[-1])
        else:
            value, weighted = _weighted_terms(self.loss, self.y, self.scores(theta), self.weights)
            grad = self._backward(w, weighted, 0.0)
        self._cached_terms = (np.array(theta, dtype=np.float64), value, grad.copy())
        return value, grad

    def gradient(self, theta: Array) -> Array:
        return self.value_and_gradient(theta)[1]

    def hessian(
        self, theta: Array, features: NDArray[np.intp] | None = None, *, exact: bool = True
    ) -> Array:
        """∇²J(θ) as a dense (p, p) array, block (k, l) for score columns k and l:

            [[Xᵀ Dₖₗ X + δₖₗ∇²P, Xᵀ Dₖₗ 1], [1ᵀ Dₖₗ X, 1ᵀ Dₖₗ 1]],  Dₖₗ = diag(s̃ ⊙ ∂²L/∂zₖ∂zₗ)

        (σ(1-σ)/m on the diagonal for the binary cross-entropy). Each block is one pass.
        With ``features`` (sorted column indices) only those columns' rows and columns are
        formed, the intercepts kept: the θ entries ``parameter_indices(features)`` name, in
        that order. A working set of a few columns then costs a pass over those columns only.
        ``exact=False`` (a solver's step) lets float32 X's products stay float32
        (``Design.gram``); statistics use the exact one. With 8 or more softmax classes on
        dense X of at most 2^24 entries the whole Hessian comes from ``softmax_hessian``'s
        few products instead of the K(K+1)/2 block passes, for steps and statistics alike.
        """
        w, _ = self.split(theta)
        curvature = self.penalty.hessian_diagonal(w).reshape(self.n_features, self.n_outputs)
        if features is None and self._many_classes():
            augmented, products = self._dense_copy()
            return softmax_hessian(augmented, softmax(self.scores(theta)), self.weights,
                                   curvature, products)
        pairs = self.loss.hessian_pairs(self.y, self.scores(theta))
        if features is None:
            return self._blocks(pairs, curvature, exact=exact)
        features = np.asarray(features, dtype=np.intp)
        return self._blocks(pairs, curvature[features], self._sub_design(features))

    def hessian_diagonal(self, theta: Array) -> Array:
        """diag ∇²J(θ) in θ's layout: Σᵢ s̃ᵢ·∂²Lᵢ/∂zₖ²·xᵢⱼ² (+ the penalty's curvature) for
        the coefficients of class k, Σᵢ s̃ᵢ·∂²Lᵢ/∂zₖ² for its intercept — the diagonal of
        ``hessian``'s blocks (k, k), one pass over X per class (a preconditioner's scales)."""
        w, _ = self.split(theta)
        curvature = self.penalty.hessian_diagonal(w).reshape(self.n_features, self.n_outputs)
        diagonal = np.empty((self.n_outputs, self.row_length))
        for k, h in self.loss.hessian_diagonal_terms(self.y, self.scores(theta)):
            h *= self.weights
            diagonal[k, : self.n_features] = self.design.column_squares(h) + curvature[:, k]
            if self.fit_intercept:
                diagonal[k, -1] = h.sum()
        return diagonal.ravel()

    def invariant_columns(self) -> NDArray[np.intp]:
        """The positions j in each class's row of θ (the features, then the intercept) along
        which J is constant: J(θ + c·vⱼ) = J(θ) for every c, vⱼ = Σₖ e₍ₖ,ⱼ₎ (the same
        number added to every class's entry j). Softmax probabilities do not change when
        every class's score gains the same amount, so with K > 1 score columns that is the
        intercept and, where there is no penalty, every feature; none for one column. The
        Hessian is singular along these vⱼ (∇²J·vⱼ = 0) and ∇J is orthogonal to them."""
        if self.n_outputs == 1 or not isinstance(self.loss, SoftmaxLoss):
            return np.empty(0, dtype=np.intp)
        intercept = [self.n_features] if self.fit_intercept else []
        if isinstance(self.penalty, NoPenalty):
            return np.arange(self.row_length, dtype=np.intp)
        return np.asarray(intercept, dtype=np.intp)

    def parameter_indices(
        self, features: NDArray[np.intp], within: NDArray[np.intp] | None = None
    ) -> NDArray[np.intp]:
        """Where the coefficients of ``features`` and the intercepts sit in θ, class by class;
        with ``within`` (sorted, holding ``features``), where they sit in the parameters of
        those columns (the rows of ``hessian(theta, within)``)."""
        columns = np.asarray(features, dtype=np.intp)
        width = self.n_features
        if within is not None:
            columns, width = np.searchsorted(within, columns), len(within)
        if self.fit_intercept:
            columns = np.append(columns, width)
        row_length = width + int(self.fit_intercept)
        return (np.arange(self.n_outputs)[:, None] * row_length + columns).ravel()

    def _sub_design(self, features: NDArray[np.intp]) -> Design:
        """The columns ``features`` of X as a Design, kept while the same columns are asked
        for (a solver's working set changes rarely, and slicing X copies those columns)."""
        key = np.asarray(features, dtype=np.intp)
        cached = self._sub
        if cached is not None and np.array_equal(cached[0], key):
            return cached[1]
        if key.size == self.n_features:
            design = self.design
        else:
            design = Design(self.design.X[:, key])
        self._sub = (key, design)
        return design

    def score_outer_products(self, theta: Array, scale: Array | None = None) -> Array:
        """Σᵢ s̃ᵢ·gᵢgᵢᵀ with gᵢ = ∂Lᵢ/∂θ the per-sample gradient: the "meat" of a sandwich
        covariance. Block (k, l) is X̃ᵀ diag(s̃ ⊙ ∂L/∂zₖ ⊙ ∂L/∂zₗ) X̃, one pass each;
        ``scale`` (n,) multiplies each row's term (Σᵢ s̃ᵢcᵢ·gᵢgᵢᵀ)."""
        dz = self.loss.gradient(self.y, self.scores(theta)).reshape(self.n_samples, -1)
        if scale is not None:
            dz = dz * np.sqrt(scale)[:, None]
        pairs = (
            (k, m, dz[:, k] * dz[:, m])
            for k in range(self.n_outputs)
            for m in range(k, self.n_outputs)
        )
        return self._blocks(pairs, None)

    def _many_classes(self) -> bool:
        """Softmax scores of enough classes that K(K+1)/2 block passes cost more than a few
        products over a dense copy of X (and that copy, n·(d + 1), is small)."""
        return (self.loss.name == "softmax_cross_entropy" and self.n_outputs >= _MANY_CLASSES
                and self.n_samples * self.row_length <= _DENSE_COPY_ENTRIES)

    def _dense_copy(self) -> tuple[Array, Array | None]:
        """``softmax_hessian.dense_operands`` of X, made at the first Hessian and kept."""
        if self._dense is None:
            self._dense = dense_operands(self.design.X, self.fit_intercept, self.n_outputs)
        return self._dense

    def _blocks(
        self, pairs, curvature: Array | None, design: Design | None = None, exact: bool = True
    ) -> Array:
        """The matrix whose (k, l) block is X̃ᵀ diag(s̃ ⊙ hₖₗ) X̃ (+ the penalty's curvature
        on diagonal blocks), from (k, l, hₖₗ) for k ≤ l; X is ``design`` (all of X by
        default, or some of its columns)."""
        design = self.design if design is None else design
        d = design.n_features
        r = d + int(self.fit_intercept)
        out = np.empty((self.n_outputs * r, self.n_outputs * r))
        for k, m, h in pairs:
            h *= self.weights  # the pairs are fresh arrays: weighting in place saves an n-vector
            block = np.empty((r, r))
            total = h.sum()
            gram, sums = design.gram(h, exact, overwrite_h=True)  # h is overwritten
            block[:d, :d] = gram
            if k == m and curvature is not None:
                block[np.arange(d), np.arange(d)] += curvature[:, k]
            if self.fit_intercept:
                block[:d, d] = block[d, :d] = sums
                block[d, d] = total
            out[k * r : (k + 1) * r, m * r : (m + 1) * r] = block
            out[m * r : (m + 1) * r, k * r : (k + 1) * r] = block.T
        return out

    def cluster_score_sums(self, theta: Array, groups: Array) -> Array:
        """(G, p): for each cluster, Σ over its rows of s̃ᵢ·gᵢ (gᵢ the per-sample gradient);
        ``groups`` holds integer cluster codes in [0, G)."""
        dz = self.loss.gradient(self.y, self.scores(theta)).reshape(self.n_samples, -1)
        n_groups = int(groups.max()) + 1
        out = np.empty((n_groups, self.n_outputs, self.row_length))
        for k in range(self.n_outputs):
            # G × n: row g holds s̃ᵢ·∂L/∂zₖ at the samples of cluster g
            members = sp.csr_matrix(
                (self.weights * dz[:, k], (groups, np.arange(self.n_samples))),
                shape=(n_groups, self.n_samples),
            )
            out[:, k, : self.n_features] = self.design.rmatvec(members.T).T
            if self.fit_intercept:
                out[:, k, -1] = np.asarray(members.sum(axis=1)).ravel()
        return out.reshape(n_groups, -1)

    def hessp(self, theta: Array, v: Array) -> Array:
        """∇²J(θ)·v without forming the Hessian: Xᵀ(∂²L/∂z² · (X v_w + v_b)) + ∇²P v_w."""
        w, _ = self.split(theta)
        v_w, v_b = self.split(v)
        u = self.design.matvec(v_w)
        if self.fit_intercept:
            u += v_b
        g = self._weighted(self.loss.hessp(self.y, self.scores(theta), u))
        return self._backward(w, g, self.penalty.hessian_diagonal(w) * v_w)
