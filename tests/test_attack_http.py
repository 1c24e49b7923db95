"""The HTTP layer under attack: strict parsing, no request desync, deadlines, and connection floods."""

from __future__ import annotations

import socket
import time
import urllib.request

import pytest

from kg.thirdparty import KgServer
from tests.attack_tools import raw, statuses


@pytest.fixture(scope="module")
def server(built_dataset):
    args = [
        "--workers",
        "1",
        "--idle-timeout",
        "1.5",
        "--header-timeout",
        "1.5",
        "--body-timeout",
        "1.5",
        "--max-connections",
        "300",
        "--max-body",
        "10000",
    ]
    with KgServer(dataset=built_dataset, args=args) as s:
        yield s
    assert "Traceback" not in s.log_text()


def ask_ok(server) -> bool:
    with urllib.request.urlopen(server.endpoint + "?query=ASK%7B%7D", timeout=10) as r:
        return r.status == 200


def test_duplicate_content_length_is_rejected(server):
    req = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nASK{}"
    )
    assert statuses(raw(server.port, req, timeout=5)) == [400]


def test_http09_request_line_is_rejected_at_once(server):
    started = time.monotonic()
    out = raw(server.port, b"GET /sparql\r\n\r\n", timeout=5)
    assert statuses(out) == [400] and time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    "path,body_headers",
    [
        ("/nothing-here", b""),  # 404 route
        ("/sparql", b"Content-Type: text/plain\r\n"),  # 415
        ("/ontology", b""),  # 405
    ],
)
def test_unread_bodies_are_never_parsed_as_a_second_request(server, path, body_headers):
    smuggled = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    req = (
        b"POST "
        + path.encode()
        + b" HTTP/1.1\r\nHost: x\r\n"
        + body_headers
        + b"Content-Length: "
        + str(len(smuggled)).encode()
        + b"\r\n\r\n"
        + smuggled
    )
    out = raw(server.port, req, timeout=3)
    codes = statuses(out)
    assert len(codes) == 1 and codes[0] >= 400, codes


def test_oversized_body_is_413_and_the_connection_closes(server):
    req = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 50000\r\n\r\n"
    out = raw(server.port, req + b"#" * 100, timeout=5)
    assert statuses(out) == [413] and b"connection: close" in out.lower()


def test_idle_and_slow_connections_are_closed_on_deadline(server):
    for data in [
        b"",
        b"GET / HTTP/1.1\r\nX-Slow: 1",
        b"\r\n",
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nASK",
    ]:
        started = time.monotonic()
        raw(server.port, data, timeout=10)
        assert time.monotonic() - started < 4.0, data


@pytest.mark.slow
def test_connection_flood_does_not_lock_out_a_new_client(server):
    """More idle and half-sent connections than the server's cap: the longest-idle give way to a new client."""
    held = []
    try:
        for i in range(400):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            if i % 2:
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # a slow client: headers never finished
            held.append(s)
        started = time.monotonic()
        assert ask_ok(server)
        assert time.monotonic() - started < 2.0
    finally:
        for s in held:
            s.close()
