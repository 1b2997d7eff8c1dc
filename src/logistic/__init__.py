"""logistic: logistic regression from first principles.

    from logistic import LogisticRegression, load
    from logistic import LogisticRegressionCV, logistic_path   # C chosen by k-fold CV; paths
"""

import os
import sys

if "numpy" not in sys.modules:
    # OpenBLAS's idle threads spin for ~0.1 s after each call, and on a machine with few
    # cores they starve the compiled kernels that follow (each Newton iteration forms
    # XᵀDX with BLAS, then evaluates the loss in parallel numba code): measured 2-4× slower
    # passes. A short spin fixes it; it is read once, when NumPy loads OpenBLAS, so it is
    # set only where NumPy is not loaded yet, and never over the user's own setting.
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

from logistic import _compat  # noqa: E402
from logistic.core.boundary import DecisionBoundary  # noqa: E402
from logistic.exceptions import ConvergenceWarning, DataError, ModelFileError, SeparationWarning  # noqa: E402
from logistic.fitting.path import LogisticPath, critical_C, logistic_path  # noqa: E402
from logistic.models import ordinal_persistence  # noqa: E402, F401  (registers its model file kind)
from logistic.models.cv import LogisticRegressionCV  # noqa: E402
from logistic.models.logistic_regression import LogisticRegression  # noqa: E402
from logistic.models.model_comparison import anova  # noqa: E402
from logistic.models.ordinal import OrdinalLogisticRegression  # noqa: E402
from logistic.models.persistence import load  # noqa: E402  (registers the model file kind)

__version__ = "0.1.0"

_compat.install()  # logistic.estimator, logistic.persist, ...: the paths before the layers

# after LogisticRegression's: its model file kind registers second
from logistic.exceptions import StrataDroppedWarning  # noqa: E402
from logistic.models import conditional_persistence  # noqa: E402, F401
from logistic.models.conditional import ConditionalLogisticRegression  # noqa: E402

__all__ = [
    "ConditionalLogisticRegression",
    "ConvergenceWarning",
    "DataError",
    "DecisionBoundary",
    "LogisticPath",
    "LogisticRegression",
    "LogisticRegressionCV",
    "ModelFileError",
    "OrdinalLogisticRegression",
    "SeparationWarning",
    "StrataDroppedWarning",
    "__version__",
    "critical_C",
    "load",
    "logistic_path",
    "anova",
]
