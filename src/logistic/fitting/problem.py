"""The problem a fit solves: its settings, data, targets, penalty, solver and start.

    minimize J(θ) = (1/Σsᵢ) Σᵢ sᵢ·e(yᵢ, zᵢ) + P(w),   P at strength α = 1/(C·Σsᵢ)

``FitSettings`` holds the estimator's parameters, checked; ``prepare`` turns checked (X, y,
sample_weight) into a ``Problem`` (classes, class indices, weights with the class weights
folded in, the family); ``penalty_at``, ``choose_solver`` and ``initial_theta`` are what
every solver run of the estimator, the path, cross-validation and the partitioned fit
share.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from logistic.core.design import canonical
from logistic.core.penalties import ElasticNetPenalty
from logistic.exceptions import DataError
from logistic.families import Family, family_for
from logistic.fitting.grouped import GroupedData, check_grouped
from logistic.fitting.offset import check_offset, offset_name
from logistic.fitting.validation import (
    SPARSE_PENALTIES,
    check_classes,
    check_labels,
    check_params,
    check_positive_class_weight,
    check_sample_weight,
    class_weight_per_class,
    encode_labels,
)

__all__ = [
    "MULTINOMIAL_NEWTON_WORK",
    "NEWTON_MAX_PARAMS",
    "FitSettings",
    "Problem",
    "ShapedObjective",
    "choose_solver",
    "initial_theta",
    "l2_strength",
    "penalty_at",
    "prepare",
    "settings_of",
]

Array = NDArray[np.float64]

# Newton forms the p × p Hessian each iteration: worth it while p is moderate.
NEWTON_MAX_PARAMS = 256
# With K softmax classes L-BFGS needs hundreds of iterations where Newton needs about ten
# (digits, 1,797 × 64 × 10 classes, 650 parameters: over 100 against 12), and each of its
# iterations costs a Python round trip that a small fit's passes over X do not amortize;
# Newton's Hessian costs about n·p² multiply-adds at BLAS-3 speed. So a multinomial fit takes
# Newton beyond NEWTON_MAX_PARAMS while n·p² is at most this (2·10⁹: a fraction of a second
# an iteration); 200,000 × 50 × 10 classes (5·10¹⁰) stays with L-BFGS.
MULTINOMIAL_NEWTON_WORK = 2e9
# Beyond that work, K classes on sparse X take the truncated Newton (``newton-cg``: CG on
# Hessian-vector products, H never formed). Issue 20's text, 5,000 × 10,000 × 20 classes
# (benchmarks/README.md): 8 Newton iterations to the default tol where L-BFGS stops at
# max_iter = 100 unconverged (173 iterations to 1e-8), 0.44 × scikit-learn's lbfgs in time
# to 1e-8 and 0.2 × ours. Dense X stays with L-BFGS (well conditioned there: 14 iterations).
# Only with the L2 penalty, whose λI bounds H below: unpenalized text is separated (a rare
# word names its class), H's curvature vanishes along the runaway directions and CG's
# iterations grow without end (the same ¼-scale text without a penalty: 255 s CPU for 29
# unconverged Newton iterations, where L-BFGS stops in seconds).


@dataclass(frozen=True, eq=False)
class FitSettings:
    """The parameters of ``LogisticRegression`` (their meaning is documented there)."""

    penalty: str | None = None
    C: float = 1.0
    l1_ratio: float | None = None
    fit_intercept: bool = True
    solver: str = "auto"
    max_iter: int = 100
    tol: float = 1e-6
    learning_rate: float = 0.1
    class_weight: Any = None
    warm_start: bool = False
    verbose: int = 0
    loss: str = "cross_entropy"
    multi_class: str = "multinomial"
    cov_type: str = "nonrobust"
    callback: Callable[[int, dict[str, Any]], None] | None = None

    @classmethod
    def checked(cls, params: Mapping[str, Any]) -> FitSettings:
        """Settings from parameters (the others at their defaults), every one checked."""
        settings = cls(**params)
        check_params(vars(settings))
        return settings

    @property
    def sparse_penalty(self) -> bool:
        """An L1 share, which sets coefficients exactly to 0."""
        return self.penalty in SPARSE_PENALTIES


SETTING_NAMES = tuple(field.name for field in fields(FitSettings))


def settings_of(estimator: object) -> FitSettings:
    """The checked settings of an estimator that has ``LogisticRegression``'s parameters."""
    return FitSettings.checked({name: getattr(estimator, name) for name in SETTING_NAMES})


