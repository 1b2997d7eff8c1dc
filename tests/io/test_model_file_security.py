"""A model file, or a formula, never runs code (issue 16).

Each crafted file is a real saved formula model with one part edited. The payloads would
create a sentinel file if anything evaluated them: the control test runs the live ones
through formulaic (what ``load`` + ``predict`` did before schema 2) and sees the sentinel
appear, so the assertions that it never appears here can fail. For every file, ``load``
raises ``ModelFileError`` naming the refused part, ``logistic predict`` exits 2 with one
line on stderr, and the sentinel does not exist afterwards. The same payloads typed as a
``--formula`` at fit time are refused before anything is computed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import formulaic
import numpy as np
import pandas as pd
import pytest

import logistic
from logistic import DataError, LogisticRegression, ModelFileError, load
from logistic.cli.app import run
from logistic.io.formula import FormulaRefused, design_matrices

SENTINEL = "SENTINEL"  # replaced by the sentinel's absolute path in each payload


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 200
    data = pd.DataFrame({
        "x1": rng.normal(size=n), "x2": rng.normal(size=n), "x3": rng.uniform(0.5, 2.0, n),
        "g": rng.choice(list("abc"), n),
    })
    z = 0.3 + data.x1 + 0.5 * (data.g == "b")
    data["y"] = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    return data


@pytest.fixture(scope="module")
def model(frame) -> LogisticRegression:
    return LogisticRegression.from_formula("y ~ x1 + C(g) + log(x3)", frame)


#: The formula object of the same model as logistic wrote it in schema 1 (formulaic's state).
SCHEMA_1_FORMULA = {
    "formula": "1 + x1 + C(g) + log(x3)", "response": "y",
    "columns": ["x1", "C(g)[T.b]", "C(g)[T.c]", "log(x3)"], "intercept": True,
    "encoder_state": {"x1": ["numerical", {}], "C(g)": ["categorical", {"categories": list("abc")}],
                      "log(x3)": ["numerical", {}]},
    "transform_state": {},
}

#: Schema-1 formula strings: (payload, part of the refusal, whether formulaic would run it).
SCHEMA_1_PAYLOADS = {
    "brace-block-import": ("1 + x1 + {x1*0 + __import__('os').system('touch SENTINEL')}",
                           "{...} blocks are not allowed", True),
    "builtin-open": ("1 + x1 + I(x1 * 0 + len(open('SENTINEL', 'w').name))",
                     "len() is not one of the allowed functions", True),
    "builtin-eval": ("1 + x1 + I(x1 + eval(\"open('SENTINEL', 'w').close() or 0\"))",
                     "eval() is not one of the allowed functions", True),
    "builtin-exec": ("1 + x1 + I(x1 + exec(\"open('SENTINEL', 'w')\"))",
                     "exec() is not one of the allowed functions", True),
    "globals-subscript": ("1 + x1 + I(x1 * 0 + globals()['__builtins__']['open']"
                          "('SENTINEL', 'w').closed)", "attribute access", False),
    "dunder-chain": ("1 + x1 + I(x1.__class__.__init__.__globals__['__builtins__']['open']"
                     "('SENTINEL', 'w').closed + x1)", "an attribute access (\"x1.__class__",
                     False),
    "import": ("1 + x1 + I(x1 + __import__('pathlib').Path('SENTINEL').touch())",
               "calling an attribute access (\"__import__('pathlib')", True),
    "lambda": ("1 + x1 + I(x1 + (lambda: open('SENTINEL', 'w').close() or 0)())",
               "calling a lambda", True),
    "list-comprehension": ("1 + x1 + I(x1 + [open('SENTINEL', 'w') for _ in [1]])",
                           "a comprehension", True),
    "set-comprehension": ("1 + x1 + I(x1 + {open('SENTINEL', 'w') for _ in [1]})",
                          "a comprehension", True),
    "dict-comprehension": ("1 + x1 + I(x1 + {k: open('SENTINEL', 'w') for k in [1]})",
                           "a comprehension", True),
    "generator": ("1 + x1 + I(x1 + max(open('SENTINEL', 'w') and 0 for _ in [1]))",
                  "max() is not one of the allowed functions", True),
    "column-attribute": ("1 + x1 + I(x1 + x1.to_csv('SENTINEL'))",
                         "calling an attribute access ('x1.to_csv')", True),
    "numpy-attribute": ("1 + x1 + I(x1 + np.savetxt('SENTINEL', x1))",
                        "calling an attribute access ('np.savetxt')", True),
    "walrus": ("1 + x1 + I((f := x1) + open('SENTINEL', 'w').closed)",
               "an assignment (:=)", True),
    "f-string": ("1 + x1 + I(f\"{open('SENTINEL', 'w')}\" + x1)", "an f-string", True),
    "string-constant": ("1 + x1 + I(x1 + 'SENTINEL')", "a str constant", False),
    "bytes-constant": ("1 + x1 + I(x1 + b'SENTINEL')", "a bytes constant", False),
    "contrast-code": ("1 + x1 + C(g, contr.treatment(open('SENTINEL', 'w')))",
                      "a level must be a text, number or boolean literal", True),
    "levels-code": ("1 + x1 + C(g, levels=__import__('os').system('touch SENTINEL'))",
                    "levels= must be a non-empty list of literals", True),
    "very-long": ("1 + x1" + " + x1" * 20_000 + " + {open('SENTINEL', 'w')}",
                  "is longer than 20000 characters", False),
    "deeply-nested": ("1 + x1 + " + "I(" * 1000 + "x1" + ")" * 1000,
                      "nests brackets deeper than 32", False),
    "transform-shadows-column": ("1 + log + log(x3)",
                                 "the column 'log' has the name of a transform", False),
}


def _node(expr: dict):
    def edit(formula: dict, sentinel: str) -> None:
        formula["factors"]["log(x3)"]["expr"] = json.loads(json.dumps(expr).replace(
            SENTINEL, sentinel))
    return edit


def _deep(depth: int) -> dict:
    node: dict = {"column": "x3"}
    for _ in range(depth):
        node = {"op": "neg", "args": [node]}
    return node


#: Crafted schema-2 files: (edit, part of the refusal).
SCHEMA_2_EDITS = {
    "v2-formula-text": (lambda f, s: f.update(formula=SCHEMA_1_PAYLOADS["brace-block-import"][0]
                                              .replace(SENTINEL, s)),
                        "is not its terms written out"),
    "v2-unknown-op": (_node({"op": "system", "args": [{"constant": 0}]}),
                      "has a node outside the closed set"),
    "v2-code-node": (_node({"code": "__import__('os').system('touch SENTINEL')"}),
                     "has a node outside the closed set"),
    "v2-string-constant": (_node({"constant": "touch SENTINEL"}),
                           "has a node outside the closed set"),
    "v2-python-factor": (lambda f, s: f["factors"].update({"log(x3)": {
        "kind": "python", "expr": f"open('{s}', 'w')"}}),
        "is not a numerical or categorical factor"),
    "v2-deep-tree": (_node(_deep(100)), "nested deeper than 32"),
    "v2-transform-shadows-column": (_node({"op": "log", "args": [{"column": "log"}]}),
                                    "the column 'log' has the name of a transform"),
    "v2-level-object": (lambda f, s: f["factors"]["C(g)"].update(
        levels=["a", "b", {"__reduce__": f"open('{s}', 'w')"}]), "a list of levels"),
}


def _saved(tmp_path: Path, model: LogisticRegression) -> dict:
    model.save(tmp_path / "good.json")
    return json.loads((tmp_path / "good.json").read_text())


def _crafted(tmp_path: Path, model, case: str) -> tuple[Path, str, Path]:
    """(the crafted file, part of its refusal, the sentinel the payload would create)."""
    sentinel = tmp_path / "PWNED"
    document = _saved(tmp_path, model)
    if case in SCHEMA_1_PAYLOADS:
        payload, match, _ = SCHEMA_1_PAYLOADS[case]
        document["schema_version"] = 1
        # a column "log" in the encoder state, so the shadowing case gets past that check
        encoder_state = {**SCHEMA_1_FORMULA["encoder_state"], "log": ["numerical", {}]}
        document["formula"] = {**SCHEMA_1_FORMULA, "encoder_state": encoder_state,
                               "formula": payload.replace(SENTINEL, str(sentinel))}
    else:
        edit, match = SCHEMA_2_EDITS[case]
        edit(document["formula"], str(sentinel))
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path, match, sentinel


CASES = sorted(SCHEMA_1_PAYLOADS) + sorted(SCHEMA_2_EDITS)


def test_the_uncrafted_files_load_and_predict(tmp_path, model, frame):
    """The base of every crafted file is good: each refusal below is the payload's."""
    document = _saved(tmp_path, model)
    document["schema_version"], document["formula"] = 1, SCHEMA_1_FORMULA
    (tmp_path / "old.json").write_text(json.dumps(document))
    for name in ("good.json", "old.json"):
        np.testing.assert_array_equal(load(tmp_path / name).predict_proba(frame),
                                      model.predict_proba(frame))


