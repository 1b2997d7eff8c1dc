"""logistic.core.objective and logistic.core.design against finite differences, the seeds'
closed forms computed literally with NumPy, and scikit-learn's penalized objective.

Finite differences: a fourth-order central stencil (conftest) with step h. For float64 data
every comparison is elementwise |exact - FD| ≤ 1e-6·|exact| + atol with the stencil's own error
bound atol = 8·eps·max|J|/h (rounding; squared for the nested second difference) + h⁴
(truncation). For float32 data J is evaluated from z = Xw in float32 (X is never upcast), so J
carries rounding noise of about eps32 ≈ 6e-8 relative; a difference quotient divides that by h,
so those comparisons use a larger h and a max-norm bound of 1e-4 relative (observed ≈ 2e-6).
"""

from __future__ import annotations

import itertools
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

import logistic.core.design as design_module
from logistic.core.design import Design, as_design
from logistic.core.losses import cross_entropy, squared_error
from logistic.core.objective import Objective
from logistic.core.penalties import L2Penalty, NoPenalty
from logistic.core.sigmoid import sigmoid

EPS = float(np.finfo(np.float64).eps)
LAYOUTS = ("C64", "F64", "C32", "F32", "csr", "csc", "csr32", "csc32")
LOSSES = {"cross_entropy": cross_entropy, "squared_error": squared_error}


def is32(layout: str) -> bool:
    return layout.endswith("32")


def literal_sigmoid(z):
    """The seeds' σ = 1/(1 + e^-z), literally (callers keep |z| moderate)."""
    return 1.0 / (1.0 + np.exp(-z))


def build(make_data, to_layout, layout, loss="cross_entropy", intercept=True, weighted=False,
          alpha=0.0, m=60, d=3, seed=1):  # fmt: skip
    X, y = make_data(m, d, seed=seed)
    rng = np.random.default_rng(seed + 100)
    weights = rng.uniform(0.2, 3.0, m) if weighted else None
    penalty = L2Penalty(alpha) if alpha else None
    objective = Objective(to_layout(X, layout), y, sample_weight=weights, loss=LOSSES[loss],
                          penalty=penalty, fit_intercept=intercept)  # fmt: skip
    theta = rng.normal(scale=0.7, size=d + int(intercept))
    return objective, theta, X, y, weights


# --- derivatives against finite differences of the value ----------------------------------------

CASES = list(itertools.product(LAYOUTS, LOSSES, [True, False], [False, True], [0.0, 0.3]))


