"""Adversarial inputs to the ``logistic`` command (issue 22, CLI/IO part): every one ends with
exit status 2 and one ``logistic: error:`` line, or succeeds with nothing but the output asked
for; none crashes, hangs, allocates without bound or replaces what it should not.

The reference is the command's documented contract (docs/errors.md, ``logistic --help``'s
exit statuses): exit 2 with exactly one stderr line for bad input. Each row below was first
run against the code before the fix and failed (internal error, a traceback, Python's
warning lines, exit 0 with a replaced device, an OOM kill).
"""

from __future__ import annotations

import gzip
import json
import os
import select
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_one_error_line, call

from logistic.cli.app import run
from logistic.io.model_file import load

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
SRC = str(Path(__file__).resolve().parents[2] / "src")


# -- helpers ---------------------------------------------------------------------------------


def frame(n: int = 60, seed: int = 0, classes: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    table = pd.DataFrame(X, columns=["a", "b"])
    if classes == 2:
        table["y"] = (rng.random(n) < 1 / (1 + np.exp(-(X @ [1.0, -1.0])))).astype(int)
    else:
        table["y"] = np.arange(n) % classes
    return table


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """The inputs of the table below, written once."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path_factory.mktemp("adversarial")
    paths: dict[str, Path] = {}

    def path(name: str) -> Path:
        paths[name] = folder / name
        return paths[name]

    frame().to_csv(path("train.csv"), index=False)
    frame().to_parquet(path("train.parquet"))
    frame(90, classes=3).to_csv(path("three.csv"), index=False)
    assert run(["fit", str(paths["train.csv"]), "--target", "y", "--out",
                str(path("model.json")), "--quiet"]) == 0
    document = json.loads(paths["model.json"].read_text())
    text = paths["model.json"].read_text()
    n_iter = f'"n_iter": {document["fit"]["n_iter"]}'
    assert n_iter in text
    assert run(["fit", str(paths["train.csv"]), "--formula", "y ~ a + b", "--out",
                str(path("formula.json")), "--quiet"]) == 0
    with_formula = json.loads(paths["formula.json"].read_text())
    broken = json.loads(json.dumps(with_formula))
    broken["formula"]["formula"] = "1 + a + ("
    path("formula_unparsed.json").write_text(json.dumps(broken))
    broken = json.loads(json.dumps(with_formula))
    broken["formula"]["factors"]["a"]["kind"] = "rot13"
    path("formula_unknown_encoder.json").write_text(json.dumps(broken))
    path("bigint.json").write_text(text.replace(n_iter, '"n_iter": ' + "9" * 5000))
    path("surrogate.json").write_text(
        json.dumps({**document, "feature_names": ["\ud800", "b"]})
    )
    # a CSV target of 25-digit integers, beyond int64
    path("bigtarget.csv").write_text(
        "a,y\n" + "".join(f"{i},{'9' * 25 if i % 2 else 0}\n" for i in range(20))
    )
    # LIBSVM: an index beyond int64, and 60 lines with the index 2,000,000,000
    path("idx64.svm").write_text(
        "".join(f"{i % 2} 1:{i} 99999999999999999999:1\n" for i in range(60))
    )
    path("wide.svm").write_text("".join(f"{i % 2} 1:{i} 2000000000:1\n" for i in range(60)))
    # an .npy header that claims 10^11 rows, with 64 bytes of data
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 3), }"
    header = header + " " * (118 - len(header)) + "\n"
    path("hugeshape.npy").write_bytes(
        b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + b"\0" * 64
    )
    labels = np.where(np.arange(20) % 2, 2.0**63, 0.0)
    np.save(path("label263.npy"), np.column_stack([np.arange(20.0), labels]))
    np.save(path("label1e300.npy"), np.column_stack([np.arange(20.0), labels * 0 + np.where(
        np.arange(20) % 2, 1e300, 0.0)]))
    pq.write_table(pa.table({
        "a": np.arange(20.0),
        "y": pa.array([b"x" if i % 2 else b"z" for i in range(20)], pa.binary()),
    }), path("binary.parquet"))
    pq.write_table(pa.table({
        "a": np.arange(20.0),
        "y": pa.array([2**64 - 1 if i % 2 else 0 for i in range(20)], pa.uint64()),
    }), path("uint64.parquet"))
    pq.write_table(pa.table([pa.array(np.arange(20.0)), pa.array(np.arange(20.0) ** 2),
                             pa.array(np.arange(20) % 2)], names=["a", "a", "y"]),
                   path("duplicate.parquet"))
    path("duplicate.csv").write_text(
        "a,a,y\n" + "".join(f"{i},{i * i % 7},{i % 2}\n" for i in range(20))
    )
    path("bigcell.csv").write_text("a,y\n" + "x" * 1_000_000 + ",1\n1,0\n2,1\n")
    path("empty.csv").write_text("")
    path("header_only.csv").write_text("a,b,y\n")
    path("crlf_bom.csv").write_bytes(
        b"\xef\xbb\xbfa,b,y\r\n" + b"".join(
            f"{r.a},{r.b},{r.y}\r\n".encode() for r in frame().itertuples()
        )
    )
    path("latin1.csv").write_bytes("a,b,y\n1,2,é\n".encode("latin-1"))
    gz = path("truncated.csv.gz")
    gz.write_bytes(gzip.compress(paths["train.csv"].read_bytes())[:200])
    path("truncated.parquet").write_bytes(paths["train.parquet"].read_bytes()[:300])
    path("empty.npy").write_bytes(b"")
    path("nul.csv").write_bytes(b"\0" * 1000)
    path("nolabel.svm").write_text("1:1 2:3\n")
    path("negative.svm").write_text("0 -1:1\n1 1:2\n")
    path("truncated.svm.gz").write_bytes(gzip.compress(
        b"".join(b"%d 1:%d 2:%d\n" % (i % 2, i, i * i) for i in range(2000)))[:300])
    np.save(path("complex.npy"), np.ones((5, 2), dtype=complex))
    path("empty.parquet").write_bytes(b"")
    path("utf16.csv").write_bytes("a,b,y\n1,2,0\n3,4,1\n5,1,0\n".encode("utf-16"))
    path("open_quote.csv").write_text('a,y\n"1,0\n2,1\n')
    path("bom_only.csv").write_bytes(b"\xef\xbb\xbf")
    table = frame()
    path("cr.csv").write_bytes(table.to_csv(index=False, lineterminator="\r").encode())
    array = table[["a", "b", "y"]].to_numpy()
    np.save(path("little.npy"), array.astype("<f8"))
    np.save(path("big_endian.npy"), array.astype(">f8"))
    return paths


#: (id, argv with {name} for a file of ``files``, fragments the error line must hold)
BAD_INPUTS = [
    ("model-file-4300-digit-integer", ["summary", "{bigint.json}"], ["cannot be read"]),
    ("model-file-lone-surrogate-name", ["summary", "{surrogate.json}"], ["not valid Unicode"]),
    ("model-file-formula-does-not-parse", ["summary", "{formula_unparsed.json}"],
     ["formula is malformed"]),
    ("model-file-formula-unknown-encoder", ["predict", "{formula_unknown_encoder.json}",
                                            "{train.csv}"], ["formula is malformed"]),
    ("summary-dev-zero", ["summary", "/dev/zero"], ["is a device"]),
    ("csv-target-beyond-int64", ["fit", "{bigtarget.csv}", "--target", "y", "--out", "{o}"],
     ["beyond the 64-bit integer range"]),
    ("encoding-rot13", ["fit", "{train.csv}", "--target", "y", "--encoding", "rot13",
                        "--out", "{o}"], ["not a text encoding"]),
    ("encoding-unknown", ["fit", "{train.csv}", "--target", "y", "--encoding", "klingon",
                          "--out", "{o}"], ["unknown text encoding"]),
    ("libsvm-index-beyond-int64", ["fit", "{idx64.svm}", "--out", "{o}"], ["64-bit"]),
    ("libsvm-index-2e9-in-60-lines", ["fit", "{wide.svm}", "--out", "{o}"],
     ["largest feature index is 2000000000"]),
    ("libsvm-dev-zero", ["fit", "/dev/zero", "--format", "libsvm", "--out", "{o}"],
     ["is a device"]),
    ("npy-header-claims-huge-shape", ["fit", "{hugeshape.npy}", "--out", "{o}"],
     ["malformed .npy", "truncated"]),
    ("npy-label-2-to-63", ["fit", "{label263.npy}", "--out", "{o}"], ["64-bit"]),
    ("npy-label-1e300", ["fit", "{label1e300.npy}", "--out", "{o}"], ["64-bit"]),
    ("parquet-binary-target", ["fit", "{binary.parquet}", "--target", "y", "--out", "{o}"],
     ["binary values"]),
    ("parquet-uint64-target-memory", ["fit", "{uint64.parquet}", "--target", "y", "--memory",
                                      "1GB", "--out", "{o}"], ["64-bit"]),
    ("parquet-duplicate-names-memory", ["fit", "{duplicate.parquet}", "--target", "y",
                                        "--memory", "1GB", "--out", "{o}"], ["more than once"]),
    ("parquet-duplicate-names", ["fit", "{duplicate.parquet}", "--target", "y", "--out", "{o}"],
     ["more than once"]),
    ("csv-duplicate-header", ["fit", "{duplicate.csv}", "--target", "y", "--out", "{o}"],
     ["more than once", "'a'"]),
    ("firth-three-classes", ["fit", "{three.csv}", "--target", "y", "--penalty", "firth",
                             "--out", "{o}"], ["two classes"]),
    ("formula-without-terms", ["fit", "{train.csv}", "--formula", "y ~ ", "--out", "{o}"], []),
    ("memory-99999999999TB", ["fit", "{train.parquet}", "--target", "y", "--memory",
                              "99999999999TB", "--out", "{o}"], ["at most 1 EiB"]),
    ("dpi-0.001", ["plot", "sigmoid", "--dpi", "0.001", "--out", "{o.png}"], ["10 to 2400"]),
    ("dpi-1", ["plot", "sigmoid", "--dpi", "1", "--out", "{o.png}"], ["10 to 2400"]),
    ("dpi-1e5", ["plot", "sigmoid", "--dpi", "1e5", "--out", "{o.png}"], ["10 to 2400"]),
    ("dpi-1e308", ["plot", "sigmoid", "--dpi", "1e308", "--out", "{o.png}"], ["10 to 2400"]),
    ("demo-seed-minus-1", ["demo", "--seed", "-1", "--out", "{o}"], ["0 to 4294967295"]),
    ("demo-seed-2-to-32", ["demo", "--seed", str(2**32), "--out", "{o}"], ["0 to 4294967295"]),
    ("csv-10-MB-cell-quoted-short", ["fit", "{bigcell.csv}", "--target", "y", "--out", "{o}"],
     ["1000000 characters"]),
    ("csv-empty", ["fit", "{empty.csv}", "--target", "y", "--out", "{o}"], ["empty"]),
    ("csv-header-only", ["fit", "{header_only.csv}", "--target", "y", "--out", "{o}"],
     ["no data rows"]),
    ("csv-latin1-read-as-utf8", ["fit", "{latin1.csv}", "--target", "y", "--out", "{o}"],
     ["--encoding"]),
    ("csv-gzip-truncated", ["fit", "{truncated.csv.gz}", "--target", "y", "--out", "{o}"], []),
    ("parquet-truncated", ["fit", "{truncated.parquet}", "--target", "y", "--out", "{o}"],
     ["Parquet"]),
    ("npy-empty-file", ["fit", "{empty.npy}", "--out", "{o}"], []),
    ("csv-nul-bytes", ["fit", "{nul.csv}", "--target", "y", "--out", "{o}"], []),
    ("libsvm-without-labels", ["fit", "{nolabel.svm}", "--out", "{o}"], []),
    ("libsvm-negative-index", ["fit", "{negative.svm}", "--out", "{o}"], ["Invalid index"]),
    ("libsvm-gzip-truncated", ["fit", "{truncated.svm.gz}", "--out", "{o}"], ["cannot read"]),
    ("npy-complex", ["fit", "{complex.npy}", "--out", "{o}"], ["not numeric"]),
    ("parquet-empty-file", ["fit", "{empty.parquet}", "--target", "y", "--out", "{o}"],
     ["0 bytes"]),
    ("parquet-empty-file-memory", ["fit", "{empty.parquet}", "--target", "y", "--memory",
                                   "1GB", "--out", "{o}"], ["0 bytes"]),
    ("csv-utf16-without-encoding", ["fit", "{utf16.csv}", "--target", "y", "--out", "{o}"],
     ["not valid UTF-8"]),
    ("csv-open-quote", ["fit", "{open_quote.csv}", "--target", "y", "--out", "{o}"],
     ["malformed CSV"]),
    ("csv-bom-only", ["fit", "{bom_only.csv}", "--target", "y", "--out", "{o}"], ["empty"]),
    ("model-a-directory", ["summary", "{missing}"], []),
    ("data-missing", ["fit", "{o.csv}", "--target", "y", "--out", "{o}"], ["no such file"]),
    ("out-in-missing-directory", ["fit", "{train.csv}", "--target", "y", "--out",
                                  "{missing/o.json}"], ["does not exist"]),
]


@pytest.mark.parametrize(("argv", "fragments"), [pytest.param(a, f, id=i) for i, a, f in
                                                 BAD_INPUTS])
def test_bad_input_is_exit_2_with_one_line(files, tmp_path, capsys, argv, fragments):
    def resolve(arg: str) -> str:
        if not (arg.startswith("{") and arg.endswith("}")):
            return arg
        name = arg[1:-1]
        if name in files:
            return str(files[name])
        if name == "missing":
            (tmp_path / "a-directory").mkdir()
            return str(tmp_path / "a-directory")
        return str(tmp_path / ("o.json" if name == "o" else name))

    code, _, err = call([resolve(a) for a in argv], capsys)
    assert_one_error_line(code, err, *fragments)
    assert not (tmp_path / "o.json").exists() and not (tmp_path / "o.png").exists()


@pytest.mark.parametrize(("variant", "reference"), [
    ("crlf_bom.csv", "train.csv"), ("cr.csv", "train.csv"), ("big_endian.npy", "little.npy"),
])
def test_line_ends_bom_and_byte_order_do_not_change_the_fit(files, tmp_path, capsys, variant,
                                                            reference):
    """Reference: the same table written by pandas with LF and no BOM, or the same array in
    little-endian order."""
    target = ["--target", "y"] if variant.endswith(".csv") else []
    fits = []
    for name in (reference, variant):
        out = tmp_path / f"{name}.json"
        code, _, err = call(["fit", files[name], *target, "--out", out, "--quiet"], capsys)
        assert code == 0, err
        fits.append(load(out))
    np.testing.assert_allclose(fits[1].coef_, fits[0].coef_, rtol=1e-12)


def test_an_error_line_is_cut_to_2000_characters(capsys):
    from logistic.cli.errors import error

    error("x" * 10_000_000)
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and len(err) < 2100
    assert err.rstrip().endswith("(9998000 more characters)")


# -- warnings: none of Python's multi-line RuntimeWarnings on stderr ---------------------------
def test_summary_of_a_model_with_coefficients_1e308_prints_no_warning_lines(files, tmp_path,
                                                                           capsys):
    document = json.loads(files["model.json"].read_text())
    document["coef"] = [[1e308, -1e308]]
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(document))
    code, out, err = call(["summary", path], capsys)
    assert code == 0, err
    assert "RuntimeWarning" not in err and "Traceback" not in err
    assert all(line.startswith("logistic: ") for line in err.splitlines()), err


def test_plot_boundary_with_weights_1e308_prints_no_warning_lines(tmp_path, capsys):
    out = tmp_path / "b.png"
    code, _, err = call(["plot", "boundary", "--weights=1e308,1e308,-1e308", "--out", out],
                        capsys)
    assert code == 0, err
    assert "RuntimeWarning" not in err
    assert all(line.startswith("logistic: ") for line in err.splitlines()), err
    assert out.read_bytes().startswith(b"\x89PNG")


# -- --out: regular files only ---------------------------------------------------------------
def special_outputs(folder: Path) -> dict[str, Path]:
    """A FIFO, a symlink to it, and (as root) copies of /dev/null and /dev/full."""
    made = {"fifo": folder / "fifo"}
    os.mkfifo(made["fifo"])
    made["link-to-fifo"] = folder / "link-to-fifo"
    made["link-to-fifo"].symlink_to(made["fifo"])
    if ROOT:
        for name, minor in (("null", 3), ("full", 7)):
            made[name] = folder / name
            os.mknod(made[name], 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        made["link-to-null"] = folder / "link-to-null"
        made["link-to-null"].symlink_to(made["null"])
    return made


@pytest.mark.parametrize("command", ["fit", "predict", "plot", "demo", "report"])
def test_out_refuses_devices_fifos_and_links_to_them(files, tmp_path, capsys, command):
    for name, target in special_outputs(tmp_path).items():
        kind = os.stat(target).st_mode
        argv = {
            "fit": ["fit", files["train.csv"], "--target", "y", "--quiet", "--out", target],
            "predict": ["predict", files["model.json"], files["train.csv"], "--out", target],
            "plot": ["plot", "sigmoid", "--out", target],
            "demo": ["demo", "--out", target],
            "report": ["report", files["model.json"], files["train.csv"], "--target", "y",
                       "--out", target],
        }[command]
        code, _, err = call(argv, capsys)
        assert_one_error_line(code, err, "not a regular file")
        assert os.stat(target).st_mode == kind, name  # still the device / FIFO
        assert not stat.S_ISREG(os.stat(target).st_mode)


def test_out_refuses_a_dangling_symlink(files, tmp_path, capsys):
    link = tmp_path / "model.json"
    link.symlink_to(tmp_path / "typo" / "model.json")
    code, _, err = call(["fit", files["train.csv"], "--target", "y", "--out", link], capsys)
    assert_one_error_line(code, err, "does not exist")
    assert link.is_symlink() and not link.exists()


def test_out_through_a_symlink_to_a_regular_file_still_works(files, tmp_path, capsys):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    code, _, err = call(["fit", files["train.csv"], "--target", "y", "--out", link, "--quiet"],
                        capsys)
    assert code == 0, err
    assert link.is_symlink() and load(real).classes_.tolist() == [0, 1]


# -- writing fails: exit 2, the old file intact ----------------------------------------------
@pytest.mark.parametrize(("errno_name", "where"), [
    ("ENOSPC", "fsync"), ("EROFS", "tempfile"), ("EACCES", "tempfile"), ("EDQUOT", "fsync"),
])
def test_a_failed_write_is_exit_2_and_keeps_the_old_file(files, tmp_path, capsys, monkeypatch,
                                                          errno_name, where):
    import errno
    import tempfile

    import logistic.io.atomic as atomic

    out = tmp_path / "model.json"
    out.write_bytes(files["model.json"].read_bytes())
    before = out.read_bytes()
    number = getattr(errno, errno_name)

    def fail(*args, **kwargs):
        raise OSError(number, os.strerror(number))

    if where == "fsync":
        monkeypatch.setattr(atomic.os, "fsync", fail)
    else:
        monkeypatch.setattr(tempfile, "NamedTemporaryFile", fail)
    code, _, err = call(["fit", files["three.csv"], "--target", "y", "--out", out, "--quiet"],
                        capsys)
    monkeypatch.undo()
    assert_one_error_line(code, err, os.strerror(number), str(out))
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # no temporary left


# -- standard output closed or full ----------------------------------------------------------
#: Imports the command line and the modules of ``predict`` and ``summary`` once, then forks one
#: ``logistic`` process per case of the JSON list argv[1] (~2 s of imports each otherwise):
#: its standard output made /dev/full or closed, its stderr the file argv[2]/<i>.err. Each
#: leaves by ``main``'s sys.exit, as ``python -m logistic`` does, so the interpreter's last
#: flush of stdout at exit is part of what it reports. Prints the exit statuses as JSON.
FORK_PER_STDOUT = """
import json, os, sys
from logistic.cli.app import main
import logistic.cli.conditional, logistic.cli.fit_mixed, logistic.cli.render
import logistic.io.data, logistic.io.model_file, logistic.models.mixed

statuses = []
for i, (stdout, argv) in enumerate(json.loads(sys.argv[1])):
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        err = os.open(os.path.join(sys.argv[2], f"{i}.err"), os.O_WRONLY | os.O_CREAT)
        os.dup2(err, 2)
        if stdout == "closed":
            os.close(1)
        else:
            os.dup2(os.open(stdout, os.O_WRONLY), 1)
        sys.argv = ["logistic", *argv]
        main()
    statuses.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
print(json.dumps(statuses))
"""


@pytest.mark.slow
def test_stdout_full_or_closed_is_exit_2_with_one_line(files, tmp_path):
    cases = [
        ("/dev/full", ["predict", str(files["model.json"]), str(files["train.csv"])]),
        ("closed", ["summary", str(files["model.json"])]),
    ]
    result = subprocess.run(
        [sys.executable, "-c", FORK_PER_STDOUT, json.dumps(cases), str(tmp_path)],
        capture_output=True, text=True, timeout=120 * len(cases),
        env={**os.environ, "PYTHONPATH": SRC},
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    full, closed = json.loads(result.stdout)
    assert_one_error_line(full, (tmp_path / "0.err").read_text(), "No space left on device")
    assert_one_error_line(closed, (tmp_path / "1.err").read_text(), "standard output")


# -- inputs that used to exhaust memory: a subprocess with a memory limit and a timeout ------
#: Runs each command line of the JSON list argv[1] in this one process (one interpreter and one
#: set of imports for all, ~2 s each otherwise) under a 4 GB address-space limit, each with
#: its own stderr (file descriptor 2: Python's and C's writes alike) in argv[2]/<i>.err and
#: its own 120 s alarm (SIGALRM ends the process); prints the exit statuses as JSON.
UNDER_A_MEMORY_LIMIT = """
import json, os, resource, signal, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
from logistic.cli.app import run

codes = []
for i, argv in enumerate(json.loads(sys.argv[1])):
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.path.join(sys.argv[2], f"{i}.err"), "w") as err:
        os.dup2(err.fileno(), 2)
        signal.alarm(120)
        try:
            codes.append(run(argv))
        finally:
            signal.alarm(0)
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
print(json.dumps(codes))
"""


@pytest.mark.slow
def test_inputs_that_exhausted_memory_fail_fast_under_a_memory_limit(files, tmp_path):
    """Before the fix each of these allocated without bound (OOM kill) or raised
    MemoryError; under a 4 GB address-space limit each must now be one error line."""
    cases = [
        ["fit", str(files["wide.svm"]), "--out", str(tmp_path / "o.json")],
        ["fit", "/dev/zero", "--format", "libsvm", "--out", str(tmp_path / "o.json")],
        ["summary", "/dev/zero"],
        ["fit", str(files["hugeshape.npy"]), "--out", str(tmp_path / "o.json")],
    ]
    errors = tmp_path / "stderr"
    errors.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", UNDER_A_MEMORY_LIMIT, json.dumps(cases), str(errors)],
        capture_output=True, text=True, timeout=120 * len(cases),
        env={**os.environ, "PYTHONPATH": SRC},
    )
    # an OOM kill, a MemoryError or the alarm ends the process before it prints
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # nothing between the commands either
    codes = json.loads(result.stdout.splitlines()[-1])
    assert len(codes) == len(cases)
    for i, code in enumerate(codes):
        assert_one_error_line(code, (errors / f"{i}.err").read_text())


# -- signals and concurrent writers: the old --out survives ------------------------------------
#: A server of ``logistic fit`` processes: it imports the command line and what ``fit`` uses
#: once (~2 s a process otherwise), then for each JSON request on stdin forks a child that
#: runs ``main`` (as ``python -m logistic`` does) with the request's argv, stdout /dev/null
#: and stderr the request's file; it prints the child's pid, then its exit status. One
#: addition: on entering the gradient-descent solver a child creates the request's marker
#: file, so the test signals once the fit is under way instead of sleeping long enough for any
#: machine (the interpreter, the imports, the CSV and numba took 8 s under load).
FIT_SERVER = """
import json, os, sys
from pathlib import Path

