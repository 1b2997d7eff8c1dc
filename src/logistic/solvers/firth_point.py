"""Firth's penalized likelihood at one β: ℓ*, the modified score U*, the hat diagonal h and
∇²ℓ* (the formulas are in ``solvers.firth``'s docstring), by the compiled kernels for small
dense designs (``compiled_arrays``) and by row blocks of NumPy otherwise."""

from __future__ import annotations

import weakref

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.linalg import lapack

from logistic.core import firth_design, firth_kernels
from logistic.core.firth_design import KernelArrays
from logistic.core.losses import cross_entropy_gradient, cross_entropy_value
from logistic.core.objective import Objective
from logistic.core.sigmoid import sigmoid, sigmoid_derivative

Array = NDArray[np.float64]

__all__ = [
    "COMPILED_MAX_ELEMENTS",
    "FirthPoint",
    "compiled_arrays",
    "hat_diagonal",
    "modified_score",
    "penalized_hessian",
    "penalized_log_likelihood",
]

_EPS = np.finfo(np.float64).eps
_HAT_BLOCK_BYTES = 1 << 22
#: Dense designs of at most this many entries m·p of X̃ are evaluated by the compiled kernels
#: (``firth_kernels``): at such sizes NumPy's per-call overhead, not arithmetic, is the cost.
COMPILED_MAX_ELEMENTS = 300_000
_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_UNSET = object()


