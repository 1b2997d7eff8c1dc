"""``logistic fit --test-size F`` / ``--cv K`` and ``logistic predict --target``: the held-out
metrics of real commands against scikit-learn's metrics recomputed on the same rows (the
split reproduced with scikit-learn's own ``train_test_split`` / ``StratifiedKFold`` and the
same seed), and their bad inputs."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call, make_frame, write_csv
from sklearn import metrics
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

from logistic import LogisticRegression
from logistic.io.model_file import load
from logistic.models.ordinal import OrdinalLogisticRegression

FEATURES = ["a", "b", "c"]


@pytest.fixture(scope="module")
def weighted(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    frame = make_frame(n=240, seed=5)
    frame["w"] = np.random.default_rng(5).integers(1, 4, size=len(frame)).astype(float)
    return write_csv(tmp_path_factory.mktemp("heldout") / "d.csv", frame), frame


def unpenalized_peer() -> SkLogisticRegression:
    """scikit-learn's unpenalized fit (C = ∞), to a tight tolerance."""
    return SkLogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-14, max_iter=1000)


def binary_scores(y, p, weights=None) -> dict[str, float]:
    """scikit-learn's scores of P(yes) ``p`` against the labels, predicted yes where p > 0.5."""
    predicted = np.where(p > 0.5, "yes", "no")
    return {"log_loss": metrics.log_loss(y, p, labels=["no", "yes"], sample_weight=weights),
            "roc_auc": metrics.roc_auc_score(y == "yes", p, sample_weight=weights),
            "brier": metrics.brier_score_loss(y, p, pos_label="yes", sample_weight=weights),
            "accuracy": metrics.accuracy_score(y, predicted, sample_weight=weights)}


def test_test_size_scores_the_held_out_rows_as_scikit_learn(weighted, tmp_path, capsys):
    data, frame = weighted
    out, scores = tmp_path / "m.json", tmp_path / "metrics.json"
    code, stdout, err = call(["fit", data, "--target", "label", "--features", "a,b,c",
                              "--test-size", "0.25", "--seed", "3", "--out", out,
                              "--metrics-out", scores], capsys)
    assert code == 0, err
    y = frame["label"].to_numpy()
    train, test = train_test_split(np.arange(len(frame)), test_size=0.25, random_state=3,
                                   stratify=y)
    model = load(out)  # the model fitted on the training rows, those same rows
    assert re.search(r"No\. Observations\s*│\s*180 ", stdout) and len(train) == 180
    ours = LogisticRegression().fit(frame.loc[train, FEATURES], y[train])
    np.testing.assert_allclose(model.coef_, ours.coef_, rtol=1e-12)
    peer = unpenalized_peer().fit(
        frame.loc[train, FEATURES], y[train])
    np.testing.assert_allclose(model.coef_, peer.coef_, rtol=1e-5)
    p = model.predict_proba(frame.loc[test, FEATURES])[:, 1]
    written = json.loads(scores.read_text())
    assert written["held_out"]["test_rows"] == len(test) == 60
    assert written["held_out"]["stratified"] is True
    for name, value in binary_scores(y[test], p).items():
        assert written["metrics"][name] == pytest.approx(value, rel=1e-12, abs=1e-12), name
    expected = metrics.confusion_matrix(y[test], np.where(p > 0.5, "yes", "no"),
                                        labels=["no", "yes"])
    np.testing.assert_array_equal(written["confusion_matrix"], expected)
    summary_at = stdout.index("No. Observations")
    assert stdout.index("Held out: 60 of 240 rows (stratified, seed 3)") > summary_at
    assert "Confusion matrix at threshold 0.5" in stdout  # evaluate's tables


