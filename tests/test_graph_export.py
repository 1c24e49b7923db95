"""Tests of `kg graph` (SVG/HTML pictures) and `kg export-network` (GraphML, GEXF, CSV) on the invented fixture."""

from __future__ import annotations

import csv
import importlib
import re
import xml.dom.minidom
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "queries" / "mini.ttl"
ID = "https://w3id.org/lattice/id/"

graph = importlib.import_module("kg.graph")
export = importlib.import_module("kg.network_export")


@pytest.fixture(scope="module")
def store():
    import pyoxigraph as ox

    from kg.inference import materialize

    s = ox.Store()
    s.load(
        path=str(FIXTURE),
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode("https://w3id.org/lattice/graph/curated/mini"),
    )
    materialize(s)
    return s


def test_collect_finds_forums_above_and_answerers_below(store):
    nodes, edges = graph.collect("lat-id:aaa-parliament", store=store)
    levels = {iri: n.level for iri, n in nodes.items()}
    assert levels[ID + "aaa-parliament"] == 0
    assert levels[ID + "aaa-voters"] == 1
    assert levels[ID + "aaa-agency"] == -1
    mechs = {(e.source, e.target): e.mechanisms for e in edges}
    assert sorted(mechs[(ID + "aaa-agency", ID + "aaa-parliament")]) == ["Fiscal", "Supervisory"]


def test_collect_terminates_on_cycles_and_honours_depth(store):
    nodes, edges = graph.collect("lat-id:aaa-agency", store=store, up=10, down=0)
    assert set(nodes) == {ID + x for x in ("aaa-agency", "aaa-parliament", "aaa-voters", "loop-one", "loop-two")}
    assert (ID + "loop-two", ID + "loop-one") in {(e.source, e.target) for e in edges}
    shallow, _ = graph.collect("lat-id:aaa-agency", store=store, up=1, down=0)
    assert ID + "aaa-voters" not in shallow


def test_layout_puts_forums_above_the_actor_without_overlaps(store):
    nodes, edges = graph.collect("lat-id:aaa-agency", store=store)
    graph.layout(nodes, edges)
    assert nodes[ID + "aaa-voters"].y < nodes[ID + "aaa-parliament"].y < nodes[ID + "aaa-agency"].y
    boxes = [(n.x, n.y) for n in nodes.values()]
    for i, (x1, y1) in enumerate(boxes):
        for x2, y2 in boxes[i + 1 :]:
            assert abs(x1 - x2) >= graph.NODE_W or abs(y1 - y2) >= graph.NODE_H


def test_svg_is_well_formed_with_mechanism_labels(store, tmp_path):
    out = graph.draw("lat-id:aaa-agency", tmp_path / "a.svg", store=store)
    text = out.read_text()
    doc = xml.dom.minidom.parseString(text)
    assert doc.documentElement.tagName == "svg"
    labels = [t.firstChild.data for t in doc.getElementsByTagName("text") if t.firstChild]
    assert "Electoral" in labels and "Fiscal, Supervisory" in labels and "Avalon Agency" in labels
    assert len(doc.getElementsByTagName("path")) >= 5  # one per edge plus the arrow marker


def test_html_is_self_contained(store, tmp_path):
    out = graph.draw("lat-id:mini-tribunal", tmp_path / "t.html", store=store)
    text = out.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "<script>" in text
    assert not re.search(r"""(src|href)\s*=\s*["']https?://""", text)
    assert "Mini Tribunal" in text and "bbb-court" in text


def test_graph_refuses_bad_output_names_and_unknown_actors(store, tmp_path):
    from kg.errors import UsageError

    with pytest.raises(UsageError):
        graph.draw("lat-id:aaa-agency", tmp_path / "a.png", store=store)
    with pytest.raises(UsageError):
        graph.draw("lat-id:nobody-at-all", tmp_path / "a.svg", store=store)
    with pytest.raises(UsageError):
        graph.draw("lat-id:x> } DROP ALL", tmp_path / "a.svg", store=store)
    assert not list(tmp_path.iterdir())


def test_accountability_network_has_edge_and_node_attributes(store):
    g = export.network("accountability", store=store)
    # 9 recorded, and 3 the rules derive: the NGO's two responsibilities, the tribunal delegated by BBB
    assert g.number_of_edges() == 12
    data = g.get_edge_data(ID + "mini-ngo", ID + "mini-funder")
    (attrs,) = data.values()
    assert attrs["mechanism"] == "FiscalAccountability" and attrs["direction"] == "Upward"
    assert attrs["interval"] == "../.."
    assert g.nodes[ID + "aaa-agency"]["type"] == "RegulatoryAgency"
    assert g.nodes[ID + "aaa-agency"]["state"] == ID + "state/AAA"


def test_membership_network_at_a_date(store):
    whole = export.network("membership", store=store)
    assert whole.number_of_edges() == 3
    net = whole.nodes[ID + "mini-net"]
    assert set(net["function"].split()) == {"Enforcement", "InformationExchange"}
    at = export.network("membership", at="2011-01-01", store=store)
    assert {(s, t) for s, t in at.edges()} == {(ID + "aaa-agency", ID + "mini-net")}
    edge = whole.get_edge_data(ID + "bbb-agency", ID + "mini-net")
    assert next(iter(edge.values()))["interval"] == "2005-01-01/2010-12-31"


