"""Formulas: the encoding against formulaic's own model matrices and statsmodels' fits,
its persistence (schema 2 and the older schema 1), and refusals. The security side (crafted
model files, code in formulas) is in test_model_file_security.py."""

from __future__ import annotations

import json

import formulaic
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from logistic import DataError, LogisticRegression, load
from logistic.io.formula import design_matrices
from logistic.io.formula_file import decode


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
    restored = decode(json.loads(json.dumps(spec.to_dict())))
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
    from logistic.cli.app import run

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


# -- the rebuilt matrix is formulaic's, name for name and bit for bit ---------------------------


@pytest.fixture(scope="module")
def mixed() -> pd.DataFrame:
    """Every kind of column a formula meets: floats, a positive float, text with three and
    two levels, a boolean, small integers, and a pandas categorical with an unused level."""
    rng = np.random.default_rng(5)
    n = 60
    return pd.DataFrame({
        "x1": rng.normal(size=n), "x2": rng.normal(size=n), "x3": rng.random(n) + 0.1,
        "g": rng.choice(list("abc"), n), "h": rng.choice(list("uv"), n),
        "b": rng.random(n) < 0.5, "k": rng.choice([1, 2, 3, 4], n),
        "c": pd.Categorical(rng.choice(list("pqr"), n), categories=list("rqps")),
        "y": rng.choice(["no", "yes"], n),
    })


#: formulaic's default context lacks sqrt and log1p; the reference gets them from NumPy.
FORMULAIC_CONTEXT = {"sqrt": np.sqrt, "log1p": np.log1p, "np": np}

SAFE_FORMULAS = [
    "x1 + C(g) + x1:x2", "x1:C(g)", "C(g):C(h)", "C(g)*C(h)", "C(g) - 1", "x1**2",
    "I(x1**2) + I(x2**2)", "log(x3) + exp(x1) + sqrt(x3)", "log2(x3) + log10(x3) + log1p(x3)",
    "center(x1) + scale(x2) + standardize(x3)", "g + b + k", "C(k)", "(x1+x2)**2", "x1*x2",
    "C(g, contr.treatment('b'))", "C(g, levels=['c','b','a'])", "C(k, Treatment(3))",
    "np.log(x3) + np.sqrt(x3) + np.exp(x2) + np.abs(x1)", "I(-x1) + I(+x2)", "I(x1/x2 - 3)",
    "I(x1 ** -1) + I(2 ** x1)", "x1:C(g):C(h)", "C(h):x1 + C(g):x1", "0 + C(g):C(h)",
    "abs(x1)", "x2:x1", "C(g):x1 + C(g)", "C(k):C(g) + C(k)", "C(g) : C(h) - 1 + x1:x2:C(g)",
    "b + C(b)", "I(center(x1) * 2) + I(center(x1) + scale(x2))", "center(center(x1))",
    "x1:C(g, contr.treatment('b'))", "C(g)*C(h)*x1", "C(g)*C(h)*C(b) - 1", "c + x1", "C(c)",
    "x1 + x2 + x1:x2:x3 + C(h):x3", "C(g):C(h):x1 + C(g) + x1", "`x1` + `g`",
]


def _formulaic_matrix(rhs: str, data: pd.DataFrame) -> pd.DataFrame:
    matrix = formulaic.model_matrix(rhs, data, context=FORMULAIC_CONTEXT)
    return pd.DataFrame(matrix).astype(np.float64)


@pytest.mark.parametrize("rhs", SAFE_FORMULAS)
def test_the_matrix_is_formulaics_and_survives_json(mixed, rhs):
    X, _, spec = design_matrices("y ~ " + rhs, mixed)
    theirs = _formulaic_matrix(rhs, mixed)
    assert spec.intercept == ("Intercept" in theirs.columns)
    theirs = theirs.drop(columns="Intercept", errors="ignore")
    assert list(X.columns) == list(theirs.columns)
    np.testing.assert_array_equal(X.to_numpy(), theirs.to_numpy())
    restored = decode(json.loads(json.dumps(spec.to_dict())))
    pd.testing.assert_frame_equal(restored.transform(mixed), X)
    assert restored.formula == str(formulaic.Formula(rhs))  # written as formulaic writes it


