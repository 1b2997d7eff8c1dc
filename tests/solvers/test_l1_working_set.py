"""The L1 solver's working set on wide data: at most as many KKT violators join per step as
the solution has nonzeros (``newton_cd._working_set``), and no step on part of the violators
ends the fit. Checked against glum's IRLS-CD at tight tolerance (same objective) and against
the KKT conditions written out from scratch."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from glum import GeneralizedLinearRegressor

from logistic import LogisticRegression

# the module (the package re-exports its function under the same name)
newton_cd = importlib.import_module("logistic.solvers.newton_cd")


@pytest.fixture(scope="module")
def wide_text():
    """300 × 800 sparse counts (3% dense), labels from 20 of the columns: at w = 0 about 400
    columns violate their KKT condition at C = 0.3, more than the room of 256."""
    rng = np.random.default_rng(7)
    X = sp.random(300, 800, density=0.03, format="csr", rng=rng,
                  data_rvs=lambda k: rng.poisson(2.0, k) + 1.0)
    beta = np.zeros(800)
    beta[:20] = rng.normal(0.0, 1.5, 20)
    z = X @ beta - 0.5
    y = (rng.random(300) < 1.0 / (1.0 + np.exp(-z))).astype(float)
    return X, y


def glum_fit(X, y, C, l1_ratio, fit_intercept):
    """glum on mean log-loss + α(ρ‖w‖₁ + ½(1-ρ)‖w‖²), α = 1/(C·n) (its deviance/2n)."""
    model = GeneralizedLinearRegressor(
        family="binomial", alpha=1.0 / (C * X.shape[0]), l1_ratio=l1_ratio,
        gradient_tol=1e-12, max_iter=1000, fit_intercept=fit_intercept,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # line-search notes near the optimum
        return model.fit(X, y)


def kkt(X, y, coef, intercept, C, l1_ratio, fit_intercept):
    """(worst KKT violation, λ₁): g = Xᵀ(σ(Xw + b) - y)/n + α(1-ρ)w, α = 1/(C·n), λ₁ = αρ;
    |gⱼ| ≤ λ₁ where wⱼ = 0, gⱼ = -λ₁·sign(wⱼ) elsewhere, Σ(σ - y) = 0 with an intercept."""
    n = X.shape[0]
    alpha = 1.0 / (C * n)
    r = 1.0 / (1.0 + np.exp(-(X @ coef + intercept))) - y
    g = X.T @ r / n + alpha * (1.0 - l1_ratio) * coef
    lam = alpha * l1_ratio
    violation = np.where(coef == 0, np.maximum(np.abs(g) - lam, 0.0),
                         np.abs(g + lam * np.sign(coef)))
    worst = max(violation.max(), abs(r.mean()) if fit_intercept else 0.0)
    return worst, lam


def objective(X, y, coef, intercept, C, l1_ratio):
    z = X @ coef + intercept
    penalty = l1_ratio * np.abs(coef).sum() + 0.5 * (1.0 - l1_ratio) * coef @ coef
    return np.mean(np.logaddexp(0.0, z) - y * z) + penalty / (C * X.shape[0])


@pytest.mark.parametrize("room", [5, newton_cd._WORKING_SET_ROOM])
@pytest.mark.parametrize(("l1_ratio", "fit_intercept"), [(1.0, True), (0.5, True),
                                                         (1.0, False)])
def test_capped_working_set_reaches_glums_optimum(wide_text, monkeypatch, room, l1_ratio,
                                                  fit_intercept):
    X, y = wide_text
    C = 0.3
    monkeypatch.setattr(newton_cd, "_WORKING_SET_ROOM", room)
    penalty = "l1" if l1_ratio == 1.0 else "elasticnet"
    ours = LogisticRegression(penalty, C=C, l1_ratio=None if l1_ratio == 1.0 else l1_ratio,
                              tol=1e-10, fit_intercept=fit_intercept).fit(X, y)
    coef, intercept = ours.coef_[0], ours.intercept_[0] if fit_intercept else 0.0
    # the cap is in force: at w = 0 more columns violate their condition than may join
    start_violation, lam = kkt(X, y, np.zeros(X.shape[1]), np.log(y.mean() / (1 - y.mean()))
                               if fit_intercept else 0.0, C, l1_ratio, fit_intercept)
    r0 = (y.mean() if fit_intercept else 0.5) - y
    assert np.count_nonzero(np.abs(X.T @ r0 / X.shape[0]) > lam) > room
    assert start_violation > 0
    theirs = glum_fit(X, y, C, l1_ratio, fit_intercept)
    np.testing.assert_allclose(coef, theirs.coef_, atol=1e-6)
    np.testing.assert_allclose(intercept, theirs.intercept_, atol=1e-6)
    ours_F = objective(X, y, coef, intercept, C, l1_ratio)
    theirs_F = objective(X, y, theirs.coef_, theirs.intercept_, C, l1_ratio)
    assert ours_F <= theirs_F * (1 + 1e-9)
    worst, lam = kkt(X, y, coef, intercept, C, l1_ratio, fit_intercept)
    assert worst <= 1e-6 * lam
    assert 20 <= np.count_nonzero(coef) < 300  # sparse, not trivially so


def test_loose_tolerance_still_takes_every_violator_in(wide_text, monkeypatch):
    """With a tolerance any step meets, the fit may end only after a step whose working set
    held every violator: a tiny room forces many partial steps first."""
    X, y = wide_text
    monkeypatch.setattr(newton_cd, "_WORKING_SET_ROOM", 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = LogisticRegression("l1", C=0.3, tol=1e3).fit(X, y)
    tight = glum_fit(X, y, 0.3, 1.0, True)
    ours_F = objective(X, y, ours.coef_[0], ours.intercept_[0], 0.3, 1.0)
    best_F = objective(X, y, tight.coef_, tight.intercept_, 0.3, 1.0)
    # the working set grows 5 → 10 → 20 …: stopping at a partial step would leave most of
    # the ~150 nonzeros out and F far above its minimum
    assert np.count_nonzero(ours.coef_) >= 0.9 * np.count_nonzero(tight.coef_)
    assert ours_F - best_F <= 1e-3 * best_F
