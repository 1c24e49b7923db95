"""The code's structure: no import cycles in kg/, modules of a readable size, namespaces in one place,
and docs/architecture.md naming only modules and commands that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kg.cli import make_parser

ROOT = Path(__file__).resolve().parent.parent
KG = ROOT / "kg"
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    mods = {}
    for f in KG.rglob("*.py"):
        parts = list(f.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = f
    return mods


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Line numbers of imports inside `if TYPE_CHECKING:` blocks (annotations only, never run)."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for n in ast.walk(inner):
                    if isinstance(n, (ast.Import, ast.ImportFrom)):
                        lines.add(n.lineno)
    return lines


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the kg modules it imports, at the top or inside a function (a lazy import is still an edge)."""

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, f in mods.items():
        tree = ast.parse(f.read_text(encoding="utf-8"))
        skip = _type_checking_only(tree)
        pkg = m if f.name == "__init__.py" else m.rpartition(".")[0]
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [resolve(a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else resolve(base) for a in node.names]
            graph[m].update(t for t in targets if t and t != m)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles_in_kg():
    graph = import_graph(_modules())
    assert graph["kg.shacl.engine"], "the import graph must see the engine's imports"
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_shacl_does_not_import_the_validate_command():
    graph = import_graph(_modules())
    for m, targets in graph.items():
        if m.startswith("kg.shacl"):
            assert not any(t.startswith("kg.validate") for t in targets), m


def test_modules_are_small_or_say_why():
    long = []
    for f in sorted(KG.rglob("*.py")):
        rel = f.relative_to(ROOT).as_posix()
        n = len(f.read_text(encoding="utf-8").splitlines())
        doc = ast.get_docstring(ast.parse(f.read_text(encoding="utf-8"))) or ""
        if n > MAX_LINES and "longer than" not in doc.lower():
            long.append((rel, n))
    assert long == []


def test_every_module_has_a_docstring():
    missing = [
        f.relative_to(ROOT).as_posix()
        for f in sorted(KG.rglob("*.py"))
        if f.stat().st_size and not ast.get_docstring(ast.parse(f.read_text(encoding="utf-8")))
    ]
    assert missing == []


# ------------------------------------------------------------------ one source of truth for namespaces

NAMESPACE_IRI = re.compile(
    r"[\"'](http://www\.w3\.org/(1999/02/22-rdf-syntax-ns|2000/01/rdf-schema|2002/07/owl|2001/XMLSchema|ns/shacl|"
    r"2004/02/skos/core|ns/org|2006/time|ns/prov)#|http://purl\.org/dc/terms/|https://w3id\.org/lattice/)"
)


def test_namespace_iris_are_written_only_in_namespaces_py():
    offenders = []
    for f in sorted(KG.rglob("*.py")):
        rel = f.relative_to(ROOT).as_posix()
        if rel == "kg/namespaces.py":
            continue
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if NAMESPACE_IRI.search(line):
                offenders.append(f"{rel}:{i}")
    assert offenders == []


# ------------------------------------------------------------------ docs/architecture.md matches the code


def _doc() -> str:
    return (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_architecture_names_only_modules_that_exist():
    named = set(re.findall(r"\b(kg/[\w/]+(?:\.py|/))", _doc()))
    assert len(named) >= 10
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert missing == []


def test_architecture_names_every_module():
    doc = _doc()
    unnamed = []
    for f in sorted(KG.rglob("*.py")):
        rel = f.relative_to(ROOT).as_posix()
        if f.name in ("__init__.py", "__main__.py") or "/data/" in rel or rel.startswith("kg/web/"):
            continue
        pkg = rel.rsplit("/", 1)[0] + "/"
        if rel not in doc and not (pkg != "kg/" and pkg in doc and f.stem in doc):
            unnamed.append(rel)
    assert unnamed == []


def test_architecture_names_only_commands_that_exist():
    parser = make_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    commands = set(sub.choices)
    named = set(re.findall(r"`kg ([a-z][a-z-]*)", _doc())) | set(
        re.findall(r"^\s*kg ([a-z][a-z-]*)\s", _doc(), re.MULTILINE)
    )
    assert named, "the page names commands"
    assert sorted(named - commands) == []
    assert sorted(commands - named) == [], "every command is described"


@pytest.mark.parametrize("call", re.findall(r"`(kg\.[a-z_]+)\(", (ROOT / "docs" / "architecture.md").read_text()))
def test_architecture_python_api_exists(call):
    import kg

    assert callable(getattr(kg, call.split(".", 1)[1]))