def test_accountability_network_at_a_date_drops_ended_relations(store):
    g = export.network("accountability", at="2010-01-01", store=store)
    mechs = {d["mechanism"] for s, t, d in g.edges(data=True) if s == ID + "aaa-agency" and t == ID + "aaa-parliament"}
    assert mechs == {"SupervisoryAccountability"}


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_read_back_with_networkx(store, tmp_path, fmt):
    import networkx as nx

    g = export.network("accountability", store=store)
    (path,) = export.write(g, tmp_path / f"acc.{fmt}", fmt)
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert back.number_of_edges() == g.number_of_edges()
    assert back.number_of_nodes() == g.number_of_nodes()
    mechanisms = {d.get("mechanism") for _, _, d in back.edges(data=True)}
    assert "ElectoralAccountability" in mechanisms


def test_csv_writes_edges_and_nodes(store, tmp_path):
    g = export.network("membership", store=store)
    edges_path, nodes_path = export.write(g, tmp_path / "m.csv", "csv")
    assert nodes_path.name == "m.nodes.csv"
    edges = list(csv.DictReader(edges_path.open()))
    nodes = list(csv.DictReader(nodes_path.open()))
    assert len(edges) == 3 and {e["status"] for e in edges} == {"FullMember", "ObserverMember"}
    assert {n["id"] for n in nodes} >= {ID + "mini-net", ID + "bbb-court"}


def test_export_refuses_bad_dates(store):
    from kg.errors import UsageError

    with pytest.raises(UsageError):
        export.network("membership", at="2011-01-01) } DROP ALL", store=store)
    with pytest.raises(UsageError):
        export.network("friendship", store=store)


def test_cli_graph_and_export(run_kg, tmp_path):
    """The commands are wired into `kg` and refuse bad arguments with exit code 2."""
    res = run_kg("graph", "lat-id:x", "--output", tmp_path / "x.png")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    res = run_kg("export-network", "--kind", "membership", "--output", tmp_path / "x.unknown")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    res = run_kg("export-network", "--kind", "membership", "--at", "last year", "--output", tmp_path / "x.csv")
    assert res.returncode == 2 and "Traceback" not in res.stderr


DOUBLE = """@prefix lat: <https://w3id.org/lattice/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
ex:body a lat:GovernmentNetwork ; rdfs:label "Body" .
ex:sss a lat:State ; rdfs:label "State S" .
ex:ttt a lat:State ; rdfs:label "State T" .
ex:sss-ministry a lat:Ministry ; rdfs:label "Ministry of S" ; lat:componentOf ex:sss .
ex:ttt-ministry a lat:Ministry ; rdfs:label "Ministry of T" ; lat:componentOf ex:ttt .
ex:m1 org:member ex:sss ; org:organization ex:body .
ex:m2 org:member ex:sss-ministry ; org:organization ex:body .
ex:m3 org:member ex:ttt ; org:organization ex:body .
ex:m4 org:member ex:ttt-ministry ; org:organization ex:other .
"""


@pytest.fixture
def double_store():
    import pyoxigraph as ox

    s = ox.Store()
    s.load(DOUBLE, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("https://w3id.org/lattice/graph/curated/x"))
    return s


def test_state_and_own_ministry_as_members_are_found_and_can_be_collapsed(double_store):
    ex = "http://example.org/"
    g = export.network("membership", store=double_store)
    assert export.double_memberships(g) == [(ex + "body", ex + "sss", [ex + "sss-ministry"])]  # not T's ministry
    assert g.number_of_edges() == 4
    assert export.collapse_double_memberships(g) == 1
    assert export.double_memberships(g) == []
    assert sorted((s, t) for s, t in g.edges()) == [
        (ex + "sss", ex + "body"),
        (ex + "ttt", ex + "body"),
        (ex + "ttt-ministry", ex + "other"),
    ]
    assert [d["collapsed"] for s, _t, d in g.edges(data=True) if s == ex + "sss"] == [ex + "m2"]


def test_export_network_warns_about_double_membership_and_collapses_on_request(
    double_store, tmp_path, capsys, monkeypatch
):
    from kg import cli

    real = export.network
    monkeypatch.setattr(
        export, "network", lambda kind, at=None, dataset=None, endpoint=None: real(kind, at, store=double_store)
    )
    out = tmp_path / "m.csv"
    assert cli.main(["export-network", "--kind", "membership", "--output", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning: 1 body counts a state twice" in err and "Body: State S and Ministry of S" in err
    assert len(list(csv.DictReader(out.open()))) == 4
    assert cli.main(["export-network", "--kind", "membership", "--output", str(out), "--collapse-state-members"]) == 0
    assert "collapsed 1 membership" in capsys.readouterr().err
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 3 and [r["collapsed"] for r in rows if r["source"].endswith("/sss")] == [
        "http://example.org/m2"
    ]
