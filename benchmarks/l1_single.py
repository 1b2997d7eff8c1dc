"""Issue 20's "L1 at one C": single-C lasso and elastic-net fits, ours against the peers.

Every contender minimizes the same objective at the same C,

    F(w, b) = (1/n) Σᵢ log-loss(yᵢ, w·xᵢ + b) + α·(ρ‖w‖₁ + ½(1 - ρ)‖w‖²),   α = 1/(C·n),

with ρ = 1 (problem ``l1``) or ρ = 0.5 (``enet``), both with an unpenalized intercept b, and
``l1_noint``: ρ = 1 without an intercept (b = 0), the only problem celer solves. The
translations (each library's documented objective divided by the factor shown):

  ours       LogisticRegression(penalty='l1' | 'elasticnet', l1_ratio=ρ, C=C, tol=tol)   (= F)
  glum       GeneralizedLinearRegressor(family='binomial', alpha=α, l1_ratio=ρ,
             solver='irls-cd', gradient_tol=tol): deviance/(2n) + α(ρ‖w‖₁ + ½(1-ρ)‖w‖²),
             the binomial deviance of 0/1 labels being 2·log-loss                       (= F)
  skglm      GeneralizedLinearEstimator(Logistic(), L1(α) | L1_plus_L2(α, ρ),
             ProxNewton(tol=tol, fit_intercept=...)), labels ±1:
             (1/n) Σ log(1 + exp(-yᵢ·zᵢ)) + α(ρ‖w‖₁ + ½(1-ρ)‖w‖²)                        (= F)
  celer      LogisticRegression(C=C, tol=tol) (prox-Newton working sets, 'celer-pn'):
             Σ log(1 + exp(-yᵢ·zᵢ)) + ‖w‖₁/C, no intercept and no elastic net           (= n·F)
  sklearn:saga       LogisticRegression(solver='saga', l1_ratio=ρ, C=C)                (= C·n·F)
  sklearn:liblinear  the same, solver='liblinear', L1 only; with an intercept it fits
             [w, b/s] on [X, s] and penalizes |b/s| (s = intercept_scaling = 1000), a slightly
             different objective: judged by F like everyone, any bias shows as a gap

The score is time to solution: each contender runs a ladder of tolerances, loose to tight,
and the loosest whose F is within ``--rel`` (1e-8) of F* (the lowest F any run reached,
ours at tol 1e-10 run first as a reference) is then timed ``--repeats`` times, the
contenders taking turns within each round (ours, then the peers, rotated every round), so a
change in the machine's load hits all of them alike; the reported figure is the median of
the per-round ratios ours / fastest peer. Every run's F, KKT residual and distance to the
best run's coefficients are printed: that is the check that all reach the same optimum.

Each contender lives in its own child process (``--child``): it loads the data once, warms
up on a slice of them (numba compilation, lazy imports: never timed) and then answers fit
requests on stdin, one JSON line each. covtype is standardized first; a9a, w8a and
reuters_lasvm are used as they are (sparse CSR; skglm and celer get the CSC copy they work
on, made before timing). Data come from ``$LOGISTIC_DATASETS`` (default ../shared/datasets);
a missing file skips its workload. Every contender computes on ``--threads`` threads (default
1: numba's, OpenMP's and BLAS's thread counts; skglm and celer are single-threaded anyway),
since on a shared machine a two-thread kernel waits for whichever thread the scheduler
preempted (the README has the measurement).

    python benchmarks/l1_single.py                                  # all four workloads
    python benchmarks/l1_single.py --workloads a9a --contenders ours,glum,skglm
    python benchmarks/l1_single.py --contenders ours,ours:main,glum   # before/after, one run
    python benchmarks/l1_single.py --from-json benchmarks/results/l1_single.json --markdown
"""

from __future__ import annotations

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # as l1_path.py: idle BLAS threads sleep

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import workloads  # noqa: E402

