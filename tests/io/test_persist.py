"""Model files: round trips, the JSON itself, every way a file can be bad, atomic writes."""

from __future__ import annotations

import json
import os
import pickle
import random
import re
import signal
import stat
import subprocess
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from model_file_edits import set_field as _edit
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import NotFittedError

import logistic
from logistic import LogisticRegression, ModelFileError, load
from logistic.io import model_file as persist

# -- data and models ---------------------------------------------------------------------------


def _data(n: int = 300, d: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping classes (never separated): an unpenalized fit converges without warnings."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ w - 0.3)))).astype(int)
    return X, y


def _fit(X, y, **params) -> LogisticRegression:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the fixtures themselves must fit cleanly
        return LogisticRegression(**params).fit(X, y)


@pytest.fixture(scope="module")
def cancer() -> tuple[pd.DataFrame, pd.Series]:
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return (X - X.mean()) / X.std(), y


@pytest.fixture(scope="module")
def model() -> LogisticRegression:
    return _fit(*_data())


@pytest.fixture
def saved(tmp_path, model) -> tuple[Path, dict]:
    path = tmp_path / "model.json"
    persist.save(model, path)
    return path, json.loads(path.read_text(encoding="utf-8"))


def _assert_same_model(before: LogisticRegression, after: LogisticRegression, X) -> None:
    assert type(after) is LogisticRegression
    assert after.get_params() == before.get_params()
    assert np.array_equal(after.classes_, before.classes_)
    assert after.classes_.dtype == before.classes_.dtype
    assert after.coef_.dtype == np.float64 and after.coef_.shape == before.coef_.shape
    assert after.coef_.tobytes() == before.coef_.tobytes()  # bit for bit
    assert after.intercept_.tobytes() == before.intercept_.tobytes()
    assert after.n_features_in_ == before.n_features_in_
    assert after.solver_ == before.solver_ and after.converged_ == before.converged_
    assert np.array_equal(after.n_iter_, before.n_iter_) and after.n_iter_.shape == (1,)
    assert after.objective_ == before.objective_
    assert np.array_equal(after.decision_function(X), before.decision_function(X))
    assert np.array_equal(after.predict_proba(X), before.predict_proba(X))
    assert np.array_equal(after.predict(X), before.predict(X))
    assert after.predict(X).dtype == before.predict(X).dtype


# -- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0, 1]),
        np.array([-1, 1]),
        np.array(["no", "yes"]),
        np.array([False, True]),
        np.array([3.0, 7.0]),
        np.array([10, 200], dtype=np.uint8),
        np.array(["alpha", "b"], dtype=object),
    ],
    ids=["int", "minus-one-one", "str", "bool", "float", "uint8", "object-str"],
)
def test_round_trip_labels(tmp_path, labels):
    X, y01 = _data(seed=1)
    y = labels[y01]
    before = _fit(X, y)
    path = tmp_path / "m.json"
    before.save(path)  # the estimator's own method goes through persist.save
    after = load(path)
    _assert_same_model(before, after, X)
    assert set(after.predict(X).tolist()) <= set(labels.tolist())


def test_round_trip_dataframe_keeps_feature_names(tmp_path, cancer):
    X, y = cancer
    before = _fit(X, y, penalty="l2", C=0.5)
    path = tmp_path / "cancer.json"
    persist.save(before, path)
    after = load(path)
    _assert_same_model(before, after, X)
    assert isinstance(after.feature_names_in_, np.ndarray)
    assert after.feature_names_in_.dtype == object
    assert list(after.feature_names_in_) == list(X.columns)
    # Same names, so a DataFrame predicts without a warning; a reordered one is refused.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.array_equal(after.predict_proba(X), before.predict_proba(X))
    with pytest.raises(ValueError, match="feature names"):
        after.predict(X[X.columns[::-1]])


