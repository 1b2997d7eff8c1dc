"""Shared fixtures for the core-math tests: generated data, matrix layouts, finite differences.

Everything here is a session-scoped fixture returning a plain function, so that the
hypothesis tests can use it too (hypothesis refuses function-scoped fixtures).
"""

from __future__ import annotations

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
