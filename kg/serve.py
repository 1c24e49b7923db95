"""`kg serve`: a SPARQL 1.1 endpoint, a REST API for the named queries, resolvable ontology IRIs and a web page."""

from __future__ import annotations

import hmac
import html
import json
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from kg import __version__
from kg.errors import UsageError

WEB_DIR = Path(__file__).resolve().parent / "web"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
PUBLIC_BASE = "https://w3id.org/lattice"

# Media types offered for each kind of result, in the server's order of preference.
SELECT_TYPES = [
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
]
ASK_TYPES = [
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
]
RDF_TYPES = [
    ("text/turtle", "turtle"),
    ("application/n-triples", "ntriples"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("application/x-turtle", "turtle"),
    ("text/plain", "ntriples"),
    ("application/json", "jsonld"),
    ("application/xml", "rdfxml"),
]
CANONICAL = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
# `?format=` shortcuts (for links and downloads, where a browser cannot set Accept).
FORMAT_ALIASES = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "ttl": "turtle", "turtle": "turtle", "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples",
    "jsonld": "jsonld", "json-ld": "jsonld", "rdf": "rdfxml", "rdfxml": "rdfxml", "owl": "rdfxml",
    "html": "html",
}
STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".json": "application/json"}


# ------------------------------------------------------------------------------------------- settings


@dataclass
class ServeConfig:
    """What the server may do and how much: limits, update permission, outbound allow-list."""

    timeout: float = 30.0
    max_rows: int = 10000
    max_body: int = 1_000_000
    allow_update: bool = False
    token: str | None = None
    allowed_services: frozenset = field(default_factory=frozenset)
    slots: int = 4


class RequestFailed(Exception):
    """A request that ends in an HTTP error status with a readable message."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# ------------------------------------------------------------------------------ content negotiation


def parse_accept(header: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values, in the order given."""
    out = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        out.append((fields[0].lower(), q))
    return out


def negotiate(header: str | None, offered: list[tuple[str, str]]) -> str | None:
    """The format key of the best offered media type for an Accept header, or None when none is acceptable."""
    if not header or not header.strip():
        return offered[0][1]
    ranges = parse_accept(header)
    best, best_key = None, None
    for index, (media, key) in enumerate(offered):
        q, specificity = None, -1
        for rng, rq in ranges:
            if rng == media:
                s = 3
            elif rng.endswith("/*") and media.startswith(rng[:-1]):
                s = 2
            elif rng in ("*/*", "*"):
                s = 1
            else:
                continue
            if s > specificity:
                specificity, q = s, rq
        if q is None or q <= 0:
            continue
        rank = (q, specificity, -index)
        if best_key is None or rank > best_key:
            best, best_key = key, rank
    return best


# ------------------------------------------------------------------------- outbound-request guard

_TOKEN_RE = re.compile("|".join([
    r"(?P<comment>#[^\n]*)",
    r"(?P<string>" + "|".join([
        r'"""(?:[^"\\]|\\.|"(?!""))*"""',
        r"'''(?:[^'\\]|\\.|'(?!''))*'''",
        r'"(?:[^"\\\n\r]|\\.)*"',
        r"'(?:[^'\\\n\r]|\\.)*'",
    ]) + ")",
    r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
    r"(?P<var>[?$][A-Za-z0-9_\u00b7-\uffff]*)",
    r"(?P<name>[A-Za-z_\u00c0-\uffff:][A-Za-z0-9_\-.:%\\\u00b7-\uffff]*)",
    r"(?P<space>\s+)",
    r"(?P<other>.)",
]), re.DOTALL)


def _tokens(text: str):
    """Yield (kind, value) for the tokens of SPARQL text that matter to the guard; comments and strings skipped.

    Kinds: "iri" (without brackets), "var", "pname" (has a colon), "word" (keyword or other bare name), "punct".
    """
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind in ("comment", "string", "space"):
            continue
        value = m.group(kind)
        if kind == "iri":
            yield "iri", value[1:-1]
        elif kind == "var":
            yield "var", value[1:]
        elif kind == "name":
            value = value.rstrip(".")
            yield ("pname" if ":" in value else "word"), value
        else:
            yield "punct", value


def _host_of(iri: str) -> str | None:
    try:
        parts = urlsplit(iri)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    return (parts.hostname or "").lower() or None


_MAYBE_REMOTE = re.compile(r"service|load|\\[uU]", re.IGNORECASE)


def remote_access_problem(text: str, allowed: frozenset) -> str | None:
    """Why the query or update would reach outside the server (SERVICE, LOAD), or None when it would not."""
    if not _MAYBE_REMOTE.search(text):  # neither keyword, nor an escape that could spell one: nothing to lex
        return None
    tokens = list(_tokens(text))
    prefixes: dict[str, str] = {}
    for k, (kind, value) in enumerate(tokens):
        if kind == "word" and value.upper() == "PREFIX" and k + 2 < len(tokens):
            name, target = tokens[k + 1], tokens[k + 2]
            if name[0] == "pname" and target[0] == "iri":
                prefixes[name[1].rstrip(":").split(":")[0]] = target[1]
    for k, (kind, value) in enumerate(tokens):
        if kind != "word" or value.upper() not in ("SERVICE", "LOAD"):
            continue
        keyword = value.upper()
        j = k + 1
        if j < len(tokens) and tokens[j][0] == "word" and tokens[j][1].upper() == "SILENT":
            j += 1
        target = tokens[j] if j < len(tokens) else ("none", "")
        iri = None
        if target[0] == "iri":
            iri = target[1]
        elif target[0] == "pname" and ":" in target[1]:
            pfx, local = target[1].split(":", 1)
            if pfx in prefixes:
                iri = prefixes[pfx] + local
        if iri is None:
            return f"{keyword} is refused: the target must be a literal IRI of an allowed host"
        host = _host_of(iri)
        if host is None or host not in allowed:
            what = "remote SERVICE calls" if keyword == "SERVICE" else "LOAD"
            listed = ", ".join(sorted(allowed)) or "none"
            return (f"{what} to {iri!r} refused: only hosts allowed with --allow-service may be reached "
                    f"(allowed: {listed})")
    # Codepoint escapes could spell a keyword the lexer above cannot see: refuse them around such words.
    if re.search(r"\\[uU][0-9A-Fa-f]{4}", text):
        decoded = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                         lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
        if decoded != text and re.search(r"\b(SERVICE|LOAD)\b", decoded, re.IGNORECASE) and \
                not re.search(r"\b(SERVICE|LOAD)\b", text, re.IGNORECASE):
            return "escaped SERVICE or LOAD keywords are refused"
    return None


