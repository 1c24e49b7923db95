"""The ontology's FAIR report (24 checks in the manner of FOOPS!) and its pitfall counts (in the manner of OOPS!)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg import namespaces as ns
from kg import paths, release

LAT = ns.LAT
DCT = ns.DCTERMS
OWL = ns.OWL
RDFS = ns.RDFS
RDF = ns.RDF
SKOS = ns.SKOS
VANN = ns.VANN
VS = "http://www.w3.org/2003/06/sw-vocab-status/ns#"
KNOWN_LICENCES = (
    "https://creativecommons.org/licenses/",
    "http://creativecommons.org/licenses/",
    "https://opensource.org/licenses/",
    "http://opendatacommons.org/licenses/",
)


@dataclass(frozen=True)
class Check:
    """One FAIR check and its outcome."""

    code: str
    title: str
    passed: bool
    detail: str


def _graph():
    return release.merged_graph()


def terms(g, kinds=("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty"), deprecated: bool = False):
    """The lat: terms of the given OWL kinds (deprecated ones only with DEPRECATED)."""
    from rdflib import RDF as R
    from rdflib import Literal, URIRef

    out = set()
    for k in kinds:
        for s in g.subjects(R.type, URIRef(OWL + k)):
            live = deprecated or (s, URIRef(OWL + "deprecated"), Literal(True)) not in g
            if isinstance(s, URIRef) and str(s).startswith(LAT) and live:
                out.add(s)
    return sorted(out)


def individuals(g):
    from rdflib import RDF as R
    from rdflib import URIRef

    return sorted(
        s
        for s in g.subjects(R.type, URIRef(OWL + "NamedIndividual"))
        if isinstance(s, URIRef) and str(s).startswith(LAT)
    )


def fair_checks() -> list[Check]:
    """The 24 checks, in order."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.compare import isomorphic

    g = _graph()
    o = URIRef(release.ONTOLOGY_IRI)

    def vals(p):
        return list(g.objects(o, URIRef(p)))

    def has(p):
        return bool(vals(p))

    out: list[Check] = []

    def add(code, title, passed, detail):
        out.append(Check(code, title, bool(passed), detail))

    # --- Findable
    add(
        "FIND1",
        "The ontology IRI is persistent (w3id.org) and served over an open protocol (https)",
        str(o).startswith("https://w3id.org/"),
        str(o),
    )
    viri = vals(OWL + "versionIRI")
    add(
        "FIND2",
        "A version IRI, distinct from the ontology IRI and naming the version",
        len(viri) == 1 and str(viri[0]) == release.version_iri(),
        ", ".join(map(str, viri)) or "none",
    )
    uri = vals(VANN + "preferredNamespaceUri")
    add(
        "FIND3",
        "A preferred prefix and namespace (VANN), the namespace the terms use",
        has(VANN + "preferredNamespacePrefix") and uri and str(uri[0]) == LAT,
        ", ".join(map(str, vals(VANN + "preferredNamespacePrefix") + uri)) or "none",
    )
    add(
        "FIND4",
        "A title and a description",
        has(DCT + "title") and has(DCT + "description"),
        "dcterms:title, dcterms:description",
    )
    add("FIND5", "Keywords (dcterms:subject)", has(DCT + "subject"), f"{len(vals(DCT + 'subject'))} keywords")
    add(
        "FIND6",
        "Listed in a public ontology registry (LOV, BioPortal, ...)",
        False,
        "not registered: registration needs the w3id redirect live (docs/w3id.md)",
    )
    # --- Accessible
    try:
        arts = {f: release.artefact("/ontology", fmt=f) for f in release.FORMATS}
        ok = all(a is not None for a in arts.values())
    except (LookupError, ValueError):
        arts, ok = {}, False
    add(
        "ACC1",
        "The ontology IRI returns the ontology (release artefact for /ontology)",
        ok,
        f"release {release.version()} in ontology/releases/",
    )
    same = False
    if ok:
        graphs = []
        for f, a in arts.items():
            gg = Graph()
            gg.parse(
                data=a.body.decode("utf-8"), format={"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "nt": "nt"}[f]
            )
            graphs.append(gg)
        same = all(isomorphic(graphs[0], x) for x in graphs[1:])
    add(
        "ACC2",
        "Content negotiation: Turtle, RDF/XML, JSON-LD and N-Triples, all the same graph",
        same,
        ", ".join(a.media_type for a in arts.values()) if arts else "no artefacts",
    )
    try:
        versioned = release.artefact(f"/ontology/{release.version()}", fmt="ttl") is not None
    except LookupError:
        versioned = False
    add("ACC3", "The version IRI returns that version", versioned, release.version_iri())
    # --- Interoperable
    add(
        "INT1",
        "Metadata in standard vocabularies (DCTERMS, VANN, OWL)",
        has(DCT + "license") and has(OWL + "versionInfo"),
        "dcterms, vann, owl",
    )
    ext = sum(
        1
        for s, p, x in g.triples((None, URIRef(RDFS + "subClassOf"), None))
        if str(s).startswith(LAT) and isinstance(x, URIRef) and not str(x).startswith(LAT)
    )
    add("INT2", "Terms are aligned to published vocabularies", ext >= 10, f"{ext} subclass links to external classes")
    lat_terms = terms(g)
    defined = [t for t in lat_terms if (t, URIRef(RDFS + "isDefinedBy"), o) in g]
    add(
        "INT3",
        "Every term says which ontology defines it (rdfs:isDefinedBy)",
        len(defined) == len(lat_terms),
        f"{len(defined)}/{len(lat_terms)}",
    )
    # --- Reusable
    lic = vals(DCT + "license")
    add("REU1", "A licence (dcterms:license)", bool(lic), ", ".join(map(str, lic)) or "none")
    add(
        "REU2",
        "The licence is a known, resolvable licence IRI",
        any(str(x).startswith(KNOWN_LICENCES) for x in lic),
        ", ".join(map(str, lic)) or "none",
    )
    add(
        "REU3",
        "Creators and contributors",
        has(DCT + "creator") and has(DCT + "contributor"),
        "dcterms:creator, dcterms:contributor",
    )
    add("REU4", "A publisher", has(DCT + "publisher"), ", ".join(map(str, vals(DCT + "publisher"))) or "none")
    add(
        "REU5",
        "Dates created, issued and modified",
        all(has(DCT + p) for p in ("created", "issued", "modified")),
        "dcterms:created, issued, modified",
    )
    cit = [str(x) for x in vals(DCT + "bibliographicCitation")]
    cff = paths.PACKAGE_DIR.parent / "CITATION.cff"
    cff_ok = (
        cff.is_file()
        and re.search(
            rf"^version:\s*\"?{re.escape(release.version())}\"?\s*$", cff.read_text(encoding="utf-8"), re.MULTILINE
        )
        is not None
    )
    add(
        "REU6",
        "A citation (dcterms:bibliographicCitation) for this version, and CITATION.cff",
        any(release.version() in c for c in cit) and (cff_ok or not (paths.PACKAGE_DIR.parent / "ontology").is_dir()),
        "CITATION.cff " + ("matches" if cff_ok else "missing or of another version"),
    )
    add(
        "REU7",
        "Version info, prior version and a change log",
        has(OWL + "versionInfo") and has(OWL + "priorVersion") and (has(VANN + "changes") or has(SKOS + "historyNote")),
        "owl:versionInfo, owl:priorVersion, vann:changes, skos:historyNote",
    )
    add("REU8", "A deprecation policy", any("deprecat" in str(x).lower() for x in vals(SKOS + "note")), "skos:note")
    labelled = [
        t for t in lat_terms if any(getattr(x, "language", None) == "en" for x in g.objects(t, URIRef(RDFS + "label")))
    ]
    described = [
        t for t in lat_terms if (t, URIRef(RDFS + "comment"), None) in g and (t, URIRef(SKOS + "definition"), None) in g
    ]
    add(
        "REU9",
        "Every term has an English label, a definition and a comment",
        len(labelled) == len(described) == len(lat_terms),
        f"labels {len(labelled)}, definitions+comments {len(described)} of {len(lat_terms)}",
    )
    status = [t for t in terms(g, deprecated=True) if (t, URIRef(VS + "term_status"), None) in g]
    all_terms = terms(g, deprecated=True)
    dep = [t for t in all_terms if (t, URIRef(OWL + "deprecated"), Literal(True)) in g]
    dep_ok = all((t, URIRef(DCT + "isReplacedBy"), None) in g for t in dep)
    add(
        "REU10",
        "Every term has a status; every deprecated term names its replacement",
        len(status) == len(all_terms) and dep_ok,
        f"status {len(status)}/{len(all_terms)}, {len(dep)} deprecated",
    )
    classes = terms(g, ("Class",))
    examples = [t for t in classes if (t, URIRef(SKOS + "example"), None) in g]
    add(
        "REU11",
        "Every class has an example (skos:example)",
        len(examples) == len(classes),
        f"{len(examples)}/{len(classes)}",
    )
    langs = {getattr(x, "language", None) for t in lat_terms for x in g.objects(t, URIRef(RDFS + "label"))}
    main = terms(g, ("Class", "ObjectProperty", "DatatypeProperty"))
    tri = [
        t for t in main if {"fr", "es"} <= {getattr(x, "language", None) for x in g.objects(t, URIRef(RDFS + "label"))}
    ]
    add(
        "REU12",
        "Labels in more than one language (French and Spanish for every class and property)",
        len(tri) == len(main) and {"en", "fr", "es"} <= langs,
        f"{len(tri)}/{len(main)} in en, fr, es",
    )
    return out


def _count_kinds(g, t):
    from rdflib import RDF as R

    return {str(k)[len(OWL) :] for k in g.objects(t, R.type) if str(k).startswith(OWL)}


def pitfalls() -> dict[str, list[str]]:
    """OOPS!-style pitfalls, each with the terms concerned (see docs/ontology.md for why the remaining ones stay)."""
    from rdflib import RDF as R
    from rdflib import URIRef

    g = _graph()
    c = ns.compact
    live = terms(g)
    out: dict[str, list[str]] = {}
    out["P08 term without rdfs:comment"] = [
        c(str(t)) for t in live + individuals(g) if (t, URIRef(RDFS + "comment"), None) not in g
    ]
    props = terms(g, ("ObjectProperty", "DatatypeProperty"))
    out["P11 property without domain or range"] = [
        c(str(p))
        for p in props
        if (p, URIRef(RDFS + "domain"), None) not in g or (p, URIRef(RDFS + "range"), None) not in g
    ]
    objp = terms(g, ("ObjectProperty",))
    out["P13 object property without declared inverse"] = [
        c(str(p))
        for p in objp
        if (p, URIRef(OWL + "inverseOf"), None) not in g
        and (None, URIRef(OWL + "inverseOf"), p) not in g
        and (p, R.type, URIRef(OWL + "SymmetricProperty")) not in g
    ]
    by_case: dict[str, list[str]] = {}
    for t in live:
        by_case.setdefault(str(t).lower(), []).append(c(str(t)))
    out["IRIs that differ only by letter case"] = sorted("/".join(sorted(v)) for v in by_case.values() if len(v) > 1)
    ext_labels: dict[str, str] = {}
    for s in g.subjects(R.type, URIRef(OWL + "Class")):
        if isinstance(s, URIRef) and not str(s).startswith(LAT):
            for lab in g.objects(s, URIRef(RDFS + "label")):
                ext_labels[str(lab).lower()] = c(str(s))
    out["P30-like class with the label of an external class"] = [
        f"{c(str(t))} ~ {ext_labels[str(lab).lower()]}"
        for t in terms(g, ("Class",))
        for lab in g.objects(t, URIRef(RDFS + "label"))
        if getattr(lab, "language", None) == "en" and str(lab).lower() in ext_labels
    ]
    out["P19 property with several domains or ranges"] = [
        c(str(p))
        for p in props
        if len(list(g.objects(p, URIRef(RDFS + "domain")))) > 1 or len(list(g.objects(p, URIRef(RDFS + "range")))) > 1
    ]
    return out


def fair_report() -> str:
    checks = fair_checks()
    lines = [f"{'PASS' if x.passed else 'FAIL'}  {x.code:6} {x.title} ({x.detail})" for x in checks]
    lines.append(f"{sum(x.passed for x in checks)} of {len(checks)} FAIR checks pass")
    return "\n".join(lines)


def pitfall_report() -> str:
    lines = []
    for name, items in pitfalls().items():
        lines.append(f"{len(items):4}  {name}" + (": " + ", ".join(items) if items else ""))
    return "\n".join(lines)
