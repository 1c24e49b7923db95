"""The inferences the build materializes into lat-g:inferred, so that queries need no reasoner.

Schema rules (RDFS subclass and subproperty closure, inverse and symmetric properties) read the schema once
and walk the matching triples directly; record rules (accountability and membership shortcuts, OWL-Time
intervals, classes defined by owl:hasValue) are SPARQL CONSTRUCTs over the union of all graphs. Rules run in
an order that lets one pass do nearly all the work; afterwards a rule runs again only when a later rule
added triples with a predicate it reads, until nothing new appears.
"""

from __future__ import annotations

from kg import namespaces as ns

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LAT = ns.LAT
ORG = "http://www.w3.org/ns/org#"

# Record rules: name -> (CONSTRUCT query, predicates it reads). Each filters out what is already known.
RECORD_RULES = {
    "accountable-to": ("""CONSTRUCT { ?a lat:accountableTo ?f } WHERE {
        ?r lat:accountableActor ?a ; lat:forum ?f . FILTER NOT EXISTS { ?a lat:accountableTo ?f } }""",
                       {LAT + "accountableActor", LAT + "forum"}),
    "member-of": ("""CONSTRUCT { ?m lat:memberOf ?o . ?m org:memberOf ?o . ?o org:hasMember ?m }
        WHERE { ?x org:member ?m ; org:organization ?o .
                FILTER NOT EXISTS { ?m lat:memberOf ?o . ?m org:memberOf ?o . ?o org:hasMember ?m } }""",
                  {ORG + "member", ORG + "organization"}),
    "member-during": ("""CONSTRUCT {
            ?x org:memberDuring ?i . ?i a time:Interval ; time:hasBeginning ?b ; time:hasEnd ?e .
            ?b a time:Instant ; time:inXSDDate ?start . ?e a time:Instant ; time:inXSDDate ?end }
        WHERE { ?x org:member ?m ; lat:startDate ?start . FILTER(isIRI(?x))
            FILTER NOT EXISTS { ?x org:memberDuring ?any }
            OPTIONAL { ?x lat:endDate ?end }
            BIND(IRI(CONCAT(STR(?x), "/interval")) AS ?i)
            BIND(IRI(CONCAT(STR(?x), "/interval/start")) AS ?b)
            BIND(IF(BOUND(?end), IRI(CONCAT(STR(?x), "/interval/end")), ?unbound) AS ?e) }""",
                      {ORG + "member", LAT + "startDate", LAT + "endDate"}),
    "has-value-class": ("""CONSTRUCT { ?x a ?c } WHERE {
        ?c owl:equivalentClass ?e . FILTER(isIRI(?c))
        ?e owl:intersectionOf ?list .
        ?list rdf:rest*/rdf:first ?r . ?r owl:onProperty ?p ; owl:hasValue ?v .
        ?x ?p ?v .
        FILTER NOT EXISTS { ?x a ?c }
        FILTER NOT EXISTS { ?list rdf:rest*/rdf:first ?k . FILTER(isIRI(?k)) FILTER NOT EXISTS { ?x a ?k } }
        FILTER NOT EXISTS { ?list rdf:rest*/rdf:first ?r2 . ?r2 owl:onProperty ?p2 ; owl:hasValue ?v2 .
                            FILTER NOT EXISTS { ?x ?p2 ?v2 } } }""", None),  # reads: rdf:type + restricted properties
}

ORDER = ["accountable-to", "member-of", "member-during", "subproperty", "inverse", "symmetric", "subclass",
         "has-value-class"]

