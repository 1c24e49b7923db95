"""The named SPARQL query library: headers, safe parameter binding, embedded or endpoint runs, `kg query` and `kg sparql`.

Longer than 600 lines on purpose: header parsing, parameter binding and the runners share Param and
QueryInfo, and the mutation run (`make mutation`, pyproject.toml [tool.mutmut]) mutates this one file
against the binding tests; split, the mutated and the tested code would drift apart.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.cliopts import DeprecatedAlias, add_format, deprecation_note
from kg.errors import InputError, UsageError
from kg.namespaces import XSD, compact

PARAM_TYPES = ("iri", "date", "integer", "string", "boolean")
FORMATS = ("table", "csv", "tsv", "json", "md")

# A parameter is written in a header as `name (type, default VALUE)`, `name (type, required)` or
# `name (type, optional)`; several are separated by `;`.
_PARAM_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*([A-Za-z]+)\s*(?:,\s*(.*?))?\s*\)\s*(.*)$")
_HEADER_KEYS = ("title", "question", "params", "returns", "notes")
# Where the VALUES block goes: every line that is exactly this comment, else just after the first WHERE {.
BIND_MARKER = re.compile(r"^[ \t]*#[ \t]*@params[ \t]*$", re.MULTILINE)
_WHERE_RE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
# Characters that may never appear in an IRI parameter (they could close the IRI or open syntax).
_IRI_FORBIDDEN = set(' <>"{}|\\^`\t\r\n')
_DATE_RE = re.compile(r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_INT_RE = re.compile(r"^[+-]?[0-9]{1,18}$")
_IRI_SCHEMES = ("http", "https", "urn", "file", "mailto", "tag", "did", "ftp")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PNAME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*)?:([A-Za-z0-9_][A-Za-z0-9_./-]*)?$")


@dataclass
class Param:
    """One declared parameter of a named query."""

    name: str
    type: str
    default: str | None = None
    required: bool = False
    doc: str = ""


@dataclass
class QueryInfo:
    """A named query file with its parsed header."""

    name: str
    path: Path
    title: str = ""
    question: str = ""
    params: list[Param] = field(default_factory=list)
    returns: str = ""
    notes: str = ""

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


class Rows(list):
    """Query results: a list of dicts (variable -> Python value), in the engine's order."""

    def __init__(self, rows=(), variables=None):
        super().__init__(rows)
        self.variables = list(variables or [])
        self.row_cap: int | None = None  # set when an endpoint cut the answer at its row cap

    def to_dataframe(self):
        """The rows as a pandas DataFrame (needs pandas: `pip install lattice-kg[pandas]`)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pandas is optional
            raise UsageError("to_dataframe() needs pandas; install it with `pip install pandas`") from exc
        return pd.DataFrame(list(self), columns=self.variables)

    def column(self, name: str) -> list:
        """All values of one variable, in row order (None where unbound)."""
        return [r.get(name) for r in self]


# ---------------------------------------------------------------------------------------------- headers


def parse_params(spec: str, path=None, line=None) -> list[Param]:
    """Parse a header's params line: `name (type, default X); other (type, required)`."""
    spec = spec.strip()
    if not spec or spec.lower() in ("none", "-"):
        return []
    out = []
    for part in spec.split(";"):
        if not part.strip():
            continue
        m = _PARAM_RE.match(part)
        if not m:
            raise InputError(f"cannot read parameter declaration {part.strip()!r}", path=path, line=line)
        name, ptype, rest, doc = m.group(1), m.group(2).lower(), (m.group(3) or "").strip(), m.group(4).strip()
        if ptype not in PARAM_TYPES:
            raise InputError(
                f"parameter {name}: unknown type {ptype!r} (one of {', '.join(PARAM_TYPES)})", path=path, line=line
            )
        p = Param(name=name, type=ptype, doc=doc)
        low = rest.lower()
        if low == "required":
            p.required = True
        elif low.startswith("default"):
            p.default = rest[len("default") :].strip()
        elif low not in ("", "optional"):
            raise InputError(
                f"parameter {name}: expected 'required', 'optional' or 'default VALUE', got {rest!r}",
                path=path,
                line=line,
            )
        out.append(p)
    return out


