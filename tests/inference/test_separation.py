"""Separation at any size: single columns, combinations, multinomial, the summary's marks.

Every reported direction is checked here by NumPy alone (``assert_certificate``): its
margins on every row of positive weight are ≥ 0 up to the rounding of the row's own terms,
and > 0 on some row; the rows expected to be separated are counted from the data. Where a
peer is the reference, statsmodels' unpenalized fit shows the same divergence (huge
coefficients or standard errors) without saying so.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm

from logistic import LogisticRegression, SeparationWarning
from logistic.inference.separation import find_separation, single_feature_separators

DATASETS = Path(os.environ.get(
    "LOGISTIC_DATASETS", Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"))


def margins(X, labels, direction, fit_intercept=True):
    """(m, size): per row of X and other class k, zᵢ,yᵢ - zᵢₖ of the direction's scores and
    Σ|terms| (what rounding is relative to); the binary direction is class 1's row."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    D = np.atleast_2d(direction)
    if D.shape[0] == 1:
        D = np.vstack([np.zeros_like(D), D])
    Xt = np.column_stack([X, np.ones(len(X))]) if fit_intercept else X
    Z, R = Xt @ D.T, np.abs(Xt) @ np.abs(D).T
    labels = np.asarray(labels, dtype=int)
    rows = np.arange(len(X))
    m = Z[rows, labels][:, None] - Z
    size = R[rows, labels][:, None] + R
    others = np.arange(D.shape[0])[None, :] != labels[:, None]
    return np.where(others, m, np.inf), np.where(others, size, 0.0)


def assert_certificate(X, labels, found, weights=None, fit_intercept=True, complete=False):
    """The reported direction separates: every margin ≥ -1e-9·size, some > 1e-6·size (all,
    for complete separation); returns the number of samples with a positive margin."""
    m, size = margins(X, labels, found.direction, fit_intercept)
    kept = np.ones(len(m), dtype=bool) if weights is None else np.asarray(weights) > 0
    m, size = m[kept], size[kept]
    assert np.all(m >= -1e-9 * size)
    other = np.isfinite(m)  # the sample's own class is no constraint
    positive = ((m > 1e-9 * size) & other).any(axis=1)
    assert ((m > 1e-6 * size) & other).any()
    if complete:
        assert np.all((m > 1e-9 * size) | ~other)
    return int(positive.sum())


def fit(X, y, **params):
    sample_weight = params.pop("sample_weight", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = LogisticRegression(**params).fit(X, y, sample_weight=sample_weight)
    found = [str(w.message) for w in caught if issubclass(w.category, SeparationWarning)]
    return model, found


# -- one column, beyond the size the programs used to stop at -----------------------------------
def one_column_data(n=250_000, seed=0):
    """Six Gaussian columns driving the labels, a rare indicator whose rows are all class 0
    (covtype's soil types), a column at a threshold t = 5 for most rows and beyond it only
    in class 1, below it only in class 0 (ties at t in both), and a column set in one row
    only (a9a's x123)."""
    rng = np.random.default_rng(seed)
    X = np.zeros((n, 9))
    X[:, :6] = rng.standard_normal((n, 6))
    y = rng.random(n) < 1 / (1 + np.exp(-(X[:, :6] @ rng.standard_normal(6))))
    X[:, 6] = rng.random(n) < 0.01
    y[X[:, 6] == 1] = False
    X[:, 7] = 5.0
    off = rng.random(n) < 0.02
    X[off, 7] = np.where(y[off], rng.uniform(5, 9, off.sum()), rng.uniform(0, 5, off.sum()))
    X[123, 8] = 1.0
    return X, y.astype(int)


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_single_columns_are_found_and_certified_at_any_size(layout):
    X, y = one_column_data()
    assert X.shape[0] * (X.shape[1] + 1) > 2_000_000  # where the programs used to stop
    data = sp.csr_matrix(X) if layout == "csr" else X
    model, found = fit(data, y)
    assert len(found) == 1 and "Quasi-complete" in found[0]
    assert set(model.separation_.features) == {6, 7, 8}
    assert set(model.separation_.names) == {"x7", "x8", "x9"}
    separated = (X[:, 6] == 1) | (X[:, 7] != 5.0) | (X[:, 8] == 1)
    assert assert_certificate(X, y, model.separation_) == separated.sum()
    assert model.separation_.n_separated == separated.sum()


def test_a_constant_column_is_no_separator():
    # every value of one class ≤ every value of the other holds for a constant column too,
    # but moving along it changes no margin
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.standard_normal(500), np.full(500, 3.0), np.zeros(500)])
    y = rng.random(500) < 0.5
    assert single_feature_separators(X, y) == []
    assert single_feature_separators(sp.csr_matrix(X), y) == []
    model, found = fit(X, y)
    assert found == [] and model.separation_ is None


