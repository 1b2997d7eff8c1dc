"""The compiled one-pass kernels against the generic NumPy chain rule."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from logistic import LogisticRegression
from logistic.core import kernels
from logistic.core.design import Design
from logistic.core.objective import Objective
from logistic.core.penalties import L2Penalty


def _data(n=60_000, d=8, seed=0, density=None):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.1, 10, size=d)
    if density is not None:
        X[rng.random((n, d)) > density] = 0.0
    z = X @ (rng.normal(size=d) / np.abs(X).mean(0)) + 0.3
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(float)
    return X, y, rng


def _generic(objective: Objective) -> Objective:
    objective.fused = False
    return objective


@pytest.mark.slow
@pytest.mark.parametrize(
    "layout", ["C64", "C32", "csr64", "csr32"],
)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_fused_value_gradient_and_scores_equal_the_generic_path(layout, fit_intercept):
    X, y, rng = _data(density=0.3 if layout.startswith("csr") else None)
    dtype = np.float32 if layout.endswith("32") else np.float64
    data = X.astype(dtype)
    data = sp.csr_matrix(data) if layout.startswith("csr") else data
    weights = rng.uniform(0, 3, size=len(y))
    y_soft = np.where(rng.random(len(y)) < 0.1, rng.random(len(y)), y)  # soft labels too
    make = lambda: Objective(data, y_soft, weights, penalty=L2Penalty(1e-3),  # noqa: E731
                             fit_intercept=fit_intercept)
    fused, generic = make(), _generic(make())
    assert fused.fused
    for scale in (0.0, 1.0, 30.0):  # 30: scores far into both tails
        theta = rng.normal(scale=scale, size=fused.n_params) / np.append(
            np.abs(X).mean(0), 1.0
        )[: fused.n_params]
        value, grad = fused.value_and_gradient(theta)
        value_ref, grad_ref = generic.value_and_gradient(theta)
        assert value == pytest.approx(value_ref, rel=1e-13)
        np.testing.assert_allclose(grad, grad_ref, rtol=1e-11, atol=1e-13 * np.abs(grad_ref).max())
        np.testing.assert_allclose(fused.scores(theta), generic.scores(theta), rtol=1e-13,
                                   atol=1e-13)


def test_one_pass_per_evaluation():
    X, y, _ = _data()
    objective = Objective(X, y)
    objective.value_and_gradient(np.zeros(objective.n_params))
    assert objective.design.passes == 1
    generic = _generic(Objective(X, y))
    generic.value_and_gradient(np.zeros(generic.n_params))
    assert generic.design.passes == 2


def test_results_do_not_depend_on_the_number_of_threads():
    import numba

    X, y, _ = _data(seed=3)
    objective = Objective(X, y)
    theta = np.linspace(-0.1, 0.1, objective.n_params)
    before = objective.value_and_gradient(theta)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        objective._cached_theta = None
        after = objective.value_and_gradient(theta)
    finally:
        numba.set_num_threads(threads)
    assert before[0] == after[0] and np.array_equal(before[1], after[1])


@pytest.mark.slow
def test_fused_fit_equals_the_generic_fit():
    X, y, _ = _data(seed=5)
    fused = LogisticRegression(solver="lbfgs", tol=1e-8, max_iter=500).fit(X, y)
    assert Design(X).fusable
    X_f = np.asfortranarray(X)  # F order takes the generic path
    assert not Design(X_f).fusable
    generic = LogisticRegression(solver="lbfgs", tol=1e-8, max_iter=500).fit(X_f, y)
    np.testing.assert_allclose(fused.coef_, generic.coef_, rtol=1e-6)
    assert fused.objective_ == pytest.approx(generic.objective_, rel=1e-12)


def test_small_problems_stay_on_the_numpy_path():
    X, y, _ = _data(n=1000, d=5)
    assert X.size < kernels.MIN_ELEMENTS and not Objective(X, y).fused


def test_partial_sums_stay_bounded_for_wide_sparse_data():
    assert kernels.n_chunks(10_000_000, 1_000_000) * 8 * 1_000_001 <= 2**26 + 8 * 1_000_001
    assert kernels.n_chunks(100, 5) == 1


def test_sparse_gram_chunks_depend_on_the_shape_and_bound_the_accumulators():
    assert kernels.gram_chunks(3000, 40) == 1  # one chunk of rows
    assert kernels.gram_chunks(5000, 40) == 2
    assert kernels.gram_chunks(10_000_000, 20) == 16  # at most 16
    for d in (300, 400, 724, 1024):  # a wide working set: 4 MiB of d × d partials at most
        chunks = kernels.gram_chunks(10_000_000, d)
        assert chunks == 1 or chunks * 8 * d * d <= 1 << 22


def test_sparse_gram_is_the_same_on_one_thread_and_on_several():
    """The chunks run in threads and are added in order: the bits do not depend on them."""
    import numba

    X, _, rng = _data(n=9000, d=30, density=0.2)  # three chunks
    design = Design(sp.csr_matrix(X))
    h = rng.random(len(X))
    several = design.gram(h)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = design.gram(h)
    finally:
        numba.set_num_threads(threads)
    assert kernels.gram_chunks(*X.shape) == 3
    assert np.array_equal(several[0], one[0]) and np.array_equal(several[1], one[1])


@pytest.mark.slow
@pytest.mark.parametrize(("n", "d", "dtype"), [
    (5000, 40, np.float64), (5000, 40, np.float32), (3000, 300, np.float64),
    (70_000, 12, np.float64),
])
def test_sparse_gram_kernel_equals_the_dense_product(n, d, dtype):
    """One, two and sixteen chunks of rows (``gram_chunks``), against the dense product."""
    X, _, rng = _data(n=n, d=d, density=0.2)
    X[rng.random(len(X)) < 0.05] = 0.0  # some empty rows
    csr = sp.csr_matrix(X.astype(dtype))
    h = rng.uniform(-1, 2, size=len(X))  # mixed signs, as the squared error's curvature
    gram, sums = Design(csr).gram(h)
    X64 = csr.toarray().astype(np.float64)
    scale = np.abs(X64).T @ (np.abs(h)[:, None] * np.abs(X64))
    np.testing.assert_array_less(np.abs(gram - X64.T @ (h[:, None] * X64)), 1e-13 * scale + 1e-300)
    np.testing.assert_allclose(sums, X64.T @ h, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dense_column_extremes_equal_numpy_per_group(dtype):
    """Per-group column min/max of C-ordered X over 30,000 rows (several chunks), values
    from 1e-30 to 1e30 in size and both signs; a group without rows is (+inf, -inf)."""
    rng = np.random.default_rng(5)
    X = (rng.standard_normal((30_000, 9)) * np.logspace(-30, 30, 9)).astype(dtype)
    groups = rng.integers(0, 2, X.shape[0])
    low, high = kernels.dense_column_extremes(X, groups, 3)
    for g in (0, 1):
        np.testing.assert_array_equal(low[g], X[groups == g].min(axis=0))
        np.testing.assert_array_equal(high[g], X[groups == g].max(axis=0))
    assert np.all(low[2] == np.inf) and np.all(high[2] == -np.inf)
    low_all, high_all = kernels.dense_column_extremes(X)
    np.testing.assert_array_equal(np.maximum(high_all[0], -low_all[0]), np.abs(X).max(axis=0))


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_column_extremes_equal_scipy_per_group(fmt, dtype):
    """Per-group column min/max of sparse data, implicit zeros included, equal scipy's
    min(axis=0)/max(axis=0) on each group's rows: columns that are empty, full (no implicit
    zero), negative only, or hold an explicit zero; a group without rows is (+inf, -inf)."""
    rng = np.random.default_rng(11)
    dense = rng.standard_normal((400, 12)) * (rng.random((400, 12)) < 0.2)
    dense[:, 0] = 0.0                            # empty column
    dense[:, 1] = rng.uniform(1.0, 2.0, 400)     # full and positive: no implicit zero
    dense[:, 2] = -np.abs(dense[:, 2])           # negative entries only
    X = sp.csr_matrix(dense.astype(dtype))
    X.data[X.indices == 3] = 0.0                 # explicit zeros stored in column 3
    X = X.asformat(fmt)
    groups = rng.integers(0, 3, 400)
    groups[groups == 2] = 0                       # group 2 keeps no rows
    low, high = kernels.sparse_column_extremes(X, groups, 3)
    rows = X.tocsr()
    for g in (0, 1):
        part = rows[groups == g]
        np.testing.assert_array_equal(low[g], part.min(axis=0).toarray().ravel())
        np.testing.assert_array_equal(high[g], part.max(axis=0).toarray().ravel())
    assert np.all(low[2] == np.inf) and np.all(high[2] == -np.inf)
    low_all, high_all = kernels.sparse_column_extremes(X)
    np.testing.assert_array_equal(low_all[0], rows.min(axis=0).toarray().ravel())
    np.testing.assert_array_equal(high_all[0], rows.max(axis=0).toarray().ravel())


@pytest.mark.parametrize("layout", ["small C", "large F", "large C", "csr"])
def test_column_extremes_dispatch_equals_numpy_per_group(layout):
    """The one entry point (compiled dense, compiled sparse, or NumPy row blocks for small
    or non-C-ordered X) gives each group's column min/max as NumPy does on the group's rows."""
    rng = np.random.default_rng(9)
    rows = 200 if layout == "small C" else 40_000
    X = rng.standard_normal((rows, 7)) * (rng.random((rows, 7)) < 0.5)
    groups = rng.integers(0, 2, rows).astype(bool)
    data = {"small C": X, "large C": X, "large F": np.asfortranarray(X),
            "csr": sp.csr_matrix(X)}[layout]
    low, high = kernels.column_extremes(data, groups, 2)
    for g in (0, 1):
        np.testing.assert_array_equal(low[g], X[groups == g].min(axis=0))
        np.testing.assert_array_equal(high[g], X[groups == g].max(axis=0))
    low_all, high_all = kernels.column_extremes(data)
    np.testing.assert_array_equal(low_all[0], X.min(axis=0))
    np.testing.assert_array_equal(high_all[0], X.max(axis=0))


def test_class_extremes_split_dropped_negative_and_positive_rows():
    """The fit's one pass for the scale check and the separation screen: group 0 holds the
    rows of weight 0, groups 1 and 2 the negatives and positives among the others."""
    from logistic.inference.separation import class_extremes

    rng = np.random.default_rng(11)
    X = rng.standard_normal((3000, 4)) * (rng.random((3000, 4)) < 0.6)
    y = rng.integers(0, 2, 3000).astype(float)
    weights = np.where(rng.random(3000) < 0.2, 0.0, rng.uniform(0.5, 2.0, 3000))
    kept = weights > 0
    groups = [~kept, kept & (y == 0), kept & (y == 1)]
    for data in (X, sp.csr_matrix(X), np.asfortranarray(X)):
        low, high = class_extremes(data, y, weights)
        for g, rows in enumerate(groups):
            np.testing.assert_array_equal(low[g], X[rows].min(axis=0))
            np.testing.assert_array_equal(high[g], X[rows].max(axis=0))


def test_blas_runs_on_one_thread_inside_the_block_and_as_before_after():
    from threadpoolctl import threadpool_info, threadpool_limits

    from logistic.core.threads import blas_on_one_thread

    def blas_threads():
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    # two threads before (the test run itself gives each xdist worker one): a block that
    # left BLAS on one thread would then show
    with threadpool_limits(2, user_api="blas"):
        before = blas_threads()
        assert before and all(n == 2 for n in before)
        with blas_on_one_thread():
            assert blas_threads() and all(n == 1 for n in blas_threads())
        assert blas_threads() == before


def test_overlapping_blas_limits_in_two_threads_restore_the_count():
    """The BLAS limit is one setting for the process: two fits in threads that enter and
    leave in an interleaved order (first in, second in, first out, second out) must leave
    it as it was — each restoring its own saved count would leave it at 1 for good."""
    import threading

    from threadpoolctl import threadpool_info, threadpool_limits

    from logistic.core import threads

    def blas_threads():
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    limit = threadpool_limits(2, user_api="blas")  # two before, as in the test above
    before = blas_threads()
    first_in, second_in = threading.Event(), threading.Event()
    holders = []

    def first():
        with threads.blas_on_one_thread():
            first_in.set()
            second_in.wait(5)

    def second():
        first_in.wait(5)
        with threads.blas_on_one_thread():
            second_in.set()
            runner.join(5)
            holders.append(threads._holders)  # the first has left; this one still holds

    runner = threading.Thread(target=first)
    other = threading.Thread(target=second)
    runner.start()
    other.start()
    other.join(10)
    try:
        assert holders == [1] and threads._holders == 0
        assert blas_threads() == before and all(n == 2 for n in before)
    finally:
        limit.restore_original_limits()


def test_sparse_input_with_duplicate_entries_fits_as_its_sums():
    """A CSR matrix that stores each cell as two entries (a quarter and three quarters of
    its value) is the dense matrix: same coefficients and standard errors (the Hessian
    kernel would otherwise square the parts), and the caller's matrix is left as it was."""
    rng = np.random.default_rng(12)
    n = 400
    X = rng.standard_normal((n, 3))
    y = (rng.random(n) < 1 / (1 + np.exp(-X @ np.array([1.0, -1.0, 0.5])))).astype(int)
    data = np.column_stack([X * 0.25, X * 0.75]).ravel()
    indices = np.tile(np.array([2, 0, 1, 0, 1, 2]), n)  # unsorted and duplicated
    parts = np.column_stack([X[:, [2, 0, 1]] * 0.25, X * 0.75]).ravel()
    stored = sp.csr_matrix((parts, indices, np.arange(0, 6 * n + 1, 6)), shape=(n, 3))
    assert not stored.has_canonical_format and data.size == stored.nnz
    dense = LogisticRegression(tol=1e-10).fit(X, y)
    sparse = LogisticRegression(tol=1e-10).fit(stored, y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-10)
    np.testing.assert_allclose(sparse.statistics_.std_err, dense.statistics_.std_err, rtol=1e-10)
    assert not stored.has_canonical_format and stored.nnz == 6 * n
