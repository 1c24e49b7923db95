"""The W3C SPARQL 1.1 protocol tests (../shared/data/w3c-tests/sparql11/protocol) run against `kg serve`."""

from __future__ import annotations

import http.client
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kg.thirdparty import KgServer

TOKEN = "w3c-protocol-token-0123456789"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
HTS = "http://www.w3.org/2011/http-statusCodes#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

UNSUPPORTED: dict = {}  # protocol tests this server does not pass, with the reason


def protocol_dir() -> Path | None:
    from kg.paths import shared_dir

    found = shared_dir()
    d = found / "data" / "w3c-tests" / "sparql11" / "protocol" if found else None
    return d if d and (d / "manifest.ttl").is_file() else None


def load_manifest(directory: Path) -> list[dict]:
    """The protocol tests in manifest order: name, requests (method, path, headers, body, expectations), data."""
    import rdflib
    from rdflib.collection import Collection

    g = rdflib.Graph().parse(directory / "manifest.ttl", format="turtle", publicID=directory.as_uri() + "/")
    mf, ht, cnt, ut = (rdflib.Namespace(n) for n in (MF, HT, CNT, UT))
    manifest = next(g.subjects(rdflib.RDF.type, mf.Manifest))
    tests = []
    for entry in Collection(g, g.value(manifest, mf.entries)):
        name = str(entry).rsplit("#", 1)[1]
        data = []
        for gd in g.objects(entry, ut.graphData):
            data.append((Path(urlsplit(str(g.value(gd, ut.graph))).path).name, str(g.value(gd, rdflib.RDFS.label))))
        action = g.value(entry, mf.action)
        requests = []
        for req in Collection(g, g.value(action, ht.requests)):
            body = g.value(req, ht.body)
            headers = {}
            hlist = g.value(req, ht.headers)
            if hlist is not None:
                for h in Collection(g, hlist):
                    headers[str(g.value(h, ht.fieldName))] = str(g.value(h, ht.fieldValue))
            resp = g.value(req, ht.resp)
            boolean = g.value(resp, mf.expectedBoolean)
            fmt = g.value(resp, mf.expectedFormat)
            requests.append(
                {
                    "method": str(g.value(req, ht.methodName)),
                    "path": str(g.value(req, ht.absolutePath)),
                    "headers": headers,
                    "body": None
                    if body is None
                    else (str(g.value(body, cnt.chars)), str(g.value(body, cnt.characterEncoding) or "UTF-8")),
                    "status": sorted(str(s)[len(HTS) :] for s in g.objects(resp, mf.expectedStatus)),
                    "boolean": None if boolean is None else boolean.toPython(),
                    "format": None if fmt is None else str(fmt),
                }
            )
        tests.append({"name": name, "label": str(g.value(entry, mf.name)), "requests": requests, "data": data})
    return tests


PROTOCOL_DIR = protocol_dir()
TESTS = load_manifest(PROTOCOL_DIR) if PROTOCOL_DIR else []
QUERY_SIDE = [t for t in TESTS if "update" not in t["name"]]
UPDATE_SIDE = [t for t in TESTS if "update" in t["name"]]