@pytest.mark.slow
def test_random_interactions_get_formulaics_reduced_and_full_rank_columns(mixed):
    """The rank rules (formula_terms) on 80 random formulas: numeric and categorical
    factors of two to four levels, main effects and interactions up to order 3, with and
    without an intercept."""
    rng = np.random.default_rng(11)
    pool = ["x1", "x2", "C(g)", "C(h)", "C(k)", "b", "C(b)", "c"]
    for _ in range(80):
        terms = {":".join(rng.choice(pool, size=rng.integers(1, 4), replace=False))
                 for _ in range(rng.integers(1, 5))}
        rhs = " + ".join(sorted(terms)) + (" - 1" if rng.random() < 0.4 else "")
        X, _, _ = design_matrices("y ~ " + rhs, mixed)
        theirs = _formulaic_matrix(rhs, mixed).drop(columns="Intercept", errors="ignore")
        assert list(X.columns) == list(theirs.columns), rhs
        np.testing.assert_array_equal(X.to_numpy(), theirs.to_numpy(), err_msg=rhs)


# -- safe formulas fit as statsmodels' formula Logit, and predict the same after a file ------


@pytest.fixture(scope="module")
def smooth() -> pd.DataFrame:
    """Labels from a smooth model (never separated): y from the features, ring from the
    distance to the origin (the circle boundary of I(x1**2) + I(x2**2))."""
    rng = np.random.default_rng(21)
    n = 800
    data = pd.DataFrame({
        "x1": rng.normal(size=n), "x2": rng.normal(size=n), "x3": rng.uniform(0.5, 3.0, n),
        "g": rng.choice(list("abc"), n),
    })
    z = 0.2 + 0.8 * data.x1 - 0.5 * data.x2 + 0.4 * np.log(data.x3) + 0.6 * (data.g == "b")
    data["y"] = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    ring = 2.0 - 1.5 * (data.x1**2 + data.x2**2)
    data["ring"] = (rng.random(n) < 1 / (1 + np.exp(-ring))).astype(int)
    return data


STATSMODELS_CASES = [
    # (ours, statsmodels' spelling, our column names, statsmodels' names where they differ)
    ("y ~ x1 + C(g)", "y ~ x1 + C(g)", ["x1", "C(g)[T.b]", "C(g)[T.c]"], None),
    ("y ~ x1:x2", "y ~ x1:x2", ["x1:x2"], None),
    ("y ~ I(x1*x2)", "y ~ I(x1*x2)", ["I(x1 * x2)"], None),
    ("y ~ log(x3)", "y ~ np.log(x3)", ["log(x3)"], ["np.log(x3)"]),
    ("y ~ x1**2", "y ~ x1**2", ["x1"], None),  # a formula power of one term is the term
    ("y ~ x1 + I(x1**2)", "y ~ x1 + I(x1**2)", ["x1", "I(x1 ** 2)"], None),
    ("y ~ exp(x2)", "y ~ np.exp(x2)", ["exp(x2)"], ["np.exp(x2)"]),
    ("y ~ sqrt(x3)", "y ~ np.sqrt(x3)", ["sqrt(x3)"], ["np.sqrt(x3)"]),
    ("ring ~ I(x1**2) + I(x2**2)", "ring ~ I(x1**2) + I(x2**2)", ["I(x1 ** 2)", "I(x2 ** 2)"],
     None),
    ("y ~ x1 + C(g, contr.treatment('b'))", "y ~ x1 + C(g, Treatment('b'))",
     ["x1", "C(g, contr.treatment('b'))[T.a]", "C(g, contr.treatment('b'))[T.c]"],
     ["x1", "C(g, Treatment('b'))[T.a]", "C(g, Treatment('b'))[T.c]"]),
]


@pytest.mark.parametrize(("ours", "theirs", "names", "patsy_names"), STATSMODELS_CASES,
                         ids=[case[0] for case in STATSMODELS_CASES])
