"""The seeds' chain of formulas, evaluated on the user's data and checked step by step.

For a fitted binary model and data (X, y), at the fitted θ = [w₀, w₁, …, w_d]::

    z = w₀ + w·x                         library's linear map      vs  numpy X·w + w₀
    ŷ = σ(z)                             sigmoid.sigmoid           vs  1/(1 + e^−z) literally
    σ'(z) = σ(z)(1 − σ(z))               sigmoid_derivative        vs  central difference of σ
    e = −y log ŷ − (1 − y) log(1 − ŷ)    the pointwise loss        vs  numpy logaddexp
    J(w) = (1/m) Σ e⁽ⁱ⁾ + (α/2)‖w‖²      Objective.value           vs  numpy mean
    ∂e⁽ⁱ⁾/∂θ = −(y − ŷ)·(1, x)           Objective.gradient (row)  vs  finite differences of e⁽ⁱ⁾
    ∇J = −(1/m) Σ (y − ŷ)·(1, x) + α·w   Objective.gradient        vs  finite differences of J
    ∇²J = (1/m) X̃ᵀ diag(σ'(z)) X̃ + α·I   Objective.hessian         vs  finite differences of ∇J
    Δ = −(∇²J)⁻¹ ∇J                      the Newton step           vs  its residual ∇²J·Δ + ∇J

The Newton step's note is the verdict (``diagnosis``): how far Δ would move each coefficient
in its standard errors, whether that is nothing (converged), and which coefficients the data
do not pin down (separation, collinearity). ‖∇J‖∞ and ‖Δ‖∞ cannot say it: they are in the
columns' units.

The first rows of the data (``rows``) show the per-sample steps; J, ∇J, ∇²J and Δ use every
row. α = 1/(C·Σsᵢ) for ``penalty='l2'`` (0 without), the model's own objective; the squared
error loss (``loss='squared_error'``) has its own formulas, with σ'(z) in the gradient.

Every step records its value, the independent reference, the relative error

    max |value − reference| / max(max |value|, max |reference|, scale)

and whether it is below ``tolerance``. ``scale`` is the size of the terms a sum is made of:
at the optimum ∇J is a sum of terms of size ~|y − ŷ|·|x| that cancel to ≈ 0, and its error
is measured against them (else rounding noise divided by zero). Finite differences are the
fourth-order central stencil (f(−2h) − 8f(−h) + 8f(h) − f(2h)) / 12h, with the step along
coordinate j scaled by 1/max|x_j| so that every coordinate moves z by about the same amount.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from sklearn.utils.validation import check_array, check_is_fitted

from logistic.core.losses import get_loss
from logistic.core.objective import Objective
from logistic.core.penalties import L2Penalty
from logistic.core.sigmoid import sigmoid, sigmoid_derivative
from logistic.fitting.problem import l2_strength
from logistic.fitting.terms import feature_terms
from logistic.fitting.validation import known_labels as checked_labels
from logistic.inference.diagnosis import Diagnosis, diagnose
from logistic.viz.formula_rows import encoded_rows

__all__ = ["Explanation", "Step", "explain", "format_value"]

Array = NDArray[np.float64]

#: Finite-difference step in z (scaled per coordinate by 1/max|x_j|).
FD_STEP = 1e-3
#: Above this many parameters the Hessian is not formed (nor differenced).
MAX_HESSIAN_PARAMETERS = 300


@dataclass(frozen=True)
class Step:
    """One link of the chain: a formula, its value on the data and how it was checked.

    ``value`` is what the library computes; ``reference`` an independent computation of the
    same quantity (None where the check is a residual, as for the Newton step); ``rel_error``
    the relative error between them (module docstring) and ``passed`` whether it is below
    the tolerance. A step that was not checked has ``rel_error`` and ``passed`` None.
    """

    name: str
    title: str
    formula: str
    value: Array
    reference: Array | None
    check: str
    rel_error: float | None
    passed: bool | None
    note: str = ""

    @property
    def verdict(self) -> str:
        """'✓ rel. err 3.1e-11', '✗ rel. err 2.0e-03', or '' for an unchecked step."""
        if self.passed is None or self.rel_error is None:
            return ""
        return f"{'✓' if self.passed else '✗'} rel. err {self.rel_error:.1e}"


@dataclass(frozen=True)
class Explanation:
    """The steps, in the seeds' order, and what they were evaluated on.

    ``theta`` and ``terms`` put the intercept first (the seeds' W = [w₀, w₁, …]); ``rows``
    are the 0-based indices of the rows shown in the per-sample steps.
    """

    steps: tuple[Step, ...]
    terms: tuple[str, ...]
    theta: Array
    rows: NDArray[np.intp]
    n_samples: int
    loss: str
    penalty_strength: float
    positive_class: Any
    tolerance: float
    notes: tuple[str, ...] = field(default=())
    #: Newton's step in standard errors at θ and the coefficients not pinned down
    #: (``diagnosis``), where the Hessian was formed
    diagnosis: Diagnosis | None = None

    @property
    def passed(self) -> bool:
        """True when no checked step failed."""
        return all(step.passed is not False for step in self.steps)

    @property
    def failed(self) -> list[Step]:
        return [step for step in self.steps if step.passed is False]

    def __getitem__(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(f"no step {name!r}; the steps are {[s.name for s in self.steps]}")

    def __iter__(self):
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)


# -- numerics --------------------------------------------------------------------------------
def relative_error(value: ArrayLike, reference: ArrayLike, scale: float = 0.0) -> float:
    """max |value − reference| / max(max |value|, max |reference|, scale); 0 when all are 0."""
    value = np.asarray(value, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    difference = float(np.max(np.abs(value - reference), initial=0.0))
    size = max(float(np.max(np.abs(value), initial=0.0)),
               float(np.max(np.abs(reference), initial=0.0)), float(scale))
    if difference == 0.0:
        return 0.0
    return difference / size if size > 0 else float("inf")


def _stencil(f: Callable[[float], Any], h: float) -> Array:
    """(−f(2h) + 8f(h) − 8f(−h) + f(−2h)) / 12h for f of a scalar offset (vector-valued ok)."""
    values = [np.asarray(f(k * h), dtype=np.float64) for k in (-2, -1, 1, 2)]
    return (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * h)


def _fd_jacobian(f: Callable[[Array], Any], theta: Array, steps: Array) -> Array:
    """∂f/∂θ_j by the stencil, column j with step ``steps[j]``: (…, p)."""
    columns = []
    for j in range(theta.size):
        direction = np.zeros_like(theta)
        direction[j] = 1.0
        columns.append(_stencil(lambda t, d=direction: f(theta + t * d), float(steps[j])))
    return np.stack(columns, axis=-1)


def _fd_sigmoid_derivative(z: Array) -> Array:
    """σ'(z) by the stencil on σ where σ(z) ≤ ½, and on 1 − σ = σ(−z) (negated) where σ is
    near 1, so the difference of nearly equal numbers keeps its digits in both tails."""
    negative = np.minimum(z, -z)  # −|z|: σ there is small and exact; σ'(z) = σ'(−|z|)
    return _stencil(lambda t: sigmoid(negative + t), FD_STEP)


# -- formatting ------------------------------------------------------------------------------
def format_value(value: ArrayLike, *, max_items: int = 6, digits: int = 6,
                 diagonal: bool = False) -> str:
    """A short text of a number, vector or matrix: '0.5', '[1, 2, 3, … (+7)]',
    '3×5 [[…], […], […]]', or with ``diagonal`` '31×31, diagonal [...]'."""
    array = np.asarray(value, dtype=np.float64)

    def vector(v: Array) -> str:
        items = [f"{x:.{digits}g}" for x in v[:max_items]]
        if v.size > max_items:
            items.append(f"… (+{v.size - max_items})")
        return "[" + ", ".join(items) + "]"

    if array.ndim == 0:
        return f"{float(array):.{digits}g}"
    if array.ndim == 1:
        return vector(array)
    shape = f"{array.shape[0]}×{array.shape[1]}"
    if diagonal:
        return f"{shape}, diagonal {vector(np.diag(array))}"
    rows = [vector(row) for row in array[:max_items]]
    if array.shape[0] > max_items:
        rows.append(f"… (+{array.shape[0] - max_items} rows)")
    return f"{shape} [" + ", ".join(rows) + "]"


# -- the chain -------------------------------------------------------------------------------
_FORMULAS = {
    "cross_entropy": {
        "loss": "e = −y·log ŷ − (1 − y)·log(1 − ŷ)",
        "cost": "J(w) = −(1/m) Σ [y·log ŷ + (1 − y)·log(1 − ŷ)]",
        "row_gradient": "∂e⁽ⁱ⁾/∂(w₀, w) = −(y − ŷ)·(1, x)",
        "gradient": "∇J = −(1/m) Σ (y − ŷ)·(1, x)",
        "hessian": "∇²J = (1/m) Σ σ'(z)·(1, x)(1, x)ᵀ",
    },
    "squared_error": {
        "loss": "E = ½ (y − ŷ)²",
        "cost": "J(w) = (1/m) Σ ½ (y − ŷ)²",
        "row_gradient": "∂E⁽ⁱ⁾/∂(w₀, w) = −(y − ŷ)·σ'(z)·(1, x)",
        "gradient": "∇J = −(1/m) Σ (y − ŷ)·σ'(z)·(1, x)",
        "hessian": "∇²J = (1/m) Σ [σ'(z)² − (y − ŷ)·σ''(z)]·(1, x)(1, x)ᵀ",
    },
}


def _design(model: Any, X: Any) -> Any:
    """X as the model's float64 feature matrix (dense or CSR), columns in the model's order."""
    X = encoded_rows(model, X)
    names = getattr(model, "feature_names_in_", None)
    if isinstance(X, pd.DataFrame) and names is not None:
        missing = [str(n) for n in names if n not in X.columns]
        if missing:
            raise ValueError(f"X lacks the model's feature(s): {', '.join(map(repr, missing))}")
        X = X[list(names)]
    X = check_array(X, accept_sparse="csr", dtype=np.float64)
    if X.shape[1] != model.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features; the model was fitted on {model.n_features_in_}"
        )
    return X


def known_labels(model: Any, y: ArrayLike, m: int) -> NDArray:
    """y as a flat array of m labels, every one a class of ``model`` (else ValueError)."""
    labels = np.asarray(y).ravel()
    if labels.shape[0] != m:
        raise ValueError(f"X has {m} rows but y has {labels.shape[0]}")
    return checked_labels(labels, model.classes_)


def _weights(model: Any, y: ArrayLike | None, m: int) -> Array | None:
    class_weight = getattr(model, "class_weight", None)
    if class_weight is None or y is None:
        return None
    from sklearn.utils.class_weight import compute_sample_weight

    labels = np.asarray(y).ravel()
    if isinstance(class_weight, dict):
        class_weight = {k: v for k, v in class_weight.items() if k in set(labels.tolist())}
    return compute_sample_weight(class_weight, labels)


def explain(
    model: Any,
    X: Any,
    y: ArrayLike | None = None,
    *,
    rows: int | Sequence[int] = 3,
    tolerance: float = 1e-6,
) -> Explanation:
    """Evaluates the seeds' chain of formulas for a fitted binary ``model`` on (X, y) and
    checks each step against an independent computation (see the module docstring).

    Parameters
    ----------
    model : a fitted binary ``logistic.LogisticRegression`` (e.g. from ``logistic.load``).
    X : the features (array, sparse matrix or DataFrame with the model's columns).
    y : the labels (the model's classes); without them only z, σ(z) and σ'(z) are shown.
    rows : how many of the first rows to show in the per-sample steps, or their indices.
    tolerance : the largest relative error a check may have to pass.

    Raises
    ------
    ValueError
        A multiclass model, data that do not match the model, labels it does not know.
    """
    chain = _Chain(model, X, y, rows, tolerance)
    z_all, literal = chain.score_steps()
    if chain.target is None:
        return chain.result("No labels given: the loss, J, its gradient and Hessian need y.")
    share = chain.loss_steps(z_all, literal)
    steps_theta = chain.fd_steps()
    chain.row_gradient_step(steps_theta)
    gradient, hessian, diagnosis = chain.gradient_step(z_all, share, steps_theta)
    if hessian is None:
        return chain.result(f"{chain.theta.size} parameters: the Hessian and the Newton step "
                            f"are not formed above {MAX_HESSIAN_PARAMETERS}.")
    chain.hessian_steps(hessian, gradient, steps_theta, diagnosis)
    return chain.result(None, diagnosis)


class _Chain:
    """An explanation in the making: the objective at the fitted θ on (X, y), and the steps."""

    def __init__(self, model: Any, X: Any, y: ArrayLike | None, rows: int | Sequence[int],
                 tolerance: float) -> None:
        # checked in this order, so that the first problem is the one reported
        check_is_fitted(model)
        self.classes = np.asarray(model.classes_)
        if len(self.classes) != 2:
            raise ValueError(f"explain follows the binary model σ(z) of the seeds; this model "
                             f"has {len(self.classes)} classes (softmax): fit one class "
                             "against the rest to explain it")
        self.X = X = _design(model, X)
        m, d = X.shape
        if isinstance(rows, int | np.integer):
            if rows < 1:
                raise ValueError(f"rows must be at least 1, got {rows}")
            self.shown = np.arange(min(int(rows), m))
        else:
            shown = np.asarray(rows, dtype=np.intp).ravel()
            if shown.size == 0 or shown.min() < -m or shown.max() >= m:
                raise ValueError(f"row indices must be in [0, {m}), got {shown.tolist()}")
            self.shown = shown % m
        self.model, self.tolerance, self.fit_intercept = model, tolerance, bool(model.fit_intercept)
        self.steps: list[Step] = []
        self.loss_name = name = getattr(model, "loss", "cross_entropy")
        self.loss, self.formulas = get_loss(name), _FORMULAS[name]
        self.target = None if y is None else (
            known_labels(model, y, m) == self.classes[1]).astype(np.float64)
        self.weights = _weights(model, y, m)
        self.alpha, self.terms = _penalty_and_terms(model, self.weights, m)
        penalty = L2Penalty(self.alpha) if model.penalty == "l2" else None
        self.w = np.asarray(model.coef_, dtype=np.float64).ravel()
        self.b = float(model.intercept_[0]) if self.fit_intercept else 0.0
        self.probe = Objective(X, np.zeros(m) if self.target is None else self.target,
                               self.weights, self.loss, penalty, self.fit_intercept)
        self.theta = self.probe.join(self.w, self.b)
        # the objective keeps θ = [w, b]; the seeds (and this explanation) write [w₀ = b, w]
        self.order = np.r_[d, :d] if self.fit_intercept else np.arange(d)

    def add(self, name, title, formula, value, reference, check, scale=0.0, note="", error=None):
        value = np.asarray(value, dtype=np.float64)
        if error is None and reference is not None:
            error = relative_error(value, reference, scale)
        passed = None if error is None else bool(error <= self.tolerance)
        ref = None if reference is None else np.asarray(reference, dtype=np.float64)
        self.steps.append(Step(name, title, formula, value, ref, check, error, passed, note))

    def score_steps(self) -> tuple[Array, Array]:
        """z, σ(z), σ'(z) of the shown rows; returns z of all and the literal σ of the shown."""
        X, shown, z_all = self.X, self.shown, self.probe.scores(self.theta)
        z = z_all[shown]
        dense_rows = X[shown].toarray() if sp.issparse(X) else X[shown]
        self.add("score", "raw score", "z = w₀ + w·x" if self.fit_intercept else "z = w·x",
                 z, dense_rows @ self.w + self.b, "numpy X·w + w₀")
        with np.errstate(over="ignore"):
            literal = 1.0 / (1.0 + np.exp(-z))
        self.add("sigmoid", "probability", "ŷ = σ(z) = 1 / (1 + e^−z)", sigmoid(z), literal,
                 "1/(1 + e^−z) evaluated literally")
        self.add("sigmoid_derivative", "derivative of σ", "σ'(z) = σ(z)·(1 − σ(z))",
                 sigmoid_derivative(z), _fd_sigmoid_derivative(z),
                 "central finite difference of σ")
        return z_all, literal

    def loss_steps(self, z_all: Array, literal: Array) -> Array:
        """The loss of the shown rows and J against numpy; returns each row's share sᵢ/Σs of J."""
        target, m, alpha, w, weights = self.target, z_all.size, self.alpha, self.w, self.weights
        t, z = target[self.shown], z_all[self.shown]
        if self.loss_name == "cross_entropy":
            reference = t * np.logaddexp(0.0, -z) + (1 - t) * np.logaddexp(0.0, z)
            check = "numpy y·log(1 + e^−z) + (1 − y)·log(1 + e^z)"
            every = target * np.logaddexp(0.0, -z_all) + (1 - target) * np.logaddexp(0.0, z_all)
        else:
            reference = 0.5 * (t - literal) ** 2
            check = "numpy ½(y − 1/(1 + e^−z))²"
            with np.errstate(over="ignore"):
                every = 0.5 * (target - 1.0 / (1.0 + np.exp(-z_all))) ** 2
        self.add("loss", "loss of each row", self.formulas["loss"], self.loss.value(t, z),
                 reference, check)
        share = np.full(m, 1.0 / m) if weights is None else weights / weights.sum()
        self.add("cost", "cost", self.formulas["cost"] + (" + (α/2)·‖w‖²" if alpha else ""),
                 self.probe.value(self.theta), float(share @ every) + 0.5 * alpha * float(w @ w),
                 "numpy weighted mean of the losses")
        return share

    def fd_steps(self) -> Array:
        """The finite differences' steps in θ: each coordinate moves z by about FD_STEP."""
        X = self.X
        spread = np.asarray(abs(X).max(axis=0).toarray() if sp.issparse(X)
                            else np.abs(X).max(axis=0), dtype=np.float64).ravel()
        return self.probe.join(FD_STEP / np.maximum(spread, 1.0), FD_STEP)

    def row_gradient_step(self, steps_theta: Array) -> None:
        """∂e⁽ⁱ⁾/∂θ of each shown row, the row its own objective (unweighted, unpenalized)."""
        per_row, per_row_fd = [], []
        for i in self.shown:
            single = Objective(self.X[[i]], self.target[[i]], None, self.loss, None,
                               self.fit_intercept)
            per_row.append(single.gradient(self.theta)[self.order])
            per_row_fd.append(_fd_jacobian(single.value, self.theta, steps_theta)[self.order])
        self.add("row_gradient", "gradient of each row's loss", self.formulas["row_gradient"],
                 np.vstack(per_row), np.vstack(per_row_fd), "central finite differences of e⁽ⁱ⁾")

    def gradient_step(self, z_all: Array, share: Array, steps_theta: Array
                      ) -> tuple[Array, Array | None, Diagnosis | None]:
        """∇J against finite differences of J; returns ∇J, ∇²J and the diagnosis (None above
        MAX_HESSIAN_PARAMETERS), formed first because the note on ∇J is their verdict."""
        X, probe, theta, order, weights = self.X, self.probe, self.theta, self.order, self.weights
        gradient = probe.gradient(theta)
        reference = _fd_jacobian(probe.value, theta, steps_theta)
        # the size of the terms ∇J sums (module docstring): at the optimum they cancel to ≈ 0
        dz = self.loss.gradient(self.target, z_all) * share
        magnitude = np.abs(dz) @ (abs(X) if sp.issparse(X) else np.abs(X))
        terms_scale = float(max(np.max(np.abs(magnitude), initial=0.0), np.abs(dz).sum(),
                                np.max(np.abs(self.alpha * self.w), initial=0.0)))
        size = float(np.max(np.abs(gradient)))
        hessian = probe.hessian(theta) if theta.size <= MAX_HESSIAN_PARAMETERS else None
        diagnosis = None if hessian is None else diagnose(
            hessian[np.ix_(order, order)], gradient[order],
            float(X.shape[0] if weights is None else weights.sum()), self.terms,
            _spreads(X, share, self.fit_intercept), _separated_terms(self.model))
        note = _gradient_note(size, diagnosis, max(10 * float(self.model.tol),
                                                   1e-8 * terms_scale))
        formula = self.formulas["gradient"] + (" + α·w" if self.alpha else "")
        self.add("gradient", "gradient of J", formula, gradient[order], reference[order],
                 "central finite differences of J", scale=terms_scale, note=note)
        return gradient, hessian, diagnosis

    def hessian_steps(self, hessian: Array, gradient: Array, steps_theta: Array,
                      diagnosis: Diagnosis) -> None:
        """∇²J against finite differences of ∇J, and the Newton step Δ by its backward error."""
        jacobian = _fd_jacobian(self.probe.gradient, self.theta, steps_theta)
        jacobian = 0.5 * (jacobian + jacobian.T)
        grid = np.ix_(self.order, self.order)
        self.add("hessian", "Hessian of J",
                 self.formulas["hessian"] + (" + α·I" if self.alpha else ""),
                 hessian[grid], jacobian[grid], "central finite differences of ∇J")
        try:
            step = np.linalg.solve(hessian, -gradient)
        except np.linalg.LinAlgError:  # singular (separation, collinearity): least squares
            step = np.linalg.lstsq(hessian, -gradient, rcond=None)[0]
        residual = hessian @ step + gradient
        denominator = (float(np.max(np.abs(hessian))) * float(np.max(np.abs(step)))
                       + float(np.max(np.abs(gradient))))
        backward = float(np.max(np.abs(residual))) / denominator if denominator > 0 else 0.0
        newton_note = f"‖Δ‖∞ = {float(np.max(np.abs(step))):.2e} (in the columns' units). "
        self.add("newton_step", "Newton step", "Δ = −(∇²J)⁻¹·∇J", step[self.order], None,
                 "∇²J·Δ + ∇J = 0 (backward error)", error=backward,
                 note=newton_note + diagnosis.note())

    def result(self, note: str | None, diagnosis: Diagnosis | None = None) -> Explanation:
        """The steps so far; the notes say what J is here, then why the chain stops (``note``)."""
        notes = [] if self.model.penalty in (None, "l2") else [
            f"penalty={self.model.penalty!r} is not part of J here: the steps check the seeds' "
            "unpenalized J, whose minimum is not this fit's."]
        if self.weights is not None:
            notes.append("class_weight: J is the weighted mean Σ sᵢ·eᵢ / Σ sᵢ of the losses.")
        return Explanation(steps=tuple(self.steps), terms=tuple(self.terms),
                           theta=np.asarray(self.theta[self.order], dtype=np.float64),
                           rows=np.asarray(self.shown, dtype=np.intp),
                           n_samples=int(self.X.shape[0]), loss=self.loss_name,
                           penalty_strength=float(self.alpha), positive_class=self.classes[1],
                           tolerance=float(self.tolerance), diagnosis=diagnosis,
                           notes=tuple(notes + ([] if note is None else [note])))


def _penalty_and_terms(model: Any, weights: Array | None, m: int) -> tuple[float, list[str]]:
    """α of the model's objective (the fitting pipeline's own l2_strength) and θ's names."""
    alpha = l2_strength(model.C, np.ones(m) if weights is None else weights) \
        if model.penalty == "l2" else 0.0
    terms = feature_terms(model)
    return alpha, terms


def _gradient_note(size: float, diagnosis: Diagnosis | None, small: float) -> str:
    """What ‖∇J‖∞ says: the Newton step's verdict where it was formed, else whether ‖∇J‖∞
    is below ``small`` (a test in the columns' units)."""
    at_minimum = diagnosis.converged if diagnosis is not None else size <= small
    if at_minimum:
        return f"‖∇J‖∞ = {size:.2e}: θ is the minimum of J on these data."
    return (f"‖∇J‖∞ = {size:.2e}: not 0, so θ is not the minimum of J on these data "
            "(other data than the fit's, or the fit stopped early).")


def _spreads(X, share: Array, fit_intercept: bool) -> Array:
    """The weighted standard deviation of each column, intercept (1) first."""
    if sp.issparse(X):
        mean = np.asarray(X.T @ share).ravel()
        square = np.asarray(X.multiply(X).T @ share).ravel()
    else:
        mean, square = share @ X, share @ (X * X)
    spread = np.sqrt(np.clip(square - mean * mean, 0.0, None))
    return np.r_[1.0, spread] if fit_intercept else spread


def _separated_terms(model: Any) -> tuple[str, ...]:
    """The terms of the separating direction the fit's screen found (``separation_``)."""
    found = getattr(model, "separation_", None)
    return () if found is None else tuple(found.names)

