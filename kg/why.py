"""`kg why SUBJECT PREDICATE OBJECT`: print the source passages and data sets behind one statement."""

from __future__ import annotations

import argparse
import json
import re
import sys

from kg.cliopts import DeprecatedAlias, add_format
from kg.errors import UsageError
from kg.namespaces import LAT, ORG, RDF, compact

# Shortcut properties the build materializes from records: predicate -> (record property to the subject,
# record property to the object) pairs. Their sources are the records'.
SHORTCUTS = {
    LAT.accountableTo: [(LAT.accountableActor, LAT.forum)],
    LAT.memberOf: [(ORG.member, ORG.organization)],
    ORG.memberOf: [(ORG.member, ORG.organization)],
    ORG.hasMember: [(ORG.organization, ORG.member)],
}

_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:(\S*)$")
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")


def parse_term(text: str, position: str, allow_literal: bool):
    """Turn a command-line term into ('iri', value) or ('literal', value).

    Accepts <full IRIs>, bare absolute IRIs, prefixed names with Lattice's prefixes (lat-id:state/USA
    included: the local part may contain '/'), `a` for rdf:type, and, for the object only, literals
    (quoted or not), which are matched by their lexical form.
    """
    from kg.namespaces import PREFIXES

    token = text.strip()
    if not token:
        raise UsageError(f"{position} is empty")
    if token == "a" and position == "predicate":
        return ("iri", RDF.type)
    if token.startswith("<") and token.endswith(">"):
        return ("iri", token[1:-1])
    if _ABSOLUTE.match(token):
        return ("iri", token)
    m = _PREFIXED.match(token)
    if m and not (len(token) >= 2 and token[0] == token[-1] == '"'):
        prefix = m.group(1) or ""
        if prefix in PREFIXES:
            return ("iri", PREFIXES[prefix] + m.group(2))
        if not allow_literal:
            known = ", ".join(sorted(PREFIXES))
            raise UsageError(f"{position} {token!r}: unknown prefix {prefix!r} (known: {known})")
    if not allow_literal:
        raise UsageError(f"{position} {token!r} is not an IRI or a prefixed name")
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        token = token[1:-1]
    elif token.startswith('"') and token.rfind('"') > 0:  # "text"@en or "text"^^xsd:date
        token = token[1 : token.rfind('"')]
    return ("literal", token)


def _node(term):
    import pyoxigraph as ox

    kind, value = term
    return ox.NamedNode(value) if kind == "iri" else ox.Literal(value)


def _rows(store, sparql: str, subst: dict):
    """Run SPARQL with the given variables bound by an inline VALUES block (terms serialized by pyoxigraph)."""
    from kg.namespaces import sparql_prefixes

    names = sorted(subst)
    values = "VALUES (" + " ".join("?" + n for n in names) + ") { (" + " ".join(str(subst[n]) for n in names) + ") }"
    text = sparql.replace("#VALUES", values, 1)
    return list(store.query(sparql_prefixes() + text, use_default_graph_as_union=True))


def _object_match(obj) -> tuple[str, dict]:
    """A SPARQL fragment constraining ?o to the requested object, and its substitutions."""
    kind, _value = obj
    if kind == "iri":
        return "FILTER(?o = ?want)", {"want": _node(obj)}
    return "FILTER(STR(?o) = ?want)", {"want": _node(obj)}


