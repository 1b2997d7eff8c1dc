"""The CSV reading options of read_dataset / read_table / read_features: header=False,
sep, na_values, trimmed text cells, the numeric-header warning, and LIBSVM by content;
each checked against pandas reading the same text with its own options."""

from __future__ import annotations

import bz2
import io
import lzma
import warnings

import numpy as np
import pandas as pd
import pytest

from logistic.exceptions import DataError
from logistic.io.data import read_dataset, read_features, read_table
from logistic.io.formats import infer_format, text_separator

ROWS = "6,148,33.6,1\n1,85,26.6,0\n8,183,23.3,1\n1,89,28.1,0\n0,137,43.1,1\n5,116,25.6,0\n"


def test_header_false_names_columns_x1_to_xd(tmp_path):
    path = tmp_path / "pima.data.csv"
    path.write_text(ROWS)
    X, y, names = read_dataset(path, -1, header=False)
    expected = pd.read_csv(io.StringIO(ROWS), header=None)
    assert names == ["x1", "x2", "x3"]
    np.testing.assert_array_equal(X.to_numpy(), expected.iloc[:, :3].to_numpy(float))
    np.testing.assert_array_equal(y, expected.iloc[:, 3].to_numpy())
    same = read_dataset(path, "x4", header=False)
    np.testing.assert_array_equal(same.X.to_numpy(), X.to_numpy())
    by_index = read_dataset(path, 3, header=False, features=["x2"])
    np.testing.assert_array_equal(by_index.y, expected.iloc[:, 3].to_numpy())
    np.testing.assert_array_equal(by_index.X["x2"], expected.iloc[:, 1].to_numpy(float))
    assert read_features(path, ["x1", "x3"], header=False).feature_names == ["x1", "x3"]


def test_a_numeric_header_warns(tmp_path):
    path = tmp_path / "pima.data.csv"
    path.write_text(ROWS)
    with pytest.warns(UserWarning, match="the header row looks like data"):
        frame = read_table(path)
    assert len(frame) == ROWS.count("\n") - 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_table(path, header=False)
        (tmp_path / "named.csv").write_text("a,b,c,y\n" + ROWS)
        read_table(tmp_path / "named.csv")


@pytest.mark.parametrize(("sep", "char"), [(";", ";"), ("|", "|"), ("\\t", "\t"), ("\t", "\t")])
def test_sep_reads_as_the_comma_file(tmp_path, sep, char):
    (tmp_path / "c.csv").write_text("a,b,c,y\n" + ROWS)
    (tmp_path / "s.csv").write_text(("a,b,c,y\n" + ROWS).replace(",", char))
    pd.testing.assert_frame_equal(read_table(tmp_path / "s.csv", sep=sep),
                                  read_table(tmp_path / "c.csv"))


@pytest.mark.parametrize("sep", [";;", "\\s+", "", '"', "\n"])
def test_a_separator_that_is_not_one_character_is_refused(sep):
    with pytest.raises(DataError, match="the separator must be one character"):
        text_separator(sep)


def test_trimming_and_na_values(tmp_path):
    text = ("age, workclass, sex, y\n39, State-gov, Male, 0\n50, ?, Female , 1\n"
            "38, Private, Male, 0\n")
    path = tmp_path / "adult.csv"
    path.write_text(text)
    frame = read_table(path, na_values=["?"])
    expected = pd.read_csv(io.StringIO(text), skipinitialspace=True, na_values=["?"])
    expected.columns = [c.strip() for c in expected.columns]
    expected["sex"] = expected["sex"].str.strip()
    assert list(frame.columns) == ["age", "workclass", "sex", "y"]
    assert frame["sex"].tolist() == ["Male", "Female", "Male"]
    assert frame["workclass"].isna().tolist() == [False, True, False]
    pd.testing.assert_frame_equal(frame, expected)


def test_na_values_in_a_feature_are_the_missing_value_error(tmp_path):
    path = tmp_path / "adult.csv"
    path.write_text("age, y\n39, 0\n?, 1\n38, 0\n41, 1\n")
    with pytest.raises(DataError, match=r"'age' \(1 missing; first in data row 2\)"):
        read_dataset(path, "y", na_values=["?"])


@pytest.mark.parametrize("option", [{"header": False}, {"sep": ";"}, {"na_values": ["?"]}])
def test_text_options_are_refused_for_other_formats(tmp_path, option):
    path = tmp_path / "d.npy"
    np.save(path, np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0]]))
    with pytest.raises(DataError, match="applies to CSV/TSV text only, not to a npy file"):
        read_dataset(path, **option)
    with pytest.raises(DataError, match="applies to CSV/TSV text only"):
        read_features(path, **option)


def test_target_beyond_the_width_is_refused(tmp_path):
    path = tmp_path / "pima.data.csv"
    path.write_text(ROWS)
    with pytest.raises(DataError, match="target column 4 is out of range for a file of 4"):
        read_dataset(path, 4, header=False)


@pytest.mark.parametrize("compress", [None, bz2.compress, lzma.compress])
def test_libsvm_is_recognized_by_content(tmp_path, compress):
    text = b"# a comment\n\n+1 1:0.5 3:2\n-1 2:1 3:-1\n+1 1:1.5 2:0.25\n"
    (tmp_path / "a9a.libsvm").write_bytes(text)
    path = tmp_path / "a9a"
    path.write_bytes(compress(text) if compress else text)
    assert infer_format(path) == "libsvm"
    ours = read_dataset(path)
    named = read_dataset(tmp_path / "a9a.libsvm")
    np.testing.assert_array_equal(ours.X.toarray(), named.X.toarray())
    np.testing.assert_array_equal(ours.y, named.y)
    assert ours.feature_names == named.feature_names


def test_text_that_is_not_libsvm_keeps_the_format_error(tmp_path):
    path = tmp_path / "data"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=r"\.gz, \.bz2, \.xz, \.zst, \.zip"):
        infer_format(path)
