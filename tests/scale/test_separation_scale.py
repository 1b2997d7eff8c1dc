"""The separation screen of partitioned, Parquet-streamed and Dask fits equals the in-memory one
for columns that separate alone (``scale/screen.py``).

Reference: ``LogisticRegression().fit`` on the same rows in memory (its screen is tested
against closed forms in tests/inference/test_separation.py), and a brute force: per column,
each class's extremes computed with NumPy, a column separating (with an intercept) where one
class's largest value is at most the other's smallest and the classes do not coincide at
one value.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from logistic import LogisticRegression, SeparationWarning
from logistic.scale.partitioned import Partitions, fit_partitioned, survey_partition

# uneven partitions, an empty one, and one holding rows of weight 0
BOUNDS = [0, 500, 500, 1400, 1403, 2400]
N, D = 2400, 6


def _data(n_classes: int = 2, seed: int = 0, separated: bool = True):
    """Gaussian columns x1-x4 with a noisy signal, and where ``separated`` x5, a one-hot
    indicator set only in rows of the last class, and x6, a count zero on every row of
    class 0."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D))
    scores = X[:, :4] @ rng.standard_normal((4, n_classes))
    y = np.argmax(scores + rng.gumbel(size=(N, n_classes)), axis=1)
    X[:, 4:] = 0.0
    if separated:
        X[(rng.random(N) < 0.05) & (y == n_classes - 1), 4] = 1.0
        counts = rng.poisson(1.5, N) * (rng.random(N) < 0.2)
        X[:, 5] = np.where(y == 0, 0.0, counts)
    else:  # the same columns, set in rows of every class
        X[rng.random(N) < 0.05, 4] = 1.0
        X[:, 5] = rng.poisson(1.5, N) * (rng.random(N) < 0.2)
    weights = rng.uniform(0.5, 2.0, N)
    weights[1400:1403] = 0.0
    return X, y, weights


def _partitions(X, y, s) -> Partitions:
    return Partitions((X[a:b], y[a:b], s[a:b]) for a, b in zip(BOUNDS[:-1], BOUNDS[1:],
                                                                strict=True))


