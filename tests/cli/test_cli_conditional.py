"""``logistic fit --model conditional --strata COL``, ``summary`` and ``predict`` on the real
command, against the library's fit and statsmodels' ConditionalLogit."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call
from statsmodels.discrete.conditional_models import ConditionalLogit

from logistic import ConditionalLogisticRegression, load


def matched_frame(n_strata: int = 40, size: int = 5, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"pair": np.repeat(np.arange(n_strata), size),
                          "a": rng.normal(size=n_strata * size),
                          "b": rng.normal(size=n_strata * size),
                          "g": rng.choice(["u", "v"], n_strata * size)})
    eta = frame.a - 0.5 * frame.b
    frame["case"] = 0
    for t in range(n_strata):
        rows = np.flatnonzero(frame.pair == t)
        p = np.exp(eta[rows]) / np.exp(eta[rows]).sum()
        frame.loc[rng.choice(rows, 2, replace=False, p=p), "case"] = 1
    return frame


@pytest.fixture
def data(tmp_path) -> Path:
    path = tmp_path / "matched.csv"
    matched_frame().to_csv(path, index=False)
    return path


def test_fit_summary_predict_round_trip(tmp_path, data, capsys):
    out = tmp_path / "model.json"
    code, stdout, err = call(["fit", data, "--model", "conditional", "--strata", "pair",
                              "--target", "case", "--features", "a,b", "--out", out], capsys)
    assert code == 0, err
    assert "Conditional Logit Results" in stdout and "Ties" in stdout
    frame = pd.read_csv(data)
    peer = ConditionalLogit(frame.case.to_numpy(), frame[["a", "b"]].to_numpy(),
                            groups=frame.pair.to_numpy()).fit(disp=0, method="newton",
                                                              tol=1e-12)
    model = load(out)
    np.testing.assert_allclose(model.coef_[0], peer.params, atol=1e-6)
    np.testing.assert_allclose(model.std_err_, peer.bse, atol=1e-6)

    code, stdout, err = call(["summary", out], capsys)
    assert code == 0, err
    assert "Conditional Logit Results" in stdout and "intercept │ none" in stdout

    predictions = tmp_path / "p.csv"
    code, _, err = call(["predict", out, data, "--out", predictions], capsys)
    assert code == 0, err
    written = pd.read_csv(predictions)
    expected = model.predict_proba(frame[["a", "b", "pair"]])[:, 1]
    np.testing.assert_allclose(written.probability, expected, rtol=1e-12)
    np.testing.assert_allclose(written.groupby(frame.pair).probability.sum(), 1.0)
    assert (written.groupby(frame.pair).prediction.sum() == 1).all()


def test_formula_with_strata_and_efron(tmp_path, data, capsys):
    out = tmp_path / "model.json"
    code, _, err = call(["fit", data, "--model", "conditional", "--formula",
                         "case ~ a + b + C(g) + strata(pair)", "--ties", "efron", "--quiet",
                         "--out", out], capsys)
    assert code == 0, err
    frame = pd.read_csv(data)
    library = ConditionalLogisticRegression.from_formula("case ~ a + b + C(g) + strata(pair)",
                                                         frame, ties="efron")
    np.testing.assert_allclose(load(out).coef_, library.coef_, rtol=1e-12)
    code, stdout, err = call(["predict", out, data], capsys)
    assert code == 0, err
    written = pd.read_csv(io.StringIO(stdout))
    np.testing.assert_allclose(written.probability, library.predict_proba(frame)[:, 1],
                               rtol=1e-12)


@pytest.mark.parametrize("options, message", [
    (["--target", "case"], "needs --strata COL"),
    (["--target", "case", "--strata", "nope"], "no column 'nope'"),
    (["--target", "case", "--strata", "pair", "--penalty", "l2"], "drop --penalty"),
    (["--target", "case", "--strata", "pair", "--memory", "1GB"], "drop --memory"),
    (["--formula", "case ~ a + strata(pair)", "--strata", "pair"], "give the strata once"),
    (["--target", "case", "--strata", "pair", "--features", "a,g"], "not numeric"),
    (["--target", "case", "--strata", "pair", "--features", "a,pair"],
     "must not include the --target or --strata"),
], ids=["no strata", "unknown strata", "penalty", "memory", "strata twice", "string feature",
        "strata as feature"])
def test_bad_options_are_one_error_line(tmp_path, data, capsys, options, message):
    code, _, err = call(["fit", data, "--model", "conditional", *options,
                         "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, message)


def test_bad_strata_data_are_one_error_line(tmp_path, capsys):
    frame = matched_frame(10, 4)
    frame.loc[3, "pair"] = np.nan
    path = tmp_path / "missing.csv"
    frame.to_csv(path, index=False)
    code, _, err = call(["fit", path, "--model", "conditional", "--strata", "pair", "--target",
                         "case", "--features", "a,b", "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, "the strata have missing values at rows 3")
    frame = matched_frame(10, 4).assign(level=lambda f: f.pair * 2.0)
    frame.to_csv(path, index=False)
    code, _, err = call(["fit", path, "--model", "conditional", "--strata", "pair", "--target",
                         "case", "--features", "a,level", "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, "'level' are constant within every stratum")


def test_predict_needs_the_strata_column(tmp_path, data, capsys):
    out = tmp_path / "model.json"
    call(["fit", data, "--model", "conditional", "--strata", "pair", "--target", "case",
          "--features", "a,b", "--quiet", "--out", out], capsys)
    without = tmp_path / "without.csv"
    pd.read_csv(data).drop(columns="pair").to_csv(without, index=False)
    code, _, err = call(["predict", out, without], capsys)
    assert_one_error_line(code, err, "no column 'pair'")


@pytest.mark.parametrize("command", [["report", "{model}", "{data}", "--out", "{tmp}/r.html"],
                                     ["explain", "{model}", "{data}"],
                                     ["plot", "roc", "{model}", "{data}", "--out", "{tmp}/p.png"]],
                         ids=["report", "explain", "plot roc"])
def test_binary_model_commands_refuse_a_conditional_model(tmp_path, data, capsys, command):
    out = tmp_path / "model.json"
    call(["fit", data, "--model", "conditional", "--strata", "pair", "--target", "case",
          "--features", "a,b", "--quiet", "--out", out], capsys)
    argv = [part.format(model=out, data=data, tmp=tmp_path) for part in command]
    code, _, err = call([*argv, "--target", "case"], capsys)
    assert_one_error_line(code, err, "is for a LogisticRegression model, not a "
                                     "ConditionalLogisticRegression")
