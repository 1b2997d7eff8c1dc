"""Model files: a fitted ``LogisticRegression`` as versioned, human-readable JSON.

    save(model, path)      write the model, atomically
    load(path) -> model    read it back, validating every field

The file (schema version 2) is one JSON object, indented by 2, keys in this order::

    {
      "format": "logistic-model",             fixed tag: this is our file
      "schema_version": 2,                    bumped on any incompatible change
      "library_version": "0.1.0",             logistic.__version__ that wrote it (informational)
      "created": "2025-01-31T12:00:00+00:00", ISO 8601, UTC (informational)
      "estimator": "LogisticRegression",
      "params": {"C": 1.0, ...},              get_params() without ``callback``; a dict
                                              ``class_weight`` is a list of [label, weight]
                                              pairs (JSON object keys can only be strings)
      "classes": [0, 1],                      classes_, JSON values (int, float, bool, str)
      "classes_dtype": "int64",               numpy dtype of classes_: a name for bool, int,
                                              uint and float, "<U5" for str, "object"
      "coef": [[0.5, -1.25]],                 coef_, shape (1, n_features_in) for 2 classes,
                                              (K, n_features_in) for K > 2
      "intercept": [0.125],                   intercept_, shape (1,) or (K,)
      "n_features_in": 2,
      "feature_names": ["age", "dose"],       feature_names_in_, or null
      "fit": {"solver": "newton", "n_iter": 7, "converged": true, "objective": 0.31},
      "statistics": {"cov": [[...]], "rank": 3, "n_obs": 32.0,
                     "log_likelihood": -12.9, "null_log_likelihood": -20.6},
                                              the unpenalized fit's inference (intercept first),
                                              or null: penalized, or more than 300 parameters
      "inference_note": null,                 why there are no statistics, or null
      "formula": {"terms": [...], ...}        the formula as data, never code (formula_file),
                                              or null
    }

Schema 2 changed the formula object only; schema 1 files still load (see formula_file).

Floats are written by ``repr``, the shortest text that reads back to the same double, so a
loaded model predicts bit-for-bit what the saved one did; NaN and infinity are never written
(a fitted model's numbers are finite, and strict JSON has no spelling for them).

Not saved: the ``callback`` parameter (code, not data: a loaded model has
``callback=None``), and what describes the fit rather than the model: ``loss_history_``,
``grad_norm_history_`` and ``separation_``. The inference statistics are saved (so a loaded
model's ``summary()`` shows standard errors) up to 300 parameters; a larger covariance would
make the file too large to read, and its note then says so.

Why not pickle: unpickling runs whatever code the file names, so opening a model file from
anyone else would be running their program; a pickle also breaks when a class is renamed or
moved and cannot be read or diffed by a person. ``load`` reads with ``json.loads`` only and
refuses a pickle (a file starting with byte 0x80) before looking further.

Atomicity: ``save`` writes a temporary file in the target's directory, flushes and fsyncs
it, then ``os.replace``-s it onto the target (and fsyncs the directory where the platform
allows), so the path always holds either the old complete file or the new one. A failure
removes the temporary file and leaves an existing target untouched; only a hard crash (power
loss, SIGKILL) mid-save can leave a stray ``.<name>.*.tmp`` file beside it.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from logistic.exceptions import ModelFileError
from logistic.io.atomic import write_atomically
from logistic.io.formula import FormulaSpec
from logistic.models.logistic_regression import LogisticRegression

__all__ = ["FORMAT", "SCHEMA_VERSION", "load", "save"]

FORMAT = "logistic-model"
SCHEMA_VERSION = 2

_KEYS = (
    "format",
    "schema_version",
    "library_version",
    "created",
    "estimator",
    "params",
    "classes",
    "classes_dtype",
    "coef",
    "intercept",
    "n_features_in",
    "feature_names",
    "fit",
    "statistics",
    "inference_note",
    "formula",
)
_FIT_KEYS = ("solver", "n_iter", "converged", "objective")
_STATISTICS_KEYS = ("cov", "rank", "n_obs", "log_likelihood", "null_log_likelihood")
MAX_SAVED_PARAMETERS = 300
_ESTIMATOR = "LogisticRegression"
_NOT_SAVED_PARAMS = frozenset({"callback"})
_PICKLE_OPCODE_PROTO = b"\x80"


class _Invalid(Exception):
    """A reason the document is not a valid model; ``load`` adds the path."""


# -- save --------------------------------------------------------------------------------------
def save(model: LogisticRegression, path: str | os.PathLike[str]) -> None:
    """Writes the fitted ``model`` to ``path`` as JSON, atomically (see the module docstring).

    Raises
    ------
    sklearn.exceptions.NotFittedError
        ``model`` has not been fitted.
    TypeError
        ``model`` is not a ``logistic.LogisticRegression``.
    ValueError
        Something in the model cannot be stored faithfully: a non-finite coefficient,
        intercept or objective, a class label that is not a string, integer, float or
        boolean, a parameter that is not a JSON value. Nothing is written.
    FileNotFoundError, NotADirectoryError
        The directory of ``path`` does not exist (it is not created), or is not a
        directory. Nothing is written.
    OSError
        Writing failed (permissions, disk full, ...). An existing file at ``path`` is left
        as it was and the temporary file is removed.
    """
    if not isinstance(model, LogisticRegression):
        raise TypeError(f"save expects a logistic.LogisticRegression, got {type(model).__name__}")
    check_is_fitted(model)
    text = json.dumps(_document(model), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    write_atomically(os.fspath(path), lambda handle: handle.write(text), what="the model")


def _document(model: LogisticRegression) -> dict[str, Any]:
    from logistic import __version__

    n_features = int(model.n_features_in_)
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    rows = _score_rows(len(model.classes_))
    if coef.shape != (rows, n_features) or intercept.shape != (rows,):
        raise ValueError(
            f"cannot save a model with coef_ of shape {coef.shape} and intercept_ of shape "
            f"{intercept.shape}; expected ({rows}, {n_features}) and ({rows},)"
        )
    objective = float(model.objective_)
    for name, values in (("coef_", coef), ("intercept_", intercept), ("objective_", objective)):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"cannot save a model whose {name} is not finite: {values!r}")
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        names = [str(name) for name in names]
        if len(names) != n_features:
            raise ValueError(
                f"cannot save a model with {len(names)} feature names for {n_features} features"
            )
    classes, classes_dtype = _encode_classes(model.classes_)
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "library_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "estimator": _ESTIMATOR,
        "params": {
            name: _encode_param(name, value)
            for name, value in sorted(model.get_params(deep=False).items())
            if name not in _NOT_SAVED_PARAMS
        },
        "classes": classes,
        "classes_dtype": classes_dtype,
        "coef": coef.tolist(),
        "intercept": intercept.tolist(),
        "n_features_in": n_features,
        "feature_names": names,
        "fit": {
            "solver": str(model.solver_),
            "n_iter": int(np.asarray(model.n_iter_).ravel()[0]),
            "converged": bool(model.converged_),
            "objective": objective,
        },
        **_encode_statistics(model),
        "formula": None if getattr(model, "formula_", None) is None else model.formula_.to_dict(),
    }


def _encode_statistics(model: LogisticRegression) -> dict[str, Any]:
    fit = model.statistics_
    note = model.inference_note_
    if fit is not None and len(fit.terms) > MAX_SAVED_PARAMETERS:
        fit, note = None, (
            f"The fit's statistics are not stored in model files above {MAX_SAVED_PARAMETERS} "
            "parameters; refit on the data for standard errors."
        )
    if fit is None:
        return {"statistics": None, "inference_note": note}
    numbers = (fit.cov, fit.n_obs, fit.log_likelihood, fit.null_log_likelihood)
    if not all(np.all(np.isfinite(value)) for value in numbers):
        raise ValueError("cannot save a model whose inference statistics are not finite")
    statistics = {
        "cov": np.asarray(fit.cov, dtype=np.float64).tolist(),
        "rank": int(fit.rank),
        "n_obs": float(fit.n_obs),
        "log_likelihood": float(fit.log_likelihood),
        "null_log_likelihood": float(fit.null_log_likelihood),
    }
    return {"statistics": statistics, "inference_note": note}


def _json_scalar(value: Any, what: str) -> str | int | float | bool:
    """A label or parameter as a plain JSON string, integer, float or boolean."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isfinite(value):
            return value
        raise ValueError(f"cannot save {what} {value!r}: model files hold finite numbers only")
    raise ValueError(
        f"cannot save {what} {value!r} of type {type(value).__name__}: a model file holds "
        "strings, integers, floats and booleans"
    )


