"""Issue 20's multinomial workloads: time to solution of K-class fits, ours against
scikit-learn (lbfgs, newton-cholesky, saga), by run.py's method.

Every contender minimizes the same function, the L2-penalized multinomial log-loss

    f(W, b) = (1/n) Σᵢ [logsumexp(zᵢ) - z_{i,yᵢ}] + ‖W‖² / (2·C·n),   zᵢ = W xᵢ + b,

(scikit-learn's C·Σ loss + ½‖W‖² divided by C·n; ours' mean loss + ‖W‖²/(2·C·n)), and is
scored by the time it needs to get within 1e-8 (relative) of the best f any of them reached:

 1. sweep: each contender is fitted at each of its tolerances, loose to tight (max_iter
    lifted), and at its defaults; a fit past --time-cap ends its sweep;
 2. f* = the lowest f reached;
 3. per contender, the loosest tolerance whose fit has f ≤ f*·(1 + 1e-8) is timed
    --repeats more times, the contenders alternating within each round, so that a change of
    load on the machine hits all of them alike; the table shows the medians.

Unlike run.py, the fits run warm in this one process (after a small warm-up fit each, so
imports and numba's compilation are not timed), and no memory is measured.

    python benchmarks/multinomial.py                        # digits, dense, text
    python benchmarks/multinomial.py --workloads digits --repeats 5
    python benchmarks/multinomial.py --scale 0.25           # the synthetic ones at 1/4 rows
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # as run.py's children: see there

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

GRAD_TOLS = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10)
NEWTON_TOLS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-6, 1e-8)  # ours: steps in standard errors
SAGA_TOLS = (1e-2, 1e-3, 1e-4, 1e-6)


@dataclass(frozen=True)
class Contender:
    key: str
    library: str
    solver: str
    tols: tuple[float, ...]

    def fit(self, X, y, C: float, tol: float | None):
        """(coef (K, d), intercept (K,), iterations, the solver that ran)."""
        kw: dict = {"C": C}
        if self.library == "ours":
            from logistic import LogisticRegression

            kw.update(penalty="l2", solver=self.solver)
            if tol is not None:
                kw.update(tol=tol, max_iter=100_000)
            model = LogisticRegression(**kw).fit(X, y)
            return model.coef_, model.intercept_, int(model.n_iter_[0]), model.solver_
        from sklearn.linear_model import LogisticRegression as SkLogisticRegression

        kw.update(solver=self.solver)
        if self.solver == "saga":
            kw["random_state"] = 0
        if tol is not None:
            # the fits run in this process and cannot be killed at --time-cap: saga's epochs
            # are capped instead (on unscaled digits one tight fit otherwise runs for minutes)
            kw.update(tol=tol, max_iter=2_000 if self.solver == "saga" else 100_000)
        model = SkLogisticRegression(**kw).fit(X, y)
        return model.coef_, model.intercept_, int(np.max(model.n_iter_)), self.solver


CONTENDERS = {
    c.key: c
    for c in [
        Contender("ours:auto", "ours", "auto", (*NEWTON_TOLS[:2], *GRAD_TOLS)),
        Contender("ours:newton", "ours", "newton", NEWTON_TOLS),
        Contender("ours:lbfgs", "ours", "lbfgs", GRAD_TOLS),
        Contender("ours:newton-cg", "ours", "newton-cg", NEWTON_TOLS),
        Contender("sklearn:lbfgs", "sklearn", "lbfgs", GRAD_TOLS),
        Contender("sklearn:newton-cholesky", "sklearn", "newton-cholesky", GRAD_TOLS),
        Contender("sklearn:saga", "sklearn", "saga", SAGA_TOLS),
    ]
}


# -- workloads -------------------------------------------------------------------------------
def digits(scale: float):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)  # unscaled pixel counts 0-16, as issue 20 times it
    return np.ascontiguousarray(X, dtype=np.float64), y, 0.1


def dense(scale: float, rows: int = 200_000, features: int = 50, classes: int = 10):
    """Gaussian features, K true coefficient rows of N(0, 1/d), softmax-sampled labels."""
    rng = np.random.default_rng(0)
    n = max(1000, int(rows * scale))
    X = rng.standard_normal((n, features))
    W = rng.standard_normal((classes, features)) * (2.0 / np.sqrt(features))
    return X, _sampled(X @ W.T, rng), 1.0


def text(scale: float, rows: int = 20_000, features: int = 10_000, classes: int = 20):
    """20-newsgroups-like: sparse counts (≈ 60 words a document from a Zipf-like vocabulary),
    log(1 + count) scaled to unit row norm, each class with its own over-used words."""
    rng = np.random.default_rng(1)
    n = max(1000, int(rows * scale))
    labels = rng.integers(classes, size=n)
    popularity = 1.0 / np.arange(1, features + 1) ** 1.1
    topic = rng.random((classes, features)) < 0.01  # each class's own vocabulary
    per_doc = rng.poisson(60, size=n) + 1
    rows_idx, cols_idx = [], []
    for k in range(classes):
        members = np.flatnonzero(labels == k)
        weights = popularity * np.where(topic[k], 30.0, 1.0)
        weights /= weights.sum()
        words = rng.choice(features, size=int(per_doc[members].sum()), p=weights)
        rows_idx.append(np.repeat(members, per_doc[members]))
        cols_idx.append(words)
    counts = sp.csr_matrix((np.ones(sum(len(c) for c in cols_idx)),
                            (np.concatenate(rows_idx), np.concatenate(cols_idx))),
                           shape=(n, features))
    counts.sum_duplicates()
    counts.data = np.log1p(counts.data)
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    X = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ counts
    return sp.csr_matrix(X), labels, 10.0


def _sampled(Z, rng):
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    return (rng.random((len(P), 1)) > np.cumsum(P, axis=1)).sum(axis=1)


WORKLOADS = {"digits": digits, "dense": dense, "text": text}


def objective(X, y, coef, intercept, C: float) -> float:
    """f(W, b): the mean multinomial log-loss + ‖W‖²/(2·C·n), in float64."""
    Z = np.asarray(X @ coef.T) + intercept
    top = Z.max(axis=1, keepdims=True)
    logsumexp = np.log(np.exp(Z - top).sum(axis=1)) + top.ravel()
    n = X.shape[0]
    return float(np.mean(logsumexp - Z[np.arange(n), y]) + (coef**2).sum() / (2 * C * n))


# -- the method ------------------------------------------------------------------------------
def timed_fit(contender: Contender, X, y, C, tol):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        coef, intercept, n_iter, used = contender.fit(X, y, C, tol)
        seconds = time.perf_counter() - start
    return {"tol": tol, "time_s": seconds, "f": objective(X, y, coef, intercept, C),
            "n_iter": n_iter, "solver_used": used}


def run_workload(name, contenders, args) -> dict:
    X, y, C = WORKLOADS[name](args.scale)
    classes = int(np.max(y)) + 1
    print(f"\n{name}: {X.shape[0]:,} × {X.shape[1]:,} {'sparse' if sp.issparse(X) else 'dense'}"
          f", {classes} classes, C = {C:g}", flush=True)
    for contender in contenders:  # warm-up: imports, numba's compilation
        timed_fit(contender, X[:200], y[:200], C, None)
    sweeps = {}
    for contender in contenders:
        records = []
        for tol in (*contender.tols, None):
            record = timed_fit(contender, X, y, C, tol)
            records.append(record)
            if record["time_s"] > args.time_cap:
                if tol is not None:
                    records.append(timed_fit(contender, X, y, C, None))
                break
        sweeps[contender.key] = records
        print(f"  sweep {contender.key:<24} best f {min(r['f'] for r in records):.12g}",
              flush=True)
    f_star = min(r["f"] for records in sweeps.values() for r in records)
    chosen = {}
    for key, records in sweeps.items():
        good = [r for r in records if r["tol"] is not None
                and r["f"] <= f_star + args.rel * abs(f_star)]
        if good:
            chosen[key] = good[0]  # the loosest tolerance that meets the criterion
    times: dict[str, list[float]] = {key: [] for key in chosen}
    for _ in range(args.repeats):  # rounds: every contender once, in turn
        for contender in contenders:
            if contender.key in chosen:
                record = timed_fit(contender, X, y, C, chosen[contender.key]["tol"])
                times[contender.key].append(record["time_s"])
    rows = []
    for contender in contenders:
        records = sweeps[contender.key]
        default = next(r for r in records if r["tol"] is None)
        row = {"contender": contender.key, "default_time_s": default["time_s"],
               "default_gap": (default["f"] - f_star) / abs(f_star),
               "default_iters": default["n_iter"], "solver_used": default["solver_used"]}
        if contender.key in chosen:
            pick = chosen[contender.key]
            row.update(time_s=statistics.median(times[contender.key]), tol=pick["tol"],
                       n_iter=pick["n_iter"], times_s=times[contender.key])
        rows.append(row)
    peers = [r for r in rows if r["contender"].startswith("sklearn") and "time_s" in r]
    best = min(peers, key=lambda r: r["time_s"]) if peers else None
    for row in rows:
        if best and "time_s" in row:
            row["over_best_peer"] = row["time_s"] / best["time_s"]
    return {"workload": name, "shape": list(X.shape), "classes": classes, "C": C,
            "f_star": f_star, "best_peer": best["contender"] if best else None, "rows": rows,
            "sweeps": sweeps}


def markdown(result: dict) -> str:
    lines = [f"**{result['workload']}** {result['shape'][0]:,} × {result['shape'][1]:,}, "
             f"{result['classes']} classes, C = {result['C']:g}; f* = {result['f_star']:.12g}; "
             f"best peer {result['best_peer']}", "",
             "| contender | time to 1e-8 (s) | ÷ best peer | tol | iters | defaults: time (s), "
             "iters, gap |", "|---|---:|---:|---:|---:|---|"]
    for row in result["rows"]:
        if "time_s" in row:
            cells = (f"{row['time_s']:.3f}", f"{row['over_best_peer']:.2f}", f"{row['tol']:g}",
                     str(row["n_iter"]))
        else:
            cells = ("not reached", "-", "-", "-")
        default = (f"{row['default_time_s']:.3f}, {row['default_iters']}, "
                   f"{row['default_gap']:.1e} ({row['solver_used']})")
        lines.append(f"| {row['contender']} | " + " | ".join(cells) + f" | {default} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="digits,dense,text")
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="rows of the synthetic workloads (dense, text) × this")
    parser.add_argument("--time-cap", type=float, default=120.0,
                        help="a sweep fit longer than this ends the contender's sweep")
    parser.add_argument("--rel", type=float, default=1e-8)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    contenders = [CONTENDERS[key] for key in args.contenders.split(",")]
    results = [run_workload(name, contenders, args) for name in args.workloads.split(",")]
    load = os.getloadavg()
    print(f"\nload average at the end {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} on "
          f"{os.cpu_count()} cores; medians of {args.repeats} alternating rounds\n")
    for result in results:
        print(markdown(result) + "\n")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
