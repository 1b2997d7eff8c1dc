"""Compiles the package's numba kernels into their on-disk cache before the test workers start.

``pytest -n auto`` from a fresh clone: every xdist worker would otherwise compile the same
kernels at the same time (``cache=True`` only helps the worker that comes second, once the
first has written the file). tests/conftest.py runs this file in the controller, one process
per part, before it starts the workers; they then load each kernel from ``__pycache__``.

Each part fits small models through the public API, so that the kernels are compiled for the
argument types the tests pass (float64 and float32, C order, CSR with int32 indices). A
kernel this misses is compiled by the first worker that needs it, as before: the warm-up
changes only when the compiling happens, never what a test runs.

    python tests/numba_warmup.py DONE_DIR PART   # PART: one of PARTS' names

It writes ``DONE_DIR/PART.done`` when it ends, whether the part succeeded or not: the
workers wait for that file (tests/conftest.py), never for longer than a timeout.
"""

from __future__ import annotations

import os
import sys
import warnings


def _data(n: int, d: int, seed: int = 0):
    import numpy as np

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ rng.normal(size=d) + 0.3)))).astype(float)
    return X, y


def binary() -> None:
    """The fused dense and CSR passes (kernels.py), the sparse Gram and column squares, the
    column extremes of the separation screen and the L1 coordinate descent (newton_cd.py).
    The kernels are called through the objective and the design, not through whole fits:
    a fit of data this size also runs the separation screen's linear programs."""
    import numpy as np
    import scipy.sparse as sp

    from logistic import LogisticRegression
    from logistic.core import kernels
    from logistic.core.design import Design
    from logistic.core.objective import Objective
    from logistic.core.penalties import L2Penalty

    X, y = _data(30_000, 8)  # over kernels.MIN_ELEMENTS: the fused path
    X[np.abs(X) < 0.5] = 0.0
    weights = np.ones(len(y))
    wide = sp.csr_matrix(X)  # int64 indices: scikit-learn's sparse checks pass them
    wide.indices, wide.indptr = wide.indices.astype(np.int64), wide.indptr.astype(np.int64)
    for data in (X, X.astype(np.float32)):
        for layout in (data, sp.csr_matrix(data), *([wide] if data is X else [])):
            objective = Objective(layout, y, weights, penalty=L2Penalty(1e-3))
            objective.value_and_gradient(np.zeros(objective.n_params))
            kernels.column_extremes(layout, y.astype(bool), 2)
            if sp.issparse(layout):
                Design(layout).gram(weights)
                Design(layout).column_squares(weights)
    small, labels = X[:300], y[:300]
    for data in (small, sp.csr_matrix(small)):
        LogisticRegression("l1", C=0.5, max_iter=3).fit(data, labels)


def firth() -> None:
    """The compiled Firth fit, its profile-likelihood limits and likelihood-ratio tests."""
    import numpy as np

    from logistic import LogisticRegression

    X, y = _data(200, 3, seed=1)
    model = LogisticRegression(penalty="firth").fit(X, y, sample_weight=np.ones(len(y)))
    model.conf_int(method="profile")
    model.summary()
    X = np.round(X)  # few distinct rows: the merged-rows path
    LogisticRegression(penalty="firth").fit(X, y).conf_int(method="profile")


def conditional_and_ordinal() -> None:
    """The conditional likelihood's passes (one thread and threads) and the ordinal pass."""
    import numpy as np

    from logistic import ConditionalLogisticRegression, OrdinalLogisticRegression
    from logistic.core import ordinal_kernels

    X, y = _data(1200, 2, seed=2)
    for strata in (100, 300):  # over 256 strata: the threaded pass
        for ties in ("efron", "exact", "breslow"):
            ConditionalLogisticRegression(ties=ties).fit(X, y, np.arange(len(y)) % strata)
    levels = np.digitize(X @ [1.0, -1.0], [-1.0, 0.0, 1.0])
    OrdinalLogisticRegression().fit(X, levels)
    big, _ = _data(ordinal_kernels.PARALLEL_ROWS, 2, seed=3)
    OrdinalLogisticRegression(max_iter=2).fit(big, np.digitize(big[:, 0], [-1.0, 0.0, 1.0]))


def mixed_and_softmax() -> None:
    """The mixed model's per-group passes (serial, threaded, adaptive Gauss-Hermite, two
    random effects) and the compiled softmax pass of K-class objectives."""
    import numpy as np

    from logistic import LogisticRegression, MixedLogisticRegression

    for n in (600, 20_000):  # below and at core/mixed_kernels.py's threaded pass
        X, y = _data(n, 2, seed=4)
        groups = np.arange(n) % 30
        MixedLogisticRegression(max_iter=3).fit(X, y, groups=groups)
    X, y = _data(600, 2, seed=5)
    groups = np.arange(600) % 30
    MixedLogisticRegression(nAGQ=5, max_iter=3).fit(X, y, groups=groups)
    MixedLogisticRegression(max_iter=3).fit(X, y, groups=groups, random=[0])
    X, _ = _data(14_000, 4, seed=6)  # n·K over the compiled softmax pass's threshold
    classes = np.digitize(X[:, 0] + X[:, 1], np.linspace(-2.0, 2.0, 9))
    LogisticRegression(max_iter=2).fit(X, classes)


#: The parts, each run in its own process, all at once (the Firth kernels take the longest
#: to compile: a minute of CPU, so they are a part of their own).
PARTS = {"binary": binary, "firth": firth, "conditional_and_ordinal": conditional_and_ordinal,
         "mixed_and_softmax": mixed_and_softmax}


if __name__ == "__main__":
    done_dir, part = sys.argv[1:]
    try:
        warnings.simplefilter("ignore")  # the short fits warn that they did not converge
        PARTS[part]()
    finally:
        with open(os.path.join(done_dir, f"{part}.done"), "w"):
            pass
