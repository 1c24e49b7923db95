"""`kg load`: push the built dataset to any SPARQL 1.1 store (Graph Store Protocol, else SPARQL Update)."""

from __future__ import annotations

import base64
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import UsageError

DEFAULT_BATCH = 20000
TEMPLATE_BATCH = 200  # triples per INSERT {...} WHERE {} request (batches holding blank nodes)


@dataclass
class LoadReport:
    """What a load did: triples sent per graph, and how (gsp or update)."""

    graphs: dict = field(default_factory=dict)
    method: str = ""
    requests: int = 0

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


class Target:
    """A remote store: its query, update and Graph Store Protocol URLs and the credentials to use."""

    def __init__(
        self,
        endpoint: str,
        update_url: str | None = None,
        gsp_url: str | None = None,
        auth: str | None = None,
        token: str | None = None,
        timeout: float = 120.0,
    ):
        if not endpoint.startswith(("http://", "https://")):
            raise UsageError(f"--endpoint {endpoint!r}: expected an http(s) URL")
        self.endpoint = endpoint
        self.update_url = update_url or guess_sibling(endpoint, "update")
        self.gsp_url = gsp_url or guess_sibling(endpoint, "store")
        self.timeout = timeout
        self.headers = {}
        self._user = self._password = None
        self._digest: dict | None = None  # the server's digest challenge, once seen
        self._scheme: str | None = None  # "basic" or "digest", decided by a first bodiless probe
        self._nc = 0
        if auth:
            if ":" not in auth:
                raise UsageError("--auth expects USER:PASSWORD")
            self._user, self._password = auth.split(":", 1)
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.opener = urllib.request.build_opener()

    # -------------------------------------------------------------- HTTP with basic or digest credentials

    def _basic_header(self) -> str:
        raw = f"{self._user}:{self._password}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def _digest_header(self, method: str, url: str) -> str:
        import hashlib
        import os

        ch = self._digest or {}
        algorithm = ch.get("algorithm", "MD5")
        hash_fn = hashlib.sha256 if algorithm.upper().startswith("SHA-256") else hashlib.md5
        h = lambda s: hash_fn(s.encode("utf-8")).hexdigest()  # noqa: E731
        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        realm, nonce = ch.get("realm", ""), ch.get("nonce", "")
        ha1 = h(f"{self._user}:{realm}:{self._password}")
        ha2 = h(f"{method}:{uri}")
        fields = [f'username="{self._user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"']
        if "auth" in [q.strip() for q in ch.get("qop", "").split(",")]:
            self._nc += 1
            nc, cnonce = f"{self._nc:08x}", os.urandom(8).hex()
            fields += [
                f'response="{h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")}"',
                "qop=auth",
                f"nc={nc}",
                f'cnonce="{cnonce}"',
            ]
        else:
            fields.append(f'response="{h(f"{ha1}:{nonce}:{ha2}")}"')
        if ch.get("opaque"):
            fields.append(f'opaque="{ch["opaque"]}"')
        if "algorithm" in ch:
            fields.append(f"algorithm={algorithm}")
        return "Digest " + ", ".join(fields)

    @staticmethod
    def _parse_challenge(header: str) -> dict | None:
        import re

        m = re.search(r"Digest\s+(.*)", header or "", re.IGNORECASE | re.DOTALL)
        if not m:
            return None
        return {k.lower(): v1 or v2 for k, v1, v2 in re.findall(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))', m.group(1))}

    def _send(self, method, url, body, headers) -> tuple[int, bytes, dict]:
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=self.timeout) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)

    def _probe(self, url: str) -> None:
        """Learn whether the server wants basic or digest credentials, without sending a body it may refuse."""
        status, _, headers = self._send("HEAD", url, None, {})
        challenge = self._parse_challenge(next((v for k, v in headers.items() if k.lower() == "www-authenticate"), ""))
        if status == 401 and challenge:
            self._scheme, self._digest = "digest", challenge
        else:
            self._scheme = "basic"

    def request(
        self, method: str, url: str, body: bytes | None, content_type: str | None, accept: str | None = None
    ) -> tuple[int, bytes]:
        headers = dict(self.headers)
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        try:
            if self._user is not None and self._scheme is None:
                self._probe(url)
            for _ in range(2):
                if self._scheme == "digest":
                    headers["Authorization"] = self._digest_header(method, url)
                elif self._scheme == "basic":
                    headers["Authorization"] = self._basic_header()
                status, data, resp_headers = self._send(method, url, body, headers)
                challenge = self._parse_challenge(
                    next((v for k, v in resp_headers.items() if k.lower() == "www-authenticate"), "")
                )
                if status == 401 and challenge and self._user is not None:
                    self._scheme, self._digest = "digest", challenge  # a new or stale nonce: answer once more
                    continue
                return status, data
            return status, data
        except OSError as exc:
            raise UsageError(f"{url}: cannot reach the store: {exc}") from None

    def count(self, graph: str) -> int | None:
        """Triples the store reports in GRAPH (None when it cannot say)."""
        import json

        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        status, body = self.request(
            "POST",
            self.endpoint,
            urllib.parse.urlencode({"query": q}).encode("utf-8"),
            "application/x-www-form-urlencoded",
            "application/sparql-results+json",
        )
        if status != 200:
            return None
        try:
            return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
        except (ValueError, KeyError, IndexError):
            return None


