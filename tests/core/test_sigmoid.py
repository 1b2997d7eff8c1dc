"""logistic.core.sigmoid against independent references.

References: mpmath at 50 significant digits evaluating the seeds' formulas literally
(σ = 1/(1+e^-z), σ' = e^-z/(1+e^-z)², σ'' = (e^-z - 1)e^-z/(1+e^-z)³, d/dz log σ = e^-z/(1+e^-z),
d/dz log(1-σ) = -1/(1+e^-z)), fourth-order central finite differences, and the seeds' limits.

Error measure, used everywhere below. With `tiny` the smallest *normal* float of the dtype:
  * if |reference| ≥ tiny: relative error |got - ref| / |ref| ≤ rtol;
  * otherwise (the true value is subnormal or underflows): absolute error |got - ref| ≤ tiny,
    because below tiny the format itself has only absolute resolution (2^-1074 for float64)
    and no relative bound is attainable.
Over [-700, 700] all eight functions are ≥ e^-700 ≈ 9.9e-305 > tiny in magnitude except σ''
near its zero at z = 0 (σ''(z) ≈ -z/8), so the floor is only active for |z| ≲ 8·tiny ≈ 1.8e-307.
"""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistic.core import sigmoid as S

F64 = np.finfo(np.float64)
F32 = np.finfo(np.float32)

# --- the seeds' formulas in mpmath -----------------------------------------------------------
# e^-z - 1 is written expm1(-z) and log(1 + t) log1p(t) only so that 50 digits suffice for every
# |z| (near z = 0, e^-z - 1 would otherwise cancel below 1e-50); they are the same formulas.


def _e(z):
    return mpmath.exp(-z)


REFERENCES = {
    "sigmoid": lambda z: 1 / (1 + _e(z)),
    "sigmoid_derivative": lambda z: _e(z) / (1 + _e(z)) ** 2,
    "sigmoid_second_derivative": lambda z: mpmath.expm1(-z) * _e(z) / (1 + _e(z)) ** 3,
    "log_sigmoid": lambda z: -mpmath.log1p(_e(z)),
    "log_sigmoid_derivative": lambda z: _e(z) / (1 + _e(z)),
    # log(1 - σ) = log(e^-z / (1 + e^-z)) = -log(1 + e^z), the last form free of cancellation
    "log_one_minus_sigmoid": lambda z: -mpmath.log1p(mpmath.exp(z)),
    "log_one_minus_sigmoid_derivative": lambda z: -1 / (1 + _e(z)),
    "softplus": lambda t: mpmath.log1p(mpmath.exp(t)),
}
NAMES = sorted(REFERENCES)


def reference(name: str, z: float) -> mpmath.mpf:
    with mpmath.workdps(50):
        return REFERENCES[name](mpmath.mpf(float(z)))


def error(got, ref: mpmath.mpf, tiny: float) -> tuple[str, float]:
    """('rel', relative error) where ref is a normal float, else ('abs', absolute error)."""
    with mpmath.workdps(50):
        diff = abs(mpmath.mpf(float(got)) - ref)
        if abs(ref) >= tiny:
            return "rel", float(diff / abs(ref))
        return "abs", float(diff)


def assert_matches_reference(name, z, got, rtol, tiny):
    assert np.isfinite(got), (name, z, got)
    kind, err = error(got, reference(name, z), tiny)
    bound = rtol if kind == "rel" else tiny
    assert err <= bound, f"{name}({z!r}) = {got!r}: {kind} error {err:.3g} > {bound:.3g}"


# --- accuracy against mpmath -------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=300, deadline=None)
@given(z=st.floats(min_value=-700, max_value=700))
def test_float64_matches_mpmath(name, z):
    got = getattr(S, name)(z)
    assert got.dtype == np.float64
    assert_matches_reference(name, z, got, 1e-14, F64.tiny)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=300, deadline=None)
@given(z=st.floats(min_value=-80, max_value=80, width=32))
def test_float32_matches_mpmath(name, z):
    z32 = np.float32(z)
    got = getattr(S, name)(z32)
    assert got.dtype == np.float32
    # 1e-6 is about 8 float32 ulps (2^-24 ≈ 6e-8): a few roundings inside expf/log1pf/tanhf.
    assert_matches_reference(name, float(z32), got, 1e-6, F32.tiny)


