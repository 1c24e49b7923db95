"""`kg export-network`: the membership or accountability network as GraphML, GEXF or CSV for network-analysis tools."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from kg.cliopts import add_format, add_output
from kg.errors import UsageError
from kg.fileio import atomic_write

KINDS = ("membership", "accountability")
FORMATS = ("graphml", "gexf", "csv")

# Edges of each network; ?at (a date) is bound by a VALUES block when --at is given.
EDGE_QUERIES = {
    "membership": """PREFIX lat: <https://w3id.org/lattice/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?record ?source ?target ?status ?start ?end WHERE {
  ?record org:member ?source ; org:organization ?target .
  OPTIONAL { ?record lat:membershipStatus ?status }
  OPTIONAL { ?record lat:startDate ?start }
  OPTIONAL { ?record lat:endDate ?end }
  FILTER(!BOUND(?at) || (BOUND(?start) && ?start <= ?at && (!BOUND(?end) || ?end >= ?at)))
}""",
    "accountability": """PREFIX lat: <https://w3id.org/lattice/ontology#>
SELECT ?record ?source ?target ?mechanism ?direction ?basis ?derivation ?start ?end WHERE {
  ?record lat:accountableActor ?source ; lat:forum ?target .
  OPTIONAL { ?record lat:mechanism ?mechanism }
  OPTIONAL { ?record lat:direction ?direction }
  OPTIONAL { ?record lat:basis ?basis }
  OPTIONAL { ?record lat:derivation ?derivation }
  OPTIONAL { ?record lat:startDate ?start }
  OPTIONAL { ?record lat:endDate ?end }
  FILTER(!BOUND(?at) || ((!BOUND(?start) || ?start <= ?at) && (!BOUND(?end) || ?end >= ?at)))
}""",
}

# Node attributes, read for every node of the network at once (nodes come in through VALUES).
NODE_QUERY = """PREFIX lat: <https://w3id.org/lattice/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?n ?label ?type ?state ?function WHERE {
  VALUES ?n { __NODES__ }
  OPTIONAL { ?n rdfs:label ?label . FILTER(LANG(?label) = "en" || LANG(?label) = "") }
  OPTIONAL { ?n a ?type . FILTER(STRSTARTS(STR(?type), STR(lat:)))
             FILTER NOT EXISTS { ?n a ?sub . ?sub rdfs:subClassOf ?type . FILTER(?sub != ?type) } }
  OPTIONAL { { ?n lat:componentOf ?state } UNION { ?n lat:constituencyOf ?state }
             UNION { ?n a lat:State . BIND(?n AS ?state) } }
  OPTIONAL { ?n lat:function ?function }
}"""


def _local(iri) -> str:
    if not iri:
        return ""
    s = str(iri)
    return re.split(r"[#/]", s)[-1] if ("#" in s or "/" in s) else s


def network(kind: str, at: str | None = None, store=None, dataset=None, endpoint=None):
    """The network as a networkx MultiDiGraph: node attributes label/type/state/function, edge attributes
    mechanism (or status), direction, basis, derivation, start, end, interval, record."""
    import networkx as nx

    from kg.query import Param, QueryInfo, bind, run_sparql, sparql_term

    if kind not in KINDS:
        raise UsageError(f"--kind must be one of {', '.join(KINDS)}")
    info = QueryInfo(name=f"{kind}-network", path=Path(f"<{kind}>"), params=[Param("at", "date")])
    text = bind(info, {"at": at} if at else {}, text=EDGE_QUERIES[kind])
    rows = run_sparql(text, store=store, dataset=dataset, endpoint=endpoint)
    g = nx.MultiDiGraph(kind=kind, at=at or "")
    for r in rows:
        start, end = r.get("start") or "", r.get("end") or ""
        attrs = {
            "record": r["record"],
            "mechanism": _local(r.get("mechanism")) if kind == "accountability" else "membership",
            "status": _local(r.get("status")),
            "direction": _local(r.get("direction")),
            "basis": _local(r.get("basis")),
            "derivation": _local(r.get("derivation")),
            "start": str(start),
            "end": str(end),
            "interval": f"{start or '..'}/{end or '..'}",
        }
        g.add_edge(r["source"], r["target"], key=r["record"], **attrs)
    nodes = list(g.nodes)
    attrs: dict[str, dict] = {n: {"label": "", "type": set(), "state": set(), "function": set()} for n in nodes}
    p = Param("n", "iri")
    for i in range(0, len(nodes), 500):
        chunk = [n for n in nodes[i : i + 500] if not str(n).startswith("_:")]
        if not chunk:
            continue
        q = NODE_QUERY.replace("__NODES__", " ".join(sparql_term(p, n) for n in chunk))
        for r in run_sparql(q, store=store, dataset=dataset, endpoint=endpoint):
            a = attrs[r["n"]]
            if r.get("label") and not a["label"]:
                a["label"] = r["label"]
            for key in ("type", "function"):
                if r.get(key):
                    a[key].add(_local(r[key]))
            if r.get("state"):
                a["state"].add(r["state"])
    for n, a in attrs.items():
        g.nodes[n].update(
            {
                "label": a["label"] or _local(n),
                "type": " ".join(sorted(a["type"])),
                "state": " ".join(sorted(a["state"])),
                "function": " ".join(sorted(a["function"])),
            }
        )
    return g


def double_memberships(g) -> list[tuple[str, str, list[str]]]:
    """In a membership network, the bodies that count a state twice: the state itself and one or more of its own
    institutions (lat:componentOf the state) are both members. One (body, state, [institutions]) per case, sorted."""
    if g.graph.get("kind") != "membership":
        return []
    out = []
    for body in sorted(g.nodes):
        members = {s for s, _t in g.in_edges(body)}
        states = {m for m in members if g.nodes[m].get("state", "").split() == [m]}
        for state in sorted(states):
            own = sorted(m for m in members if m != state and state in g.nodes[m].get("state", "").split())
            if own:
                out.append((body, state, own))
    return out


def collapse_double_memberships(g) -> int:
    """Count each state once per body: where a state and its own institutions are all members of a body, drop the
    institutions' membership edges to it and list their records on the state's edge (attribute `collapsed`).
    Returns how many edges were dropped."""
    dropped = 0
    for body, state, own in double_memberships(g):
        records = []
        for inst in own:
            for key in [k for _s, _t, k in g.edges(inst, keys=True) if _t == body]:
                records.append(g.edges[inst, body, key]["record"])
                g.remove_edge(inst, body, key)
                dropped += 1
        for key in [k for _s, t, k in g.edges(state, keys=True) if t == body]:
            previous = g.edges[state, body, key].get("collapsed", "")
            g.edges[state, body, key]["collapsed"] = " ".join(x for x in [previous, *sorted(records)] if x)
    return dropped


def nodes_csv_path(out: Path) -> Path:
    """Where the node table goes when edges are written as CSV: FILE.csv -> FILE.nodes.csv."""
    return out.with_name(out.stem + ".nodes" + (out.suffix or ".csv"))


def write(g, out, fmt: str) -> list[Path]:
    """Write the graph; returns the files written (CSV gives an edge table and a node table)."""
    import networkx as nx

    out = Path(out)
    if fmt == "graphml":
        atomic_write(out, lambda tmp: nx.write_graphml(g, tmp))
        return [out]
    if fmt == "gexf":
        atomic_write(out, lambda tmp: nx.write_gexf(g, tmp))
        return [out]
    if fmt != "csv":
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}")
    edge_cols = [
        "source",
        "target",
        "mechanism",
        "status",
        "direction",
        "basis",
        "derivation",
        "start",
        "end",
        "interval",
        "record",
        "collapsed",
    ]
    node_cols = ["id", "label", "type", "state", "function"]

    def edges(tmp):
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(edge_cols)
            for s, t, d in g.edges(data=True):
                w.writerow([s, t] + [d.get(c, "") for c in edge_cols[2:]])

    def nodes(tmp):
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(node_cols)
            for n, d in g.nodes(data=True):
                w.writerow([n] + [d.get(c, "") for c in node_cols[1:]])

    npath = nodes_csv_path(out)
    atomic_write(out, edges)
    atomic_write(npath, nodes)
    return [out, npath]


def register(sub) -> None:
    p = sub.add_parser(
        "export-network",
        help="export the membership or accountability network (GraphML, GEXF, CSV)",
        description="Export a network for Gephi, igraph or networkx. CSV writes FILE (edges) and "
        "FILE.nodes.csv (nodes).",
    )
    p.add_argument("--kind", choices=KINDS, required=True, help="which relations: membership or accountability")
    p.add_argument("--at", metavar="DATE", help="only relations in force on this date (YYYY-MM-DD)")
    add_format(p, FORMATS, None, "file format (default: from the file extension)")
    add_output(p, "file to write (.graphml, .gexf or .csv)", dest="out", required=True, metavar="FILE")
    p.add_argument("--endpoint", metavar="URL", help="read from this SPARQL endpoint instead of the built dataset")
    p.add_argument(
        "--collapse-state-members",
        action="store_true",
        help="membership: where a state and its own institutions (a ministry, an agency) are all members of a "
        "body, keep only the state's membership (the dropped records are listed on its edge as `collapsed`)",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    out = Path(args.out)
    fmt = args.format or out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UsageError(f"cannot tell the format from {out.name!r}; give --format ({', '.join(FORMATS)})")
    g = network(args.kind, at=args.at, dataset=getattr(args, "dataset", None), endpoint=args.endpoint)
    doubles = double_memberships(g)
    if doubles and args.collapse_state_members:
        dropped = collapse_double_memberships(g)
        print(
            f"kg export-network: collapsed {dropped} membership(s) of institutions whose state is a member too",
            file=sys.stderr,
        )
    elif doubles:
        body, state, own = doubles[0]
        n = len({d[0] for d in doubles})
        print(
            f"kg export-network: warning: {n} {'body counts' if n == 1 else 'bodies count'} a state twice, as a "
            f"member itself and through its own institutions (e.g. {g.nodes[body]['label']}: "
            f"{g.nodes[state]['label']} and {', '.join(g.nodes[i]['label'] for i in own)}); "
            "--collapse-state-members keeps only the state",
            file=sys.stderr,
        )
    written = write(g, out, fmt)
    print(f"{', '.join(map(str, written))}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
    return 0
