"""The offset a prediction adds to z = Xw + b, and where it comes from.

A model fitted with an offset (``fit(..., offset=)``) needs one for every prediction: given
as ``offset=``, or, for a formula with ``offset(col)``, read from the data's column ``col``.
Without one its prediction is refused (z without the offset is not the fitted model's
score). A model fitted without an offset adds one given at prediction as it is (as
statsmodels' ``predict(offset=)``): z = Xw + b + o.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from logistic.exceptions import DataError
from logistic.fitting.offset import check_offset

__all__ = ["with_offset"]

Array = NDArray[np.float64]


def with_offset(model: Any, z: Array, X: Any, offset: object) -> Array:
    """z plus the prediction's offset (see the module docstring); X: the rows as given."""
    fitted = getattr(model, "offset_name_", None)
    spec = getattr(model, "formula_", None)
    column = getattr(spec, "offset", None)
    if offset is None and column is not None and isinstance(X, pd.DataFrame):
        if column not in X.columns:
            raise DataError(f"the model's offset column {column!r} is not in the data")
        offset = X[column].to_numpy()
    if offset is None:
        if fitted is not None:
            raise DataError(f"the model was fitted with an offset ({fitted}): pass offset= "
                            "(one value per row) to predict with it")
        return z
    if z.ndim != 1:
        raise DataError("offset= is supported for two-class models only")
    return z + check_offset(offset, z.shape[0])
