"""Classical inference of a fit: whether it applies, and the statistics where it does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from logistic.core.scaling import UNREPRESENTABLE_COVARIANCE, unscale_statistics
from logistic.fitting.grouped import GroupedData
from logistic.fitting.problem import FitSettings
from logistic.fitting.validation import check_cluster_codes
from logistic.inference.firth import firth_statistics
from logistic.inference.statistics import MAX_PARAMETERS_FOR_COVARIANCE, fit_statistics
from logistic.solvers import SolverResult
from logistic.solvers.firth import FirthResult

__all__ = ["inference_note", "statistics_of"]

Fit = tuple[Any, SolverResult]


def inference_note(settings: FitSettings, fits: Sequence[Fit]) -> str | None:
    """Why classical inference does not apply to this fit, or None where it does."""
    if settings.penalty not in (None, "firth"):
        return (
            f"Standard errors, z and p-values are not reported for penalty={settings.penalty!r}:"
            " a penalized estimate is biased by design and the inverse information is not"
            " its covariance. Refit with penalty=None for classical inference."
        )
    if settings.loss != "cross_entropy":
        return f"loss={settings.loss!r} is not a log-likelihood: no likelihood-based statistics."
    if not np.isfinite(fits[0][0].total_weight):
        return (
            "The sample weights add up beyond the largest float: as frequencies they "
            "give no finite sample size, so no statistics are reported."
        )
    if len(fits) > 1:
        return (
            "multi_class='ovr' fits one binary model per class; their joint likelihood is "
            "not one model's. Use multi_class='multinomial' for standard errors."
        )
    if fits[0][0].n_params > MAX_PARAMETERS_FOR_COVARIANCE:
        return (
            f"{fits[0][0].n_params} parameters: the covariance matrix is not formed above "
            f"{MAX_PARAMETERS_FOR_COVARIANCE}."
        )
    return None


def statistics_of(
    settings: FitSettings,
    fits: Sequence[Fit],
    terms: tuple[str, ...],
    *,
    groups: object = None,
    scales: NDArray[np.float64] | None = None,
    n_classes: int = 2,
    grouped: GroupedData | None = None,
) -> tuple[Any, str | None]:
    """(FitStatistics or None, the inference note) of a finished fit; ``scales``: the
    columns' power-of-two scales the fit used (their statistics are unscaled here);
    ``grouped``: the successes and trials of grouped data (their ℓ, deviance and df)."""
    note = inference_note(settings, fits)
    if note is not None:
        return None, note
    objective, result = fits[0]
    if settings.penalty == "firth":
        firth = cast(FirthResult, result)  # firth_newton's result: a FirthResult
        return firth_statistics(objective, firth, terms, cov_type=settings.cov_type), None
    codes = None
    if settings.cov_type == "cluster":
        codes = check_cluster_codes(groups, objective.n_samples)
    scale = None if grouped is None else grouped.trials  # a group's score: nᵢ trials' worth
    statistics = fit_statistics(objective, result.theta, terms, settings.cov_type, codes,
                                score_scale=scale)
    if scales is not None:
        kept = max(n_classes - 1, 1)
        statistics = unscale_statistics(statistics, scales, kept, bool(settings.fit_intercept))
        if statistics is None:
            return None, UNREPRESENTABLE_COVARIANCE
    if grouped is not None:
        statistics = grouped.statistics(statistics)
    return statistics, None
