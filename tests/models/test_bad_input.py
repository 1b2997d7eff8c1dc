"""One test per row of docs/errors.md: what a user gets for each kind of bad input.

Library rows assert the exception type and the key part of its message (or the warning and
finite results); CLI rows assert exit status 2 with exactly one line on stderr starting
``logistic: error:`` and no traceback. Rows marked xfail in the table are handled wrongly
today: their tests assert the intended behaviour and name what goes wrong.
"""

from __future__ import annotations

import json
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from logistic import LogisticRegression
from logistic.cli import app as cli
from logistic.exceptions import ConvergenceWarning, ModelFileError, SeparationWarning
from logistic.io.model_file import load


# -- data --------------------------------------------------------------------------------------
def make_data(m=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, d))
    y = (X[:, 0] + rng.standard_normal(m) > 0).astype(np.int64)
    return X, y


def make_frame(m=40, seed=0) -> pd.DataFrame:
    X, y = make_data(m, 3, seed)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["y"] = y
    return frame


def strict_fit(model, X, y, **kwargs):
    """Fits with every warning an error and NumPy's floating-point errors raised (not
    underflow, which is harmless): a NumPy RuntimeWarning anywhere fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return model.fit(X, y, **kwargs)


def assert_finite(model):
    assert np.all(np.isfinite(model.coef_))
    assert np.all(np.isfinite(model.intercept_))


# -- library: X ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "match"),
    [
        (np.nan, "Input X contains NaN"),
        (np.inf, "Input X contains infinity"),
        (-np.inf, "Input X contains infinity"),
    ],
    ids=["nan", "+inf", "-inf"],
)
@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_non_finite_X_at_fit(value, match, layout):
    X, y = make_data()
    X[3, 1] = value
    if layout == "csr":
        X = sp.csr_matrix(X)
    with pytest.raises(ValueError, match=match):
        LogisticRegression().fit(X, y)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf], ids=["nan", "+inf", "-inf"])
def test_non_finite_X_at_predict(value):
    X, y = make_data()
    model = LogisticRegression().fit(X, y)
    X_new = X[:2].copy()
    X_new[0, 0] = value
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        model.predict_proba(X_new)


def test_empty_X():
    with pytest.raises(ValueError, match=r"Found array with 0 sample\(s\)"):
        LogisticRegression().fit(np.empty((0, 3)), np.empty(0))


def test_X_with_zero_columns():
    _, y = make_data()
    with pytest.raises(ValueError, match=r"Found array with 0 feature\(s\)"):
        LogisticRegression().fit(np.empty((len(y), 0)), y)


def test_X_one_dimensional():
    X, y = make_data()
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        LogisticRegression().fit(X[:, 0], y)


def test_string_features():
    _, y = make_data()
    X = np.array([["a", "b"]] * len(y))
    with pytest.raises(ValueError, match="could not convert string to float"):
        LogisticRegression().fit(X, y)


def test_object_features():
    X, y = make_data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["s"] = "x"
    with pytest.raises(ValueError, match="could not convert string to float: 'x'"):
        LogisticRegression().fit(frame, y)


def test_complex_features():
    X, y = make_data()
    with pytest.raises(ValueError, match="Complex data not supported"):
        LogisticRegression().fit(X + 1j, y)


def test_mismatched_n_features_at_predict():
    X, y = make_data()
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but LogisticRegression is expecting 3"):
        model.predict(X[:, :2])


def test_renamed_columns_at_predict():
    frame = make_frame()
    model = LogisticRegression().fit(frame[["a", "b", "c"]], frame["y"])
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(frame[["b", "a", "c"]])


def test_predict_before_fit():
    X, _ = make_data()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        LogisticRegression().predict(X)


def test_X_and_y_of_different_lengths():
    X, y = make_data()
    with pytest.raises(ValueError, match="inconsistent numbers of samples: \\[40, 39\\]"):
        LogisticRegression().fit(X, y[:-1])


# -- library: y --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "match"),
    [(np.nan, "Input y contains NaN"), (np.inf, "Input y contains infinity")],
    ids=["nan", "inf"],
)
def test_non_finite_y(value, match):
    X, y = make_data()
    y = y.astype(np.float64)
    y[2] = value
    with pytest.raises(ValueError, match=match):
        LogisticRegression().fit(X, y)


def test_missing_label_in_object_y():
    X, _ = make_data()
    y = np.array(["a", "b"] * 20, dtype=object)
    y[3] = None
    with pytest.raises(ValueError, match="missing"):
        LogisticRegression().fit(X, y)


def test_one_row():
    X, y = make_data()
    with pytest.raises(ValueError, match="at least 2 classes.*only 1 class"):
        LogisticRegression().fit(X[:1], y[:1])


def test_one_class():
    X, _ = make_data()
    with pytest.raises(ValueError, match="at least 2 classes.*only 1 class"):
        LogisticRegression().fit(X, np.zeros(len(X)))


def test_continuous_target():
    X, _ = make_data()
    y = np.random.default_rng(1).standard_normal(len(X))
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        LogisticRegression().fit(X, y)


def test_two_dimensional_y():
    X, y = make_data()
    with pytest.raises(ValueError, match="y should be a 1d array"):
        LogisticRegression().fit(X, np.column_stack([y, y]))


# -- library: extreme but valid X ---------------------------------------------------------------
@pytest.mark.parametrize("scale", [1e300, 1e307, 5e307])
def test_features_near_float_max(scale):
    X, y = make_data()
    X = np.clip(X, -3, 3)
    # both fits to tol 1e-10, so that only the scaling can make them differ
    reference = LogisticRegression(tol=1e-10).fit(X, y)
    model = strict_fit(LogisticRegression(tol=1e-10), X * scale, y)
    assert_finite(model)
    assert model.converged_
    np.testing.assert_allclose(model.coef_ * scale, reference.coef_, rtol=1e-6)
    proba = model.predict_proba(X * scale)
    np.testing.assert_allclose(proba, reference.predict_proba(X), rtol=1e-8, atol=1e-12)


def test_features_near_float_max_multinomial():
    X, _ = make_data()
    y = np.arange(len(X)) % 3
    model = strict_fit(LogisticRegression(), np.clip(X, -3, 3) * 1e300, y)
    assert_finite(model)


def test_features_near_float_min():
    X, y = make_data()
    reference = LogisticRegression(tol=1e-10).fit(X, y)
    model = strict_fit(LogisticRegression(tol=1e-10), X * 1e-300, y)
    np.testing.assert_allclose(model.coef_ * 1e-300, reference.coef_, rtol=1e-6)


def test_constant_column():
    X, y = make_data()
    Xc = X.copy()
    Xc[:, 1] = 5.0
    model = strict_fit(LogisticRegression(tol=1e-10), Xc, y)
    reference = LogisticRegression(tol=1e-10).fit(X[:, [0, 2]], y)
    assert_finite(model)
    assert model.converged_
    w = model.coef_.ravel()
    # the constant column and the intercept are collinear: only b + 5·w₁ is identified
    np.testing.assert_allclose(w[[0, 2]], reference.coef_.ravel(), rtol=1e-6)
    np.testing.assert_allclose(model.intercept_[0] + 5.0 * w[1], reference.intercept_[0],
                               rtol=1e-6)


def test_duplicate_columns():
    X, y = make_data()
    model = strict_fit(LogisticRegression(), np.column_stack([X, X[:, 0]]), y)
    reference = LogisticRegression().fit(X, y)
    assert_finite(model)
    w = model.coef_.ravel()
    # singular Hessian: the minimum-norm solution splits the coefficient evenly
    np.testing.assert_allclose(w[0], w[3], rtol=1e-8)
    np.testing.assert_allclose(w[0] + w[3], reference.coef_[0, 0], rtol=1e-6)


def test_perfectly_separated():
    x = np.arange(40.0)[:, None]
    y = (x[:, 0] >= 20).astype(int)
    with pytest.warns(SeparationWarning, match="Complete separation"):
        model = LogisticRegression().fit(x, y)
    assert_finite(model)
    np.testing.assert_array_equal(model.predict(x), y)


def test_all_zero_sparse_row():
    X, y = make_data()
    X[5] = 0.0
    S = sp.csr_matrix(X)
    assert S.getrow(5).nnz == 0
    model = strict_fit(LogisticRegression(), S, y)
    dense = LogisticRegression().fit(X, y)
    assert_finite(model)
    np.testing.assert_allclose(model.coef_, dense.coef_, rtol=1e-10)
    np.testing.assert_allclose(model.predict_proba(S[5]), dense.predict_proba(X[5:6]))


# -- library: sample weights and parameters ------------------------------------------------------
@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (np.r_[-1.0, np.ones(39)], "sample_weight must be non-negative"),
        (np.zeros(40), "sample_weight is zero for every sample"),
        (np.r_[np.nan, np.ones(39)], "sample_weight contains NaN or infinity"),
        (np.r_[np.inf, np.ones(39)], "sample_weight contains NaN or infinity"),
        (np.ones(3), r"sample_weight.shape == \(3,\), expected \(40,\)"),
    ],
    ids=["negative", "all-zero", "nan", "inf", "wrong-length"],
)
def test_bad_sample_weight(weights, match):
    X, y = make_data()
    with pytest.raises(ValueError, match=match):
        LogisticRegression().fit(X, y, sample_weight=weights)


def test_sample_weight_leaving_one_class():
    X, y = make_data()
    with pytest.raises(ValueError, match="leaves only 1 class with positive weight"):
        LogisticRegression().fit(X, y, sample_weight=(y == 1).astype(float))


def test_huge_sample_weights():
    X, y = make_data()
    reference = LogisticRegression().fit(X, y)
    model = strict_fit(LogisticRegression(), X, y, sample_weight=np.full(len(y), 1e307))
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-8)


@pytest.mark.parametrize("C", [0, -1.0, np.nan, np.inf])
def test_C_not_positive(C):
    X, y = make_data()
    with pytest.raises(ValueError, match="C must be a finite number > 0"):
        LogisticRegression(penalty="l2", C=C).fit(X, y)


def test_C_near_float_max():
    X, y = make_data()
    model = strict_fit(LogisticRegression(penalty="l2", C=1e308), X, y)
    np.testing.assert_allclose(model.coef_, LogisticRegression().fit(X, y).coef_, rtol=1e-6)


def test_max_iter_zero_returns_the_start():
    X, y = make_data()
    with pytest.warns(ConvergenceWarning, match="after 0 iterations"):
        model = LogisticRegression(max_iter=0).fit(X, y)
    np.testing.assert_array_equal(model.coef_, 0.0)
    mean = y.mean()
    np.testing.assert_allclose(model.intercept_[0], np.log(mean / (1 - mean)), rtol=1e-12)
    assert not model.converged_
    assert model.n_iter_[0] == 0


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"max_iter": -1}, "max_iter must be an integer >= 0"),
        ({"tol": -1.0}, "tol must be a finite number >= 0"),
        ({"solver": "foo"}, "solver must be one of"),
        ({"penalty": "lasso"}, "penalty must be one of"),
        ({"class_weight": {7: 1.0}}, "class_weight has labels that are not in y"),
    ],
    ids=["max_iter<0", "tol<0", "solver", "penalty", "class_weight"],
)
def test_bad_parameters(params, match):
    X, y = make_data()
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**params).fit(X, y)


# -- CLI -------------------------------------------------------------------------------------
def run_cli(capsys, argv) -> tuple[int, str, str]:
    code = cli.run([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_cli_error(capsys, argv, match: str) -> str:
    code, _, err = run_cli(capsys, argv)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith("logistic: error:"), err
    assert match in lines[0], err
    return lines[0]


def good_csv(tmp_path, name="good.csv"):
    path = tmp_path / name
    make_frame().to_csv(path, index=False)
    return path


def fitted_model(tmp_path):
    path = tmp_path / "model.json"
    LogisticRegression().fit(make_frame()[["a", "b", "c"]], make_frame()["y"]).save(path)
    return path


def with_row(tmp_path, row: str, name="bad.csv"):
    """The good table with ``row`` inserted as its first data row."""
    text = make_frame().to_csv(index=False)
    header, rest = text.split("\n", 1)
    path = tmp_path / name
    path.write_text(f"{header}\n{row}\n{rest}", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ("nan,1,2,0", "'a' (1 missing; first in data row 1)"),
        (",1,2,0", "'a' (1 missing; first in data row 1)"),
        ("inf,1,2,0", "'a' (1 infinite; first in data row 1)"),
        ("-inf,1,2,0", "'a' (1 infinite; first in data row 1)"),
        ("1e309,1,2,0", "'a' (1 infinite; first in data row 1)"),
        ("abc,1,2,0", "not numeric: 'a' (e.g. 'abc' in data row 1)"),
        ("1+2j,1,2,0", "not numeric: 'a' (e.g. '1+2j' in data row 1)"),
        ("1,2,3,", "target column 'y' has 1 missing value(s) (first in data row 1)"),
        ("1,2,3,4,5", "malformed CSV: some rows have more fields than the header"),
        ("1,2", "'c' (1 missing; first in data row 1)"),
    ],
    ids=["nan", "empty-cell", "+inf", "-inf", "overflowing-literal", "string", "complex",
         "missing-target", "ragged-long", "ragged-short"],
)
def test_cli_fit_bad_rows(tmp_path, capsys, row, match):
    data = with_row(tmp_path, row)
    assert_cli_error(capsys, ["fit", data, "--target", "y", "--out", tmp_path / "m.json"], match)
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("a,y\n1,0\n2,0\n3,0\n", "target column 'y' has a single class (0)"),
        ("a,y\n1,0\n", "target column 'y' has a single class (0)"),
        ("a,y\n1,0.5\n2,0.25\n3,0.75\n4,0.1\n", "that looks like a measurement, not class labels"),
        ("a,y\n1,0.5\n2,0.25\n3,0.5\n4,0.25\n5,0.5\n", "holds non-integer numbers"),
        ("y\n1\n0\n", "the table has no columns besides the target 'y'"),
        ("a,b,y\n", "the file has a header but no data rows"),
        ("", "the file is empty (no header row, no data)"),
    ],
    ids=["one-class", "one-row", "continuous-target", "float-target", "only-target",
         "header-only", "empty-file"],
)
def test_cli_fit_bad_tables(tmp_path, capsys, text, match):
    data = tmp_path / "t.csv"
    data.write_text(text, encoding="utf-8")
    assert_cli_error(capsys, ["fit", data, "--target", "y", "--out", tmp_path / "m.json"], match)


def test_cli_target_missing(tmp_path, capsys):
    assert_cli_error(
        capsys, ["fit", good_csv(tmp_path), "--target", "zz", "--out", tmp_path / "m.json"],
        "target column 'zz' not found; available columns: 'a', 'b', 'c', 'y'",
    )


def test_cli_data_file_missing(tmp_path, capsys):
    assert_cli_error(
        capsys, ["fit", tmp_path / "nope.csv", "--target", "y", "--out", tmp_path / "m.json"],
        "nope.csv: no such file",
    )


def test_cli_unknown_extension(tmp_path, capsys):
    data = tmp_path / "data.dat"
    data.write_text("a,y\n1,0\n2,1\n")
    assert_cli_error(capsys, ["fit", data, "--target", "y", "--out", tmp_path / "m.json"],
                     "cannot tell the format from the file name")


def test_cli_utf8_bom_works(tmp_path, capsys):
    data = tmp_path / "bom.csv"
    data.write_bytes(b"\xef\xbb\xbf" + make_frame().to_csv(index=False).encode())
    out = tmp_path / "m.json"
    code, _, err = run_cli(capsys, ["fit", data, "--target", "y", "--out", out, "--quiet"])
    assert code == 0, err
    assert err == ""
    assert load(out).feature_names_in_.tolist() == ["a", "b", "c"]


def test_cli_not_utf8(tmp_path, capsys):
    data = tmp_path / "latin1.csv"
    data.write_bytes("caf\xe9,y\n1,0\n2,1\n3,0\n4,1\n".encode("latin-1"))
    out = tmp_path / "m.json"
    assert_cli_error(capsys, ["fit", data, "--target", "y", "--out", out],
                     "the text is not valid UTF-8 (byte 0xe9); give its encoding with --encoding")
    code, _, err = run_cli(
        capsys, ["fit", data, "--target", "y", "--out", out, "--encoding", "latin-1", "--quiet"]
    )
    assert code == 0, err


@pytest.mark.parametrize(
    ("option", "match"),
    [
        (["--C", "0"], "argument --C: must be a finite number > 0, got '0'"),
        (["--C", "-1"], "argument --C: must be a finite number > 0, got '-1'"),
        (["--C", "nan"], "argument --C: must be a finite number > 0, got 'nan'"),
        (["--max-iter", "-1"], "argument --max-iter"),
    ],
    ids=["C=0", "C<0", "C=nan", "max-iter<0"],
)
def test_cli_bad_options(tmp_path, capsys, option, match):
    argv = ["fit", good_csv(tmp_path), "--target", "y", "--out", tmp_path / "m.json", *option]
    assert_cli_error(capsys, argv, match)


def test_cli_max_iter_zero_warns(tmp_path, capsys):
    out = tmp_path / "m.json"
    argv = ["fit", good_csv(tmp_path), "--target", "y", "--out", out, "--max-iter", "0", "--quiet"]
    code, _, err = run_cli(capsys, argv)
    assert code == 0
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("logistic: warning: ConvergenceWarning: solver 'newton' did not "
                               "converge")
    assert load(out).coef_.tolist() == [[0.0, 0.0, 0.0]]


def test_cli_features_near_float_max(tmp_path, capsys):
    data = tmp_path / "huge.csv"
    data.write_text("a,y\n1e308,0\n-1e308,1\n5e307,0\n-5e307,1\n1e307,1\n")
    out = tmp_path / "m.json"
    code, _, err = run_cli(capsys, ["fit", data, "--target", "y", "--out", out, "--quiet"])
    assert "internal error" not in err
    assert code == 0, err
    assert np.all(np.isfinite(load(out).coef_))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("a,b\n1,2\n", "missing the model's feature column(s): 'c'"),
        ("a,b,c\n1,2,nan\n", "'c' (1 missing; first in data row 1)"),
        ("a,b,c\n1,2,inf\n", "'c' (1 infinite; first in data row 1)"),
        ("a,b,c\n1,2,x\n", "not numeric: 'c' (e.g. 'x' in data row 1)"),
        ("a,b,c\n", "the file has a header but no data rows"),
    ],
    ids=["missing-column", "nan", "inf", "string", "header-only"],
)
def test_cli_predict_bad_data(tmp_path, capsys, text, match):
    model = fitted_model(tmp_path)
    data = tmp_path / "new.csv"
    data.write_text(text)
    assert_cli_error(capsys, ["predict", model, data], match)


def test_cli_predict_model_without_feature_names(tmp_path, capsys):
    X, y = make_data()
    model = tmp_path / "unnamed.json"
    LogisticRegression().fit(X, y).save(model)
    data = good_csv(tmp_path)
    assert_cli_error(capsys, ["predict", model, data], "the model has no feature names")


# -- model files -----------------------------------------------------------------------------
def _document(tmp_path) -> dict:
    return json.loads(fitted_model(tmp_path).read_text())


def _edit(**changes):
    def make(document):
        document = dict(document)
        for key, value in changes.items():
            if value is _DELETE:
                del document[key]
            else:
                document[key] = value
        return json.dumps(document).encode()

    return make


_DELETE = object()

MODEL_FILES = {
    # name: (bytes from the good document, key part of the message)
    "truncated": (lambda d: json.dumps(d, indent=1).encode()[:200],
                  "the file looks truncated"),
    "empty": (lambda d: b"", "is not a logistic model file: the file is empty"),
    "not-json": (lambda d: b"hello world", "it is not valid JSON (Expecting value"),
    "json-array": (lambda d: b"[1, 2]", "it holds a JSON array, not an object"),
    "not-utf8": (lambda d: b"\xff\xfe garbage", "it is not UTF-8 text"),
    "other-format": (_edit(format="other"), "its 'format' is 'other', expected 'logistic-model'"),
    "newer-schema": (_edit(schema_version=99),
                     "has schema version 99 (written by logistic"),
    "extra-key": (_edit(extra=1), "unexpected key(s) 'extra'"),
    "missing-key": (_edit(coef=_DELETE), "missing key(s) 'coef'"),
    "coef-wrong-columns": (_edit(coef=[[1.0, 2.0]]),
                           "coef has shape (1, 2), expected (1, 3)"),
    "coef-wrong-rows": (_edit(coef=[[1.0, 2.0, 3.0]] * 2),
                        "coef has shape (2, 3), expected (1, 3)"),
    "coef-not-numbers": (_edit(coef=[[1.0, "x", 3.0]]), "coef must be a list of numbers"),
    "coef-nan": (lambda d: json.dumps({**d, "coef": [[float("nan"), 1.0, 2.0]]}).encode(),
                 "it contains NaN, but model files hold finite numbers only"),
    "coef-overflow": (lambda d: json.dumps({**d, "coef": [[12345.5, 1.0, 2.0]]})
                      .replace("12345.5", "1e999").encode(),
                      "coef contains a non-finite number"),
    "pickle": (lambda d: pickle.dumps({"coef": [1.0]}),
               "it is a Python pickle, and pickles are never loaded"),
}


def _write_model_file(tmp_path, case) -> object:
    make, _ = MODEL_FILES[case]
    path = tmp_path / f"{case}.json"
    path.write_bytes(make(_document(tmp_path)))
    return path


@pytest.mark.parametrize("case", sorted(MODEL_FILES))
def test_load_bad_model_file(tmp_path, case):
    path = _write_model_file(tmp_path, case)
    with pytest.raises(ModelFileError) as info:
        load(path)
    assert MODEL_FILES[case][1] in str(info.value)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("case", sorted(MODEL_FILES))
def test_cli_bad_model_file(tmp_path, capsys, case):
    path = _write_model_file(tmp_path, case)
    assert_cli_error(capsys, ["summary", path], MODEL_FILES[case][1])
    assert_cli_error(capsys, ["predict", path, good_csv(tmp_path)], MODEL_FILES[case][1])


def test_model_file_missing(tmp_path, capsys):
    with pytest.raises(ModelFileError, match="does not exist"):
        load(tmp_path / "nothere.json")
    assert_cli_error(capsys, ["summary", tmp_path / "nothere.json"], "does not exist")


def test_model_file_is_a_directory(tmp_path, capsys):
    with pytest.raises(ModelFileError, match="cannot read model file .*: Is a directory"):
        load(tmp_path)
    assert_cli_error(capsys, ["summary", tmp_path], "Is a directory")


def test_model_file_non_boolean_fit_intercept(tmp_path):
    document = _document(tmp_path)
    document["params"]["fit_intercept"] = ":"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="fit_intercept"):
        load(path)


def test_model_file_huge_integer_parameter(tmp_path):
    document = _document(tmp_path)
    document["params"]["C"] = 10**20
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    model = load(path)  # C = 1e20 is a valid (finite, positive) C
    assert model.C == 10**20


def test_C_huge_python_int():
    X, y = make_data()
    model = strict_fit(LogisticRegression(penalty="l2", C=10**20), X, y)
    np.testing.assert_allclose(model.coef_, LogisticRegression().fit(X, y).coef_, rtol=1e-6)
