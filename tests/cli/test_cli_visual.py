"""``logistic plot``, ``logistic explain`` and ``logistic report`` on the command line: what
they write, and one error line with exit status 2 for every input they cannot use."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call

from logistic import LogisticRegression
from logistic.cli.app import run


def make_frame(n: int = 200, seed: int = 0, d: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    z = 0.3 + X @ np.array([1.0, -2.0, 0.5])[:d]
    frame = pd.DataFrame(X, columns=["a", "b", "c"][:d])
    frame["label"] = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), "yes", "no")
    return frame


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """Data files and fitted model files shared by the tests."""
    root = tmp_path_factory.mktemp("visual")
    paths = {
        "data": root / "data.csv", "data2": root / "data2.csv", "model": root / "model.json",
        "model2": root / "model2.json", "multi": root / "multi.json",
        "multi_data": root / "multi.csv", "root": root,
    }
    make_frame().to_csv(paths["data"], index=False)
    make_frame(d=2).to_csv(paths["data2"], index=False)
    for data, model in (("data", "model"), ("data2", "model2")):
        argv = ["fit", paths[data], "--target", "label", "--out", paths[model], "--quiet"]
        assert run([str(a) for a in argv]) == 0
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(90, 2)), columns=["a", "b"])
    frame["label"] = np.repeat(["x", "y", "z"], 30)
    frame.to_csv(paths["multi_data"], index=False)
    LogisticRegression().fit(frame[["a", "b"]], frame["label"]).save(paths["multi"])
    return paths


PLOTS = {
    "sigmoid": [],
    "derivatives": [],
    "cost": [],
    "boundary": ["{model2}", "{data2}", "--target", "label"],
    "training": ["{data}", "--target", "label", "--max-iter", "20"],
    "roc": ["{model}", "{data}", "--target", "label"],
    "calibration": ["{model}", "{data}", "--target", "label"],
    "coefficients": ["{model}"],
    "scores": ["{model}", "{data}"],
}


@pytest.mark.parametrize("kind", PLOTS)
def test_every_plot_kind_writes_a_png(kind, files, tmp_path, capsys):
    out = tmp_path / f"{kind}.png"
    argv = ["plot", kind, *[a.format(**files) for a in PLOTS[kind]], "--out", out,
            "--dpi", "50"]
    code, stdout, err = call(argv, capsys)
    assert code == 0, err
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    image = matplotlib.image.imread(out)
    assert image.ndim == 3 and image.shape[0] > 100 and image[..., :3].std() > 0.05
    assert str(out) in stdout


def test_plot_svg_weights_and_the_loss_comparison(files, tmp_path, capsys):
    out = tmp_path / "line.svg"
    code, _, err = call(["plot", "boundary", "--weights=-3,1,1", "--out", out], capsys)
    assert code == 0, err
    assert b"<svg" in out.read_bytes()[:3000]
    out = tmp_path / "losses.png"
    code, _, err = call(["plot", "training", files["data"], "--target", "label", "--compare",
                         "losses", "--standardize", "--max-iter", "15", "--out", out], capsys)
    assert code == 0, err
    assert out.stat().st_size > 1000


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["plot", "roc", "{model}", "--out", "{out}"], ["MODEL DATA --target COL"]),
        (["plot", "roc", "{model}", "{data}", "--out", "{out}"], ["--target"]),
        (["plot", "sigmoid", "{model}", "--out", "{out}"], ["takes no MODEL or DATA"]),
        (["plot", "training", "{model}", "{data}", "--target", "label", "--out", "{out}"],
         ["loss history"]),
        (["plot", "training", "{data}", "--out", "{out}"], ["--target"]),
        (["plot", "coefficients", "--out", "{out}"], ["MODEL"]),
        (["plot", "boundary", "--out", "{out}"], ["--weights"]),
        (["plot", "boundary", "{model}", "--out", "{out}"], ["2 features", "has 3"]),
        (["plot", "boundary", "--weights=-3,1", "--out", "{out}"], ["W0,W1,W2"]),
        (["plot", "scores", "{multi}", "{multi_data}", "--out", "{out}"], ["binary", "3"]),
        (["plot", "sigmoid", "--out", "{root}/figure.jpg"], [".png or .svg"]),
        (["plot", "sigmoid", "--out", "{root}/missing/figure.png"], ["does not exist"]),
        (["plot", "histogram", "--out", "{out}"], ["invalid choice"]),
        (["plot", "roc", "{root}/none.json", "{data}", "--target", "label", "--out", "{out}"],
         ["none.json"]),
        (["plot", "roc", "{model}", "{data2}", "--target", "label", "--out", "{out}"],
         ["'c'"]),
        (["plot", "roc", "{model}", "{data}", "--target", "a", "--out", "{out}"],
         ["features"]),
        (["explain", "{multi}", "{multi_data}", "--target", "label"], ["binary", "3 classes"]),
        (["explain", "{model}", "{data}", "--rows", "0"], [">= 1"]),
        (["explain", "{model}", "{data}", "--target", "nope"], ["'nope'"]),
        (["report", "{model}", "{data}", "--out", "{root}/r.html"], ["--target"]),
        (["report", "{model}", "{data}", "--target", "label", "--out", "{root}"],
         ["is a directory"]),
    ],
)
def test_bad_input_is_one_error_line(argv, fragments, files, capsys):
    values = {**{k: str(v) for k, v in files.items()}, "out": str(files["root"] / "x.png")}
    code, _, err = call([a.format(**values) for a in argv], capsys)
    assert_one_error_line(code, err, *fragments)


def test_labels_the_model_does_not_know(files, tmp_path, capsys):
    frame = make_frame()
    frame["label"] = frame["label"].replace({"yes": "maybe"})
    data = tmp_path / "other.csv"
    frame.to_csv(data, index=False)
    code, _, err = call(["plot", "roc", files["model"], data, "--target", "label", "--out",
                         tmp_path / "roc.png"], capsys)
    assert_one_error_line(code, err, "'maybe'", "does not know")
    assert not (tmp_path / "roc.png").exists()


def test_explain_prints_every_step_with_its_check(files, capsys):
    code, out, err = call(["explain", files["model"], files["data"], "--target", "label",
                           "--rows", "2"], capsys)
    assert code == 0, err
    for title in ("raw score", "probability", "derivative of σ", "loss of each row", "cost",
                  "gradient of J", "Hessian of J", "Newton step"):
        assert title in out, title
    assert out.count("✓ rel. err") == 9 and "✗" not in out
    assert "rows shown: 1, 2" in out and "minimum of J" in out


def test_explain_without_labels_shows_the_per_sample_functions(files, capsys):
    code, out, err = call(["explain", files["model"], files["data"]], capsys)
    assert code == 0, err
    assert out.count("✓ rel. err") == 3 and "need y" in out



def test_explain_exits_1_and_names_the_checks_that_fail(files, capsys, monkeypatch):
    from logistic.core.objective import Objective

    right = Objective.gradient
    monkeypatch.setattr(Objective, "gradient", lambda self, theta: 2 * right(self, theta))
    code, out, err = call(["explain", files["model"], files["data"], "--target", "label"],
                          capsys)
    assert code == 1
    assert err.startswith("logistic: check failed: ") and err.count("\n") == 1, err
    assert "hessian (✗ rel. err" in err and "✗" in out

def test_report_writes_one_self_contained_file(files, tmp_path, capsys):
    out = tmp_path / "report.html"
    code, stdout, err = call(["report", files["model"], files["data"], "--target", "label",
                              "--out", out, "--title", "Trial <A>"], capsys)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "<title>Trial &lt;A&gt;</title>" in text
    assert "data:image/png;base64," in text and "http://" not in text and "https://" not in text
    assert "<script" not in text and "model.json" in text and "data.csv" in text
    assert str(out) in stdout
