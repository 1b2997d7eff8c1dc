"""Issue 18's diagnostics benchmark: per-row residuals and influence, ours against statsmodels.

Both compute the same numbers for a fitted unpenalized binary model on generated data
(dense n × d, and the same matrix with most entries zero as CSR for ours):

  ours         model.diagnostics(X, y).frame(dfbeta=True): fitted, response, Pearson and
               deviance residuals, leverage, studentized and likelihood residuals, Cook's
               distance, dfbeta (row blocks; sparse X kept sparse)
  statsmodels  GLM(y, [1, X], Binomial()).fit() once (not timed), then get_influence() with
               hat_matrix_diag, resid_studentized, cooks_distance, d_params and the results'
               resid_response / resid_pearson / resid_deviance

Warm times: a warm-up of each first, then ``--repeats`` rounds alternating the two; the
medians and their ratio are reported with the largest differences between the two results
(leverage, Cook's distance, dfbeta).

    python benchmarks/diagnostics.py                       # 100,000 × 20, 5 rounds
    python benchmarks/diagnostics.py --rows 1000000 --features 50
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # as ``import logistic`` sets it

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402


def data(rows: int, features: int, density: float | None, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, features))
    if density is not None:
        X[rng.random((rows, features)) > density] = 0.0
    z = 0.2 + X @ rng.normal(scale=0.5, size=features)
    y = (rng.random(rows) < 1 / (1 + np.exp(-z))).astype(float)
    return X, y


def ours(model, X, y):
    return model.diagnostics(X, y).frame(dfbeta=True)


def peer(result):
    influence = result.get_influence()
    return (influence.hat_matrix_diag, influence.resid_studentized,
            influence.cooks_distance[0], influence.d_params, result.resid_response,
            result.resid_pearson, result.resid_deviance)


def timed(call, *args) -> float:
    start = time.perf_counter()
    call(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import statsmodels.api as sm

    from logistic import LogisticRegression

    print("| data | ours (s) | statsmodels (s) | ours / statsmodels | max |Δh| | max |ΔD| | "
          "max |Δdfbeta| |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, density in (("dense", None), ("CSR, 10% nonzero", 0.1)):
        X, y = data(args.rows, args.features, density)
        model = LogisticRegression(tol=1e-10).fit(X, y)
        result = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(tol=1e-12)
        ours_X = sp.csr_matrix(X) if density is not None else X
        frame, reference = ours(model, ours_X, y), peer(result)  # warm-up and agreement
        dfbeta = frame[[c for c in frame.columns if c.startswith("dfbeta:")]].to_numpy()
        agreement = (np.abs(frame["leverage"] - reference[0]).max(),
                     np.abs(frame["cooks_distance"] - reference[2]).max(),
                     np.abs(dfbeta - reference[3]).max())
        times: dict[str, list[float]] = {"ours": [], "statsmodels": []}
        for _ in range(args.repeats):
            times["ours"].append(timed(ours, model, ours_X, y))
            times["statsmodels"].append(timed(peer, result))
        a, b = (statistics.median(times[k]) for k in ("ours", "statsmodels"))
        print(f"| {args.rows:,} × {args.features}, {name} | {a:.3f} | {b:.3f} | {a / b:.2f} | "
              f"{agreement[0]:.1e} | {agreement[1]:.1e} | {agreement[2]:.1e} |")


if __name__ == "__main__":
    main()
