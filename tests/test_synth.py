"""Tests of `kg synth`: determinism, size, parseability, provenance and the planted-violation record."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg import namespaces as ns
from kg.cli import main
from kg.synth import VIOLATION_KINDS, sidecar_path, synth

PREFIXES = ns.sparql_prefixes()


def _load(path) -> ox.Store:
    store = ox.Store()
    fmt = {".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS, ".ttl": ox.RdfFormat.TURTLE}[path.suffix]
    store.load(path=str(path), format=fmt)
    return store


def _select(store, query: str):
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return bool(result) if isinstance(result, ox.QueryBoolean) else list(result)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A 30k-triple graph with a high violation rate, its store and its sidecar."""
    out = tmp_path_factory.mktemp("synth") / "sample.nt"
    meta = synth(out, 30000, seed=11, violation_rate=0.05)
    return out, _load(out), meta


def test_same_seed_gives_identical_file_and_other_seed_does_not(tmp_path):
    a, b, c = tmp_path / "a.nt", tmp_path / "b.nt", tmp_path / "c.nt"
    synth(a, 8000, seed=5)
    synth(b, 8000, seed=5)
    synth(c, 8000, seed=6)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert json.loads(sidecar_path(a).read_text())["planted"] == json.loads(sidecar_path(b).read_text())["planted"]


@pytest.mark.parametrize("n", [2000, 25000, 120000])
def test_triple_count_is_within_ten_percent(tmp_path, n):
    out = tmp_path / "g.nt"
    meta = synth(out, n, seed=1)
    store = _load(out)
    assert abs(len(store) - n) <= 0.1 * n
    assert meta["triples"] == len(store)  # no duplicate lines either


@pytest.mark.parametrize("suffix", [".nt", ".nq", ".ttl"])
def test_every_format_parses_with_both_parsers(tmp_path, suffix):
    import rdflib

    out = tmp_path / f"g{suffix}"
    meta = synth(out, 3000, seed=2)
    store = _load(out)
    assert len(store) == meta["triples"]
    if suffix == ".nq":
        graphs = {q.graph_name.value for q in store}
        assert graphs == {ns.import_graph("g")}
        g = rdflib.Dataset()
        g.parse(out, format="nquads")
        assert len(list(g.quads())) == meta["triples"]
    else:
        g = rdflib.Graph()
        g.parse(out, format="nt" if suffix == ".nt" else "turtle")
        assert len(g) == meta["triples"]


def test_sidecar_counts_match_the_planted_list(sample):
    _, _, meta = sample
    assert set(meta["violations"]) == set(VIOLATION_KINDS)
    assert meta["violations_total"] == len(meta["planted"]) == sum(meta["violations"].values())
    for kind, n in meta["violations"].items():
        assert n == sum(1 for p in meta["planted"] if p["kind"] == kind)
    # a 5% rate over thousands of records gives every record-level kind some cases
    for kind in ("end-before-start", "missing-source", "wrong-date-datatype", "two-component-of"):
        assert meta["violations"][kind] > 0, kind
    assert len({p["focus"] for p in meta["planted"]}) == len(meta["planted"])


def test_planted_count_is_close_to_the_rate(tmp_path):
    out = tmp_path / "r.nt"
    meta = synth(out, 60000, seed=4, violation_rate=0.02)
    records = meta["counts"]["memberships"] + meta["counts"]["accountability_relations"]
    record_level = sum(meta["violations"][k] for k in ("end-before-start", "missing-source", "wrong-date-datatype"))
    # binomial: mean 2% of the plantable records, well within a factor of two
    assert 0.01 * records < record_level < 0.03 * records


def _found(store, kind: str) -> set[str]:
    """The foci that really break the rule KIND in the graph, found independently of the sidecar."""
    queries = {
        "end-before-start": """SELECT DISTINCT ?x WHERE { ?x lat:startDate ?s ; lat:endDate ?e .
            FILTER(DATATYPE(?s) = xsd:date && ?e < ?s) }""",
        "missing-source": """SELECT DISTINCT ?x WHERE { { ?x a org:Membership } UNION { ?x a lat:AccountabilityRelation }
            FILTER NOT EXISTS { ?x dcterms:source ?src } }""",
        "wrong-date-datatype": """SELECT DISTINCT ?x WHERE { ?x lat:startDate ?s . FILTER(DATATYPE(?s) != xsd:date) }""",
        "two-component-of": """SELECT DISTINCT ?x WHERE { ?x lat:componentOf ?a, ?b . FILTER(?a != ?b) }""",
        "network-without-accountable-core": """SELECT DISTINCT ?n WHERE {
            { ?n a lat:HorizontalNetwork } UNION { ?n a lat:VerticalNetwork }
            FILTER NOT EXISTS { ?m org:member ?x ; org:organization ?n . ?x lat:componentOf ?state } }""",
        "ngo-without-downward-accountability": """SELECT DISTINCT ?n WHERE { ?n a lat:NGO .
            FILTER NOT EXISTS { ?r lat:accountableActor ?n ; lat:direction lat:Downward } }""",
        "supranational-without-checks": """SELECT DISTINCT ?n WHERE { ?n a lat:SupranationalInstitution .
            FILTER NOT EXISTS { ?r lat:accountableActor ?n } FILTER NOT EXISTS { ?n lat:reliesOn ?c } }""",
    }
    return {row[0].value for row in _select(store, queries[kind])}


