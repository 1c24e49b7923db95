"""`kg export-network`: the membership or accountability network as GraphML, GEXF or CSV for network-analysis tools."""

from __future__ import annotations

import csv
import re
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
    p.set_defaults(func=run)


def run(args) -> int:
    out = Path(args.out)
    fmt = args.format or out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UsageError(f"cannot tell the format from {out.name!r}; give --format ({', '.join(FORMATS)})")
    g = network(args.kind, at=args.at, dataset=getattr(args, "dataset", None), endpoint=args.endpoint)
    written = write(g, out, fmt)
    print(f"{', '.join(map(str, written))}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
    return 0
