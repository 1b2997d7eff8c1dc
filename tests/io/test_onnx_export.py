"""ONNX export (``model.to_onnx``, ``io/onnx_export.py``): onnxruntime, an independent
evaluator of the graph, against the library's own ``predict_proba`` and ``predict`` on real
data shipped in dependencies (scikit-learn's breast cancer, iris and digits; statsmodels'
``fair``), to 1e-6 absolute in the probabilities and exactly in the labels."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer, load_digits, load_iris

from logistic import LogisticRegression
from logistic.exceptions import ExportDependencyError, ExportError
from logistic.io.onnx_export import LinearModel, linear_model_onnx

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

TOLERANCE = 1e-6


def run_onnx(proto, feeds: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(label, probabilities) of the graph, computed by onnxruntime."""
    session = ort.InferenceSession(proto.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    label, proba = session.run(["label", "probabilities"], feeds)
    return label, proba


def assert_matches(model, proto, feeds, X) -> None:
    onnx.checker.check_model(proto, full_check=True)
    label, proba = run_onnx(proto, feeds)
    expected = model.predict_proba(X)
    assert proba.shape == expected.shape
    np.testing.assert_allclose(proba, expected, rtol=0, atol=TOLERANCE)
    np.testing.assert_array_equal(label, model.predict(X))


@pytest.fixture(scope="module")
def breast_cancer():
    return load_breast_cancer(return_X_y=True)


@pytest.mark.parametrize("labels", ["int", "str", "float", "bool"])
def test_binary_model_on_breast_cancer(breast_cancer, labels, tmp_path):
    X, y = breast_cancer
    target = {"int": y, "str": np.array(["malignant", "benign"])[y], "float": y * 2.0 - 1.0,
              "bool": y == 1}[labels]
    model = LogisticRegression(penalty="l2", C=0.5).fit(X, target)
    path = tmp_path / "model.onnx"
    proto = model.to_onnx(path)
    assert [v.name for v in proto.graph.input] == ["X"]
    assert [v.name for v in proto.graph.output] == ["label", "probabilities"]
    assert_matches(model, onnx.load(str(path)), {"X": X}, X)


def test_binary_model_without_intercept_fitted_on_sparse_x(breast_cancer):
    X, y = breast_cancer
    X = X / X.max(axis=0)
    X[X < 0.3] = 0.0  # a real sparsity pattern, fitted as CSR
    model = LogisticRegression(penalty="l1", C=2.0, fit_intercept=False).fit(sp.csr_matrix(X), y)
    assert_matches(model, model.to_onnx(), {"X": X}, sp.csr_matrix(X))


@pytest.mark.parametrize("multi_class", ["multinomial", "ovr"])
def test_multiclass_model_with_string_labels_on_iris(multi_class):
    iris = load_iris()
    y = iris.target_names[iris.target]
    model = LogisticRegression(penalty="l2", multi_class=multi_class).fit(iris.data, y)
    proto = model.to_onnx()
    label, _ = run_onnx(proto, {"X": iris.data})
    assert label.dtype == object and set(label) <= set(iris.target_names)
    assert_matches(model, proto, {"X": iris.data}, iris.data)


def test_multinomial_model_on_digits():
    X, y = load_digits(return_X_y=True)
    X, y = X[::3] / 16.0, y[::3]
    model = LogisticRegression(penalty="l2", C=0.1, max_iter=500).fit(X, y)
    assert_matches(model, model.to_onnx(), {"X": X}, X)


def test_a_dataframe_model_takes_its_columns_in_order():
    iris = load_iris(as_frame=True)
    model = LogisticRegression(penalty="l2").fit(iris.data, iris.target)
    proto = model.to_onnx()
    metadata = {prop.key: prop.value for prop in proto.metadata_props}
    assert metadata["feature_names"].startswith("sepal length (cm), sepal width (cm)")
    assert_matches(model, proto, {"X": iris.data.to_numpy()}, iris.data)


def test_extreme_scores_keep_their_tails():
    """Closed forms (scipy's expit and softmax): σ(±z) in both tails, and one-vs-rest's
    σ(zₖ)/Σσ(zⱼ) where every σ underflows, which is softmax(z) there."""
    from scipy.special import expit, softmax

    x = np.array([[-800.0], [-40.0], [0.0], [40.0], [800.0]])
    binary = LinearModel(np.ones((1, 1)), np.zeros(1), np.array([0, 1]), "binary", ("x",))
    _, proba = run_onnx(linear_model_onnx(binary), {"X": x})
    np.testing.assert_allclose(proba, np.column_stack([expit(-x[:, 0]), expit(x[:, 0])]),
                               rtol=1e-14, atol=0)
    ovr = LinearModel(np.ones((3, 1)), np.array([-1000.0, -1001.0, -1002.0]),
                      np.array(["a", "b", "c"]), "ovr", ("x",))
    label, proba = run_onnx(linear_model_onnx(ovr), {"X": np.zeros((1, 1))})
    np.testing.assert_allclose(proba[0], softmax([-1000.0, -1001.0, -1002.0]), rtol=1e-12)
    assert label.tolist() == ["a"]


# -- formula models ------------------------------------------------------------------------------
OCCUPATIONS = {1.0: "student", 2.0: "farming", 3.0: "white collar", 4.0: "teacher",
               5.0: "managerial", 6.0: "professional"}


@pytest.fixture(scope="module")
def fair() -> pd.DataFrame:
    """statsmodels' affairs survey (6366 women, Fair 1978), occupation as text."""
    data = pytest.importorskip("statsmodels.datasets.fair").load_pandas().data
    data = data.assign(job=data["occupation"].map(OCCUPATIONS),
                       had_affair=(data["affairs"] > 0).astype(int),
                       rating=data["rate_marriage"].astype(int))
    return data


def raw_inputs(proto, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each graph input's raw column, shaped [N, 1] in its declared type."""
    types = {onnx.TensorProto.DOUBLE: np.float64, onnx.TensorProto.STRING: object}
    return {value.name: frame[[value.name]].to_numpy(types[value.type.tensor_type.elem_type])
            for value in proto.graph.input}


BINARY_FORMULA = (
    "had_affair ~ age + I(age**2) + C(job) + log(yrs_married) + C(job):yrs_married"
    " + center(educ) + standardize(children) + sqrt(religious) + C(occupation_husb)"
    " + log10(age) - exp(religious / 10) + abs(educ - 14) + log1p(children) + log2(age)"
)


def test_formula_model_with_categories_and_transforms_on_fair(fair):
    model = LogisticRegression.from_formula(BINARY_FORMULA, fair, penalty="l2", C=10.0)
    proto = model.to_onnx()
    inputs = {v.name: v.type.tensor_type.elem_type for v in proto.graph.input}
    assert inputs["job"] == onnx.TensorProto.STRING
    assert inputs["age"] == inputs["occupation_husb"] == onnx.TensorProto.DOUBLE
    assert_matches(model, proto, raw_inputs(proto, fair), fair)


def test_multinomial_formula_model_on_fair(fair):
    formula = "rating ~ age + I(age**2) + C(job, contr.treatment('teacher')) + yrs_married:age"
    model = LogisticRegression.from_formula(formula, fair, penalty="l2")
    assert len(model.classes_) == 5
    proto = model.to_onnx()
    assert_matches(model, proto, raw_inputs(proto, fair), fair)


def test_formula_model_with_full_indicators_and_a_boolean_column():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"g": rng.choice(["a", "b", "c"], 400), "flag": rng.random(400) < 0.4,
                          "x": rng.normal(size=400)})
    frame["y"] = np.where(rng.random(400) < 0.5 + 0.2 * frame["flag"], "yes", "no")
    model = LogisticRegression.from_formula("y ~ C(g):x + C(flag) - 1", frame, penalty="l2")
    proto = model.to_onnx()
    feeds = {"g": frame[["g"]].to_numpy(object), "flag": frame[["flag"]].to_numpy(bool),
             "x": frame[["x"]].to_numpy(float)}
    assert_matches(model, proto, feeds, frame)


