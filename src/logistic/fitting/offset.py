"""An offset: a known part of every row's score, z = Xw + b + oᵢ, fitted as data.

A rate model is the common case: counts over exposures tᵢ take oᵢ = log tᵢ. The offset is
checked here once (one finite number per row) for ``fit`` and for the predictions of a
model fitted with one; the objective adds it to z (``core/objective.py``), the null model
keeps it (``inference/null_model.py``), as R's glm reports its null deviance.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from logistic.exceptions import DataError

__all__ = ["check_offset", "offset_name", "refuse_offset_or_trials"]

Array = NDArray[np.float64]


def check_offset(offset: object, n_samples: int) -> Array:
    """The offset as a float64 vector (n,): one finite number per row, else ``DataError``."""
    if sp.issparse(offset):
        raise DataError("offset must be a dense 1-d array with one value per row")
    try:
        values = np.asarray(offset, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError("offset must hold numbers, one per row") from None
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.shape != (n_samples,):
        raise DataError(
            f"offset has shape {values.shape}; expected one value per row ({n_samples},)"
        )
    if not np.all(np.isfinite(values)):
        bad = np.flatnonzero(~np.isfinite(values))
        raise DataError(f"offset holds NaN or infinity (row {int(bad[0])} first)")
    return values


def offset_name(offset: Any, default: str = "offset") -> str:
    """The name a summary shows for an offset: a named Series' name, else ``default``."""
    if isinstance(offset, pd.Series) and offset.name is not None:
        return str(offset.name)
    return default


def refuse_offset_or_trials(path: str, offset: object, trials: object) -> None:
    """A clear error where a fit or prediction path (Dask, streamed) takes neither."""
    given = [name for name, value in (("offset=", offset), ("trials=", trials))
             if value is not None]
    if given:
        raise DataError(f"{' and '.join(given)} {'is' if len(given) == 1 else 'are'} not "
                        f"supported for {path}: fit in memory (NumPy, pandas or SciPy data)")