def case_id(case):
    layout, loss, intercept, weighted, alpha = case
    return "-".join(
        [layout, loss, "b" if intercept else "nob", "w" if weighted else "now",
         "l2" if alpha else "nopen"]
    )  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_gradient_hessian_hessp_match_finite_differences(case, make_data, to_layout, fd_gradient):
    layout, loss, intercept, weighted, alpha = case
    objective, theta, *_ = build(make_data, to_layout, layout, loss, intercept, weighted, alpha)
    value, gradient = objective.value_and_gradient(theta)
    assert value == objective.value(theta)
    np.testing.assert_array_equal(gradient, objective.gradient(theta))
    hessian = objective.hessian(theta)
    assert hessian.shape == (theta.size, theta.size) and hessian.dtype == np.float64
    # the preconditioner's diagonal is the (finite-difference checked) Hessian's
    np.testing.assert_allclose(
        objective.hessian_diagonal(theta), np.diag(hessian), rtol=1e-6 if is32(layout) else 1e-13
    )
    rng = np.random.default_rng(7)
    v = rng.normal(size=theta.size)
    hv = objective.hessp(theta, v)

    if is32(layout):
        h = 2.0**-6

        def close(exact, estimate):
            err = np.max(np.abs(exact - estimate))
            assert err <= 1e-4 * np.max(np.abs(exact)), (err, exact, estimate)

        fd_g, _ = fd_gradient(objective.value, theta, h)
        close(gradient, fd_g)
        fd_h, _ = fd_gradient(objective.gradient, theta, h)
        close(hessian, fd_h)
        # the nested second difference divides J's noise by h², hence a larger step here
        h2 = 2.0**-4
        fd_hh, _ = fd_gradient(lambda t: fd_gradient(objective.value, t, h2)[0], theta, h2)
        close(hessian, fd_hh)
        fd_hv, _ = fd_gradient(lambda t: objective.gradient(theta + t[0] * v), np.zeros(1), h)
        close(hv, fd_hv[:, 0])
        np.testing.assert_allclose(hv, hessian @ v, rtol=1e-5, atol=1e-6 * np.abs(hv).max())
        return

    h = 2.0**-10
    fd_g, scale = fd_gradient(objective.value, theta, h)
    atol = 8 * EPS * scale / h + h**4
    np.testing.assert_array_less(np.abs(gradient - fd_g), 1e-6 * np.abs(gradient) + atol)

    fd_h, scale = fd_gradient(objective.gradient, theta, h)
    atol = 8 * EPS * scale / h + h**4
    np.testing.assert_array_less(np.abs(hessian - fd_h), 1e-6 * np.abs(hessian) + atol)

    # the Hessian as the second difference of the value itself (nested stencils)
    h2 = 2.0**-8
    fd_hh, scale = fd_gradient(lambda t: fd_gradient(objective.value, t, h2)[0], theta, h2)
    atol = 8 * EPS * scale / h2**2 + h2**4
    np.testing.assert_array_less(np.abs(hessian - fd_hh), 1e-6 * np.abs(hessian) + atol)

    # Hessian-vector product: the directional derivative of the gradient along v
    fd_hv, scale = fd_gradient(lambda t: objective.gradient(theta + t[0] * v), np.zeros(1), h)
    atol = 8 * EPS * scale / h + h**4
    np.testing.assert_array_less(np.abs(hv - fd_hv[:, 0]), 1e-6 * np.abs(hv) + atol)
    np.testing.assert_allclose(hv, hessian @ v, rtol=1e-12, atol=1e-14 * np.abs(hv).max())
    np.testing.assert_allclose(hessian, hessian.T, rtol=1e-13, atol=1e-16)


# --- the seeds' closed forms, computed literally --------------------------------------------------


@pytest.mark.parametrize("layout", ["C64", "F64", "csr", "csc"])
@pytest.mark.parametrize("intercept", [True, False])
def test_cross_entropy_gradient_and_hessian_are_the_seeds_closed_forms(
    layout, intercept, make_data, to_layout
):
    """∂J/∂w = -(1/m) Σ (y - ŷ) x, ∂J/∂b = -(1/m) Σ (y - ŷ), ∇²J = Xᵀ diag(ŷ(1 - ŷ)) X / m."""
    objective, theta, X, y, _ = build(make_data, to_layout, layout, intercept=intercept,
                                      m=200, d=5)  # fmt: skip
    m = X.shape[0]
    w = theta[:5]
    b = theta[5] if intercept else 0.0
    yhat = literal_sigmoid(X @ w + b)
    grad_w = -(1 / m) * np.sum((y - yhat)[:, None] * X, axis=0)
    grad_b = -(1 / m) * np.sum(y - yhat)
    # componentwise scale of the sums (their condition): errors are relative to these
    scale_w = (1 / m) * np.sum(np.abs((y - yhat)[:, None] * X), axis=0)
    scale_b = (1 / m) * np.sum(np.abs(y - yhat))
    got = objective.gradient(theta)
    np.testing.assert_array_less(np.abs(got[:5] - grad_w), 1e-12 * scale_w)
    if intercept:
        assert abs(got[5] - grad_b) <= 1e-12 * scale_b

    A = np.column_stack([X, np.ones(m)]) if intercept else X
    D = np.diag(yhat * (1 - yhat))
    hessian = A.T @ D @ A / m
    scale = np.abs(A).T @ D @ np.abs(A) / m
    np.testing.assert_array_less(np.abs(objective.hessian(theta) - hessian), 1e-12 * scale)

    value = -np.mean(y * np.log(yhat) + (1 - y) * np.log(1 - yhat))
    assert objective.value(theta) == pytest.approx(value, rel=1e-12, abs=0)


