"""Which modules register an estimator with the model file, imported when a file is used.

An estimator's module registers its kind with :func:`logistic.io.model_file.register_model_kind`
as it is imported. ``import logistic`` imports no estimator (its names load on first use), so
a model file saved or loaded through ``io.model_file`` alone would find no kind: the package
declares here, by name and without importing them, the modules that register kinds, and
``io.model_file`` imports them before it looks a kind up. This module imports nothing, so
declaring costs nothing at start-up.
"""

from __future__ import annotations

import importlib

__all__ = ["declare_model_kind", "import_declared_kinds"]

_DECLARED: list[str] = []


def declare_model_kind(module: str) -> None:
    """Declares that importing ``module`` (a dotted name) registers a model file kind."""
    if module not in _DECLARED:
        _DECLARED.append(module)


def import_declared_kinds() -> None:
    """Imports every declared module (an import already done costs a dictionary look-up)."""
    for module in _DECLARED:
        importlib.import_module(module)
