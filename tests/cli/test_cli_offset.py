"""``logistic fit --offset COL`` / ``--trials COL``, formulas with offset(col) and
cbind(s, f), and ``logistic predict`` of such models, through the real command.

References: statsmodels' GLM(Binomial) with ``offset=`` and with a (successes, failures)
endog on the same rows (tests/fitting/test_offset.py and test_grouped_binomial.py check the
library against R as well).
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from cli_helpers import assert_one_error_line, call, write_csv

from logistic import load


def offset_frame(n=120, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    logt = np.log(rng.uniform(0.5, 3.0, size=n))
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + x @ [1.0, -0.5] + logt)))).astype(int)
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "logt": logt, "y": y})


def grouped_frame(groups=30, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=groups)
    n = rng.integers(1, 25, size=groups)
    s = rng.binomial(n, 1 / (1 + np.exp(-(0.2 + 0.8 * x))))
    return pd.DataFrame({"x": x, "s": s, "f": n - s, "n": n})


def _glm_offset(frame):
    exog = sm.add_constant(frame[["a", "b"]].to_numpy())
    return sm.GLM(frame["y"].to_numpy(), exog, family=sm.families.Binomial(),
                  offset=frame["logt"].to_numpy()).fit(tol=1e-13)


def test_fit_offset_matches_statsmodels_and_predict_reads_the_column(tmp_path, capsys):
    frame = offset_frame()
    data = write_csv(tmp_path / "d.csv", frame)
    out = tmp_path / "m.json"
    code, stdout, err = call(["fit", data, "--target", "y", "--offset", "logt", "--tol",
                              "1e-12", "--out", out], capsys)
    assert code == 0, err
    assert "Offset" in stdout and "logt" in stdout
    model = load(out)
    reference = _glm_offset(frame)
    assert list(model.feature_names_in_) == ["a", "b"]  # the offset is not a feature
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_.ravel()],
                               reference.params, rtol=1e-9)
    assert model.statistics_.null_deviance == pytest.approx(reference.null_deviance,
                                                            rel=1e-10)
    code, stdout, err = call(["predict", out, data], capsys)
    assert code == 0, err
    predicted = pd.read_csv(io.StringIO(stdout))["probability"].to_numpy()
    exog = sm.add_constant(frame[["a", "b"]].to_numpy())
    np.testing.assert_allclose(predicted, reference.predict(exog, offset=frame["logt"]),
                               rtol=1e-8)


def test_formula_offset_through_the_command(tmp_path, capsys):
    frame = offset_frame()
    data = write_csv(tmp_path / "d.csv", frame)
    out = tmp_path / "m.json"
    code, _, err = call(["fit", data, "--formula", "y ~ a + b + offset(logt)", "--tol",
                         "1e-12", "--out", out, "--quiet"], capsys)
    assert code == 0, err
    np.testing.assert_allclose(np.r_[load(out).intercept_, load(out).coef_.ravel()],
                               _glm_offset(frame).params, rtol=1e-9)
    code, stdout, err = call(["predict", out, write_csv(tmp_path / "new.csv",
                                                         frame.drop(columns="y"))], capsys)
    assert code == 0, err
    assert len(pd.read_csv(io.StringIO(stdout))) == len(frame)


@pytest.mark.parametrize("how", ["trials", "cbind", "cbind-n"])
def test_grouped_fit_matches_statsmodels(tmp_path, capsys, how):
    frame = grouped_frame()
    data = write_csv(tmp_path / "g.csv", frame)
    out = tmp_path / "m.json"
    options = {
        "trials": ["--target", "s", "--trials", "n", "--features", "x"],
        "cbind": ["--formula", "cbind(s, f) ~ x"],
        "cbind-n": ["--formula", "cbind(s, n - s) ~ x"],
    }[how]
    code, stdout, err = call(["fit", data, *options, "--tol", "1e-12", "--out", out], capsys)
    assert code == 0, err
    assert "30 groups" in stdout
    reference = sm.GLM(frame[["s", "f"]].to_numpy(), sm.add_constant(frame["x"].to_numpy()),
                       family=sm.families.Binomial()).fit(tol=1e-13)
    model = load(out)
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_.ravel()],
                               reference.params, rtol=1e-9)
    assert model.statistics_.aic == pytest.approx(reference.aic, rel=1e-11)
    assert model.statistics_.deviance == pytest.approx(reference.deviance, rel=1e-9)
    assert model.statistics_.df_resid == reference.df_resid


def test_bad_offset_and_trials_options_give_one_error_line(tmp_path, capsys):
    frame = offset_frame()
    data = write_csv(tmp_path / "d.csv", frame)
    grouped = write_csv(tmp_path / "g.csv", grouped_frame().assign(bad=lambda d: d["s"] + 1))
    bad_offset = write_csv(tmp_path / "nan.csv", frame.assign(logt=np.r_[np.nan,
                                                                        frame["logt"][1:]]))
    out = tmp_path / "m.json"
    cases = [
        (["fit", data, "--target", "y", "--offset", "nope", "--out", out], "nope"),
        (["fit", bad_offset, "--target", "y", "--offset", "logt", "--out", out], "NaN"),
        (["fit", data, "--formula", "y ~ a", "--offset", "logt", "--out", out], "offset\\(COL\\)"),
        (["fit", grouped, "--target", "bad", "--trials", "s", "--features", "x", "--out",
          out], "exceed"),
        (["fit", grouped, "--target", "s", "--trials", "x", "--features", "n", "--out", out],
         "whole numbers|non-negative"),
    ]
    for argv, message in cases:
        code, _, err = call(argv, capsys)
        assert_one_error_line(code, err)
        assert re.search(message, err), err
    fitted = tmp_path / "o.json"
    assert call(["fit", data, "--target", "y", "--offset", "logt", "--out", fitted,
                 "--quiet"], capsys)[0] == 0
    missing = write_csv(tmp_path / "missing.csv", frame.drop(columns="logt"))
    code, _, err = call(["predict", fitted, missing], capsys)
    assert_one_error_line(code, err)
    assert "--offset COL" in err
