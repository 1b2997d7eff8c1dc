"""logistic: logistic regression from first principles.

    from logistic import LogisticRegression, load
    from logistic import LogisticRegressionCV, logistic_path   # C chosen by k-fold CV; paths
"""

from .boundary import DecisionBoundary
from .cv import LogisticRegressionCV
from .estimator import LogisticRegression
from .exceptions import ConvergenceWarning, DataError, ModelFileError, SeparationWarning
from .path import LogisticPath, critical_C, logistic_path
from .persist import load

__version__ = "0.1.0"

__all__ = [
    "ConvergenceWarning",
    "DataError",
    "DecisionBoundary",
    "LogisticPath",
    "LogisticRegression",
    "LogisticRegressionCV",
    "ModelFileError",
    "SeparationWarning",
    "__version__",
    "critical_C",
    "load",
    "logistic_path",
]
