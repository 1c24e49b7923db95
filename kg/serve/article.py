"""An entity page as an article: title, kinds, description with its quote, accountability, timeline, facts."""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import quote as urlquote
from urllib.parse import urlencode

from kg import namespaces as ns
from kg.serve.layout import local_path, page

MAX_TIMELINE_ROWS = 300  # spells drawn in the timeline picture; the table lists them all
MAX_VALUES = 40  # values of one property shown before "and N more"


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def href_for(iri: str) -> str | None:
    """The link for IRI: its page on this server for Lattice IRIs, the IRI itself for other http(s) IRIs."""
    local = local_path(iri)
    if local is not None:
        return local
    if re.match(r"^https?://", iri, re.IGNORECASE):
        return iri
    return None  # javascript:, data:, urn: ... are never links


def term(iri: str, labels: dict, cls: str = "") -> str:
    """IRI shown by its label, linked to its page, with the IRI itself one click away."""
    label = labels.get(iri) or ns.compact(iri)
    href = href_for(iri)
    klass = f' class="{cls}"' if cls else ""
    if href is None:
        return f'<span{klass} title="{esc(iri)}">{esc(label)}</span>'
    return (
        f'<a{klass} href="{esc(href)}" rel="nofollow">{esc(label)}</a>'
        f'<a class="iri-link" href="{esc(iri)}" title="{esc(iri)}" aria-label="IRI {esc(iri)}" rel="nofollow">IRI</a>'
    )


def literal(t) -> str:
    lang = f' <span class="lang">@{esc(t.language)}</span>' if getattr(t, "language", None) else ""
    return esc(t.value) + lang


def value(t, labels: dict) -> str:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return term(t.value, labels)
    if isinstance(t, ox.Literal):
        return literal(t)
    return "<em>(blank node)</em>"


def _year(text: str | None) -> int | None:
    if text and re.match(r"^-?\d{4}", text):
        return int(text[:4]) if not text.startswith("-") else None
    return None


def day_or_year(text: str | None, end: bool = False) -> str:
    """A date as the text gives it: the year alone for year-precision dates (YYYY-01-01 / YYYY-12-31)."""
    if not text:
        return ""
    if (re.match(r"^\d{4}-01-01$", text) and not end) or (re.match(r"^\d{4}-12-31$", text) and end):
        return text[:4]
    return text[:10]


def interval(row: dict, labels: dict) -> str:
    start = row.get("start")
    end = row.get("end")
    status = row.get("status")
    observed = row.get("observed")
    if status is not None and status.value.endswith("UnknownInterval"):
        return '<span class="unknown">unknown interval</span>'
    if start is None and end is None:
        return '<span class="unknown">no dates given</span>'
    text = f"{esc(day_or_year(start.value if start else None)) or '?'}–"
    if end is not None:
        text += esc(day_or_year(end.value, end=True))
    else:
        text += "open"
        if observed is not None:
            text += f' <span class="muted">(observed until {esc(day_or_year(observed.value, end=True))})</span>'
    return text


def _links(iris: list[str], labels: dict, limit: int = 3) -> str:
    shown = [term(i, labels) for i in iris[:limit]]
    more = f' <span class="muted">and {len(iris) - limit} more</span>' if len(iris) > limit else ""
    return ", ".join(shown) + more


def basis(row: dict, labels: dict) -> str:
    b = row.get("basis")
    name = labels.get(b.value, ns.compact(b.value)) if b is not None else "basis not given"
    out = f'<span class="basis basis-{esc(name.split()[0].lower())}">{esc(name)}</span>'
    rule = row.get("rule")
    if rule is not None:
        out += f" by rule {term(rule.value, labels, 'rule')}"
    note = row.get("note")
    if note is not None:
        out += f'<br><span class="note">reading: {esc(note.value)}</span>'
    return out


def evidence(row: dict, labels: dict) -> str:
    parts = []
    sources = row["sources"].value.split() if row.get("sources") is not None else []
    premises = row["premises"].value.split() if row.get("premises") is not None else []
    if sources:
        parts.append(_links(sources, labels))
    if premises:
        parts.append(f"premises: {_links(premises, labels)}")
    return "<br>".join(parts) or '<span class="muted">none recorded</span>'


