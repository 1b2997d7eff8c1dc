"""The command line workflow end to end (issue 21): a formula model through every command
that takes a model and data, unseen levels at predict, fit without --out, the figures that
need no model, a closed pipe, predict --id."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from logistic.io.model_file import load
from tests.cli.test_cli import assert_one_error_line, call, write_csv

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
