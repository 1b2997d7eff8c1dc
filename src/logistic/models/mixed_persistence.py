"""``MixedLogisticRegression`` in a model file: its fields, and a fitted model from them.

The document is ``io/model_file.py``'s, with "estimator": "MixedLogisticRegression", and,
as the conditional and ordinal kinds do, no key of its own: the file is schema 2 (the
oldest that holds it; an older logistic refuses it by its estimator's name). params are
``nAGQ``, ``covariance``, ``fit_intercept``, ``tol`` and ``max_iter``; "coef" and
"intercept" the fixed effects (intercept [0.0] without one); "fit" is L-BFGS-B's record
with objective −ℓ̂; "separation" is never written. "statistics" is never null: the
fixed effects' covariance ``cov_fixed_`` (intercept first), its rank, N rows, ℓ̂ and, as
the null log-likelihood, ℓ of the fit without random effects; and "random_effects"::

    "random_effects": {
      "group": "g",                    group_name_ (the summary's) ...
      "group_column": "g",             ... and the column a formula's groups are read from
      "intercept": true,               random_intercept_
      "slopes": [0],                   random_slopes_: columns of X (feature indices)
      "terms": ["(Intercept)", "x1"],  random_terms_, checked against the two above
      "theta": [0.8, 0.1, 0.4],        θ: L's lower triangle column by column, or its diagonal
      "singular": false,
      "levels": [0, 1, ...], "levels_dtype": "int64",   the G groups, sorted, distinct
      "modes": [[...], ...],           G × q conditional modes b̂_g
      "modes_cov": [[[...]]]           G × q × q their conditional covariances
    }

Everything is read as data and checked: shapes, finite numbers, L's diagonal ≥ 0 (so that
Σ = LLᵀ is positive semi-definite), covariances symmetric with a non-negative diagonal,
N an integer above G·q, ℓ̂ = −objective. AIC, BIC, the deviance and the variance
components are recomputed from these (as the fit computed them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from logistic.families.mixed import relative_factor, theta_size
from logistic.families.mixed_stats import information_criteria, variance_components
from logistic.io.model_fields import check_covariance, check_keys, float_list, read_classes
from logistic.io.model_file import (
    InvalidModelFile,
    ModelFields,
    ModelKind,
    encode_classes,
    encode_param,
    read_formula,
    read_statistics,
    register_model_kind,
)
from logistic.models.fitted_fields import restored_estimator
from logistic.models.mixed import MixedLogisticRegression

__all__ = ["mixed_fields", "restore_mixed"]

_RANDOM_KEYS = ("group", "group_column", "intercept", "slopes", "terms", "theta", "singular",
                "levels", "levels_dtype", "modes", "modes_cov")
_WHERE = "statistics.random_effects"


def mixed_fields(model: MixedLogisticRegression) -> dict[str, Any]:
    """The document's fields after its header, from a fitted model."""
    numbers = {"coef_": model.coef_, "intercept_": model.intercept_, "theta_": model.theta_,
               "cov_fixed_": model.cov_fixed_, "llf_": model.llf_,
               "random_effects_": model.random_effects_.to_numpy(),
               "random_effects_cov_": model.random_effects_cov_}
    for name, value in numbers.items():
        if not np.all(np.isfinite(np.asarray(value, dtype=np.float64))):
            raise ValueError(f"cannot save a mixed model whose {name} is not finite")
    classes, classes_dtype = encode_classes(model.classes_)
    levels, levels_dtype = encode_classes(model.random_effects_.index.to_numpy())
    names = getattr(model, "feature_names_in_", None)
    formula = getattr(model, "formula_", None)
    cov = np.asarray(model.cov_fixed_, dtype=np.float64)
    return {
        "params": {name: encode_param(name, value)
                   for name, value in sorted(model.get_params(deep=False).items())},
        "classes": classes,
        "classes_dtype": classes_dtype,
        "coef": np.asarray(model.coef_, dtype=np.float64).tolist(),
        "intercept": np.asarray(model.intercept_, dtype=np.float64).tolist(),
        "n_features_in": int(model.n_features_in_),
        "feature_names": None if names is None else [str(n) for n in names],
        "fit": {"solver": "L-BFGS-B", "n_iter": int(model.n_iter_),
                "converged": bool(model.converged_), "objective": -float(model.llf_)},
        "statistics": {
            "cov": cov.tolist(), "rank": int(np.linalg.matrix_rank(cov)) or 1,
            "n_obs": float(model.n_obs_), "log_likelihood": float(model.llf_),
            "null_log_likelihood": float(model.llf_glm_),
            "random_effects": {
                "group": str(model.group_name_),
                "group_column": getattr(model, "group_column_", None),
                "intercept": bool(model.random_intercept_),
                "slopes": [int(j) for j in model.random_slopes_],
                "terms": [str(t) for t in model.random_terms_],
                "theta": np.asarray(model.theta_, dtype=np.float64).tolist(),
                "singular": bool(model.singular_),
                "levels": levels, "levels_dtype": levels_dtype,
                "modes": model.random_effects_.to_numpy(dtype=np.float64).tolist(),
                "modes_cov": np.asarray(model.random_effects_cov_,
                                        dtype=np.float64).tolist(),
            },
        },
        "inference_note": None,
        "separation": None,
        "formula": None if formula is None else formula.to_dict(),
    }


