"""Issue 22, library side: finite answers for every finite input, no crashes, no hangs, no
half-fitted models.

References: scipy's own ``check_format`` (that a sparse matrix is corrupt), the dense fit
(that a valid sparse one fits the same), closed forms (the ridge solution at C → 0, the
scale invariance of the unpenalized maximum-likelihood estimate, the L1 optimality
conditions), exact rational arithmetic (``fractions``) for scores of rows near 1e308, and
single-threaded results for the threaded ones. Each test is a row of docs/errors.md.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import threading
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from logistic import LogisticRegression, LogisticRegressionCV
from logistic.cli import app as cli
from logistic.exceptions import DataError, ModelFileError
from logistic.fitting.path import logistic_path
from logistic.io.model_file import load
from logistic.models.network import SigmoidNetwork


def make_data(m=60, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, d))
    y = (X[:, 0] + rng.standard_normal(m) > 0).astype(np.int64)
    return X, y


def three_classes(m=60, seed=0):
    X, _ = make_data(m, 2, seed)
    rng = np.random.default_rng(seed + 1)
    return X, np.digitize(X[:, 1] + rng.standard_normal(m), [-0.5, 0.5])


def quiet_fit(model, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y, **kwargs)


# -- 2. corrupt sparse X: an error, never a crash ----------------------------------------------
CORRUPT_SPARSE_SCRIPT = textwrap.dedent(
    """
    import json, warnings
    import numpy as np, scipy.sparse as sp
    from logistic import LogisticRegression, LogisticRegressionCV
    from logistic.exceptions import DataError
    from logistic.fitting.path import logistic_path
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3)); y = (X[:, 0] > 0).astype(int)

    def corrupt(kind):
        S = sp.csr_matrix(X)
        if kind == "index-beyond": S.indices[3] = 10
        if kind == "index-minus-one": S.indices[3] = -1
        if kind == "indptr-decreasing": S.indptr[5] = 1000
        if kind == "indptr-beyond-nnz": S.indptr[-1] = 10**6
        if kind == "indptr-short": S.indptr = S.indptr[:-1]
        if kind == "csc-row-beyond":
            S = sp.csc_matrix(X); S.indices[0] = 99
        return S

    fitted = LogisticRegression().fit(X, y)
    uses = {
        "fit": lambda S: LogisticRegression().fit(S, y),
        "fit-l1": lambda S: LogisticRegression(penalty="l1").fit(S, y),
        "fit-firth": lambda S: LogisticRegression(penalty="firth").fit(S, y),
        "predict": lambda S: fitted.predict_proba(S),
        "cv": lambda S: LogisticRegressionCV(Cs=2, cv=2).fit(S, y),
        "path": lambda S: logistic_path(S, y, Cs=[1.0]),
    }
    results = {}
    for kind in ("index-beyond", "index-minus-one", "indptr-decreasing",
                 "indptr-beyond-nnz", "indptr-short", "csc-row-beyond"):
        try:
            corrupt(kind).check_format(full_check=True)
            scipy_says = "valid"
        except ValueError:
            scipy_says = "corrupt"
        for use, call in uses.items():
            try:
                call(corrupt(kind)); outcome = "no error"
            except DataError as error:
                outcome = "DataError: " + str(error)
            results[kind + "/" + use] = [scipy_says, outcome]
    print(json.dumps(results))
    """
)


@pytest.mark.slow
def test_corrupt_sparse_indices_raise_data_error_in_every_entry_point():
    """In a subprocess: a crash (abort, segfault) fails this test instead of pytest."""
    run = subprocess.run([sys.executable, "-c", CORRUPT_SPARSE_SCRIPT], capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    results = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(results) == 36
    for case, (scipy_says, outcome) in results.items():
        assert scipy_says == "corrupt", case  # scipy's full check agrees it is corrupt
        assert outcome.startswith("DataError: X is a corrupt sparse matrix"), (case, outcome)


@pytest.mark.parametrize("variant", ["int64-indices", "explicit-zeros", "unsorted"])
def test_valid_unusual_sparse_fits_as_dense(variant):
    X, y = make_data()
    X[X < -1] = 0.0
    S = sp.csr_matrix(X)
    if variant == "int64-indices":
        S.indices, S.indptr = S.indices.astype(np.int64), S.indptr.astype(np.int64)
    elif variant == "explicit-zeros":
        S = sp.csr_matrix(X + 0.0)
        S.data[::4] = 0.0
        X = S.toarray()
    else:  # each row's entries stored in reverse column order
        for row in range(S.shape[0]):
            lo, hi = S.indptr[row], S.indptr[row + 1]
            S.indices[lo:hi], S.data[lo:hi] = S.indices[lo:hi][::-1], S.data[lo:hi][::-1]
        S.has_sorted_indices = False
    dense = quiet_fit(LogisticRegression(), X, y)
    sparse = quiet_fit(LogisticRegression(), S, y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-8)


# -- 3. tiny C: a fit that ends, with the closed-form answer -----------------------------------
def ridge_limit(X, y, C):
    """As C → 0, scikit-learn's C·Σeᵢ + ½‖w‖² has w = C·Xᵀ(y - ȳ) + O(C²) (b at the
    log-odds of ȳ, where the gradient of the data term is Xᵀ(σ(b) - y))."""
    return C * (X.T @ (y - y.mean()))


@pytest.mark.parametrize("C", [1e-200, 1e-300, 1e-310])
def test_tiny_C_gives_the_ridge_limit(C):
    X, y = make_data()
    model = quiet_fit(LogisticRegression(penalty="l2", C=C), X, y)
    assert model.converged_ and model.n_iter_[0] <= model.max_iter
    rtol = 1e-6 if C > 1e-300 else 1e-3  # 1e-310·x is subnormal: fewer digits
    np.testing.assert_allclose(model.coef_.ravel(), ridge_limit(X, y, C), rtol=rtol)
    assert model.intercept_[0] == pytest.approx(np.log(y.mean() / (1 - y.mean())), rel=1e-9)


@pytest.mark.parametrize("penalty", ["l2", "l1", "elasticnet"])
def test_smallest_C_ends_with_zero_coefficients(penalty):
    X, y = make_data()
    model = quiet_fit(LogisticRegression(penalty=penalty, C=5e-324,
                                         l1_ratio=0.5 if penalty == "elasticnet" else None), X, y)
    assert model.n_iter_[0] <= model.max_iter
    assert np.all(np.abs(model.coef_) < 1e-300)  # 0 to every normal digit (the α cap)
    assert model.intercept_[0] == pytest.approx(np.log(y.mean() / (1 - y.mean())), rel=1e-9)


def test_tiny_Cs_in_cross_validation_and_the_path():
    X, y = make_data()
    cv = quiet_fit(LogisticRegressionCV(Cs=[1e-310, 1.0]), X, y)
    direct = quiet_fit(LogisticRegression(penalty="l2", C=float(cv.C_[0])), X, y)
    np.testing.assert_allclose(cv.coef_, direct.coef_, rtol=1e-6)
    path = logistic_path(X, y, Cs=[1e-310, 5e-324, 1.0], penalty="l2")
    assert np.all(np.isfinite(path.coefs))
    np.testing.assert_allclose(path.coefs[0, :3], ridge_limit(X, y, 1e-310), rtol=1e-3)
    at_one = quiet_fit(LogisticRegression(penalty="l2", C=1.0), X, y)
    np.testing.assert_allclose(path.coefs[2, :3], at_one.coef_.ravel(), rtol=1e-5)


@pytest.mark.parametrize(
    "args",
    [["--penalty", "l2", "--C", "1e-310"], ["--penalty", "l1", "--C", "1e-310"],
     ["--penalty", "l2", "--C", "1e-310", "--memory", "1MB"]],
    ids=["l2", "l1", "l2-memory"],
)
def test_cli_fit_with_tiny_C_ends(tmp_path, capsys, args):
    X, y = make_data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=y)
    data = tmp_path / "d.parquet"
    frame.to_parquet(data)
    out = tmp_path / "m.json"
    code = cli.run(["fit", str(data), "--target", "y", *args, "--out", str(out), "--quiet"])
    capsys.readouterr()
    assert code == 0
    coef = np.array(json.loads(out.read_text())["coef"])
    assert np.all(np.isfinite(coef)) and np.all(np.abs(coef) < 1e-300)


# -- 4. subnormal features ---------------------------------------------------------------------
@pytest.mark.parametrize("factor", [1e-310, 5e-324])
@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_subnormal_columns_are_refused_by_name_unpenalized(factor, solver):
    X, y = make_data()
    with pytest.raises(DataError, match=r"x1, x2, x3 hold only values below 2.2e-308"):
        quiet_fit(LogisticRegression(solver=solver), X * factor, y)
    with pytest.raises(DataError, match=r"column\(s\) x1"):
        quiet_fit(LogisticRegression(), sp.csr_matrix(X * factor), y)


def test_columns_near_the_normal_floor_fit_scale_invariantly():
    """The unpenalized MLE of X·c is the MLE of X divided by c (a closed form)."""
    X, y = make_data()
    reference = quiet_fit(LogisticRegression(), X, y).coef_
    model = quiet_fit(LogisticRegression(), X * 1e-306, y)
    assert model.converged_
    np.testing.assert_allclose(model.coef_, reference / 1e-306, rtol=1e-7)
    # × 1e-308 leaves x2 and x3 (|x| < 2.2) subnormal: refused, never an infinite coefficient
    with pytest.raises(DataError, match=r"column\(s\) x2, x3 hold only values below"):
        quiet_fit(LogisticRegression(), X * 1e-308, y)


def test_a_coefficient_beyond_float_range_is_an_error_not_inf():
    X, _ = make_data()
    y = (3 * X[:, 0] + np.random.default_rng(1).standard_normal(X.shape[0]) > 0).astype(int)
    factor = 1.01 * np.finfo(np.float64).tiny / np.abs(X[:, 0]).max()  # x1 stays normal
    w1 = quiet_fit(LogisticRegression(), X, y).coef_[0, 0]
    assert np.log(abs(w1)) - np.log(factor) > np.log(np.finfo(np.float64).max)  # beyond
    X = X * np.array([factor, 1.0, 1.0])
    with pytest.raises(DataError, match=r"coefficient\(s\) of x1 lie beyond the float64"):
        quiet_fit(LogisticRegression(), X, y)


@pytest.mark.parametrize("penalty", ["l1", "l2"])
def test_subnormal_columns_penalized_give_zero_coefficients(penalty):
    """L1 at C = 1: |∂J/∂wⱼ| at w = 0 is ~1e-310 < λ = 1/(C·n), so w = 0 exactly (its
    optimality condition); L2: w = C·Xᵀ(y - ȳ) ≈ 1e-309, 0 to every normal digit."""
    X, y = make_data()
    model = quiet_fit(LogisticRegression(penalty=penalty), X * 1e-310, y)
    assert np.all(np.isfinite(model.coef_)) and np.all(np.abs(model.coef_) < 1e-300)


def test_warm_start_on_tiny_columns_repeats_the_fit():
    X, y = make_data()
    model = LogisticRegression(warm_start=True)
    first = quiet_fit(model, X * 1e-300, y).coef_.copy()
    second = quiet_fit(model, X * 1e-300, y).coef_
    reference = quiet_fit(LogisticRegression(), X, y).coef_ / 1e-300
    np.testing.assert_allclose(first, reference, rtol=1e-7)
    np.testing.assert_allclose(second, reference, rtol=1e-7)


def test_warm_start_with_changed_shape_starts_cold():
    X, y = make_data()
    model = LogisticRegression(warm_start=True)
    quiet_fit(model, X, y)
    quiet_fit(model, X[:, :2], y)
    np.testing.assert_allclose(model.coef_, quiet_fit(LogisticRegression(), X[:, :2], y).coef_,
                               rtol=1e-7)


def test_float32_subnormal_columns_are_scaled_in_float64():
    X, y = make_data()
    reference = quiet_fit(LogisticRegression(), X, y).coef_
    tiny = (X * 1e-40).astype(np.float32)  # below float32's normal floor 1.2e-38
    model = quiet_fit(LogisticRegression(), tiny, y)
    np.testing.assert_allclose(model.coef_, reference / 1e-40, rtol=1e-4)  # float32 digits


# -- 5. scores of rows near 1e308 --------------------------------------------------------------
def exact_score(row, coef, intercept):
    return sum(Fraction(x) * Fraction(w) for x, w in zip(row, coef, strict=True)) + Fraction(
        intercept)


def test_huge_rows_get_the_sign_of_their_exact_score():
    X, y = make_data(d=2)
    model = quiet_fit(LogisticRegression(), X, y)
    model.coef_, model.intercept_ = np.array([[7.675, -7.955]]), np.array([0.3])
    rows = np.array([[1.5e308, 1.5e308], [-1.5e308, -1.5e308], [1.5e308, 1e308], [1.0, 2.0]])
    exact = [exact_score(r, model.coef_[0], 0.3) for r in rows]
    z = model.decision_function(rows)
    for got, want in zip(z, exact, strict=True):
        if abs(want) < Fraction(np.finfo(np.float64).max):
            assert got == pytest.approx(float(want), rel=1e-12)
        else:  # beyond float64: ±inf of the exact score's sign
            assert got == (np.inf if want > 0 else -np.inf)
    proba = model.predict_proba(rows)
    assert np.all(np.isfinite(proba))
    np.testing.assert_array_equal(proba[:2], [[1.0, 0.0], [0.0, 1.0]])  # exact 0/1
    np.testing.assert_array_equal(model.predict(rows), [int(e > 0) for e in exact])
    np.testing.assert_array_equal(model.predict_proba(sp.csr_matrix(rows)), proba)


@pytest.mark.parametrize("multi_class", ["multinomial", "ovr"])
def test_huge_rows_multiclass_probabilities_are_never_nan(multi_class):
    X, y = three_classes()
    model = quiet_fit(LogisticRegression(multi_class=multi_class), X, y)
    rows = np.array([[1.5e308, 1.5e308], [-1.5e308, -1.5e308], [1.5e308, -1e308]])
    proba = model.predict_proba(rows)
    assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1.0)
    exact = [[exact_score(r, model.coef_[k], model.intercept_[k]) for k in range(3)]
             for r in rows]
    np.testing.assert_array_equal(model.predict(rows), [int(np.argmax(e)) for e in exact])
    if multi_class == "multinomial":  # the exact softmax of scores 1e306 apart: one-hot
        np.testing.assert_array_equal(proba, np.eye(3)[[int(np.argmax(e)) for e in exact]])


# -- 6. a refit either lands whole or not at all ----------------------------------------------
def interrupting(error):
    def callback(iteration, state):
        raise error
    return callback


@pytest.mark.parametrize("error", [RuntimeError("stop"), KeyboardInterrupt()],
                         ids=["exception", "keyboard-interrupt"])
def test_a_failed_refit_leaves_the_model_as_it_was(error):
    X, y = make_data()
    _, y3 = three_classes()
    model = quiet_fit(LogisticRegression(), X, y)
    before = dict(vars(model))
    proba = model.predict_proba(X)
    model.callback = interrupting(error)
    with pytest.raises(type(error)):
        model.fit(X[:, :2], y3)
    model.callback = None
    assert set(vars(model)) == set(before)
    assert all(vars(model)[k] is v for k, v in before.items() if k != "callback")
    np.testing.assert_array_equal(model.predict_proba(X), proba)


def test_a_failed_cross_validated_refit_leaves_the_model_as_it_was():
    X, y = make_data()
    model = quiet_fit(LogisticRegressionCV(Cs=2, cv=2), X, y)
    coef, classes = model.coef_, model.classes_

    def failing_scorer(estimator, X, y):
        raise KeyboardInterrupt

    model.scoring = failing_scorer
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y + 5)
    assert model.coef_ is coef and model.classes_ is classes


def test_a_failed_network_refit_leaves_the_model_as_it_was(monkeypatch):
    X, y = make_data()
    _, y3 = three_classes()
    network = quiet_fit(SigmoidNetwork(hidden=3, max_iter=20, random_state=0), X, y)
    before = dict(vars(network))

    class Interrupting(io.StringIO):
        def write(self, text):
            raise KeyboardInterrupt

    network.verbose = 1
    monkeypatch.setattr(sys, "stderr", Interrupting())
    with pytest.raises(KeyboardInterrupt):
        network.fit(X, y3)
    monkeypatch.undo()
    assert all(vars(network)[k] is v for k, v in before.items() if k != "verbose")
    assert network.classes_.size == 2


def test_a_failed_dask_refit_leaves_the_model_as_it_was():
    da = pytest.importorskip("dask.array")
    X, y = make_data()
    _, y3 = three_classes()
    model = quiet_fit(LogisticRegression(), X, y)
    coef, classes = model.coef_, model.classes_
    model.callback = interrupting(RuntimeError("stop"))
    with pytest.raises(RuntimeError):
        model.fit(da.from_array(X[:, :2], chunks=20), da.from_array(y3, chunks=20))
    assert model.coef_ is coef and model.classes_ is classes


def test_concurrent_fits_of_one_estimator_leave_one_fit_whole():
    X, y = make_data()
    _, y3 = three_classes()
    model = LogisticRegression()
    targets = [y, y3, y, y3]
    threads = [threading.Thread(target=quiet_fit, args=(model, X[:, :2], t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    K = model.classes_.size
    single = quiet_fit(LogisticRegression(), X[:, :2], y if K == 2 else y3)
    np.testing.assert_array_equal(model.classes_, single.classes_)
    np.testing.assert_allclose(model.coef_, single.coef_, rtol=1e-10)
    np.testing.assert_allclose(model.intercept_, single.intercept_, rtol=1e-10)


def test_predict_proba_from_eight_threads_equals_one():
    X, y = three_classes(m=400)
    model = quiet_fit(LogisticRegression(), X, y)
    expected = model.predict_proba(X)
    results = [None] * 8

    def predict(i):
        results[i] = model.predict_proba(X)

    threads = [threading.Thread(target=predict, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        np.testing.assert_array_equal(result, expected)


# -- 12. library errors of documented types ----------------------------------------------------
def frame_with(column):
    X, _ = make_data(m=40)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["d"] = column
    return frame


@pytest.mark.parametrize(
    ("column", "match"),
    [
        (pd.date_range("2020", periods=40), r"'d' \(dates/times\)"),
        (pd.date_range("2020", periods=40, tz="UTC"), r"'d' \(dates/times\)"),
        (pd.to_timedelta(np.arange(40), unit="D"), r"'d' \(durations\)"),
        (pd.period_range("2020", periods=40, freq="D"), r"'d' \(periods\)"),
        (pd.interval_range(0, 40), r"'d' \(intervals\)"),
    ],
    ids=["datetime", "tz-datetime", "timedelta", "period", "interval"],
)
def test_temporal_dataframe_columns_are_data_errors(column, match):
    _, y = make_data(m=40)
    with pytest.raises(DataError, match=match):
        LogisticRegression().fit(frame_with(column), y)


def test_duplicate_dataframe_column_names_are_a_data_error():
    X, y = make_data(m=40)
    with pytest.raises(DataError, match="duplicate column names: 'a'"):
        LogisticRegression().fit(pd.DataFrame(X, columns=["a", "a", "b"]), y)


@pytest.mark.parametrize("kind", ["string-array", "object-array", "series"])
def test_pd_na_labels_are_missing_labels(kind):
    X, y = make_data(m=40)
    labels = pd.array(np.where(y == 1, "yes", "no"), dtype="string")
    labels[3] = pd.NA
    y_given = {"string-array": labels, "object-array": np.asarray(labels, dtype=object),
               "series": pd.Series(labels)}[kind]
    with pytest.raises(ValueError, match="y has missing labels .* at rows 3"):
        LogisticRegression().fit(X, y_given)


@pytest.mark.parametrize("weight", ["2", None, float("nan")], ids=["text", "none", "nan"])
def test_non_numeric_class_weight_values_are_value_errors(weight):
    X, y = make_data(m=40)
    with pytest.raises(ValueError, match="class_weight values must be finite and >= 0"):
        LogisticRegression(class_weight={0: weight}).fit(X, y)


def test_cluster_groups_of_mixed_types_are_clusters():
    """Labels 1 and 'a' are two clusters; the same covariance as codes 0 and 1."""
    X, y = make_data(m=40)
    mixed = np.array([1, "a"] * 20, dtype=object)
    codes = np.array([0, 1] * 20)
    a = quiet_fit(LogisticRegression(cov_type="cluster"), X, y, groups=mixed)
    b = quiet_fit(LogisticRegression(cov_type="cluster"), X, y, groups=codes)
    np.testing.assert_allclose(a.statistics_.cov, b.statistics_.cov, rtol=1e-12)
    with pytest.raises(ValueError, match="groups has missing labels"):
        quiet_fit(LogisticRegression(cov_type="cluster"), X, y,
                  groups=np.array([1, None] * 20, dtype=object))


def test_hc1_with_no_more_rows_than_parameters_is_a_value_error():
    X, _ = make_data(m=40)
    with pytest.raises(ValueError, match="needs more observations than estimated parameters"):
        quiet_fit(LogisticRegression(cov_type="HC1"), X[:4], np.array([0, 1, 0, 1]))


# -- 13a. a model file's covariance ------------------------------------------------------------
@pytest.mark.parametrize("damage", ["negative-variance", "asymmetric"])
def test_model_file_with_an_impossible_covariance_is_refused(tmp_path, damage):
    X, y = make_data()
    path = tmp_path / "m.json"
    quiet_fit(LogisticRegression(), X, y).save(path)
    document = json.loads(path.read_text())
    cov = document["statistics"]["cov"]
    if damage == "negative-variance":
        cov[1][1] = -abs(cov[1][1])
    else:
        cov[0][1] = cov[0][1] + 1.0
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="statistics.cov"):
        load(path)


# -- 13c. many classes: the Hessian from a few products ----------------------------------------
def test_many_class_standard_errors_match_statsmodels():
    """10 classes take softmax_hessian's products (8 or more): the standard errors of the
    reference-class parametrization equal statsmodels' MNLogit's."""
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1500, 2))
    Z = X @ rng.standard_normal((2, 10))
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(10, p=p) for p in P])
    model = quiet_fit(LogisticRegression(tol=1e-10), X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0, method="newton", maxiter=100)
    ours = np.sqrt(np.diag(model.statistics_.cov))
    np.testing.assert_allclose(ours, np.asarray(reference.bse).T.ravel(), rtol=1e-6)