def relations_section(
    key: str, title: str, other_heading: str, rows: list, labels: dict, chain: str | None, limit: int
) -> str:
    if not rows:
        return ""
    capped = len(rows) > limit
    rows = sorted(
        rows[:limit],
        key=lambda r: (labels.get(r["other"].value, r["other"].value).casefold(), r.get("start") and r["start"].value),
    )
    body = "".join(
        "<tr>"
        f"<td>{term(r['other'].value, labels)}</td>"
        f"<td>{term(r['mech'].value, labels) if r.get('mech') is not None else ''}"
        f"{' (' + term(r['dir'].value, labels) + ')' if r.get('dir') is not None else ''}"
        f"{'<br>instrument: ' + term(r['instrument'].value, labels) if r.get('instrument') is not None else ''}</td>"
        f"<td>{basis(r, labels)}</td>"
        f"<td>{interval(r, labels)}</td>"
        f"<td>{evidence(r, labels)}</td>"
        f"<td>{term(r['rel'].value, {r['rel'].value: 'record'})}</td>"
        "</tr>"
        for r in rows
    )
    note = f'<p class="muted">The first {limit} relations are shown.</p>' if capped else ""
    chain_link = (
        f'<p class="chain"><a href="{esc(chain)}">the chain of accountability from here (query)</a></p>'
        if chain
        else ""
    )
    return (
        f'<section id="{key}" aria-labelledby="{key}-h"><h2 id="{key}-h">{esc(title)} '
        f"<small>({len(rows)}{'+' if capped else ''})</small></h2>{chain_link}{note}"
        f'<div class="table-wrap"><table><thead><tr><th scope="col">{esc(other_heading)}</th>'
        '<th scope="col">mechanism</th><th scope="col">basis</th><th scope="col">interval</th>'
        '<th scope="col">evidence</th><th scope="col">record</th></tr></thead>'
        f"<tbody>{body}</tbody></table></div></section>"
    )


def spell_kind(row: dict) -> str:
    if row.get("rule") is not None:
        return "derived"
    kind = row.get("srckind")
    if kind is not None and kind.value == ns.LAT.Dataset:
        return "data set"
    return "text"


SPELL_HEADINGS = {"members": "Members", "member of": "Member of", "parties": "Parties", "party to": "Party to"}
KIND_HEADINGS = {"data set": "from data sets", "text": "stated by the texts", "derived": "derived by rules"}


def spells_section(rows: list, labels: dict, iri: str = "") -> str:
    if not rows:
        return ""
    parts = []
    for role, heading in SPELL_HEADINGS.items():
        mine = [r for r in rows if r["role"].value == role]
        if not mine:
            continue
        anchor = "timeline-" + role.replace(" ", "-")
        parts.append(f'<section id="{anchor}" aria-labelledby="{anchor}-h"><h2 id="{anchor}-h">{heading}</h2>')
        for kind, kind_heading in KIND_HEADINGS.items():
            group = [r for r in mine if spell_kind(r) == kind]
            if not group:
                continue
            slug = kind.replace(" ", "-")
            parts.append(
                f'<h3 id="{anchor}-{slug}">{esc(heading)} {esc(kind_heading)} <small>({len(group)})</small></h3>'
            )
            parts.append(timeline(group, labels, f"{anchor}-{slug}", chart_data(iri, role, kind) if iri else None))
        parts.append("</section>")
    return "".join(parts)


def _spell_years(r: dict, last: int) -> tuple[int | None, int | None, bool]:
    start = _year(r["start"].value) if r.get("start") is not None else None
    end = _year(r["end"].value) if r.get("end") is not None else None
    is_open = end is None
    if is_open and start is not None:
        cov = _year(r["coverage"].value) if r.get("coverage") is not None else None
        end = cov or last
    return start, end, is_open


def chart_data(iri: str, role: str, kind: str) -> str:
    """The address of the counts by year of one group of spells (served by /api/timeline; add &format=csv)."""
    return "/api/timeline?" + urlencode({"iri": iri, "role": role, "kind": kind})


def _last_year(group: list) -> int:
    found = [_year(r[k].value) for r in group for k in ("start", "end", "coverage") if r.get(k) is not None]
    years: list[int] = [y for y in found if y is not None]
    return max(years) if years else date.today().year


def _dated(group: list, last: int) -> list[tuple[dict, int, int, bool]]:
    dated: list[tuple[dict, int, int, bool]] = []
    for r in group:
        s, e, o = _spell_years(r, last)
        if s is not None and e is not None and e >= s:
            dated.append((r, s, e, o))
    return dated


