"""`kg graph ACTOR`: draw an actor's accountability network as SVG or self-contained HTML, with our own layout."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from kg.cliopts import add_output
from kg.errors import UsageError
from kg.fileio import write_atomic
from kg.namespaces import LAT

# Node categories, most specific first: (category, classes). The first category a node's types hit wins.
CATEGORIES = [
    ("constituency", ("Constituency", "Electorate", "BeneficiaryGroup", "StakeholderGroup")),
    ("court", ("Court", "ConstitutionalCourt", "SupremeCourt")),
    ("legislature", ("Legislature", "LegislativeCommittee")),
    ("supranational", ("SupranationalInstitution",)),
    ("network", ("GovernmentNetwork", "NetworkOfNetworks")),
    ("organization", ("InternationalOrganization",)),
    ("collaboration", ("SpecialPurposeCollaboration", "Partnership")),
    ("state", ("State",)),
    ("government", ("GovernmentInstitution", "Executive", "Ministry", "RegulatoryAgency", "CentralBank")),
    ("civil society", ("NGO", "TransnationalCoalition", "NonStateActor", "Corporation")),
]
COLOURS = {
    "constituency": "#f2c14e",
    "court": "#9b5de5",
    "legislature": "#f15bb5",
    "supranational": "#e76f51",
    "network": "#2a9d8f",
    "organization": "#e9c46a",
    "collaboration": "#8ab17d",
    "state": "#adb5bd",
    "government": "#4ea8de",
    "civil society": "#90be6d",
    "other": "#dddddd",
}


@dataclass
class Node:
    iri: str
    label: str = ""
    category: str = "other"
    level: int = 0
    x: float = 0.0
    y: float = 0.0


@dataclass
class Edge:
    source: str
    target: str
    mechanisms: list[str] = field(default_factory=list)


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1] or iri
    return iri


def _values(iris) -> str:
    from kg.query import Param, sparql_term

    p = Param("node", "iri")
    return " ".join(sparql_term(p, i) for i in sorted(iris))


def collect(actor: str, store=None, dataset=None, endpoint=None, up: int = 4, down: int = 2):
    """The actor's accountability neighbourhood: forums up to UP hops away, answerers up to DOWN hops."""
    from kg.query import expand_iri, run_sparql

    actor = expand_iri(actor)
    nodes: dict[str, Node] = {actor: Node(actor, level=0)}
    edges: dict[tuple[str, str], Edge] = {}

    def step(frontier, outward: bool):
        if not frontier:
            return []
        me, other = ("?actor", "?forum") if outward else ("?forum", "?actor")
        text = f"""PREFIX lat: <{LAT}>
SELECT ?actor ?forum ?mechanism WHERE {{
  VALUES {me} {{ {_values(frontier)} }}
  ?r lat:accountableActor ?actor ; lat:forum ?forum .
  OPTIONAL {{ ?r lat:mechanism ?mechanism }}
}}"""
        rows = run_sparql(text, store=store, dataset=dataset, endpoint=endpoint)
        found = []
        for r in rows:
            key = (r["actor"], r["forum"])
            e = edges.setdefault(key, Edge(*key))
            if r.get("mechanism"):
                m = _local(r["mechanism"]).replace("Accountability", "")
                if m not in e.mechanisms:
                    e.mechanisms.append(m)
            found.append(r[other[1:]])
        return found

    for outward, limit, sign in ((True, up, 1), (False, down, -1)):
        frontier = {actor}
        for depth in range(1, limit + 1):
            new = set()
            for n in step(frontier, outward):
                if n not in nodes:
                    nodes[n] = Node(n, level=sign * depth)
                    new.add(n)
            frontier = new
    if not edges:
        exists = run_sparql(f"ASK {{ <{actor}> ?p ?o }}", store=store, dataset=dataset, endpoint=endpoint)
        if not exists:
            raise UsageError(f"{actor}: not in the graph")
    _describe(nodes, store, dataset, endpoint)
    return nodes, list(edges.values())


