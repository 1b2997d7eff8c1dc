"""Adversarial files for the readers, the model file and the atomic writer (issue 22, CLI/IO
part): each is kept exactly or refused with a DataError / ModelFileError that names the file;
none allocates by what a header claims rather than what the file holds.

References: the values written to the file (labels kept exactly), the documented limits
(docs/errors.md), and for the streamed fit the in-memory fit of the same rows.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from logistic import DataError, LogisticRegression, ModelFileError
from logistic.io.atomic import write_atomically
from logistic.io.data import read_dataset, read_table
from logistic.io.formats import excerpt
from logistic.io.model_bytes import MAX_MODEL_FILE_BYTES
from logistic.io.model_file import load, save

SRC = str(Path(__file__).resolve().parents[2] / "src")


def labelled(n: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    table = pd.DataFrame(X, columns=["a", "b"])
    table["y"] = (rng.random(n) < 1 / (1 + np.exp(-(X @ [1.0, -1.0])))).astype(int)
    return table


# -- labels: exact or refused ----------------------------------------------------------------
def test_uint64_labels_of_an_npy_file_are_kept_exactly(tmp_path):
    array = np.zeros((20, 2), dtype=np.uint64)
    array[:, 0] = np.arange(20)
    array[1::2, 1] = np.iinfo(np.uint64).max
    np.save(tmp_path / "u.npy", array)
    _, y, _ = read_dataset(tmp_path / "u.npy")
    assert y.dtype == np.uint64
    assert sorted(set(y.tolist())) == [0, 2**64 - 1]  # the values written


@pytest.mark.parametrize("value", [2.0**63, 1e300, -1e19, float(2**64 - 1)])
def test_float_labels_beyond_int64_are_refused_not_wrapped(tmp_path, value):
    array = np.column_stack([np.arange(20.0), np.where(np.arange(20) % 2, value, 0.0)])
    np.save(tmp_path / "f.npy", array)
    with pytest.raises(DataError, match="beyond the 64-bit integer range"):
        read_dataset(tmp_path / "f.npy")


def test_float_labels_just_inside_int64_are_kept(tmp_path):
    value = 2.0**62  # exactly representable in float64 and int64
    array = np.column_stack([np.arange(20.0), np.where(np.arange(20) % 2, value, 0.0)])
    np.save(tmp_path / "f.npy", array)
    _, y, _ = read_dataset(tmp_path / "f.npy")
    assert sorted(set(y.tolist())) == [0, 2**62]


def test_binary_parquet_labels_are_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"a": np.arange(6.0), "y": pa.array([b"p", b"q"] * 3)}),
                   tmp_path / "b.parquet")
    with pytest.raises(DataError, match="binary values"):
        read_dataset(tmp_path / "b.parquet", "y")


# -- text tables -----------------------------------------------------------------------------
@pytest.mark.parametrize(("header", "sep", "suffix"), [
    ("a,a,y", ",", ".csv"), ("a\ta\ty", "\t", ".tsv"), ("y,b,b,b", ",", ".csv"),
])
def test_a_header_naming_a_column_twice_is_refused(tmp_path, header, sep, suffix):
    names = header.split(sep)
    rows = "".join(sep.join(str((i + j) % 2) for j in range(len(names))) + "\n"
                   for i in range(6))
    path = tmp_path / f"d{suffix}"
    path.write_text(header + "\n" + rows)
    with pytest.raises(DataError, match="more than once"):
        read_table(path)


def test_a_header_with_a_genuine_dot_number_name_is_read(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a.1,a,y\n1,2,0\n3,4,1\n")
    assert list(read_table(path).columns) == ["a.1", "a", "y"]


def test_a_huge_cell_is_quoted_as_a_short_excerpt(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,y\n" + "x" * 2_000_000 + ",1\n1,0\n")
    with pytest.raises(DataError) as info:
        read_dataset(path, "y")
    assert len(str(info.value)) < 400 and "2000000 characters" in str(info.value)


def test_excerpt_keeps_short_values_and_cuts_long_ones():
    assert excerpt("abc") == repr("abc")
    assert excerpt("x" * 100).startswith(repr("x" * 40)) and "100 characters" in excerpt("x" * 100)


@pytest.mark.parametrize("encoding", ["rot13", "base64", "zlib"])
def test_an_encoding_that_is_no_text_encoding_is_refused(tmp_path, encoding):
    labelled().to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(DataError, match="not a text encoding"):
        read_table(tmp_path / "d.csv", encoding=encoding)


def test_a_device_is_not_read_as_data():
    for path in ("/dev/zero", "/dev/null"):
        with pytest.raises(DataError, match="is a device"):
            read_dataset(path, "y", fmt="csv")


def test_a_fifo_is_still_read_as_data(tmp_path):
    """Process substitution (``<(zcat ...)``) hands the command a FIFO: still data."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    text = labelled().to_csv(index=False)
    writer = subprocess.Popen([sys.executable, "-c",
                               f"open({str(fifo)!r}, 'w').write({text!r})"])
    try:
        frame = read_table(fifo)
    finally:
        writer.wait(timeout=60)
    pd.testing.assert_frame_equal(frame, labelled())