def _encode_param(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "class_weight" and isinstance(value, dict):
        return [
            [_json_scalar(label, "class_weight label"), _json_scalar(weight, "class weight")]
            for label, weight in value.items()
        ]
    return _json_scalar(value, f"parameter {name}=")


def _encode_classes(classes: Any) -> tuple[list[Any], str]:
    """classes_ as JSON values plus the numpy dtype that rebuilds them."""
    classes = np.asarray(classes)
    kind = classes.dtype.kind
    if kind in "biu" or (kind == "f" and classes.dtype.itemsize <= 8):
        dtype = classes.dtype.name
    elif kind == "U":
        dtype = classes.dtype.str
    elif kind == "O":
        dtype = "object"
    else:
        raise ValueError(
            f"cannot save class labels of dtype {classes.dtype}: a model file holds labels "
            "that are strings, integers, floats or booleans"
        )
    return [_json_scalar(label, "class label") for label in classes.tolist()], dtype


# -- load --------------------------------------------------------------------------------------
def _on_last_line(text: str, position: int) -> bool:
    """Whether a JSON error at ``position`` lies on the text's last (non-blank) line: where a
    cut file breaks, whether the cut fell between tokens or inside one (a number's "1.5e")."""
    return "\n" not in text[position:].rstrip()


def load(path: str | os.PathLike[str]) -> LogisticRegression:
    """Reads a model written by ``save``: a fitted ``LogisticRegression``.

    Only ``json.loads`` reads the file: never pickle, never eval. Every field is checked, so
    a loaded model predicts exactly what the saved one did or loading fails.

    Raises
    ------
    ModelFileError
        The file is missing or unreadable, empty, not UTF-8, not JSON (truncated, say), a
        pickle, not a logistic model (wrong ``format``), of a newer schema version, or has a
        missing, extra or invalid field. The message names the path and the reason.
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        raise ModelFileError(f"model file {name} does not exist") from None
    except OSError as error:
        raise ModelFileError(
            f"cannot read model file {name}: {error.strerror or error}"
        ) from error
    document = _parse(data, name)
    try:
        return _model(document, name)
    except _Invalid as reason:
        raise ModelFileError(f"{name} is not a valid logistic model file: {reason}") from None


def _parse(data: bytes, name: str) -> dict[str, Any]:
    def not_ours(reason: str) -> ModelFileError:
        return ModelFileError(f"{name} is not a logistic model file: {reason}")

    if not data:
        raise not_ours("the file is empty")
    if data.startswith(_PICKLE_OPCODE_PROTO):
        raise not_ours(
            "it is a Python pickle, and pickles are never loaded (unpickling can run arbitrary "
            "code); model files are JSON written by LogisticRegression.save"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise not_ours(f"it is not UTF-8 text ({error.reason} at byte {error.start})") from None
    try:
        document = json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys
        )
    except _Invalid as reason:
        raise ModelFileError(f"{name} is not a valid logistic model file: {reason}") from None
    except json.JSONDecodeError as error:
        raise not_ours(
            f"it is not valid JSON ({error.msg} at line {error.lineno} column {error.colno}"
            f"{'; the file looks truncated' if _on_last_line(text, error.pos) else ''})"
        ) from None
    except RecursionError:
        raise not_ours("its JSON is nested too deeply") from None
    if not isinstance(document, dict):
        raise not_ours(f"it holds a JSON {_json_type(document)}, not an object")
    tag = document.get("format", _MISSING)
    if tag is _MISSING:
        raise not_ours("it has no 'format' key")
    if tag != FORMAT:
        raise not_ours(f"its 'format' is {tag!r}, expected {FORMAT!r}")
    return document


_MISSING = object()


def _reject_constant(constant: str) -> None:
    raise _Invalid(f"it contains {constant}, but model files hold finite numbers only")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _Invalid(f"the key {key!r} appears twice in one JSON object")
        document[key] = value
    return document


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _model(document: dict[str, Any], name: str) -> LogisticRegression:
    from logistic import __version__

    version = document.get("schema_version", _MISSING)
    if version is _MISSING:
        raise _Invalid("missing key 'schema_version'")
    if not _is_int(version) or version < 1:
        raise _Invalid(f"schema_version must be a positive integer, got {version!r}")
    if version > SCHEMA_VERSION:
        written_by = document.get("library_version")
        by = f" by logistic {written_by}" if isinstance(written_by, str) else ""
        raise ModelFileError(
            f"{name} has schema version {version} (written{by}); this logistic "
            f"{__version__} reads schema versions up to {SCHEMA_VERSION}: loading it needs a "
            "newer logistic (pip install --upgrade logistic)"
        )
    _check_keys(document, _KEYS, "")
    for key in ("library_version", "created"):
        if not isinstance(document[key], str):
            raise _Invalid(f"{key} must be a string, got {document[key]!r}")
    if document["estimator"] != _ESTIMATOR:
        raise _Invalid(
            f"it holds a {document['estimator']!r} estimator; this logistic loads "
            f"{_ESTIMATOR!r} only"
        )

    n_features = document["n_features_in"]
    if not _is_int(n_features) or n_features < 1:
        raise _Invalid(f"n_features_in must be a positive integer, got {n_features!r}")
    classes = _classes(document["classes"], document["classes_dtype"])
    rows = _score_rows(len(classes))
    coef = _coef(document["coef"], rows, n_features)
    intercept = _float_list(document["intercept"], "intercept", (rows,))
    names = document["feature_names"]
    if names is not None:
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise _Invalid("feature_names must be null or a list of strings")
        if len(names) != n_features:
            raise _Invalid(
                f"{len(names)} feature_names for n_features_in = {n_features} features"
            )
    fit = document["fit"]
    if not isinstance(fit, dict):
        raise _Invalid(f"fit must be an object, got a JSON {_json_type(fit)}")
    _check_keys(fit, _FIT_KEYS, "fit.")
    if not isinstance(fit["solver"], str):
        raise _Invalid(f"fit.solver must be a string, got {fit['solver']!r}")
    if not _is_int(fit["n_iter"]) or fit["n_iter"] < 0:
        raise _Invalid(f"fit.n_iter must be an integer >= 0, got {fit['n_iter']!r}")
    if not isinstance(fit["converged"], bool):
        raise _Invalid(f"fit.converged must be true or false, got {fit['converged']!r}")
    objective = float(_float_list([fit["objective"]], "fit.objective", (1,))[0])

    model = LogisticRegression(**_params(document["params"]))
    model.classes_ = classes
    model.coef_ = coef
    model.intercept_ = intercept
    model.n_features_in_ = n_features
    if names is not None:
        model.feature_names_in_ = np.asarray(names, dtype=object)
    model.solver_ = fit["solver"]
    model.n_iter_ = np.array([fit["n_iter"]])
    model.converged_ = fit["converged"]
    model.objective_ = objective
    model.statistics_, model.inference_note_ = _statistics(document, model)
    model.formula_ = _formula(document["formula"], model, version)
    return model


def _formula(saved: Any, model: LogisticRegression, version: int) -> FormulaSpec | None:
    if saved is None:
        return None
    try:
        # formula_file checks every part: the formula is data there, never code to evaluate
        spec = FormulaSpec.from_dict(saved, schema_version=version)
    except ValueError as error:
        raise _Invalid(f"formula is malformed: {error}") from None
    names = getattr(model, "feature_names_in_", None)
    if names is None or list(spec.columns) != [str(n) for n in names]:
        raise _Invalid("formula.columns do not match feature_names")
    if spec.intercept != model.fit_intercept:
        raise _Invalid("formula.intercept does not match params.fit_intercept")
    return spec


def _statistics(document: dict[str, Any], model: LogisticRegression):
    """The saved FitStatistics (or None) and the inference note, validated."""
    note = document["inference_note"]
    if note is not None and not isinstance(note, str):
        raise _Invalid("inference_note must be null or a string")
    saved = document["statistics"]
    if saved is None:
        return None, note or "The model file holds no inference statistics."
    if not isinstance(saved, dict):
        raise _Invalid(f"statistics must be null or an object, got a JSON {_json_type(saved)}")
    _check_keys(saved, _STATISTICS_KEYS, "statistics.")
    terms = model._inference_terms()
    p = len(terms)
    cov = saved["cov"]
    if not isinstance(cov, list) or len(cov) != p or not all(isinstance(r, list) for r in cov):
        raise _Invalid(f"statistics.cov must be a {p}×{p} nested list")
    cov = np.vstack([_float_list(row, "statistics.cov", (p,)) for row in cov])
    rank = saved["rank"]
    if not _is_int(rank) or not 1 <= rank <= p:
        raise _Invalid(f"statistics.rank must be an integer in [1, {p}], got {rank!r}")
    n_obs, log_likelihood, null_log_likelihood = _float_list(
        [saved["n_obs"], saved["log_likelihood"], saved["null_log_likelihood"]],
        "statistics.n_obs/log_likelihood/null_log_likelihood",
        (3,),
    )
    if n_obs <= 0:
        raise _Invalid(f"statistics.n_obs must be positive, got {n_obs!r}")
    fit = model._rebuild_statistics(
        cov, rank, float(n_obs), float(log_likelihood), float(null_log_likelihood)
    )
    return fit, note


def _check_keys(document: dict[str, Any], expected: tuple[str, ...], prefix: str) -> None:
    missing = [key for key in expected if key not in document]
    extra = sorted(key for key in document if key not in expected)
    problems = []
    if missing:
        problems.append("missing key(s) " + ", ".join(repr(prefix + key) for key in missing))
    if extra:
        problems.append("unexpected key(s) " + ", ".join(repr(prefix + key) for key in extra))
    if problems:
        raise _Invalid("; ".join(problems))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _float_list(value: Any, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """A flat list of finite numbers of the given length, as float64."""
    if not isinstance(value, list) or not all(_is_number(v) for v in value):
        raise _Invalid(f"{what} must be a list of numbers")
    if (len(value),) != shape:
        raise _Invalid(f"{what} has shape ({len(value)},), expected {shape}")
    try:
        array = np.array(value, dtype=np.float64)
    except OverflowError:
        array = np.array([np.inf])
    if not np.all(np.isfinite(array)):
        raise _Invalid(f"{what} contains a non-finite number")
    return array


def _score_rows(n_classes: int) -> int:
    """Rows of coef_: one score for two classes, one per class for more."""
    return 1 if n_classes == 2 else n_classes


def _coef(value: Any, rows: int, n_features: int) -> np.ndarray:
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise _Invalid("coef must be a list of rows (a nested list)")
    lengths = {len(row) for row in value}
    if len(lengths) > 1:
        raise _Invalid(f"coef rows have different lengths {sorted(lengths)}")
    shape = (len(value), lengths.pop() if lengths else 0)
    if shape != (rows, n_features):
        raise _Invalid(
            f"coef has shape {shape}, expected ({rows}, {n_features}) for the classes and "
            "n_features_in"
        )
    return np.vstack([_float_list(row, "coef", (n_features,)) for row in value])


def _classes(values: Any, dtype_name: Any) -> np.ndarray:
    if not isinstance(values, list):
        raise _Invalid(f"classes must be a list, got a JSON {_json_type(values)}")
    if len(values) < 2:
        raise _Invalid(f"it has {len(values)} classes; a model has at least 2")
    if not isinstance(dtype_name, str):
        raise _Invalid(f"classes_dtype must be a string, got {dtype_name!r}")
    try:
        dtype = np.dtype(dtype_name)
    except TypeError:
        raise _Invalid(f"classes_dtype {dtype_name!r} is not a numpy dtype") from None
    kind = dtype.kind
    accepts = {
        "b": lambda v: isinstance(v, bool),
        "i": _is_int,
        "u": _is_int,
        "f": _is_number,
        "U": lambda v: isinstance(v, str),
        "O": lambda v: isinstance(v, str | int | float),
    }.get(kind)
    if accepts is None or (kind == "f" and dtype.itemsize > 8):
        raise _Invalid(f"classes_dtype {dtype_name!r} is not a supported label dtype")
    if not all(accepts(v) for v in values):
        raise _Invalid(f"classes {values!r} are not all of dtype {dtype_name!r}")
    try:
        classes = np.asarray(values, dtype=dtype)
    except (OverflowError, TypeError, ValueError):
        classes = None
    if classes is None or classes.shape != (len(values),) or (
        kind != "O" and classes.tolist() != values
    ):
        raise _Invalid(f"classes {values!r} do not fit dtype {dtype_name!r}")
    if kind == "f" and not np.all(np.isfinite(classes)):
        raise _Invalid("classes contain a non-finite number")
    try:
        increasing = all(bool(a < b) for a, b in zip(classes[:-1], classes[1:], strict=True))
    except TypeError:
        increasing = False
    if not increasing:
        raise _Invalid(f"classes {values!r} must be distinct labels in increasing order")
    return classes


def _params(params: Any) -> dict[str, Any]:
    if not isinstance(params, dict):
        raise _Invalid(f"params must be an object, got a JSON {_json_type(params)}")
    known = LogisticRegression().get_params(deep=False)
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise _Invalid(
            f"unknown parameter(s) {', '.join(map(repr, unknown))} for LogisticRegression"
        )
    decoded = {}
    for name, value in params.items():
        if name == "class_weight" and isinstance(value, list):
            value = _class_weight(value)
        elif value is not None and not isinstance(value, str | int | float):
            raise _Invalid(f"parameter {name} has an invalid value {value!r}")
        decoded[name] = value
    model = LogisticRegression(**decoded)
    try:
        model._check_params()
    except (TypeError, ValueError) as error:
        raise _Invalid(f"invalid parameters: {error}") from None
    return decoded


def _class_weight(pairs: list[Any]) -> dict[Any, float]:
    weights: dict[Any, float] = {}
    for pair in pairs:
        ok = isinstance(pair, list) and len(pair) == 2
        ok = ok and isinstance(pair[0], str | int | float) and _is_number(pair[1])
        if not ok:
            raise _Invalid("params.class_weight must be a list of [label, weight] pairs")
        if pair[0] in weights:
            raise _Invalid(f"params.class_weight gives label {pair[0]!r} twice")
        weights[pair[0]] = pair[1]
    return weights
