"""Is θ the optimum, and which coefficients do the data pin down? Newton's step in standard
errors.

At θ, with J the mean objective over n = Σsᵢ observations, H = ∇²J and Δ = -H⁻¹∇J the step
Newton's method would take next, each coefficient's standard error is

    SEⱼ = √((H⁻¹)ⱼⱼ / n),

and |Δⱼ| / SEⱼ says how far the next step would move θⱼ on the scale on which the data
determine it. The fit has converged when no coefficient would move by more than
``STEP_LIMIT`` of its standard error. ‖Δ‖∞ itself does not say so: it is in the columns'
units, and a coefficient the data barely constrain has a large step and a larger SE.

A coefficient is not pinned down when its uncertainty is large on the model's own scale,
SEⱼ·sd(xⱼ) > ``SPREAD_LIMIT``: a change of one standard error moves the log-odds by that
much across one standard deviation of its column (the intercept: SEⱼ itself). Why:

* separation, where the fit's screen found a separating direction through the column
  (``model.separation_``), or, without that, curvature that vanishes because the fitted
  probabilities are 0 or 1 wherever the column varies;
* near-collinearity, where other columns explain this one: SEⱼ is then
  κⱼ = √(Hⱼⱼ·(H⁻¹)ⱼⱼ) times what it would be alone (κⱼ² is the variance inflation);
* exact collinearity, where H is singular and only combinations of the coefficients in its
  null space are determined (their SEs from the pseudo-inverse do not show it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from logistic.core.linalg import solve_psd

__all__ = ["Diagnosis", "diagnose", "STEP_LIMIT", "SPREAD_LIMIT"]

Array = NDArray[np.float64]

#: The largest |Δⱼ|/SEⱼ of a converged fit: a thousandth of a standard error changes no
#: digit a summary prints of a z-value or an interval.
STEP_LIMIT = 1e-3
#: SEⱼ·sd(xⱼ) above this (in log-odds) marks a coefficient the data do not pin down: a
#: well-determined one is below 1 on a few dozen rows.
SPREAD_LIMIT = 10.0
#: κⱼ above this names near-collinearity as the reason (a variance inflation of 100).
INFLATION_LIMIT = 10.0
#: Components of a null vector of H above this share name a coefficient in it.
_NULL_SHARE = 0.1
_LISTED = 8
_EPS = np.finfo(np.float64).eps


@dataclass(frozen=True)
class Diagnosis:
    """The verdict on θ: per term the next Newton step Δⱼ, SEⱼ and |Δⱼ|/SEⱼ (``steps``); the
    terms not pinned down, each with the kind of reason; and whether the fit has converged,
    judged on the others (a coefficient that separation sends to infinity never settles)."""

    terms: tuple[str, ...]
    step: Array
    std_err: Array
    steps: Array
    #: (term, kind, detail): kind a key of ``_WHY``
    unpinned: tuple[tuple[str, str, str], ...]

    @property
    def pinned(self) -> NDArray[np.bool_]:
        loose = {term for term, _, _ in self.unpinned}
        return np.array([term not in loose for term in self.terms], dtype=bool)

    @property
    def largest(self) -> float:
        """max |Δⱼ|/SEⱼ over the coefficients the data pin down."""
        return float(np.max(self.steps[self.pinned], initial=0.0))

    @property
    def converged(self) -> bool:
        return self.largest <= STEP_LIMIT

    def note(self) -> str:
        """One paragraph: the verdict, the coefficients still moving or not pinned down."""
        if self.converged:
            text = (f"max |Δⱼ|/SEⱼ = {self.largest:.1e}: Newton would move no coefficient by "
                    f"more than {STEP_LIMIT:g} of its standard error: the fit has converged")
            text += " (for the coefficients the data pin down)." if self.unpinned else "."
        else:
            order = [j for j in np.argsort(-self.steps) if self.pinned[j]][:5]
            moving = ", ".join(f"{self.terms[j]} by {self.steps[j]:.3g}" for j in order
                               if self.steps[j] > STEP_LIMIT)
            text = (f"max |Δⱼ|/SEⱼ = {self.largest:.2g}: not converged: the next Newton step "
                    f"moves {moving} standard errors (other data than the fit's, or the fit "
                    "stopped early).")
        if self.unpinned:
            text += " Not pinned down by these data: " + "; ".join(self._groups()) + "."
        return text

    def _groups(self) -> list[str]:
        """'why: term (detail), term (detail), … (k terms)' for each reason, in _WHY's order."""
        index = {term: j for j, term in enumerate(self.terms)}
        parts = []
        for kind, why in _WHY.items():
            members = [(term, detail) for term, k, detail in self.unpinned if k == kind]
            if not members:
                continue
            shown = ", ".join(
                f"{term} ({detail}, next step {self.step[index[term]]:.2g})" if detail else term
                for term, detail in members[:_LISTED])
            more = f" and {len(members) - _LISTED} more" if len(members) > _LISTED else ""
            parts.append(f"{why}: {shown}{more}")
        return parts


