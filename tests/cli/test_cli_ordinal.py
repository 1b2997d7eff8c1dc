"""``logistic fit --model ordinal``, then ``predict`` and ``summary`` on the saved model:
the real commands, against the library's fit and statsmodels' OrderedModel."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call
from statsmodels.miscmodels.ordinal_model import OrderedModel

from logistic import OrdinalLogisticRegression, load

LEVELS = ["low", "mid", "high"]


def ordinal_frame(n=300, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    latent = X @ [1.0, -0.5] + rng.logistic(size=n)
    return pd.DataFrame({"a": X[:, 0], "b": X[:, 1],
                         "rating": np.array(LEVELS)[np.digitize(latent, [-0.5, 1.0])],
                         "score": np.digitize(latent, [-0.5, 1.0]) + 1})


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "ratings.csv"
    ordinal_frame().to_csv(path, index=False)
    return path


def test_fit_predict_summary_round_trip(tmp_path, capsys, data):
    model_path = tmp_path / "m.json"
    code, out, err = call(["fit", data, "--model", "ordinal", "--target", "rating",
                           "--features", "a,b", "--categories", "low,mid,high",
                           "--out", model_path], capsys)
    assert code == 0, err
    assert "Ordinal Regression Results" in out and "low|mid" in out and "mid|high" in out
    frame = ordinal_frame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = OrderedModel(pd.Series(pd.Categorical(frame.rating, categories=LEVELS,
                                                          ordered=True)),
                                 frame[["a", "b"]], distr="logit").fit(
                                     method="bfgs", disp=0, gtol=1e-10, maxiter=5000)
    saved = load(model_path)
    assert isinstance(saved, OrdinalLogisticRegression)
    np.testing.assert_allclose(saved.params_, reference.params, rtol=1e-5, atol=1e-6)
    code, out, err = call(["predict", model_path, data], capsys)
    assert code == 0, err
    predicted = pd.read_csv(pd.io.common.StringIO(out))
    assert list(predicted.columns) == ["probability_low", "probability_mid",
                                       "probability_high", "prediction"]
    expected = reference.model.predict(np.asarray(reference.params),
                                       exog=frame[["a", "b"]].to_numpy())
    np.testing.assert_allclose(predicted.iloc[:, :3].to_numpy(), expected, rtol=1e-5)
    assert set(predicted.prediction) <= set(LEVELS)
    code, out, err = call(["summary", model_path], capsys)
    assert code == 0, err
    assert "'low' < 'mid' < 'high'" in out and "Ordinal Regression Results" in out


def test_formula_with_numeric_levels(tmp_path, capsys, data):
    model_path = tmp_path / "f.json"
    code, out, err = call(["fit", data, "--model", "ordinal", "--formula", "score ~ a + b",
                           "--out", model_path, "--quiet"], capsys)
    assert code == 0, err
    frame = ordinal_frame()
    direct = OrdinalLogisticRegression().fit(frame[["a", "b"]], frame.score)
    np.testing.assert_allclose(load(model_path).params_, direct.params_, rtol=1e-7)
    code, out, err = call(["predict", model_path, data], capsys)
    assert code == 0, err


def test_text_levels_without_an_order_say_how_to_give_one(tmp_path, capsys, data):
    code, _, err = call(["fit", data, "--model", "ordinal", "--target", "rating",
                         "--features", "a,b", "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, "no order", "--categories")


@pytest.mark.parametrize("options, fragment", [
    (["--penalty", "l1"], "--penalty none or l2"),
    (["--solver", "lbfgs"], "Newton"),
    (["--no-intercept"], "cut-points"),
    (["--categories", "low,mid"], "not among categories"),
])
def test_options_the_ordinal_model_refuses(tmp_path, capsys, data, options, fragment):
    code, _, err = call(["fit", data, "--model", "ordinal", "--target", "rating",
                         "--features", "a,b", "--categories", "low,mid,high", *options,
                         "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, fragment)


def test_categories_need_the_ordinal_model(tmp_path, capsys, data):
    code, _, err = call(["fit", data, "--target", "rating", "--features", "a,b",
                         "--categories", "low,mid,high", "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, "--model ordinal")


def test_a_single_level_is_refused(tmp_path, capsys):
    path = tmp_path / "one.csv"
    frame = ordinal_frame()
    frame["score"] = 1
    frame.to_csv(path, index=False)
    code, _, err = call(["fit", path, "--model", "ordinal", "--target", "score",
                         "--features", "a,b", "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, "single class")  # the reader's check, before the fit


@pytest.mark.parametrize("command", [
    ["report", "{model}", "{data}", "--target", "score", "--out", "{tmp}/r.html"],
    ["plot", "coefficients", "{model}", "--out", "{tmp}/c.png"],
    ["plot", "scores", "{model}", "{data}", "--out", "{tmp}/s.png"],
    ["explain", "{model}", "{data}", "--target", "score"],
])
def test_commands_for_logistic_models_refuse_an_ordinal_one(tmp_path, capsys, data, command):
    model_path = tmp_path / "m.json"
    code, _, err = call(["fit", data, "--model", "ordinal", "--target", "score",
                         "--features", "a,b", "--out", model_path, "--quiet"], capsys)
    assert code == 0, err
    argv = [part.format(model=model_path, data=data, tmp=tmp_path) for part in command]
    code, _, err = call(argv, capsys)
    assert_one_error_line(code, err, "is for a LogisticRegression model",
                          "OrdinalLogisticRegression")
