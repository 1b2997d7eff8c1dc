"""One benchmark child process: load a cached workload, fit one contender, report.

    python benchmarks/worker.py TASK.json OUT.jsonl

The parent (run.py) starts a fresh interpreter for every measurement, so each fit's memory
high-water mark is its own. Order inside the child:

 1. import the contender's library and warm it up on a tiny problem (nothing timed);
 2. load X and y from the .npy cache (exactly X's bytes, no transient copy);
 3. record the resident set size (RSS) and reset the kernel's peak-RSS counter
    (``echo 5 > /proc/self/clear_refs`` resets VmHWM; where that is not possible the peak
    of ``getrusage`` is used and the baseline is its value after loading);
 4. time ``fit`` with ``time.perf_counter``; read the peak RSS; extra memory = peak - RSS
    before the fit;
 5. evaluate the common objective f(w, b) in float64 (untimed, after the memory reading).

Each fit writes a "start" line before and a "done" line after to OUT.jsonl (flushed), so the
parent can kill a fit that runs past its time cap and keep what finished.
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers  # noqa: E402
import workloads  # noqa: E402

_MB = 1024.0 * 1024.0


def _status_kb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _maxrss_mb() -> float:
    # Linux reports ru_maxrss in KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class Memory:
    """RSS before a fit and the peak during it, in MiB."""

    def start(self) -> None:
        gc.collect()
        self.reset = _reset_peak()
        rss = _status_kb("VmRSS")
        self.base = rss / 1024.0 if rss is not None else _maxrss_mb()
        # without a reset the high-water mark may already sit above the current RSS
        self.floor = self.base if self.reset else max(self.base, _maxrss_mb())

    def stop(self) -> tuple[float, float]:
        hwm = _status_kb("VmHWM") if self.reset else None
        peak = hwm / 1024.0 if hwm is not None else _maxrss_mb()
        return peak, max(0.0, peak - self.floor)


def _emit(out, record: dict) -> None:
    out.write(json.dumps(record) + "\n")
    out.flush()


def _clean(value):
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def main(task_path: str, out_path: str) -> None:
    task = json.loads(Path(task_path).read_text())
    contender = peers.CONTENDERS[task["contender"]]
    penalty, C = task["penalty"], float(task["C"])
    mode = task["mode"]
    with open(out_path, "a") as out:
        peers.import_library(contender.library)
        instrument = peers.OursInstrument() if contender.library == "ours" else None
        start = time.perf_counter()
        X, y = workloads.load(Path(task["prefix"]))
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        peers.warm_up(contender, penalty, sp.issparse(X), X.dtype, X.shape[1])
        warmup_s = time.perf_counter() - start  # a cold first call: JIT, lazy imports
        gc.collect()
        _emit(out, {"event": "ready", "load_s": load_s, "warmup_s": warmup_s,
                    "rss_mb": (_status_kb("VmRSS") or 0) / 1024.0})
        memory = Memory()
        previous_f = None
        flat_count = 0
        flat_rel = task.get("flat_rel")
        flat_grad = task.get("flat_grad", 1e-9)
        for position, tol in enumerate(task["tols"]):
            if previous_f == "flat" and tol is not None:
                continue  # f stopped changing: tighter tolerances cannot lower it further
            _emit(out, {"event": "start", "tol": tol, "t": time.time()})
            if instrument is not None:
                instrument.reset()
            record: dict = {"event": "done", "tol": tol, "fresh": position == 0}
            caught: list = []
            try:
                memory.start()
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    t0 = time.perf_counter()
                    result = peers.fit(contender, X, y, penalty, C, tol)
                    elapsed = time.perf_counter() - t0
                peak, extra = memory.stop()
                record.update(time_s=elapsed, first_s=elapsed, peak_mb=peak, extra_mb=extra,
                              base_mb=memory.base, peak_reset=memory.reset)
                if instrument is not None:
                    record.update(passes=instrument.passes(),
                                  solver_passes=instrument.solver_passes,
                                  solver_s=instrument.solver_seconds)
                if mode == "measure" and elapsed < task.get("inner_min_s", 0):
                    # tiny fits: repeat in this process and take the median, to see
                    # per-call overhead through the timer's noise
                    times = [elapsed]
                    solver_times = [instrument.solver_seconds] if instrument else []
                    budget = time.perf_counter() + task["inner_min_s"]
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        while time.perf_counter() < budget and len(times) < 200:
                            if instrument is not None:
                                instrument.reset()
                            t0 = time.perf_counter()
                            peers.fit(contender, X, y, penalty, C, tol)
                            times.append(time.perf_counter() - t0)
                            if instrument is not None:
                                solver_times.append(instrument.solver_seconds)
                    record.update(time_s=statistics.median(times), time_min_s=min(times),
                                  inner_runs=len(times))
                    if solver_times:
                        record["solver_s"] = statistics.median(solver_times)
                f, grad_max = workloads.objective_and_gradient_norm(
                    X, y, result["coef"], result["intercept"], C if penalty == "l2" else None)
                record.update(f=_clean(f), grad_max=_clean(grad_max),
                              n_iter=result.get("n_iter"),
                              solver_used=result.get("solver_used"),
                              converged=result.get("converged"),
                              coef_norm=float(np.linalg.norm(result["coef"])),
                              intercept=float(result["intercept"]))
            except Exception as error:  # a failing contender is a result, not a crash
                record.update(error=f"{type(error).__name__}: {error}"[:500],
                              traceback=traceback.format_exc()[-2000:])
            messages = []
            for w in caught:
                text = f"{w.category.__name__}: {str(w.message)[:160]}"
                if text not in messages:
                    messages.append(text)
            record["warnings"] = messages[:5]
            f = record.get("f")
            if mode == "sweep" and flat_rel and tol is not None:
                flat = (f is not None and isinstance(previous_f, float)
                        and abs(f - previous_f) <= flat_rel * abs(f))
                flat_count = flat_count + 1 if flat else 0
                # stop tightening once f no longer moves and either the gradient of f is
                # already negligible or f has not moved twice in a row (a stalled solver)
                if flat and (flat_count >= 2 or (record.get("grad_max") or 1.0) <= flat_grad):
                    record["flat_stop"] = True
                    previous_f = "flat"
                else:
                    previous_f = f
            _emit(out, record)
            result = None
            gc.collect()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