def year_counts(dated: list[tuple[dict, int, int, bool]]) -> dict[int, set]:
    """The distinct others (members, parties) of the dated spells, year by year from the first to the last."""
    if not dated:
        return {}
    lo = min(s for _, s, _, _ in dated)
    hi = max(e for _, _, e, _ in dated)
    counts: dict[int, set] = {y: set() for y in range(lo, hi + 1)}
    for r, s, e, _ in dated:
        for y in range(s, e + 1):
            counts[y].add(r["other"].value)
    return counts


def spell_counts(rows: list) -> list[dict]:
    """Counts by year of every group of spells (role and kind), as on the page: the data of its charts."""
    out = []
    for role in SPELL_HEADINGS:
        for kind in KIND_HEADINGS:
            group = [r for r in rows if r["role"].value == role and spell_kind(r) == kind]
            for year, who in year_counts(_dated(group, _last_year(group))).items():
                out.append({"role": role, "kind": kind, "year": year, "count": len(who)})
    return out


def timeline(group: list, labels: dict, anchor: str, data: str | None = None) -> str:
    """Spells by year as a picture (one row per spell) and a count of members by year, with the list; DATA is
    where the counts are served, drawn as a chart by the page's script (kg/web/charts.js)."""
    last = _last_year(group)
    group = sorted(
        group,
        key=lambda r: (
            r["start"].value if r.get("start") is not None else "9999",
            labels.get(r["other"].value, r["other"].value).casefold(),
        ),
    )
    rows_html = []
    for r in group:
        start, end, is_open = _spell_years(r, last)
        status = term(r["status"].value, labels) if r.get("status") is not None else ""
        when = (
            f"{start if start is not None else '?'}–{'' if is_open else end}"
            + (f' <span class="muted">(open; data to {end})</span>' if is_open and end else "")
            if start is not None or not is_open
            else '<span class="unknown">no dates given</span>'
        )
        src = r.get("src")
        ev = term(src.value, labels) if src is not None else ""
        if r.get("rule") is not None:
            ev = f"rule {term(r['rule'].value, labels)}"
        rows_html.append(
            f"<tr><td>{term(r['other'].value, labels)}</td><td>{when}</td><td>{status}</td><td>{ev}</td>"
            f"<td>{term(r['rec'].value, {r['rec'].value: 'record'})}</td></tr>"
        )
    table = (
        '<details class="spells"><summary>the spells, one per row</summary><div class="table-wrap"><table>'
        '<thead><tr><th scope="col">who</th><th scope="col">years</th><th scope="col">status</th>'
        '<th scope="col">evidence</th><th scope="col">record</th></tr></thead>'
        f"<tbody>{''.join(rows_html)}</tbody></table></div></details>"
    )
    dated = _dated(group, last)
    if not dated:
        return table
    counts = year_counts(dated)
    lo, hi = min(counts), max(counts)
    chart = count_chart(data, anchor, lo, hi) if data else ""
    return svg_timeline(dated[:MAX_TIMELINE_ROWS], lo, hi, labels, anchor) + chart + count_table(counts, anchor) + table


def count_chart(data: str, anchor: str, lo: int, hi: int) -> str:
    """The place of the counts-by-year chart (Vega-Lite, drawn by kg/web/charts.js) and the link to its data;
    without the script the table of counts below it stands."""
    return (
        f'<figure class="vl-chart" id="{anchor}-chart" data-kind="counts" data-src="{esc(data + "&format=json")}" '
        f'data-title="How many, year by year, {lo}–{hi}">'
        f'<figcaption>How many, year by year · <a href="{esc(data + "&format=csv")}">the counts as CSV</a>'
        "</figcaption></figure>"
    )


