"""Dask: fit on dask arrays and DataFrames on a real two-process LocalCluster.

The fit must reach the in-memory optimum (the same solvers on the summed per-partition
terms), predictions must stay lazy, and a worker killed mid-fit must cost only time.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask.array")
pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import dask.array as da  # noqa: E402
import dask.dataframe as dd  # noqa: E402

from logistic import LogisticRegression  # noqa: E402

N, D = 3000, 4

# one worker of a ``pytest -n`` run takes the whole module (pyproject's --dist loadgroup):
# split across two, each started its own cluster, seconds of process start-up each
pytestmark = pytest.mark.xdist_group("dask")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, D))
    z = X @ np.array([1.0, -0.5, 0.25, 0.0]) + 0.2
    y = (rng.random(N) < 1.0 / (1.0 + np.exp(-z))).astype(np.int64)
    weights = rng.uniform(0.5, 2.0, N)
    return X, y, weights


def _objective_close(parts, memory) -> None:
    assert parts.objective_ == pytest.approx(memory.objective_, rel=1e-8)
    np.testing.assert_allclose(parts.coef_, memory.coef_, atol=1e-6)
    np.testing.assert_allclose(parts.intercept_, memory.intercept_, atol=1e-6)


@pytest.mark.slow
def test_dask_array_fit_equals_in_memory(client, data):
    X, y, weights = data
    memory = LogisticRegression(tol=1e-10).fit(X, y, sample_weight=weights)
    parts = LogisticRegression(tol=1e-10).fit(
        da.from_array(X, chunks=(700, 2)), da.from_array(y, chunks=500), weights
    )
    _objective_close(parts, memory)
    assert parts.solver_ == "newton"
    np.testing.assert_allclose(parts.std_err_, memory.std_err_, rtol=1e-8)


@pytest.mark.slow
def test_dask_dataframe_fit_equals_in_memory(client, data):
    """Text labels, three classes (softmax), L-BFGS; the column names become the model's."""
    X, _, _ = data
    # logistic noise: the classes overlap, so the unpenalized optimum is finite
    noise = np.random.default_rng(3).logistic(size=X.shape[0])
    score = X[:, 0] - X[:, 1] + noise
    labels = np.array(["low", "mid", "high"], dtype=object)[np.digitize(score, [-0.7, 0.7])]
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(label=labels)
    ddf = dd.from_pandas(frame, npartitions=5)
    params = {"tol": 1e-9, "solver": "lbfgs", "max_iter": 500}
    memory = LogisticRegression(**params).fit(frame[["a", "b", "c", "d"]], labels)
    parts = LogisticRegression(**params).fit(ddf[["a", "b", "c", "d"]], ddf["label"])
    _objective_close(parts, memory)
    assert parts.classes_.tolist() == ["high", "low", "mid"]
    assert parts.feature_names_in_.tolist() == ["a", "b", "c", "d"]


def test_unknown_chunk_sizes_work(client, data):
    """A DataFrame's .values has unknown chunk sizes: with y in memory the lengths are
    computed on the persisted partitions and y is split like X."""
    X, y, _ = data
    values = dd.from_pandas(pd.DataFrame(X), npartitions=4).values
    assert np.isnan(values.shape[0])
    memory = LogisticRegression(tol=1e-10).fit(X, y)
    _objective_close(LogisticRegression(tol=1e-10).fit(values, y), memory)


def test_lazy_predictions_equal_in_memory(client, data):
    X, y, _ = data
    model = LogisticRegression().fit(X, y)
    lazy = da.from_array(X, chunks=(1000, D))
    for method in ("predict_proba", "predict_log_proba", "decision_function", "predict"):
        result = getattr(model, method)(lazy)
        assert isinstance(result, da.Array), method
        np.testing.assert_allclose(result.compute(), getattr(model, method)(X), rtol=1e-12)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    named = LogisticRegression().fit(frame, y)
    lazy_frame = dd.from_pandas(frame, npartitions=3)
    result = named.predict_proba(lazy_frame)
    assert isinstance(result, da.Array)
    np.testing.assert_allclose(result.compute(), named.predict_proba(frame), rtol=1e-12)
    with pytest.raises(ValueError, match="feature names should match"):
        named.predict(lazy_frame[["b", "a", "c", "d"]])


def test_bad_dask_input(client, data):
    X, y, _ = data
    frame = dd.from_pandas(pd.DataFrame({"a": X[:, 0], "b": ["u", "v"] * (N // 2)}), 2)
    with pytest.raises(ValueError, match="non-numeric feature columns: b"):
        LogisticRegression().fit(frame, y)
    with pytest.raises(ValueError, match="2-D"):
        LogisticRegression().fit(da.from_array(X[:, 0], chunks=1000), y)
    with pytest.raises(ValueError, match="X has 3000 rows but y has 2999"):
        LogisticRegression().fit(da.from_array(X, chunks=1000), y[:-1])
    ragged = da.from_array(y, chunks=((999, 1001, 1000),))
    with pytest.raises(ValueError, match="a partition has 1000 rows of X but"):
        LogisticRegression().fit(da.from_array(X, chunks=1000), ragged)
    with pytest.raises(ValueError, match="groups"):
        LogisticRegression(cov_type="cluster").fit(da.from_array(X, chunks=1000), y, groups=y)


@pytest.mark.slow
def test_worker_killed_mid_fit(client, data):
    """After the 2nd iteration one worker process dies (os._exit): the scheduler recomputes
    its persisted partitions from the graph, and the fit ends at the same optimum."""
    X, y, weights = data
    memory = LogisticRegression(tol=1e-10).fit(X, y, sample_weight=weights)
    killed: list[str] = []
    lost: dict = {}

    def kill_one_worker(iteration: int, state: dict) -> None:
        if iteration == 2 and not killed:
            holding = {addr: keys for addr, keys in client.has_what().items() if keys}
            victim = sorted(holding)[0]  # a worker that holds persisted partitions
            lost["keys"] = list(holding[victim])
            client.run(os._exit, 1, workers=[victim], on_error="ignore")
            killed.append(victim)
        elif iteration == 3:  # the 3rd pass needed every partition: the lost ones are back
            lost["holders"] = client.who_has(lost["keys"])

    parts = LogisticRegression(tol=1e-10, callback=kill_one_worker).fit(
        da.from_array(X, chunks=(400, D)), da.from_array(y, chunks=400),
        da.from_array(weights, chunks=400),
    )
    assert killed and parts.n_iter_[0] > 3
    assert lost["keys"] and all(
        holders and killed[0] not in holders for holders in lost["holders"].values()
    )
    _objective_close(parts, memory)
    np.testing.assert_allclose(parts.coef_, memory.coef_, atol=1e-10)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it
