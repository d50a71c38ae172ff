"""The layers of docs/architecture.md, checked on every import in haven/ (migrations aside):
an import may point to its own layer or one below, never up; no modules import each other
in a circle; the engines import no Django."""

import ast
from functools import cache
from pathlib import Path

HAVEN = Path(__file__).resolve().parent.parent / "haven"

# From the bottom up. A module belongs to the longest prefix listed.
LAYERS = [
    ("engines", ["haven.linkage", "haven.privacy", "haven.scoring", "haven.envconfig"]),
    ("audit", ["haven.audit"]),
    ("kernel", ["haven.core"]),
    ("accounts", ["haven.accounts"]),
    ("people", ["haven.people"]),
    ("cases", ["haven.cases"]),
    ("domain", ["haven.assessments", "haven.assistance", "haven.tracing", "haven.feedback"]),
    ("evidence, field and oversight", ["haven.evidence", "haven.field", "haven.oversight"]),
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
    found = sorted(upward_imports())
    assert found == [], "imports that point up a layer (docs/architecture.md):\n" + "\n".join(
        f"{a} -> {b}" for a, b in found
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


def test_no_import_circles():
    """An app's actions queue its tasks; the tasks call the job's own module, never the
    actions back."""
    assert sorted(map(sorted, circles())) == []


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
    assert layers.upward_imports() == {("haven.people.actions", "haven.cases.views")}


def test_an_import_circle_would_be_caught(monkeypatch):
    """A task module importing its app's actions back (as both used to) is a circle."""
    import tests.test_layers as layers

    graph = {name: set(targets) for name, targets in imports().items()}
    graph["haven.tracing.tasks"].add("haven.tracing.actions")
    monkeypatch.setattr(layers, "imports", lambda: graph)
    assert frozenset({"haven.tracing.actions", "haven.tracing.tasks"}) in layers.circles()


def test_no_module_grows_past_500_lines():
    """A module holds one job; one that grows past 500 lines is split into rooms."""
    long = {
        module: lines
        for module, path in modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}
