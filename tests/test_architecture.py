"""The package's architecture, read from the source with ``ast`` (nothing is imported).

The layers, bottom to top (docs/design.md draws them)::

    exceptions, _compat < core < solvers < io < inference < families < fitting < scale
                        < models < viz < cli

A module imports only from its own layer or the layers below it; the package's own
``__init__.py`` (the public re-exports) and ``__main__.py`` stand above every layer.
``logistic.exceptions`` and ``from logistic import __version__`` are allowed everywhere.

Each rule is one test whose failure message lists every offender; the last test proves
that each rule can fail, on a synthetic package written to ``tmp_path``.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PACKAGE = "logistic"
SOURCE = Path(__file__).resolve().parents[1] / "src" / PACKAGE

LAYERS = (
    ("exceptions", "_compat"),
    ("core",),
    ("solvers",),
    ("io",),
    ("inference",),
    ("families",),
    ("fitting",),
    ("scale",),
    ("models",),
    ("viz",),
    ("cli",),
)
TOP = len(LAYERS)  # the package's __init__ and __main__: above every layer
ALLOWED_EVERYWHERE = ("exceptions",)  # logistic.exceptions
ROOT_NAMES_EVERYWHERE = ("__version__",)  # from logistic import __version__

MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 300
LONG_FUNCTION_LINES = 80
MAX_LONG_FUNCTIONS = 3
MAX_TOP_LEVEL_ENTRIES = 15


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@dataclass
class Import:
    target: str  # the logistic module imported (a submodule when the name is one)
    names: tuple[str, ...]  # the names taken from it (empty for ``import a.b``)
    line: int


@dataclass
class Module:
    name: str  # logistic.core.sigmoid; a package is named by its __init__: logistic.core
    path: Path
    tree: ast.Module
    lines: int
    is_package: bool
    imports: list[Import] = field(default_factory=list)


class Package:
    """Every module under ``root`` (a directory named after the package), parsed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.name = root.name
        self.modules: dict[str, Module] = {}
        for path in sorted(root.rglob("*.py")):
            parts = path.relative_to(root.parent).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            text = path.read_text(encoding="utf-8")
            self.modules[name] = Module(
                name, path, ast.parse(text, str(path)), len(text.splitlines()), is_package
            )
        for module in self.modules.values():
            module.imports = list(self._imports(module))

    # -- imports ---------------------------------------------------------------------

    def _absolute(self, module: Module, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = module.name.split(".")
        if not module.is_package:
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def _imports(self, module: Module) -> Iterator[Import]:
        """Every import of a logistic module, at any depth (function-level ones too)."""
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == self.name:
                        yield Import(alias.name, (), node.lineno)
            elif isinstance(node, ast.ImportFrom):
                source = self._absolute(module, node)
                if source.split(".")[0] != self.name:
                    continue
                plain = []
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    if submodule in self.modules:
                        yield Import(submodule, (), node.lineno)
                    else:
                        plain.append(alias.name)
                if plain:
                    yield Import(source, tuple(plain), node.lineno)

    # -- layers ----------------------------------------------------------------------

    def layer(self, name: str) -> int | None:
        """The layer of a module by name; TOP for the package's __init__/__main__."""
        parts = name.split(".")
        if parts == [self.name] or parts[1:] == ["__main__"]:
            return TOP
        for rank, members in enumerate(LAYERS):
            if parts[1] in members:
                return rank
        return None

    def takes_only_root_names(self, imp: Import) -> bool:
        """``from logistic import __version__``: allowed everywhere, no arrow to the top."""
        return imp.target == self.name and set(imp.names) <= set(ROOT_NAMES_EVERYWHERE)

    def edges(self) -> dict[str, set[str]]:
        """The import graph, function-level imports included."""
        graph: dict[str, set[str]] = {name: set() for name in self.modules}
        for module in self.modules.values():
            for imp in module.imports:
                if imp.target not in self.modules or imp.target == module.name:
                    continue
                if imp.names and self.takes_only_root_names(imp):
                    continue
                graph[module.name].add(imp.target)
        return graph


def where(module: Module, line: int) -> str:
    return f"{module.name}:{line}"


# -- the rules: each returns its offenders, one line each -----------------------------


def layer_offenders(package: Package) -> list[str]:
    offenders = []
    for module in package.modules.values():
        own = package.layer(module.name)
        if own is None:
            offenders.append(f"{module.name}: in no layer")
            continue
        for imp in module.imports:
            parts = imp.target.split(".")
            if parts[1:2] and parts[1] in ALLOWED_EVERYWHERE:
                continue
            if imp.names and package.takes_only_root_names(imp):
                continue
            if imp.target not in package.modules:
                offenders.append(f"{where(module, imp.line)}: imports {imp.target}, no module")
                continue
            theirs = package.layer(imp.target)
            if theirs is None or theirs > own:
                offenders.append(f"{where(module, imp.line)}: imports {imp.target} (upward)")
    return offenders


def cycle_offenders(package: Package) -> list[str]:
    """The strongly connected components of the import graph with more than one module."""
    graph = package.edges()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [" <-> ".join(component) for component in sorted(components)]


def private_module_allowed(package: Package, importer: str, target: str) -> bool:
    """A private module is private to the package that holds it (``_compat``: to __init__)."""
    parts = target.split(".")
    for depth, part in enumerate(parts[1:], start=1):
        if is_private(part):
            owner = ".".join(parts[:depth])
            if owner == package.name:
                return importer == package.name
            if not (importer == owner or importer.startswith(owner + ".")):
                return False
    return True


def _module_aliases(package: Package, module: Module) -> dict[str, str]:
    """Local names bound to logistic modules: ``import a.b as m``, ``from a import b``."""
    aliases: dict[str, str] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == package.name:
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:
                        aliases[alias.name.split(".")[0]] = package.name
        elif isinstance(node, ast.ImportFrom):
            source = package._absolute(module, node)
            for alias in node.names:
                if f"{source}.{alias.name}" in package.modules:
                    aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
    return aliases


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    return None


def private_offenders(package: Package) -> list[str]:
    offenders = []
    for module in package.modules.values():
        for imp in module.imports:
            if not private_module_allowed(package, module.name, imp.target):
                offenders.append(f"{where(module, imp.line)}: imports {imp.target}")
            if imp.target != module.name:
                for name in filter(is_private, imp.names):
                    offenders.append(f"{where(module, imp.line)}: imports {imp.target}.{name}")
        aliases = _module_aliases(package, module)
        for node in ast.walk(module.tree):
            attribute = None
            if isinstance(node, ast.Attribute):
                base, attribute = _dotted(node.value, aliases), node.attr
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                base, attribute = _dotted(node.args[0], aliases), node.args[1].value
            if not attribute or not base or base == module.name or not is_private(attribute):
                continue
            if f"{base}.{attribute}" in package.modules:
                continue  # a private module, judged above where it is imported
            offenders.append(f"{where(module, node.lineno)}: uses {base}.{attribute}")
    return sorted(set(offenders))


def _definitions(tree: ast.AST) -> Iterator[tuple[ast.AST, str]]:
    """Every class and function with its qualified name, nested ones included."""

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[ast.AST, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                qualified = f"{prefix}{child.name}"
                yield child, qualified
                yield from walk(child, qualified + ".")
            else:
                yield from walk(child, prefix)

    yield from walk(tree, "")


def span(node: ast.AST) -> int:
    return node.end_lineno - node.lineno + 1  # type: ignore[attr-defined, operator]


def size_offenders(package: Package) -> list[str]:
    offenders = []
    long_functions = []
    for module in package.modules.values():
        if module.lines > MAX_MODULE_LINES:
            offenders.append(f"module {module.name}: {module.lines} lines > {MAX_MODULE_LINES}")
        for node, qualified in _definitions(module.tree):
            name = f"{module.name}.{qualified}"
            if isinstance(node, ast.ClassDef) and span(node) > MAX_CLASS_LINES:
                offenders.append(f"class {name}: {span(node)} lines > {MAX_CLASS_LINES}")
            elif not isinstance(node, ast.ClassDef) and span(node) > LONG_FUNCTION_LINES:
                long_functions.append(f"function {name}: {span(node)} lines")
    if len(long_functions) > MAX_LONG_FUNCTIONS:
        offenders.append(
            f"{len(long_functions)} functions over {LONG_FUNCTION_LINES} lines "
            f"> {MAX_LONG_FUNCTIONS}: " + "; ".join(long_functions)
        )
    return offenders


def top_level_offenders(root: Path) -> list[str]:
    entries = sorted(
        path.stem if path.is_file() else path.name + "/"
        for path in root.iterdir()
        if (path.suffix == ".py" and path.name != "__init__.py")
        or (path.is_dir() and (path / "__init__.py").exists())
    )
    if len(entries) > MAX_TOP_LEVEL_ENTRIES:
        return [f"{len(entries)} entries > {MAX_TOP_LEVEL_ENTRIES}: {', '.join(entries)}"]
    return []


# -- the tests on the package ---------------------------------------------------------


@pytest.fixture(scope="module")
def package() -> Package:
    return Package(SOURCE)


def report(rule: str, offenders: list[str]) -> str:
    return f"{rule}: {len(offenders)} offender(s)\n  " + "\n  ".join(offenders)


def test_imports_follow_the_layers(package: Package) -> None:
    offenders = layer_offenders(package)
    assert not offenders, report("imports against the layers", offenders)


def test_no_import_cycles(package: Package) -> None:
    offenders = cycle_offenders(package)
    assert not offenders, report("import cycles", offenders)


def test_no_private_names_of_other_modules(package: Package) -> None:
    offenders = private_offenders(package)
    assert not offenders, report("private names used outside their module", offenders)


def test_modules_classes_and_functions_are_short(package: Package) -> None:
    offenders = size_offenders(package)
    assert not offenders, report("too long", offenders)


def test_few_top_level_modules() -> None:
    offenders = top_level_offenders(SOURCE)
    assert not offenders, report("top of src/logistic", offenders)


def test_the_checker_reads_the_whole_package(package: Package) -> None:
    """A sanity check on the checker itself: it sees the layers and their imports."""
    assert "logistic.core.sigmoid" in package.modules
    assert "logistic.core.sigmoid" in package.edges()["logistic.core.losses"]


# -- each rule can fail ---------------------------------------------------------------

LONG_BODY = "\n".join(f"    x{i} = {i}" for i in range(LONG_FUNCTION_LINES + 1))

SYNTHETIC = {
    "cycle": (
        {
            "core/a.py": "def f():\n    from logistic.core import b\n",  # function-level
            "core/b.py": "from logistic.core.a import f\n",
        },
        cycle_offenders,
        "logistic.core.a <-> logistic.core.b",
    ),
    "upward import": (
        {"core/a.py": "from logistic.models.m import Model\n", "models/m.py": "Model = 1\n"},
        layer_offenders,
        "logistic.core.a:1: imports logistic.models.m (upward)",
    ),
    "relative upward import": (
        {"solvers/s.py": "from ..fitting import f\n", "fitting/f.py": ""},
        layer_offenders,
        "logistic.solvers.s:1: imports logistic.fitting.f (upward)",
    ),
    "private import": (
        {"core/a.py": "_hidden = 1\n", "solvers/s.py": "from logistic.core.a import _hidden\n"},
        private_offenders,
        "logistic.solvers.s:1: imports logistic.core.a._hidden",
    ),
    "private attribute": (
        {
            "core/a.py": "_hidden = 1\n",
            "solvers/s.py": "from logistic.core import a\nx = a._hidden\n",
        },
        private_offenders,
        "logistic.solvers.s:2: uses logistic.core.a._hidden",
    ),
    "private module": (
        {"core/_impl.py": "", "solvers/s.py": "import logistic.core._impl\n"},
        private_offenders,
        "logistic.solvers.s:1: imports logistic.core._impl",
    ),
    "long functions": (
        {f"core/m{i}.py": f"def f():\n{LONG_BODY}\n" for i in range(MAX_LONG_FUNCTIONS + 1)},
        size_offenders,
        f"{MAX_LONG_FUNCTIONS + 1} functions over {LONG_FUNCTION_LINES} lines",
    ),
    "long module": (
        {"core/a.py": "x = 1\n" * (MAX_MODULE_LINES + 1)},
        size_offenders,
        f"module logistic.core.a: {MAX_MODULE_LINES + 1} lines",
    ),
    "long class": (
        {"core/a.py": "class C:\n" + "    x = 1\n" * MAX_CLASS_LINES},
        size_offenders,
        f"class logistic.core.a.C: {MAX_CLASS_LINES + 1} lines",
    ),
    "module in no layer": (
        {"extra/a.py": ""},
        layer_offenders,
        "logistic.extra.a: in no layer",
    ),
}


def write_package(root: Path, files: dict[str, str]) -> Path:
    package = root / PACKAGE
    for relative, text in {"__init__.py": "", "exceptions.py": "", **files}.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(package).parents:
            (package / parent / "__init__.py").touch()
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return package


@pytest.mark.parametrize("case", list(SYNTHETIC))
def test_each_rule_reports_its_offender(tmp_path: Path, case: str) -> None:
    files, rule, expected = SYNTHETIC[case]
    offenders = rule(Package(write_package(tmp_path, files)))
    assert any(expected in offender for offender in offenders), offenders


def test_a_clean_synthetic_package_passes(tmp_path: Path) -> None:
    files = {
        "core/a.py": "from logistic.exceptions import DataError\n"
        "from logistic import __version__\n",
        "solvers/s.py": "from logistic.core.a import DataError\nfrom . import t\n",
        "solvers/t.py": "from logistic.core import a\nx = a.__name__\n",
        "solvers/_impl.py": "",
        "solvers/u.py": "from logistic.solvers import _impl\n",
    }
    package = Package(write_package(tmp_path, files))
    assert layer_offenders(package) == []
    assert cycle_offenders(package) == []
    assert private_offenders(package) == []
    assert size_offenders(package) == []
    assert top_level_offenders(package.root) == []


def test_too_many_top_level_modules(tmp_path: Path) -> None:
    files = {f"m{i}.py": "" for i in range(MAX_TOP_LEVEL_ENTRIES)}
    assert top_level_offenders(write_package(tmp_path, files))  # + exceptions.py: one too many