def with_protocol_dataset(text: str, using: list, using_named: list) -> str:
    """The update with the protocol's using-graph-uri / using-named-graph-uri written in as USING clauses
    before the WHERE of every DELETE/INSERT operation; 400 when the update names its own dataset (USING/WITH)."""
    if not using and not using_named:
        return text
    for iri in list(using) + list(using_named):
        if _host_of(iri) is None and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$", iri):
            raise RequestFailed(400, f"not an IRI: {iri!r}")
    clause = "".join(f"USING <{g}> " for g in using) + "".join(f"USING NAMED <{g}> " for g in using_named)
    depth = 0
    previous = ""  # the last keyword seen at depth 0 in the current operation
    inserts = []
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind in ("comment", "string", "space", "iri", "var"):
            continue
        value = m.group(kind)
        if value == "{":
            depth += 1
        elif value == "}":
            depth -= 1
        elif depth == 0 and value == ";":
            previous = ""
        elif depth == 0 and kind == "name":
            word = value.upper()
            if word in ("USING", "WITH"):
                raise RequestFailed(400, "the update names its own dataset (USING or WITH) and the request gives "
                                         "using-graph-uri / using-named-graph-uri: give one or the other")
            if word == "WHERE" and previous in ("INSERT", "DELETE_TEMPLATE"):
                inserts.append(m.start())
            elif word in ("INSERT", "DELETE"):
                previous = word
        if depth == 0 and value == "}" and previous == "DELETE":
            previous = "DELETE_TEMPLATE"  # DELETE { ... } closed: a WHERE may follow (not DELETE WHERE)
    for at in reversed(inserts):
        text = text[:at] + clause + text[at:]
    return text


# ------------------------------------------------------------------------------- result serializers


def _json_term(t) -> dict:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value not in (XSD_STRING, RDF_LANGSTRING):
            d["datatype"] = t.datatype.value
        return d
    return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                        "object": _json_term(t.object)}}


def _xml_term(t) -> str:
    import pyoxigraph as ox
    from xml.sax.saxutils import escape, quoteattr

    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        attrs = ""
        if t.language:
            attrs = f" xml:lang={quoteattr(t.language)}"
        elif t.datatype.value not in (XSD_STRING, RDF_LANGSTRING):
            attrs = f" datatype={quoteattr(t.datatype.value)}"
        return f"<literal{attrs}>{escape(_xml_safe(t.value))}</literal>"
    return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}</predicate>"
            f"<object>{_xml_term(t.object)}</object></triple>")


def _xml_safe(s: str) -> str:
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", s)


def _csv_term(t) -> str:
    import pyoxigraph as ox

    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        return "_:" + t.value
    if isinstance(t, (ox.NamedNode, ox.Literal)):
        return t.value
    return str(t)


def serialize_select(variables: list[str], rows: list[tuple], fmt: str) -> bytes:
    """SELECT results in SPARQL 1.1 JSON, XML, CSV or TSV."""
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>" + "".join(f'<variable name="{v}"/>' for v in variables) + "</head>", "<results>"]
        for row in rows:
            cells = "".join(f'<binding name="{v}">{_xml_term(t)}</binding>'
                            for v, t in zip(variables, row) if t is not None)
            out.append(f"<result>{cells}</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode("utf-8")
    if fmt == "csv":
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        for row in rows:
            w.writerow([_csv_term(t) for t in row])
        return buf.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(fmt)


def serialize_boolean(value: bool, fmt: str) -> bytes:
    """ASK results in SPARQL 1.1 JSON or XML."""
    word = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": bool(value)}).encode("utf-8")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n").encode("utf-8")


def serialize_triples(triples, fmt: str) -> bytes:
    """Triples in Turtle (with the Lattice prefixes), N-Triples, JSON-LD or RDF/XML."""
    import pyoxigraph as ox

    from kg.namespaces import PREFIXES

    rdf_format = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                  "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}[fmt]
    prefixes = PREFIXES if fmt in ("turtle", "rdfxml", "jsonld") else None
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes)


# ------------------------------------------------------------------------------------- evaluation


@dataclass
class Outcome:
    """A finished query: SELECT rows, an ASK boolean or CONSTRUCT/DESCRIBE triples; truncated at the row cap."""

    kind: str
    variables: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    boolean: bool = False
    triples: list = field(default_factory=list)
    truncated: bool = False
    seconds: float = 0.0


_POSITION_RE = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.DOTALL)


def syntax_failure(text: str, err: Exception, what: str = "query") -> RequestFailed:
    """A 400 whose body gives the parser's message, line, column and the offending line with a caret."""
    msg = str(err)
    m = _POSITION_RE.match(msg)
    headers = {}
    if not m:
        return RequestFailed(400, f"SPARQL {what} syntax error: {msg}")
    line, col, cause = int(m.group(1)), int(m.group(2)), m.group(3).strip()
    if len(cause) > 400:
        cause = cause[:400] + " ..."
    lines = text.splitlines() or [""]
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    caret = " " * max(0, min(col - 1, len(shown))) + "^"
    headers = {"X-Lattice-Error-Line": str(line), "X-Lattice-Error-Column": str(col)}
    body = f"SPARQL {what} syntax error at line {line}, column {col}: {cause}\n{shown}\n{caret}\n"
    return RequestFailed(400, body, headers)


