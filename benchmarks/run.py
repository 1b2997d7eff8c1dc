"""Time to solution of ``logistic`` against scikit-learn, glum and statsmodels (issue #3).

    python benchmarks/run.py [--quick] [--workloads a,b,...] [--repeats 3]
                             [--out benchmarks/results/latest.json] [--markdown] [--scaling]
    python benchmarks/run.py --from-json benchmarks/results/latest.json --markdown
    python benchmarks/run.py --multinomial digits,dense,text   # only these (add --workloads)

For every workload and penalty:

 1. sweep: each contender is fitted at its defaults and at a list of tolerances, loose to
    tight, in one child process per contender (a fit that passes --time-cap is killed and the
    tighter tolerances are skipped);
 2. f* = the lowest value of the common objective f(w, b) (workloads.objective_value) that
    any fit reached;
 3. per contender, the sweep fit with f ≤ f*·(1 + 1e-8) and the fewest iterations (ties: the
    fastest) picks the tolerance; that fit is then repeated --repeats times, each in a fresh
    process, for the median time and the peak extra memory. A contender that never meets the
    criterion is 'not reached'.

See benchmarks/README.md for the columns and the methodology.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import peers  # noqa: E402
import workloads  # noqa: E402

LETTERS = {"a": "dense64", "b": "dense32", "c": "covtype", "d": "a9a", "e": "sparse",
           "f": "breast_cancer", "g": "pima"}
DEFAULT_OUT = HERE / "results" / "latest.json"
WORKER = HERE / "worker.py"


# -- machine ---------------------------------------------------------------------------------

def machine_info() -> dict:
    info: dict = {"platform": platform.platform(), "python": sys.version.split()[0],
                  "cpu_count": os.cpu_count()}
    try:
        info["nproc"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("Model name", "CPU(s)", "Thread(s) per core", "L3 cache",
                               "L2 cache", "Hypervisor vendor"):
                info[key.strip()] = value.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(("MemTotal", "MemAvailable")):
                key, value = line.split(":")
                info[key] = value.strip()
    except OSError:
        pass
    versions = {}
    for module in ("numpy", "scipy", "sklearn", "glum", "tabmat", "statsmodels", "logistic"):
        try:
            versions[module] = __import__(module).__version__
        except Exception:  # noqa: BLE001 - an absent peer is reported, not fatal
            versions[module] = None
    info["versions"] = versions
    info["thread_env"] = {k: os.environ.get(k) for k in (
        "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS") if os.environ.get(k)}
    try:
        import threadpoolctl

        info["threadpools"] = [
            {k: p.get(k) for k in ("user_api", "internal_api", "num_threads", "prefix",
                                   "version", "architecture")}
            for p in threadpoolctl.threadpool_info()
        ]
    except ImportError:
        info["threadpools"] = None
    return info


def git_state() -> dict:
    """The commit measured and whether the working tree differs from it (read-only git)."""
    def git(*cmd):
        try:
            done = subprocess.run(["git", *cmd], cwd=workloads.ROOT, capture_output=True,
                                  text=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    changed = git("status", "--porcelain", "--", "src")
    return {"commit": git("rev-parse", "HEAD"),
            "src_modified": None if changed is None else bool(changed),
            "src_changes": changed.splitlines()[:50] if changed else []}


def measure_bandwidth(megabytes: int) -> dict:
    """Read bandwidth: a BLAS matrix-vector product (all BLAS threads) and np.sum (one)."""
    cols = 64
    rows = megabytes * 1024 * 1024 // (8 * cols)
    A = np.ones((rows, cols))
    v = np.ones(cols)
    gemv, total = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        A @ v
        gemv.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        A.sum()
        total.append(time.perf_counter() - t0)
    size = A.nbytes
    result = {"bytes": size, "gemv_GBps": size / min(gemv) / 1e9,
              "sum_GBps": size / min(total) / 1e9}
    result["GBps"] = max(result["gemv_GBps"], result["sum_GBps"])
    return result


def pass_time(X) -> float:
    """Seconds for one X @ w in X's own dtype (best of 5): the workload's own one-pass cost."""
    w = np.ones(X.shape[1], dtype=X.dtype)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        X @ w
        times.append(time.perf_counter() - t0)
    return min(times)


# -- child processes -------------------------------------------------------------------------

def run_child(task: dict, cap_s: float, env: dict, ready_timeout: float = 900.0) -> list[dict]:
    """Runs worker.py on ``task``; returns its "done" records (plus one for a killed fit)."""
    with tempfile.TemporaryDirectory(prefix="logistic-bench-") as tmp:
        task_path, out_path, err_path = (Path(tmp) / n for n in ("task.json", "out.jsonl",
                                                                  "stderr.txt"))
        task_path.write_text(json.dumps(task))
        out_path.touch()
        with open(err_path, "w") as err:
            proc = subprocess.Popen([sys.executable, str(WORKER), str(task_path), str(out_path)],
                                    stdout=subprocess.DEVNULL, stderr=err, env=env)
        records: list[dict] = []
        started_at = time.time()
        current: dict | None = None
        ready = False
        position = 0
        killed = None
        warmup_s = None
        while True:
            finished = proc.poll() is not None
            with open(out_path) as fh:
                fh.seek(position)
                chunk = fh.read()
            complete = chunk[: chunk.rfind("\n") + 1]
            position += len(complete)
            for line in complete.splitlines():
                event = json.loads(line)
                if event["event"] == "ready":
                    ready = True
                    warmup_s = event.get("warmup_s")
                elif event["event"] == "start":
                    current = {"tol": event["tol"], "since": time.time()}
                elif event["event"] == "done":
                    event["warmup_s"] = warmup_s
                    records.append(event)
                    current = None
            if finished:
                break
            now = time.time()
            if current is not None and now - current["since"] > cap_s:
                killed = {"event": "done", "tol": current["tol"], "timeout": True,
                          "time_s": None, "error": f"timed out after {cap_s:g} s (killed)"}
            elif not ready and now - started_at > ready_timeout:
                killed = {"event": "done", "tol": task["tols"][0], "timeout": True,
                          "error": "the child did not load the data in time"}
            if killed:
                proc.kill()
                proc.wait()
                records.append(killed)
                break
            time.sleep(0.05)
        if not killed and proc.returncode != 0:
            tail = err_path.read_text()[-1500:]
            done = {r["tol"] for r in records}
            missing = [t for t in task["tols"] if t not in done]
            if missing:
                records.append({"event": "done", "tol": missing[0],
                                "error": f"child exited with {proc.returncode}: {tail}"})
        return records


def limit_threads(threads: int | None):
    """The parent's own measurements (bandwidth, one pass) under the children's limit."""
    if not threads:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(threads)


def child_env(threads: int | None) -> dict:
    env = dict(os.environ)
    env["PYTHONWARNINGS"] = "ignore"
    # every contender under the same OpenBLAS setting, the one `import logistic` makes where
    # it comes before NumPy: idle BLAS threads sleep at once instead of spinning ~0.1 s
    # against whatever runs next (export another value to measure that instead)
    env.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
    if threads:
        for key in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[key] = str(threads)
    return env


# -- one workload ------------------------------------------------------------------------------

def meets(f: float | None, f_star: float, rel: float) -> bool:
    return f is not None and f <= f_star + rel * abs(f_star)


def gap(f: float | None, f_star: float) -> float | None:
    return None if f is None else (f - f_star) / abs(f_star)


def sweep(contender, prefix, penalty, C, cap_s, env, flat_rel) -> list[dict]:
    """Loose to tight, then the library's defaults (tol None) last.

    A fit that times out ends the sweep's tighter tolerances (they would be slower still);
    the defaults' fit then still runs, in a fresh child. So does a fit whose f equals the
    previous tolerance's to ``flat_rel`` (relative) while ‖∇f‖∞ ≤ 1e-9 (f is converged to
    rounding), or whose f has not moved for two tolerances in a row (the solver stalls):
    tighter tolerances cannot improve f then, and some solvers spend max_iter chasing a
    gradient norm below their rounding floor. --full-sweep turns this off.
    """
    tols = [*contender.tols, None]
    records: list[dict] = []
    while tols:
        task = {"prefix": str(prefix), "contender": contender.key, "penalty": penalty, "C": C,
                "tols": tols, "mode": "sweep", "flat_rel": flat_rel}
        got = run_child(task, cap_s, env)
        records.extend(got)
        done = {r["tol"] for r in got}
        if got and got[-1].get("timeout") and got[-1]["tol"] is not None and None not in done:
            tols = [None]
            continue
        break
    return records


def measure(contender, prefix, penalty, C, tol, repeats, cap_s, env, inner_min_s) -> list[dict]:
    out = []
    for _ in range(repeats):
        task = {"prefix": str(prefix), "contender": contender.key, "penalty": penalty, "C": C,
                "tols": [tol], "mode": "measure", "inner_min_s": inner_min_s}
        got = run_child(task, cap_s, env)
        out.extend(got[:1])
    return out


def run_problem(name, prefix, info, penalty, args, env, contenders) -> dict:
    C = args.C
    n_params = info["shape"][1] + 1
    sweeps: dict[str, list[dict]] = {}
    skipped: dict[str, str] = {}
    for contender in contenders:
        reason = contender.skip_reason(penalty, info["sparse"], n_params)
        if reason:
            skipped[contender.key] = reason
            continue
        print(f"  sweep {contender.key:<26}", end="", flush=True)
        t0 = time.time()
        sweeps[contender.key] = sweep(contender, prefix, penalty, C, args.time_cap, env,
                                       None if args.full_sweep else 1e-13)
        fs = [r.get("f") for r in sweeps[contender.key] if r.get("f") is not None]
        best = f"{min(fs):.12g}" if fs else "-"
        print(f" {len(sweeps[contender.key])} fits, best f {best}, {time.time() - t0:.1f} s")
    all_f = [(r["f"], key) for key, rs in sweeps.items() for r in rs if r.get("f") is not None]
    if not all_f:
        return {"penalty": penalty, "f_star": None, "rows": [], "skipped": skipped,
                "sweeps": sweeps}
    f_star, f_star_by = min(all_f)
    rows = []
    for contender in contenders:
        key = contender.key
        if key in skipped:
            rows.append({"contender": key, "status": "skipped", "note": skipped[key]})
            continue
        records = sweeps[key]
        default = next((r for r in records if r["tol"] is None), None)
        row: dict = {"contender": key, "library": contender.library, "solver": contender.solver}
        if default is not None:
            row.update(default_gap=gap(default.get("f"), f_star),
                       default_time_s=default.get("time_s"),
                       default_error=default.get("error"))
        good = [r for r in records if meets(r.get("f"), f_star, args.rel)]
        errors = [r["error"] for r in records if r.get("error")]
        if errors:
            row["errors"] = errors[:3]
        if not good:
            fs = [r for r in records if r.get("f") is not None]
            best = min(fs, key=lambda r: r["f"]) if fs else None
            row.update(status="not reached",
                       best_gap=gap(best["f"], f_star) if best else None,
                       best_tol=best["tol"] if best else None,
                       best_time_s=best.get("time_s") if best else None)
            fresh = next((r for r in records if r.get("fresh") and r.get("f") is not None), None)
            if fresh is not None:
                row.update(extra_mb=fresh.get("extra_mb"), memory_from="first sweep fit",
                           n_iter=fresh.get("n_iter"), passes=fresh.get("passes"))
            rows.append(row)
            continue
        # fewest iterations first (deterministic, unlike one noisy sweep timing), then time
        chosen = min(good, key=lambda r: (r.get("n_iter") if r.get("n_iter") is not None
                                          else float("inf"), r["time_s"]))
        runs = measure(contender, prefix, penalty, C, chosen["tol"], args.repeats,
                       args.time_cap, env, args.inner_min_s)
        ok = [r for r in runs if r.get("time_s") is not None]
        if not ok:
            row.update(status="error", errors=[r.get("error") for r in runs])
            rows.append(row)
            continue
        times = [r["time_s"] for r in ok]
        fs = [r["f"] for r in ok if r.get("f") is not None]
        worst_f = max(fs) if fs else None
        first = ok[0]
        row.update(
            status="ok" if meets(worst_f, f_star, args.rel) else "ok (unstable)",
            tol=chosen["tol"], time_s=statistics.median(times), times_s=times,
            time_min_s=min(r.get("time_min_s", r["time_s"]) for r in ok),
            sweep_time_s=chosen["time_s"], n_iter=first.get("n_iter"),
            passes=first.get("passes"), solver_passes=first.get("solver_passes"),
            solver_s=statistics.median([r["solver_s"] for r in ok if r.get("solver_s")])
            if any(r.get("solver_s") for r in ok) else None,
            solver_used=first.get("solver_used"), inner_runs=first.get("inner_runs"),
            extra_mb=statistics.median([r["extra_mb"] for r in ok]),
            extra_mb_max=max(r["extra_mb"] for r in ok), peak_reset=first.get("peak_reset"),
            gap=gap(worst_f, f_star), warnings=first.get("warnings"),
            warmup_s=statistics.median([r["warmup_s"] for r in ok if r.get("warmup_s")])
            if any(r.get("warmup_s") for r in ok) else None,
        )
        rows.append(row)
    summary = summarize(rows, sweeps, info, args, f_star)
    return {"penalty": penalty, "C": C if penalty == "l2" else None, "f_star": f_star,
            "f_star_by": f_star_by, "rel": args.rel, "rows": rows, "summary": summary,
            "skipped": skipped, "sweeps": sweeps}


def summarize(rows, sweeps, info, args, f_star) -> dict:
    """Adds each row's ratio to ours and its bandwidth floor; returns the problem's summary
    (the best peer, ours over it, every contender's best gap to f*)."""
    # ratios, floor
    ours = next((r for r in rows if r["contender"] == "ours:auto" and r.get("time_s")), None)
    bandwidth = args.bandwidth["GBps"] * 1e9
    for row in rows:
        if row.get("extra_mb") is not None:
            row["extra_pct"] = 100.0 * row["extra_mb"] * 1024 * 1024 / info["bytes"]
        if row.get("time_s") and ours:
            row["ratio_to_ours"] = row["time_s"] / ours["time_s"]
        if row.get("time_s") and row.get("passes"):
            row["floor_s"] = row["passes"] * info["bytes"] / bandwidth
            row["time_over_floor"] = row["time_s"] / row["floor_s"]
            row["pass_floor_s"] = row["passes"] * info["pass_s"]
    peers_ok = [r for r in rows if r.get("library") not in (None, "ours") and r.get("time_s")
                and r["status"].startswith("ok")]
    summary = {}
    if peers_ok:
        best = min(peers_ok, key=lambda r: r["time_s"])
        summary = {"best_peer": best["contender"], "best_peer_s": best["time_s"]}
        for r in rows:
            if r.get("library") == "ours" and r.get("time_s"):
                summary[f"{r['contender']}_over_best_peer"] = r["time_s"] / best["time_s"]
    # same-optimum check: every contender's best f against f*
    best_gaps = {key: gap(min(r["f"] for r in rs if r.get("f") is not None), f_star)
                 for key, rs in sweeps.items() if any(r.get("f") is not None for r in rs)}
    if best_gaps:
        worst = max(best_gaps, key=best_gaps.get)
        summary["best_gap_by_contender"] = best_gaps
        summary["worst_best_gap"] = {"contender": worst, "gap": best_gaps[worst]}
    return summary


# -- tables ------------------------------------------------------------------------------------

COLUMNS = [
    ("contender", "library:solver"), ("time", "time s"), ("ratio", "× ours"),
    ("tol", "tol"), ("iters", "iters"), ("passes", "passes"), ("floor", "t/floor"),
    ("insolver", "in solver"), ("mem", "extra MB"), ("mempct", "% of X"), ("gap", "gap"),
    ("default", "default gap (s)"),
]


def _g(value, fmt="{:.3g}", none="-"):
    return none if value is None else fmt.format(value)


def format_row(row: dict) -> dict:
    status = row.get("status", "")
    cells = {"contender": row["contender"]}
    if status == "skipped":
        cells["time"] = "skipped"
        return cells
    if status == "not reached":
        best = row.get("best_gap")
        cells["time"] = "not reached"
        cells["gap"] = f"best {_g(best, '{:.1e}')}"
    elif status == "error":
        cells["time"] = "error"
    else:
        mark = "" if status == "ok" else " *"
        cells["time"] = _g(row.get("time_s"), "{:.4g}") + mark
        cells["gap"] = _g(row.get("gap"), "{:.1e}")
    cells["ratio"] = _g(row.get("ratio_to_ours"), "{:.2f}")
    cells["tol"] = _g(row.get("tol"), "{:.0e}", "default" if "tol" in row else "-")
    cells["iters"] = _g(row.get("n_iter"), "{}")
    cells["passes"] = _g(row.get("passes"), "{}")
    cells["floor"] = _g(row.get("time_over_floor"), "{:.1f}")
    if row.get("solver_s") and row.get("time_s"):
        cells["insolver"] = f"{100 * min(1.0, row['solver_s'] / row['time_s']):.0f}%"
    cells["mem"] = _g(row.get("extra_mb"), "{:.1f}")
    cells["mempct"] = _g(row.get("extra_pct"), "{:.0f}%")
    if "default_gap" in row:
        cells["default"] = (f"{_g(row.get('default_gap'), '{:.1e}')} "
                            f"({_g(row.get('default_time_s'), '{:.3g}')})")
    return cells


def render(rows: list[dict], markdown: bool) -> str:
    table = [format_row(r) for r in rows]
    heads = [h for _, h in COLUMNS]
    body = [[c.get(k, "") for k, _ in COLUMNS] for c in table]
    if markdown:
        lines = ["| " + " | ".join(heads) + " |",
                 "|" + "|".join(["---"] + ["---:"] * (len(heads) - 1)) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(heads)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    lines = [fmt.format(*heads), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*r) for r in body]
    return "\n".join(lines)


def problem_header(name: str, wl: dict, problem: dict, markdown: bool) -> str:
    pen = "L2, C = 1" if problem["penalty"] == "l2" else "unpenalized"
    shape = "×".join(f"{s:,}" for s in wl["shape"])
    nnz = f", nnz {wl['nnz']:,}" if wl.get("nnz") else ""
    f_star = _g(problem.get("f_star"), "{:.12g}")
    text = (f"{name} ({shape} {wl['dtype']}{nnz}, X = {wl['bytes'] / 2**20:.1f} MiB) — {pen}; "
            f"f* = {f_star} (by {problem.get('f_star_by', '-')})")
    return f"#### {text}" if markdown else f"\n== {text}"


def problem_footer(problem: dict) -> str:
    s = problem.get("summary") or {}
    parts = []
    if s.get("best_peer"):
        parts.append(f"best peer {s['best_peer']} {s['best_peer_s']:.4g} s")
        for key, value in s.items():
            if key.endswith("_over_best_peer"):
                parts.append(f"{key.replace('_over_best_peer', '')} / best peer = {value:.2f}")
    worst = s.get("worst_best_gap")
    if worst:
        agree = sorted(s["best_gap_by_contender"].items(), key=lambda kv: kv[1])
        parts.append("same optimum: best f of each contender vs f*: " + ", ".join(
            f"{k} {v:.1e}" for k, v in agree))
    notes = [f"{r['contender']}: {r['note']}" for r in problem["rows"]
             if r.get("status") == "skipped"]
    out = "\n".join(parts)
    if notes:
        out += ("\n" if out else "") + "skipped: " + "; ".join(notes)
    return out


def print_results(results: dict, markdown: bool) -> None:
    for name, wl in results.get("workloads", {}).items():
        if wl.get("skipped"):
            print(f"\n{name}: skipped ({wl['skipped']})")
            continue
        for problem in wl.get("problems", []):
            print(problem_header(name, wl, problem, markdown))
            if markdown:
                print()
            print(render(problem["rows"], markdown))
            footer = problem_footer(problem)
            if footer and markdown:
                print("\n" + "\n".join(f"- {line}" for line in footer.splitlines()) + "\n")
            elif footer:
                print(footer)
    if results.get("scaling"):
        print("\n#### scaling (ours)\n" if markdown else "\n== scaling (ours)")
        print(render_scaling(results["scaling"], markdown))


def render_scaling(rows: list[dict], markdown: bool) -> str:
    heads = ["rows", "contender", "penalty", "time s", "µs / row", "passes", "ns / row / pass",
             "extra MB", "f"]
    body = []
    for r in rows:
        t = r.get("time_s")
        body.append([f"{r['rows']:,}", r["contender"], r["penalty"], _g(t, "{:.4g}"),
                     _g(t and 1e6 * t / r["rows"], "{:.3g}"), _g(r.get("passes"), "{}"),
                     _g(t and r.get("passes") and 1e9 * t / r["rows"] / r["passes"], "{:.3g}"),
                     _g(r.get("extra_mb"), "{:.1f}"), _g(r.get("f"), "{:.10g}")])
    if markdown:
        lines = ["| " + " | ".join(heads) + " |", "|" + "|".join(["---:"] * len(heads)) + "|"]
        return "\n".join(lines + ["| " + " | ".join(b) + " |" for b in body])
    widths = [max(len(h), w, *(len(b[i]) for b in body))
              for i, (h, w) in enumerate(zip(heads, SCALING_WIDTHS, strict=True))]
    fmt = "  ".join(f"{{:>{w}}}" for w in widths)
    return "\n".join([fmt.format(*heads)] + [fmt.format(*b) for b in body])


SCALING_WIDTHS = (10, 12, 7, 8, 8, 6, 15, 8, 14)


# -- main --------------------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="scale the synthetic workloads by 0.05, 1 repeat, 30 s time cap")
    p.add_argument("--scale", type=float, default=None, help="size factor of synthetic data")
    p.add_argument("--workloads", default=None,
                   help="comma-separated names or letters a-f: " + ", ".join(
                       f"{k}={v}" for k, v in LETTERS.items()))
    p.add_argument("--contenders", default=None,
                   help="comma-separated library:solver keys (default all): "
                        + ", ".join(peers.CONTENDERS))
    p.add_argument("--penalties", default="l2,none", help="l2, none or both (default)")
    p.add_argument("--repeats", type=int, default=None, help="fresh runs per time (default 3)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--markdown", action="store_true", help="also print Markdown tables")
    p.add_argument("--from-json", type=Path, default=None,
                   help="print the tables of an earlier run's JSON and exit")
    p.add_argument("--time-cap", type=float, default=None,
                   help="seconds one fit may run before it is killed (default 300, quick 30)")
    p.add_argument("--rel", type=float, default=1e-8,
                   help="criterion: f <= f*·(1 + rel) (default 1e-8)")
    p.add_argument("--full-sweep", action="store_true",
                   help="run every tolerance even after f has stopped changing")
    p.add_argument("--C", type=float, default=1.0, help="scikit-learn's C (default 1)")
    p.add_argument("--threads", type=int, default=None,
                   help="set OMP/OPENBLAS/MKL_NUM_THREADS for every child (default: unset)")
    p.add_argument("--inner-min-s", type=float, default=1.0,
                   help="fits shorter than this are repeated in-process for this long")
    p.add_argument("--bandwidth-mb", type=int, default=None,
                   help="array size for the bandwidth test (default 1024, quick 256)")
    p.add_argument("--scaling", action="store_true",
                   help="also run the per-row scaling of ours (50 features)")
    p.add_argument("--scaling-only", action="store_true", help="run only the scaling mode")
    p.add_argument("--scaling-rows", default="10000,100000,1000000",
                   help="row counts for --scaling (add 10000000 for 10^7)")
    p.add_argument("--scaling-tol", type=float, default=1e-8)
    p.add_argument("--multinomial", default=None, metavar="digits,dense,text",
                   help="also run issue 20's multinomial workloads by multinomial.py's method "
                        "(ours against scikit-learn's lbfgs, newton-cholesky and saga)")
    p.add_argument("--multinomial-contenders", default=None,
                   help="multinomial.py's contender keys (default: all of them)")
    args = p.parse_args(argv)
    if args.scale is None:
        args.scale = workloads.QUICK_SCALE if args.quick else 1.0
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.time_cap is None:
        args.time_cap = 30.0 if args.quick else 300.0
    if args.bandwidth_mb is None:
        args.bandwidth_mb = 256 if args.quick else 1024
    return args


def select_workloads(spec: str | None) -> list[str]:
    if not spec:
        return list(workloads.WORKLOADS)
    names = []
    for item in spec.split(","):
        item = item.strip()
        name = LETTERS.get(item, item)
        if name not in workloads.WORKLOADS:
            raise SystemExit(f"unknown workload {item!r}; choose from "
                             + ", ".join(list(LETTERS) + list(workloads.WORKLOADS)))
        names.append(name)
    return names


def select_contenders(spec: str | None, default=None):
    keys = [k.strip() for k in spec.split(",")] if spec else (default or list(peers.CONTENDERS))
    unknown = [k for k in keys if k not in peers.CONTENDERS]
    if unknown:
        raise SystemExit(f"unknown contender(s) {unknown}; choose from {list(peers.CONTENDERS)}")
    return [peers.CONTENDERS[k] for k in keys]


def save(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(results, indent=1, default=str))
    tmp.replace(path)


def describe(prefix: Path) -> dict:
    info = json.loads(Path(f"{prefix}.json").read_text())
    X, _ = workloads.load(prefix)
    info["bytes"] = workloads.nbytes(X)
    info["nnz"] = int(X.nnz) if sp.issparse(X) else None
    info["pass_s"] = pass_time(X)
    info["pass_GBps"] = info["bytes"] / info["pass_s"] / 1e9
    return info


def run_scaling(args, env, results) -> None:
    contenders = select_contenders(args.contenders, ["ours:auto", "ours:lbfgs"])
    rows_list = [int(float(r)) for r in args.scaling_rows.split(",")]
    results["scaling"] = []
    print(f"\n== scaling: 50 features, AR(1) dense float64, L2 C={args.C:g}, "
          f"tol {args.scaling_tol:g}, {args.repeats} fresh run(s) each")
    first = True
    for rows in rows_list:
        params = {"rows": rows, "features": 50, "rho": 0.9, "dtype": "float64"}
        prefix = workloads.prepare("dense64", params)
        for contender in contenders:
            runs = measure(contender, prefix, "l2", args.C, args.scaling_tol, args.repeats,
                           args.time_cap, env, args.inner_min_s)
            ok = [r for r in runs if r.get("time_s") is not None]
            row = {"rows": rows, "contender": contender.key, "penalty": "l2",
                   "tol": args.scaling_tol}
            if ok:
                row.update(time_s=statistics.median(r["time_s"] for r in ok),
                           times_s=[r["time_s"] for r in ok], passes=ok[0].get("passes"),
                           n_iter=ok[0].get("n_iter"), solver_s=ok[0].get("solver_s"),
                           extra_mb=statistics.median(r["extra_mb"] for r in ok), f=ok[0].get("f"))
            else:
                row["error"] = [r.get("error") for r in runs]
            results["scaling"].append(row)
            lines = render_scaling([row], False).splitlines()
            if first:
                print(lines[0])
                first = False
            print(lines[-1], flush=True)
        save(results, args.out)


def run_multinomial(args, results: dict) -> None:
    """Issue 20's K-class workloads (multinomial.py: the same sweep, f* and criterion, the
    contenders alternating in one warm process) into results["multinomial"]."""
    import multinomial

    keys = args.multinomial_contenders or ",".join(multinomial.CONTENDERS)
    contenders = [multinomial.CONTENDERS[key] for key in keys.split(",")]
    results["multinomial"] = []
    with limit_threads(args.threads):
        for name in args.multinomial.split(","):
            result = multinomial.run_workload(name, contenders, args)
            results["multinomial"].append(result)
            save(results, args.out)
            print(multinomial.markdown(result) + "\n", flush=True)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.from_json:
        print_results(json.loads(args.from_json.read_text()), args.markdown)
        return
    env = child_env(args.threads)
    names = select_workloads(args.workloads)
    contenders = select_contenders(args.contenders)
    penalties = [p.strip() for p in args.penalties.split(",")]
    print("measuring memory bandwidth ...", flush=True)
    with limit_threads(args.threads):
        args.bandwidth = measure_bandwidth(args.bandwidth_mb)
    results: dict = {
        "meta": {
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "argv": sys.argv[1:], "quick": args.quick, "scale": args.scale,
            "repeats": args.repeats, "time_cap_s": args.time_cap, "criterion_rel": args.rel,
            "C": args.C, "bandwidth": args.bandwidth, "machine": machine_info(),
            "child_threads": args.threads or "library default (all cores)",
            "git": git_state(),
            "datasets": str(workloads.datasets_dir()),
        },
        "workloads": {},
    }
    bw = args.bandwidth
    print(f"bandwidth {bw['GBps']:.1f} GB/s (BLAS gemv {bw['gemv_GBps']:.1f}, "
          f"np.sum {bw['sum_GBps']:.1f}); criterion f <= f*(1+{args.rel:g}); "
          f"{args.repeats} fresh run(s) per time; cap {args.time_cap:g} s per fit")
    # --multinomial alone runs only the multinomial workloads; --workloads adds the others
    if not args.scaling_only and not (args.multinomial and args.workloads is None):
        for name in names:
            missing = workloads.missing_source(name)
            if missing is not None:
                print(f"\n{name}: skipped, {missing} is missing (set LOGISTIC_DATASETS)")
                results["workloads"][name] = {"skipped": f"missing {missing}"}
                continue
            params = workloads.resolve(name, args.scale)
            t0 = time.time()
            prefix = workloads.prepare(name, params)
            with limit_threads(args.threads):
                info = describe(prefix)
            wl = workloads.WORKLOADS[name]
            entry = {"description": wl.description, "note": wl.note, "params": params,
                     "shape": info["shape"], "dtype": info["dtype"], "sparse": info["sparse"],
                     "nnz": info["nnz"], "bytes": info["bytes"], "pass_s": info["pass_s"],
                     "pass_GBps": info["pass_GBps"], "problems": []}
            results["workloads"][name] = entry
            print(f"\n{name}: {wl.description}\n  shape {info['shape']} {info['dtype']}, "
                  f"{info['bytes'] / 2**20:.1f} MiB, one X@w pass {info['pass_s'] * 1e3:.2f} ms "
                  f"({info['pass_GBps']:.1f} GB/s); prepared in {time.time() - t0:.1f} s")
            if wl.note:
                print(f"  note: {wl.note}")
            for penalty in wl.penalties:
                if penalty not in penalties:
                    continue
                problem = run_problem(name, prefix, info, penalty, args, env, contenders)
                entry["problems"].append(problem)
                save(results, args.out)
                print(problem_header(name, entry, problem, False))
                print(render(problem["rows"], False))
                footer = problem_footer(problem)
                if footer:
                    print(footer)
    if args.scaling or args.scaling_only:
        run_scaling(args, env, results)
    if args.multinomial:
        run_multinomial(args, results)
    results["meta"]["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    save(results, args.out)
    print(f"\nresults written to {args.out}")
    if args.markdown:
        print("\n---- Markdown ----\n")
        print_results(results, True)


if __name__ == "__main__":
    main()
