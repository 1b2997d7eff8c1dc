"""``--help`` of ``logistic`` and of every subcommand lists the options users rely on.

The expected lists are written out (not computed from the parser) so that a change to how the
parsers are built cannot change the options without this test saying so.
"""

from __future__ import annotations

import pytest

from logistic.cli.app import run

READING = ["--format", "--encoding", "--no-header", "--sep", "--na-values"]

#: Every option of each ``--help``, in the order it lists them ("" is ``logistic --help``).
OPTIONS = {
    "": ["-h", "--help", "--version", "--debug"],
    "demo": ["-h", "--help", "--debug", "--out", "--seed", "--write-data"],
    "fit": [
        "-h", "--help", "--debug", "--target", "--formula", "--features", "--model",
        "--categories", "--penalty", "--C", "--l1-ratio", "--solver", "--max-iter", "--tol",
        "--no-intercept", "--memory", "--strata", "--ties", "--groups", "--random-slopes",
        "--nagq", "--covariance", "--categorical", "--offset",
        "--trials", *READING,
        "--weight", "--class-weight", "--cov-type", "--cluster", "--odds-ratios", "--margins",
        "--test-size", "--cv", "--seed", "--stratify", "--no-stratify", "--metrics-out",
        "--out", "--quiet",
    ],
    "predict": ["-h", "--help", "--debug", "--out", "--offset", "--unseen-levels", "--marginal",
                "--id",
                "--target", *READING],
    "summary": ["-h", "--help", "--debug", "--odds-ratios"],
    "plot": [
        "-h", "--help", "--debug", "--out", "--target", "--weights", "--compare", "--max-iter",
        "--learning-rate", "--standardize", "--intercept", "--dpi", *READING,
    ],
    "explain": ["-h", "--help", "--debug", "--target", "--rows", *READING],
    "report": ["-h", "--help", "--debug", "--target", "--out", "--title", "--test",
               "--threshold", *READING],
    "export": ["-h", "--help", "--debug", "--onnx"],
    "evaluate": ["-h", "--help", "--debug", "--target", "--threshold", "--out", *READING],
}


def listed_options(help_text: str) -> list[str]:
    """The option strings of a help text's option lines (``  -h, --help   show ...``)."""
    options = []
    for line in help_text.splitlines():
        if line.startswith("  -"):
            invocation = line[2:].split("  ")[0]  # the help follows after two spaces
            options += [part.split()[0] for part in invocation.split(", ")]
    return options


@pytest.mark.parametrize("command", list(OPTIONS), ids=lambda c: c or "logistic")
def test_help_lists_the_same_options(command, capsys):
    code = run([command, "--help"] if command else ["--help"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert listed_options(captured.out) == OPTIONS[command]


def test_help_lists_every_subcommand_in_order(capsys):
    assert run(["--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = [line.split()[0] for line in lines if line.startswith("    ") and line.strip()]
    assert listed == [name for name in OPTIONS if name]