# C = factor · C₀ (C₀ = critical_C: the largest C with every coefficient 0), chosen so that
# the lasso keeps 10-30% of the features (reuters: 1.7%, see the README)
DATA = {
    "a9a": {"file": "a9a.gz", "features": 123, "factor": 30.0},
    "covtype": {"file": "covtype_binary.csv.gz", "features": 54, "factor": 3.0},
    "reuters_lasvm": {"file": "reuters_lasvm.trn.bz2", "features": 8315, "factor": 100.0},
    "w8a": {"file": "w8a.gz", "features": 300, "factor": 10.0},
}
PROBLEMS = {"l1": (1.0, True), "enet": (0.5, True), "l1_noint": (1.0, False)}
_TIGHT = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10)
LADDERS = {
    "ours": (1.0, 0.3, 1e-1, 1e-2, *_TIGHT),
    "ours:main": (1.0, 0.3, 1e-1, 1e-2, *_TIGHT),
    "glum": _TIGHT,
    "skglm": _TIGHT,
    "celer": _TIGHT,
    "sklearn:saga": (1e-3, 1e-4, 1e-6),
    "sklearn:liblinear": (1e-4, 1e-6, 1e-8),
}
SOLVES = {  # the problems each contender solves
    "ours": ("l1", "enet", "l1_noint"),
    "ours:main": ("l1", "enet", "l1_noint"),
    "glum": ("l1", "enet", "l1_noint"),
    "skglm": ("l1", "enet", "l1_noint"),
    "celer": ("l1_noint",),
    "sklearn:saga": ("l1", "enet", "l1_noint"),
    "sklearn:liblinear": ("l1", "l1_noint"),
}
REFERENCE = ("ours", 1e-10)
PRIMARY = ("glum", "skglm", "celer")  # the issue's peers; scikit-learn's are context
# every library's compute threads (numba's, OpenMP's, BLAS's) set to --threads
THREAD_VARIABLES = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "MKL_NUM_THREADS")


# -- data --------------------------------------------------------------------------------------

def load(name: str):
    """X (CSR or dense float64) and 0/1 labels, through a .npy cache."""
    spec = DATA[name]
    prefix = workloads.CACHE / f"l1single_{name}_v1"
    meta = Path(f"{prefix}.json")
    if not meta.exists():
        workloads.CACHE.mkdir(parents=True, exist_ok=True)
        path = workloads.datasets_dir() / spec["file"]
        if name == "covtype":
            from sklearn.preprocessing import StandardScaler

            X, y = workloads.read_covtype(path)
            X = np.ascontiguousarray(StandardScaler().fit_transform(X))
        else:
            from sklearn.datasets import load_svmlight_file

            X, y = load_svmlight_file(str(path), n_features=spec["features"])
            X, y = sp.csr_matrix(X), (y > 0).astype(np.float64)
        if sp.issparse(X):
            for part in ("data", "indices", "indptr"):
                np.save(f"{prefix}.{part}.npy", getattr(X, part))
        else:
            np.save(f"{prefix}.X.npy", X)
        np.save(f"{prefix}.y.npy", y)
        meta.write_text(json.dumps({"shape": list(X.shape), "sparse": sp.issparse(X)}))
    info = json.loads(meta.read_text())
    y = np.load(f"{prefix}.y.npy")
    if info["sparse"]:
        parts = [np.load(f"{prefix}.{p}.npy") for p in ("data", "indices", "indptr")]
        return sp.csr_matrix(tuple(parts), shape=tuple(info["shape"])), y
    return np.load(f"{prefix}.X.npy"), y


# -- the common objective and its optimality conditions ---------------------------------------

def objective_and_kkt(X, y, w, b, C, rho, intercept):
    """(F, the KKT residual's max-norm relative to λ₁ = α·ρ) in float64: for w_j = 0 the
    excess max(|∇_j f| - λ₁, 0), for w_j ≠ 0 |∇_j f + λ₁·sign(w_j)|, and |∂f/∂b|."""
    n = X.shape[0]
    alpha = 1.0 / (C * n)
    z = np.asarray(X @ w).ravel() + b
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    F = loss + alpha * (rho * np.abs(w).sum() + 0.5 * (1 - rho) * float(w @ w))
    r = 0.5 * (1.0 + np.tanh(0.5 * z)) - y
    grad = np.asarray(X.T @ r).ravel() / n + alpha * (1 - rho) * w
    lam = alpha * rho
    kkt = np.where(w != 0, np.abs(grad + lam * np.sign(w)), np.maximum(np.abs(grad) - lam, 0))
    worst = max(float(kkt.max(initial=0.0)), abs(float(r.mean())) if intercept else 0.0)
    return F, worst / lam


# -- the contenders ----------------------------------------------------------------------------