def svg_timeline(dated: list, lo: int, hi: int, labels: dict, anchor: str) -> str:
    span = max(hi - lo + 1, 1)
    left, width, row = 190, 640, 14
    scale = width / span
    height = row * len(dated) + 24
    bars = []
    for i, (r, s, e, is_open) in enumerate(dated):
        y = 18 + i * row
        name = labels.get(r["other"].value, ns.compact(r["other"].value))
        short = name if len(name) <= 30 else name[:29] + "…"
        x = left + (s - lo) * scale
        w = max((e - s + 1) * scale, 2)
        klass = "bar open" if is_open else "bar"
        bars.append(
            f'<text x="{left - 6}" y="{y + 10}" text-anchor="end">{esc(short)}</text>'
            f'<rect class="{klass}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 4}">'
            f"<title>{esc(name)}: {s}–{'' if is_open else e}</title></rect>"
        )
    ticks = []
    step = 1 if span <= 12 else 5 if span <= 60 else 10 if span <= 150 else 25
    for year in range(lo - lo % step + (step if lo % step else 0), hi + 1, step):
        x = left + (year - lo) * scale
        ticks.append(
            f'<text class="tick" x="{x:.1f}" y="11">{year}</text><line x1="{x:.1f}" x2="{x:.1f}" y1="14" y2="{height}"/>'
        )
    return (
        f'<svg class="timeline" role="img" aria-labelledby="{anchor}-svg-t" viewBox="0 0 {left + width + 10} {height}" '
        f'width="{left + width + 10}" height="{height}"><title id="{anchor}-svg-t">Spells by year, {lo}–{hi}</title>'
        f"{''.join(ticks)}{''.join(bars)}</svg>"
    )


def count_table(counts: dict, anchor: str) -> str:
    cells = "".join(f'<tr><th scope="row">{y}</th><td class="count">{len(v)}</td></tr>' for y, v in counts.items())
    return (
        f'<details class="counts" id="{anchor}-counts"><summary>how many, year by year</summary>'
        f'<table class="by-year"><thead><tr><th scope="col">year</th><th scope="col">count</th></tr></thead>'
        f"<tbody>{cells}</tbody></table></details>"
    )


def description(page: dict) -> str:
    descs = page["descriptions"]
    text = None
    for prop in (ns.SKOS.definition, ns.DCTERMS.description, ns.RDFS.comment):
        values = descs.get(prop, [])
        best = next((v for v, lang in values if lang.startswith("en")), None) or next((v for v, _ in values), None)
        if best:
            text = best
            break
    out = f'<p class="description">{esc(text)}</p>' if text else ""
    quotes = []
    for row in page["sources"]:
        quote = row.get("quote")
        citation = row.get("citation")
        locator = row.get("locator")
        src = row["src"].value
        if quote is not None:
            quotes.append(
                f'<figure class="quote"><blockquote>{esc(quote.value)}</blockquote><figcaption>'
                f"{esc(citation.value) if citation is not None else ''}"
                f"{', ' + esc(locator.value) if locator is not None else ''} · "
                f'<a href="{esc(href_for(src) or "#")}" rel="nofollow">passage</a></figcaption></figure>'
            )
        elif citation is not None:
            quotes.append(
                f'<p class="source">Source: <a href="{esc(href_for(src) or "#")}" rel="nofollow">'
                f"{esc(page['labels'].get(src, ns.compact(src)))}</a> — {esc(citation.value)}</p>"
            )
    return out + "".join(quotes)


FINDINGS_STATES = {
    "absent": "Not validated since the last build: run <code>kg validate</code> to see the principles it falls short of.",
    "stale": "Not validated since the last build: run <code>kg validate</code>. The findings on record belong to an "
    "older build and are not shown.",
    "changed": "The graph was updated on this server after it was validated; its findings are not shown.",
    "unavailable": "This server reads a store, not a built dataset: it has no findings index to show.",
}


