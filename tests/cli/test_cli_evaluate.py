"""``logistic evaluate MODEL DATA --target COL``: held-out scores equal scikit-learn's metrics
computed here on the saved model's ``predict_proba`` for the same rows; bad input is one line.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call, make_frame, write_csv
from sklearn import metrics
from sklearn.calibration import calibration_curve

from logistic.cli.app import run
from logistic.io.model_file import load


def three_class_frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Two features and a label in {'a', 'b', 'c'} drawn from a softmax model."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    scores = X @ np.array([[1.0, -1.0, 0.0], [0.5, 0.5, -1.0]])
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    labels = np.array(["a", "b", "c"])[[rng.choice(3, p=row) for row in p]]
    frame = pd.DataFrame(X, columns=["x1", "x2"])
    frame["label"] = labels
    return frame


def fitted(tmp_path: Path, train: pd.DataFrame, test: pd.DataFrame) -> tuple[Path, Path]:
    data = write_csv(tmp_path / "train.csv", train)
    model = tmp_path / "model.json"
    assert run(["fit", str(data), "--target", "label", "--out", str(model), "--quiet"]) == 0
    return model, write_csv(tmp_path / "test.csv", test)


@pytest.fixture(scope="module")
def binary(tmp_path_factory) -> tuple[Path, Path]:
    return fitted(tmp_path_factory.mktemp("binary"), make_frame(seed=0),
                  make_frame(n=150, seed=1))


def test_binary_scores_equal_scikit_learns(binary, tmp_path, capsys):
    model_path, test_path = binary
    out = tmp_path / "scores.json"
    code, stdout, err = call(["evaluate", model_path, test_path, "--target", "label",
                              "--threshold", 0.4, "--out", out], capsys)
    assert code == 0, err
    assert "Confusion matrix at threshold 0.4" in stdout and "Calibration" in stdout
    scores = json.loads(out.read_text())

    model, test = load(model_path), pd.read_csv(test_path)
    y, p = test["label"].to_numpy(), model.predict_proba(test[["a", "b", "c"]])[:, 1]
    predicted = np.where(p > 0.4, "yes", "no")
    m = scores["metrics"]
    assert m["log_loss"] == pytest.approx(metrics.log_loss(y, p, labels=["no", "yes"]),
                                          rel=1e-12)
    assert m["accuracy"] == pytest.approx(metrics.accuracy_score(y, predicted), rel=1e-12)
    assert m["roc_auc"] == pytest.approx(metrics.roc_auc_score(y == "yes", p), rel=1e-12)
    assert m["brier"] == pytest.approx(metrics.brier_score_loss(y, p, pos_label="yes"),
                                       rel=1e-12)
    assert scores["confusion_matrix"] == metrics.confusion_matrix(
        y, predicted, labels=["no", "yes"]).tolist()
    precision, recall, f1, _ = metrics.precision_recall_fscore_support(
        y, predicted, labels=["no", "yes"])
    assert [r["f1"] for r in scores["report"]] == pytest.approx(f1, rel=1e-12)
    assert [r["precision"] for r in scores["report"]] == pytest.approx(precision, rel=1e-12)
    observed, mean_predicted = calibration_curve(y == "yes", p, n_bins=10)
    assert [b["observed"] for b in scores["calibration"]] == pytest.approx(observed)
    assert [b["mean_predicted"] for b in scores["calibration"]] == pytest.approx(
        mean_predicted)


def test_calibration_line_is_the_logit_refit(binary, capsys):
    """The calibration intercept and slope are statsmodels' Logit of y on logit(p̂)."""
    sm = pytest.importorskip("statsmodels.api")
    from logistic.models.evaluation import evaluate

    model_path, test_path = binary
    model, test = load(model_path), pd.read_csv(test_path)
    X, y = test[["a", "b", "c"]], test["label"].to_numpy()
    p = model.predict_proba(X)[:, 1]
    reference = sm.Logit((y == "yes").astype(float),
                         sm.add_constant(np.log(p / (1 - p)))).fit(disp=0).params
    result = evaluate(model, X, y)
    assert result.metrics["calibration_intercept"] == pytest.approx(reference[0], abs=1e-6)
    assert result.metrics["calibration_slope"] == pytest.approx(reference[1], abs=1e-6)


def test_three_class_scores_equal_scikit_learns(tmp_path, capsys):
    model_path, test_path = fitted(tmp_path, three_class_frame(seed=0),
                                   three_class_frame(n=150, seed=1))
    out = tmp_path / "scores.json"
    code, _, err = call(["evaluate", model_path, test_path, "--target", "label",
                         "--out", out], capsys)
    assert code == 0, err
    scores = json.loads(out.read_text())

    model, test = load(model_path), pd.read_csv(test_path)
    y, proba = test["label"].to_numpy(), model.predict_proba(test[["x1", "x2"]])
    classes = ["a", "b", "c"]
    predicted = np.array(classes)[proba.argmax(axis=1)]
    m = scores["metrics"]
    assert m["log_loss"] == pytest.approx(metrics.log_loss(y, proba, labels=classes),
                                          rel=1e-12)
    assert m["accuracy"] == pytest.approx(metrics.accuracy_score(y, predicted), rel=1e-12)
    assert m["roc_auc_ovr_macro"] == pytest.approx(
        metrics.roc_auc_score(y, proba, multi_class="ovr", labels=classes), rel=1e-12)
    one_hot = (y[:, None] == np.array(classes)).astype(float)
    assert m["brier"] == pytest.approx(np.mean(np.sum((proba - one_hot) ** 2, axis=1)),
                                       rel=1e-12)
    assert scores["confusion_matrix"] == metrics.confusion_matrix(
        y, predicted, labels=classes).tolist()
    assert scores["calibration"] == [] and scores["threshold"] is None


@pytest.mark.parametrize("value", ["0", "1.5"])
def test_evaluate_threshold_outside_the_unit_interval(binary, value, capsys):
    model_path, test_path = binary
    code, _, err = call(["evaluate", model_path, test_path, "--target", "label",
                         "--threshold", value], capsys)
    assert_one_error_line(code, err)
    assert "must be a number in (0, 1)" in err


def test_evaluate_labels_unknown_to_the_model(binary, tmp_path, capsys):
    model_path, _ = binary
    frame = make_frame(n=50, seed=2, labels=("no", "maybe"))
    code, _, err = call(["evaluate", model_path, write_csv(tmp_path / "t.csv", frame),
                         "--target", "label"], capsys)
    assert_one_error_line(code, err)
    assert "'maybe'" in err and "does not know" in err


def test_evaluate_needs_the_target(binary, capsys):
    model_path, test_path = binary
    code, _, err = call(["evaluate", model_path, test_path], capsys)
    assert_one_error_line(code, err)
    assert "--target" in err


def test_evaluate_out_onto_the_data_file(binary, capsys):
    model_path, test_path = binary
    code, _, err = call(["evaluate", model_path, test_path, "--target", "label",
                         "--out", test_path], capsys)
    assert_one_error_line(code, err)
    assert "is also the input" in err
