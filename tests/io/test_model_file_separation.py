"""``separation_`` in model files (schema 3): a loaded model's summary marks the same terms †
with the same note; older files load without it; a malformed field is refused."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from logistic import LogisticRegression, ModelFileError, load
from logistic.cli.app import run
from logistic.io import model_fields
from logistic.io import model_file as persist


def _fit(X, y, **params) -> LogisticRegression:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the SeparationWarning is the point here
        return LogisticRegression(**params).fit(X, y)


@pytest.fixture(scope="module")
def binary() -> LogisticRegression:
    """Quasi-complete separation by an indicator set only in class 1 ('flag')."""
    rng = np.random.default_rng(0)
    n = 400
    X = pd.DataFrame({"age": rng.standard_normal(n), "dose": rng.standard_normal(n),
                      "flag": np.zeros(n)})
    y = (rng.random(n) < 1 / (1 + np.exp(-X["age"]))).astype(int)
    X.loc[(y == 1) & (rng.random(n) < 0.1), "flag"] = 1.0
    model = _fit(X, y)
    assert model.separation_ is not None and model.separation_.names == ("flag",)
    return model


def _three_classes(n: int = 3000, seed: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """An indicator never set in class 0 (unnamed columns: x1, x2, x3)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = rng.integers(0, 3, n)
    X[:, 1] = (rng.random(n) < 0.1) * (y != 0)
    return X, y


@pytest.fixture(scope="module")
def multinomial() -> LogisticRegression:
    model = _fit(*_three_classes())
    assert model.summary().separated == ("1: x2", "2: x2")
    return model


def _saved(model, tmp_path: Path) -> tuple[Path, dict]:
    path = tmp_path / "model.json"
    persist.save(model, path)
    return path, json.loads(path.read_text(encoding="utf-8"))


#: A number that ``_write`` spells 1e999: beyond float range, read as infinity.
_HUGE = 12345.678


def _write(path: Path, document: dict) -> Path:
    text = json.dumps(document, indent=2).replace(repr(_HUGE), "1e999")
    path.write_text(text, encoding="utf-8")
    return path


def _assert_same_separation(before, after) -> None:
    a, b = before.separation_, after.separation_
    assert (b.complete, b.features, b.names, b.n_separated) == (
        a.complete, a.features, a.names, a.n_separated)
    assert b.involved.shape == a.involved.shape and np.array_equal(b.involved, a.involved)
    assert b.direction.tobytes() == a.direction.tobytes()  # bit for bit


# -- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["binary", "multinomial"])
def test_a_loaded_summary_marks_the_same_terms_with_the_same_note(tmp_path, request, which):
    model = request.getfixturevalue(which)
    path, document = _saved(model, tmp_path)
    assert document["schema_version"] == 3
    after = load(path)
    _assert_same_separation(model, after)
    before_summary, after_summary = model.summary(), after.summary()
    assert after_summary.separated == before_summary.separated != ()
    assert after_summary.note == before_summary.note and "† Quasi-complete" in after.summary().note
    assert after_summary.header == before_summary.header
    assert str(after_summary) == str(before_summary)
    persist.save(after, tmp_path / "again.json")  # a loaded model saves the same field again
    again = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    assert again["separation"] == document["separation"]


def test_the_field_is_plain_data(binary, tmp_path):
    _, document = _saved(binary, tmp_path)
    keys = list(document)
    assert keys.index("inference_note") + 1 == keys.index("separation") == keys.index("formula") - 1
    assert document["separation"] == {
        "kind": "quasi-complete",
        "n_separated": binary.separation_.n_separated,
        "features": ["flag"],
        "involved": [["flag"]],
        "direction": [binary.separation_.direction.tolist()],
    }


def test_one_vs_rest_and_no_intercept_round_trip(tmp_path):
    X, y = _three_classes()
    model = _fit(X, y, multi_class="ovr")
    assert model.separation_ is not None
    after = load(_saved(model, tmp_path)[0])
    _assert_same_separation(model, after)
    assert str(after.summary()) == str(model.summary())

    rng = np.random.default_rng(3)
    X = rng.standard_normal((300, 2))
    y = (X[:, 0] + rng.logistic(size=300) > 0).astype(int)
    X[:, 1] = np.where(y == 1, np.abs(X[:, 1]), 0.0)  # nonzero only in class 1: t = 0 separates
    model = _fit(X, y, fit_intercept=False)
    assert model.separation_ is not None and model.separation_.direction.shape == (2,)
    after = load(_saved(model, tmp_path)[0])
    _assert_same_separation(model, after)
    assert str(after.summary()) == str(model.summary())


def test_a_large_direction_is_not_stored_and_reads_back_as_nan(binary, tmp_path, monkeypatch):
    monkeypatch.setattr(model_fields, "MAX_SAVED_PARAMETERS", 3)  # the direction has 4
    path, document = _saved(binary, tmp_path)
    assert document["separation"]["direction"] is None
    after = load(path)
    assert after.separation_.direction.shape == (4,)
    assert np.isnan(after.separation_.direction).all()
    assert after.summary().separated == binary.summary().separated == ("flag",)
    assert after.summary().note.splitlines()[-1] == binary.summary().note.splitlines()[-1]