def principles_section(findings: dict | None, labels: dict) -> str:
    """The validation findings for the entity (from the findings index of the build served), each with the
    principle its shape encodes and the norm's passage; or why there is nothing to show."""
    head = (
        '<section id="principles" aria-labelledby="principles-h">'
        '<h2 id="principles-h">Principles it falls short of</h2>'
    )
    findings = findings or {}
    state = findings.get("state", "absent")
    if state != "current":
        return f'{head}<p class="findings-state findings-{esc(state)}">{FINDINGS_STATES.get(state, FINDINGS_STATES["absent"])}</p></section>'
    when = f" (validated {esc(findings['validated'])})" if findings.get("validated") else ""
    rows = findings.get("results") or []
    if not rows:
        if findings.get("incomplete"):
            return (
                f'{head}<p class="findings-state findings-incomplete">The findings index was capped before it '
                f"reached this entity{when}: run <code>kg validate</code> for the full report.</p></section>"
            )
        return f'{head}<p class="findings-state findings-none">No finding: the shapes find nothing missing here{when}.</p></section>'
    items = []
    for r in rows:
        severity = r.get("severity") or "Finding"
        norm = r.get("norm")
        info = r.get("norm_info") or {}
        shape = r.get("shape")
        if norm:
            names = dict(labels)
            if info.get("label") and norm not in names:
                names[norm] = info["label"]
            principle = term(norm, names, "principle")
        else:
            principle = '<span class="muted">a data rule, not a principle</span>'
        passage = ""
        if info.get("quote"):
            doc = info.get("document")
            cite = ", ".join(
                esc(x) for x in ((labels.get(doc) or ns.compact(doc)) if doc else None, info.get("locator")) if x
            )
            link = href_for(info["passage"]) if info.get("passage") else None
            passage = (
                f'<figure class="quote"><blockquote>{esc(info["quote"])}</blockquote><figcaption>{cite}'
                + (f' · <a href="{esc(link)}" rel="nofollow">passage</a>' if link else "")
                + "</figcaption></figure>"
            )
        shape_names = dict(labels)
        if shape and r.get("shape_label") and shape not in shape_names:
            shape_names[shape] = r["shape_label"]
        items.append(
            f'<li class="finding severity-{esc(severity.lower())}"><p><span class="severity">{esc(severity)}</span> '
            f"{principle}: {esc(r.get('message') or '')}"
            + (f' <span class="muted">(shape {term(shape, shape_names, "shape")})</span>' if shape else "")
            + f"</p>{passage}</li>"
        )
    more = findings.get("more") or 0
    tail = (
        f'<p class="muted">and {int(more)} more findings not kept in the index; run <code>kg validate</code> for all of them.</p>'
        if more
        else ""
    )
    return f'{head}<p class="muted">From <code>kg validate</code> of this build{when}.</p><ul class="findings">{"".join(items)}</ul>{tail}</section>'


def facts_section(page: dict) -> str:
    labels = page["labels"]
    fact_sources: dict = {}
    for row in page["fact_sources"]:
        fact_sources.setdefault((row["p"].value, row["o"]), []).append(row["src"].value)
    rows = []
    for p in sorted(page["facts"], key=lambda p: labels.get(p, ns.compact(p)).casefold()):
        objs = page["facts"][p]
        shown = []
        for o in objs[:MAX_VALUES]:
            srcs = fact_sources.get((p, o), [])
            cite = f' <span class="cite">[{_links(srcs, labels, 2)}]</span>' if srcs else ""
            shown.append(f"<li>{value(o, labels)}{cite}</li>")
        more = f'<li class="muted">and {len(objs) - MAX_VALUES} more</li>' if len(objs) > MAX_VALUES else ""
        rows.append(f'<tr><th scope="row">{term(p, labels)}</th><td><ul>{"".join(shown)}{more}</ul></td></tr>')
    if not rows:
        return ""
    return f'<section id="facts" aria-labelledby="facts-h"><h2 id="facts-h">What the graph says</h2><table>{"".join(rows)}</table></section>'


def incoming_section(page: dict) -> str:
    labels = page["labels"]
    rows = []
    for p, subjects in sorted(page["incoming"].items(), key=lambda kv: labels.get(kv[0], kv[0]).casefold()):
        shown = ", ".join(term(s, labels) for s in subjects[:20])
        more = f' <span class="muted">and {len(subjects) - 20} more</span>' if len(subjects) > 20 else ""
        rows.append(f'<tr><th scope="row">{term(p, labels)}</th><td>{shown}{more}</td></tr>')
    if not rows:
        return ""
    capped = '<p class="muted">A sample of the statements that point here.</p>' if page["incoming_capped"] else ""
    return (
        f'<section id="incoming" aria-labelledby="incoming-h"><h2 id="incoming-h">Referred to by</h2>{capped}'
        f"<table>{''.join(rows)}</table></section>"
    )


def cite_section(title: str, iri: str, version: str) -> str:
    today = date.today().isoformat()
    text = f"Lattice {version}. “{title}”. {iri} (accessed {today})."
    return (
        '<section id="cite" aria-labelledby="cite-h"><h2 id="cite-h">Cite this page</h2>'
        f'<p class="citation">{esc(text)}</p></section>'
    )


def title_of(page: dict) -> tuple[str, list[str]]:
    names = page["names"]
    title = None
    for prop in (ns.RDFS.label, ns.SKOS.prefLabel, ns.FOAF.name, str(ns.DCTERMS.title)):
        values = names.get(prop, [])
        title = next((v for v, lang in values if lang.startswith("en")), None) or next((v for v, _ in values), None)
        if title:
            break
    title = title or page["labels"].get(page["iri"]) or ns.compact(page["iri"])
    aliases = sorted({v for vs in names.values() for v, _ in vs if v != title})
    return title, aliases