def fit(contender, X, Xc, y, C, rho, intercept, tol):
    """(w, b, iterations) of one fit; Xc is the CSC copy (or X itself when dense)."""
    n = X.shape[0]
    alpha = 1.0 / (C * n)
    if contender.startswith("ours"):
        from logistic import LogisticRegression

        penalty = "l1" if rho == 1.0 else "elasticnet"
        kw = {"l1_ratio": rho} if rho != 1.0 else {}
        m = LogisticRegression(penalty=penalty, C=C, tol=tol, max_iter=1000,
                               fit_intercept=intercept, **kw).fit(X, y)
        return m.coef_.ravel(), float(m.intercept_[0]) if intercept else 0.0, int(m.n_iter_[0])
    if contender == "glum":
        from glum import GeneralizedLinearRegressor

        m = GeneralizedLinearRegressor(family="binomial", alpha=alpha, l1_ratio=rho,
                                       solver="irls-cd", gradient_tol=tol, max_iter=10_000,
                                       fit_intercept=intercept).fit(X, y)
        return np.asarray(m.coef_).ravel(), float(m.intercept_), int(m.n_iter_)
    if contender == "skglm":
        from skglm import GeneralizedLinearEstimator
        from skglm.datafits import Logistic
        from skglm.penalties import L1, L1_plus_L2
        from skglm.solvers import ProxNewton

        penalty = L1(alpha) if rho == 1.0 else L1_plus_L2(alpha, rho)
        solver = ProxNewton(tol=tol, max_iter=1000, fit_intercept=intercept)
        m = GeneralizedLinearEstimator(Logistic(), penalty, solver).fit(Xc, 2.0 * y - 1.0)
        return m.coef_.ravel(), float(np.ravel(m.intercept_)[0]) if intercept else 0.0, -1
    if contender == "celer":
        from celer import LogisticRegression

        m = LogisticRegression(C=C, tol=tol, max_iter=1000).fit(Xc, y)
        return m.coef_.ravel(), 0.0, int(np.max(getattr(m, "n_iter_", -1)))
    from sklearn.linear_model import LogisticRegression

    solver = contender.split(":")[1]
    kw = {"intercept_scaling": 1000.0} if solver == "liblinear" else {"random_state": 0}
    m = LogisticRegression(solver=solver, l1_ratio=rho, C=C, tol=tol, max_iter=100_000,
                           fit_intercept=intercept, **kw).fit(X, y)
    return m.coef_.ravel(), float(m.intercept_[0]) if intercept else 0.0, int(max(m.n_iter_))