class Engine:
    """Runs queries on one pyoxigraph store with a time limit, a row cap, and a bounded number of workers."""

    def __init__(self, store, config: ServeConfig, base_iri: str = "http://127.0.0.1/sparql"):
        self.store = store
        self.config = config
        self.base_iri = base_iri
        self._slots = threading.BoundedSemaphore(max(1, config.slots))
        self._write_lock = threading.Lock()
        self.generation = 0  # bumped by every update, so cached pages can be rebuilt

    def query(self, text: str, default_graphs=None, named_graphs=None, timeout: float | None = None) -> Outcome:
        """Evaluate a query; raises RequestFailed for syntax errors (400), refusals (403) and timeouts (503)."""
        problem = remote_access_problem(text, self.config.allowed_services)
        if problem:  # refused before evaluation: pyoxigraph would open the connection while evaluating
            raise RequestFailed(403, problem)
        timeout = self.config.timeout if timeout is None else timeout
        if not self._slots.acquire(timeout=max(timeout, 10.0)):  # queue for a free worker, within reason
            raise RequestFailed(503, "the server is busy with other queries; try again shortly",
                                {"Retry-After": "5"})
        box: dict = {}
        done = threading.Event()
        cancel = threading.Event()

        def work():
            try:
                box["outcome"] = self._evaluate(text, default_graphs, named_graphs, cancel)
            except BaseException as exc:  # handed to the waiting request thread
                box["error"] = exc
            finally:
                self._slots.release()
                done.set()

        threading.Thread(target=work, name="lattice-query", daemon=True).start()
        if not done.wait(timeout):
            cancel.set()  # a streaming SELECT stops at its next row; a blocking step finishes on its own
            raise RequestFailed(503, f"the query exceeded the time limit of {timeout:g} s", {"Retry-After": "10"})
        if "error" in box:
            raise box["error"]
        return box["outcome"]

    def _evaluate(self, text, default_graphs, named_graphs, cancel) -> Outcome:
        import pyoxigraph as ox

        from kg.namespaces import PREFIXES

        kwargs: dict = {"base_iri": self.base_iri, "prefixes": PREFIXES}
        started = time.perf_counter()
        try:
            if default_graphs or named_graphs:
                kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs or []] or [ox.DefaultGraph()]
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or []]
            else:
                kwargs["use_default_graph_as_union"] = True
            result = self.store.query(text, **kwargs)
        except SyntaxError as exc:
            raise syntax_failure(text, exc) from None
        except ValueError as exc:  # e.g. an invalid IRI given as a protocol graph
            raise RequestFailed(400, f"bad request: {exc}") from None
        except OSError as exc:
            raise RequestFailed(500, f"query evaluation failed: {exc}") from None
        cap = self.config.max_rows
        if isinstance(result, ox.QueryBoolean):
            return Outcome("ask", boolean=bool(result), seconds=time.perf_counter() - started)
        try:
            if isinstance(result, ox.QueryTriples):
                out = Outcome("graph")
                for t in result:
                    if cancel.is_set():
                        break
                    if len(out.triples) >= cap:
                        out.truncated = True
                        break
                    out.triples.append(t)
            else:
                out = Outcome("select", variables=[v.value for v in result.variables])
                width = range(len(out.variables))
                for sol in result:
                    if cancel.is_set():
                        break
                    if len(out.rows) >= cap:
                        out.truncated = True
                        break
                    out.rows.append(tuple(sol[i] for i in width))
        except OSError as exc:
            message = f"query evaluation failed: {exc}"
            del result  # pyoxigraph results must be dropped on the thread that made them
            raise RequestFailed(500, message) from None
        del result
        out.seconds = time.perf_counter() - started
        return out

    def update(self, text: str) -> None:
        """Apply a SPARQL update (one writer at a time; each update is one transaction)."""
        problem = remote_access_problem(text, self.config.allowed_services)
        if problem:
            raise RequestFailed(403, problem)
        try:
            with self._write_lock:
                from kg.namespaces import PREFIXES

                self.store.update(text, base_iri=self.base_iri, prefixes=PREFIXES)
                self.generation += 1
        except SyntaxError as exc:
            raise syntax_failure(text, exc, "update") from None
        except OSError as exc:
            raise RequestFailed(500, f"update failed: {exc}") from None

    def graph_sizes(self) -> dict:
        """Triples per named graph."""
        res = self.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {sol["g"].value: int(sol["n"].value) for sol in res}


# ------------------------------------------------------------------------------ service description


def service_description(endpoint: str, engine: Engine) -> str:
    """The sd:Service description of this endpoint, in Turtle."""
    sizes = engine.graph_sizes()
    features = ["sd:UnionDefaultGraph", "sd:BasicFederatedQuery"] if engine.config.allowed_services \
        else ["sd:UnionDefaultGraph"]
    languages = ["sd:SPARQL11Query"] + (["sd:SPARQL11Update"] if engine.config.allow_update else [])
    formats = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
               "Turtle", "N-Triples", "JSON-LD", "RDF_XML"]
    named = []
    for g, n in sorted(sizes.items()):
        named.append(f"        sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ;\n"
                     f"            sd:graph [ a sd:Graph ; void:triples {n} ] ]")
    total = sum(sizes.values())
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix formats: <http://www.w3.org/ns/formats/> .
@prefix ent: <http://www.w3.org/ns/entailment/> .

<{endpoint}> a sd:Service ;
    dcterms:title "Lattice SPARQL endpoint" ;
    dcterms:description "The Lattice knowledge graph on accountability in global governance. The default graph is the union of all named graphs; results are capped at {engine.config.max_rows} rows and queries at {engine.config.timeout:g} s." ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage {", ".join(languages)} ;
    sd:feature {", ".join(features)} ;
    sd:defaultEntailmentRegime ent:Simple ;
    sd:resultFormat {", ".join("formats:" + f for f in formats)} ;
    sd:defaultDataset [
        a sd:Dataset ;
        sd:defaultGraph [ a sd:Graph ; void:triples {total} ] {";" if named else ""}
{(" ;" + chr(10)).join(named)}
    ] .
