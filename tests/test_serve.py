"""Tests of `kg serve` over real HTTP: protocol, formats, limits, safety, REST API, IRIs, updates, shutdown."""

from __future__ import annotations

import io
import json
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from kg.serve import negotiate, remote_access_problem
from kg.thirdparty import KgServer, port_is_free

TOKEN = "test-token-0123456789abcdef"

# A query that yields rows slowly and takes seconds in all: used for the time limit.
_VALUES = " ".join(str(i) for i in range(100))
SLOW_QUERY = (
    f"SELECT ?h WHERE {{ VALUES ?a {{{_VALUES}}} VALUES ?b {{{_VALUES}}} VALUES ?c {{{_VALUES}}} "
    f'BIND(SHA512(STR(?a * 10000 + ?b * 100 + ?c)) AS ?h) FILTER(STRSTARTS(?h, "000")) }}'
)
MANY_ROWS = f"SELECT ?a ?b WHERE {{ VALUES ?a {{{_VALUES}}} VALUES ?b {{{_VALUES}}} }}"  # 10 000 rows


@pytest.fixture(scope="module")
def server(built_dataset):
    with KgServer(dataset=built_dataset, args=["--timeout", "1", "--max-rows", "5000", "--max-body", "50000"]) as s:
        yield s


def http(method, url, body=None, headers=None, timeout=30):
    """(status, headers, body bytes) of one request; HTTP errors are returned, not raised."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def get_query(server, query, accept="application/sparql-results+json", **extra):
    qs = urllib.parse.urlencode({"query": query, **extra})
    return http("GET", f"{server.endpoint}?{qs}", headers={"Accept": accept})


def values(store, query, var, **kwargs) -> list[str]:
    """The values of one variable of a SELECT on the embedded store (the result object dies here, on this thread)."""
    res = store.query(query, **kwargs)
    return [sol[var].value for sol in res if sol[var] is not None]


def embedded_select(store, query):
    """SELECT rows from the embedded store as sets of (var, N-Triples term) tuples."""
    res = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return sorted(tuple((n, str(sol[n])) for n in names if sol[n] is not None) for sol in res)


def parsed_select(body, fmt):
    import pyoxigraph as ox

    res = ox.parse_query_results(body, format=fmt)
    names = [v.value for v in res.variables]
    solutions = list(res)
    del res  # pyoxigraph result iterators must be dropped on the thread that made them
    return sorted(tuple((n, str(sol[n])) for n in names if sol[n] is not None) for sol in solutions)


# Labels and definitions: a few thousand rows at most, deterministic, cheap enough for many concurrent runs.
TRIPLE_QUERY = (
    "SELECT ?s ?p ?o WHERE { VALUES ?p { <http://www.w3.org/2000/01/rdf-schema#label> "
    "<http://www.w3.org/2004/02/skos/core#definition> } ?s ?p ?o } ORDER BY ?s ?p ?o"
)


# ------------------------------------------------------------------------------------ pure functions


@pytest.mark.parametrize(
    "accept,expected",
    [
        (None, "json"),
        ("text/csv", "csv"),
        ("application/sparql-results+xml;q=0.9, text/csv;q=0.5", "xml"),
        ("text/csv;q=0.2, */*;q=0.1", "csv"),
        ("text/*", "csv"),
        ("image/png", None),
        ("application/sparql-results+json;q=0, */*", "xml"),
    ],
)
def test_negotiate_honours_q_values_and_wildcards(accept, expected):
    offered = [
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
    ]
    assert negotiate(accept, offered) == expected


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://169.254.169.254/latest> { ?s ?p ?o } }",
        "select * where { service silent <http://evil.example/sparql> { ?s ?p ?o } }",
        "PREFIX e: <http://evil.example/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE ?where { ?s ?p ?o } }",
        'SELECT * WHERE { ?s ?p "x" . SERVICE<http://evil.example/>{ ?s ?p ?o } }',
        "SELECT * WHERE { ?s ?p 'it''s' . SeRvIcE <http://evil.example/> { ?s ?p ?o } }",
        "SELECT * WHERE { FILTER(1<2) SERVICE <http://evil.example/> { ?s ?p ?o } }",
        'SELECT * WHERE { ?s ?p """a " b""" . SERVICE <http://evil.example/> {} }',
        "SELECT * WHERE { SERVICE <http://ev\\u0069l.example/> {} }",
        "SELECT * WHERE { SERVICE <file:///etc/passwd> {} }",
        "LOAD <http://evil.example/data.ttl>",
        "LOAD <file:///etc/passwd> INTO GRAPH <urn:x>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://evil.example/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <http://allowed.example.evil.example/> {} }",
        "SELECT * WHERE { \\u0053ERVICE <http://evil.example/> {} }",
    ],
)
def test_outbound_requests_are_refused(text):
    assert remote_access_problem(text, frozenset({"allowed.example"})) is not None


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://evil.example/> { }",
        'SELECT * WHERE { ?s ?p "SERVICE <http://evil.example/> {}" }',
        "SELECT * WHERE { ?s ?p '''LOAD <http://evil.example/>''' }",
        "SELECT ?service ?load WHERE { ?service <http://e/load> ?load }",
        "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:SERVICE ex:LOAD }",
        "SELECT * WHERE { ?s <http://e/#SERVICE> ?o }",
        "SELECT * WHERE { SERVICE <http://allowed.example/sparql> { ?s ?p ?o } }",
    ],
)
def test_harmless_mentions_and_allowed_hosts_pass(text):
    assert remote_access_problem(text, frozenset({"allowed.example"})) is None


