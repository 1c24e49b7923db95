"""The HTTP application (Starlette): routes for SPARQL, the named-query API, IRIs, pages and health."""

from __future__ import annotations

import asyncio
import hmac
import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kg.errors import UsageError
from kg.serve.config import RequestFailed, ServeConfig
from kg.serve.guard import LimitExceeded, check_limits, remote_access_problem
from kg.serve.pages import PUBLIC_BASE
from kg.serve.protocol import FORMAT_ALIASES, RDF_TYPES, negotiate, serialize_triples, with_protocol_dataset

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
# The two <style> blocks the result table of the query page's SPARQL editor inserts (the column resizer bundled in
# YASGUI): the query page allows exactly these by their hashes, and no other inline style or script.
EDITOR_STYLE_BLOCKS = (
    (
        " .grip-resizable{table-layout:fixed;} .grip-resizable > tbody > tr > td, .grip-resizable > tbody > tr > th"
        "{overflow:hidden} .grip-padding > tbody > tr > td, .grip-padding > tbody > tr > th{padding-left:0!important; "
        "padding-right:0!important;} .grip-container{ height:0px; position:relative;} .grip-handle{margin-left:-5px; "
        "position:absolute; z-index:5; } .grip-handle .grip-resizable{position:absolute;background-color:red;"
        "filter:alpha(opacity=1);opacity:0;width:10px;height:100%;cursor: col-resize;top:0px} .grip-lastgrip"
        "{position:absolute; width:1px; } .grip-drag{ border-left:1px dotted black;\t} .grip-flex{width:auto!important;} "
        ".grip-handle.grip-disabledgrip .grip-resizable{cursor:default; display:none;}"
    ),
    "*{cursor:col-resize!important}",
)


def _style_hash(text: str) -> str:
    import base64
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


QUERY_PAGE_CSP = CSP.replace(
    "style-src 'self';", "style-src 'self' " + " ".join(_style_hash(b) for b in EDITOR_STYLE_BLOCKS) + ";"
)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-Lattice-Truncated, X-Lattice-Error-Line, X-Lattice-Error-Column",
}
MAX_NAME = 200  # longest named-query name looked up


def respond(
    status: int, body: bytes, content_type: str, headers: dict | None = None, head: bool = False, close: bool = False
) -> Response:
    """A response with the CORS and security headers every answer carries."""
    all_headers = {**CORS_HEADERS, **SECURITY_HEADERS, **(headers or {})}
    if close:
        all_headers["Connection"] = "close"
    if head:
        all_headers["Content-Length"] = str(len(body))
        body = b""
    return Response(body, status_code=status, media_type=None, headers={"Content-Type": content_type, **all_headers})