def test_round_trip_without_intercept_and_with_options(tmp_path):
    X, y = _data(seed=2)
    before = _fit(
        X, np.array(["a", "b"])[y], fit_intercept=False, penalty="l2", C=3.0, solver="lbfgs",
        tol=1e-8, max_iter=250, class_weight={"a": 1.0, "b": 2.5},
    )
    path = tmp_path / "m.json"
    persist.save(before, path)
    after = load(path)
    _assert_same_model(before, after, X)
    assert after.class_weight == {"a": 1.0, "b": 2.5}
    assert not hasattr(after, "feature_names_in_")


def test_class_weight_with_numeric_labels_keeps_key_types(tmp_path):
    X, y = _data(seed=3)
    before = _fit(X, y, class_weight={np.int64(0): 1, 1: 4.0})
    path = tmp_path / "m.json"
    persist.save(before, path)
    after = load(path)
    assert after.class_weight == {0: 1, 1: 4.0}
    assert all(type(key) is int for key in after.class_weight)  # not the strings "0", "1"
    _assert_same_model(before, after, X)


def test_callback_is_not_saved(tmp_path):
    X, y = _data()
    calls = []
    before = _fit(X, y, callback=lambda i, state: calls.append(i))
    assert calls
    path = tmp_path / "m.json"
    persist.save(before, path)
    after = load(path)
    assert after.callback is None
    expected = before.get_params()
    expected["callback"] = None
    assert after.get_params() == expected
    assert "callback" not in json.loads(path.read_text())["params"]


def test_loaded_model_can_be_refitted_and_saved_again(tmp_path, model):
    X, y = _data()
    path = tmp_path / "m.json"
    persist.save(model, path)
    again = tmp_path / "again.json"
    persist.save(load(path), again)
    first, second = json.loads(path.read_text()), json.loads(again.read_text())
    first.pop("created"), second.pop("created")
    assert first == second
    refit = load(path).fit(X, y)
    assert np.allclose(refit.coef_, model.coef_)


# -- the file itself ---------------------------------------------------------------------------


def test_file_is_readable_versioned_json(saved, model):
    path, document = saved
    text = path.read_text(encoding="utf-8")
    assert text.startswith('{\n  "format": "logistic-model",\n')  # indented by 2
    # no separation found: schema 2, without the "separation" key schema 3 added
    assert list(document) == [key for key in persist._KEYS if key not in ("separation", "data")]
    assert document["format"] == "logistic-model"
    assert document["schema_version"] == 2
    assert document["library_version"] == logistic.__version__
    assert datetime.fromisoformat(document["created"]).tzinfo is not None
    assert document["estimator"] == "LogisticRegression"
    assert document["params"]["penalty"] is None and document["params"]["C"] == 1.0
    assert document["classes"] == [0, 1] and document["classes_dtype"] == "int64"
    assert document["coef"] == model.coef_.tolist()
    assert document["intercept"] == model.intercept_.tolist()
    assert document["n_features_in"] == 4 and document["feature_names"] is None
    assert document["fit"] == {
        "solver": model.solver_,
        "n_iter": int(model.n_iter_[0]),
        "converged": True,
        "objective": model.objective_,
    }
    assert "NaN" not in text and "Infinity" not in text


def test_floats_round_trip_bit_exactly(tmp_path, model):
    awkward = np.array([[0.1, 1 / 3, 5e-324, -1.7976931348623157e308]])
    model = LogisticRegression().set_params(**model.get_params())
    model.classes_, model.coef_ = np.array([0, 1]), awkward
    model.intercept_, model.n_features_in_ = np.array([np.nextafter(1.0, 2.0)]), 4
    model.solver_, model.n_iter_ = "gd", np.array([0])
    model.converged_, model.objective_ = False, 0.7
    model.statistics_, model.inference_note_ = None, "built by hand"
    path = tmp_path / "m.json"
    persist.save(model, path)
    after = load(path)
    assert after.coef_.tobytes() == awkward.tobytes()
    assert after.intercept_[0] == np.nextafter(1.0, 2.0)


# -- save refuses ------------------------------------------------------------------------------