def restore_mixed(fields: ModelFields) -> MixedLogisticRegression:
    """A fitted model from a document's checked fields; ``InvalidModelFile`` where they do
    not fit together."""
    if not isinstance(fields.statistics, dict) or "random_effects" not in fields.statistics:
        raise InvalidModelFile("a mixed model's statistics must be an object with "
                               "'random_effects'")
    saved = dict(fields.statistics)
    random = saved.pop("random_effects")
    if not isinstance(random, dict):
        raise InvalidModelFile(f"{_WHERE} must be an object")
    check_keys(random, _RANDOM_KEYS, _WHERE + ".")
    names = fields.feature_names or [f"x{j + 1}" for j in range(fields.n_features)]
    intercept, slopes, terms = _random_terms(random, names)
    q = len(terms)
    model = restored_estimator(MixedLogisticRegression, fields.params,
                               lambda m: m.check_parameters(q))
    if len(fields.classes) != 2 or fields.coef.shape[0] != 1:
        raise InvalidModelFile("a mixed model has 2 classes and one row of coef")
    if not model.fit_intercept and np.any(fields.intercept != 0.0):
        raise InvalidModelFile("intercept must be [0.0] for a model without fit_intercept")
    if fields.separation is not None:
        raise InvalidModelFile("a mixed model file has no separation")
    p = fields.n_features + int(model.fit_intercept)
    statistics, _ = read_statistics(saved, fields.inference_note, p)
    if statistics is None:  # not reached: saved is an object
        raise InvalidModelFile("a mixed model's statistics must not be null")
    if fields.objective != -statistics.log_likelihood:
        raise InvalidModelFile("fit.objective must be -statistics.log_likelihood")
    model.classes_ = fields.classes
    model.coef_ = fields.coef.copy()
    model.intercept_ = fields.intercept.copy()
    model.n_features_in_ = fields.n_features
    if fields.feature_names is not None:
        model.feature_names_in_ = np.asarray(fields.feature_names, dtype=object)
    model.n_iter_, model.converged_ = fields.n_iter, fields.converged
    model.random_intercept_, model.random_slopes_, model.random_terms_ = intercept, slopes, terms
    model.theta_ = float_list(random["theta"], f"{_WHERE}.theta",
                              (theta_size(q, model.covariance),))
    factor = relative_factor(model.theta_, q, model.covariance)
    if np.any(np.diag(factor) < 0):
        raise InvalidModelFile(f"{_WHERE}.theta: L's diagonal must be >= 0 (Σ = LLᵀ is then "
                               "positive semi-definite)")
    for key in ("group", "singular"):
        if not isinstance(random[key], str if key == "group" else bool):
            raise InvalidModelFile(f"{_WHERE}.{key} must be a "
                                   f"{'string' if key == 'group' else 'true or false'}")
    model.group_name_, model.singular_ = random["group"], random["singular"]
    model.cov_fixed_ = statistics.cov
    model.llf_, model.llf_glm_ = statistics.log_likelihood, statistics.null_log_likelihood
    model.variance_components_ = variance_components(factor, terms, model.group_name_,
                                                     model.singular_)
    _restore_groups(model, random, statistics.n_obs)
    model.formula_, model.group_column_ = _formula(fields, random, model)
    return model