class Site:
    """The routes over one worker pool; holds the per-generation page cache."""

    def __init__(self, config: ServeConfig, pool, public_url: str):
        self.config = config
        self.pool = pool
        self.public_url = public_url.rstrip("/")
        self._cache: dict = {}
        self.search_file: Path | None = None  # the index `kg build` wrote beside the dataset (kg/search.py)
        self._search: tuple | None = None
        self._search_lock: asyncio.Lock | None = None
        self.findings_file: Path | None = None  # the index `kg validate` wrote beside the dataset
        self.build_stamp: dict | None = None  # the manifest of the build served (kg/validate/findings.py)
        self._findings: tuple | None = None  # (file identity, index)

    @property
    def endpoint(self) -> str:
        return self.public_url + "/sparql"

    # ------------------------------------------------------------------------------------ plumbing

    async def dispatch(self, request: Request) -> Response:
        method = request.method
        head = method == "HEAD"
        close = False
        try:
            if method == "OPTIONS":
                return Response(
                    b"",
                    status_code=204,
                    headers={
                        **CORS_HEADERS,
                        **SECURITY_HEADERS,
                        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                        "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization",
                        "Access-Control-Max-Age": "86400",
                        "Allow": "GET, POST, OPTIONS",
                    },
                )
            status, ctype, headers, body = await self.route(request, "GET" if head else method)
        except RequestFailed as exc:
            status, headers = exc.status, exc.headers
            close = exc.status in (400, 411, 413) and method == "POST"  # a body may be left unread: close
            if request.url.path.startswith("/api/"):
                body, ctype = json.dumps({"status": exc.status, "error": exc.message}).encode(), "application/json"
            else:
                text = exc.message if exc.message.endswith("\n") else exc.message + "\n"
                body, ctype = text.encode("utf-8"), "text/plain; charset=utf-8"
        return respond(status, body, ctype, headers, head=head, close=close)

    @staticmethod
    def allowed(method: str, allowed: tuple) -> None:
        if method not in allowed:
            raise RequestFailed(405, f"method {method} is not allowed here", {"Allow": ", ".join(allowed)})

    async def route(self, request: Request, method: str):
        path = request.url.path
        qs = request.url.query
        if "\x00" in path or len(path) > 4096:
            raise RequestFailed(400, "malformed path")
        if path in ("/sparql", "/sparql/", "/query"):
            return await self.sparql(request, method, qs, allow_query=True)
        if path == "/update":
            return await self.sparql(request, method, qs, allow_query=False)
        if path in ("/", "/index.html"):
            self.allowed(method, ("GET",))
            status, ctype, headers, body = self.static("index.html")
            return status, ctype, {**headers, "Content-Security-Policy": QUERY_PAGE_CSP}, body
        if path.startswith("/web/"):
            self.allowed(method, ("GET",))
            return self.static(path[len("/web/") :])
        if path in ("/api/queries", "/api/queries/"):
            self.allowed(method, ("GET",))
            from kg.serve.api import named_query_list

            return self.json(named_query_list())
        if path.startswith("/api/queries/"):
            self.allowed(method, ("GET",))
            return await self.named(request, path[len("/api/queries/") :], qs)
        if path == "/api/prefixes":
            self.allowed(method, ("GET",))
            from kg.namespaces import PREFIXES

            return self.json(PREFIXES)
        if path == "/api/openapi.json":
            self.allowed(method, ("GET",))
            from kg.serve.api import openapi_document

            return self.json(openapi_document(self.public_url))
        if path in ("/home", "/browse", "/browse/") or path.startswith("/questions/"):
            self.allowed(method, ("GET",))
            return await self.browse(request, path, qs)
        if path in ("/api/network", "/api/network.svg"):
            self.allowed(method, ("GET",))
            iri = (_parse_qs(qs).get("iri") or [""])[-1]
            if not _plain_iri(iri):
                raise RequestFailed(400, "iri must be an absolute IRI")
            return await self.job("own", "network", iri=iri, fmt="svg" if path.endswith(".svg") else "json")
        if path == "/api/timeline":
            self.allowed(method, ("GET",))
            from kg.serve.article import KIND_HEADINGS, SPELL_HEADINGS

            given = _parse_qs(qs)
            iri, role, kind, fmt = ((given.get(k) or [""])[-1] for k in ("iri", "role", "kind", "format"))
            if not _plain_iri(iri):
                raise RequestFailed(400, "iri must be an absolute IRI")
            if role and role not in SPELL_HEADINGS:
                raise RequestFailed(400, "role must be one of: " + ", ".join(SPELL_HEADINGS))
            if kind and kind not in KIND_HEADINGS:
                raise RequestFailed(400, "kind must be one of: " + ", ".join(KIND_HEADINGS))
            if fmt not in ("", "json", "csv"):
                raise RequestFailed(400, "format must be json or csv")
            return await self.job("own", "timeline", iri=iri, role=role, kind=kind, fmt=fmt or "json")
        if path == "/api/search":
            self.allowed(method, ("GET",))
            return await self.search_json(qs)
        if path == "/search":
            self.allowed(method, ("GET",))
            return await self.search_page(qs)
        if path == "/health":
            self.allowed(method, ("GET",))
            reply, body = await self.pool.run("own", {"op": "health"}, timeout=min(self.config.timeout, 10.0))
            return 200, reply["type"], {"Cache-Control": "no-store"}, body
        if path == "/ontology" or path.startswith("/ontology/"):
            self.allowed(method, ("GET",))
            return await self.ontology(request, path, qs)
        if path in ("/shapes", "/shapes/"):
            self.allowed(method, ("GET",))
            return await self.shapes(request, qs)
        if re.match(r"^/(id|source|graph)(/|$)", path):
            self.allowed(method, ("GET",))
            return await self.resource(request, PUBLIC_BASE + path, qs)
        raise RequestFailed(404, "nothing here; try / (web page), /sparql, /api/queries or /ontology")

    def json(self, data) -> tuple:
        return 200, "application/json; charset=utf-8", {}, json.dumps(data, ensure_ascii=False, indent=1).encode()

    def static(self, name: str) -> tuple:
        files = {p.name: p for p in WEB_DIR.iterdir() if p.is_file()} if WEB_DIR.is_dir() else {}
        target = files.get(name)
        if target is None:
            raise RequestFailed(404, "no such page asset")
        ctype = STATIC_TYPES.get(target.suffix, "application/octet-stream")
        return 200, ctype, {"Cache-Control": "no-cache"}, target.read_bytes()

    async def job(self, lane: str, op: str, **args) -> tuple:
        reply, body = await self.pool.run(lane, {"op": op, "args": args})
        return int(reply["status"]), reply["type"], reply.get("headers") or {}, body

    async def cached(self, key: str, lane: str, op: str, **args) -> tuple:
        """A worker's answer kept until the next update (pages and graph sizes)."""
        hit = self._cache.get(key)
        if hit and hit[0] == self.pool.generation:
            return hit[1]
        value = await self.job(lane, op, **args)
        self._cache[key] = (self.pool.generation, value)
        return value

    async def read_body(self, request: Request) -> bytes:
        if request.headers.get("transfer-encoding", "").lower() not in ("", "identity", "chunked"):
            raise RequestFailed(501, "unsupported Transfer-Encoding")
        length = request.headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                raise RequestFailed(400, "bad Content-Length")
            if int(length) > self.config.max_body:
                raise RequestFailed(
                    413, f"request body of {int(length)} bytes exceeds the limit of {self.config.max_body} bytes"
                )
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.config.max_body:
                raise RequestFailed(413, f"request body exceeds the limit of {self.config.max_body} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    # ------------------------------------------------------------------------------ SPARQL protocol

    async def sparql(self, request: Request, method: str, qs: str, allow_query: bool):
        self.allowed(method, ("GET", "POST"))
        url_params = _parse_qs(qs)
        form: dict = {}
        query = update = None
        if method == "GET":
            if "update" in url_params:
                raise RequestFailed(405, "updates must be sent with POST", {"Allow": "POST"})
            form = url_params
        else:
            body = await self.read_body(request)
            ctype = request.headers.get("content-type", "")
            media, _, params = ctype.partition(";")
            media = media.strip().lower()
            charset = re.search(r"charset\s*=\s*\"?([A-Za-z0-9_-]+)", params)
            if charset and charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii"):
                raise RequestFailed(415, f"only UTF-8 request bodies are accepted, not {charset.group(1)[:40]}")
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RequestFailed(400, f"the request body is not UTF-8: {exc}") from None
            if media == "application/x-www-form-urlencoded":
                form = _parse_qs(text)
                for k, v in url_params.items():
                    form.setdefault(k, []).extend(v)
            elif media == "application/sparql-query":
                query, form = text, url_params
            elif media == "application/sparql-update":
                update, form = text, url_params
            else:
                raise RequestFailed(
                    415,
                    "unsupported Content-Type: use application/sparql-query, "
                    "application/sparql-update or application/x-www-form-urlencoded",
                )
        if query is None and update is None:
            queries, updates = form.get("query", []), form.get("update", [])
            if len(queries) > 1 or len(updates) > 1:
                raise RequestFailed(400, "give exactly one query or one update per request")
            if queries and updates:
                raise RequestFailed(400, "a request holds either a query or an update, not both")
            query = queries[0] if queries else None
            update = updates[0] if updates else None
        if update is not None:
            return await self.update(request, update, form)
        if query is None:
            if method == "GET" and allow_query:
                return await self.service_description(request)
            raise RequestFailed(400, "no query given (parameter `query`, or a body of type application/sparql-query)")
        if not allow_query:
            raise RequestFailed(400, "this path takes updates only; send queries to /sparql")
        return await self.query(
            "open",
            query,
            request.headers.get("accept"),
            (form.get("format") or [None])[0],
            form.get("default-graph-uri", []),
            form.get("named-graph-uri", []),
        )

    async def query(
        self, lane: str, text: str, accept, format_param, default_graphs=(), named_graphs=(), report_cap=False
    ):
        # the pre-parse limits are checked in the worker: that costs this process (every client's) nothing
        for g in list(default_graphs) + list(named_graphs):
            if not _plain_iri(g):
                raise RequestFailed(400, f"bad request: not an IRI: {g[:200]!r}")
        return await self.job(
            lane,
            "query",
            text=text,
            accept=accept,
            format_param=format_param,
            default_graphs=list(default_graphs),
            named_graphs=list(named_graphs),
            max_rows=self.config.max_rows,
            base_iri=self.endpoint,
            allowed=sorted(self.config.allowed_services),
            report_cap=report_cap,
        )

    async def service_description(self, request: Request):
        import pyoxigraph as ox

        from kg.serve.protocol import CANONICAL, service_description

        _, _, _, sizes_body = await self.cached("sizes", "own", "sizes")
        sizes = {}
        for line in sizes_body.decode("utf-8").splitlines():
            n, _, g = line.partition(" ")
            sizes[g] = int(n)
        text = service_description(self.endpoint, sizes, self.config)
        fmt = negotiate(request.headers.get("accept"), [*RDF_TYPES, ("text/html", "turtle")]) or "turtle"
        if fmt == "turtle":
            return 200, "text/turtle; charset=utf-8", {"Vary": "Accept"}, text.encode("utf-8")
        triples = [q.triple for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)]
        return 200, CANONICAL[fmt], {"Vary": "Accept"}, serialize_triples(triples, fmt)

    async def update(self, request: Request, text: str, form: dict):
        config = self.config
        if not config.allow_update:
            raise RequestFailed(403, "this server is read-only (start it with --allow-update --token-file F)")
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            raise RequestFailed(
                401, "updates need an Authorization: Bearer token", {"WWW-Authenticate": 'Bearer realm="lattice"'}
            )
        given = auth[7:].strip().encode("utf-8")
        if not config.token or not hmac.compare_digest(given, config.token.encode("utf-8")):
            raise RequestFailed(403, "wrong bearer token")
        text = with_protocol_dataset(text, form.get("using-graph-uri", []), form.get("using-named-graph-uri", []))
        try:
            check_limits(text)
        except LimitExceeded as exc:
            raise RequestFailed(400, f"refused before parsing: {exc}") from None
        problem = remote_access_problem(text, config.allowed_services, update=True)
        if problem:
            raise RequestFailed(403, problem)
        await self.pool.update(text, self.endpoint)
        return 204, "text/plain; charset=utf-8", {}, b""

    # -------------------------------------------------------------------------- REST: named queries

    async def named(self, request: Request, name: str, qs: str):
        from kg.query import _with_prologue, bind, get_query

        if len(name) > MAX_NAME or not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", name):
            raise RequestFailed(404, "no such named query")
        try:
            info = get_query(name)
        except UsageError:
            raise RequestFailed(404, f"no named query {name!r}") from None
        parsed = _parse_qs(qs)
        params = {k: v[-1] for k, v in parsed.items() if k != "format"}
        fmt_param = (parsed.get("format") or [None])[-1]
        try:
            text = _with_prologue(bind(info, params))
        except UsageError as exc:
            raise RequestFailed(400, str(exc)) from None
        return await self.query("own", text, request.headers.get("accept"), fmt_param, report_cap=True)

    # ----------------------------------------------------------------------------------- search

    async def search_index(self):
        """The search index: the build's file, or (for an older build, a --store or after an update) one a
        worker computes from the store; kept until the next update."""
        from kg.search import SearchIndex

        generation = self.pool.generation
        if self._search and self._search[0] == generation:
            return self._search[1]
        if self._search_lock is None:
            self._search_lock = asyncio.Lock()
        async with self._search_lock:
            if self._search and self._search[0] == generation:
                return self._search[1]
            if generation == 0 and self.search_file is not None and self.search_file.is_file():
                data = await asyncio.to_thread(self.search_file.read_bytes)
            else:
                reply, data = await self.pool.run("own", {"op": "search_index", "args": {}})
                if int(reply.get("status", 500)) != 200:
                    raise RequestFailed(503, "the search index is not available")
            index = await asyncio.to_thread(lambda: SearchIndex(json.loads(data)))
            self._search = (generation, index)
            return index

    async def _find(self, qs: str) -> tuple[str, list]:
        from kg.search import MAX_QUERY_CHARS, MAX_RESULTS

        params = _parse_qs(qs)
        text = (params.get("q") or [""])[-1]
        if len(text) > MAX_QUERY_CHARS:
            raise RequestFailed(400, f"a search is at most {MAX_QUERY_CHARS} characters")
        raw_limit = (params.get("limit") or ["10"])[-1]
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_RESULTS:
            raise RequestFailed(400, f"limit must be a whole number from 1 to {MAX_RESULTS}")
        index = await self.search_index()
        found = index.search(text, int(raw_limit))
        from kg.serve.article import href_for

        for hit in found:
            hit["href"] = href_for(hit["iri"])
        return text, found

    async def search_json(self, qs: str):
        text, found = await self._find(qs)
        body = json.dumps({"query": text, "results": found}, ensure_ascii=False).encode("utf-8")
        return 200, "application/json; charset=utf-8", {"Cache-Control": "no-cache"}, body

    async def search_page(self, qs: str):
        from kg.serve.browse import search_html

        if "limit=" not in qs:
            qs = (qs + "&" if qs else "") + "limit=50"
        text, found = await self._find(qs)
        return 200, "text/html; charset=utf-8", {}, search_html(text, found)

    # ------------------------------------------------------------------------------------- browse

    async def browse(self, request: Request, path: str, qs: str):
        from kg.serve.browse import class_filters

        if path == "/home":
            return await self.cached("home-html", "own", "browse", what="home")
        if path.startswith("/questions/"):
            return await self.question(request, path[len("/questions/") :], qs)
        params = {k: v[-1] for k, v in _parse_qs(qs).items()}
        if not params.get("class"):
            return await self.cached("classes-html", "own", "browse", what="classes")
        return await self.job("own", "browse", what="class", filters=class_filters(params))

    async def question(self, request: Request, name: str, qs: str):
        """A named query answered as an HTML table (the home page's questions)."""
        from kg.query import _with_prologue, bind, get_query
        from kg.serve.browse import answer_html

        if len(name) > MAX_NAME or not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", name):
            raise RequestFailed(404, "no such question")
        try:
            info = get_query(name)
        except UsageError:
            raise RequestFailed(404, f"no question {name!r}") from None
        params = {k: v[-1] for k, v in _parse_qs(qs).items() if k != "format"}
        try:
            text = _with_prologue(bind(info, params))
        except UsageError as exc:
            raise RequestFailed(400, str(exc)) from None
        status, _ctype, headers, body = await self.query("own", text, "application/sparql-results+json", None)
        if status != 200:
            raise RequestFailed(status, body.decode("utf-8", "replace")[:300])
        truncated = any(k.lower() == "x-lattice-truncated" for k in headers)
        return 200, "text/html; charset=utf-8", {}, answer_html(info, params, json.loads(body), truncated)

    # ------------------------------------------------------------------------------------- IRIs

    def rdf_format(self, request: Request, qs: str) -> str:
        """'html' or an RDF format key, from ?format= or Accept; raises 406 when nothing fits."""
        fmt_param = (_parse_qs(qs).get("format") or [None])[-1]
        if fmt_param:
            fmt = FORMAT_ALIASES.get(fmt_param.lower())
            if fmt not in ("html", "turtle", "ntriples", "jsonld", "rdfxml"):
                raise RequestFailed(406, f"unknown format {fmt_param[:40]!r}: html, ttl, nt, jsonld or rdfxml")
            return fmt
        fmt = negotiate(
            request.headers.get("accept"), [("text/html", "html"), ("application/xhtml+xml", "html"), *RDF_TYPES]
        )
        if fmt is None:
            raise RequestFailed(
                406,
                "available: text/html, text/turtle, application/ld+json, application/rdf+xml, application/n-triples",
            )
        return fmt

    async def ontology(self, request: Request, path: str, qs: str):
        from kg.namespaces import GRAPH_ONTOLOGY, LAT

        fmt = self.rdf_format(request, qs)
        rest = path[len("/ontology") :].strip("/")
        if not rest or re.match(r"^\d+\.\d+\.\d+$", rest):  # the ontology, or its version IRI
            if fmt == "html":
                return await self.cached("ontology-html", "own", "page", what="ontology")
            return await self.cached("ontology-" + fmt, "own", "graph", graph=GRAPH_ONTOLOGY, fmt=fmt)
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_.-]{0,200}$", rest):
            raise RequestFailed(404, "no such ontology term")
        answer = await self.job(
            "own",
            "describe",
            iri=LAT + rest,
            fmt="ntriples" if fmt == "html" else fmt,
            graph=GRAPH_ONTOLOGY,
            missing=f"no ontology term {rest!r}",
        )
        if fmt == "html":
            return 303, "text/plain; charset=utf-8", {"Location": f"/ontology#{rest}", "Vary": "Accept"}, b""
        return answer

    async def shapes(self, request: Request, qs: str):
        from kg.namespaces import GRAPH_SHAPES

        fmt = self.rdf_format(request, qs)
        if fmt == "html":
            return await self.cached("shapes-html", "own", "page", what="shapes")
        return await self.cached("shapes-" + fmt, "own", "graph", graph=GRAPH_SHAPES, fmt=fmt)

    async def resource(self, request: Request, iri: str, qs: str):
        fmt = self.rdf_format(request, qs)
        if not _plain_iri(iri):
            raise RequestFailed(404, "the graph says nothing about this IRI")
        if fmt == "html":
            return await self.job("own", "page", what="resource", iri=iri, findings=await self.findings(iri))
        return await self.job("own", "describe", iri=iri, fmt=fmt)

    async def findings(self, iri: str) -> dict:
        """The validation findings an entity page shows: the results for IRI from the findings index when it
        belongs to the build served, else why there are none to show (kg/validate/findings.py)."""
        from kg.validate.findings import findings_for, read_index

        if self.findings_file is None:
            return {"state": "unavailable"}  # a --store: no dataset folder, no findings index
        if self.pool.generation != 0:
            return {"state": "changed"}  # an update changed the graph after it was validated
        try:
            st = await asyncio.to_thread(os.stat, self.findings_file)
            ident = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            ident = None
        if self._findings is None or self._findings[0] != ident:
            index = await asyncio.to_thread(read_index, self.findings_file) if ident else None
            self._findings = (ident, index)
        return findings_for(self._findings[1], self.build_stamp, iri)


def _parse_qs(qs: str) -> dict:
    try:
        return parse_qs(qs, keep_blank_values=True, errors="strict", max_num_fields=1000)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestFailed(400, f"cannot decode the parameters: {type(exc).__name__}") from None


def _plain_iri(iri: str) -> bool:
    """An absolute IRI without the characters the IRIREF production forbids."""
    return len(iri) <= 4096 and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$", iri) is not None


def make_app(site: Site, lifespan=None) -> Starlette:
    """The Starlette application: one route that dispatches every path and method through SITE."""
    methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", site.dispatch, methods=methods)], lifespan=lifespan)