@pytest.mark.parametrize("case", [c for c in sorted(SCHEMA_1_PAYLOADS)
                                  if SCHEMA_1_PAYLOADS[c][2]])
def test_control_formulaic_would_run_the_live_payloads(tmp_path, frame, case):
    """What predicting from a schema-1 file did: formulaic evaluated its formula string."""
    sentinel = tmp_path / "PWNED"
    payload = SCHEMA_1_PAYLOADS[case][0].replace(SENTINEL, str(sentinel))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas on Series + set, formulaic on the rest
            formulaic.model_matrix(payload, frame)
    except Exception:  # noqa: BLE001 - many payloads fail after their side effect
        pass
    assert sentinel.exists()


@pytest.mark.parametrize("case", CASES)
def test_load_refuses_a_crafted_file_and_runs_nothing(tmp_path, model, case):
    path, match, sentinel = _crafted(tmp_path, model, case)
    with pytest.raises(ModelFileError) as info:
        load(path)
    assert match in str(info.value)
    assert str(info.value).startswith(f"{path} is not a valid logistic model file: formula")
    assert not sentinel.exists()


@pytest.mark.parametrize("case", CASES)
def test_cli_predict_refuses_a_crafted_file_in_one_line(tmp_path, capsys, model, frame, case):
    path, match, sentinel = _crafted(tmp_path, model, case)
    data = tmp_path / "new.csv"
    frame.assign(log=1.0).to_csv(data, index=False)
    for argv in (["predict", str(path), str(data)], ["summary", str(path)]):
        assert run(argv) == 2
        captured = capsys.readouterr()
        lines = captured.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("logistic: error:"), captured.err
        assert match in lines[0] and "Traceback" not in captured.err
        assert captured.out == "" and not sentinel.exists()


