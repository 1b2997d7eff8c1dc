"""The objective over row partitions: the data never sit in one place, the chain rule does.

``Objective`` is J(θ) = Σᵢ s̃ᵢ L(yᵢ, zᵢ) + P(w) with s̃ = s / W, W = Σᵢ sᵢ. Split the rows
into partitions c with weight totals W_c (W = Σ_c W_c) and let J_c be the *unpenalized*
``Objective`` of partition c alone. Then, exactly,

    J(θ)   = Σ_c (W_c/W)·J_c(θ)   + P(w)
    ∇J(θ)  = Σ_c (W_c/W)·∇J_c(θ)  + ∇P(w)
    ∇²J(θ) = Σ_c (W_c/W)·∇²J_c(θ) + ∇²P(w)

since W_c·J_c = Σ_{i ∈ c} sᵢ L(yᵢ, zᵢ). Each partition therefore computes one vector

    [W_c,  W_c·J_c,  W_c·∇J_c  (p numbers),  W_c·∇²J_c  (p² numbers, Newton only)]

with ``Objective`` itself (no second copy of the chain rule), the vectors are added up, and
the driver divides by the summed W and adds the penalty once. What moves the data is a
*reducer*: anything with ``map_reduce(fn)`` that calls ``fn(X_c, labels_c, weights_c)`` on
every partition and returns the sum of the results (``stream.ParquetSource`` reads chunks
of a Parquet file, ``dask.DaskSource`` runs on a cluster's workers). Labels stay raw in the
partitions; an ``Encoding`` turns them into the targets and weights of one fit (binary,
one-hot for the softmax, or one class against the rest) where the partition lives.

``fit_partitioned`` is the estimator's ``fit`` on a reducer: a first pass (``Survey``)
discovers the classes, counts and weights and checks the data; then the usual solvers run
on a ``PartitionedObjective`` through the same solver run (``fitting/run.py``), and the
same outcome and statistics as in memory finish.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from logistic.core.losses import Loss, cross_entropy, get_loss, softmax_cross_entropy
from logistic.core.objective import Objective
from logistic.core.penalties import L2Penalty, NoPenalty
from logistic.families import family_for
from logistic.fitting.outcome import outcome_of_runs
from logistic.fitting.problem import (
    FitSettings,
    choose_solver,
    initial_theta,
    l2_strength,
    settings_of,
)
from logistic.fitting.run import run_solver
from logistic.fitting.statistics import statistics_of
from logistic.fitting.terms import feature_names as feature_names_of
from logistic.fitting.terms import feature_terms
from logistic.fitting.validation import (
    check_classes,
    check_positive_class_weight,
    class_weight_per_class,
)
from logistic.scale.screen import screen_partitioned
from logistic.scale.survey import Survey, survey_partition
from logistic.solvers import SolverResult

Array = NDArray[np.float64]

__all__ = [
    "Encoding",
    "PartitionedObjective",
    "Partitions",
    "Reducer",
    "Survey",
    "fit_partitioned",
    "partition_terms",
    "survey_partition",
]


class Reducer(Protocol):
    """Applies a function to every row partition and adds up the results.

    ``fn(X_c, labels_c, weights_c)`` gets a 2-D float array, the raw labels and the sample
    weights (or None) of one partition, and returns something with ``+`` (a NumPy vector,
    a ``Survey``). ``prepare(n_outputs)`` is called once the classes are known, before the
    solver's passes (a streaming reducer sizes its chunks with it).
    """

    def map_reduce(self, fn: Callable): ...

    def prepare(self, n_outputs: int) -> None: ...


class Partitions:
    """The simplest reducer: partitions already in memory, as (X_c, labels_c, weights_c)
    triples (weights_c may be None). For tests and as the reference of the others."""

    def __init__(self, chunks) -> None:
        self.chunks = list(chunks)

    def map_reduce(self, fn: Callable):
        results = [fn(X, labels, weights) for X, labels, weights in self.chunks]
        return sum(results[1:], results[0])

    def prepare(self, n_outputs: int) -> None:
        """Nothing to size: the partitions are given."""


# -- what one fit sees in a partition --------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Encoding:
    """Raw labels → (targets, weights) of one fit, computed inside each partition.

    ``column`` None: one-hot rows over all classes (softmax); k: yᵢ = 1 where the label is
    ``classes[k]`` (the binary fit uses k = 1, one-vs-rest each k). ``class_weight`` holds
    one multiplier per class (None: all 1).
    """

    classes: NDArray
    column: int | None
    class_weight: Array | None = None

    @property
    def n_outputs(self) -> int:
        return self.classes.size if self.column is None else 1

    def codes(self, labels: NDArray) -> NDArray[np.intp]:
        """Index of each label in ``classes``; a label not among them is an error (the
        data changed since the first pass)."""
        codes = pd.Index(self.classes).get_indexer(labels)  # a hash lookup, text included
        if codes.min(initial=0) < 0:
            raise ValueError(
                f"label {labels[codes < 0][0]!r} was not seen in the first pass over the data "
                f"(classes {self.classes.tolist()!r}): did the data change during the fit?"
            )
        return codes

    def __call__(self, labels: NDArray, sample_weight: Array | None) -> tuple[Array, Array]:
        codes = self.codes(np.asarray(labels))
        if self.column is None:
            target = np.eye(self.classes.size)[codes]
        else:
            target = (codes == self.column).astype(np.float64)
        weights = np.ones(codes.size) if sample_weight is None else sample_weight
        if self.class_weight is not None:
            weights = weights * self.class_weight[codes]
        return target, np.asarray(weights, dtype=np.float64)

    def summary(self, survey: Survey) -> tuple[float, Array]:
        """(W = Σ sᵢ, Σ s̃ᵢ yᵢ): the total weight and the weighted mean target, from the
        first pass's per-class weight sums (no pass over the data)."""
        sums = survey.class_weight_sums(self.classes)
        if self.class_weight is not None:
            sums = sums * self.class_weight
        total = float(sums.sum())
        shares = sums / total
        return total, (shares if self.column is None else shares[self.column : self.column + 1])