def entity_html(page: dict) -> bytes:
    """The article for one entity, from what entity.gather found."""
    from kg.version import __version__

    labels = page["labels"]
    iri = page["iri"]
    title, aliases = title_of(page)
    kinds = " ".join(
        f'<a class="kind" href="/browse?class={urlquote(k, safe="")}">{esc(labels.get(k, ns.compact(k)))}</a>'
        for k in sorted(page["kinds"], key=lambda k: labels.get(k, k).casefold())
    )
    also = f'<p class="aliases">Also known as: {", ".join(esc(a) for a in aliases)}</p>' if aliases else ""
    chain = "/questions/accountability-chain?actor=" + urlquote(iri, safe="")
    direct = "/api/queries/accountability-direct?actor=" + urlquote(iri, safe="") + "&format=csv"
    body = (
        f'<article class="entity" data-iri="{esc(iri)}"><h1>{esc(title)}</h1>'
        f'<p class="kinds">{kinds}</p>{also}'
        f'<p class="iri">IRI: <a href="{esc(iri)}" rel="nofollow"><code>{esc(iri)}</code></a> · download '
        '<a href="?format=ttl">Turtle</a> · <a href="?format=jsonld">JSON-LD</a> · <a href="?format=rdfxml">RDF/XML</a></p>'
        f"{description(page)}"
        + relations_section("answers-to", "Answers to", "forum", page["answers_to"], labels, chain, _limit())
        + relations_section(
            "holds-to-account", "Holds to account", "actor", page["holds_to_account"], labels, None, _limit()
        )
        + (
            f'<p class="chain"><a href="{esc(direct)}">accountability relations as CSV</a></p>'
            if page["answers_to"] or page["holds_to_account"]
            else ""
        )
        + (network_section(iri) if page["answers_to"] or page["holds_to_account"] else "")
        + spells_section(page["spells"], labels, iri)
        + principles_section(page.get("findings"), labels)
        + facts_section(page)
        + incoming_section(page)
        + cite_section(title, iri, __version__)
        + "</article>"
    )
    scripts = CHART_SCRIPTS if 'class="vl-chart"' in body else ""
    return page_bytes(title, body + scripts)


# Vega, Vega-Lite and vega-embed served from the package (scripts/vendor-npm.list), then the page's chart script
CHART_SCRIPTS = "".join(
    f'<script src="/web/{name}" defer></script>'
    for name in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "charts.js")
)


def network_section(iri: str) -> str:
    """The interactive network (Cytoscape.js, served from the package) with its SVG export."""
    q = urlquote(iri, safe="")
    return (
        '<section id="network" aria-labelledby="network-h"><h2 id="network-h">Accountability network</h2>'
        '<p class="muted">Forums up to three steps above, those answering here one step below. Drag to pan, '
        "scroll or the buttons to zoom, click a body to open its page; with the picture focused, the arrow keys "
        "pan, + and - zoom, N and P step through the bodies and Enter opens the one chosen.</p>"
        '<div class="network-tools"><button type="button" id="net-zoom-in">Zoom in</button> '
        '<button type="button" id="net-zoom-out">Zoom out</button> <button type="button" id="net-fit">Fit</button> '
        f'<a href="/api/network.svg?iri={esc(q)}" download="network.svg">Download SVG</a></div>'
        f'<div id="cy" data-iri="{esc(iri)}" tabindex="0" role="application" '
        'aria-label="accountability network; arrow keys pan, plus and minus zoom, N and P choose a body, Enter opens it"></div>'
        '<p id="net-status" role="status" aria-live="polite"></p>'
        # Cytoscape.js adds a <style> element unless one with this id exists; the policy of the pages forbids
        # inline styles, so the rule it would add is in pages.css and this empty element stands in for it.
        '<span id="__________cytoscape_stylesheet" hidden></span></section>'
        '<script src="/web/cytoscape.min.js" defer></script><script src="/web/network.js" defer></script>'
    )


def _limit() -> int:
    from kg.serve.entity import MAX_RELATIONS

    return MAX_RELATIONS


def page_bytes(title: str, body: str) -> bytes:
    return page(title, body)
