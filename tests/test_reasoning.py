"""HermiT (through owlready2) on the ontology alone and with the curated graph: consistent, no unsatisfiable class."""

from __future__ import annotations

import pytest

from kg import paths
from kg.reason import java_available, prepare, reason
from tests.support import need_system

PREFIXES = """
@prefix lat: <https://w3id.org/lattice/ontology#> .
@prefix lat-id: <https://w3id.org/lattice/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""

# A class below both of two disjoint classes: HermiT must call it unsatisfiable.
UNSATISFIABLE = (
    PREFIXES
    + """
lat:HorizontalAndVerticalNetwork a owl:Class ;
    rdfs:subClassOf lat:HorizontalNetwork, lat:VerticalNetwork ;
    rdfs:label "horizontal and vertical network"@en ;
    skos:definition "A class that cannot have members, used to test the reasoner."@en ;
    rdfs:isDefinedBy <https://w3id.org/lattice/ontology> .
"""
)

# A state that is also an NGO: the two classes are disjoint, so the data is inconsistent.
INCONSISTENT = (
    PREFIXES
    + """
<https://w3id.org/lattice/id/state/XXX> a lat:State, lat:NGO ; lat:foundingDate "1990-01-01"^^xsd:date .
"""
)


def _need_java():
    need_system(java_available(), "Java (for the HermiT reasoner)")


def test_prepare_rewrites_dates_and_drops_imports_and_reification(tmp_path):
    src = tmp_path / "in.ttl"
    src.write_text(
        PREFIXES
        + """
<urn:o> a owl:Ontology ; owl:imports <urn:other> .
lat-id:x lat:startDate "2001-05-02"^^xsd:date ; lat:endDate "2009"^^xsd:gYear .
[] a rdf:Statement ; rdf:subject lat-id:x ; rdf:predicate lat:startDate ; rdf:object "2001-05-02"^^xsd:date ;
   dcterms:source <urn:src> .
""",
        encoding="utf-8",
    )
    out = tmp_path / "out.nt"
    n = prepare([src], out)
    text = out.read_text(encoding="utf-8")
    assert n == len(text.strip().splitlines()) == 3
    assert '"2001-05-02T00:00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>' in text
    assert "XMLSchema#date>" not in text and "gYear" not in text
    assert "owl#imports" not in text and "rdf-syntax-ns#Statement" not in text


@pytest.mark.slow
def test_ontology_alone_is_consistent_without_unsatisfiable_classes(record_property):
    _need_java()
    result = reason(method="owlready2")
    record_property("hermit_ontology", result.summary())
    print(result.summary())
    assert result.consistent, result.message
    assert result.unsatisfiable == []
    assert result.triples > 1000


@pytest.mark.slow
def test_ontology_with_curated_graph_is_consistent(record_property):
    _need_java()
    assert list(paths.DATA_DIR.glob("*.ttl")), "the curated graph (kg/data/*.ttl) is there"
    result = reason(with_data=True, method="cli")
    record_property("hermit_with_data", result.summary())
    print(result.summary())
    assert result.consistent, result.message
    assert result.unsatisfiable == []


@pytest.mark.slow
def test_reasoner_reports_unsatisfiable_class_through_cli(run_kg, tmp_path):
    _need_java()
    bad = tmp_path / "unsatisfiable.ttl"
    bad.write_text(UNSATISFIABLE, encoding="utf-8")
    result = run_kg("check", "--reason", bad)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "reason: ERROR: https://w3id.org/lattice/ontology#HorizontalAndVerticalNetwork is unsatisfiable"
        in result.stdout
    )
    assert "HermiT: consistent, 1 unsatisfiable class" in result.stdout


@pytest.mark.slow
def test_reasoner_reports_inconsistent_data(tmp_path):
    _need_java()
    bad = tmp_path / "inconsistent.ttl"
    bad.write_text(INCONSISTENT, encoding="utf-8")
    result = reason(files=[bad], method="cli")
    assert not result.consistent
    assert not result.ok
