"""The derivation rules in rules/: each file's header parsed into a rule, and the rules as RDF individuals.

A rule file is one SPARQL CONSTRUCT whose header names the rule and what grounds it:

    # rule:       composition
    # label:      An intergovernmental body answers to each of its full members while they are members
    # definition: ...
    # grounds:    lat-id:assumption/members-as-principals     (or lat-src: passages that state the rule)
    # reads:      org:member org:organization rdf:type/lat:State ...
    # writes:     lat:accountableActor rdf:type/lat:AccountabilityRelation rdf:type/* ...
    # notes:      ...

`reads` and `writes` are the keys the build uses to decide when a rule must run again (a property, or
rdf:type with a class; rdf:type/* for classes not known in advance; lat:derivedBy/lat-id:rule/NAME for the
records one rule made, where lat:derivedBy alone reads those of any rule, and a rule writing lat:derivedBy
writes its own); `reads` is also published as the rule's lat:readsTerm. A read may be guarded, KEY@GUARD: the
rule reads triples with KEY only about nodes that have a triple with the key GUARD (rdfs:label@lat:iso3: the
labels of nodes with an ISO code), so that an incremental build (kg.maintain) can tell that a change to other
nodes' KEY leaves the rule's records as they are; a key read both guarded and plain is read plain. The build loads each rule as a lat:DerivationRule individual (IRI lat-id:rule/NAME)
into the graph lat-g:rules, so every derived record's lat:derivedBy resolves to its definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg import namespaces as ns
from kg import paths
from kg.errors import InputError

FIELDS = ("rule", "label", "definition", "grounds", "reads", "writes", "notes")
REQUIRED = ("rule", "label", "definition", "grounds", "reads", "writes")
RDF_TYPE = ns.RDF.type
ANY_CLASS = ("t", "*")  # written by a rule whose rdf:type classes are not known in advance
DERIVED_BY = ("p", ns.LAT + "derivedBy")  # lat:derivedBy naming any rule; ("d", RULE-IRI) names one
# Properties a derivation rule writes only on the records and bodies it mints, in the same CONSTRUCT as the
# triples by which another rule finds those nodes (their class, member and organization, actor and forum): a
# rule that reads them is fed through those triples, so they alone never make a rule wait or run again.
# tests/test_rules.py checks that the build gives the same graph without this shortcut.
MINTED_ATTRIBUTES = frozenset(
    ("p", iri)
    for iri in (
        ns.LAT + "startDate",
        ns.LAT + "endDate",
        ns.LAT + "intervalStatus",
        ns.LAT + "temporalPrecision",
        ns.PREFIXES["prov"] + "wasDerivedFrom",
        ns.PREFIXES["rdfs"] + "label",
    )
)
_HEADER = re.compile(r"^#\s*([a-z]+):\s*(.*)$")
_CONTINUED = re.compile(r"^#\s{2,}(\S.*)$")


def rule_iri(name: str) -> str:
    """The IRI of the rule named NAME."""
    return f"{ns.LAT_ID}rule/{name}"


@dataclass
class DerivationRule:
    """One rule file: its header fields and its CONSTRUCT query."""

    name: str
    path: Path
    label: str
    definition: str
    grounds: list[str]
    reads: set = field(default_factory=set)
    writes: set = field(default_factory=set)
    read_terms: list[str] = field(default_factory=list)
    guards: dict = field(default_factory=dict)  # a guarded read key -> the keys a node it reads about has one of
    notes: str = ""
    query: str = ""

    @property
    def iri(self) -> str:
        return rule_iri(self.name)

    @property
    def feeds(self) -> set:
        """The keys of what the rule writes that can make another rule wait for it or run again."""
        return set(self.writes) - MINTED_ATTRIBUTES

    @property
    def passages(self) -> list[str]:
        """The passages that state the rule."""
        return [g for g in self.grounds if g.startswith(ns.LAT_SRC)]

    @property
    def assumptions(self) -> list[str]:
        """The modelling assumptions the rule rests on."""
        return [g for g in self.grounds if g.startswith(ns.LAT_ID + "assumption/")]


def expand(term: str, path: Path, line: int) -> str:
    """A prefixed name (lat:x, lat-src:y ...) as a full IRI; an error naming FILE:LINE if the prefix is unknown."""
    prefix, sep, local = term.partition(":")
    if not sep or prefix not in ns.PREFIXES:
        raise InputError(f"{term!r} is not a prefixed name with a Lattice prefix", path=path, line=line)
    return ns.PREFIXES[prefix] + local


def _key_of(token: str, path: Path, line: int) -> tuple[tuple, str | None]:
    """The build key a reads:/writes: token names, and the term it names (None for rdf:type/*)."""
    if token.startswith("lat:derivedBy/"):  # the records one rule made
        return ("d", expand(token[len("lat:derivedBy/") :], path, line)), DERIVED_BY[1]
    if token.startswith("rdf:type/"):
        cls = token[len("rdf:type/") :]
        if cls == "*":
            return ANY_CLASS, None
        iri = expand(cls, path, line)
        return ("t", iri), iri
    iri = expand(token, path, line)
    return ("p", iri), iri


def _keys(text: str, path: Path, line: int) -> tuple[set, list[str], dict]:
    """The build keys for a reads:/writes: field, the terms it names, and its guarded keys (KEY@GUARD)."""
    keys: set = set()
    terms: list[str] = []
    guards: dict = {}
    plain: set = set()
    for token in text.split():
        token, at, guard = token.partition("@")
        key, term = _key_of(token, path, line)
        keys.add(key)
        if term is not None and term not in terms:
            terms.append(term)
        if at:
            guards.setdefault(key, set()).add(_key_of(guard, path, line)[0])
        else:
            plain.add(key)
    return keys, terms, {k: frozenset(g) for k, g in guards.items() if k not in plain}


def parse(path: Path) -> DerivationRule:
    """Read one rule file; a malformed header is an InputError with the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read rule: {exc}", path=path) from None
    values: dict[str, str] = {}
    where: dict[str, int] = {}
    current = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.startswith("#"):
            break
        m = _HEADER.match(raw)
        if m and m.group(1) in FIELDS:
            current = m.group(1)
            if current in values:
                raise InputError(f"header field {current!r} given twice", path=path, line=number, col=1)
            values[current] = m.group(2).strip()
            where[current] = number
            continue
        c = _CONTINUED.match(raw)
        if c and current is not None:
            values[current] += " " + c.group(1).strip()
            continue
        raise InputError("header line is neither 'FIELD: value' nor a continuation", path=path, line=number, col=1)
    for key in REQUIRED:
        if not values.get(key):
            raise InputError(f"rule header lacks '{key}:'", path=path, line=1, col=1)
    if values["rule"] != path.stem:
        raise InputError(
            f"rule {values['rule']!r} must be named like its file ({path.stem!r})", path=path, line=where["rule"], col=1
        )
    reads, read_terms, guards = _keys(values["reads"], path, where["reads"])
    writes, _, _ = _keys(values["writes"], path, where["writes"])
    if DERIVED_BY in writes:  # a rule names only itself as what derived its records
        writes = (writes - {DERIVED_BY}) | {("d", rule_iri(values["rule"]))}
    grounds = [expand(g, path, where["grounds"]) for g in values["grounds"].split()]
    if not any(g.startswith((ns.LAT_SRC, ns.LAT_ID + "assumption/")) for g in grounds):
        raise InputError(
            "grounds: name a lat-src: passage that states the rule or a lat-id:assumption/",
            path=path,
            line=where["grounds"],
            col=1,
        )
    if "CONSTRUCT" not in text.upper():
        raise InputError("a rule is a SPARQL CONSTRUCT query", path=path, line=1, col=1)
    return DerivationRule(
        name=values["rule"],
        path=path,
        label=values["label"],
        definition=values["definition"],
        grounds=grounds,
        reads=reads,
        writes=writes,
        read_terms=read_terms,
        guards=guards,
        notes=values.get("notes", ""),
        query=text,
    )


def rule_files(folder: Path | None = None) -> list[Path]:
    """The rule files, in name order."""
    return sorted((folder or paths.RULES_DIR).glob("*.rq"))


def load(folder: Path | None = None) -> list[DerivationRule]:
    """Every rule in FOLDER (default rules/), each after the rules that feed it where they do not feed it back.

    Rules are placed one at a time: next comes the rule with the fewest unplaced rules feeding it, and of
    those the one feeding most of the others (then file order). Where rules feed each other, the build
    iterates to a fixpoint anyway; the order only spares it runs.
    """
    pending = [parse(p) for p in rule_files(folder)]
    ordered: list[DerivationRule] = []
    while pending:

        def rank(rule: DerivationRule) -> tuple[int, int]:
            others = [o for o in pending if o is not rule]
            return (sum(_feeds(o, rule) for o in others), -sum(_feeds(rule, o) for o in others))

        rule = min(pending, key=rank)
        pending.remove(rule)
        ordered.append(rule)
    return ordered


def touched(written: set, read: set) -> set:
    """The keys of READ that triples with keys WRITTEN may feed."""
    hit = written & read
    if ANY_CLASS in written:
        hit |= {k for k in read if k[0] == "t"}
    if ANY_CLASS in read and any(k[0] == "t" for k in written):
        hit.add(ANY_CLASS)
    if DERIVED_BY in written:
        hit |= {k for k in read if k[0] == "d"}
    if DERIVED_BY in read and any(k[0] == "d" for k in written):
        hit.add(DERIVED_BY)
    return hit


def _feeds(a: DerivationRule, b: DerivationRule) -> bool:
    return bool(touched(a.feeds, b.reads))


def _literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@en'


def to_ntriples(rule: DerivationRule) -> str:
    """The rule as a lat:DerivationRule individual, in N-Triples."""
    s = f"<{rule.iri}>"
    lat, skos, rdfs = ns.LAT, ns.PREFIXES["skos"], ns.PREFIXES["rdfs"]
    dcterms = ns.PREFIXES["dcterms"]
    lines = [
        f"{s} <{RDF_TYPE}> <{lat}DerivationRule> .",
        f"{s} <{rdfs}label> {_literal(rule.label)} .",
        f"{s} <{skos}definition> {_literal(rule.definition)} .",
        f'{s} <{lat}ruleFile> "rules/{rule.path.name}" .',
    ]
    if rule.notes:
        lines.append(f"{s} <{rdfs}comment> {_literal(rule.notes)} .")
    for term in rule.read_terms:
        lines.append(f"{s} <{lat}readsTerm> <{term}> .")
    for passage in rule.passages:
        lines.append(f"{s} <{dcterms}source> <{passage}> .")
    for assumption in rule.assumptions:
        lines.append(f"{s} <{lat}assumes> <{assumption}> .")
    return "\n".join(lines) + "\n"


def rules_graph(folder: Path | None = None) -> bytes:
    """Every rule in FOLDER as N-Triples, for the graph lat-g:rules."""
    return "".join(to_ntriples(r) for r in load(folder)).encode("utf-8")


def query_keys(rule: DerivationRule) -> set:
    """The build keys of the triple patterns RULE's query matches (its WHERE, EXISTS filters and subqueries
    included), found in the query's algebra: what its reads must declare. A variable predicate or class bound
    by VALUES gives a key per value; one left free gives ("p", "*") or rdf:type/*."""
    from rdflib import URIRef, Variable
    from rdflib.paths import Path as PropertyPath

    from kg.sparqlalgebra import parse, path_iris, patterns

    found = patterns(parse(rule.query))

    def terms(x) -> list:
        if isinstance(x, Variable):
            return sorted(found.values.get(x, {None}), key=str)
        if isinstance(x, PropertyPath):
            return path_iris(x)
        return [x]

    keys: set = set()
    for p in found.triples:
        for pred in terms(p.predicate):
            if pred is None:
                keys.add(("p", "*"))
            elif str(pred) == RDF_TYPE:
                keys |= {("t", str(c)) if isinstance(c, URIRef) else ANY_CLASS for c in terms(p.object)}
            elif str(pred) == DERIVED_BY[1] and isinstance(p.object, URIRef):
                keys.add(("d", str(p.object)))
            else:
                keys.add(("p", str(pred)))
    return keys
