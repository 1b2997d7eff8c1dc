"""logistic.solvers: newton, lbfgs and gd against each other and against independent optima
(scipy.optimize's trust-exact on a literal NumPy objective, statsmodels' Logit, scikit-learn's
LogisticRegression), plus their contract: SolverResult, the stop rule ‖∇J‖∞ ≤ tol, max_iter,
histories, callbacks, and behaviour on singular, separated and badly scaled problems.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse as sp
from solver_checks import assert_callback_saw_each_iteration

from logistic.core.linalg import solve_psd
from logistic.core.losses import squared_error
from logistic.core.objective import Objective
from logistic.core.penalties import L2Penalty
from logistic.solvers import SOLVERS, SolverResult, gradient_descent, lbfgs, newton

EPS = float(np.finfo(np.float64).eps)
#: "No warnings": overflow, division by zero and invalid operations raise; gradual underflow
#: (σ(z) - y of order 1e-320 on separated data) is NumPy's silent default and harmless.
QUIET = {"all": "raise", "under": "ignore"}


def dense64(X) -> np.ndarray:
    return np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)


def gd_learning_rate(X, intercept: bool, alpha: float) -> float:
    """1/L with L = ¼·λmax(AᵀA/m) + α ≥ the largest curvature of the cross-entropy objective
    (σ' ≤ ¼), A = [X, 1]: the step of the descent lemma, under which J decreases every step."""
    A = dense64(X)
    if intercept:
        A = np.column_stack([A, np.ones(A.shape[0])])
    return 1.0 / (0.25 * np.linalg.eigvalsh(A.T @ A / A.shape[0]).max() + alpha)


def run(name, objective, theta0, tol, X=None, **options):
    """One solver with defaults suited to these small problems (gd: step 1/L, many steps)."""
    if name == "gd":
        alpha = getattr(objective.penalty, "alpha", 0.0)
        options.setdefault("learning_rate", gd_learning_rate(X, objective.fit_intercept, alpha))
        options.setdefault("max_iter", 20_000)
    elif name == "lbfgs":
        options.setdefault("max_iter", 1000)
    else:
        options.setdefault("max_iter", 100)
    return SOLVERS[name](objective, theta0, tol=tol, **options)


def literal_optimum(X, y, intercept, alpha):
    """The minimizer of mean(softplus(z) - y·z) + α/2‖w‖² by scipy's trust-exact, with the
    gradient Aᵀ(σ - y)/m and Hessian AᵀDA/m written out in NumPy on float64 data."""
    A = dense64(X)
    if intercept:
        A = np.column_stack([A, np.ones(A.shape[0])])
    m, p = A.shape
    mask = np.ones(p)
    if intercept:
        mask[-1] = 0.0  # the intercept is not penalized

    def f(t):
        z = A @ t
        return np.mean(np.logaddexp(0, z) - y * z) + alpha / 2 * np.sum(mask * t * t)

    def g(t):
        return A.T @ (1 / (1 + np.exp(-(A @ t))) - y) / m + alpha * mask * t

    def h(t):
        s = 1 / (1 + np.exp(-(A @ t)))
        return A.T @ (A * (s * (1 - s))[:, None]) / m + alpha * np.diag(mask)

    theta = scipy.optimize.minimize(f, np.zeros(p), jac=g, hess=h, method="trust-exact",
                                    options={"gtol": 1e-10}).x  # fmt: skip
    for _ in range(3):  # polish with plain Newton steps, solved by LAPACK
        theta = theta - np.linalg.solve(h(theta), g(theta))
    assert np.max(np.abs(g(theta))) < 1e-13
    return theta, float(np.linalg.eigvalsh(h(theta)).min())


# --- the three solvers agree with each other and with scipy ---------------------------------------

LAYOUTS = ("C64", "F64", "C32", "csr", "csc", "csr32")
CASES = list(itertools.product(LAYOUTS, [True, False], [0.0, 0.05]))


@pytest.mark.parametrize(
    ("layout", "intercept", "alpha"),
    CASES,
    ids=[f"{lay}-{'b' if i else 'nob'}-{'l2' if a else 'nopen'}" for lay, i, a in CASES],
)
def test_solvers_reach_the_same_optimum(layout, intercept, alpha, make_data, to_layout):
    X, y = make_data(400, 4, seed=21)
    Xl = to_layout(X, layout)
    objective = Objective(Xl, y, penalty=L2Penalty(alpha) if alpha else None,
                          fit_intercept=intercept)  # fmt: skip
    single = layout.endswith("32")
    # float32 data: J is evaluated from z = Xw rounded to float32, a noise of ~1e-9 in J that
    # line searches cannot see through below ‖∇J‖ ≈ 1e-5 (see the float32 default-tol test)
    tol = 1e-5 if single else 1e-9
    theta0 = np.zeros(objective.n_params)
    results = {name: run(name, objective, theta0, tol, X=Xl) for name in ("newton", "lbfgs", "gd")}
    for name, result in results.items():
        assert isinstance(result, SolverResult)
        assert result.converged, (name, result.message)
        assert result.n_iter > 0
        assert np.all(np.isfinite(result.theta))
        assert np.max(np.abs(objective.gradient(result.theta))) <= tol, name  # the stop rule
        assert len(result.loss_history) == len(result.grad_norm_history) >= 2
    # Armijo / descent-lemma steps never increase J, up to J's own evaluation noise: a few ulps
    # in float64; for float32 data the float32 rounding of z (eps32 ≈ 6e-8 relative, |L'| ≤ 1)
    # bounds it by eps32·mean|z| + ... ≲ 1e-7·J here.
    slack = 1e-7 if single else 4 * EPS
    for name in ("newton", "gd"):
        history = np.array(results[name].loss_history)
        assert np.all(np.diff(history) <= slack * np.abs(history[1:])), name

    values = {name: objective.value(r.theta) for name, r in results.items()}
    best = min(values.values())
    for name, value in values.items():
        assert value <= best * (1 + 1e-8), (name, values)

    reference, lam_min = literal_optimum(Xl, y, intercept, alpha)
    # ‖θ - θ*‖∞ ≤ ‖∇J(θ)‖₂ / λmin(∇²J) ≤ √p·tol / λmin near the optimum (strong convexity), plus
    # for float32 the shift of the optimum by the float32 noise in ∇J (~1e-8 / λmin)
    atol = np.sqrt(reference.size) * tol / lam_min + (1e-6 if single else 1e-12)
    for name, result in results.items():
        np.testing.assert_allclose(result.theta, reference, rtol=0, atol=atol, err_msg=name)


def test_newton_matches_statsmodels_mle(make_data):
    import statsmodels.api as sm

    X, y = make_data(500, 5, seed=5)
    fit = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12, maxiter=100)
    result = newton(Objective(X, y), np.zeros(6), tol=1e-12)
    assert result.converged
    np.testing.assert_allclose(result.theta[:5], fit.params[1:], rtol=1e-8, atol=1e-10)
    assert result.theta[5] == pytest.approx(fit.params[0], rel=1e-8, abs=1e-10)
    assert result.loss_history[-1] == pytest.approx(-fit.llf / 500, rel=1e-12, abs=0)


