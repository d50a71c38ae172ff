"""The layers of docs/architecture.md, checked on every import in haven/ (migrations aside):
an import may point to its own layer or one below, never up; the engines import no Django.

Imports that still point up are listed in UPWARD, each to be removed as the layers are put
right; the test fails on any new one, and on a listed one that has gone (so the list only
shrinks)."""

import ast
from functools import cache
from pathlib import Path

HAVEN = Path(__file__).resolve().parent.parent / "haven"

# From the bottom up. A module belongs to the longest prefix listed.
LAYERS = [
    ("engines", ["haven.linkage", "haven.privacy", "haven.scoring", "haven.envconfig"]),
    ("kernel", ["haven.core"]),
    ("audit", ["haven.audit"]),
    ("accounts", ["haven.accounts"]),
    (
        "web kit",
        [
            "haven.core.web",
            "haven.core.permissions",
            "haven.core.table_exports",
            "haven.core.api",
            "haven.core.views",
            "haven.audit.selectors",
            "haven.audit.views",
            "haven.accounts.views",
            "haven.audit.management",
        ],
    ),
    ("people", ["haven.people"]),
    ("cases", ["haven.cases"]),
    ("domain", ["haven.assessments", "haven.assistance", "haven.tracing", "haven.feedback"]),
    ("evidence and field", ["haven.evidence", "haven.field"]),
    (
        "site",
        [
            "haven.urls",
            "haven.api_urls",
            "haven.settings",
            "haven.celery",
            "haven.cli",
            "haven.wsgi",
            "haven.site",
        ],
    ),
]
ENGINES = ("haven.linkage", "haven.privacy", "haven.scoring")

# Imports that still point up a layer (importer, imported module), to be removed: the
# access policy reads the models of cases and feedback to build their scoped filters (a
# registry where each app gives its own filters would end it).
UPWARD: set[tuple[str, str]] = {
    ("haven.accounts.policy", "haven.cases.models"),
    ("haven.accounts.policy", "haven.feedback.models"),
}
# Modules that import each other through a chain: an app's actions queue its Celery tasks,
# and the tasks call the actions back (imported inside the task, when it runs).
KNOWN_CIRCLES: set[frozenset[str]] = {
    frozenset({"haven.evidence.actions", "haven.evidence.tasks"}),
    frozenset({"haven.tracing.actions", "haven.tracing.tasks", "haven.tracing.dedupe_actions"}),
}


def layer_of(module: str) -> int:
    if module == "haven":  # the package itself: it starts Celery's app, as Django asks
        return len(LAYERS) - 1
    best, found = -1, -1
    for number, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), number
    return found


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(HAVEN.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in HAVEN.rglob("*.py")
        if "migrations" not in path.parts and "build" not in path.parts
    }


def _target(name: str) -> str | None:
    """The module an imported name lives in (`haven.x.y.z` → `haven.x.y` if z is a name)."""
    known = modules()
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


@cache
def imports() -> dict[str, set[str]]:
    """Every haven module each module imports, at the top or inside a function."""
    out: dict[str, set[str]] = {}
    for module, path in modules().items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                target = _target(name) if name.startswith("haven.") else None
                if target and target != module:
                    found.add(target)
        out[module] = found
    return out


def upward_imports() -> set[tuple[str, str]]:
    return {
        (module, target)
        for module, targets in imports().items()
        for target in targets
        if layer_of(target) > layer_of(module)
    }


def test_every_module_has_a_layer():
    assert [m for m in modules() if layer_of(m) < 0] == []


def test_imports_point_down():
    found = upward_imports()
    new = sorted(found - UPWARD)
    assert new == [], "imports that point up a layer (docs/architecture.md):\n" + "\n".join(
        f"{a} -> {b}" for a, b in new
    )
    gone = sorted(UPWARD - found)
    assert gone == [], "put right: remove from UPWARD:\n" + "\n".join(
        f"{a} -> {b}" for a, b in gone
    )


def circles() -> set[frozenset[str]]:
    """The strongly connected groups of two or more modules (Tarjan's algorithm)."""
    graph = imports()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.add(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_new_import_circles():
    found = circles()
    assert sorted(map(sorted, found - KNOWN_CIRCLES)) == []
    assert sorted(map(sorted, KNOWN_CIRCLES - found)) == [], "put right: remove from the list"


def test_the_engines_import_no_django():
    offenders = []
    for module, path in modules().items():
        if not module.startswith(ENGINES):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [f"{module}: {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []


def test_an_upward_import_would_be_caught(monkeypatch):
    """A deliberate upward import (people importing a view of cases) fails the test."""
    import tests.test_layers as layers

    graph = {name: set(targets) for name, targets in imports().items()}
    graph["haven.people.actions"].add("haven.cases.views")
    monkeypatch.setattr(layers, "imports", lambda: graph)
    assert ("haven.people.actions", "haven.cases.views") in layers.upward_imports() - UPWARD