def test_cv_folds_weighted_as_scikit_learn(weighted, tmp_path, capsys):
    data, frame = weighted
    out, scores = tmp_path / "m.json", tmp_path / "cv.json"
    code, stdout, err = call(["fit", data, "--target", "label", "--features", "a,b,c",
                              "--weight", "w", "--cv", "4", "--seed", "1", "--out", out,
                              "--metrics-out", scores], capsys)
    assert code == 0, err
    X, y, w = frame[FEATURES], frame["label"].to_numpy(), frame["w"].to_numpy()
    per_fold = []
    folds = StratifiedKFold(4, shuffle=True, random_state=1).split(X, y)
    for train, test in folds:
        fold = LogisticRegression().fit(X.iloc[train], y[train], sample_weight=w[train])
        peer = unpenalized_peer().fit(
            X.iloc[train], y[train], sample_weight=w[train])
        p = fold.predict_proba(X.iloc[test])[:, 1]
        np.testing.assert_allclose(p, peer.predict_proba(X.iloc[test])[:, 1], atol=1e-6)
        per_fold.append(binary_scores(y[test], p, w[test]))
    written = json.loads(scores.read_text())
    assert written["held_out"]["folds"] == 4
    for name in ("log_loss", "accuracy", "roc_auc", "brier"):
        values = np.array([f[name] for f in per_fold])
        row = written["cross_validated"][name]
        assert row["mean"] == pytest.approx(values.mean(), rel=1e-12), name
        assert row["sd"] == pytest.approx(values.std(ddof=1), rel=1e-10), name
        assert row["folds"] == 4
    everything = LogisticRegression().fit(X, y, sample_weight=w)  # the saved fit: all rows
    np.testing.assert_allclose(load(out).coef_, everything.coef_, rtol=1e-12)
    assert "Cross-validated: 4 folds (stratified, seed 1)" in stdout


def test_formula_multinomial_held_out_without_stratifying(tmp_path, capsys):
    rng = np.random.default_rng(8)
    n = 270
    frame = pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["p", "q", "r"], n)})
    z = np.column_stack([0 * frame.x, frame.x + (frame.g == "q"), -frame.x + 0.5])
    e = np.exp(z - z.max(axis=1, keepdims=True))
    cum = np.cumsum(e / e.sum(axis=1, keepdims=True), axis=1)
    frame["y"] = np.array(["lo", "mid", "hi"])[(rng.random(n)[:, None] > cum).sum(axis=1)]
    data, scores = write_csv(tmp_path / "d.csv", frame), tmp_path / "s.json"
    code, _, err = call(["fit", data, "--formula", "y ~ x + C(g)", "--test-size", "0.3",
                         "--no-stratify", "--out", tmp_path / "m.json",
                         "--metrics-out", scores], capsys)
    assert code == 0, err
    train, test = train_test_split(np.arange(n), test_size=0.3, random_state=0)
    model = LogisticRegression.from_formula("y ~ x + C(g)", frame.iloc[train])
    np.testing.assert_allclose(load(tmp_path / "m.json").coef_, model.coef_, rtol=1e-12)
    proba, y = model.predict_proba(frame.iloc[test]), frame["y"].to_numpy()[test]
    classes = model.classes_
    written = json.loads(scores.read_text())["metrics"]
    assert written["log_loss"] == pytest.approx(
        metrics.log_loss(y, proba, labels=classes), rel=1e-12)
    assert written["roc_auc_ovr_macro"] == pytest.approx(metrics.roc_auc_score(
        y, proba, multi_class="ovr", average="macro", labels=classes), rel=1e-12)
    assert written["accuracy"] == pytest.approx(
        metrics.accuracy_score(y, classes[np.argmax(proba, axis=1)]), rel=1e-12)


def test_ordinal_cv_unstratified_folds(tmp_path, capsys):
    rng = np.random.default_rng(2)
    n = 180
    frame = pd.DataFrame({"x": rng.normal(size=n)})
    frame["level"] = np.digitize(frame.x + rng.logistic(size=n), [-1.0, 1.0]) + 1
    data, scores = write_csv(tmp_path / "d.csv", frame), tmp_path / "s.json"
    code, _, err = call(["fit", data, "--model", "ordinal", "--target", "level", "--cv", "3",
                         "--no-stratify", "--seed", "4", "--metrics-out", scores], capsys)
    assert code == 0, err
    X, y = frame[["x"]], frame["level"].to_numpy()
    losses = []
    for train, test in KFold(3, shuffle=True, random_state=4).split(X):
        fold = OrdinalLogisticRegression().fit(X.iloc[train], y[train])
        losses.append(metrics.log_loss(y[test], fold.predict_proba(X.iloc[test]),
                                       labels=fold.classes_))
    row = json.loads(scores.read_text())["cross_validated"]["log_loss"]
    assert row["mean"] == pytest.approx(np.mean(losses), rel=1e-12)
    assert row["sd"] == pytest.approx(np.std(losses, ddof=1), rel=1e-10)


