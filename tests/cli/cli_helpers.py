"""What the CLI tests share: running the command in-process and checking its one error line
(imported as ``cli_helpers``: pytest puts this directory on the path of its tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from logistic.cli.app import run


def make_frame(n: int = 200, seed: int = 0, labels=("no", "yes")) -> pd.DataFrame:
    """Three numeric features, a label column with the given two labels, a text column."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    z = 0.3 + X @ np.array([1.0, -2.0, 0.5])
    positive = rng.random(n) < 1.0 / (1.0 + np.exp(-z))
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["label"] = np.where(positive, labels[1], labels[0])
    return frame


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


def call(argv, capsys) -> tuple[int, str, str]:
    """Runs the CLI in-process; returns (exit status, stdout, stderr)."""
    code = run([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_error_line(code: int, err: str, *fragments: str) -> None:
    """Exit status 2, exactly one ``logistic: error:`` line holding each of ``fragments``,
    no traceback."""
    assert code == 2, err
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("logistic: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], err
