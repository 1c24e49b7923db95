"""The endpoint under attack: SSRF, crashes, lock-ups and the low findings, over real HTTP on 127.0.0.1."""

# A fake internal service (tests.attack_tools.Listener) counts every connection; after each test it must have
# seen none, and no response may carry what it would answer.

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from kg.thirdparty import KgServer
from tests.attack_tools import EXPENSIVE, NESTING, SECRET, Listener

TIMEOUT = 2.0
TOKEN = "attack-token-0123456789abcdef"


@pytest.fixture(scope="module")
def listener():
    with Listener() as lst:
        yield lst


@pytest.fixture(scope="module")
def server(built_dataset, listener):
    args = ["--timeout", str(TIMEOUT), "--worker-memory", "384", "--workers", "2"]
    with KgServer(dataset=built_dataset, args=args) as s:
        yield s
    assert "Traceback" not in s.log_text()


@pytest.fixture(autouse=True)
def no_outbound(listener):
    before = listener.count
    yield
    assert listener.count == before, "the server opened a connection to the internal service"


def http(method, url, body=None, headers=None, timeout=30):
    data = body.encode("utf-8") if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def post_query(server, text, accept="application/sparql-results+json", timeout=30):
    return http(
        "POST", server.endpoint, text, {"Content-Type": "application/sparql-query", "Accept": accept}, timeout=timeout
    )


def named(server, timeout=30):
    """A named REST query, as another client would send it."""
    return http(
        "GET",
        server.url + "/api/queries/accountability-direct?actor=https%3A%2F%2Fw3id.org%2Flattice%2Fid%2Ffatf",
        headers={"Accept": "application/sparql-results+json"},
        timeout=timeout,
    )


# ------------------------------------------------------------------------------------------- SSRF


@pytest.mark.parametrize("prefix", ["/id/", "/source/", "/graph/"])
def test_iri_routes_never_build_query_text(server, listener, prefix):
    injected = f"x> WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }} #"
    st, _, body = http(
        "GET", server.url + prefix + urllib.parse.quote(injected, safe=""), headers={"Accept": "text/turtle"}
    )
    assert st == 404 and SECRET not in body
    st, _, body = http("GET", server.url + prefix + urllib.parse.quote(injected, safe=""))  # the HTML page too
    assert st == 404 and SECRET not in body


BYPASSES = {
    "carriage return ends a comment": "SELECT * WHERE { ?s ?p ?o # note\rSERVICE <{url}> { ?s ?p ?o } }",
    "true.SERVICE read as one token": "SELECT * WHERE { ?s ?p true.SERVICE <{url}> { ?s ?p ?o } }",
    "FILTER(?a<?b)SERVICE#> fake IRI": "SELECT * WHERE { ?a ?b ?c FILTER(?a<?b)SERVICE#>\n <{url}> { ?s ?p ?o } }",
    "local-name escape opens a fake string": "PREFIX e: <http://e/> SELECT * WHERE { ?s e:a\\' ?o . SERVICE <{url}> { ?s ?p ?o } } #'",
}


@pytest.mark.parametrize("name", list(BYPASSES))
def test_guard_bypasses_of_the_text_guard_are_refused(server, listener, name):
    text = BYPASSES[name].replace("{url}", listener.url)
    st, _, body = post_query(server, text)
    assert st == 403, (st, body[:200])
    assert SECRET not in body


def test_service_to_an_allowed_host_is_still_checked_on_the_parse(built_dataset, listener):
    text = BYPASSES["carriage return ends a comment"].replace("{url}", listener.url)
    args = ["--timeout", "5", "--allow-service", "allowed.example", "--workers", "1"]
    with KgServer(dataset=built_dataset, args=args) as s:
        st, _, body = post_query(s, text)
        assert st == 403 and SECRET not in body