def guess_sibling(endpoint: str, kind: str) -> str:
    """The update or graph-store URL beside a query endpoint: Oxigraph /query -> /update, /store;
    Fuseki /ds/sparql or /ds/query -> /ds/update, /ds/data; otherwise the endpoint itself."""
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last == "query":
        new = f"{head}/{kind}"
    elif last == "sparql" and head:  # Fuseki-style /dataset/sparql
        new = f"{head}/{'update' if kind == 'update' else 'data'}"
    else:
        new = path
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new, "", ""))


# ------------------------------------------------------------------------------------------- batching


def _term_nt(t) -> str:
    return str(t)


def batches(triples: list, size: int) -> list[list]:
    """Split triples into batches of about SIZE, never separating triples that share a blank node
    (a blank node sent in two requests would become two different nodes)."""
    import pyoxigraph as ox

    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    groups: dict = {}
    plain = []
    for t in triples:
        blanks = [n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
        if not blanks:
            plain.append(t)
            continue
        root = find(blanks[0])
        for b in blanks[1:]:
            other = find(b)
            if other != root:
                parent[other] = root
    for t in triples:
        blanks = [n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
        if blanks:
            groups.setdefault(find(blanks[0]), []).append(t)
    out: list[list] = []
    current: list = []
    for group in list(groups.values()) + [[t] for t in plain]:
        if current and len(current) + len(group) > size:
            out.append(current)
            current = []
        current.extend(group)
    if current:
        out.append(current)
    return out


def ntriples(triples: list) -> bytes:
    return "".join(f"{_term_nt(t.subject)} {_term_nt(t.predicate)} {_term_nt(t.object)} .\n" for t in triples).encode(
        "utf-8"
    )


# ---------------------------------------------------------------------------------------------- load


def dataset_graphs(store, single_graph: str | None = None) -> dict[str, list]:
    """Triples per named graph of the dataset (all merged under SINGLE_GRAPH when given)."""
    import pyoxigraph as ox

    graphs: dict[str, list] = {}
    seen: set = set()
    for q in store.quads_for_pattern(None, None, None, None):
        name = single_graph or (q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None)
        if name is None:
            raise UsageError("the dataset has triples in its default graph; give --graph IRI to load them")
        if single_graph:  # the same triple in two source graphs is one triple in the merged graph
            key = str(q.triple)
            if key in seen:
                continue
            seen.add(key)
        graphs.setdefault(name, []).append(q.triple)
    return graphs


def load(
    store,
    target: Target,
    single_graph: str | None = None,
    batch: int = DEFAULT_BATCH,
    method: str = "auto",
    progress: bool | None = None,
) -> LoadReport:
    """Replace each named graph on TARGET with the dataset's copy; returns what was sent."""
    from tqdm import tqdm

    graphs = dataset_graphs(store, single_graph)
    total = sum(len(v) for v in graphs.values())
    report = LoadReport()
    if progress is None:
        progress = sys.stderr.isatty()
    bar = tqdm(total=total, unit="triple", disable=not progress, desc="loading", file=sys.stderr)
    try:
        if method in ("auto", "gsp"):
            ok = _load_gsp(graphs, target, batch, bar, report)
            if ok:
                report.method = "gsp"
                return report
            if method == "gsp":
                raise UsageError(f"{target.gsp_url}: the store refused Graph Store Protocol requests")
            bar.reset(total=total)
            report.graphs.clear()
        _load_update(graphs, target, batch, bar, report)
        report.method = "update"
        return report
    finally:
        bar.close()


def _load_gsp(graphs, target: Target, batch: int, bar, report: LoadReport) -> bool:
    """PUT the first batch of each graph (replacing it) and POST the rest; False when the store lacks GSP."""
    for graph, triples in graphs.items():
        url = target.gsp_url + ("&" if "?" in target.gsp_url else "?") + urllib.parse.urlencode({"graph": graph})
        for i, chunk in enumerate(batches(triples, batch) or [[]]):
            status, body = target.request("PUT" if i == 0 else "POST", url, ntriples(chunk), "application/n-triples")
            report.requests += 1
            if status in (404, 405, 415, 501) or (i == 0 and status == 400 and not report.graphs):
                return False
            if status >= 300:
                raise UsageError(f"{url}: the store answered HTTP {status}: {body[:300].decode('utf-8', 'replace')}")
            bar.update(len(chunk))
        report.graphs[graph] = len(triples)
    return True


def _load_update(graphs, target: Target, batch: int, bar, report: LoadReport) -> None:
    """DROP SILENT GRAPH then INSERT DATA in batches, through SPARQL Update."""
    for graph, triples in graphs.items():
        _update(target, f"DROP SILENT GRAPH <{graph}>", report)
        for chunk in batches(triples, batch):
            if _has_blank(chunk):
                # INSERT DATA may carry blank nodes, but some stores (Virtuoso) refuse them there; a template
                # with an empty WHERE inserts the same triples with fresh blank nodes everywhere. Templates
                # compile to much more work on such stores, so they go in smaller requests.
                for part in batches(chunk, min(batch, TEMPLATE_BATCH)):
                    body = ntriples(part).decode("utf-8")
                    _update(target, f"INSERT {{ GRAPH <{graph}> {{\n{body}}} }} WHERE {{}}", report)
            else:
                body = ntriples(chunk).decode("utf-8")
                _update(target, f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}", report)
            bar.update(len(chunk))
        report.graphs[graph] = len(triples)


def _has_blank(triples) -> bool:
    import pyoxigraph as ox

    return any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples)


def _update(target: Target, text: str, report: LoadReport) -> None:
    status, body = target.request("POST", target.update_url, text.encode("utf-8"), "application/sparql-update")
    report.requests += 1
    if status == 415:  # stores that take updates only as a form
        status, body = target.request(
            "POST",
            target.update_url,
            urllib.parse.urlencode({"update": text}).encode("utf-8"),
            "application/x-www-form-urlencoded",
        )
    if status >= 300:
        raise UsageError(
            f"{target.update_url}: the store refused the update (HTTP {status}): "
            f"{body[:300].decode('utf-8', 'replace')}"
        )


# ------------------------------------------------------------------------------------------------ CLI


def register(sub) -> None:
    p = sub.add_parser(
        "load",
        help="push the built dataset to a SPARQL 1.1 store",
        description="Replace each named graph of the built dataset on a SPARQL 1.1 store: Graph Store Protocol "
        "PUT per graph, or SPARQL Update (DROP + INSERT DATA in batches) where the store has no "
        "Graph Store Protocol. Safe to re-run.",
    )
    p.add_argument("--endpoint", required=True, metavar="URL", help="the store's SPARQL query endpoint")
    p.add_argument("--graph", metavar="IRI", help="load everything into this one named graph (replacing it)")
    p.add_argument("--update-url", metavar="URL", help="SPARQL Update URL (default: guessed from --endpoint)")
    p.add_argument("--gsp-url", metavar="URL", help="Graph Store Protocol URL (default: guessed from --endpoint)")
    p.add_argument(
        "--method",
        choices=("auto", "gsp", "update"),
        default="auto",
        help="how to send the data (default: Graph Store Protocol, falling back to SPARQL Update)",
    )
    creds = p.add_mutually_exclusive_group()
    creds.add_argument("--auth", metavar="USER:PASS", help="HTTP basic or digest credentials")
    creds.add_argument("--token-file", metavar="F", help="file holding a bearer token")
    p.add_argument(
        "--batch", type=int, default=DEFAULT_BATCH, metavar="N", help=f"triples per request (default {DEFAULT_BATCH})"
    )
    p.add_argument("--no-verify", action="store_true", help="do not count the loaded graphs on the store")
    p.set_defaults(func=run)


def run(args) -> int:
    from kg.store import open_store

    if args.batch <= 0:
        raise UsageError("--batch must be positive")
    token = None
    if args.token_file:
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"--token-file {args.token_file}: {exc.strerror}") from None
    target = Target(args.endpoint, args.update_url, args.gsp_url, auth=args.auth, token=token)
    store = open_store(getattr(args, "dataset", None))
    report = load(store, target, single_graph=args.graph, batch=args.batch, method=args.method)
    print(
        f"loaded {report.triples} triples into {len(report.graphs)} graph(s) with "
        f"{'the Graph Store Protocol' if report.method == 'gsp' else 'SPARQL Update'} "
        f"({report.requests} requests)"
    )
    if args.no_verify:
        return 0
    mismatched = []
    for graph, n in sorted(report.graphs.items()):
        remote = target.count(graph)
        if remote is not None and remote != n:
            mismatched.append(f"{graph}: sent {n}, the store holds {remote}")
    for line in mismatched:
        print(f"warning: {line}", file=sys.stderr)
    return 1 if mismatched else 0
