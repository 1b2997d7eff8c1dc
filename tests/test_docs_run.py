"""Every fenced code block of README.md and docs/*.md runs as pasted.

What "as pasted" means here: a reader who opens a fresh directory, runs
``logistic demo --write-data`` there (it writes the small data files the examples name:
``data.csv``, ``new.csv``, ``test.csv``, ``bank.csv``, ``breast_cancer.csv``, ``big.parquet``,
``dataset_dir/``), and then pastes one document's blocks *in order*: the Python blocks into
one Python session, the shell blocks into one shell beside it. So

- each document gets its own temporary directories (the working directory of every block:
  one for its python session, one for its shell, each a copy of the demo files) and its
  own Python namespace: a ```python block may use the names of the python blocks
  above it in the same document, never a name defined anywhere else (a script, a test,
  another document); the Python session and the shell are independent (a python block
  does not wait for the shell blocks above it, nor a shell block for the python ones), so
  neither may read a file that only the other writes;
- a ```bash / ```sh / ```shell block runs each command line (``\\`` continuations joined,
  ``# comments`` and blank lines ignored) in that directory; a ```console block runs its
  ``$ `` lines and ignores the output lines; each command must exit 0, and each must be a
  ``logistic`` command. A plain ``logistic ARGS...`` line (quoted words, no pipe,
  redirection, ``&&``, glob, variable or substitution) runs in-process as the CLI tests run
  it, ``logistic.cli.app.run(ARGS)`` with stdout and stderr captured; so does the first
  part of a pipeline ``logistic ARGS | REST`` (that part plain), REST running with ``bash
  -c`` on its output and the line's status that of ``set -o pipefail``; any other line with
  shell syntax runs with ``bash -c``, ``logistic`` meaning ``sys.executable -m logistic`` of
  this checkout;
- ```text blocks, blocks without a language and other languages are not run;
- a ```text block marked ``<!-- docs-test: output -->`` is the printed output of the
  python block above it: the two must agree line by line once every number is masked (the
  last digits depend on the machine) and runs of spaces are squeezed.

A block that cannot run in a test (``pip install``, the CI commands, a Dask cluster, a
benchmark) carries an HTML comment on the line right above its fence, visible to every
reader of the Markdown source::

    <!-- docs-test: skip (the reason) -->

There is one test per document and kind (its python session, its shell session); it runs
the blocks in order and reports each failing one by ``file:line (block N, language)``, the
later blocks of its kind as not run. Python tracebacks point at the Markdown line. Each
session has its own copy of the demo files, so a python block reading what only a shell
block writes (or the reverse) fails here as it would for the reader. Running the commands
in-process pays the library's imports once per test process instead of once per command
(about 4 s of CPU each): the whole file took 184 s of CPU that way, 54 s now.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
PYTHON_LANGUAGES = {"python", "py"}
SHELL_LANGUAGES = {"bash", "sh", "shell", "console"}
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})\s*(?P<language>[\w+-]*)")
MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(?P<word>\w+)\s*(?:\((?P<reason>.*)\))?\s*-->\s*$")
NUMBER = re.compile(r"[-+−]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?", re.IGNORECASE)
COMMAND_TIMEOUT_S = 300


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown document."""

    document: Path
    index: int  # the block's position among the document's fenced blocks, from 0
    line: int  # the 1-based line of the opening fence
    language: str
    code: str
    markers: dict[str, str]  # docs-test markers right above the fence: word -> reason

    @property
    def name(self) -> str:
        language = self.language or "no language"
        where = (self.document.relative_to(REPO) if self.document.is_relative_to(REPO)
                 else self.document.name)
        return f"{where}:{self.line} (block {self.index}, {language})"


def markers_above(lines: list[str], fence_at: int) -> dict[str, str]:
    """The ``<!-- docs-test: word (reason) -->`` comments on the lines right above a fence
    (other HTML comments, such as README's ``<!-- ci: ... -->``, may sit among them)."""
    found: dict[str, str] = {}
    at = fence_at - 1
    while at >= 0 and lines[at].strip().startswith("<!--"):
        match = MARKER.match(lines[at])
        if match:
            found[match["word"]] = (match["reason"] or "").strip()
        at -= 1
    return found


