"""Property tests on random input (docs/errors.md): the library fails cleanly or not at all.

- ``fit`` on random finite X and binary y ends with finite coefficients (ConvergenceWarning
  and SeparationWarning allowed) or raises ValueError; never a NumPy RuntimeWarning (the
  pytest configuration turns those into errors) and never another exception;
- ``predict_proba`` lies in [0, 1] with rows summing to 1;
- ``persist.load`` on random bytes raises ModelFileError only;
- ``data.read_table`` on random bytes raises DataError only (or returns a DataFrame).
"""

from __future__ import annotations

import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logistic import LogisticRegression
from logistic.exceptions import ConvergenceWarning, DataError, ModelFileError, SeparationWarning
from logistic.io.data import read_table
from logistic.io.model_file import load

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples every run: no flaky failures
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def problems(draw, bound: float):
    """(X, y): 2..8 rows, 1..3 columns of finite floats in [-bound, bound], both classes."""
    m = draw(st.integers(2, 8))
    d = draw(st.integers(1, 3))
    X = draw(
        hnp.arrays(
            np.float64,
            (m, d),
            elements=st.floats(-bound, bound, allow_nan=False, allow_infinity=False),
        )
    )
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=m, max_size=m)))
    y[0], y[1] = 0, 1  # both classes
    return X, y


def check_fit(X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", SeparationWarning)
        warnings.simplefilter("error", RuntimeWarning)
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            try:
                model = LogisticRegression(max_iter=50).fit(X, y)
            except ValueError:
                return
            assert np.all(np.isfinite(model.coef_)), model.coef_
            assert np.all(np.isfinite(model.intercept_)), model.intercept_
            proba = model.predict_proba(X)
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)


@FUZZ
@given(problems(bound=1e6))
def test_fit_moderate_magnitudes(problem):
    check_fit(*problem)


@FUZZ
@given(problems(bound=1e300))
@example((np.array([[1e300, -1e300], [-1e300, 1e300], [5e299, 1e300]]), np.array([0, 1, 0])))
def test_fit_any_magnitude(problem):
    check_fit(*problem)


@FUZZ
@given(st.binary(max_size=200))
def test_load_random_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("model") / "model.json"
    path.write_bytes(data)
    with pytest.raises(ModelFileError):
        load(path)


@pytest.mark.slow
@FUZZ
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8")))
def test_read_table_random_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("table") / "data.csv"
    path.write_bytes(data)
    try:
        frame = read_table(path)
    except DataError:
        return
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) > 0 and len(frame.columns) > 0
