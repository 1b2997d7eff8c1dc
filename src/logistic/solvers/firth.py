"""Firth's penalized likelihood (Firth 1993; Heinze & Schemper 2002), as R's ``logistf``.

With X̃ the design with its intercept column, πᵢ = σ(zᵢ), zᵢ = x̃ᵢβ (+ an offset), and
frequency weights sᵢ, Firth's estimate maximizes the log-likelihood penalized by Jeffreys'
prior::

    ℓ*(β)  = ℓ(β) + ½·log det I(β)
    ℓ(β)   = Σᵢ sᵢ [yᵢ log πᵢ + (1 - yᵢ) log(1 - πᵢ)]       (from z: -Σᵢ sᵢ·softplus(zᵢ) + sᵢyᵢzᵢ)
    I(β)   = X̃ᵀ W X̃,   W = diag(sᵢ·πᵢ(1 - πᵢ))

Its gradient is the modified score::

    U*(β)ⱼ = Σᵢ [sᵢ(yᵢ - πᵢ) + hᵢ(½ - πᵢ)] x̃ᵢⱼ

with hᵢ the diagonal of the hat matrix H = W^½ X̃ (X̃ᵀWX̃)⁻¹ X̃ᵀ W^½, i.e.
hᵢ = sᵢπᵢ(1 - πᵢ)·x̃ᵢ I⁻¹ x̃ᵢᵀ (so hᵢ = sᵢ·h̄ᵢ and U*ⱼ = Σᵢ sᵢ(yᵢ - πᵢ + h̄ᵢ(½ - πᵢ))x̃ᵢⱼ with
the per-observation h̄ᵢ). The term ½·∂ log det I/∂βⱼ = ½ tr(I⁻¹ ∂I/∂βⱼ) is Σᵢ hᵢ(½ - πᵢ)x̃ᵢⱼ,
because ∂(π(1 - π))/∂z = π(1 - π)(1 - 2π). hᵢ is computed without the m × m matrix H: with
the Cholesky factor I = LLᵀ, hᵢ = sᵢπᵢ(1 - πᵢ)·‖L⁻¹x̃ᵢᵀ‖², in row blocks (x̃ᵢL⁻ᵀ is a row of
one block product); log det I = 2Σ log Lₖₖ.

The estimate is finite whenever X̃ has full column rank, even under complete separation
(where the maximum-likelihood estimate is at infinity), and its O(1/n) bias is removed.

Fitting (``firth_newton``) is logistf's modified Newton iteration::

    β ← β + t·δ,   δ = I(β)⁻¹ U*(β)   (scaled down to max|δ| ≤ 5),

t = 1, ½, ¼, … until ℓ* does not decrease (step-halving); once δ is within a standard error
the steps use ℓ*'s exact Hessian where affordable (quadratic convergence, the same maximum),
and the fit stops on the step in standard errors (``solvers.stopping``). A constrained fit
keeps some coefficients fixed and steps the others with the corresponding block of I, as logistf's
``col.fit``: the penalty keeps the *full* information matrix, so ℓ* with βⱼ fixed is the same
function restricted to a line (not the penalized likelihood of the smaller model). Far along
a profile under separation the penalty's curvature rivals I's and Fisher scoring crawls;
there the constrained fits continue with the exact Hessian of ℓ* (``penalized_hessian``), and
since ℓ* need not be concave on such a line, an interval's end is also fitted from β̂.

Dense designs of at most COMPILED_MAX_ELEMENTS entries are evaluated by compiled kernels
(``firth_kernels``), alike rows merged, and the estimator steps with the exact Hessian there
(``preferred_hessian``). The tests, intervals and statistics of a fit are in
``firth_inference``.

Symbols: β is θ of ``objective.py`` (rows [w, b], the intercept last in the solver layout; the
statistics put it first, as the summary does).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.linalg import lapack

from logistic.core import firth_design, firth_kernels
from logistic.core.linalg import solve_psd
from logistic.core.losses import cross_entropy, cross_entropy_gradient, cross_entropy_value
from logistic.core.objective import Objective
from logistic.core.sigmoid import sigmoid, sigmoid_derivative
from logistic.solvers.result import Callback, SolverResult, report
from logistic.solvers.stopping import CONVERGED, step_in_standard_errors

Array = NDArray[np.float64]

__all__ = [
    "FirthResult",
    "firth_newton",
    "hat_diagonal",
    "modified_score",
    "penalized_hessian",
    "penalized_log_likelihood",
    "preferred_hessian",
]

_EPS = np.finfo(np.float64).eps
_FLAT = 64 * _EPS
MAX_STEP = 5.0  # logistf's maxstep
_MAX_HALVINGS = 40
_HAT_BLOCK_BYTES = 1 << 22
#: Dense designs of at most this many entries m·p of X̃ are evaluated by the compiled kernels
#: (``firth_kernels``): at such sizes NumPy's per-call overhead, not arithmetic, is the cost.
COMPILED_MAX_ELEMENTS = 300_000
#: Up to this many parameters a compiled fit steps with the exact Hessian of ℓ*.
EXACT_STEP_PARAMS = 8
_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_UNSET = object()
#: ℓ*'s exact Hessian (``penalized_hessian``) costs O(m·p³) a step: fits use it while m·p³ is at
#: most this (``exact_hessian_affordable``).
EXACT_HESSIAN_WORK = 2e8
# Fisher steps within this many standard errors of the maximum hand over to the exact Hessian
# (where affordable): the last step's error is then quadratic in δ, not a fixed share of it.
_EXACT_WITHIN = 1.0


# -- the penalized likelihood and its gradient -------------------------------------------------
class FirthPoint:
    """ℓ, I = X̃ᵀWX̃, its Cholesky factor L and ℓ* = ℓ + ½ log det I at one β (θ layout).

    ``penalized`` is -inf where I is not numerically positive definite (π saturated to 0 or 1
    on too many rows, or a rank-deficient X̃): such a point is never accepted.
    """

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


def compiled_arrays(objective: Objective) -> tuple | None:
    """(X̃, y, s, offset) as ``firth_kernels`` takes them, for a dense X̃ of at most
    COMPILED_MAX_ELEMENTS entries (None otherwise: the NumPy path). Made once per objective:
    X̃ = [X, 1] by columns, s the frequency weights, the offset (0 without one), alike rows
    merged (``firth_design.grouped_design``)."""
    cached = _compiled(objective)
    return None if cached is None else cached[0]


def _compiled(objective: Objective) -> tuple | None:
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
            np.zeros(objective.n_samples) if offset is None
            else np.ascontiguousarray(offset, dtype=np.float64),
        )
    _COMPILED[objective] = cached
    return cached


def preferred_hessian(objective: Objective) -> str:
    """``firth_newton``'s ``hessian`` for a fit of this objective: 'exact' where the compiled
    kernels evaluate ℓ* and p ≤ EXACT_STEP_PARAMS (there -∇²ℓ* costs about one evaluation,
    and Newton's steps take half the iterations of Fisher's to the same maximum), else
    logistf's 'fisher'."""
    small = objective.n_params <= EXACT_STEP_PARAMS and compiled_arrays(objective) is not None
    return "exact" if small else "fisher"


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


