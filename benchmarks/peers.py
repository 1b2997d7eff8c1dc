"""The contenders: ours and the peer libraries, each translated to the SAME objective.

    f(w, b) = (1/n) Σᵢ log-loss(yᵢ, w·xᵢ + b) + ‖w‖² / (2·C·n)      (unpenalized: no last term)

  ours          LogisticRegression(penalty='l2', C=C): mean loss + ‖w‖²/(2·C·n)  (= f)
  scikit-learn  LogisticRegression(C=C): C·Σ loss + ½‖w‖²                         (= C·n·f)
                unpenalized: C=np.inf (``penalty=None`` is deprecated since 1.8)
  glum          GeneralizedLinearRegressor(family='binomial', alpha=1/(C·n), l1_ratio=0):
                deviance/(2·Σs) + ½·alpha·‖w‖²; the binomial unit deviance of 0/1 labels is
                2·log-loss, so this is f exactly. Unpenalized: alpha=0.
  statsmodels   Logit(y, add_constant(X)).fit(method='newton'): Σ log-loss (= n·f), unpenalized
                only; add_constant copies X (counted in its time and memory).

liblinear penalizes the intercept: it fits [w, b/s] on [X, s] with s = intercept_scaling, so
its objective has an extra ½(b/s)². With s = 1000 that term is negligible for most data but
not zero; it is judged by f like everyone else, so a remaining bias shows as a gap.

Each contender has a list of tolerances for the time-to-solution sweep; ``None`` stands for
the library's defaults (tolerance and max_iter) and is run to report the default gap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

HESSIAN_MAX_PARAMS = 5000  # solvers that form the (p, p) Hessian are skipped above this
LIBLINEAR_INTERCEPT_SCALING = 1000.0
BIG_ITER = 100_000


@dataclass(frozen=True)
class Contender:
    key: str  # "library:solver"
    library: str
    solver: str
    tols: tuple[float, ...]
    forms_hessian: bool = False
    penalties: tuple[str, ...] = ("l2", "none")
    dense_only: bool = False

    def skip_reason(self, penalty: str, sparse: bool, n_params: int) -> str | None:
        if penalty not in self.penalties:
            return f"{self.key} does not solve the {penalty!r} problem"
        if self.dense_only and sparse:
            return f"{self.key} needs dense X"
        if self.forms_hessian and n_params > HESSIAN_MAX_PARAMS:
            return f"{self.key} forms a {n_params}×{n_params} Hessian (> {HESSIAN_MAX_PARAMS})"
        return None


_GRAD_TOLS = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12)
_NEWTON_TOLS = (1e-3, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12)
# ours' Newton-type fits stop once their step is within tol standard errors and take that
# step (solvers/stopping.py): a tenth or a hundredth of a standard error is a sensible loose
# setting there, where it would not be for a gradient norm
_STEP = (1e-1, 1e-2)

CONTENDERS: dict[str, Contender] = {
    c.key: c
    for c in [
        Contender("ours:auto", "ours", "auto", (*_STEP, *_GRAD_TOLS)),
        Contender("ours:newton", "ours", "newton", (*_STEP, *_NEWTON_TOLS), forms_hessian=True),
        Contender("ours:lbfgs", "ours", "lbfgs", _GRAD_TOLS),
        Contender("sklearn:lbfgs", "sklearn", "lbfgs", _GRAD_TOLS),
        Contender("sklearn:newton-cholesky", "sklearn", "newton-cholesky", _NEWTON_TOLS,
                  forms_hessian=True),
        Contender("sklearn:liblinear", "sklearn", "liblinear", (1e-2, 1e-3, 1e-4, 1e-6, 1e-8,
                                                                  1e-10), penalties=("l2",)),
        Contender("sklearn:saga", "sklearn", "saga", (1e-2, 1e-3, 1e-4, 1e-6, 1e-8)),
        Contender("glum:irls-cd", "glum", "irls-cd", _NEWTON_TOLS, forms_hessian=True),
        Contender("glum:lbfgs", "glum", "lbfgs", _GRAD_TOLS),
        Contender("statsmodels:newton", "statsmodels", "newton", (1e-4, 1e-6, 1e-8, 1e-10),
                  forms_hessian=True, penalties=("none",), dense_only=True),
    ]
}


def import_library(library: str) -> None:
    """Imports a contender's modules up front, so import time is never timed."""
    if library == "ours":
        import logistic  # noqa: F401
    elif library == "sklearn":
        import sklearn.linear_model  # noqa: F401
    elif library == "glum":
        import glum  # noqa: F401
    elif library == "statsmodels":
        import statsmodels.api  # noqa: F401


