"""The Dask backend: ``fit`` on dask arrays and DataFrames, lazy predictions.

The data are persisted on the cluster once; every pass of the solver then sends each
partition's worker θ and gets back one vector (``partitioned.partition_terms``):

    [W_c, W_c·J_c, W_c·∇J_c, W_c·∇²J_c]     1 + 1 + p (+ p² for Newton) numbers

which the driver adds up, divides by W = Σ_c W_c and completes with the penalty. So per
iteration about p floats (L-BFGS) or p² floats (Newton) per partition cross the network,
never rows. The solvers are the in-memory ones, on ``PartitionedObjective``; the optimum is
the in-memory optimum.

Any scheduler runs it: the ``dask.distributed`` client that is current (``Client(...)``
sets it), else dask's default local scheduler. A worker that dies mid-fit costs only time:
the scheduler recomputes its partitions from the persisted graph and reruns its tasks.

Unknown chunk sizes (a dask DataFrame's ``.values`` or ``to_dask_array()``) work: X and y
are zipped partition by partition; only when they are partitioned differently (or y is in
memory) are the lengths computed, on the persisted partitions, to re-split y like X.

This module imports dask; the estimator imports it only when it is given a dask collection.
"""

from __future__ import annotations

import copy
import numbers
import operator
import warnings
from functools import partial, reduce

import dask
import dask.array as da
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.utils.validation import check_is_fitted

from logistic.exceptions import DataError
from logistic.fitting.offset import refuse_offset_or_trials
from logistic.scale.partitioned import fit_partitioned

__all__ = ["DaskSource", "fit", "is_dask_collection", "predict"]


def is_dask_collection(X) -> bool:
    """Whether ``X`` is a dask collection (array, DataFrame, Series)."""
    return dask.is_dask_collection(X)


class DaskSource:
    """A reducer over aligned row partitions (X_c, y_c, s_c) held by dask (persisted).

    ``map_reduce(fn)`` runs ``fn`` on each partition where it lives and adds the results on
    the driver: the only data that move are fn's return values.
    """

    def __init__(self, X_blocks, y_blocks, weight_blocks=None, persisted=()) -> None:
        # the persisted collections hold the futures of the blocks: while this source
        # lives, the cluster keeps (or, after a lost worker, recomputes) the partitions
        self.persisted = tuple(persisted)
        self.X_blocks = list(X_blocks)
        self.y_blocks = list(y_blocks)
        self.weight_blocks = (
            [None] * len(self.X_blocks) if weight_blocks is None else list(weight_blocks)
        )

    def map_reduce(self, fn):
        task = dask.delayed(fn, pure=False)
        tasks = [
            task(X, y, s)
            for X, y, s in zip(self.X_blocks, self.y_blocks, self.weight_blocks, strict=True)
        ]
        return reduce(operator.add, dask.compute(*tasks))

    def prepare(self, n_outputs: int) -> None:
        """Nothing to size: the partitions are the collection's."""

    @classmethod
    def from_collections(cls, X, y, sample_weight=None) -> tuple[DaskSource, list | None]:
        """(source, feature names or None) from dask X and dask or in-memory y, weights.

        X is persisted with y and the weights (one computation of their graphs); y and the
        weights are re-split like X's row chunks where their partitions differ.
        """
        X, names = _feature_array(X)
        y = _vector(y, "y")
        weights = None if sample_weight is None else _vector(sample_weight, "sample_weight")
        X, y, weights = dask.persist(X, y, weights)
        y = _aligned(y, X, "y")
        if weights is not None:
            weights = _aligned(weights, X, "sample_weight")
        X_blocks = X.to_delayed().ravel()
        y_blocks = y.to_delayed().ravel()
        w_blocks = None if weights is None else weights.to_delayed().ravel()
        return cls(X_blocks, y_blocks, w_blocks, (X, y, weights)), names


def fit(model, X, y: ArrayLike, sample_weight=None, groups=None):
    """``model.fit(X, y, sample_weight)`` for a dask array or DataFrame X (y and the weights
    dask or in memory): the same optimum as in memory, computed partition by partition."""
    if groups is not None:
        raise ValueError("groups (cov_type='cluster') are not available for dask input")
    source, names = DaskSource.from_collections(X, y, sample_weight)
    return fit_partitioned(model, source, feature_names=names)


# -- inputs ----------------------------------------------------------------------------------
def _dataframe_types() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """(dask DataFrame, dask Series) types; empty where dask.dataframe is not installed."""
    try:
        import dask.dataframe as dd
    except ImportError:  # dask[array] alone: arrays only
        return (), ()
    return (dd.DataFrame,), (dd.Series,)


def _is_frame(X) -> bool:
    return isinstance(X, _dataframe_types()[0])


def _is_series(X) -> bool:
    return isinstance(X, _dataframe_types()[1])