@pytest.mark.parametrize("C", [0.1, 10.0])
@pytest.mark.parametrize("solver", ["newton", "lbfgs", "gd"])
def test_l2_solution_matches_sklearn(C, solver, make_data):
    from sklearn.linear_model import LogisticRegression

    X, y = make_data(300, 4, seed=8)
    model = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=100).fit(X, y)
    objective = Objective(X, y, penalty=L2Penalty(1.0 / (C * len(y))))
    # L-BFGS's line search compares values of J ≈ 0.6, resolved to ~1e-16: it cannot certify
    # decreases below ‖∇J‖ ≈ 1e-9, so it gets a looser tolerance
    tol = 1e-8 if solver == "lbfgs" else 1e-9
    result = run(solver, objective, np.zeros(5), tol, X=X)
    assert result.converged
    reference = np.append(model.coef_.ravel(), model.intercept_)
    np.testing.assert_allclose(result.theta, reference, rtol=0, atol=100 * tol)


def test_newton_reaches_a_tight_tolerance_on_well_conditioned_problems(make_data):
    """Newton converges quadratically and ∇J is computed to ~1e-16 here, so ‖∇J‖∞ ≤ 1e-12 is
    within reach on every one of these 40 small, well-conditioned problems."""
    failures = []
    for seed in range(20):
        X, y = make_data(300, 4, seed=seed)
        for alpha in (0.0, 1.0 / 30):
            objective = Objective(X, y, penalty=L2Penalty(alpha) if alpha else None)
            result = newton(objective, np.zeros(5), tol=1e-12, max_iter=30)
            norm = np.max(np.abs(objective.gradient(result.theta)))
            if not (result.converged and norm <= 1e-12):
                failures.append((seed, alpha, result.n_iter, norm, result.message))
    assert not failures, failures


