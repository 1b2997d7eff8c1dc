"""The command line on every data format (CSV, TSV, Parquet, LIBSVM, .npy), its bad files,
and the progress display of ``logistic fit``.

The reference is the library fitted on the array the files were written from (by pandas,
pyarrow, scikit-learn's ``dump_svmlight_file`` and ``numpy.save``).
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call
from numpy.testing import assert_allclose, assert_array_equal
from rich.console import Console
from sklearn.datasets import dump_svmlight_file

import logistic.cli.progress as cli_progress
from logistic import LogisticRegression, load
from logistic.cli.app import FitProgress

NAMES = ["x1", "x2", "x3"]


def make_xy(n: int = 150, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Features in steps of 1/8 (exact in text), a third zero; 0/1 logistic labels."""
    rng = np.random.default_rng(seed)
    X = rng.integers(-24, 25, size=(n, 3)) / 8.0
    X[rng.random((n, 3)) < 0.3] = 0.0
    z = -0.3 + X @ np.array([1.0, -1.0, 0.5])
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.int64)
    return X, y


def write(folder, kind: str, X, y=None):
    """X (and y, when given) as a file of ``kind``; returns (path, --target arguments)."""
    path = folder / f"data.{kind}"
    frame = pd.DataFrame(X, columns=NAMES)
    if y is not None:
        frame["y"] = y
    if kind == "csv":
        frame.to_csv(path, index=False)
    elif kind == "tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif kind == "parquet":
        frame.to_parquet(path)
    elif kind == "svm":
        dump_svmlight_file(X, np.zeros(len(X)) if y is None else y, str(path),
                           zero_based=False)
    elif kind == "npy":
        np.save(path, X if y is None else np.column_stack([X, y]))
    target = ["--target", "y"] if kind in ("csv", "tsv", "parquet") and y is not None else []
    return path, target


@pytest.fixture(scope="module")
def data():
    return make_xy()


@pytest.fixture(scope="module")
def reference(data):
    return LogisticRegression().fit(*data)


# -- every format, one model -----------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["csv", "tsv", "parquet", "svm", "npy"])
def test_fit_on_every_format_gives_the_librarys_model(tmp_path, capsys, data, reference, kind):
    path, target = write(tmp_path, kind, *data)
    out = tmp_path / "model.json"
    code, stdout, err = call(["fit", path, *target, "--out", out], capsys)
    assert code == 0, err
    assert err == ""
    model = load(out)
    assert list(model.feature_names_in_) == NAMES
    assert_allclose(model.coef_, reference.coef_, rtol=1e-10)
    assert_allclose(model.intercept_, reference.intercept_, rtol=1e-10)
    assert re.search(r"│ x2\s+│\s+-", stdout)  # the summary names the features


@pytest.mark.parametrize("kind", ["csv", "parquet", "svm", "npy"])
def test_predict_on_every_format_matches_the_library(tmp_path, capsys, data, reference, kind):
    train, target = write(tmp_path, "csv", *data)
    model = tmp_path / "model.json"
    assert call(["fit", train, *target, "--out", model, "--quiet"], capsys)[0] == 0
    X_new = make_xy(n=40, seed=7)[0]
    path, _ = write(tmp_path, kind, X_new)  # features only (LIBSVM: labels 0, ignored)
    code, stdout, err = call(["predict", model, path], capsys)
    assert code == 0, err
    assert err == ""  # no warning about feature names for the sparse LIBSVM matrix
    result = pd.read_csv(io.StringIO(stdout))
    assert_allclose(result["probability"], reference.predict_proba(X_new)[:, 1], rtol=1e-10)
    assert_array_equal(result["prediction"], reference.predict(X_new))


def test_libsvm_model_predicts_libsvm_files(tmp_path, capsys, data, reference):
    train, _ = write(tmp_path, "svm", *data)
    model = tmp_path / "model.json"
    assert call(["fit", train, "--out", model, "--quiet"], capsys)[0] == 0
    out = tmp_path / "predictions.csv"
    code, _, err = call(["predict", model, train, "--out", out], capsys)
    assert code == 0 and err == ""
    assert_allclose(pd.read_csv(out)["probability"], reference.predict_proba(data[0])[:, 1],
                    rtol=1e-10)


