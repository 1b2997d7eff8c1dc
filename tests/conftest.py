"""Shared fixtures for the core-math tests: generated data, matrix layouts, finite differences.

Everything here is a session-scoped fixture returning a plain function, so that the
hypothesis tests can use it too (hypothesis refuses function-scoped fixtures).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

EPS = float(np.finfo(np.float64).eps)

#: The ways X can reach the objective: dense C/F float64, dense float32, CSR and CSC.
LAYOUTS = ("C64", "F64", "C32", "F32", "csr", "csc", "csr32", "csc32")


def _make_data(m=300, d=4, *, seed=0, intercept=0.3, zero_fraction=0.3, coef_scale=1.0):
    """A well-conditioned binary problem: standard normal features (some exact zeros so
    that the sparse layouts are really sparse), labels drawn from the logistic model."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, d))
    X[rng.random((m, d)) < zero_fraction] = 0.0
    w = coef_scale * rng.standard_normal(d)
    p = 1.0 / (1.0 + np.exp(-(X @ w + intercept)))
    y = (rng.random(m) < p).astype(np.float64)
    return X, y


def _to_layout(X: np.ndarray, layout: str):
    """The same data as float64/float32, C/F order or CSR/CSC (float32 data are rounded once)."""
    dtype = np.float32 if layout.endswith("32") else np.float64
    kind = layout.removesuffix("32").removesuffix("64")
    if kind == "C":
        return np.ascontiguousarray(X, dtype=dtype)
    if kind == "F":
        return np.asfortranarray(X, dtype=dtype)
    if kind == "csr":
        return sp.csr_matrix(X.astype(dtype))
    if kind == "csc":
        return sp.csc_matrix(X.astype(dtype))
    raise ValueError(layout)


def _dense64(X) -> np.ndarray:
    """X as a dense float64 array: the exact values the library sees, for literal references."""
    return np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)


def _central_difference(f, x, h):
    """Fourth-order central difference f'(x) ≈ (-f(x+2h) + 8f(x+h) - 8f(x-h) + f(x-2h)) / 12h,
    elementwise for a vectorized scalar function f.

    Returns (estimate, scale) where scale = max |f| over the stencil, from which the rounding
    error of the estimate is bounded: each f value carries an error of about eps·|f|, and the
    stencil's weights sum to 18/12, so the rounding error is at most ~1.5·eps·scale/h.
    The truncation error is h⁴/30·|f⁽⁵⁾|.
    """
    x = np.asarray(x, dtype=np.float64)
    values = [np.asarray(f(x + k * h), dtype=np.float64) for k in (-2, -1, 1, 2)]
    estimate = (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * h)
    scale = np.max(np.abs(values), axis=0)
    return estimate, scale


def _fd_gradient(f, theta, h):
    """∇f(θ) of a scalar function of a vector, by the same fourth-order stencil per coordinate.

    f may return a scalar (the result is the gradient) or a vector (the result is the Jacobian
    J[i, j] = ∂f_i/∂θ_j). Returns (estimate, scale) with scale = max |f| over all stencils.
    """
    theta = np.asarray(theta, dtype=np.float64)
    columns, scales = [], []
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = h
        values = [np.asarray(f(theta + k * e), dtype=np.float64) for k in (-2, -1, 1, 2)]
        columns.append((values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * h))
        scales.append(np.max(np.abs(values)))
    return np.stack(columns, axis=-1), max(scales)


