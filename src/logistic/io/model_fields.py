"""The fields of a model file (``model_file.py``): each one written and read back checked.

Writing: labels, parameters and statistics as plain JSON values (``encode_*``). Reading:
every field against its rules (``read_*``, ``float_list``, ``check_keys``), raising
``InvalidModelFile`` with the reason; ``model_file.load`` adds the path.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from logistic.io.formula import FormulaSpec
from logistic.io.formula_file import decode as decode_formula

__all__ = [
    "MAX_SAVED_PARAMETERS",
    "InvalidModelFile",
    "SavedSeparation",
    "SavedStatistics",
    "check_keys",
    "encode_classes",
    "encode_param",
    "encode_separation",
    "encode_statistics",
    "float_list",
    "is_int",
    "is_number",
    "json_type",
    "read_classes",
    "read_coef",
    "read_data",
    "read_formula",
    "read_params",
    "read_separation",
    "read_statistics",
    "score_rows",
]

_STATISTICS_KEYS = ("cov", "rank", "n_obs", "log_likelihood", "null_log_likelihood")
_SEPARATION_KEYS = ("kind", "n_separated", "features", "involved", "direction")
_SEPARATION_KINDS = ("complete", "quasi-complete")


MAX_SAVED_PARAMETERS = 300


class InvalidModelFile(Exception):
    """A reason the document is not a valid model; ``load`` adds the path."""


def encode_statistics(fit: Any, note: str | None) -> dict[str, Any]:
    """The "statistics" and "inference_note" fields of a fit's FitStatistics (or None)."""
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


def encode_param(name: str, value: Any) -> Any:
    """A parameter as JSON: a dict ``class_weight`` as [label, weight] pairs."""
    if value is None:
        return None
    if name == "class_weight" and isinstance(value, dict):
        return [
            [_json_scalar(label, "class_weight label"), _json_scalar(weight, "class weight")]
            for label, weight in value.items()
        ]
    return _json_scalar(value, f"parameter {name}=")


def encode_classes(classes: Any) -> tuple[list[Any], str]:
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


def json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def read_formula(saved: Any, version: int) -> FormulaSpec | None:
    """The "formula" field as a FormulaSpec (None for null), every part checked."""
    if saved is None:
        return None
    try:
        # formula_file checks every part: the formula is data there, never code to evaluate
        # schema 3 added the "separation" field only: its formulas are schema 2's
        return decode_formula(saved, min(version, 2))
    except ValueError as error:
        raise InvalidModelFile(f"formula is malformed: {error}") from None


@dataclass(frozen=True)
class SavedStatistics:
    """The "statistics" field: cov (p, p), its rank, n_obs and the log-likelihoods."""

    cov: np.ndarray
    rank: int
    n_obs: float
    log_likelihood: float
    null_log_likelihood: float


def read_statistics(saved: Any, note: Any, p: int) -> tuple[SavedStatistics | None, str]:
    """(the "statistics" field for p estimates, or None; the inference note), validated."""
    if note is not None and not isinstance(note, str):
        raise InvalidModelFile("inference_note must be null or a string")
    if saved is None:
        return None, note or "The model file holds no inference statistics."
    if not isinstance(saved, dict):
        raise InvalidModelFile(
            f"statistics must be null or an object, got a JSON {json_type(saved)}"
        )
    check_keys(saved, _STATISTICS_KEYS, "statistics.")
    cov = saved["cov"]
    if not isinstance(cov, list) or len(cov) != p or not all(isinstance(r, list) for r in cov):
        raise InvalidModelFile(f"statistics.cov must be a {p}×{p} nested list")
    cov = np.vstack([float_list(row, "statistics.cov", (p,)) for row in cov])
    check_covariance(cov)
    rank = saved["rank"]
    if not is_int(rank) or not 1 <= rank <= p:
        raise InvalidModelFile(f"statistics.rank must be an integer in [1, {p}], got {rank!r}")
    n_obs, log_likelihood, null_log_likelihood = float_list(
        [saved["n_obs"], saved["log_likelihood"], saved["null_log_likelihood"]],
        "statistics.n_obs/log_likelihood/null_log_likelihood",
        (3,),
    )
    if n_obs <= 0:
        raise InvalidModelFile(f"statistics.n_obs must be positive, got {n_obs!r}")
    saved_statistics = SavedStatistics(
        cov, rank, float(n_obs), float(log_likelihood), float(null_log_likelihood)
    )
    return saved_statistics, note