def test_save_unfitted_raises_not_fitted(tmp_path):
    with pytest.raises(NotFittedError):
        persist.save(LogisticRegression(), tmp_path / "m.json")
    with pytest.raises(NotFittedError):
        LogisticRegression().save(tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []


def test_save_to_missing_directory_is_a_clear_error(tmp_path, model):
    target = tmp_path / "no" / "such" / "dir" / "m.json"
    with pytest.raises(FileNotFoundError, match="directory .* does not exist"):
        persist.save(model, target)
    assert list(tmp_path.iterdir()) == []


def test_save_into_a_file_as_directory(tmp_path, model):
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="is not a directory"):
        persist.save(model, tmp_path / "file" / "m.json")


def test_save_rejects_non_models(tmp_path):
    from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression

    X, y = _data()
    with pytest.raises(TypeError, match=r"logistic\.LogisticRegression"):
        persist.save(SklearnLogisticRegression().fit(X, y), tmp_path / "m.json")


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("coef_", np.array([[np.nan, 0.0, 1.0, 2.0]])), ("intercept_", np.array([np.inf])),
     ("objective_", float("nan"))],
)
def test_save_refuses_non_finite(tmp_path, attribute, value):
    model = _fit(*_data())
    setattr(model, attribute, value)
    path = tmp_path / "m.json"
    with pytest.raises(ValueError, match="not finite"):
        persist.save(model, path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "classes",
    [
        np.array([None, None], dtype=object),
        np.array([b"no", b"yes"]),
        np.array([1 + 0j, 2 + 0j]),
        np.array([object(), object()], dtype=object),
    ],
    ids=["none", "bytes", "complex", "object"],
)
def test_save_refuses_labels_json_cannot_hold(tmp_path, classes):
    model = _fit(*_data())
    model.classes_ = classes
    with pytest.raises(ValueError, match="cannot save"):
        persist.save(model, tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []


def test_save_keeps_permissions_and_symlinks(tmp_path, model):
    if os.name != "posix":
        pytest.skip("POSIX permissions and symlinks")
    path = tmp_path / "m.json"
    persist.save(model, path)
    os.chmod(path, 0o640)
    persist.save(model, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    link = tmp_path / "link.json"
    link.symlink_to(path)
    persist.save(_fit(*_data(seed=5)), link)
    assert link.is_symlink()
    assert load(path).coef_.tolist() == _fit(*_data(seed=5)).coef_.tolist()


# -- bad files ---------------------------------------------------------------------------------


def _write(path: Path, document) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def _drop(key: str):
    return lambda document: document.pop(key)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_edit("format", "sklearn-model"), "not a logistic model file: its 'format' is"),
        (_drop("format"), "not a logistic model file: it has no 'format' key"),
        (_edit("schema_version", 5), "schema version 5.*needs a newer logistic"),
        (_edit("schema_version", 0), "schema_version must be a positive integer"),
        (_edit("schema_version", "1"), "schema_version must be a positive integer"),
        (_drop("coef"), "missing key.*'coef'"),
        (_drop("fit"), "missing key.*'fit'"),
        (_edit("weights", [1, 2]), "unexpected key.*'weights'"),
        (_edit("fit.extra", 1), "unexpected key.*'fit.extra'"),
        (_edit("estimator", "MLPClassifier"), "'MLPClassifier' estimator"),
        (_edit("coef", [[1.0, 2.0, 3.0]]), r"coef has shape \(1, 3\), expected \(1, 4\)"),
        (_edit("coef", [[1.0, 2.0, 3.0, 4.0]] * 2), r"coef has shape \(2, 4\)"),
        (_edit("coef", [1.0, 2.0, 3.0, 4.0]), "coef must be a list of rows"),
        (_edit("coef", [[1.0, 2.0, 3.0, "4"]]), "coef must be a list of numbers"),
        (_edit("coef", [[1.0, 2.0, 3.0, True]]), "coef must be a list of numbers"),
        (_edit("intercept", [0.0, 1.0]), r"intercept has shape \(2,\), expected \(1,\)"),
        (_edit("intercept", 0.5), "intercept must be a list of numbers"),
        (_edit("n_features_in", 5), r"coef has shape \(1, 4\), expected \(1, 5\)"),
        (_edit("n_features_in", 0), "n_features_in must be a positive integer"),
        (_edit("feature_names", ["a", "b"]), "2 feature_names for n_features_in = 4"),
        (_edit("feature_names", [1, 2, 3, 4]), "feature_names must be null or a list of str"),
        # three classes need a coefficient row per class
        (_edit("classes", [0, 1, 2]), "coef has shape \\(1, 4\\), expected \\(3, 4\\)"),
        (_edit("classes", [1]), "1 classes; a model has at least 2"),
        (_edit("classes", [1, 1]), "distinct labels in increasing order"),
        (_edit("classes", [1, 0]), "distinct labels in increasing order"),
        (_edit("classes", ["a", "b"]), "not all of dtype 'int64'"),
        (_edit("classes", [0.5, 1]), "not all of dtype 'int64'"),
        (_edit("classes_dtype", "complex128"), "not a supported label dtype"),
        (_edit("classes_dtype", "no such dtype"), "not a numpy dtype"),
        (_edit("params.solver", "magic"), "invalid parameters: solver must be one of"),
        (_edit("params.C", -1.0), "invalid parameters: C must be"),
        (_edit("params.colour", "red"), "unknown parameter.*'colour'"),
        (_edit("params.class_weight", [[0, "heavy"]]), "list of \\[label, weight\\] pairs"),
        (_edit("params.class_weight", [[0, 1.0], [0, 2.0]]), "label 0 twice"),
        (_edit("params", []), "params must be an object"),
        (_edit("fit.n_iter", -1), "fit.n_iter must be an integer >= 0"),
        (_edit("fit.converged", "yes"), "fit.converged must be true or false"),
        (_edit("fit.objective", None), "fit.objective must be a list of numbers"),
        (_edit("created", 20250101), "created must be a string"),
        (_edit("statistics", [1]), "statistics must be null or an object"),
        (_edit("statistics.cov", [[1.0]]), "statistics.cov must be a 5×5 nested list"),
        (_edit("statistics.cov", [[1.0] * 5] * 4 + [[0, "x", 0, 0, 0]]), "list of numbers"),
        (_edit("statistics.rank", 7), "statistics.rank must be an integer in \\[1, 5\\]"),
        (_edit("statistics.n_obs", -5.0), "statistics.n_obs must be positive"),
        (_edit("statistics.extra", 1), "unexpected key.*'statistics.extra'"),
        (_drop("inference_note"), "missing key.*'inference_note'"),
        (_edit("inference_note", 3), "inference_note must be null or a string"),
    ],
)
def test_invalid_fields_are_refused(saved, edit, match):
    path, document = saved
    edit(document)
    _write(path, document)
    with pytest.raises(ModelFileError, match=match) as error:
        load(path)
    assert str(path) in str(error.value)


