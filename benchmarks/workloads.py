"""The benchmark's workloads: how each data set is made or read, cached and loaded.

Every workload is cached once as ``.npy`` files under ``benchmarks/results/cache/`` (that
folder is git-ignored): dense X as one array, CSR X as its ``data``/``indices``/``indptr``
arrays, so a benchmark child process loads X with ``np.load`` into exactly X's bytes (no
parser, no transient copy that would hide the fit's own memory high-water mark).

The common objective ``objective_value`` is what every library is judged by:

    f(w, b) = (1/n) Σᵢ [softplus(zᵢ) - yᵢ·zᵢ] + ‖w‖² / (2·C·n),   z = Xw + b,

evaluated in float64 (float32 X is widened block by block), with the last term dropped for
the unpenalized problem. It is scikit-learn's C·Σ loss + ½‖w‖² divided by C·n.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
CACHE = RESULTS / "cache"
CACHE_VERSION = 1
QUICK_SCALE = 0.05  # --quick shrinks the synthetic workloads about 20×


def datasets_dir() -> Path:
    """$LOGISTIC_DATASETS, else ../shared/datasets next to the repository."""
    env = os.environ.get("LOGISTIC_DATASETS")
    return Path(env) if env else (ROOT / ".." / "shared" / "datasets").resolve()


@dataclass(frozen=True)
class Workload:
    """One data set and the problems (penalties) solved on it."""

    name: str
    description: str
    kind: str  # "dense" or "sparse"
    penalties: tuple[str, ...]  # "l2" and, where the unpenalized optimum exists, "none"
    source: str | None = None  # file under the datasets folder, None for synthetic
    scales: bool = False  # whether --quick / --scale shrinks it
    note: str = ""
    params: dict = field(default_factory=dict)


WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in [
        Workload(
            "dense64",
            "synthetic dense 1,000,000 × 50 float64, AR(1)-correlated columns (ρ = 0.9)",
            "dense",
            ("l2", "none"),
            scales=True,
            params={"rows": 1_000_000, "features": 50, "rho": 0.9, "dtype": "float64"},
        ),
        Workload(
            "dense32",
            "the same synthetic data as dense64, stored as float32",
            "dense",
            ("l2", "none"),
            scales=True,
            params={"rows": 1_000_000, "features": 50, "rho": 0.9, "dtype": "float32"},
        ),
        Workload(
            "covtype",
            "covtype binary (class 2 vs rest), 581,012 × 54, unscaled integer features",
            "dense",
            ("l2",),
            source="covtype_binary.csv.gz",
            note=(
                "unpenalized omitted: soil types 1, 5, 14, 15 and 37 occur only with label 0 "
                "and soil type 7 only with label 1 (quasi-complete separation: no finite MLE)"
            ),
        ),
        Workload(
            "a9a",
            "a9a (UCI Adult, LIBSVM binarisation), 32,561 × 123 sparse CSR",
            "sparse",
            ("l2",),
            source="a9a.gz",
            note=("unpenalized omitted: quasi-complete separation "
                  "(logistic.inference.separation finds it)"),
        ),
        Workload(
            "sparse",
            "synthetic sparse 200,000 × 20,000 CSR at 0.5% density, Gaussian non-zeros",
            "sparse",
            ("l2", "none"),
            scales=True,
            params={"rows": 200_000, "features": 20_000, "density": 0.005},
        ),
        Workload(
            "breast_cancer",
            "scikit-learn's breast cancer, 569 × 30, standardized (per-call overhead)",
            "dense",
            ("l2",),
            note="unpenalized omitted: the standardized data are linearly separable",
        ),
        Workload(
            "pima",
            "Pima Indians diabetes, 768 × 8, standardized (per-call overhead, unpenalized too)",
            "dense",
            ("l2", "none"),
            source="pima-indians-diabetes.data.csv",
            note="an extra to (f): small and not separable, so the unpenalized path (with its "
                 "inference statistics and separation check) is timed as well",
        ),
    ]
}


def resolve(name: str, scale: float) -> dict:
    """The concrete shape of a workload at a scale (1 = full size)."""
    w = WORKLOADS[name]
    p = dict(w.params)
    if w.scales and scale != 1.0:
        p["rows"] = max(1000, int(round(p["rows"] * scale)))
        if name == "sparse":
            p["features"] = max(100, int(round(p["features"] * scale)))
    return p


def _key(name: str, params: dict) -> str:
    return _raw_key(name, params).replace(".", "p")  # no dots: the key is a file-name prefix


def _raw_key(name: str, params: dict) -> str:
    if not params:
        return f"{name}_v{CACHE_VERSION}"
    if "density" in params:
        return f"sparse_{params['rows']}x{params['features']}_d{params['density']}_v{CACHE_VERSION}"
    # dense64 and dense32 share the float64 generator; the float32 copy is cached apart
    return (
        f"dense_{params['rows']}x{params['features']}_rho{params['rho']}_"
        f"{params['dtype']}_v{CACHE_VERSION}"
    )


# -- generators and readers ------------------------------------------------------------------

def _true_coefficients(d: int, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(d)


def make_dense(rows: int, features: int, rho: float, dtype: str, seed: int = 0):
    """AR(1) Gaussian columns x_j = ρ·x_{j-1} + √(1-ρ²)·e_j, labels from the logistic model.

    The true coefficients are drawn once (seed 0) and scaled so that sd(x·β) = 2; the
    intercept is -0.5. Rows are generated in chunks of 100,000 with per-chunk seeds, so the
    memory beyond X stays small at any size.
    """
    coef_rng = np.random.default_rng(seed)
    beta = _true_coefficients(features, coef_rng)
    # Var(x·β) = βᵀΣβ with Σ_jk = ρ^|j-k|
    idx = np.arange(features)
    sigma = rho ** np.abs(idx[:, None] - idx[None, :])
    beta *= 2.0 / np.sqrt(beta @ sigma @ beta)
    intercept = -0.5
    X = np.empty((rows, features), dtype=np.float64)
    y = np.empty(rows, dtype=np.float64)
    chunk = 100_000
    innovation = np.sqrt(1.0 - rho * rho)
    for k, start in enumerate(range(0, rows, chunk)):
        stop = min(start + chunk, rows)
        rng = np.random.default_rng([seed, 1, k])
        e = rng.standard_normal((stop - start, features))
        block = X[start:stop]
        block[:, 0] = e[:, 0]
        for j in range(1, features):
            block[:, j] = rho * block[:, j - 1] + innovation * e[:, j]
        z = block @ beta + intercept
        y[start:stop] = rng.random(stop - start) < 1.0 / (1.0 + np.exp(-z))
    if dtype == "float32":
        X = X.astype(np.float32)
    return X, y


def make_sparse(rows: int, features: int, density: float, seed: int = 0):
    """CSR with i.i.d. positions at the given density, N(0,1) values, logistic labels.

    True coefficients N(0, σ²) with σ set so that sd(x·β) ≈ 1.5 (moderate signal: at n/d = 10
    the unpenalized optimum exists).
    """
    rng = np.random.default_rng(seed)
    X = sp.random(
        rows, features, density=density, format="csr", dtype=np.float64, rng=rng,
        data_rvs=rng.standard_normal,
    )
    X.sort_indices()
    per_row = max(density * features, 1.0)
    beta = rng.standard_normal(features) * (1.5 / np.sqrt(per_row))
    z = X @ beta - 0.5
    y = (rng.random(rows) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    return sp.csr_matrix(X), y


def read_covtype(path: Path):
    import pandas as pd

    frame = pd.read_csv(path)
    y = frame.pop("label").to_numpy(dtype=np.float64)
    return np.ascontiguousarray(frame.to_numpy(dtype=np.float64)), y


def read_a9a(path: Path):
    from sklearn.datasets import load_svmlight_file

    X, y = load_svmlight_file(str(path), n_features=123)
    return sp.csr_matrix(X), (y > 0).astype(np.float64)


def read_breast_cancer():
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    return np.ascontiguousarray(StandardScaler().fit_transform(X)), y.astype(np.float64)


def read_pima(path: Path):
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    frame = pd.read_csv(path, header=None)
    y = frame.pop(frame.columns[-1]).to_numpy(dtype=np.float64)
    X = StandardScaler().fit_transform(frame.to_numpy(dtype=np.float64))
    return np.ascontiguousarray(X), y


# -- cache -----------------------------------------------------------------------------------

def missing_source(name: str) -> Path | None:
    """The data file a workload needs where it is absent, else None."""
    source = WORKLOADS[name].source
    if source is None:
        return None
    path = datasets_dir() / source
    return None if path.exists() else path


def _build(name: str, params: dict):
    w = WORKLOADS[name]
    if name in ("dense64", "dense32"):
        return make_dense(**params)
    if name == "sparse":
        return make_sparse(**params)
    if name == "covtype":
        return read_covtype(datasets_dir() / w.source)
    if name == "a9a":
        return read_a9a(datasets_dir() / w.source)
    if name == "breast_cancer":
        return read_breast_cancer()
    if name == "pima":
        return read_pima(datasets_dir() / w.source)
    raise KeyError(name)


def prepare(name: str, params: dict) -> Path:
    """Builds the workload's cache files where they are missing; returns the cache prefix."""
    CACHE.mkdir(parents=True, exist_ok=True)
    prefix = CACHE / _key(name, params)
    meta = Path(f"{prefix}.json")
    if meta.exists():
        return prefix
    X, y = _build(name, params)
    if sp.issparse(X):
        X = sp.csr_matrix(X)
        np.save(f"{prefix}.data.npy", X.data)
        # int32 indices where they fit: what scipy itself picks, so loading makes no copy
        index_dtype = np.int32 if max(X.nnz, X.shape[1]) < 2**31 else np.int64
        np.save(f"{prefix}.indices.npy", X.indices.astype(index_dtype))
        np.save(f"{prefix}.indptr.npy", X.indptr.astype(index_dtype))
    else:
        np.save(f"{prefix}.X.npy", np.ascontiguousarray(X))
    np.save(f"{prefix}.y.npy", y)
    info = {"name": name, "params": params, "shape": list(X.shape), "sparse": sp.issparse(X),
            "dtype": str(X.dtype), "positive_rate": float(np.mean(y))}
    meta.write_text(json.dumps(info))
    return prefix