def test_safe_formulas_fit_as_statsmodels_and_predict_the_same_after_a_file(
    tmp_path, smooth, ours, theirs, names, patsy_names
):
    model = LogisticRegression.from_formula(ours, smooth, tol=1e-10)
    assert list(model.feature_names_in_) == names
    reference = smf.logit(theirs, smooth).fit(disp=0, tol=1e-14)
    order = ["Intercept", *(patsy_names or names)]  # statsmodels puts categoricals first
    np.testing.assert_allclose(
        np.concatenate([model.intercept_, model.coef_.ravel()]), reference.params[order],
        rtol=1e-7,
    )
    np.testing.assert_allclose(model.std_err_, reference.bse[order], rtol=1e-6)
    model.save(tmp_path / "m.json")
    loaded = load(tmp_path / "m.json")
    new = smooth.drop(columns=["y", "ring"]).sample(50, random_state=2)
    np.testing.assert_array_equal(loaded.predict_proba(new), model.predict_proba(new))
    np.testing.assert_allclose(loaded.predict_proba(new)[:, 1], reference.predict(new),
                               rtol=1e-7)


# -- schema 1 files (formulaic's state) still load and predict the same ------------------------


def _schema_1_formula(rhs: str, data: pd.DataFrame, response: str) -> dict:
    """The formula object as logistic wrote it before schema 2: formulaic's formula string
    and its encoder and transform state, taken here from formulaic itself."""
    spec = formulaic.model_matrix(rhs, data).model_spec
    columns = [c for c in spec.column_names if c != "Intercept"]

    def plain(value):
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        return value.item() if isinstance(value, np.generic) else value

    return {
        "formula": str(spec.formula), "response": response, "columns": columns,
        "intercept": "Intercept" in spec.column_names,
        "encoder_state": {
            name: [kind.value, {"categories": plain(list(state["categories"]))}
                   if "categories" in state else {}]
            for name, (kind, state) in spec.encoder_state.items()
        },
        "transform_state": plain(spec.transform_state),
    }


@pytest.mark.parametrize("rhs", [
    "x1 + C(g) + x1:x2", "x1 + C(g) + center(x2) + x1:x2", "log(x3) + I(x1**2) + scale(x2)",
    "C(g, contr.treatment('b')) + exp(x1)", "g + g:x1", "I(center(x1) * 2) + np.log(x3)",
])
def test_a_schema_1_file_loads_and_predicts_the_same(tmp_path, smooth, rhs):
    model = LogisticRegression.from_formula("y ~ " + rhs, smooth)
    model.save(tmp_path / "new.json")
    document = json.loads((tmp_path / "new.json").read_text())
    document["schema_version"] = 1
    document["formula"] = _schema_1_formula(rhs, smooth, "y")
    (tmp_path / "old.json").write_text(json.dumps(document))
    old = load(tmp_path / "old.json")
    assert old.formula_ == model.formula_  # the same terms, levels and numbers
    new = smooth.sample(40, random_state=4)
    np.testing.assert_array_equal(old.predict_proba(new), model.predict_proba(new))


# -- bad rows at predict time ----------------------------------------------------------------


@pytest.mark.parametrize(("formula", "change", "match"), [
    ("y ~ log(x3)", {"x3": -1.0}, r"formula column 'log\(x3\)' is not finite in 40 row"),
    ("y ~ x1 + x2", {"x1": np.nan}, "column 'x1' holds null values"),
    ("y ~ I(x1 / x2)", {"x2": 0.0}, "is not finite"),
    ("y ~ I(x1 * x2)", {"x2": "text"}, "computes with the column 'x2', which is not numeric"),
    ("y ~ x1 + C(g)", {"g": None}, "column 'g' holds null values"),
])
def test_bad_rows_at_predict_are_data_errors(smooth, formula, change, match):
    model = LogisticRegression.from_formula(formula, smooth)
    new = smooth.head(40).assign(**change)
    with pytest.raises(DataError, match=match):
        model.predict_proba(new)


def test_a_missing_column_at_predict_is_named(smooth):
    model = LogisticRegression.from_formula("y ~ x1 + log(x3)", smooth)
    with pytest.raises(DataError, match="no column 'x3', which the formula uses"):
        model.predict(smooth.drop(columns="x3"))