def test_load_by_a_token_holder_is_refused(built_dataset, listener, tmp_path):
    token = tmp_path / "token"
    token.write_text(TOKEN)
    args = ["--allow-update", "--token-file", str(token), "--workers", "1"]
    with KgServer(dataset=built_dataset, args=args) as s:
        for text in [
            f"LOAD <{listener.url}>",
            f"LOAD SILENT <{listener.url}> INTO GRAPH <urn:x>",
            f"# x\rLOAD <{listener.url}>",
            f"INSERT {{ ?s ?p ?o }} WHERE {{ ?s ?p true.SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
        ]:
            st, _, body = http(
                "POST",
                s.endpoint,
                text,
                {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
            )
            assert st == 403, (text, st, body[:200])


def test_workers_have_no_network(server):
    st, _, body = http("GET", server.url + "/health")
    assert st == 200 and b"network blocked" in body


def test_a_confined_worker_cannot_connect_even_unguarded(listener):
    """The structural measure alone: a forked, confined process running SERVICE reaches nothing."""
    import os

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            import pyoxigraph as ox

            from kg.serve.sandbox import forbid_network

            if forbid_network():
                try:
                    list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
                    code = 3
                except OSError:
                    code = 0
        finally:
            os.write(w, bytes([code]))
            os._exit(0)
    os.close(w)
    code = os.read(r, 1)
    os.waitpid(pid, 0)
    assert code == b"\x00"


# ----------------------------------------------------------------------------------- crashes


@pytest.mark.parametrize("name", list(NESTING))
def test_deep_nesting_is_refused_before_parsing(server, name):
    st, _, body = post_query(server, NESTING[name])
    assert st == 400 and b"before parsing" in body
    assert named(server)[0] == 200


@pytest.mark.slow
@pytest.mark.parametrize("name", list(EXPENSIVE))
def test_expensive_queries_are_stopped_and_free_their_worker(server, name):
    started = time.monotonic()
    st, _, body = post_query(server, EXPENSIVE[name])
    assert st == 503, (st, body[:200])
    assert time.monotonic() - started < TIMEOUT + 3
    st, _, body = http("GET", server.url + "/health")
    assert st == 200


@pytest.mark.slow
def test_four_blocking_aggregates_do_not_take_the_endpoint_down(server):
    """The finding: four COUNT(*) cartesian queries left every later request with 503 for minutes."""
    results = []

    def hostile():
        results.append(post_query(server, EXPENSIVE["COUNT over a cartesian product"])[0])

    threads = [threading.Thread(target=hostile) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    st, _, _ = named(server)  # named queries have workers of their own
    assert st == 200
    for t in threads:
        t.join(60)
    assert results and all(s == 503 for s in results)
    time.sleep(1.0)  # slots free within timeout + 1 s
    started = time.monotonic()
    st, _, body = post_query(server, "ASK { ?s ?p ?o }")
    assert st == 200 and time.monotonic() - started < 1.5
    assert b"true" in body


# --------------------------------------------------------------------------------- low findings


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { BIND(<urn:no-such-function>(1) AS ?x) }",
        "SELECT * WHERE { BIND(<http://x y> AS ?x) }",
        'SELECT * WHERE { ?s ?p "a\x00b" }',
    ],
)
def test_bad_queries_are_4xx_not_500(server, text):
    st, _, body = post_query(server, text)
    assert 400 <= st < 500, (st, body[:200])
    assert b"Traceback" not in body


def test_long_or_odd_query_names_are_4xx_without_paths(server):
    for name in ["x" * 5000, "..%2F..%2Fetc%2Fpasswd", "a%00b"]:
        st, _, body = http("GET", f"{server.url}/api/queries/{name}")
        assert st in (400, 404), (name[:20], st)
        assert b"/work/" not in body and b"site-packages" not in body and b".rq" not in body


def test_host_header_is_never_reflected(server):
    evil = "evil.example> . <urn:a> <urn:b> <urn:c"
    st, _, body = http("GET", server.url + "/api/openapi.json", headers={"Host": evil})
    assert st == 200 and b"evil" not in body
    st, _, body = http("GET", server.endpoint, headers={"Host": evil, "Accept": "text/turtle"})
    assert st == 200 and b"evil" not in body
    assert f"<{server.endpoint}>".encode() in body