@pytest.mark.parametrize(("kind", "fmt"), [("parquet", "parquet"), ("svm", "libsvm"),
                                           ("npy", "npy"), ("tsv", "tsv")])
def test_format_option_overrides_the_extension(tmp_path, capsys, data, reference, kind, fmt):
    path, target = write(tmp_path, kind, *data)
    renamed = path.rename(tmp_path / "data.bin")
    out = tmp_path / "model.json"
    code, _, err = call(["fit", renamed, *target, "--format", fmt, "--out", out, "--quiet"],
                        capsys)
    assert code == 0, err
    assert_allclose(load(out).coef_, reference.coef_, rtol=1e-10)


def test_npy_target_index(tmp_path, capsys, data, reference):
    X, y = data
    path = tmp_path / "first.npy"
    np.save(path, np.column_stack([y, X]))
    out = tmp_path / "model.json"
    assert call(["fit", path, "--target", "0", "--out", out, "--quiet"], capsys)[0] == 0
    assert_allclose(load(out).coef_, reference.coef_, rtol=1e-10)


def test_formula_on_parquet_encodes_a_text_column(tmp_path, capsys, data):
    X, y = data
    frame = pd.DataFrame(X, columns=NAMES).assign(
        color=np.where(np.arange(len(y)) % 3 == 0, "red", "blue"), y=y)
    path = tmp_path / "colors.parquet"
    frame.to_parquet(path)
    out = tmp_path / "model.json"
    code, _, err = call(["fit", path, "--formula", "y ~ x1 + C(color)", "--out", out,
                         "--quiet"], capsys)
    assert code == 0, err
    expected = LogisticRegression.from_formula("y ~ x1 + C(color)", frame)
    assert_allclose(load(out).coef_, expected.coef_, rtol=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["svm", "npy"])
def test_explain_report_and_plots_take_libsvm_and_npy(tmp_path, capsys, data, kind):
    path, _ = write(tmp_path, kind, *data)
    model = tmp_path / "model.json"
    assert call(["fit", path, "--out", model, "--quiet"], capsys)[0] == 0
    target = ["--target", "-1"] if kind == "npy" else []
    runs = {
        "explain": ["explain", model, path, *target],
        "report": ["report", model, path, "--out", tmp_path / "report.html"],
        "roc": ["plot", "roc", model, path, "--out", tmp_path / "roc.png"],
        "scores": ["plot", "scores", model, path, *target, "--out", tmp_path / "s.png"],
        "training": ["plot", "training", path, "--out", tmp_path / "training.png"],
    }
    for name, argv in runs.items():
        code, _, err = call(argv, capsys)
        assert code == 0, (name, err)
    assert "<html" in (tmp_path / "report.html").read_text()
    assert (tmp_path / "roc.png").read_bytes().startswith(b"\x89PNG")


def test_help_lists_the_formats(capsys):
    for command in ("fit", "predict", "explain", "report", "plot"):
        code, out, _ = call([command, "--help"], capsys)
        text = " ".join(out.split())
        assert code == 0
        for word in ("{csv,tsv,parquet,libsvm,npy}", ".svmlight", ".npy", ".pq"):
            assert word in text, (command, word)
    text = " ".join(call(["fit", "--help"], capsys)[1].split())
    for word in ("Parquet", "LIBSVM", "x<index>", "--target INDEX", "progress"):
        assert word in text, word