# -- one partition's share of J, ∇J, ∇²J -----------------------------------------------------
def partition_terms(
    X,
    labels,
    sample_weight,
    *,
    theta: Array,
    encoding: Encoding,
    loss: Loss,
    fit_intercept: bool,
    what: str,
    vector: Array | None = None,
) -> Array:
    """[W_c, W_c·J_c, W_c·∇J_c, W_c·∇²J_c] of one partition, as far as ``what`` asks:

    'value' → 2 numbers; 'gradient' → 2 + p; 'hessian' → 2 + p + p² (value, gradient and
    Hessian from one read of the partition: z is computed once and shared); 'hessp' →
    [W_c, W_c·∇²J_c·v]; 'diagonal' → [W_c, W_c·diag ∇²J_c]; 'outer' → [W_c, W_c·Σ s̃ᵢgᵢgᵢᵀ]
    (the sandwich's meat).
    J_c is ``Objective`` on this partition alone, unpenalized.
    """
    target, weights = encoding(labels, sample_weight)
    total = float(weights.sum())
    size = _result_size(what, theta.size)
    if target.shape[0] == 0 or total == 0.0:  # an empty partition adds nothing
        return np.zeros(size)
    if not (X.dtype == np.float64 or X.dtype == np.float32):
        X = X.astype(np.float64)
    objective = Objective(X, target, weights, loss, None, fit_intercept)
    total = objective.total_weight
    if what == "hessp":
        parts = [objective.hessp(theta, vector)]
    elif what == "diagonal":
        parts = [objective.hessian_diagonal(theta)]
    elif what == "outer":
        parts = [objective.score_outer_products(theta).ravel()]
    elif what == "value":
        parts = [[objective.value(theta)]]
    else:
        value, gradient = objective.value_and_gradient(theta)
        parts = [[value], gradient]
        if what == "hessian":
            parts.append(objective.hessian(theta).ravel())  # reuses the cached z
    return np.concatenate([[1.0], *parts]) * total


def _result_size(what: str, p: int) -> int:
    return 1 + {"value": 1, "gradient": 1 + p, "hessian": 1 + p + p * p,
                "hessp": p, "diagonal": p, "outer": p * p}[what]