def test_offset_enters_the_held_out_probabilities(weighted, tmp_path, capsys):
    data, frame = weighted
    scores = tmp_path / "s.json"
    code, _, err = call(["fit", data, "--target", "label", "--features", "a,b",
                         "--offset", "c", "--test-size", "0.5", "--metrics-out", scores],
                        capsys)
    assert code == 0, err
    y = frame["label"].to_numpy()
    train, test = train_test_split(np.arange(len(frame)), test_size=0.5, random_state=0,
                                   stratify=y)
    X, offset = frame[["a", "b"]], frame["c"].to_numpy()
    model = LogisticRegression().fit(X.iloc[train], y[train], offset=offset[train])
    p = model.predict_proba(X.iloc[test], offset=offset[test])[:, 1]
    written = json.loads(scores.read_text())["metrics"]
    assert written["log_loss"] == pytest.approx(
        metrics.log_loss(y[test], p, labels=["no", "yes"]), rel=1e-12)


def test_predict_target_scores_on_stderr_and_keeps_stdout_csv(weighted, tmp_path, capsys):
    data, frame = weighted
    model_path = tmp_path / "m.json"
    assert call(["fit", data, "--target", "label", "--features", "a,b,c", "--out",
                 model_path, "--quiet"], capsys)[0] == 0
    code, stdout, err = call(["predict", model_path, data, "--target", "label"], capsys)
    assert code == 0, err
    predictions = pd.read_csv(io.StringIO(stdout))  # the pipe holds the predictions only
    assert list(predictions.columns) == ["probability", "prediction"]
    p = load(model_path).predict_proba(frame[FEATURES])[:, 1]
    np.testing.assert_allclose(predictions["probability"], p, rtol=1e-15)
    expected = binary_scores(frame["label"].to_numpy(), p)
    shown = {cells[1].strip(): cells[2].strip() for line in err.splitlines()
             if len(cells := line.split("│")) == 4}
    for name in ("log_loss", "roc_auc", "brier", "accuracy"):
        assert shown[name] == f"{expected[name]:.6g}", name
    assert "Per class" in err


def test_predict_target_missing_from_the_data(weighted, tmp_path, capsys):
    data, _ = weighted
    model_path = tmp_path / "m.json"
    assert call(["fit", data, "--target", "label", "--features", "a,b", "--out", model_path,
                 "--quiet"], capsys)[0] == 0
    code, stdout, err = call(["predict", model_path, data, "--target", "outcome"], capsys)
    assert_one_error_line(code, err, "no column 'outcome' (--target)")
    assert stdout == ""
    code, stdout, err = call(["predict", model_path, data, "--target", "w"], capsys)
    assert_one_error_line(code, err, "column 'w' holds label(s) ",
                          "that the model does not know; its classes are 'no', 'yes'")
    assert stdout == ""


@pytest.mark.parametrize("argv, fragment", [
    (["--test-size", "0"], "argument --test-size: must be a number in (0, 1), got '0'"),
    (["--test-size", "1.5"], "argument --test-size: must be a number in (0, 1)"),
    (["--cv", "1"], "argument --cv: must be an integer >= 2, got '1'"),
    (["--cv", "3", "--test-size", "0.2"], "give --test-size F or --cv K, not both"),
    (["--seed", "2"], "--seed applies to --test-size F or --cv K"),
    (["--metrics-out", "m.json"], "--metrics-out applies to --test-size F or --cv K"),
    (["--cv", "3", "--model", "conditional", "--strata", "w"],
     "--cv does not take --model conditional"),
    (["--test-size", "0.2", "--trials", "w"], "--test-size does not take --trials"),
    (["--cv", "500"], "--cv 500 cannot fold the 240 rows"),
])
def test_held_out_usage_errors(weighted, argv, fragment, capsys):
    data, _ = weighted
    code, _, err = call(["fit", data, "--target", "label", *argv], capsys)
    assert_one_error_line(code, err, fragment)


def test_a_class_too_small_to_hold_out(tmp_path, capsys):
    frame = make_frame(n=40, seed=1)
    frame.loc[0, "label"] = "rare"
    data = write_csv(tmp_path / "d.csv", frame)
    code, _, err = call(["fit", data, "--target", "label", "--test-size", "0.3"], capsys)
    assert_one_error_line(code, err, "--test-size 0.3 cannot split the 40 rows",
                          "least populated class")
    code, _, err = call(["fit", data, "--target", "label", "--cv", "3"], capsys)
    assert_one_error_line(code, err, "training rows have no row of class 'rare'")
