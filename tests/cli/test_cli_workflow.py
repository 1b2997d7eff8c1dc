"""The command line workflow end to end (issue 21): a formula model through every command
that takes a model and data, unseen levels at predict, fit without --out, the figures that
need no model, a closed pipe, predict --id."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call, write_csv
from sklearn.metrics import roc_auc_score

from logistic.io.model_file import load

FORMULA = "y ~ x + C(g) + x:w + I(x**2)"


def formula_frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """A raw table: two numeric columns, a three-level category and yes/no labels."""
    rng = np.random.default_rng(seed)
    g = rng.choice(["a", "b", "c"], n)
    x, w = rng.normal(size=n), rng.normal(size=n)
    z = 0.5 * x - 0.3 * x**2 + 0.8 * (g == "b") - 0.5 * (g == "c") + 0.4 * x * w
    y = np.where(rng.random(n) < 1.0 / (1.0 + np.exp(-z)), "yes", "no")
    return pd.DataFrame({"x": x, "w": w, "g": g, "y": y})


@pytest.fixture(scope="module")
def formula_model(tmp_path_factory) -> tuple[Path, Path]:
    """(model file, raw CSV) of a formula model fitted through the CLI."""
    folder = tmp_path_factory.mktemp("formula")
    data = write_csv(folder / "raw.csv", formula_frame())
    model = folder / "model.json"
    from logistic.cli.app import run

    assert run(["fit", str(data), "--formula", FORMULA, "--out", str(model), "--quiet"]) == 0
    return model, data


@pytest.mark.parametrize("kind", ["roc", "calibration", "scores", "diagnostics"])
@pytest.mark.parametrize("target", [[], ["--target", "y"]])
def test_formula_model_plots_on_raw_data(formula_model, kind, target, tmp_path, capsys):
    model, data = formula_model
    out = tmp_path / f"{kind}.png"
    code, _, err = call(["plot", kind, model, data, *target, "--out", out], capsys)
    assert code == 0, err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_formula_model_report_auc_matches_scikit_learn(formula_model, tmp_path, capsys):
    model_path, data = formula_model
    out = tmp_path / "report.html"
    code, _, err = call(["report", model_path, data, "--out", out], capsys)
    assert code == 0, err
    frame = pd.read_csv(data)
    model = load(model_path)
    proba = model.predict_proba(frame)[:, 1]
    expected = roc_auc_score(frame["y"] == "yes", proba)
    match = re.search(r"ROC AUC \(positive: yes\)</td>\s*<td[^>]*>([0-9.]+)</td>",
                      out.read_text(), re.S)
    assert match is not None
    assert float(match.group(1)) == pytest.approx(expected, abs=5e-4)


def test_formula_model_write_report_takes_raw_rows(formula_model, tmp_path):
    from logistic.viz.report import build_report

    model_path, data = formula_model
    frame = pd.read_csv(data)
    model = load(model_path)
    document = build_report(model, frame, frame["y"].to_numpy())
    encoded = build_report(model, model.formula_.transform(frame), frame["y"].to_numpy())
    assert document == encoded  # the raw rows are encoded exactly as the library does


def test_formula_model_explain_shows_the_library_probabilities(formula_model, capsys):
    model_path, data = formula_model
    code, out, err = call(["explain", model_path, data, "--rows", 2, "--target", "y"], capsys)
    assert code == 0, err
    from logistic.viz.explain import explain

    frame = pd.read_csv(data)
    model = load(model_path)
    result = explain(model, frame, frame["y"].to_numpy(), rows=2)
    proba = model.predict_proba(frame)[np.asarray(result.rows), 1]
    np.testing.assert_allclose(result["sigmoid"].value, proba, rtol=1e-12)
    assert result.passed


def test_formula_model_report_needs_labels(formula_model, tmp_path, capsys):
    model_path, data = formula_model
    write_csv(tmp_path / "nolabels.csv", pd.read_csv(data).drop(columns="y"))
    code, _, err = call(["report", model_path, tmp_path / "nolabels.csv",
                         "--out", tmp_path / "r.html"], capsys)
    assert_one_error_line(code, err)
    assert "the labels are needed" in err


# -- unseen levels at predict ----------------------------------------------------------------
def unseen_rows(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows with level 'zz' in row 0, the same rows with the reference level 'a' there)."""
    rows = pd.read_csv(data).head(6).reset_index(drop=True)
    unseen, reference = rows.copy(), rows.copy()
    unseen.loc[0, "g"], reference.loc[0, "g"] = "zz", "a"
    return unseen, reference


