"""The ``logistic`` command line: commands, round trips, and every bad input's exit status.

Most tests run the CLI in-process through ``logistic.cli.app.run(argv) -> int``; a few go
through a real ``python -m logistic`` subprocess to check the console-script path.
"""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call, make_frame, write_csv

from logistic import DataError, LogisticRegression, __version__
from logistic.cli.app import run
from logistic.io.data import read_table, split_xy


# -- helpers ---------------------------------------------------------------------------------
def cli_subprocess(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "logistic", *map(str, args)],
        cwd=cwd, capture_output=True, text=True, timeout=120, env={**os.environ},
    )


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory) -> Path:
    """A model file fitted on ``make_frame()`` through the CLI."""
    folder = tmp_path_factory.mktemp("model")
    data = write_csv(folder / "train.csv", make_frame())
    path = folder / "model.json"
    assert run(["fit", str(data), "--target", "label", "--out", str(path), "--quiet"]) == 0
    return path


# -- demo ------------------------------------------------------------------------------------
def test_demo_runs_and_writes_a_loadable_model(tmp_path, capsys):
    from logistic.io.model_file import load

    out = tmp_path / "demo.json"
    code, stdout, err = call(["demo", "--out", out, "--seed", 1], capsys)
    assert code == 0, err
    for text in ("accuracy", "ROC AUC", "log-loss", "standardized", "separated",
                 "mean radius", str(out)):
        assert text in stdout
    model = load(out)
    assert list(model.classes_) == ["benign", "malignant"]
    assert model.penalty == "l2" and model.n_features_in_ == 30
    accuracy = float(stdout.split("accuracy")[1].split()[1])
    assert accuracy > 0.9


