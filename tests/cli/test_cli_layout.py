"""The command-line package stays in pieces a reader can take in: one module per subcommand,
each registering its own parser, none over the size limits, none using another's private
names."""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

import pytest

import logistic.cli
from logistic.cli import app

CLI = Path(logistic.cli.__file__).parent
MODULES = sorted(CLI.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_function_and_class_sizes(path):
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 500
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            limit = 300 if isinstance(node, ast.ClassDef) else 80
            assert node.end_lineno - node.lineno + 1 <= limit, node.name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_private_names_of_other_modules_are_imported(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("logistic"):
            private = [a.name for a in node.names if a.name.startswith("_")
                       and not a.name.startswith("__")]
            assert not private, (node.module, private)


#: The least each subcommand parses.
MINIMAL_ARGV = {
    "demo": [], "fit": ["d.csv", "--out", "m.json"], "predict": ["m.json", "d.csv"],
    "summary": ["m.json"], "plot": ["sigmoid", "--out", "f.png"],
    "explain": ["m.json", "d.csv"], "report": ["m.json", "d.csv", "--out", "r.html"],
    "export": ["m.json", "--onnx", "m.onnx"],
    "evaluate": ["m.json", "d.csv", "--target", "y"],
}


@pytest.mark.parametrize("module", app.COMMANDS, ids=lambda m: m.__name__)
def test_each_subcommand_module_registers_its_parser_and_handler(module):
    name = module.__name__.rsplit(".", 1)[1]
    parser = argparse.ArgumentParser()
    module.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args([name, *MINIMAL_ARGV[name]])
    assert args.command == name
    assert args.handler is getattr(module, f"cmd_{name}")