@pytest.mark.parametrize("kind", sorted(VIOLATION_KINDS))
def test_each_planted_violation_is_in_the_graph_and_nowhere_else(sample, tmp_path, kind):
    _, store, meta = sample
    planted = {p["focus"] for p in meta["planted"] if p["kind"] == kind}
    assert _found(store, kind) == planted


def test_no_violations_at_rate_zero(tmp_path):
    out = tmp_path / "clean.nt"
    meta = synth(out, 20000, seed=9, violation_rate=0.0)
    store = _load(out)
    assert meta["violations_total"] == 0 and meta["planted"] == []
    for kind in VIOLATION_KINDS:
        assert _found(store, kind) == set(), kind


def test_every_subject_has_a_source_except_planted_ones(sample):
    _, store, meta = sample
    unsourced = {
        row[0].value
        for row in _select(
            store,
            """SELECT DISTINCT ?x WHERE { ?x ?p ?o .
        FILTER NOT EXISTS { ?x dcterms:source ?src } }""",
        )
    }
    missing = {p["focus"] for p in meta["planted"] if p["kind"] == "missing-source"}
    assert missing  # the sample must exercise the exception
    assert unsourced == missing | {meta["dataset"]}
    # and what they cite is the synthetic data set, described as a lat:Dataset
    assert _select(store, f"ASK {{ <{meta['dataset']}> a lat:Dataset ; dcterms:title ?t ; dcterms:license ?l }}")


def test_shape_of_the_graph(sample):
    _, store, meta = sample
    counts = meta["counts"]
    assert counts["states"] >= 5 and counts["networks"] > 0 and counts["memberships"] > counts["networks"]
    # every state has an electorate, and its legislature answers to it
    rows = _select(
        store,
        """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a lat:State .
        ?e a lat:Electorate ; lat:constituencyOf ?s . ?l a lat:Legislature ; lat:componentOf ?s .
        ?r lat:accountableActor ?l ; lat:forum ?e ; lat:mechanism lat:ElectoralAccountability }""",
    )
    assert int(rows[0][0].value) == counts["states"]
    # the recorded chain actor reaches an electorate through accountability records, at the recorded depth
    actor = meta["chain_actor"]
    assert meta["chain_depth"] >= 3
    reach = _select(store, f"""ASK {{ <{actor}> (^lat:accountableActor/lat:forum)+ ?e . ?e a lat:Electorate }}""")
    assert reach
    # membership intervals use xsd:date only (never gYear), apart from the planted string dates
    kinds = {
        row[0].value for row in _select(store, "SELECT DISTINCT (DATATYPE(?d) AS ?t) WHERE { ?x lat:startDate ?d }")
    }
    assert kinds == {ns.PREFIXES["xsd"] + "date", ns.PREFIXES["xsd"] + "string"}


def test_only_declared_ontology_terms_are_used(sample):
    """Every lat: term the generator writes is declared by the ontology (so synthetic data is valid data)."""
    import re

    import pyoxigraph as ox

    from kg import paths

    onto = ox.Store()
    for f in paths.ONTOLOGY_DIR.glob("*.ttl"):
        onto.load(path=str(f), format=ox.RdfFormat.TURTLE)
    declared = {
        q.subject.value
        for q in onto.quads_for_pattern(None, ox.NamedNode(ns.PREFIXES["rdf"] + "type"), None, None)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ns.LAT)
    }
    assert len(declared) > 100
    path, _, _ = sample
    used = set(re.findall(r"<(https://w3id\.org/lattice/ontology#[A-Za-z]+)>", path.read_text()))
    assert used
    assert used - declared == set()


def test_cli_writes_file_and_sidecar(tmp_path, capsys):
    out = tmp_path / "cli.ttl"
    assert main(["synth", "--triples", "2e3", "--seed", "1", "--output", str(out)]) == 0
    assert out.is_file() and sidecar_path(out).is_file()
    assert "planted violations" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["--triples", "ten"],
        ["--triples", "10"],
        ["--triples", "5000", "--violation-rate", "2"],
    ],
)
def test_cli_rejects_bad_arguments(tmp_path, capsys, args):
    out = tmp_path / "bad.nt"
    assert main(["synth", *args, "--output", str(out)]) == 2
    assert not out.exists()
    assert "Traceback" not in capsys.readouterr().err


def test_cli_rejects_unknown_extension(tmp_path):
    assert main(["synth", "--triples", "5000", "--output", str(tmp_path / "g.rdf")]) == 2
