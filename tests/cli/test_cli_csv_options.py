"""``--no-header``, ``--sep``, ``--na-values``, trimmed text cells, the numeric-header warning
and LIBSVM files recognized by content, on the real command, against statsmodels' Logit and
the same data written the usual way."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from logistic import load
from logistic.cli.app import build_parser, run


def call(argv, capsys) -> tuple[int, str, str]:
    code = run([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_error_line(code: int, err: str, match: str) -> None:
    assert code == 2, err
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1 and lines[0].startswith("logistic: error: "), err
    assert match in lines[0], err


def pima_like(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Integer and decimal columns like Pima's (pregnancies, glucose, BMI), label last."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.integers(0, 12, n), rng.integers(60, 200, n),
                         np.round(rng.normal(32, 6, n), 1)]).astype(float)
    eta = -8 + 0.1 * X[:, 0] + 0.035 * X[:, 1] + 0.08 * X[:, 2]
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return X, y


def write_rows(path: Path, X, y, sep: str = ",", header: str | None = None) -> Path:
    lines = [sep.join([*(f"{v:g}" for v in row), str(t)]) for row, t in zip(X, y, strict=True)]
    path.write_text("".join(f"{line}\n" for line in ([header] if header else []) + lines))
    return path


def coefficients(model_path: Path) -> np.ndarray:
    model = load(model_path)
    return np.concatenate([np.ravel(model.intercept_), np.ravel(model.coef_)])


def test_no_header_fits_as_the_headered_file_and_statsmodels(tmp_path, capsys):
    X, y = pima_like()
    bare = write_rows(tmp_path / "pima.data.csv", X, y)
    named = write_rows(tmp_path / "pima.csv", X, y, header="x1,x2,x3,x4")
    assert call(["fit", bare, "--no-header", "--target", "-1", "--out", tmp_path / "a.json"],
                capsys)[0] == 0
    assert call(["fit", named, "--target", "x4", "--out", tmp_path / "b.json"], capsys)[0] == 0
    assert call(["fit", bare, "--no-header", "--target", "x4", "--out", tmp_path / "c.json"],
                capsys)[0] == 0
    a, b, c = (coefficients(tmp_path / f"{k}.json") for k in "abc")
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c, b, rtol=1e-12, atol=1e-12)
    reference = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-12).params
    np.testing.assert_allclose(a, reference, rtol=1e-6)
    assert load(tmp_path / "a.json").feature_names_in_.tolist() == ["x1", "x2", "x3"]
    # predict on the headerless file matches the model's x1 … x3
    code, out, err = call(["predict", tmp_path / "a.json", bare, "--no-header"], capsys)
    assert code == 0, err
    assert len(out.strip().splitlines()) == len(y) + 1


def test_a_numeric_header_warns_once(tmp_path, capsys):
    X, y = pima_like()
    bare = write_rows(tmp_path / "pima.data.csv", X, y)
    code, _, err = call(["fit", bare, "--target", "1", "--out", tmp_path / "m.json"], capsys)
    assert code == 0, err
    warned = [line for line in err.splitlines() if "the header row looks like data" in line]
    assert len(warned) == 1 and warned[0].startswith("logistic: warning: "), err
    assert "use --no-header" in warned[0]


def test_a_semicolon_file_fits_as_the_comma_file(tmp_path, capsys):
    X, y = pima_like()
    comma = write_rows(tmp_path / "c.csv", X, y, header="a,b,c,y")
    semi = write_rows(tmp_path / "s.csv", X, y, sep=";", header="a;b;c;y")
    tab = write_rows(tmp_path / "t.csv", X, y, sep="\t", header="a\tb\tc\ty")
    for path, extra, out in ((comma, [], "c.json"), (semi, ["--sep", ";"], "s.json"),
                             (tab, ["--sep", "\\t"], "t.json")):
        assert call(["fit", path, "--target", "y", *extra, "--out", tmp_path / out],
                    capsys)[0] == 0
    np.testing.assert_array_equal(coefficients(tmp_path / "s.json"),
                                  coefficients(tmp_path / "c.json"))
    np.testing.assert_array_equal(coefficients(tmp_path / "t.json"),
                                  coefficients(tmp_path / "c.json"))


def adult_like(n: int = 200, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"age": rng.integers(18, 80, n), "sex": rng.choice(["Male", "Female"], n)})
    eta = -2 + 0.04 * frame.age + 0.8 * (frame.sex == "Male")
    frame["income"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return frame


def write_adult(path: Path, frame: pd.DataFrame, missing_age_row: int | None = None) -> Path:
    lines = ["age, sex, income"]
    for i, row in enumerate(frame.itertuples()):
        age = "?" if i == missing_age_row else str(row.age)
        lines.append(f"{age}, {row.sex}, {row.income}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_spaces_after_commas_are_trimmed_in_a_formula_fit(tmp_path, capsys):
    frame = adult_like()
    data = write_adult(tmp_path / "adult.csv", frame)
    code, out, err = call(["fit", data, "--formula", "income ~ age + C(sex)",
                           "--out", tmp_path / "m.json"], capsys)
    assert code == 0, err
    assert "C(sex)[T.Male]" in out and "[T. Male]" not in out
    reference = smf.logit("income ~ age + C(sex)", frame).fit(disp=0, tol=1e-12).params
    ours = coefficients(tmp_path / "m.json")  # intercept, age, C(sex)[T.Male]
    np.testing.assert_allclose(
        ours, reference[["Intercept", "age", "C(sex)[T.Male]"]].to_numpy(), rtol=1e-6)


def test_na_values_make_a_question_mark_missing(tmp_path, capsys):
    data = write_adult(tmp_path / "adult.csv", adult_like(), missing_age_row=6)
    code, _, err = call(["fit", data, "--target", "income", "--features", "age",
                         "--na-values", "?", "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, "'age' (1 missing; first in data row 7)")
    assert not (tmp_path / "m.json").exists()


def libsvm_text(X, y) -> str:
    return "".join(f"{t} " + " ".join(f"{j + 1}:{v:g}" for j, v in enumerate(row)) + "\n"
                   for row, t in zip(X, y, strict=True))


def test_libsvm_files_without_an_extension_are_read_by_content(tmp_path, capsys):
    X, y = pima_like()
    text = libsvm_text(X, 2 * y - 1)
    (tmp_path / "a9a.libsvm").write_text(text)
    (tmp_path / "a9a").write_text(text)
    (tmp_path / "a9a.gz").write_bytes(gzip.compress(text.encode()))
    (tmp_path / "a9a.t").write_bytes(gzip.compress(text.encode()))  # gzip with no .gz
    for name in ("a9a.libsvm", "a9a", "a9a.gz", "a9a.t"):
        code, _, err = call(["fit", tmp_path / name, "--out", tmp_path / f"{name}.json"], capsys)
        assert code == 0, err
    reference = coefficients(tmp_path / "a9a.libsvm.json")
    for name in ("a9a", "a9a.gz", "a9a.t"):
        np.testing.assert_array_equal(coefficients(tmp_path / f"{name}.json"), reference)
    np.testing.assert_allclose(reference, sm.Logit(y, sm.add_constant(X)).fit(
        disp=0, tol=1e-12).params, rtol=1e-6)


def test_an_unknown_format_error_names_every_compression_suffix(tmp_path, capsys):
    data = tmp_path / "notes"
    data.write_text("hello world\n")
    code, _, err = call(["fit", data, "--target", "y", "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, "cannot tell the format")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["fit", "--help"])
    help_text = capsys.readouterr().out
    named = [s for s in (".gz", ".bz2", ".xz", ".zst", ".zip") if s in help_text]
    assert named, help_text
    for suffix in named:
        assert suffix in err, (suffix, err)


@pytest.mark.parametrize(("argv", "match"), [
    (["--sep", ";;"], "argument --sep: the separator must be one character"),
    (["--sep", "\\s+"], "argument --sep: the separator must be one character"),
    (["--no-header", "--target", "9"], "target column 9 is out of range for a file of 4"),
    (["--no-header", "--target", "x9"], "'x9'"),
])
def test_bad_csv_options(tmp_path, capsys, argv, match):
    X, y = pima_like()
    bare = write_rows(tmp_path / "pima.data.csv", X, y)
    code, _, err = call(["fit", bare, *argv, "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, match)


@pytest.mark.parametrize("kind", ["parquet", "npy", "libsvm"])
def test_no_header_is_refused_for_files_that_are_not_text_tables(tmp_path, capsys, kind):
    X, y = pima_like()
    if kind == "parquet":
        data = tmp_path / "d.parquet"
        pd.DataFrame({"a": X[:, 0], "y": y}).to_parquet(data)
        target = ["--target", "y"]
    elif kind == "npy":
        data = tmp_path / "d.npy"
        np.save(data, np.column_stack([X, y]))
        target = []
    else:
        data = tmp_path / "d.svm"
        data.write_text(libsvm_text(X, y))
        target = []
    code, _, err = call(["fit", data, *target, "--no-header", "--out", tmp_path / "m.json"],
                        capsys)
    assert_one_error_line(code, err, f"--no-header applies to CSV/TSV text only, not to a {kind}")