def _grid():
    rng = np.random.default_rng(12345)
    small = 2.0 ** -np.arange(1, 1075, 7)  # down to the smallest subnormal, for σ'' near 0
    return np.concatenate(
        [
            np.linspace(-700, 700, 1401),
            rng.uniform(-40, 40, 400),
            small,
            -small,
            [0.0, -0.0, 36.7, -36.7, 37.5, -37.5, 40.0, -40.0],
        ]
    )


@pytest.mark.parametrize(
    ("dtype", "limit", "rtol"), [(np.float64, 700.0, 1e-14), (np.float32, 80.0, 1e-6)]
)
@pytest.mark.parametrize("name", NAMES)
def test_array_path_matches_mpmath_on_grid(name, dtype, limit, rtol):
    """The vectorized path on a fixed grid, including arguments that are powers of two down to
    2^-1074 (σ'' = -z/8 + O(z³) there: relative accuracy must hold while σ'' is normal)."""
    z = _grid()
    z = z[np.abs(z) <= limit].astype(dtype)
    finfo = np.finfo(dtype)
    got = getattr(S, name)(z)
    assert got.dtype == dtype and got.shape == z.shape
    for zi, gi in zip(z, got, strict=True):
        assert_matches_reference(name, float(zi), gi, rtol, finfo.tiny)


# --- no warnings, no NaN/inf, dtype kept ----------------------------------------------------


def _extremes(dtype):
    finfo = np.finfo(dtype)
    big = 1e308 if dtype == np.float64 else 3e38
    values = [
        -float(finfo.max), -big, -1e4, -1000.0, -800.0, -745.2, -709.8, -89.0, -40.0, -1.0,
        -float(finfo.tiny), -1e-300 if dtype == np.float64 else -1e-37, -0.0, 0.0,
        1e-300 if dtype == np.float64 else 1e-37, float(finfo.tiny), 1.0, 40.0, 89.0, 709.8, 745.2,
        800.0, 1000.0, 1e4, big, float(finfo.max),
    ]  # fmt: skip
    return np.array(values, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_extreme_inputs_raise_no_warning_and_stay_finite(name, dtype):
    function = getattr(S, name)
    z = _extremes(dtype)
    assert np.all(np.isfinite(z))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            out = function(z)
            scalars = [function(zi) for zi in z]
            python_floats = [function(float(zi)) for zi in z] if dtype == np.float64 else []
    assert out.dtype == dtype
    assert np.all(np.isfinite(out)), dict(zip(z.tolist(), out.tolist(), strict=True))
    for zi, si, oi in zip(z, scalars, out, strict=True):
        assert si.dtype == dtype
        assert np.isfinite(si)
        assert si == oi or (np.isnan(si) and np.isnan(oi)), (zi, si, oi)
    for pi, oi in zip(python_floats, out[: len(python_floats)], strict=True):
        assert pi == oi


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_subnormal_inputs_raise_no_warning(name, dtype):
    """Subnormal z are finite floats too: no underflow (or any other) floating-point error may
    escape, and the results are the limits at 0 up to the absolute floor tiny."""
    finfo = np.finfo(dtype)
    k = np.arange(1, 40)
    z = np.concatenate([k * finfo.smallest_subnormal, -k * finfo.smallest_subnormal]).astype(dtype)
    z = np.concatenate([z, (np.array([0.5, 1.0, 3.0, 7.5, 9.0]) * finfo.tiny).astype(dtype)])
    function = getattr(S, name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            out = function(z)
            scalars = [function(zi) for zi in z]
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, np.array(scalars, dtype=dtype))
    for zi, oi in zip(z, out, strict=True):
        assert_matches_reference(
            name, float(zi), oi, 1e-14 if dtype == np.float64 else 1e-6, finfo.tiny
        )


@pytest.mark.parametrize("name", NAMES)
def test_integer_input_becomes_float64(name):
    z = np.arange(-5, 6)
    out = getattr(S, name)(z)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, getattr(S, name)(z.astype(np.float64)))