def _softmax_hessian_case(rng, X, K, alpha, fit_intercept, theta_scale):
    """(objective, θ, H): the L2-penalized softmax objective of X with K classes (labels and
    weights drawn from ``rng``, then θ ~ N(0, theta_scale²)), and its Hessian at θ written
    out class pair by class pair from the defining formula: block (k, l) = X̃ᵀ diag(s̃ ⊙
    ŷₖ(δₖₗ - ŷₗ)) X̃, plus α on the weights' diagonal."""
    from logistic.core.losses import softmax_cross_entropy
    from logistic.core.objective import Objective
    from logistic.core.penalties import L2Penalty

    n, d = X.shape
    y = rng.integers(K, size=n)
    weights = rng.random(n)
    objective = Objective(X, np.eye(K)[y], sample_weight=weights, loss=softmax_cross_entropy,
                          penalty=L2Penalty(alpha), fit_intercept=fit_intercept)
    theta = rng.normal(size=objective.n_params) * theta_scale
    W = theta.reshape(K, -1)
    Z = X @ W[:, :d].T + (W[:, d] if fit_intercept else 0.0)
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    s = weights / weights.sum()
    Xt = np.column_stack([X, np.ones(n)]) if fit_intercept else X
    r = Xt.shape[1]
    expected = np.zeros((K * r, K * r))
    for k in range(K):
        for m in range(K):
            h = s * P[:, k] * ((k == m) - P[:, m])
            expected[k * r:(k + 1) * r, m * r:(m + 1) * r] = Xt.T @ (h[:, None] * Xt)
        expected[np.arange(k * r, k * r + d), np.arange(k * r, k * r + d)] += alpha
    return objective, theta, expected


@pytest.fixture(scope="session")
def make_data():
    return _make_data


@pytest.fixture(scope="session")
def to_layout():
    return _to_layout


@pytest.fixture(scope="session")
def dense64():
    return _dense64


@pytest.fixture(scope="session")
def central_difference():
    return _central_difference


@pytest.fixture(scope="session")
def fd_gradient():
    return _fd_gradient


@pytest.fixture(scope="session")
def softmax_hessian_case():
    return _softmax_hessian_case


# -- real data shipped in the dependencies, per test module (as each module had its own) -------
@pytest.fixture(scope="module")
def spector():
    """statsmodels' Spector data: (exog DataFrame, endog Series)."""
    import statsmodels.api as sm

    data = sm.datasets.spector.load_pandas()
    return data.exog, data.endog