def test_demo_through_a_subprocess_writes_to_the_current_directory(tmp_path):
    result = cli_subprocess("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "logistic-demo-model.json").is_file()
    assert "ROC AUC" in result.stdout and "Traceback" not in result.stderr


# -- fit, predict, summary -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "params", "labels"),
    [
        ([], {}, ("no", "yes")),
        (["--penalty", "l2", "--C", "0.5"], {"penalty": "l2", "C": 0.5}, (-1, 1)),
        (["--penalty", "l1", "--C", "0.05"], {"penalty": "l1", "C": 0.05}, (0, 1)),
        (["--penalty", "elasticnet", "--C", "0.05", "--l1-ratio", "0.5"],
         {"penalty": "elasticnet", "C": 0.05, "l1_ratio": 0.5}, ("no", "yes")),
        (["--no-intercept", "--solver", "lbfgs", "--tol", "1e-7", "--max-iter", "500"],
         {"fit_intercept": False, "solver": "lbfgs", "tol": 1e-7, "max_iter": 500}, (0, 1)),
    ],
)
def test_fit_predict_round_trip_matches_the_library(tmp_path, capsys, options, params, labels):
    frame = make_frame(labels=labels)
    frame["note"] = "ignored"  # a text column that --features leaves out
    data = write_csv(tmp_path / "train.csv", frame)
    model_path = tmp_path / "model.json"
    code, stdout, err = call(
        ["fit", data, "--target", "label", "--features", "a,b,c", "--out", model_path,
         "--quiet", *options], capsys,
    )
    assert code == 0, err
    assert stdout == ""

    preds_path = tmp_path / "preds.csv"
    code, stdout, err = call(["predict", model_path, data, "--out", preds_path], capsys)
    assert code == 0, err
    predictions = pd.read_csv(preds_path)
    assert list(predictions.columns) == ["probability", "prediction"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []

    table = pd.read_csv(data)
    reference = LogisticRegression(**params).fit(table[["a", "b", "c"]], table["label"])
    np.testing.assert_allclose(
        predictions["probability"], reference.predict_proba(table[["a", "b", "c"]])[:, 1],
        rtol=0, atol=1e-12,
    )
    assert list(predictions["prediction"]) == list(reference.predict(table[["a", "b", "c"]]))
    assert set(predictions["prediction"]) <= set(labels)


def test_predict_writes_csv_to_stdout_and_ignores_extra_columns(tmp_path, capsys, saved_model):
    frame = make_frame(n=20, seed=5)[["c", "label", "b", "a"]]  # other order, plus the target
    data = write_csv(tmp_path / "new.csv", frame)
    code, stdout, err = call(["predict", saved_model, data], capsys)
    assert code == 0, err
    lines = stdout.splitlines()
    assert lines[0] == "probability,prediction" and len(lines) == 21
    probability, prediction = lines[1].split(",")
    assert 0.0 < float(probability) < 1.0 and prediction in {"no", "yes"}


def test_fit_prints_the_summary_table(tmp_path, capsys):
    data = write_csv(tmp_path / "train.csv", make_frame())
    code, stdout, err = call(
        ["fit", data, "--target", "label", "--out", tmp_path / "m.json"], capsys
    )
    assert code == 0, err
    for text in ("Intercept", "std err", "P>|z|", "[0.025", "0.975]", "Log-Likelihood", "m.json"):
        assert text in stdout
    assert all(f"│ {name} " in stdout for name in ("a", "b", "c"))


def test_summary_prints_the_coefficients(capsys, saved_model):
    from logistic.io.model_file import load

    model = load(saved_model)
    code, stdout, err = call(["summary", saved_model], capsys)
    assert code == 0, err
    assert "Intercept" in stdout and "'yes'" in stdout and "newton" in stdout
    assert f"{model.intercept_[0]:.4f}" in stdout
    for name, coef in zip(model.feature_names_in_, model.coef_.ravel(), strict=True):
        assert name in stdout and f"{coef:.4f}" in stdout
    # the fit's statistics travel in the model file: the standard errors are those of the fit
    for std_err in model.std_err_:
        assert f"{std_err:.4f}" in stdout


def test_fit_reports_warnings_on_stderr_and_still_succeeds(tmp_path, capsys):
    x = np.linspace(-2, 2, 40)
    frame = pd.DataFrame({"x": x, "y": (x > 0).astype(int)})  # completely separated
    data = write_csv(tmp_path / "sep.csv", frame)
    code, _, err = call(
        ["fit", data, "--target", "y", "--out", tmp_path / "m.json", "--quiet"], capsys
    )
    assert code == 0
    assert err.startswith("logistic: warning: ") and "Traceback" not in err
    assert all(line.startswith("logistic: warning: ") for line in err.splitlines())


# -- reading -----------------------------------------------------------------------------------
def test_read_table_handles_bom_gzip_tsv_and_other_encodings(tmp_path):
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfa,b\n1,2\n")
    assert list(read_table(tmp_path / "bom.csv").columns) == ["a", "b"]
    with gzip.open(tmp_path / "z.csv.gz", "wt") as handle:
        handle.write("a,b\n1,2\n")
    assert read_table(tmp_path / "z.csv.gz").to_dict("list") == {"a": [1], "b": [2]}
    (tmp_path / "t.tsv").write_text("a\tb\n1\t2\n")
    assert list(read_table(tmp_path / "t.tsv").columns) == ["a", "b"]
    (tmp_path / "d.dat").write_text("a;b\n1;2\n".replace(";", ","))
    assert list(read_table(tmp_path / "d.dat", "csv").columns) == ["a", "b"]
    (tmp_path / "l1.csv").write_bytes("café,b\n1,2\n".encode("latin-1"))
    assert list(read_table(tmp_path / "l1.csv", encoding="latin-1").columns) == ["café", "b"]
    with pytest.raises(DataError, match="not valid UTF-8"):
        read_table(tmp_path / "l1.csv")


def test_split_xy_labels_and_errors():
    frame = pd.DataFrame({"x": [0.5, 1.5, 2.5], "y": [1.0, -1.0, 1.0]})
    X, y = split_xy(frame, "y")
    assert list(X.columns) == ["x"] and y.dtype.kind == "i" and set(y) == {-1, 1}
    with pytest.raises(DataError, match="'nope' not found; available columns: 'x', 'y'"):
        split_xy(frame, "nope")
    with pytest.raises(DataError, match="3 distinct values in 3 rows.*not class labels"):
        split_xy(frame.assign(y=[1, 2, 3]), "y")
    _, y = split_xy(pd.DataFrame({"x": np.arange(6.0), "y": list("abcabc")}), "y")
    assert sorted(set(y)) == ["a", "b", "c"]  # three classes are fine


def test_encoding_option_reads_a_latin1_file(tmp_path, capsys):
    frame = make_frame(n=40)
    frame["label"] = np.where(frame["label"] == "yes", "oui", "café")
    path = tmp_path / "latin1.csv"
    path.write_bytes(frame.to_csv(index=False).encode("latin-1"))
    code, _, err = call(["fit", path, "--target", "label", "--encoding", "latin-1", "--quiet",
                         "--out", tmp_path / "m.json"], capsys)
    assert code == 0, err


# -- bad input: exit status 2, one line on stderr, no traceback ------------------------------
def _bad_inputs(tmp: Path) -> dict[str, list]:
    """Each case: the argv of a run that must fail with exit status 2."""
    good = write_csv(tmp / "good.csv", make_frame(n=30))
    out = tmp / "m.json"

    def fit(path, *extra):
        return ["fit", path, "--target", "label", "--out", out, *extra]

    def file(name: str, content: str | bytes) -> Path:
        path = tmp / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path

    with_text = make_frame(n=30).assign(color="red")
    with_nan = make_frame(n=30)
    with_nan.loc[3, "b"] = np.nan
    with_inf = make_frame(n=30)
    with_inf.loc[7, "a"] = np.inf
    nan_target = make_frame(n=30)
    nan_target.loc[2, "label"] = None
    return {
        "missing file": fit(tmp / "absent.csv"),
        "empty file": fit(file("empty.csv", "")),
        "header only": fit(file("header.csv", "a,b,label\n")),
        "ragged rows": fit(file("ragged.csv", "a,b,label\n1,2,x\n3,4,y,5\n")),
        "not UTF-8": fit(file("latin1.csv", "a,b,label\n1,2,caf\xe9\n3,4,x\n".encode("latin-1"))),
        "unknown extension": fit(file("data.xlsx", "a,b,label\n1,2,x\n")),
        "unknown encoding": fit(good, "--encoding", "klingon"),
        "missing target": ["fit", good, "--target", "nope", "--out", out],
        "missing feature": fit(good, "--features", "a,zzz"),
        "non-numeric feature": fit(write_csv(tmp / "text.csv", with_text)),
        "NaN in a feature": fit(write_csv(tmp / "nan.csv", with_nan)),
        "inf in a feature": fit(write_csv(tmp / "inf.csv", with_inf)),
        "NaN in the target": fit(write_csv(tmp / "nantarget.csv", nan_target)),
        "single class": fit(write_csv(tmp / "one.csv", make_frame(n=30).assign(label="yes"))),
        "a label per row": fit(file("three.csv", "a,label\n1,x\n2,y\n3,z\n")),
        "output directory missing": ["fit", good, "--target", "label",
                                     "--out", tmp / "no" / "m.json"],
        "unknown subcommand": ["frobnicate"],
        "no subcommand": [],
        "C negative": fit(good, "--C", "-1"),
        "C not a number": fit(good, "--C", "abc"),
        "C infinite": fit(good, "--C", "inf"),
        "max-iter negative": fit(good, "--max-iter", "-3"),
        "unknown penalty": fit(good, "--penalty", "lasso"),
        "elasticnet without --l1-ratio": fit(good, "--penalty", "elasticnet"),
        "l1-ratio above 1": fit(good, "--penalty", "elasticnet", "--l1-ratio", "1.5"),
        "l1-ratio without elasticnet": fit(good, "--penalty", "l1", "--l1-ratio", "0.5"),
        "l1 with lbfgs": fit(good, "--penalty", "l1", "--solver", "lbfgs"),
        "target missing from argv": ["fit", good, "--out", out],
        "garbage model file": ["predict", file("garbage.json", "not json at all"), good],
        "model file missing": ["summary", tmp / "absent.json"],
        "empty model file": ["summary", file("empty.json", "")],
        "JSON that is not a model": ["summary", file("other.json", '{"a": 1}')],
        "demo output directory missing": ["demo", "--out", tmp / "no" / "demo.json"],
        "demo seed not a number": ["demo", "--seed", "abc"],
    }


BAD_INPUT_CASES = [
    "missing file", "empty file", "header only", "ragged rows", "not UTF-8",
    "unknown extension", "unknown encoding", "missing target", "missing feature",
    "non-numeric feature", "NaN in a feature", "inf in a feature", "NaN in the target",
    "single class", "a label per row", "output directory missing", "unknown subcommand",
    "no subcommand", "C negative", "C not a number", "C infinite", "max-iter negative",
    "unknown penalty", "elasticnet without --l1-ratio", "l1-ratio above 1",
    "l1-ratio without elasticnet", "l1 with lbfgs", "target missing from argv",
    "garbage model file", "model file missing", "empty model file", "JSON that is not a model",
    "demo output directory missing", "demo seed not a number",
]


@pytest.mark.parametrize("case", BAD_INPUT_CASES)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, case):
    argv = _bad_inputs(tmp_path)[case]
    code, stdout, err = call(argv, capsys)
    assert_one_error_line(code, err)
    assert not (tmp_path / "m.json").exists()