def load(prefix: Path):
    """X and y from the cache, with no copy beyond reading the files."""
    info = json.loads(Path(f"{prefix}.json").read_text())
    y = np.load(f"{prefix}.y.npy")
    if info["sparse"]:
        data = np.load(f"{prefix}.data.npy")
        indices = np.load(f"{prefix}.indices.npy")
        indptr = np.load(f"{prefix}.indptr.npy")
        X = sp.csr_matrix((data, indices, indptr), shape=tuple(info["shape"]), copy=False)
    else:
        X = np.load(f"{prefix}.X.npy")
    return X, y


def nbytes(X) -> int:
    """Bytes of X as stored (data + indices + indptr for CSR)."""
    if sp.issparse(X):
        return int(X.data.nbytes + X.indices.nbytes + X.indptr.nbytes)
    return int(X.nbytes)


# -- a benchmark's results: run workload by workload, saved, shown ---------------------------

def run_and_save(results: dict, run_workload, args, render) -> None:
    """Each of ``args.workloads`` (comma-separated) by ``run_workload(name, args)``: what it
    returns (None: skipped) into ``results["workloads"]``, ``args.out`` rewritten after each
    so that a stopped run keeps the finished ones; then ``render(results, args.markdown)``."""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for name in args.workloads.split(","):
        workload = run_workload(name, args)
        if workload is not None:
            results["workloads"][name] = workload
            args.out.write_text(json.dumps(results, indent=1))
    print(render(results, args.markdown))


