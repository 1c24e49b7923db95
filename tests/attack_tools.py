"""Helpers of the attack suite: a listener that counts outbound connections, raw HTTP, hostile queries."""

from __future__ import annotations

import socket
import threading
import time

SECRET = b"INTERNAL-ADMIN-SECRET-7f3a"


class Listener:
    """A fake internal service on 127.0.0.1 that counts every connection made to it and answers SECRET."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/internal-admin"

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.count += 1
            try:
                conn.settimeout(1)
                conn.recv(65536)
                body = b"<sparql><results>" + SECRET + b"</results></sparql>"
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+xml\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
            except OSError:
                pass
            finally:
                conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def raw(port: int, data: bytes, timeout: float = 5.0, read_until_close: bool = True) -> bytes:
    """Send DATA on a fresh connection and return everything the server sends until it closes (or TIMEOUT)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if not read_until_close:
                break
        return b"".join(chunks)
    finally:
        s.close()


def statuses(response: bytes) -> list[int]:
    """The status codes of every HTTP response in a byte stream."""
    out = []
    for line in response.split(b"\r\n"):
        if line.startswith(b"HTTP/1.") and len(line) >= 12 and line[9:12].isdigit():
            out.append(int(line[9:12]))
    return out


# The hostile queries of the findings (each small; each crashed, hung or exhausted the old server).
NESTING = {
    "3000 unclosed braces": "SELECT * WHERE " + "{" * 3000,
    "10k FILTERs": "SELECT * WHERE { ?s ?p ?o " + "FILTER(true) " * 10000 + "}",
    "8k UNION branches": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 8000) + " }",
    "10k nested parentheses": "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 10000 + "true" + ")" * 10000 + ") }",
    "3k nested OPTIONALs": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 3000 + "}" * 3000 + " }",
}
EXPENSIVE = {
    "ORDER BY over a cartesian product": "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
    "COUNT over a cartesian product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "doubling CONCAT binds": 'SELECT ?x33 WHERE { BIND("xxxxxxxxxxxxxxxx" AS ?x0) '
    + " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(33))
    + " }",
}
