"""Issue 23's mixed logistic benchmark: ours against statsmodels' VB fit and lme4's glmer.

The workload (``mixed_profile.simulated``): 20 fixed effects N(0, 1) plus the intercept, a
random intercept (σ = 1) per group of 100 rows, y from the logit. At each size (--sizes,
default 10⁴ 10⁵ 10⁶ rows) in one process:

  ours          MixedLogisticRegression().fit(X, y, groups=g): Laplace, with the standard
                errors (cov_fixed_ is computed by fit); timed warm (one warm-up fit loads
                numba's cache), wall and CPU (all threads), µs per row, and where the time
                went: the compiled passes (count, seconds), the closed-form β–β Hessian,
                the start (the GLM without random effects) and the rest (Xβ and Xᵀ·scores
                around each pass, L-BFGS-B, sorting, the statistics)
  statsmodels   BinomialBayesMixedGLM(y, X, exog_vc = the group indicators, ident = 0)
                .fit_vb(): a different estimator (mean-field variational Bayes, priors
                N(0, 2²) on β and N(0, 1) on log σ), so its differences from ours are
                estimation differences, not rounding; its default BFGS carries a dense
                (2(p + G + 1))² matrix, so above --statsmodels-max-rows (default 10⁵:
                20,000 parameters at 10⁶ rows, a 3 GB matrix) it runs with
                fit_method="L-BFGS-B", or not at all with --no-statsmodels-lbfgs
  lme4          glmer(y ~ X + (1 | g), binomial) (Laplace, nAGQ = 1, its defaults: bobyqa
                and Nelder–Mead, calc.derivs = TRUE) and vcov(), via Rscript on the same
                data written as raw float64; skipped when Rscript or lme4 is missing.
                Its time is glmer + vcov only (R's system.time), not the start of R.
                Not run above --lme4-max-rows (default 10⁵): its joint bobyqa stage
                takes ~1,100 evaluations at 22 parameters, ~40 s at 10⁴ rows here.

A peer past --peer-limit seconds (default 600) is stopped and shown as "> limit".

    python benchmarks/mixed.py                       # 10⁴, 10⁵, 10⁶ rows
    python benchmarks/mixed.py --sizes 10000 100000  # some sizes
    python benchmarks/mixed.py --quick               # 10⁴ only
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # as ``import logistic`` sets it

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from mixed_profile import simulated  # noqa: E402

_R_SCRIPT = r"""
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(TRUE)
n <- as.integer(args[2]); p <- as.integer(args[3])
X <- matrix(readBin(file.path(args[1], "X.bin"), "double", n * p), n, p, byrow = TRUE)
y <- readBin(file.path(args[1], "y.bin"), "double", n)
g <- factor(readBin(file.path(args[1], "g.bin"), "integer", n))
colnames(X) <- paste0("x", seq_len(p))
d <- data.frame(y = y, X, g = g)
f <- as.formula(paste("y ~", paste(colnames(X), collapse = " + "), "+ (1 | g)"))
cpu <- system.time({m <- glmer(f, data = d, family = binomial); V <- vcov(m)})
cat(sprintf("time %.6f %.6f\n", cpu[["elapsed"]], cpu[["user.self"]] + cpu[["sys.self"]]))
cat("beta", sprintf("%.17g", fixef(m)), "\n")
cat("se", sprintf("%.17g", sqrt(diag(as.matrix(V)))), "\n")
cat("sd", sprintf("%.17g", attr(VarCorr(m)$g, "stddev")), "\n")
cat("loglik", sprintf("%.17g", as.numeric(logLik(m))), "\n")
"""


def ours(X, y, groups) -> dict:
    """Our fit, timed, with its passes, Hessian and start seconds."""
    import logistic.families.mixed as family
    import logistic.families.mixed_fit as fitting
    import logistic.models.mixed as model_module
    from logistic import MixedLogisticRegression

    spent = {"passes": 0, "pass_s": 0.0, "hessian_s": 0.0, "start_s": 0.0}
    kernel, hess, newton = family.mixed_pass, fitting.laplace_fixed_hessian, \
        model_module.binomial_newton

    def timing(function, key, count=None):
        def wrapped(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[key] += time.perf_counter() - start
                if count:
                    spent[count] += 1
        return wrapped

    family.mixed_pass = timing(kernel, "pass_s", "passes")
    fitting.laplace_fixed_hessian = timing(hess, "hessian_s")
    model_module.binomial_newton = timing(newton, "start_s")
    try:
        start, cpu = time.perf_counter(), time.process_time()
        model = MixedLogisticRegression().fit(X, y, groups=groups)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        family.mixed_pass, fitting.laplace_fixed_hessian = kernel, hess
        model_module.binomial_newton = newton
    beta = np.r_[model.intercept_, model.coef_[0]]
    return {"wall": wall, "cpu": cpu, "beta": beta, "se": np.sqrt(np.diag(model.cov_fixed_)),
            "sd": float(model.variance_components_.sd[0]), "loglik": float(model.llf_),
            **spent}


def in_child(function, limit: float, *args) -> dict:
    """function(*args) in a forked process, its dict result, or {"timeout": limit} when it
    ran past ``limit`` seconds (then killed)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=lambda: queue.put(function(*args)), daemon=True)
    child.start()
    try:
        return dict(queue.get(timeout=limit))
    except Exception:  # queue.Empty: past the limit
        return {"timeout": limit}
    finally:
        child.kill()
        child.join()


