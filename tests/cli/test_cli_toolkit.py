"""``logistic fit``'s --weight, --class-weight, --cov-type, --cluster, --odds-ratios and
--margins, and ``logistic summary --odds-ratios``: the real command, in-process, its numbers
against statsmodels (frequency weights as replicated rows) and its bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from cli_helpers import assert_one_error_line, call

from logistic.io.model_file import load


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    data = sm.datasets.spector.load_pandas().data
    data["w"] = 1 + np.arange(32) % 3
    data["cl"] = np.arange(32) % 8
    data["label"] = np.where(data["GRADE"] == 1, "yes", "no")
    return data.drop(columns="GRADE")


@pytest.fixture(scope="module")
def data(frame, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("toolkit") / "spector.csv"
    frame.to_csv(path, index=False)
    return path


FEATURES = ["GPA", "TUCE", "PSI"]


def _replicated(frame):
    rows = frame.loc[frame.index.repeat(frame["w"])]
    return sm.add_constant(rows[FEATURES]), (rows["label"] == "yes").astype(int)


def test_weighted_fit_prints_odds_ratios_and_margins_of_the_replicated_rows(
        data, frame, tmp_path, capsys):
    out = tmp_path / "m.json"
    code, stdout, err = call(["fit", data, "--target", "label", "--features", "GPA,TUCE,PSI",
                              "--weight", "w", "--odds-ratios", "--margins", "--out", out],
                             capsys)
    assert code == 0, err
    exog, endog = _replicated(frame)
    result = sm.Logit(endog, exog).fit(disp=0)
    model = load(out)
    np.testing.assert_allclose(model.std_err_, result.bse, rtol=1e-7)
    assert "Odds Ratios" in stdout and "Average marginal effects" in stdout
    assert "Weights" in stdout
    for value in np.exp(result.params.iloc[1:]):
        assert f"{value:.4f}" in stdout
    for value in result.get_margeff(dummy=True).margeff:
        assert f"{value:.4f}" in stdout


def test_cluster_covariance_is_statsmodels(data, frame, tmp_path, capsys):
    out = tmp_path / "m.json"
    code, stdout, err = call(["fit", data, "--target", "label", "--features", "GPA,TUCE,PSI",
                              "--cov-type", "cluster", "--cluster", "cl", "--out", out], capsys)
    assert code == 0, err
    result = sm.Logit((frame["label"] == "yes").astype(int), sm.add_constant(frame[FEATURES])
                      ).fit(disp=0, cov_type="cluster", cov_kwds={"groups": frame["cl"]})
    np.testing.assert_allclose(load(out).cov_, result.cov_params(), rtol=1e-7)
    assert "cluster" in stdout and "Clusters" in stdout


def test_hc0_covariance_is_statsmodels(data, frame, tmp_path, capsys):
    out = tmp_path / "m.json"
    code, _, err = call(["fit", data, "--target", "label", "--features", "GPA,TUCE,PSI",
                         "--cov-type", "HC0", "--out", out, "--quiet"], capsys)
    assert code == 0, err
    result = sm.Logit((frame["label"] == "yes").astype(int), sm.add_constant(frame[FEATURES])
                      ).fit(disp=0, cov_type="HC0")
    np.testing.assert_allclose(load(out).std_err_, result.bse, rtol=1e-7)


@pytest.mark.parametrize("option", ["no:1,yes:3", "balanced"])
def test_class_weights_are_per_row_frequency_weights(data, frame, tmp_path, capsys, option):
    out = tmp_path / "m.json"
    code, _, err = call(["fit", data, "--target", "label", "--features", "GPA,TUCE,PSI",
                         "--class-weight", option, "--out", out, "--quiet"], capsys)
    assert code == 0, err
    positive = frame["label"] == "yes"
    if option == "balanced":  # n / (2·count of the class), scikit-learn's definition
        weights = np.where(positive, 32 / (2 * positive.sum()), 32 / (2 * (~positive).sum()))
    else:
        weights = np.where(positive, 3.0, 1.0)
    glm = sm.GLM(positive.astype(int), sm.add_constant(frame[FEATURES]),
                 family=sm.families.Binomial(), freq_weights=weights).fit(tol=1e-14)
    model = load(out)
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_.ravel()], glm.params,
                               rtol=1e-7)


def test_formula_fit_with_margins_shows_factor_levels(data, tmp_path, capsys):
    frame = pd.read_csv(data)
    frame["g"] = np.array(["a", "b", "c"])[np.arange(32) % 3]
    path = tmp_path / "g.csv"
    frame.to_csv(path, index=False)
    code, stdout, err = call(["fit", path, "--formula", "label ~ GPA + C(g)", "--margins",
                              "--weight", "w", "--out", tmp_path / "m.json"], capsys)
    assert code == 0, err
    assert "C(g)[T.b]" in stdout and "reference level" in stdout


def test_summary_odds_ratios_of_a_saved_model(data, frame, tmp_path, capsys):
    out = tmp_path / "m.json"
    assert call(["fit", data, "--target", "label", "--features", "GPA,TUCE,PSI", "--out", out,
                 "--quiet"], capsys)[0] == 0
    code, stdout, err = call(["summary", out, "--odds-ratios"], capsys)
    assert code == 0, err
    result = sm.Logit((frame["label"] == "yes").astype(int), sm.add_constant(frame[FEATURES])
                      ).fit(disp=0)
    for low, high in np.exp(result.conf_int().iloc[1:].to_numpy()):
        assert f"{low:.4f}" in stdout and f"{high:.4f}" in stdout


def test_summary_odds_ratios_of_a_penalized_model_file(data, tmp_path, capsys):
    out = tmp_path / "m.json"
    assert call(["fit", data, "--target", "label", "--features", "GPA,TUCE,PSI", "--penalty",
                 "l2", "--out", out, "--quiet"], capsys)[0] == 0
    code, _, err = call(["summary", out, "--odds-ratios"], capsys)
    assert_one_error_line(code, err, "penalty='l2'")


@pytest.mark.parametrize(("extra", "match"), [
    (["--cov-type", "cluster"], "--cov-type cluster and --cluster COL go together"),
    (["--cluster", "cl"], "--cov-type cluster and --cluster COL go together"),
    (["--weight", "nope"], "--weight column 'nope' not found"),
    (["--odds-ratios", "--penalty", "l2"], "need the fit's covariance"),
    (["--class-weight", "no=1"], "label:weight pairs"),
    (["--class-weight", "no:-1"], "label:weight pairs"),
    (["--class-weight", "maybe:2"], "names label(s) 'maybe'"),
    (["--weight", "GPA"], "is also the target or a feature"),
    (["--margins", "--memory", "1GB"], "--memory streams the data"),
])
def test_bad_toolkit_options(data, tmp_path, capsys, extra, match):
    code, _, err = call(["fit", data, "--target", "label", "--features", "GPA,TUCE,PSI",
                         *extra, "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, match)


def test_negative_weights_in_the_weight_column(frame, tmp_path, capsys):
    path = tmp_path / "neg.csv"
    frame.assign(w=-frame["w"]).to_csv(path, index=False)
    code, _, err = call(["fit", path, "--target", "label", "--features", "GPA,TUCE,PSI",
                         "--weight", "w", "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, "--weight column 'w': sample_weight must be non-negative")


def test_weight_column_needs_named_columns(tmp_path, capsys):
    path = tmp_path / "a.npy"
    rng = np.random.default_rng(0)
    np.save(path, np.column_stack([rng.normal(size=(40, 2)), np.arange(40) % 2]))
    code, _, err = call(["fit", path, "--weight", "x1", "--out", tmp_path / "m.json"], capsys)
    assert_one_error_line(code, err, "DATA must be CSV, TSV or Parquet")


def test_multinomial_margins_are_per_class(tmp_path, capsys):
    data = sm.datasets.anes96.load_pandas().data
    frame = data[["logpopul", "selfLR", "age"]].assign(party=data["PID"].astype(int) % 3)
    path = tmp_path / "anes.csv"
    frame.to_csv(path, index=False)
    code, stdout, err = call(["fit", path, "--target", "party", "--margins", "--odds-ratios",
                              "--out", tmp_path / "m.json"], capsys)
    assert code == 0, err
    result = sm.MNLogit(frame["party"], sm.add_constant(frame.iloc[:, :3])).fit(
        disp=0, method="newton", tol=1e-12)
    for value in result.get_margeff().margeff.ravel(order="F"):
        assert f"{value:.4f}" in stdout
    assert "2: selfLR" in stdout  # the odds ratio of class 2 against the first