def test_a_non_utf8_file_name_is_read(tmp_path):
    name = os.fsdecode(b"donn\xe9es.csv")  # latin-1 bytes: a surrogate-escaped str
    path = tmp_path / name
    labelled().to_csv(path, index=False)
    X, y, _ = read_dataset(path, "y")
    assert X.shape == (40, 2)


# -- LIBSVM and .npy: allocation bounded by the file -----------------------------------------
def test_libsvm_width_beyond_its_values_is_refused(tmp_path):
    path = tmp_path / "w.svm"
    path.write_text("".join(f"{i % 2} 1:{i} 2000000000:1\n" for i in range(60)))
    with pytest.raises(DataError, match="largest feature index is 2000000000"):
        read_dataset(path)


def test_libsvm_width_within_the_free_columns_is_read(tmp_path):
    path = tmp_path / "w.svm"
    path.write_text("".join(f"{i % 2} 1:{i} 1000000:1\n" for i in range(6)))
    X, _, names = read_dataset(path)
    assert X.shape == (6, 1_000_000) and names[-1] == "x1000000"


def test_libsvm_index_beyond_int64_is_a_data_error(tmp_path):
    path = tmp_path / "w.svm"
    path.write_text("0 1:1 99999999999999999999:1\n1 1:2\n")
    with pytest.raises(DataError, match="64-bit"):
        read_dataset(path)


@pytest.mark.parametrize("shape", [(10**11, 3), (3, 10**12), (2**40, 2**20)])
def test_npy_header_claiming_more_than_the_file_holds_is_refused(tmp_path, shape):
    header = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}"
    header = header + " " * (118 - len(header)) + "\n"
    path = tmp_path / "h.npy"
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little")
                     + header.encode() + b"\0" * 48)
    with pytest.raises(DataError, match="truncated or corrupted"):
        read_dataset(path)


def test_truncated_npy_is_refused(tmp_path):
    np.save(tmp_path / "t.npy", np.ones((100, 3)))
    data = (tmp_path / "t.npy").read_bytes()
    (tmp_path / "t.npy").write_bytes(data[: len(data) - 8])
    with pytest.raises(DataError, match="truncated or corrupted"):
        read_dataset(tmp_path / "t.npy")


# -- model files -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def model_text(tmp_path_factory) -> str:
    table = labelled()
    path = tmp_path_factory.mktemp("m") / "m.json"
    save(LogisticRegression().fit(table[["a", "b"]], table["y"]), path)
    return path.read_text()


def test_model_file_with_a_4301_digit_integer_is_a_model_file_error(tmp_path, model_text):
    document = json.loads(model_text)
    text = model_text.replace(f'"n_iter": {document["fit"]["n_iter"]}', '"n_iter": ' + "7" * 4301)
    (tmp_path / "m.json").write_text(text)
    with pytest.raises(ModelFileError, match=r"m\.json.*cannot be read"):
        load(tmp_path / "m.json")


@pytest.mark.parametrize("where", ["feature_names", "classes"])
def test_model_file_with_a_lone_surrogate_is_a_model_file_error(tmp_path, model_text, where):
    document = json.loads(model_text)
    if where == "classes":
        document.update(classes=["\udc80", "b"], classes_dtype="<U1")
    else:
        document["feature_names"] = ["\ud800", "b"]
    (tmp_path / "m.json").write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="not valid Unicode"):
        load(tmp_path / "m.json")


def test_model_file_read_from_a_device_or_beyond_the_limit_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match="is a device"):
        load("/dev/zero")
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:  # sparse: no disk used
        handle.truncate(MAX_MODEL_FILE_BYTES + 1)
    with pytest.raises(ModelFileError, match="512 MiB"):
        load(big)


# -- the atomic writer -----------------------------------------------------------------------
@pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")
def test_write_atomically_does_not_replace_a_device(tmp_path):
    node = tmp_path / "null"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    with pytest.raises(FileExistsError, match="not a regular file"):
        write_atomically(node, lambda handle: handle.write("x"))
    assert stat.S_ISCHR(os.stat(node).st_mode)