@pytest.mark.parametrize("formula", [
    "y ~ C(h) + h",                           # one column as numbers and as levels
    "y ~ C(g, levels=['c', 'b', 'a']) + x",   # the levels' order given
    "y ~ C(g):C(k) + x:C(g):C(k)",            # interactions of categories, formulaic's order
    "y ~ C(g):C(k) - 1",                      # full indicators where the rank rules say so
    "y ~ flag + scale(x) + I(x / 2 - 3) + -x",  # a boolean computed with: a double input
])
def test_formula_encodings_match_the_library(formula):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.normal(size=500), "h": rng.integers(0, 4, 500),
                          "g": rng.choice(["a", "b", "c"], 500), "k": rng.choice(["u", "v"], 500),
                          "flag": rng.random(500) < 0.5, "y": rng.integers(0, 3, 500)})
    model = LogisticRegression.from_formula(formula, frame, penalty="l2")
    proto = model.to_onnx()
    types = {onnx.TensorProto.DOUBLE: np.float64, onnx.TensorProto.STRING: object}
    feeds = {v.name: frame[[v.name]].to_numpy(types[v.type.tensor_type.elem_type])
             for v in proto.graph.input}
    assert_matches(model, proto, feeds, frame)


def test_an_unseen_level_gives_nan_probabilities_not_another_level(fair):
    model = LogisticRegression.from_formula("had_affair ~ age + C(job)", fair, penalty="l2")
    proto = model.to_onnx()
    rows = fair.iloc[:3].copy()
    feeds = raw_inputs(proto, rows)
    feeds["job"] = np.array([["astronaut"], ["teacher"], ["student"]], dtype=object)
    _, proba = run_onnx(proto, feeds)
    assert np.isnan(proba[0]).all()
    rows["job"] = ["teacher", "teacher", "student"]
    np.testing.assert_allclose(proba[1:], model.predict_proba(rows)[1:], rtol=0, atol=TOLERANCE)


