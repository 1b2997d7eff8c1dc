"""``logistic fit --categorical COL,... | auto`` and ``--formula 'y ~ .'`` run as the real
command (cli/fit_categorical.py, io/formula_dot.py): the saved models against statsmodels'
``smf.logit`` / ``smf.glm`` with the formula spelled out (coefficients to 1e-8, names
matched), ``predict`` from the saved file against statsmodels' predictions on new rows, the
other commands on such a model, ONNX export against ``predict_proba`` (onnxruntime, 1e-9),
and the bad inputs: one ``logistic: error:`` line, exit 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call, write_csv
from sklearn import metrics

from logistic.io.formula_dot import MAX_DOT_LEVELS
from logistic.io.model_file import load

smf = pytest.importorskip("statsmodels.formula.api")
sm = pytest.importorskip("statsmodels.api")

TOL = 1e-8


def raw_frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Numeric x1, x2; text g; boolean flag; a weight, an offset and yes/no labels."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                          "g": rng.choice(["a", "b", "c"], n), "flag": rng.random(n) < 0.4})
    z = 0.2 + 0.9 * frame["x1"] - 0.6 * frame["x2"] + 0.7 * (frame["g"] == "b") \
        - 0.5 * frame["flag"]
    frame["y"] = np.where(rng.random(n) < 1.0 / (1.0 + np.exp(-z)), "yes", "no")
    frame["w"] = rng.integers(1, 4, n).astype(float)
    frame["o"] = rng.uniform(-0.5, 0.5, n)
    return frame


def with_y01(frame: pd.DataFrame) -> pd.DataFrame:
    """statsmodels' response: 1 for 'yes', the model's second class."""
    return frame.assign(y01=(frame["y"] == "yes").astype(int))


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_csv(tmp_path_factory.mktemp("categorical") / "raw.csv", raw_frame())


def fitted(data: Path, tmp_path: Path, capsys, *options) -> Path:
    model = tmp_path / "model.json"
    code, _, err = call(["fit", data, *options, "--tol", "1e-10", "--out", model, "--quiet"],
                        capsys)
    assert code == 0, err
    return model


def assert_same_fit(model_path: Path, reference) -> None:
    """The saved model's coefficients by name equal statsmodels' (the response y01)."""
    model = load(model_path)
    names = ["Intercept", *map(str, model.feature_names_in_)] if model.fit_intercept else \
        list(map(str, model.feature_names_in_))
    values = [*model.intercept_, *model.coef_[0]] if model.fit_intercept else model.coef_[0]
    mine = dict(zip(names, values, strict=True))
    theirs = dict(reference.params.items())
    assert sorted(mine) == sorted(theirs)
    for name, value in theirs.items():
        assert mine[name] == pytest.approx(value, abs=TOL), name


def logit(formula: str, frame: pd.DataFrame):
    return smf.logit(formula, with_y01(frame)).fit(method="newton", tol=1e-12, disp=0)


def glm(formula: str, frame: pd.DataFrame, **kwargs):
    return smf.glm(formula, with_y01(frame), family=sm.families.Binomial(), **kwargs).fit(
        tol=1e-12)


# -- the text column's error -------------------------------------------------------------------
@pytest.mark.parametrize("options", [["--target", "y"], ["--target", "y", "--weight", "w"],
                                     ["--target", "y", "--features", "x1,g"]])
def test_a_text_feature_column_error_says_how_to_fit_it(data, tmp_path, capsys, options):
    code, _, err = call(["fit", data, *options, "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, "feature column(s) are not numeric: 'g'",
                          "--categorical g", "--categorical auto",
                          "--formula 'y ~ C(g) + ...'")


# -- fits against statsmodels ------------------------------------------------------------------
def test_categorical_columns_fit_as_statsmodels(data, tmp_path, capsys):
    model = fitted(data, tmp_path, capsys, "--target", "y", "--categorical", "g,flag",
                   "--features", "x1,x2,g,flag")
    assert_same_fit(model, logit("y01 ~ x1 + x2 + C(g) + C(flag)", raw_frame()))


@pytest.mark.parametrize("options", [
    ["--target", "y", "--categorical", "auto", "--features", "x1,x2,g,flag"],
    ["--formula", "y ~ . - w - o"],
    ["--formula", "y ~ ."],          # --weight's column is never a feature
])
def test_categorical_auto_and_the_dot_fit_as_statsmodels(data, tmp_path, capsys, options):
    weighted = options[-1] == "y ~ ."
    model = fitted(data, tmp_path, capsys, *options, *(["--weight", "w"] * weighted))
    frame = raw_frame()
    if weighted:
        reference = glm("y01 ~ x1 + x2 + C(g) + C(flag) + o", frame, freq_weights=frame["w"])
    else:
        reference = logit("y01 ~ x1 + x2 + C(g) + C(flag)", frame)
    assert_same_fit(model, reference)


def test_the_cluster_column_is_not_swept_in(tmp_path, capsys):
    frame = raw_frame().assign(site=lambda f: np.arange(len(f)) % 20)
    data = write_csv(tmp_path / "clustered.csv", frame.drop(columns=["w", "o"]))
    model = fitted(data, tmp_path, capsys, "--formula", "y ~ .", "--cov-type", "cluster",
                   "--cluster", "site")
    assert_same_fit(model, logit("y01 ~ x1 + x2 + C(g) + C(flag)", frame))


def test_categorical_with_an_offset_and_without_an_intercept(data, tmp_path, capsys):
    model = fitted(data, tmp_path, capsys, "--target", "y", "--categorical", "g",
                   "--features", "x1,g", "--offset", "o", "--no-intercept")
    frame = raw_frame()
    assert_same_fit(model, glm("y01 ~ x1 + C(g) - 1", frame, offset=frame["o"]))
    assert load(model).formula_.offset == "o"


def test_categorical_with_trials_fits_grouped_counts(tmp_path, capsys):
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"x": rng.normal(size=60), "g": rng.choice(["u", "v"], 60),
                          "n": rng.integers(1, 10, 60)})
    frame["s"] = rng.binomial(frame["n"], 1 / (1 + np.exp(-(0.5 * frame["x"] + 0.4))))
    data = write_csv(tmp_path / "grouped.csv", frame)
    model = fitted(data, tmp_path, capsys, "--target", "s", "--trials", "n",
                   "--categorical", "auto")
    reference = smf.glm("s + I(n - s) ~ x + C(g)", frame, family=sm.families.Binomial()).fit(
        tol=1e-12)
    assert_same_fit(model, reference)


def test_categorical_with_the_ordinal_model_fits_as_statsmodels(tmp_path, capsys):
    patsy = pytest.importorskip("patsy")
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    rng = np.random.default_rng(6)
    frame = pd.DataFrame({"x1": rng.normal(size=300), "g": rng.choice(["a", "b", "c"], 300)})
    eta = 0.8 * frame["x1"] + 0.9 * (frame["g"] == "b")
    frame["r"] = 1 + (eta + rng.logistic(size=300) > -0.5) + (eta + rng.logistic(size=300) > 1)
    data = write_csv(tmp_path / "ordinal.csv", frame)
    model = load(fitted(data, tmp_path, capsys, "--target", "r", "--model", "ordinal",
                        "--categorical", "auto"))
    exog = patsy.dmatrix("x1 + C(g)", frame, return_type="dataframe").drop(columns="Intercept")
    reference = OrderedModel(frame["r"], exog, distr="logit").fit(method="bfgs", gtol=1e-10,
                                                                  maxiter=2000, disp=0)
    mine = dict(zip(map(str, model.feature_names_in_), model.coef_.ravel(), strict=True))
    assert sorted(mine) == sorted(exog.columns)
    for name in exog.columns:
        assert mine[name] == pytest.approx(reference.params[name], abs=1e-7), name


@pytest.mark.parametrize("options", [["--formula", "case ~ ."],
                                     ["--target", "case", "--categorical", "auto"]])
def test_the_strata_column_is_not_a_feature_of_the_conditional_model(tmp_path, capsys,
                                                                     options):
    from statsmodels.discrete.conditional_models import ConditionalLogit

    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"pair": np.repeat(np.arange(120), 2), "x": rng.normal(size=240),
                          "g": rng.choice(["a", "b", "c"], 240)})
    first = rng.random(120) < 1 / (1 + np.exp(-(frame["x"].to_numpy()[::2]
                                                - frame["x"].to_numpy()[1::2])))
    frame["case"] = np.column_stack([first, ~first]).ravel().astype(int)
    data = write_csv(tmp_path / "pairs.csv", frame)
    model = load(fitted(data, tmp_path, capsys, *options, "--model", "conditional",
                        "--strata", "pair"))
    exog = pd.DataFrame({"x": frame["x"], "C(g)[T.b]": (frame["g"] == "b").astype(float),
                         "C(g)[T.c]": (frame["g"] == "c").astype(float)})
    reference = ConditionalLogit(frame["case"], exog, groups=frame["pair"]).fit(
        method="newton", tol=1e-12, disp=0)
    assert list(model.feature_names_in_) == list(exog.columns)
    np.testing.assert_allclose(model.coef_[0], reference.params.to_numpy(), rtol=0, atol=TOL)


# -- the saved model in the other commands ------------------------------------------------------
@pytest.fixture(scope="module")
def categorical_model(data, tmp_path_factory) -> Path:
    from logistic.cli.app import run

    model = tmp_path_factory.mktemp("model") / "model.json"
    assert run(["fit", str(data), "--target", "y", "--categorical", "auto", "--weight", "w",
                "--features", "x1,x2,g,flag", "--tol", "1e-10", "--out", str(model),
                "--quiet"]) == 0
    return model


def test_predict_from_the_saved_model_matches_statsmodels(categorical_model, tmp_path,
                                                         capsys):
    train, new = raw_frame(), raw_frame(n=120, seed=9).assign(extra="not a model column")
    reference = glm("y01 ~ x1 + x2 + C(g) + C(flag)", train, freq_weights=train["w"])
    code, out, err = call(["predict", categorical_model, write_csv(tmp_path / "new.csv", new)],
                          capsys)
    assert code == 0, err
    got = pd.read_csv(io.StringIO(out))["probability"].to_numpy()
    np.testing.assert_allclose(got, reference.predict(new), rtol=0, atol=1e-9)


def test_evaluate_scores_the_model_as_scikit_learn(categorical_model, tmp_path, capsys):
    new = raw_frame(n=150, seed=11)
    out = tmp_path / "scores.json"
    code, _, err = call(["evaluate", categorical_model, write_csv(tmp_path / "t.csv", new),
                         "--target", "y", "--out", out], capsys)
    assert code == 0, err
    scores = json.loads(out.read_text())["metrics"]
    p = load(categorical_model).predict_proba(new)[:, 1]
    y = new["y"].to_numpy()
    assert scores["roc_auc"] == pytest.approx(metrics.roc_auc_score(y == "yes", p), rel=1e-12)
    assert scores["log_loss"] == pytest.approx(metrics.log_loss(y, p, labels=["no", "yes"]),
                                               rel=1e-12)


@pytest.mark.parametrize("command", [["plot", "roc"], ["explain"], ["report"]])
def test_the_other_commands_take_the_model(categorical_model, data, tmp_path, capsys,
                                           command):
    out = ["--out", tmp_path / "out.html" if command == ["report"] else tmp_path / "roc.png"]
    argv = [*command, categorical_model, data, *(out if command != ["explain"] else [])]
    code, _, err = call(argv, capsys)
    assert code == 0, err


def test_onnx_export_of_a_categorical_model(categorical_model, tmp_path, capsys):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    out = tmp_path / "model.onnx"
    code, _, err = call(["export", categorical_model, "--onnx", out], capsys)
    assert code == 0, err
    proto = onnx.load(str(out))
    onnx.checker.check_model(proto, full_check=True)
    frame = raw_frame(n=200, seed=5)
    types = {onnx.TensorProto.DOUBLE: np.float64, onnx.TensorProto.STRING: object,
             onnx.TensorProto.BOOL: bool}
    feeds = {v.name: frame[[v.name]].to_numpy(types[v.type.tensor_type.elem_type])
             for v in proto.graph.input}
    assert sorted(feeds) == ["flag", "g", "x1", "x2"]
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    label, proba = session.run(["label", "probabilities"], feeds)
    model = load(categorical_model)
    np.testing.assert_allclose(proba, model.predict_proba(frame), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(label, model.predict(frame))


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("options", "fragments"), [
    (["--formula", "y ~ .", "--categorical", "auto"], ["--formula or --categorical", "not both"]),
    (["--target", "y", "--categorical", "zz"],
     ["--categorical names the column(s) 'zz', which DATA does not have"]),
    (["--target", "y", "--categorical", "y"], ["--categorical column(s) 'y' are not features"]),
    (["--target", "y", "--categorical", "w", "--weight", "w"],
     ["--categorical column(s) 'w' are not features"]),
    (["--target", "y", "--categorical", "flag"],
     ["feature column(s) are not numeric: 'g'", "--categorical (flag,g)"]),
    (["--target", "y", "--categorical", "g", "--memory", "1GB"], ["leave out --memory"]),
    (["--target", "y", "--categorical", "g,"], ["expected 'auto' or comma-separated"]),
    (["--formula", "y ~ . - x9"], ["removes 'x9', which is not a column"]),
    (["--formula", "y ~ . - x1 - x2 - g - flag - w - o"], ["and there are none"]),
])
def test_bad_categorical_input_is_one_line(data, tmp_path, capsys, options, fragments):
    code, _, err = call(["fit", data, *options, "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, *fragments)


def test_categorical_needs_named_columns(tmp_path, capsys):
    array = tmp_path / "data.npy"
    np.save(array, np.column_stack([raw_frame()[["x1", "x2"]].to_numpy(),
                                    np.arange(400) % 2]))
    code, _, err = call(["fit", array, "--target", "-1", "--categorical", "auto", "--out",
                         tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, "--categorical names columns: DATA must be CSV, TSV or "
                          "Parquet, not npy")


def test_categorical_auto_refuses_a_column_of_too_many_levels(tmp_path, capsys):
    n = MAX_DOT_LEVELS + 20
    frame = raw_frame(n=n).assign(name=[f"person {i}" for i in range(n)])
    data = write_csv(tmp_path / "names.csv", frame)
    code, _, err = call(["fit", data, "--target", "y", "--categorical", "auto", "--out",
                         tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, f"the column 'name' has {n} levels",
                          "--categorical name")
    code, _, err = call(["fit", data, "--formula", "y ~ .", "--out", tmp_path / "m.json"],
                        capsys)
    assert_one_error_line(code, err, f"of {n} levels", "- name")