def test_int8_labels_out_of_range(saved):
    path, document = saved
    document["classes_dtype"], document["classes"] = "int8", [0, 1000]
    _write(path, document)
    with pytest.raises(ModelFileError, match="do not fit dtype 'int8'"):
        load(path)


def test_long_string_label_does_not_get_truncated_by_dtype(saved):
    path, document = saved
    document["classes_dtype"], document["classes"] = "<U2", ["ab", "abc"]
    _write(path, document)
    with pytest.raises(ModelFileError, match="do not fit dtype '<U2'"):
        load(path)


@pytest.mark.parametrize(
    ("replace", "match"),
    [
        ("NaN", "contains NaN, but model files hold finite numbers only"),
        ("-Infinity", "contains -Infinity"),
        ("1e999", "coef contains a non-finite number"),
    ],
)
def test_non_finite_numbers_are_refused(saved, replace, match):
    path, document = saved
    text = path.read_text()
    first = repr(document["coef"][0][0])
    assert first in text
    path.write_text(text.replace(first, replace, 1))
    with pytest.raises(ModelFileError, match=match):
        load(path)


def test_newer_schema_names_the_versions(saved):
    path, document = saved
    document["schema_version"], document["library_version"] = 7, "9.0"
    document["something_new"] = {"a": 1}  # newer schemas may add keys: the version speaks first
    _write(path, document)
    with pytest.raises(ModelFileError, match=r"schema version 7 \(written by logistic 9\.0\)"):
        load(path)


