"""What an entity page shows, gathered by bounded SPARQL queries with the IRI bound as a term, never spliced."""

from __future__ import annotations

from itertools import islice

from kg import namespaces as ns

MAX_RELATIONS = 400  # accountability relations per direction shown on a page
MAX_SPELLS = 2000  # membership and participation records read for a page
MAX_FACTS = 2000  # other outgoing statements
MAX_INCOMING = 1000  # incoming statements sampled
MAX_LABELS = 6000  # IRIs whose labels a page looks up

LABEL_PROPERTIES: tuple[str, ...] = (ns.RDFS.label, ns.SKOS.prefLabel, ns.FOAF.name, str(ns.DCTERMS.title))
DESCRIPTION_PROPERTIES = (ns.SKOS.definition, ns.DCTERMS.description, ns.RDFS.comment)
SHOWN_ELSEWHERE = {ns.RDF.type, ns.DCTERMS.source, ns.SKOS.altLabel, *LABEL_PROPERTIES, *DESCRIPTION_PROPERTIES}

TYPES = """SELECT DISTINCT ?this ?kind WHERE { GRAPH ?g { ?this a ?kind } FILTER(?g != lat-g:inferred && isIRI(?kind)) }
LIMIT 50"""

SOURCES = """SELECT ?this ?src ?quote ?locator ?doc ?citation WHERE {
  ?this dcterms:source ?src .
  OPTIONAL { ?src lat:quote ?quote }
  OPTIONAL { ?src lat:locator ?locator }
  OPTIONAL { ?src lat:document ?doc }
  OPTIONAL { ?src dcterms:bibliographicCitation ?c1 }
  OPTIONAL { ?src lat:document/dcterms:bibliographicCitation ?c2 }
  BIND(COALESCE(?c2, ?c1) AS ?citation)
} LIMIT 50"""

FACT_SOURCES = """SELECT ?this ?p ?o ?src WHERE {
  ?st rdf:subject ?this ; rdf:predicate ?p ; rdf:object ?o ; dcterms:source ?src .
} LIMIT 500"""

RELATIONS = """SELECT ?this ?rel ?other ?mech ?dir ?instrument ?basis ?rule ?start ?end ?status ?observed ?note
  (GROUP_CONCAT(DISTINCT STR(?src); separator=" ") AS ?sources)
  (GROUP_CONCAT(DISTINCT STR(?premise); separator=" ") AS ?premises)
WHERE {
  { SELECT ?this ?rel ?other WHERE { ?rel lat:%s ?this ; lat:%s ?other . } LIMIT %d }
  OPTIONAL { ?rel lat:mechanism ?mech }
  OPTIONAL { ?rel lat:direction ?dir }
  OPTIONAL { ?rel lat:basis ?instrument }
  OPTIONAL { ?rel lat:derivation ?basis }
  OPTIONAL { ?rel lat:derivedBy ?rule }
  OPTIONAL { ?rel lat:startDate ?start }
  OPTIONAL { ?rel lat:endDate ?end }
  OPTIONAL { ?rel lat:intervalStatus ?status }
  OPTIONAL { ?rel lat:observedUntil ?observed }
  OPTIONAL { ?rel lat:interpretationNote ?note }
  OPTIONAL { ?rel dcterms:source ?src }
  OPTIONAL { ?rel prov:wasDerivedFrom ?premise }
} GROUP BY ?this ?rel ?other ?mech ?dir ?instrument ?basis ?rule ?start ?end ?status ?observed ?note"""

SPELLS = """SELECT ?this ?rec ?role ?other ?start ?end ?status ?src ?srckind ?coverage ?rule WHERE {
  { SELECT ?this ?rec ?role ?other WHERE {
      { ?rec org:organization ?this ; org:member ?other . BIND("members" AS ?role) }
      UNION { ?rec org:member ?this ; org:organization ?other . BIND("member of" AS ?role) }
      UNION { ?rec lat:treaty ?this ; lat:party ?other . BIND("parties" AS ?role) }
      UNION { ?rec lat:party ?this ; lat:treaty ?other . BIND("party to" AS ?role) }
    } LIMIT MAXSPELLS }
  OPTIONAL { ?rec lat:startDate ?start }
  OPTIONAL { ?rec lat:endDate ?end }
  OPTIONAL { ?rec lat:membershipStatus ?status }
  OPTIONAL { ?rec lat:derivedBy ?rule }
  OPTIONAL { ?rec dcterms:source ?src .
             OPTIONAL { ?src a ?srckind . FILTER(?srckind IN (lat:Dataset, lat:SourcePassage)) }
             OPTIONAL { ?src lat:coverageEnd ?coverage } }
}""".replace("MAXSPELLS", str(MAX_SPELLS))


