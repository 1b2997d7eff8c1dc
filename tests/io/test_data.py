"""``logistic.io.data``'s readers (CSV, TSV, Parquet, LIBSVM, .npy) and DataFrames in the
estimator (pandas, polars, text and categorical columns).

The reference for every reader is the same data written by another library (pandas,
pyarrow, scikit-learn's ``dump_svmlight_file``, ``numpy.save``) from one array: each format
must give back that array, those labels and the same fitted coefficients. The data are
multiples of 1/8, which every text format writes exactly.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import dump_svmlight_file

import logistic.models.logistic_regression
from logistic import DataError, LogisticRegression
from logistic.io.data import (
    FORMATS,
    check_numeric_columns,
    infer_format,
    read_dataset,
    read_features,
    read_table,
    resolve_format,
)

pl = pytest.importorskip("polars")

NAMES = ["x1", "x2", "x3"]


def make_xy(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three features in steps of 1/8 (exact in decimal text), a third of them zero, and
    0/1 labels from a logistic model."""
    rng = np.random.default_rng(seed)
    X = rng.integers(-24, 25, size=(n, 3)) / 8.0
    X[rng.random((n, 3)) < 0.3] = 0.0
    z = 0.4 + X @ np.array([1.0, -1.5, 0.5])
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.int64)
    return X, y


def write(tmp_path, kind: str, X: np.ndarray, y: np.ndarray):
    """The data as file ``kind``; returns (path, target argument for read_dataset)."""
    frame = pd.DataFrame(X, columns=NAMES).assign(y=y)
    path = tmp_path / f"data.{kind}"
    if kind in ("csv", "csv.gz", "txt"):
        frame.to_csv(path, index=False)
    elif kind == "tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif kind in ("parquet", "pq"):
        frame.to_parquet(path)  # pyarrow
    elif kind.startswith("svm"):  # svm, svm.gz, svm.bz2, svm.xz: 1-based, as LIBSVM writes
        opener = {"gz": gzip.open, "bz2": bz2.open, "xz": lzma.open}.get(
            kind.split(".")[-1], open)
        with opener(path, "wb") as handle:
            dump_svmlight_file(X, y, handle, zero_based=False)
    elif kind == "npy":
        np.save(path, np.column_stack([X, y]))
    else:
        raise AssertionError(kind)
    target = "y" if kind in ("csv", "csv.gz", "txt", "tsv", "parquet", "pq") else None
    return path, target


KINDS = ["csv", "csv.gz", "txt", "tsv", "parquet", "pq", "svm", "svm.gz", "svm.bz2",
         "svm.xz", "npy"]


def dense(X) -> np.ndarray:
    return X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)


# -- every format gives the same data --------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_every_format_reads_back_the_same_X_y_and_names(tmp_path, kind):
    X, y = make_xy()
    path, target = write(tmp_path, kind, X, y)
    X_read, y_read, names = read_dataset(path, target)
    assert names == NAMES
    assert_array_equal(dense(X_read), X)
    assert_array_equal(y_read, y)
    assert y_read.dtype.kind == "i"  # LIBSVM's and .npy's float labels 0.0/1.0 become ints
    if kind.startswith("svm"):
        assert sp.isspmatrix_csr(X_read) and X_read.dtype == np.float64
        assert X_read.nnz == np.count_nonzero(X)  # the zeros are not stored
    else:
        assert list(X_read.columns) == NAMES and (X_read.dtypes == np.float64).all()


@pytest.mark.parametrize("kind", ["csv", "parquet", "svm", "npy"])
def test_every_format_fits_the_same_coefficients(tmp_path, kind):
    X, y = make_xy()
    reference = LogisticRegression().fit(X, y)
    path, target = write(tmp_path, kind, X, y)
    X_read, y_read, names = read_dataset(path, target)
    model = LogisticRegression().fit(X_read, y_read)
    assert_allclose(model.coef_, reference.coef_, rtol=1e-10)
    assert_allclose(model.intercept_, reference.intercept_, rtol=1e-10)
    assert_allclose(model.predict_proba(X_read), reference.predict_proba(X), rtol=1e-10)


