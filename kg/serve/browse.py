"""Pages to find things by: search results, class pages with counts and filters, and the home page."""

from __future__ import annotations

from kg.serve.article import CHART_SCRIPTS, esc
from kg.serve.layout import page


def search_html(text: str, found: list) -> bytes:
    """The results of a search (the page the search box submits to when scripts are off or Enter is pressed)."""
    if not text.strip():
        body = "<h1>Search</h1><p>Type a name or part of one: bodies, states, people, events and terms.</p>"
        return page("Search", body)
    items = []
    for hit in found:
        href = hit.get("href")
        name = f'<a href="{esc(href)}">{esc(hit["label"])}</a>' if href else esc(hit["label"])
        alias = f" <small>also “{esc(hit['alias'])}”</small>" if hit.get("alias") else ""
        kinds = f" <small>{esc(', '.join(hit['kinds'][:4]))}</small>" if hit.get("kinds") else ""
        items.append(f'<li>{name}{alias}{kinds}<br><small class="iri">{esc(hit["iri"])}</small></li>')
    listing = f'<ol class="results">{"".join(items)}</ol>' if items else "<p>Nothing found.</p>"
    body = f"<h1>Search: {esc(text)}</h1><p>{len(found)} found.</p>{listing}"
    return page(f"Search: {text}", body)


# ------------------------------------------------------------------------------------------ classes

PAGE_SIZE = 100
MAX_PAGE = 1000  # deepest page of a class listing (100,000 instances)
SOURCE_TEXTS = ("slaughter-2004", "letwin-2023", "pureza-2002")

BEGIN = "COALESCE(?founded, ?started, ?inforce, ?dated)"
DATES = """
  OPTIONAL { ?x lat:foundingDate ?founded } OPTIONAL { ?x lat:startDate ?started }
  OPTIONAL { ?x lat:entryIntoForceDate ?inforce } OPTIONAL { ?x dcterms:date ?dated }
  OPTIONAL { ?x lat:dissolutionDate ?dissolved } OPTIONAL { ?x lat:endDate ?ended }
  BIND(COALESCE(?founded, ?started, ?inforce, ?dated) AS ?begin) BIND(COALESCE(?dissolved, ?ended) AS ?finish)"""


def _select(store, text: str, bindings: dict) -> list[dict]:
    """Rows of a SELECT whose first WHERE { opens with a VALUES block of BINDINGS (terms, serialized by the
    engine's own term classes, which refuse what is not an IRI or a literal: no user text reaches the query)."""
    from kg import namespaces as ns

    if bindings:
        variables = " ".join(f"?{k}" for k in bindings)
        terms = " ".join(str(v) for v in bindings.values())
        head, sep, rest = text.partition("WHERE {")
        text = f"{head}{sep} VALUES ({variables}) {{ ({terms}) }} {rest}"
    res = store.query(text, prefixes=ns.PREFIXES, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: sol[n] for n in names if sol[n] is not None and n not in bindings} for sol in res]


def class_filters(params: dict) -> dict:
    """The filters of a class page from its URL parameters, checked: IRIs, years and a page number."""
    from kg.serve.config import RequestFailed

    def iri(name):
        value = params.get(name) or ""
        if not value:
            return None
        if len(value) > 2000 or not value.startswith(("http://", "https://")) or any(c in value for c in '<>" {}|\\^`'):
            raise RequestFailed(400, f"{name} must be an IRI")
        return value

    def year(name):
        value = params.get(name) or ""
        if not value:
            return None
        if not (value.isdigit() and len(value) == 4):
            raise RequestFailed(400, f"{name} must be a year (four digits)")
        return int(value)

    page_no = params.get("page") or "1"
    if not page_no.isdigit() or not 1 <= int(page_no) <= MAX_PAGE:
        raise RequestFailed(400, f"page must be a whole number from 1 to {MAX_PAGE}")
    source = params.get("text") or ""
    if source and source not in SOURCE_TEXTS:
        raise RequestFailed(400, f"text must be one of {', '.join(SOURCE_TEXTS)}")
    cls = iri("class")
    if cls is None:
        raise RequestFailed(400, "class is required")
    return {
        "class": cls,
        "kind": iri("kind"),
        "text": source or None,
        "from": year("from"),
        "to": year("to"),
        "page": int(page_no),
    }