class FirthPoint:
    """ℓ, I = X̃ᵀWX̃, its Cholesky factor L and ℓ* = ℓ + ½ log det I at one β (θ layout).

    ``penalized`` is -inf where I is not numerically positive definite (π saturated to 0 or 1
    on too many rows, or a rank-deficient X̃): such a point is never accepted.
    """

    z: Array
    loglik: float
    information: Array
    factor: Array | None
    penalized: float
    logdet: float

    def __init__(self, objective: Objective, theta: Array) -> None:
        arrays = compiled_arrays(objective)
        if arrays is not None:
            self.z, self.loglik, self.information, factor, self.penalized, ok, _ = (
                firth_kernels.point(*arrays, np.asarray(theta, dtype=np.float64)))
            self.factor = factor if ok else None
            self.logdet = 2.0 * (self.penalized - self.loglik)
            return
        total = objective.total_weight
        with np.errstate(over="ignore", invalid="ignore"):
            self.z = objective.scores(theta)
            self.loglik = -total * float(objective.weights @ cross_entropy_value(objective.y,
                                                                                  self.z))
            self.information = total * objective.hessian(theta)
        self.factor = None
        self.penalized = -np.inf
        if not (np.isfinite(self.loglik) and np.all(np.isfinite(self.information))):
            return
        try:
            factor = scipy.linalg.cholesky(self.information, lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            return
        diagonal = np.diag(factor)
        # a pivot below √(p·eps) of the largest is rounding noise: I is numerically singular
        if diagonal.size and not diagonal.min() ** 2 > _EPS * diagonal.size * diagonal.max() ** 2:
            return
        self.factor = factor
        self.logdet = 2.0 * float(np.sum(np.log(diagonal)))
        self.penalized = self.loglik + 0.5 * self.logdet


def compiled_arrays(objective: Objective) -> KernelArrays | None:
    """(X̃, y, s, offset) as ``firth_kernels`` takes them, for a dense X̃ of at most
    COMPILED_MAX_ELEMENTS entries (None otherwise: the NumPy path). Made once per objective:
    X̃ = [X, 1] by columns, s the frequency weights, the offset (0 without one), alike rows
    merged (``firth_design.grouped_design``)."""
    cached = _compiled(objective)
    return None if cached is None else cached[0]


def _compiled(objective: Objective) -> tuple[KernelArrays, Array | None] | None:
    """(``compiled_arrays``, each row's merged row or None) for the objective, made once
    and kept with it (every evaluation asks)."""
    cached = _COMPILED.get(objective, _UNSET)
    if cached is not _UNSET:
        return cached
    X = objective.design.X
    cached = None
    if not (sp.issparse(X) or objective.n_outputs != 1
            or objective.n_samples * objective.n_params > COMPILED_MAX_ELEMENTS):
        offset = getattr(objective, "offset", None)
        cached = firth_design.grouped_design(
            X, bool(objective.fit_intercept),
            np.ascontiguousarray(objective.y, dtype=np.float64).ravel(),
            objective.total_weight * objective.weights,
            # a copy: an offset is often a read-only view (np.broadcast_to), and numba
            # compiles every kernel once more for a read-only array (seconds, cold)
            None if offset is None else np.array(offset, dtype=np.float64, order="C"),
        )
    _COMPILED[objective] = cached
    return cached


def _blocks(X, step: int):
    for start in range(0, X.shape[0], step):
        rows = slice(start, min(start + step, X.shape[0]))
        block = X[rows]
        yield rows, (block.toarray() if sp.issparse(block) else block).astype(np.float64,
                                                                               copy=False)


def _inverse_lower(factor: Array) -> Array:
    """L⁻¹ by LAPACK's triangular inverse: solve_triangular(L, I) is a BLAS trsm, which
    OpenBLAS splits over its threads even for 7 × 7, and under CPU contention each call
    then waits milliseconds for a descheduled thread."""
    inverse, info = lapack.dtrtri(factor, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("singular Cholesky factor")
    return inverse


def hat_diagonal(objective: Objective, theta: Array, factor: Array | None = None) -> Array:
    """hᵢ = sᵢπᵢ(1 - πᵢ)·x̃ᵢ I⁻¹ x̃ᵢᵀ = sᵢπᵢ(1 - πᵢ)·‖L⁻¹x̃ᵢᵀ‖², the diagonal of
    H = W^½X̃(X̃ᵀWX̃)⁻¹X̃ᵀW^½, by row blocks (never the m × m matrix).

    ``factor`` is the lower Cholesky factor L of I(β) (computed when None); x̃ᵢ = [xᵢ, 1] in
    the θ layout.
    """
    if factor is None:
        factor = FirthPoint(objective, theta).factor
        if factor is None:
            raise ValueError("the information matrix is singular: no hat matrix")
    cached = _compiled(objective)
    if cached is not None:
        arrays, groups = cached
        hat = _compiled_score(arrays, theta, factor)[1]
        if groups is None:
            return hat
        # a merged row's h is its rows' sum: each row has its weight's share
        share = np.divide(hat, arrays[2], out=np.zeros_like(hat), where=arrays[2] > 0)
        return objective.total_weight * objective.weights * share[groups]
    z = objective.scores(theta)
    curvature = objective.total_weight * objective.weights * sigmoid_derivative(z)
    X, p, d = objective.design.X, objective.n_params, objective.n_features
    # L⁻¹ once (p × p), then each block's rows x̃ᵢL⁻ᵀ are one matrix product (the intercept's
    # column of ones adds L⁻¹'s last column to every row)
    inverse = _inverse_lower(factor)
    out = np.empty(objective.n_samples)
    step = max(1, _HAT_BLOCK_BYTES // (8 * max(p, 1)))
    for rows, block in _blocks(X, step):
        solved = block @ inverse[:, :d].T
        if objective.fit_intercept:
            solved += inverse[:, d]
        out[rows] = curvature[rows] * np.einsum("ij,ij->i", solved, solved)
    return out


def _compiled_score(arrays: KernelArrays, theta: Array, factor: Array) -> tuple[Array, Array]:
    return firth_kernels.modified_score(*arrays, np.asarray(theta, dtype=np.float64), factor)


def modified_score(objective: Objective, theta: Array, factor: Array | None = None) -> Array:
    """U*(β) = X̃ᵀ[s ⊙ (y - π) + h ⊙ (½ - π)], the gradient of ℓ* (θ layout).

    y - π is taken as -∂e/∂z of the cross-entropy, which keeps its digits where π ≈ y.
    """
    arrays = compiled_arrays(objective)
    if arrays is not None:
        if factor is None:
            factor = FirthPoint(objective, theta).factor
            if factor is None:
                raise ValueError("the information matrix is singular: no hat matrix")
        return _compiled_score(arrays, theta, factor)[0]
    z = objective.scores(theta)
    h = hat_diagonal(objective, theta, factor)
    residual = -objective.total_weight * objective.weights * cross_entropy_gradient(objective.y, z)
    r = residual + h * (0.5 - sigmoid(z))
    return objective.join(objective.design.rmatvec(r), r.sum())


def penalized_hessian(
    objective: Objective, theta: Array, factor: Array, information: Array | None = None
) -> Array:
    """∇²ℓ*(β) = -I + ½·T - ½·G (θ layout), the exact curvature Fisher scoring leaves out:

        Tⱼₖ = tr(I⁻¹ ∂²I/∂βⱼ∂βₖ) = Σᵢ sᵢv''ᵢ x̃ᵢⱼx̃ᵢₖ qᵢ,      qᵢ = x̃ᵢI⁻¹x̃ᵢᵀ = ‖uᵢ‖², uᵢ = L⁻¹x̃ᵢᵀ
        Gⱼₖ = tr(I⁻¹ ∂I/∂βⱼ I⁻¹ ∂I/∂βₖ) = ⟨Aⱼ, Aₖ⟩,        Aⱼ = L⁻¹(∂I/∂βⱼ)L⁻ᵀ = Σᵢ sᵢv'ᵢ x̃ᵢⱼ uᵢuᵢᵀ

    with v = π(1 - π), v' = v(1 - 2π), v'' = v(1 - 6v) its derivatives in z, and
    ∂I/∂βⱼ = X̃ᵀ diag(s v' x̃ⱼ) X̃. Row blocks again; the cost is O(m·p³), so the fits use it
    only for moderate p. ``factor`` is L, the Cholesky factor of I(β) (= ``information``,
    computed when None).
    """
    arrays = compiled_arrays(objective)
    if arrays is not None:
        theta = np.asarray(theta, dtype=np.float64)
        if information is None:
            information = firth_kernels.point(*arrays, theta)[2]
        Xt, _, s, offset = arrays
        return firth_kernels.penalized_hessian(Xt, s, offset, theta, factor, information)
    z = objective.scores(theta)
    s = objective.total_weight * objective.weights
    pi, v = sigmoid(z), sigmoid_derivative(z)
    first, second = s * v * (sigmoid(-z) - pi), s * v * (1.0 - 6.0 * v)
    p = objective.n_params
    inverse = _inverse_lower(factor)
    trace = np.zeros((p, p))
    derivative = np.zeros((p, p * p))
    step = max(1, _HAT_BLOCK_BYTES // (8 * max(p, 1) ** 2))
    for rows, block in _blocks(objective.design.X, step):
        if objective.fit_intercept:
            block = np.column_stack([block, np.ones(block.shape[0])])
        u = block @ inverse.T
        q = np.einsum("ij,ij->i", u, u)
        trace += block.T @ (block * (second[rows] * q)[:, None])
        outer = (u[:, :, None] * u[:, None, :]).reshape(len(u), p * p)
        derivative += (block * first[rows, None]).T @ outer
    if information is None:
        information = objective.total_weight * objective.hessian(theta)
    return -information + 0.5 * trace - 0.5 * (derivative @ derivative.T)


def penalized_log_likelihood(objective: Objective, theta: Array) -> float:
    """ℓ*(β) = ℓ(β) + ½ log det I(β); -inf where I(β) is singular."""
    return FirthPoint(objective, theta).penalized
