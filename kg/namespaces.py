"""The namespaces Lattice mints and reuses, and the SPARQL prologue that binds them."""

LAT = "https://w3id.org/lattice/ontology#"
LAT_ONTOLOGY = "https://w3id.org/lattice/ontology"
LAT_ID = "https://w3id.org/lattice/id/"
LAT_SRC = "https://w3id.org/lattice/source/"
LAT_SH = "https://w3id.org/lattice/shapes#"
LAT_G = "https://w3id.org/lattice/graph/"

PREFIXES = {
    "lat": LAT,
    "lat-id": LAT_ID,
    "lat-src": LAT_SRC,
    "lat-sh": LAT_SH,
    "lat-g": LAT_G,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "vann": "http://purl.org/vocab/vann/",
    "qb": "http://purl.org/linked-data/cube#",
    "sh": "http://www.w3.org/ns/shacl#",
}

GRAPH_ONTOLOGY = LAT_G + "ontology"
GRAPH_SHAPES = LAT_G + "shapes"
GRAPH_INFERRED = LAT_G + "inferred"


def curated_graph(stem: str) -> str:
    """The named graph that holds one curated file."""
    return f"{LAT_G}curated/{stem}"


def import_graph(name: str) -> str:
    """The named graph that holds one imported data set."""
    return f"{LAT_G}import/{name}"


def sparql_prefixes() -> str:
    """A SPARQL prologue declaring every Lattice prefix."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def compact(iri: str, strict: bool = False) -> str:
    """IRI as a prefixed name under the longest matching Lattice prefix, else unchanged.

    With STRICT, only when the local part is a plain name (letters, digits, _ . / -).
    """
    best = None
    for p, base in PREFIXES.items():
        if iri.startswith(base) and (best is None or len(base) > len(PREFIXES[best])):
            best = p
    if best is None:
        return iri
    rest = iri[len(PREFIXES[best]):]
    if strict:
        import re

        if not rest or not re.match(r"^[A-Za-z0-9_./-]+$", rest):
            return iri
    return f"{best}:{rest}"
