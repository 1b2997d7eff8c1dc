"""Separating directions by linear programming, verified on every row, at any number of rows.

Constraint rows. With K classes (two included), class 0 the reference, the scores are
z = X̃B with X̃ = [X, 1] (no 1 without an intercept) and B's row for class 0 fixed at 0;
u = vec(the other K - 1 rows). Sample i of class yᵢ gives one row per other class k,

    aᵢₖ·u = zᵢ,yᵢ - zᵢₖ,

the amount by which the scores favour its own class over k; with two classes that is one
row per sample, sᵢ·x̃ᵢ with sᵢ = ±1, the binary margin. u separates when aᵢₖ·u ≥ 0 for every
row and > 0 for some: moving B along u raises the likelihood forever, so the maximum-
likelihood estimate does not exist (Albert & Anderson 1984; Lesaffre & Albert 1989 for
K classes). Only samples of positive weight give rows.

Programs (scipy's HiGHS) on a set S of rows, the columns scaled to max |x| = 1 and the
intercepts free of cost:

    quasi:     minimize ‖u‖₁  subject to  a·u ≥ 0 on S,  Σ_S a·u = |S|
    complete:  minimize ‖u‖₁  subject to  a·u ≥ 1 on S

Each is feasible exactly when some u is positive on a row of S (on every row, for
complete); the ‖·‖₁ objective ends at a vertex, a direction on few columns, which names them.

The rows that matter. S starts from _START rows: those a seed direction (the fit's own
divergence) gives the largest and the smallest margins, plus a random rest. Each solution
is checked on every row and the most violated rows join S (constraint generation), S
growing to at most _ENTRIES matrix entries, for at most _ROUNDS rounds and _SECONDS of
solving in all. While all rows fit in _ENTRIES, a subset without a solution is retried
with all rows, so that one program decides there. A search that runs out of budget
reports nothing: it can miss a separation, never invent one.

Certificate. HiGHS meets a·u ≥ 0 to its tolerance 1e-7, so a solution is first projected
onto the null space of the rows of S it leaves at margin ≈ 0 (the program's zeros, which
it meets only to that tolerance), within the columns it uses.
It is then checked on every row in one pass: m = a·u and r = |a|·|u| (the size that
rounding is relative to). It is accepted when every m ≥ -τ·r and some m ≥ ρ·r, τ = 1e-9 and
ρ = 1e-6: the data are separated once each row is moved by at most 1e-9 of its own terms,
below the digits of any measured data. The rows with m > τ·r are the separated ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import linprog

Array = NDArray[np.float64]

__all__ = ["Budget", "Rows", "certified", "search"]

# Matrix entries (rows of S × unknowns) of one program: about a second of HiGHS.
_ENTRIES = 500_000
# Rows of the first program of a search (or 10 per unknown), and rounds of adding rows.
_START = 2_000
_ROUNDS = 8
# Solver time of one screen, all programs together.
_SECONDS = 3.0
# The certificate's tolerances, relative to each row's |a|·|u| (module docstring).
TOLERANCE = 1e-9
STRICT = 1e-6
_TIGHT = 1e-6  # margins this small (relative) are the program's zeros, polished to exact 0
_BLOCK_BYTES = 1 << 22


@dataclass
class Budget:
    """The seconds left for solving; once spent, searches stop and report nothing more."""

    seconds: float = _SECONDS
    start: float = field(default_factory=time.perf_counter)

    def left(self) -> float:
        return self.seconds - (time.perf_counter() - self.start)


class Rows:
    """The constraint rows a·u of (X, labels) over the samples of positive weight.

    ``scale`` (d,) are the columns' largest |x| over those samples (0 for a column of
    zeros); the unknowns u are in scaled columns, uⱼ = βⱼ·scaleⱼ, the intercept unscaled.
    Rows are numbered sample by sample, K - 1 per sample, in the order of ``others``.
    """

    def __init__(self, X, labels, keep, n_classes: int, fit_intercept: bool, scale: Array):
        self.X = X
        # every sample kept (the usual case): a slice, so that no index array is gathered
        self.kept = slice(None) if keep.all() else np.flatnonzero(keep)
        labels = np.asarray(labels)  # two classes: a boolean view, no 8-byte copy
        labels = labels if labels.dtype == np.bool_ else labels.astype(np.intp, copy=False)
        self.labels = labels[self.kept]
        self.K, self.fit_intercept = int(n_classes), bool(fit_intercept)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.d = X.shape[1]
        self.r = self.d + int(self.fit_intercept)
        self.n_vars = (self.K - 1) * self.r
        self.n_rows = self.labels.size * (self.K - 1)
        unit = np.ones(self.r)
        unit[: self.d] = np.where(self.scale > 0, self.scale, 1.0)
        free = np.zeros(self.r, dtype=bool)
        free[self.d :] = True
        if self.K > 2:  # one block per free class
            unit, free = np.tile(unit, self.K - 1), np.tile(free, self.K - 1)
        self.unit = unit  # u = β·unit
        self.free = free  # the intercepts: no cost in the programs

    @property
    def others(self) -> NDArray[np.intp]:
        """(samples, K - 1): the class each of a sample's rows weighs its own against."""
        j = np.arange(self.K - 1)
        return j + (j >= self.labels[:, None])

    def coefficients(self, u: Array) -> Array:
        """(K, r) B of direction u, row 0 (the reference class) zero, in X's own units."""
        B = np.zeros((self.K, self.r))
        B[1:] = (u / self.unit).reshape(self.K - 1, self.r)
        B[1:, : self.d][:, self.scale == 0] = 0.0
        return B

    def margins(self, u: Array) -> tuple[Array, Array]:
        """(m, r) of every row: m = a·u and r = |a|·|u|."""
        B = self.coefficients(u)
        Z, R = _products(self.X, B[1:], self.kept, self.labels.size, self.d)
        return self._pairs(Z, R)

    def margins_of_scores(self, Z: Array) -> Array:
        """a·u of every row for the scores Z of all samples (n for two classes, else n × K)."""
        Z = np.asarray(Z, dtype=np.float64)[self.kept]
        if Z.ndim == 1:
            return np.where(self.labels, Z, -Z)
        return self._pairs(Z[:, 1:] - Z[:, :1], np.zeros_like(Z[:, 1:]))[0]

    def _pairs(self, Z: Array, R: Array) -> tuple[Array, Array]:
        """Rows from the free classes' scores Z and sizes R (samples × (K - 1)); class 0
        scores 0."""
        if self.K == 2:
            return np.where(self.labels, Z[:, 0], -Z[:, 0]), R[:, 0]
        Z, R = (np.column_stack([np.zeros(Z.shape[0]), values]) for values in (Z, R))
        own, others = self.labels[:, None], self.others
        m = np.take_along_axis(Z, own, 1) - np.take_along_axis(Z, others, 1)
        r = np.take_along_axis(R, own, 1) + np.take_along_axis(R, others, 1)
        return m.ravel(), r.ravel()

    def block(self, rows: NDArray[np.intp]):
        """The rows' matrix G (len(rows) × n_vars, CSR), G·u = a·u."""
        samples, column = np.divmod(rows, self.K - 1)
        own, other = self.labels[samples], self.others[samples, column]
        data = self.X[np.arange(self.X.shape[0])[self.kept][samples]]
        data = sp.csr_matrix(data, dtype=np.float64) @ sp.diags(1.0 / self.unit[: self.d])
        if self.fit_intercept:
            data = sp.hstack([data, np.ones((rows.size, 1))], format="csr")
        parts = [sp.diags((own == k) - (other == k).astype(np.float64)) @ data
                 for k in range(1, self.K)]
        return sp.hstack(parts, format="csr")


