"""MixedLogisticRegression in model files (models/mixed_persistence.py): a loaded model
predicts (conditionally on the groups and marginally) and summarizes as the fitted one, and
crafted files are refused with a message that names what is wrong."""

from __future__ import annotations

import copy
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from model_file_edits import set_field as _set

from logistic import MixedLogisticRegression, ModelFileError, load
from logistic.io.model_file import save


def clustered(seed: int = 1, n_groups: int = 20, per: int = 10) -> pd.DataFrame:
    """Binary y with a random intercept and a random slope of x1; string group labels."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_groups), per)
    x1 = rng.normal(size=g.size)
    x2 = rng.uniform(-1, 1, size=g.size)
    b0 = rng.normal(scale=0.8, size=n_groups)
    b1 = rng.normal(scale=0.5, size=n_groups)
    eta = -0.3 + 0.7 * x1 - 0.5 * x2 + b0[g] + b1[g] * x1
    y = (rng.uniform(size=g.size) < 1 / (1 + np.exp(-eta))).astype(int)
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": [f"s{k:02d}" for k in g]})


DF = clustered()


def _fit(kind: str) -> MixedLogisticRegression:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "intercept":  # NumPy arrays: unnamed features, integer groups, AGQ
            return MixedLogisticRegression(nAGQ=5).fit(
                DF[["x1", "x2"]].to_numpy(), DF["y"].to_numpy(),
                groups=DF["g"].str[1:].astype(int).to_numpy())
        if kind in ("unstructured", "diagonal"):
            return MixedLogisticRegression(covariance=kind).fit(
                DF[["x1", "x2"]], DF["y"], groups=DF["g"], random=["x1"])
        return MixedLogisticRegression.from_formula("y ~ x1 + x2 + (1 + x2 || g)", DF)


@pytest.fixture(scope="module", params=["intercept", "unstructured", "diagonal", "formula"])
def fitted(request) -> MixedLogisticRegression:
    return _fit(request.param)


def _inputs(model: MixedLogisticRegression) -> tuple[object, object]:
    if model.formula_ is not None:
        return DF, None
    if getattr(model, "feature_names_in_", None) is None:
        return DF[["x1", "x2"]].to_numpy(), DF["g"].str[1:].astype(int).to_numpy()
    return DF[["x1", "x2"]], DF["g"]


def test_round_trip_predicts_and_summarizes_the_same(fitted, tmp_path):
    path = tmp_path / "m.json"
    save(fitted, path)
    loaded = load(path)
    assert isinstance(loaded, MixedLogisticRegression)
    X, groups = _inputs(fitted)
    for kind in ("conditional", "marginal"):
        np.testing.assert_allclose(loaded.predict_proba(X, groups, kind=kind),
                                   fitted.predict_proba(X, groups, kind=kind),
                                   rtol=0, atol=1e-12)
    np.testing.assert_array_equal(loaded.predict(X, groups), fitted.predict(X, groups))
    assert str(loaded.summary()) == str(fitted.summary())
    np.testing.assert_allclose(loaded.covariance_factor(), fitted.covariance_factor(), atol=0)
    np.testing.assert_allclose(loaded.random_effects_cov_, fitted.random_effects_cov_, atol=0)
    pd.testing.assert_frame_equal(loaded.random_effects_, fitted.random_effects_)
    assert (loaded.aic_, loaded.bic_, loaded.df_resid_) == (fitted.aic_, fitted.bic_,
                                                            fitted.df_resid_)
    assert loaded.lr_test_random() == fitted.lr_test_random()


def test_unseen_group_predicts_with_zero_effect_after_load(tmp_path):
    model = _fit("unstructured")
    save(model, tmp_path / "m.json")
    loaded = load(tmp_path / "m.json")
    X = DF[["x1", "x2"]].iloc[:3]
    new = pd.Series(["new"] * 3)
    np.testing.assert_allclose(loaded.predict_proba(X, new), model.predict_proba(X, new),
                               atol=1e-12)
    np.testing.assert_allclose(loaded.predict_proba(X, new), loaded.predict_proba(X),
                               atol=1e-15)


def test_file_is_schema_2_and_data(tmp_path):
    save(_fit("unstructured"), tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["schema_version"] == 2
    assert document["estimator"] == "MixedLogisticRegression"
    random = document["statistics"]["random_effects"]
    assert random["terms"] == ["(Intercept)", "x1"] and len(random["theta"]) == 3
    assert len(random["levels"]) == 20 and random["levels_dtype"] == "object"


@pytest.fixture(scope="module")
def document(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("mixed") / "m.json"
    save(_fit("unstructured"), path)
    return json.loads(path.read_text())


def _random(doc: dict) -> dict:
    return doc["statistics"]["random_effects"]


def _delete(key: str):
    return lambda doc: _random(doc).pop(key)


BAD = {
    "theta_length": (_set("statistics.random_effects.theta", [0.5, 0.1]),
                     "theta has shape (2,), expected (3,)"),
    "theta_negative_diagonal": (_set("statistics.random_effects.theta", [-0.5, 0.1, 0.3]),
                                "L's diagonal must be >= 0"),
    "theta_text": (_set("statistics.random_effects.theta", ["a", 0.1, 0.3]),
                   "theta must be a list of numbers"),
    "duplicate_levels": (lambda doc: _random(doc)["levels"].__setitem__(1, "s00"),
                         "levels (the groups)"),
    "modes_rows": (lambda doc: _random(doc)["modes"].pop(),
                   "modes must be a nested list of shape (20, 2)"),
    "modes_columns": (lambda doc: _random(doc)["modes"][0].append(0.0),
                      "modes has shape (3,), expected (2,)"),
    "modes_cov_shape": (lambda doc: _random(doc)["modes_cov"].pop(),
                        "modes_cov must be a nested list of shape (20, 2, 2)"),
    "modes_cov_negative": (lambda doc: _random(doc)["modes_cov"][3][0].__setitem__(0, -1.0),
                           "modes_cov of group 's03' is not a covariance"),
    "terms_mismatch": (_set("statistics.random_effects.terms", ["(Intercept)", "x2"]),
                       "do not match the random intercept and slopes"),
    "slope_out_of_range": (_set("statistics.random_effects.slopes", [5]),
                           "slopes must be distinct feature indices in 0..1"),
    "no_random_effect": (lambda doc: _random(doc).update(intercept=False, slopes=[],
                                                         terms=[]),
                         "at least one random effect"),
    "missing_key": (_delete("modes_cov"), "missing key(s) 'statistics.random_effects.modes_cov'"),
    "no_random_effects": (lambda doc: doc["statistics"].pop("random_effects"),
                          "statistics must be an object with 'random_effects'"),
    "null_statistics": (_set("statistics", None),
                        "statistics must be an object with 'random_effects'"),
    "n_obs_too_small": (_set("statistics.n_obs", 30.0), "statistics.n_obs (30.0) must be"),
    "n_obs_fraction": (_set("statistics.n_obs", 200.5), "must be an integer above"),
    "cov_shape": (lambda doc: doc["statistics"]["cov"].pop(),
                  "statistics.cov must be a 3×3 nested list"),
    "nagq_with_slopes": (_set("params.nAGQ", 3), "nAGQ > 1"),
    "unknown_covariance": (_set("params.covariance", "banded"), "covariance must be one of"),
    "objective": (_set("fit.objective", 1.0), "fit.objective must be"),
    "classes": (_set("classes", [0, 1, 2]), "coef has"),
    "group_name": (_set("statistics.random_effects.group", 3), "group must be a string"),
    "singular_flag": (_set("statistics.random_effects.singular", "no"),
                      "singular must be a true or false"),
    "group_column": (_set("statistics.random_effects.group_column", 1),
                     "group_column must be null or a column name"),
    "separation": (_set("schema_version", 3), "missing key(s) 'separation'"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_crafted_file_is_refused(name, document, tmp_path):
    change, message = BAD[name]
    doc = copy.deepcopy(document)
    change(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match="not a valid logistic model file") as error:
        load(path)
    assert message in str(error.value), str(error.value)
    assert "Traceback" not in str(error.value)


def test_intercept_must_be_zero_without_fit_intercept(document, tmp_path):
    doc = copy.deepcopy(document)
    doc["params"]["fit_intercept"] = False
    doc["statistics"]["cov"] = [row[1:] for row in doc["statistics"]["cov"][1:]]
    doc["statistics"]["rank"] = 2
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match=r"intercept must be \[0.0\]"):
        load(path)


def test_formula_model_needs_its_group_column(tmp_path):
    save(_fit("formula"), tmp_path / "f.json")
    doc = json.loads((tmp_path / "f.json").read_text())
    assert _random(doc)["group_column"] == "g"
    _random(doc)["group_column"] = None
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match="group_column must name the formula"):
        load(tmp_path / "bad.json")


def test_grouped_binomial_and_singular_fits_round_trip(tmp_path):
    rng = np.random.default_rng(5)
    g = np.repeat(np.arange(12), 5)
    t = rng.integers(1, 8, size=g.size)
    x1 = rng.normal(size=g.size)
    s = rng.binomial(t, 1 / (1 + np.exp(-(0.3 + 0.6 * x1))))  # no group effect: singular
    frame = pd.DataFrame({"s": s, "f": t - s, "x1": x1, "g": g})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MixedLogisticRegression.from_formula("cbind(s, f) ~ x1 + (1 | g)", frame)
    save(model, tmp_path / "m.json")
    loaded = load(tmp_path / "m.json")
    assert loaded.singular_ == model.singular_
    assert str(loaded.summary()) == str(model.summary())
    for kind in ("conditional", "marginal"):
        np.testing.assert_allclose(loaded.predict_proba(frame, kind=kind),
                                   model.predict_proba(frame, kind=kind), rtol=0, atol=1e-12)
