"""logistic.core.losses against mpmath (the seeds' formulas at high precision) and finite
differences.

Seed formulas used as references, with ŷ = σ(z) = 1/(1 + e^-z):
  cross-entropy   e = -y log ŷ - (1 - y) log(1 - ŷ),     de/dz = -(y - ŷ),   d²e/dz² = ŷ(1 - ŷ)
  squared error   E = ½(y - ŷ)²,                           dE/dz = -(y - ŷ)·σ'(z),
                  d²E/dz² = σ'(z)² - (y - ŷ)·σ''(z).
The mpmath evaluation is literal (1 - ŷ computed as 1 minus ŷ) with enough digits that nothing
cancels: 1 - ŷ ≈ e^-z needs about z/ln(10) digits, so |z|/2.3 + 60 digits are used.

Error measure: relative error where the reference is a normal float (≥ 2.2e-308), else an
absolute error ≤ 2.2e-308 (the smallest normal; below it float64 has only absolute resolution).
"""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistic.core import losses
from logistic.core.losses import LOSSES, cross_entropy, get_loss, squared_error

EPS = float(np.finfo(np.float64).eps)
TINY = float(np.finfo(np.float64).tiny)


# --- references ----------------------------------------------------------------------------------


def _digits(z: float) -> int:
    return int(abs(z) / 2.3) + 60


def _mp_parts(y: float, z: float):
    """(y, ŷ, 1 - ŷ, σ', σ'') in mpmath at the current precision, literally from the seeds."""
    y, z = mpmath.mpf(float(y)), mpmath.mpf(float(z))
    yhat = 1 / (1 + mpmath.exp(-z))
    one_minus = 1 - yhat
    d1 = mpmath.exp(-z) / (1 + mpmath.exp(-z)) ** 2
    d2 = (mpmath.exp(-z) - 1) * mpmath.exp(-z) / (1 + mpmath.exp(-z)) ** 3
    return y, yhat, one_minus, d1, d2


def ref_cross_entropy(y, z):
    with mpmath.workdps(_digits(z)):
        y, yhat, one_minus, _, _ = _mp_parts(y, z)
        # 0·log(0) never occurs: ŷ and 1 - ŷ are positive at this precision for |z| ≤ 1000
        return -y * mpmath.log(yhat) - (1 - y) * mpmath.log(one_minus)


def ref_cross_entropy_gradient(y, z):
    with mpmath.workdps(_digits(z)):
        y, yhat, _, _, _ = _mp_parts(y, z)
        return -(y - yhat)


def ref_cross_entropy_hessian(y, z):
    with mpmath.workdps(_digits(z)):
        _, yhat, one_minus, _, _ = _mp_parts(y, z)
        return yhat * one_minus


def ref_squared_error(y, z):
    with mpmath.workdps(_digits(z)):
        y, yhat, _, _, _ = _mp_parts(y, z)
        return (y - yhat) ** 2 / 2


def ref_squared_error_gradient(y, z):
    with mpmath.workdps(_digits(z)):
        y, yhat, _, d1, _ = _mp_parts(y, z)
        return -(y - yhat) * d1


def ref_squared_error_hessian(y, z):
    with mpmath.workdps(_digits(z)):
        y, yhat, _, d1, d2 = _mp_parts(y, z)
        return d1**2 - (y - yhat) * d2


def rel_or_abs_error(got, ref) -> tuple[str, float]:
    with mpmath.workdps(60):
        diff = abs(mpmath.mpf(float(got)) - ref)
        if abs(ref) >= TINY:
            return "rel", float(diff / abs(ref))
        return "abs", float(diff)


def assert_close(got, ref, rtol, context):
    assert np.isfinite(got), context
    kind, err = rel_or_abs_error(got, ref)
    bound = rtol if kind == "rel" else TINY
    assert err <= bound, f"{context}: got {float(got)!r}, want {mpmath.nstr(ref, 17)}: {kind} {err}"


def call(function, y, z):
    return function(np.asarray([y], dtype=np.float64), np.asarray([z], dtype=np.float64))[0]


