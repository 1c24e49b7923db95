"""SPARQL 1.1 Protocol pieces: content negotiation, result serializers, protocol datasets, syntax-error bodies."""

from __future__ import annotations

import json
import re

from kg.namespaces import RDF, XSD
from kg.serve.config import RequestFailed

XSD_STRING = XSD.string
RDF_LANGSTRING = RDF.langString

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
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "ttl": "turtle",
    "turtle": "turtle",
    "nt": "ntriples",
    "ntriples": "ntriples",
    "n-triples": "ntriples",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "rdfxml": "rdfxml",
    "owl": "rdfxml",
    "html": "html",
}


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


# A SPARQL lexer good enough to find the WHERE of update operations (used only to write in USING clauses;
# the remote-access decision is made on the parsed query, in kg.serve.guard).
_TOKEN_RE = re.compile(
    "|".join(
        [
            r"(?P<comment>#[^\n\r]*)",
            r"(?P<string>"
            + "|".join(
                [
                    r'"""(?:[^"\\]|\\.|"(?!""))*"""',
                    r"'''(?:[^'\\]|\\.|'(?!''))*'''",
                    r'"(?:[^"\\\n\r]|\\.)*"',
                    r"'(?:[^'\\\n\r]|\\.)*'",
                ]
            )
            + ")",
            r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
            r"(?P<var>[?$][A-Za-z0-9_\u00b7-\uffff]*)",
            r"(?P<name>[A-Za-z_\u00c0-\uffff:][A-Za-z0-9_\-.:%\\\u00b7-\uffff]*)",
            r"(?P<space>\s+)",
            r"(?P<other>.)",
        ]
    ),
    re.DOTALL,
)


def _is_http_iri(iri: str) -> bool:
    return re.match(r"^https?://[^\s/?#]+", iri, re.IGNORECASE) is not None


def with_protocol_dataset(text: str, using: list, using_named: list) -> str:
    """The update with the protocol's using-graph-uri / using-named-graph-uri written in as USING clauses
    before the WHERE of every DELETE/INSERT operation; 400 when the update names its own dataset (USING/WITH)."""
    if not using and not using_named:
        return text
    for iri in list(using) + list(using_named):
        if not _is_http_iri(iri) and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$", iri):
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
                raise RequestFailed(
                    400,
                    "the update names its own dataset (USING or WITH) and the request gives "
                    "using-graph-uri / using-named-graph-uri: give one or the other",
                )
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
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(t.subject),
            "predicate": _json_term(t.predicate),
            "object": _json_term(t.object),
        },
    }


def _xml_term(t) -> str:
    from xml.sax.saxutils import escape, quoteattr

    import pyoxigraph as ox

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
    return (
        f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}</predicate>"
        f"<object>{_xml_term(t.object)}</object></triple>"
    )


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


def serialize_select(variables: list[str], rows: list[tuple], fmt: str, extra: dict | None = None) -> bytes:
    """SELECT results in SPARQL 1.1 JSON, XML, CSV or TSV; EXTRA adds top-level members to the JSON form."""
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}, **(extra or {})}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
            "<head>" + "".join(f'<variable name="{v}"/>' for v in variables) + "</head>",
            "<results>",
        ]
        for row in rows:
            cells = "".join(
                f'<binding name="{v}">{_xml_term(t)}</binding>' for v, t in zip(variables, row) if t is not None
            )
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
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        f"<head/><boolean>{word}</boolean></sparql>\n"
    ).encode()


def serialize_triples(triples, fmt: str) -> bytes:
    """Triples in Turtle (with the Lattice prefixes), N-Triples, JSON-LD or RDF/XML."""
    import pyoxigraph as ox

    from kg.namespaces import PREFIXES

    rdf_format = {
        "turtle": ox.RdfFormat.TURTLE,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "jsonld": ox.RdfFormat.JSON_LD,
        "rdfxml": ox.RdfFormat.RDF_XML,
    }[fmt]
    prefixes = PREFIXES if fmt in ("turtle", "rdfxml", "jsonld") else None
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes)


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


def service_description(endpoint: str, sizes: dict, config) -> str:
    """The sd:Service description of this endpoint, in Turtle (ENDPOINT is the configured public URL)."""
    features = (
        ["sd:UnionDefaultGraph", "sd:BasicFederatedQuery"] if config.allowed_services else ["sd:UnionDefaultGraph"]
    )
    languages = ["sd:SPARQL11Query"] + (["sd:SPARQL11Update"] if config.allow_update else [])
    formats = [
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ]
    named = []
    for g, n in sorted(sizes.items()):
        named.append(
            f"        sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ;\n"
            f"            sd:graph [ a sd:Graph ; void:triples {n} ] ]"
        )
    total = sum(sizes.values())
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix formats: <http://www.w3.org/ns/formats/> .
@prefix ent: <http://www.w3.org/ns/entailment/> .

<{endpoint}> a sd:Service ;
    dcterms:title "Lattice SPARQL endpoint" ;
    dcterms:description "The Lattice knowledge graph on accountability in global governance. The default graph is the union of all named graphs; results are capped at {config.max_rows} rows and queries at {config.timeout:g} s." ;
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
