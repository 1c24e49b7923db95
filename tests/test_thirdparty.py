"""The graph on a real third-party store: `kg load` into the Oxigraph server, then every named query there."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from kg.thirdparty import OxigraphServer, oxigraph_binary, virtuoso_binary
from tests.support import need_system


def _value(v, lenient: bool = False):
    if lenient and isinstance(v, bool):
        return repr(int(v))  # Virtuoso returns the value of EXISTS as the integer 1 or 0, not xsd:boolean
    if isinstance(v, str):
        if v.startswith("_:"):
            return "_:b"  # blank node labels are the store's own
        tokens = v.split()
        if len(tokens) > 1 and (lenient or all(t.startswith(("http://", "https://")) for t in tokens)):
            return " ".join(sorted(tokens))  # GROUP_CONCAT order is not defined by SPARQL
    return repr(v)


def _sampled(info) -> set:
    """Variables bound by SAMPLE(...): SPARQL lets each engine pick any value of the group."""
    import re

    return set(re.findall(r"SAMPLE\s*\(\s*(?:DISTINCT\s+)?\?\w+\s*\)\s+AS\s+\?(\w+)", info.text, re.IGNORECASE))


def _normalise(result, lenient: bool = False, ignore=()):
    """Comparable form of a run_named result: booleans as is, rows as a sorted list (blank nodes anonymised).
    LENIENT also takes an empty string for unbound (GROUP_CONCAT of nothing: "" on some stores, unbound on others)."""
    if isinstance(result, bool):
        return result
    rows = []
    for row in result:
        rows.append(
            tuple(
                sorted(
                    (k, _value(v, lenient))
                    for k, v in row.items()
                    if v is not None and k not in ignore and not (lenient and v == "")
                )
            )
        )
    return sorted(rows)


def _params(info, store):
    """Values for the required parameters of a named query, taken from the graph itself."""
    out = {}
    for p in info.params:
        if not p.required:
            continue
        if p.type == "iri":
            res = store.query(
                "PREFIX lat: <https://w3id.org/lattice/ontology#> SELECT ?a WHERE "
                "{ ?a lat:accountableTo ?f } GROUP BY ?a ORDER BY DESC(COUNT(?f)) ?a LIMIT 1",
                use_default_graph_as_union=True,
            )
            found = [sol["a"].value for sol in res]
            del res
            out[p.name] = found[0] if found else "https://w3id.org/lattice/id/fatf"
        else:
            out[p.name] = {"date": "2010-06-30", "integer": "3", "boolean": "true"}.get(p.type, "x")
    return out


@pytest.fixture(scope="module")
def oxigraph(built_dataset, built_store):
    need_system(oxigraph_binary() is not None, "the Oxigraph server (pip install oxigraph)")
    from kg.load import Target, load

    with OxigraphServer() as server:
        report = load(built_store, Target(server.query_endpoint), batch=500)
        yield server, report


def test_load_sends_every_graph_and_the_store_holds_it(oxigraph, built_store):
    import pyoxigraph as ox

    from kg.load import Target

    server, report = oxigraph
    assert report.method == "gsp"
    target = Target(server.query_endpoint)
    local = {}
    for q in built_store.quads_for_pattern(None, None, None, None):
        local[q.graph_name.value] = local.get(q.graph_name.value, 0) + 1
    assert report.graphs == local
    for graph, n in local.items():
        assert target.count(graph) == n, graph
    assert isinstance(next(iter(built_store.quads_for_pattern(None, None, None, None))).graph_name, ox.NamedNode)


def test_every_named_query_gives_the_embedded_answer_on_oxigraph(oxigraph, built_store):
    from kg.query import list_queries, run_named

    server, _ = oxigraph
    queries = list_queries()
    assert queries
    differing = []
    for info in queries:
        params = _params(info, built_store)
        embedded = run_named(info.name, store=built_store, **params)
        remote = run_named(info.name, endpoint=server.query_endpoint, **params)
        # GROUP_CONCAT order and which value SAMPLE picks are left to the engine by SPARQL, and the server's
        # on-disk store orders differently from the embedded one: compare modulo concatenation order.
        ignore = _sampled(info)
        if _normalise(embedded, True, ignore) != _normalise(remote, True, ignore):
            differing.append(info.name)
    assert not differing, f"named queries whose results differ on the Oxigraph server: {differing}"


@pytest.mark.slow
def test_reload_replaces_graphs_and_update_fallback_matches(oxigraph, built_store):
    from kg.load import Target, load

    server, first = oxigraph
    target = Target(server.query_endpoint)
    again = load(built_store, target, batch=700, method="update")
    assert again.method == "update" and again.graphs == first.graphs
    for graph, n in first.graphs.items():
        assert target.count(graph) == n, graph  # replaced, not doubled
    load(built_store, target, batch=500)  # back to the protocol load; still no duplicates
    total = f"{server.query_endpoint}?" + urllib.parse.urlencode(
        {"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"}
    )
    req = urllib.request.Request(total, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req) as r:
        n = int(json.load(r)["results"]["bindings"][0]["n"]["value"])
    assert n == sum(first.graphs.values())


def test_batches_keep_blank_node_groups_together():
    import pyoxigraph as ox

    from kg.load import batches

    p = ox.NamedNode("urn:p")
    b1, b2 = ox.BlankNode("x"), ox.BlankNode("y")
    triples = [ox.Triple(ox.NamedNode(f"urn:s{i}"), p, ox.Literal(str(i))) for i in range(10)]
    chain = [ox.Triple(ox.NamedNode("urn:a"), p, b1), ox.Triple(b1, p, b2), ox.Triple(b2, p, ox.Literal("end"))]
    out = batches(triples[:5] + chain + triples[5:], 2)
    assert sum(len(b) for b in out) == 13
    holding = [
        b for b in out if any(isinstance(t.object, ox.BlankNode) or isinstance(t.subject, ox.BlankNode) for t in b)
    ]
    assert len(holding) == 1 and len(holding[0]) == 3


def test_sibling_urls_are_guessed_for_common_stores():
    from kg.load import guess_sibling

    assert guess_sibling("http://127.0.0.1:7878/query", "update") == "http://127.0.0.1:7878/update"
    assert guess_sibling("http://127.0.0.1:7878/query", "store") == "http://127.0.0.1:7878/store"
    assert guess_sibling("http://h:3030/lattice/sparql", "store") == "http://h:3030/lattice/data"
    assert guess_sibling("http://h:3030/lattice/sparql", "update") == "http://h:3030/lattice/update"


@pytest.mark.slow
def test_kg_load_command_line(oxigraph, run_kg, built_dataset):
    server, _ = oxigraph
    done = run_kg(
        "--dataset",
        built_dataset,
        "load",
        "--endpoint",
        server.query_endpoint,
        "--graph",
        "urn:lattice:cli-copy",
        "--batch",
        "1000",
    )
    assert done.returncode == 0, done.stderr
    assert "loaded" in done.stdout and "Graph Store Protocol" in done.stdout
    from kg.load import Target

    assert Target(server.query_endpoint).count("urn:lattice:cli-copy") > 0
    # leave the server as the other tests expect it: the copy graph removed
    req = urllib.request.Request(
        server.update_endpoint,
        data=b"DROP GRAPH <urn:lattice:cli-copy>",
        headers={"Content-Type": "application/sparql-update"},
        method="POST",
    )
    urllib.request.urlopen(req).close()


@pytest.mark.slow
def test_virtuoso_when_installed(built_store):
    if virtuoso_binary() is None:
        pytest.skip(
            "Virtuoso (virtuoso-opensource-7-bin) is not installed; the Oxigraph tests cover a third-party store"
        )
    from kg.load import Target, load
    from kg.query import bind, list_queries, run_named, run_sparql
    from kg.thirdparty import VirtuosoServer

    def start():
        server = VirtuosoServer().start()
        target = Target(
            server.query_endpoint,
            update_url=server.url + "/sparql-auth",
            gsp_url=server.url + "/sparql-graph-crud-auth",
            auth="dba:dba",
            timeout=60,
        )
        report = load(built_store, target, batch=5000)  # Graph Store Protocol behind a digest login
        return server, target, report

    server, target, report = start()
    try:
        assert report.method == "gsp"
        for graph, n in report.graphs.items():
            assert target.count(graph) == n, graph
        problems = {}
        restarts = 0
        for info in list_queries():
            params = _params(info, built_store)
            embedded = run_named(info.name, store=built_store, **params)
            try:
                remote = run_sparql(bind(info, params), endpoint=server.query_endpoint, timeout=10)
            except Exception as exc:  # Virtuoso refuses some SPARQL 1.1 forms: recorded, not hidden
                problems[info.name] = f"refused or timed out: {str(exc)[:160]}"
                if "timed out" in str(exc).lower() and restarts < 2:
                    # Virtuoso keeps working on an abandoned query and stalls the next ones: start afresh
                    restarts += 1
                    server.stop(timeout=5)
                    server, target, report = start()
                continue
            ignore = _sampled(info)
            if _normalise(embedded, True, ignore) != _normalise(remote, True, ignore):
                problems[info.name] = "different results"
        # Virtuoso is a second, optional check: the load must be exact; query portability is reported (the
        # closing note lists these), and most named queries must agree.
        print("named queries that differ on Virtuoso:", json.dumps(problems, indent=1))
        # measured with Virtuoso 7.2 from Debian: 29 of 31 agree (accountability-chain is too slow there,
        # militant-state-partnerships meets its handling of UNION inside OPTIONAL); a few more would be a regression
        assert len(problems) <= 4, problems
    finally:
        server.stop(timeout=5)


@pytest.mark.slow
def test_validation_against_the_store_matches_the_embedded_run(oxigraph, built_store):
    from kg.validate import fetch_endpoint, validate

    server, _ = oxigraph
    fetched = fetch_endpoint(server.query_endpoint)
    local_triples = {
        str(q.triple) for q in built_store.quads_for_pattern(None, None, None, None) if not str(q.triple).count("_:")
    }
    remote_triples = {
        str(q.triple) for q in fetched.quads_for_pattern(None, None, None, None) if not str(q.triple).count("_:")
    }
    assert remote_triples == local_triples

    def key(r):
        return (
            r.focus if not r.focus.startswith("_:") else "_",
            r.shape if not r.shape.startswith("_:") else "_",
            r.severity,
            r.path or "",
        )

    embedded = sorted(key(r) for r in validate(built_store).results)
    remote = sorted(key(r) for r in validate(fetched).results)
    assert remote == embedded