def find_sources(store, subject, predicate, obj) -> dict:
    """The sources behind (subject, predicate, object), following the provenance rule.

    1. reified statements (rdf:Statement) of that triple carrying dcterms:source;
    2. for shortcuts the build materializes from records (lat:accountableTo, lat:memberOf, org:memberOf,
       org:hasMember), the records that link the subject to the object;
    3. the subject's own sources (a record's, or an entity's for its type, label and description),
       provided the statement is in the graph.
    Returns {"asserted": bool, "via": str, "through": [iri...], "sources": [iri...]}.
    """
    s = _node(subject)
    p = _node(predicate)
    ofilter, osub = _object_match(obj)
    base = {"s": s, "p": p, **osub}

    asserted = bool(_rows(store, f"SELECT * WHERE {{ #VALUES ?s ?p ?o {ofilter} }} LIMIT 1", base))

    rows = _rows(
        store,
        f"""SELECT DISTINCT ?st ?src WHERE {{ #VALUES
              ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; dcterms:source ?src .
              {ofilter} }} ORDER BY ?src""",
        base,
    )
    if rows:
        return _result(asserted, "reification", rows, "st")

    pairs = SHORTCUTS.get(predicate[1])
    if pairs and obj[0] == "iri":
        union = " UNION ".join(f"{{ ?rec <{a}> ?s ; <{b}> ?want }}" for a, b in pairs)
        records = _rows(
            store,
            f"SELECT DISTINCT ?rec WHERE {{ #VALUES {union} }} ORDER BY ?rec",
            {"s": s, "want": _node(obj)},
        )
        if records:
            trees = [derivation_tree(store, r["rec"].value) for r in records]
            sources: list[str] = []
            for t in trees:
                for src in _leaf_sources(t):
                    if src not in sources:
                        sources.append(src)
            if sources:
                return {
                    "asserted": asserted,
                    "via": "record",
                    "through": [t["node"] for t in trees],
                    "sources": sources,
                    "derivations": trees,
                }

    if asserted:
        rows = _rows(store, "SELECT DISTINCT ?src WHERE { #VALUES ?s dcterms:source ?src } ORDER BY ?src", {"s": s})
        if rows:
            return {
                "asserted": True,
                "via": "subject",
                "through": [subject[1]],
                "sources": [r["src"].value for r in rows],
            }
    return {"asserted": asserted, "via": None, "through": [], "sources": []}


MAX_DEPTH = 8  # premises followed at most this deep
MAX_PREMISES = 6  # premises shown per node (a regime spell rests on one observation per year)


def derivation_tree(store, node: str, depth: int = 0) -> dict:
    """How NODE came to be: its basis, sources, rule (with what grounds it), interval and, recursively, premises."""
    import pyoxigraph as ox

    x = {"x": ox.NamedNode(node)}
    one = _rows(
        store,
        """SELECT ?basis ?rule ?ruleLabel ?file ?start ?end ?status ?observed ?note ?line ?label WHERE { #VALUES
              OPTIONAL { ?x lat:derivation ?basis }
              OPTIONAL { ?x lat:derivedBy ?rule OPTIONAL { ?rule rdfs:label ?ruleLabel }
                         OPTIONAL { ?rule lat:ruleFile ?file } }
              OPTIONAL { ?x lat:startDate ?start } OPTIONAL { ?x lat:endDate ?end }
              OPTIONAL { ?x lat:intervalStatus ?status } OPTIONAL { ?x lat:observedUntil ?observed }
              OPTIONAL { ?x lat:interpretationNote ?note } OPTIONAL { ?x lat:sourceLine ?line }
              OPTIONAL { ?x rdfs:label ?label }
           } LIMIT 1""",
        x,
    )
    val = lambda k: one[0][k].value if one and one[0][k] is not None else None  # noqa: E731
    tree: dict = {
        "node": node,
        "label": val("label"),
        "basis": val("basis"),
        "start": val("start"),
        "end": val("end"),
        "interval": val("status"),
        "observed_until": val("observed"),
        "note": val("note"),
        "source_line": val("line"),
    }
    tree["sources"] = [
        r["src"].value
        for r in _rows(store, "SELECT DISTINCT ?src WHERE { #VALUES ?x dcterms:source ?src } ORDER BY ?src", x)
    ]
    rule_iri = val("rule")
    if rule_iri:
        rule = {"rule": rule_iri, "label": val("ruleLabel"), "file": val("file")}
        rule["stated_by"] = [
            r["p"].value
            for r in _rows(
                store,
                "SELECT DISTINCT ?p WHERE { #VALUES ?r dcterms:source ?p } ORDER BY ?p",
                {"r": ox.NamedNode(rule_iri)},
            )
        ]
        rule["assumes"] = [
            r["a"].value
            for r in _rows(
                store,
                "SELECT DISTINCT ?a WHERE { #VALUES ?r lat:assumes ?a } ORDER BY ?a",
                {"r": ox.NamedNode(rule_iri)},
            )
        ]
        tree["rule"] = rule
    premises = [
        r["p"].value
        for r in _rows(store, "SELECT DISTINCT ?p WHERE { #VALUES ?x prov:wasDerivedFrom ?p } ORDER BY ?p", x)
    ]
    tree["premise_count"] = len(premises)
    if depth < MAX_DEPTH:
        shown = premises if len(premises) <= MAX_PREMISES else premises[:2] + premises[-2:]
        tree["premises"] = [derivation_tree(store, p, depth + 1) for p in shown if p != node]
    return tree