def class_data(store, f: dict) -> dict:
    """The instances of a class page (one page of them), their total, and the counts the filters offer."""
    import pyoxigraph as ox

    from kg import namespaces as ns
    from kg.serve.entity import labels

    cls = ox.NamedNode(f["class"])
    target = ox.NamedNode(f["kind"]) if f["kind"] else cls
    where = ["?x a ?target ."]
    bindings: dict = {"target": target}
    if f["text"]:
        where.append(
            "{ ?x dcterms:source/lat:document ?doc } UNION { ?x ^rdf:subject/dcterms:source/lat:document ?doc }"
        )
        bindings["doc"] = ox.NamedNode(ns.LAT_SRC + f["text"])
    period = f["from"] is not None or f["to"] is not None
    if period:
        where.append(DATES)
        where.append("FILTER(BOUND(?begin))")
        if f["to"] is not None:
            where.append("FILTER(YEAR(?begin) <= ?to)")
            bindings["to"] = ox.Literal(str(f["to"]), datatype=ox.NamedNode(ns.XSD.integer))
        if f["from"] is not None:
            where.append("FILTER(!BOUND(?finish) || YEAR(?finish) >= ?from)")
            bindings["from"] = ox.Literal(str(f["from"]), datatype=ox.NamedNode(ns.XSD.integer))
    body = "\n".join(where)
    total = _select(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {body} }}", bindings)
    offset = (f["page"] - 1) * PAGE_SIZE
    listing = _select(
        store,
        f"SELECT DISTINCT ?x WHERE {{ {body} FILTER(isIRI(?x)) }} ORDER BY ?x LIMIT {PAGE_SIZE} OFFSET {offset}",
        bindings,
    )
    xs = [r["x"].value for r in listing]
    dated = {}
    for iri in xs:
        got = _select(store, f"SELECT ?begin ?finish WHERE {{ {DATES} }} LIMIT 1", {"x": ox.NamedNode(iri)})
        if got:
            dated[iri] = got[0]
    kinds = _select(
        store,
        "SELECT ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE { ?kind rdfs:subClassOf ?cls . FILTER(?kind != ?cls && isIRI(?kind)) "
        "?x a ?kind } GROUP BY ?kind ORDER BY DESC(?n) LIMIT 40",
        {"cls": cls},
    )
    texts = []
    for slug in SOURCE_TEXTS:
        n = _select(
            store,
            "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?target . { ?x dcterms:source/lat:document ?doc } "
            "UNION { ?x ^rdf:subject/dcterms:source/lat:document ?doc } }",
            {"target": target, "doc": ox.NamedNode(ns.LAT_SRC + slug)},
        )
        texts.append((slug, int(n[0]["n"].value) if n else 0))
    names = labels(store, [f["class"], *(r["kind"].value for r in kinds), *xs, *(ns.LAT_SRC + s for s in SOURCE_TEXTS)])
    definition = _select(
        store, "SELECT ?d WHERE { ?cls skos:definition ?d FILTER(LANGMATCHES(LANG(?d), 'en')) } LIMIT 1", {"cls": cls}
    )
    return {
        "filters": f,
        "total": int(total[0]["n"].value) if total else 0,
        "instances": xs,
        "dated": {k: {n: t.value for n, t in v.items()} for k, v in dated.items()},
        "kinds": [(r["kind"].value, int(r["n"].value)) for r in kinds],
        "texts": texts,
        "labels": names,
        "definition": definition[0]["d"].value if definition else "",
    }


