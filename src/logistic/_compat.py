"""The import paths of logistic before its layered layout, kept working.

``import logistic.estimator`` (and every other module that moved into a layer's package)
gives the module at its new place: the same module object, so attributes, ``isinstance``
and ``monkeypatch`` behave as before. Nothing is imported until an old name is asked for.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

MOVED = {
    "sigmoid": "core.sigmoid",
    "losses": "core.losses",
    "penalties": "core.penalties",
    "design": "core.design",
    "kernels": "core.kernels",
    "linalg": "core.linalg",
    "threads": "core.threads",
    "objective": "core.objective",
    "scaling": "core.scaling",
    "boundary": "core.boundary",
    "firth_kernels": "core.firth_kernels",
    "firth_design": "core.firth_design",
    "solvers._result": "solvers.result",
    "firth": "solvers.firth",
    "atomic": "io.atomic",
    "data": "io.data",
    "formula": "io.formula",
    "formula_expr": "io.formula_expr",
    "formula_file": "io.formula_file",
    "formula_terms": "io.formula_terms",
    "persist": "io.model_file",
    "profile": "inference.profile",
    "firth_inference": "inference.firth",
    "separation": "inference.separation",
    "separation_lp": "inference.separation_lp",
    "diagnosis": "inference.diagnosis",
    "path": "fitting.path",
    "partitioned": "scale.partitioned",
    "stream": "scale.stream",
    "dask": "scale.dask_backend",
    "estimator": "models.logistic_regression",
    "cv": "models.cv",
    "network": "models.network",
    "plots": "viz.plots",
    "explain": "viz.explain",
    "report": "viz.report",
}


class _Alias(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(self.target)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the target module ran when it was imported."""


class MovedModuleFinder(importlib.abc.MetaPathFinder):
    """Finds ``logistic.<old name>`` and answers with the module at its new path."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        prefix, _, old = fullname.partition(".")
        if prefix != "logistic" or old not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Alias(f"logistic.{MOVED[old]}"))


def install() -> None:
    if not any(isinstance(finder, MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedModuleFinder())
