"""Run a validation engine over the W3C SHACL test suite (manifest entries) and compare reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import MF, RDFS, SH, SHT
from kg.shacl.model import Graph, Term, is_true, kind, term_id
from kg.shacl.paths import PathError, render_path
from kg.shacl.result import Result


@dataclass
class Case:
    """One manifest entry: where its data and shapes are and what report it expects."""

    name: str  # e.g. core/node/class-001
    file: Path
    data: Path
    shapes: Path
    label: str = ""
    expect_failure: bool = False
    expect_conforms: bool | None = None
    expected: list[dict[str, str | None]] = field(
        default_factory=list
    )  # dicts: focus, path, value, component, severity, shape


@dataclass
class Outcome:
    """Whether one case passed, and why not."""

    case: Case
    passed: bool
    detail: str = ""


def load_cases(root: Path) -> list[Case]:
    """Every test case reachable from ROOT/manifest.ttl through mf:include."""
    cases: list[Case] = []
    seen: set[Path] = set()

    def visit(manifest: Path) -> None:
        manifest = manifest.resolve()
        if manifest in seen or not manifest.is_file():
            return
        seen.add(manifest)
        base_iri = manifest.as_uri()
        store = ox.Store()
        store.load(path=str(manifest), format=ox.RdfFormat.TURTLE, base_iri=base_iri)
        g = Graph(store)
        for _, inc in g.pairs(MF.include):
            visit(Path(inc.value[len("file://") :]))
        for _, lst in g.pairs(MF.entries):
            for entry in g.list(lst):
                cases.append(_case(g, entry, manifest, root))

    visit(root / "manifest.ttl")
    return cases


def _case(g: Graph, entry: Term, manifest: Path, root: Path) -> Case:
    action = g.one(entry, MF.action)
    data = g.one(action, SHT.dataGraph)
    shapes = g.one(action, SHT.shapesGraph)
    if data is None or shapes is None:
        raise ValueError(f"{manifest}: {term_id(entry)} names no data or shapes graph")
    rel = manifest.parent.relative_to(root.resolve())
    local = entry.value.rsplit("/", 1)[-1] if isinstance(entry, ox.NamedNode) else term_id(entry)
    label = g.one(entry, RDFS.label)
    case = Case(
        name=f"{rel.as_posix()}/{local}",
        file=manifest,
        data=Path(data.value[len("file://") :]),
        shapes=Path(shapes.value[len("file://") :]),
        label=label.value if label is not None else "",
    )
    result = g.one(entry, MF.result)
    if isinstance(result, ox.NamedNode) and result.value == SHT.Failure:
        case.expect_failure = True
        return case
    conforms = g.one(result, SH.conforms)
    case.expect_conforms = is_true(conforms)
    for r in g.objects(result, SH.result):
        path = g.one(r, SH.resultPath)
        if path is None:
            path_s = None
        elif isinstance(path, ox.NamedNode):
            path_s = path.value
        else:
            try:
                path_s = render_path(path, g.objects, kind)
            except PathError:
                path_s = "*"
        sev = g.one(r, SH.resultSeverity)
        case.expected.append(
            {
                "focus": _pattern(g.one(r, SH.focusNode)),
                "value": _pattern(g.one(r, SH.value)),
                "path": path_s,
                "component": _pattern(g.one(r, SH.sourceConstraintComponent)),
                "severity": sev.value[len(SH) :] if sev is not None and sev.value.startswith(SH) else None,
                "shape": _pattern(g.one(r, SH.sourceShape)),
            }
        )
    return case


def _pattern(t: Term) -> str | None:
    """A term to match: None when absent, "*" for blank nodes (any term matches), else its Result string."""
    if t is None:
        return None
    if isinstance(t, ox.BlankNode):
        return "*"
    return term_id(t)


_CANON: dict[str, str] = {}


def canonical(term: str | None) -> str | None:
    """A literal as pyoxigraph's store keeps it ("01"^^xsd:integer -> "1"^^xsd:integer); other terms as given."""
    if term is None or not term.startswith('"'):
        return term
    if term not in _CANON:
        store = ox.Store()
        try:
            store.load(f"<urn:s> <urn:p> {term} .", format=ox.RdfFormat.N_TRIPLES)
            _CANON[term] = term_id(next(iter(store)).object)
        except (SyntaxError, StopIteration):
            _CANON[term] = term
    return _CANON[term]


def _matches(exp: dict[str, str | None], r: Result) -> bool:
    def eq(e: str | None, a: str | None) -> bool:
        return e == "*" or e == canonical(a)

    return (
        eq(exp["focus"], r.focus)
        and eq(exp["shape"], r.shape)
        and eq(exp["component"], r.component)
        and (exp["severity"] is None or exp["severity"] == r.severity)
        and (
            (exp["value"] is None and r.value is None)
            or (exp["value"] is not None and r.value is not None and eq(exp["value"], r.value))
        )
        and (exp["path"] == "*" or exp["path"] == r.path or (exp["path"] is None and r.path is None))
    )


def run_case(case: Case, engine: str = "fast") -> Outcome:
    """Validate one case with ENGINE ("fast" or "pyshacl") and compare with the expected report."""
    try:
        results = _validate(case, engine)
    except Exception as err:  # an engine refusing the shapes is the expected outcome of failure tests
        if case.expect_failure:
            return Outcome(case, True, f"refused: {err}")
        return Outcome(case, False, f"error: {type(err).__name__}: {err}")
    if case.expect_failure:
        return Outcome(case, False, "expected the engine to refuse the shapes graph")
    conforms = not results
    if conforms != case.expect_conforms:
        return Outcome(case, False, f"conforms={conforms}, expected {case.expect_conforms}; got {results}")
    unused = list(results)
    # entries naming blank nodes match anything there: try them after the exact ones
    for exp in sorted(case.expected, key=lambda e: sum(v == "*" for v in e.values())):
        hit = next((r for r in unused if _matches(exp, r)), None)
        if hit is None:
            return Outcome(case, False, f"missing expected result {exp}; got {unused}")
        unused.remove(hit)
    if unused:
        return Outcome(case, False, f"unexpected results {unused}")
    return Outcome(case, True)


def _validate(case: Case, engine: str) -> list[Result]:
    if engine == "fast":
        from kg.shacl import validate_store

        store = ox.Store()
        store.load(path=str(case.data), format=ox.RdfFormat.TURTLE, base_iri=case.data.as_uri())
        if case.shapes == case.data:
            return validate_store(store, None)
        shapes_store = ox.Store()
        shapes_store.load(path=str(case.shapes), format=ox.RdfFormat.TURTLE, base_iri=case.shapes.as_uri())
        return validate_store(store, shapes_store)
    if engine == "pyshacl":
        import pyshacl
        import rdflib

        from kg.shacl.reference import results_from_report_graph

        data = rdflib.Graph().parse(str(case.data), format="turtle", publicID=case.data.as_uri())
        shapes = (
            data
            if case.shapes == case.data
            else rdflib.Graph().parse(str(case.shapes), format="turtle", publicID=case.shapes.as_uri())
        )
        _c, report, _t = pyshacl.validate(data, shacl_graph=shapes, advanced=True)
        return results_from_report_graph(report, shapes)
    raise ValueError(f"unknown engine {engine!r}")


def run_suite(root: Path, engine: str = "fast", only: str | None = None) -> list[Outcome]:
    """Run every case under ROOT (optionally only names starting with ONLY)."""
    cases = load_cases(Path(root))
    if only:
        cases = [c for c in cases if c.name.startswith(only)]
    return [run_case(c, engine) for c in cases]