SCHEMA_QUERIES = {
    "subproperty": "SELECT ?a ?b WHERE { ?a rdfs:subPropertyOf+ ?b . FILTER(isIRI(?a) && isIRI(?b) && ?a != ?b) }",
    "inverse": """SELECT ?a ?b WHERE { { ?a owl:inverseOf ?b } UNION { ?b owl:inverseOf ?a }
                  FILTER(isIRI(?a) && isIRI(?b)) }""",
    "symmetric": "SELECT ?a ?a2 WHERE { ?a a owl:SymmetricProperty . FILTER(isIRI(?a)) BIND(?a AS ?a2) }",
    "subclass": "SELECT ?a ?b WHERE { ?a rdfs:subClassOf+ ?b . FILTER(isIRI(?a) && isIRI(?b) && ?a != ?b) }",
    "has-value-inputs": "SELECT DISTINCT ?a ?a2 WHERE { ?r owl:hasValue ?v ; owl:onProperty ?a . BIND(?a AS ?a2) }",
}


def _pairs(store, query: str) -> dict:
    prologue = ns.sparql_prefixes()
    out: dict = {}
    for row in store.query(prologue + query, use_default_graph_as_union=True):
        out.setdefault(row[0], set()).add(row[1])
    return out


SCHEMA_RULES = {
    "subproperty": "CONSTRUCT { ?s ?b ?o } WHERE { VALUES (?a ?b) { __PAIRS__ } ?s ?a ?o . FILTER NOT EXISTS { ?s ?b ?o } }",
    "inverse": """CONSTRUCT { ?o ?b ?s } WHERE { VALUES (?a ?b) { __PAIRS__ } ?s ?a ?o . FILTER(!isLiteral(?o))
                  FILTER NOT EXISTS { ?o ?b ?s } }""",
    "symmetric": """CONSTRUCT { ?o ?b ?s } WHERE { VALUES (?a ?b) { __PAIRS__ } ?s ?a ?o . FILTER(!isLiteral(?o))
                    FILTER NOT EXISTS { ?o ?b ?s } }""",
    "subclass": "CONSTRUCT { ?s a ?b } WHERE { VALUES (?a ?b) { __PAIRS__ } ?s a ?a . FILTER NOT EXISTS { ?s a ?b } }",
}


def _schema_query(name: str, pairs: dict) -> str | None:
    """The CONSTRUCT of a schema rule with its (property or class) pairs inlined as VALUES; None when empty."""
    rows = " ".join(f"({a} {b})" for a, targets in pairs.items() for b in targets)
    return SCHEMA_RULES[name].replace("__PAIRS__", rows) if rows else None


def materialize(store, max_passes: int = 8) -> int:
    """Add the inferences to STORE's lat-g:inferred graph; returns how many triples were added."""
    import pyoxigraph as ox

    inferred = ox.NamedNode(ns.GRAPH_INFERRED)
    prologue = ns.sparql_prefixes()
    schema = {name: _pairs(store, q) for name, q in SCHEMA_QUERIES.items()}
    reads = {name: {p.value for p in schema[name]} for name in ("subproperty", "inverse", "symmetric")}
    reads["subclass"] = {RDF_TYPE}
    reads["has-value-class"] = {RDF_TYPE} | {p.value for p in schema["has-value-inputs"]}
    for name, (_query, preds) in RECORD_RULES.items():
        if preds is not None:
            reads[name] = preds
    pending = {name: None for name in ORDER}  # None: never run yet
    added = 0
    for _ in range(max_passes):
        ran = False
        for name in ORDER:
            if pending[name] is not None and not (pending[name] & reads[name]):
                continue
            ran = True
            pending[name] = set()
            query = RECORD_RULES[name][0] if name in RECORD_RULES else _schema_query(name, schema[name])
            if query is None:
                continue
            # results go from the query engine to the store as N-Triples, never through Python objects;
            # every rule filters out what any graph already states, and the graph itself is a set
            data = store.query(prologue + query, use_default_graph_as_union=True).serialize(
                format=ox.RdfFormat.N_TRIPLES)
            if not data:
                continue
            before = len(store)
            store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=inferred)
            new = len(store) - before
            if not new:
                continue
            added += new
            new_preds = {line.split(b" ", 2)[1][1:-1].decode() for line in data.splitlines() if line}
            for other in ORDER:  # a rule's own output is already closed (the schema pairs are transitive)
                if other != name and pending[other] is not None:
                    pending[other] |= new_preds
        if not ran:
            break
    return added