# --- value against the seeds' cross-entropy -------------------------------------------------------

TAIL_Z = [-700.0, -100.0, -40.0, -37.5, -5.0, -1.0, -1e-10, 0.0, 1e-10, 1.0, 5.0, 37.5, 40.0,
          100.0, 700.0]  # fmt: skip


@pytest.mark.parametrize("z", TAIL_Z)
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_cross_entropy_value_matches_seed_formula_in_the_tails(y, z):
    assert_close(call(losses.cross_entropy_value, y, z), ref_cross_entropy(y, z), 1e-14, (y, z))


def test_cross_entropy_value_named_points():
    # a confident right answer costs e^-40 ≈ 4.25e-18, not 0; a confident wrong one costs |z|
    assert call(losses.cross_entropy_value, 1.0, 40.0) == pytest.approx(
        4.248354255291589e-18, rel=1e-14, abs=0
    )
    assert call(losses.cross_entropy_value, 0.0, -40.0) == pytest.approx(
        4.248354255291589e-18, rel=1e-14, abs=0
    )
    assert call(losses.cross_entropy_value, 0.0, 1000.0) == 1000.0
    assert call(losses.cross_entropy_value, 1.0, -1000.0) == 1000.0
    assert call(losses.cross_entropy_value, 0.5, 0.0) == pytest.approx(np.log(2), rel=1e-15, abs=0)


@settings(max_examples=300, deadline=None)
@given(z=st.floats(min_value=-700, max_value=700), y=st.sampled_from([0.0, 1.0]))
def test_cross_entropy_value_matches_seed_formula_hard_labels(y, z):
    assert_close(call(losses.cross_entropy_value, y, z), ref_cross_entropy(y, z), 1e-14, (y, z))


@settings(max_examples=300, deadline=None)
@given(z=st.floats(min_value=-700, max_value=700), y=st.floats(min_value=0, max_value=1))
def test_cross_entropy_value_matches_seed_formula_soft_labels(y, z):
    """For fractional y, e = softplus(z) - y·z depends on y with condition number |y·z| / e
    (large when y → 1 and z ≫ 0, where e ≈ (1 - y)·z is small). Forming y·z rounds once, an
    error of eps·|y·z|: the exact loss of a y perturbed by one ulp (backward stable). So the
    bound is 1e-14 relative plus 2·eps·|y·z|; for y ∈ {0, 1} the test above is purely relative."""
    got = call(losses.cross_entropy_value, y, z)
    ref = ref_cross_entropy(y, z)
    assert np.isfinite(got)
    with mpmath.workdps(60):
        err = float(abs(mpmath.mpf(float(got)) - ref))
    assert err <= 1e-14 * float(ref) + 2 * EPS * abs(y * z) + TINY, (y, z, got, ref)


# --- pointwise derivatives against mpmath ---------------------------------------------------------

CLOSED_FORMS = [
    (losses.cross_entropy_gradient, ref_cross_entropy_gradient),
    (losses.cross_entropy_hessian, ref_cross_entropy_hessian),
    (losses.squared_error_value, ref_squared_error),
    (losses.squared_error_gradient, ref_squared_error_gradient),
    (losses.squared_error_hessian, ref_squared_error_hessian),
]


@pytest.mark.parametrize(("function", "ref"), CLOSED_FORMS, ids=lambda f: f.__name__)
@settings(max_examples=200, deadline=None)
@given(z=st.floats(min_value=-700, max_value=700), y=st.sampled_from([0.0, 1.0]))
def test_pointwise_closed_forms_match_mpmath_hard_labels(function, ref, y, z):
    """With y ∈ {0, 1} the residual y - ŷ is σ(-z) or -σ(z): no cancellation, so every one of
    these is computable to a few ulps, tails included (σ(40) - 1 = -4.2e-18, not 0)."""
    expected = ref(y, z)
    got = call(function, y, z)
    if function is losses.squared_error_hessian:
        # σ'² - (y - ŷ)σ'' is a difference of two terms with a zero at z = ±log 2: relative
        # accuracy holds up to eps times the size of the terms, the sum's condition number.
        with mpmath.workdps(_digits(z)):
            _, yhat, _, d1, d2 = _mp_parts(y, z)
            size = float(d1**2 + abs((y - yhat) * d2))
            err = float(abs(mpmath.mpf(float(got)) - expected))
        assert err <= 1e-14 * float(abs(expected)) + 4 * EPS * size + TINY, (y, z)
    else:
        assert_close(got, expected, 1e-14, (function.__name__, y, z))