def _leaf_sources(tree: dict) -> list[str]:
    """Every passage and data set a derivation tree rests on (its rules' passages included)."""
    out = list(tree.get("sources", []))
    out += tree.get("rule", {}).get("stated_by", [])
    for p in tree.get("premises", []):
        out += _leaf_sources(p)
    return out


def _result(asserted: bool, via: str, rows, holder: str) -> dict:
    through, sources = [], []
    for r in rows:
        h = r[holder]
        h = h.value if hasattr(h, "value") else str(h)
        if h not in through:
            through.append(h)
        if r["src"].value not in sources:
            sources.append(r["src"].value)
    return {"asserted": asserted, "via": via, "through": through, "sources": sources}


def describe_sources(store, sources: list[str]) -> list[dict]:
    """For each source IRI: its kind and what a reader needs (document, locator, quote; or data set citation)."""
    import pyoxigraph as ox

    out = []
    for iri in sources:
        rows = _rows(
            store,
            """SELECT ?kind ?doc ?doctitle ?creator ?date ?locator ?quote ?title ?version ?citation WHERE { #VALUES
                  OPTIONAL { ?x a lat:SourcePassage . BIND("passage" AS ?kind)
                             OPTIONAL { ?x lat:document ?doc
                                        OPTIONAL { ?doc dcterms:title ?doctitle }
                                        OPTIONAL { ?doc dcterms:creator ?creator }
                                        OPTIONAL { ?doc dcterms:date ?date } }
                             OPTIONAL { ?x lat:locator ?locator }
                             OPTIONAL { ?x lat:quote ?quote } }
                  OPTIONAL { ?x a lat:Dataset . BIND("dataset" AS ?kind2)
                             OPTIONAL { ?x dcterms:title ?title }
                             OPTIONAL { ?x owl:versionInfo ?version }
                             OPTIONAL { ?x dcterms:bibliographicCitation ?citation } }
               } LIMIT 1""",
            {"x": ox.NamedNode(iri)},
        )
        entry = {"source": iri, "kind": "unknown"}
        if rows:
            r = rows[0]
            val = lambda k, r=r: r[k].value if r[k] is not None else None  # noqa: E731
            if val("kind"):
                entry.update(
                    kind="passage",
                    document=val("doc"),
                    document_title=val("doctitle"),
                    creator=val("creator"),
                    date=val("date"),
                    locator=val("locator"),
                    quote=val("quote"),
                )
            elif val("title") or val("citation"):
                entry.update(kind="dataset", title=val("title"), version=val("version"), citation=val("citation"))
        out.append(entry)
    return out


def _compact(iri: str) -> str:
    return compact(iri, angle=True)


def explain(store, subject: str, predicate: str, obj: str) -> dict:
    """Parse the three terms, find the sources and describe them (the data behind `kg why`)."""
    s = parse_term(subject, "subject", allow_literal=False)
    p = parse_term(predicate, "predicate", allow_literal=False)
    o = parse_term(obj, "object", allow_literal=True)
    found = find_sources(store, s, p, o)
    found["statement"] = {"subject": s[1], "predicate": p[1], "object": o[1], "object_kind": o[0]}
    found["details"] = describe_sources(store, found["sources"])
    return found