def read_blocks(document: Path) -> list[Block]:
    """The fenced blocks of ``document`` in order (an unclosed fence runs to the end)."""
    lines = document.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    at = 0
    while at < len(lines):
        opening = FENCE.match(lines[at])
        if not opening:
            at += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        end = at + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        # an indented fence (in a list item) indents its code as much: remove that much
        body = "\n".join(line[indent:] if not line[:indent].strip() else line.lstrip()
                         for line in lines[at + 1:end])
        blocks.append(Block(document, len(blocks), at + 1, opening["language"].lower(),
                            body + "\n", markers_above(lines, at)))
        at = end + 1
    return blocks


def shell_commands(block: Block) -> list[str]:
    """The command lines of a shell block: continuations joined, comments and (in a
    console block) output lines left out, a leading ``$ `` removed."""
    commands: list[str] = []
    pending = ""
    for raw in block.code.splitlines():
        line = raw.strip()
        if not pending:
            if block.language == "console":
                if not line.startswith("$"):
                    continue
                line = line[1:].strip()
            elif line.startswith("$ "):
                line = line[2:].strip()
            if not line or line.startswith("#"):
                continue
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        commands.append(pending + line)
        pending = ""
    if pending:
        commands.append(pending.strip())
    return commands


#: Characters that mean shell syntax outside quotes: pipes, lists, redirections,
#: substitutions, globs, brace and tilde expansion, escapes, history.
SHELL_SYNTAX = frozenset("|&;<>()$`\\*?[]{}~!")


def plain_logistic_argv(command: str) -> list[str] | None:
    """The arguments of a command line that is just ``logistic ARGS...`` (quoted words and
    a trailing ``# comment`` allowed), which the runner may run in-process; ``None`` for a
    line that needs a shell: any shell syntax outside single quotes (``$``, a backquote or a
    backslash inside double quotes too), an environment assignment, another first word."""
    quote = ""
    word_starts = True
    for char in command:
        if quote:
            if char == quote:
                quote = ""
            elif quote == '"' and char in "$`\\":
                return None
            continue
        if char in "'\"":
            quote, word_starts = char, False
            continue
        if char == "#" and word_starts:
            break  # a comment to the end of the line
        if char in SHELL_SYNTAX or char == "#":
            return None
        word_starts = char.isspace()
    if quote:
        return None
    words = shlex.split(command, comments=True)
    return words[1:] if words and words[0] == "logistic" else None


def piped_logistic(command: str) -> tuple[list[str], str] | None:
    """``(ARGS, REST)`` for a line ``logistic ARGS | REST`` whose part before its first
    unquoted ``|`` is a plain ``logistic`` line (as :func:`plain_logistic_argv` means it):
    that part may run in-process and bash only REST, reading its output. ``None`` for any
    other line (no pipe, ``||``, ``|&``, a comment or other shell syntax before the pipe)."""
    quote = ""
    word_starts = True
    for at, char in enumerate(command):
        if quote:
            quote = "" if char == quote else quote
            continue
        if char in "'\"":
            quote, word_starts = char, False
            continue
        if char == "#" and word_starts:
            return None  # the rest is a comment: no pipe
        if char == "|":
            rest = command[at + 1:]
            if rest.startswith(("|", "&")) or not rest.strip():
                return None
            argv = plain_logistic_argv(command[:at])
            return None if argv is None else (argv, rest)
        word_starts = char.isspace()
    return None


def masked(text: str) -> list[str]:
    """Lines with every number replaced by ``#`` and runs of spaces squeezed."""
    lines = [" ".join(NUMBER.sub("#", line).split()) for line in text.strip().splitlines()]
    return [line for line in lines if line]


@dataclass
class Outcome:
    passed: bool
    message: str = ""