def class_html(data: dict) -> bytes:
    """A class page: what it is, how many instances, filters by kind, period and source text, one page of them."""
    from urllib.parse import urlencode

    from kg import namespaces as ns
    from kg.serve.article import day_or_year, term

    f, labels = data["filters"], data["labels"]
    name = labels.get(f["class"], ns.compact(f["class"]))

    def link(**change) -> str:
        q = {k: v for k, v in {**f, **change}.items() if v is not None}
        return "/browse?" + urlencode(q)

    kind_opts = "".join(
        f'<option value="{esc(k)}"{" selected" if k == f["kind"] else ""}>{esc(labels.get(k, ns.compact(k)))} ({n})</option>'
        for k, n in data["kinds"]
    )
    text_opts = "".join(
        f'<option value="{esc(s)}"{" selected" if s == f["text"] else ""}>'
        f"{esc(labels.get(ns.LAT_SRC + s, s))} ({n})</option>"
        for s, n in data["texts"]
    )
    form = (
        '<form class="filters" method="get" action="/browse">'
        f'<input type="hidden" name="class" value="{esc(f["class"])}">'
        f'<div><label for="f-kind">kind</label><select id="f-kind" name="kind"><option value="">all</option>{kind_opts}'
        "</select></div>"
        f'<div><label for="f-text">source text</label><select id="f-text" name="text"><option value="">any</option>'
        f"{text_opts}</select></div>"
        f'<div><label for="f-from">active from</label><input id="f-from" name="from" size="5" inputmode="numeric" '
        f'pattern="[0-9]{{4}}" value="{esc(f["from"] or "")}"></div>'
        f'<div><label for="f-to">to</label><input id="f-to" name="to" size="5" inputmode="numeric" pattern="[0-9]{{4}}" '
        f'value="{esc(f["to"] or "")}"></div><button type="submit">Filter</button></form>'
    )
    items = []
    for iri in data["instances"]:
        d = data["dated"].get(iri, {})
        when = ""
        if d.get("begin"):
            when = f" <small>{esc(day_or_year(d['begin']))}–{esc(day_or_year(d.get('finish'), end=True))}</small>"
        items.append(f"<li>{term(iri, labels)}{when}</li>")
    total, page_no = data["total"], f["page"]
    first = (page_no - 1) * PAGE_SIZE
    pager = []
    if page_no > 1:
        pager.append(f'<a href="{esc(link(page=page_no - 1))}" rel="prev">previous</a>')
    if first + PAGE_SIZE < total and page_no < MAX_PAGE:
        pager.append(f'<a href="{esc(link(page=page_no + 1))}" rel="next">next</a>')
    shown = f"{first + 1}–{first + len(items)} of {total}" if items else f"none of {total}"
    body = (
        f'<h1>{esc(name)}</h1><p class="iri">{term(f["class"], labels)}</p>'
        f'<p class="description">{esc(data["definition"])}</p>'
        f'<p><strong id="instance-count">{total}</strong> instances match.</p>{form}'
        f'<p class="muted">{shown}</p><ul class="instances">{"".join(items)}</ul>'
        f'<p class="pager">{" · ".join(pager)}</p>'
    )
    return page(name, body)


CLASS_COUNTS = """SELECT ?cls (COUNT(DISTINCT ?x) AS ?n) WHERE {
  ?cls a owl:Class . FILTER(STRSTARTS(STR(?cls), STR(lat:)))
  ?x a ?cls . FILTER(isIRI(?x))
} GROUP BY ?cls ORDER BY DESC(?n) LIMIT 200"""


def classes_data(store) -> dict:
    """Every Lattice class with instances, and how many."""
    from kg.serve.entity import labels

    counts = [(r["cls"].value, int(r["n"].value)) for r in _select(store, CLASS_COUNTS, {})]
    return {"counts": counts, "labels": labels(store, [c for c, _ in counts])}


def classes_html(data: dict) -> bytes:
    from urllib.parse import quote

    from kg import namespaces as ns

    labels = data["labels"]
    items = "".join(
        f'<li><a href="/browse?class={quote(c, safe="")}">{esc(labels.get(c, ns.compact(c)))}</a> <small>{n}</small></li>'
        for c, n in sorted(data["counts"], key=lambda cn: labels.get(cn[0], cn[0]).casefold())
    )
    return page("Browse", f'<h1>Browse by kind</h1><ul class="cards">{items}</ul>')


# --------------------------------------------------------------------------------------------- home

# The main questions on the home page: a named query and the parameters that make it a plain question.
QUESTIONS = [
    ("accountability-direct", {"actor": "lat-id:fatf"}, "To whom does the Financial Action Task Force answer?"),
    ("accountability-chain", {"actor": "lat-id:fatf"}, "Through which chain is the FATF held to account?"),
    ("accountability-gaps", {}, "Which bodies exercise authority without a chain to any constituency?"),
    ("membership-history", {"body": "lat-id:fatf"}, "How did the FATF's membership change over time?"),
    ("network-typology", {}, "What kinds of government network do the texts describe?"),
    ("spic-principles", {}, "Which special purpose collaborations keep which principles?"),
    ("common-challenges", {}, "Which common challenges of humanity are addressed, and by whom?"),
    ("norms", {}, "Which norms of global governance do the texts propose?"),
    ("ngo-accountability", {}, "To whom are NGOs accountable?"),
    ("sovereignty-conceptions", {}, "Which conceptions of sovereignty do the texts hold?"),
]

