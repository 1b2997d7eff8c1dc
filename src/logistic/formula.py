"""Model formulas ("y ~ x1 + C(group) + x1:x2") through formulaic, kept for prediction.

``design_matrices(formula, data)`` turns a DataFrame into the numeric design the estimator
fits: categorical terms become treatment-coded columns (``C(group)[T.b]``), interactions
become products, stateful transforms (``center(x)``) remember their training statistics.
What it learned is a ``FormulaSpec`` — the formula plus the categories and transform state,
all plain JSON — so a saved model re-applies exactly the same encoding to new data, and a
level never seen in training is an error rather than a silently wrong column.

The response (left-hand side) must be a column name: its values are the class labels as
they are (strings included), not an encoded matrix. Rows with missing values are refused,
never dropped silently.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import DataError

__all__ = ["FormulaSpec", "design_matrices"]

_INTERCEPT = "Intercept"


@dataclass(frozen=True)
class FormulaSpec:
    """A fitted formula: how to turn a raw DataFrame into the model's columns."""

    formula: str
    response: str | None
    columns: tuple[str, ...]
    intercept: bool
    encoder_state: dict[str, Any]
    transform_state: dict[str, Any]

    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        """The model's columns for new rows, encoded as in training (intercept dropped)."""
        from formulaic import ModelSpec
        from formulaic.parser.types import Factor

        encoder_state = {
            name: (Factor.Kind(kind), dict(state))
            for name, (kind, state) in self.encoder_state.items()
        }
        spec = ModelSpec(
            formula=self.formula,
            encoder_state=encoder_state,
            transform_state=self.transform_state,
        )
        matrix = _materialize(lambda: spec.get_model_matrix(_frame(data), na_action="raise"))
        return _without_intercept(matrix, self.columns)

    def to_dict(self) -> dict[str, Any]:
        return {
            "formula": self.formula,
            "response": self.response,
            "columns": list(self.columns),
            "intercept": self.intercept,
            "encoder_state": self.encoder_state,
            "transform_state": self.transform_state,
        }

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> FormulaSpec:
        return cls(
            formula=str(document["formula"]),
            response=document["response"],
            columns=tuple(str(c) for c in document["columns"]),
            intercept=bool(document["intercept"]),
            encoder_state={
                str(name): (str(kind), dict(state))
                for name, (kind, state) in document["encoder_state"].items()
            },
            transform_state=dict(document["transform_state"]),
        )


def design_matrices(formula: str, data) -> tuple[pd.DataFrame, np.ndarray | None, FormulaSpec]:
    """(X, y, spec) for ``formula`` on ``data``: X without the intercept column (the
    estimator's fit_intercept follows ``spec.intercept``), y the raw response or None."""
    import formulaic

    frame = _frame(data)
    try:
        parsed = formulaic.Formula(formula)
    except Exception as error:  # formulaic raises several parser types
        raise DataError(f"cannot parse the formula {formula!r}: {error}") from None
    response = None
    rhs = parsed
    if hasattr(parsed, "lhs"):
        lhs_terms = [str(term) for term in parsed.lhs]
        if len(lhs_terms) != 1 or lhs_terms[0] not in frame.columns:
            raise DataError(
                f"the left-hand side of {formula!r} must be one column of the data, "
                f"got {' + '.join(lhs_terms)!r}"
            )
        response = lhs_terms[0]
        rhs = parsed.rhs
    matrix = _materialize(lambda: formulaic.model_matrix(rhs, frame, na_action="raise"))
    spec = matrix.model_spec
    intercept = _INTERCEPT in matrix.columns
    columns = tuple(str(c) for c in matrix.columns if c != _INTERCEPT)
    fitted = FormulaSpec(
        formula=str(spec.formula),
        response=response,
        columns=columns,
        intercept=intercept,
        encoder_state={
            name: (kind.value, _categories(state)) for name, (kind, state) in
            spec.encoder_state.items()
        },
        transform_state=_plain(spec.transform_state),
    )
    X = _without_intercept(matrix, columns)
    y = None
    if response is not None:
        y = frame[response].to_numpy()
        if pd.isna(frame[response]).any():
            raise DataError(f"the response column {response!r} holds missing values")
    return X, y, fitted


def _frame(data) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"a formula needs a pandas DataFrame, got {type(data).__name__}")
    return data


def _materialize(build):
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            matrix = build()
    except DataError:
        raise
    except Exception as error:  # formulaic: missing columns, NA, bad terms
        message = " ".join(str(error).split())
        raise DataError(f"cannot build the model columns: {message}") from None
    for warning in caught:
        # formulaic casts a level unseen in training to NaN with a warning: refuse instead
        if "categories outside of the nominated levels" in str(warning.message):
            message = " ".join(str(warning.message).split())
            raise DataError(f"a categorical column has a level the model never saw: {message}")
        warnings.warn_explicit(
            warning.message, warning.category, warning.filename, warning.lineno
        )
    return matrix


def _without_intercept(matrix, columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(matrix).drop(columns=[_INTERCEPT], errors="ignore")
    frame.columns = [str(c) for c in frame.columns]
    if tuple(frame.columns) != columns:
        raise DataError(
            f"the data give the columns {list(frame.columns)}, the model expects {list(columns)}"
        )
    return frame.astype(np.float64)


def _categories(state: dict) -> dict:
    """The JSON part of an encoder's state: the categories (contrasts are the default)."""
    return {"categories": _plain(list(state["categories"]))} if "categories" in state else {}


def _plain(value):
    """Numpy scalars and arrays as Python numbers and lists, for JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise DataError(f"a formula transform keeps state that cannot be saved: {value!r}")
