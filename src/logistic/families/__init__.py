"""Model families: what a fit's scores mean, each family in one module.

A family states its loss, its parameter layout (the shapes of ``coef_`` and ``intercept_``
and how the solvers' flat θ maps onto them) and its statistics hooks (the terms and the
estimates the inference reports). The estimator asks ``family_for`` which one its classes
need and never branches on the number of classes itself.
"""

from logistic.families.base import Family
from logistic.families.binary import BINARY, BinaryFamily
from logistic.families.multinomial import MULTINOMIAL, MultinomialFamily
from logistic.families.one_vs_rest import ONE_VS_REST, OneVsRestFamily

__all__ = [
    "BINARY",
    "MULTINOMIAL",
    "ONE_VS_REST",
    "BinaryFamily",
    "Family",
    "MultinomialFamily",
    "OneVsRestFamily",
    "family_for",
]


def family_for(n_classes: int, multi_class: str) -> Family:
    """Binary for two classes; else the multinomial or one-vs-rest as ``multi_class`` says."""
    if n_classes <= 2:
        return BINARY
    return MULTINOMIAL if multi_class == "multinomial" else ONE_VS_REST