# -- what is refused ------------------------------------------------------------------------------
def test_a_column_named_like_an_output_is_refused():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"label": rng.normal(size=50), "y": rng.integers(0, 2, 50)})
    model = LogisticRegression.from_formula("y ~ label", frame)
    with pytest.raises(ExportError, match="two values named 'label'"):
        model.to_onnx()


def test_labels_of_mixed_types_are_refused():
    model = LinearModel(np.zeros((1, 2)), np.zeros(1), np.array([1, "a"], dtype=object),
                        "binary", ("x1", "x2"))
    with pytest.raises(ExportError, match="no ONNX tensor type"):
        linear_model_onnx(model)


def test_shapes_that_do_not_make_the_family_are_refused():
    model = LinearModel(np.zeros((2, 2)), np.zeros(2), np.array([0, 1]), "binary", ("a", "b"))
    with pytest.raises(ExportError, match="do not make a binary model"):
        linear_model_onnx(model)


def test_without_onnx_the_error_names_the_extra(monkeypatch, breast_cancer):
    X, y = breast_cancer
    model = LogisticRegression(penalty="l2").fit(X[:100], y[:100])
    monkeypatch.setitem(sys.modules, "onnx", None)  # what a missing package looks like
    with pytest.raises(ExportDependencyError, match=r"pip install 'logistic\[onnx\]'"):
        model.to_onnx()
    with pytest.raises(ImportError):
        model.to_onnx()


@pytest.mark.slow  # a fresh interpreter imports logistic: seconds
def test_importing_logistic_does_not_import_onnx():
    code = "import sys, logistic, logistic.cli.app; print('onnx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert out.strip() == "False"