@dataclass
class DocumentSession:
    """One reader's session over one document: a directory, a namespace, a shell."""

    document: Path
    directory: Path
    blocks: list[Block]
    bin_dir: Path
    namespace: dict = field(default_factory=lambda: {"__name__": "__main__"})
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    printed: dict[int, str] = field(default_factory=dict)

    def run_through(self, index: int) -> Outcome:
        """Runs the blocks of block ``index``'s kind (python, or shell) up to it that have
        not run yet; the outcome of block ``index``."""
        kind = self.kind(self.blocks[index])
        for block in self.blocks[: index + 1]:
            if self.kind(block) == kind and block.index not in self.outcomes:
                self.outcomes[block.index] = self.run(block)
        return self.outcomes[index]

    @staticmethod
    def kind(block: Block) -> str:
        """Which session runs a block: an output block belongs to the python session."""
        return "shell" if block.language in SHELL_LANGUAGES else "python"

    def run(self, block: Block) -> Outcome:
        if "skip" in block.markers:
            return Outcome(True, "skipped")
        earlier = [b.name for b in self.blocks[: block.index]
                   if self.kind(b) == self.kind(block) and b.index in self.outcomes
                   and not self.outcomes[b.index].passed]
        if earlier and block.language in PYTHON_LANGUAGES | SHELL_LANGUAGES:
            return Outcome(False, f"{block.name} not run: an earlier block of the same "
                                  f"document failed ({earlier[0]}); fix that one first")
        if block.language in PYTHON_LANGUAGES:
            return self.run_python(block)
        if block.language in SHELL_LANGUAGES:
            return self.run_shell(block)
        if "output" in block.markers:
            return self.check_output(block)
        return Outcome(True, "not code")

    def run_python(self, block: Block) -> Outcome:
        # padded with newlines so that the traceback's line numbers are the Markdown's own
        source = "\n" * block.line + block.code
        printed = io.StringIO()
        previous = Path.cwd()
        os.chdir(self.directory)
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(source, str(block.document), "exec"), self.namespace)  # noqa: S102
        except Exception as error:  # any error of a doc example is the test's failure
            import traceback

            trace = "".join(traceback.format_exception(error)[-6:])
            return Outcome(False, f"{block.name} raised {type(error).__name__}: {error}\n"
                                  f"(names the document defines above it: "
                                  f"{sorted(k for k in self.namespace if not k.startswith('_'))})\n"
                                  f"{trace}")
        finally:
            os.chdir(previous)
        self.printed[block.index] = printed.getvalue()
        return Outcome(True)

    def run_shell(self, block: Block) -> Outcome:
        commands = shell_commands(block)
        strangers = [c for c in commands if c.split()[0] != "logistic"]
        if strangers:
            return Outcome(False, f"{block.name}: `{strangers[0]}` is not a `logistic` command; "
                                  "make it one, or mark the block "
                                  "`<!-- docs-test: skip (why) -->` on the line above its fence")
        for command in commands:
            code, out, err = self.run_command(command)
            if code != 0:
                files = sorted(p.name for p in self.directory.iterdir())
                return Outcome(False, f"{block.name}: `{command}` exited {code}\n"
                                      f"stderr: {err.strip()[-2000:]}\n"
                                      f"stdout (end): {out.strip()[-500:]}\n"
                                      f"files in its directory: {files}")
        return Outcome(True)

    def run_command(self, command: str) -> tuple[int, str, str]:
        """One command line: (exit status, stdout, stderr). A plain ``logistic`` line runs
        in-process; ``logistic ARGS | REST`` runs ``logistic ARGS`` in-process and REST in
        bash on its output, the status that of ``set -o pipefail`` (the last part that
        failed); any other line in bash. A fresh ``python -m logistic`` costs some 4 s of
        imports; what a pipe into a reader that closes it early does is
        tests/cli/test_cli_workflow.py's closed-pipe test, through a real pipe."""
        argv = plain_logistic_argv(command)
        if argv is not None:
            return self.run_in_process(argv)
        piped = piped_logistic(command)
        if piped is None:
            return self.run_in_bash(command)
        code, out, err = self.run_in_process(piped[0])
        rest_code, rest_out, rest_err = self.run_in_bash(piped[1], stdin=out)
        return rest_code or code, rest_out, err + rest_err

    def run_in_process(self, argv: list[str]) -> tuple[int, str, str]:
        """``logistic ARGV`` as the CLI tests run it (``logistic.cli.app.run``), in the
        document's directory: (exit status, stdout, stderr). The command's imports are paid
        once per test process instead of once per command (about 4 s of CPU each)."""
        from logistic.cli.app import run

        out, err = io.StringIO(), io.StringIO()
        previous = Path.cwd()
        os.chdir(self.directory)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = run(argv)
                except SystemExit as exit_:  # as the process would end: its status
                    code = exit_.code if isinstance(exit_.code, int) else int(bool(exit_.code))
        finally:
            os.chdir(previous)
        return code, out.getvalue(), err.getvalue()

    def run_in_bash(self, command: str, stdin: str | None = None) -> tuple[int, str, str]:
        """A line with shell syntax (a redirection, the part of a pipeline after a plain
        ``logistic`` command): ``bash -c`` in the document's directory, reading ``stdin``
        (nothing if ``None``), ``logistic`` on the PATH meaning ``sys.executable -m
        logistic``."""
        env = dict(os.environ, PATH=f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
                   PYTHONPATH=os.pathsep.join(
                       [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]))
        reading = {"stdin": subprocess.DEVNULL} if stdin is None else {"input": stdin}
        done = subprocess.run(["bash", "-c", f"set -o pipefail; {command}"],
                              cwd=self.directory, env=env, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT_S, **reading)
        return done.returncode, done.stdout, done.stderr

    def check_output(self, block: Block) -> Outcome:
        above = self.blocks[block.index - 1] if block.index else None
        if above is None or above.language not in PYTHON_LANGUAGES:
            return Outcome(False, f"{block.name} is marked output, but the block above it is "
                                  "not a python block")
        if "skip" in above.markers:
            return Outcome(True, "skipped")
        expected, got = masked(block.code), masked(self.printed.get(above.index, ""))
        if expected != got:
            return Outcome(False, f"{block.name}: the output shown differs from what "
                                  f"{above.name} prints (numbers masked):\nshown:\n"
                                  + "\n".join(expected) + "\nprinted:\n" + "\n".join(got))
        return Outcome(True)


