"""The multinomial's fast paths (issue 20, part 2): the Hessian by class pairs × column
pairs (``softmax_hessian``'s pairs route, its products kept or chunked), and the softmax
cross-entropy's compiled pass (``softmax_kernels``).

References: the Hessian's blocks written out class pair by class pair from the defining
formula X̃ᵀ diag(s̃ ⊙ ŷₖ(δₖₗ - ŷₗ)) X̃; SciPy's ``logsumexp`` and ``softmax`` for the loss
and its gradient; scikit-learn's multinomial LogisticRegression for whole fits.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import logsumexp
from scipy.special import softmax as scipy_softmax
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from logistic import LogisticRegression
from logistic.core.losses import softmax_cross_entropy, weighted_softmax_cross_entropy


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kept", [True, False])
def test_the_pairs_hessian_matches_its_blocks_written_out(fit_intercept, kept, monkeypatch,
                                                          softmax_hessian_case):
    """10 classes on 12 columns (K ≤ r: the pairs route); the pair products kept for the
    fit, or formed again in 64 KiB chunks so that the rows take several."""
    monkeypatch.setattr("logistic.core.softmax_hessian._CHUNK_BYTES", 2**16)
    if not kept:
        monkeypatch.setattr("logistic.core.softmax_hessian._KEPT_PRODUCT_ENTRIES", 0)
    rng = np.random.default_rng(4)
    X = rng.normal(size=(1500, 12)) * rng.uniform(0.1, 10.0, size=12)
    objective, theta, expected = softmax_hessian_case(rng, X, 10, 0.01, fit_intercept, 0.1)
    for _ in range(2):  # the second Hessian reuses the kept X̃ (and products)
        H = objective.hessian(theta)
        np.testing.assert_allclose(H, expected, rtol=0, atol=1e-13 * np.abs(expected).max())
        np.testing.assert_array_equal(H, H.T)


def scores_and_targets(n, K, seed=0):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, K)) * 8.0
    Z[0] = [1e300] + [0.0] * (K - 1)  # finite but far apart: e^-1e300 underflows to 0
    return Z, np.eye(K)[rng.integers(K, size=n)], rng.random(n)


def test_the_compiled_pass_matches_scipys_logsumexp_and_softmax():
    Z, Y, weights = scores_and_targets(20_000, 10)  # n·K = 2e5: the compiled pass
    value, gradient = softmax_cross_entropy.value_and_gradient(Y, Z)
    expected_value = logsumexp(Z, axis=1) - (Y * Z).sum(axis=1)
    np.testing.assert_allclose(value, expected_value, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(gradient, scipy_softmax(Z, axis=1) - Y, rtol=0, atol=1e-15)
    total, weighted = weighted_softmax_cross_entropy(Y, Z, weights)
    assert total == pytest.approx(float(weights @ expected_value), rel=1e-13)
    np.testing.assert_allclose(weighted, weights[:, None] * (scipy_softmax(Z, axis=1) - Y),
                               rtol=0, atol=1e-15)


def test_a_row_of_infinite_scores_takes_the_numpy_rule():
    """A score of +inf: the compiled pass reports the row, and NumPy's rule (probability 1
    at the infinite score, not NaN) decides, as for small inputs."""
    Z, Y, _ = scores_and_targets(20_000, 10)
    Z[5] = [np.inf] + [0.0] * 9
    with np.errstate(invalid="ignore"):  # the loss there is inf - inf: NaN, as before
        _, gradient = softmax_cross_entropy.value_and_gradient(Y, Z)
        small = softmax_cross_entropy.value_and_gradient(Y[:10], Z[:10])[1]  # NumPy's path
    np.testing.assert_array_equal(gradient[5], small[5])
    assert gradient[5, 0] == 1.0 - Y[5, 0]


def sampled_labels(X, K, rng, scale=1.0):
    W = rng.normal(size=(K, X.shape[1])) * scale
    Z = np.asarray(X @ W.T)
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    return (rng.random((X.shape[0], 1)) > np.cumsum(P, axis=1)).sum(axis=1)


def objective_value(X, y, coef, intercept, C):
    """f = mean multinomial log-loss + ‖W‖²/(2·C·n): both libraries' objective."""
    Z = np.asarray(X @ coef.T) + intercept
    loss = logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]
    return float(loss.mean() + (coef**2).sum() / (2 * C * len(y)))


def dense_workload(rng):  # 200,000 × 50 × 10 in small: L-BFGS by shape
    # 8,000 rows: just past MULTINOMIAL_NEWTON_WORK (n·510² > 2e9 from 7,690 rows), where
    # auto leaves Newton; the peer's Newton Hessians cost n·510², so no more rows than that
    X = rng.normal(size=(8_000, 50))
    return X, sampled_labels(X, 10, rng, 2.0 / np.sqrt(50)), 1.0


def text_workload(rng):  # 20-class sparse text in small: truncated Newton (newton-cg)
    # 20 words a row, as at 7,000 × 2,000; 8,020 parameters are still far past Newton's
    # limit for any n, and the peer's L-BFGS-B steps cost O(parameters) each
    X = sp.random(3_000, 400, density=0.05, random_state=rng, format="csr")
    X.data = np.log1p(rng.poisson(2.0, size=X.nnz) + 1.0)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.csr_matrix(sp.diags(1.0 / np.maximum(norms, 1e-12)) @ X)
    return X, sampled_labels(X, 20, rng, 3.0), 1.0


def digits_like_workload(rng):  # digits' shape in small: Newton by shape, the pairs route
    X = np.floor(rng.uniform(0, 17, size=(1_200, 40)) * rng.random(40))
    return X, sampled_labels(X, 10, rng, 0.05), 0.1


@pytest.mark.slow
@pytest.mark.parametrize("workload, solver, peer, atol", [
    (digits_like_workload, "newton", "newton-cholesky", 1e-6),
    (dense_workload, "lbfgs", "newton-cholesky", 1e-6),
    # 8,020 parameters: no Hessian for the peer either. The penalty's curvature 1/(C·n)
    # = 3.3e-4 is all that bounds some rare words' coefficients, so ‖∇J‖∞ ≤ 1e-8 (and the
    # peer's 1e-12 through scipy's L-BFGS-B) pins them to about 1e-5, not 1e-6
    (text_workload, "newton-cg", "lbfgs", 1e-5),
])
def test_auto_converges_at_the_default_max_iter_and_matches_scikit_learn(workload, solver,
                                                                          peer, atol):
    """``auto`` at max_iter=100 on small versions of issue 20's three multinomial shapes:
    converged, the solver chosen by shape, the coefficients (centred, as scikit-learn's
    multinomial ones are) to 1e-6 and the objective to 1e-10 of scikit-learn's at tight
    tolerance."""
    X, y, C = workload(np.random.default_rng(7))
    ours = LogisticRegression(penalty="l2", C=C, tol=1e-8).fit(X, y)
    default = LogisticRegression(penalty="l2", C=C).fit(X, y)
    assert default.solver_ == solver and default.converged_ and default.n_iter_[0] <= 100
    theirs = SkLogisticRegression(C=C, solver=peer, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=atol)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=0, atol=atol)
    f_ours = objective_value(X, y, ours.coef_, ours.intercept_, C)
    f_theirs = objective_value(X, y, theirs.coef_, theirs.intercept_, C)
    assert f_ours <= f_theirs * (1 + 1e-10)