def _compiled_score(arrays: tuple, theta: Array, factor: Array) -> tuple[Array, Array]:
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


# -- the modified Newton iteration -------------------------------------------------------------
@dataclass
class FirthResult(SolverResult):
    """A ``SolverResult`` (loss_history holds -ℓ*/Σs, grad_norm_history max|U*|/Σs over the
    fitted entries) with the penalized fit's quantities at the final β."""

    penalized_log_likelihood: float = -np.inf
    log_likelihood: float = -np.inf
    information: Array | None = None

    @property
    def cov(self) -> Array:
        """I(β̂)⁻¹ (θ layout)."""
        return solve_psd(self.information, np.eye(self.information.shape[0]))[0]


def exact_hessian_affordable(objective: Objective) -> bool:
    """Whether m·p³, the cost of one exact Hessian of ℓ*, is at most EXACT_HESSIAN_WORK."""
    return objective.n_samples * objective.n_params**3 <= EXACT_HESSIAN_WORK


def check_firth_objective(objective: Objective) -> None:
    if objective.loss is not cross_entropy or objective.n_outputs != 1:
        raise ValueError("Firth's penalty is for the binary cross-entropy (two classes)")


def firth_newton(
    objective: Objective,
    theta0: Array,
    *,
    free: Array | None = None,
    max_iter: int = 100,
    tol: float = 1e-6,
    max_step: float = MAX_STEP,
    hessian: str = "fisher",
    callback: Callback | None = None,
) -> FirthResult:
    """Maximizes ℓ*(β) from β₀ by β ← β + t·I⁻¹U* with step-halving on ℓ* (module docstring).

    ``objective`` is an unpenalized binary cross-entropy ``Objective`` (its sample weights are
    the frequency weights s; an ``OffsetObjective`` adds an offset). ``free`` is a boolean
    mask of the entries to fit (all by default); the others stay at their value in β₀ (a
    constrained fit, logistf's ``col.fit``). Stops once the step δ just computed is within
    ``tol`` standard errors, √(U*_Fᵀ d_F) ≤ tol over the free entries F (I⁻¹ is the
    covariance; ``solvers.stopping``), after taking it; or after ``max_iter`` iterations.

    ``hessian='exact'`` steps with -∇²ℓ* (``penalized_hessian``) instead of I wherever it is
    positive definite on the free entries: the same maximum, reached quadratically where the
    penalty's curvature is not small beside I's (few observations, or far along a profile
    under separation, where Fisher scoring crawls). The default 'fisher' is logistf's
    iteration until its step is within a standard error of the maximum, and from there the
    exact one where its O(m·p³) cost is moderate (``exact_hessian_affordable``): the same
    estimate, with quadratic instead of linear convergence at the end.

    Raises ValueError where I(β₀) is singular for an unconstrained fit: Firth's penalty needs
    X̃ of full column rank.
    """
    check_firth_objective(objective)
    if hessian not in ("fisher", "exact"):
        raise ValueError(f"hessian must be 'fisher' or 'exact', got {hessian!r}")
    theta = np.array(theta0, dtype=np.float64)
    free = np.ones(theta.size, dtype=bool) if free is None else np.asarray(free, dtype=bool)
    total = objective.total_weight
    point = FirthPoint(objective, theta)
    result = FirthResult(theta, 0, False, "maximum number of iterations reached")
    if point.factor is None:
        if free.all():
            raise ValueError(
                "Firth's penalty needs a design of full column rank (with the intercept "
                "column): log det I(β) = -inf at the start. Drop constant or collinear columns."
            )
        result.message = "the information matrix is singular at the start"
        return result
    score = modified_score(objective, theta, point.factor)
    norm = result.record(-point.penalized / total, score[free] / total)
    affordable = exact_hessian_affordable(objective)
    for iteration in range(1, max_iter + 2):
        if not free.any():
            break
        direction = np.zeros_like(theta)
        direction[free] = _direction(objective, theta, point, free, score, hessian)
        # the stopping test (solvers.stopping): δ = √(U*ᵀd), the step in standard errors, as
        # I = Σs·∇²J already holds Σs; the step that meets it is taken, the rest is rounding
        result.step_history.append(step_in_standard_errors(float(score @ direction), 1.0))
        if result.step_history[-1] <= tol:
            result.converged, result.message = True, CONVERGED
            last = _last_step(objective, theta, point, direction) if iteration <= max_iter else None
            if last is not None:
                theta, point = last
                score = modified_score(objective, theta, point.factor)
                result.theta, result.n_iter = theta, iteration
                result.record(-point.penalized / total, score[free] / total)
                report(callback, iteration, result)
            break
        if iteration > max_iter:
            break
        if hessian == "fisher" and result.step_history[-1] <= _EXACT_WITHIN and affordable:
            # Fisher scoring converges only linearly (by the ratio of the penalty's curvature
            # to I's) and would leave the last step's error at that ratio times δ: within a
            # standard error of the maximum ℓ*'s own curvature takes over (quadratic)
            hessian = "exact"
        largest = float(np.max(np.abs(direction)))
        if largest > max_step:
            direction *= max_step / largest
        slope = float(score @ direction)
        step, new_score = 1.0, None
        for _ in range(_MAX_HALVINGS + 1):
            candidate = theta + step * direction
            new = FirthPoint(objective, candidate)
            change = new.penalized - point.penalized
            # Within ℓ*'s rounding the comparison is noise: the smaller modified score decides
            # there, or the iteration would wander at the floor short of tol.
            if new.factor is not None and abs(change) <= _FLAT * max(abs(point.penalized), 1.0):
                new_score = modified_score(objective, candidate, new.factor)
                if np.max(np.abs(new_score[free])) / total < norm:
                    break
                new_score = None
            elif change >= 0:
                break
            step *= 0.5
        else:
            if slope <= 1e4 * _EPS * max(abs(point.penalized), 1.0):
                result.converged = True
                result.message = "converged to floating-point precision (no further increase)"
            else:
                result.message = "step-halving failed to increase the penalized likelihood"
            break
        theta, point = candidate, new
        score = modified_score(objective, theta, point.factor) if new_score is None else new_score
        result.theta, result.n_iter = theta, iteration
        norm = result.record(-point.penalized / total, score[free] / total)
        report(callback, iteration, result)
    if not free.any():
        result.converged, result.message = True, "nothing to fit: every entry is fixed"
    result.theta = theta
    result.penalized_log_likelihood = point.penalized
    result.log_likelihood = point.loglik
    result.information = point.information
    return result


