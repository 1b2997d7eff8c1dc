"""Whether input is a dask collection, and the Dask backend when it is.

dask is an optional dependency: the backend (``scale/dask_backend.py``, which imports
dask) is loaded only when a dask collection arrives, so ``import logistic`` never needs it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["dask_backend", "is_dask_collection"]


def is_dask_collection(X: object) -> bool:
    """A dask array, DataFrame or Series (anything with a task graph), without dask."""
    return hasattr(X, "__dask_graph__")


def dask_backend() -> ModuleType:
    """``logistic.scale.dask_backend``, imported on first use (it imports dask)."""
    return importlib.import_module("logistic.scale.dask_backend")