HEADLINE_CLASSES = (
    "GovernmentNetwork",
    "InternationalOrganization",
    "State",
    "Treaty",
    "AccountabilityRelation",
    "Claim",
    "SourcePassage",
)

TEXTS = """SELECT ?doc ?title ?creator ?date ?citation (COUNT(DISTINCT ?passage) AS ?passages) WHERE {
  ?doc a lat:SourceDocument ; rdfs:label ?title .
  OPTIONAL { ?doc dcterms:creator ?creator } OPTIONAL { ?doc dcterms:date ?date }
  OPTIONAL { ?doc dcterms:bibliographicCitation ?citation }
  OPTIONAL { ?passage lat:document ?doc }
} GROUP BY ?doc ?title ?creator ?date ?citation ORDER BY ?date"""


def home_data(store) -> dict:
    """The three texts, how many instances of the headline classes the graph holds, and its size."""
    import pyoxigraph as ox

    from kg import namespaces as ns
    from kg.serve.entity import labels

    texts = [{k: v.value for k, v in r.items()} for r in _select(store, TEXTS, {})]
    counts = []
    for name in HEADLINE_CLASSES:
        cls = ns.LAT + name
        n = _select(store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?cls }", {"cls": ox.NamedNode(cls)})
        counts.append((cls, int(n[0]["n"].value) if n else 0))
    return {"texts": texts, "counts": counts, "triples": len(store), "labels": labels(store, [c for c, _ in counts])}


def home_html(data: dict, questions: list) -> bytes:
    """The home page: the texts, the main questions as buttons, and what the graph holds."""
    from urllib.parse import quote, urlencode

    from kg import namespaces as ns
    from kg.serve.article import href_for

    texts = "".join(
        f'<li><a href="{esc(href_for(t["doc"]) or "#")}"><strong>{esc(t["title"])}</strong></a><br>'
        f"{esc(t.get('creator', ''))}, {esc(t.get('date', '')[:4])} · {esc(t.get('passages', '0'))} passages quoted"
        f"<br><small>{esc(t.get('citation', ''))}</small></li>"
        for t in data["texts"]
    )
    buttons = "".join(
        f'<li><a class="button" href="/questions/{esc(name)}?{esc(urlencode(params))}">{esc(text)}</a></li>'
        for name, params, text in questions
    )
    labels = data["labels"]
    holds = "".join(
        f'<li><a href="/browse?class={quote(c, safe="")}">{n:,} {esc(labels.get(c, ns.compact(c)))}</a></li>'
        for c, n in data["counts"]
    )
    body = (
        '<h1>Lattice</h1><p class="description">Who is accountable to whom in global governance after the unitary '
        "state? A knowledge graph built from three texts and from public data sets; every statement cites the "
        "passage or data set it rests on.</p>"
        f'<section id="texts" aria-labelledby="texts-h"><h2 id="texts-h">The three texts</h2><ul class="cards">{texts}</ul></section>'
        f'<section id="questions" aria-labelledby="questions-h"><h2 id="questions-h">Main questions</h2>'
        f'<ul class="questions">{buttons}</ul><p><a href="/">Write your own query (SPARQL)</a></p></section>'
        f'<section id="holdings" aria-labelledby="holdings-h"><h2 id="holdings-h">What the graph holds</h2>'
        f'<p>{data["triples"]:,} statements, among them:</p><ul class="holdings">{holds}</ul>'
        '<p><a href="/browse">Browse every kind</a></p></section>'
    )
    return page("Lattice", body)


GAP_BARS = 15  # organizations drawn in the chart of the widest accountability gaps
GAP_CHART_ROWS = 20_000  # answer rows a chart reads at most


def _number(row: dict, var: str) -> float | None:
    b = row.get(var)
    if not b or b.get("type") != "literal":
        return None
    try:
        v = float(b.get("value", ""))
    except ValueError:
        return None
    return v if v == v and abs(v) != float("inf") else None


