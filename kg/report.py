"""`kg report principles`: which real networks and collaborations fall short of which principle, as Markdown."""

from __future__ import annotations

import sys
from pathlib import Path

from kg.cliopts import add_output
from kg.errors import UsageError
from kg.fileio import write_atomic
from kg.namespaces import DCTERMS, LAT, RDFS, SH

# The order in which principles appear: Slaughter's horizontal and vertical norms, accountability, Letwin's SPIC
# principles. A norm not listed here (a future shape) follows, by label.
NORM_ORDER = [
    "GlobalDeliberativeEquality",
    "LegitimateDifference",
    "PositiveComity",
    "ChecksAndBalances",
    "Subsidiarity",
    "AccountabilityToConstituencies",
    "NGODualAccountability",
    "SinglePurpose",
    "VoluntaryParticipation",
    "Multipolarity",
    "OutsideExistingStructures",
    "NoDomesticValueTest",
]
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def register(subparsers) -> None:
    """Add `kg report` and its `principles` report to the command line."""
    p = subparsers.add_parser(
        "report",
        help="write generated reports about the graph (principle findings)",
        description="Write generated reports about the built graph.",
    )
    sub = p.add_subparsers(dest="report", metavar="REPORT", help="the report to write")
    pp = sub.add_parser(
        "principles",
        help="which networks and collaborations fall short of which principle (Markdown)",
        description="Validate the built dataset with every shape and write a Markdown report of the principle "
        "findings, grouped by principle with the passage each rests on, and of any integrity "
        "violation.",
    )
    add_output(pp, "write the report to FILE (atomically) instead of standard output", dest="out", metavar="FILE")
    pp.add_argument(
        "--curated-only",
        action="store_true",
        help="validate the ontology and the curated graph only, leaving imported data sets out",
    )
    pp.add_argument("--engine", choices=("fast", "pyshacl"), default="fast", help="validation engine (default: fast)")
    pp.add_argument(
        "--data",
        choices=("graph", "real"),
        default="graph",
        help="graph (default): every shape on the graph; real: the measured principles on the MIA and "
        "TRANSACCESS observations, per organization over time, with the gap index and charts",
    )
    pp.add_argument(
        "--charts",
        metavar="DIR",
        help="with --data real: folder for the charts (SVG, each with its CSV; default: charts/ beside "
        "--out, else ./principles-charts)",
    )
    pp.add_argument(
        "--io",
        metavar="IRI",
        default="lat-id:un",
        help="with --data real: the organization whose trajectory is charted (default lat-id:un)",
    )
    pp.set_defaults(func=run)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run(args) -> int:
    """Validate, render and write the principles report; 0 on success (findings are the report's content)."""
    if args.out and not Path(args.out).parent.is_dir():
        raise UsageError(f"{args.out}: no such folder {Path(args.out).parent}")
    if getattr(args, "data", "graph") == "real":
        from kg.measured_report import render

        if args.curated_only:
            raise UsageError("--data real reads the imported observations; it cannot be combined with --curated-only")
        charts = (
            Path(args.charts)
            if args.charts
            else (Path(args.out).parent / "charts" if args.out else Path("principles-charts"))
        )
        text = render(getattr(args, "dataset", None), charts, args.io, _command_line(args), engine=args.engine)
    else:
        store = _open(getattr(args, "dataset", None))
        text = principles_report(store, curated_only=args.curated_only, engine=args.engine, command=_command_line(args))
    if args.out:
        write_atomic(Path(args.out), text)
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _open(dataset):
    import kg

    return kg.open_store(dataset)


def _command_line(args) -> str:
    parts = ["kg report principles"]
    if args.curated_only:
        parts.append("--curated-only")
    if args.engine != "fast":
        parts.append(f"--engine {args.engine}")
    if getattr(args, "data", "graph") != "graph":
        parts.append(f"--data {args.data}")
        if args.charts:
            parts.append(f"--charts {args.charts}")
        if args.io != "lat-id:un":
            parts.append(f"--io {args.io}")
    if args.out:
        parts.append(f"--output {args.out}")
    return " ".join(parts)


# --------------------------------------------------------------------------------------------- data


def selected_store(store, curated_only: bool):
    """An in-memory store holding, in its default graph, the graphs to validate (ontology, curated, imports)."""
    import pyoxigraph as ox

    from kg.namespaces import GRAPH_ONTOLOGY, LAT_G
    from kg.validate import dataset_graphs

    graphs = dataset_graphs(store)
    if curated_only:
        graphs = [g for g in graphs if g == GRAPH_ONTOLOGY or g.startswith(LAT_G + "curated/")]
    mem = ox.Store()
    for g in graphs:
        mem.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))
        )
    return mem, graphs


