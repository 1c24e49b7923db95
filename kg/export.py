"""`kg export`: the merged ontology (all modules and local external declarations in one graph) as Turtle, JSON-LD, RDF/XML or N-Triples."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kg import namespaces as ns
from kg import paths
from kg.cliopts import add_format, add_output
from kg.errors import InputError, UsageError
from kg.fileio import write_atomic

ONTOLOGY_IRI = ns.LAT_ONTOLOGY
FORMATS = {
    "ttl": ("turtle", ".ttl"),
    "jsonld": ("json-ld", ".jsonld"),
    "xml": ("xml", ".rdf"),
    "nt": ("nt", ".nt"),
}


def module_files(external: bool = True) -> list[Path]:
    """The files merged into the exported ontology: every module, and the external declarations."""
    files = sorted(paths.ONTOLOGY_DIR.glob("*.ttl"))
    if external:
        files += sorted((paths.ONTOLOGY_DIR / "external").glob("*.ttl"))
    return files


def merged_graph(external: bool = True):
    """One rdflib Graph holding the whole ontology under a single owl:Ontology header.

    The module headers (their owl:Ontology nodes and annotations) and the owl:imports between them are
    dropped, because their content is merged in; the main header <https://w3id.org/lattice/ontology> stays.
    Such a file opens in Protégé without trying to fetch any import.
    """
    import rdflib
    from rdflib.namespace import OWL, RDF

    g = rdflib.Graph()
    for f in module_files(external):
        try:
            g.parse(f, format="turtle")
        except Exception as err:  # rdflib raises several parser exception types
            raise InputError(f"cannot parse: {err}", path=f) from None
    main = rdflib.URIRef(ONTOLOGY_IRI)
    for onto in list(g.subjects(RDF.type, OWL.Ontology)):
        if onto != main:
            g.remove((onto, None, None))
    g.remove((None, OWL.imports, None))
    for prefix, iri in ns.PREFIXES.items():
        g.bind(prefix, rdflib.Namespace(iri), override=True, replace=True)
    g.bind("wd", rdflib.Namespace("http://www.wikidata.org/entity/"), override=True)
    return g


def jsonld_context() -> dict:
    """The JSON-LD @context of the export: Lattice's prefixes."""
    ctx = dict(ns.PREFIXES)
    ctx["wd"] = "http://www.wikidata.org/entity/"
    return ctx


def serialize(fmt: str, external: bool = True) -> str:
    """The merged ontology as text in FMT (ttl, jsonld, xml or nt)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    g = merged_graph(external)
    rdflib_format = FORMATS[fmt][0]
    if fmt == "jsonld":
        data = json.loads(g.serialize(format="json-ld", context=jsonld_context(), auto_compact=True))
        return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    return g.serialize(format=rdflib_format)


def register(subparsers) -> None:
    """Add `kg export` to the command line."""
    p = subparsers.add_parser(
        "export",
        help="write the merged ontology as Turtle, JSON-LD, RDF/XML or N-Triples",
        description="Write the whole ontology — every module and the local declarations of the external vocabularies "
        "it reuses — as one graph under one owl:Ontology header. RDF/XML (--format xml) opens in Protégé; "
        "JSON-LD carries an @context with Lattice's prefixes.",
    )
    add_format(p, sorted(FORMATS), "ttl", "output format (default: ttl)")
    add_output(p, "file to write (default: standard output)", dest="out", type=Path, metavar="FILE")
    p.add_argument(
        "--no-external", action="store_true", help="leave out the local declarations of external vocabularies"
    )
    p.set_defaults(func=run)


def run(args) -> int:
    text = serialize(args.format, external=not args.no_external)
    if args.out:
        write_atomic(args.out, text)
        print(f"wrote {args.out} ({args.format})", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