def all_blocks() -> list[Block]:
    return [block for document in DOCUMENTS for block in read_blocks(document)]


def runs(block: Block) -> bool:
    return (block.language in PYTHON_LANGUAGES | SHELL_LANGUAGES
            or "output" in block.markers)


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files ``logistic demo --write-data`` writes, written once by the command itself
    (in-process, as the plain command lines run)."""
    directory = tmp_path_factory.mktemp("demo-data")
    session = DocumentSession(REPO / "README.md", directory, [], directory)
    code, _, err = session.run_in_process(["demo", "--write-data"])
    assert code == 0, err
    return directory


@pytest.fixture(scope="session")
def bin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory whose ``logistic`` is ``sys.executable -m logistic`` (for bash's PATH)."""
    directory = tmp_path_factory.mktemp("bin")
    wrapper = directory / "logistic"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m logistic "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return directory


@pytest.fixture(scope="session")
def sessions(tmp_path_factory: pytest.TempPathFactory, demo_data: Path,  # noqa: ANN201
             bin_dir: Path):
    """One DocumentSession per document and kind (python, shell), made on first use, each
    in its own copy of the demo files: the two sessions of a reader are independent, so
    neither may read what only the other writes. Matplotlib's backend is Agg (the CLI draws
    on the Agg canvas without ``pyplot``; a python block that uses ``pyplot`` gets it too)."""
    made: dict[tuple[Path, str], DocumentSession] = {}

    def session(document: Path, kind: str) -> DocumentSession:
        if (document, kind) not in made:
            directory = tmp_path_factory.mktemp(f"{document.stem}-{kind}")
            shutil.copytree(demo_data, directory, dirs_exist_ok=True)
            made[document, kind] = DocumentSession(document, directory, read_blocks(document),
                                                   bin_dir)
        return made[document, kind]

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MPLBACKEND", "Agg")
        yield {"get": session}


def runs_in_session(document: Path, kind: str) -> list[Block]:
    """The blocks of ``document`` that the ``kind`` session runs (skipped ones included)."""
    return [b for b in read_blocks(document) if runs(b) and DocumentSession.kind(b) == kind]


def as_param(document: Path, kind: str):  # noqa: ANN201 (pytest's ParameterSet)
    where = document.relative_to(REPO)
    marks = [pytest.mark.slow] if (where.as_posix(), kind) in SLOW_SESSIONS else []
    return pytest.param(document, kind, id=f"{where}:{kind}", marks=marks)