# -- the objective the solvers see -----------------------------------------------------------
class PartitionedObjective:
    """J(θ) over row partitions, with ``Objective``'s interface (value, value_and_gradient,
    gradient, hessian, hessian_diagonal, hessp, split, join and the shape attributes), so
    that the solvers run on it unchanged.

    Every evaluation is one pass of the reducer over the data (``passes`` counts them).
    With ``newton=True`` each pass also returns the Hessian, and ``hessian(θ)`` at the last
    evaluated θ costs nothing: Newton's iteration is then one pass (the accepted line-search
    point's Hessian is the next iteration's), at the price of p² numbers per partition.

    ``y`` and ``weights`` are not the data: they are one pseudo-row holding the weighted
    mean target Σ s̃ᵢyᵢ (``weights @ y``), which is all that the intercept-only start and
    the null log-likelihood of the statistics need.
    """

    # split and join read only the shape attributes set in __init__: the same code as in memory
    split = Objective.split
    join = Objective.join

    def __init__(
        self,
        reducer: Reducer,
        encoding: Encoding,
        survey: Survey,
        loss: Loss = cross_entropy,
        penalty=None,
        fit_intercept: bool = True,
        newton: bool = False,
    ) -> None:
        self.reducer = reducer
        self.encoding = encoding
        self.loss = loss
        self.penalty = NoPenalty() if penalty is None else penalty
        self.fit_intercept = fit_intercept
        self.newton = newton
        self.n_samples = survey.n_samples
        self.n_features = int(survey.n_features)
        self.n_outputs = encoding.n_outputs
        self.row_length = self.n_features + int(fit_intercept)
        self.n_params = self.n_outputs * self.row_length
        self.total_weight, mean = encoding.summary(survey)
        self.weights, self.y = np.ones(1), (mean[None, :] if self.n_outputs > 1 else mean)
        self.passes = 0
        self._cache: dict[str, object] = {}

    # -- one pass ----------------------------------------------------------------------------
    def _pass(self, theta: Array, what: str, vector: Array | None = None) -> Array:
        """Σ_c W_c·(terms of partition c) / Σ_c W_c: the unpenalized terms of the whole data."""
        fn = partial(
            partition_terms,
            theta=np.array(theta, dtype=np.float64),
            encoding=self.encoding,
            loss=self.loss,
            fit_intercept=self.fit_intercept,
            what=what,
            vector=None if vector is None else np.array(vector, dtype=np.float64),
        )
        self.passes += 1
        summed = np.asarray(self.reducer.map_reduce(fn), dtype=np.float64)
        return summed[1:] / summed[0]

    def _evaluate(self, theta: Array, what: str) -> dict:
        """The value (and gradient, Hessian) at θ, from the cache where the last pass was at θ."""
        cached = self._cache
        if "theta" in cached and np.array_equal(theta, cached["theta"]) and what in cached:
            return cached
        if what != "value" and self.newton:
            what = "hessian"  # the next Newton iteration needs it at this θ: same pass
        terms = self._pass(theta, what)
        p = self.n_params
        w, _ = self.split(theta)
        result = {"theta": np.array(theta, dtype=np.float64)}
        result["value"] = float(terms[0]) + self.penalty.value(w)
        if what in ("gradient", "hessian"):
            result["gradient"] = terms[1 : 1 + p] + self._penalty_vector(w, "gradient")
        if what == "hessian":
            hessian = terms[1 + p :].reshape(p, p)
            hessian[np.diag_indices(p)] += self._penalty_vector(w, "hessian_diagonal")
            result["hessian"] = hessian
        self._cache = result
        return result

    def _penalty_vector(self, w: Array, name: str) -> Array:
        """∇P(w) or diag ∇²P(w) in θ's layout (0 at the intercepts)."""
        return self.join(getattr(self.penalty, name)(w), np.zeros(self.n_outputs))

    # -- the solvers' interface --------------------------------------------------------------
    def value(self, theta: Array) -> float:
        """J(θ) = Σ_c (W_c/W)·J_c(θ) + P(w)."""
        return self._evaluate(theta, "value")["value"]

    def value_and_gradient(self, theta: Array) -> tuple[float, Array]:
        """(J, ∇J), ∇J = Σ_c (W_c/W)·∇J_c + ∇P: one pass."""
        result = self._evaluate(theta, "gradient")
        return result["value"], result["gradient"].copy()

    def gradient(self, theta: Array) -> Array:
        return self.value_and_gradient(theta)[1]

    def hessian(self, theta: Array, *, exact: bool = True) -> Array:
        """∇²J = Σ_c (W_c/W)·∇²J_c + ∇²P, (p, p): free after a Newton pass at θ (always
        exact: the chunks are float64)."""
        return self._evaluate(theta, "hessian")["hessian"].copy()

    def hessp(self, theta: Array, v: Array) -> Array:
        """∇²J·v = Σ_c (W_c/W)·∇²J_c·v + ∇²P v_w: one pass, p numbers per partition."""
        w, _ = self.split(theta)
        return self._pass(theta, "hessp", v) + self._penalty_vector(w, "hessian_diagonal") * v

    def hessian_diagonal(self, theta: Array) -> Array:
        """diag ∇²J = Σ_c (W_c/W)·diag ∇²J_c + diag ∇²P: one pass, p numbers per partition
        (L-BFGS's preconditioner)."""
        w, _ = self.split(theta)
        return self._pass(theta, "diagonal") + self._penalty_vector(w, "hessian_diagonal")

    def score_outer_products(self, theta: Array) -> Array:
        """Σᵢ s̃ᵢ gᵢgᵢᵀ = Σ_c (W_c/W)·(partition c's): the meat of HC0/HC1 (one pass)."""
        p = self.n_params
        return self._pass(theta, "outer").reshape(p, p)


