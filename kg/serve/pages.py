"""HTML pages of the ontology, the shapes and each resource IRI; only http(s) IRIs become links."""

from __future__ import annotations

import html
import re

from kg.namespaces import DCTERMS, OWL, RDF, RDFS, SKOS
from kg.serve.layout import PUBLIC_BASE, local_path  # noqa: F401  (PUBLIC_BASE: read by the app)


def _short(iri: str) -> str:
    from kg.namespaces import compact

    return compact(iri)


def _html_term(t) -> str:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        href = local_path(t.value) or t.value
        if not (href.startswith("/") or re.match(r"^https?://", href, re.IGNORECASE)):
            return f"<code>{html.escape(_short(t.value))}</code>"  # javascript:, data: ... are never links
        return f'<a href="{html.escape(href)}" rel="nofollow">{html.escape(_short(t.value))}</a>'
    if isinstance(t, ox.BlankNode):
        return "<em>(blank node)</em>"
    if isinstance(t, ox.Literal):
        lang = f' <span class="lang">@{html.escape(t.language)}</span>' if t.language else ""
        return html.escape(t.value) + lang
    return html.escape(str(t))


def _page(title: str, body: str) -> bytes:
    from kg.serve.layout import page

    return page(title, body)


ONTOLOGY_KINDS = [
    (OWL.Class, "Classes"),
    (OWL.ObjectProperty, "Object properties"),
    (OWL.DatatypeProperty, "Datatype properties"),
    (OWL.AnnotationProperty, "Annotation properties"),
    (SKOS.Concept, "Concepts"),
    (OWL.NamedIndividual, "Named individuals"),
]


def ontology_terms(store) -> dict[str, dict]:
    """Every lat: term declared in the ontology graph: kinds, label, definition, comments and key relations."""
    import pyoxigraph as ox

    from kg.namespaces import GRAPH_ONTOLOGY, LAT

    q = f"""SELECT ?t ?p ?o WHERE {{ ?t ?p ?o . FILTER(STRSTARTS(STR(?t), "{LAT}")) }}"""
    terms: dict[str, dict] = {}
    res = store.query(q, default_graph=[ox.NamedNode(GRAPH_ONTOLOGY)])
    for sol in res:
        t, p, o = sol["t"].value, sol["p"].value, sol["o"]
        entry = terms.setdefault(t, {"name": t[len(LAT) :], "types": [], "facts": []})
        if p == RDF.type and isinstance(o, ox.NamedNode):
            entry["types"].append(o.value)
        elif p == RDFS.label and isinstance(o, ox.Literal):
            if not entry.get("label") or o.language == "en":
                entry["label"] = o.value
        elif p == SKOS.definition and isinstance(o, ox.Literal):
            entry["definition"] = o.value
        entry["facts"].append((p, o))
    return terms


def ontology_html(store) -> bytes:
    """The ontology documentation page: every term with an anchor, grouped by kind."""
    import pyoxigraph as ox

    from kg.namespaces import GRAPH_ONTOLOGY, LAT, LAT_ONTOLOGY

    terms = ontology_terms(store)
    meta = {}
    for sol in store.query(
        f"SELECT ?p ?o WHERE {{ <{LAT_ONTOLOGY}> ?p ?o }}", default_graph=[ox.NamedNode(GRAPH_ONTOLOGY)]
    ):
        meta.setdefault(sol["p"].value, []).append(sol["o"])
    title = next((o.value for o in meta.get(DCTERMS.title, [])), "The Lattice ontology")
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        (
            f"<p>IRI: <code>{LAT_ONTOLOGY}</code> · namespace <code>{LAT}</code> · "
            f'download: <a href="/ontology?format=ttl">Turtle</a>, <a href="/ontology?format=jsonld">JSON-LD</a>, '
            f'<a href="/ontology?format=rdfxml">RDF/XML</a>, <a href="/ontology?format=nt">N-Triples</a></p>'
        ),
    ]
    for p in (DCTERMS.description, OWL.versionInfo, DCTERMS.license):
        for o in meta.get(p, []):
            parts.append(f"<p><strong>{html.escape(_short(p))}</strong>: {_html_term(o)}</p>")
    skip = {RDF.type, RDFS.label, SKOS.definition}
    placed: set = set()
    toc = []
    sections = []
    groups = [
        (
            kind,
            heading,
            sorted((t for t, e in terms.items() if kind in e["types"] and t not in placed), key=lambda t: t.lower()),
        )
        for kind, heading in ONTOLOGY_KINDS
    ]
    for _kind, heading, members in groups:
        members = [t for t in members if t not in placed]
        placed.update(members)
        if not members:
            continue
        anchor = re.sub(r"[^a-z]+", "-", heading.lower())
        toc.append(f'<li><a href="#{anchor}">{heading}</a> ({len(members)})</li>')
        rows = [f'<h2 id="{anchor}">{heading}</h2>']
        for t in members:
            e = terms[t]
            facts = "".join(
                f"<tr><th>{html.escape(_short(p))}</th><td>{_html_term(o)}</td></tr>"
                for p, o in sorted(e["facts"], key=lambda f: f[0])
                if p not in skip
            )
            types = ", ".join(html.escape(_short(x)) for x in e["types"])
            rows.append(
                f'<section class="term" id="{html.escape(e["name"])}"><h3>{html.escape(e["name"])}'
                f" <small>{html.escape(e.get('label', ''))}</small></h3>"
                f'<p class="iri"><code>{html.escape(t)}</code> · {types}</p>'
                f"<p>{html.escape(e.get('definition', ''))}</p><table>{facts}</table></section>"
            )
        sections.append("\n".join(rows))
    rest = sorted(t for t in terms if t not in placed)
    if rest:
        toc.append(f'<li><a href="#other-terms">Other terms</a> ({len(rest)})</li>')
        sections.append(
            '<h2 id="other-terms">Other terms</h2>'
            + "".join(
                f'<section class="term" id="{html.escape(terms[t]["name"])}"><h3>{html.escape(terms[t]["name"])}</h3>'
                f"<p>{html.escape(terms[t].get('definition', ''))}</p></section>"
                for t in rest
            )
        )
    parts.append('<ul class="toc">' + "".join(toc) + "</ul>")
    parts.extend(sections)
    return _page(title, "\n".join(parts))