def test_duplicate_keys_are_refused(saved):
    path, _ = saved
    text = path.read_text()
    path.write_text(text.replace('"estimator":', '"coef": [[0, 0, 0, 0]],\n  "estimator":', 1))
    with pytest.raises(ModelFileError, match="'coef' appears twice"):
        load(path)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "not a logistic model file: the file is empty"),
        (b"hello, world", "not a logistic model file: it is not valid JSON"),
        (b"[1, 2, 3]", "it holds a JSON array, not an object"),
        (b'"logistic-model"', "it holds a JSON string, not an object"),
        (b"null", "it holds a JSON null, not an object"),
        (b'{"format": "logistic-model", "schema_version": 1}', "missing key"),
        (b"\xff\xfe{\x00}\x00", "not UTF-8 text"),
        (b"[" * 100_000, "nested too deeply|not valid JSON"),
    ],
    ids=["empty", "text", "list", "string", "null", "stub", "utf16", "deep"],
)
def test_not_model_files(tmp_path, content, match):
    path = tmp_path / "m.json"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=match):
        load(path)


def test_truncated_file(saved):
    path, _ = saved
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 3, 1):
        path.write_bytes(data[:cut])
        with pytest.raises(ModelFileError, match="not valid JSON.*truncated"):
            load(path)


def test_missing_file_and_directory(tmp_path):
    missing = tmp_path / "nowhere.json"
    with pytest.raises(ModelFileError, match=re.escape(f"{missing} does not exist")):
        load(missing)
    with pytest.raises(ModelFileError, match=re.escape(f"cannot read model file {tmp_path}")):
        load(tmp_path)


def test_pickle_of_the_model_is_refused(tmp_path, model):
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model))
    with pytest.raises(ModelFileError, match="pickle, and pickles are never loaded"):
        load(path)
    path.write_bytes(pickle.dumps(model, protocol=0))  # no 0x80 header: still not ours
    with pytest.raises(ModelFileError, match="not a logistic model file: it is not (UTF-8|valid)"):
        load(path)


class _PlantsMarker:
    """Unpickling this creates a directory: the kind of side effect a model file must not have."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def test_crafted_pickle_never_runs(tmp_path):
    payload = pickle.dumps(_PlantsMarker(tmp_path / "control"))
    pickle.loads(payload)  # the payload is live: unpickling runs it
    assert (tmp_path / "control").exists()

    marker = tmp_path / "pwned"
    path = tmp_path / "model.json"
    path.write_bytes(pickle.dumps(_PlantsMarker(marker)))
    with pytest.raises(ModelFileError, match="pickles are never loaded"):
        load(path)
    assert not marker.exists()


# -- atomic writes -----------------------------------------------------------------------------


def _boom(*args, **kwargs):
    raise OSError("simulated failure")


@pytest.mark.parametrize("failing", ["replace", "fsync", "chmod"])
def test_failed_save_leaves_old_file_and_no_temporary(tmp_path, monkeypatch, model, failing):
    path = tmp_path / "m.json"
    persist.save(model, path)
    old = path.read_bytes()
    other = _fit(*_data(seed=9))
    monkeypatch.setattr(os, failing, _boom)
    with pytest.raises(OSError, match="simulated failure"):
        persist.save(other, path)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]
    assert path.read_bytes() == old
    assert np.array_equal(load(path).coef_, model.coef_)


def test_interrupted_save_cleans_up(tmp_path, monkeypatch, model):
    path = tmp_path / "m.json"

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        persist.save(model, path)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_failed_serialization_writes_nothing(tmp_path, monkeypatch, model):
    path = tmp_path / "m.json"
    persist.save(model, path)
    old = path.read_bytes()
    monkeypatch.setattr(json, "dumps", _boom)
    with pytest.raises(OSError, match="simulated failure"):
        persist.save(model, path)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]
    assert path.read_bytes() == old


_FORK_SAVERS = """
import itertools, os, sys
from logistic.io.model_file import load, save
models = [load(sys.argv[1]), load(sys.argv[2])]
print("ready", flush=True)
for line in sys.stdin:  # one target path per line: fork a child that saves to it forever
    pid = os.fork()
    if pid == 0:
        try:
            for model in itertools.cycle(models):
                save(model, line.rstrip("\\n"))
        finally:
            os._exit(1)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print(os.WTERMSIG(status) if os.WIFSIGNALED(status) else "exited", flush=True)