@pytest.mark.parametrize(
    ("y", "z"),
    [(0.0, 2.0), (1.0, 2.0), (0.3, -1.5), (0.7, 0.25), (1.0, -30.0), (0.0, 30.0), (0.5, 10.0)],
)
def test_squared_error_gradient_carries_the_sigma_prime_factor(y, z):
    """dE/dz = -(y - ŷ)·σ'(z), the seeds' g'(z) factor that cross-entropy cancels."""
    got = call(losses.squared_error_gradient, y, z)
    assert_close(got, ref_squared_error_gradient(y, z), 1e-13, (y, z))
    # the same closed form in plain NumPy: residual times σ'(z) = e^-z / (1 + e^-z)²
    residual = y - 1 / (1 + np.exp(-z))
    sigma_prime = np.exp(-z) / (1 + np.exp(-z)) ** 2
    assert got == pytest.approx(-residual * sigma_prime, rel=1e-12, abs=0)
    assert abs(got) <= 0.25 * abs(residual) * (1 + 1e-15)  # damped by σ' ≤ 1/4
    # ... which is what distinguishes it from the cross-entropy gradient -(y - ŷ)
    assert abs(got - -residual) > 0.5 * abs(residual)


def test_cross_entropy_gradient_keeps_its_digits_in_the_tails():
    """de/dz = -(y - ŷ): for y = 1, z = 40 that is -(1 - σ(40)) = -σ(-40) ≈ -4.25e-18, which
    σ(40) - 1 (= 1.0 - 1 in float64) loses entirely. The value keeps these digits
    (e = 4.25e-18); its derivative must too, as the squared error's residual already does."""
    tail = 4.248354255291589e-18  # σ(-40) = 1 - σ(40)
    assert call(losses.cross_entropy_gradient, 1.0, 40.0) == pytest.approx(-tail, rel=1e-14, abs=0)
    assert call(losses.cross_entropy_gradient, 0.0, -40.0) == pytest.approx(tail, rel=1e-14, abs=0)
    assert call(losses.cross_entropy_gradient, 1.0, 700.0) == pytest.approx(
        -float(ref_cross_entropy_hessian(1.0, 700.0)), rel=1e-14
    )  # σ(-700) ≈ σ'(700) ≈ 9.9e-305


def test_cross_entropy_hessian_does_not_depend_on_y():
    z = np.linspace(-50, 50, 101)
    for y in (0.0, 0.3, 1.0):
        np.testing.assert_array_equal(
            losses.cross_entropy_hessian(np.full_like(z, y), z),
            losses.cross_entropy_hessian(np.zeros_like(z), z),
        )


# --- derivatives against finite differences -------------------------------------------------------

H = 2.0**-10
label = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(min_value=0, max_value=1))


def assert_fd(derivative, function, y, z, central_difference, rtol=1e-6):
    """|f' - FD| ≤ rtol·|f'| + 8·eps·max|f|/h (rounding of the stencil) + h⁴ (truncation,
    h⁴/30·|f⁽⁵⁾| with |f⁽⁵⁾| < 30 for these losses)."""
    estimate, scale = central_difference(
        lambda t: function(np.full_like(t, y), t), np.array([z]), H
    )
    exact = call(derivative, y, z)
    atol = 8 * EPS * float(scale[0]) / H + H**4
    assert abs(exact - estimate[0]) <= rtol * abs(exact) + atol, (y, z, exact, estimate[0])


@pytest.mark.parametrize("loss", [cross_entropy, squared_error], ids=lambda loss: loss.name)
@settings(max_examples=200, deadline=None)
@given(z=st.floats(min_value=-30, max_value=30), y=label)
def test_gradient_is_the_slope_of_the_value(loss, y, z, central_difference):
    assert_fd(loss.gradient, loss.value, y, z, central_difference)


