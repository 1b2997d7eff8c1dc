"""Statistics of a fitted model: standard errors, tests, profile likelihood, Firth's
statistics, separation and diagnostics.

The package keeps the names of the module ``logistic.inference`` that it replaced
(``from logistic.inference import Summary`` still works). They are imported on first use
(PEP 562), so that importing one light module of the package (``number_format``) does not
import SciPy's distributions and pandas with ``statistics``.
"""

import importlib
from typing import Any

_STATISTICS = "logistic.inference.statistics"
_LAZY = {"COV_TYPES": _STATISTICS, "FitStatistics": _STATISTICS, "Summary": _STATISTICS,
         "fit_statistics": _STATISTICS, "format_number": "logistic.inference.number_format",
         "wald_interval": _STATISTICS}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    """A name of ``_LAZY``, imported from its module on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
