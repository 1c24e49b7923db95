"""`kg docs`: the ontology's HTML documentation page (one title, IRI and version, modules, terms, one section per concept scheme)."""

from __future__ import annotations

import html
import sys
from pathlib import Path

from kg import namespaces as ns
from kg import paths, release
from kg.cliopts import add_output

DCT = ns.DCTERMS
OWL = ns.OWL
RDF = ns.RDF
RDFS = ns.RDFS
SKOS = ns.SKOS
VS = "http://www.w3.org/2003/06/sw-vocab-status/ns#"
LANG_NAMES = {"en": "English", "fr": "French", "es": "Spanish"}

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2.5rem; }
h3 { margin-bottom: .2rem; } code { background: #f3f3f3; padding: 0 .2rem; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .25rem .5rem; vertical-align: top; text-align: left; }
.term { border-left: 3px solid #4a7; padding-left: .8rem; margin: 1.2rem 0; } .deprecated { border-left-color: #c44; }
.meta th { width: 12rem; background: #fafafa; } .small { color: #555; font-size: .9rem; } nav a { margin-right: .8rem; }
"""


def default_out() -> Path:
    """docs/build/ in the checkout when there is one, else docs/build/ under the current directory."""
    checkout_docs = paths.PACKAGE_DIR.parent / "docs"
    if checkout_docs.is_dir() and (paths.PACKAGE_DIR.parent / "ontology").is_dir():
        return checkout_docs / "build"
    return Path.cwd() / "docs" / "build"


class _Doc:
    """Reads what the page shows from the merged ontology and the module files."""

    def __init__(self):
        import rdflib

        self.rdflib = rdflib
        self.g = release.merged_graph()
        self.o = rdflib.URIRef(release.ONTOLOGY_IRI)

    def U(self, iri):
        return self.rdflib.URIRef(iri)

    def vals(self, s, p):
        return list(self.g.objects(s, self.U(p)))

    def text(self, s, p, lang="en"):
        vs = self.vals(s, p)
        pick = [v for v in vs if getattr(v, "language", None) == lang] or [
            v for v in vs if getattr(v, "language", None) is None
        ]
        return str(pick[0]) if pick else ""

    def label(self, s):
        return self.text(s, RDFS + "label") or self.text(s, SKOS + "prefLabel") or ns.compact(str(s))

    def is_lat(self, s):
        return isinstance(s, self.rdflib.URIRef) and str(s).startswith(ns.LAT)

    def of_type(self, kind):
        return sorted(
            (s for s in self.g.subjects(self.U(RDF + "type"), self.U(kind)) if self.is_lat(s)),
            key=lambda s: str(s).lower(),
        )

    def deprecated(self, s):
        return any(str(v).lower() == "true" for v in self.vals(s, OWL + "deprecated"))


def _link(doc: _Doc, iri) -> str:
    c = ns.compact(str(iri))
    if doc.is_lat(iri):
        return f'<a href="#{html.escape(str(iri)[len(ns.LAT) :])}"><code>{html.escape(c)}</code></a>'
    if str(iri).startswith(("http://", "https://")):
        return f'<a href="{html.escape(str(iri))}"><code>{html.escape(c)}</code></a>'
    return f"<code>{html.escape(c)}</code>"


def _term(doc: _Doc, s) -> str:
    e = html.escape
    name = str(s)[len(ns.LAT) :]
    rows = []
    labels = {getattr(v, "language", None): str(v) for v in doc.vals(s, RDFS + "label")}
    others = [
        f"{e(labels[k])} <span class='small'>({LANG_NAMES.get(k, k)})</span>" for k in ("fr", "es") if k in labels
    ]
    if others:
        rows.append(("Labels", "; ".join(others)))
    alt = [str(v) for v in doc.vals(s, SKOS + "altLabel")]
    if alt:
        rows.append(("Also called", e("; ".join(alt))))
    for title, p in (
        ("Definition", SKOS + "definition"),
        ("Comment", RDFS + "comment"),
        ("Scope note", SKOS + "scopeNote"),
        ("Example", SKOS + "example"),
    ):
        t = doc.text(s, p)
        if t:
            rows.append((title, e(t)))
    for title, p in (
        ("Subclass of", RDFS + "subClassOf"),
        ("Equivalent to", OWL + "equivalentClass"),
        ("Disjoint with", OWL + "disjointWith"),
        ("Domain", RDFS + "domain"),
        ("Range", RDFS + "range"),
        ("Inverse of", OWL + "inverseOf"),
        ("Subproperty of", RDFS + "subPropertyOf"),
        ("In scheme", SKOS + "inScheme"),
        ("Replaced by", DCT + "isReplacedBy"),
        ("Close match", SKOS + "closeMatch"),
        ("Related match", SKOS + "relatedMatch"),
        ("Source", DCT + "source"),
    ):
        vs = [v for v in doc.vals(s, p) if isinstance(v, doc.rdflib.URIRef)]
        if vs:
            rows.append((title, ", ".join(_link(doc, v) for v in sorted(vs, key=str))))
    status = doc.text(s, VS + "term_status")
    if status:
        rows.append(("Status", e(status)))
    cls = "term deprecated" if doc.deprecated(s) else "term"
    body = "".join(f"<tr><th>{t}</th><td>{v}</td></tr>" for t, v in rows)
    return (
        f'<div class="{cls}" id="{e(name)}"><h3>{e(doc.label(s))}{" (deprecated)" if doc.deprecated(s) else ""}</h3>'
        f'<p class="small"><code>{e(str(s))}</code></p><table class="meta">{body}</table></div>'
    )


def _modules(doc: _Doc) -> str:
    import rdflib

    e = html.escape
    rows = []
    for name in release.module_names():
        g = rdflib.Graph().parse(paths.ONTOLOGY_DIR / f"{name}.ttl", format="turtle")
        iri = rdflib.URIRef(release.module_iri(name))
        title = next((str(v) for v in g.objects(iri, rdflib.URIRef(DCT + "title"))), name)
        desc = next((str(v) for v in g.objects(iri, rdflib.URIRef(DCT + "description"))), "")
        rows.append(
            f'<tr><td><a href="{e(str(iri))}"><code>{e(str(iri))}</code></a></td><td>{e(title)}</td><td>{e(desc)}</td></tr>'
        )
    return "<table><tr><th>Module IRI</th><th>Title</th><th>What it holds</th></tr>" + "".join(rows) + "</table>"


def render() -> str:
    """The whole documentation page as HTML."""
    e = html.escape
    doc = _Doc()
    o = doc.o
    title = doc.text(o, DCT + "title")
    version = doc.text(o, OWL + "versionInfo")
    viri = next((str(v) for v in doc.vals(o, OWL + "versionIRI")), "")
    meta = [
        ("Ontology IRI", f'<a id="ontology-iri" href="{e(str(o))}"><code>{e(str(o))}</code></a>'),
        ("Version IRI", f'<a id="version-iri" href="{e(viri)}"><code>{e(viri)}</code></a>'),
        ("Version", f'<span id="version">{e(version)}</span>'),
    ]
    prior = doc.vals(o, OWL + "priorVersion")
    if prior:
        meta.append(("Prior version", ", ".join(_link(doc, v) for v in prior)))
    for t, p in (
        ("Issued", DCT + "issued"),
        ("Modified", DCT + "modified"),
        ("Creator", DCT + "creator"),
        ("Contributors", DCT + "contributor"),
        ("Publisher", DCT + "publisher"),
        ("Cite as", DCT + "bibliographicCitation"),
    ):
        vs = [str(v) for v in doc.vals(o, p)]
        if vs:
            meta.append((t, e("; ".join(vs))))
    lic = doc.vals(o, DCT + "license")
    if lic:
        meta.append(("Licence", ", ".join(_link(doc, v) for v in lic)))
    meta.append(("Namespace", f"<code>{e(ns.LAT)}</code> (prefix <code>lat:</code>)"))
    downloads = " · ".join(
        f'<a href="{e(viri)}/lattice{ext}">{name}</a>'
        for name, ext in (("Turtle", ".ttl"), ("RDF/XML", ".rdf"), ("JSON-LD", ".jsonld"), ("N-Triples", ".nt"))
    )
    meta.append(("Download", downloads))
    sections = [
        ("classes", "Classes", OWL + "Class"),
        ("object-properties", "Object properties", OWL + "ObjectProperty"),
        ("datatype-properties", "Datatype properties", OWL + "DatatypeProperty"),
        ("annotation-properties", "Annotation properties", OWL + "AnnotationProperty"),
    ]
    schemes = doc.of_type(SKOS + "ConceptScheme")
    parts = [
        (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head><body>'
        ),
        f'<header><h1 id="title">{e(title)}</h1>',
        f"<p>{e(doc.text(o, DCT + 'description'))}</p>",
        '<table class="meta" id="metadata">'
        + "".join(f"<tr><th>{t}</th><td>{v}</td></tr>" for t, v in meta)
        + "</table>",
        '<nav><a href="#modules">Modules</a>'
        + "".join(f'<a href="#{a}">{t}</a>' for a, t, _ in sections)
        + '<a href="#schemes">Concept schemes</a><a href="#deprecated">Deprecated terms</a></nav></header>',
        '<section id="modules"><h2>Modules</h2><p>Each module is an ontology of its own, at its own IRI, that '
        "imports what it uses: it can be loaded alone.</p>" + _modules(doc) + "</section>",
    ]
    for anchor, heading, kind in sections:
        terms = [s for s in doc.of_type(kind) if not doc.deprecated(s)]
        parts.append(
            f'<section id="{anchor}"><h2>{heading} ({len(terms)})</h2>'
            + "".join(_term(doc, s) for s in terms)
            + "</section>"
        )
    parts.append(
        '<section id="schemes"><h2>Concept schemes</h2><p>Each list of values is a SKOS concept scheme; '
        "its concepts are the values the matching property takes.</p>"
    )
    for sch in schemes:
        name = str(sch)[len(ns.LAT) :]
        concepts = sorted(doc.g.subjects(doc.U(SKOS + "inScheme"), sch), key=lambda s: doc.label(s).lower())
        items = "".join(
            f'<li id="{e(str(c)[len(ns.LAT) :])}"><b>{e(doc.label(c))}</b> <code>{e(ns.compact(str(c)))}</code>: '
            f"{e(doc.text(c, SKOS + 'definition'))}</li>"
            for c in concepts
        )
        parts.append(
            f'<section class="scheme" id="{e(name)}"><h3>{e(doc.label(sch))}</h3>'
            f"<p>{e(doc.text(sch, SKOS + 'definition'))}</p><ul>{items}</ul></section>"
        )
    parts.append("</section>")
    deprecated = [
        s
        for kind in (OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty")
        for s in doc.of_type(kind)
        if doc.deprecated(s)
    ]
    policy = next((str(v) for v in doc.vals(o, SKOS + "note") if "deprecat" in str(v).lower()), "")
    parts.append(
        f'<section id="deprecated"><h2>Deprecated terms ({len(deprecated)})</h2><p>{e(policy)}</p>'
        + "".join(_term(doc, s) for s in deprecated)
        + "</section>"
    )
    parts.append(
        '<footer><p class="small">French and Spanish labels are the project\'s own translations; no native '
        "speaker has reviewed them yet.</p></footer></body></html>\n"
    )
    return "".join(parts)


def build_docs(out: Path | None = None) -> Path:
    """Write OUT/index.html; returns the path of the page."""
    from kg.fileio import write_atomic

    out = Path(out) if out else default_out()
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    write_atomic(page, render())
    return page


def register(subparsers) -> None:
    """Add `kg docs` to the command line."""
    p = subparsers.add_parser(
        "docs",
        help="build the ontology's HTML documentation into docs/build/",
        description="Build one HTML page documenting the ontology: its title, IRI, version and metadata, its modules, "
        "every class and property, each concept scheme in its own section, and the deprecated terms. The output "
        "(docs/build/index.html by default) is built, not committed.",
    )
    add_output(p, "output folder (default: docs/build/)", dest="out", type=Path, metavar="DIR")
    p.set_defaults(func=run)


def run(args) -> int:
    page = build_docs(args.out)
    print(f"wrote {page}", file=sys.stderr)
    return 0