"""


# ----------------------------------------------------------------------------- named queries (REST)


def named_query_list() -> list[dict]:
    """The named queries with their headers, as plain dicts for the REST API."""
    from kg.query import list_queries

    out = []
    for info in list_queries():
        out.append({
            "name": info.name,
            "title": info.title,
            "question": info.question,
            "returns": info.returns,
            "notes": info.notes,
            "params": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default,
                        "doc": p.doc} for p in info.params],
            "href": f"/api/queries/{quote(info.name)}",
            "sparql": info.text,
        })
    return out


def openapi_document(server_url: str) -> dict:
    """An OpenAPI 3.1 description of the endpoint and of one REST operation per named query."""
    results = {"description": "SPARQL results",
               "content": {m: {} for m in ("application/sparql-results+json", "application/sparql-results+xml",
                                           "text/csv", "text/tab-separated-values")}}
    errors = {
        "400": {"description": "malformed query or parameter; the body names the cause and position"},
        "403": {"description": "refused: SERVICE/LOAD to a host not allowed, or update not permitted"},
        "406": {"description": "no acceptable result format"},
        "413": {"description": "request larger than the server's limit"},
        "503": {"description": "the per-query time limit was hit, or the server is busy"},
    }
    fmt = {"name": "format", "in": "query", "required": False,
           "description": "result format, overriding Accept", "schema": {"type": "string",
                                                                          "enum": ["json", "xml", "csv", "tsv"]}}
    paths: dict = {
        "/sparql": {
            "get": {"summary": "SPARQL 1.1 query (GET); without `query`, the service description",
                    "operationId": "sparqlGet",
                    "parameters": [
                        {"name": "query", "in": "query", "required": False, "schema": {"type": "string"}},
                        {"name": "default-graph-uri", "in": "query", "required": False,
                         "schema": {"type": "array", "items": {"type": "string"}}},
                        {"name": "named-graph-uri", "in": "query", "required": False,
                         "schema": {"type": "array", "items": {"type": "string"}}}, fmt],
                    "responses": {"200": results, **errors}},
            "post": {"summary": "SPARQL 1.1 query or update (POST)", "operationId": "sparqlPost",
                     "requestBody": {"content": {
                         "application/sparql-query": {"schema": {"type": "string"}},
                         "application/sparql-update": {"schema": {"type": "string"}},
                         "application/x-www-form-urlencoded": {"schema": {
                             "type": "object", "properties": {"query": {"type": "string"},
                                                              "update": {"type": "string"}}}}}},
                     "responses": {"200": results, "401": {"description": "update without a bearer token"},
                                   **errors}},
        },
        "/api/queries": {
            "get": {"summary": "list the named queries with their headers and parameters",
                    "operationId": "listQueries",
                    "responses": {"200": {"description": "the named queries",
                                          "content": {"application/json": {"schema": {
                                              "type": "array", "items": {"$ref": "#/components/schemas/NamedQuery"}}}}}}},
        },
    }
    type_schema = {"iri": {"type": "string", "format": "iri"}, "date": {"type": "string", "format": "date"},
                   "integer": {"type": "integer"}, "boolean": {"type": "boolean"}, "string": {"type": "string"}}
    for q in named_query_list():
        params = []
        for p in q["params"]:
            schema = dict(type_schema.get(p["type"], {"type": "string"}))
            if p["default"] not in (None, ""):
                schema["default"] = p["default"]
            params.append({"name": p["name"], "in": "query", "required": bool(p["required"]),
                           "description": p["doc"] or f"{p['type']} parameter", "schema": schema})
        paths[f"/api/queries/{q['name']}"] = {
            "get": {"summary": q["title"] or q["name"], "description": q["question"],
                    "operationId": "query_" + re.sub(r"[^A-Za-z0-9_]", "_", q["name"]),
                    "parameters": params + [fmt], "responses": {"200": results, **errors}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Lattice SPARQL endpoint and named-query API", "version": __version__,
                 "description": "Who is accountable to whom in global governance: a SPARQL 1.1 endpoint over "
                                "the Lattice graph and its library of named queries.",
                 "license": {"name": "MIT (code); CC-BY-4.0 (ontology and curated graph)"}},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": {"NamedQuery": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "title": {"type": "string"},
                           "question": {"type": "string"}, "returns": {"type": "string"},
                           "params": {"type": "array", "items": {"type": "object"}},
                           "href": {"type": "string"}, "sparql": {"type": "string"}}}}},
    }


# ---------------------------------------------------------------------------- ontology and resources


def local_path(iri: str) -> str | None:
    """The server path that resolves a Lattice IRI (https://w3id.org/lattice/...), or None for others."""
    if not iri.startswith(PUBLIC_BASE + "/"):
        return None
    rest = iri[len(PUBLIC_BASE):]
    if rest.startswith("/ontology#"):
        return "/ontology#" + rest[len("/ontology#"):]
    return rest


def _short(iri: str) -> str:
    from kg.namespaces import compact

    return compact(iri)


def _html_term(t) -> str:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        href = local_path(t.value) or t.value
        return f'<a href="{html.escape(href)}">{html.escape(_short(t.value))}</a>'
    if isinstance(t, ox.BlankNode):
        return "<em>(blank node)</em>"
    if isinstance(t, ox.Literal):
        lang = f' <span class="lang">@{html.escape(t.language)}</span>' if t.language else ""
        return html.escape(t.value) + lang
    return html.escape(str(t))


def _page(title: str, body: str) -> bytes:
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title><link rel=\"stylesheet\" href=\"/web/style.css\"></head>"
            f"<body class=\"doc\"><nav><a href=\"/\">Lattice</a> · <a href=\"/ontology\">ontology</a> · "
            f"<a href=\"/sparql\">service description</a> · <a href=\"/api/openapi.json\">API</a></nav>"
            f"<main>{body}</main></body></html>\n").encode("utf-8")


ONTOLOGY_KINDS = [
    ("http://www.w3.org/2002/07/owl#Class", "Classes"),
    ("http://www.w3.org/2002/07/owl#ObjectProperty", "Object properties"),
    ("http://www.w3.org/2002/07/owl#DatatypeProperty", "Datatype properties"),
    ("http://www.w3.org/2002/07/owl#AnnotationProperty", "Annotation properties"),
    ("http://www.w3.org/2004/02/skos/core#Concept", "Concepts"),
    ("http://www.w3.org/2002/07/owl#NamedIndividual", "Named individuals"),
]


def ontology_terms(store) -> dict[str, dict]:
    """Every lat: term declared in the ontology graph: kinds, label, definition, comments and key relations."""
    import pyoxigraph as ox

    from kg.namespaces import GRAPH_ONTOLOGY, LAT

    q = """SELECT ?t ?p ?o WHERE { ?t ?p ?o . FILTER(STRSTARTS(STR(?t), "%s")) }""" % LAT
    terms: dict[str, dict] = {}
    res = store.query(q, default_graph=[ox.NamedNode(GRAPH_ONTOLOGY)])
    for sol in res:
        t, p, o = sol["t"].value, sol["p"].value, sol["o"]
        entry = terms.setdefault(t, {"name": t[len(LAT):], "types": [], "facts": []})
        if p == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and isinstance(o, ox.NamedNode):
            entry["types"].append(o.value)
        elif p == "http://www.w3.org/2000/01/rdf-schema#label" and isinstance(o, ox.Literal):
            if not entry.get("label") or o.language == "en":
                entry["label"] = o.value
        elif p == "http://www.w3.org/2004/02/skos/core#definition" and isinstance(o, ox.Literal):
            entry["definition"] = o.value
        entry["facts"].append((p, o))
    return terms