def test_extreme_values_are_the_right_limits():
    for big in (1e308, float(F64.max)):
        assert S.sigmoid(big) == 1.0 and S.sigmoid(-big) == 0.0
        assert S.log_sigmoid(-big) == -big  # log σ(z) = z - log1p(e^z) = z
        assert S.softplus(big) == big
        assert S.log_sigmoid(big) == 0.0
        assert S.log_one_minus_sigmoid(big) == -big
        assert S.sigmoid_derivative(big) == 0.0 and S.sigmoid_derivative(-big) == 0.0
        assert S.sigmoid_second_derivative(big) == 0.0
        assert S.sigmoid_second_derivative(-big) == 0.0
    big32 = np.float32(3e38)
    assert S.sigmoid(big32) == np.float32(1) and S.sigmoid(-big32) == np.float32(0)
    assert S.log_sigmoid(-big32) == -big32


# --- the points the issue names ---------------------------------------------------------------


def test_log_sigmoid_minus_1000_is_exact():
    assert S.log_sigmoid(-1000.0) == -1000.0


def test_log_sigmoid_40_keeps_its_digits():
    got = float(S.log_sigmoid(40.0))
    assert got != 0.0
    assert abs(got - -4.248354255291589e-18) <= 1e-14 * 4.248354255291589e-18
    assert_matches_reference("log_sigmoid", 40.0, got, 1e-14, F64.tiny)


def test_sigmoid_minus_800_is_zero_or_subnormal():
    got = float(S.sigmoid(-800.0))
    assert not np.isnan(got)
    assert got == 0.0 or 0.0 < got < F64.tiny
    # The truth, e^-800 ≈ 3.7e-348, is below the smallest subnormal (4.9e-324).
    assert reference("sigmoid", -800.0) < F64.smallest_subnormal


def test_limits_zero_half_one():
    assert S.sigmoid(0.0) == 0.5
    assert S.sigmoid(-0.0) == 0.5
    assert S.sigmoid(40.0) == 1.0  # 1 - 4.2e-18 rounds to 1
    assert S.sigmoid(800.0) == 1.0
    assert S.sigmoid(-800.0) == 0.0
    assert 0.0 < S.sigmoid(-40.0) < 1e-17
    assert S.sigmoid(np.float32(0)) == np.float32(0.5)
    z = np.arange(-1000, 1001) * 0.75
    s = S.sigmoid(z)
    assert np.all(np.diff(s) >= 0), "σ is non-decreasing"
    assert np.all((s >= 0) & (s <= 1))


def test_sigmoid_derivative_peaks_at_zero_with_one_quarter():
    z = np.arange(-100_000, 100_001) * 1e-4  # contains 0.0 exactly
    d = S.sigmoid_derivative(z)
    k = int(np.argmax(d))
    assert z[k] == 0.0
    assert d[k] == 0.25
    assert S.sigmoid_derivative(0.0) == 0.25
    assert np.count_nonzero(d == 0.25) == 1
    assert np.all(np.diff(d[: k + 1]) >= 0) and np.all(np.diff(d[k:]) <= 0)


def test_sigmoid_derivative_vanishes_at_infinity():
    assert S.sigmoid_derivative(800.0) == 0.0
    assert S.sigmoid_derivative(-800.0) == 0.0
    assert S.sigmoid_second_derivative(800.0) == 0.0
    assert S.sigmoid_second_derivative(-800.0) == 0.0


def test_sigmoid_second_derivative_is_zero_at_zero_with_the_right_signs():
    assert S.sigmoid_second_derivative(0.0) == 0.0
    z = np.linspace(1e-6, 50, 1001)
    assert np.all(S.sigmoid_second_derivative(z) < 0)
    assert np.all(S.sigmoid_second_derivative(-z) > 0)


# --- the seeds' identities as properties --------------------------------------------------------

EPS = F64.eps
moderate = st.floats(min_value=-30, max_value=30)
wide = st.floats(min_value=-700, max_value=700)
H = 2.0**-10  # finite-difference step: exactly representable


def assert_derivative_matches_fd(derivative, function, z, central_difference, rtol=1e-6):
    """|f'(z) - FD| ≤ rtol·|f'(z)| + rounding + truncation, with the rounding term
    1.5·eps·max|f|/h bounded generously by 8·eps·max|f|/h and the truncation term
    h⁴/30·|f⁽⁵⁾| ≤ h⁴ (every function here has |f⁽⁵⁾| < 30)."""
    estimate, scale = central_difference(function, np.array([z]), H)
    exact = float(derivative(z))
    atol = 8 * EPS * float(scale[0]) / H + H**4
    assert abs(exact - estimate[0]) <= rtol * abs(exact) + atol, (z, exact, estimate[0], atol)