def _literal(store, node: str, pred: str) -> str | None:
    import pyoxigraph as ox

    if not node or node.startswith(("_:", '"')):
        return None
    best = None
    for q in store.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(pred), None, None):
        if isinstance(q.object, ox.Literal):
            if q.object.language in (None, "en"):
                return q.object.value
            best = best or q.object.value
    return best


def _shape_table(shapes_store) -> dict[str, dict]:
    """Every reporting shape: its norm, severity, description and message, from the shapes graph."""
    import pyoxigraph as ox

    out: dict[str, dict] = {}
    targets = [SH + t for t in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")]
    for t in targets:
        for q in shapes_store.quads_for_pattern(None, ox.NamedNode(t), None, None):
            s = q.subject
            if not isinstance(s, ox.NamedNode) or s.value in out:
                continue
            norm = next(
                (x.object.value for x in shapes_store.quads_for_pattern(s, ox.NamedNode(LAT.encodesNorm), None, None)),
                None,
            )
            sev = next(
                (x.object.value for x in shapes_store.quads_for_pattern(s, ox.NamedNode(SH.severity), None, None)),
                SH.Violation,
            )
            out[s.value] = {
                "norm": norm,
                "severity": sev.removeprefix(SH),
                "description": _literal(shapes_store, s.value, SH.description) or "",
                "message": _literal(shapes_store, s.value, SH.message) or "",
            }
    return out


# --------------------------------------------------------------------------------------------- rendering


def principles_report(store, curated_only: bool = False, engine: str = "fast", command: str = "kg report principles"):
    """The Markdown report of principle findings and integrity violations on STORE (a built dataset)."""
    from kg.validate import load_shapes, short, validate

    data, graphs = selected_store(store, curated_only)
    report = validate(data, shapes=None, engine=engine)
    shapes_store, _files = load_shapes(None)
    shapes = _shape_table(shapes_store)

    def label(node: str) -> str:
        return report.labels.get(node) or _literal(data, node, RDFS.label) or short(node)

    by_shape: dict[str, list] = {}
    for r in report.results:
        by_shape.setdefault(r.shape, []).append(r)

    norms = {info["norm"] for info in shapes.values() if info["norm"]}
    order = {LAT + n: i for i, n in enumerate(NORM_ORDER)}
    norm_list = sorted(norms, key=lambda n: (order.get(n, len(order)), _literal(data, n, RDFS.label) or n))

    counts = report.counts()
    curated = [g for g in graphs if "/graph/curated/" in g]
    imported = [g for g in graphs if "/graph/import/" in g]
    lines = [
        "# Principle findings",
        "",
        f"<!-- Generated by `{command}`. Do not edit by hand: run the command again. -->",
        "",
        f"Generated by `{command}` from the built Lattice dataset: the ontology, "
        f"{len(curated)} curated graph{'s' if len(curated) != 1 else ''}"
        + (
            f" and {len(imported)} imported data set{'s' if len(imported) != 1 else ''} "
            f"({', '.join(short(g) for g in imported)})"
            if imported
            else ""
        )
        + f", validated with every shape in `shapes/` ({report.engine} engine). "
        "Each principle below is checked as the condition stated with it (see docs/principles.md); a finding is "
        "a shortfall the recorded data shows, or a fact the data does not record — absence of evidence in the "
        "graph, not proof of absence in the world.",
        "",
        (
            f"Results: {counts['Violation']} integrity violation{'s' if counts['Violation'] != 1 else ''}, "
            f"{counts['Warning']} warning{'s' if counts['Warning'] != 1 else ''}, "
            f"{counts['Info']} info finding{'s' if counts['Info'] != 1 else ''}."
        ),
        "",
        "## Summary",
        "",
        "| Principle | Shape | Severity | Findings |",
        "|---|---|---|---|",
    ]
    for norm in norm_list:
        nlabel = _literal(data, norm, RDFS.label) or short(norm)
        for s in sorted((s for s, i in shapes.items() if i["norm"] == norm), key=short):
            lines.append(f"| {nlabel} | `{short(s)}` | {shapes[s]['severity']} | {len(by_shape.get(s, []))} |")
    integrity = sorted(s for s, i in shapes.items() if not i["norm"])
    lines.append(
        f"| data integrity | {len(integrity)} shapes | Violation | {sum(len(by_shape.get(s, [])) for s in integrity)} |"
    )
    lines.append("")

    for norm in norm_list:
        nlabel = _literal(data, norm, RDFS.label) or short(norm)
        lines += [f"## {nlabel[:1].upper() + nlabel[1:]}", ""]
        passage = _passage(data, norm)
        if passage:
            lines += [f"> {passage}", ""]
        for s in sorted((s for s, i in shapes.items() if i["norm"] == norm), key=short):
            info = shapes[s]
            rs = sorted(by_shape.get(s, []), key=lambda r: (label(r.focus).lower(), r.focus, r.value or ""))
            lines += [
                f"### `{short(s)}` ({info['severity'].lower()}, {len(rs)} finding{'s' if len(rs) != 1 else ''})",
                "",
                info["description"],
                "",
            ]
            if not rs:
                lines += ["Nothing in the graph falls short of this condition.", ""]
                continue
            lines.append(f"Why: {info['message']}")
            lines.append("")
            for r in rs:
                if r.value is not None and r.value != r.focus:
                    extra = f" — value {short(r.value)}"
                else:
                    extra = _recorded(data, r, label)
                lines.append(f"- {_who(label(r.focus), r.focus, short)}{extra}")
            lines.append("")

    lines += ["## Data integrity", ""]
    bad = [r for s in integrity for r in by_shape.get(s, [])]
    if not bad:
        lines += [
            (
                "The data satisfies every integrity shape (types, cardinalities, datatypes, intervals, one state "
                "per institution, sources, declared terms)."
            ),
            "",
        ]
    else:
        lines += [f"{len(bad)} integrity violation{'s' if len(bad) != 1 else ''}: the data must be corrected.", ""]
        for r in sorted(bad, key=lambda r: (r.shape, r.focus, r.value or "")):
            extra = f" — value {short(r.value)}" if r.value is not None else ""
            lines.append(f"- `{short(r.shape)}` on {_who(label(r.focus), r.focus, short)}{extra}: {r.message}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _passage(store, norm: str) -> str | None:
    """The quote a norm cites, with its document and locator, as one line of Markdown."""
    import pyoxigraph as ox

    if store is None:
        return None
    for q in store.quads_for_pattern(ox.NamedNode(norm), ox.NamedNode(DCTERMS.source), None, None):
        p = q.object
        if not isinstance(p, ox.NamedNode):
            continue
        quote = _literal(store, p.value, LAT.quote)
        if not quote:
            continue
        locator = _literal(store, p.value, LAT.locator)
        doc = next(
            (
                x.object.value
                for x in store.quads_for_pattern(p, ox.NamedNode(LAT.document), None, None)
                if isinstance(x.object, ox.NamedNode)
            ),
            None,
        )
        creator = _literal(store, doc, DCTERMS.creator) if doc else None
        title = (_literal(store, doc, DCTERMS.title) or _literal(store, doc, RDFS.label)) if doc else None
        where = ", ".join(x for x in (creator, f"*{title}*" if title else None, locator) if x)
        return f"“{quote}” — {where}" if where else f"“{quote}”"
    return None


def _recorded(store, result, label, limit: int = 8) -> str:
    """What the data records along the shape's path for a count-type finding, e.g. a network's members."""
    path = result.path
    if not path or path.startswith(("_:", '"')) or result.focus.startswith(("_:", '"')):
        return ""
    if path.startswith("http"):
        path = f"<{path}>"
    try:
        rows = list(store.query(f"SELECT DISTINCT ?v WHERE {{ <{result.focus}> {path} ?v }} LIMIT 10000"))
    except (SyntaxError, ValueError, OSError):
        return ""
    values = sorted(
        {label(row["v"].value) if not str(row["v"]).startswith('"') else str(row["v"]) for row in rows}, key=str.lower
    )
    if not values:
        return " — recorded: none"
    shown = ", ".join(_md(v) for v in values[:limit]) + (", …" if len(values) > limit else "")
    return f" — recorded: {len(values)} ({shown})"


def _who(name: str, iri: str, short) -> str:
    """A focus node as Markdown: its label in bold and its IRI, or the IRI alone when it has no label."""
    if name == short(iri):
        return f"`{short(iri)}`"
    return f"**{_md(name)}** (`{short(iri)}`)"


def _md(text: str) -> str:
    """Text safe inside Markdown emphasis."""
    return text.replace("*", "\\*").replace("_", "\\_")