def test_public_url_is_used_instead(built_dataset):
    with KgServer(dataset=built_dataset, args=["--public-url", "https://lattice.example.org", "--workers", "1"]) as s:
        _st, _, body = http("GET", s.url + "/api/openapi.json")
        assert json.loads(body)["servers"] == [{"url": "https://lattice.example.org"}]
        _st, _, body = http("GET", s.endpoint, headers={"Accept": "text/turtle"})
        assert b"<https://lattice.example.org/sparql>" in body


def test_security_headers_on_every_response(server):
    for path in ["/", "/sparql?query=ASK%7B%7D", "/api/queries", "/nothing", "/ontology"]:
        _, h, _ = http("GET", server.url + path)
        assert h["X-Content-Type-Options"] == "nosniff", path
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"], path


def test_only_http_links_are_rendered(built_dataset, tmp_path):
    token = tmp_path / "token"
    token.write_text(TOKEN)
    args = ["--allow-update", "--token-file", str(token), "--workers", "1"]
    with KgServer(dataset=built_dataset, args=args) as s:
        st, _, body = http(
            "POST",
            s.endpoint,
            "INSERT DATA { GRAPH <urn:t> { <https://w3id.org/lattice/id/x-js> "
            "<https://w3id.org/lattice/ontology#p> <javascript:alert(1)> , <http://example.org/ok> } }",
            {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        )
        assert st == 204, body
        st, _, page = http("GET", s.url + "/id/x-js", headers={"Accept": "text/html"})
        assert st == 200
        assert b'href="javascript:' not in page.lower()
        assert b'href="http://example.org/ok"' in page


def test_fuzzed_variants_over_http(server, listener):
    """A sample of the fuzz variants through the whole server: never a 5xx other than limits, never a leak."""
    import random

    from tests.test_attack_fuzz import variant

    rng = random.Random(7)
    for _ in range(60):
        st, _, body = post_query(server, variant(rng, listener.url), accept="*/*")
        assert st in (200, 400, 403, 503), (st, body[:200])
        assert SECRET not in body


@pytest.mark.slow
def test_memory_cap_stops_growing_queries_long_before_the_time_limit(built_dataset):
    """ORDER BY over a cartesian product and doubling CONCATs grew memory at ~400 MB/s until the process died."""
    with KgServer(dataset=built_dataset, args=["--timeout", "30", "--worker-memory", "128", "--workers", "1"]) as s:
        for name in ["ORDER BY over a cartesian product", "doubling CONCAT binds"]:
            started = time.monotonic()
            st, _, body = post_query(s, EXPENSIVE[name])
            assert st == 503 and b"memory" in body, (name, st, body[:200])
            assert time.monotonic() - started < 10
        assert http("GET", s.url + "/health")[0] == 200
        assert "Traceback" not in s.log_text() and "stack backtrace" not in s.log_text()


def test_named_queries_are_within_the_pre_parse_limits():
    from kg.query import _with_prologue, list_queries
    from kg.serve.guard import MAX_DEPTH, limits_problem

    queries = list_queries()
    assert queries
    for info in queries:
        text = _with_prologue(info.text)
        assert limits_problem(text) is None, info.name
        # with room to spare: half the depth limit
        assert limits_problem(text, max_depth=MAX_DEPTH // 2) is None, info.name
    assert limits_problem("SELECT * WHERE " + "{" * (MAX_DEPTH + 1)) is not None


@pytest.mark.parametrize(
    "text",
    [
        '"' + "}" * 200 + '" ' + "{" * 100,  # closers in a string do not hide real openers
        "# " + "}" * 200 + "\r" + "{" * 100,  # a CR ends the comment
        "<" + "(" * 100 + ">",  # brackets in an IRI-like token still count
        "'''" + "{" * 100,  # an unterminated long string
        "ex:a\\' " + "{" * 100 + " #'",  # a local-name escape is no string opener
    ],
)
def test_pre_parse_depth_cannot_be_hidden(text):
    from kg.serve.guard import limits_problem

    assert limits_problem(text) is not None
