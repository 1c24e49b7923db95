"""`kg audit`: a reproducible random sample of curated statements, each beside the passage or data row it rests on."""

from __future__ import annotations

import csv
import io
import random
import re
import sys

from kg.cliopts import add_format, add_output
from kg.errors import UsageError
from kg.namespaces import DCTERMS, LAT, LAT_ID, OWL, RDF, RDFS, TIME

RDF_TYPE = RDF.type
_LAT = LAT
_OWL_NAMED = OWL.NamedIndividual
_RDF = RDF
# Statements that are not claims about the world: comments explain, the source link is the evidence itself,
# and reification triples carry citations of other statements.
SKIPPED_PREDICATES = {
    RDFS.comment,
    DCTERMS.source,
    RDF.subject,
    RDF.predicate,
    RDF.object,
}
# Subjects that are evidence, calendar descriptions or the project's own assumptions rather than facts; retired
# IRIs (owl:deprecated, kg/data/retired.ttl) are skipped too: they are kept as identifiers and state nothing.
SKIPPED_SUBJECT_TYPES = {
    LAT.SourcePassage,
    LAT.SourceDocument,
    LAT.Dataset,
    RDF.Statement,
    LAT.ModellingAssumption,
    TIME.DateTimeInterval,
    TIME.ProperInterval,
    TIME.Instant,
    TIME.GeneralDateTimeDescription,
}
COLUMNS = ["n", "statement", "evidence_via", "source", "document", "locator", "evidence", "states_it"]
# The largest share of any seed text's words that the passages may quote together (`kg audit --quotation` exits 1
# above it; tests/test_audit.py fails above it). Quotes are the shortest span that states the fact they are cited for.
QUOTATION_CEILING = 0.17


def population(store) -> list[tuple[str, str, str, str]]:
    """Every curated statement open to audit, as (subject, predicate, object-term, object-kind), sorted."""
    from kg.namespaces import LAT_G

    skipped_types = " ".join(f"<{t}>" for t in sorted(SKIPPED_SUBJECT_TYPES))
    skipped_preds = ", ".join(f"<{p}>" for p in sorted(SKIPPED_PREDICATES))
    rows = store.query(
        f"""SELECT DISTINCT ?s ?p ?o WHERE {{
              GRAPH ?g {{ ?s ?p ?o }}
              FILTER(STRSTARTS(STR(?g), "{LAT_G}curated/"))
              FILTER(isIRI(?s) && !isBLANK(?o))
              FILTER(?p NOT IN ({skipped_preds}))
              FILTER(!(?p = <{RDF_TYPE}> && ?o = <{_OWL_NAMED}>))
              FILTER NOT EXISTS {{ VALUES ?t {{ {skipped_types} }} ?s a ?t }}
              FILTER NOT EXISTS {{ ?s <{OWL.deprecated}> true }}
            }}""",
        use_default_graph_as_union=True,
    )
    out = []
    for r in rows:
        o = r["o"]
        kind = "iri" if o.__class__.__name__ == "NamedNode" else "literal"
        out.append((r["s"].value, r["p"].value, o.value, kind))
    return sorted(set(out))


def sample(store, n: int, seed: int) -> list[tuple[str, str, str, str]]:
    """N statements drawn with random.Random(SEED) from the sorted population (all of them when N is larger)."""
    if n <= 0:
        raise UsageError(f"--sample must be a positive number, got {n}")
    pool = population(store)
    if n >= len(pool):
        return pool
    return random.Random(seed).sample(pool, n)


def _label(store, iri: str) -> str | None:
    import pyoxigraph as ox

    for q in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(RDFS.label), None, None):
        return q.object.value
    return None


def audit(store, n: int, seed: int) -> list[dict]:
    """The sampled statements, each with the evidence `kg why` finds for it (one row per statement)."""
    return evidence_rows(store, sample(store, n, seed))