def test_without_an_intercept_only_threshold_zero_separates():
    rng = np.random.default_rng(2)
    x = rng.uniform(1, 4, 400)
    y = x > 2.5  # a threshold at 2.5: complete separation with an intercept only
    _, found = fit(x[:, None], y)
    assert found and "Complete" in found[0]
    model, found = fit(x[:, None], y, fit_intercept=False)
    assert found == [] and model.separation_ is None
    reference = sm.Logit(y.astype(float), x[:, None]).fit(disp=0)  # finite without one
    np.testing.assert_allclose(model.coef_[0], reference.params, rtol=1e-6)
    # x ≥ 0 on class 1 and x ≤ 0 on class 0 (zeros in both): separated through the origin
    signed = np.where(rng.random(400) < 0.3, 0.0, np.where(y, x, -x))
    model, found = fit(signed[:, None], y, fit_intercept=False)
    assert found and model.separation_.features == (0,)
    n = assert_certificate(signed[:, None], y, model.separation_, fit_intercept=False)
    assert n == np.count_nonzero(signed)


def test_rows_of_weight_zero_do_not_count():
    rng = np.random.default_rng(3)
    x = rng.standard_normal(500)
    y = rng.random(500) < 1 / (1 + np.exp(-x))
    flag = np.zeros(500)
    flag[:21] = 1
    y[:20] = True
    y[20] = False  # the one row that breaks the flag's separation
    X = np.column_stack([x, flag])
    model, found = fit(X, y)
    assert found == [] and model.separation_ is None
    weights = np.ones(500)
    weights[20] = 0.0
    model, found = fit(X, y, sample_weight=weights)
    assert found and model.separation_.features == (1,)
    assert assert_certificate(X, y, model.separation_, weights) == 20


def test_a_column_fitted_rescaled_gets_its_direction_in_its_own_units():
    # a column of size 1e300 is fitted as a power-of-two multiple (scaling.py): the
    # direction must still hold for the data as given
    rng = np.random.default_rng(4)
    x = rng.standard_normal(400)
    flag = (rng.random(400) < 0.1).astype(float)
    y = np.where(flag == 1, 1, rng.random(400) < 1 / (1 + np.exp(-x))).astype(int)
    X = np.column_stack([x, flag * 1e300])
    model, found = fit(X, y)
    assert found and model.separation_.features == (1,)
    assert model.separation_.direction[1] == pytest.approx(1e-300)
    assert assert_certificate(X, y, model.separation_) == flag.sum()


def test_a_rare_indicator_of_both_classes_is_not_reported():
    # the near miss: 3 rows, 2 of class 0 and 1 of class 1: a large standard error, but the
    # maximum-likelihood estimate exists (statsmodels converges to the same finite value)
    X, y = one_column_data(n=20_000, seed=4)
    X, y = X[:, :6].copy(), y.copy()
    rare = np.zeros(len(y))
    rare[:3] = 1
    y[:3] = [0, 0, 1]
    X = np.column_stack([X, rare])
    model, found = fit(X, y)
    assert found == [] and model.separation_ is None
    reference = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    assert reference.mle_retvals["converged"]
    np.testing.assert_allclose(model.coef_[0], reference.params[1:], rtol=1e-5, atol=1e-6)


# -- combinations of columns --------------------------------------------------------------------
def on_a_line(n, seed=1, extra=2):
    """Half the rows on x1 + x2 = 0 with either label; off it the side decides."""
    rng = np.random.default_rng(seed)
    x1 = rng.standard_normal(n)
    on_line = rng.random(n) < 0.5
    x2 = np.where(on_line, -x1, rng.standard_normal(n))
    y = np.where(on_line, rng.random(n) < 0.5, x1 + x2 > 0)
    return np.column_stack([x1, x2, rng.standard_normal((n, extra))]), y.astype(int), on_line


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_a_combination_is_found_beyond_one_program(layout):
    # 200,000 rows × 11 unknowns: beyond the 2,000,000 entries where the programs used to
    # stop, and beyond one program's 500,000, so the search starts from the rows the fit
    # points at and verifies on all of them
    X, y, on_line = on_a_line(200_000, extra=8)
    assert single_feature_separators(X, y) == []
    model, found = fit(sp.csr_matrix(X) if layout == "csr" else X, y)
    assert found and "Quasi-complete" in found[0]
    separation = model.separation_
    assert not separation.complete and set(separation.features) == {0, 1}
    assert separation.direction[0] == pytest.approx(separation.direction[1], rel=1e-9)
    assert np.all(separation.direction[2:] == 0)
    assert assert_certificate(X, y, separation) == np.count_nonzero(~on_line)


