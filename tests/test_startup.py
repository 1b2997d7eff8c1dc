"""Start-up: ``import logistic`` and the command line's parser import no heavy dependency.

Each check runs a fresh interpreter (this test process has long imported everything) and
reads which modules it loaded; none measures time (benchmarks/startup.py does, in a table).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sklearn.exceptions

import logistic

SRC = Path(__file__).resolve().parents[1] / "src"

#: What importing takes seconds (or hundreds of milliseconds) and start-up must not load.
HEAVY = ("numpy", "scipy", "sklearn", "pandas", "matplotlib", "numba", "pyarrow", "formulaic",
         "dask", "statsmodels", "rich")

REPORT_LOADED = (
    "import json, sys; "
    f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
)


def python(*args: str) -> subprocess.CompletedProcess[str]:
    """Runs this interpreter on ``args`` with this checkout's ``src`` first on the path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def loaded_after(code: str) -> list[str]:
    """The heavy modules loaded once ``code`` has run in a fresh interpreter."""
    result = python("-c", f"{code}\n{REPORT_LOADED}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def imported_by_command(*argv: str) -> set[str]:
    """The top-level packages ``python -m logistic ARGV`` imports, from ``-X importtime``."""
    result = python("-X", "importtime", "-m", "logistic", *argv)
    assert result.returncode == 0, result.stderr
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "logistic" in names, result.stderr[-2000:]  # the parsing saw the imports
    return names


def test_import_logistic_loads_no_heavy_module():
    assert loaded_after("import logistic") == []


def test_building_the_parser_loads_no_heavy_module():
    assert loaded_after("from logistic.cli.app import build_parser; build_parser()") == []


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["fit", "--help"],
                                  ["plot", "--help"]])
def test_help_and_version_load_no_heavy_module(argv):
    assert imported_by_command(*argv) & set(HEAVY) == set()


@pytest.mark.parametrize("argv", [["fit", "absent.csv", "--target", "y"],
                                  ["fit", "absent.csv", "--target", "y", "--out", "no/m.json"]])
def test_a_missing_input_or_output_is_reported_before_the_heavy_imports(argv):
    """``logistic fit`` checks DATA and ``--out`` before it imports the estimator: the
    one-line error (exit 2) comes without scikit-learn, SciPy, pandas or numba loaded."""
    code = (f"import sys; sys.argv = ['logistic', *{argv!r}]\n"
            "from logistic.cli import main\n"
            "try:\n    main()\nexcept SystemExit as stop:\n    assert stop.code == 2\n")
    loaded = loaded_after(code)
    assert not {"sklearn", "scipy", "pandas", "numba", "matplotlib", "statsmodels"} & set(loaded)


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter, under ``-X importtime``, that takes ``LogisticRegression`` from
    ``import logistic`` before importing anything else, then fits, saves with
    ``io.model_file``, loads and predicts: one interpreter for the two tests below (a fresh
    one costs some 4 s of imports), the imports on its stderr, the round trip on stdout."""
    path = str(tmp_path_factory.mktemp("round-trip") / "m.json")
    code = f"""
import logistic
LogisticRegression = logistic.LogisticRegression
import numpy as np
from logistic.io.model_file import load, save
rng = np.random.default_rng(0)
X = rng.normal(size=(60, 2)); y = (X[:, 0] + rng.normal(size=60) > 0).astype(int)
model = LogisticRegression().fit(X, y)
save(model, {path!r})
again = load({path!r})
print(type(again).__name__, np.array_equal(again.predict_proba(X), model.predict_proba(X)))
"""
    return python("-X", "importtime", "-c", code)


def test_the_importtime_check_sees_heavy_imports(round_trip):
    """The check above can fail: code that runs imports NumPy and the others (here the
    lazy ``logistic.LogisticRegression``, the interpreter's first use of the library)."""
    names = {line.rsplit("|", 1)[1].strip().split(".")[0]
             for line in round_trip.stderr.splitlines() if line.startswith("import time:")}
    assert {"numpy", "sklearn"} <= names


def test_every_public_name_imports_and_is_listed():
    assert set(logistic._LAZY) | {"__version__"} == set(logistic.__all__)
    assert set(logistic.__all__) <= set(dir(logistic))
    for name in logistic.__all__:
        value = getattr(logistic, name)
        module = logistic._LAZY.get(name)
        if module is not None:  # the object of its module, not a copy
            assert value is getattr(sys.modules[module], name)
    namespace: dict = {}
    exec("from logistic import *", namespace)
    assert set(logistic.__all__) <= set(namespace)


def test_an_unknown_name_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        logistic.no_such_name  # noqa: B018
    with pytest.raises(ImportError):
        exec("from logistic import no_such_name", {})


def test_convergence_warning_is_still_scikit_learns():
    from logistic.exceptions import ConvergenceWarning

    assert ConvergenceWarning is sklearn.exceptions.ConvergenceWarning
    assert logistic.ConvergenceWarning is sklearn.exceptions.ConvergenceWarning


def test_a_model_file_round_trips_through_io_alone(round_trip):
    """io.model_file finds the estimator's kind although nothing imported
    ``models.persistence`` (``import logistic`` no longer does): a fresh interpreter fits,
    saves and loads with io.model_file only, and the loaded model predicts the same."""
    assert round_trip.returncode == 0, round_trip.stderr[-3000:]
    assert round_trip.stdout.split() == ["LogisticRegression", "True"]


def test_the_light_option_choices_agree_with_the_library():
    """cli/fit_options.py spells out --cov-type's and --ties' choices so that parsing
    imports no estimator; they must be the library's own."""
    from logistic.cli.fit_options import COV_TYPE_CHOICES, TIES_CHOICES
    from logistic.inference.statistics import COV_TYPES
    from logistic.models.conditional import TIES

    assert COV_TYPE_CHOICES == COV_TYPES
    assert TIES_CHOICES == TIES