def print_saved(args, render) -> bool:
    """``--from-json``: the saved results shown again by ``render``; False without it."""
    if not args.from_json:
        return False
    print(render(json.loads(args.from_json.read_text()), args.markdown))
    return True


def table_lines(header: list[str], rows: list[list[str]], markdown: bool) -> list[str]:
    """The rows under the header, as a Markdown table or as columns padded to line up."""
    if markdown:
        return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
                *("| " + " | ".join(r) + " |" for r in rows)]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    return ["  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True))
            for r in [header, *rows]]


# -- the common objective ----------------------------------------------------------------------

def objective_value(X, y, coef, intercept: float, C: float | None) -> float:
    """f(w, b) = mean log-loss + ‖w‖²/(2·C·n) in float64; C=None for the unpenalized f."""
    return objective_and_gradient_norm(X, y, coef, intercept, C)[0]


def objective_and_gradient_norm(X, y, coef, intercept: float, C: float | None):
    """(f(w, b), ‖∇f(w, b)‖∞), both in float64 (float32 X is widened block by block)."""
    w = np.asarray(coef, dtype=np.float64).ravel()
    n = X.shape[0]
    total = 0.0
    grad_w = np.zeros_like(w)
    grad_b = 0.0
    if sp.issparse(X):
        Xd = X if X.dtype == np.float64 else X.astype(np.float64)
        z = np.asarray(Xd @ w).ravel() + intercept
        total = float(np.sum(np.logaddexp(0.0, z) - y * z))
        r = _expit(z) - y
        grad_w = np.asarray(Xd.T @ r).ravel()
        grad_b = float(r.sum())
    else:
        step = 65536
        for start in range(0, n, step):
            block = np.asarray(X[start:start + step], dtype=np.float64)
            yb = y[start:start + step]
            z = block @ w + intercept
            total += float(np.sum(np.logaddexp(0.0, z) - yb * z))
            r = _expit(z) - yb
            grad_w += block.T @ r
            grad_b += float(r.sum())
    value = total / n
    grad_w /= n
    grad_b /= n
    if C is not None:
        value += float(w @ w) / (2.0 * C * n)
        grad_w += w / (C * n)
    norm = max(float(np.max(np.abs(grad_w))) if grad_w.size else 0.0, abs(grad_b))
    return value, norm


def _expit(z):
    from scipy.special import expit

    return expit(z)