@pytest.mark.slow
def test_complete_separation_the_fit_leaves_unfinished_is_certified():
    # the fit stops with one row on the wrong side; further Newton steps separate all
    rng = np.random.default_rng(6)
    X = rng.standard_normal((300_000, 6))  # 2,100,000 entries with the intercept
    y = (X @ rng.standard_normal(6) > 0).astype(int)
    model, found = fit(X, y, max_iter=30)
    assert found and "Complete" in found[0] and model.separation_.complete
    assert assert_certificate(X, y, model.separation_, complete=True) == len(y)


def test_find_separation_decides_small_problems_exactly():
    X, y, on_line = on_a_line(400, seed=7)
    found = find_separation(X, y, np.ones(len(y)), True)
    assert assert_certificate(X, y, found) == np.count_nonzero(~on_line)
    rng = np.random.default_rng(8)
    overlapping = rng.standard_normal((400, 3))
    labels = rng.random(400) < 0.5
    assert find_separation(overlapping, labels, np.ones(400), True) is None


def reference_separation(X, y, fit_intercept=True) -> str:
    """An independent decision by two linear programs on mᵢ = sᵢ·x̃ᵢ·β: 'complete' where
    mᵢ ≥ 1 is feasible, 'quasi' where max Σᵢ mᵢ over -1 ≤ β ≤ 1 with mᵢ ≥ 0 is positive,
    else 'none'."""
    from scipy.optimize import linprog

    Xt = np.column_stack([X, np.ones(len(X))]) if fit_intercept else X
    A = Xt * np.where(y == 1, 1.0, -1.0)[:, None]
    strict = linprog(np.zeros(A.shape[1]), A_ub=-A, b_ub=-np.ones(len(A)), bounds=(None, None))
    if strict.status == 0:
        return "complete"
    result = linprog(-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(len(A)), bounds=(-1, 1))
    return "quasi" if -result.fun > 1e-7 else "none"


@pytest.mark.parametrize("seed", range(40))
def test_find_separation_and_the_fit_agree_with_a_reference_program(seed):
    # small integer data: ties, indicators and thresholds, separable or not by chance
    # (over these seeds and both intercept settings: 43 none, 19 quasi-complete, 18 complete)
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(8, 40)), int(rng.integers(1, 5))
    X = rng.integers(-2, 3, (n, d)).astype(float)
    y = (rng.random(n) < 1 / (1 + np.exp(-X @ rng.normal(0, 2, d)))).astype(int)
    if np.unique(y).size < 2:
        y[0] = 1 - y[0]
    for fit_intercept in (True, False):
        expected = reference_separation(X, y, fit_intercept)
        found = find_separation(X, y, np.ones(n), fit_intercept)
        screened = fit(X, y, fit_intercept=fit_intercept)[0].separation_
        for result in (found, screened):
            kind = "none" if result is None else "complete" if result.complete else "quasi"
            assert kind == expected
            if result is not None:
                assert_certificate(X, y, result, fit_intercept=fit_intercept)


