"""``.`` in a formula (io/formula_dot.py): the fits of ``y ~ .`` and its variants against
statsmodels' ``smf.logit`` / ``smf.glm`` / ``ConditionalLogit`` given the formula spelled out
(text, categorical and boolean columns as ``C(col)``), coefficients to 1e-8 and the names
matched, on generated frames and on statsmodels' ``fair`` data; the saved model predicts on
new rows as statsmodels does; the refusals are ``FormulaRefused`` naming the problem."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from logistic import LogisticRegression, load
from logistic.io.formula import design_matrices
from logistic.io.formula_dot import MAX_DOT_LEVELS, expand_dot, has_dot
from logistic.io.formula_expr import FormulaRefused

smf = pytest.importorskip("statsmodels.formula.api")

TOL = 1e-8


def mixed_frame(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Two numeric columns, an integer column, text, boolean and pandas categorical columns
    (the categorical's own level order is not sorted), an offset and a 0/1 response."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "x1": rng.normal(size=n), "x2": rng.normal(size=n), "k": rng.integers(0, 4, n),
        "g": rng.choice(["a", "b", "c"], n), "flag": rng.random(n) < 0.4,
        "h": pd.Categorical(rng.choice(["lo", "mid", "hi"], n),
                            categories=["mid", "lo", "hi"]),
    })
    z = (0.3 + 0.8 * frame["x1"] - 0.5 * frame["x2"] + 0.6 * (frame["g"] == "b")
         - 0.4 * frame["flag"] + 0.5 * (frame["h"] == "hi") + 0.2 * frame["k"])
    frame["y"] = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(int)
    return frame


def ours(model: LogisticRegression) -> dict[str, float]:
    """The fitted coefficients by name, the intercept as statsmodels names it."""
    names = ["Intercept", *map(str, model.feature_names_in_)]
    return dict(zip(names, [float(model.intercept_[0]), *model.coef_[0]], strict=True))


def assert_same_fit(model: LogisticRegression, reference) -> None:
    """Our coefficients and names equal statsmodels' (params renamed Q("x") -> x)."""
    theirs = {name.replace('Q("', "").replace('")', ""): float(value)
              for name, value in reference.params.items()}
    mine = ours(model)
    assert sorted(mine) == sorted(theirs)
    for name, value in theirs.items():
        assert mine[name] == pytest.approx(value, abs=TOL), name


def fit(formula: str, frame: pd.DataFrame, **kwargs) -> LogisticRegression:
    return LogisticRegression.from_formula(formula, frame, tol=1e-10, **kwargs)


def logit(formula: str, frame: pd.DataFrame, **kwargs):
    return smf.logit(formula, frame, **kwargs).fit(method="newton", tol=1e-12, maxiter=100,
                                                   disp=0)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return mixed_frame()


@pytest.mark.parametrize(("dot", "spelled"), [
    ("y ~ .", "y ~ x1 + x2 + k + C(g) + C(flag) + C(h)"),
    ("y ~ . - x2", "y ~ x1 + k + C(g) + C(flag) + C(h)"),
    ("y ~ . - g - h", "y ~ x1 + x2 + k + C(flag)"),       # text and categorical left out
    ("y ~ . + I(x1**2)", "y ~ x1 + x2 + k + C(g) + C(flag) + C(h) + I(x1**2)"),
    ("y ~ . + C(k)", "y ~ x1 + x2 + C(g) + C(flag) + C(h) + C(k)"),   # k as levels only
    ("y ~ . - k + x1:x2", "y ~ x1 + x2 + C(g) + C(flag) + C(h) + x1:x2"),
    ("y~.-x1-x2-k", "y ~ C(g) + C(flag) + C(h)"),
])
def test_dot_fits_as_the_spelled_out_formula_in_statsmodels(frame, dot, spelled):
    model = fit(dot, frame)
    assert_same_fit(model, logit(spelled, frame))


def test_a_categorical_dtype_keeps_its_own_level_order(frame):
    """``.`` writes C(h), whose reference is the dtype's first category ('mid'), as C(h)
    spelled out gives (statsmodels reads the dtype's order too)."""
    model = fit("y ~ .", frame)
    assert "C(h)[T.lo]" in model.feature_names_in_ and "C(h)[T.mid]" not in \
        model.feature_names_in_


