"""Ordinal logistic regression (proportional odds), ours against statsmodels' OrderedModel,
side by side in one run: a fit with standard errors on the same data and objective.

    python benchmarks/ordinal.py            # 10⁶ × 50, 5 classes (statsmodels at --peer-rows)
    python benchmarks/ordinal.py --quick    # 20,000 × 10

Both maximize the same log-likelihood (logit link, thresholds θ₁, log(θₖ - θₖ₋₁)); the
report gives each one's time, the log-likelihoods' relative difference and the largest
difference in the estimates and standard errors, and the ratio ours / statsmodels.
statsmodels' OrderedModel takes its score and Hessian by numerical differences (a
(d + K - 1)² grid of log-likelihood passes for the standard errors), which at 10⁶ rows
takes hours; it is then timed on the first ``--peer-rows`` rows, and our fit on those same
rows gives the ratio (our time at the full size is reported beside it).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np


def make_data(n: int, d: int, classes: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    beta = rng.normal(scale=1.0 / np.sqrt(d), size=d)
    latent = X @ beta + rng.logistic(size=n)
    cuts = np.quantile(latent, np.linspace(0, 1, classes + 1)[1:-1])
    return X, np.digitize(latent, cuts)


def ours(X, y):
    from logistic import OrdinalLogisticRegression

    start = time.perf_counter()
    model = OrdinalLogisticRegression(tol=1e-8).fit(X, y)
    se = np.sqrt(np.diag(model.params_cov_))
    return time.perf_counter() - start, model.params_, se, model.log_likelihood_


def statsmodels_fit(X, y):
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = OrderedModel(y, X, distr="logit").fit(method="bfgs", disp=0, gtol=1e-8,
                                                        maxiter=5000)
        se = np.asarray(result.bse)
    return time.perf_counter() - start, np.asarray(result.params), se, float(result.llf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--peer-rows", type=int, default=100_000,
                        help="rows statsmodels is timed on (its numerical Hessian)")
    args = parser.parse_args()
    n, d = (20_000, 10) if args.quick else (args.rows, args.features)
    peer_rows = min(n, args.peer_rows)
    X, y = make_data(n, d, args.classes)
    # imports and the compiled kernels' first calls (serial and threaded) out of the timing
    ours(X[:1000], y[:1000])
    if n > 200_000:
        ours(X[:250_000], y[:250_000])
    print(f"ordinal logit, {args.classes} classes, {d} features")
    if peer_rows < n:
        t_full, *_ = ours(X, y)
        print(f"  ours at {n:,} rows: {t_full:.2f} s (statsmodels not run at this size)")
    Xp, yp = X[:peer_rows], y[:peer_rows]
    t_ours, p_ours, se_ours, ll_ours = ours(Xp, yp)
    t_sm, p_sm, se_sm, ll_sm = statsmodels_fit(Xp, yp)
    print(f"  {peer_rows:,} rows: ours {t_ours:.2f} s, statsmodels OrderedModel {t_sm:.2f} s, "
          f"ratio ours / statsmodels = {t_ours / t_sm:.3f}")
    gap = abs(ll_ours - ll_sm) / abs(ll_sm)
    params_gap = np.max(np.abs(p_ours - p_sm))
    se_gap = np.max(np.abs(se_ours / se_sm - 1))
    print(f"  same optimum: log-likelihood relative difference {gap:.1e} (ours {ll_ours:.6f}, "
          f"statsmodels {ll_sm:.6f}); max |Δparams| {params_gap:.1e}, max |ΔSE| / SE "
          f"{se_gap:.1e}")


if __name__ == "__main__":
    main()