class ShapedObjective(Protocol):
    """What the penalty, the solver choice and the start read of an objective."""

    n_outputs: int
    n_features: int
    n_params: int

    @property
    def loss(self) -> Any: ...

    def join(self, w: Array, b: Any) -> Array: ...


@dataclass(eq=False)
class Problem:
    """Checked data: X (n, d) float32/float64, dense or CSR/CSC; classes (K,); y_index (n,)
    each row's class index; weights (n,) the sample weights times the class weights."""

    X: Any
    classes: NDArray
    y_index: NDArray[np.intp]
    weights: Array
    family: Family
    #: (n,) a known part of every score (``fitting/offset.py``) and its name, or None
    offset: Array | None = None
    offset_name: str | None = None
    #: successes out of trials per row (``fitting/grouped.py``), or None for labels
    grouped: GroupedData | None = None

    def targets(self) -> list[Array]:
        """What each solver run fits against (the family's targets; the proportions of
        grouped data)."""
        if self.grouped is not None:
            return [self.grouped.proportions]
        return self.family.targets(self.y_index, self.classes.size)


def prepare(
    settings: FitSettings,
    X: Any,
    y: NDArray,
    sample_weight: object,
    *,
    offset: object = None,
    trials: object = None,
) -> Problem:
    """The problem of checked (X, y) (``validation.checked_X_y``) and the sample weights;
    ``offset`` (n,) adds to every score; with ``trials`` (n,), y holds each row's successes
    (grouped binomial data, ``fitting/grouped.py``)."""
    X = canonical(X)  # duplicate sparse entries summed (a copy, only for such input)
    if offset is not None or trials is not None:
        return _with_offset_or_trials(settings, X, y, sample_weight, offset, trials)
    check_labels(y)
    classes, y_index = encode_labels(y)
    weights = check_sample_weight(sample_weight, X.shape[0])
    counts = np.bincount(y_index, minlength=classes.size).astype(np.float64)
    per_class = class_weight_per_class(settings.class_weight, classes, counts)
    if per_class is not None:
        weights = weights * per_class[y_index]
    check_positive_class_weight(
        np.bincount(y_index, weights=weights, minlength=classes.size).astype(np.float64),
        classes,
    )
    check_classes(classes, settings.loss, settings.penalty)
    return Problem(X, classes, y_index, weights, family_for(classes.size, settings.multi_class))


def _with_offset_or_trials(
    settings: FitSettings, X: Any, y: NDArray, sample_weight: object, offset: object,
    trials: object,
) -> Problem:
    """``prepare`` for a fit with an offset or grouped data: two classes (or successes out
    of trials), the cross-entropy, any penalty but Firth's."""
    what = "trials=" if offset is None else "offset="
    if settings.penalty == "firth" or settings.loss != "cross_entropy":
        raise DataError(f"{what} is supported for the cross-entropy without Firth's penalty")
    checked_offset = None if offset is None else check_offset(offset, X.shape[0])
    name = None if offset is None else offset_name(offset)
    if trials is None:
        problem = prepare(settings, X, y, sample_weight)
        if problem.classes.size != 2:
            raise DataError(f"offset= is supported for two classes; y has "
                            f"{problem.classes.size} (multinomial and one-vs-rest offsets "
                            "are not implemented)")
        problem.offset, problem.offset_name = checked_offset, name
        return problem
    if settings.class_weight is not None:
        raise DataError("class_weight is not defined for grouped data (trials=)")
    successes, counts = check_grouped(y, trials, X.shape[0])
    grouped = GroupedData(successes, counts, check_sample_weight(sample_weight, X.shape[0]))
    weights = grouped.fit_weights
    if not np.any(weights > 0):
        raise DataError("sample_weight is zero for every group with trials")
    classes = np.array([0, 1])
    y_index = (successes > 0).astype(np.intp)
    return Problem(X, classes, y_index, weights, family_for(2, settings.multi_class),
                   checked_offset, name, grouped)


