"""Tests of `kg export` (every format reparses to the same graph) and `kg docs` (the page, also in a real browser)."""

from __future__ import annotations

import html
import json

import pytest
import rdflib
import rdflib.compare
from rdflib.namespace import OWL, RDF, RDFS

from kg.export import FORMATS, merged_graph, serialize
from tests.test_browser import browser  # noqa: F401  (the headless Chromium fixture)

LAT = "https://w3id.org/lattice/ontology#"
RDFLIB_FORMAT = {"ttl": "turtle", "jsonld": "json-ld", "xml": "xml", "nt": "nt"}


@pytest.fixture(scope="module")
def merged():
    return merged_graph()


def test_merged_graph_has_one_header_and_no_imports(merged):
    assert set(merged.subjects(RDF.type, OWL.Ontology)) == {rdflib.URIRef("https://w3id.org/lattice/ontology")}
    assert not list(merged.triples((None, OWL.imports, None)))
    # every module contributed: a term from each
    for term in (
        "State",
        "InternationalOrganization",
        "GovernmentNetwork",
        "memberOf",
        "SpecialPurposeCollaboration",
        "Delegation",
        "Subsidiarity",
        "AccountabilityRelation",
        "SourcePassage",
    ):
        assert (rdflib.URIRef(LAT + term), RDFS.label, None) in merged, term
    assert (rdflib.URIRef("http://www.w3.org/ns/org#Membership"), RDF.type, OWL.Class) in merged


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_reparses_to_the_same_graph(fmt, merged, run_kg, tmp_path):
    out = tmp_path / f"lattice{FORMATS[fmt][1]}"
    result = run_kg("export", "--format", fmt, "--output", out)
    assert result.returncode == 0, result.stderr
    g = rdflib.Graph()
    g.parse(out, format=RDFLIB_FORMAT[fmt])
    assert len(g) == len(merged)
    assert rdflib.compare.isomorphic(g, merged)


def test_rdf_xml_is_rdf_xml_and_jsonld_has_a_context():
    xml = serialize("xml")
    assert xml.lstrip().startswith("<?xml") and "<rdf:RDF" in xml
    data = json.loads(serialize("jsonld"))
    assert data["@context"]["lat"] == LAT
    assert data["@context"]["org"] == "http://www.w3.org/ns/org#"


def test_export_to_stdout_and_bad_format(run_kg):
    ok = run_kg("export", "--format", "nt")
    assert ok.returncode == 0
    assert "<https://w3id.org/lattice/ontology#State>" in ok.stdout
    bad = run_kg("export", "--format", "rdfa")
    assert bad.returncode == 2


@pytest.mark.slow
def test_docs_page_lists_every_class(tmp_path, merged):
    from kg.docs import build_docs

    page = build_docs(tmp_path / "docs")
    text = page.read_text(encoding="utf-8")
    classes = [c for c in merged.subjects(RDF.type, OWL.Class) if str(c).startswith(LAT)]
    assert len(classes) > 60
    missing = []
    for c in classes:
        label = str(merged.value(c, RDFS.label))
        if f'id="{str(c)[len(LAT) :]}"' not in text or html.escape(label) not in text:
            missing.append(label)
    assert not missing
    # one title, the ontology's: not the concept schemes' titles run together
    assert text.count("<h1") == 1 and text.count("<title>") == 1
    assert "<title>Lattice: an ontology of accountability in global governance</title>" in text


def _page_in_browser(browser, tmp_path):  # noqa: F811 (the fixture)
    from kg.docs import build_docs

    page = build_docs(tmp_path / "docs")
    browser.get(page.as_uri())
    return browser


def test_docs_page_in_a_browser_shows_title_iri_modules_schemes_and_every_class(browser, tmp_path, merged):  # noqa: F811 (the fixture)
    from selenium.webdriver.common.by import By

    from kg.release import module_iri, module_names, version_iri

    d = _page_in_browser(browser, tmp_path)
    onto = rdflib.URIRef("https://w3id.org/lattice/ontology")
    title = str(
        next(t for t in merged.objects(onto, rdflib.URIRef("http://purl.org/dc/terms/title")) if t.language == "en")
    )
    assert d.title == title
    h1 = d.find_elements(By.TAG_NAME, "h1")
    assert [h.text for h in h1] == [title]
    assert d.find_element(By.ID, "ontology-iri").text == str(onto)
    assert d.find_element(By.ID, "version-iri").text == version_iri()
    modules = d.find_element(By.ID, "modules").text
    assert all(module_iri(m) in modules for m in module_names())
    schemes = set(merged.subjects(RDF.type, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#ConceptScheme")))
    shown = d.find_elements(By.CSS_SELECTOR, "section.scheme")
    assert len(shown) == len([s for s in schemes if str(s).startswith(LAT)]) >= 19
    missing = []
    for c in merged.subjects(RDF.type, OWL.Class):
        if not str(c).startswith(LAT):
            continue
        el = d.find_elements(By.ID, str(c)[len(LAT) :])
        if len(el) != 1 or str(merged.value(c, RDFS.label)) not in el[0].get_attribute("textContent"):
            missing.append(str(c))
    assert not missing


def test_rdf_xml_export_loads_in_owlready2(tmp_path):
    """owlready2 (like Protégé) reads the RDF/XML export on its own, with no import to fetch."""
    import owlready2

    path = tmp_path / "lattice.rdf"
    path.write_text(serialize("xml"), encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    names = {c.iri for c in onto.classes()}
    assert LAT + "GovernmentNetwork" in names and LAT + "AccountabilityRelation" in names
    world.close()