def _describe(nodes: dict, store, dataset, endpoint) -> None:
    from kg.query import run_sparql

    text = f"""PREFIX lat: <{LAT}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?n ?label ?type WHERE {{
  VALUES ?n {{ {_values(nodes)} }}
  OPTIONAL {{ ?n rdfs:label ?label . FILTER(LANG(?label) = "en" || LANG(?label) = "") }}
  OPTIONAL {{ ?n a ?type . FILTER(STRSTARTS(STR(?type), "{LAT}")) }}
}}"""
    types: dict[str, set] = {}
    for r in run_sparql(text, store=store, dataset=dataset, endpoint=endpoint):
        n = nodes[r["n"]]
        if r.get("label") and not n.label:
            n.label = r["label"]
        if r.get("type"):
            types.setdefault(r["n"], set()).add(_local(r["type"]))
    for iri, n in nodes.items():
        n.label = n.label or _local(iri)
        t = types.get(iri, set())
        n.category = next((c for c, classes in CATEGORIES if t & set(classes)), "other")


# ---------------------------------------------------------------------------------------------- layout

NODE_W, NODE_H, COL_GAP, ROW_GAP, MARGIN = 170, 44, 40, 110, 40


def layout(nodes: dict, edges: list) -> tuple[float, float]:
    """Layered layout: forums above the actor, answerers below. The actor's row is placed first; each
    further row puts its nodes as close as it can above (or below) the neighbours already placed."""
    levels: dict[int, list[Node]] = {}
    for n in nodes.values():
        levels.setdefault(n.level, []).append(n)
    order = sorted(levels, key=lambda lv: -lv)  # top row = farthest forum
    neighbours: dict[str, list[str]] = {}
    for e in edges:
        neighbours.setdefault(e.source, []).append(e.target)
        neighbours.setdefault(e.target, []).append(e.source)
    step = NODE_W + COL_GAP
    placed: set[str] = set()
    for lv in sorted(levels, key=abs):
        row = levels[lv]

        def wanted(n):
            xs = [nodes[m].x for m in neighbours.get(n.iri, []) if m in placed]
            return sum(xs) / len(xs) if xs else None

        want = {n.iri: wanted(n) for n in row}
        row.sort(key=lambda n: (want[n.iri] is None, want[n.iri] or 0.0, n.label.lower()))
        x = None
        for _i, n in enumerate(row):
            target = want[n.iri] if want[n.iri] is not None else (x + step if x is not None else 0.0)
            x = target if x is None else max(target, x + step)
            n.x = x
        # pull the row back so that it is centred on what it wanted, keeping the spacing
        wanted_xs = [want[n.iri] for n in row if want[n.iri] is not None]
        if wanted_xs:
            shift = (sum(wanted_xs) / len(wanted_xs)) - (sum(n.x for n in row) / len(row))
            if shift < 0:
                for n in row:
                    n.x += shift
        y = MARGIN + order.index(lv) * (NODE_H + ROW_GAP)
        for n in row:
            n.y = y + NODE_H / 2
            placed.add(n.iri)
    left = min(n.x for n in nodes.values()) - NODE_W / 2
    for n in nodes.values():
        n.x += MARGIN - left
    width = max(n.x for n in nodes.values()) + NODE_W / 2 + MARGIN
    width = max(width, 2 * MARGIN + 4 * 105)  # room for the legend
    height = 2 * MARGIN + len(order) * (NODE_H + ROW_GAP) - ROW_GAP + 20
    return width, height


def _wrap(text: str, limit: int = 24) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > limit:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        lines.append(cur)
    if len(lines) > 2:
        lines = [lines[0], (lines[1][: limit - 1] + "…")]
    return [ln if len(ln) <= limit + 2 else ln[:limit] + "…" for ln in lines] or [""]


