"""logistic: logistic regression from first principles.

    from logistic import LogisticRegression, load
    from logistic import LogisticRegressionCV, logistic_path   # C chosen by k-fold CV; paths

``import logistic`` itself imports none of NumPy, SciPy, scikit-learn, pandas, matplotlib
or numba: each public name is imported from its module the first time it is asked for
(PEP 562 module ``__getattr__``), so the command line starts in a fraction of a second and
``from logistic import X`` pays only for what X needs (tests/test_startup.py checks it).
"""

import importlib
import os
import sys
from typing import Any

if "numpy" not in sys.modules:
    # OpenBLAS's idle threads spin for ~0.1 s after each call, and on a machine with few
    # cores they starve the compiled kernels that follow (each Newton iteration forms
    # XᵀDX with BLAS, then evaluates the loss in parallel numba code): measured 2-4× slower
    # passes. A short spin fixes it; it is read once, when NumPy loads OpenBLAS, so it is
    # set only where NumPy is not loaded yet, and never over the user's own setting.
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

from logistic import _compat  # noqa: E402
from logistic.io.model_kinds import declare_model_kind  # noqa: E402

__version__ = "0.1.0"

_compat.install()  # logistic.estimator, logistic.persist, ...: the paths before the layers

# A model file names its estimator; the module that registers it with io.model_file is
# imported when a file is saved or loaded (io.model_kinds), not here.
declare_model_kind("logistic.models.persistence")
declare_model_kind("logistic.models.ordinal_persistence")
declare_model_kind("logistic.models.conditional_persistence")
declare_model_kind("logistic.models.mixed_persistence")

#: The public names, each with the module that defines it; imported on first use.
#: To add a public name: one row here (name → the module it is imported from) and the name
#: in ``__all__`` below; tests/test_startup.py checks that the two agree and that each row
#: imports.
_LAZY: dict[str, str] = {
    "ConditionalLogisticRegression": "logistic.models.conditional",
    "ConvergenceWarning": "logistic.exceptions",
    "DataError": "logistic.exceptions",
    "DecisionBoundary": "logistic.core.boundary",
    "LogisticPath": "logistic.fitting.path",
    "LogisticRegression": "logistic.models.logistic_regression",
    "LogisticRegressionCV": "logistic.models.cv",
    "MixedLogisticRegression": "logistic.models.mixed",
    "ModelFileError": "logistic.exceptions",
    "OrdinalLogisticRegression": "logistic.models.ordinal",
    "SeparationWarning": "logistic.exceptions",
    "SingularFitWarning": "logistic.exceptions",
    "StrataDroppedWarning": "logistic.exceptions",
    "TrainingDivergenceWarning": "logistic.exceptions",
    "anova": "logistic.models.model_comparison",
    "critical_C": "logistic.fitting.path",
    "load": "logistic.models.persistence",  # registers the model file kind as it loads
    "logistic_path": "logistic.fitting.path",
}

__all__ = [
    "ConditionalLogisticRegression",
    "ConvergenceWarning",
    "DataError",
    "DecisionBoundary",
    "LogisticPath",
    "LogisticRegression",
    "LogisticRegressionCV",
    "MixedLogisticRegression",
    "ModelFileError",
    "OrdinalLogisticRegression",
    "SeparationWarning",
    "SingularFitWarning",
    "StrataDroppedWarning",
    "TrainingDivergenceWarning",
    "__version__",
    "critical_C",
    "load",
    "logistic_path",
    "anova",
]


def __getattr__(name: str) -> Any:
    """A public name of ``_LAZY``, imported from its module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next look-up is an ordinary attribute
    return value


def __dir__() -> list[str]:
    """The module's attributes, the public names not yet imported included."""
    return sorted(set(globals()) | set(_LAZY))
