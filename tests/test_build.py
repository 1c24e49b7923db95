"""Tests of kg/build.py and kg/store.py: merging, named graphs, materialization, incrementality, atomicity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import build as kb
from kg import namespaces as ns
from kg import paths
from kg.errors import InputError

ONTO = """@prefix lat: <https://w3id.org/lattice/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix org: <http://www.w3.org/ns/org#> .
lat:Court rdfs:subClassOf lat:GovernmentInstitution .
lat:GovernmentInstitution rdfs:subClassOf lat:Actor .
lat:counterpartOf a owl:SymmetricProperty .
lat:InformationNetwork owl:equivalentClass [ owl:intersectionOf ( lat:GovernmentNetwork
    [ a owl:Restriction ; owl:onProperty lat:function ; owl:hasValue lat:InformationExchange ] ) ] .
lat:memberOf rdfs:subPropertyOf org:memberOf .
"""

DATA = """@prefix lat: <https://w3id.org/lattice/ontology#> .
@prefix lat-id: <https://w3id.org/lattice/id/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
lat-id:c1 a lat:Court ; lat:counterpartOf lat-id:c2 .
lat-id:n1 a lat:GovernmentNetwork ; lat:function lat:InformationExchange .
lat-id:n2 lat:function lat:InformationExchange .
lat-id:r1 a lat:AccountabilityRelation ; lat:accountableActor lat-id:c1 ; lat:forum lat-id:leg .
lat-id:m1 a org:Membership ; org:member lat-id:c1 ; org:organization lat-id:n1 ;
    lat:startDate "1999-01-01"^^xsd:date .
"""


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """Point the build at small ontology/shapes/data folders of the test's own."""
    onto, shapes, data = tmp_path / "ontology", tmp_path / "shapes", tmp_path / "data"
    for d in (onto, shapes, data):
        d.mkdir()
    (onto / "core.ttl").write_text(ONTO)
    (data / "cases.ttl").write_text(DATA)
    monkeypatch.setattr(paths, "ONTOLOGY_DIR", onto)
    monkeypatch.setattr(paths, "SHAPES_DIR", shapes)
    monkeypatch.setattr(paths, "DATA_DIR", data)
    monkeypatch.setenv("LATTICE_HOME", str(tmp_path / "home"))
    return tmp_path


def ask(store, body: str) -> bool:
    return bool(store.query(ns.sparql_prefixes() + "ASK { " + body + " }", use_default_graph_as_union=True))


def test_build_merges_sources_into_named_graphs_and_materializes(sandbox):
    res = kb.build(sandbox / "out")
    assert not res.skipped and res.triples > 0 and res.inferred > 0
    from kg.store import open_store

    store = open_store(sandbox / "out", build_if_needed=False)
    graphs = {g.value for g in store.named_graphs()}
    assert {ns.GRAPH_ONTOLOGY, ns.curated_graph("cases"), ns.GRAPH_INFERRED} <= graphs
    assert ask(store, "GRAPH lat-g:inferred { lat-id:c1 a lat:Actor }")  # subclass closure, two steps
    assert ask(store, "GRAPH lat-g:inferred { lat-id:c2 lat:counterpartOf lat-id:c1 }")  # symmetric
    assert ask(store, "GRAPH lat-g:inferred { lat-id:n1 a lat:InformationNetwork }")  # hasValue class
    assert not ask(store, "lat-id:n2 a lat:InformationNetwork")  # not a GovernmentNetwork: not classified
    assert ask(store, "GRAPH lat-g:inferred { lat-id:c1 lat:accountableTo lat-id:leg }")
    assert ask(
        store, "lat-id:c1 lat:memberOf lat-id:n1 . lat-id:c1 org:memberOf lat-id:n1 . lat-id:n1 org:hasMember lat-id:c1"
    )
    assert ask(store, 'lat-id:m1 org:memberDuring/time:hasBeginning/time:inXSDDate "1999-01-01"^^xsd:date')
    # asserted triples are not duplicated into the inferred graph
    assert not ask(store, "GRAPH lat-g:inferred { lat-id:c1 a lat:Court }")
    manifest = json.loads((sandbox / "out" / "manifest.json").read_text())
    assert manifest["graphs"][ns.curated_graph("cases")] == 12  # as written in DATA


def test_unchanged_build_is_skipped_and_changed_input_reparses_only_that_input(sandbox):
    kb.build(sandbox / "out")
    again = kb.build(sandbox / "out")
    assert again.skipped
    (sandbox / "data" / "more.ttl").write_text(
        "<https://w3id.org/lattice/id/x> a <https://w3id.org/lattice/ontology#Court> ."
    )
    res = kb.build(sandbox / "out")
    assert not res.skipped
    assert [Path(p).name for p in res.parsed] == ["more.ttl"]
    assert {Path(p).name for p in res.reused if not p.endswith(".rq")} == {"core.ttl", "cases.ttl"}  # and the rules
    from kg.store import open_store

    store = open_store(sandbox / "out", build_if_needed=False)
    assert ask(store, "lat-id:x a lat:Actor")  # inference recomputed over the whole dataset


def test_removed_input_disappears_from_the_dataset(sandbox):
    kb.build(sandbox / "out")
    (sandbox / "data" / "cases.ttl").unlink()
    kb.build(sandbox / "out")
    from kg.store import open_store

    store = open_store(sandbox / "out", build_if_needed=False)
    assert not ask(store, "lat-id:c1 ?p ?o")


def test_bad_input_names_file_line_and_column_and_leaves_previous_build(sandbox):
    kb.build(sandbox / "out")
    before = (sandbox / "out" / "manifest.json").read_text()
    bad = sandbox / "data" / "broken.ttl"
    bad.write_text("@prefix lat: <https://w3id.org/lattice/ontology#> .\nlat:a lat:b lat:c ;\n  lat:d .\n")
    with pytest.raises(InputError) as err:
        kb.build(sandbox / "out")
    assert err.value.path.endswith("broken.ttl") and err.value.line == 3
    assert str(err.value).startswith(f"{bad}:3:")
    assert (sandbox / "out" / "manifest.json").read_text() == before
    assert not list(sandbox.glob("out.tmp-*"))


def test_cli_reports_bad_input_without_traceback(sandbox, run_kg):
    bad = sandbox / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    proc = run_kg("build", "--output", sandbox / "cli-out", "--add", bad)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"{bad}:1:")


def test_is_current_detects_stale_dataset(sandbox):
    kb.build(sandbox / "out")
    assert kb.is_current(sandbox / "out")
    (sandbox / "data" / "cases.ttl").write_text(
        DATA + "\n<https://w3id.org/lattice/id/y> a <https://w3id.org/lattice/ontology#Court> .\n"
    )
    assert not kb.is_current(sandbox / "out")