def test_predict_refuses_an_unseen_level_by_default(formula_model, tmp_path, capsys):
    model, data = formula_model
    unseen, _ = unseen_rows(data)
    code, out, err = call(["predict", model, write_csv(tmp_path / "u.csv", unseen)], capsys)
    assert_one_error_line(code, err)
    assert "'g'" in err and "'zz'" in err and "never saw" in err
    assert out == ""


def test_predict_unseen_levels_zero_predicts_as_the_reference_level(formula_model, tmp_path,
                                                                     capsys):
    model_path, data = formula_model
    unseen, reference = unseen_rows(data)
    code, out, err = call(["predict", model_path, write_csv(tmp_path / "u.csv", unseen),
                           "--unseen-levels", "zero"], capsys)
    assert code == 0, err
    assert "warning" in err and "'g'" in err and "'zz'" in err
    got = pd.read_csv(io.StringIO(out))["probability"].to_numpy()
    # independent construction: the same rows with the reference level 'a' spelled out
    expected = load(model_path).predict_proba(reference)[:, 1]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


def test_formula_transform_unseen_zero_warns_and_matches_the_reference_level(formula_model):
    model = load(formula_model[0])
    unseen, reference = unseen_rows(formula_model[1])
    with pytest.warns(UserWarning, match=r"'g'.*'zz'"):
        encoded = model.formula_.transform(unseen, unseen="zero")
    pd.testing.assert_frame_equal(encoded, model.formula_.transform(reference))
    with pytest.raises(ValueError, match="unseen must be"):
        model.formula_.transform(unseen, unseen="drop")


# -- fit without --out, figures without a model, a closed pipe, --id --------------------------
def test_fit_without_out_prints_the_summary_and_writes_nothing(tmp_path, capsys):
    data = write_csv(tmp_path / "raw.csv", formula_frame())
    code, out, err = call(["fit", data, "--formula", FORMULA], capsys)
    assert code == 0, err
    from logistic import LogisticRegression

    reference = LogisticRegression.from_formula(FORMULA, pd.read_csv(data), penalty=None)
    assert "C(g)[T.b]" in out and f"{reference.coef_[0][1]:.4f}" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw.csv"]


def test_fit_quiet_without_out_is_refused(tmp_path, capsys):
    data = write_csv(tmp_path / "raw.csv", formula_frame())
    code, _, err = call(["fit", data, "--formula", FORMULA, "--quiet"], capsys)
    assert_one_error_line(code, err)
    assert "--quiet without --out" in err


@pytest.mark.parametrize("kind", ["sigmoid", "derivatives", "cost"])
def test_figures_that_need_no_model(kind, tmp_path, capsys):
    # in-process, at the default dpi: a fresh interpreter per figure cost ~5 s of imports
    # each and tested nothing the figure needs (the console-script path is test_cli.py's
    # subprocess tests, a fresh interpreter drawing without pyplot test_plots.py's)
    out = tmp_path / f"{kind}.png"
    code, _, err = call(["plot", kind, "--out", out], capsys)
    assert code == 0, err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_predict_into_a_closed_pipe_exits_quietly(formula_model, tmp_path):
    model, _ = formula_model
    data = write_csv(tmp_path / "big.csv", formula_frame(n=20_000, seed=1))
    command = (f"( {sys.executable} -m logistic predict {model} {data} 2> err.txt; "
               "echo $? > status.txt ) | head -1")
    result = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.stdout == "probability,prediction\n"
    assert (tmp_path / "status.txt").read_text().strip() == "0"
    assert (tmp_path / "err.txt").read_text() == ""


def test_predict_id_passes_the_column_through(formula_model, capsys):
    model_path, data = formula_model
    code, out, err = call(["predict", model_path, data, "--id", "g"], capsys)
    assert code == 0, err
    got = pd.read_csv(io.StringIO(out))
    frame = pd.read_csv(data)
    assert list(got.columns) == ["g", "probability", "prediction"]
    assert got["g"].tolist() == frame["g"].tolist()
    np.testing.assert_allclose(got["probability"],
                               load(model_path).predict_proba(frame)[:, 1], rtol=1e-12)


@pytest.mark.parametrize(("column", "message"), [
    ("nope", "no column 'nope' (--id)"),
    ("prediction", "also a column of the predictions"),
])
def test_predict_id_bad_column(formula_model, column, message, tmp_path, capsys):
    model_path, data = formula_model
    frame = pd.read_csv(data).assign(prediction=1.0)
    source = write_csv(tmp_path / "d.csv", frame)
    code, _, err = call(["predict", model_path, source, "--id", column], capsys)
    assert_one_error_line(code, err)
    assert message in err