class _CountingObjective(Objective):
    """An Objective that counts the Hessians a solver forms."""

    hessians = 0

    def hessian(self, theta, features=None, *, exact=True):
        self.hessians += 1
        return super().hessian(theta, features, exact=exact)


@pytest.mark.parametrize("alpha", [0.0, 1e-3])
def test_newton_keeps_its_hessian_near_the_optimum_and_reaches_the_same_point(alpha, make_data):
    """The chord steps (H of an earlier iterate) need fewer Hessians than a fresh H at every
    iterate, stop at the same ‖∇J‖∞ ≤ tol and reach the same optimum (both to tol 1e-12,
    so they agree to rounding); without reuse every iteration forms its own H."""
    X, y = make_data(4000, 40, seed=3)
    runs = {}
    for reuse in (True, False):
        objective = _CountingObjective(X, y, penalty=L2Penalty(alpha) if alpha else None)
        result = newton(objective, np.zeros(41), tol=1e-12, max_iter=50, reuse_hessian=reuse)
        assert result.converged
        assert np.max(np.abs(objective.gradient(result.theta))) <= 1e-12
        runs[reuse] = (result, objective.hessians)
    (kept, kept_hessians), (fresh, fresh_hessians) = runs[True], runs[False]
    assert fresh_hessians == fresh.n_iter
    assert kept_hessians < fresh_hessians <= kept.n_iter
    np.testing.assert_allclose(kept.theta, fresh.theta, rtol=0, atol=1e-9)


@pytest.mark.parametrize("layout", ["C32", "F32", "csr32", "csc32"])
@pytest.mark.parametrize("solver", ["newton", "lbfgs", "gd"])
def test_default_tolerance_is_reached_on_float32_data(layout, solver, make_data, to_layout):
    """tol = 1e-6 (the default) on a well-conditioned float32 problem: ∇J can be computed to
    ~1e-8 from float32 data, so every solver must get there and say converged."""
    X, y = make_data(400, 4, seed=21)
    X32 = to_layout(X, layout)
    objective = Objective(X32, y)
    result = run(solver, objective, np.zeros(5), 1e-6, X=X32)
    norm = np.max(np.abs(objective.gradient(result.theta)))
    assert result.converged and norm <= 1e-6, (result.message, norm)


def test_newton_on_the_non_convex_squared_error_reaches_a_stationary_point(make_data):
    """Where the Hessian is indefinite Newton falls back to steepest descent; it must still end
    at a point where the gradient vanishes, the same one L-BFGS finds from the same start."""
    X, y = make_data(300, 3, seed=2)
    objective = Objective(X, y, loss=squared_error)
    r_newton = newton(objective, np.zeros(4), tol=1e-9, max_iter=500)
    r_lbfgs = lbfgs(objective, np.zeros(4), tol=1e-9, max_iter=2000)
    assert r_newton.converged and r_lbfgs.converged
    assert np.max(np.abs(objective.gradient(r_newton.theta))) <= 1e-9
    assert np.all(np.diff(r_newton.loss_history) <= 0)
    np.testing.assert_allclose(r_newton.theta, r_lbfgs.theta, atol=1e-6)


# --- the stop rule and max_iter -----------------------------------------------------------------


@pytest.mark.parametrize("tol", [1e-4, 1e-8, 1e-12, 1e-14])
@pytest.mark.parametrize("solver", ["newton", "lbfgs", "gd"])
def test_converged_means_gradient_max_norm_below_tol(solver, tol, make_data):
    """'converged' is the stop rule ‖∇J(θ)‖∞ ≤ tol at the returned θ, whatever the tolerance
    (a solver that cannot reach a tiny tol must say converged=False, not stop on another rule)."""
    X, y = make_data(300, 4, seed=1)
    objective = Objective(X, y)
    result = run(solver, objective, np.zeros(5), tol, X=X, max_iter=3000)
    norm = np.max(np.abs(objective.gradient(result.theta)))
    if result.converged:
        assert norm <= tol, (solver, tol, norm, result.message)
    if tol >= 1e-8:
        assert result.converged, (solver, tol, result.message)


