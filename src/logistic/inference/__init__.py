"""Statistics of a fitted model: standard errors, tests, profile likelihood, Firth's
statistics, separation and diagnostics.

The package keeps the names of the module ``logistic.inference`` that it replaced
(``from logistic.inference import Summary`` still works).
"""

from logistic.inference.statistics import (
    COV_TYPES,
    FitStatistics,
    Summary,
    fit_statistics,
    format_number,
    wald_interval,
)

__all__ = ["COV_TYPES", "FitStatistics", "Summary", "fit_statistics", "format_number",
           "wald_interval"]