def evidence_rows(store, statements) -> list[dict]:
    """One row per (subject, predicate, object, object-kind) statement with the evidence `kg why` finds."""
    from kg.why import compact, describe_sources, find_sources

    rows = []
    for i, (s, p, o, kind) in enumerate(statements, 1):
        found = find_sources(store, ("iri", s), ("iri", p), (kind, o))
        details = describe_sources(store, found["sources"])
        if kind == "iri":
            shown = compact(o)
            label = _label(store, o) if p != RDF_TYPE else None
            if label and o.startswith(LAT_ID + "time/"):
                shown += f" ({label})"
        else:
            shown = '"' + o + '"'
        evidence, docs, locators, names = [], [], [], []
        for d in details:
            names.append(compact(d["source"]))
            if d["kind"] == "passage":
                evidence.append(f"\u201c{d.get('quote') or ''}\u201d")
                docs.append(d.get("document_title") or "")
                locators.append(d.get("locator") or "")
            elif d["kind"] == "dataset":
                evidence.append(f"data set: {d.get('title') or ''}")
                docs.append(d.get("citation") or "")
                locators.append("")
        rows.append(
            {
                "n": i,
                "statement": f"{compact(s)} {compact(p) if p != RDF_TYPE else 'a'} {shown}",
                "evidence_via": found["via"] or "none",
                "source": " ; ".join(names),
                "document": " ; ".join(dict.fromkeys(x for x in docs if x)),
                "locator": " ; ".join(dict.fromkeys(x for x in locators if x)),
                "evidence": " ".join(evidence),
                "states_it": "",
            }
        )
    return rows


def to_markdown(rows: list[dict], n: int, seed: int, total: int, shares: list[dict] | None = None) -> str:
    def cell(text) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    out = [
        f"# Audit sample: {len(rows)} of {total} curated statements (seed {seed})",
        "",
        (
            "Each statement stands beside the passage or data set it rests on. Fill the last column with "
            "yes, partly or no: does the evidence state the statement?"
        ),
        "",
        "| # | statement | evidence via | source | evidence | states it? |",
        "|---|-----------|--------------|--------|----------|------------|",
    ]
    for r in rows:
        out.append(
            f"| {r['n']} | {cell(r['statement'])} | {r['evidence_via']} | {cell(r['source'])} | "
            f"{cell(r['evidence'])} | {r['states_it']} |"
        )
    with_evidence = sum(1 for r in rows if r["source"])
    out += ["", f"{with_evidence} of {len(rows)} sampled statements have evidence."]
    if shares:
        out += ["", quotation_markdown(shares).rstrip("\n")]
    return "\n".join(out) + "\n"


def quotation_markdown(shares: list[dict]) -> str:
    """The quotation shares as a Markdown table, with the ceiling they are held to."""
    out = [
        f"## Quotation of the seed texts (ceiling {100 * QUOTATION_CEILING:.0f}% of a text's words)",
        "",
        "| document | passages | words quoted | share |",
        "|----------|----------|--------------|-------|",
    ]
    for r in shares:
        out.append(f"| {r['document']} | {r['passages']} | {r['quoted']} of {r['words']} | {100 * r['share']:.1f}% |")
    return "\n".join(out) + "\n"


def over_ceiling(shares: list[dict], ceiling: float = QUOTATION_CEILING) -> list[dict]:
    """The seed texts whose quoted share exceeds CEILING."""
    return [r for r in shares if r["share"] > ceiling]