def _edge_geometry(a: Node, b: Node, index: int):
    """Start, end, control point and label position of an edge from a to b (curved for same-row or upward-back edges)."""
    _dx, _dy = b.x - a.x, b.y - a.y
    if a.level == b.level:  # same row: arc above
        y1 = a.y - NODE_H / 2
        sx, sy, ex, ey = a.x, y1, b.x, y1
        cx, cy = (a.x + b.x) / 2, y1 - 50 - 12 * index
    else:
        going_up = b.y < a.y
        sy = a.y - NODE_H / 2 if going_up else a.y + NODE_H / 2
        ey = b.y + NODE_H / 2 if going_up else b.y - NODE_H / 2
        sx, ex = a.x, b.x
        bend = 0 if b.level > a.level else 60 + 10 * index  # edges back towards the actor bow sideways
        cx, cy = (sx + ex) / 2 + bend, (sy + ey) / 2
    lx, ly = 0.25 * sx + 0.5 * cx + 0.25 * ex, 0.25 * sy + 0.5 * cy + 0.25 * ey
    return sx, sy, ex, ey, cx, cy, lx, ly


def render_svg(nodes: dict, edges: list, actor: str, interactive: bool = False) -> str:
    """The network as an SVG document (no external resources)."""
    width, height = layout(nodes, edges)
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif" font-size="11">'
        ),
        f"<title>Accountability network of {escape(nodes[actor].label)}</title>",
        (
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'
        ),
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    pair_index: dict[tuple, int] = {}
    for e in edges:
        a, b = nodes[e.source], nodes[e.target]
        pair = (min(a.iri, b.iri), max(a.iri, b.iri))
        k = pair_index[pair] = pair_index.get(pair, -1) + 1  # nth edge between these two nodes
        sx, sy, ex, ey, cx, cy, lx, ly = _edge_geometry(a, b, k)
        label = ", ".join(e.mechanisms) or "accountable to"
        out.append(
            f'<g class="edge" data-source="{escape(e.source)}" data-target="{escape(e.target)}">'
            f"<title>{escape(a.label)} answers to {escape(b.label)}: {escape(label)}</title>"
            f'<path d="M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}" fill="none" stroke="#555" '
            f'stroke-width="1.4" marker-end="url(#arrow)"/>'
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" fill="#333" stroke="white" stroke-width="3" '
            f'paint-order="stroke" font-size="10">{escape(label)}</text></g>'
        )
    for n in nodes.values():
        colour = COLOURS.get(n.category, COLOURS["other"])
        lines = _wrap(n.label)
        stroke = ' stroke="#000" stroke-width="2.5"' if n.iri == actor else ' stroke="#444" stroke-width="1"'
        texts = "".join(
            f'<text x="{n.x:.1f}" y="{n.y + (i - (len(lines) - 1) / 2) * 13 + 4:.1f}" text-anchor="middle">'
            f"{escape(t)}</text>"
            for i, t in enumerate(lines)
        )
        out.append(
            f'<g class="node" data-iri="{escape(n.iri)}" data-category="{escape(n.category)}">'
            f"<title>{escape(n.label)} ({escape(n.category)})\n{escape(n.iri)}</title>"
            f'<rect x="{n.x - NODE_W / 2:.1f}" y="{n.y - NODE_H / 2:.1f}" width="{NODE_W}" height="{NODE_H}" rx="8" '
            f'fill="{colour}"{stroke}/>{texts}</g>'
        )
    # legend of the categories present
    present = [c for c in COLOURS if any(n.category == c for n in nodes.values())]
    for i, c in enumerate(present):
        y = height - 12
        x = MARGIN + i * 105
        out.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{COLOURS[c]}" stroke="#444"/>'
            f'<text x="{x + 14}" y="{y}" font-size="10">{escape(c)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Accountability network of __TITLE__</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 1em; color: #222; }
