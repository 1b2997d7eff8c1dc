"""Formulas through formulaic: encoding, persistence of the encoding, and refusals."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from logistic import DataError, LogisticRegression
from logistic.formula import FormulaSpec, design_matrices


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    data = pd.DataFrame({
        "x1": rng.normal(size=n),
        "x2": rng.normal(size=n),
        "group": rng.choice(["a", "b", "c"], size=n),
    })
    z = 0.3 + data.x1 - 0.5 * data.x1 * data.x2 + (data.group == "b") * 1.0
    data["y"] = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), "yes", "no")
    return data


def test_encoding_matches_statsmodels_formula_fit(frame):
    formula = "y01 ~ x1 + C(group) + x1:x2"
    data = frame.assign(y01=(frame.y == "yes").astype(int))
    X, y, spec = design_matrices(formula, data)
    assert list(X.columns) == ["x1", "C(group)[T.b]", "C(group)[T.c]", "x1:x2"]
    assert spec.intercept and spec.response == "y01"
    ours = LogisticRegression(tol=1e-10).fit(X, y)
    theirs = smf.logit("y01 ~ x1 + C(group) + x1:x2", data).fit(disp=0, tol=1e-14)
    names = ["Intercept", *X.columns]  # patsy orders terms by degree: compare by name
    np.testing.assert_allclose(
        np.concatenate([ours.intercept_, ours.coef_.ravel()]), theirs.params[names], rtol=1e-8
    )
    np.testing.assert_allclose(ours.std_err_, theirs.bse[names], rtol=1e-6)


def test_the_spec_round_trips_through_json_and_encodes_new_rows_identically(frame):
    X, _, spec = design_matrices("y ~ x1 + C(group) + center(x2) + x1:x2", frame)
    restored = FormulaSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    new = frame.sample(10, random_state=1)
    pd.testing.assert_frame_equal(restored.transform(new), X.loc[new.index])
    # center() keeps the training mean: one row alone is centred by it, not by itself
    one = restored.transform(frame.iloc[[0]])
    assert one["center(x2)"].iloc[0] == pytest.approx(frame.x2.iloc[0] - frame.x2.mean())


def test_without_intercept(frame):
    X, _, spec = design_matrices("y ~ x1 + x2 - 1", frame)
    assert not spec.intercept and list(X.columns) == ["x1", "x2"]


@pytest.mark.parametrize(
    ("formula", "data_change", "match"),
    [
        ("y ~ x1 + nope", None, "nope"),
        ("y + x1 ~ x2", None, "left-hand side .* must be one column"),
        ("y ~ x1 +", None, "cannot parse the formula"),
        ("y ~ x1", "nan", "null values"),
        ("y ~ x1", "nan_y", "response column 'y' holds missing values"),
    ],
)
def test_refusals(frame, formula, data_change, match):
    data = frame.copy()
    if data_change == "nan":
        data.loc[3, "x1"] = np.nan
    if data_change == "nan_y":
        data.loc[3, "y"] = None
    with pytest.raises(DataError, match=match):
        design_matrices(formula, data)


def test_an_unseen_level_is_refused_not_cast_to_nan(frame):
    _, _, spec = design_matrices("y ~ x1 + C(group)", frame)
    with pytest.raises(DataError, match="level the model never saw.*'z'"):
        spec.transform(frame.head(3).assign(group="z"))


def test_a_formula_needs_a_dataframe(frame):
    with pytest.raises(DataError, match="needs a pandas DataFrame"):
        design_matrices("y ~ x1", frame.to_numpy())


# -- through the estimator, the model file and the command line ------------------------------


def test_from_formula_predicts_on_raw_frames_and_survives_a_model_file(tmp_path, frame):
    from logistic import load

    model = LogisticRegression.from_formula("y ~ x1 + C(group) + x1:x2", frame)
    assert list(model.feature_names_in_) == ["x1", "C(group)[T.b]", "C(group)[T.c]", "x1:x2"]
    assert list(model.classes_) == ["no", "yes"]
    X, _, _ = design_matrices("y ~ x1 + C(group) + x1:x2", frame)
    np.testing.assert_array_equal(model.predict_proba(frame), model.predict_proba(X))
    model.save(tmp_path / "m.json")
    loaded = load(tmp_path / "m.json")
    new = frame.drop(columns="y").sample(20, random_state=3)
    np.testing.assert_array_equal(loaded.predict_proba(new), model.predict_proba(new))
    assert str(loaded.summary()) == str(model.summary())
    with pytest.raises(DataError, match="never saw"):
        loaded.predict(new.assign(group="q"))


def test_from_formula_refusals(frame):
    with pytest.raises(ValueError, match="no response"):
        LogisticRegression.from_formula("x1 + x2", frame)
    with pytest.raises(ValueError, match="formula decides the intercept"):
        LogisticRegression.from_formula("y ~ x1 - 1", frame, fit_intercept=True)


def test_cli_fit_with_a_formula_and_predict_on_raw_columns(tmp_path, capsys, frame):
    from logistic import load
    from logistic.cli import run

    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "m.json"
    assert run(["fit", str(data), "--formula", "y ~ x1 + C(group)", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "C(group)[T.b]" in printed
    assert run(["predict", str(out), str(data)]) == 0
    written = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    expected = load(out).predict_proba(frame)[:, 1]
    np.testing.assert_allclose(written["probability"], expected, rtol=1e-12)
    assert run(["fit", str(data), "--out", str(out)]) == 2  # neither --target nor --formula
    assert "either --target" in capsys.readouterr().err