def ontology_html(store) -> bytes:
    """The ontology documentation page: every term with an anchor, grouped by kind."""
    import pyoxigraph as ox

    from kg.namespaces import GRAPH_ONTOLOGY, LAT, LAT_ONTOLOGY

    terms = ontology_terms(store)
    meta = {}
    for sol in store.query(f"SELECT ?p ?o WHERE {{ <{LAT_ONTOLOGY}> ?p ?o }}",
                           default_graph=[ox.NamedNode(GRAPH_ONTOLOGY)]):
        meta.setdefault(sol["p"].value, []).append(sol["o"])
    title = next((o.value for o in meta.get("http://purl.org/dc/terms/title", [])), "The Lattice ontology")
    parts = [f"<h1>{html.escape(title)}</h1>",
             f"<p>IRI: <code>{LAT_ONTOLOGY}</code> · namespace <code>{LAT}</code> · "
             f"download: <a href=\"/ontology?format=ttl\">Turtle</a>, <a href=\"/ontology?format=jsonld\">JSON-LD</a>, "
             f"<a href=\"/ontology?format=rdfxml\">RDF/XML</a>, <a href=\"/ontology?format=nt\">N-Triples</a></p>"]
    for p in ("http://purl.org/dc/terms/description", "http://www.w3.org/2002/07/owl#versionInfo",
              "http://purl.org/dc/terms/license"):
        for o in meta.get(p, []):
            parts.append(f"<p><strong>{html.escape(_short(p))}</strong>: {_html_term(o)}</p>")
    skip = {"http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://www.w3.org/2000/01/rdf-schema#label",
            "http://www.w3.org/2004/02/skos/core#definition"}
    placed: set = set()
    toc = []
    sections = []
    groups = [(kind, heading, sorted((t for t, e in terms.items() if kind in e["types"] and t not in placed),
                                     key=lambda t: t.lower())) for kind, heading in ONTOLOGY_KINDS]
    for kind, heading, members in groups:
        members = [t for t in members if t not in placed]
        placed.update(members)
        if not members:
            continue
        anchor = re.sub(r"[^a-z]+", "-", heading.lower())
        toc.append(f'<li><a href="#{anchor}">{heading}</a> ({len(members)})</li>')
        rows = [f'<h2 id="{anchor}">{heading}</h2>']
        for t in members:
            e = terms[t]
            facts = "".join(f"<tr><th>{html.escape(_short(p))}</th><td>{_html_term(o)}</td></tr>"
                            for p, o in sorted(e["facts"], key=lambda f: f[0]) if p not in skip)
            types = ", ".join(html.escape(_short(x)) for x in e["types"])
            rows.append(f'<section class="term" id="{html.escape(e["name"])}"><h3>{html.escape(e["name"])}'
                        f' <small>{html.escape(e.get("label", ""))}</small></h3>'
                        f'<p class="iri"><code>{html.escape(t)}</code> · {types}</p>'
                        f'<p>{html.escape(e.get("definition", ""))}</p><table>{facts}</table></section>')
        sections.append("\n".join(rows))
    rest = sorted(t for t in terms if t not in placed)
    if rest:
        toc.append(f'<li><a href="#other-terms">Other terms</a> ({len(rest)})</li>')
        sections.append('<h2 id="other-terms">Other terms</h2>' + "".join(
            f'<section class="term" id="{html.escape(terms[t]["name"])}"><h3>{html.escape(terms[t]["name"])}</h3>'
            f'<p>{html.escape(terms[t].get("definition", ""))}</p></section>' for t in rest))
    parts.append("<ul class=\"toc\">" + "".join(toc) + "</ul>")
    parts.extend(sections)
    return _page(title, "\n".join(parts))


def shapes_html(store) -> bytes:
    """The shapes page: every named shape with an anchor, its target, severity, norm and message."""
    import pyoxigraph as ox

    from kg.namespaces import GRAPH_SHAPES, LAT_SH

    shapes: dict[str, list] = {}
    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_SHAPES)):
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(LAT_SH):
            shapes.setdefault(q.subject.value, []).append((q.predicate.value, q.object))
    parts = [f"<h1>Lattice SHACL shapes</h1><p>Namespace <code>{LAT_SH}</code> · download: "
             "<a href=\"/shapes?format=ttl\">Turtle</a>, <a href=\"/shapes?format=jsonld\">JSON-LD</a>, "
             "<a href=\"/shapes?format=rdfxml\">RDF/XML</a></p>"]
    for iri in sorted(shapes):
        name = iri[len(LAT_SH):]
        rows = "".join(f"<tr><th>{html.escape(_short(p))}</th><td>{_html_term(o)}</td></tr>"
                       for p, o in sorted(shapes[iri], key=lambda f: f[0]) if not isinstance(o, ox.BlankNode))
        parts.append(f'<section class="term" id="{html.escape(name)}"><h3>{html.escape(name)}</h3>'
                     f"<table>{rows}</table></section>")
    return _page("Lattice SHACL shapes", "\n".join(parts))


def resource_html(store, iri: str) -> bytes | None:
    """A page listing what the graph says about an instance IRI (outgoing and incoming), or None if nothing."""
    import pyoxigraph as ox

    node = ox.NamedNode(iri)
    out = list(store.quads_for_pattern(node, None, None, None))
    inc = list(store.quads_for_pattern(None, None, node, None))[:500]
    if not out and not inc:
        return None
    label = next((q.object.value for q in out if q.predicate.value.endswith("#label")), _short(iri))
    rows = "".join(f"<tr><th>{html.escape(_short(q.predicate.value))}</th><td>{_html_term(q.object)}</td></tr>"
                   for q in sorted(out, key=lambda q: q.predicate.value))
    back = "".join(f"<tr><td>{_html_term(q.subject)}</td><th>{html.escape(_short(q.predicate.value))}</th></tr>"
                   for q in inc)
    body = (f"<h1>{html.escape(label)}</h1><p class=\"iri\"><code>{html.escape(iri)}</code> · "
            f"<a href=\"?format=ttl\">Turtle</a> · <a href=\"?format=jsonld\">JSON-LD</a> · "
            f"<a href=\"?format=rdfxml\">RDF/XML</a></p><table>{rows}</table>"
            + (f"<h2>Referred to by</h2><table>{back}</table>" if back else ""))
    return _page(label, body)


def describe(store, iri: str, graph: str | None = None) -> list:
    """The triples about IRI (its concise bounded description), optionally from one named graph."""
    import pyoxigraph as ox

    kwargs = {"default_graph": [ox.NamedNode(graph)]} if graph else {"use_default_graph_as_union": True}
    return list(store.query(f"DESCRIBE <{iri}>", **kwargs))


