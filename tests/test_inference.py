"""Tests of the build's materialized inferences: closure, rules feeding each other, parallel = sequential."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import build as kb
from kg import namespaces as ns
from kg.inference import ANY_CLASS, P, T, materialize, rules, touched

EX = "http://example.org/inf#"
INFERRED = ox.NamedNode(ns.GRAPH_INFERRED)

# A schema where a rule late in the order feeds one that already ran: owl:inverseOf (after subproperty)
# produces ex:t, a subproperty of ex:u; the owl:hasValue class (after subclass) has a superclass.
SCHEMA = f"""
@prefix ex: <{EX}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:s owl:inverseOf ex:t . ex:t rdfs:subPropertyOf ex:u .
ex:C owl:equivalentClass [ owl:intersectionOf ( ex:Base [ owl:onProperty ex:p ; owl:hasValue ex:v ] ) ] .
ex:C rdfs:subClassOf ex:D . ex:D rdfs:subClassOf ex:E .
ex:Base rdfs:subClassOf ex:Thing .
ex:q rdfs:subPropertyOf ex:r . ex:r owl:inverseOf ex:rInv .
ex:near a owl:SymmetricProperty .
"""
DATA = f"""
@prefix ex: <{EX}> .
ex:a ex:s ex:b .
ex:x a ex:Base ; ex:p ex:v .
ex:y a ex:Base ; ex:p ex:w .
ex:m ex:q ex:n .
ex:k ex:near ex:l .
"""


def _store(*docs) -> ox.Store:
    store = ox.Store()
    for i, doc in enumerate(docs):
        store.load(doc.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(f"{EX}g{i}"))
    return store


def _has(store, s, p, o) -> bool:
    return bool(store.query(f"ASK {{ <{EX}{s}> <{p}> <{EX}{o}> }}", use_default_graph_as_union=True))


def _inferred(store) -> set:
    return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, INFERRED)}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rule_fed_after_it_ran_runs_again(workers):
    store = _store(SCHEMA, DATA)
    materialize(store, workers=workers)
    a = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert _has(store, "b", EX + "t", "a")  # inverse
    assert _has(store, "b", EX + "u", "a")  # subproperty of the inverse's output: a second run
    assert _has(store, "x", a, "C")  # owl:hasValue class
    assert _has(store, "x", a, "D") and _has(store, "x", a, "E")  # its superclasses: a second run
    assert _has(store, "x", a, "Thing")
    assert not _has(store, "y", a, "C")  # the other value does not qualify
    assert _has(store, "m", EX + "r", "n") and _has(store, "n", EX + "rInv", "m")
    assert _has(store, "l", EX + "near", "k")  # symmetric


def test_materialize_adds_nothing_the_data_states_and_is_idempotent():
    store = _store(SCHEMA, DATA + f"<{EX}b> <{EX}t> <{EX}a> .\n")
    first = materialize(store)
    assert (ox.NamedNode(EX + "b"), ox.NamedNode(EX + "t"), ox.NamedNode(EX + "a")) not in _inferred(store)
    again = materialize(store)
    assert again == first > 0


def test_parallel_and_sequential_runs_infer_the_same_triples(tmp_path):
    from kg.synth import synth

    data = tmp_path / "s.nt"
    synth(data, 20000, seed=3)
    results = []
    for workers in (1, 2):
        store = ox.Store()
        for src in kb.sources([data]):
            kb._load(store, src)
        n = materialize(store, workers=workers)
        results.append((n, _inferred(store)))
    assert results[0][0] == results[1][0] > 1000
    assert results[0][1] == results[1][1]


def test_rules_declare_what_they_read_and_write(built_store):
    table = rules(built_store)
    lat, org = ns.LAT, "http://www.w3.org/ns/org#"
    assert P(lat + "accountableTo") in table["accountable-to"].writes
    # lat:holdsToAccount owl:inverseOf lat:accountableTo: the inverse rule waits for the accountable-to rule
    assert touched(table["accountable-to"].writes, table["inverse"].reads)
    assert P(org + "memberOf") in table["member-of"].writes
    assert T(lat + "GovernmentNetwork") in table["subclass"].reads
    assert not touched(table["subproperty"].writes, table["accountable-to"].reads)


def test_touched_reads_the_records_of_one_rule_apart():
    from kg.rules import DERIVED_BY

    seat, other = ("d", EX + "rule/seat"), ("d", EX + "rule/other")
    assert touched({seat}, {seat, P(EX + "p")}) == {seat}
    assert touched({other}, {seat}) == set()  # another rule's records do not feed a reader of the seats'
    assert touched({other}, {DERIVED_BY}) == {DERIVED_BY}  # a reader of any rule's records is fed
    assert touched({DERIVED_BY}, {seat}) == {seat}


def test_small_outputs_feed_through_the_keys_they_hold():
    from kg.inference import keys_of
    from kg.rules import DERIVED_BY

    data = (
        f'<{EX}r> <{ns.RDF.type}> <{EX}C> .\n<{EX}r> <{DERIVED_BY[1]}> <{EX}rule/seat> .\n<{EX}r> <{EX}p> "1" .\n'
    ).encode()
    assert keys_of(data) == {T(EX + "C"), ("d", EX + "rule/seat"), P(EX + "p")}


def test_touched_treats_unknown_classes_as_any_class():
    assert touched({ANY_CLASS}, {T(EX + "A"), P(EX + "p")}) == {T(EX + "A")}
    assert touched({T(EX + "A")}, {ANY_CLASS}) == {ANY_CLASS}
    assert touched({P(EX + "p")}, {ANY_CLASS}) == set()


CLOSURE_GAPS = {
    "subclass": """SELECT ?s ?b WHERE { ?a rdfs:subClassOf+ ?b . FILTER(isIRI(?a) && isIRI(?b))
                   ?s a ?a . FILTER NOT EXISTS { ?s a ?b } } LIMIT 5""",
    "subproperty": """SELECT ?s ?b WHERE { ?a rdfs:subPropertyOf+ ?b . FILTER(isIRI(?a) && isIRI(?b) && ?a != ?b)
                      ?s ?a ?o . FILTER NOT EXISTS { ?s ?b ?o } } LIMIT 5""",
    "inverse": """SELECT ?s ?b WHERE { { ?a owl:inverseOf ?b } UNION { ?b owl:inverseOf ?a }
                  FILTER(isIRI(?a) && isIRI(?b)) ?s ?a ?o . FILTER(!isLiteral(?o)) FILTER NOT EXISTS { ?o ?b ?s } } LIMIT 5""",
}


@pytest.mark.parametrize("rule", sorted(CLOSURE_GAPS))
def test_built_dataset_is_closed_under_the_schema_rules(built_store, rule):
    rows = list(built_store.query(ns.sparql_prefixes() + CLOSURE_GAPS[rule], use_default_graph_as_union=True))
    assert rows == [], [(r[0], r[1]) for r in rows]


def test_closure_check_finds_a_gap_in_an_unmaterialized_graph():
    store = _store(SCHEMA, DATA)
    rows = list(store.query(ns.sparql_prefixes() + CLOSURE_GAPS["subclass"], use_default_graph_as_union=True))
    assert rows