def test_write_atomically_does_not_replace_a_fifo(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(FileExistsError, match="not a regular file"):
        write_atomically(fifo, lambda handle: handle.write("x"))
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


#: Loads the two model files argv[2] and argv[3], then forks two writers that save one each
#: 200 times to argv[1]: one import for both (~2 s each otherwise), and the two loops start
#: within a millisecond of each other, so they overlap however long the imports take.
TWO_WRITERS = """
import os, sys, traceback
from logistic.io.model_file import load, save

writers = []
for source in sys.argv[2:]:
    model = load(source)
    pid = os.fork()
    if pid == 0:  # a writer: it leaves by os._exit, never back into this loop
        try:
            for _ in range(200):
                save(model, sys.argv[1])
        except BaseException:
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(1)
        os._exit(0)
    writers.append(pid)
sys.exit(max(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0 for pid in writers))
"""


@pytest.mark.slow
def test_two_processes_saving_to_one_path_200_times_leave_a_valid_file(tmp_path,
                                                                        tmp_path_factory):
    """Each save is a rename of a complete file: whatever the interleaving, the path holds one
    of the two models in full (the reference: the two models' own files)."""
    path = tmp_path / "m.json"
    sources = []
    for seed in (1, 2):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(50, 2))
        y = (X[:, 0] + rng.normal(size=50) > 0).astype(int)
        sources.append(tmp_path_factory.mktemp("writer") / "m.json")  # not in tmp_path
        save(LogisticRegression().fit(pd.DataFrame(X, columns=["a", "b"]), y), sources[-1])
    coefs = {repr(load(source).coef_.tolist()) for source in sources}
    assert len(coefs) == 2
    writers = subprocess.Popen([sys.executable, "-c", TWO_WRITERS, str(path), *map(str, sources)],
                               env={**os.environ, "PYTHONPATH": SRC})
    seen = set()
    # nothing to read before the first save: wait without taking the core the imports need
    while not path.exists() and writers.poll() is None:
        time.sleep(0.005)
    while writers.poll() is None:
        if path.exists():
            seen.add(repr(load(path).coef_.tolist()))  # never a partial file
    assert writers.wait(timeout=120) == 0
    assert repr(load(path).coef_.tolist()) in coefs
    assert seen <= coefs
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


# -- a Parquet dataset changed under an out-of-core fit ----------------------------------------
def write_part(path: Path, seed: int, nan: bool = False, rename: bool = False,
               rows: int = 400) -> None:
    table = labelled(rows, seed)
    if nan:
        table.loc[:9, "a"] = np.nan
    if rename:
        table = table.rename(columns={"b": "b2"})
    table.to_parquet(path)


@pytest.mark.parametrize("change", ["nan-rows", "other-rows", "renamed-column", "fewer-rows"])
def test_a_part_changed_after_the_first_pass_stops_the_fit(tmp_path, change):
    from logistic.scale.stream import fit_parquet

    folder = tmp_path / "data"
    folder.mkdir()
    write_part(folder / "p0.parquet", 0)
    write_part(folder / "p1.parquet", 1)
    calls = []

    def replace_part(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # after the first pass: swap the second part
            os.utime(folder / "p1.parquet", ns=(0, 0))
            write_part(folder / "p1.parquet", 7, nan=change == "nan-rows",
                       rename=change == "renamed-column",
                       rows=100 if change == "fewer-rows" else 400)

    model = LogisticRegression(callback=replace_part)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataError, match=r"p1\.parquet: the file changed during the fit"):
            fit_parquet(model, folder, "y", memory="10MB")


def test_a_part_written_over_while_a_pass_reads_it_stops_the_fit(tmp_path):
    """The last pass has no next one to notice a change: each file is checked after it is
    read too."""
    from logistic.scale.stream import ParquetSource

    path = tmp_path / "p.parquet"
    write_part(path, 0, rows=2000)
    source = ParquetSource(path, "y", memory=200_000)  # chunks of 568 rows
    chunks = source.chunks()
    next(chunks)
    write_part(path, 5, rows=2000)  # in place, mid-pass
    os.utime(path, ns=(0, 0))
    with pytest.raises(DataError, match="the file changed during the fit"):
        for _ in chunks:
            pass


def test_an_unchanged_dataset_streams_to_the_in_memory_fit(tmp_path):
    """Reference: the in-memory fit of the same rows (the signature check must not trip)."""
    from logistic.scale.stream import fit_parquet

    folder = tmp_path / "data"
    folder.mkdir()
    write_part(folder / "p0.parquet", 0)
    write_part(folder / "p1.parquet", 1)
    streamed = fit_parquet(LogisticRegression(), folder, "y", memory="10MB")
    table = pd.concat([labelled(400, 0), labelled(400, 1)], ignore_index=True)
    in_memory = LogisticRegression().fit(table[["a", "b"]], table["y"])
    np.testing.assert_allclose(streamed.coef_, in_memory.coef_, rtol=1e-8)


def test_streamed_uint64_labels_beyond_int64_are_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from logistic.scale.stream import fit_parquet

    pq.write_table(pa.table({"a": np.arange(20.0), "y": pa.array(
        [2**64 - 1 if i % 2 else 0 for i in range(20)], pa.uint64())}), tmp_path / "u.parquet")
    with pytest.raises(DataError, match="beyond the 64-bit integer range"):
        fit_parquet(LogisticRegression(), tmp_path / "u.parquet", "y")