def _products(X, B: Array, kept, n: int, d: int) -> tuple[Array, Array]:
    """(X̃Bᵀ, |X̃|·|B|ᵀ) over the kept samples for the free classes' rows B, the columns
    that B leaves at 0 skipped (a single-column direction reads a few columns only)."""
    W, b = B[:, :d].T, B[:, d:].sum(axis=1)  # b: the intercepts (zeros without)
    used = np.flatnonzero(np.any(W != 0, axis=1))
    Z, R = np.tile(b, (n, 1)), np.tile(np.abs(b), (n, 1))
    if used.size == 0:
        return Z, R
    W = W[used]
    if sp.issparse(X):  # rows and columns selected only where some are left out
        part = sp.csr_matrix(X)
        part = part if isinstance(kept, slice) else part[kept]
        part = (part if used.size == d else part[:, used]).astype(np.float64, copy=False)
        return Z + part @ W, R + abs(part) @ np.abs(W)
    positions = np.arange(X.shape[0])[kept] if isinstance(kept, np.ndarray) else None
    step = max(1, _BLOCK_BYTES // max(1, 8 * d))
    for start in range(0, n, step):
        rows = slice(start, start + step) if positions is None else positions[start : start + step]
        block = X[rows] if used.size == d else X[rows][:, used]
        block = np.asarray(block, dtype=np.float64)
        Z[start : start + step] += block @ W
        R[start : start + step] += np.abs(block) @ np.abs(W)
    return Z, R


def certified(m: Array, r: Array) -> bool:
    """Every margin ≥ -τ·r and some ≥ ρ·r (the module docstring)."""
    return bool(np.all(m >= -TOLERANCE * r) and np.any(m >= STRICT * r))


def search(
    rows: Rows, among: NDArray[np.intp], budget: Budget, *, complete: bool = False,
    seed: Array | None = None,
) -> Array | None:
    """A direction u verified on the rows ``among`` (≥ 0 on all, > 0 on some; > 0 on all
    for ``complete``), or None where none exists or the budget ran out first.

    The first program takes _START rows (``seed``: a score per row of ``among``, high where
    a row is likely separated); each round adds the most violated rows. Where all rows fit
    in one program an infeasible subset is retried with all of them, so that the answer
    is exact there.
    """
    if among.size == 0:
        return None
    capacity = max(1, _ENTRIES // max(1, rows.n_vars))
    size = min(among.size, capacity, max(_START, 10 * rows.n_vars))
    chosen = among if among.size <= size else _start(among, size, seed)
    for _ in range(_ROUNDS):
        G = rows.block(chosen)
        u = _program(G, rows.free, complete, budget.left())
        if u is None:
            if chosen.size < among.size <= capacity and budget.left() > 0:
                chosen = among
                continue
            return None
        u = _polish(G, u)
        m, r = rows.margins(u)
        m, r = m[among], r[among]
        bad = m <= TOLERANCE * r if complete else m < -TOLERANCE * r
        if not bad.any() and np.any(m >= STRICT * r):
            return u
        if chosen.size == among.size or chosen.size >= capacity or budget.left() <= 0:
            return None
        worst = np.argsort(m[bad] / np.maximum(r[bad], np.finfo(float).tiny))
        added = among[np.flatnonzero(bad)[worst[: max(1, min(size, capacity - chosen.size))]]]
        grown = np.union1d(chosen, added)
        if grown.size == chosen.size:  # the violations are the program's own: no cure
            return None
        chosen = grown
    return None


def _start(among: NDArray[np.intp], capacity: int, seed: Array | None) -> NDArray[np.intp]:
    """A quarter of the rows with the highest seed scores, a quarter with the lowest, a
    random half of the others (seeded, so a fit is reproducible)."""
    rng = np.random.default_rng(0)
    if seed is None:
        return np.sort(rng.choice(among, capacity, replace=False))
    order = np.argsort(seed, kind="stable")
    quarter = capacity // 4
    ends = np.r_[order[:quarter], order[order.size - quarter :]]
    middle = order[quarter : order.size - quarter]
    rest = rng.choice(middle, min(middle.size, capacity - ends.size), replace=False)
    return np.sort(among[np.r_[ends, rest]])


def _program(G, free: NDArray[np.bool_], complete: bool, seconds: float) -> Array | None:
    """The quasi or complete program of the module docstring on G; u = u⁺ - u⁻."""
    if seconds <= 0:
        return None
    q = G.shape[1]
    cost = np.tile(np.where(free, 0.0, 1.0), 2)
    lower = sp.hstack([-G, G], format="csr")  # -G·u ≤ -bound
    options = {"method": "highs", "bounds": (0, None), "options": {"time_limit": seconds}}
    if complete:
        result = linprog(cost, A_ub=lower, b_ub=-np.ones(G.shape[0]), **options)
    else:
        total = np.asarray(G.sum(axis=0)).ravel()
        # margins averaging 1, not summing to 1: HiGHS's tolerance (1e-7) is absolute, and
        # against margins of 1/|S| it would allow violations of 1e-4 of a row's size
        result = linprog(cost, A_ub=lower, b_ub=np.zeros(G.shape[0]),
                         A_eq=np.r_[total, -total][None, :], b_eq=[float(G.shape[0])],
                         **options)
    if result.status != 0:
        return None
    return result.x[:q] - result.x[q:]


def _polish(G, u: Array) -> Array:
    """u projected onto the null space of the rows of G it leaves at margin ≈ 0, so that
    those margins are 0 to rounding rather than to HiGHS's tolerance. Only u's nonzero
    entries move: the program's zeros (the columns it does not use) stay exact."""
    m = G @ u
    r = abs(G) @ np.abs(u)
    tight = np.abs(m) <= _TIGHT * r
    support = np.flatnonzero(u)
    if not tight.any() or support.size == 0:
        return u
    T = G[np.flatnonzero(tight)][:, support].toarray()
    _, s, vt = scipy.linalg.svd(T, full_matrices=T.shape[0] < T.shape[1], check_finite=False)
    rank = int(np.sum(s > 1e-9 * s.max(initial=0.0))) if s.size else 0
    null = vt[rank:]
    projected = null.T @ (null @ u[support])
    if not np.any(projected != 0):
        return u
    polished = np.zeros_like(u)
    polished[support] = projected
    return polished