# -- fit ------------------------------------------------------------------------------------
def fit_partitioned(model, reducer: Reducer, *, feature_names=None):
    """``model.fit`` on data that a reducer holds: the same classes, weights, solvers,
    outcome and statistics as the in-memory fit. Returns ``model``.

    Not available: penalty='firth' (its modified Newton needs the rows' leverages),
    penalty='l1'/'elasticnet' and solver='newton-cd' (coordinate sweeps read single
    columns), and cov_type='cluster' (the clusters are not partitioned with the rows). The
    separation screen of an unpenalized cross-entropy fit runs its single-column test
    (``screen.py``: the first pass gathers the classes' column extremes; one more pass only
    where a column separates); separation by a combination of columns alone needs the
    rows in memory (its linear programs) and is not reported.
    """
    settings = settings_of(model)
    _check_partitionable(settings)
    screened = settings.penalty is None and settings.loss == "cross_entropy"
    survey = reducer.map_reduce(partial(survey_partition, extremes=screened))
    classes = _classes(settings, survey)
    class_weight = class_weight_per_class(
        settings.class_weight, classes, survey.class_counts(classes)
    )
    sums = survey.class_weight_sums(classes)
    check_positive_class_weight(sums if class_weight is None else sums * class_weight, classes)
    _set_input_attributes(model, survey, feature_names)
    if classes.size == 2:
        encodings = [Encoding(classes, 1, class_weight)]
    elif settings.multi_class == "multinomial":
        encodings = [Encoding(classes, None, class_weight)]
    else:
        encodings = [Encoding(classes, k, class_weight) for k in range(classes.size)]
    reducer.prepare(encodings[0].n_outputs)
    fits = [_solve(settings, reducer, encoding, survey) for encoding in encodings]
    family = family_for(classes.size, settings.multi_class)
    coef, intercept = family.coefficients(
        [(objective, result.theta) for objective, result in fits], sparse_penalty=False
    )
    outcome = outcome_of_runs(classes, coef, intercept, fits)
    terms = family.inference_terms(feature_terms(model), classes)
    outcome.statistics, outcome.inference_note = statistics_of(settings, fits, terms)
    if screened:
        outcome.separation = screen_partitioned(
            reducer, encodings, survey, bool(settings.fit_intercept), feature_names_of(model),
            classes)
    outcome.store_on(model)
    return model


def _check_partitionable(settings: FitSettings) -> None:
    if settings.penalty == "firth":
        raise ValueError(
            "penalty='firth' needs the data in memory (its Newton step uses every row's "
            "leverage): fit in memory, or use penalty=None or 'l2' for partitioned data"
        )
    if settings.penalty not in (None, "l2"):
        raise ValueError(
            f"penalty={settings.penalty!r} is not available for partitioned (Dask, Parquet) "
            "data: use penalty=None or 'l2'"
        )
    if settings.solver == "newton-cd":
        raise ValueError(
            "solver='newton-cd' needs the data in memory (its coordinate sweeps read single "
            "columns): use solver='auto', 'newton' or 'lbfgs' for partitioned (Dask, Parquet) "
            "data"
        )
    if settings.cov_type == "cluster":
        raise ValueError(
            "cov_type='cluster' is not available for partitioned (Dask, Parquet) data: use "
            "'nonrobust', 'HC0' or 'HC1'"
        )


def _classes(settings: FitSettings, survey: Survey) -> NDArray:
    """The estimator's checks on the discovered classes."""
    if survey.n_samples == 0:
        raise ValueError("the data have no rows")
    classes = survey.classes()
    check_classes(classes, settings.loss)
    return classes


def _set_input_attributes(model, survey: Survey, feature_names) -> None:
    """n_features_in_ and feature_names_in_, as scikit-learn's validate_data sets them."""
    model.formula_ = None
    model.n_features_in_ = int(survey.n_features)
    if feature_names is not None and all(isinstance(n, str) for n in feature_names):
        model.feature_names_in_ = np.asarray(list(feature_names), dtype=object)
    elif hasattr(model, "feature_names_in_"):
        del model.feature_names_in_


def _solve(
    settings: FitSettings, reducer: Reducer, encoding: Encoding, survey: Survey
) -> tuple[PartitionedObjective, SolverResult]:
    """The in-memory fit's solver run on a ``PartitionedObjective``: same solver choice,
    start, options and warning."""
    loss = softmax_cross_entropy if encoding.column is None else get_loss(settings.loss)
    total, _ = encoding.summary(survey)
    strength = l2_strength(settings.C, np.array([total]))  # α = 1/(C·Σsᵢ), as in memory
    penalty = L2Penalty(strength) if settings.penalty == "l2" else None
    objective = PartitionedObjective(
        reducer, encoding, survey, loss, penalty, bool(settings.fit_intercept)
    )
    solver = choose_solver(settings, objective)
    objective.newton = solver == "newton"
    start = initial_theta(objective, objective.y, objective.weights)
    # with Newton, H comes with every gradient pass: no reason to keep an old one
    reuse_hessian = False if solver == "newton" else None
    return objective, run_solver(objective, settings, start, solver, reuse_hessian=reuse_hessian)