"""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
def test_sigkill_mid_save_never_leaves_a_partial_file(tmp_path):
    # Big files (about 90 kB) make a kill during a write likely, not just between saves.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3000))
    y = np.arange(60) % 2
    models = []
    for i, seed in enumerate((1, 2)):
        X_i = X + np.random.default_rng(seed).normal(scale=0.1, size=X.shape)
        models.append(_fit(X_i, y, penalty="l2", C=0.01, solver="lbfgs"))
        persist.save(models[-1], tmp_path / f"{'ab'[i]}.json")
    coefs = [m.coef_.tobytes() for m in models]

    # One interpreter imports logistic once and forks a saver per run: five real SIGKILLs
    # mid-save without paying five imports.
    env = {**os.environ, "PYTHONPATH": str(Path(logistic.__file__).parents[1])}
    forker = subprocess.Popen(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-c", _FORK_SAVERS,
         str(tmp_path / "a.json"), str(tmp_path / "b.json")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )
    seen = set()
    try:
        assert forker.stdout.readline() == "ready\n"
        for run in range(5):
            target = tmp_path / f"target{run}.json"
            persist.save(models[0], target)
            forker.stdin.write(f"{target}\n")
            forker.stdin.flush()
            pid = int(forker.stdout.readline())
            # Until the kill, read the file while it is being replaced: always complete.
            deadline = time.monotonic() + random.uniform(0.05, 0.2)
            while time.monotonic() < deadline:
                seen.add(load(target).coef_.tobytes())
            os.kill(pid, signal.SIGKILL)
            assert forker.stdout.readline() == f"{int(signal.SIGKILL)}\n"
            seen.add(load(target).coef_.tobytes())  # old or new, complete either way
    finally:
        forker.kill()
        forker.wait()
        forker.stdin.close()
        forker.stdout.close()
    assert seen == set(coefs)  # both models were read back: the savers did replace the file


# -- inference statistics ----------------------------------------------------------------------


def test_statistics_round_trip_so_a_loaded_summary_has_standard_errors(tmp_path, model):
    path = tmp_path / "m.json"
    persist.save(model, path)
    after = load(path)
    for name in ("cov_", "std_err_", "z_", "p_values_", "aic_", "bic_", "log_likelihood_"):
        assert np.array_equal(getattr(after, name), getattr(model, name)), name
    assert after.summary().table.equals(model.summary().table)
    assert str(after.summary()) == str(model.summary())


def test_penalized_model_keeps_its_note_and_has_no_statistics(tmp_path):
    model = _fit(*_data(), penalty="l2")
    path = tmp_path / "m.json"
    persist.save(model, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["statistics"] is None
    assert document["inference_note"] == model.inference_note_
    with pytest.raises(AttributeError, match="not reported for penalty='l2'"):
        _ = load(path).std_err_


def test_statistics_of_many_parameters_are_not_stored(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, persist.MAX_SAVED_PARAMETERS))
    y = X[:, 0] + rng.logistic(size=2000) > 0
    model = _fit(X, y)
    assert model.statistics_ is not None
    path = tmp_path / "m.json"
    persist.save(model, path)
    after = load(path)
    assert after.statistics_ is None
    with pytest.raises(AttributeError, match="not stored in model files above 300"):
        _ = after.std_err_