def shapes_html(store) -> bytes:
    """The shapes page: every named shape with an anchor, its target, severity, norm and message."""
    import pyoxigraph as ox

    from kg.namespaces import GRAPH_SHAPES, LAT_SH

    shapes: dict[str, list] = {}
    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_SHAPES)):
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(LAT_SH):
            shapes.setdefault(q.subject.value, []).append((q.predicate.value, q.object))
    parts = [
        (
            f"<h1>Lattice SHACL shapes</h1><p>Namespace <code>{LAT_SH}</code> · download: "
            '<a href="/shapes?format=ttl">Turtle</a>, <a href="/shapes?format=jsonld">JSON-LD</a>, '
            '<a href="/shapes?format=rdfxml">RDF/XML</a></p>'
        )
    ]
    for iri in sorted(shapes):
        name = iri[len(LAT_SH) :]
        rows = "".join(
            f"<tr><th>{html.escape(_short(p))}</th><td>{_html_term(o)}</td></tr>"
            for p, o in sorted(shapes[iri], key=lambda f: f[0])
            if not isinstance(o, ox.BlankNode)
        )
        parts.append(
            f'<section class="term" id="{html.escape(name)}"><h3>{html.escape(name)}</h3>'
            f"<table>{rows}</table></section>"
        )
    return _page("Lattice SHACL shapes", "\n".join(parts))


def resource_html(store, iri: str, findings: dict | None = None) -> bytes | None:
    """The article about an instance IRI (kg/serve/entity.py gathers, kg/serve/article.py writes), or None;
    FINDINGS are its validation results from the findings index (kg/validate/findings.py)."""
    from kg.serve.article import entity_html
    from kg.serve.entity import gather, labels

    found = gather(store, iri)
    if found is None:
        return None
    found["findings"] = findings
    if findings and findings.get("results"):
        wanted = set()
        for r in findings["results"]:
            wanted |= {r.get("shape"), r.get("norm"), (r.get("norm_info") or {}).get("document")}
        wanted = {w for w in wanted if w and w not in found["labels"]}
        found["labels"].update(labels(store, wanted))
    return entity_html(found)


def describe(store, iri: str, graph: str | None = None, limit: int = 100000) -> list:
    """The triples about IRI (its concise bounded description, following blank-node objects), optionally from
    one named graph; looked up by quad pattern on a NamedNode, never through query text."""
    import pyoxigraph as ox

    node = ox.NamedNode(iri)  # ValueError for anything that is not an IRI
    graph_node = ox.NamedNode(graph) if graph else None
    seen: set = set()
    out: list = []
    todo, visited = [node], set()
    while todo and len(out) < limit:
        subject = todo.pop()
        if subject in visited:
            continue
        visited.add(subject)
        for q in store.quads_for_pattern(subject, None, None, graph_node):
            t = q.triple
            if t not in seen:
                seen.add(t)
                out.append(t)
            if isinstance(q.object, ox.BlankNode):
                todo.append(q.object)
    return out