def _random_terms(random: dict[str, Any], names: list[str]) -> tuple[bool, list[int],
                                                                     tuple[str, ...]]:
    """(random_intercept_, random_slopes_, random_terms_), checked against each other."""
    intercept, slopes, terms = random["intercept"], random["slopes"], random["terms"]
    if not isinstance(intercept, bool):
        raise InvalidModelFile(f"{_WHERE}.intercept must be true or false")
    if not isinstance(slopes, list) or not all(
            isinstance(j, int) and not isinstance(j, bool) and 0 <= j < len(names)
            for j in slopes) or len(set(slopes)) != len(slopes):
        raise InvalidModelFile(f"{_WHERE}.slopes must be distinct feature indices in "
                               f"0..{len(names) - 1}")
    expected = (["(Intercept)"] if intercept else []) + [names[j] for j in slopes]
    if not expected:
        raise InvalidModelFile(f"{_WHERE}: a mixed model has at least one random effect")
    if terms != expected:
        raise InvalidModelFile(f"{_WHERE}.terms {terms!r} do not match the random intercept "
                               f"and slopes ({expected!r})")
    return intercept, list(slopes), tuple(expected)


def _restore_groups(model: MixedLogisticRegression, random: dict[str, Any],
                    n_obs: float) -> None:
    """The groups' labels, conditional modes and their covariances, and the counts."""
    try:
        levels = read_classes(random["levels"], random["levels_dtype"])
    except InvalidModelFile as error:
        raise InvalidModelFile(f"{_WHERE}.levels (the groups): "
                               f"{str(error).replace('classes', 'labels')}") from None
    n_groups, q = len(levels), len(model.random_terms_)
    modes = _nested(random["modes"], "modes", (n_groups, q))
    cov = _nested(random["modes_cov"], "modes_cov", (n_groups, q, q))
    for g in range(n_groups):
        try:
            check_covariance(cov[g])
        except InvalidModelFile:
            raise InvalidModelFile(f"{_WHERE}.modes_cov of group {levels[g]!r} is not a "
                                   "covariance (symmetric, diagonal >= 0)") from None
    n_params = int(model.coef_.shape[1] + model.fit_intercept + model.theta_.size)
    if not float(n_obs).is_integer() or n_obs <= n_groups * q or n_obs <= n_params:
        raise InvalidModelFile(f"statistics.n_obs ({n_obs!r}) must be an integer above the "
                               f"{n_groups} groups × {q} random effects and the {n_params} "
                               "parameters")
    model.random_effects_ = pd.DataFrame(modes, index=pd.Index(levels, name="group"),
                                         columns=list(model.random_terms_))
    model.random_effects_cov_ = cov
    model.group_levels_ = levels
    model.n_obs_, model.n_groups_, model.n_params_ = int(n_obs), n_groups, n_params
    model.aic_, model.bic_ = information_criteria(model.llf_, n_params, model.n_obs_)
    model.deviance_ = -2.0 * model.llf_
    model.df_resid_ = model.n_obs_ - n_params


def _nested(value: Any, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """A nested list of finite numbers of exactly ``shape``."""
    def rows(item: Any, dims: tuple[int, ...]) -> list[Any]:
        if len(dims) == 1:
            return float_list(item, f"{_WHERE}.{what}", dims).tolist()
        if not isinstance(item, list) or len(item) != dims[0]:
            raise InvalidModelFile(f"{_WHERE}.{what} must be a nested list of shape {shape}")
        return [rows(row, dims[1:]) for row in item]
    return np.asarray(rows(value, shape), dtype=np.float64).reshape(shape)


def _formula(fields: ModelFields, random: dict[str, Any],
             model: MixedLogisticRegression) -> tuple[Any, str | None]:
    """(formula_, group_column_): a formula's columns are the features, and its groups'
    column is named."""
    column = random["group_column"]
    if column is not None and not isinstance(column, str):
        raise InvalidModelFile(f"{_WHERE}.group_column must be null or a column name")
    spec = read_formula(fields.formula, fields.schema_version)
    if spec is None:
        return None, column
    names = getattr(model, "feature_names_in_", None)
    if names is None or list(spec.columns) != [str(n) for n in names]:
        raise InvalidModelFile("formula.columns do not match feature_names")
    if column is None:
        raise InvalidModelFile(f"{_WHERE}.group_column must name the formula's grouping "
                               "column")
    return spec, column


register_model_kind(ModelKind("MixedLogisticRegression", MixedLogisticRegression, mixed_fields,
                              restore_mixed))