def _fit(fit):
    """(model, messages of its SeparationWarnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fit()
    return model, [str(w.message) for w in caught if issubclass(w.category, SeparationWarning)]


def _brute_force_separators(X, labels, weights) -> set[int]:
    """Columns that alone separate two classes (with an intercept), from NumPy's extremes of
    each class over its rows of positive weight."""
    X = X.toarray() if sp.issparse(X) else X
    kept = weights > 0
    zero, one = X[kept & ~labels], X[kept & labels]
    lo0, hi0, lo1, hi1 = zero.min(0), zero.max(0), one.min(0), one.max(0)
    return set(np.flatnonzero(((hi0 <= lo1) & (hi1 > hi0)) | ((hi1 <= lo0) & (hi0 > hi1))))


def _same_separation(actual, expected) -> None:
    assert actual is not None and expected is not None
    assert actual.features == expected.features
    assert actual.names == expected.names
    assert actual.complete == expected.complete
    assert actual.n_separated == expected.n_separated
    np.testing.assert_allclose(actual.direction, expected.direction, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(actual.involved, expected.involved)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_partitioned_binary_fit_warns_as_in_memory(sparse):
    X, y, s = _data()
    X = sp.csr_matrix(X) if sparse else X
    memory, expected = _fit(lambda: LogisticRegression().fit(X, y, sample_weight=s))
    parts, messages = _fit(lambda: fit_partitioned(LogisticRegression(), _partitions(X, y, s)))
    assert expected and messages == expected
    _same_separation(parts.separation_, memory.separation_)
    assert set(parts.separation_.features) == _brute_force_separators(X, y == 1, s) == {4, 5}
    assert parts.separation_.names == ("x5", "x6")


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_survey_extremes_are_numpys(sparse):
    """The first pass's per-class extremes, merged over partitions, are NumPy's over all
    the rows of positive weight, implicit zeros of sparse data included."""
    X, y, s = _data(3)
    data = sp.csr_matrix(X) if sparse else X
    survey = _partitions(data, y, s).map_reduce(
        lambda X, y, s: survey_partition(X, y, s, extremes=True))
    low, high = survey.class_extremes(np.arange(3))
    for k in range(3):
        rows = X[(y == k) & (s > 0)]
        np.testing.assert_array_equal(low[1 + k], rows.min(axis=0))
        np.testing.assert_array_equal(high[1 + k], rows.max(axis=0))
    assert _partitions(data, y, s).map_reduce(survey_partition).extremes is None


@pytest.mark.parametrize("multi_class", ["multinomial", "ovr"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_partitioned_three_classes_warn_as_in_memory(multi_class, sparse):
    X, y, s = _data(3)
    X = sp.csr_matrix(X) if sparse else X
    memory, expected = _fit(
        lambda: LogisticRegression(multi_class=multi_class).fit(X, y, sample_weight=s))
    parts, messages = _fit(lambda: fit_partitioned(
        LogisticRegression(multi_class=multi_class), _partitions(X, y, s)))
    assert expected and messages == expected
    _same_separation(parts.separation_, memory.separation_)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_no_separation_no_warning(sparse):
    X, y, s = _data(separated=False)
    X = sp.csr_matrix(X) if sparse else X
    assert not _brute_force_separators(X, y == 1, s)
    memory, expected = _fit(lambda: LogisticRegression().fit(X, y, sample_weight=s))
    parts, messages = _fit(lambda: fit_partitioned(LogisticRegression(), _partitions(X, y, s)))
    assert messages == expected == []
    assert parts.separation_ is None and memory.separation_ is None


def test_complete_separation_by_a_threshold():
    """x1 > 0.3 in class 1 only, x1 < 0.3 in class 0: complete, every kept row separated."""
    X, _, s = _data(separated=False)
    y = (X[:, 0] > 0.3).astype(int)
    memory, expected = _fit(lambda: LogisticRegression().fit(X, y, sample_weight=s))
    parts, messages = _fit(lambda: fit_partitioned(LogisticRegression(), _partitions(X, y, s)))
    assert expected and messages == expected and messages[0].startswith("Complete")
    _same_separation(parts.separation_, memory.separation_)
    assert parts.separation_.n_separated == int(np.sum(s > 0))


def test_rows_of_weight_zero_do_not_count():
    """A column set in class 0 only on rows of weight 0 still separates."""
    X, y, s = _data()
    X[1400:1403, 4], y[1400:1403] = 1.0, 0
    assert set(np.flatnonzero(X[:, 4] * (y == 0))) == {1400, 1401, 1402}
    memory, expected = _fit(lambda: LogisticRegression().fit(X, y, sample_weight=s))
    parts, messages = _fit(lambda: fit_partitioned(LogisticRegression(), _partitions(X, y, s)))
    assert expected and messages == expected
    _same_separation(parts.separation_, memory.separation_)


def test_penalized_fits_are_not_screened():
    X, y, s = _data()
    parts, messages = _fit(lambda: fit_partitioned(LogisticRegression(penalty="l2"),
                                                   _partitions(X, y, s)))
    assert messages == [] and parts.separation_ is None


def test_parquet_streamed_fit_warns_as_in_memory(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    import pandas as pd

    from logistic.scale.stream import fit_parquet

    X, y, s = _data()
    names = [f"f{j}" for j in range(D)]
    frame = pd.DataFrame(X, columns=names).assign(label=np.array(["no", "yes"])[y], w=s)
    path = tmp_path / "train.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=300)
    memory, expected = _fit(
        lambda: LogisticRegression().fit(frame[names], frame["label"].to_numpy(),
                                         sample_weight=s))
    streamed, messages = _fit(lambda: fit_parquet(LogisticRegression(), path, "label", names,
                                                  weight="w", memory=200_000))
    assert expected and messages == expected and "f4, f5" in messages[0]
    _same_separation(streamed.separation_, memory.separation_)


@pytest.mark.parametrize("separated", [True, False])
def test_dask_fit_warns_as_in_memory(separated):
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")
    X, y, s = _data(separated=separated)
    with dask.config.set(scheduler="synchronous"):
        fitted, messages = _fit(lambda: LogisticRegression().fit(
            da.from_array(X, chunks=(700, D)), da.from_array(y, chunks=700),
            sample_weight=da.from_array(s, chunks=700)))
    memory, expected = _fit(lambda: LogisticRegression().fit(X, y, sample_weight=s))
    assert messages == expected and bool(messages) == separated
    if separated:
        _same_separation(fitted.separation_, memory.separation_)
    else:
        assert fitted.separation_ is None
