"""Out-of-core: Parquet files streamed in chunks reach the in-memory optimum.

The files are written with small row groups and fitted with a small memory budget, so that
every pass reads many chunks; bad files give a DataError naming the file and the column,
and the command line writes nothing for them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from logistic import DataError, LogisticRegression, load  # noqa: E402
from logistic.cli.app import run  # noqa: E402
from logistic.scale.stream import ParquetSource, batch_rows, fit_parquet, parse_memory  # noqa: E402

FEATURES = ["f0", "f1", "f2", "f3", "f4"]
BUDGET = 400_000  # bytes: about 730 rows of 5 features per chunk


def _frame(n: int = 6000, seed: int = 0, n_classes: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, len(FEATURES)))
    scores = X @ rng.standard_normal((len(FEATURES), n_classes))
    codes = np.argmax(scores + rng.gumbel(size=(n, n_classes)), axis=1)
    names = np.array(["no", "yes"] if n_classes == 2 else ["ant", "bee", "cat"], dtype=object)
    frame = pd.DataFrame(X, columns=FEATURES)
    frame["label"] = names[codes]
    frame["w"] = rng.uniform(0.5, 2.0, n)
    return frame


def _write(frame: pd.DataFrame, path, row_group_size: int = 700):
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path,
                   row_group_size=row_group_size)
    return path


def _in_memory(frame: pd.DataFrame, **params) -> LogisticRegression:
    return LogisticRegression(tol=1e-10, **params).fit(
        frame[FEATURES], frame["label"].to_numpy(), sample_weight=frame["w"].to_numpy()
    )


def test_streamed_fit_equals_in_memory(tmp_path):
    frame = _frame()
    path = _write(frame, tmp_path / "train.parquet")
    source = ParquetSource(path, "label", FEATURES, weight="w", memory=BUDGET)
    assert sum(1 for _ in source.chunks()) >= 6  # several chunks per pass
    memory = _in_memory(frame)
    streamed = fit_parquet(
        LogisticRegression(tol=1e-10), path, "label", FEATURES, weight="w", memory=BUDGET
    )
    assert streamed.objective_ == pytest.approx(memory.objective_, rel=1e-8)
    np.testing.assert_allclose(streamed.coef_, memory.coef_, atol=1e-6)
    np.testing.assert_allclose(streamed.intercept_, memory.intercept_, atol=1e-6)
    assert streamed.classes_.tolist() == ["no", "yes"]
    assert streamed.solver_ == "newton"
    np.testing.assert_allclose(streamed.std_err_, memory.std_err_, rtol=1e-8)
    assert streamed.feature_names_in_.tolist() == FEATURES


def test_streamed_multinomial_lbfgs_over_a_directory(tmp_path):
    """Two files of a dataset, three text classes, L-BFGS."""
    frame = _frame(n=4000, n_classes=3)
    (tmp_path / "data").mkdir()
    _write(frame.iloc[:2500], tmp_path / "data" / "part-0.parquet")
    _write(frame.iloc[2500:], tmp_path / "data" / "part-1.parquet")
    # tol 1e-8: much below it a step changes J by less than J's rounding, and L-BFGS-B's
    # line search (on J) stops wherever that happens (‖∇J‖∞ ~ 1e-10 to 3e-9 here)
    params = {"solver": "lbfgs", "max_iter": 500, "tol": 1e-8}
    memory = LogisticRegression(**params).fit(
        frame[FEATURES], frame["label"].to_numpy(), sample_weight=frame["w"].to_numpy()
    )
    streamed = fit_parquet(
        LogisticRegression(**params), tmp_path / "data", "label", FEATURES,
        weight="w", memory=BUDGET,
    )
    assert streamed.objective_ == pytest.approx(memory.objective_, rel=1e-8)
    np.testing.assert_allclose(streamed.coef_, memory.coef_, atol=1e-6)
    assert streamed.classes_.tolist() == ["ant", "bee", "cat"]


def test_cli_fit_with_memory_streams(tmp_path, capsys):
    frame = _frame().drop(columns="w")
    path = _write(frame, tmp_path / "big.parquet")
    out = tmp_path / "model.json"
    status = run(["fit", str(path), "--target", "label", "--memory", "400kB",
                  "--tol", "1e-10", "--out", str(out), "--quiet"])
    assert status == 0, capsys.readouterr().err
    memory = LogisticRegression(tol=1e-10).fit(frame[FEATURES], frame["label"].to_numpy())
    np.testing.assert_allclose(load(out).coef_, memory.coef_, atol=1e-6)


def test_cli_fits_a_directory_of_parts_in_memory_or_streamed(tmp_path, capsys):
    """A directory needs no --format: read whole, or streamed with --memory, it gives the
    in-memory fit of all its rows."""
    frame = _frame().drop(columns="w")
    (tmp_path / "parts").mkdir()
    _write(frame.iloc[:2000], tmp_path / "parts" / "0.parquet")
    _write(frame.iloc[2000:], tmp_path / "parts" / "1.parquet")
    memory = LogisticRegression(tol=1e-10).fit(frame[FEATURES], frame["label"].to_numpy())
    for extra in ([], ["--memory", "400kB"]):
        out = tmp_path / f"model{len(extra)}.json"
        status = run(["fit", str(tmp_path / "parts"), "--target", "label", "--tol", "1e-10",
                      *extra, "--out", str(out), "--quiet"])
        assert status == 0, capsys.readouterr().err
        np.testing.assert_allclose(load(out).coef_, memory.coef_, atol=1e-6)


def _expect_error(tmp_path, capsys, paths, match: str, target: str = "label") -> None:
    """The library raises a DataError matching ``match``; the CLI exits 2 with it on one
    line and writes no model."""
    with pytest.raises(DataError, match=match):
        fit_parquet(LogisticRegression(), paths, target, memory=BUDGET)
    out = tmp_path / "never.json"
    data = paths if not isinstance(paths, list) else paths[0].parent
    status = run(["fit", str(data), "--target", target, "--memory", "400kB",
                  "--format", "parquet", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "logistic: error:" in err
    assert not out.exists()


def test_target_absent_from_a_file(tmp_path, capsys):
    frame = _frame(n=1000)
    (tmp_path / "data").mkdir()
    _write(frame, tmp_path / "data" / "a.parquet")
    _write(frame.drop(columns="label"), tmp_path / "data" / "b.parquet")
    _expect_error(tmp_path, capsys, tmp_path / "data",
                  r"b\.parquet: target column 'label' not found")


def test_target_of_mixed_types_across_files(tmp_path, capsys):
    frame = _frame(n=1000)
    (tmp_path / "data").mkdir()
    _write(frame, tmp_path / "data" / "a.parquet")
    _write(frame.assign(label=(frame["label"] == "yes").astype(int)),
           tmp_path / "data" / "b.parquet")
    _expect_error(tmp_path, capsys, tmp_path / "data",
                  r"b\.parquet: target column 'label' holds integer values, but .*a\.parquet "
                  "holds text")


def test_feature_of_text_in_one_file(tmp_path, capsys):
    frame = _frame(n=1000)
    (tmp_path / "data").mkdir()
    _write(frame, tmp_path / "data" / "a.parquet")
    _write(frame.assign(f2=frame["f2"].astype(str)), tmp_path / "data" / "b.parquet")
    _expect_error(tmp_path, capsys, tmp_path / "data",
                  r"b\.parquet: column 'f2' is not numeric")


def test_unreadable_file(tmp_path, capsys):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not a parquet file")
    _expect_error(tmp_path, capsys, path, r"broken\.parquet: not a readable Parquet file")


def test_missing_feature_value_names_file_column_and_row(tmp_path, capsys):
    frame = _frame(n=3000)
    frame.loc[2222, "f3"] = np.nan
    frame["f3"] = frame["f3"].astype("Float64")  # a real null in Parquet, not a NaN float
    path = _write(frame, tmp_path / "holes.parquet")
    _expect_error(tmp_path, capsys, path,
                  r"holes\.parquet: column 'f3' has 1 missing value\(s\) .*data row 2223")


def test_missing_label_and_non_integer_target(tmp_path, capsys):
    frame = _frame(n=1000)
    frame.loc[10, "label"] = None
    _expect_error(tmp_path, capsys, _write(frame, tmp_path / "labels.parquet"),
                  r"labels\.parquet: column 'label' has 1 missing value")
    frame = _frame(n=1000).drop(columns="label").assign(score=np.linspace(0, 1, 1000))
    _expect_error(tmp_path, capsys, _write(frame, tmp_path / "score.parquet"),
                  r"score\.parquet: target column 'score' holds 0\.001001", target="score")


def test_memory_budget():
    assert parse_memory("1GB") == 10**9
    assert parse_memory("1.5GiB") == 3 * 2**29
    assert parse_memory("512mb") == 512 * 10**6
    assert parse_memory(4096) == 4096
    for bad in ("lots", "-1GB", "0", "1XB"):
        with pytest.raises(ValueError, match="memory must be"):
            parse_memory(bad)
    assert batch_rows(10**9, 50) == (10**9 // 2) // (8 * (200 + 6 + 8))
    with pytest.raises(ValueError, match="too small"):
        batch_rows(10_000, 50)


def test_non_finite_feature_value(tmp_path, capsys):
    frame = _frame(n=1000)
    frame.loc[5, "f1"] = np.inf
    _expect_error(tmp_path, capsys, _write(frame, tmp_path / "inf.parquet"),
                  r"inf\.parquet: column 'f1' holds a non-finite value \(inf\) in data row 6")


def test_cli_memory_usage_errors(tmp_path, capsys):
    """A bad size, a budget too small for one row group of chunks, or an option that needs
    the data in memory: exit 2, one line, no model file."""
    path = _write(_frame(n=1000), tmp_path / "train.parquet")
    out = tmp_path / "never.json"
    cases = {
        ("--memory", "1XB"): "argument --memory: memory must be a size such as '1GB'",
        ("--memory", "1kB"): "memory=1000 bytes is too small for chunks of 6 features",
        ("--memory", "9" * 400 + "TB"): "argument --memory: memory must be a finite size",
        ("--memory", "1MB", "--penalty", "firth"): "--memory fits with --penalty none or l2",
        ("--memory", "1MB", "--penalty", "l1"): "--memory fits with --penalty none or l2",
        ("--memory", "1MB", "--solver", "newton-cd"):
            "--solver auto, newton, newton-cg, lbfgs or gd",
    }
    for options, message in cases.items():
        status = run(["fit", str(path), "--target", "label", *options, "--out", str(out)])
        err = capsys.readouterr().err
        assert status == 2 and err.count("\n") == 1 and message in err, err
        assert not out.exists()
    csv = tmp_path / "train.csv"
    _frame(n=50).to_csv(csv, index=False)
    for argv, message in [
        ([str(csv), "--target", "label"], "--memory streams Parquet data; "),
        ([str(path), "--formula", "label ~ f1"], "give --target COL (and --features), not "
                                                  "--formula"),
    ]:
        status = run(["fit", *argv, "--memory", "1MB", "--out", str(out)])
        err = capsys.readouterr().err
        assert status == 2 and err.count("\n") == 1 and message in err, err
        assert not out.exists()


def test_newton_cd_needs_the_data_in_memory(tmp_path):
    path = _write(_frame(n=1000), tmp_path / "train.parquet")
    with pytest.raises(ValueError, match="solver='newton-cd' needs the data in memory"):
        fit_parquet(LogisticRegression(solver="newton-cd"), path, "label")
