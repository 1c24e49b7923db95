"""The FAIR report, the pitfall counts, the translations and the term documentation of the ontology."""

from __future__ import annotations

import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from kg import __version__, paths, quality
from kg.release import merged_graph

LAT = "https://w3id.org/lattice/ontology#"


def test_fair_report_passes_at_least_22_of_24_and_says_which_fail():
    checks = quality.fair_checks()
    assert len(checks) == 24 and len({c.code for c in checks}) == 24
    failed = {c.code for c in checks if not c.passed}
    assert len(checks) - len(failed) >= 22
    assert failed <= {"FIND6"}  # not in a public registry yet (docs/ontology.md)


def test_kg_check_fair_prints_the_report(run_kg):
    r = run_kg("check", "--fair")
    assert r.returncode == 0, r.stderr
    assert "of 24 FAIR checks pass" in r.stdout


def test_pitfalls_are_zero_or_the_justified_ones():
    p = quality.pitfalls()
    assert p["P08 term without rdfs:comment"] == []
    assert p["P19 property with several domains or ranges"] == []
    # the one case clash left is in the accountability module, whose record terms are being reworked
    assert set(p["IRIs that differ only by letter case"]) <= {"lat:Derivation/lat:derivation"}
    assert len(p["P30-like class with the label of an external class"]) <= 3
    g = merged_graph()
    # a property left without a domain says why in its comment (docs/ontology.md, Pitfalls)
    for name in p["P11 property without domain or range"]:
        t = rdflib.URIRef(LAT + name.removeprefix("lat:"))
        if (t, RDFS.domain, None) not in g:
            assert "no domain is declared" in str(g.value(t, RDFS.comment)), name


def test_the_pitfall_scan_can_find_a_case_clash(monkeypatch):
    g = merged_graph()
    g.add((rdflib.URIRef(LAT + "state"), RDF.type, OWL.ObjectProperty))
    monkeypatch.setattr(quality, "_graph", lambda: g)
    assert "lat:State/lat:state" in quality.pitfalls()["IRIs that differ only by letter case"]


def test_every_class_and_property_has_french_and_spanish_labels_and_classes_an_example():
    g = merged_graph()
    live = quality.terms(g, ("Class", "ObjectProperty", "DatatypeProperty"))
    assert len(live) > 150
    for t in live:
        langs = {lab.language for lab in g.objects(t, RDFS.label)}
        assert {"en", "fr", "es"} <= langs, t
        assert len([x for x in g.objects(t, RDFS.label) if x.language == "en"]) == 1, t
    for c in quality.terms(g, ("Class",)):
        assert (c, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#example"), None) in g, c


def test_deprecated_terms_name_their_replacement_and_keep_their_meaning():
    g = merged_graph()
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    deprecated = [t for t in quality.terms(g, deprecated=True) if (t, OWL.deprecated, rdflib.Literal(True)) in g]
    # 11 case-clash renames of the first 0.2.0 cut, and the class names IntervalStatus, ParticipationRole and Stance
    # of the derivation, roles and claims modules (docs/ontology.md, Deprecated terms)
    assert len(deprecated) == 14
    for t in deprecated:
        new = g.value(t, dct.isReplacedBy)
        assert new is not None and (new, RDFS.label, None) in g, t
        assert (t, OWL.equivalentClass, new) in g or (t, OWL.equivalentProperty, new) in g, t
        assert str(g.value(t, rdflib.URIRef("http://www.w3.org/2003/06/sw-vocab-status/ns#term_status"))) == "archaic"


def test_citation_file_names_this_version():
    cff = (paths.PACKAGE_DIR.parent / "CITATION.cff").read_text(encoding="utf-8")
    assert f'version: "{__version__}"' in cff
    header = merged_graph().value(
        rdflib.URIRef("https://w3id.org/lattice/ontology"),
        rdflib.URIRef("http://purl.org/dc/terms/bibliographicCitation"),
    )
    assert __version__ in str(header)


def test_the_curated_graph_puts_no_node_in_two_disjoint_classes():
    from kg.diagnose import explain_files

    assert explain_files(paths.curated_files()) == []
