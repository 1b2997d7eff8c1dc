"""``logistic fit --model mixed``, ``predict`` (conditional on DATA's groups, and
``--marginal``) and ``summary`` on the real command, against the library's fit; and each
bad input one error line with exit status 2."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call

from logistic import MixedLogisticRegression, load
from logistic.cli.fit_options import MIXED_COVARIANCES
from logistic.families.mixed import COVARIANCES


def clustered(seed: int = 2, n_groups: int = 16, per: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_groups), per)
    x1, x2 = rng.normal(size=g.size), rng.uniform(-1, 1, size=g.size)
    b0, b1 = rng.normal(scale=0.9, size=n_groups), rng.normal(scale=0.4, size=n_groups)
    eta = -0.2 + 0.8 * x1 - 0.6 * x2 + b0[g] + b1[g] * x1
    y = (rng.uniform(size=g.size) < 1 / (1 + np.exp(-eta))).astype(int)
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2, "school": [f"s{k}" for k in g]})


FRAME = clustered()


@pytest.fixture
def data(tmp_path) -> Path:
    path = tmp_path / "clustered.csv"
    FRAME.to_csv(path, index=False)
    return path


def _library(**fit) -> MixedLogisticRegression:
    frame = pd.read_csv(io.StringIO(FRAME.to_csv(index=False)))  # as the CLI reads it
    params = fit.pop("params", {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "formula" in fit:
            return MixedLogisticRegression.from_formula(fit["formula"], frame, **params)
        return MixedLogisticRegression(**params).fit(
            frame[["x1", "x2"]], frame["y"], groups=frame["school"], **fit)


def _predictions(stdout: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(stdout))


CASES = {
    "intercept": ([], {}),
    "slopes": (["--random-slopes", "x1"], {"random": ["x1"]}),
    "diagonal": (["--random-slopes", "x1", "--covariance", "diagonal"],
                 {"random": ["x1"], "params": {"covariance": "diagonal"}}),
    "nagq": (["--nagq", "4"], {"params": {"nAGQ": 4}}),
    "no_intercept": (["--no-intercept", "--random-slopes", "x2"],
                     {"random": ["x2"], "params": {"fit_intercept": False}}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_fit_predict_summary_match_the_library(case, tmp_path, data, capsys):
    options, fit = CASES[case]
    out = tmp_path / "m.json"
    code, stdout, err = call(["fit", data, "--model", "mixed", "--target", "y", "--groups",
                              "school", *options, "--out", out], capsys)
    assert code == 0, err
    assert "Mixed Logistic Regression Results" in stdout and "Random effects" in stdout
    model, peer = load(out), _library(**fit)
    np.testing.assert_allclose(model.fixed_effects_, peer.fixed_effects_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(model.theta_, peer.theta_, rtol=0, atol=1e-10)
    assert model.group_column_ == "school"
    X, groups = FRAME[["x1", "x2"]], FRAME["school"]

    code, stdout, err = call(["predict", out, data], capsys)
    assert code == 0 and not err, err
    np.testing.assert_allclose(_predictions(stdout)["probability"],
                               peer.predict_proba(X, groups)[:, 1], rtol=0, atol=1e-10)
    code, stdout, err = call(["predict", out, data, "--marginal"], capsys)
    assert code == 0, err
    np.testing.assert_allclose(_predictions(stdout)["probability"],
                               peer.predict_proba(X, kind="marginal")[:, 1], rtol=0, atol=1e-10)

    code, stdout, err = call(["summary", out], capsys)
    assert code == 0, err
    assert "groups" in stdout and "Mixed Logistic Regression Results" in stdout
    assert str(model.summary()) == str(peer.summary())


def test_formula_model(tmp_path, data, capsys):
    formula = "y ~ x1 + x2 + (1 + x1 || school)"
    out = tmp_path / "f.json"
    code, _, err = call(["fit", data, "--model", "mixed", "--formula", formula, "--out", out],
                        capsys)
    assert code == 0, err
    model, peer = load(out), _library(formula=formula)
    assert model.covariance == "diagonal" and model.group_column_ == "school"
    np.testing.assert_allclose(model.fixed_effects_, peer.fixed_effects_, rtol=0, atol=1e-10)
    code, stdout, err = call(["predict", out, data], capsys)
    assert code == 0, err
    np.testing.assert_allclose(_predictions(stdout)["probability"],
                               peer.predict_proba(FRAME)[:, 1], rtol=0, atol=1e-10)


def test_unseen_groups_get_zero_effects_with_a_warning(tmp_path, data, capsys):
    out = tmp_path / "m.json"
    assert call(["fit", data, "--model", "mixed", "--target", "y", "--groups", "school",
                 "--quiet", "--out", out], capsys)[0] == 0
    new = tmp_path / "new.csv"
    FRAME.head(4).assign(school="elsewhere").to_csv(new, index=False)
    code, stdout, err = call(["predict", out, new], capsys)
    assert code == 0
    assert "4 row(s) of groups the fit never saw" in err
    peer = _library()
    np.testing.assert_allclose(_predictions(stdout)["probability"],
                               peer.predict_proba(FRAME[["x1", "x2"]].head(4))[:, 1],
                               rtol=0, atol=1e-10)


def test_covariance_choices_agree_with_the_library():
    assert MIXED_COVARIANCES == COVARIANCES


BAD_FIT = {
    "test_mixed_needs_groups": (["--target", "y"], "needs --groups COL"),
    "test_mixed_groups_column_absent": (["--target", "y", "--groups", "class"],
                                        "no column 'class'"),
    "test_mixed_nagq_with_several_effects": (
        ["--target", "y", "--groups", "school", "--random-slopes", "x1", "--nagq", "3"],
        "needs a single random effect"),
    "test_mixed_slope_not_a_feature": (
        ["--target", "y", "--groups", "school", "--random-slopes", "z"],
        "--random-slopes 'z' is not a feature column"),
    "test_mixed_slope_repeated": (
        ["--target", "y", "--groups", "school", "--random-slopes", "x1,x1"],
        "each once"),
    "test_mixed_groups_is_target": (["--target", "y", "--groups", "y"],
                                    "must be different columns"),
    "test_mixed_refuses_penalty": (["--target", "y", "--groups", "school", "--penalty", "l2"],
                                   "drop --penalty"),
    "test_mixed_refuses_held_out": (["--target", "y", "--groups", "school", "--cv", "3"],
                                    "drop --cv"),
    "test_mixed_refuses_weights": (["--target", "y", "--groups", "school", "--weight", "x1"],
                                   "does not take --weight"),
    "test_mixed_formula_and_groups": (
        ["--formula", "y ~ x1 + (1 | school)", "--groups", "school"], "drop them"),
    "test_mixed_formula_without_random_term": (["--formula", "y ~ x1"],
                                               "has no random-effects term"),
    "test_mixed_bad_nagq": (["--target", "y", "--groups", "school", "--nagq", "0"],
                            "must be an integer in 1..100"),
}


@pytest.mark.parametrize("name", list(BAD_FIT))
def test_bad_fit_input_is_one_line(name, data, capsys):
    options, fragment = BAD_FIT[name]
    code, _, err = call(["fit", data, "--model", "mixed", *options], capsys)
    if fragment.startswith("must be an integer"):  # argparse's own usage error
        assert code == 2 and fragment in err and "Traceback" not in err
    else:
        assert_one_error_line(code, err, fragment)


def test_mixed_options_with_another_model(data, capsys):
    code, _, err = call(["fit", data, "--target", "y", "--random-slopes", "x1"], capsys)
    assert_one_error_line(code, err, "--random-slopes: option(s) of --model mixed")


def test_predict_bad_inputs(tmp_path, data, capsys):
    out = tmp_path / "m.json"
    assert call(["fit", data, "--model", "mixed", "--target", "y", "--groups", "school",
                 "--quiet", "--out", out], capsys)[0] == 0
    no_groups = tmp_path / "no_groups.csv"
    FRAME.drop(columns="school").to_csv(no_groups, index=False)
    code, _, err = call(["predict", out, no_groups], capsys)
    assert_one_error_line(code, err, "no column 'school'", "--marginal")
    code, stdout, err = call(["predict", out, no_groups, "--marginal"], capsys)
    assert code == 0, err
    code, _, err = call(["summary", out, "--odds-ratios"], capsys)
    assert_one_error_line(code, err, "no odds-ratio table")
    plain = tmp_path / "plain.json"
    assert call(["fit", data, "--target", "y", "--features", "x1,x2", "--quiet", "--out",
                 plain], capsys)[0] == 0
    code, _, err = call(["predict", plain, data, "--marginal"], capsys)
    assert_one_error_line(code, err, "--marginal", "no mixed model")


@pytest.mark.parametrize("given", [[], ["--tol", "1e-6", "--max-iter", "100"]])
def test_tol_and_max_iter_given_are_used_and_absent_mean_the_estimators(given, tmp_path, data,
                                                                         capsys):
    """Given, even at the binary model's defaults, they reach the estimator; absent, the
    estimator's own (1e-7, 1000) apply."""
    out = tmp_path / "m.json"
    code, _, err = call(["fit", data, "--model", "mixed", "--target", "y", "--groups",
                         "school", *given, "--quiet", "--out", out], capsys)
    assert code == 0, err
    model = load(out)
    default = MixedLogisticRegression()
    expected = (1e-6, 100) if given else (default.tol, default.max_iter)
    assert (model.tol, model.max_iter) == expected