def test_weights_and_l2_enter_as_documented(make_data, to_layout):
    """J = Σ s̃ᵢ eᵢ + (α/2)‖w‖², s̃ = s/Σs; the intercept is not penalized."""
    alpha = 0.37
    objective, theta, X, y, s = build(make_data, to_layout, "C64", weighted=True, alpha=alpha,
                                      m=150, d=4)  # fmt: skip
    st = s / s.sum()
    w, b = theta[:4], theta[4]
    yhat = literal_sigmoid(X @ w + b)
    value = -np.sum(st * (y * np.log(yhat) + (1 - y) * np.log(1 - yhat))) + alpha / 2 * w @ w
    assert objective.value(theta) == pytest.approx(value, rel=1e-12, abs=0)
    r = st * (yhat - y)
    gradient = np.append(X.T @ r + alpha * w, r.sum())
    np.testing.assert_allclose(objective.gradient(theta), gradient, rtol=1e-11, atol=1e-14)
    A = np.column_stack([X, np.ones(len(y))])
    hessian = A.T @ np.diag(st * yhat * (1 - yhat)) @ A
    hessian[:4, :4] += alpha * np.eye(4)
    np.testing.assert_allclose(objective.hessian(theta), hessian, rtol=1e-11, atol=1e-15)


@pytest.mark.parametrize("layout", ["C64", "csr", "C32"])
@pytest.mark.parametrize("loss", list(LOSSES))
def test_integer_weights_equal_repeated_rows(layout, loss, make_data, to_layout):
    X, y = make_data(80, 3, seed=4)
    counts = np.random.default_rng(9).integers(0, 4, size=80)  # zero weights drop the row
    rows = np.repeat(np.arange(80), counts)
    penalty = L2Penalty(0.05)
    weighted = Objective(to_layout(X, layout), y, sample_weight=counts.astype(float),
                         loss=LOSSES[loss], penalty=penalty)  # fmt: skip
    repeated = Objective(to_layout(X[rows], layout), y[rows], loss=LOSSES[loss], penalty=penalty)
    theta = np.array([0.4, -0.8, 0.3, 0.2])
    v = np.array([1.0, -2.0, 0.5, 0.25])
    rtol = 1e-5 if is32(layout) else 1e-12
    assert weighted.value(theta) == pytest.approx(repeated.value(theta), rel=rtol, abs=0)
    for a, b in [
        (weighted.gradient(theta), repeated.gradient(theta)),
        (weighted.hessian(theta), repeated.hessian(theta)),
        (weighted.hessp(theta, v), repeated.hessp(theta, v)),
    ]:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * np.abs(b).max())


# --- scikit-learn's objective --------------------------------------------------------------------