def test_an_explicit_format_overrides_the_extension(tmp_path):
    X, y = make_xy()
    for kind, fmt in [("parquet", "parquet"), ("svm", "libsvm"), ("svm", "svmlight"),
                      ("npy", "npy"), ("tsv", "tsv")]:
        path, target = write(tmp_path, kind, X, y)
        renamed = path.rename(tmp_path / f"data-{kind}.dat")
        X_read, y_read, names = read_dataset(renamed, target, fmt=fmt)
        assert_array_equal(dense(X_read), X)
        assert_array_equal(y_read, y)


def test_a_directory_is_a_parquet_dataset_of_its_parts(tmp_path):
    """A directory of *.parquet parts (nested too) reads as their rows in sorted file order,
    the same X, y and names as one file with every row; other files are ignored."""
    X, y = make_xy(n=90)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(1, X.shape[1] + 1)]).assign(y=y)
    parts = tmp_path / "dataset"
    (parts / "b").mkdir(parents=True)
    frame.iloc[:30].to_parquet(parts / "a-0.parquet")
    frame.iloc[30:60].to_parquet(parts / "a-1.parquet")
    frame.iloc[60:].to_parquet(parts / "b" / "part.parquet")
    (parts / "README.txt").write_text("not data")
    assert infer_format(parts) == "parquet"
    X_read, y_read, names = read_dataset(parts, "y")
    assert_array_equal(dense(X_read), X)
    assert_array_equal(y_read, y)
    assert list(names) == list(frame.columns[:-1])
    whole = LogisticRegression().fit(frame.drop(columns="y"), y)
    assert_allclose(LogisticRegression().fit(X_read, y_read).coef_, whole.coef_, rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.csv", "csv"), ("a.CSV", "csv"), ("a.txt", "csv"), ("a.tsv.bz2", "tsv"),
     ("a.csv.zst", "csv"), ("a.parquet", "parquet"), ("a.pq", "parquet"),
     ("a.svm", "libsvm"), ("a.libsvm.gz", "libsvm"), ("a.svmlight", "libsvm"),
     ("a.npy", "npy"), ("dir.v2/a.npy", "npy")],
)
def test_infer_format_from_the_extension(name, fmt):
    assert infer_format(name) == fmt
    assert resolve_format(name, None) == fmt
    assert resolve_format("whatever.dat", fmt.upper()) == fmt


def test_the_formats_are_documented():
    assert list(FORMATS) == ["csv", "tsv", "parquet", "libsvm", "npy"]


def test_features_selects_and_orders_columns_in_every_format(tmp_path):
    X, y = make_xy()
    for kind in ("csv", "parquet", "svm", "npy"):
        path, target = write(tmp_path, kind, X, y)
        X_read, _, names = read_dataset(path, target, features=["x3", "x1"])
        assert names == ["x3", "x1"]
        assert_array_equal(dense(X_read), X[:, [2, 0]])


# -- .npy: the target column by index --------------------------------------------------------
@pytest.mark.parametrize("target", [0, "0", -4, "-4", " +0"])
def test_npy_target_by_index(tmp_path, target):
    X, y = make_xy()
    path = tmp_path / "first.npy"
    np.save(path, np.column_stack([y, X]))  # labels first
    X_read, y_read, names = read_dataset(path, target)
    assert names == NAMES  # x1 … xd number the features, the target left out
    assert_array_equal(X_read.to_numpy(), X)
    assert_array_equal(y_read, y)


def test_npy_features_only_for_prediction(tmp_path):
    X, _ = make_xy()
    path = tmp_path / "new.npy"
    np.save(path, X.astype(np.float32))  # float32 and integer arrays are numbers too
    X_read, y_read, names = read_features(path, NAMES)
    assert y_read is None and names == NAMES
    assert_array_equal(X_read.to_numpy(), X)


# -- LIBSVM: sparse, named by the file's indices ---------------------------------------------
def test_libsvm_names_are_the_files_indices(tmp_path):
    X, y = make_xy()
    path = tmp_path / "zero.svm"
    dump_svmlight_file(X, y, str(path), zero_based=True)  # scikit-learn's default
    X_read, _, names = read_dataset(path)
    assert names == ["x0", "x1", "x2"]
    assert_array_equal(X_read.toarray(), X)


def test_libsvm_features_beyond_the_last_index_are_zero(tmp_path):
    X, y = make_xy()
    X[:, 2] = 0.0  # the file never writes index 3
    path = tmp_path / "narrow.svm"
    dump_svmlight_file(X, y, str(path), zero_based=False)
    assert read_dataset(path).feature_names == ["x1", "x2"]
    X_read, _, names = read_features(path, ["x1", "x2", "x3", "x7"])
    assert names == ["x1", "x2", "x3", "x7"]
    assert_array_equal(X_read.toarray(), np.column_stack([X, np.zeros(len(X))]))