def check_covariance(cov: np.ndarray) -> None:
    """A covariance: symmetric (to rounding: 1e-8 of its largest entry) with a
    non-negative diagonal; a negative variance would print as standard error 0, z = inf."""
    negative = np.flatnonzero(np.diag(cov) < 0)
    if negative.size:
        raise InvalidModelFile(
            f"statistics.cov has a negative variance on its diagonal (entry {negative[0]}: "
            f"{cov[negative[0], negative[0]]!r}); a covariance's diagonal is >= 0"
        )
    if not np.allclose(cov, cov.T, rtol=1e-8, atol=1e-8 * float(np.abs(cov).max(initial=0.0))):
        raise InvalidModelFile("statistics.cov is not symmetric, as a covariance must be")


def check_keys(document: dict[str, Any], expected: tuple[str, ...], prefix: str) -> None:
    missing = [key for key in expected if key not in document]
    extra = sorted(key for key in document if key not in expected)
    problems = []
    if missing:
        problems.append("missing key(s) " + ", ".join(repr(prefix + key) for key in missing))
    if extra:
        problems.append("unexpected key(s) " + ", ".join(repr(prefix + key) for key in extra))
    if problems:
        raise InvalidModelFile("; ".join(problems))


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def float_list(value: Any, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """A flat list of finite numbers of the given length, as float64."""
    if not isinstance(value, list) or not all(is_number(v) for v in value):
        raise InvalidModelFile(f"{what} must be a list of numbers")
    if (len(value),) != shape:
        raise InvalidModelFile(f"{what} has shape ({len(value)},), expected {shape}")
    try:
        array = np.array(value, dtype=np.float64)
    except OverflowError:
        array = np.array([np.inf])
    if not np.all(np.isfinite(array)):
        raise InvalidModelFile(f"{what} contains a non-finite number")
    return array


def score_rows(n_classes: int) -> int:
    """Rows of coef_: one score for two classes, one per class for more."""
    return 1 if n_classes == 2 else n_classes


def read_coef(value: Any, rows: int, n_features: int) -> np.ndarray:
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise InvalidModelFile("coef must be a list of rows (a nested list)")
    lengths = {len(row) for row in value}
    if len(lengths) > 1:
        raise InvalidModelFile(f"coef rows have different lengths {sorted(lengths)}")
    shape = (len(value), lengths.pop() if lengths else 0)
    if shape != (rows, n_features):
        raise InvalidModelFile(
            f"coef has shape {shape}, expected ({rows}, {n_features}) for the classes and "
            "n_features_in"
        )
    return np.vstack([float_list(row, "coef", (n_features,)) for row in value])


def read_classes(values: Any, dtype_name: Any, increasing: bool = True) -> np.ndarray:
    if not isinstance(values, list):
        raise InvalidModelFile(f"classes must be a list, got a JSON {json_type(values)}")
    if len(values) < 2:
        raise InvalidModelFile(f"it has {len(values)} classes; a model has at least 2")
    if not isinstance(dtype_name, str):
        raise InvalidModelFile(f"classes_dtype must be a string, got {dtype_name!r}")
    try:
        dtype = np.dtype(dtype_name)
    except TypeError:
        raise InvalidModelFile(f"classes_dtype {dtype_name!r} is not a numpy dtype") from None
    kind = dtype.kind
    accepts = {
        "b": lambda v: isinstance(v, bool),
        "i": is_int,
        "u": is_int,
        "f": is_number,
        "U": lambda v: isinstance(v, str),
        "O": lambda v: isinstance(v, str | int | float),
    }.get(kind)
    if accepts is None or (kind == "f" and dtype.itemsize > 8):
        raise InvalidModelFile(f"classes_dtype {dtype_name!r} is not a supported label dtype")
    if not all(accepts(v) for v in values):
        raise InvalidModelFile(f"classes {values!r} are not all of dtype {dtype_name!r}")
    try:
        classes = np.asarray(values, dtype=dtype)
    except (OverflowError, TypeError, ValueError):
        classes = None
    if classes is None or classes.shape != (len(values),) or (
        kind != "O" and classes.tolist() != values
    ):
        raise InvalidModelFile(f"classes {values!r} do not fit dtype {dtype_name!r}")
    if kind == "f" and not np.all(np.isfinite(classes)):
        raise InvalidModelFile("classes contain a non-finite number")
    if not increasing:  # an order of the model's own (ordinal categories): distinct labels
        if len(set(values)) != len(values):
            raise InvalidModelFile(f"classes {values!r} must be distinct labels")
        return classes
    try:
        ordered = all(bool(a < b) for a, b in zip(classes[:-1], classes[1:], strict=True))
    except TypeError:
        ordered = False
    if not ordered:
        raise InvalidModelFile(f"classes {values!r} must be distinct labels in increasing order")
    return classes


def read_params(params: Any) -> dict[str, Any]:
    """The "params" object with a [label, weight] list ``class_weight`` as a dict; which
    names and values the estimator accepts is its own check."""
    if not isinstance(params, dict):
        raise InvalidModelFile(f"params must be an object, got a JSON {json_type(params)}")
    decoded = {}
    for name, value in params.items():
        if name == "class_weight" and isinstance(value, list):
            value = _class_weight(value)
        elif value is not None and not isinstance(value, str | int | float):
            raise InvalidModelFile(f"parameter {name} has an invalid value {value!r}")
        decoded[name] = value
    return decoded


def _class_weight(pairs: list[Any]) -> dict[Any, float]:
    weights: dict[Any, float] = {}
    for pair in pairs:
        ok = isinstance(pair, list) and len(pair) == 2
        ok = ok and isinstance(pair[0], str | int | float) and is_number(pair[1])
        if not ok:
            raise InvalidModelFile("params.class_weight must be a list of [label, weight] pairs")
        if pair[0] in weights:
            raise InvalidModelFile(f"params.class_weight gives label {pair[0]!r} twice")
        weights[pair[0]] = pair[1]
    return weights



# -- data: an offset, grouped binomial data ----------------------------------------------------
_DATA_KEYS = ("offset", "grouped")
_GROUPED_KEYS = ("n_groups", "n_trials", "saturated_log_likelihood")


def read_data(saved: Any) -> tuple[str | None, tuple[float, float, float] | None]:
    """The "data" field (schema 4): (the offset's name or None, (G groups, N trials, the
    saturated ℓ) of grouped data or None), every part checked; absent or null: neither."""
    if saved is None:
        return None, None
    if not isinstance(saved, dict):
        raise InvalidModelFile(f"data must be null or an object, got a JSON {json_type(saved)}")
    check_keys(saved, _DATA_KEYS, "data.")
    offset, grouped = saved["offset"], saved["grouped"]
    if offset is not None and not isinstance(offset, str):
        raise InvalidModelFile("data.offset must be null or the offset's name")
    if grouped is None:
        return offset, None
    if not isinstance(grouped, dict):
        raise InvalidModelFile("data.grouped must be null or an object")
    check_keys(grouped, _GROUPED_KEYS, "data.grouped.")
    n_groups, n_trials, saturated = float_list([grouped[k] for k in _GROUPED_KEYS],
                                               "data.grouped", (3,))
    if n_groups <= 0 or n_trials <= 0:
        raise InvalidModelFile("data.grouped.n_groups and n_trials must be positive")
    return offset, (float(n_groups), float(n_trials), float(saturated))


# -- separation ---------------------------------------------------------------------------------
def encode_separation(found: Any, columns: list[str]) -> dict[str, Any] | None:
    """The "separation" field of a fit's ``separation_`` (None: none found, or not screened).

    ``columns``: the names of one score row's coefficients as in ``found.direction``, the
    features' then 'Intercept' where fitted. The direction is written where it has at most
    MAX_SAVED_PARAMETERS numbers (the coefficients' count: rows × columns), else null."""
    if found is None:
        return None
    direction = np.atleast_2d(np.asarray(found.direction, dtype=np.float64))
    involved = None if found.involved is None else [
        [columns[j] for j in np.flatnonzero(row)] for row in np.atleast_2d(found.involved)
    ]
    stored = direction.size <= MAX_SAVED_PARAMETERS and bool(np.all(np.isfinite(direction)))
    return {
        "kind": "complete" if found.complete else "quasi-complete",
        "n_separated": int(found.n_separated),
        "features": [columns[j] for j in found.features],
        "involved": involved,
        "direction": direction.tolist() if stored else None,
    }


@dataclass(frozen=True)
class SavedSeparation:
    """The "separation" field: ``features`` as column indices, ``involved`` (rows, columns)
    booleans or None, ``direction`` (rows, columns) or None where the file does not hold it."""

    complete: bool
    n_separated: int
    features: tuple[int, ...]
    involved: np.ndarray | None
    direction: np.ndarray | None


def read_separation(
    saved: Any, columns: list[str], rows: int, n_features: int
) -> SavedSeparation | None:
    """The "separation" field (None for null or absent), every part checked: ``columns`` as
    for ``encode_separation`` (the first ``n_features`` are the features), ``rows`` the
    score rows (one for two classes, one per class for more)."""
    if saved is None:
        return None
    if not isinstance(saved, dict):
        raise InvalidModelFile(
            f"separation must be null or an object, got a JSON {json_type(saved)}"
        )
    check_keys(saved, _SEPARATION_KEYS, "separation.")
    kind, n_separated = saved["kind"], saved["n_separated"]
    if not isinstance(kind, str) or kind not in _SEPARATION_KINDS:
        raise InvalidModelFile(
            f"separation.kind must be 'complete' or 'quasi-complete', got {_short(kind)}"
        )
    if not is_int(n_separated) or n_separated < 0:
        raise InvalidModelFile(
            f"separation.n_separated must be an integer >= 0, got {_short(n_separated)}"
        )
    features = _term_indices(saved["features"], "separation.features", columns[:n_features],
                             "features")
    marked, involved = _nested(saved["involved"], "separation.involved", rows), None
    if marked is not None:
        involved = np.zeros((rows, len(columns)), dtype=bool)
        for k, row in enumerate(marked):
            involved[k, _term_indices(row, "separation.involved", columns, "terms")] = True
    direction = _nested(saved["direction"], "separation.direction", rows)
    if direction is not None:
        direction = np.vstack(
            [float_list(row, "separation.direction", (len(columns),)) for row in direction]
        )
    return SavedSeparation(kind == "complete", n_separated, tuple(features), involved, direction)


def _nested(value: Any, what: str, rows: int) -> list[Any] | None:
    """``value`` where it is null or a list of ``rows`` lists."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise InvalidModelFile(f"{what} must be null or a list of {rows} list(s)")
    if len(value) != rows:
        raise InvalidModelFile(f"{what} has {len(value)} rows, expected {rows}")
    return value


def _term_indices(value: Any, what: str, terms: list[str], noun: str) -> list[int]:
    """The positions in ``terms`` (the model's ``noun``) of a list of distinct names, each
    one of them (the first, where a name repeats in ``terms``)."""
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise InvalidModelFile(f"{what} must be a list of term names (strings)")
    if len(value) > len(terms):
        raise InvalidModelFile(
            f"{what} lists {len(value)} names; the model has {len(terms)} {noun}"
        )
    if len(set(value)) != len(value):
        raise InvalidModelFile(f"{what} names a term twice")
    position = {name: j for j, name in reversed(list(enumerate(terms)))}
    unknown = [name for name in value if name not in position]
    if unknown:
        raise InvalidModelFile(
            f"{what} names {_short(unknown[0])}, which is not one of the model's {noun}"
        )
    return [position[name] for name in value]


def _short(value: Any) -> str:
    """``repr(value)``, cut to 60 characters (a crafted file's values can be huge)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