def test_every_bad_input_case_is_run(tmp_path):
    assert sorted(_bad_inputs(tmp_path)) == sorted(BAD_INPUT_CASES)


def test_bad_input_messages_name_the_problem(tmp_path, capsys):
    cases = _bad_inputs(tmp_path)
    expected = {
        "missing file": "absent.csv: no such file",
        "empty file": "empty",
        "header only": "no data rows",
        "ragged rows": "line 3 has 4 fields",
        "not UTF-8": "--encoding",
        "missing target": "'nope' not found; available columns: 'a', 'b', 'c', 'label'",
        "non-numeric feature": "'color'",
        "NaN in a feature": "'b' (1 missing",
        "inf in a feature": "'a' (1 infinite",
        "NaN in the target": "missing value",
        "single class": "single class ('yes')",
        "C negative": "argument --C",
    }
    for case, text in expected.items():
        _, _, err = call(cases[case], capsys)
        assert text in err, (case, err)


def test_output_that_is_an_input_is_refused(tmp_path, capsys, monkeypatch, saved_model):
    """--out naming an input file, in any spelling (relative, absolute, through a link), is
    refused before any work: exit 2, one line, every input byte-for-byte unchanged."""
    import hashlib

    monkeypatch.chdir(tmp_path)
    data = write_csv(tmp_path / "train.csv", make_frame(n=60))
    model = tmp_path / "model.json"
    model.write_bytes(saved_model.read_bytes())
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    png = tmp_path / "roc.png"
    png.write_bytes(b"an earlier figure")

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    before = {path: digest(path) for path in (data, model, png)}
    runs = [
        ["fit", "train.csv", "--target", "label", "--out", data],
        ["fit", link, "--target", "label", "--out", "./train.csv"],
        ["predict", model, data, "--out", "model.json"],
        ["predict", model, "train.csv", "--out", link],
        ["report", model, data, "--target", "label", "--out", model],
        ["report", model, data, "--target", "label", "--out", data],
        ["plot", "roc", model, png, "--target", "label", "--out", png],
    ]
    for argv in runs:
        code, _, err = call(argv, capsys)
        assert_one_error_line(code, err)
        assert "is also the input" in err and "give --out another file name" in err, err
    assert {path: digest(path) for path in before} == before


