"""Model files: a fitted ``LogisticRegression`` as versioned, human-readable JSON.

    save(model, path)      write the model, atomically
    load(path) -> model    read it back, validating every field

This module owns the document: its schema, the validation of every field, the atomic
write and the reading. What turns an estimator into the document's fields and back
(``models/persistence.py``) registers itself here with ``register_model_kind``, so that
this layer never imports the estimators above it.

The file (schema version 3, or 2: see below) is one JSON object, indented by 2, keys in this
order::

    {
      "format": "logistic-model",             fixed tag: this is our file
      "schema_version": 3,                    bumped on any incompatible change; the oldest
                                              schema that holds the document (2 where it
                                              has no "separation")
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
      "separation": {                         separation_, the separating direction the fit's
        "kind": "quasi-complete",             screen found ("complete" or "quasi-complete");
        "n_separated": 40,                    the samples it separates;
        "features": ["dose"],                 the columns in it (separation_.names), of
                                              feature_names (x1, x2, ... for unnamed columns);
        "involved": [["dose", "Intercept"]],  per score row (one, or one per class), the
                                              coefficients that diverge (separation_.involved;
                                              the summary marks their terms †): feature names
                                              and "Intercept", or null;
        "direction": [[0.0, 1.0, -2.5]]       separation_.direction, rows × (n_features_in
      },                                      + intercept), intercept last; null above 300
                                              numbers. Schema 3 only, and written only
                                              where the fit found a separation (else the
                                              file is schema 2, without the key); null
                                              reads as none
      "formula": {"terms": [...], ...}        the formula as data, never code (formula_file),
                                              or null
      "data": {"offset": "logt",              schema 4 only, written only for a fit with an
               "grouped": {"n_groups": 40,    offset (its name; a formula's offset(col) keeps
                 "n_trials": 512.0,           its column in formula.offset) or grouped
                 "saturated_log_likelihood":  binomial data (trials=: G groups, N trials and
                   -50.2}}                    ℓ of the saturated model); else absent
    }

Schema 4 added "data" (a file without it is written as schema 3 or 2, as before).

Schema 3 added "separation" (a file without one is written as schema 2, so that an older
logistic still reads it; one with it tells an older logistic that it needs a newer one rather
than that it has an unexpected key). Schema 2 changed the formula object only; schema 1 and 2
files still load (a loaded model's ``separation_`` is then None, as for a fit without
separation). Every part of "separation" is checked on load: its names must be the model's
features (or "Intercept", in "involved"), each once; the rows must match the classes; the
direction's numbers are finite. A loaded model whose file holds no direction (null) has
``separation_.direction`` of NaN (unknown; the summary and ``explain`` do not use it).

Floats are written by ``repr``, the shortest text that reads back to the same double, so a
loaded model predicts bit-for-bit what the saved one did; NaN and infinity are never written
(a fitted model's numbers are finite, and strict JSON has no spelling for them).

Not saved: the ``callback`` parameter (code, not data: a loaded model has
``callback=None``), and what describes the fit rather than the model: ``loss_history_`` and
``grad_norm_history_``. ``separation_`` is saved, because what the summary (its † marks and
note), ``explain`` and the report say of the estimates depends on it. The inference
statistics are saved (so a loaded model's ``summary()`` shows standard errors) up to 300
parameters; a larger covariance would make the file too large to read, and its note then
says so.

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
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from logistic.exceptions import ModelFileError
from logistic.io.atomic import write_atomically
from logistic.io.model_bytes import first_unencodable, read_model_bytes
from logistic.io.model_fields import (
    MAX_SAVED_PARAMETERS,
    InvalidModelFile,
    SavedSeparation,
    SavedStatistics,
    check_keys,
    encode_classes,
    encode_param,
    encode_separation,
    encode_statistics,
    float_list,
    is_int,
    json_type,
    read_classes,
    read_coef,
    read_data,
    read_formula,
    read_params,
    read_separation,
    read_statistics,
    score_rows,
)
from logistic.io.model_kinds import import_declared_kinds

__all__ = [
    "FORMAT",
    "MAX_SAVED_PARAMETERS",
    "SCHEMA_VERSION",
    "InvalidModelFile",
    "ModelFields",
    "ModelKind",
    "SavedSeparation",
    "SavedStatistics",
    "encode_classes",
    "encode_param",
    "encode_separation",
    "encode_statistics",
    "load",
    "read_formula",
    "read_data",
    "read_separation",
    "read_statistics",
    "register_model_kind",
    "save",
    "score_rows",
]

FORMAT = "logistic-model"
SCHEMA_VERSION = 4
# The schema that added the "separation" key; a document without one is written as schema 2.
_SEPARATION_SINCE = 3
# The schema that added the "data" key (an offset, grouped data); written only with one.
_DATA_SINCE = 4

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
    "separation",
    "formula",
    "data",
)
_HEADER_KEYS = _KEYS[:5]
_FIT_KEYS = ("solver", "n_iter", "converged", "objective")
_PICKLE_OPCODE_PROTO = b"\x80"


_Invalid = InvalidModelFile  # short, for the many checks below


@dataclass(frozen=True)
class ModelFields:
    """A document's fields, each checked on its own: classes (K,), coef (R, d),
    intercept (R,), feature_names (d,) or None; ``params``, ``statistics``, ``formula``
    and ``separation`` (None before schema 3) as read (what they must match is the
    estimator's to check)."""

    schema_version: int
    params: dict[str, Any]
    classes: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    n_features: int
    feature_names: list[str] | None
    solver: str
    n_iter: int
    converged: bool
    objective: float
    statistics: Any
    inference_note: Any
    formula: Any
    separation: Any = None
    data: Any = None


@dataclass(frozen=True)
class ModelKind:
    """The estimator a model file holds: its name (the document's "estimator"), its type
    (what ``save`` accepts), its fields (everything after the header keys, in ``_KEYS``
    order) and how checked fields become a fitted estimator again."""

    name: str
    estimator_type: type
    fields: Callable[[Any], dict[str, Any]]
    restore: Callable[[ModelFields], Any]
    #: (rows of coef, length of intercept) for K classes; None: ``score_rows`` for both
    shapes: Callable[[int], tuple[int, int]] | None = None
    #: whether the classes must be stored in increasing order (an ordinal model keeps its
    #: categories' order instead)
    sorted_classes: bool = True


_KINDS: list[ModelKind] = []


def register_model_kind(kind: ModelKind) -> None:
    """Makes ``save`` and ``load`` handle ``kind`` (the estimators register themselves)."""
    if all(known.name != kind.name for known in _KINDS):
        _KINDS.append(kind)


def _kinds() -> list[ModelKind]:
    """The registered kinds, after importing the modules declared to register one
    (``import logistic`` imports no estimator: io/model_kinds.py)."""
    import_declared_kinds()
    return _KINDS


def _kind_named(name: str) -> ModelKind | None:
    return next((kind for kind in _kinds() if kind.name == name), None)


# -- save --------------------------------------------------------------------------------------
def save(model: Any, path: str | os.PathLike[str]) -> None:
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
    kind = next((k for k in _kinds() if isinstance(model, k.estimator_type)), None)
    if kind is None:
        expected = " or ".join(f"logistic.{k.name}" for k in _KINDS) or "logistic estimator"
        raise TypeError(f"save expects a {expected}, got {type(model).__name__}")
    check_is_fitted(model)
    text = json.dumps(_document(kind, model), indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"
    write_atomically(os.fspath(path), lambda handle: handle.write(text), what="the model")


def _document(kind: ModelKind, model: Any) -> dict[str, Any]:
    from logistic import __version__

    fields = kind.fields(model)
    version = _SEPARATION_SINCE if fields.get("separation") is not None else _SEPARATION_SINCE - 1
    if fields.get("data") is not None:
        version = _DATA_SINCE
    header = {
        "format": FORMAT,
        "schema_version": version,
        "library_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "estimator": kind.name,
    }
    return {**header, **{key: fields[key] for key in _keys(version)[len(_HEADER_KEYS):]}}


def _keys(version: int) -> tuple[str, ...]:
    """The keys of a document of schema ``version``, in order."""
    absent = {"data"} if version < _DATA_SINCE else set()
    if version < _SEPARATION_SINCE:
        absent.add("separation")
    return tuple(k for k in _KEYS if k not in absent)


# -- load --------------------------------------------------------------------------------------
def _on_last_line(text: str, position: int) -> bool:
    """Whether a JSON error at ``position`` lies on the text's last (non-blank) line: where a
    cut file breaks, whether the cut fell between tokens or inside one (a number's "1.5e")."""
    return "\n" not in text[position:].rstrip()


def load(path: str | os.PathLike[str]) -> Any:
    """Reads a model written by ``save``: a fitted ``LogisticRegression``.

    Only ``json.loads`` reads the file: never pickle, never eval. Every field is checked, so
    a loaded model predicts exactly what the saved one did or loading fails.

    Raises
    ------
    ModelFileError
        The file is missing or unreadable, empty, not UTF-8, not JSON (truncated, say), a
        pickle, not a logistic model (wrong ``format``), of a newer schema version, or has a
        missing, extra or invalid field; a device or more than 512 MiB
        (:mod:`logistic.io.model_bytes`), an integer of over 4,300 digits, a lone surrogate
        in a string. The message names the path and the reason.
    """
    name = os.fspath(path)
    document = _parse(read_model_bytes(name), name)
    try:
        kind, fields = _fields(document, name)
        return kind.restore(fields)
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
    except ValueError as error:  # an integer of more than 4,300 digits (int_max_str_digits)
        raise not_ours(f"it holds a number that cannot be read ({error})"[:300]) from None
    bad_text = first_unencodable(document, text)
    if bad_text is not None:
        raise not_ours(f"it holds text that is not valid Unicode (a lone surrogate in {bad_text})")
    if not isinstance(document, dict):
        raise not_ours(f"it holds a JSON {json_type(document)}, not an object")
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


def _fields(document: dict[str, Any], name: str) -> tuple[ModelKind, ModelFields]:
    """The estimator kind of a parsed document and its fields, each checked on its own."""
    from logistic import __version__

    version = document.get("schema_version", _MISSING)
    if version is _MISSING:
        raise _Invalid("missing key 'schema_version'")
    if not is_int(version) or version < 1:
        raise _Invalid(f"schema_version must be a positive integer, got {version!r}")
    if version > SCHEMA_VERSION:
        written_by = document.get("library_version")
        by = f" by logistic {written_by}" if isinstance(written_by, str) else ""
        raise ModelFileError(
            f"{name} has schema version {version} (written{by}); this logistic "
            f"{__version__} reads schema versions up to {SCHEMA_VERSION}: loading it needs a "
            "newer logistic (pip install --upgrade logistic)"
        )
    check_keys(document, _keys(version), "")
    for key in ("library_version", "created"):
        if not isinstance(document[key], str):
            raise _Invalid(f"{key} must be a string, got {document[key]!r}")
    kind = _kind_named(document["estimator"])
    if kind is None:
        loads = " or ".join(repr(k.name) for k in _KINDS)
        raise _Invalid(
            f"it holds a {document['estimator']!r} estimator; this logistic loads {loads} only"
        )

    n_features = document["n_features_in"]
    if not is_int(n_features) or n_features < 1:
        raise _Invalid(f"n_features_in must be a positive integer, got {n_features!r}")
    classes = read_classes(document["classes"], document["classes_dtype"],
                           increasing=kind.sorted_classes)
    rows = score_rows(len(classes))
    rows, n_intercepts = (rows, rows) if kind.shapes is None else kind.shapes(len(classes))
    coef = read_coef(document["coef"], rows, n_features)
    intercept = float_list(document["intercept"], "intercept", (n_intercepts,))
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
        raise _Invalid(f"fit must be an object, got a JSON {json_type(fit)}")
    check_keys(fit, _FIT_KEYS, "fit.")
    if not isinstance(fit["solver"], str):
        raise _Invalid(f"fit.solver must be a string, got {fit['solver']!r}")
    if not is_int(fit["n_iter"]) or fit["n_iter"] < 0:
        raise _Invalid(f"fit.n_iter must be an integer >= 0, got {fit['n_iter']!r}")
    if not isinstance(fit["converged"], bool):
        raise _Invalid(f"fit.converged must be true or false, got {fit['converged']!r}")
    objective = float(float_list([fit["objective"]], "fit.objective", (1,))[0])
    fields = ModelFields(
        schema_version=version,
        params=read_params(document["params"]),
        classes=classes,
        coef=coef,
        intercept=intercept,
        n_features=n_features,
        feature_names=names,
        solver=fit["solver"],
        n_iter=fit["n_iter"],
        converged=fit["converged"],
        objective=objective,
        statistics=document["statistics"],
        inference_note=document["inference_note"],
        formula=document["formula"],
        separation=document.get("separation"),
        data=document.get("data"),
    )
    return kind, fields


