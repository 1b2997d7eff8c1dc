"""The mixed logistic family: its data by group, its parameters and its approximate ℓ.

    logit P(yᵢ = 1 | b_g) = xᵢ·β + zᵢ·b_g,   b_g ~ N(0, Σ),   Σ = LLᵀ

The parameters are θ = [β, λ] with λ the free elements of L: its lower triangle column by
column (``covariance="unstructured"``, lme4's θ for ``(1 + x | g)``) or its diagonal
(``"diagonal"``, lme4's ``(1 + x || g)``); L's diagonal is kept ≥ 0. ℓ(β, λ) is the sum
over groups of ``core.mixed_kernels``' log L_g (Laplace, or adaptive Gauss–Hermite for
one scalar random effect) plus the binomial coefficients Σᵢ wᵢ log C(nᵢ, sᵢ), which R's
``dbinom`` (and so glmer's logLik) counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import gammaln

from logistic.core.mixed_kernels import mixed_pass
from logistic.exceptions import DataError

__all__ = ["COVARIANCES", "MixedData", "MixedObjective", "group_codes", "prepare_data",
           "relative_factor", "theta_bounds"]

COVARIANCES = ("unstructured", "diagonal")
_THETA_STEP = 1e-5  # central differences (AGQ): truncation ~1e-10, rounding ~1e-9 of ℓ's scale


@dataclass(frozen=True, eq=False)
class MixedData:
    """Rows sorted by group: the fixed design X (n × p, the intercept column included),
    the random-effect design Z (n × q), a = w·s, b = w·n, group g's rows
    starts[g]:starts[g+1], the group labels, the sort order and the log C(n, s) sum."""

    X: NDArray[np.float64]
    Z: NDArray[np.float64]
    a: NDArray[np.float64]
    b: NDArray[np.float64]
    starts: NDArray[np.int64]
    levels: NDArray
    order: NDArray[np.int64]
    constant: float

    @property
    def n_groups(self) -> int:
        return int(self.starts.size - 1)


def group_codes(groups: object, n_rows: int) -> tuple[NDArray[np.int64], NDArray]:
    """(each row's group code 0..G-1, the G labels in sorted order); DataError for a
    missing label or a length other than n_rows."""
    if groups is None:
        raise DataError("a mixed model needs groups=: one group label per row")
    series = pd.Series(np.asarray(groups).ravel() if not isinstance(groups, pd.Series)
                       else groups.to_numpy())
    if series.size != n_rows:
        raise DataError(f"groups has {series.size} labels for {n_rows} rows")
    if series.isna().any():
        raise DataError(f"the grouping column holds {int(series.isna().sum())} missing "
                        "values: drop those rows or give them a group")
    codes, levels = pd.factorize(series, sort=True)
    return codes.astype(np.int64), np.asarray(levels)


def prepare_data(X: NDArray[np.float64], Z: NDArray[np.float64], successes: NDArray,
                 trials: NDArray, weights: NDArray, groups: object) -> MixedData:
    """The rows sorted by group with their weighted counts; DataError for a design that
    cannot identify the random effects (one group, or as many random effects as rows)."""
    codes, levels = group_codes(groups, X.shape[0])
    n_groups, q = levels.size, Z.shape[1]
    if n_groups < 2:
        raise DataError("the grouping column has a single group: a variance between groups "
                        "needs two or more (fit a plain LogisticRegression)")
    if n_groups * q >= X.shape[0]:
        raise DataError(f"the number of rows ({X.shape[0]}) must exceed the number of random "
                        f"effects ({n_groups} groups × {q} = {n_groups * q}); with groups of "
                        "one row a random intercept cannot be told from the binomial noise")
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(n_groups + 1)).astype(np.int64)
    w, s, n = weights[order], successes[order], trials[order]
    constant = float(np.sum(w * (gammaln(n + 1) - gammaln(s + 1) - gammaln(n - s + 1))))
    return MixedData(np.ascontiguousarray(X[order], dtype=np.float64),
                     np.ascontiguousarray(Z[order], dtype=np.float64), w * s, w * n, starts,
                     levels, order.astype(np.int64), constant)


def theta_size(q: int, covariance: str) -> int:
    """The number of free elements of L: q(q+1)/2 (unstructured) or q (diagonal)."""
    return q * (q + 1) // 2 if covariance == "unstructured" else q


def theta_bounds(q: int, covariance: str) -> list[tuple[float | None, float | None]]:
    """L's diagonal ≥ 0, its other elements free (lme4's lower bounds on θ)."""
    if covariance == "diagonal":
        return [(0.0, None)] * q
    return [(0.0, None) if i == j else (None, None) for j in range(q) for i in range(j, q)]


def relative_factor(theta: NDArray[np.float64], q: int, covariance: str) -> NDArray[np.float64]:
    """L from λ: the lower triangle filled column by column (lme4's θ order), or diag(λ)."""
    if covariance == "diagonal":
        return np.diag(np.asarray(theta, dtype=np.float64))
    factor = np.zeros((q, q))
    rows, cols = _column_major_lower(q)
    factor[rows, cols] = theta
    return factor


def theta_positions(q: int, covariance: str) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(row, column) in L of each element of λ."""
    if covariance == "diagonal":
        return np.arange(q, dtype=np.int64), np.arange(q, dtype=np.int64)
    return _column_major_lower(q)


def laplace_theta_gradient(sums: NDArray[np.float64], modes: NDArray[np.float64],
                           inverse_information: NDArray[np.float64],
                           factor: NDArray[np.float64], covariance: str) -> NDArray[np.float64]:
    """∂ℓ/∂λₖ of the Laplace approximation, λₖ = L[i, j], summed over groups (û and H
    moving with L; rz = Σrᵢzᵢ, cz = Σcᵢzᵢ, A = ΣWᵢzᵢzᵢᵀ from the kernel, t = H⁻¹Lᵀcz):

        ∂/∂L[i, j] = rz[i]û[j] − (H⁻¹LᵀA)[j, i] + cz[i]û[j] + t[j]rz[i] − (ALt)[i]û[j]

    (the envelope term, −½ tr(H⁻¹ ∂H) at fixed û, then −½ tr(H⁻¹ ∂H) through û's move)."""
    q = modes.shape[1]
    rz, cz = sums[:, :q], sums[:, q:2 * q]
    A = sums[:, 2 * q:].reshape(-1, q, q)
    t = np.einsum("gjk,lk,gl->gj", inverse_information, factor, cz)  # H⁻¹ Lᵀ cz
    hla = np.einsum("gjk,lk,glm->gjm", inverse_information, factor, A)  # H⁻¹ Lᵀ A
    alt = np.einsum("gim,ml,gl->gi", A, factor, t)  # A L t
    rows, cols = theta_positions(q, covariance)
    terms = (rz[:, rows] * modes[:, cols] - hla[:, cols, rows] + cz[:, rows] * modes[:, cols]
             + t[:, cols] * rz[:, rows] - alt[:, rows] * modes[:, cols])
    return np.asarray(terms.sum(axis=0), dtype=np.float64)


def _column_major_lower(q: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The (row, column) indices of a q × q lower triangle, column by column."""
    pairs = [(i, j) for j in range(q) for i in range(j, q)]
    return (np.array([p[0] for p in pairs], dtype=np.int64),
            np.array([p[1] for p in pairs], dtype=np.int64))


@dataclass(eq=False)
class MixedObjective:
    """ℓ(β, λ) of ``MixedData`` by Laplace (n_agq = 1) or adaptive Gauss–Hermite, with its
    gradient (exact for Laplace, by central differences for Gauss–Hermite). The modes of the
    last evaluation are kept and start the next one's Newton iterations."""

    data: MixedData
    covariance: str
    n_agq: int = 1
    modes: NDArray[np.float64] = field(init=False)
    inverse_information: NDArray[np.float64] = field(init=False)

    def __post_init__(self) -> None:
        q = self.data.Z.shape[1]
        self.modes = np.zeros((self.data.n_groups, q))
        self.inverse_information = np.zeros((self.data.n_groups, q, q))
        nodes, weights = np.polynomial.hermite.hermgauss(max(1, int(self.n_agq)))
        self._nodes = nodes if self.n_agq > 1 else np.zeros(1)
        self._weights = weights if self.n_agq > 1 else np.full(1, np.sqrt(np.pi))

    @property
    def n_fixed(self) -> int:
        return int(self.data.X.shape[1])

    def split(self, params: NDArray[np.float64]) -> tuple[NDArray[np.float64],
                                                          NDArray[np.float64]]:
        """(β, L) of θ = [β, λ]."""
        p, q = self.n_fixed, self.data.Z.shape[1]
        return params[:p], relative_factor(params[p:], q, self.covariance)

    def evaluate(self, params: NDArray[np.float64], want_gradient: bool = False,
                 modes: NDArray[np.float64] | None = None) -> tuple[float, NDArray | None]:
        """(ℓ(θ), ∇ℓ(θ) of the Laplace approximation or None): one pass over every group;
        ``modes`` (else the kept ones) start the inner Newton iterations and are updated."""
        beta, factor = self.split(np.asarray(params, dtype=np.float64))
        data = self.data
        eta0 = data.X @ beta
        V = np.ascontiguousarray(data.Z @ factor)
        q = data.Z.shape[1]
        loglik = np.empty(data.n_groups)
        scores = np.empty(data.a.size if want_gradient else 0)
        sums = np.empty((data.n_groups if want_gradient else 0, 2 * q + q * q))
        state = self.modes if modes is None else modes
        mixed_pass(eta0, V, data.Z, data.a, data.b, data.starts, state, self._nodes,
                   self._weights, bool(want_gradient), loglik, scores,
                   self.inverse_information, sums)
        value = float(np.sum(loglik)) + data.constant
        if not want_gradient:
            return value, None
        theta_grad = laplace_theta_gradient(sums, state, self.inverse_information, factor,
                                            self.covariance)
        return value, np.r_[data.X.T @ scores, theta_grad]

    def value(self, params: NDArray[np.float64]) -> float:
        """ℓ(θ)."""
        return self.evaluate(params)[0]

    def gradient(self, params: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        """(ℓ(θ), ∇ℓ(θ)): exact for Laplace; by central differences for Gauss–Hermite, from
        the modes at θ."""
        params = np.asarray(params, dtype=np.float64)
        if self.n_agq <= 1:
            value, grad = self.evaluate(params, want_gradient=True)
            return value, np.asarray(grad)
        value, _ = self.evaluate(params)
        base, inverse = self.modes.copy(), self.inverse_information.copy()
        grad = np.empty(params.size)
        for k in range(params.size):
            step = _THETA_STEP * max(1.0, abs(params[k]))
            up, down = params.copy(), params.copy()
            up[k] += step
            down[k] -= step
            grad[k] = (self.evaluate(up, modes=base.copy())[0]
                       - self.evaluate(down, modes=base.copy())[0]) / (2 * step)
        self.modes, self.inverse_information = base, inverse  # the state at θ, kept
        return value, grad