def test_libsvm_comments_and_qid_are_libsvm_syntax(tmp_path):
    path = tmp_path / "c.svm"
    path.write_text("# a comment\n+1 qid:1 1:0.5 3:2 # trailing\n-1 qid:2 2:1.5\n"
                    "-1 1:1\n+1 3:-2\n")
    X, y, names = read_dataset(path)
    assert names == ["x1", "x2", "x3"]
    assert_array_equal(X.toarray(), [[0.5, 0, 2], [0, 1.5, 0], [1, 0, 0], [0, 0, -2]])
    assert_array_equal(y, [1, -1, -1, 1])


def test_sparse_libsvm_data_stay_sparse_through_fit_and_predict(tmp_path, monkeypatch):
    X, y = make_xy(n=300)
    path, _ = write(tmp_path, "svm", X, y)
    X_read, y_read, _ = read_dataset(path)
    seen = []
    estimator = logistic.models.logistic_regression
    objective, design = estimator.Objective, estimator.Design

    def recording(cls):
        def make(X, *args, **kwargs):
            seen.append((cls.__name__, sp.issparse(X)))
            return cls(X, *args, **kwargs)
        return make

    monkeypatch.setattr(logistic.models.logistic_regression, "Objective", recording(objective))
    monkeypatch.setattr(logistic.models.logistic_regression, "Design", recording(design))
    model = LogisticRegression(solver="lbfgs").fit(X_read, y_read)
    proba = model.predict_proba(read_features(path, ["x1", "x2", "x3"]).X)
    assert ("Objective", True) in seen and ("Design", True) in seen
    assert all(sparse for _, sparse in seen), seen
    assert_allclose(proba, LogisticRegression(solver="lbfgs").fit(X, y).predict_proba(X),
                    rtol=1e-8)


