"""The server's settings (limits, permissions, public URL) and the error type that becomes an HTTP status."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ServeConfig:
    """What the server may do and how much: limits, update permission, outbound allow-list, workers."""

    timeout: float = 30.0
    max_rows: int = 10000
    max_body: int = 1_000_000
    allow_update: bool = False
    token: str | None = None
    allowed_services: frozenset = field(default_factory=frozenset)
    slots: int = 3  # worker processes for /sparql queries
    own_slots: int = 1  # worker processes kept for named queries, IRIs, pages and /health
    worker_memory_mb: int = 1024  # address space a worker may add to the shared store before it is killed
    queue_wait: float = 10.0  # how long a request may wait for a free worker before 503
    public_url: str | None = None  # the server's public origin (https://host[:port]); default: its address
    max_connections: int = 4096  # open connections; beyond, the longest-idle connection is closed
    header_timeout: float = 10.0  # seconds for a client to send a request's line and headers
    body_timeout: float = 30.0  # seconds for a client to send a request body
    idle_timeout: float = 15.0  # seconds an idle keep-alive connection stays open


class RequestFailed(Exception):
    """A request that ends in an HTTP error status with a readable message."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