# -- bad files: exit 2, one line, nothing written --------------------------------------------
def _bad_runs(tmp_path) -> dict:
    """Each case: (argv, text the error line must hold)."""
    X, y = make_xy(n=30)
    good_parquet, _ = write(tmp_path, "parquet", X, y)
    good_svm, _ = write(tmp_path, "svm", X, y)
    good_npy, _ = write(tmp_path, "npy", X, y)
    out = tmp_path / "model.json"
    model = tmp_path / "saved.json"
    LogisticRegression().fit(pd.DataFrame(X, columns=NAMES), y).save(model)

    def file(name: str, content: bytes | str):
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    objects = tmp_path / "objects.npy"
    np.save(objects, np.array([[1.0, "a"]], dtype=object), allow_pickle=True)
    flat = tmp_path / "flat.npy"
    np.save(flat, np.arange(4.0))
    text = pd.DataFrame(X, columns=NAMES).assign(color="red", y=y)
    text.to_parquet(tmp_path / "text.parquet")
    return {
        "corrupt-parquet": (["fit", file("bad.parquet", b"PAR1 junk"), "--target", "y",
                             "--out", out], "not a readable Parquet file"),
        "unknown-extension": (["fit", file("data.h5", b"x"), "--target", "y", "--out", out],
                              "cannot tell the format from the file name"),
        "unknown-format": (["fit", good_parquet, "--format", "excel", "--target", "y",
                            "--out", out], "argument --format: invalid choice: 'excel'"),
        "parquet-target-absent": (["fit", good_parquet, "--target", "label", "--out", out],
                                  "target column 'label' not found"),
        "parquet-text-column": (["fit", tmp_path / "text.parquet", "--target", "y", "--out",
                                 out], "feature column(s) are not numeric: 'color'"),
        "parquet-without-target": (["fit", good_parquet, "--out", out],
                                   "give either --target COL or --formula"),
        "libsvm-parse-error": (["fit", file("bad.svm", "1 1:2\n0 1:x\n"), "--out", out],
                               "malformed LIBSVM file"),
        "libsvm-with-target": (["fit", good_svm, "--target", "y", "--out", out],
                               "leave out the target"),
        "libsvm-with-formula": (["fit", good_svm, "--formula", "y ~ x1", "--out", out],
                                "--formula needs named columns (CSV, TSV or Parquet)"),
        "npy-pickled-objects": (["fit", objects, "--out", out], "never loaded"),
        "npy-1d": (["fit", flat, "--out", out], "expected a 2-D array"),
        "npy-target-name": (["fit", good_npy, "--target", "y", "--out", out],
                            "give the target as a column index"),
        "predict-corrupt-parquet": (["predict", model, file("p.parquet", b"junk"), "--out",
                                     tmp_path / "p.csv"], "not a readable Parquet file"),
        "predict-npy-missing-columns": (["predict", model, flat.with_name("two.npy"), "--out",
                                         tmp_path / "p.csv"],
                                        "missing the model's feature column(s): 'x3'"),
        "report-csv-without-target": (["report", model, write(tmp_path, "csv", X, y)[0],
                                       "--out", tmp_path / "r.html"],
                                      "the labels are needed: add --target COL"),
    }


BAD_RUNS = [
    "corrupt-parquet", "unknown-extension", "unknown-format", "parquet-target-absent",
    "parquet-text-column", "parquet-without-target", "libsvm-parse-error",
    "libsvm-with-target", "libsvm-with-formula", "npy-pickled-objects", "npy-1d",
    "npy-target-name", "predict-corrupt-parquet", "predict-npy-missing-columns",
    "report-csv-without-target",
]


@pytest.mark.parametrize("case", BAD_RUNS)
def test_cli_bad_files(tmp_path, capsys, case):
    np.save(tmp_path / "two.npy", np.ones((3, 2)))
    argv, text = _bad_runs(tmp_path)[case]
    code, stdout, err = call(argv, capsys)
    assert_one_error_line(code, err, text)
    assert "Traceback" not in err
    for written in ("model.json", "p.csv", "r.html"):
        assert not (tmp_path / written).exists()


def test_every_bad_run_is_run(tmp_path):
    assert sorted(_bad_runs(tmp_path)) == sorted(BAD_RUNS)


# -- progress --------------------------------------------------------------------------------
def _terminal(monkeypatch, delay: float = 0.0) -> io.StringIO:
    """Makes ``fit`` draw on a forced terminal console writing into the returned buffer."""
    buffer = io.StringIO()
    monkeypatch.setattr(cli_progress, "progress_console", lambda: Console(
        file=buffer, force_terminal=True, width=160, color_system=None))
    monkeypatch.setattr(cli_progress, "PROGRESS_DELAY_S", delay)
    return buffer