def gap_chart(params: dict, result: dict) -> str:
    """The accountability gap index as a chart (kg/charts.py, drawn here, no script): with an organization
    (io=), its authority, access and gap by year; else the widest gaps in the latest year with measured access."""
    from kg.charts import bar_svg, line_svg

    rows = []
    for r in result.get("results", {}).get("bindings", [])[:GAP_CHART_ROWS]:
        year = _number(r, "year")
        io = (r.get("io") or {}).get("value")
        if year is None or not io:
            continue
        label = (r.get("label") or {}).get("value") or io.rsplit("/", 1)[-1]
        rows.append({"io": io, "label": label, "year": int(year), **{v: _number(r, v) for v in GAP_VARS}})
    if params.get("io"):
        mine = sorted(rows, key=lambda r: r["year"])
        name = mine[0]["label"] if mine else params["io"]
        series = {
            "delegation": [(r["year"], r["delegation"]) for r in mine if r["delegation"] is not None],
            "pooling": [(r["year"], r["pooling"]) for r in mine if r["pooling"] is not None],
            "share of bodies open": [(r["year"], r["access"]) for r in mine if r["access"] is not None],
            "gap": [(r["year"], r["gap"]) for r in mine if r["gap"] is not None],
            "gap if closed": [(r["year"], r["gapIfClosed"]) for r in mine if r["gapIfClosed"] is not None],
        }
        svg = line_svg(f"{name}: authority, access and gap over time", series, "score / share", ymax=1.0)
    else:
        measured = [r for r in rows if r["gap"] is not None]
        latest = max((r["year"] for r in measured), default=None)
        top = sorted((r for r in measured if r["year"] == latest), key=lambda r: (-r["gap"], r["io"]))[:GAP_BARS]
        title = f"Widest accountability gaps in {latest}" if latest is not None else "Widest accountability gaps"
        svg = bar_svg(title, [(r["label"], r["gap"]) for r in top], "gap index")
    from urllib.parse import urlencode

    data = "/api/queries/accountability-gap-index?" + urlencode({**params, "format": "json"})
    # the server's SVG is the picture without script; kg/web/charts.js draws the same data with Vega-Lite over it
    return (
        f'<figure class="chart vl-chart" id="gap-chart" data-kind="{"gap-io" if params.get("io") else "gap"}" '
        f'data-src="{esc(data)}" data-rows="{GAP_CHART_ROWS}" data-bars="{GAP_BARS}">{svg}</figure>'
    )


GAP_VARS = ("delegation", "pooling", "authority", "chain", "access", "gap", "gapIfClosed")
QUESTION_CHARTS = {"accountability-gap-index": gap_chart}  # named queries answered with a chart above the table


def answer_html(info, params: dict, result: dict, truncated: bool) -> bytes:
    """A named query's answer as a table: IRIs shown by label where the answer has one, else compacted."""
    from kg import namespaces as ns
    from kg.serve.article import href_for

    variables = result.get("head", {}).get("vars", [])
    bindings = result.get("results", {}).get("bindings", [])
    shown = [v for v in variables if not v.endswith("Label") and not v.endswith("_label")]

    def cell(row, var):
        b = row.get(var)
        if not b:
            return ""
        if b.get("type") == "uri":
            iri = b["value"]
            label = (row.get(var + "Label") or row.get(var + "_label") or {}).get("value") or ns.compact(iri)
            href = href_for(iri)
            return f'<a href="{esc(href)}">{esc(label)}</a>' if href else esc(label)
        return esc(b.get("value", ""))

    head = "".join(f'<th scope="col">{esc(v)}</th>' for v in shown)
    body_rows = "".join("<tr>" + "".join(f"<td>{cell(r, v)}</td>" for v in shown) + "</tr>" for r in bindings)
    given = ", ".join(f"{k} = {v}" for k, v in params.items())
    note = '<p class="muted">The answer was cut at the row limit.</p>' if truncated else ""
    body = (
        f'<h1>{esc(info.title)}</h1><p class="description">{esc(info.question)}</p>'
        + (f'<p class="muted">{esc(given)}</p>' if given else "")
        + f"<p>{len(bindings)} rows.</p>{note}"
        + (
            QUESTION_CHARTS[info.name](params, result) + _csv_link(info.name, params) + CHART_SCRIPTS
            if info.name in QUESTION_CHARTS
            else ""
        )
        + f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{body_rows}</tbody></table></div>'
    )
    return page(info.title, body)


def _csv_link(name: str, params: dict) -> str:
    """The link to a question's answer as CSV: the data of its chart."""
    from urllib.parse import urlencode

    qs = urlencode({**params, "format": "csv"})
    return f'<p><a href="/api/queries/{esc(name)}?{esc(qs)}">the data as CSV</a></p>'
