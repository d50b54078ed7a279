"""The dependency rules of docs/architecture.md, checked on the source over transitive imports.

A module is pure when a line of its docstring starts with "PURE": that marker is the list. A pure module
may reach, through every import it makes (at the top or inside a function, absolute or relative), only the
standard library, the few numeric and text libraries named below, and other pure modules.
"""
from __future__ import annotations

import ast
import re
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("feedback_app", "surveys", "triage", "privacy", "retention", "webhooks", "advocacy")
DOMAINS = ("surveys", "triage", "privacy", "retention", "webhooks", "advocacy")
INFRASTRUCTURE = ("feedback_app.core", "feedback_app.mail", "feedback_app.web")
# What a pure module may use beyond the standard library: the classifier's numbers and stemmers, the
# importer's address check. Anything else (flask, sqlalchemy, wtforms, babel…) is a framework or a database.
PURE_MAY_USE = {"numpy", "sklearn", "scipy", "nltk", "email_validator"}
PURE_MARKER = re.compile(r"^PURE\b", re.MULTILINE)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_sources() -> dict[str, tuple[Path, str]]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = (path, path.read_text())
    return found


SOURCES = project_sources()


class Graph:
    """Every module's direct imports, resolved to project modules or top-level library names."""

    def __init__(self, sources: dict[str, tuple[Path, str]]):
        self.sources = sources
        self.direct = {name: self._imports_of(name, path, text) for name, (path, text) in sources.items()}

    def is_pure(self, module: str) -> bool:
        docstring = ast.get_docstring(ast.parse(self.sources[module][1])) or ""
        return bool(PURE_MARKER.search(docstring))

    def _imports_of(self, module: str, path: Path, text: str) -> set[str]:
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        names, tree = set(), ast.parse(text)
        # A package's __init__ runs whenever one of its modules is imported, but its functions only when called
        # (feedback_app.create_app, which the composition root calls): for a package, only its own body counts.
        nodes = tree.body if path.name == "__init__.py" else ast.walk(tree)
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    names |= self._with_parents(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                names |= self._with_parents(base)
                for alias in node.names:  # `from package import module` imports that module
                    if f"{base}.{alias.name}" in self.sources:
                        names |= self._with_parents(f"{base}.{alias.name}")
        return names

    def _with_parents(self, dotted: str) -> set[str]:
        """Importing a.b.c runs a, a.b and a.b.c; outside the project only the top-level name matters."""
        parts = dotted.split(".")
        if parts[0] not in PACKAGES:
            return {parts[0]}
        return {".".join(parts[:n]) for n in range(1, len(parts) + 1) if ".".join(parts[:n]) in self.sources}

    @cache  # noqa: B019  (the graph lives as long as the test module)
    def reach(self, module: str) -> frozenset[str]:
        """Everything importing `module` runs, transitively (itself excluded)."""
        seen, todo = set(), list(self.direct[module])
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(self.direct.get(name, ()))
        seen.discard(module)
        return frozenset(seen)


GRAPH = Graph(SOURCES)
PURE = sorted(name for name in SOURCES if GRAPH.is_pure(name))


def _is_stdlib(name: str) -> bool:
    return name in sys.stdlib_module_names or name == "__future__"


def pure_violations(graph: Graph, module: str) -> set[str]:
    bad = set()
    for name in graph.reach(module):
        if name in graph.sources:
            # a package __init__ importing nothing (beyond the standard library) is neutral
            if not graph.is_pure(name) and not all(_is_stdlib(n) for n in graph.direct[name]):
                bad.add(name)
        elif not _is_stdlib(name) and name not in PURE_MAY_USE:
            bad.add(name)
    return bad


def _in(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_marker_finds_the_pure_modules():
    # A marker lost in an edit would silently drop a module from every check below.
    expected = {"surveys.scales.kinds", "surveys.scales.scoring", "surveys.scales.answers", "triage.fixes.grid",
                "triage.fixes.chart", "triage.loop.policy", "triage.language.text",
                "triage.classification.classifier", "feedback_app.mail.delivery_policy", "feedback_app.core.numbers",
                "retention.kpis", "retention.stages", "retention.incentives", "retention.fit", "retention.comparison",
                "retention.insight.charts", "webhooks.signing", "webhooks.schedule", "webhooks.addresses",
                "advocacy.policy"}
    assert expected <= set(PURE)


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_reach_only_the_standard_library_and_pure_modules(module):
    assert not pure_violations(GRAPH, module), f"{module} is marked PURE but imports {pure_violations(GRAPH, module)}"


@pytest.mark.parametrize("added", [
    "from flask import current_app",
    "import sqlalchemy as sa",
    "from triage.models import Fix",            # a table: the database, one step away
    "from triage.fixes import evidence",        # a use case module, which imports the database in turn
    "from . import queue",                      # relative: resolved like any other
    "from flask_login import current_user",
    "def later():\n    from feedback_app.core.extensions import db\n    return db",  # hidden in a function
])
def test_an_impure_import_added_to_the_grid_is_caught(added):
    path, text = SOURCES["triage.fixes.grid"]
    graph = Graph(SOURCES | {"triage.fixes.grid": (path, text + "\n" + added + "\n")})
    assert pure_violations(graph, "triage.fixes.grid")


def test_surveys_never_imports_triage_or_privacy():
    for module in (m for m in SOURCES if _in(m, ("surveys",))):
        wrong = {n for n in GRAPH.reach(module) if _in(n, ("triage", "privacy"))}
        assert not wrong, f"{module} reaches {wrong}"


def test_retention_may_read_surveys_and_triage_which_never_read_it():
    # retention is the newest domain: it may read surveys and triage (their pure scales and loop figures, their
    # tables), never privacy; surveys and triage never reach it (privacy may, to erase what it holds of a person).
    for module in (m for m in SOURCES if _in(m, ("retention",))):
        wrong = {n for n in GRAPH.reach(module) if _in(n, ("privacy",))}
        assert not wrong, f"{module} reaches {wrong}"
    for module in (m for m in SOURCES if _in(m, ("surveys", "triage"))):
        wrong = {n for n in GRAPH.reach(module) if _in(n, ("retention",))}
        assert not wrong, f"{module} reaches {wrong}"


def test_webhooks_reach_no_other_domain():
    # Every domain queues its events through webhooks.events, so webhooks must read none of them (a cycle).
    for module in (m for m in SOURCES if _in(m, ("webhooks",))):
        wrong = {n for n in GRAPH.reach(module) if _in(n, ("surveys", "triage", "privacy", "retention", "advocacy"))}
        assert not wrong, f"{module} reaches {wrong}"


def test_advocacy_reads_only_surveys_and_only_retention_and_privacy_read_it():
    # advocacy asks promoters (surveys' answers and customers) through the outbox; retention's loop page shows its
    # figures and privacy exports and erases its rows. It reads no other domain, so none of them is a cycle.
    for module in (m for m in SOURCES if _in(m, ("advocacy",))):
        wrong = {n for n in GRAPH.reach(module) if _in(n, ("triage", "privacy", "retention", "webhooks"))}
        assert not wrong, f"{module} reaches {wrong}"
    for module in (m for m in SOURCES if _in(m, ("surveys", "triage", "webhooks"))):
        wrong = {n for n in GRAPH.reach(module) if _in(n, ("advocacy",))}
        assert not wrong, f"{module} reaches {wrong}"


def test_advocacy_reading_retention_is_caught():
    path, text = SOURCES["advocacy.asking"]
    graph = Graph(SOURCES | {"advocacy.asking": (path, text + "\nfrom retention import stages\n")})
    assert "retention.stages" in graph.reach("advocacy.asking")


def test_retention_imported_by_triage_is_caught():
    path, text = SOURCES["triage.loop.metrics"]
    graph = Graph(SOURCES | {"triage.loop.metrics": (path, text + "\nfrom retention import stages\n")})
    assert "retention.stages" in graph.reach("triage.loop.metrics")


def test_infrastructure_imports_no_domain_and_no_composition():
    for module in (m for m in SOURCES if _in(m, INFRASTRUCTURE)):
        # "feedback_app" itself is a docstring and a lazy create_app: importing it builds nothing
        wrong = {n for n in GRAPH.reach(module) if n in SOURCES and not _in(n, INFRASTRUCTURE) and n != "feedback_app"}
        assert not wrong, f"{module} is infrastructure but reaches {wrong}"


def test_nothing_outside_the_composition_root_imports_it():
    root = ("feedback_app.factory", "feedback_app.cli", "feedback_app.jobs", "feedback_app.scheduler",
            "feedback_app.dashboard", "feedback_app.demo", "feedback_app.rebuild", "feedback_app.api")
    for module in (m for m in SOURCES if _in(m, DOMAINS + INFRASTRUCTURE)):
        wrong = {n for n in GRAPH.direct[module] if _in(n, root)}
        assert not wrong, f"{module} imports the composition root: {wrong}"


def _room(module: str) -> str:
    """The unit a cycle is looked for between: a sub-package (feedback_app.mail, surveys.asking,
    triage.fixes …), or a module that sits beside the sub-packages (surveys.models, triage.cli)."""
    parts = module.split(".")
    package = ".".join(parts[:2])
    in_a_sub_package = len(parts) > 2 and SOURCES.get(package, (ROOT,))[0].name == "__init__.py"
    return package if in_a_sub_package else module


def package_cycles(graph: Graph) -> list[set[str]]:
    """Groups of rooms that import each other, directly or through others (Tarjan's strongly connected
    components). A package __init__ that imports nothing is no edge: importing it builds nothing."""
    edges: dict[str, set[str]] = {}
    for module, names in graph.direct.items():
        for name in names:
            neutral = name not in graph.sources or (graph.sources[name][0].name == "__init__.py" and
                                                    all(_is_stdlib(n) for n in graph.direct[name]))
            if not neutral and name != "feedback_app" and _room(name) != _room(module):
                edges.setdefault(_room(module), set()).add(_room(name))
    order, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(room: str) -> None:
        order[room] = low[room] = len(order)
        stack.append(room)
        on_stack.add(room)
        for other in edges.get(room, ()):
            if other not in order:
                visit(other)
                low[room] = min(low[room], low[other])
            elif other in on_stack:
                low[room] = min(low[room], order[other])
        if low[room] == order[room]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == room:
                    break
            if len(component) > 1:
                cycles.append(component)

    for room in sorted(edges):
        if room not in order:
            visit(room)
    return cycles


def test_no_import_cycle_between_packages():
    # Between the rooms of the house: surveys.asking and surveys.answering, triage.verbatims and triage.fixes,
    # feedback_app.core and feedback_app.mail … one of each pair may read the other, never both.
    assert package_cycles(GRAPH) == []


def test_a_cycle_between_packages_is_caught():
    path, text = SOURCES["triage.verbatims.listing"]
    graph = Graph(SOURCES | {"triage.verbatims.listing": (path, text + "\nfrom triage.fixes import queue\n")})
    assert any({"triage.verbatims", "triage.fixes"} <= cycle for cycle in package_cycles(graph))


def test_a_domain_import_in_infrastructure_is_caught():
    path, text = SOURCES["feedback_app.core.paging"]
    graph = Graph(SOURCES | {"feedback_app.core.paging": (path, text + "\nfrom surveys.scales import kinds\n")})
    assert "surveys.scales.kinds" in graph.reach("feedback_app.core.paging")


def test_every_module_says_what_it_is_for():
    for path, text in SOURCES.values():
        docstring = ast.get_docstring(ast.parse(text))
        assert docstring and docstring.strip(), f"{path.relative_to(ROOT)} has no docstring saying what it is for"


@pytest.mark.parametrize("module", PURE + ["feedback_app.mail.outbox", "feedback_app.mail.delivery",
                                    "feedback_app.core.leases"])
def test_decision_code_takes_the_time_as_an_argument(module):
    source = SOURCES[module][1]
    assert "datetime.now(" not in source and "utcnow" not in source, f"{module} reads the clock"


def test_tests_mirror_the_source_tree():
    # tests/unit/triage/fixes/test_grid.py tests triage/fixes/grid.py: a test directory names a real package.
    for kind in ("unit", "app"):
        for directory in (ROOT / "tests" / kind).rglob("*"):
            if directory.is_dir() and directory.name != "__pycache__":
                package = ROOT / directory.relative_to(ROOT / "tests" / kind)
                assert (package / "__init__.py").exists(), f"{directory.relative_to(ROOT)} mirrors no package"