# -- bad files: one-line DataErrors that name the file ---------------------------------------
def _bad_files(tmp_path) -> dict:
    """Each case: (path, read_dataset's keyword arguments, text the message must hold)."""
    X, y = make_xy(n=20)
    good_parquet, _ = write(tmp_path, "parquet", X, y)
    good_npy, _ = write(tmp_path, "npy", X, y)

    def file(name: str, content: bytes | str):
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    def npy(name: str, array: np.ndarray, allow_pickle: bool = False):
        path = tmp_path / name
        np.save(path, array, allow_pickle=allow_pickle)
        return path

    text = pd.DataFrame({"x1": X[:, 0], "color": ["red", "blue"] * 10, "y": y})
    text.to_parquet(tmp_path / "text.parquet")
    categorical = text.assign(color=text["color"].astype("category"))
    categorical.to_parquet(tmp_path / "categorical.parquet")
    pd.DataFrame({"x1": [1.0], "y": [1]}).iloc[:0].to_parquet(tmp_path / "empty.parquet")
    empty_directory = tmp_path / "no-parts"
    empty_directory.mkdir()
    (empty_directory / "notes.txt").write_text("no Parquet here")
    return {
        "missing-file": (tmp_path / "absent.parquet", {"target": "y"}, "no such file"),
        "directory": (tmp_path, {"target": "y", "fmt": "csv"},
                      "is a directory, not a data file"),
        "directory-without-parquet": (empty_directory, {"target": "y"},
                                      "the directory holds no *.parquet files"),
        "unknown-extension": (file("data.xlsx", "x"), {"target": "y"},
                              "cannot tell the format from the file name"),
        "unknown-format": (good_parquet, {"target": "y", "fmt": "excel"},
                           "unknown format 'excel'; expected one of csv, tsv, parquet, "
                           "libsvm or npy"),
        "compressed-parquet": (file("data.parquet.gz", b"x"), {"target": "y"},
                               "a compressed parquet file cannot be read directly"),
        "corrupt-parquet": (file("corrupt.parquet", b"PAR1 this is not parquet PAR1"),
                            {"target": "y"}, "not a readable Parquet file"),
        "truncated-parquet": (file("truncated.parquet", good_parquet.read_bytes()[:300]),
                              {"target": "y"}, "not a readable Parquet file"),
        "parquet-target-absent": (good_parquet, {"target": "label"},
                                  "target column 'label' not found; available columns: "
                                  "'x1', 'x2', 'x3', 'y'"),
        "parquet-text-column": (tmp_path / "text.parquet", {"target": "y"},
                                "feature column(s) are not numeric: 'color' (e.g. 'red' in "
                                "data row 1)"),
        "parquet-categorical-column": (tmp_path / "categorical.parquet", {"target": "y"},
                                       "feature column(s) are not numeric: 'color'"),
        "parquet-no-rows": (tmp_path / "empty.parquet", {"target": "y"},
                            "the file has no data rows"),
        "table-without-target": (good_parquet, {}, "name the label column"),
        "libsvm-parse-error": (file("bad.svm", "1 1:0.5 2:1\n0 1:abc\n"), {},
                               "malformed LIBSVM file (could not convert string to float: "
                               "b'abc' (line 2)); each line must read 'label index:value"),
        "libsvm-unsorted-indices": (file("unsorted.svm", "1 3:1 1:2\n0 1:1\n"), {},
                                    "should be sorted and unique"),
        "libsvm-no-colon": (file("nocolon.svm", "1 1:2\n0 2\n"), {},
                            "malformed LIBSVM file"),
        "libsvm-with-target": (file("t.svm", "1 1:2\n0 1:3\n"), {"target": "y"},
                               "a LIBSVM file holds the labels in the first field of each "
                               "line; leave out the target (got 'y')"),
        "libsvm-nan": (file("nan.svm", "1 1:2\n0 2:nan\n"), {},
                       "1 feature value(s) are missing or infinite (first: 'x2' in data "
                       "row 2)"),
        "libsvm-one-class": (file("one.svm", "1 1:2\n1 2:3\n"), {},
                             "the label field has a single class (1)"),
        "libsvm-empty": (file("empty.svm", ""), {}, "the file has no data lines"),
        "libsvm-zst": (file("data.svm.zst", b"x"), {},
                       ".zst compression is not supported for LIBSVM files"),
        "libsvm-bad-gzip": (file("bad.svm.gz", b"not gzip"), {},
                            "cannot read the file: Not a gzipped file"),
        "npy-pickled-objects": (npy("objects.npy", np.array([[1, "a"]], dtype=object), True),
                                {}, "the array holds Python objects (a pickle), which are "
                                "never loaded"),
        "npy-1d": (npy("flat.npy", np.arange(5.0)), {},
                   "expected a 2-D array (rows × columns), got 1-D of shape (5,)"),
        "npy-3d": (npy("cube.npy", np.zeros((2, 2, 2))), {}, "got 3-D of shape (2, 2, 2)"),
        "npy-strings": (npy("strings.npy", np.array([["a", "b"]])), {},
                        "the array's dtype <U1 is not numeric"),
        "npy-complex": (npy("complex.npy", np.ones((4, 2), dtype=complex)), {},
                        "the array's dtype complex128 is not numeric"),
        "npy-npz": (file("archive.npy", (lambda p: (np.savez(p, a=np.ones(2)),
                                                    p.read_bytes())[1])(tmp_path / "a.npz")),
                    {}, "an .npz archive"),
        "npy-not-numpy": (file("text.npy", "1,2,3\n"), {}, "not a NumPy .npy file"),
        "npy-truncated": (file("truncated.npy", good_npy.read_bytes()[:200]), {},
                          "malformed .npy file"),
        "npy-target-name": (good_npy, {"target": "y"},
                            "a .npy array has no column names; give the target as a column "
                            "index"),
        "npy-target-out-of-range": (good_npy, {"target": 4},
                                    "target column 4 is out of range for an array of 4 "
                                    "columns"),
        "npy-nan-feature": (npy("nan.npy", np.array([[0.0, 1], [np.nan, 0], [1, 1]])), {},
                            "feature column(s) hold missing or infinite values: 'x1' (1 "
                            "missing; first in data row 2)"),
        "npy-one-column": (npy("one.npy", np.ones((3, 1))), {},
                           "no columns besides the target"),
    }


