"""``logistic report MODEL TRAIN --test TEST`` and the plots issue 21 asked for, as real
commands: the held-out numbers read back from the HTML equal scikit-learn's, bad test files
get one error line, and ``plot training`` warns on stderr when gradient descent diverges."""

from __future__ import annotations

import struct

import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call, make_frame, write_csv
from html_tables import table
from sklearn.metrics import brier_score_loss, confusion_matrix, log_loss, roc_auc_score

from logistic import load


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A model fitted on TRAIN (rows 0–199 of one sample) and the held-out TEST (200–319)."""
    folder = tmp_path_factory.mktemp("report")
    frame = make_frame(320, seed=4)
    train = write_csv(folder / "train.csv", frame.iloc[:200])
    test = write_csv(folder / "test.csv", frame.iloc[200:])
    model = folder / "m.json"
    from logistic.cli.app import run

    assert run(["fit", str(train), "--target", "label", "--out", str(model), "--quiet"]) == 0
    return folder, model, train, test, frame.iloc[200:]


def test_report_with_a_test_set_shows_scikit_learns_held_out_scores(files, capsys):
    folder, model_path, train, test, held_out = files
    out = folder / "r.html"
    code, stdout, err = call(["report", model_path, train, "--target", "label", "--test",
                              test, "--threshold", "0.4", "--out", out], capsys)
    assert code == 0 and err == "" and "Report written" in stdout
    page = out.read_text(encoding="utf-8")
    model = load(model_path)
    p = model.predict_proba(held_out[["a", "b", "c"]])[:, 1]
    y = held_out["label"].to_numpy()
    shown = {row[0][0]: row[1][1] for row in table(page, "held-out metric")[1:]}
    assert shown["rows"] is None and table(page, "held-out metric")[1][1][0] == "120"
    expected = {"log-loss": log_loss(y, p, labels=model.classes_),
                "ROC AUC (positive: yes)": roc_auc_score(y == "yes", p),
                "Brier score": brier_score_loss(y == "yes", p)}
    for name, value in expected.items():
        assert shown[name] == pytest.approx(value, rel=1e-12), name
    rows = table(page, "held-out: true \\ predicted")
    assert [text for text, _ in rows[0][1:]] == ["no", "yes"]
    counts = np.array([[float(text) for text, _ in row[1:]] for row in rows[1:]])
    np.testing.assert_array_equal(
        counts, confusion_matrix(y, np.where(p > 0.4, "yes", "no"), labels=["no", "yes"]))
    assert 'alt="ROC curve (held-out)"' in page and 'alt="Calibration (held-out)"' in page
    assert "test.csv" in page


@pytest.mark.parametrize("change, fragments", [
    (lambda f: f.drop(columns="label"), ["bad.csv", "target column 'label' not found"]),
    (lambda f: f.rename(columns={"b": "B"}), ["bad.csv", "feature column(s) not found: 'b'"]),
    (lambda f: f.assign(label=f["label"].replace({"yes": "maybe"})),
     ["bad.csv", "'maybe'", "does not know"]),
], ids=["no-target", "other-columns", "unknown-labels"])
def test_report_refuses_a_test_file_that_does_not_match(files, capsys, change, fragments):
    folder, model_path, train, _, held_out = files
    bad = write_csv(folder / "bad.csv", change(held_out.copy()))
    out = folder / "refused.html"
    code, _, err = call(["report", model_path, train, "--target", "label", "--test", bad,
                         "--out", out], capsys)
    assert_one_error_line(code, err, *fragments)
    assert not out.exists()


def test_report_refuses_to_write_over_its_test_file(files, capsys):
    folder, model_path, train, test, _ = files
    code, _, err = call(["report", model_path, train, "--target", "label", "--test", test,
                         "--out", test], capsys)
    assert_one_error_line(code, err, "is also the input")


# -- plots -------------------------------------------------------------------------------------
def badly_scaled_csv(path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) * [1.0, 100.0, 1000.0] + [0.0, 500.0, 3000.0]
    z = 0.3 + X[:, 0] + 0.01 * (X[:, 1] - 500) - 0.002 * (X[:, 2] - 3000)
    frame = pd.DataFrame(X, columns=["small", "medium", "large"])
    frame["y"] = (rng.random(200) < 1 / (1 + np.exp(-z))).astype(int)
    return write_csv(path, frame)


@pytest.mark.parametrize("compare", ["solvers", "losses"])
def test_plot_training_warns_that_unscaled_features_diverge(tmp_path, capsys, compare):
    data = badly_scaled_csv(tmp_path / "d.csv")
    argv = ["plot", "training", data, "--target", "y", "--compare", compare, "--max-iter",
            "30", "--out", tmp_path / "t.png"]
    code, _, err = call(argv, capsys)
    assert code == 0
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("logistic: warning: TrainingDivergenceWarning: ")
                         for line in lines), err
    assert all("--standardize" in line and "'large'" in line for line in lines)
    assert len(lines) == (1 if compare == "solvers" else 2)  # gd; squared error and CE
    code, _, err = call([*argv, "--standardize"], capsys)
    assert code == 0 and err == ""


def test_plot_coefficients_draws_the_intercept_only_when_asked(files, capsys):
    folder, model_path, _, _, _ = files
    sizes = []
    for extra in ([], ["--intercept"]):
        out = folder / f"coef{len(extra)}.png"
        code, _, err = call(["plot", "coefficients", model_path, *extra, "--out", out], capsys)
        assert code == 0 and err == ""
        sizes.append(struct.unpack(">II", out.read_bytes()[16:24]))
    (width, plain), (same, taller) = sizes
    assert same == width and taller > plain  # the intercept's own axis above the others


def test_report_threshold_outside_the_unit_interval(files, capsys):
    folder, model_path, train, test, _ = files
    code, _, err = call(["report", model_path, train, "--target", "label", "--test", test,
                         "--threshold", "1.5", "--out", folder / "t.html"], capsys)
    assert_one_error_line(code, err, "argument --threshold: must be a number in (0, 1)",
                          "logistic report --help")
