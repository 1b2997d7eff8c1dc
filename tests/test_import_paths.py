"""The import paths from before the layered layout still work, and give the same objects."""

import importlib

import pytest

import logistic
from logistic._compat import MOVED


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_module_path_is_the_new_module(old):
    moved = importlib.import_module(f"logistic.{old}")
    assert moved is importlib.import_module(f"logistic.{MOVED[old]}")
    assert moved.__name__ == f"logistic.{MOVED[old]}"


def test_old_from_imports_give_the_public_objects():
    from logistic.estimator import LogisticRegression
    from logistic.persist import load

    assert LogisticRegression is logistic.LogisticRegression
    assert load is logistic.load


def test_unknown_module_still_fails():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("logistic.no_such_module")


def test_the_old_inference_module_names_live_on_its_package():
    from logistic.inference import Summary, fit_statistics, format_number
    from logistic.inference.statistics import Summary as moved

    assert Summary is moved and callable(fit_statistics) and callable(format_number)


def test_cli_package_keeps_main_and_run():
    from logistic.cli import main, run

    assert callable(main) and callable(run)