@pytest.mark.parametrize("solver", ["newton", "lbfgs", "gd"])
def test_max_iter_zero_returns_the_start(solver, make_data):
    X, y = make_data(200, 3, seed=4)
    objective = Objective(X, y)
    theta0 = np.array([0.5, -0.5, 0.25, 0.1])
    result = run(solver, objective, theta0.copy(), 1e-8, X=X, max_iter=0)
    np.testing.assert_array_equal(result.theta, theta0)
    assert result.n_iter == 0
    assert not result.converged
    assert result.loss_history[-1] == pytest.approx(objective.value(theta0), rel=1e-15, abs=0)


@pytest.mark.parametrize("solver", ["newton", "lbfgs", "gd"])
def test_max_iter_zero_at_the_optimum_is_converged(solver, make_data):
    X, y = make_data(200, 3, seed=4)
    objective = Objective(X, y)
    optimum = newton(objective, np.zeros(4), tol=1e-13).theta
    assert np.max(np.abs(objective.gradient(optimum))) <= 1e-13
    result = run(solver, objective, optimum.copy(), 1e-8, X=X, max_iter=0)
    assert result.converged
    np.testing.assert_array_equal(result.theta, optimum)


# --- singular, separated and badly scaled problems ------------------------------------------------


def test_newton_splits_duplicate_columns_evenly_and_matches_statsmodels(make_data):
    import statsmodels.api as sm

    X, y = make_data(400, 3, seed=13)
    Xdup = np.column_stack([X[:, 0], X[:, 0], X[:, 1:]])  # XᵀDX is exactly singular
    objective = Objective(Xdup, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(**QUIET):
            result = newton(objective, np.zeros(5), tol=1e-10)
    assert result.converged
    assert np.all(np.isfinite(result.theta))
    w1, w2 = result.theta[:2]
    assert abs(w1 - w2) <= 1e-8
    fit = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12, maxiter=100)
    assert w1 + w2 == pytest.approx(fit.params[1], rel=1e-7, abs=0)
    np.testing.assert_allclose(result.theta[2:4], fit.params[2:], rtol=1e-7)
    assert result.theta[4] == pytest.approx(fit.params[0], rel=1e-7, abs=1e-10)