def diagnose(
    hessian: Array,
    gradient: Array,
    n: float,
    terms: Sequence[str],
    spreads: Array,
    separated: Sequence[str] = (),
) -> Diagnosis:
    """The diagnosis at θ from J's Hessian and gradient there (module docstring).

    ``n`` is Σsᵢ; ``spreads`` the standard deviation of each term's column (1 for the
    intercept); ``separated`` the terms of a separating direction the fit found.
    """
    covariance, rank = solve_psd(hessian, np.eye(hessian.shape[0]))
    std_err = np.sqrt(np.clip(np.diag(covariance), 0.0, None) / n)
    step = -solve_psd(hessian, gradient)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        steps = np.where(std_err > 0, np.abs(step) / std_err, np.where(step != 0, np.inf, 0.0))
        inflation = np.sqrt(np.clip(np.diag(hessian) * np.diag(covariance), 0.0, None))
    collinear = _null_space_terms(hessian) if rank < hessian.shape[0] else set()
    unpinned = []
    for j, term in enumerate(terms):
        reason = _reason(term, j, std_err[j] * spreads[j], inflation[j], collinear, separated)
        if reason is not None:
            unpinned.append((term, *reason))
    return Diagnosis(tuple(terms), step, std_err, steps, tuple(unpinned))


_WHY = {
    "collinear": "exactly collinear with other columns (H is singular: only combinations of "
                 "these coefficients are determined)",
    "separated": "separation, found by the fit's screen (the estimate runs off: it is where the "
                 "solver stopped)",
    "saturated": "little collinearity, but the fitted probabilities are near 0 or 1 wherever the "
                 "column varies (separation: the estimate is where the solver stopped)",
    "inflated": "near-collinearity (the other columns inflate the SE)",
}


def _reason(term, j, spread, inflation, collinear, separated) -> tuple[str, str] | None:
    """(kind of ``_WHY``, detail) of why coefficient j is not pinned down, or None."""
    if j in collinear:
        return "collinear", ""
    if term in separated:
        return "separated", f"SE·sd {spread:.2g}"
    if not spread > SPREAD_LIMIT:
        return None
    if inflation > INFLATION_LIMIT:
        return "inflated", f"{inflation:.3g}×, SE·sd {spread:.2g}"
    return "saturated", f"SE·sd {spread:.2g}"


def _null_space_terms(hessian: Array) -> set[int]:
    """Indices with a share above ``_NULL_SHARE`` in a null vector of the equilibrated H."""
    diagonal = np.diag(hessian)
    scale = np.where(diagonal > 0, 1.0 / np.sqrt(np.where(diagonal > 0, diagonal, 1.0)), 1.0)
    values, vectors = np.linalg.eigh(hessian * scale * scale[:, None])
    p = hessian.shape[0]
    null = vectors[:, values <= 1000.0 * p * _EPS * max(float(values[-1]), 0.0)]
    return set(np.flatnonzero(np.max(np.abs(null), axis=1, initial=0.0) > _NULL_SHARE).tolist())