# -------------------------------------------------------------------------------------- HTTP layer


class Handler(BaseHTTPRequestHandler):
    """One HTTP request: routes to the SPARQL endpoint, the REST API, IRIs, or the static page."""

    server_version = f"Lattice/{__version__}"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stall

    # ------------------------------------------------------------------ plumbing

    @property
    def app(self) -> "LatticeServer":
        return self.server  # type: ignore[return-value]

    def log_message(self, fmt, *args):  # one line per request, only when asked for
        if self.app.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers",
                         "X-Lattice-Truncated, X-Lattice-Error-Line, X-Lattice-Error-Column")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if getattr(self, "_close_after", False):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _fail(self, exc: RequestFailed) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/api/"):
            body = json.dumps({"status": exc.status, "error": exc.message}).encode("utf-8")
            self._send(exc.status, body, "application/json", exc.headers)
        else:
            text = exc.message if exc.message.endswith("\n") else exc.message + "\n"
            self._send(exc.status, text.encode("utf-8"), "text/plain; charset=utf-8", exc.headers)

    def _dispatch(self, method: str) -> None:
        try:
            self._route(method)
        except RequestFailed as exc:
            self._fail(exc)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # a bug: report it without a traceback to the client
            if self.app.verbose:
                import traceback

                traceback.print_exc()
            self._fail(RequestFailed(500, f"internal error: {type(exc).__name__}: {exc}"))

    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_OPTIONS(self):
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept, Authorization")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Allow", "GET, POST, OPTIONS")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._close_after = True
            raise RequestFailed(411, "chunked request bodies are not accepted; send Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            self._close_after = True
            raise RequestFailed(400, "bad Content-Length") from None
        if n < 0:
            self._close_after = True
            raise RequestFailed(400, "bad Content-Length")
        if n > self.app.config.max_body:
            self._close_after = True  # the body is not read, so the connection cannot be reused
            raise RequestFailed(413, f"request body of {n} bytes exceeds the limit of {self.app.config.max_body} bytes")
        return self.rfile.read(n)

    def _allowed(self, method: str, allowed: tuple) -> None:
        if method not in allowed:
            raise RequestFailed(405, f"method {method} is not allowed here", {"Allow": ", ".join(allowed)})

    # ------------------------------------------------------------------ routing

    def _route(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if path in ("/sparql", "/sparql/", "/query"):
            return self._sparql(method, parts.query, allow_query=True)
        if path == "/update":
            return self._sparql(method, parts.query, allow_query=False)
        if path in ("/", "/index.html"):
            self._allowed(method, ("GET",))
            return self._static("index.html")
        if path.startswith("/web/"):
            self._allowed(method, ("GET",))
            return self._static(path[len("/web/"):])
        if path == "/api/queries" or path == "/api/queries/":
            self._allowed(method, ("GET",))
            return self._json(named_query_list())
        if path.startswith("/api/queries/"):
            self._allowed(method, ("GET",))
            return self._named(path[len("/api/queries/"):], parts.query)
        if path == "/api/prefixes":
            self._allowed(method, ("GET",))
            from kg.namespaces import PREFIXES

            return self._json(PREFIXES)
        if path == "/api/openapi.json":
            self._allowed(method, ("GET",))
            return self._json(openapi_document(self._origin()))
        if path == "/health":
            return self._send(200, b"ok\n", "text/plain; charset=utf-8")
        if path == "/ontology" or path.startswith("/ontology/"):
            self._allowed(method, ("GET",))
            return self._ontology(path, parts.query)
        if path in ("/shapes", "/shapes/"):
            self._allowed(method, ("GET",))
            return self._shapes(parts.query)
        if re.match(r"^/(id|source|graph)(/|$)", path):
            self._allowed(method, ("GET",))
            return self._resource(PUBLIC_BASE + path, parts.query)
        raise RequestFailed(404, f"nothing at {path}; try / (web page), /sparql, /api/queries or /ontology")

    def _origin(self) -> str:
        host = self.headers.get("Host") or f"{self.app.server_address[0]}:{self.app.server_address[1]}"
        return f"http://{host}"

    def _json(self, data, status: int = 200) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"),
                   "application/json; charset=utf-8")

    def _static(self, name: str) -> None:
        files = {p.name: p for p in WEB_DIR.iterdir() if p.is_file()} if WEB_DIR.is_dir() else {}
        target = files.get(name)
        if target is None:
            raise RequestFailed(404, f"no such page asset: {name}")
        ctype = STATIC_TYPES.get(target.suffix, "application/octet-stream")
        self._send(200, target.read_bytes(), ctype, {"Cache-Control": "no-cache"})

    # ------------------------------------------------------------------ SPARQL protocol

    def _sparql(self, method: str, qs: str, allow_query: bool) -> None:
        self._allowed(method, ("GET", "POST"))
        url_params = parse_qs(qs, keep_blank_values=True)
        form: dict = {}
        query = update = None
        if method == "GET":
            if "update" in url_params:
                raise RequestFailed(405, "updates must be sent with POST", {"Allow": "POST"})
            form = url_params
        else:
            body = self._read_body()
            ctype = self.headers.get("Content-Type", "")
            media, _, params = ctype.partition(";")
            media = media.strip().lower()
            charset = re.search(r"charset\s*=\s*\"?([A-Za-z0-9_-]+)", params)
            if charset and charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii"):
                raise RequestFailed(415, f"only UTF-8 request bodies are accepted, not {charset.group(1)}")
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RequestFailed(400, f"the request body is not UTF-8: {exc}") from None
            if media == "application/x-www-form-urlencoded":
                try:
                    form = parse_qs(text, keep_blank_values=True, errors="strict")
                except (ValueError, UnicodeDecodeError) as exc:
                    raise RequestFailed(400, f"cannot decode the form body: {exc}") from None
                for k, v in url_params.items():
                    form.setdefault(k, []).extend(v)
            elif media == "application/sparql-query":
                query = text
                form = url_params
            elif media == "application/sparql-update":
                update = text
                form = url_params
            else:
                shown = media or "none"
                raise RequestFailed(415, f"unsupported Content-Type {shown}: use application/sparql-query, "
                                         "application/sparql-update or application/x-www-form-urlencoded")
        if query is None and update is None:
            queries, updates = form.get("query", []), form.get("update", [])
            if len(queries) > 1 or len(updates) > 1:
                raise RequestFailed(400, "give exactly one query or one update per request")
            if queries and updates:
                raise RequestFailed(400, "a request holds either a query or an update, not both")
            query = queries[0] if queries else None
            update = updates[0] if updates else None
        if update is not None:
            return self._update(update, form)
        if query is None:
            if method == "GET" and allow_query:
                return self._service_description()
            raise RequestFailed(400, "no query given (parameter `query`, or a body of type application/sparql-query)")
        if not allow_query:
            raise RequestFailed(400, "this path takes updates only; send queries to /sparql")
        default_graphs = form.get("default-graph-uri", [])
        named_graphs = form.get("named-graph-uri", [])
        outcome = self.app.engine.query(query, default_graphs, named_graphs)
        self._send_outcome(outcome, (form.get("format") or [None])[0])

    def _send_outcome(self, outcome: Outcome, format_param: str | None) -> None:
        offered = {"select": SELECT_TYPES, "ask": ASK_TYPES, "graph": RDF_TYPES}[outcome.kind]
        # `format=` (for links, where a browser cannot set Accept) wins when it names a format this result can
        # take; otherwise it is ignored, as clients such as SPARQLWrapper send format=xml with every query.
        fmt = FORMAT_ALIASES.get((format_param or "").lower())
        if fmt not in {k for _, k in offered}:
            fmt = negotiate(self.headers.get("Accept"), offered)
        if fmt is None:
            raise RequestFailed(406, "none of the formats in Accept can carry this result; available: "
                                + ", ".join(sorted({m for m, _ in offered})))
        headers = {"Vary": "Accept"}
        if outcome.truncated:
            headers["X-Lattice-Truncated"] = f"true; max-rows={self.app.config.max_rows}"
        if outcome.kind == "select":
            body = serialize_select(outcome.variables, outcome.rows, fmt)
        elif outcome.kind == "ask":
            body = serialize_boolean(outcome.boolean, fmt)
        else:
            body = serialize_triples(outcome.triples, fmt)
        ctype = CANONICAL[fmt] + ("; charset=utf-8" if fmt in ("json", "xml", "csv", "tsv", "turtle") else "")
        self._send(200, body, ctype, headers)

    def _service_description(self) -> None:
        import pyoxigraph as ox

        endpoint = self._origin() + "/sparql"
        text = service_description(endpoint, self.app.engine)
        fmt = negotiate(self.headers.get("Accept"), RDF_TYPES + [("text/html", "turtle")]) or "turtle"
        if fmt == "turtle":
            return self._send(200, text.encode("utf-8"), "text/turtle; charset=utf-8", {"Vary": "Accept"})
        triples = [q.triple for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)]
        self._send(200, serialize_triples(triples, fmt), CANONICAL[fmt], {"Vary": "Accept"})

    def _update(self, text: str, form: dict) -> None:
        config = self.app.config
        if not config.allow_update:
            raise RequestFailed(403, "this server is read-only (start it with --allow-update --token-file F)")
        auth = self.headers.get("Authorization", "")
        if not auth.lower().startswith("bearer "):
            raise RequestFailed(401, "updates need an Authorization: Bearer token",
                                {"WWW-Authenticate": 'Bearer realm="lattice"'})
        given = auth[7:].strip().encode("utf-8")
        if not config.token or not hmac.compare_digest(given, config.token.encode("utf-8")):
            raise RequestFailed(403, "wrong bearer token")
        text = with_protocol_dataset(text, form.get("using-graph-uri", []), form.get("using-named-graph-uri", []))
        self.app.engine.update(text)
        self._send(204, b"", "text/plain; charset=utf-8")

    # ------------------------------------------------------------------ REST: named queries

    def _named(self, name: str, qs: str) -> None:
        from kg.query import bind, get_query, _with_prologue

        try:
            info = get_query(name)
        except UsageError as exc:
            raise RequestFailed(404, str(exc)) from None
        params = {k: v[-1] for k, v in parse_qs(qs, keep_blank_values=True).items() if k != "format"}
        fmt_param = (parse_qs(qs).get("format") or [None])[-1]
        try:
            text = _with_prologue(bind(info, params))
        except UsageError as exc:
            raise RequestFailed(400, str(exc)) from None
        outcome = self.app.engine.query(text)
        self._send_outcome(outcome, fmt_param)

    # ------------------------------------------------------------------ IRIs

    def _rdf_format(self, qs: str) -> str | None:
        """'html' or an RDF format key, from ?format= or Accept; raises 406 when nothing fits."""
        fmt_param = (parse_qs(qs).get("format") or [None])[-1]
        if fmt_param:
            fmt = FORMAT_ALIASES.get(fmt_param.lower())
            if fmt not in ("html", "turtle", "ntriples", "jsonld", "rdfxml"):
                raise RequestFailed(406, f"unknown format {fmt_param!r}: html, ttl, nt, jsonld or rdfxml")
            return fmt
        accept = self.headers.get("Accept")
        fmt = negotiate(accept, [("text/html", "html"), ("application/xhtml+xml", "html")] + RDF_TYPES)
        if fmt is None:
            raise RequestFailed(406, "available: text/html, text/turtle, application/ld+json, "
                                     "application/rdf+xml, application/n-triples")
        return fmt

    def _ontology(self, path: str, qs: str) -> None:
        import pyoxigraph as ox

        from kg.namespaces import GRAPH_ONTOLOGY, LAT

        store = self.app.engine.store
        fmt = self._rdf_format(qs)
        rest = path[len("/ontology"):].strip("/")
        headers = {"Vary": "Accept"}
        if not rest or re.match(r"^\d+\.\d+\.\d+$", rest):  # the ontology, or its version IRI
            if fmt == "html":
                return self._send(200, self.app.cached("ontology-html", lambda: ontology_html(store)),
                                  "text/html; charset=utf-8", headers)
            triples = [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ONTOLOGY))]
            return self._send(200, serialize_triples(triples, fmt), CANONICAL[fmt], headers)
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_.-]*$", rest):
            raise RequestFailed(404, f"no ontology term {rest!r}")
        iri = LAT + rest
        triples = describe(store, iri, GRAPH_ONTOLOGY)
        if not triples:
            raise RequestFailed(404, f"no ontology term {rest!r} (IRI {iri})")
        if fmt == "html":
            self._send(303, b"", "text/plain; charset=utf-8", {"Location": f"/ontology#{rest}", **headers})
            return
        self._send(200, serialize_triples(triples, fmt), CANONICAL[fmt], headers)

    def _shapes(self, qs: str) -> None:
        import pyoxigraph as ox

        from kg.namespaces import GRAPH_SHAPES

        store = self.app.engine.store
        fmt = self._rdf_format(qs)
        if fmt == "html":
            return self._send(200, self.app.cached("shapes-html", lambda: shapes_html(store)),
                              "text/html; charset=utf-8", {"Vary": "Accept"})
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_SHAPES))]
        self._send(200, serialize_triples(triples, fmt), CANONICAL[fmt], {"Vary": "Accept"})

    def _resource(self, iri: str, qs: str) -> None:
        fmt = self._rdf_format(qs)
        store = self.app.engine.store
        headers = {"Vary": "Accept"}
        if fmt == "html":
            page = resource_html(store, iri)
            if page is None:
                raise RequestFailed(404, f"the graph says nothing about {iri}")
            return self._send(200, page, "text/html; charset=utf-8", headers)
        triples = describe(store, iri)
        if not triples:
            raise RequestFailed(404, f"the graph says nothing about {iri}")
        self._send(200, serialize_triples(triples, fmt), CANONICAL[fmt], headers)


