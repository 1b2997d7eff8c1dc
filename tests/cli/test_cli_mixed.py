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
    "test_mixed_refuses_offsets": (["--target", "y", "--groups", "school", "--offset", "x1"],
                                   "--model mixed does not take --offset"),
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


def grouped(seed: int = 5, n_groups: int = 16, per: int = 8) -> pd.DataFrame:
    """FRAME's design with a weights column w, and successes s out of n trials per row."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_groups), per)
    x1 = rng.normal(size=g.size)
    trials = rng.integers(1, 9, size=g.size)
    eta = -0.3 + 0.7 * x1 + rng.normal(scale=0.8, size=n_groups)[g]
    return pd.DataFrame({"s": rng.binomial(trials, 1 / (1 + np.exp(-eta))), "n": trials,
                         "x1": x1, "w": rng.uniform(0.5, 2.0, size=g.size),
                         "school": [f"s{k}" for k in g]})


GROUPED = grouped()
WEIGHTED = FRAME.assign(w=np.random.default_rng(7).uniform(0.5, 2.0, size=len(FRAME)))


def _as_read(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(frame.to_csv(index=False)))


def _weights_and_trials_peer(case: str) -> MixedLogisticRegression:
    """The library's fit of the same arrays as the CLI case ``case``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if case == "weights":
            frame = _as_read(WEIGHTED)
            return MixedLogisticRegression().fit(frame[["x1", "x2"]], frame["y"],
                                                 groups=frame["school"], random=["x1"],
                                                 sample_weight=frame["w"])
        if case == "formula_weights":
            frame = _as_read(WEIGHTED)
            return MixedLogisticRegression.from_formula("y ~ x1 + x2 + (1 | school)", frame,
                                                        sample_weight=frame["w"])
        frame = _as_read(GROUPED)
        weights = frame["w"] if case == "trials_weights" else None
        return MixedLogisticRegression().fit(frame[["x1"]], frame["s"], groups=frame["school"],
                                             trials=frame["n"], sample_weight=weights)


WEIGHT_TRIAL_CASES = {  # (the table, the options): no --features, so neither column is one
    "weights": (WEIGHTED, ["--target", "y", "--groups", "school", "--random-slopes", "x1",
                           "--weight", "w"]),
    "formula_weights": (WEIGHTED, ["--formula", "y ~ x1 + x2 + (1 | school)", "--weight", "w"]),
    "trials": (GROUPED.drop(columns="w"), ["--target", "s", "--groups", "school", "--trials",
                                           "n"]),
    "trials_weights": (GROUPED, ["--target", "s", "--groups", "school", "--trials", "n",
                                 "--weight", "w"]),
}


@pytest.mark.parametrize("case", list(WEIGHT_TRIAL_CASES))
def test_weights_and_trials_match_the_library(case, tmp_path, capsys):
    frame, options = WEIGHT_TRIAL_CASES[case]
    data, out = tmp_path / "d.csv", tmp_path / "m.json"
    frame.to_csv(data, index=False)
    code, stdout, err = call(["fit", data, "--model", "mixed", *options, "--out", out], capsys)
    assert code == 0, err
    assert "Mixed Logistic Regression Results" in stdout
    model, peer = load(out), _weights_and_trials_peer(case)  # the model file round-trips
    assert list(model.feature_names_in_) == list(peer.feature_names_in_)
    np.testing.assert_allclose(model.fixed_effects_, peer.fixed_effects_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(model.theta_, peer.theta_, rtol=0, atol=1e-10)
    assert str(model.summary()) == str(peer.summary())
    code, stdout, err = call(["predict", out, data], capsys)
    assert code == 0 and not err, err
    X = frame if case.startswith("formula") else frame[list(peer.feature_names_in_)]
    np.testing.assert_allclose(_predictions(stdout)["probability"],
                               peer.predict_proba(X, frame["school"])[:, 1], rtol=0, atol=1e-10)


def _bad_trials(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[3, "n"] = frame.loc[3, "s"] - 1 if frame.loc[3, "s"] > 0 else 0
    frame.loc[3, "s"] = frame.loc[3, "n"] + 1
    return frame


TRIALS = ["--target", "s", "--groups", "school", "--trials", "n"]
BAD_WEIGHTS_AND_TRIALS = {
    "trials_below_successes": (_bad_trials, TRIALS, "successes exceed trials at row 3: "),
    "negative_weight": (lambda f: f.assign(w=f["w"].where(f.index != 5, -1.0)),
                        [*TRIALS, "--weight", "w"],
                        "--weight column 'w': sample_weight must be non-negative"),
    "weight_column_absent": (lambda f: f, [*TRIALS, "--weight", "wt"],
                             "--weight column 'wt' not found; available columns: s, n"),
    "trials_column_absent": (lambda f: f, ["--target", "s", "--groups", "school", "--trials",
                                           "m"], "--trials column 'm' not found"),
    "trials_a_feature": (lambda f: f, [*TRIALS, "--features", "x1,n"],
                         "--features must not include the --target, --groups or --trials"),
    "trials_is_groups": (lambda f: f, ["--target", "s", "--groups", "school", "--trials",
                                       "school"], "--groups column 'school' is also the"),
    "trials_with_formula": (lambda f: f, ["--formula", "s ~ x1 + (1 | school)", "--trials",
                                          "n"], "--trials n with --formula: write cbind(s, f)"),
    "offset": (lambda f: f, [*TRIALS, "--offset", "x1"], "--model mixed does not take --offset"),
}


@pytest.mark.parametrize("name", list(BAD_WEIGHTS_AND_TRIALS))
def test_bad_weights_and_trials_are_one_line(name, tmp_path, capsys):
    change, options, fragment = BAD_WEIGHTS_AND_TRIALS[name]
    data, out = tmp_path / "d.csv", tmp_path / "m.json"
    change(GROUPED).to_csv(data, index=False)
    code, _, err = call(["fit", data, "--model", "mixed", *options, "--out", out], capsys)
    assert_one_error_line(code, err, fragment)
    assert not out.exists()
