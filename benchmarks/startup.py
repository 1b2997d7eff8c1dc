"""Issue 20's start-up table: how long ``import logistic`` and the command line take to start.

Each row is a fresh interpreter running one command; every round runs each row once, in
turn, so that a change of load hits all rows alike, and the table shows the medians over the
rounds of the wall time, the CPU time (user + system, of the child process alone: less
sensitive than the wall time to other work on the machine) and the peak resident memory.
``python -c pass`` is the floor (the interpreter's own start-up); scikit-learn's and
statsmodels' imports are there for comparison.

    python benchmarks/startup.py                  # 15 rounds, a Markdown table
    python benchmarks/startup.py --repeats 30 --json /tmp/startup.json
    python benchmarks/startup.py --baseline ../main/src   # and another checkout's rows too

``logistic --help`` runs what the console script runs (``from logistic.cli import main``), in
the interpreter running this script, with this checkout's ``src`` first on the path.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CLI = "from logistic.cli import main; main()"  # what the ``logistic`` console script runs

#: row label → the interpreter's arguments
COMMANDS: dict[str, list[str]] = {
    "python -c pass (the floor)": ["-c", "pass"],
    "import logistic": ["-c", "import logistic"],
    "logistic --help": ["-c", CLI, "--help"],
    "logistic --version": ["-c", CLI, "--version"],
    "from logistic import LogisticRegression": ["-c", "from logistic import LogisticRegression"],
    "import sklearn.linear_model": ["-c", "import sklearn.linear_model"],
    "import statsmodels.api": ["-c", "import statsmodels.api"],
}


def run_once(args: list[str], src: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident MB of one fresh interpreter on ``args``,
    with ``src`` first on the path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(src), *filter(None, [os.environ.get("PYTHONPATH")])])}
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise RuntimeError(f"{args} exited {child.returncode}: {stderr.strip()[-500:]}")
    # ru_maxrss is in kilobytes on Linux
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def rows(baseline: Path | None) -> dict[str, tuple[list[str], Path]]:
    """The table's rows: label → (arguments, source tree); ``baseline``'s logistic rows too."""
    table = {label: (args, ROOT / "src") for label, args in COMMANDS.items()}
    if baseline is not None:
        for label, args in COMMANDS.items():
            if "logistic" in label:
                table[f"{label} [{baseline}]"] = (args, baseline)
    return table


def measure(repeats: int, baseline: Path | None) -> dict[str, dict[str, float]]:
    table = rows(baseline)
    samples: dict[str, list[tuple[float, float, float]]] = {label: [] for label in table}
    for args, src in table.values():  # warm-up: the file system cache, .pyc files
        run_once(args, src)
    for _ in range(repeats):
        for label, (args, src) in table.items():
            samples[label].append(run_once(args, src))
    return {
        label: {
            "wall_s": statistics.median(s[0] for s in rows),
            "cpu_s": statistics.median(s[1] for s in rows),
            "rss_mb": statistics.median(s[2] for s in rows),
            "wall_s_min": min(s[0] for s in rows),
        }
        for label, rows in samples.items()
    }


def markdown(results: dict[str, dict[str, float]], repeats: int) -> str:
    load = os.getloadavg()
    lines = [
        f"Medians of {repeats} rounds (each round runs every row once, in turn); load "
        f"average at the end {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} on "
        f"{os.cpu_count()} cores.",
        "",
        "| command | wall (s) | CPU (s) | fastest wall (s) | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, row in results.items():
        lines.append(f"| `{label}` | {row['wall_s']:.3f} | {row['cpu_s']:.3f} | "
                     f"{row['wall_s_min']:.3f} | {row['rss_mb']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="rounds (default 15)")
    parser.add_argument("--json", type=Path, help="write the results here as well")
    parser.add_argument("--baseline", type=Path,
                        help="another checkout's src (e.g. before a change): its logistic rows "
                        "run in the same rounds")
    options = parser.parse_args()
    results = measure(options.repeats, options.baseline)
    print(markdown(results, options.repeats))
    if options.json is not None:
        options.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