BAD_FILES = [
    "missing-file", "directory", "directory-without-parquet", "unknown-extension",
    "unknown-format", "compressed-parquet",
    "corrupt-parquet", "truncated-parquet", "parquet-target-absent", "parquet-text-column",
    "parquet-categorical-column", "parquet-no-rows", "table-without-target",
    "libsvm-parse-error", "libsvm-unsorted-indices", "libsvm-no-colon", "libsvm-with-target",
    "libsvm-nan", "libsvm-one-class", "libsvm-empty", "libsvm-zst", "libsvm-bad-gzip",
    "npy-pickled-objects", "npy-1d", "npy-3d", "npy-strings", "npy-complex", "npy-npz",
    "npy-not-numpy", "npy-truncated", "npy-target-name", "npy-target-out-of-range",
    "npy-nan-feature", "npy-one-column",
]


@pytest.mark.parametrize("case", BAD_FILES)
def test_read_errors(tmp_path, case):
    path, kwargs, text = _bad_files(tmp_path)[case]
    with pytest.raises(DataError) as caught:
        read_dataset(path, **kwargs)
    message = str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert "\n" not in message
    assert text in message, message
    if case != "unknown-format":  # a format name is no file's problem
        assert message.startswith(f"{path}: ") and message.count(str(path)) == 1, message


def test_every_bad_file_case_is_run(tmp_path):
    assert sorted(_bad_files(tmp_path)) == sorted(BAD_FILES)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs a user whom file permissions stop")
@pytest.mark.parametrize("kind", ["csv", "parquet", "svm", "npy"])
def test_unreadable_file(tmp_path, kind):
    path, target = write(tmp_path, kind, *make_xy(n=10))
    path.chmod(0)
    with pytest.raises(DataError, match="Permission denied"):
        read_dataset(path, target)


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="Linux's /proc")
@pytest.mark.parametrize(
    ("fmt", "text"),
    [("csv", "cannot read the file: Input/output error"),
     ("parquet", "not a readable Parquet file"),
     ("libsvm", "cannot read the file: Input/output error"),
     ("npy", "cannot read the file: Input/output error")],
)
def test_a_file_that_fails_to_read(fmt, text):
    # /proc/self/mem exists and opens, but reading its offset 0 fails (EIO), as a bad disk
    # would; it works as root too, where permissions stop nothing
    target = "y" if fmt in ("csv", "parquet") else None
    with pytest.raises(DataError) as caught:
        read_dataset("/proc/self/mem", target, fmt=fmt)
    assert str(caught.value).startswith("/proc/self/mem: ") and text in str(caught.value)


def test_read_table_refuses_files_without_named_columns(tmp_path):
    path, _ = write(tmp_path, "svm", *make_xy(n=10))
    with pytest.raises(DataError, match="a libsvm file has no named columns"):
        read_table(path)


def test_read_features_names_the_missing_columns(tmp_path):
    X, y = make_xy(n=10)
    for kind, text in [("parquet", "missing the model's feature column(s): 'a'"),
                       ("npy", "a .npy array's columns are x1 … x4"),
                       ("svm", "a LIBSVM file's columns are named x<index>")]:
        path, _ = write(tmp_path, kind, X, y)
        with pytest.raises(DataError, match="'a'") as caught:
            read_features(path, ["x1", "a"])
        assert text in str(caught.value)


# -- DataFrames in the estimator: polars, text and categorical columns -----------------------
def test_polars_frame_fits_like_pandas_and_keeps_the_names():
    X, y = make_xy()
    frame = pd.DataFrame(X, columns=["alpha", "beta", "gamma"])
    polars_frame = pl.from_pandas(frame)
    from_pandas = LogisticRegression().fit(frame, y)
    from_polars = LogisticRegression().fit(polars_frame, pl.Series("y", y))
    assert list(from_polars.feature_names_in_) == ["alpha", "beta", "gamma"]
    assert_allclose(from_polars.coef_, from_pandas.coef_, rtol=1e-12)
    assert_allclose(from_polars.intercept_, from_pandas.intercept_, rtol=1e-12)
    assert_allclose(from_polars.predict_proba(polars_frame), from_pandas.predict_proba(frame),
                    rtol=1e-12)
    assert from_polars.summary().table.index.tolist() == ["Intercept", "alpha", "beta",
                                                           "gamma"]
    # scikit-learn's own check of the names applies to polars frames too
    with pytest.raises(ValueError, match="feature names should match"):
        from_polars.predict(polars_frame.select(["beta", "alpha", "gamma"]))