#: The sessions over ~5 s of CPU even with the library imported already (the imports, some
#: 4 s, are paid by whichever test runs first): the tutorial's commands draw eleven figures
#: and three HTML reports (about 8 s); README's commands a figure, two HTML reports and an ONNX
#: export (about 5 s; its one pipe runs its ``logistic`` part in-process too).
SLOW_SESSIONS = {("docs/tutorial.md", "shell"), ("README.md", "shell")}


@pytest.mark.parametrize("document, kind", [as_param(d, k) for d in DOCUMENTS
                                            for k in ("python", "shell")
                                            if runs_in_session(d, k)])
def test_document_runs_as_pasted(document: Path, kind: str, sessions: dict) -> None:
    """All the document's blocks of one kind, in order, in one session: each failing block
    is reported by ``file:line (block N)``, the later ones of its kind as not run."""
    blocks = runs_in_session(document, kind)
    if all("skip" in b.markers for b in blocks):
        pytest.skip("every block is marked skip in the Markdown: "
                    + "; ".join(f"{b.name}: {b.markers['skip']}" for b in blocks))
    session = sessions["get"](document, kind)
    failed = [outcome.message for outcome in (session.run_through(b.index) for b in blocks)
              if not outcome.passed]
    if failed:
        pytest.fail("\n\n".join(failed), pytrace=False)


def test_every_skip_says_why() -> None:
    """A skip marker without a reason hides a broken example."""
    unexplained = [b.name for b in all_blocks() if "skip" in b.markers and not b.markers["skip"]]
    assert not unexplained, f"skip markers need a reason in parentheses: {unexplained}"


def test_shell_commands_are_parsed_as_a_reader_types_them() -> None:
    """Continuations, comments, ``$`` prompts and console output lines (a parser check)."""
    code = textwrap.dedent("""\
        # a comment
        logistic fit a.csv \\
            --target y   # trailing comment stays for bash
        $ logistic summary m.json
        """)
    bash = Block(REPO / "README.md", 0, 1, "bash", code, {})
    assert shell_commands(bash) == ["logistic fit a.csv --target y   # trailing comment stays "
                                    "for bash", "logistic summary m.json"]
    console = Block(REPO / "README.md", 0, 1, "console", "$ logistic demo\nfile  79 MB\n", {})
    assert shell_commands(console) == ["logistic demo"]


def test_only_plain_logistic_lines_run_in_process() -> None:
    """A line (or a pipeline's first part) is run in-process only when bash would run it as
    ``logistic`` with exactly these words; anything a shell would interpret goes through
    bash."""
    assert plain_logistic_argv("logistic fit a.csv --target y   # trailing comment") == [
        "fit", "a.csv", "--target", "y"]
    assert plain_logistic_argv("logistic fit bank.csv --formula 'y ~ C(job) + I(age**2)' "
                               '--out "my model.json"') == [
        "fit", "bank.csv", "--formula", "y ~ C(job) + I(age**2)", "--out", "my model.json"]
    assert plain_logistic_argv("logistic plot boundary --weights=-3,1,1 --out line.png") == [
        "plot", "boundary", "--weights=-3,1,1", "--out", "line.png"]
    needs_a_shell = [
        "logistic predict m.json new.csv | head", "logistic summary m.json > out.txt",
        "logistic fit a.csv --out m.json && logistic summary m.json", "logistic fit *.csv",
        "logistic fit $DATA", 'logistic fit "$DATA"', "logistic fit $(ls)", "logistic fit `ls`",
        "COLUMNS=80 logistic summary m.json", "logistic summary ~/m.json",
        "logistic fit a.csv; ls", "logistic fit a\\ b.csv", "logistic fit 'unclosed",
        "logistic fit a#b.csv", "python -m logistic demo", "logistic fit {a,b}.csv",
    ]
    assert [c for c in needs_a_shell if plain_logistic_argv(c) is not None] == []
    # a pipeline's first part runs in-process only when it is such a plain line
    assert piped_logistic("logistic predict m.json new.csv --id 'a|b' | head -3 | wc") == (
        ["predict", "m.json", "new.csv", "--id", "a|b"], " head -3 | wc")
    whole_in_bash = [
        "logistic fit $DATA | head", "logistic summary m.json > out.txt | head",
        "logistic fit a.csv || ls", "logistic fit a.csv |& head", "logistic fit a.csv |",
        "logistic fit a.csv  # a | comment", "python -m logistic demo | head",
        "COLUMNS=80 logistic summary m.json | head", "logistic 'unclosed | head",
        "logistic fit a.csv --out m.json && logistic summary m.json | head",
    ]
    assert [c for c in whole_in_bash if piped_logistic(c) is not None] == []


