"""The unit layout holds: one registry lists every unit, and nothing imports in a circle.

Fast (no notebook runs): the import graph is read from the source files' syntax trees,
imports inside functions included, so a cycle hidden behind a lazy import is found too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kit import ROOT
from coursekit import registry
from coursekit.manifest import UNIT_MODULES
from reference.units import UNITS

PACKAGES = ("coursekit", "reference")
#: The one module of coursekit that imports the course's reference package.
REGISTRY_MODULE = "coursekit.registry"
#: Cycles among coursekit's own modules that do not pass through the registry, owned elsewhere
#: (the sandbox and the exposure checks call each other lazily); reported, to be untangled.
KNOWN_CYCLES = [["coursekit.exposure", "coursekit.sandbox"]]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                found[_module_name(path)] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of ``known`` that ``name`` imports anywhere (top level or inside functions)."""
    is_package = path.name == "__init__.py"
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            targets.add(module)
            targets.update("%s.%s" % (module, alias.name) for alias in node.names)
        elif is_package and isinstance(node, ast.Call) and getattr(node.func, "id", "") == "unit_modules":
            # A manifest's unit_modules(__name__) imports the package's own modules when loaded.
            targets.update("%s.%s" % (name, module) for module, _, _ in UNIT_MODULES.values())
    edges = set()
    for target in targets:
        # Importing a.b.c also runs a and a.b, except the packages the importer lives in
        # (they are initialised before it, whatever it imports).
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            candidate = ".".join(parts[:i])
            if candidate in known and candidate != name and not name.startswith(candidate + "."):
                edges.add(candidate)
    return edges


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, result, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return result


def test_the_import_graph_of_coursekit_and_reference_has_no_cycle():
    graph = _graph()
    assert len(graph) > 50 and "reference.units" in graph["coursekit.registry"]
    # a manifest's loaders (unit_modules) count as imports of its own modules
    assert {"reference.af_cnn.solution", "reference.af_cnn.checks", "reference.af_cnn.grading"} <= graph["reference.af_cnn"]
    assert [c for c in _cycles(graph) if c not in KNOWN_CYCLES] == []


def test_the_cycle_finder_finds_a_cycle_through_a_lazy_import(tmp_path):
    """The finder itself works: a function-level import that closes a circle is reported."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text("def later():\n    from pkg import two\n")
    (package / "two.py").write_text("from pkg.one import later\n")
    known = {"pkg", "pkg.one", "pkg.two"}
    assert _imports("pkg.one", package / "one.py", known) == {"pkg.two"}
    assert _imports("pkg.two", package / "two.py", known) == {"pkg.one"}


def test_coursekit_reaches_reference_only_through_the_registry():
    graph = _graph()
    reaching = {name for name, targets in graph.items()
                if name.startswith("coursekit") and any(t.split(".")[0] == "reference" for t in targets)}
    assert reaching == {REGISTRY_MODULE}
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text())):  # code, not strings (a cheater's source)
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) \
                    in ("import_module", "__import__"):
                texts = [c.value for a in node.args for c in ast.walk(a)
                         if isinstance(c, ast.Constant) and isinstance(c.value, str)]
                assert not any("reference" in t for t in texts), "%s imports %s by name" % (name, texts)


def test_every_unit_package_is_in_the_registry_once_in_assignment_order():
    packages = sorted(p.parent.name for p in (ROOT / "reference").glob("*/__init__.py")
                      if re.search(r"^UNIT = ", p.read_text(), re.M))
    topics = [unit.topic for unit in UNITS]
    assert sorted(topics) == packages
    assert len(set(topics)) == len(topics)
    assignments = [unit.assignment for unit in UNITS]
    assert len(set(assignments)) == len(assignments)
    numbered = [a for a in assignments if re.match(r"\d\d_", a)]
    assert numbered == sorted(numbered) and assignments[: len(numbered)] == numbered
    assert registry.units() == UNITS


@pytest.mark.parametrize("unit", UNITS, ids=str)
def test_unit_names_its_package_notebook_and_checks(unit):
    assert (ROOT / "reference" / unit.topic / "__init__.py").is_file()
    assert unit.source_path(ROOT).is_file(), unit.source_path(ROOT)
    checks = unit.checks()
    assert checks, "a unit without hidden checks"
    assert all(c.id.startswith(unit.topic + ".") for c in checks)
    assert len({c.id for c in checks}) == len(checks)
    assert registry.unit(unit.assignment) is unit and registry.unit(unit.topic) is unit
    for check in checks[:2]:
        assert registry.get_check(check.id) is check


def test_an_unknown_unit_or_check_is_a_clear_error():
    with pytest.raises(KeyError, match="no assignment unit 'nope'.*01_perceptron"):
        registry.unit("nope")
    with pytest.raises(KeyError, match="looks like 'topic.name'"):
        registry.get_check("perceptron")
    with pytest.raises(KeyError, match="no check 'perceptron.nope' in reference/perceptron/checks.py"):
        registry.get_check("perceptron.nope")