def _print_text(found: dict, out) -> None:
    st = found["statement"]
    obj = _compact(st["object"]) if st["object_kind"] == "iri" else json.dumps(st["object"])
    print(f"{_compact(st['subject'])} {_compact(st['predicate'])} {obj}", file=out)
    if not found["asserted"]:
        print("  (this statement is not in the graph)", file=out)
    how = {"reification": "a statement-level citation", "record": "the record(s)", "subject": "the subject"}
    if found["via"] == "reification":
        print(f"  sources from {how['reification']}", file=out)
    elif found["via"]:
        print(f"  sources from {how[found['via']]}: " + ", ".join(_compact(t) for t in found["through"]), file=out)
    for tree in found.get("derivations", []):
        _print_tree(tree, out, "  ")
    for d in found["details"]:
        print(f"- {_compact(d['source'])}", file=out)
        if d["kind"] == "passage":
            doc = d.get("document_title") or (_compact(d["document"]) if d.get("document") else "?")
            by = f" ({d['creator']}" + (f", {d['date'][:4]}" if d.get("date") else "") + ")" if d.get("creator") else ""
            print(f"    document: {doc}{by}", file=out)
            if d.get("locator"):
                print(f"    locator:  {d['locator']}", file=out)
            if d.get("quote"):
                print(f"    quote:    \u201c{d['quote']}\u201d", file=out)
        elif d["kind"] == "dataset":
            version = f" (version {d['version']})" if d.get("version") else ""
            print(f"    data set: {d.get('title') or '?'}{version}", file=out)
            if d.get("citation"):
                print(f"    cite:     {d['citation']}", file=out)
        else:
            print("    (not declared as a source passage or data set)", file=out)


def _print_tree(tree: dict, out, indent: str) -> None:
    """One node of a derivation and its premises, indented."""
    what = _compact(tree["node"]) + (f" “{tree['label']}”" if tree.get("label") else "")
    bits = []
    if tree.get("basis"):
        bits.append(_compact(tree["basis"]).replace("lat:", "").lower())
    if tree.get("start") or tree.get("end"):
        bits.append(f"{(tree.get('start') or '?')[:10]} .. {(tree.get('end') or 'open')[:10]}")
    elif (tree.get("interval") or "").endswith("UnknownInterval"):
        bits.append("interval unknown")
    if tree.get("observed_until"):
        bits.append(f"observed until {tree['observed_until'][:10]}")
    if tree.get("source_line"):
        bits.append(f"data row, line {tree['source_line']}")
    print(f"{indent}{what}" + (f"  [{'; '.join(bits)}]" if bits else ""), file=out)
    if tree.get("note"):
        print(f"{indent}  reading: {tree['note']}", file=out)
    rule = tree.get("rule")
    if rule:
        grounds = [_compact(p) for p in rule["stated_by"]] + [_compact(a) for a in rule["assumes"]]
        print(
            f"{indent}  by rule {_compact(rule['rule'])} ({rule.get('file') or '?'}): {rule.get('label') or ''}",
            file=out,
        )
        if grounds:
            print(f"{indent}    grounded by {', '.join(grounds)}", file=out)
    for src in tree.get("sources", []):
        print(f"{indent}  source {_compact(src)}", file=out)
    shown = tree.get("premises", [])
    for p in shown:
        _print_tree(p, out, indent + "    ")
    hidden = tree.get("premise_count", 0) - len(shown)
    if hidden > 0:
        print(f"{indent}    ... and {hidden} more premises", file=out)


def register(sub) -> None:
    """Add the `why` subcommand."""
    p = sub.add_parser(
        "why",
        help="show the source passages behind a statement",
        description=(
            "Print the passages (document, locator, verbatim quote) and data sets behind the statement "
            "SUBJECT PREDICATE OBJECT. Terms are prefixed names (lat-id:fatf, lat-id:state/USA, "
            "lat:accountableTo), full IRIs, or for OBJECT a literal. Exit 1 when no source is found."
        ),
    )
    p.add_argument("subject", help="the statement's subject: an IRI or a prefixed name, e.g. lat-id:fatf")
    p.add_argument("predicate", help="its predicate, e.g. lat:accountableTo")
    p.add_argument("object", help="its object: an IRI, a prefixed name, or a literal in N-Triples syntax")
    add_format(p, ("text", "json"), "text", "output format (default: text)")
    p.add_argument(
        "--json", dest="format", action=DeprecatedAlias, value="json", new="--format json", help=argparse.SUPPRESS
    )
    p.set_defaults(func=run)


def run(args) -> int:
    """Run `kg why`; 0 when sources were found, 1 when none."""
    from kg.store import open_read_store

    store = open_read_store(getattr(args, "dataset", None))
    found = explain(store, args.subject, args.predicate, args.object)
    if args.format == "json":
        json.dump(found, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        _print_text(found, sys.stdout)
        if not found["sources"]:
            print("no source found for this statement", file=sys.stderr)
    return 0 if found["sources"] else 1
