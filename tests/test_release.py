"""The release artefacts (`kg release`, ontology/releases/<version>/) and the function the endpoint serves them with."""

from __future__ import annotations

import json

import pytest
import rdflib
from rdflib.compare import isomorphic

from kg import __version__, release
from kg.export import merged_graph

ONT = "https://w3id.org/lattice/ontology"
PARSE = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "nt": "nt"}


def _graph(art, fmt):
    g = rdflib.Graph()
    g.parse(data=art.body.decode("utf-8"), format=PARSE[fmt])
    return g


def test_the_version_is_written_in_one_place_and_the_turtle_agrees():
    # the package version is the release version; every ontology header says the same
    assert release.version() == __version__
    for path in [release.paths.ONTOLOGY_DIR / "lattice.ttl"] + [
        release.paths.ONTOLOGY_DIR / f"{m}.ttl" for m in release.module_names()
    ]:
        g = rdflib.Graph().parse(path, format="turtle")
        header = next(g.subjects(rdflib.RDF.type, rdflib.OWL.Ontology))
        assert str(g.value(header, rdflib.OWL.versionInfo)) == __version__, path.name
        expected = f"{ONT}/{__version__}" + ("" if path.stem == "lattice" else f"/{path.stem}")
        assert str(g.value(header, rdflib.OWL.versionIRI)) == expected, path.name


def test_frozen_release_matches_the_sources():
    stale = release.stale_files()
    assert not stale, f"ontology/releases/{__version__} differs from the sources: run `kg release` ({stale[:5]})"


def test_release_files_are_the_same_bytes_every_time():
    assert release.release_files() == release.release_files()


@pytest.mark.parametrize("fmt", sorted(release.FORMATS))
def test_ontology_and_version_iri_serve_the_merged_ontology_in_every_format(fmt):
    merged = merged_graph()
    for path in ("/ontology", f"/ontology/{__version__}", f"/ontology/{__version__}/lattice"):
        art = release.artefact(path, fmt=fmt)
        assert art is not None and art.media_type == release.FORMATS[fmt][2]
        g = _graph(art, fmt)
        assert isomorphic(g, merged), path
        assert set(g.subjects(rdflib.RDF.type, rdflib.OWL.Ontology)) == {rdflib.URIRef(ONT)}


def test_every_module_iri_serves_its_module_with_its_imports():
    for name in release.module_names():
        art = release.artefact(f"/ontology/{name}", fmt="ttl")
        g = _graph(art, "ttl")
        iri = rdflib.URIRef(f"{ONT}/{name}")
        assert set(g.subjects(rdflib.RDF.type, rdflib.OWL.Ontology)) == {iri}
        assert g.value(iri, rdflib.OWL.versionIRI) == rdflib.URIRef(f"{ONT}/{__version__}/{name}")
    ext = release.artefact(f"/ontology/{__version__}/external/org", fmt="rdf")
    assert ext is not None and ext.media_type == "application/rdf+xml"


def test_content_negotiation_and_file_extensions():
    assert release.artefact("/ontology", accept="application/rdf+xml").media_type == "application/rdf+xml"
    assert (
        release.artefact("/ontology", accept="text/html;q=0.5, application/ld+json").media_type == "application/ld+json"
    )
    assert release.artefact("/ontology", accept=None).media_type == "text/turtle"
    assert release.artefact("/ontology", accept="*/*").media_type == "text/turtle"
    assert release.artefact("/ontology/actors.nt").media_type == "application/n-triples"
    json.loads(release.artefact("/ontology/lattice.jsonld").body)
    # a browser asking for HTML gets None: the server shows its page
    assert release.artefact("/ontology", accept="text/html,application/xhtml+xml,*/*;q=0.8") is None
    with pytest.raises(ValueError):
        release.artefact("/ontology", accept="image/png")
    with pytest.raises(ValueError):
        release.artefact("/ontology", fmt="pdf")


def test_paths_that_are_not_artefacts():
    assert release.artefact("/ontology/State") is None  # a term: the server looks it up
    assert release.artefact("/ontology/../etc/passwd") is None
    assert release.artefact("/sparql") is None
    with pytest.raises(LookupError):
        release.artefact("/ontology/9.9.9")  # no such release


def test_kg_release_writes_all_or_nothing(run_kg, tmp_path):
    out = tmp_path / "rel"
    r = run_kg("release", "--out", out)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "lattice.jsonld",
        "lattice.nt",
        "lattice.rdf",
        "lattice.ttl",
        "modules",
    ]
    assert (out / "modules" / "external" / "foaf.ttl").is_file()
    assert run_kg("release", "--check").returncode == 0