class LatticeServer(ThreadingHTTPServer):
    """The HTTP server: one thread per connection, sharing one Engine."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, engine: Engine, verbose: bool = False):
        super().__init__(address, Handler)
        self.engine = engine
        self.config = engine.config
        self.verbose = verbose
        self._cache: dict = {}
        self._cache_lock = threading.Lock()

    def cached(self, key: str, make):
        """A value computed once per store generation (pages that only change when the data does)."""
        gen = self.engine.generation
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit and hit[0] == gen:
                return hit[1]
        value = make()
        with self._cache_lock:
            self._cache[key] = (gen, value)
        return value

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


# --------------------------------------------------------------------------------------- store setup


def load_store(dataset=None, store_path=None):
    """The store to serve: a persistent pyoxigraph store at STORE_PATH (filled from the dataset when new), else
    an in-memory copy of the built dataset."""
    import pyoxigraph as ox

    if store_path:
        p = Path(store_path).expanduser()
        fresh = not p.exists() or (p.is_dir() and not any(p.iterdir()))
        store = ox.Store(str(p))
        if fresh:
            from kg.store import open_store

            src = open_store(dataset)
            store.bulk_extend(src.quads_for_pattern(None, None, None, None))
            store.flush()
        return store
    from kg.store import open_memory_store

    return open_memory_store(dataset)


def make_server(store, host: str = "127.0.0.1", port: int = 7878, config: ServeConfig | None = None,
                verbose: bool = False) -> LatticeServer:
    """A ready (bound, not yet serving) server over STORE."""
    config = config or ServeConfig()
    engine = Engine(store, config)
    server = LatticeServer((host, port), engine, verbose=verbose)
    engine.base_iri = server.url + "/sparql"
    return server


def serve(server: LatticeServer, install_signals: bool = True) -> None:
    """Serve until SIGTERM/SIGINT (or server.shutdown()); then close the socket and flush the store."""
    stopping = threading.Event()

    def stop(signum, frame):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    if install_signals:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        try:
            server.engine.store.flush()
        except (AttributeError, OSError):
            pass


# ------------------------------------------------------------------------------------------- CLI


def register(sub) -> None:
    p = sub.add_parser(
        "serve", help="serve the graph as a SPARQL 1.1 endpoint with a web page",
        description="Serve the built dataset: SPARQL 1.1 protocol at /sparql, named queries at /api/queries, "
                    "ontology IRIs at /ontology, and a query page at /. Read-only unless --allow-update.")
    add_arguments(p)
    p.set_defaults(func=run)


def add_arguments(p) -> None:
    """The options of `kg serve`."""
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7878, help="port (default 7878; 0 picks a free one)")
    p.add_argument("--store", metavar="PATH", help="serve a persistent pyoxigraph store at PATH (created from the "
                                                   "built dataset when new) instead of an in-memory copy")
    p.add_argument("--allow-update", action="store_true", help="accept SPARQL Update (needs --token-file)")
    p.add_argument("--token-file", metavar="F", help="file holding the bearer token updates must present")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="per-query time limit (default 30 s)")
    p.add_argument("--max-rows", type=int, default=10000, metavar="N", help="result row cap (default 10000)")
    p.add_argument("--max-body", type=int, default=1_000_000, metavar="BYTES",
                   help="request size limit (default 1000000 bytes)")
    p.add_argument("--allow-service", metavar="HOST,...", default="",
                   help="hosts that SERVICE and LOAD may reach (default: none)")
    p.add_argument("--verbose", "-v", action="store_true", help="log every request to stderr")


def run(args) -> int:
    token = None
    if args.allow_update:
        if not args.token_file:
            raise UsageError("--allow-update needs --token-file F (a file holding the bearer token)")
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"--token-file {args.token_file}: {exc.strerror}") from None
        if len(token) < 16:
            raise UsageError(f"--token-file {args.token_file}: the token must have at least 16 characters")
    elif args.token_file:
        raise UsageError("--token-file only makes sense with --allow-update")
    if args.timeout <= 0 or args.max_rows <= 0 or args.max_body <= 0:
        raise UsageError("--timeout, --max-rows and --max-body must be positive")
    allowed = frozenset(h.strip().lower() for h in args.allow_service.split(",") if h.strip())
    config = ServeConfig(timeout=args.timeout, max_rows=args.max_rows, max_body=args.max_body,
                         allow_update=args.allow_update, token=token, allowed_services=allowed)
    store = load_store(getattr(args, "dataset", None), args.store)
    try:
        server = make_server(store, args.host, args.port, config, verbose=args.verbose)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    print(f"Lattice SPARQL endpoint at {server.url}/sparql (web page {server.url}/)", flush=True)
    serve(server)
    print("stopped", file=sys.stderr, flush=True)
    return 0


def main(argv=None) -> int:
    """`python -m kg.serve [--dataset DIR] [serve options]`: the serve command alone, as `kg serve` runs it."""
    import argparse

    from kg.errors import LatticeError

    parser = argparse.ArgumentParser(prog="python -m kg.serve", description="Serve the Lattice graph.")
    parser.add_argument("--dataset", metavar="DIR", help="built dataset folder (default: $LATTICE_HOME/build)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return int(run(args) or 0)
    except LatticeError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