@pytest.mark.parametrize("C", [0.05, 1.0, 20.0])
@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("layout", ["C64", "csr"])
def test_l2_objective_is_minimized_at_sklearns_solution(
    C, intercept, weighted, layout, make_data, to_layout
):
    """scikit-learn minimizes C·Σ sᵢ eᵢ + ½‖w‖²; divided by C·Σs that is our J with
    α = 1/(C·Σs). At its solution (Newton-Cholesky, tol 1e-12) our gradient must vanish, and
    our value must equal its log-loss plus the penalty."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    X, y = make_data(300, 4, seed=11)
    m = X.shape[0]
    s = np.random.default_rng(2).uniform(0.5, 2.0, m) if weighted else np.ones(m)
    model = LogisticRegression(C=C, fit_intercept=intercept, solver="newton-cholesky",
                               tol=1e-12, max_iter=1000)  # fmt: skip
    model.fit(X, y, sample_weight=s)
    theta = model.coef_.ravel()
    if intercept:
        theta = np.append(theta, model.intercept_)
    objective = Objective(
        to_layout(X, layout),
        y,
        sample_weight=s if weighted else None,
        penalty=L2Penalty(1.0 / (C * s.sum())),
        fit_intercept=intercept,
    )
    assert np.max(np.abs(objective.gradient(theta))) <= 1e-9
    w = model.coef_.ravel()
    expected = log_loss(y, model.predict_proba(X), sample_weight=s) + w @ w / (2 * C * s.sum())
    assert objective.value(theta) == pytest.approx(expected, rel=1e-12, abs=0)


def test_gradient_is_not_zero_away_from_sklearns_solution(make_data):
    """The previous test can fail: our gradient at a perturbed solution is clearly non-zero,
    and with the wrong α (sklearn's C not divided by m) the solution is not stationary."""
    from sklearn.linear_model import LogisticRegression

    X, y = make_data(300, 4, seed=11)
    model = LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-12).fit(X, y)
    theta = np.append(model.coef_.ravel(), model.intercept_)
    assert np.max(np.abs(Objective(X, y, penalty=L2Penalty(1.0)).gradient(theta))) > 1e-3
    right = Objective(X, y, penalty=L2Penalty(1.0 / 300))
    assert np.max(np.abs(right.gradient(theta + 1e-3))) > 1e-5


# --- float32 data: no float64 copy, float64-quality results -------------------------------------


@pytest.mark.parametrize("layout", ["C32", "F32", "csr32", "csc32"])
def test_float32_objective_matches_float64_computation(layout, make_data, to_layout, dense64):
    """The same (float32-representable) data as float32 and as float64 agree to ~1e-6: the only
    differences are float32 roundings of w and of the products inside BLAS."""
    X, y = make_data(500, 6, seed=3)
    X32 = to_layout(X, layout)
    X64 = dense64(X32)  # exactly the float32 values
    o32 = Objective(X32, y, penalty=L2Penalty(0.01))
    o64 = Objective(X64, y, penalty=L2Penalty(0.01))
    theta = np.random.default_rng(0).normal(scale=0.5, size=7)
    v = np.linspace(-1, 1, 7)
    assert o32.value(theta) == pytest.approx(o64.value(theta), rel=1e-6, abs=0)
    for a, b in [
        (o32.gradient(theta), o64.gradient(theta)),
        (o32.hessian(theta), o64.hessian(theta)),
        (o32.hessp(theta, v), o64.hessp(theta, v)),
    ]:
        assert a.dtype == np.float64
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6 * np.abs(b).max())


@pytest.mark.parametrize("order", ["C", "F"])
def test_float32_design_works_on_read_only_data_without_upcasting(order):
    rng = np.random.default_rng(5)
    X = np.asarray(rng.standard_normal((1000, 8)), dtype=np.float32, order=order)
    X.setflags(write=False)
    X64 = X.astype(np.float64)
    design = Design(X)
    assert design.X is X and design.dtype == np.float32
    w = rng.standard_normal(8)
    g = rng.standard_normal(1000)
    h = rng.uniform(0, 1, 1000)
    z = design.matvec(w)
    assert z.dtype == np.float64
    reference = X64 @ w
    # float32 products: each z carries ≲ d·eps32 ≈ 5e-7 relative to Σ|x||w|
    np.testing.assert_array_less(np.abs(z - reference), 1e-6 * (np.abs(X64) @ np.abs(w)))
    np.testing.assert_array_less(
        np.abs(design.rmatvec(g) - X64.T @ g), 1e-6 * (np.abs(X64).T @ np.abs(g))
    )
    gram_scale = np.abs(X64).T @ (h[:, None] * np.abs(X64))
    np.testing.assert_array_less(
        np.abs(design.gram(h)[0] - X64.T @ (h[:, None] * X64)), 1e-6 * gram_scale
    )
    objective = Objective(X, rng.integers(0, 2, 1000).astype(float), penalty=L2Penalty(0.1))
    assert objective.design.X is X
    theta = rng.normal(scale=0.3, size=9)
    objective.value_and_gradient(theta)
    objective.hessian(theta)
    objective.hessp(theta, theta)
    assert not X.flags.writeable