import logistic.solvers
from logistic.cli.app import main
import logistic.cli.fit, logistic.cli.progress, logistic.cli.render, logistic.io.data
import logistic.models.logistic_regression

solve = logistic.solvers.SOLVERS["gd"]
marker = None


def marked(*args, **kwargs):
    marker.touch()
    return solve(*args, **kwargs)


logistic.solvers.SOLVERS["gd"] = marked
print("ready", flush=True)
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        marker = Path(request["marker"])
        os.dup2(os.open(request["stderr"], os.O_WRONLY | os.O_CREAT), 2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # not the pipe this server answers on
        sys.argv = ["logistic", *request["argv"]]
        main()
    print(pid, flush=True)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


@pytest.fixture(scope="module")
def fit_server():
    server = subprocess.Popen([sys.executable, "-c", FIT_SERVER], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": SRC})
    try:
        assert server.stdout.readline() == "ready\n"
        yield server
    finally:  # killed: nothing of the server's needs its exit (~1 s of finalization)
        server.kill()
        server.wait()
        server.stdin.close()
        server.stdout.close()


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    """Ten features: 2,000 rows suffice, as 10⁸ iterations of any size outlast the test."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2_000, 10))
    data = pd.DataFrame(X, columns=[f"x{j}" for j in range(10)])
    data["y"] = (rng.random(len(X)) < 0.5).astype(int)
    path = tmp_path_factory.mktemp("signal") / "big.csv"
    data.to_csv(path, index=False)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_fit_leaves_the_old_out_intact(files, big_csv, fit_server, tmp_path,
                                                      tmp_path_factory, signum):
    out = tmp_path / "model.json"
    out.write_bytes(files["model.json"].read_bytes())
    before = out.read_bytes()
    aside = tmp_path_factory.mktemp("fit")  # not in tmp_path: listed below
    marker, stderr = aside / "fitting", aside / "stderr"
    argv = ["fit", str(big_csv), "--target", "y", "--solver", "gd", "--max-iter", "100000000",
            "--tol", "0", "--out", str(out), "--quiet"]
    fit_server.stdin.write(json.dumps({"argv": argv, "marker": str(marker),
                                       "stderr": str(stderr)}) + "\n")
    fit_server.stdin.flush()
    pid = int(fit_server.stdout.readline())

    def ended() -> bool:  # the server has reaped the child and printed its exit status
        return bool(select.select([fit_server.stdout], [], [], 0)[0])

    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and not ended() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), "the fit did not start"
        # 10⁸ iterations cannot finish between the solver's start and the signal: mid-fit
        assert not ended(), "the fit ended before the signal was sent"
        os.kill(pid, signum)
        assert select.select([fit_server.stdout], [], [], 60)[0], "the fit outlived the signal"
    finally:
        if not ended():  # a failed check above: no fit left running for 10⁸ iterations
            os.kill(pid, signal.SIGKILL)
        returncode = int(fit_server.stdout.readline())  # in any case: the next test's pid next
    err = stderr.read_text()
    assert returncode != 0, err
    if signum == signal.SIGINT:  # it surely landed inside the command: exit 130, one line
        assert returncode == 130, err
    if returncode == 130:
        assert err.strip() == "logistic: error: interrupted", err
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


# -- odd file names --------------------------------------------------------------------------
def test_a_data_name_with_a_newline_gives_one_error_line(tmp_path, capsys):
    code, _, err = call(["fit", tmp_path / "no\nsuch.csv", "--target", "y", "--out",
                         tmp_path / "o.json"], capsys)
    assert_one_error_line(code, err, "no such file")


def test_a_non_utf8_out_name_is_written_and_reported(files, tmp_path, capsys):
    out = tmp_path / os.fsdecode(b"mod\xe9l.json")  # latin-1 bytes: a surrogate-escaped str
    code, stdout, err = call(["fit", files["train.csv"], "--target", "y", "--out", out],
                             capsys)
    assert code == 0, err
    assert load(out).classes_.tolist() == [0, 1]
    assert "Model written to" in stdout
