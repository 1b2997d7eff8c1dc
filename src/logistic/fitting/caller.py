"""Where a warning of the fit points: the user's line that called into logistic."""

from __future__ import annotations

import inspect
import os

__all__ = ["user_stacklevel"]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def user_stacklevel() -> int:
    """The ``warnings.warn`` stacklevel, for the function that calls this one, of the first
    frame outside the logistic package: the same user line whichever path (estimator,
    path, cross-validation, partitioned fit) led to the warning."""
    frame = inspect.currentframe()
    frame = None if frame is None else frame.f_back  # the warning function: level 1
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level