@pytest.mark.parametrize("order", ["C", "F"])
def test_no_float64_copy_of_float32_x_is_allocated(order, monkeypatch):
    """Peak NumPy allocation while evaluating J, ∇J, ∇²J and ∇²J·v stays well below the size
    of X itself; a float64 copy of X would need twice X's size. The row blocks are shrunk to
    256 KiB so that the block temporaries of the Gram product (two blocks alive at a time)
    are small next to X."""
    monkeypatch.setattr(design_module, "_BLOCK_BYTES", 1 << 18)
    rng = np.random.default_rng(6)
    m, d = 40_000, 64
    X = np.asarray(rng.standard_normal((m, d)), dtype=np.float32, order=order)  # 10 MiB
    y = (rng.random(m) < 0.5).astype(np.float64)
    objective = Objective(X, y, penalty=L2Penalty(0.1))
    theta = rng.normal(scale=0.1, size=d + 1)
    objective.value_and_gradient(-theta)  # compiles the kernel first: not X's memory
    tracemalloc.start()
    try:
        objective.value_and_gradient(theta)
        objective.hessian(theta)
        objective.hessp(theta, theta)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.5 * X.nbytes, f"peak {peak / 2**20:.1f} MiB for X of {X.nbytes / 2**20} MiB"


@pytest.mark.parametrize("layout", ["C32", "F32", "csr32", "csc32"])
def test_float32_rmatvec_accumulates_in_float64(layout, to_layout):
    """Xᵀg over 200 000 float32 rows: the float64 reference is X (exact float32 values) times
    g in float64. Accumulating in float64 leaves only the rounding of g (and of each product) to
    float32, errors of ~eps32/√m relative to Σ|xᵢgᵢ|; a float32 sum is off by orders more."""
    rng = np.random.default_rng(8)
    m, d = 200_000, 5
    X = to_layout(rng.standard_normal((m, d)) + 1.0, layout)
    g = 0.01 + 1e-3 * rng.standard_normal(m)
    X64 = X.toarray().astype(np.float64) if sp.issparse(X) else X.astype(np.float64)
    reference = X64.T @ g
    condition = np.abs(X64).T @ np.abs(g)
    naive = np.asarray(X.T @ g.astype(np.float32), dtype=np.float64)
    got = Design(X).rmatvec(g)
    err, naive_err = np.abs(got - reference), np.abs(naive - reference)
    assert np.max(err / condition) <= 1e-8, (np.max(err / condition), np.max(naive_err / condition))
    assert np.max(err) < np.max(naive_err) / 10


# --- design.gram -------------------------------------------------------------------------------


def _weights(kind, m, rng):
    if kind == "positive":
        return rng.uniform(0.01, 1.0, m)
    if kind == "with_zeros":
        return np.where(rng.random(m) < 0.3, 0.0, rng.uniform(0, 1, m))
    return rng.normal(size=m)  # mixed signs: the squared-error Hessian's curvature