def make_store(path: Path, tests: list[dict]) -> None:
    """A pyoxigraph store holding every data file the tests name, each in the graph its label gives."""
    import pyoxigraph as ox

    store = ox.Store(str(path))
    seen = set()
    for t in tests:
        for filename, graph in t["data"]:
            if (filename, graph) in seen:
                continue
            seen.add((filename, graph))
            store.load(path=str(PROTOCOL_DIR / filename), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
    store.add(
        ox.Quad(
            ox.NamedNode("http://example.org/"),
            ox.NamedNode("http://example.org/p"),
            ox.Literal("described"),
            ox.NamedNode("urn:lattice:protocol-test"),
        )
    )
    store.flush()
    del store


def perform(server: KgServer, req: dict, auth: bool) -> tuple[int, str, bytes]:
    """Send one manifest request exactly as written (headers and body), with /sparql/ mapped to the endpoint;
    once more if the server sheds it with 503 and Retry-After (busy, or a worker past the time limit), as a
    client is told to, unless the manifest expects a 5xx."""
    status, ctype, body, retry = _perform_once(server, req, auth)
    if status == 503 and retry and "StatusCode5xx" not in req["status"]:
        time.sleep(1)
        status, ctype, body, _ = _perform_once(server, req, auth)
    return status, ctype, body


def _perform_once(server: KgServer, req: dict, auth: bool) -> tuple[int, str, bytes, bool]:
    path = req["path"]
    assert path.startswith("/sparql/")
    path = "/sparql" + path[len("/sparql") :]
    # longer than the server's 30 s query limit: a stuck worker shows as the server's 503, not a client timeout
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    headers = dict(req["headers"])
    if auth:
        headers["Authorization"] = f"Bearer {TOKEN}"
    body = None
    if req["body"] is not None:
        text, encoding = req["body"]
        body = text.encode(encoding.lower())
    try:
        conn.putrequest(req["method"], path, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type") or "", resp.read(), resp.getheader("Retry-After") is not None
    finally:
        conn.close()


def check(req: dict, status: int, ctype: str, body: bytes) -> None:
    classes = {"StatusCode2xx": 2, "StatusCode3xx": 3, "StatusCode4xx": 4, "StatusCode5xx": 5}
    wanted = {classes[s] for s in req["status"] if s in classes}
    assert status // 100 in wanted, f"status {status}, expected {req['status']}: {body[:300]!r}"
    media = ctype.split(";")[0].strip().lower()
    fmt = req["format"]
    if fmt == "boolean" or req["boolean"] is not None:
        assert media in ("application/sparql-results+json", "application/sparql-results+xml")
        if media.endswith("json"):
            value = json.loads(body)["boolean"]
        else:
            value = b"<boolean>true</boolean>" in body
        if req["boolean"] is not None:
            assert value is req["boolean"]
    elif fmt == "tabular":
        assert media in (
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
        )
    elif fmt == "RDF":
        assert media in ("application/rdf+xml", "text/turtle", "application/n-triples")


@pytest.fixture(scope="module")
def read_only_server(tmp_path_factory):
    if not TESTS:
        pytest.skip("the W3C protocol tests (../shared/data/w3c-tests/sparql11/protocol) are not present")
    path = tmp_path_factory.mktemp("w3c") / "store"
    make_store(path, TESTS)
    with KgServer(store=path) as server:
        yield server


@pytest.fixture(scope="module")
def update_server(tmp_path_factory):
    if not TESTS:
        pytest.skip("the W3C protocol tests (../shared/data/w3c-tests/sparql11/protocol) are not present")
    folder = tmp_path_factory.mktemp("w3c-update")
    make_store(folder / "store", TESTS)
    (folder / "token").write_text(TOKEN)
    with KgServer(store=folder / "store", args=["--allow-update", "--token-file", folder / "token"]) as server:
        yield server


@pytest.mark.parametrize("test", QUERY_SIDE or [None], ids=[t["name"] for t in QUERY_SIDE] or ["absent"])
def test_query_side_protocol(read_only_server, test):
    for req in test["requests"]:
        check(req, *perform(read_only_server, req, auth=False))


@pytest.mark.parametrize("test", UPDATE_SIDE or [None], ids=[t["name"] for t in UPDATE_SIDE] or ["absent"])
def test_update_side_protocol(update_server, test):
    if test["name"] in UNSUPPORTED:
        pytest.xfail(UNSUPPORTED[test["name"]])
    for req in test["requests"]:
        check(req, *perform(update_server, req, auth=True))


@pytest.mark.parametrize(
    "test",
    [t for t in UPDATE_SIDE if t["name"].startswith("bad_")] or [None],
    ids=[t["name"] for t in UPDATE_SIDE if t["name"].startswith("bad_")] or ["absent"],
)
def test_malformed_updates_are_refused_by_a_read_only_server(read_only_server, test):
    for req in test["requests"]:
        status = perform(read_only_server, req, auth=False)[0]
        assert 400 <= status < 500