@pytest.fixture(scope="module")
def cancer():
    """scikit-learn's breast cancer data, columns standardized: (X, y) arrays."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


#: scikit-learn's estimator checks that take seconds each: the sparse-data checks and the
#: sample-weight equivalence ones fit many models (the others take milliseconds)
SLOW_ESTIMATOR_CHECKS = (
    "check_estimator_sparse_matrix",
    "check_estimator_sparse_array",
    "check_sample_weight_equivalence_on_sparse_data",
    "check_sample_weight_equivalence_on_dense_data",
)


def pytest_collection_modifyitems(items):
    """Marks the slow estimator checks ``slow`` (their parameters come from scikit-learn's
    ``parametrize_with_checks``, so a decorator cannot pick them)."""
    for item in items:
        if getattr(item, "originalname", None) != "test_scikit_learn_estimator_checks":
            continue
        if any(item.name.endswith(f"-{check}]") for check in SLOW_ESTIMATOR_CHECKS):
            item.add_marker(pytest.mark.slow)


# -- numba's kernels compiled once, before the xdist workers need them ---------------------
#: Set by the controller for its workers: the folder where each warm-up part leaves a file.
WARMUP_ENV = "LOGISTIC_TEST_NUMBA_WARMUP"
#: The longest a worker waits for the warm-up (it compiles what is missing itself after).
WARMUP_TIMEOUT_S = 300.0
_warmup: dict = {}


def _cache_is_cold() -> bool:
    """Whether some module with ``cache=True`` kernels has no numba index newer than its
    source in its ``__pycache__`` (numba's own cache, which the kernels write next to their
    source: a fresh clone, or a kernel just edited). ``import logistic`` imports no numba."""
    import logistic

    if os.environ.get("NUMBA_CACHE_DIR") or os.environ.get("NUMBA_DISABLE_JIT"):
        return False  # a cache elsewhere, or none: nothing to check here, nothing to warm
    for source in Path(logistic.__file__).parent.rglob("*.py"):
        if "cache=True" not in source.read_text(encoding="utf-8"):
            continue
        indexes = (source.parent / "__pycache__").glob(f"{source.stem}.*.nbi")
        if not any(index.stat().st_mtime >= source.stat().st_mtime for index in indexes):
            return True
    return False


#: OpenMP's threads (numba's ``parallel=True`` kernels run on libgomp here) spin after each
#: parallel region, waiting for the next. With two xdist workers on two cores, each
#: worker's spinning threads hold the cores the other worker's threads need to finish their
#: region: a small kernel call (the sparse Gram matrix of scikit-learn's 40-row checks)
#: took 155 ms of wall time instead of 0.5 ms, measured on the loaded 2-core machine.
#: Waiting threads that sleep do not change a result, only who holds the cores.
OPENMP_WAIT_POLICY = "PASSIVE"
BLAS_THREADS_PER_WORKER = "1"


def pytest_configure(config):
    """Sets ``OMP_WAIT_POLICY`` (unless the environment has it) before anything loads
    OpenMP; the workers and the command-line subprocesses inherit it.

    In the xdist controller of a run with two or more workers and a cold cache: starts
    tests/numba_warmup.py's parts, one process each, and tells the workers (through the
    environment they inherit) to wait for them once they have collected. Without this,
    every worker compiles the same kernels at about the same moment (xdist hands the
    workers neighbouring tests, so they reach each kernel's tests together and neither
    finds the other's cache file yet); with it, each kernel compiles once, while the
    workers import and collect."""
    os.environ.setdefault("OMP_WAIT_POLICY", OPENMP_WAIT_POLICY)
    if hasattr(config, "workerinput") or len(config.getoption("tx", None) or []) < 2:
        return
    # Several workers: one OpenBLAS thread each (the workers inherit it, and read it when
    # they load NumPy). With two workers on two cores, each worker's BLAS threads wait on
    # cores the other holds: a covtype-sized XᵀDX or a small eigh took many times its
    # one-thread time (six heavy test files: 84–221 s with OpenBLAS's default, 49–52 s
    # with one thread each, -n 2, measured back to back on the 2-core machine).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", BLAS_THREADS_PER_WORKER)
    if config.getoption("collectonly") or not _cache_is_cold():
        return
    warmup = Path(__file__).with_name("numba_warmup.py")
    spec = importlib.util.spec_from_file_location("numba_warmup", warmup)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # PARTS only: the module imports nothing heavy
    parts = list(module.PARTS)
    folder = tempfile.mkdtemp(prefix="logistic-numba-warmup-")
    _warmup["folder"] = folder
    _warmup["processes"] = {}
    for part in parts:  # stderr to a file: a pipe nobody reads could fill and stall it
        with open(os.path.join(folder, f"{part}.err"), "w") as err:
            _warmup["processes"][part] = subprocess.Popen(
                [sys.executable, str(warmup), folder, part], stdout=subprocess.DEVNULL,
                stderr=err)
    os.environ[WARMUP_ENV] = os.pathsep.join([folder, *parts])


def pytest_collection_finish(session):
    """In a worker: waits (at most ``WARMUP_TIMEOUT_S``) for the controller's warm-up."""
    if not hasattr(session.config, "workerinput") or not os.environ.get(WARMUP_ENV):
        return
    folder, *parts = os.environ[WARMUP_ENV].split(os.pathsep)
    deadline = time.monotonic() + WARMUP_TIMEOUT_S
    while time.monotonic() < deadline and not all(
        os.path.exists(os.path.join(folder, f"{part}.done")) for part in parts
    ):
        time.sleep(0.2)


def pytest_terminal_summary(terminalreporter):
    """Says so when a warm-up part failed (the tests ran all the same: the workers compiled
    what it left out), so that numba_warmup.py does not fall behind the kernels unseen."""
    for part, process in _warmup.get("processes", {}).items():
        if process.poll():
            with open(os.path.join(_warmup["folder"], f"{part}.err")) as err:
                last = (err.read().strip().splitlines() or ["(no output)"])[-1]
            terminalreporter.write_line(f"numba warm-up part {part!r} failed: {last}")


def pytest_unconfigure(config):
    """Stops a warm-up part still running (a run cut short) and removes its folder."""
    for process in _warmup.get("processes", {}).values():
        if process.poll() is None:
            process.kill()
        process.wait()
    if "folder" in _warmup:
        shutil.rmtree(_warmup["folder"], ignore_errors=True)
