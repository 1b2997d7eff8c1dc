"""logistic: logistic regression from first principles.

    from logistic import LogisticRegression, load
"""

from .boundary import DecisionBoundary
from .estimator import LogisticRegression
from .exceptions import ConvergenceWarning, DataError, ModelFileError, SeparationWarning
from .persist import load

__version__ = "0.1.0"

__all__ = [
    "ConvergenceWarning",
    "DataError",
    "DecisionBoundary",
    "LogisticRegression",
    "ModelFileError",
    "SeparationWarning",
    "__version__",
    "load",
]
