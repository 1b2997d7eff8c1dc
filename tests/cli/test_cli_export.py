"""``logistic export MODEL.json --onnx OUT.onnx``, run as the real command: the written graph,
evaluated by onnxruntime, against the saved model's ``predict_proba`` on scikit-learn's breast
cancer data and a formula model; bad input is one ``logistic: error:`` line, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call
from sklearn.datasets import load_breast_cancer, load_iris

from logistic import LogisticRegression, load

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def onnx_outputs(path: Path, feeds: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    label, proba = session.run(["label", "probabilities"], feeds)
    return label, proba


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    """A binary model of the breast cancer data, saved with string labels."""
    data = load_breast_cancer()
    model = LogisticRegression(penalty="l2").fit(data.data, data.target_names[data.target])
    path = tmp_path_factory.mktemp("export") / "model.json"
    model.save(path)
    return path


def test_export_writes_a_graph_that_predicts_as_the_model_file(saved, tmp_path, capsys):
    out = tmp_path / "model.onnx"
    code, stdout, err = call(["export", saved, "--onnx", out], capsys)
    assert code == 0, err
    assert str(out) in stdout.replace("\n", "")
    onnx.checker.check_model(onnx.load(str(out)), full_check=True)
    X = load_breast_cancer().data
    model = load(saved)
    label, proba = onnx_outputs(out, {"X": X})
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=0, atol=1e-6)
    np.testing.assert_array_equal(label, model.predict(X))


def test_export_of_a_multiclass_formula_model_fitted_by_the_cli(tmp_path, capsys):
    iris = load_iris(as_frame=True).frame
    iris.columns = [c.split(" (")[0].replace(" ", "_") for c in iris.columns]
    iris["size"] = np.where(iris["petal_length"] > 4, "large", "small")
    data = tmp_path / "iris.csv"
    iris.to_csv(data, index=False)
    model_path, out = tmp_path / "m.json", tmp_path / "m.onnx"
    formula = "target ~ sepal_length + I(sepal_width**2) + C(size)"
    assert call(["fit", data, "--formula", formula, "--penalty", "l2", "--out", model_path,
                 "--quiet"], capsys)[0] == 0
    code, _, err = call(["export", model_path, "--onnx", out], capsys)
    assert code == 0, err
    feeds = {"sepal_length": iris[["sepal_length"]].to_numpy(float),
             "sepal_width": iris[["sepal_width"]].to_numpy(float),
             "size": iris[["size"]].to_numpy(object)}
    label, proba = onnx_outputs(out, feeds)
    model = load(model_path)
    np.testing.assert_allclose(proba, model.predict_proba(iris), rtol=0, atol=1e-6)
    np.testing.assert_array_equal(label, model.predict(iris))


@pytest.mark.slow  # a fresh interpreter imports logistic: seconds
def test_export_runs_as_a_subprocess(saved, tmp_path):
    out = tmp_path / "sub.onnx"
    done = subprocess.run([sys.executable, "-m", "logistic", "export", str(saved), "--onnx",
                           str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0


def test_export_needs_the_onnx_option(saved, capsys):
    code, _, err = call(["export", saved], capsys)
    assert_one_error_line(code, err)
    assert "--onnx" in err


def test_export_into_a_missing_directory(saved, tmp_path, capsys):
    code, _, err = call(["export", saved, "--onnx", tmp_path / "no" / "m.onnx"], capsys)
    assert_one_error_line(code, err)
    assert "does not exist" in err


def test_export_onto_the_model_file_itself(saved, capsys):
    code, _, err = call(["export", saved, "--onnx", saved], capsys)
    assert_one_error_line(code, err)
    assert "is also the input" in err


def test_export_of_a_file_that_is_not_a_model(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    code, _, err = call(["export", bad, "--onnx", tmp_path / "m.onnx"], capsys)
    assert_one_error_line(code, err)
    assert "not a logistic model file" in err


def test_export_of_a_model_with_no_exact_graph(tmp_path, capsys):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"probabilities": rng.normal(size=60), "y": rng.integers(0, 2, 60)})
    model_path = tmp_path / "clash.json"
    LogisticRegression.from_formula("y ~ probabilities", frame).save(model_path)
    code, _, err = call(["export", model_path, "--onnx", tmp_path / "m.onnx"], capsys)
    assert_one_error_line(code, err)
    assert "cannot export to ONNX" in err and "'probabilities'" in err
    assert not (tmp_path / "m.onnx").exists()


def test_export_without_onnx_names_the_install(saved, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # what a missing package looks like
    code, _, err = call(["export", saved, "--onnx", tmp_path / "m.onnx"], capsys)
    assert_one_error_line(code, err)
    assert "pip install 'logistic[onnx]'" in err
