"""``logistic plot diagnostics MODEL DATA --target COL``: the command run for real."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call

from logistic.cli.app import run


def make_frame(n: int = 200, seed: int = 0, classes: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    if classes == 2:
        z = 0.3 + X @ np.array([1.0, -2.0, 0.5])
        frame["label"] = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), "yes", "no")
    else:
        frame["label"] = np.array(["x", "y", "z"])[rng.integers(0, 3, size=n)]
    return frame


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("diagnostics")
    paths = {name: root / name for name in ("data.csv", "multi.csv", "model.json",
                                             "l2.json", "multi.json")}
    make_frame().to_csv(paths["data.csv"], index=False)
    make_frame(classes=3).to_csv(paths["multi.csv"], index=False)
    for data, model, extra in (("data.csv", "model.json", []),
                               ("data.csv", "l2.json", ["--penalty", "l2"]),
                               ("multi.csv", "multi.json", [])):
        argv = ["fit", paths[data], "--target", "label", "--out", paths[model], "--quiet",
                *extra]
        assert run([str(a) for a in argv]) == 0
    return paths


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_plot_diagnostics_writes_the_figure(files, tmp_path, capsys, suffix):
    out = tmp_path / f"diagnostics.{suffix}"
    code, stdout, err = call(["plot", "diagnostics", files["model.json"], files["data.csv"],
                              "--target", "label", "--out", out, "--dpi", "50"], capsys)
    assert code == 0, err
    assert f"diagnostics figure written to {out}" in stdout.replace("\n", "")
    if suffix == "png":
        image = matplotlib.image.imread(out)
        assert image.ndim == 3 and image.shape[1] > 300 and image[..., :3].std() > 0.05
    else:
        text = out.read_text()
        assert 'id="leverage' in text and 'id="cooks:1:+' in text


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["{model}", "{data}"], ["needs the label column: add --target COL"]),
        (["{model}"], ["plot diagnostics takes MODEL DATA --target COL"]),
        (["{l2}", "{data}", "--target", "label"],
         ["cannot draw diagnostics", "needs an unpenalized fit", "penalty='l2' is not"]),
        (["{multi}", "{multi_data}", "--target", "label"],
         ["cannot draw diagnostics", "binary model", "3 classes"]),
        (["{model}", "{multi_data}", "--target", "label"], ["'x'", "does not know"]),
    ],
    ids=["no-target", "no-data", "penalized", "three-classes", "unknown-labels"],
)
def test_plot_diagnostics_bad_input_exits_2_with_one_line(files, tmp_path, capsys, argv,
                                                          fragments):
    names = {"model": files["model.json"], "data": files["data.csv"], "l2": files["l2.json"],
             "multi": files["multi.json"], "multi_data": files["multi.csv"]}
    out = tmp_path / "figure.png"
    code, _, err = call(["plot", "diagnostics", *[a.format(**names) for a in argv],
                         "--out", out], capsys)
    assert_one_error_line(code, err, *fragments)
    assert not out.exists()