def child(workload: str, contender: str, C: float) -> None:
    """The child process: warm up, then answer {"problem", "tol", "coef_out"} requests."""
    X, y = load(workload)
    Xc = X.tocsc() if sp.issparse(X) else X
    rows = min(X.shape[0], max(2000, -(-250_000 // X.shape[1])))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for problem in SOLVES[contender]:
            rho, intercept = PROBLEMS[problem]
            part = X[:rows]
            fit(contender, part, part.tocsc() if sp.issparse(part) else part, y[:rows], C,
                rho, intercept, 1e-4)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("quit"):
            break
        rho, intercept = PROBLEMS[request["problem"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence notes at loose tolerances
            start = time.perf_counter()
            w, b, n_iter = fit(contender, X, Xc, y, C, rho, intercept, request["tol"])
            seconds = time.perf_counter() - start
        F, kkt = objective_and_kkt(X, y, w, b, C, rho, intercept)
        np.save(request["coef_out"], np.append(w, b))
        print(json.dumps({"seconds": seconds, "F": F, "kkt": kkt, "n_iter": n_iter,
                          "nnz": int(np.count_nonzero(w))}), flush=True)


class Child:
    """A contender's process, fit by fit, with a time cap on each answer."""

    def __init__(self, workload: str, contender: str, C: float, cap: float, threads: int,
                 main_src: str):
        self.args = [sys.executable, __file__, "--child", workload, contender, repr(C)]
        self.cap, self.contender = cap, contender
        self.env = dict(os.environ)
        if contender == "ours:main":  # the same library at another checkout: before/after
            self.env["PYTHONPATH"] = main_src
        if threads:
            for variable in THREAD_VARIABLES:
                self.env[variable] = str(threads)
        self.process = self.start()

    def start(self) -> subprocess.Popen:
        return subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True, bufsize=1, env=self.env)

    def answer(self, timeout: float) -> dict | None:
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        return json.loads(line) if line else None

    def wait_ready(self) -> None:
        if self.answer(1800.0) is None:
            raise RuntimeError(f"{self.contender} did not start")

    def fit(self, problem: str, tol: float, coef_out: Path) -> dict | None:
        request = {"problem": problem, "tol": tol, "coef_out": str(coef_out)}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        out = self.answer(self.cap)
        if out is None:  # past the cap: a fresh process for the next request
            self.process.kill()
            self.process.wait()
            self.process = self.start()
            self.wait_ready()
        return out

    def close(self) -> None:
        try:
            self.process.stdin.write(json.dumps({"quit": True}) + "\n")
            self.process.stdin.flush()
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()


# -- the run -----------------------------------------------------------------------------------

def gap(F: float, best: float) -> float:
    return (F - best) / abs(best)


def run_workload(name: str, args) -> dict | None:
    path = workloads.datasets_dir() / DATA[name]["file"]
    if not path.exists():
        print(f"{name}: {path} missing: skipped")
        return None
    X, y = load(name)
    from logistic import critical_C

    C = DATA[name]["factor"] * critical_C(X, y)
    print(f"\n{name}: X {X.shape}, C = {DATA[name]['factor']:g}·C0 = {C:.6g}", flush=True)
    children = {c: Child(name, c, C, args.time_cap, args.threads, args.main_src)
                for c in args.contenders}
    coefs = workloads.RESULTS / "l1_single_coefs"
    coefs.mkdir(parents=True, exist_ok=True)
    out: dict = {"shape": list(X.shape), "C": C, "factor": DATA[name]["factor"], "problems": {}}
    try:
        for c in children.values():
            c.wait_ready()
        for problem in args.problems:
            out["problems"][problem] = run_problem(name, problem, children, coefs, args)
    finally:
        for c in children.values():
            c.close()
    return out


def run_problem(name, problem, children, coefs, args) -> dict:
    entrants = [c for c in children if problem in SOLVES[c]]
    runs: dict[str, list[dict]] = {c: [] for c in entrants}

    def attempt(contender, tol, tag):
        file = coefs / f"{name}_{problem}_{contender.replace(':', '_')}_{tag}.npy"
        answer = children[contender].fit(problem, tol, file)
        entry = {"tol": tol, "file": str(file), **(answer or {"capped": True})}
        runs[contender].append(entry)
        return entry

    if REFERENCE[0] in entrants:
        entry = attempt(REFERENCE[0], REFERENCE[1], "ref")
        entry["reference"] = True
    for contender in entrants:
        for k, tol in enumerate(LADDERS[contender]):
            entry = attempt(contender, tol, f"t{k}")
            best = min(e["F"] for r in runs.values() for e in r if "F" in e)
            if "F" not in entry:
                print(f"  {problem} {contender} tol={tol:g}: stopped at the {args.time_cap:g} s "
                      "cap", flush=True)
                break
            print(f"  {problem} {contender} tol={tol:g}: {entry['seconds']:.3f} s, gap "
                  f"{gap(entry['F'], best):.1e}, KKT/λ {entry['kkt']:.1e}, nnz {entry['nnz']}",
                  flush=True)
            if gap(entry["F"], best) <= args.rel:
                break
    best = min(e["F"] for r in runs.values() for e in r if "F" in e)
    best_entry = next(e for r in runs.values() for e in r if e.get("F") == best)
    X = load(name)[0]

    def predictor(file):  # z = Xw + b: unique at the optimum, where w need not be
        theta = np.load(file)
        return np.asarray(X @ theta[:-1]).ravel() + theta[-1]

    reference = predictor(best_entry["file"])
    chosen = {}
    for contender, entries in runs.items():
        for e in entries:
            if "F" in e:
                e["gap"] = gap(e["F"], best)
                e["z_dist"] = float(np.max(np.abs(predictor(e["file"]) - reference)))
        ok = [e for e in entries if "F" in e and not e.get("reference") and e["gap"] <= args.rel]
        if ok:
            chosen[contender] = max(ok, key=lambda e: e["tol"])  # the loosest that reaches F*
    rounds = measure(problem, children, chosen, coefs, name, args)
    return {"F_best": best, "runs": runs, "rounds": rounds,
            "chosen": {c: e["tol"] for c, e in chosen.items()}}


def measure(problem, children, chosen, coefs, name, args) -> list[dict]:
    """--repeats rounds of the chosen tolerances, the contenders taking turns."""
    order = list(chosen)
    rounds = []
    for r in range(args.repeats):
        turn = order[r % len(order):] + order[: r % len(order)]
        times = {}
        for contender in turn:
            file = coefs / f"{name}_{problem}_{contender.replace(':', '_')}_m.npy"
            answer = children[contender].fit(problem, chosen[contender]["tol"], file)
            if answer is not None:
                times[contender] = answer["seconds"]
        rounds.append(times)
        print(f"  {problem} round {r + 1}: " + ", ".join(f"{c} {t:.3f}" for c, t in
                                                        times.items()), flush=True)
    return rounds


def summary(problem: dict) -> dict:
    """Median time per contender, and the median over rounds of ours / fastest peer."""
    rounds = problem["rounds"]
    contenders = {c for r in rounds for c in r}
    medians = {c: statistics.median(r[c] for r in rounds if c in r) for c in contenders}
    out = {"medians": medians}
    for label, among, ours in (("", None, "ours"), ("primary_", PRIMARY, "ours"),
                               ("main_", PRIMARY, "ours:main")):
        ratios = []
        for r in rounds:
            peers = [t for c, t in r.items()
                     if not c.startswith("ours") and (among is None or c in among)]
            if ours in r and peers:
                ratios.append(r[ours] / min(peers))
        peers = {c: t for c, t in medians.items()
                 if not c.startswith("ours") and (among is None or c in among)}
        out.update({f"{label}ratio": statistics.median(ratios) if ratios else None,
                    f"{label}ratios": ratios,
                    f"{label}best_peer": min(peers, key=peers.get) if peers else None})
    return out


def render(results: dict, markdown: bool) -> str:
    lines = []
    for name, workload in results["workloads"].items():
        for key, problem in workload["problems"].items():
            s = summary(problem)
            lines.append(f"\n{name} {tuple(workload['shape'])}, {key}, C = {workload['C']:.4g} "
                         f"({workload['factor']:g}·C0), F* = {problem['F_best']:.12g}")
            for label, text in (("primary_", "glum/skglm/celer"), ("", "any peer"),
                                ("main_", "glum/skglm/celer, ours:main in its place")):
                ratio = s[f"{label}ratio"]
                if ratio is None:
                    continue
                lines.append(f"  ours / fastest of {text} ({s[f'{label}best_peer']}): median "
                             f"of the rounds {ratio if ratio is None else round(ratio, 2)} "
                             f"(rounds: {', '.join(f'{x:.2f}' for x in s[f'{label}ratios'])})")
            header = ["contender", "tol", "median time (s)", "ours / this", "gap to F*",
                      "KKT/λ", "max abs Δz", "nnz"]
            rows = []
            ours = s["medians"].get("ours")
            for contender, entries in problem["runs"].items():
                tol = problem["chosen"].get(contender)
                shown = [e for e in entries if e.get("tol") == tol and not e.get("reference")]
                if tol is None:
                    done = [e for e in entries if "F" in e]
                    e = min(done, key=lambda e: e["gap"]) if done else {}
                    rows.append([contender, "not reached", "-", "-",
                                 f"{e.get('gap', float('nan')):.1e}", "-", "-", "-"])
                    continue
                e, t = shown[0], s["medians"].get(contender)
                rows.append([contender, f"{tol:g}", f"{t:.3f}" if t else "-",
                             f"{ours / t:.2f}" if t and ours else "-", f"{e['gap']:.1e}",
                             f"{e['kkt']:.1e}", f"{e['z_dist']:.1e}", str(e["nnz"])])
            lines += workloads.table_lines(header, rows, markdown)
    return "\n".join(lines)


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("numpy", "scipy", "scikit-learn", "glum", "skglm", "celer", "numba"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = None
    return found


def main(argv=None) -> None:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workloads", default=",".join(DATA))
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--contenders", default=",".join(c for c in LADDERS if c != "ours:main"))
    parser.add_argument("--main-src", default="/work/main/src",
                        help="the src folder that contender 'ours:main' imports logistic from")
    parser.add_argument("--rel", type=float, default=1e-8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--time-cap", type=float, default=120.0)
    parser.add_argument("--threads", type=int, default=1,
                        help="compute threads of every contender (0: each library's default)")
    parser.add_argument("--out", type=Path, default=workloads.RESULTS / "l1_single.json")
    parser.add_argument("--from-json", type=Path)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    if workloads.print_saved(args, render):
        return
    args.contenders = [c for c in args.contenders.split(",") if c]
    args.problems = [p for p in args.problems.split(",") if p]
    unknown = (set(args.contenders) - set(LADDERS)) | (set(args.problems) - set(PROBLEMS))
    if unknown:
        parser.error(f"unknown contenders or problems {sorted(unknown)}")
    from run import git_state, machine_info

    results = {"machine": machine_info(), "git": git_state(), "versions": versions(),
               "rel": args.rel, "threads": args.threads,
               "date": time.strftime("%Y-%m-%d %H:%M"), "workloads": {}}
    workloads.run_and_save(results, run_workload, args, render)


if __name__ == "__main__":
    main()
