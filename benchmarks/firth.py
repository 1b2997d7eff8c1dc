"""Issue 16's Firth benchmark: a Firth fit with profile intervals, ours against firthmodels.

Both fit the same model — Firth's penalized likelihood with an intercept — to logistf's two
documented data sets, sex2 (239 × 6, target ``case``) and endometrial (79 × 3, target ``HG``,
quasi-separated by NV), and deliver the same numbers:

  ours               LogisticRegression(penalty='firth').fit(X, y): the estimate, the penalized
                     likelihood-ratio test of every coefficient and the profile penalized-
                     likelihood intervals, all computed at fit time (conf_int(method='profile')
                     and p_values_ return them)
  firthmodels        FirthLogisticRegression().fit(X, y), conf_int(method='pl') (Venzon and
                     Moolgavkar's method), at its default tolerances
  firthmodels + lrt  the same and lrt(): the penalized likelihood-ratio tests too, as ours

Warm times (the default): one process; a warm-up call of each first (numba compiles, or
loads its cache), then ``--repeats`` rounds, each timing ours, firthmodels and
firthmodels + lrt in turn, so that a change of load hits all three alike; the medians and
their ratios are reported. ``--fresh N`` also times the first call in N new processes of
each, alternating (the import is not counted; loading numba's cache is).

Agreement: the largest absolute differences between ours and firthmodels' coefficients,
interval ends and likelihood-ratio p-values (firthmodels puts the intercept last; it is
moved first). Data come from ``$LOGISTIC_DATASETS`` (default ../shared/datasets); a missing
file skips its data set.

    python benchmarks/firth.py                    # 30 warm rounds, a Markdown table
    python benchmarks/firth.py --repeats 100 --fresh 5
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

# Both contenders run under the setting ``import logistic`` makes when NumPy is not loaded
# yet (src/logistic/__init__.py; also benchmarks/l1_path.py): idle OpenBLAS threads sleep at
# once instead of spinning ~0.1 s. OPENBLAS_NUM_THREADS=1 in the environment gives the
# one-thread table.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = {"sex2": ("sex2.csv", "case"), "endometrial": ("endometrial.csv", "HG")}
CONTENDERS = ("ours", "firthmodels", "firthmodels + lrt")


def datasets_dir() -> Path:
    env = os.environ.get("LOGISTIC_DATASETS")
    return Path(env) if env else (ROOT / ".." / "shared" / "datasets").resolve()


def load(name: str) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    import pandas as pd

    file, target = DATA[name]
    path = datasets_dir() / file
    if not path.exists():
        return None
    frame = pd.read_csv(path)
    y = frame.pop(target).to_numpy()
    return frame.to_numpy(dtype=np.float64), y, list(frame.columns)


def run(contender: str, X: np.ndarray, y: np.ndarray) -> dict:
    """One fit with everything the contender reports, as arrays (intercept first)."""
    if contender == "ours":
        from logistic import LogisticRegression

        model = LogisticRegression(penalty="firth").fit(X, y)
        return {"coef": np.r_[model.intercept_, model.coef_.ravel()],
                "ci": model.conf_int(method="profile"), "p": model.p_values_}
    from firthmodels import FirthLogisticRegression

    model = FirthLogisticRegression().fit(X, y)
    ci = model.conf_int(method="pl")
    out = {"coef": np.r_[model.intercept_, model.coef_], "ci": np.vstack([ci[-1], ci[:-1]])}
    if contender == "firthmodels + lrt":
        model.lrt()
        p = model.lrt_pvalues_
        out["p"] = np.r_[p[-1], p[:-1]]
    return out


def warm_times(X, y, repeats: int) -> tuple[dict, dict]:
    """Per contender: the medians of ``repeats`` alternating rounds, and its last output."""
    outputs = {c: run(c, X, y) for c in CONTENDERS}  # warm-up: compile or load caches
    times: dict[str, list[float]] = {c: [] for c in CONTENDERS}
    for _ in range(repeats):
        for contender in CONTENDERS:
            start = time.perf_counter()
            outputs[contender] = run(contender, X, y)
            times[contender].append(time.perf_counter() - start)
    return {c: float(np.median(t)) for c, t in times.items()}, outputs


def fresh_times(name: str, count: int) -> dict:
    """Medians of the first call's time in ``count`` new processes per contender."""
    times: dict[str, list[float]] = {c: [] for c in CONTENDERS}
    for _ in range(count):
        for contender in CONTENDERS:
            done = subprocess.run(
                [sys.executable, __file__, "--child", contender, name],
                capture_output=True, text=True, check=True, env=os.environ.copy(),
            )
            times[contender].append(float(done.stdout.strip().splitlines()[-1]))
    return {c: float(np.median(t)) for c, t in times.items()}


def child(contender: str, name: str) -> None:
    """A fresh process: imports first (not timed), then one timed call."""
    X, y, _ = load(name)
    import firthmodels  # noqa: F401

    import logistic  # noqa: F401

    start = time.perf_counter()
    run(contender, X, y)
    print(time.perf_counter() - start)


def agreement(outputs: dict) -> dict:
    ours, peer = outputs["ours"], outputs["firthmodels + lrt"]
    return {key: float(np.max(np.abs(ours[key] - peer[key]))) for key in ("coef", "ci", "p")}


def markdown(rows: list[dict], fresh: bool) -> str:
    head = ("| data | ours | firthmodels | ratio | firthmodels + lrt | ratio | "
            "max diff coef / CI / LR p |")
    lines = [head, "|---|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        for kind in ("warm",) + (("fresh",) if fresh else ()):
            t = row[kind]
            ours = t["ours"]
            diff = row["agreement"]
            lines.append(
                f"| {row['data']} ({kind}) | {ours * 1e3:.2f} ms "
                f"| {t['firthmodels'] * 1e3:.2f} ms | {ours / t['firthmodels']:.2f} "
                f"| {t['firthmodels + lrt'] * 1e3:.2f} ms "
                f"| {ours / t['firthmodels + lrt']:.2f} "
                f"| {diff['coef']:.1e} / {diff['ci']:.1e} / {diff['p']:.1e} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="warm rounds (default 30)")
    parser.add_argument("--fresh", type=int, default=0,
                        help="also time the first call in this many new processes of each")
    parser.add_argument("--data", default="sex2,endometrial")
    parser.add_argument("--json", type=Path, help="write the results here as well")
    parser.add_argument("--child", nargs=2, metavar=("CONTENDER", "DATA"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    rows = []
    for name in args.data.split(","):
        data = load(name)
        if data is None:
            print(f"{name}: skipped, {datasets_dir() / DATA[name][0]} is missing")
            continue
        X, y, _ = data
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warm, outputs = warm_times(X, y, args.repeats)
        row = {"data": name, "shape": list(X.shape), "warm": warm,
               "agreement": agreement(outputs)}
        if args.fresh:
            row["fresh"] = fresh_times(name, args.fresh)
        rows.append(row)
    print(markdown(rows, bool(args.fresh)))
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"\nwarm: medians of {args.repeats} alternating rounds in one process"
          + (f"; fresh: medians of {args.fresh} new processes each" if args.fresh else "")
          + f"; OpenBLAS threads: {threads}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f} at the end")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