#wrap { display: flex; gap: 1em; align-items: flex-start; }
#canvas { border: 1px solid #ccc; overflow: auto; max-width: 75vw; max-height: 85vh; }
#info { min-width: 16em; font-size: 0.9em; }
g.node { cursor: pointer; }
g.dim { opacity: 0.15; }
</style></head>
<body>
<h1>Accountability network of __TITLE__</h1>
<p>Arrows run from an actor to the forum it answers to, labelled with the mechanism. Forums sit above the
actor, those who answer to it below. Hover over a node to highlight its relations; click it for details.</p>
<div id="wrap"><div id="canvas">
__SVG__
</div><div id="info"><em>Click a node.</em></div></div>
<script>
const data = __DATA__;
const svg = document.querySelector('#canvas svg');
const nodes = svg.querySelectorAll('g.node');
const edges = svg.querySelectorAll('g.edge');
function focus(iri) {
  const keep = new Set([iri]);
  edges.forEach(e => {
    const on = e.dataset.source === iri || e.dataset.target === iri;
    e.classList.toggle('dim', iri !== null && !on);
    if (on) { keep.add(e.dataset.source); keep.add(e.dataset.target); }
  });
  nodes.forEach(n => n.classList.toggle('dim', iri !== null && !keep.has(n.dataset.iri)));
}
function esc(s) { return String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c])); }
nodes.forEach(n => {
  n.addEventListener('mouseenter', () => focus(n.dataset.iri));
  n.addEventListener('mouseleave', () => focus(null));
  n.addEventListener('click', () => {
    const d = data.nodes[n.dataset.iri];
    const out = data.edges.filter(e => e.source === n.dataset.iri)
      .map(e => '<li>answers to ' + esc(data.nodes[e.target].label) + ' (' + esc(e.mechanisms.join(', ') || 'unstated') + ')</li>');
    const inn = data.edges.filter(e => e.target === n.dataset.iri)
      .map(e => '<li>' + esc(data.nodes[e.source].label) + ' answers to it (' + esc(e.mechanisms.join(', ') || 'unstated') + ')</li>');
    document.getElementById('info').innerHTML = '<h2>' + esc(d.label) + '</h2><p><code>' + esc(n.dataset.iri) +
      '</code><br>' + esc(d.category) + '</p><ul>' + out.join('') + inn.join('') + '</ul>';
  });
});
</script>
</body></html>
"""


def render_html(nodes: dict, edges: list, actor: str) -> str:
    """A self-contained HTML page: the SVG inline plus a little script; no network access needed."""
    svg = render_svg(nodes, edges, actor)
    data = {
        "nodes": {k: {"label": n.label, "category": n.category, "level": n.level} for k, n in nodes.items()},
        "edges": [{"source": e.source, "target": e.target, "mechanisms": e.mechanisms} for e in edges],
    }
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return (
        HTML_TEMPLATE.replace("__TITLE__", escape(nodes[actor].label))
        .replace("__DATA__", payload)
        .replace("__SVG__", svg)
    )


def draw(actor: str, out, store=None, dataset=None, endpoint=None, up: int = 4, down: int = 2) -> Path:
    """Write the actor's accountability network to OUT (.svg or .html); returns the path."""
    from kg.query import expand_iri

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".svg", ".html", ".htm"):
        raise UsageError(f"--out {out}: the file must end in .svg or .html")
    iri = expand_iri(actor)
    nodes, edges = collect(iri, store=store, dataset=dataset, endpoint=endpoint, up=up, down=down)
    text = render_svg(nodes, edges, iri) if suffix == ".svg" else render_html(nodes, edges, iri)
    write_atomic(out, text)
    return out


def register(sub) -> None:
    p = sub.add_parser(
        "graph",
        help="draw an actor's accountability network (SVG or HTML)",
        description="Draw who ACTOR answers to (above) and who answers to it (below), with mechanisms as edge labels.",
    )
    p.add_argument("actor", help="the actor: IRI or prefixed name, e.g. lat-id:fatf")
    add_output(
        p,
        "file to write: .svg (a picture) or .html (the picture in a page)",
        dest="out",
        required=True,
        metavar="FILE.svg|FILE.html",
    )
    p.add_argument("--up", type=int, default=4, help="hops towards forums (default 4)")
    p.add_argument("--down", type=int, default=2, help="hops towards those answering to the actor (default 2)")
    p.add_argument("--endpoint", metavar="URL", help="read from this SPARQL endpoint instead of the built dataset")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.up < 0 or args.down < 0 or args.up > 20 or args.down > 20:
        raise UsageError("--up and --down must be between 0 and 20")
    path = draw(
        args.actor, args.out, dataset=getattr(args, "dataset", None), endpoint=args.endpoint, up=args.up, down=args.down
    )
    print(path)
    return 0