def test_a_fit_without_separation_is_written_as_schema_2(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((300, 2))
    model = _fit(X, (X[:, 0] + rng.logistic(size=300) > 0).astype(int))
    assert model.separation_ is None
    path, document = _saved(model, tmp_path)
    assert document["schema_version"] == 2 and "separation" not in document
    assert load(path).separation_ is None


def test_an_older_file_without_the_field_loads_without_separation(binary, tmp_path):
    path, document = _saved(binary, tmp_path)
    del document["separation"]
    for version in (2, 1):  # schema 1 differs in the formula only (there is none here)
        document["schema_version"] = version
        after = load(_write(path, document))
        assert after.separation_ is None
        summary = after.summary()
        assert summary.separated == () and "†" not in str(summary)
        assert after.coef_.tobytes() == binary.coef_.tobytes()


def test_the_cli_summary_of_a_file_marks_the_terms(binary, tmp_path, capsys):
    path, _ = _saved(binary, tmp_path)
    assert run(["summary", str(path)]) == 0
    out = capsys.readouterr().out
    assert "flag †" in out and "age †" not in out and "dose †" not in out
    assert "Quasi-complete separation" in out


# -- refusals ------------------------------------------------------------------------------------


def _set(key: str, value):
    def edit(document: dict) -> None:
        document["separation"][key] = value

    return edit


def _replace(value):
    def edit(document: dict) -> None:
        document["separation"] = value

    return edit


def _version(version: int, drop: bool):
    def edit(document: dict) -> None:
        document["schema_version"] = version
        if drop:
            del document["separation"]

    return edit


#: (edit of a binary model's file, part of the refusal).
MALFORMED = {
    "not-an-object": (_replace([1, 2]), "separation must be null or an object, got a JSON array"),
    "extra-key": (_set("code", "os.system"), "unexpected key.*'separation.code'"),
    "missing-key": (lambda d: d["separation"].pop("kind"), "missing key.*'separation.kind'"),
    "unknown-kind": (_set("kind", "total"), "separation.kind must be 'complete' or 'quasi"),
    "kind-not-text": (_set("kind", 1), "separation.kind must be"),
    "count-negative": (_set("n_separated", -1), "separation.n_separated must be an integer >= 0"),
    "count-float": (_set("n_separated", 2.5), "separation.n_separated must be an integer"),
    "count-bool": (_set("n_separated", True), "separation.n_separated must be an integer"),
    "features-not-list": (_set("features", "flag"), "separation.features must be a list of term"),
    "features-not-text": (_set("features", [2]), "separation.features must be a list of term"),
    "unknown-feature": (_set("features", ["<script>"]),
                        "separation.features names '<script>', which is not one of the model's "
                        "features"),
    "intercept-as-feature": (_set("features", ["Intercept"]), "not one of the model's features"),
    "feature-twice": (_set("features", ["flag", "flag"]), "separation.features names a term twice"),
    "too-many-features": (_set("features", ["flag"] * 10_000),
                          "separation.features lists 10000 names; the model has 3 features"),
    "involved-not-rows": (_set("involved", ["flag"]),
                          r"separation.involved must be null or a list of 1 list\(s\)"),
    "involved-rows": (_set("involved", [["flag"], ["age"]]),
                      "separation.involved has 2 rows, expected 1"),
    "involved-unknown": (_set("involved", [["flag", "weight"]]),
                         "separation.involved names 'weight', which is not one of the model's"),
    "involved-too-long": (_set("involved", [["age", "dose", "flag", "Intercept", "age"]]),
                          "separation.involved lists 5 names; the model has 4 terms"),
    "direction-short": (_set("direction", [[0.0, 1.0]]),
                        r"separation.direction has shape \(2,\), expected \(4,\)"),
    "direction-text": (_set("direction", [[0.0, "1", 0.0, 0.0]]),
                       "separation.direction must be a list of numbers"),
    "direction-overflow": (_set("direction", [[0.0, _HUGE, 0.0, 0.0]]),
                           "separation.direction contains a non-finite number"),
    "direction-flat": (_set("direction", [0.0, 0.0, 1.0, 0.0]),
                       "separation.direction must be null or a list of 1 list"),
    "direction-rows": (_set("direction", [[0.0] * 4] * 3),
                       "separation.direction has 3 rows, expected 1"),
    "in-schema-2": (_version(2, drop=False), "unexpected key.*'separation'"),
    "missing-in-schema-3": (_version(3, drop=True), "missing key.*'separation'"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_separation_is_refused(binary, tmp_path, case):
    edit, match = MALFORMED[case]
    path, document = _saved(binary, tmp_path)
    edit(document)
    with pytest.raises(ModelFileError, match=match) as error:
        load(_write(path, document))
    assert str(path) in str(error.value) and "not a valid logistic model file" in str(error.value)


def test_a_non_finite_direction_in_the_text_is_refused(binary, tmp_path):
    path, document = _saved(binary, tmp_path)
    document["separation"]["direction"] = [[0.0, float("nan"), 1.0, 0.0]]
    path.write_text(json.dumps(document), encoding="utf-8")  # json writes NaN
    with pytest.raises(ModelFileError, match="contains NaN"):
        load(path)


def test_a_huge_crafted_name_is_cut_in_the_message(binary, tmp_path):
    path, document = _saved(binary, tmp_path)
    document["separation"]["features"] = ["x" * 100_000]
    with pytest.raises(ModelFileError, match=r"names 'xxx+\.\.\., which") as error:
        load(_write(path, document))
    assert len(str(error.value)) < 300


def test_the_multinomial_rows_are_checked(multinomial, tmp_path):
    path, document = _saved(multinomial, tmp_path)
    document["separation"]["involved"] = [["x2"]]
    with pytest.raises(ModelFileError, match="separation.involved has 1 rows, expected 3"):
        load(_write(path, document))
    document["separation"]["involved"] = [[], ["x2"], ["1: x2"]]
    with pytest.raises(ModelFileError, match="names '1: x2', which is not one of the model's"):
        load(_write(path, document))


def test_a_null_separation_in_schema_3_reads_as_none(binary, tmp_path):
    path, document = _saved(binary, tmp_path)
    document["separation"] = None
    after = load(_write(path, document))
    assert after.separation_ is None and after.summary().separated == ()