def parse_header(path) -> QueryInfo:
    """Read the comment header of a .rq file: `# title:`, `# question:`, `# params:`, `# returns:`."""
    path = Path(path)
    info = QueryInfo(name=path.stem, path=path)
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    key = None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read query file: {exc.strerror}", path=path) from exc
    for n, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        if not s:
            continue
        if not s.startswith("#"):
            break
        body = s[1:].strip()
        m = re.match(r"^([a-z]+):\s*(.*)$", body)
        if m and m.group(1) in _HEADER_KEYS:
            key = m.group(1)
            values[key] = m.group(2).strip()
            lines[key] = n
        elif key and body and not body.startswith("@"):
            values[key] = (values[key] + " " + body).strip()
        else:
            key = None
    info.title = values.get("title", "")
    info.question = values.get("question", "")
    info.returns = values.get("returns", "")
    info.notes = values.get("notes", "")
    info.params = parse_params(values.get("params", ""), path=path, line=lines.get("params"))
    return info


def queries_dir() -> Path:
    from kg.paths import QUERIES_DIR

    return QUERIES_DIR


def list_queries(directory=None) -> list[QueryInfo]:
    """Every named query in the library, sorted by name."""
    d = Path(directory) if directory else queries_dir()
    return [parse_header(p) for p in sorted(d.glob("*.rq"))]


def get_query(name: str, directory=None) -> QueryInfo:
    """The named query NAME (file queries/NAME.rq)."""
    if not re.match(r"^[A-Za-z0-9_-]+$", name or ""):
        raise UsageError(f"{name!r} is not a query name (letters, digits, '-' and '_')")
    d = Path(directory) if directory else queries_dir()
    path = d / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(q.name for q in list_queries(d)) or "none"
        raise UsageError(f"no named query {name!r}; known queries: {known}")
    return parse_header(path)


# -------------------------------------------------------------------------------------- parameter values


def expand_iri(value: str) -> str:
    """An absolute IRI from an IRI or a known prefixed name (lat-id:fatf); raises UsageError otherwise."""
    from kg.namespaces import PREFIXES

    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        v = v[1:-1]
    if not v or any(c in _IRI_FORBIDDEN or ord(c) < 0x20 for c in v):
        raise UsageError(f'{value!r} is not a valid IRI (no spaces or any of <>"{{}}|\\^`)')
    m = _PNAME_RE.match(v)
    if m and (m.group(1) or "") in PREFIXES:
        return PREFIXES[m.group(1) or ""] + (m.group(2) or "")
    if not _SCHEME_RE.match(v):
        raise UsageError(
            f"{value!r} is neither an absolute IRI nor a known prefixed name (prefixes: {', '.join(sorted(PREFIXES))})"
        )
    scheme = v.split(":", 1)[0].lower()
    if scheme not in _IRI_SCHEMES:
        raise UsageError(f"{value!r}: unknown prefix {scheme!r} (known: {', '.join(sorted(PREFIXES))})")
    return v


def sparql_term(param: Param, value) -> str:
    """The SPARQL term for a validated parameter value; raises UsageError for anything malformed."""
    t = param.type
    raw = value
    if t == "iri":
        if not isinstance(raw, str):
            raw = str(raw)
        return f"<{expand_iri(raw)}>"
    if t == "integer":
        if isinstance(raw, bool) or not (isinstance(raw, int) or (isinstance(raw, str) and _INT_RE.match(raw.strip()))):
            raise UsageError(f"parameter {param.name}: {value!r} is not an integer")
        return f'"{int(raw)}"^^<{XSD.integer}>'
    if t == "date":
        s = raw.isoformat() if hasattr(raw, "isoformat") and not isinstance(raw, str) else str(raw).strip()
        if not _DATE_RE.match(s):
            raise UsageError(f"parameter {param.name}: {value!r} is not an xsd:date (YYYY-MM-DD)")
        return f'"{s}"^^<{XSD.date}>'
    if t == "boolean":
        s = str(raw).strip().lower()
        if s not in ("true", "false", "1", "0"):
            raise UsageError(f"parameter {param.name}: {value!r} is not a boolean (true/false)")
        return f'"{"true" if s in ("true", "1") else "false"}"^^<{XSD.boolean}>'
    # string: refuse anything that could end the literal or start an escape
    s = str(raw)
    bad = [c for c in s if c in '"\\' or ord(c) < 0x20 or ord(c) == 0x7F]
    if bad:
        raise UsageError(
            f"parameter {param.name}: string values may not contain quotes, backslashes or "
            f"control characters (found {bad[0]!r})"
        )
    return '"' + s + '"'