def test_the_offset_column_is_left_out_and_used_as_the_offset(frame):
    data = frame.assign(exposure=np.linspace(-0.5, 0.5, len(frame)))
    model = fit("y ~ . + offset(exposure)", data)
    glm = smf.glm("y ~ x1 + x2 + k + C(g) + C(flag) + C(h)", data,
                  family=pytest.importorskip("statsmodels.api").families.Binomial(),
                  offset=data["exposure"]).fit(tol=1e-12)
    assert_same_fit(model, glm)


def test_a_cbind_response_leaves_both_count_columns_out():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"x": rng.normal(size=80), "g": rng.choice(["u", "v"], 80)})
    n = rng.integers(1, 12, 80)
    p = 1.0 / (1.0 + np.exp(-(0.4 * frame["x"] + 0.7 * (frame["g"] == "v"))))
    frame["s"] = rng.binomial(n, p)
    frame["f"] = n - frame["s"]
    model = fit("cbind(s, f) ~ .", frame)
    sm = pytest.importorskip("statsmodels.api")
    glm = smf.glm("s + f ~ x + C(g)", frame, family=sm.families.Binomial()).fit(tol=1e-12)
    assert_same_fit(model, glm)


def test_a_column_name_that_is_not_a_python_name_enters_in_backticks():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"my col": rng.normal(size=300), "x.1": rng.normal(size=300),
                          "g": rng.choice(["a", "b"], 300)})
    frame["y"] = (rng.random(300) < 1 / (1 + np.exp(-frame["my col"]))).astype(int)
    model = fit("y ~ .", frame)
    assert_same_fit(model, logit('y ~ Q("my col") + Q("x.1") + C(g)', frame))


def test_weights_leave_the_formula_as_it_is_and_match_glm_freq_weights(frame):
    sm = pytest.importorskip("statsmodels.api")
    weights = np.random.default_rng(5).integers(1, 4, len(frame)).astype(float)
    model = fit("y ~ . - k", frame, sample_weight=weights)
    glm = smf.glm("y ~ x1 + x2 + C(g) + C(flag) + C(h)", frame, family=sm.families.Binomial(),
                  freq_weights=weights).fit(tol=1e-12)
    assert_same_fit(model, glm)


# -- statsmodels' fair data ------------------------------------------------------------------
OCCUPATIONS = {1.0: "student", 2.0: "farming", 3.0: "white collar", 4.0: "teacher",
               5.0: "managerial", 6.0: "professional"}


@pytest.fixture(scope="module")
def fair() -> pd.DataFrame:
    """statsmodels' affairs survey (Fair 1978): the occupation as text, the response 0/1."""
    data = pytest.importorskip("statsmodels.datasets.fair").load_pandas().data
    return pd.DataFrame({
        "age": data["age"], "yrs_married": data["yrs_married"], "children": data["children"],
        "religious": data["religious"], "educ": data["educ"],
        "job": data["occupation"].map(OCCUPATIONS),
        "had_affair": (data["affairs"] > 0).astype(int),
    })


def test_dot_on_fair_matches_statsmodels(fair):
    model = fit("had_affair ~ .", fair)
    assert_same_fit(model, logit(
        "had_affair ~ age + yrs_married + children + religious + educ + C(job)", fair))


def test_the_saved_dot_model_names_its_terms_and_predicts_as_statsmodels(fair, tmp_path):
    model = fit("had_affair ~ . - children", fair)
    reference = logit("had_affair ~ age + yrs_married + religious + educ + C(job)", fair)
    path = tmp_path / "model.json"
    model.save(path)
    loaded = load(path)
    assert loaded.formula_.formula == "1 + age + yrs_married + religious + educ + C(job)"
    new = fair.sample(200, random_state=0).assign(unseen_column="ignored")
    np.testing.assert_allclose(loaded.predict_proba(new)[:, 1], reference.predict(new),
                               rtol=0, atol=1e-9)