def fit(contender: Contender, X, y, penalty: str, C: float, tol: float | None) -> dict:
    """Fits one contender; returns coef (d,), intercept, n_iter and library-specific notes."""
    n = X.shape[0]
    penalized = penalty == "l2"
    lib, solver = contender.library, contender.solver
    if lib == "ours":
        from logistic import LogisticRegression

        kw: dict = {"solver": solver}
        if penalized:
            kw.update(penalty="l2", C=C)
        if tol is not None:
            kw.update(tol=tol, max_iter=1000 if solver == "newton" else BIG_ITER)
        model = LogisticRegression(**kw).fit(X, y)
        return {"coef": model.coef_.ravel(), "intercept": float(model.intercept_[0]),
                "n_iter": int(model.n_iter_[0]), "solver_used": model.solver_,
                "converged": bool(model.converged_)}
    if lib == "sklearn":
        from sklearn.linear_model import LogisticRegression

        kw = {"solver": solver, "C": C if penalized else np.inf}
        if solver == "liblinear":
            kw["intercept_scaling"] = LIBLINEAR_INTERCEPT_SCALING
        if solver == "saga":
            kw["random_state"] = 0
        if tol is not None:
            kw.update(tol=tol, max_iter=1000 if solver == "newton-cholesky" else BIG_ITER)
        model = LogisticRegression(**kw).fit(X, y)
        return {"coef": model.coef_.ravel(), "intercept": float(model.intercept_[0]),
                "n_iter": int(np.max(model.n_iter_))}
    if lib == "glum":
        from glum import GeneralizedLinearRegressor

        kw = {"family": "binomial", "alpha": 1.0 / (C * n) if penalized else 0.0,
              "l1_ratio": 0.0, "solver": solver}
        if tol is not None:
            kw.update(gradient_tol=tol, max_iter=10_000)
        model = GeneralizedLinearRegressor(**kw).fit(X, y)
        return {"coef": np.asarray(model.coef_).ravel(), "intercept": float(model.intercept_),
                "n_iter": int(model.n_iter_)}
    if lib == "statsmodels":
        import statsmodels.api as sm

        kw = {"method": "newton", "disp": 0}
        if tol is not None:
            kw.update(tol=tol, maxiter=1000)
        exog = sm.add_constant(X.toarray() if sp.issparse(X) else X, has_constant="add")
        result = sm.Logit(y, exog).fit(**kw)
        params = np.asarray(result.params)
        return {"coef": params[1:], "intercept": float(params[0]),
                "n_iter": int(result.mle_retvals.get("iterations", -1)),
                "converged": bool(result.mle_retvals.get("converged", False))}
    raise KeyError(lib)


def warm_up(contender: Contender, penalty: str, sparse: bool, dtype, n_features: int) -> None:
    """One small fit first (same width, kind and dtype as the workload, so 'auto' takes the
    same solver), so lazy imports and first-call setup are not timed. It has at least
    250,000 entries, so that compiled code paths chosen by size (ours: numba kernels above
    200,000 entries, whose first call starts numba's thread pool, ~0.15 s) run in it too."""
    rng = np.random.default_rng(1)
    rows = max(400, -(-250_000 // n_features))
    if sparse:
        X = sp.random(rows, n_features, density=min(1.0, 20.0 / n_features), format="csr",
                      dtype=np.float64, rng=rng).astype(dtype)
        X.data = rng.standard_normal(X.nnz).astype(dtype)
    else:
        X = rng.standard_normal((rows, n_features)).astype(dtype)
    z = np.asarray(X @ np.full(n_features, 1.0 / np.sqrt(n_features))).ravel()
    y = (rng.random(rows) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit(contender, X, y, penalty, 1.0, None)


class OursInstrument:
    """Counts our passes over X without editing the library.

    ``logistic.core.design.Design.__init__`` is wrapped to remember every Design made during the
    fit (their ``passes`` counters are summed), and each entry of ``logistic.solvers.SOLVERS``
    (the dict the estimator looks solvers up in) is wrapped to record the passes and the
    seconds spent inside the solver itself; the rest of ``fit`` is overhead (validation,
    inference statistics, the separation check).
    """

    def __init__(self) -> None:
        self.designs: list = []
        self.solver_seconds = 0.0
        self.solver_passes: int | None = None
        self.available = False
        try:
            import logistic.core.design as design
            import logistic.solvers as solvers
        except ImportError:
            return
        if not hasattr(design, "Design"):
            return
        original_init = design.Design.__init__
        instrument = self

        def init(obj, *args, **kwargs):
            original_init(obj, *args, **kwargs)
            instrument.designs.append(obj)

        design.Design.__init__ = init
        table = getattr(solvers, "SOLVERS", None)
        if isinstance(table, dict):
            for name, function in list(table.items()):
                table[name] = self._wrap(function)
        self.available = True

    def _wrap(self, function):
        instrument = self

        def timed(objective, *args, **kwargs):
            start = time.perf_counter()
            try:
                return function(objective, *args, **kwargs)
            finally:
                instrument.solver_seconds += time.perf_counter() - start
                design = getattr(objective, "design", None)
                if design is not None and hasattr(design, "passes"):
                    instrument.solver_passes = (instrument.solver_passes or 0) + design.passes

        return timed

    def reset(self) -> None:
        self.designs.clear()
        self.solver_seconds = 0.0
        self.solver_passes = None

    def passes(self) -> int | None:
        if not self.available or not self.designs:
            return None
        counts = [getattr(d, "passes", None) for d in self.designs]
        if any(c is None for c in counts):
            return None
        return int(sum(counts))