def to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def quotation_shares(store, seeds_dir) -> list[dict]:
    """Per seed text: how many of its words the project's passages quote (overlapping quotes counted once)."""
    from pathlib import Path

    def norm(text: str) -> str:
        text = (
            text.replace("\u2018", "'")
            .replace("\u2019", "'")
            .replace("\u201c", '"')
            .replace("\u201d", '"')
            .replace("*", "")
        )
        text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)
        return re.sub(r"\s+", " ", text).strip()

    docs = store.query(
        f"""SELECT ?doc ?file WHERE {{ ?doc a <{_LAT}SourceDocument> ; <{_LAT}seedFile> ?file }}""",
        use_default_graph_as_union=True,
    )
    out = []
    for d in docs:
        path = Path(seeds_dir) / d["file"].value
        if not path.is_file():
            continue
        text = norm(path.read_text(encoding="utf-8"))
        covered = bytearray(len(text))
        quotes = store.query(
            f"""SELECT DISTINCT ?q WHERE {{ ?p <{_LAT}document> <{d["doc"].value}> ; <{_LAT}quote> ?q }}""",
            use_default_graph_as_union=True,
        )
        passages = 0
        for q in quotes:
            qt = norm(q["q"].value)
            at = text.find(qt)
            if at >= 0:
                passages += 1
                covered[at : at + len(qt)] = b"\x01" * len(qt)
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        quoted = sum(1 for a, b in words if any(covered[a:b]))
        out.append(
            {
                "document": d["doc"].value,
                "passages": passages,
                "words": len(words),
                "quoted": quoted,
                "share": round(quoted / len(words), 4) if words else 0.0,
            }
        )
    return sorted(out, key=lambda r: r["document"])


def register(sub) -> None:
    """Add the `audit` subcommand."""
    p = sub.add_parser(
        "audit",
        help="a reproducible random sample of statements beside their evidence",
        description=(
            "Draw N statements of the curated graph (comments, source links and citations of statements left "
            "out) with a seeded random generator and print each beside the passage or data set it rests on, "
            "as Markdown or CSV, for a scholar to review. Exit 1 when a sampled statement has no evidence. "
            "--quotation instead prints how much of each seed text the project quotes and exits 1 when a text's "
            "share exceeds the ceiling; the Markdown sample ends with the same shares when the seed texts are present."
        ),
    )
    p.add_argument("--sample", type=int, default=40, metavar="N", help="number of statements (default 40)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the random draw (default 0)")
    add_format(p, ("md", "csv"), "md", "output format (default md)")
    add_output(p, "write to FILE instead of standard output", dest="out", metavar="FILE")
    p.add_argument(
        "--quotation",
        action="store_true",
        help=(
            "print the share of each seed text's words that the passages quote (needs ../shared/seeds); "
            f"exit 1 above {100 * QUOTATION_CEILING:.0f}%"
        ),
    )
    p.set_defaults(func=run)


def run(args) -> int:
    """Run `kg audit`; 0 when every sampled statement has evidence (with --quotation: every share within the ceiling)."""
    from kg.paths import shared_dir
    from kg.store import open_read_store

    store = open_read_store(getattr(args, "dataset", None))
    shared = shared_dir()
    seeds = shared / "seeds" if shared is not None and (shared / "seeds").is_dir() else None
    if args.quotation:
        if seeds is None:
            raise UsageError("the seed texts (../shared/seeds, or $LATTICE_SHARED/seeds) are not present")
        shares = quotation_shares(store, seeds)
        for r in shares:
            print(
                f"{r['document']}\t{r['passages']} passages\t{r['quoted']} of {r['words']} words\t{100 * r['share']:.1f}%"
            )
        for r in over_ceiling(shares):
            print(
                f"{r['document']}: quotes {100 * r['share']:.1f}% of its words, above the ceiling of {100 * QUOTATION_CEILING:.0f}%",
                file=sys.stderr,
            )
        return 1 if over_ceiling(shares) else 0
    rows = audit(store, args.sample, args.seed)
    if args.format == "csv":
        text = to_csv(rows)
    else:
        table = quotation_shares(store, seeds) if seeds is not None else None
        text = to_markdown(rows, args.sample, args.seed, len(population(store)), table)
    if args.out:
        from kg.fileio import write_atomic

        write_atomic(args.out, text)
    else:
        sys.stdout.write(text)
    return 0 if all(r["source"] for r in rows) else 1