def l2_strength(C: float, weights: Array) -> float:
    """α = 1/(C·Σsᵢ), computed so that neither C·Σs nor Σs nor 1/C overflows or underflows
    on the way (C = 1e-310 or weights of 1e308): the binary exponents of C and max sᵢ are
    added apart from their mantissas. Capped at the largest float (C·Σsᵢ below 5.6e-309):
    the coefficients are then below |∇J|/1.8e308, zero to every normal digit, and the
    Hessian α + Xᵀ·W·X stays finite."""
    scale = float(weights.max())
    c_mantissa, c_exponent = math.frexp(float(C))
    s_mantissa, s_exponent = math.frexp(scale)
    mantissa = 1.0 / (c_mantissa * s_mantissa * float((weights / scale).sum()))
    exponent = -(c_exponent + s_exponent)
    if exponent + math.frexp(mantissa)[1] > sys.float_info.max_exp:
        return sys.float_info.max
    return math.ldexp(mantissa, exponent)


def penalty_at(settings: FitSettings, weights: Array, C: float | None = None) -> ElasticNetPenalty:
    """The penalty at C (settings.C by default) as an elastic net: λ₁ for the solver, the
    smooth rest for the objective (ρ = 0 is the L2 penalty, α = 0 none)."""
    if settings.penalty not in ("l2", *SPARSE_PENALTIES):
        return ElasticNetPenalty(0.0, 0.0)
    ratio = {"l2": 0.0, "l1": 1.0}.get(settings.penalty, settings.l1_ratio)
    strength = l2_strength(settings.C if C is None else C, weights)
    return ElasticNetPenalty(strength, float(ratio))  # type: ignore[arg-type]


def choose_solver(settings: FitSettings, objective: ShapedObjective) -> str:
    """The solver that runs: Firth's own, the user's, or by penalty and shape (the number
    of parameters; for K classes also the rows, ``MULTINOMIAL_NEWTON_WORK``, and beyond
    that sparse X with the L2 penalty takes ``newton-cg``)."""
    if settings.penalty == "firth":
        return "firth-newton"
    if settings.solver != "auto":
        return settings.solver
    if settings.sparse_penalty:
        return "newton-cd"
    if not objective.loss.convex:
        return "lbfgs"
    if objective.n_params <= NEWTON_MAX_PARAMS:
        return "newton"
    rows = getattr(objective, "n_samples", None)
    if objective.n_outputs > 1 and rows is not None:
        if rows * objective.n_params**2 <= MULTINOMIAL_NEWTON_WORK:
            return "newton"
        sparse = bool(getattr(getattr(objective, "design", None), "sparse", False))
        bounded = settings.penalty == "l2"  # H ≥ λI: CG converges at a bounded rate
        return "newton-cg" if sparse and bounded and hasattr(objective, "hessp") else "lbfgs"
    return "lbfgs"


def initial_theta(
    objective: ShapedObjective,
    target: Array,
    weights: Array,
    previous: tuple[Array, Array] | None = None,
) -> Array:
    """``previous`` (coef (R, d), intercept (R,)) where its shape fits; else w = 0 and b =
    the log-odds of the weighted class frequencies (centred log-priors for K classes).
    target: (n,) or (n, K), weights: (n,)."""
    shape = (objective.n_outputs, objective.n_features)
    if previous is not None and previous[0].shape == shape:
        return objective.join(previous[0].T, previous[1])
    share = weights / weights.max()  # weights near 1e307 must not overflow the sums
    # einsum, not BLAS's share @ target: OpenBLAS would wake a thread for this one long
    # dot product, which then spins through the first compiled pass (threads.py)
    weighted = np.einsum("i,i...->...", share, target)
    mean = np.clip(weighted / share.sum(), 1e-12, 1 - 1e-12)
    if objective.n_outputs == 1:
        b = np.log(mean) - np.log1p(-mean)
    else:
        b = np.log(mean) - np.log(mean).mean()
    return objective.join(np.zeros((objective.n_features, objective.n_outputs)), b)