def _q(store, text: str, iri: str) -> list:
    import pyoxigraph as ox

    res = store.query(
        text,
        prefixes=ns.PREFIXES,
        use_default_graph_as_union=True,
        substitutions={ox.Variable("this"): ox.NamedNode(iri)},
    )
    names = [v.value for v in res.variables]
    return [{n: sol[n] for n in names if n != "this" and sol[n] is not None} for sol in res]


def _v(row: dict, key: str) -> str | None:
    t = row.get(key)
    return t.value if t is not None else None


def labels(store, iris) -> dict[str, str]:
    """The English (else any) label of each IRI that has one, looked up by quad pattern."""
    import pyoxigraph as ox

    out: dict[str, str] = {}
    for iri in islice(dict.fromkeys(iris), MAX_LABELS):
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            continue
        best = None
        for prop in LABEL_PROPERTIES:
            for q in islice(store.quads_for_pattern(node, ox.NamedNode(prop), None, None), 20):
                o = q.object
                if isinstance(o, ox.Literal) and (best is None or (o.language or "").startswith("en")):
                    best = o.value
                    if (o.language or "en").startswith("en"):
                        break
            if best is not None:
                break
        if best is None:
            quote = next(islice(store.quads_for_pattern(node, ox.NamedNode(ns.LAT.quote), None, None), 1), None)
            if quote is not None and isinstance(quote.object, ox.Literal):
                text = quote.object.value
                best = "“" + (text if len(text) <= 70 else text[:67].rstrip() + "…") + "”"
        if best is not None:
            out[iri] = best
    return out


def gather(store, iri: str) -> dict | None:
    """Everything the page of IRI shows, or None when the graph says nothing about it."""
    import pyoxigraph as ox

    node = ox.NamedNode(iri)  # ValueError when IRI is not an IRI
    out_quads = list(islice(store.quads_for_pattern(node, None, None, None), MAX_FACTS))
    incoming = list(islice(store.quads_for_pattern(None, None, node, None), MAX_INCOMING))
    if not out_quads and not incoming:
        return None
    names: dict[str, list] = {}
    descriptions: dict[str, list] = {}
    facts: dict[str, list] = {}
    seen: set = set()
    for q in out_quads:
        p, o = q.predicate.value, q.object
        if (p, o) in seen:
            continue
        seen.add((p, o))
        if p in LABEL_PROPERTIES or p == ns.SKOS.altLabel:
            if isinstance(o, ox.Literal):
                names.setdefault(p, []).append((o.value, o.language or ""))
        elif p in DESCRIPTION_PROPERTIES:
            if isinstance(o, ox.Literal):
                descriptions.setdefault(p, []).append((o.value, o.language or ""))
        elif p not in SHOWN_ELSEWHERE:
            facts.setdefault(p, []).append(o)
    back: dict[str, list] = {}
    for q in incoming:
        if isinstance(q.subject, ox.NamedNode) and q.subject.value not in back.get(q.predicate.value, ()):
            back.setdefault(q.predicate.value, []).append(q.subject.value)
    page: dict = {
        "iri": iri,
        "names": names,
        "descriptions": descriptions,
        "facts": facts,
        "incoming": back,
        "incoming_capped": len(incoming) >= MAX_INCOMING,
        "facts_capped": len(out_quads) >= MAX_FACTS,
        "kinds": [_v(r, "kind") for r in _q(store, TYPES, iri)],
        "sources": _q(store, SOURCES, iri),
        "fact_sources": _q(store, FACT_SOURCES, iri),
        "answers_to": _q(store, RELATIONS % ("accountableActor", "forum", MAX_RELATIONS + 1), iri),
        "holds_to_account": _q(store, RELATIONS % ("forum", "accountableActor", MAX_RELATIONS + 1), iri),
        "spells": _q(store, SPELLS, iri),
    }
    wanted: list[str] = [*page["kinds"], *facts.keys(), *back.keys()]
    for objs in facts.values():
        wanted.extend(o.value for o in objs if isinstance(o, ox.NamedNode))
    for key in ("answers_to", "holds_to_account", "spells", "sources", "fact_sources"):
        for row in page[key]:
            wanted.extend(t.value for t in row.values() if isinstance(t, ox.NamedNode))
            for many in ("sources", "premises"):
                if many in row:
                    wanted.extend(row[many].value.split()[:5])
    for objs in back.values():
        wanted.extend(objs[:20])
    page["labels"] = labels(store, wanted)
    return page
