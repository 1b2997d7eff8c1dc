"""Profile of one MixedLogisticRegression fit: passes over the data, seconds, µs per row.

    python benchmarks/mixed_profile.py 10000 100000      # rows; groups of 100, 20 slopes

Each "pass" is one call of the compiled per-group kernel (every group's mode, its log
likelihood and, for a gradient, the row scores); µs/row per pass is the kernel's cost, µs/row
per fit what a user waits; cpu is the process's CPU time (all threads), steadier than the
wall clock on a loaded machine. The load average is printed because the machine is shared.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

import logistic.families.mixed as family
from logistic import MixedLogisticRegression


def simulated(n_rows: int, n_fixed: int = 20, group_size: int = 100,
              seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X (n × 20, standard normal), y from a random-intercept logit (σ = 1), groups of 100."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, n_fixed))
    groups = np.arange(n_rows) // group_size
    b = rng.standard_normal(groups.max() + 1)
    eta = -0.5 + X @ rng.normal(0.0, 0.3, n_fixed) + b[groups]
    y = (rng.random(n_rows) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    return X, y, groups


def profile(n_rows: int) -> None:
    """One fit at n_rows: its passes, seconds and µs/row, printed on one line."""
    X, y, groups = simulated(n_rows)
    counted = {"passes": 0, "seconds": 0.0}
    kernel = family.mixed_pass

    def counting_pass(*args: object) -> None:
        start = time.perf_counter()
        kernel(*args)
        counted["passes"] += 1
        counted["seconds"] += time.perf_counter() - start

    family.mixed_pass = counting_pass
    try:
        start, cpu = time.perf_counter(), time.process_time()
        model = MixedLogisticRegression().fit(X, y, groups=groups)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        family.mixed_pass = kernel
    passes = int(counted["passes"])
    per_pass = counted["seconds"] / max(passes, 1) / n_rows * 1e6
    print(f"rows {n_rows:>8}  passes {passes:>3}  fit {seconds:7.2f} s  "
          f"kernel {counted['seconds']:7.2f} s  {per_pass:5.2f} µs/row/pass  "
          f"{seconds / n_rows * 1e6:6.1f} µs/row/fit  cpu {cpu:7.2f} s  "
          f"load {os.getloadavg()[0]:.1f}  "
          f"theta {model.theta_[0]:.6f}  se0 {np.sqrt(model.cov_fixed_[0, 0]):.6f}")


if __name__ == "__main__":
    for warm in (2_000, 30_000):  # loads both compiled kernels (serial, threaded) first
        X, y, groups = simulated(warm)
        MixedLogisticRegression().fit(X, y, groups=groups)
    for size in (sys.argv[1:] or ["10000", "100000"]):
        profile(int(size))