@pytest.mark.parametrize("max_iter", [5, 100])
def test_newton_on_separated_data_stays_finite_and_quiet(max_iter):
    rng = np.random.default_rng(17)
    X = rng.standard_normal((120, 2))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(float)  # perfectly separable: no finite MLE
    objective = Objective(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(**QUIET):
            result = newton(objective, np.zeros(3), max_iter=max_iter)
    assert result.n_iter <= max_iter
    assert np.all(np.isfinite(result.theta))
    assert all(np.isfinite(result.loss_history))
    assert np.all(np.diff(result.loss_history) <= 0)
    if max_iter == 100:
        # far out along a separating direction the steps keep their length while δ falls
        # geometrically: the fit ends there, before max_iter, with J at its infimum 0 to
        # within 1e-4 and the next Newton step still long (the estimator's separation cue)
        assert result.converged and "no finite minimum" in result.message
        assert result.n_iter < 30
        z = X @ result.theta[:2] + result.theta[2]
        assert np.all((z > 0) == (y == 1)), "the separating direction is found"
        assert result.loss_history[-1] < 1e-4
        step, _ = solve_psd(objective.hessian(result.theta), objective.gradient(result.theta))
        assert np.max(np.abs(step)) > 1.0


def _badly_scaled(make_data):
    X, y = make_data(200, 3, seed=6)
    X[:, 0] *= 1e150
    return X, y


def test_gd_with_an_absurd_learning_rate_stops_with_a_message_and_finite_theta(make_data):
    X, y = _badly_scaled(make_data)
    objective = Objective(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # warning hygiene is tested separately below
        with np.errstate(all="ignore"):
            result = gradient_descent(objective, np.zeros(4), learning_rate=1e10, max_iter=100)
    assert not result.converged
    assert "learning_rate" in result.message
    assert np.all(np.isfinite(result.theta))
    assert result.n_iter < 100
    assert all(np.isfinite(result.loss_history))


def test_gd_with_an_absurd_learning_rate_raises_no_floating_point_warning(make_data):
    """The rejected step overflows z = Xw; the solver detects that and stops, so the overflow
    is expected and must not escape as a RuntimeWarning (which this project's pytest
    configuration turns into an error)."""
    X, y = _badly_scaled(make_data)
    objective = Objective(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = gradient_descent(objective, np.zeros(4), learning_rate=1e10, max_iter=100)
    assert "learning_rate" in result.message
    assert np.all(np.isfinite(result.theta))


# --- histories and callbacks ----------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["newton", "lbfgs", "gd"])
def test_callback_sees_increasing_iterations_and_the_current_state(solver, make_data):
    X, y = make_data(300, 4, seed=3)
    objective = Objective(X, y, penalty=L2Penalty(0.01))
    calls = []

    def callback(iteration, state):
        calls.append((iteration, dict(state, theta=np.array(state["theta"], copy=True))))

    result = run(solver, objective, np.zeros(5), 1e-8, X=X, callback=callback)
    assert result.converged
    assert_callback_saw_each_iteration(calls, result, objective)


def test_gd_is_lecture_gradient_descent(make_data):
    """Two steps of θ ← θ - η∇J written out from the seeds' gradient -(1/m)Σ(y - ŷ)x."""
    X, y = make_data(100, 2, seed=9)
    eta = 0.7
    theta = np.zeros(3)
    for _ in range(2):
        yhat = 1 / (1 + np.exp(-(X @ theta[:2] + theta[2])))
        grad = np.append(-(X.T @ (y - yhat)) / 100, -np.sum(y - yhat) / 100)
        theta = theta - eta * grad
    result = gradient_descent(Objective(X, y), np.zeros(3), learning_rate=eta, max_iter=2, tol=0)
    assert result.n_iter == 2 and not result.converged
    np.testing.assert_allclose(result.theta, theta, rtol=1e-13, atol=1e-15)


def test_newton_stops_at_the_floating_point_floor_instead_of_running_to_max_iter():
    """tol = 0 cannot be met; once J stops changing and ‖∇J‖ stops shrinking for three
    steps Newton says so, instead of taking max_iter rounding-noise steps."""
    import statsmodels.api as sm

    data = sm.datasets.spector.load_pandas()
    objective = Objective(data.exog.to_numpy(), data.endog.to_numpy())
    result = newton(objective, np.zeros(objective.n_params), max_iter=1000, tol=0.0)
    assert not result.converged and "stalled at the floating-point floor" in result.message
    assert result.n_iter < 30
    # it did reach the optimum to rounding: statsmodels' coefficients to 1e-10
    reference = sm.Logit(data.endog, sm.add_constant(data.exog)).fit(disp=0, tol=1e-14)
    np.testing.assert_allclose(np.roll(result.theta, 1), reference.params, rtol=1e-10)


@pytest.mark.parametrize("layout", ["C64", "csr"])
def test_lbfgs_preconditioned_by_the_hessian_diagonal_reaches_the_optimum_sooner(
    layout, make_data, to_layout
):
    """Columns whose scales differ by 10⁴: L-BFGS in u = θ ⊙ √diag ∇²J(θ₀) needs fewer
    iterations than in θ, stops on the same rule ‖∇θJ‖∞ ≤ tol (in θ's units), and lands on
    the literal optimum."""
    X, y = make_data(500, 4, seed=5)
    X = X * np.array([1e-2, 1.0, 10.0, 100.0])
    Xl = to_layout(X, layout)
    objective = Objective(Xl, y, penalty=L2Penalty(0.01))
    theta0 = np.zeros(objective.n_params)
    tol = 1e-7
    plain = lbfgs(objective, theta0, tol=tol, max_iter=5000, precondition=False)
    scaled = lbfgs(objective, theta0, tol=tol, max_iter=5000)
    assert plain.converged and scaled.converged
    assert scaled.n_iter < plain.n_iter / 2, (scaled.n_iter, plain.n_iter)
    assert np.max(np.abs(objective.gradient(scaled.theta))) <= tol
    assert scaled.grad_norm_history[-1] <= tol  # the history is in θ's units too
    reference, lam_min = literal_optimum(Xl, y, True, 0.01)
    atol = np.sqrt(reference.size) * tol / lam_min
    np.testing.assert_allclose(scaled.theta, reference, rtol=0, atol=atol)
    np.testing.assert_allclose(plain.theta, reference, rtol=0, atol=atol)