def statsmodels_vb(X, y, groups, method: str) -> dict:
    """BinomialBayesMixedGLM's fit_vb, timed (the indicator matrix built outside)."""
    import scipy.sparse as sp
    from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

    n = X.shape[0]
    indicators = sp.csr_array((np.ones(n), (np.arange(n), groups)),
                              shape=(n, int(groups.max()) + 1))
    exog = np.column_stack([np.ones(n), X])
    model = BinomialBayesMixedGLM(y, exog, indicators, np.zeros(indicators.shape[1],
                                                                dtype=int))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start, cpu = time.perf_counter(), time.process_time()
        result = model.fit_vb(fit_method=method, rng=0)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    converged = not any("did not converge" in str(w.message) for w in caught)
    return {"wall": wall, "cpu": cpu, "beta": np.asarray(result.fe_mean),
            "sd": float(np.exp(result.vcp_mean[0])), "method": method,
            "converged": converged}


def lme4(X, y, groups, limit: float) -> dict | None:
    """glmer + vcov via Rscript, timed inside R; None when R or lme4 is missing, a
    {"timeout": limit} when it ran past ``limit`` seconds."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        np.ascontiguousarray(X, dtype="<f8").tofile(Path(folder, "X.bin"))
        np.asarray(y, dtype="<f8").tofile(Path(folder, "y.bin"))
        np.asarray(groups, dtype="<i4").tofile(Path(folder, "g.bin"))
        script = Path(folder, "fit.R")
        script.write_text(_R_SCRIPT)
        try:
            done = subprocess.run([rscript, str(script), folder, str(X.shape[0]),
                                   str(X.shape[1])], capture_output=True, text=True,
                                  check=False, timeout=limit)
        except subprocess.TimeoutExpired:
            return {"timeout": limit}
    if done.returncode != 0:
        if "lme4" in done.stderr and "no package" in done.stderr:
            return None
        raise RuntimeError(f"Rscript failed:\n{done.stderr[-2000:]}")
    fields = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines() if line}
    return {"wall": float(fields["time"][0]), "cpu": float(fields["time"][1]),
            "beta": np.array(fields["beta"], dtype=float),
            "se": np.array(fields["se"], dtype=float), "sd": float(fields["sd"][0]),
            "loglik": float(fields["loglik"][0]),
            "warnings": done.stderr.strip().splitlines()[-3:]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--quick", action="store_true", help="10⁴ rows only")
    parser.add_argument("--statsmodels-max-rows", type=int, default=100_000,
                        help="above this, statsmodels runs with L-BFGS-B (not BFGS)")
    parser.add_argument("--no-statsmodels-lbfgs", action="store_true",
                        help="skip statsmodels above --statsmodels-max-rows")
    parser.add_argument("--no-statsmodels", action="store_true")
    parser.add_argument("--no-lme4", action="store_true")
    parser.add_argument("--peer-limit", type=float, default=600.0,
                        help="seconds before a peer's fit is stopped (reported as > limit)")
    parser.add_argument("--lme4-max-rows", type=int, default=100_000,
                        help="lme4 is not run above this many rows")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    sizes = [10_000] if args.quick else args.sizes

    from logistic import MixedLogisticRegression

    for warm in (2_000, 30_000):  # loads both compiled kernels (serial, threaded) first
        MixedLogisticRegression().fit(*simulated(warm, seed=1))
    print(f"mixed logit, Laplace, 20 fixed effects + intercept, random intercept, groups of "
          f"100 rows; load average at start {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    print("| rows | contender | wall (s) | CPU (s) | µs/row (wall) | wall / ours | "
          "max Δβ vs ours | Δσ vs ours | max ΔSE vs ours |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    results = []
    for n_rows in sizes:
        X, y, groups = simulated(n_rows)
        ours_fit = ours(X, y, groups)
        rows = [("ours", ours_fit)]
        if not args.no_statsmodels and (n_rows <= args.statsmodels_max_rows
                                        or not args.no_statsmodels_lbfgs):
            method = "BFGS" if n_rows <= args.statsmodels_max_rows else "L-BFGS-B"
            rows.append((f"statsmodels fit_vb ({method})",
                         in_child(statsmodels_vb, args.peer_limit, X, y, groups, method)))
        if not args.no_lme4 and n_rows <= args.lme4_max_rows:
            fitted = lme4(X, y, groups, args.peer_limit)
            if fitted is None:
                print(f"| {n_rows:,} | lme4 | skipped: no Rscript or lme4 | | | | | | |")
            else:
                rows.append(("lme4 glmer", fitted))
        for name, fit in rows:
            if "timeout" in fit:
                print(f"| {n_rows:,} | {name} | > {fit['timeout']:.0f} (stopped) | | "
                      f"> {fit['timeout'] / n_rows * 1e6:.0f} | "
                      f"> {fit['timeout'] / ours_fit['wall']:.0f} | | | |", flush=True)
                results.append({"rows": n_rows, "contender": name, **fit})
                continue
            dbeta = float(np.max(np.abs(fit["beta"] - ours_fit["beta"])))
            dsd = abs(fit["sd"] - ours_fit["sd"])
            dse = float(np.max(np.abs(fit["se"] - ours_fit["se"]))) if "se" in fit \
                else float("nan")
            same = name == "ours"
            print(f"| {n_rows:,} | {name} | {fit['wall']:.3f} | {fit['cpu']:.3f} | "
                  f"{fit['wall'] / n_rows * 1e6:.1f} | {fit['wall'] / ours_fit['wall']:.2f} | "
                  + ("– | – | – |" if same else f"{dbeta:.1e} | {dsd:.1e} | "
                     + ("–" if np.isnan(dse) else f"{dse:.1e}") + " |"), flush=True)
            results.append({"rows": n_rows, "contender": name,
                            **{k: (v.tolist() if isinstance(v, np.ndarray) else v)
                               for k, v in fit.items()},
                            "max_dbeta": dbeta, "dsd": dsd, "max_dse": dse})
        rest = ours_fit["wall"] - ours_fit["pass_s"] - ours_fit["hessian_s"] \
            - ours_fit["start_s"]
        print(f"|  | ours: {ours_fit['passes']} passes {ours_fit['pass_s']:.2f} s, β–β Hessian "
              f"{ours_fit['hessian_s']:.2f} s, start (GLM) {ours_fit['start_s']:.2f} s, rest "
              f"{rest:.2f} s; load {os.getloadavg()[0]:.1f} | | | | | | | |", flush=True)
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
