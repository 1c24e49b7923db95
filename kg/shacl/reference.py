"""The reference engine: pySHACL run on rdflib copies of the data, its report read back into Results."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.fileio import rdflib_format
from kg.namespaces import SH, XSD
from kg.shacl.result import Result

if TYPE_CHECKING:
    import pyoxigraph as ox
    import rdflib

SEVERITY_ORDER = ("Violation", "Warning", "Info")


def result_sort_key(r: Result) -> tuple[int, str, str, str, str]:
    """Results in report order: by severity, then shape, focus node, value and component."""
    return (
        SEVERITY_ORDER.index(r.severity) if r.severity in SEVERITY_ORDER else 9,
        r.shape,
        r.focus,
        r.value or "",
        r.component,
    )


def _term_str(term: Any) -> str:
    """An rdflib term as a plain string: IRI, "_:id", or a literal in N-Triples syntax."""
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return str(term)
    if isinstance(term, rdflib.BNode):
        return "_:" + str(term)
    if isinstance(term, rdflib.Literal):
        return str(term.n3())
    return str(term)


def run_pyshacl(
    store: ox.Store, shapes_store: ox.Store, inference: str, data_g: rdflib.Graph | None = None
) -> list[Result]:
    """Validate with pyshacl (the reference engine) on rdflib copies of the data (or DATA_G) and shapes."""
    import pyshacl

    data_g = data_g if data_g is not None else to_rdflib(store)
    shapes_g = to_rdflib(shapes_store)
    _conforms, report_g, _text = pyshacl.validate(
        data_g,
        shacl_graph=shapes_g,
        inference=None if inference == "none" else inference,
        allow_warnings=False,
        allow_infos=False,
    )
    return results_from_report_graph(report_g, shapes_g)


def rdflib_from_files(files: Iterable[str | Path]) -> rdflib.Graph:
    """One rdflib Graph with every triple of FILES (all graphs of a dataset file merged), parsed by rdflib."""
    import rdflib

    from kg.fileio import check_rdf_file, rdf_format

    g = rdflib.Graph()
    for f in files:
        check_rdf_file(f, rdf_format(f))  # XML entities and deep JSON-LD are refused before rdflib parses them
        fmt = rdflib_format(Path(f))
        if fmt in ("nquads", "trig"):
            ds = rdflib.Dataset()
            ds.parse(str(f), format=fmt)
            for s_, p_, o_, _g in ds.quads((None, None, None, None)):
                g.add((s_, p_, o_))
        else:
            g.parse(str(f), format=fmt)
    return g


def to_rdflib(store: ox.Store) -> rdflib.Graph:
    """The default graph of a pyoxigraph store as an rdflib Graph, keeping blank node labels."""
    import pyoxigraph as ox
    import rdflib

    def conv(t: Any) -> rdflib.term.Identifier:
        if isinstance(t, ox.NamedNode):
            return rdflib.URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return rdflib.BNode(t.value)
        if t.language:
            return rdflib.Literal(t.value, lang=t.language)
        dt = t.datatype.value
        if dt == XSD.string:
            return rdflib.Literal(t.value)
        return rdflib.Literal(t.value, datatype=rdflib.URIRef(dt))

    g = rdflib.Graph()
    for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        g.add((conv(q.subject), conv(q.predicate), conv(q.object)))
    return g


def results_from_report_graph(report_g: rdflib.Graph, shapes_g: rdflib.Graph | None = None) -> list[Result]:
    """Read sh:ValidationResult nodes of an rdflib report graph into Result objects."""
    import rdflib

    sh = rdflib.Namespace(SH)
    from kg.shacl.paths import render_path

    def report_objects(node: Any, pred: str) -> list[Any]:
        out = list(report_g.objects(node, rdflib.URIRef(pred)))
        if not out and shapes_g is not None:
            out = list(shapes_g.objects(node, rdflib.URIRef(pred)))
        return out

    results: list[Result] = []
    # only the report's own results: nested ones (under sh:detail) explain a parent result
    top = [
        r for rep in report_g.subjects(rdflib.RDF.type, sh.ValidationReport) for r in report_g.objects(rep, sh.result)
    ]
    for r in top:

        def one(p: Any, r: Any = r) -> Any:
            return next(iter(report_g.objects(r, p)), None)

        objects: Callable[[Any, str], list[Any]] = report_objects

        sev = one(sh.resultSeverity)
        severity = str(sev)[len(SH) :] if sev is not None and str(sev).startswith(SH) else _term_str(sev)
        path = one(sh.resultPath)
        source = one(sh.sourceShape)
        if isinstance(path, rdflib.BNode) and shapes_g is not None and source is not None:
            # pyshacl may copy complex paths under fresh blank nodes: read the shape's own path instead
            own = next(iter(shapes_g.objects(source, sh.path)), None)
            if own is not None:
                path = own
                objects = partial(_objects_in, shapes_g)

        if path is not None:
            try:
                path_s = str(path) if isinstance(path, rdflib.URIRef) else render_path(path, objects, _rdflib_kind)
            except ValueError:
                path_s = _term_str(path)
        else:
            path_s = None
        value = one(sh.value)
        msgs = list(report_g.objects(r, sh.resultMessage))
        message = english_message(msgs)
        results.append(
            Result(
                focus=_term_str(one(sh.focusNode)),
                shape=_term_str(one(sh.sourceShape)),
                component=str(one(sh.sourceConstraintComponent)),
                severity=severity,
                path=path_s,
                value=_term_str(value) if value is not None else None,
                message=message,
            )
        )
    return sorted(results, key=result_sort_key)


def _objects_in(graph: rdflib.Graph, node: Any, pred: str) -> list[Any]:
    import rdflib

    return list(graph.objects(node, rdflib.URIRef(pred)))


def _rdflib_kind(term: Any) -> str:
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return "iri"
    if isinstance(term, rdflib.BNode):
        return "bnode"
    return "literal"


def english_message(msgs: list[Any]) -> str:
    """The English (or untagged) message among several language variants."""
    if not msgs:
        return ""
    for m in msgs:
        if getattr(m, "language", None) in ("en", None):
            return str(m.value if hasattr(m, "value") and not isinstance(m.value, (int, float)) else m)
    return str(msgs[0])