def test_conditional_logit_leaves_the_strata_column_out():
    sm_conditional = pytest.importorskip("statsmodels.discrete.conditional_models")
    from logistic import ConditionalLogisticRegression

    rng = np.random.default_rng(7)
    pairs = np.repeat(np.arange(150), 2)
    frame = pd.DataFrame({"pair": pairs, "x": rng.normal(size=300),
                          "g": rng.choice(["a", "b", "c"], 300)})
    z = frame["x"] + 0.8 * (frame["g"] == "b")
    case = np.zeros(300, dtype=int)
    for stratum in range(150):
        rows = np.flatnonzero(pairs == stratum)
        p = np.exp(z.to_numpy()[rows])
        case[rows[rng.choice(2, p=p / p.sum())]] = 1
    frame["case"] = case
    model = ConditionalLogisticRegression.from_formula("case ~ . + strata(pair)", frame,
                                                       tol=1e-10)
    exog = pd.DataFrame({"x": frame["x"], "C(g)[T.b]": (frame["g"] == "b").astype(float),
                         "C(g)[T.c]": (frame["g"] == "c").astype(float)})
    reference = sm_conditional.ConditionalLogit(frame["case"], exog, groups=frame["pair"]).fit(
        method="newton", tol=1e-12, disp=0)
    assert list(model.feature_names_in_) == list(exog.columns)
    np.testing.assert_allclose(model.coef_[0], reference.params.to_numpy(), rtol=0,
                               atol=TOL)
    by_keyword = ConditionalLogisticRegression.from_formula("case ~ .", frame, strata="pair",
                                                            tol=1e-10)
    assert list(by_keyword.feature_names_in_) == list(exog.columns)


# -- what is not a dot, and refusals -----------------------------------------------------------
@pytest.mark.parametrize("formula", ["y ~ x.1 + I(x2 * 0.5)", "y ~ x2 + .5", "y ~ I(x2)",
                                     "y ~ C(g, levels=['.', 'a'])", "y ~ log(x2)"])
def test_names_numbers_and_quotes_with_dots_are_not_the_dot(formula):
    frame = pd.DataFrame({"x.1": [1.0], "x2": [2.0], "g": ["a"], "y": [0]})
    assert not has_dot(formula)
    assert expand_dot(formula, frame) == formula


def test_a_dot_with_no_other_column_is_refused():
    frame = pd.DataFrame({"y": [0, 1, 0, 1], "x": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(FormulaRefused, match=r"stands for the data's other columns, and "
                                             r"there are none"):
        design_matrices("y ~ . - x", frame)


def test_removing_a_column_the_data_lack_is_refused(frame):
    with pytest.raises(FormulaRefused, match=r"removes 'x9', which is not a column"):
        design_matrices("y ~ . - x9", frame)


def test_a_text_column_of_too_many_levels_is_refused_unless_written_out():
    n = MAX_DOT_LEVELS + 50
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"name": [f"id{i}" for i in range(n)], "x": rng.normal(size=n),
                          "y": rng.integers(0, 2, n)})
    with pytest.raises(FormulaRefused, match=rf"'name' as C\(name\) of {n} levels \(more "
                                             rf"than {MAX_DOT_LEVELS}"):
        design_matrices("y ~ .", frame)
    X, _, _ = design_matrices("y ~ . - name", frame)
    assert list(X.columns) == ["x"]


def test_a_text_column_whose_name_c_cannot_take_is_refused():
    frame = pd.DataFrame({"my group": ["a", "b"], "x": [1.0, 2.0], "y": [0, 1]})
    with pytest.raises(FormulaRefused, match=r"'my group' cannot be written C\("):
        expand_dot("y ~ .", frame)


def test_column_names_that_are_not_text_are_refused():
    frame = pd.DataFrame({0: [1.0, 2.0], "y": [0, 1]})
    with pytest.raises(FormulaRefused, match=r"column names that are text"):
        expand_dot("y ~ .", frame)


def test_a_dot_longer_than_a_formula_may_be_is_refused_before_it_is_written():
    from logistic.io.formula import MAX_FORMULA_CHARS

    names = [f"measurement_{j:05d}" for j in range(MAX_FORMULA_CHARS // 10)]
    frame = pd.DataFrame(np.zeros((2, len(names))), columns=names).assign(y=[0, 1])
    with pytest.raises(FormulaRefused, match=rf"stands for {len(names)} columns, \d+ characters "
                                             rf"written out, more than the {MAX_FORMULA_CHARS}"):
        design_matrices("y ~ .", frame)