def bind(info: QueryInfo, params: dict | None = None, text: str | None = None) -> str:
    """The query text with its parameters bound by a VALUES block (never by splicing user text)."""
    params = dict(params or {})
    declared = {p.name for p in info.params}
    unknown = sorted(set(params) - declared)
    if unknown:
        raise UsageError(
            f"query {info.name}: unknown parameter(s) {', '.join(unknown)}; "
            f"declared: {', '.join(sorted(declared)) or 'none'}"
        )
    text = info.text if text is None else text
    if not info.params:
        return text
    names, terms = [], []
    for p in info.params:
        value = params.get(p.name)
        if value is None or value == "":
            if p.required:
                raise UsageError(f"query {info.name}: parameter {p.name} ({p.type}) is required")
            value = p.default
        if value in (None, ""):
            continue  # left unbound; no UNDEF, which some stores (Virtuoso) refuse in VALUES
        names.append(f"?{p.name}")
        terms.append(sparql_term(p, value))
    block = f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}" if names else ""
    if BIND_MARKER.search(text):
        return BIND_MARKER.sub(lambda m: "  " + block, text)
    # first WHERE { outside comment lines
    offset = 0
    for line in text.splitlines(keepends=True):
        if not line.lstrip().startswith("#"):
            m = _WHERE_RE.search(line)
            if m:
                at = offset + m.end()
                return text[:at] + "\n  " + block + "\n" + text[at:]
        offset += len(line)
    raise InputError("no WHERE { and no '# @params' marker to place parameters at", path=info.path)


def parse_param_args(pairs) -> dict:
    """`--param k=v` strings as a dict."""
    out = {}
    for item in pairs or []:
        if "=" not in item:
            raise UsageError(f"--param {item!r}: expected NAME=VALUE")
        k, v = item.split("=", 1)
        k = k.strip()
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", k):
            raise UsageError(f"--param {item!r}: {k!r} is not a parameter name")
        out[k] = v
    return out


# ------------------------------------------------------------------------------------------ running


def _convert(kind: str, value: str, datatype: str | None = None, lang: str | None = None):
    """One result term as a Python value: IRIs and strings as str, numbers as int/float, booleans as bool."""
    if kind == "uri":
        return value
    if kind == "bnode":
        return "_:" + value
    if datatype in (
        XSD.integer,
        XSD.int,
        XSD.long,
        XSD.nonNegativeInteger,
        XSD.positiveInteger,
        XSD.short,
    ):
        try:
            return int(value)
        except ValueError:
            return value
    if datatype in (XSD.decimal, XSD.double, XSD.float):
        try:
            return float(value)
        except ValueError:
            return value
    if datatype == XSD.boolean:
        return value in ("true", "1")
    return value