# -- more than two classes ----------------------------------------------------------------------
def three_classes(n=3000, seed=4):
    """An indicator never set in class 0 (its rows rule class 0 out)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = rng.integers(0, 3, n)
    X[:, 1] = (rng.random(n) < 0.1) * (y != 0)
    return X, y


def test_multinomial_names_an_indicator_that_rules_a_class_out():
    X, y = three_classes()
    model, found = fit(X, y)
    assert found and "x2" in found[0]
    separation = model.separation_
    assert separation.features == (1,) and separation.direction.shape == (3, 4)
    assert assert_certificate(X, y, separation) == np.count_nonzero(X[:, 1])
    summary = model.summary()
    assert summary.separated == ("1: x2", "2: x2")
    assert "1: x2 †" in str(summary) and "† Quasi-complete" in summary.note
    # statsmodels' MNLogit: the same divergence, reported as a convergence problem at best
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0)
    assert np.all(np.abs(reference.params[2]) > 10) and np.all(reference.bse[2] > 100)
    assert np.all(np.abs(model.statistics_.std_err[[2, 6]]) > 10)


def test_multinomial_ordered_classes_are_completely_separated():
    rng = np.random.default_rng(9)
    y = rng.integers(0, 3, 900)
    X = np.column_stack([y + rng.uniform(0.05, 0.95, 900), rng.standard_normal(900)])
    model, found = fit(X, y)
    assert found and "Complete" in found[0] and model.separation_.features[0] == 0
    assert assert_certificate(X, y, model.separation_, complete=True) == 900


def test_one_vs_rest_screens_each_class():
    X, y = three_classes()
    model, found = fit(X, y, multi_class="ovr")
    assert found and model.separation_.direction.shape == (3, 4)
    against_rest = SimpleNamespace(direction=model.separation_.direction[0])  # class 0's
    n = assert_certificate(X, (y == 0).astype(int), against_rest)
    assert n == np.count_nonzero(X[:, 1])
    assert model.summary().separated == ("0: x2",)


def test_a_class_without_weight_is_separated_by_its_intercept():
    X, y = three_classes()
    weights = np.where(y == 2, 0.0, 1.0)
    model, _ = fit(X, y, sample_weight=weights)
    assert model.separation_.involved[2, -1]  # class 2's intercept falls forever
    assert assert_certificate(X, y, model.separation_, weights) > 0


# -- the summary --------------------------------------------------------------------------------
def test_summary_marks_the_separated_terms_and_keeps_the_table_index():
    rng = np.random.default_rng(4)
    x = rng.standard_normal(400)
    flag = (rng.random(400) < 0.1).astype(float)
    y = np.where(flag == 1, 1, rng.random(400) < 1 / (1 + np.exp(-x)))
    frame = pd.DataFrame({"dose": x, "smoker": flag})
    model, _ = fit(frame, y)
    summary = model.summary()
    assert summary.separated == ("smoker",) and summary.header["Separation"] == "quasi-complete"
    assert list(summary.table.index) == ["Intercept", "dose", "smoker"]
    text = str(summary)
    assert "smoker †" in text and "dose †" not in text
    assert "† Quasi-complete separation" in text and "smoker" in summary.note
    # the unseparated fit's summary has no marks
    plain, _ = fit(frame[["dose"]], y)
    assert plain.summary().separated == () and "†" not in str(plain.summary())


# -- the real data (optional) -----------------------------------------------------------
def _dataset(name):
    path = DATASETS / name
    if not path.exists():
        pytest.skip(f"{path} not present (set LOGISTIC_DATASETS)")
    return path


@pytest.mark.slow
def test_covtype_soil_types_are_reported():
    frame = pd.read_csv(_dataset("covtype_binary.csv.gz"))
    y = frame.pop("label").to_numpy()
    model, found = fit(frame, y)
    assert found
    names = set(model.separation_.names)
    assert {"Soil_Type1", "Soil_Type7", "Soil_Type15"} <= names
    for name in names:  # each a one-hot column whose rows all lie in one class
        assert frame[name].isin([0, 1]).all() and np.unique(y[frame[name] == 1]).size == 1
    assert assert_certificate(frame.to_numpy(float), y, model.separation_) == (
        frame[list(names)].sum(axis=1) > 0).sum()
    assert {"Soil_Type1", "Soil_Type7", "Soil_Type15"} <= set(model.summary().separated)


@pytest.mark.slow
def test_a9a_rare_columns_are_reported():
    from sklearn.datasets import load_svmlight_file

    X, y = load_svmlight_file(str(_dataset("a9a.gz")), n_features=123)
    y = (y > 0).astype(int)
    model, found = fit(X, y)
    assert found and "x123" in model.separation_.names
    assert np.asarray((X[:, 122] != 0).sum()) == 1
    assert assert_certificate(X, y, model.separation_) == model.separation_.n_separated


def test_the_cli_summary_marks_the_separated_terms(tmp_path, capsys):
    from logistic.cli.app import run

    rng = np.random.default_rng(4)
    x = rng.standard_normal(400)
    flag = (rng.random(400) < 0.1).astype(int)
    y = np.where(flag == 1, 1, rng.random(400) < 1 / (1 + np.exp(-x))).astype(int)
    pd.DataFrame({"dose": x, "smoker": flag, "y": y}).to_csv(tmp_path / "d.csv", index=False)
    code = run(["fit", str(tmp_path / "d.csv"), "--target", "y", "--out", str(tmp_path / "m")])
    out, err = capsys.readouterr()
    assert code == 0 and "Quasi-complete separation" in err
    assert "smoker †" in out and "dose †" not in out and "Separation" in out