@pytest.mark.parametrize("block_bytes", [1, 24 * 7, 1000, 1 << 22])
@pytest.mark.parametrize("layout", ["C64", "F64", "csr", "csc"])
@pytest.mark.parametrize("kind", ["positive", "with_zeros", "mixed_signs"])
def test_gram_equals_x_transpose_diag_h_x(block_bytes, layout, kind, monkeypatch, to_layout):
    monkeypatch.setattr(design_module, "_BLOCK_BYTES", block_bytes)
    rng = np.random.default_rng(block_bytes)
    m, d = 257, 3
    X = rng.standard_normal((m, d)) * np.array([1.0, 10.0, 0.1])
    X[rng.random((m, d)) < 0.3] = 0.0
    h = _weights(kind, m, rng)
    design = Design(to_layout(X, layout))
    if not design.sparse:
        expected_block = max(1, block_bytes // (d * 8))
        assert design._gram_rows == expected_block
        assert len(list(design._slices(design._gram_rows, m))) == -(-m // expected_block)
    got, sums = design.gram(h)
    expected = X.T @ np.diag(h) @ X
    scale = np.abs(X).T @ np.diag(np.abs(h)) @ np.abs(X)
    assert got.shape == (d, d) and got.dtype == np.float64
    np.testing.assert_array_less(np.abs(got - expected), 1e-13 * scale + 1e-300)
    # Xᵀh, the intercept's Hessian column, comes from the same pass
    np.testing.assert_array_less(np.abs(sums - X.T @ h), 1e-13 * (np.abs(X).T @ np.abs(h)))


@pytest.mark.parametrize("block_bytes", [1, 24 * 7, 1 << 22])
@pytest.mark.parametrize("layout", ["C64", "F64", "C32", "csr", "csc", "csr32", "csc32"])
def test_column_squares_are_the_diagonal_of_the_gram_matrix(
    block_bytes, layout, monkeypatch, to_layout, dense64
):
    """Σᵢ hᵢxᵢⱼ² in one pass (row blocks, column blocks of CSC, the CSR kernel), squared in
    float64 whatever X's dtype, against NumPy on the float64 values."""
    monkeypatch.setattr(design_module, "_BLOCK_BYTES", block_bytes)
    rng = np.random.default_rng(4)
    X = rng.standard_normal((301, 5)) * np.array([1.0, 1e3, 1e-3, 0.0, 7.0])
    X[rng.random(X.shape) < 0.4] = 0.0
    h = _weights("mixed_signs", 301, rng)
    design = Design(to_layout(X, layout))
    X64 = dense64(design.X)
    expected = np.square(X64).T @ h
    scale = np.square(X64).T @ np.abs(h)
    got = design.column_squares(h)
    assert got.shape == (5,) and got.dtype == np.float64 and design.passes == 1
    np.testing.assert_array_less(np.abs(got - expected), 1e-13 * scale + 1e-300)


@pytest.mark.parametrize("kind", ["positive", "mixed_signs"])
def test_gram_is_the_same_on_one_thread_and_on_several(kind, monkeypatch):
    """The Hessian pass runs its row segments in threads; their number depends on the
    shape only and they are added in order, so the bits do not depend on the threads."""
    import numba

    monkeypatch.setattr(design_module, "_BLOCK_BYTES", 4096)
    rng = np.random.default_rng(8)
    X = rng.standard_normal((5000, 6))
    h = _weights(kind, 5000, rng)
    design = Design(X)
    several = design.gram(h.copy())
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = design.gram(h.copy())
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(several[0], one[0]) and np.array_equal(several[1], one[1])
    np.testing.assert_allclose(several[0], X.T @ (h[:, None] * X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["positive", "mixed_signs"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gram_of_no_rows_is_zero(kind, dtype):
    h = np.zeros(0) if kind == "positive" else -np.ones(0)
    gram, sums = Design(np.zeros((0, 3), dtype=dtype)).gram(h)
    assert gram.shape == (3, 3) and not gram.any() and sums.shape == (3,) and not sums.any()


@pytest.mark.parametrize("n", [1, 7, 65_536, 65_537, 200_001])
@pytest.mark.parametrize("exact", [True, False])
def test_gram_over_its_own_weights_equals_the_gram_on_a_copy(n, exact):
    """overwrite_h writes √h over h — for float32 products into the first half of h's
    float64 buffer, piece by piece — and gives the same bits as the out-of-place pass."""
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, 3)).astype(np.float32)
    h = rng.uniform(0.0, 0.25, n)
    design = Design(X)
    kept = design.gram(h.copy(), exact)
    over = design.gram(h.copy(), exact, overwrite_h=True)
    assert np.array_equal(kept[0], over[0]) and np.array_equal(kept[1], over[1])
    root = design_module._square_root_over(h.copy(), np.float32)
    assert root.dtype == np.float32 and np.array_equal(root, np.sqrt(h).astype(np.float32))


@pytest.mark.parametrize("layout", ["C32", "F32", "csr32", "csc32"])
@pytest.mark.parametrize("kind", ["positive", "mixed_signs"])
def test_gram_float32(layout, kind, monkeypatch, to_layout, dense64):
    monkeypatch.setattr(design_module, "_BLOCK_BYTES", 4096)
    rng = np.random.default_rng(3)
    X = to_layout(rng.standard_normal((3000, 4)), layout)
    h = _weights(kind, 3000, rng)
    X64 = dense64(X)
    expected = X64.T @ (h[:, None] * X64)
    scale = np.abs(X64).T @ (np.abs(h)[:, None] * np.abs(X64))
    np.testing.assert_array_less(np.abs(Design(X).gram(h)[0] - expected), 1e-6 * scale)


@pytest.mark.parametrize("layout", ["C32", "F32"])
def test_gram_inexact_stays_float32_only_for_float32_data(layout, monkeypatch, to_layout):
    """exact=True sums the float32 values in float64 (1e-13 of the scale); exact=False keeps
    each block's products in float32 (1e-6 of the scale, summed over 4 KiB blocks in
    float64); float64 data give the same bits either way."""
    monkeypatch.setattr(design_module, "_BLOCK_BYTES", 4096)
    rng = np.random.default_rng(8)
    X64 = rng.standard_normal((5000, 6)) * np.array([1.0, 3.0, 0.3, 1.0, 10.0, 1.0])
    X32 = to_layout(X64, layout)
    X64 = np.asarray(X32, dtype=np.float64)  # the float32 values, exactly
    h = rng.uniform(0.0, 0.25, 5000)
    expected = X64.T @ (h[:, None] * X64)
    scale = np.abs(X64).T @ (h[:, None] * np.abs(X64))
    exact, exact_sums = Design(X32).gram(h)
    rough, rough_sums = Design(X32).gram(h, exact=False)
    np.testing.assert_array_less(np.abs(exact - expected), 1e-13 * scale)
    np.testing.assert_array_less(np.abs(rough - expected), 1e-6 * scale)
    assert np.max(np.abs(rough - expected) / scale) > 1e-11  # it did compute in float32
    np.testing.assert_allclose(rough_sums, X64.T @ h, rtol=1e-6)
    for a, b in zip(Design(X64).gram(h), Design(X64).gram(h, exact=False), strict=True):
        np.testing.assert_array_equal(a, b)


def test_as_design_passes_a_design_through():
    d = Design(np.eye(3))
    assert as_design(d) is d
    assert isinstance(as_design(np.eye(3)), Design)


def test_objective_defaults():
    X = np.eye(4)
    objective = Objective(X, np.array([0.0, 1.0, 1.0, 0.0]), fit_intercept=False)
    assert isinstance(objective.penalty, NoPenalty)
    assert objective.loss is cross_entropy
    assert objective.n_params == 4
    # at θ = 0 every ŷ is ½: J = log 2, ∇J = (ŷ - y)/m, ∇²J = I/(4m)
    assert objective.value(np.zeros(4)) == pytest.approx(np.log(2), rel=1e-15, abs=0)
    np.testing.assert_allclose(objective.gradient(np.zeros(4)), [0.125, -0.125, -0.125, 0.125])
    np.testing.assert_allclose(objective.hessian(np.zeros(4)), np.eye(4) / 16)
    assert float(sigmoid(0.0)) == 0.5