def _ox_value(term):
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return _convert("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return _convert("bnode", term.value)
    if isinstance(term, ox.Literal):
        return _convert("literal", term.value, term.datatype.value if term.datatype else None, term.language)
    return str(term)


def query_kind(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside comments and IRIs."""
    stripped = re.sub(r"#[^\n]*", "", re.sub(r"<[^>\s]*>", "<>", text))
    stripped = re.sub(r"\bPREFIX\s+\S*\s*<>", " ", stripped, flags=re.IGNORECASE)
    m = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", stripped, re.IGNORECASE)
    if not m:
        raise UsageError("not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return m.group(1).upper()


def _with_prologue(text: str) -> str:
    from kg.namespaces import PREFIXES

    declared = {m.group(1) for m in re.finditer(r"\bPREFIX\s+([A-Za-z0-9_.-]*):", text, re.IGNORECASE)}
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in declared)
    return prologue + text


def run_sparql(text: str, store=None, dataset=None, endpoint=None, timeout: float | None = 120):
    """Run SPARQL text; SELECT gives Rows, ASK a bool, CONSTRUCT/DESCRIBE a list of (s, p, o) strings."""
    from kg.serve.guard import LimitExceeded, check_limits

    try:
        check_limits(text)  # pyoxigraph's parser recurses: deep nesting would crash the process
    except LimitExceeded as exc:
        raise InputError(f"query refused before parsing: {exc}", path="<query>") from None
    text = _with_prologue(text)
    kind = query_kind(text)
    if endpoint:
        return _run_endpoint(text, endpoint, kind, timeout)
    if store is None:
        from kg.store import open_read_store

        store = open_read_store(dataset)
    try:
        result = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise InputError(f"SPARQL syntax error: {exc}", path="<query>") from exc
    except (RuntimeError, OSError, ValueError) as exc:  # unknown function, SERVICE failure, bad IRI ...
        raise InputError(
            f"query evaluation failed: {str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__}",
            path="<query>",
        ) from None
    if kind == "ASK":
        return bool(result)
    if kind in ("CONSTRUCT", "DESCRIBE"):
        return [(_ox_value(t.subject), _ox_value(t.predicate), _ox_value(t.object)) for t in result]
    variables = [v.value for v in result.variables]
    rows = Rows(variables=variables)
    for sol in result:
        rows.append({v: _ox_value(sol[v]) for v in variables})
    return rows


def _run_endpoint(text: str, endpoint: str, kind: str, timeout):
    from SPARQLWrapper import JSON, N3, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    if not re.match(r"^https?://", endpoint or ""):
        raise UsageError(f"--endpoint {endpoint!r}: expected an http(s) URL")
    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.setQuery(text)
    if timeout:
        client.setTimeout(int(timeout))
    try:
        if kind in ("CONSTRUCT", "DESCRIBE"):
            client.setReturnFormat(N3)
            data = client.query().convert()
            import rdflib

            g = rdflib.Graph()
            g.parse(data=data, format="turtle")
            return [(str(s), str(p), str(o)) for s, p, o in g]
        client.setReturnFormat(JSON)
        answer: Any = client.query()  # SPARQLWrapper's QueryResult: the body as JSON, the HTTP response
        cap_header = answer.response.headers.get("X-Lattice-Truncated") or ""
        data = answer.convert()
    except SPARQLWrapperException as exc:
        raise UsageError(f"{endpoint}: the endpoint refused the query: {exc}") from exc
    except OSError as exc:  # URLError and socket errors
        raise UsageError(f"{endpoint}: cannot reach the endpoint: {exc}") from exc
    if kind == "ASK":
        return bool(data.get("boolean"))
    variables = data.get("head", {}).get("vars", [])
    rows = Rows(variables=variables)
    for b in data.get("results", {}).get("bindings", []):
        row = {}
        for v in variables:
            t = b.get(v)
            if t is None:
                row[v] = None
            else:
                kind_ = "literal" if t["type"] in ("literal", "typed-literal") else t["type"]
                row[v] = _convert(kind_, t["value"], t.get("datatype"), t.get("xml:lang"))
        rows.append(row)
    rows.row_cap = _row_cap(cap_header, data)
    return rows


def _row_cap(header: str, data: dict) -> int | None:
    """The row cap at which a Lattice endpoint cut an answer: from the JSON body's "lattice" member (the REST
    API) or the X-Lattice-Truncated header ("true; max-rows=N"); None when the answer is whole."""
    info = data.get("lattice") if isinstance(data, dict) else None
    if isinstance(info, dict) and info.get("truncated") is True and isinstance(info.get("maxRows"), int):
        return info["maxRows"]
    if header.strip().lower().startswith("true"):
        m = re.search(r"max-rows=(\d+)", header)
        return int(m.group(1)) if m else 0
    return None


def warn_row_cap(result) -> None:
    """Say on standard error that an endpoint returned only the first rows of the answer."""
    cap = getattr(result, "row_cap", None)
    if cap is not None:
        limit = f" of {cap} rows" if cap else ""
        print(
            f"kg: warning: the endpoint cut the answer at its row cap{limit}; the rows shown are incomplete",
            file=sys.stderr,
        )


def run_named(name: str, dataset=None, endpoint=None, store=None, **params) -> Rows:
    """Run the named query NAME with keyword parameters, on the built dataset, a given store, or an endpoint."""
    info = get_query(name)
    text = bind(info, params)
    return run_sparql(text, store=store, dataset=dataset, endpoint=endpoint)


# ------------------------------------------------------------------------------------------ output


def _short(value) -> str:
    """A value for human eyes: IRIs (also inside space-separated lists) as prefixed names."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    s = str(value)
    if "://" not in s:
        return s
    return re.sub(r"https?://[^\s<>\"]+", lambda m: compact(m.group(0), strict=True), s)


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_rows(rows: Rows, fmt: str = "table") -> str:
    """Render rows as table, csv, tsv, json or md."""
    cols = rows.variables or (list(rows[0]) if rows else [])
    if fmt == "json":
        return json.dumps({"variables": cols, "rows": list(rows)}, ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([_plain(r.get(c)).replace("\t", " ") if fmt == "tsv" else _plain(r.get(c)) for c in cols])
        return buf.getvalue()
    cells = [[_short(r.get(c)).replace("\n", " ") for c in cols] for r in rows]
    if fmt == "md":
        esc = lambda s: s.replace("|", "\\|")  # noqa: E731
        out = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
        out += ["| " + " | ".join(esc(c) for c in row) + " |" for row in cells]
        return "\n".join(out) + "\n"
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    widths = [min(w, 100) for w in widths]

    def line(vals):
        return "  ".join((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(vals, widths)).rstrip()

    out = [line(cols), line(["-" * w for w in widths])] + [line(row) for row in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _emit(result, fmt: str) -> None:
    if isinstance(result, bool):
        sys.stdout.write(("true" if result else "false") + "\n")
    elif isinstance(result, Rows):
        sys.stdout.write(format_rows(result, fmt))
    else:
        for s, p, o in result:
            sys.stdout.write(f"{s}\t{p}\t{o}\n")


# ------------------------------------------------------------------------------------------ CLI


class _FormatOrOldFile(DeprecatedAlias):
    """`kg sparql -f`: a format name is --format; anything else is the old `-f FILE` (now --file), deprecated."""

    def __call__(self, parser, namespace, values, option_string=None):
        if option_string == "-f" and values not in FORMATS:
            deprecation_note("-f FILE", "--file FILE (-f is now --format)")
            namespace.file = values
            return
        if values not in FORMATS:
            parser.error(f"argument -f/--format: invalid choice: {values!r} (choose from {', '.join(FORMATS)})")
        namespace.format = values


def register(sub) -> None:
    q = sub.add_parser(
        "query",
        help="run a named query from the library (kg query --list)",
        description="Run a named SPARQL query from queries/*.rq with typed, validated parameters.",
    )
    q.add_argument("name", nargs="?", help="query name (see --list)")
    q.add_argument("--list", action="store_true", help="list the named queries with their parameters")
    q.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="parameter value (IRI, prefixed name like lat-id:fatf, date YYYY-MM-DD, integer, string)",
    )
    add_format(q, FORMATS, "table", "output format (default: table)")
    q.add_argument(
        "--endpoint", metavar="URL", help="run against this SPARQL 1.1 endpoint instead of the built dataset"
    )
    q.add_argument("--show", action="store_true", help="print the query text with parameters bound, do not run it")
    q.set_defaults(func=run)

    s = sub.add_parser(
        "sparql",
        help="run a SPARQL query given inline or in a file",
        description="Run SPARQL against the built dataset (default graph = union of named graphs). "
        "Lattice prefixes (lat:, lat-id:, org:, ...) are predeclared.",
    )
    s.add_argument("query", nargs="?", help="the query text")
    s.add_argument("--file", metavar="FILE.rq", help="read the query from FILE ('-' for stdin)")
    s.add_argument(
        "-f",
        "--format",
        action=_FormatOrOldFile,
        metavar="{" + ",".join(FORMATS) + "}",
        default="table",
        help="output format (default: table); -f FILE, the old spelling of --file, still works for one release",
    )
    s.add_argument("--endpoint", metavar="URL", help="run against this SPARQL 1.1 endpoint")
    s.set_defaults(func=run_sparql_cli)


def run(args) -> int:
    if args.list:
        for info in list_queries():
            params = (
                "; ".join(
                    f"{p.name} ({p.type}{', required' if p.required else (', default ' + p.default) if p.default else ''})"
                    for p in info.params
                )
                or "none"
            )
            print(f"{info.name}\n    {info.title}: {info.question}\n    params: {params}\n    returns: {info.returns}")
        return 0
    if not args.name:
        raise UsageError("give a query name or --list")
    info = get_query(args.name)
    text = bind(info, parse_param_args(args.param))
    if args.show:
        sys.stdout.write(text)
        return 0
    result = run_sparql(text, dataset=getattr(args, "dataset", None), endpoint=args.endpoint)
    _emit(result, args.format)
    warn_row_cap(result)
    return 0


def run_sparql_cli(args) -> int:
    if args.file and args.query:
        raise UsageError("give the query inline or with -f, not both")
    if args.file:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            p = Path(args.file)
            if not p.is_file():
                raise InputError("no such file", path=p)
            try:
                text = p.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"not a UTF-8 text file (byte {exc.start})", path=p) from None
    elif args.query:
        text = args.query
    else:
        raise UsageError("give a query inline or with -f FILE.rq")
    result = run_sparql(text, dataset=getattr(args, "dataset", None), endpoint=args.endpoint)
    _emit(result, args.format)
    warn_row_cap(result)
    return 0