# --------------------------------------------------------------------------------- protocol basics


def test_get_form_post_and_direct_post_agree(server, built_store):
    expected = embedded_select(built_store, TRIPLE_QUERY)
    assert expected, "the built dataset should hold triples"
    st, h, body = get_query(server, TRIPLE_QUERY)
    assert st == 200 and h["Content-Type"].startswith("application/sparql-results+json")
    import pyoxigraph as ox

    assert parsed_select(body, ox.QueryResultsFormat.JSON) == expected
    form = urllib.parse.urlencode({"query": TRIPLE_QUERY})
    st, _, body = http(
        "POST",
        server.endpoint,
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
    )
    assert st == 200 and parsed_select(body, ox.QueryResultsFormat.JSON) == expected
    st, _, body = http(
        "POST",
        server.endpoint,
        TRIPLE_QUERY,
        {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+xml"},
    )
    assert st == 200 and parsed_select(body, ox.QueryResultsFormat.XML) == expected


@pytest.mark.parametrize(
    "accept,fmt_name",
    [
        ("application/sparql-results+json", "JSON"),
        ("application/sparql-results+xml", "XML"),
        ("text/tab-separated-values", "TSV"),
    ],
)
def test_select_formats_round_trip(server, built_store, accept, fmt_name):
    import pyoxigraph as ox

    st, h, body = get_query(server, TRIPLE_QUERY, accept)
    assert st == 200 and h["Content-Type"].startswith(accept)
    assert parsed_select(body, getattr(ox.QueryResultsFormat, fmt_name)) == embedded_select(built_store, TRIPLE_QUERY)


def test_csv_has_header_and_one_line_per_row(server, built_store):
    import csv

    st, h, body = get_query(server, TRIPLE_QUERY, "text/csv")
    assert st == 200 and h["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["s", "p", "o"]
    res = list(built_store.query(TRIPLE_QUERY, use_default_graph_as_union=True))
    assert len(rows) - 1 == len(res)
    plain = lambda t: "_:" + t.value if t.__class__.__name__ == "BlankNode" else t.value  # noqa: E731
    assert [rows[1][0], rows[1][2]] == [plain(res[0]["s"]), plain(res[0]["o"])]


def test_ask_in_json_and_xml(server):
    st, _, body = get_query(server, "ASK { ?s ?p ?o }")
    assert st == 200 and json.loads(body)["boolean"] is True
    st, _, body = get_query(server, "ASK { <urn:nothing> ?p ?o }", "application/sparql-results+xml")
    assert st == 200 and b"<boolean>false</boolean>" in body


@pytest.mark.parametrize(
    "accept,fmt_name",
    [
        ("text/turtle", "TURTLE"),
        ("application/n-triples", "N_TRIPLES"),
        ("application/ld+json", "JSON_LD"),
        ("application/rdf+xml", "RDF_XML"),
    ],
)
def test_construct_formats_parse_to_the_same_graph(server, built_store, accept, fmt_name):
    import pyoxigraph as ox

    q = (
        "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?p { <http://www.w3.org/2000/01/rdf-schema#label> "
        "<http://www.w3.org/2004/02/skos/core#definition> } ?s ?p ?o . FILTER(isIRI(?s)) }"
    )
    st, h, body = get_query(server, q, accept)
    assert st == 200 and h["Content-Type"].startswith(accept)
    got = {str(t) for t in ox.parse(body, format=getattr(ox.RdfFormat, fmt_name))}
    want = {str(t) for t in built_store.query(q, use_default_graph_as_union=True)}
    assert got == want and got


def test_describe_returns_rdf(server, built_store):
    import pyoxigraph as ox

    subject = next(iter(built_store.quads_for_pattern(None, None, None, None))).subject
    st, h, body = get_query(server, f"DESCRIBE <{subject.value}>", "text/turtle")
    assert st == 200 and h["Content-Type"].startswith("text/turtle")
    assert any(t.subject == subject for t in ox.parse(body, format=ox.RdfFormat.TURTLE))


def test_protocol_dataset_overrides_union_default(server, built_store):
    graphs = sorted({q.graph_name.value for q in built_store.quads_for_pattern(None, None, None, None)})
    assert len(graphs) >= 2
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    count = lambda body: int(json.loads(body)["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    _, _, all_body = get_query(server, q)
    _, _, one_body = get_query(server, q, **{"default-graph-uri": graphs[0]})
    expected = sum(1 for _ in built_store.quads_for_pattern(None, None, None, None))
    assert count(all_body) == expected
    assert 0 < count(one_body) < expected


def test_service_description_in_turtle(server):
    import pyoxigraph as ox

    st, h, body = http("GET", server.endpoint, headers={"Accept": "text/turtle"})
    assert st == 200 and h["Content-Type"].startswith("text/turtle")
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(t.predicate.value.endswith("#type") and t.object.value == sd + "Service" for t in triples)
    assert any(t.predicate.value == sd + "endpoint" and t.object.value == server.endpoint for t in triples)
    assert any(t.object.value == sd + "UnionDefaultGraph" for t in triples)
    assert not any(t.object.value == sd + "SPARQL11Update" for t in triples)  # read-only server


def test_cors_headers_and_preflight(server):
    st, h, _ = get_query(server, "ASK {}")
    assert h["Access-Control-Allow-Origin"] == "*"
    st, h, _ = http(
        "OPTIONS", server.endpoint, headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"}
    )
    assert st == 204 and "POST" in h["Access-Control-Allow-Methods"]
    assert "content-type" in h["Access-Control-Allow-Headers"].lower()


# ---------------------------------------------------------------------------------- errors and limits


def test_syntax_error_is_400_with_message_and_position(server):
    st, h, body = get_query(server, "SELECT * WHERE {\n  ?s ?p\n}")
    text = body.decode("utf-8")
    assert st == 400
    assert h["X-Lattice-Error-Line"] == "3" and "line 3" in text
    assert "^" in text and "expected" in text


def test_unacceptable_format_is_406(server):
    st, _, body = get_query(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "image/png")
    assert st == 406 and b"application/sparql-results+json" in body
    st, _, _ = get_query(server, "ASK {}", "text/csv")
    assert st == 406


def test_oversized_request_is_413(server):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 60000
    st, _, body = http("POST", server.endpoint, big, {"Content-Type": "application/sparql-query"})
    assert st == 413 and b"limit" in body
    st, _, _ = get_query(server, "ASK {}")  # the server is still there
    assert st == 200


def test_wrong_media_type_method_and_duplicate_query(server):
    assert http("POST", server.endpoint, "ASK {}", {"Content-Type": "text/plain"})[0] == 415
    assert http("PUT", server.endpoint + "?query=ASK%7B%7D")[0] == 405
    assert http("GET", server.endpoint + "?query=ASK%7B%7D&query=ASK%7B%7D")[0] == 400


def test_row_cap_truncates_and_says_so(server):
    st, h, body = get_query(server, MANY_ROWS)
    assert st == 200
    assert len(json.loads(body)["results"]["bindings"]) == 5000
    assert h["X-Lattice-Truncated"].startswith("true")
    st, h, body = get_query(server, "SELECT * WHERE { VALUES ?x { 1 2 3 } }")
    assert "X-Lattice-Truncated" not in h and len(json.loads(body)["results"]["bindings"]) == 3


@pytest.mark.slow
def test_time_limit_gives_503_and_server_stays_responsive(server):
    started = time.monotonic()
    st, _, body = get_query(server, SLOW_QUERY)
    elapsed = time.monotonic() - started
    assert st == 503 and b"time limit" in body
    assert elapsed < 5
    t0 = time.monotonic()
    assert get_query(server, "ASK {}")[0] == 200
    assert time.monotonic() - t0 < 1.0


def test_service_and_load_refused_over_http(server):
    st, _, body = get_query(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }")
    assert st == 403 and b"SERVICE" in body
    form = urllib.parse.urlencode({"update": "LOAD <file:///etc/passwd>"})
    st, _, _ = http("POST", server.endpoint, form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert st == 403


def test_updates_refused_on_a_read_only_server(server):
    st, _, body = http(
        "POST",
        server.endpoint,
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert st == 403 and b"read-only" in body
    assert get_query(server, "ASK { <urn:a> <urn:b> <urn:c> }")[2] == b'{"head": {}, "boolean": false}'
    assert http("GET", server.endpoint + "?update=CLEAR%20ALL")[0] == 405


def test_concurrent_clients_get_correct_answers(server, built_store):
    expected = embedded_select(built_store, TRIPLE_QUERY)
    import pyoxigraph as ox

    errors = []

    def client():
        # a busy server sheds load with 503 and Retry-After, as clients are told to expect; a client that
        # honours it (waiting at most a second here) gets the right answer
        try:
            for _ in range(5):
                for _attempt in range(20):
                    st, headers, body = get_query(server, TRIPLE_QUERY)
                    if st != 503:
                        break
                    assert int(headers.get("Retry-After", "0")) > 0
                    time.sleep(1)
                assert st == 200 and parsed_select(body, ox.QueryResultsFormat.JSON) == expected
        except Exception as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not any(t.is_alive() for t in threads) and not errors


# ------------------------------------------------------------------------------------------ clients


def test_sparqlwrapper_select_ask_construct(server, built_store):
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(server.endpoint)
    client.setQuery(TRIPLE_QUERY)
    client.setReturnFormat(JSON)
    data = client.query().convert()
    assert len(data["results"]["bindings"]) == len(embedded_select(built_store, TRIPLE_QUERY))
    client.setQuery("ASK { ?s ?p ?o }")
    assert client.query().convert()["boolean"] is True
    client.setQuery("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5")
    client.setReturnFormat(TURTLE)
    import rdflib

    g = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert len(g) == 5


def test_rdflib_sparqlstore(server, built_store):
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(server.endpoint, returnFormat="xml")
    graph = rdflib.Graph(store=store)
    rows = list(graph.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 7"))
    assert len(rows) == 7
    n = sum(1 for _ in built_store.quads_for_pattern(None, None, None, None))
    count = next(iter(graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0]
    assert int(count) == n


# ---------------------------------------------------------------------------------------- REST API


def test_prefixes_api_serves_the_one_prefix_map(server):
    from kg.namespaces import PREFIXES

    st, _, body = http("GET", server.url + "/api/prefixes")
    assert st == 200
    assert json.loads(body) == PREFIXES


def test_named_query_list_matches_the_library(server):
    from kg.query import list_queries

    st, _, body = http("GET", server.url + "/api/queries")
    assert st == 200
    listed = json.loads(body)
    assert [q["name"] for q in listed] == [q.name for q in list_queries()]
    for q in listed:
        assert q["href"] == f"/api/queries/{q['name']}" and "sparql" in q


def _param_value(p, built_store):
    """A value for a required parameter: an IRI used in the graph, a date, an integer or a string."""
    if p.default:
        return p.default
    if p.type == "iri":
        found = values(
            built_store,
            "PREFIX lat: <https://w3id.org/lattice/ontology#> SELECT ?a WHERE "
            "{ ?a lat:accountableTo ?f } ORDER BY ?a LIMIT 1",
            "a",
            use_default_graph_as_union=True,
        )
        return found[0] if found else "https://w3id.org/lattice/id/fatf"
    return {"date": "2020-01-01", "integer": "3", "boolean": "true"}.get(p.type, "x")


def test_every_named_query_over_rest_equals_the_embedded_run(server, built_store):
    from kg.query import list_queries, run_named

    queries = list_queries()
    assert queries
    for info in queries:
        params = {p.name: _param_value(p, built_store) for p in info.params if p.required}
        qs = urllib.parse.urlencode(params)
        st, _h, body = http(
            "GET", f"{server.url}/api/queries/{info.name}?{qs}", headers={"Accept": "application/sparql-results+json"}
        )
        assert st == 200, (info.name, body[:300])
        data = json.loads(body)
        embedded = run_named(info.name, store=built_store, **params)
        if isinstance(embedded, bool):
            assert data["boolean"] == embedded
            continue
        assert len(data["results"]["bindings"]) == len(embedded), info.name


def test_named_query_errors_are_json(server):
    st, _, body = http("GET", server.url + "/api/queries/no-such-query")
    assert st == 404 and "error" in json.loads(body)
    from kg.query import list_queries

    needs = next((q for q in list_queries() if any(p.required for p in q.params)), None)
    if needs is None:
        pytest.skip("no named query with a required parameter")
    st, _, body = http("GET", f"{server.url}/api/queries/{needs.name}")
    assert st == 400 and "required" in json.loads(body)["error"]
    iri_param = next((p for p in needs.params if p.type == "iri"), None)
    if iri_param:
        st, _, body = http("GET", f"{server.url}/api/queries/{needs.name}?{iri_param.name}=%3E%20%7D%20SERVICE")
        assert st == 400


def test_openapi_document_describes_each_named_query(server):
    from kg.query import list_queries

    st, _, body = http("GET", server.url + "/api/openapi.json")
    doc = json.loads(body)
    assert st == 200 and doc["openapi"].startswith("3.1")
    for info in list_queries():
        op = doc["paths"][f"/api/queries/{info.name}"]["get"]
        declared = {p["name"] for p in op["parameters"]}
        assert {p.name for p in info.params} <= declared
    assert "/sparql" in doc["paths"] and "post" in doc["paths"]["/sparql"]


# ------------------------------------------------------------------------------------ ontology IRIs


def _a_term(built_store):
    found = values(
        built_store,
        "SELECT ?t WHERE { GRAPH <https://w3id.org/lattice/graph/ontology> { ?t a ?k } "
        "FILTER(STRSTARTS(STR(?t), 'https://w3id.org/lattice/ontology#')) } ORDER BY ?t LIMIT 1",
        "t",
    )
    if not found:
        pytest.skip("the ontology graph declares no lat: terms yet")
    return found[0]


def test_ontology_page_lists_every_term_with_an_anchor(server, built_store):
    st, h, body = http("GET", server.url + "/ontology", headers={"Accept": "text/html"})
    assert st == 200 and h["Content-Type"].startswith("text/html")
    page = body.decode("utf-8")
    names = [
        t.split("#", 1)[1]
        for t in values(
            built_store,
            "SELECT DISTINCT ?t WHERE { GRAPH <https://w3id.org/lattice/graph/ontology> "
            "{ ?t ?p ?o } FILTER(STRSTARTS(STR(?t), 'https://w3id.org/lattice/ontology#')) }",
            "t",
        )
    ]
    if not names:
        pytest.skip("the ontology graph declares no lat: terms yet")
    missing = [n for n in names if f'id="{n}"' not in page]
    assert not missing


def test_ontology_in_rdf_by_content_negotiation(server, built_store):
    import pyoxigraph as ox

    for accept, fmt in [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ]:
        st, h, body = http("GET", server.url + "/ontology", headers={"Accept": accept})
        assert st == 200 and h["Content-Type"].startswith(accept)
        n = sum(1 for _ in ox.parse(body, format=fmt))
        want = sum(
            1
            for _ in built_store.quads_for_pattern(
                None, None, None, ox.NamedNode("https://w3id.org/lattice/graph/ontology")
            )
        )
        assert n == want


def test_term_iri_redirects_browsers_and_describes_for_rdf_clients(server, built_store):
    import pyoxigraph as ox

    term = _a_term(built_store)
    name = term.split("#", 1)[1]
    conn_url = f"{server.url}/ontology/{name}"

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(urllib.request.Request(conn_url, headers={"Accept": "text/html"}))
        status, location = 200, None
    except urllib.error.HTTPError as exc:
        status, location = exc.code, exc.headers.get("Location")
    assert status == 303 and location == f"/ontology#{name}"
    st, _h, body = http("GET", conn_url, headers={"Accept": "text/turtle"})
    assert st == 200
    assert any(t.subject.value == term for t in ox.parse(body, format=ox.RdfFormat.TURTLE))
    assert http("GET", f"{server.url}/ontology/NoSuchTermAtAll", headers={"Accept": "text/turtle"})[0] == 404


def test_instance_iris_resolve(server, built_store):
    found = values(
        built_store,
        "SELECT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), 'https://w3id.org/lattice/id/') "
        "|| STRSTARTS(STR(?s), 'https://w3id.org/lattice/source/')) } LIMIT 1",
        "s",
        use_default_graph_as_union=True,
    )
    if not found:
        pytest.skip("no instance IRIs in the built dataset")
    path = found[0][len("https://w3id.org/lattice") :]
    st, _h, body = http("GET", server.url + path, headers={"Accept": "text/html"})
    assert st == 200 and found[0].encode() in body
    st, _h, body = http("GET", server.url + path, headers={"Accept": "application/n-triples"})
    assert st == 200 and f"<{found[0]}>".encode() in body


def test_shapes_iri_serves_the_shapes_graph(server, built_store):
    import pyoxigraph as ox

    graph = ox.NamedNode("https://w3id.org/lattice/graph/shapes")
    want = sum(1 for _ in built_store.quads_for_pattern(None, None, None, graph))
    st, h, body = http("GET", server.url + "/shapes", headers={"Accept": "application/n-triples"})
    assert st == 200 and h["Content-Type"].startswith("application/n-triples")
    assert sum(1 for _ in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)) == want
    names = sorted(
        {
            q.subject.value.split("#", 1)[1]
            for q in built_store.quads_for_pattern(None, None, None, graph)
            if q.subject.value.startswith("https://w3id.org/lattice/shapes#")
        }
    )
    st, _, page = http("GET", server.url + "/shapes", headers={"Accept": "text/html"})
    assert st == 200
    assert [n for n in names if f'id="{n}"'.encode() not in page] == []


def test_web_page_and_assets_are_served(server):
    st, h, body = http("GET", server.url + "/")
    assert st == 200 and h["Content-Type"].startswith("text/html") and b'id="named-query"' in body
    for asset, kind in [("app.js", "text/javascript"), ("style.css", "text/css")]:
        st, h, _ = http("GET", f"{server.url}/web/{asset}")
        assert st == 200 and h["Content-Type"].startswith(kind)
    assert http("GET", server.url + "/web/..%2Fserve.py")[0] == 404


# ----------------------------------------------------------------------- updates, persistence, shutdown


@pytest.fixture
def writable_server(built_dataset, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    store = tmp_path / "store"
    s = KgServer(dataset=built_dataset, store=store, args=["--allow-update", "--token-file", token_file])
    s.start()
    yield s, store
    s.stop()


def _update(server, text, token=TOKEN):
    headers = {"Content-Type": "application/sparql-update"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return http("POST", server.endpoint, text, headers)


@pytest.mark.slow
def test_updates_need_the_token_and_persist_through_concurrent_writes(writable_server, built_store):
    import pyoxigraph as ox

    server, store_path = writable_server
    assert _update(server, "INSERT DATA { <urn:x> <urn:p> 1 }", token=None)[0] == 401
    assert _update(server, "INSERT DATA { <urn:x> <urn:p> 1 }", token="wrong-token-wrong-token")[0] == 403
    assert _update(server, "LOAD <http://127.0.0.1:9/x>")[0] == 403
    _st, _, body = http("GET", server.endpoint, headers={"Accept": "text/turtle"})
    assert b"SPARQL11Update" in body
    _st, _, body = get_query(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    base = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert base > 0
    errors = []

    def writer(k):
        try:
            for i in range(10):
                st, _, body = _update(server, f"INSERT DATA {{ GRAPH <urn:test> {{ <urn:w{k}> <urn:n> {i} }} }}")
                assert st == 204, body
                st, _, _ = get_query(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
                assert st == 200
        except Exception as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert server.stop() == 0
    reopened = ox.Store.read_only(str(store_path))
    assert len(list(reopened.quads_for_pattern(None, None, None, ox.NamedNode("urn:test")))) == 40
    assert sum(1 for _ in reopened.quads_for_pattern(None, None, None, None)) == base + 40


@pytest.mark.slow
def test_sigterm_stops_cleanly_and_releases_the_port(built_dataset):
    s = KgServer(dataset=built_dataset)
    s.start()
    port = s.port
    assert get_query(s, "ASK {}")[0] == 200
    s.proc.send_signal(signal.SIGTERM)
    assert s.proc.wait(15) == 0
    assert port_is_free(port)
    s.stop()


def test_update_options_are_checked(tmp_path, capsys):
    from kg.serve import main

    assert main(["--allow-update", "--port", "0"]) == 2
    assert "--token-file" in capsys.readouterr().err
    short = tmp_path / "short"
    short.write_text("abc")
    assert main(["--allow-update", "--token-file", str(short), "--port", "0"]) == 2
    assert "at least 16" in capsys.readouterr().err
    assert main(["--token-file", str(short), "--port", "0"]) == 2


@pytest.mark.slow
def test_kg_load_into_an_updatable_kg_serve_falls_back_to_sparql_update(writable_server, built_store):
    from kg.load import Target, load

    server, _ = writable_server
    target = Target(server.endpoint, token=TOKEN)
    _update(server, "INSERT DATA { GRAPH <https://w3id.org/lattice/graph/inferred> { <urn:stale> <urn:p> 1 } }")
    for _ in range(2):  # a second run replaces, it does not add
        report = load(built_store, target, batch=3000)
        assert report.method == "update"  # this server has no Graph Store Protocol
        for graph, n in report.graphs.items():
            assert target.count(graph) == n, graph
    assert get_query(server, "ASK { <urn:stale> ?p ?o }")[2] == b'{"head": {}, "boolean": false}'
    from kg.errors import UsageError

    with pytest.raises(UsageError, match="HTTP 403"):
        load(built_store, Target(server.endpoint, token="wrong-token-wrong-token"), batch=3000, method="update")


def test_bad_protocol_graph_iri_is_400(server):
    st, _, body = get_query(server, "ASK {}", **{"default-graph-uri": "not an iri"})
    assert st == 400 and b"bad request" in body


def test_format_parameter_overrides_accept_only_when_it_fits_the_result(server):
    st, h, _ = get_query(server, "SELECT * WHERE { VALUES ?x { 1 } }", "application/sparql-results+json", format="csv")
    assert st == 200 and h["Content-Type"].startswith("text/csv")
    # SPARQLWrapper sends format=xml with every query; for a graph result the Accept header decides
    st, h, _ = get_query(server, "CONSTRUCT { <urn:a> <urn:b> 1 } WHERE {}", "application/n-triples", format="xml")
    assert st == 200 and h["Content-Type"].startswith("application/n-triples")