def test_fit_draws_progress_on_a_terminal(tmp_path, capsys, monkeypatch, data):
    path, target = write(tmp_path, "csv", *data)
    buffer = _terminal(monkeypatch)
    code, stdout, err = call(["fit", path, *target, "--solver", "lbfgs", "--out",
                              tmp_path / "m.json"], capsys)
    assert code == 0, err
    drawn = buffer.getvalue()
    reference = LogisticRegression(solver="lbfgs").fit(*data)
    last = int(reference.n_iter_[0])
    # the last line drawn: the final iteration, its loss and gradient norm, passes, time
    final = drawn.rstrip().split("\r")[-1]
    assert f"iteration {last}/100" in final, drawn
    assert f"loss {reference.loss_history_[-1]:.8g}" in final, drawn
    assert f"‖∇J‖∞ {reference.grad_norm_history_[-1]:.2e}" in final, drawn
    assert re.search(r"passes \d+ \d+\.\d s", final), drawn
    assert "\x1b[" in drawn  # drawn with terminal control codes, in place
    assert "Logistic Regression Results" in stdout  # the summary still goes to stdout


@pytest.mark.slow
def test_progress_is_drawn_for_every_solver_with_passes(tmp_path, capsys, monkeypatch, data):
    path, _ = write(tmp_path, "svm", *data)
    for solver in ("newton", "lbfgs", "gd"):
        buffer = _terminal(monkeypatch)
        code, _, err = call(["fit", path, "--solver", solver, "--max-iter", "5",
                             "--out", tmp_path / "m.json"], capsys)
        assert code == 0, err
        final = buffer.getvalue().rstrip().split("\r")[-1]
        found = re.search(r"iteration (\d+)/5 .* passes (\d+) ", final)
        assert found, final
        iteration, passes = map(int, found.groups())
        assert iteration >= 1 and passes >= iteration + 1  # the start reads X too


@pytest.mark.parametrize("extra", [["--quiet"], []])
def test_no_progress_for_quiet_or_quick_fits(tmp_path, capsys, monkeypatch, data, extra):
    # --quiet draws nothing; without it a fit quicker than the delay draws nothing either
    path, target = write(tmp_path, "csv", *data)
    buffer = _terminal(monkeypatch, delay=0.0 if extra else 60.0)
    code, _, err = call(["fit", path, *target, *extra, "--out", tmp_path / "m.json"], capsys)
    assert code == 0, err
    assert buffer.getvalue() == ""


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path, capsys, monkeypatch, data):
    monkeypatch.setattr(cli_progress, "PROGRESS_DELAY_S", 0.0)
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich alone would draw into a pipe with this
    path, target = write(tmp_path, "csv", *data)
    code, stdout, err = call(["fit", path, *target, "--out", tmp_path / "m.json"], capsys)
    assert code == 0
    assert err == ""
    assert "fitting" not in stdout and "passes" not in stdout
    assert cli_progress.progress_console() is None


def test_fit_progress_waits_for_its_delay_and_times_from_the_start():
    now = [100.0]
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=160, color_system=None)
    state = {"loss": 0.5, "grad_norm": 1e-3, "theta": np.zeros(2), "passes": 4}
    with FitProgress(console, max_iter=50, delay=1.0, clock=lambda: now[0]) as progress:
        now[0] = 100.5
        progress(1, state)
        assert buffer.getvalue() == ""  # not yet a second
        now[0] = 102.25
        progress(2, {**state, "loss": 0.25, "passes": 6})
    final = buffer.getvalue().rstrip().split("\r")[-1]
    assert "iteration 2/50" in final and "loss 0.25" in final and "passes 6" in final
    assert "2.2 s" in final or "2.3 s" in final  # since the fit began, not the display


def test_fit_progress_without_passes():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=160, color_system=None)
    with FitProgress(console, max_iter=3, delay=0.0) as progress:
        progress(1, {"loss": 1.0, "grad_norm": 0.5})
    assert "passes -" in buffer.getvalue()
