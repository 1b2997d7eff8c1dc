"""`logistic fit --model ordinal|conditional` names the logistic model's options it does not
take, rather than ignoring them (docs/errors.md, "Options of one model family ...")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from logistic.cli.app import run


@pytest.fixture
def data(tmp_path):
    rng = np.random.default_rng(0)
    n = 40
    frame = pd.DataFrame({
        "a": rng.normal(size=n), "b": rng.normal(size=n), "w": rng.uniform(1, 2, n),
        "pair": np.repeat(np.arange(n // 4), 4), "y": np.tile([1, 0, 0, 0], n // 4),
    })
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("model, extra", [
    ("ordinal", []), ("conditional", ["--strata", "pair"]),
])
@pytest.mark.parametrize("option, flag", [
    (["--weight", "w"], "--weight"), (["--offset", "w"], "--offset"),
    (["--trials", "w"], "--trials"), (["--cov-type", "HC0"], "--cov-type"),
    (["--margins"], "--margins"), (["--odds-ratios"], "--odds-ratios"),
    (["--class-weight", "balanced"], "--class-weight"),
])
def test_other_models_refuse_the_logistic_options(data, tmp_path, capsys, model, extra,
                                                  option, flag):
    out = tmp_path / "m.json"
    code = run(["fit", str(data), "--model", model, *extra, "--target", "y",
                "--features", "a,b", *option, "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("logistic: error: "), err
    assert f"--model {model} does not take {flag}" in err[0]
    assert not out.exists()


def test_predict_offset_of_an_ordinal_model_is_refused(data, tmp_path, capsys):
    model = tmp_path / "m.json"
    assert run(["fit", str(data), "--model", "ordinal", "--target", "y", "--features", "a,b",
                "--quiet", "--out", str(model)]) == 0
    capsys.readouterr()
    code = run(["predict", str(model), str(data), "--offset", "w"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert "--offset is an option of a logistic model" in err[0]
