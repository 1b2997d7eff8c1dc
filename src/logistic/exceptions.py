"""The exceptions and warnings this library raises, in one place.

``ConvergenceWarning`` is scikit-learn's own class, so a filter set for scikit-learn also
silences (or escalates) ours. It is looked up on first use (PEP 562 ``__getattr__``):
importing scikit-learn takes a second or more, and ``import logistic`` and the command line's
start-up import this module without needing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sklearn.exceptions import ConvergenceWarning

__all__ = [
    "ConvergenceWarning", "DataError", "ExportDependencyError", "ExportError", "InferenceError",
    "ModelFileError", "NonNumericColumns", "SeparationWarning", "SingularFitWarning",
    "StrataDroppedWarning", "TrainingDivergenceWarning",
]


class ModelFileError(ValueError):
    """A model file is missing, truncated, corrupted, of another schema or not ours."""


class DataError(ValueError):
    """A data file or table cannot be used: unreadable, wrong columns, non-numeric values."""


class NonNumericColumns(DataError):
    """Feature columns that are not numbers (text, categories): the message is ``problem``
    (which columns, an example value) then ``advice``; ``columns`` names them, so that a
    caller can give its own advice (the command line's --categorical)."""

    def __init__(self, problem: str, advice: str, columns: Sequence[str]) -> None:
        super().__init__(f"{problem}; {advice}")
        self.problem = problem
        self.columns = [str(c) for c in columns]


class ExportError(ValueError):
    """A fitted model cannot be exported as asked: no exact graph of it exists (ONNX)."""


class ExportDependencyError(ExportError, ImportError):
    """The optional package an export needs (``onnx``) is not installed."""


class SeparationWarning(UserWarning):
    """The classes are (quasi-)completely separated: the unpenalized optimum is at infinity.

    The fitted coefficients are finite but arbitrary in size along the separating direction;
    use ``penalty='firth'`` or ``penalty='l2'`` for meaningful estimates.
    """


class InferenceError(ValueError):
    """A statistic or test is not defined for this fit (a penalized fit has no covariance;
    models fitted on other data or of other families cannot be compared)."""


class StrataDroppedWarning(UserWarning):
    """Conditional logistic regression dropped strata of only cases or only controls, whose
    conditional likelihood is 1 whatever the coefficients (they carry no information)."""


class SingularFitWarning(UserWarning):
    """A mixed model's fit is on the boundary: a variance component is 0 (or Σ is singular),
    lme4's "boundary (singular) fit"; the model is then one with fewer random effects."""


class TrainingDivergenceWarning(UserWarning):
    """Gradient descent's cost rose during a fit drawn by ``logistic.viz`` (``plot
    training``): the fixed step η is too long for the curvature, most often because the
    features are unscaled (standardize them: ``--standardize``) — else take a smaller η."""


def __getattr__(name: str) -> Any:
    """``ConvergenceWarning``: scikit-learn's class, imported when first asked for."""
    if name == "ConvergenceWarning":
        from sklearn.exceptions import ConvergenceWarning

        globals()[name] = ConvergenceWarning  # later look-ups find it without this function
        return ConvergenceWarning
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
