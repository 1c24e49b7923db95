"""The HTTP server (uvicorn with httptools) with connection limits, header/body/idle deadlines and strict parsing."""

from __future__ import annotations

import asyncio
import resource
import socket
import time

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kg.serve.config import ServeConfig

MAX_HEADER_BYTES = 64 * 1024
MAX_URL_BYTES = 16 * 1024


def raise_file_limit() -> int:
    """Raise the soft limit on open files to the hard limit (connections are files); returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    except (ValueError, OSError):
        return soft


def guarded_protocol(config: ServeConfig):
    """A uvicorn HTTP protocol class enforcing CONFIG's connection limits and deadlines.

    Every connection has one deadline at a time: idle (no request begun), headers (request line and headers
    not complete), body (body not complete). Reaching it closes the connection. Beyond max_connections, a new
    connection closes the longest-idle or slowest-sending one; when every connection is busy with a request
    in the application, the new one is refused. Request lines without an HTTP version (HTTP/0.9), duplicate
    Content-Length headers, oversized URLs and header blocks get 400 and a closed connection.
    """
    connections: set = set()

    class GuardedProtocol(HttpToolsProtocol):
        def connection_made(self, transport):  # type: ignore[override]
            super().connection_made(transport)
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                try:  # headers and body leave in separate writes: no 40 ms Nagle / delayed-ACK stall
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except OSError:
                    pass
            self._timer = None
            self._stage = "idle"
            self._since = time.monotonic()
            self._header_bytes = 0
            self._content_lengths = 0
            if len(connections) >= config.max_connections and not _evict():
                transport.close()
                return
            connections.add(self)
            self._arm(config.idle_timeout)

        def connection_lost(self, exc):
            connections.discard(self)
            self._disarm()
            super().connection_lost(exc)

        def _arm(self, seconds: float) -> None:
            self._disarm()
            self._timer = self.loop.call_later(seconds, self._expire)

        def _disarm(self) -> None:
            if getattr(self, "_timer", None) is not None:
                self._timer.cancel()
                self._timer = None

        def _expire(self) -> None:
            self._timer = None
            if self._stage == "app":
                return
            if self._stage == "headers" and not self.transport.is_closing():
                self.send_400_response("Request headers not received in time.")
            elif not self.transport.is_closing():
                self.transport.close()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._stage = "headers"
            self._since = time.monotonic()
            self._header_bytes = 0
            self._content_lengths = 0
            self._arm(config.header_timeout)

        def on_url(self, url: bytes) -> None:
            super().on_url(url)
            if len(self.url) > MAX_URL_BYTES:
                self.send_400_response("Request URL too long.")

        def on_header(self, name: bytes, value: bytes) -> None:
            self._header_bytes += len(name) + len(value) + 4
            if name.lower() == b"content-length":
                self._content_lengths += 1
            if self._header_bytes > MAX_HEADER_BYTES:
                self.send_400_response("Request headers too large.")
                return
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            if self._content_lengths > 1:
                self.send_400_response("Duplicate Content-Length header.")
                return
            if self.parser.get_http_version() not in ("1.0", "1.1"):
                self.send_400_response("Only HTTP/1.0 and HTTP/1.1 requests are accepted.")
                return
            if self.transport.is_closing():
                return
            self._stage = "body"
            self._arm(config.body_timeout)
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            if self._stage == "body":
                self._stage = "app"
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self._stage == "app" or self._stage == "body":
                self._stage = "idle"
                self._since = time.monotonic()
                if not self.transport.is_closing():
                    self._arm(config.idle_timeout)

    def _evict() -> bool:
        """Close the longest-idle connection (or one still sending its request); False when all are busy."""
        victims = [c for c in connections if c._stage in ("idle", "headers", "body")]
        if not victims:
            return False
        victim = min(victims, key=lambda c: (c._stage == "body", c._since))
        connections.discard(victim)
        victim._disarm()
        if not victim.transport.is_closing():
            victim.transport.close()
        return True

    GuardedProtocol.connections_open = connections
    return GuardedProtocol


def listen(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A bound, listening TCP socket (IPv6 when HOST has a colon)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def run_uvicorn(app, sock: socket.socket, config: ServeConfig, verbose: bool = False) -> None:
    """Serve APP on SOCK until SIGTERM/SIGINT."""
    import uvicorn

    uv_config = uvicorn.Config(
        app,
        http=guarded_protocol(config),
        loop="asyncio",
        lifespan="on",
        ws="none",
        interface="asgi3",
        timeout_keep_alive=int(max(1, config.idle_timeout)),
        timeout_graceful_shutdown=5,
        log_level="info" if verbose else "warning",
        access_log=verbose,
        server_header=False,
        date_header=True,
        proxy_headers=False,
        backlog=2048,
    )

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):
            super().handle_exit(sig, frame)
            self._captured_signals.clear()  # a signal means "stop cleanly and exit 0", not "die by it"

    server = Server(uv_config)
    try:
        import uvloop  # a faster event loop where installed (Linux, macOS)

        uvloop.run(server.serve(sockets=[sock]))
    except ImportError:
        asyncio.run(server.serve(sockets=[sock]))
