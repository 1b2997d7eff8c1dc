"""Complete and quasi-complete separation: when the unpenalized optimum does not exist.

If some direction changes the scores so that no sample's own class loses ground against any
other class and some sample's gains (binary: margins mᵢ = (2yᵢ - 1)(β₀ + xᵢ·β) ≥ 0 for every
sample, > 0 for one), moving the coefficients along it lowers J forever: the cross-entropy
has no finite minimizer (Albert & Anderson 1984). Only samples of positive weight count.

Three tests, cheapest first; each reports only what it has verified:

1. One column (exact, at any size). Column j separates when a threshold t puts every
   sample of some classes at xⱼ ≤ t and every sample of the others at xⱼ ≥ t, not all at t:
   the others' scores move by xⱼ - t ≥ 0 (binary: (β₀, βⱼ) = (-t, ±1)). Indicators and
   counts whose nonzero rows all lie in one class (or avoid one class) are the case t = 0.
   Without an intercept only t = 0 is a direction. The test needs the per-class column
   extremes, which the fit's column-scale check reads in the same pass. (A class whose
   samples all have weight 0 is separated too: its intercept falls forever.)
2. The fitted hyperplane: where every fitted margin is positive it is itself a certificate
   of complete separation.
3. Combinations of columns (``separation_lp``): linear programs on the rows that matter,
   each solution verified on every row. They run only where the fit gives cause, the next
   Newton step H⁻¹∇J still moving a coefficient (in units of the linear predictor,
   |stepⱼ|·max|xⱼ|) by more than 0.01 outside the columns test 1 found. At a true optimum
   that step is of the order of tol; when the optimum is at infinity the separated samples'
   weights σ(1-σ) vanish with their gradient, so the Hessian is nearly singular along the
   separating direction and the step along it stays of order 1 however small ∇J has
   become. Unpenalized fits have the covariance (total weight · H)⁻¹ already, and ∇J at
   the end, so the step costs one (p, p) product. Where it does move a coefficient, one
   pass checks that it still moves some margin not yet accounted for by 0.25 or more
   (separated rows gain about 1 per Newton step: along the direction J ≈ Σ cᵢe^(-mᵢ));
   an ill-conditioned but finite optimum moves its margins by far less. Where further
   Newton steps θ - k·step (k = 1, 2, 4, …, 1024) put every margin above 0, that hyperplane
   certifies complete separation without a program (margins are linear in the direction).

Separated rows are set aside and the programs rerun on the rest ("peeling") until none
remains; the directions found combine into one: d₂ + c·d₁ is ≥ 0 on every row once c
outweighs d₂'s deficit on the rows d₁ separates. Where peeling leaves no row, the complete
program gives one direction with room on every row instead. Complete separation (every
margin > 0) gets a sparse direction from the complete program where it finishes in the
budget, so that the named columns are few.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from logistic.core import kernels
from logistic.core.linalg import solve_psd
from logistic.inference.separation_lp import TOLERANCE, Budget, Rows, certified, search

__all__ = [
    "Separation",
    "check_separation",
    "class_extremes",
    "column_direction",
    "described",
    "find_separation",
    "separation_message",
    "single_feature_separators",
]

# A next Newton step that still moves a coefficient by this much (|stepⱼ|·max|xⱼ|), and
# some margin not yet accounted for by _SUSPECT_MOVE, means the fit diverges.
_SUSPECT_STEP = 1e-2
_SUSPECT_MOVE = 0.25
# A fitted margin beyond this (σ within e⁻³⁰ ≈ 1e-13 of 0 or 1) is a sign of divergence even
# where the next Newton step has underflowed to nothing.
_SATURATED = 30.0
# Without a covariance the step needs the Hessian: formed up to this many entries of X·p.
_HESSIAN_IF = 2_000_000
# Programs after the first that peel off further separated rows.
_PEELS = 4
# A coefficient is part of a direction when its |u| is this share of the largest.
_NAMED = 0.05


@dataclass(frozen=True)
class Separation:
    """A verified separating direction; ``complete`` when every sample lies strictly on
    its side.

    ``direction``: binary (d + 1,) [w, b] (b only with an intercept); K classes (K, d + 1),
    one row per class, the first class's zero (one-vs-rest: row k is class k's binary
    direction against the rest, zero where that problem is not separated; ``complete``
    where one is complete, ``n_separated`` the most of any). ``involved``: the same shape,
    True for the coefficients that diverge along it (the summary marks their terms).
    ``features``: the columns involved, single-column separators first. ``names``: their
    names, set by the estimator.
    """

    complete: bool
    features: tuple[int, ...]
    direction: NDArray[np.float64]
    n_separated: int
    involved: NDArray[np.bool_] | None = None
    names: tuple[str, ...] = field(default=())


def class_extremes(
    X, y: NDArray, sample_weight: NDArray, n_classes: int = 2
) -> tuple[NDArray, NDArray]:
    """(low, high), each (1 + n_classes, d): every column's smallest and largest value over
    the rows of weight 0, then over each class among the others (two classes: y > 0.5 is
    the second; more: y holds class indices), in one pass over X with no copy of any group.
    The separation screen reads the classes' rows; a fit reads all for its column-scale
    check (``scaling.column_scales``), so the screen costs no pass of its own."""
    labels = (y > 0.5).view(np.int8) if n_classes == 2 else np.asarray(y, dtype=np.int64)
    groups = (sample_weight > 0) * (1 + labels)
    return kernels.column_extremes(X, groups, 1 + n_classes)


def single_feature_separators(X, positive: NDArray[np.bool_]) -> list[int]:
    """Columns that alone (with a threshold and an intercept) separate the two classes,
    touching at a tie allowed (test 1 of the module docstring)."""
    low, high = kernels.column_extremes(X, positive, 2)
    return _column_splits(low, high, np.ones(2, dtype=bool), True)[1]


def _column_splits(low, high, present, fit_intercept: bool) -> tuple[NDArray, list[int]]:
    """(D, columns): D (K, d + 1) the sum of every single-column direction, in X's units,
    column j scaled by 1/max|xⱼ| so each weighs alike; the columns that have one.

    For column j and a candidate t (each class's maximum, or 0 without an intercept) the
    classes split into those with max ≤ t and the rest; the split separates when the rest's
    minima are ≥ t (and the rest is not empty, so some value lies beyond t). t is then
    moved to the middle of the gap, where a gap exists, which makes the split strict."""
    K, d = low.shape
    D = np.zeros((K, d + 1))
    if K == 2 and not np.any((high[0] <= low[1]) | (high[1] <= low[0])):
        return D, []  # the usual case, decided by two comparisons per column
    size = np.maximum(np.max(np.where(present[:, None], high, -np.inf), axis=0),
                      -np.min(np.where(present[:, None], low, np.inf), axis=0))
    found = np.zeros(d, dtype=bool)
    candidates = high[present] if fit_intercept else np.zeros((1, d))
    for t in candidates:
        below = present[:, None] & (high <= t)
        above = present[:, None] & ~below
        gap = np.min(np.where(above, low, np.inf), axis=0)
        valid = above.any(axis=0) & below.any(axis=0) & (gap >= t) & (size > 0)
        if not valid.any():
            continue
        middle = np.where(np.isfinite(gap), 0.5 * t + 0.5 * gap, t) if fit_intercept else t
        unit = np.where(valid, 1.0 / np.where(size > 0, size, 1.0), 0.0)
        D[:, :d] += above * unit
        D[:, d] -= (above * (unit * middle)).sum(axis=1)
        found |= valid
    return D, [int(j) for j in np.flatnonzero(found)]


def find_separation(
    X, y: NDArray, sample_weight: NDArray, fit_intercept: bool
) -> Separation | None:
    """The separating direction of (X, y) among samples of positive weight, or None: all
    three tests, the programs run whatever the fit (y: any labels, the sorted first the
    reference class)."""
    classes, labels = np.unique(np.asarray(y).ravel(), return_inverse=True)
    K = max(2, classes.size)
    extremes = class_extremes(X, labels.astype(float) if K == 2 else labels, sample_weight, K)
    rows = _rows(X, labels, sample_weight, K, fit_intercept, extremes)
    budget = Budget()
    u = search(rows, np.arange(rows.n_rows), budget, complete=True)
    if u is not None:
        return _result(rows, [(u, *rows.margins(u))], [])
    parts, columns = _first_parts(rows, extremes)
    return _peel(rows, parts, columns, _remaining(rows, parts), None, budget)


def check_separation(
    objective, theta: NDArray, sample_weight: NDArray, extremes=None, cov=None
) -> Separation | None:
    """The screen of an unpenalized cross-entropy fit at its final θ (module docstring).

    ``extremes``: ``class_extremes`` of the fit's X, where the caller has them. ``cov``:
    the fit's nonrobust covariance (``inference.fit_statistics``, intercept first), where
    known: the Newton step then needs no Hessian.
    """
    X, K = objective.design.X, max(2, objective.n_outputs)
    labels = objective.y.argmax(axis=1) if objective.n_outputs > 1 else objective.y > 0.5
    if extremes is None:
        extremes = class_extremes(X, labels if K > 2 else objective.y, sample_weight, K)
    rows = _rows(X, labels, sample_weight, K, objective.fit_intercept, extremes)
    fitted = rows.margins_of_scores(objective.scores(theta))
    if fitted.size == 0:
        return None
    budget = Budget()
    parts, columns = _first_parts(rows, extremes)
    if parts and _is_complete(*parts[0][1:]):
        return _result(rows, parts, columns)
    if fitted.min() > 0:  # the fit itself separates every sample
        return _complete(rows, _fitted(rows, theta), fitted, budget)
    step = _newton_step(objective, theta, rows, cov)
    outside = ~rows.free  # the coefficients of columns test 1 has not accounted for
    if columns:
        outside &= ~np.isin(np.arange(rows.n_vars) % rows.r, columns)
    if step is None or np.max(np.abs(step[outside]), initial=0.0) <= _SUSPECT_STEP:
        step = _saturated(rows, theta, fitted)
        if step is None:
            return _result(rows, parts, columns) if parts else None
    # the step moves some coefficient: does it still move a margin not yet accounted for?
    remaining = _remaining(rows, parts)
    m, r = rows.margins(-step)
    if np.max(m[remaining], initial=0.0) < _SUSPECT_MOVE:
        return _result(rows, parts, columns) if parts else None
    # further Newton steps along it, θ - k·step: margins are linear, so no pass each
    for k in 2.0 ** np.arange(11):
        if np.min(fitted + k * m) > 0:
            return _complete(rows, _fitted(rows, theta) - k * step, fitted + k * m, budget)
    seed = m / np.maximum(r, np.finfo(float).tiny)  # picks the rows of the programs
    return _peel(rows, parts, columns, remaining, seed, budget)


def _saturated(rows: Rows, theta: NDArray, fitted: NDArray) -> NDArray | None:
    """-u for the fitted hyperplane u where some fitted margin is beyond _SATURATED, else None.

    A diverging fit that runs until σ(z) rounds to 0 or 1 on the separated rows leaves them
    no gradient and no curvature: its next Newton step is 0 however far the optimum is. The
    fitted margins still show it, and the rows with the largest ones seed the programs (whose
    answer is verified on every row, so a saturated but finite fit reports nothing)."""
    if fitted.max(initial=0.0) <= _SATURATED:
        return None
    return -_fitted(rows, theta)


def _complete(rows: Rows, u: NDArray, margins: NDArray, budget: Budget) -> Separation | None:
    """Complete separation, which the hyperplane u (of these fitted margins) shows: a sparse
    direction from the complete program where it finishes in the budget, else u."""
    found = search(rows, np.arange(rows.n_rows), budget, complete=True, seed=margins)
    u = u if found is None else found
    return _result(rows, [(u, *rows.margins(u))], [])


def _rows(X, labels, sample_weight, K: int, fit_intercept: bool, extremes) -> Rows:
    """The constraint rows, with each column's largest |x| over the kept samples (from the
    classes' extremes: a class without kept samples has +inf/-inf there)."""
    low, high = extremes
    size = np.maximum(high[1:].max(axis=0), -low[1:].min(axis=0))
    return Rows(X, labels, sample_weight > 0, K, fit_intercept, np.maximum(size, 0.0))


def column_direction(rows: Rows, extremes, present) -> tuple[NDArray | None, list[int]]:
    """Test 1 as a direction u of ``rows`` (None where there is none) and the columns it
    found, from the classes' extremes alone: no pass over X. ``present``: (K,) whether each
    class has samples of positive weight."""
    low, high = extremes[0][1:], extremes[1][1:]
    D, columns = _column_splits(low, high, present, rows.fit_intercept)
    if rows.fit_intercept:  # a class without samples (of positive weight): its intercept
        D[~present, -1] -= 1.0  # falls forever, whatever the data
    else:
        D = D[:, :-1]
    if not columns and (present.all() or not rows.fit_intercept):
        return None, []
    return (D[1:] - D[0]).ravel() * rows.unit, columns


def _first_parts(rows: Rows, extremes) -> tuple[list, list[int]]:
    """Test 1 as [(u, m, r)] (u a direction of ``rows``, m and r its margins and their
    sizes), or []; the columns it found."""
    present = np.bincount(rows.labels, minlength=rows.K) > 0
    u, columns = column_direction(rows, extremes, present)
    if u is None:
        return [], []
    m, r = rows.margins(u)
    # exact by construction (each margin is a sum of terms xᵢⱼ - t ≥ 0); the check guards
    # against the rounding of those sums alone
    return ([(u, m, r)] if certified(m, r) else []), columns


def _fitted(rows: Rows, theta: NDArray) -> NDArray:
    """The fitted θ as a direction u of ``rows`` (class 0's row subtracted)."""
    B = np.reshape(theta, (-1, rows.r))
    B = B if B.shape[0] == 1 else B[1:] - B[0]
    return B.ravel() * rows.unit


def _is_complete(m: NDArray, r: NDArray) -> bool:
    return bool(np.all(m > TOLERANCE * r))


def _newton_step(objective, theta, rows: Rows, cov) -> NDArray | None:
    """H⁻¹∇J as a direction u of ``rows`` (the linear predictor's units), over the free
    classes' parameters; None where it would need a Hessian larger than _HESSIAN_IF.

    With the covariance (total weight · H)⁻¹ it is one (p, p) product: ∇J at the final θ
    is the solver's last evaluation, which the objective keeps."""
    K, r, d = objective.n_outputs, objective.row_length, objective.n_features
    within = np.r_[d, :d] if objective.fit_intercept else np.arange(d)
    index = np.concatenate([k * r + within for k in (range(1, K) if K > 1 else [0])])
    if cov is not None and cov.shape == (index.size, index.size):
        gradient = objective.gradient(theta)[index]
        # einsum, not BLAS: one (p, p) product would wake OpenBLAS's threads (6 ms at
        # p = 1,001 on 2 busy cores, against 0.9 ms on one)
        step = objective.total_weight * np.einsum("ij,j->i", cov, gradient)
    elif objective.n_samples * objective.n_params <= _HESSIAN_IF:
        hessian = objective.hessian(theta)[np.ix_(index, index)]
        step, _ = solve_psd(hessian, objective.gradient(theta)[index])
    else:
        return None
    position = index - (r if K > 1 else 0)
    out = np.zeros(rows.n_vars)
    out[position] = step * rows.unit[position]
    return out


def _remaining(rows: Rows, parts: list) -> NDArray[np.intp]:
    """The rows that none of the parts' directions separates."""
    remaining = np.arange(rows.n_rows)
    for _, m, r in parts:
        remaining = remaining[m[remaining] <= TOLERANCE * r[remaining]]
    return remaining


def _peel(rows: Rows, parts: list, columns, remaining, seed, budget: Budget):
    """The programs on the rows not yet separated, repeated while they find more; then the
    directions combined (module docstring)."""
    for _ in range(_PEELS + 1):
        u = search(rows, remaining, budget, seed=None if seed is None else seed[remaining])
        if u is None:
            break
        m, r = rows.margins(u)
        parts.append((u, m, r))
        remaining = remaining[m[remaining] <= TOLERANCE * r[remaining]]
        if remaining.size == 0:  # complete: one direction with room on every row is cleaner
            u, m, r = _combine(rows, parts)
            seed = m / np.maximum(r, np.finfo(float).tiny)
            found = search(rows, np.arange(rows.n_rows), budget, complete=True, seed=seed)
            if found is not None:
                return _result(rows, [(found, *rows.margins(found))], [])
            break
    return _result(rows, parts, columns) if parts else None


def _combine(rows: Rows, parts: list) -> tuple[NDArray, NDArray, NDArray]:
    """One direction from the peeled ones: from the last back, u ← u + c·v with c large
    enough that the rows v separates stay ≥ 0 (margins are linear in the direction)."""
    u, m, r = (value / np.max(np.abs(parts[-1][0])) for value in parts[-1])
    for v, mv, rv in reversed(parts[:-1]):
        norm = np.max(np.abs(v))
        v, mv, rv = v / norm, mv / norm, rv / norm
        separated = mv > TOLERANCE * rv
        deficit = np.max(-m[separated] / mv[separated], initial=0.0)
        c = max(1.0, 2.0 * deficit)
        u, m, r = u + c * v, m + c * mv, r + c * rv
    if len(parts) > 1:
        m, r = rows.margins(u)  # the combination verified afresh, not by the sums above
    return u, m, r


def _result(rows: Rows, parts: list, columns: list[int]) -> Separation | None:
    """The Separation of the verified parts: their combination where it verifies, else the
    longest prefix of them whose combination does."""
    while parts:
        u, m, r = _combine(rows, parts)
        if certified(m, r):
            break
        parts = parts[:-1]
    if not parts:
        return None
    separated = (m > TOLERANCE * r).reshape(-1, rows.K - 1).any(axis=1)
    return described(rows, [v for v, _, _ in parts], u, columns, _is_complete(m, r),
                      int(separated.sum()))


def described(rows: Rows, parts: list, u: NDArray, columns: list[int], complete: bool,
               n_separated: int) -> Separation:
    """The Separation of the verified direction u, the combination of the directions
    ``parts``: the coefficients and columns they involve, named in that order."""
    involved = np.zeros(rows.n_vars, dtype=bool)
    named = list(columns)
    for v in parts:
        share = np.abs(v) >= _NAMED * np.max(np.abs(v))
        involved |= share
        weight = np.abs(v).reshape(rows.K - 1, rows.r)[:, : rows.d].max(axis=0)
        chosen = np.flatnonzero((weight >= _NAMED * weight.max(initial=0.0)) & (weight > 0))
        named += [int(j) for j in chosen[np.argsort(-weight[chosen], kind="stable")]]
    direction = rows.coefficients(u)
    mask = np.zeros((rows.K, rows.r), dtype=bool)
    mask[1:] = involved.reshape(rows.K - 1, rows.r)
    if rows.K == 2:
        direction, mask = direction[1], mask[1]
    return Separation(
        complete=complete,
        features=tuple(dict.fromkeys(named)),
        direction=direction,
        n_separated=n_separated,
        involved=mask,
    )


def separation_message(found: Separation, feature_names) -> str:
    names = [str(feature_names[j]) for j in found.features[:5]]
    more = len(found.features) - len(names)
    listed = ", ".join(names) + (f" and {more} more" if more > 0 else "")
    kind = "Complete" if found.complete else "Quasi-complete"
    where = f" by {listed}" if listed else ""
    what = "are perfectly classified" if found.direction.ndim == 1 else (
        "are ruled out of some class for certain")
    return (
        f"{kind} separation: {found.n_separated} samples {what}{where}. "
        "The unpenalized maximum-likelihood estimate does not exist; the coefficients are "
        "finite only because the solver stopped. Use penalty='firth' (finite, unbiased to "
        "first order, with standard errors) or penalty='l2' for meaningful estimates."
    )


def in_user_units(found: Separation | None, scales: NDArray | None) -> Separation | None:
    """``found`` for a fit on columns xⱼ·sⱼ (``scaling.py``) in the user's columns: the
    scores are the same, so βⱼ = sⱼ·(the scaled column's βⱼ)."""
    if found is None or scales is None:
        return found
    factor = np.ones(found.direction.shape[-1])
    factor[: scales.size] = scales
    return replace(found, direction=found.direction * factor)


def one_against_rest(extremes, k: int) -> tuple[NDArray, NDArray]:
    """``class_extremes`` of the binary problem 'class k against the rest' from those of
    the K classes (rows: weight 0, the rest, class k)."""
    low, high = extremes
    rest = 1 + np.flatnonzero(np.arange(low.shape[0] - 1) != k)
    return (np.stack([low[0], low[rest].min(axis=0), low[1 + k]]),
            np.stack([high[0], high[rest].max(axis=0), high[1 + k]]))


def merge_one_against_rest(found: list[Separation | None]) -> Separation | None:
    """One Separation for one-vs-rest's K binary problems: row k of ``direction`` and
    ``involved`` is class k's against the rest (zero where it is not separated);
    ``complete`` where one class is completely separated from the rest; ``n_separated`` the
    most in any one class's problem."""
    some = [f for f in found if f is not None]
    if not some:
        return None
    direction = np.zeros((len(found), some[0].direction.size))
    involved = np.zeros(direction.shape, dtype=bool)
    for k, f in enumerate(found):
        if f is not None:
            direction[k], involved[k] = f.direction, f.involved
    return Separation(
        complete=any(f.complete for f in some),
        features=tuple(dict.fromkeys(j for f in some for j in f.features)),
        direction=direction,
        n_separated=max(f.n_separated for f in some),
        involved=involved,
    )


def separated_terms(
    found: Separation, column_terms: list[str], labels, table_terms, centred: bool = False
) -> list[str]:
    """The rows of a summary table whose estimates diverge along ``found``, in table order.

    ``column_terms``: the name of each coefficient of a class row, the intercept last (as in
    ``direction``). With K classes the table's rows are '<label>: <term>'; ``centred``: the
    rows are the centred coefficients (Σₖ wₖ = 0) rather than differences from the first
    class, so every class's coefficient of a column moves once one class's does.
    """
    involved = np.atleast_2d(found.involved)
    if involved.shape[0] == 1:
        marked = {column_terms[j] for j in np.flatnonzero(involved[0])}
    else:
        if centred:
            involved = np.broadcast_to(involved.any(axis=0), involved.shape)
        classes, columns = np.nonzero(involved)
        marked = {f"{labels[k]}: {column_terms[j]}"
                  for k, j in zip(classes, columns, strict=True)}
    return [term for term in table_terms if term in marked]


def mark_summary(summary, found: Separation, terms: list[str]):
    """``summary`` (``inference.Summary``) with the separated ``terms``: 'Separation' in the
    header next to 'Converged', which it qualifies, the terms in ``separated`` (printed
    with a †) and a footnote naming them."""
    listed = ", ".join(terms[:8]) + (f" and {len(terms) - 8} more" if len(terms) > 8 else "")
    kind = "complete" if found.complete else "quasi-complete"
    header = {}
    for key, value in summary.header.items():
        header[key] = value
        if key == "Converged":
            header["Separation"] = kind
    footnote = (
        f"† {kind.capitalize()} separation ({found.n_separated} samples): the likelihood "
        f"rises without bound along a direction in {listed}. Their estimates, standard "
        "errors, z, p-values and intervals describe where the solver stopped, not the data; "
        "use penalty='firth' or 'l2'."
    )
    summary.header, summary.separated = header, tuple(terms)
    summary.note = footnote if not summary.note else f"{summary.note}\n{footnote}"
    return summary