def test_the_runner_fails_what_a_reader_could_not_paste(tmp_path: Path, monkeypatch,
                                                         bin_dir: Path) -> None:
    """The runner itself: a name from nowhere, a command that is not ``logistic``, an output
    that differs and a command that exits 2 (in-process or through bash) fail, naming the
    block; names of earlier blocks carry over; a marked block is skipped."""
    document = tmp_path / "example.md"
    document.write_text(textwrap.dedent("""\
        ```python
        answer = 6 * 7
        print(f"answer {answer}")
        ```

        <!-- docs-test: output -->
        ```text
        answer 41
        ```

        ```python
        print(answer, undefined_name)
        ```

        ```bash
        cat data.csv
        ```

        <!-- docs-test: skip (a reason) -->
        ```bash
        cat data.csv
        ```
        """), encoding="utf-8")
    blocks = read_blocks(document)
    assert [b.language for b in blocks] == ["python", "text", "python", "bash", "bash"]
    assert blocks[4].markers == {"skip": "a reason"} and blocks[1].markers == {"output": ""}
    session = DocumentSession(document, tmp_path, blocks, tmp_path)
    assert session.run_through(0).passed  # "answer 42" and "answer 41" differ only in digits
    assert session.run_through(1).passed
    other_words = Block(document, 1, 6, "text", "the answer 42\n", {"output": ""})
    differs = session.check_output(other_words)
    assert not differs.passed and "differs from what example.md:1" in differs.message
    failed = session.run_through(2)
    assert not failed.passed and "NameError" in failed.message and "'answer'" in failed.message
    assert "example.md:11 (block 2, python)" in failed.message
    stranger = session.run_through(3)
    assert not stranger.passed and "`cat data.csv` is not a `logistic` command" in stranger.message
    assert session.run_through(4).message == "skipped"

    # a plain command runs in-process, one with shell syntax through bash (a pipeline's plain
    # first part in-process, bash reading its output); an exit status other than 0 fails the
    # block with the command's stderr, and the later blocks don't run
    shell_document = tmp_path / "commands.md"
    shell_document.write_text(textwrap.dedent("""\
        ```bash
        logistic --version | head -1
        logistic --version > version.txt
        logistic --version
        logistic summary missing.json   # exits 2
        ```

        ```bash
        logistic --version
        ```
        """), encoding="utf-8")
    shell = DocumentSession(shell_document, tmp_path, read_blocks(shell_document), bin_dir)
    through_bash: list[tuple[str, str | None]] = []

    def recorded(command: str, stdin: str | None = None) -> tuple[int, str, str]:
        through_bash.append((command, stdin))
        return DocumentSession.run_in_bash(shell, command, stdin)

    monkeypatch.setattr(shell, "run_in_bash", recorded)
    exits_2 = shell.run_through(0)
    from logistic import __version__

    version = f"logistic {__version__}\n"
    assert not exits_2.passed and through_bash == [
        (" head -1", version), ("logistic --version > version.txt", None)]
    assert (tmp_path / "version.txt").read_text() == version  # the wrapper on bash's PATH
    assert ("commands.md:1 (block 0, bash): `logistic summary missing.json   # exits 2` "
            "exited 2\nstderr: logistic: error: ") in exits_2.message
    assert "missing.json" in exits_2.message.splitlines()[1]
    assert "an earlier block of the same document failed" in shell.run_through(1).message
    # a pipeline exits as bash's ``set -o pipefail`` has it: its last part that failed
    assert shell.run_command("logistic --version | head -1") == (0, version, "")
    code, out, err = shell.run_command("logistic summary missing.json | cat")
    assert (code, out) == (2, "") and err.startswith("logistic: error: ")
    assert shell.run_command("logistic --version | false")[0] == 1
    assert shell.run_command("logistic summary missing.json | sh -c 'cat; exit 3'")[0] == 3
    assert masked("J = 0.25 (rel. err 1.6e-12)") != masked("J = 0.25 (rel. error 1.6e-12)")