@pytest.mark.slow
def test_the_issue_command_line_in_a_fresh_process(tmp_path, model, frame):
    """``logistic predict evil.json new.csv``, as the issue ran it."""
    path, _, sentinel = _crafted(tmp_path, model, "brace-block-import")
    frame.to_csv(tmp_path / "new.csv", index=False)
    source = str(Path(logistic.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": source + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-m", "logistic", "predict", str(path), "new.csv"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and "{...} blocks are not allowed" in done.stderr
    assert not sentinel.exists()


def _slow_files(document: dict) -> dict[str, tuple[dict, int, str]]:
    """Files whose formula would take hours or all memory to expand: (document, schema
    version of the formula, part of the refusal)."""
    product = {**SCHEMA_1_FORMULA, "formula": "*".join(f"x{i}" for i in range(26))}
    names = [f"C(x{i})" for i in range(26)]
    interaction = {**SCHEMA_1_FORMULA, "formula": ":".join(names),
                   "encoder_state": {n: ["categorical", {"categories": ["a", "b"]}]
                                     for n in names}}
    levels = {f"C({c})": {"kind": "categorical", "column": c, "levels": list(range(10_000)),
                          "reference": 0} for c in "abc"}
    wide = {**document["formula"], "terms": [["C(a)", "C(b)", "C(c)"]], "factors": levels,
            "formula": "1 + C(a):C(b):C(c)"}
    return {
        "v1-product-of-26": (product, 1, "has '*' between its terms"),
        "v1-interaction-of-26": (interaction, 1, "more than 16 factors or 6 categorical"),
        "v2-10**12-columns": (wide, 2, "the terms make 999999999999 columns, more than"),
    }


@pytest.mark.parametrize("case", ["v1-product-of-26", "v1-interaction-of-26",
                                  "v2-10**12-columns"])
def test_a_formula_that_would_expand_forever_is_refused_at_once(tmp_path, model, case):
    """formulaic's parser expands a*b*...*z into 2**26 terms, the rank rules try every
    subset of a term's categorical factors, levels multiply: each is bounded before it runs."""
    document = _saved(tmp_path, model)
    formula, version, match = _slow_files(document)[case]
    document["schema_version"], document["formula"] = version, formula
    (tmp_path / "slow.json").write_text(json.dumps(document))
    started = time.perf_counter()
    with pytest.raises(ModelFileError, match=re.escape(match)):
        load(tmp_path / "slow.json")
    assert time.perf_counter() - started < 5.0


# -- the same payloads as a formula at fit time --------------------------------------------------


FIT_CASES = [c for c in sorted(SCHEMA_1_PAYLOADS) if c != "transform-shadows-column"]


@pytest.mark.parametrize("case", FIT_CASES)
def test_a_formula_with_code_is_refused_at_fit_before_anything_runs(tmp_path, frame, case):
    sentinel = tmp_path / "PWNED"
    payload, match, _ = SCHEMA_1_PAYLOADS[case]
    with pytest.raises(FormulaRefused, match="refused|longer than|deeper than") as info:
        design_matrices("y ~ " + payload.replace(SENTINEL, str(sentinel)), frame)
    assert isinstance(info.value, DataError) and match in str(info.value)
    with pytest.raises(DataError):
        LogisticRegression.from_formula("y ~ " + payload.replace(SENTINEL, str(sentinel)), frame)
    assert not sentinel.exists()


@pytest.mark.parametrize("case", ["brace-block-import", "column-attribute", "f-string"])
def test_cli_fit_refuses_a_formula_with_code_in_one_line(tmp_path, capsys, frame, case):
    sentinel = tmp_path / "PWNED"
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    formula = "y ~ " + SCHEMA_1_PAYLOADS[case][0].replace(SENTINEL, str(sentinel))
    assert run(["fit", str(data), "--formula", formula, "--out", str(tmp_path / "m.json")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("logistic: error:")
    assert SCHEMA_1_PAYLOADS[case][1] in lines[0]
    assert not sentinel.exists() and not (tmp_path / "m.json").exists()


def test_a_column_shadowing_a_called_transform_is_refused_at_fit(frame):
    with pytest.raises(FormulaRefused, match="column named 'log', which the factor 'log"):
        design_matrices("y ~ log(x3)", frame.assign(log=1.0))
    X, _, _ = design_matrices("y ~ log + x1", frame.assign(log=2.0))  # a plain lookup is fine
    assert list(X.columns) == ["log", "x1"]


# -- the other fields of a model file ------------------------------------------------------------


def test_a_callback_named_in_a_file_is_refused(tmp_path, model):
    """``params`` reach the estimator's constructor: a string where code would go is no
    callable, and loading says so rather than keeping it for a later fit to call."""
    document = _saved(tmp_path, model)
    document["params"]["callback"] = "os.system"
    (tmp_path / "cb.json").write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="callback must be callable"):
        load(tmp_path / "cb.json")


def test_a_term_of_seven_categorical_factors_is_refused_at_fit():
    rng = np.random.default_rng(0)
    data = pd.DataFrame({f"c{i}": rng.choice(list("ab"), 50) for i in range(7)})
    data["y"] = rng.integers(0, 2, 50)
    term = ":".join(f"C(c{i})" for i in range(7))
    with pytest.raises(FormulaRefused, match="more than 16 factors or 6 categorical ones"):
        design_matrices("y ~ " + term, data)
    X, _, _ = design_matrices("y ~ " + term.rsplit(":", 1)[0], data)  # six are fine
    assert X.shape == (50, 63)