def _with_bad_columns(kind: str):
    X, _ = make_xy(n=40)
    base = {"a": X[:, 0]}
    labels = ["red", "blue"] * 20
    frames = {
        "pandas-object": lambda: pd.DataFrame({**base, "color": labels}),
        "pandas-string": lambda: pd.DataFrame({**base, "color": pd.array(labels,
                                                                          dtype="string")}),
        "pandas-numerals": lambda: pd.DataFrame({**base, "color": ["1", "2"] * 20}),
        "pandas-categorical": lambda: pd.DataFrame(
            {**base, "color": pd.Categorical([1.0, 2.0] * 20)}),
        "polars-string": lambda: pl.DataFrame({**base, "color": labels}),
        "polars-categorical": lambda: pl.DataFrame(
            {**base, "color": pl.Series(labels).cast(pl.Categorical)}),
        "polars-enum": lambda: pl.DataFrame(
            {**base, "color": pl.Series(labels).cast(pl.Enum(["red", "blue"]))}),
    }
    return frames[kind]()


@pytest.mark.parametrize(
    ("kind", "detail"),
    [("pandas-object", "could not convert string to float: 'red'"),
     ("pandas-string", "could not convert string to float: 'red'"),
     ("pandas-numerals", "text such as '1'"),
     ("pandas-categorical", "categorical"),
     ("polars-string", "could not convert string to float: 'red'"),
     ("polars-categorical", "categorical"),
     ("polars-enum", "categorical")],
)
def test_text_and_categorical_columns_are_named(kind, detail):
    frame = _with_bad_columns(kind)
    y = np.tile([0, 1], 20)
    data = "data.to_pandas()" if kind.startswith("polars") else "data"
    expected = (f"DataFrame column(s) are not numeric: 'color' ({detail}); convert them to "
                "numbers, encode categories with a formula, e.g. "
                f"LogisticRegression.from_formula('y ~ C(color) + ...', {data}), or drop them")
    with pytest.raises(ValueError) as caught:
        LogisticRegression().fit(frame, y)
    assert str(caught.value) == expected
    # at predict too, against a model fitted on the numeric columns
    numeric = frame[["a"]] if isinstance(frame, pd.DataFrame) else frame.select("a")
    model = LogisticRegression().fit(numeric, y)
    with pytest.raises(DataError, match=r"^DataFrame column\(s\) are not numeric: 'color'"):
        model.predict(frame)


def test_the_suggested_formula_encodes_the_column():
    _, y = make_xy(n=40)
    frame = _with_bad_columns("pandas-object").assign(y=y)
    model = LogisticRegression.from_formula("y ~ a + C(color)", frame)
    assert model.coef_.shape == (1, 2)
    assert model.predict(frame).shape == (40,)


def test_several_bad_columns_are_all_named():
    frame = pd.DataFrame({"a": [1.0, 2.0], "s": ["x", "y"], "g": pd.Categorical(["u", "v"])})
    with pytest.raises(DataError, match=r"'s' \(could not convert .*\), 'g' \(categorical\)"):
        check_numeric_columns(frame)


def test_numeric_object_and_boolean_columns_pass():
    X, y = make_xy(n=40)
    frame = pd.DataFrame({"a": X[:, 0], "o": pd.Series(X[:, 1], dtype=object),
                          "b": np.tile([True, False], 20)})
    model = LogisticRegression().fit(frame, y)
    reference = LogisticRegression().fit(frame.astype(np.float64).to_numpy(), y)
    assert_allclose(model.coef_, reference.coef_, rtol=1e-12)
    check_numeric_columns(pl.from_pandas(frame.astype({"o": float})))  # no error
    check_numeric_columns(X)  # arrays are not checked here


# -- the callback's state --------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # gd's 20 steps
@pytest.mark.parametrize("solver", ["newton", "lbfgs", "gd"])
def test_callback_state_counts_the_passes_over_X(solver):
    X, y = make_xy()
    states = []
    LogisticRegression(solver=solver, max_iter=20,
                       callback=lambda i, state: states.append((i, dict(state)))).fit(X, y)
    assert states
    for _, state in states:
        assert {"loss", "grad_norm", "theta", "passes"} <= set(state)
        assert isinstance(state["passes"], int)
    passes = [state["passes"] for _, state in states]
    assert all(later > earlier for earlier, later in zip(passes, passes[1:], strict=False))
    # an iteration reads X at least twice: z = Xw, then the gradient Xᵀg
    assert passes[-1] >= 2 * len(states)