def test_write_data_writes_the_files_the_docs_read(demo_data: Path) -> None:
    """``logistic demo --write-data`` (run by the fixture as a command) writes every file it
    lists, with the columns the examples name."""
    import pandas as pd

    from logistic.cli.demo import DEMO_DATA_FILES

    assert sorted(p.name for p in demo_data.iterdir()) == sorted(DEMO_DATA_FILES)
    columns = {name: list(pd.read_csv(demo_data / name, nrows=1).columns)
               for name in DEMO_DATA_FILES if name.endswith(".csv")}
    assert columns["data.csv"] == columns["test.csv"] == ["x1", "x2", "y"]
    assert columns["bank.csv"] == ["y", "age", "job", "balance"]
    assert columns["new.csv"] == ["customer", "x1", "x2", "age", "job", "balance"]
    assert columns["breast_cancer.csv"][-1] == "diagnosis"
    bank, new = pd.read_csv(demo_data / "bank.csv"), pd.read_csv(demo_data / "new.csv")
    assert set(new.job) - set(bank.job) == {"student"}  # the README's --unseen-levels zero
    parts = pd.concat([pd.read_parquet(p) for p in sorted((demo_data / "dataset_dir").iterdir())])
    assert list(parts.columns) == ["x1", "x2", "y", "w"] and len(parts) == 300


def test_write_data_replaces_nothing(tmp_path: Path, capsys) -> None:
    from logistic.cli.app import run

    assert run(["demo", "--write-data", str(tmp_path)]) == 0
    written = snapshot(tmp_path)
    capsys.readouterr()
    assert run(["demo", "--write-data", str(tmp_path)]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert error == [f"logistic: error: {tmp_path / 'data.csv'}: exists; --write-data "
                     "replaces nothing (remove it, or give another directory)"]
    assert snapshot(tmp_path) == written
    assert run(["demo", "--write-data", str(tmp_path / "data.csv")]) == 2
    assert capsys.readouterr().err.strip().endswith("data.csv: is not a directory")


# -- docs/make_figures.py writes where it is told, never over the committed figures ----------
def make_figures_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_figures", REPO / "docs" / "make_figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file below ``directory`` (byte caches aside: git ignores them) and its bytes."""
    return {str(p.relative_to(directory)): p.read_bytes()
            for p in sorted(directory.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def test_make_figures_writes_only_under_out(tmp_path: Path, monkeypatch) -> None:
    """``--out DIR`` writes the named figures there and nothing under docs/; without
    ``--out`` (and without ``--update``) a new temporary directory gets them."""
    docs_before = snapshot(REPO / "docs")
    module = make_figures_module()
    out = tmp_path / "figs"
    assert module.main(["--out", str(out), "--only", "sigmoid,boundary_line"]) == 0
    assert sorted(snapshot(out)) == ["boundary_line.png", "sigmoid.png"]
    assert all(data.startswith(b"\x89PNG") for data in snapshot(out).values())

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "temporary"))
    (tmp_path / "temporary").mkdir()
    assert module.main(["--only", "cost"]) == 0
    written = [p.relative_to(tmp_path) for p in (tmp_path / "temporary").rglob("*.png")]
    assert len(written) == 1 and written[0].name == "cost.png"
    assert snapshot(REPO / "docs") == docs_before


@pytest.mark.slow
def test_make_figures_draws_every_figure_the_tutorial_shows(tmp_path: Path) -> None:
    """All figures, into a temporary --out: the names are the committed docs/figures/*.png,
    which are the images docs/tutorial.md shows; docs/ is left as it was."""
    docs_before = snapshot(REPO / "docs")
    assert make_figures_module().main(["--out", str(tmp_path)]) == 0
    committed = sorted(p.name for p in (REPO / "docs" / "figures").glob("*.png"))
    assert sorted(snapshot(tmp_path)) == committed
    shown = re.findall(r"\]\(figures/([\w.-]+\.png)\)",
                       (REPO / "docs" / "tutorial.md").read_text(encoding="utf-8"))
    assert sorted(set(shown)) == committed
    assert snapshot(REPO / "docs") == docs_before
