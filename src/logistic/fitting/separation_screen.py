"""The separation screen of a finished unpenalized fit, with its warnings."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from numpy.typing import NDArray

from logistic.exceptions import SeparationWarning
from logistic.fitting.caller import user_stacklevel
from logistic.inference.separation import (
    Separation,
    check_separation,
    in_user_units,
    merge_one_against_rest,
    one_against_rest,
    separation_message,
)
from logistic.solvers import SolverResult

__all__ = ["screen_separation"]


def screen_separation(
    fits: Sequence[tuple[Any, SolverResult]],
    weights: NDArray[Any],
    extremes: Any,
    scales: NDArray[Any] | None,
    cov: NDArray[Any] | None,
    names: Sequence[str],
    classes: NDArray[Any],
) -> Separation | None:
    """What the screen (``inference/separation.py``) finds, with ``names`` (d,) filled in,
    and a SeparationWarning per separated problem; one-vs-rest screens each class's binary
    problem. ``scales``: the power-of-two column scales the fits used, or None; ``cov``:
    the nonrobust covariance of the fitted columns, or None."""
    found = []
    for k, (objective, result) in enumerate(fits):
        part = extremes if len(fits) == 1 else one_against_rest(extremes, k)
        found.append(in_user_units(
            check_separation(objective, result.theta, weights, part, cov), scales))
    separation = found[0] if len(fits) == 1 else merge_one_against_rest(found)
    if separation is None:
        return None
    separation = replace(separation, names=tuple(names[j] for j in separation.features))
    labels = [None] if len(fits) == 1 else list(classes)
    for label, part in zip(labels, found, strict=True):
        if part is not None:
            prefix = "" if label is None else f"Class {label!s} against the rest: "
            warnings.warn(prefix + separation_message(part, names), SeparationWarning,
                          stacklevel=user_stacklevel())
    return separation