@pytest.mark.parametrize("loss", [cross_entropy, squared_error], ids=lambda loss: loss.name)
@settings(max_examples=200, deadline=None)
@given(z=st.floats(min_value=-30, max_value=30), y=label)
def test_hessian_is_the_slope_of_the_gradient(loss, y, z, central_difference):
    assert_fd(loss.hessian, loss.gradient, y, z, central_difference)


@pytest.mark.parametrize("loss", [cross_entropy, squared_error], ids=lambda loss: loss.name)
@pytest.mark.parametrize("y", [0.0, 1.0, 0.25, 0.5, 0.9])
def test_derivatives_match_finite_differences_on_a_grid(loss, y, central_difference):
    z = np.linspace(-12, 12, 481)
    yy = np.full_like(z, y)
    for derivative, function in ((loss.gradient, loss.value), (loss.hessian, loss.gradient)):
        estimate, scale = central_difference(lambda t, f=function: f(np.full_like(t, y), t), z, H)
        exact = derivative(yy, z)
        atol = 8 * EPS * scale / H + H**4
        np.testing.assert_array_less(np.abs(exact - estimate), 1e-6 * np.abs(exact) + atol)
        # and the estimate is informative: the derivative is not trivially inside the floor
        assert np.mean(np.abs(exact) > 100 * atol) > 0.5


# --- no warnings at extreme z --------------------------------------------------------------------


@pytest.mark.parametrize("loss", [cross_entropy, squared_error], ids=lambda loss: loss.name)
def test_extreme_scores_raise_no_warning(loss):
    big = float(np.finfo(np.float64).max)
    z = np.array([-big, -1e308, -1e4, -1000.0, -800.0, -745.0, -40.0, 0.0, 40.0, 745.0,
                  800.0, 1000.0, 1e4, 1e308, big])  # fmt: skip
    for y in (0.0, 1.0, 0.5, 0.2):
        yy = np.full_like(z, y)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(all="raise"):
                value, gradient = loss.value_and_gradient(yy, z)
                hessian = loss.hessian(yy, z)
        for out in (value, gradient, hessian):
            assert np.all(np.isfinite(out)), (loss.name, y, out)
        assert np.all(value >= 0)
    if loss is cross_entropy:
        # a confidently wrong prediction costs |z|, even at the largest float
        assert loss.value(np.array([1.0, 0.0]), np.array([-big, big])).tolist() == [big, big]


# --- the Loss object -----------------------------------------------------------------------------


@pytest.mark.parametrize("loss", [cross_entropy, squared_error], ids=lambda loss: loss.name)
def test_value_and_gradient_is_value_and_gradient(loss):
    rng = np.random.default_rng(3)
    z = rng.normal(scale=10, size=200)
    y = np.where(rng.random(200) < 0.3, rng.random(200), (rng.random(200) < 0.5).astype(float))
    value, gradient = loss.value_and_gradient(y, z)
    np.testing.assert_array_equal(value, loss.value(y, z))
    np.testing.assert_array_equal(gradient, loss.gradient(y, z))


def test_registry_and_convexity_flags():
    assert get_loss("cross_entropy") is cross_entropy
    assert get_loss("squared_error") is squared_error
    assert set(LOSSES) == {"cross_entropy", "squared_error"}
    assert cross_entropy.convex and not squared_error.convex
    # squared error on σ(z) really is non-convex: its second derivative changes sign
    z = np.linspace(-10, 10, 201)
    h = squared_error.hessian(np.zeros_like(z), z)
    assert h.min() < 0 < h.max()
    assert np.all(cross_entropy.hessian(np.zeros_like(z), z) > 0)


@pytest.mark.parametrize("name", ["nope", "", "Cross_Entropy", None, 3, ["cross_entropy"]])
def test_get_loss_rejects_unknown_names(name):
    with pytest.raises(ValueError, match="loss must be one of"):
        get_loss(name)