def _last_step(objective, theta: Array, point: FirthPoint, direction: Array):
    """(β + d, its point) for the step d that met the stopping test, taken in full unless ℓ*
    falls there by more than its rounding or I is singular there; else None (β stays)."""
    candidate = theta + direction
    new = FirthPoint(objective, candidate)
    if new.factor is None or new.penalized < point.penalized - _FLAT * max(abs(point.penalized),
                                                                           1.0):
        return None
    return candidate, new


def _direction(objective, theta, point: FirthPoint, free, score: Array, hessian: str) -> Array:
    """The step on the free entries: I_FF⁻¹U*_F, or (-∇²ℓ*)_FF⁻¹U*_F where that is positive
    definite and asked for."""
    arrays = compiled_arrays(objective)
    if arrays is not None:  # the same steps, in one compiled call
        step, ok = firth_kernels.newton_step(*arrays, np.asarray(theta, dtype=np.float64),
                                             point.factor, point.information, score, free,
                                             hessian == "exact")
        if ok:
            return step[free]
    index = np.ix_(free, free)
    if hessian == "exact":
        curvature = -penalized_hessian(objective, theta, point.factor, point.information)
        curvature = curvature[index]
        try:
            factor = scipy.linalg.cho_factor(curvature, check_finite=False)
            return scipy.linalg.cho_solve(factor, score[free], check_finite=False)
        except np.linalg.LinAlgError:
            pass  # ℓ* is not concave here: Fisher's step, which always ascends
    return solve_psd(point.information[index], score[free])[0]


_MOVED = ("FirthStatistics", "firth_profile_intervals", "firth_statistics", "penalized_lr_tests",
          "MAX_PROFILE_PARAMETERS", "MAX_PROFILE_ELEMENTS")


def __getattr__(name: str):
    """The inference names once defined here resolve to ``firth_inference`` (which imports
    this module, so they cannot be imported at its top)."""
    if name in _MOVED:
        from logistic.inference.statistics import firth as firth_inference

        return getattr(firth_inference, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