@settings(max_examples=400, deadline=None)
@given(z=wide)
def test_symmetry_sigma_of_minus_z_is_one_minus_sigma(z):
    # 1 - σ(z) is computed with one rounding (≤ eps/2) of a value whose own error is ≤ eps/2.
    assert abs(float(S.sigmoid(-z)) - (1.0 - float(S.sigmoid(z)))) <= EPS
    assert S.sigmoid_derivative(-z) == S.sigmoid_derivative(z)
    assert S.sigmoid_second_derivative(-z) == -S.sigmoid_second_derivative(z)
    assert S.log_one_minus_sigmoid(z) == S.log_sigmoid(-z)
    assert S.log_sigmoid(z) == -S.softplus(-z)


@settings(max_examples=300, deadline=None)
@given(z=moderate)
def test_sigmoid_derivative_is_sigma_one_minus_sigma_and_the_slope_of_sigma(z, central_difference):
    s = float(S.sigmoid(z))
    # 1 - s has an absolute error ≤ eps/2 (that of s) + eps/4 (its rounding); the product ≤ 1.
    assert abs(float(S.sigmoid_derivative(z)) - s * (1.0 - s)) <= EPS
    assert_derivative_matches_fd(S.sigmoid_derivative, S.sigmoid, z, central_difference)


@settings(max_examples=300, deadline=None)
@given(z=moderate)
def test_sigmoid_second_derivative_is_the_slope_of_sigma_prime(z, central_difference):
    s = float(S.sigmoid(z))
    assert abs(float(S.sigmoid_second_derivative(z)) - s * (1 - s) * (1 - 2 * s)) <= EPS
    assert_derivative_matches_fd(
        S.sigmoid_second_derivative, S.sigmoid_derivative, z, central_difference
    )


@settings(max_examples=300, deadline=None)
@given(z=moderate)
def test_derivative_of_log_sigmoid_is_one_minus_sigma(z, central_difference):
    assert abs(float(S.log_sigmoid_derivative(z)) - (1.0 - float(S.sigmoid(z)))) <= EPS
    assert_derivative_matches_fd(S.log_sigmoid_derivative, S.log_sigmoid, z, central_difference)


@settings(max_examples=300, deadline=None)
@given(z=moderate)
def test_derivative_of_log_one_minus_sigmoid_is_minus_sigma(z, central_difference):
    assert S.log_one_minus_sigmoid_derivative(z) == -S.sigmoid(z)
    assert_derivative_matches_fd(
        S.log_one_minus_sigmoid_derivative, S.log_one_minus_sigmoid, z, central_difference
    )


@settings(max_examples=300, deadline=None)
@given(t=moderate)
def test_derivative_of_softplus_is_sigma(t, central_difference):
    assert_derivative_matches_fd(S.sigmoid, S.softplus, t, central_difference)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_finite_difference_identities_on_a_grid(dtype, central_difference):
    """The same identities, vectorized over a grid, in both float types (σ'' checked with
    the looser float32 epsilon for float32 input)."""
    z = np.linspace(-20, 20, 801).astype(dtype)
    eps = float(np.finfo(dtype).eps)
    h = 2.0**-6 if dtype == np.float32 else H
    pairs = [
        (S.sigmoid_derivative, S.sigmoid),
        (S.sigmoid_second_derivative, S.sigmoid_derivative),
        (S.log_sigmoid_derivative, S.log_sigmoid),
        (S.log_one_minus_sigmoid_derivative, S.log_one_minus_sigmoid),
        (S.sigmoid, S.softplus),
    ]
    for derivative, function in pairs:
        exact = derivative(z).astype(np.float64)
        # evaluate f in the tested dtype: the stencil points are rounded to dtype first
        estimate, scale = central_difference(
            lambda x, f=function: f(np.asarray(x, dtype=dtype)), z.astype(np.float64), h
        )
        # float32: the stencil points x ± kh are rounded to float32 (error ≤ eps32·|x|/2),
        # which shifts each f value by ≤ |f'|·eps32·|x|/2: a further eps·|x|·max|f'|/h term.
        atol = 8 * eps * scale / h + h**4 + eps * np.abs(z) * np.max(np.abs(exact)) / h
        rtol = 1e-6 if dtype == np.float64 else 1e-3
        np.testing.assert_array_less(np.abs(exact - estimate), rtol * np.abs(exact) + atol)