def test_predict_with_missing_columns_exits_2(tmp_path, capsys, saved_model):
    data = write_csv(tmp_path / "partial.csv", make_frame(n=10)[["a", "label"]])
    code, stdout, err = call(["predict", saved_model, data], capsys)
    assert_one_error_line(code, err)
    assert "'b', 'c'" in err and stdout == ""


def test_truncated_model_file_exits_2(tmp_path, capsys, saved_model):
    text = saved_model.read_text()
    truncated = tmp_path / "truncated.json"
    truncated.write_text(text[: len(text) // 2])
    data = write_csv(tmp_path / "new.csv", make_frame(n=10))
    for argv in (["summary", truncated], ["predict", truncated, data]):
        code, _, err = call(argv, capsys)
        assert_one_error_line(code, err)


@pytest.mark.slow
def test_bad_input_through_a_subprocess(tmp_path):
    result = cli_subprocess("fit", "absent.csv", "--target", "y", "--out", "m.json",
                            cwd=tmp_path)
    assert_one_error_line(result.returncode, result.stderr)
    assert result.stdout == ""
    result = cli_subprocess("fit", "absent.csv", "--target", "y", "--out", "m.json",
                            "--C", "-1", cwd=tmp_path)
    assert_one_error_line(result.returncode, result.stderr)


@pytest.mark.slow
def test_version_and_help(tmp_path, capsys):
    result = cli_subprocess("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"logistic {__version__}"
    code, stdout, _ = call(["fit", "--help"], capsys)
    assert code == 0 and "--target" in stdout and "--no-intercept" in stdout


# -- internal errors: exit status 1 ----------------------------------------------------------
def test_internal_error_exits_1_and_debug_shows_the_traceback(tmp_path, capsys, monkeypatch):
    def broken_fit(self, X, y, sample_weight=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(LogisticRegression, "fit", broken_fit)
    data = write_csv(tmp_path / "train.csv", make_frame(n=30))
    argv = ["fit", data, "--target", "label", "--out", tmp_path / "m.json"]

    code, _, err = call(argv, capsys)
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "RuntimeError: boom" in err and "--debug" in err

    for debug_argv in (["--debug", *argv], [*argv, "--debug"]):
        code, _, err = call(debug_argv, capsys)
        assert code == 1
        assert "Traceback" in err and "RuntimeError: boom" in err


def test_three_classes_fit_and_predict(tmp_path, capsys):
    from logistic.io.model_file import load

    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 2))
    label = np.array(["north", "south", "west"])[np.argmax(X @ [[2, -1, 0], [0, 1, -2]], 1)]
    data = write_csv(tmp_path / "three.csv", pd.DataFrame({"a": X[:, 0], "b": X[:, 1],
                                                           "label": label}))
    model_path = tmp_path / "m.json"
    code, _, err = call(["fit", data, "--target", "label", "--penalty", "l2", "--out",
                         model_path, "--quiet"], capsys)
    assert code == 0, err
    code, stdout, err = call(["predict", model_path, data], capsys)
    assert code == 0, err
    written = pd.read_csv(io.StringIO(stdout))
    assert list(written.columns) == ["probability_north", "probability_south",
                                     "probability_west", "prediction"]
    model = load(model_path)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1]})
    np.testing.assert_allclose(written.iloc[:, :3].to_numpy(), model.predict_proba(frame),
                               rtol=1e-12)
    assert (written["prediction"] == label).mean() > 0.9