def _feature_array(X) -> tuple[da.Array, list | None]:
    """X as a 2-D dask array with one chunk across the columns, and its column names."""
    if _is_frame(X):
        bad = [str(c) for c, t in X.dtypes.items() if not pd.api.types.is_numeric_dtype(t)]
        if bad:
            raise ValueError(
                f"the dask DataFrame has non-numeric feature columns: {', '.join(bad)}; "
                "encode them as numbers first"
            )
        return X.to_dask_array(), [str(c) for c in X.columns]
    if not isinstance(X, da.Array):
        raise TypeError(f"expected a dask array or DataFrame, got {type(X).__name__}")
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D dask array for X, got {X.ndim}-D with shape {X.shape}")
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})  # each partition must hold whole rows
    return X, None


def _vector(values, name: str):
    """y or the weights as a 1-D dask array (kept lazy) or NumPy array."""
    if isinstance(values, numbers.Real) and not isinstance(values, bool) and name != "y":
        return float(values)
    if _is_frame(values):  # a one-column dask DataFrame
        if len(values.columns) != 1:
            raise ValueError(f"{name} must be one column, got {len(values.columns)}")
        values = values[values.columns[0]]
    if _is_series(values):
        with warnings.catch_warnings():  # string columns become object arrays: intended
            warnings.filterwarnings("ignore", "Dask currently has limited support")
            values = values.to_dask_array()
    if isinstance(values, da.Array):
        if values.ndim == 2 and values.shape[1] == 1:
            values = values[:, 0]
        if values.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got shape {values.shape}")
        return values
    values = np.asarray(values)
    if values.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {values.shape}")
    return values


def _aligned(values, X: da.Array, name: str) -> da.Array:
    """``values`` split into X's row partitions (block i of each is the same rows)."""
    if isinstance(values, da.Array) and values.numblocks[0] == X.numblocks[0]:
        return values  # zipped as they are; the first pass checks every block's length
    X = _known_rows(X)
    n = sum(X.chunks[0])
    if isinstance(values, float):
        return da.full(n, values, chunks=(X.chunks[0],))
    if isinstance(values, da.Array):
        values = _known_rows(values)
        if values.shape[0] != n:
            raise ValueError(f"X has {n} rows but {name} has {values.shape[0]}")
        return values.rechunk((X.chunks[0],)).persist()
    if values.shape[0] != n:
        raise ValueError(f"X has {n} rows but {name} has {values.shape[0]}")
    return da.from_array(values, chunks=(X.chunks[0],)).persist()


def _known_rows(array: da.Array) -> da.Array:
    """The array with its row chunk sizes known (computed from the persisted blocks)."""
    if np.isnan(array.shape[0]):
        return array.compute_chunk_sizes()
    return array


# -- predictions -----------------------------------------------------------------------------
def predict(model, X, method: str, offset: object = None):
    """``model.<method>(X)`` for dask X, as a lazy dask array: each block is predicted by
    the fitted model where it lives (``map_blocks``). Offsets are not supported here."""
    check_is_fitted(model)
    refuse_offset_or_trials("dask predictions", offset, None)
    if getattr(model, "offset_name_", None) is not None:
        raise DataError("a model fitted with an offset does not predict dask collections: "
                        "predict in memory with offset=")
    columns = None
    if _is_frame(X):
        columns = [str(c) for c in X.columns]
        _check_columns(model, columns)
        X = X.to_dask_array()
    elif not isinstance(X, da.Array) or X.ndim != 2:
        raise ValueError("expected a 2-D dask array or a dask DataFrame")
    elif X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    if X.shape[1] != model.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but LogisticRegression is expecting "
            f"{model.n_features_in_} features as input."
        )
    if not hasattr(model, "feature_names_in_"):
        columns = None  # a model fitted on arrays takes arrays
    predictor = copy.copy(model)
    predictor.callback = None  # the user's callback need not travel to the workers
    block = partial(_predict_block, predictor, method, columns)
    n_classes = len(model.classes_)
    if method == "predict":
        return X.map_blocks(block, drop_axis=1, dtype=model.classes_.dtype)
    if method == "decision_function" and n_classes == 2:
        return X.map_blocks(block, drop_axis=1, dtype=np.float64)
    return X.map_blocks(block, chunks=(X.chunks[0], (n_classes,)), dtype=np.float64)


def _check_columns(model, columns: list[str]) -> None:
    names = getattr(model, "feature_names_in_", None)
    if names is not None and list(names) != columns:
        raise ValueError(
            "The feature names should match those that were passed during fit: "
            f"{list(names)!r}, got {columns!r}"
        )


def _predict_block(model, method: str, columns, block):
    """One block's predictions, by the estimator's own method."""
    if columns is not None:
        block = pd.DataFrame(block, columns=columns)
    return getattr(model, method)(block)
