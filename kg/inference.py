"""The inferences the build materializes into lat-g:inferred, so that queries need no reasoner.

Schema rules (RDFS subclass and subproperty closure, inverse and symmetric properties) read the schema once
and walk the matching triples with the schema pairs inlined; record rules (accountability and membership
shortcuts, OWL-Time intervals, classes defined by owl:hasValue) are SPARQL CONSTRUCTs over the union of all
graphs. Every rule declares what it reads and writes as keys: a predicate, or rdf:type with a given class.
A rule starts once every earlier rule that writes what it reads has been loaded; rules that do not feed each
other run side by side (the query engine releases the GIL while the main thread loads results). A rule that
is fed after it started runs again over just the fed keys, until nothing new appears.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from kg import namespaces as ns
from kg import rules as derivation
from kg.rules import ANY_CLASS, DERIVED_BY, touched  # the build keys rules read and write: defined in kg.rules

RDF_TYPE = ns.RDF.type
LAT = ns.LAT
ORG = ns.ORG
TIME = ns.TIME


def P(iri: str) -> tuple:
    """The key of triples with predicate IRI."""
    return ("p", iri)


def T(iri: str) -> tuple:
    """The key of rdf:type triples with class IRI."""
    return ("t", iri)


# Record rules: name -> (CONSTRUCT query, keys it reads, keys it writes). Each filters out what is already known.
RECORD_RULES = {
    # a relation a text only proposes is a claim, not a fact: it gets no shortcut
    "accountable-to": (
        """CONSTRUCT { ?a lat:accountableTo ?f } WHERE { #ANCHOR
        ?r lat:accountableActor ?a ; lat:forum ?f . FILTER NOT EXISTS { ?a lat:accountableTo ?f }
        FILTER NOT EXISTS { ?r lat:derivation lat:Proposed } }""",
        {P(LAT + "accountableActor"), P(LAT + "forum"), P(LAT + "derivation")},
        {P(LAT + "accountableTo")},
    ),
    # pairs already known as lat:memberOf are removed by one anti-join (a lookup per pair walks every triple of
    # a state, and states are hubs); the subproperty and inverse rules give org:memberOf and org:hasMember of a
    # lat:memberOf stated some other way
    "member-of": (
        """CONSTRUCT { ?m lat:memberOf ?o . ?m org:memberOf ?o . ?o org:hasMember ?m }
        WHERE { { SELECT DISTINCT ?m ?o WHERE { #ANCHOR
                    ?x org:member ?m ; org:organization ?o } }
                MINUS { ?m lat:memberOf ?o } }""",
        {P(ORG + "member"), P(ORG + "organization")},
        {P(LAT + "memberOf"), P(ORG + "memberOf"), P(ORG + "hasMember")},
    ),
    "member-during": (
        """CONSTRUCT {
            ?x org:memberDuring ?i . ?i a time:Interval ; time:hasBeginning ?b ; time:hasEnd ?e .
            ?b a time:Instant ; time:inXSDDate ?start . ?e a time:Instant ; time:inXSDDate ?end }
        WHERE { #ANCHOR
            ?x org:member ?m ; lat:startDate ?start . FILTER(isIRI(?x))
            FILTER NOT EXISTS { ?x org:memberDuring ?any }
            OPTIONAL { ?x lat:endDate ?end }
            BIND(IRI(CONCAT(STR(?x), "/interval")) AS ?i)
            BIND(IRI(CONCAT(STR(?x), "/interval/start")) AS ?b)
            BIND(IF(BOUND(?end), IRI(CONCAT(STR(?x), "/interval/end")), ?unbound) AS ?e) }""",
        {P(ORG + "member"), P(LAT + "startDate"), P(LAT + "endDate")},
        {
            P(ORG + "memberDuring"),
            T(TIME + "Interval"),
            P(TIME + "hasBeginning"),
            P(TIME + "hasEnd"),
            T(TIME + "Instant"),
            P(TIME + "inXSDDate"),
        },
    ),
    "has-value-class": (
        """CONSTRUCT { ?x a ?c } WHERE {
        ?c owl:equivalentClass ?e . FILTER(isIRI(?c))
        ?e owl:intersectionOf ?list .
        ?list rdf:rest*/rdf:first ?r . ?r owl:onProperty ?p ; owl:hasValue ?v .
        ?x ?p ?v .
        FILTER NOT EXISTS { ?x a ?c }
        FILTER NOT EXISTS { ?list rdf:rest*/rdf:first ?k . FILTER(isIRI(?k)) FILTER NOT EXISTS { ?x a ?k } }
        FILTER NOT EXISTS { ?list rdf:rest*/rdf:first ?r2 . ?r2 owl:onProperty ?p2 ; owl:hasValue ?v2 .
                            FILTER NOT EXISTS { ?x ?p2 ?v2 } } }""",
        None,
        None,
    ),  # keys come from the schema
}

# A record rule's anchor: the variable whose node is the subject of every triple the rule reads (its own output
# aside). A triple the rule can newly give comes from a triple fed to it about that node, so a rerun binds the
# anchor, at #ANCHOR, to the subjects of the fed triples.
ANCHORS = {"accountable-to": "?r", "member-of": "?x", "member-during": "?x"}
ANCHOR_MARK = "#ANCHOR"
ANCHORED_BELOW = 8 << 20  # bytes of fed N-Triples a rerun reads the subjects of; above, the rule runs whole

ORDER = [
    "accountable-to",
    "member-of",
    "member-during",
    "subproperty",
    "inverse",
    "symmetric",
    "subclass",
    "has-value-class",
]
DERIVATIONS_AFTER = "subclass"  # the derivation rules of rules/ run once the class hierarchy is closed

SCHEMA_QUERIES = {
    "subproperty": "SELECT ?a ?b WHERE { ?a rdfs:subPropertyOf+ ?b . FILTER(isIRI(?a) && isIRI(?b) && ?a != ?b) }",
    "inverse": """SELECT ?a ?b WHERE { { ?a owl:inverseOf ?b } UNION { ?b owl:inverseOf ?a }
                  FILTER(isIRI(?a) && isIRI(?b)) }""",
    "symmetric": "SELECT ?a ?a2 WHERE { ?a a owl:SymmetricProperty . FILTER(isIRI(?a)) BIND(?a AS ?a2) }",
    "subclass": "SELECT ?a ?b WHERE { ?a rdfs:subClassOf+ ?b . FILTER(isIRI(?a) && isIRI(?b) && ?a != ?b) }",
}

# What the has-value rule reads (restricted properties, named classes in the intersection) and writes.
HAS_VALUE_KEYS = """SELECT DISTINCT ?c ?p ?v ?k WHERE {
    ?c owl:equivalentClass ?e . FILTER(isIRI(?c)) ?e owl:intersectionOf ?list .
    { ?list rdf:rest*/rdf:first ?r . ?r owl:onProperty ?p ; owl:hasValue ?v }
    UNION { ?list rdf:rest*/rdf:first ?k . FILTER(isIRI(?k)) } }"""

# Schema rules, by name: (the triple a rule writes, the pattern it reads with ?a the schema's ?a in each pair).
# One pattern each, so a triple can only be new if the triple it comes from is: a rule that runs again
# reads only the triples loaded since it last ran (see materialize).
SCHEMA_RULES = {
    "subproperty": ("?s ?b ?o", "?s ?a ?o ."),
    "inverse": ("?o ?b ?s", "?s ?a ?o . FILTER(!isLiteral(?o))"),
    "symmetric": ("?o ?b ?s", "?s ?a ?o . FILTER(!isLiteral(?o))"),
    "subclass": ("?s a ?b", "?s a ?a ."),
}


def _key(predicate: str, cls: str | None = None) -> tuple:
    """The key of triples with PREDICATE (and, for rdf:type, class CLS; None: any class)."""
    if predicate == RDF_TYPE:
        return T(cls) if cls else ANY_CLASS
    return P(predicate)


@dataclass
class Rule:
    """One inference rule: its CONSTRUCT (full, or over a subset of its schema pairs), what it reads and writes."""

    name: str
    reads: set
    writes: set
    query: str | None = None  # record rules
    pairs: list = field(default_factory=list)  # schema rules: (a, b, key read for a)
    graph: str = ns.GRAPH_INFERRED  # where its results go: lat-g:inferred, or lat-g:derived for rules/
    feeds: set = field(default_factory=set)  # the written keys that can make another derivation rule wait or rerun
    anchor: str | None = None  # record rules: see ANCHORS
    guards: dict = field(default_factory=dict)  # derivation rules: guarded reads (see kg.rules)

    def __post_init__(self) -> None:
        self.feeds = self.feeds or set(self.writes)

    def fed(self, writer: Rule, written: set | None = None) -> set:
        """The keys this rule reads that WRITER may feed (with WRITTEN, the keys of what WRITER just wrote, not
        all it may write): for two derivation rules, not through minted attributes.

        (Schema and record rules read one node's triples, minted attributes included, so every key feeds them.)
        """
        keys = writer.writes if written is None else written
        if self.graph == writer.graph == ns.GRAPH_DERIVED:
            keys = keys & writer.feeds
        return touched(keys, self.reads)

    def sparql(self, keys: set | None = None, known: bool = True) -> str | None:
        """The rule's CONSTRUCT; with KEYS, over only the schema pairs whose input has one of those keys.

        KNOWN false leaves out the test that the triple is not yet known, for a schema rule run over a store
        holding only new triples (materialize tests those against the whole store itself).
        """
        if self.query is not None:
            return self.query.replace(ANCHOR_MARK, "")
        rows = [(a, b) for a, b, k in self.pairs if keys is None or touched({k}, keys)]
        if not rows:
            return None
        head, body = SCHEMA_RULES[self.name]
        pairs = " ".join(f"({a} {b})" for a, b in rows)
        found = f"VALUES (?a ?b) {{ {pairs} }} {body}"
        if not known:
            return f"CONSTRUCT {{ {head} }} WHERE {{ {found} }}"
        return f"CONSTRUCT {{ {head} }} WHERE {{ {found} FILTER NOT EXISTS {{ {head} }} }}"

    def anchored(self, subjects: list) -> str:
        """The record rule's CONSTRUCT over only the nodes SUBJECTS (pyoxigraph terms) as its anchor."""
        assert self.query is not None and self.anchor is not None
        values = " ".join(str(s) for s in subjects)
        return self.query.replace(ANCHOR_MARK, f"VALUES {self.anchor} {{ {values} }}")


def triple_key(t) -> tuple:
    """The build key of a triple: its predicate, or rdf:type with its class."""
    import pyoxigraph as ox

    if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
        return T(t.object.value)
    return _key(t.predicate.value)


def triples(data):
    """The triples of DATA: N-Triples, as bytes or a file (a Path: what a rule wrote on disk, see materialize)."""
    import pyoxigraph as ox

    if isinstance(data, Path):
        return ox.parse(path=str(data), format=ox.RdfFormat.N_TRIPLES)
    return ox.parse(data, format=ox.RdfFormat.N_TRIPLES)


def load(store, data, graph=None) -> None:
    """Load DATA (N-Triples, as bytes or a file) into GRAPH (default: the default graph) of STORE."""
    import pyoxigraph as ox

    graph = graph or ox.DefaultGraph()
    if isinstance(data, Path):
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    else:
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)


def size(data) -> int:
    """The bytes of DATA (N-Triples, as bytes or a file)."""
    return data.stat().st_size if isinstance(data, Path) else len(data)


def subjects_of(outputs: list, keys: set) -> list:
    """The subjects of the triples in OUTPUTS (N-Triples, as bytes or files) that have one of the build KEYS."""
    found: dict = {}
    for data in outputs:
        for t in triples(data):
            if touched({triple_key(t)}, keys):
                found[t.subject] = None
    return list(found)


EXACT_KEYS_BELOW = 1 << 20  # bytes of N-Triples output whose keys absorb() reads from the triples themselves


def keys_of(data) -> set:
    """The build keys of the triples in DATA (N-Triples, as bytes or a file): their predicates, classes and
    deriving rules."""
    import pyoxigraph as ox

    keys: set = set()
    for t in triples(data):
        p = t.predicate.value
        if p == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            keys.add(T(t.object.value))
        elif p == DERIVED_BY[1] and isinstance(t.object, ox.NamedNode):
            keys.add(("d", t.object.value))
        else:
            keys.add(_key(p))
    return keys


def order(derivations: list | None = None) -> list[str]:
    """The rule names in the order they first run: ORDER with the derivation rules after the class closure."""
    names = [d.name for d in (derivations if derivations is not None else derivation.load())]
    at = ORDER.index(DERIVATIONS_AFTER) + 1
    return ORDER[:at] + names + ORDER[at:]


def rules(store, derivations: list | None = None) -> dict:
    """The rules for the schema in STORE, by name, in run order (see order())."""
    prologue = ns.sparql_prefixes()
    derivations = derivation.load() if derivations is None else derivations

    def select(query: str):
        return store.query(prologue + query, use_default_graph_as_union=True)

    out: dict = {}
    for d in derivations:
        out[d.name] = Rule(
            d.name, set(d.reads), set(d.writes), query=d.query, graph=ns.GRAPH_DERIVED, feeds=d.feeds, guards=d.guards
        )
    for name in ORDER:
        if name in RECORD_RULES and RECORD_RULES[name][1] is not None:
            query, reads, writes = RECORD_RULES[name]
            out[name] = Rule(name, set(reads), set(writes), query=query, anchor=ANCHORS.get(name))
        elif name in SCHEMA_QUERIES:
            pairs = []
            for a, b in select(SCHEMA_QUERIES[name]):
                if name == "subclass":
                    pairs.append((a, b, T(a.value), T(b.value)))
                else:
                    pairs.append((a, b, _key(a.value), _key(b.value)))
            out[name] = Rule(name, {p[2] for p in pairs}, {p[3] for p in pairs}, pairs=[p[:3] for p in pairs])
        else:  # has-value-class
            reads, writes = set(), set()
            for row in select(HAS_VALUE_KEYS):
                writes.add(T(row["c"].value))
                if row["p"] is not None:
                    v = row["v"]
                    reads.add(_key(row["p"].value, v.value if row["p"].value == RDF_TYPE and v is not None else None))
                if row["k"] is not None:
                    reads.add(T(row["k"].value))
            out[name] = Rule(name, reads, writes, query=RECORD_RULES[name][0])
    return {name: out[name] for name in order(derivations)}


@dataclass
class Seed:
    """Where a materialization starts when the store already holds a closure that a change made stale (see
    kg.maintain): triples to feed every rule as if just derived, nodes an anchored record rule must be run
    at, and rules that must run whole. With a seed, the first pass is skipped: every rule counts as run."""

    data: list = field(default_factory=list)  # N-Triples
    anchors: dict = field(default_factory=dict)  # rule name -> set of nodes (pyoxigraph terms)
    whole: set = field(default_factory=set)  # rule names
    skip: set = field(default_factory=set)  # rule names whose output the change cannot alter: they do not run


def materialize(
    store,
    workers: int | None = None,
    max_passes: int = 8,
    count: bool = True,
    shortcuts: bool = True,
    seed: Seed | None = None,
    table: dict | None = None,
    added: dict | None = None,
    spill: Path | None = None,
) -> int | None:
    """Add the inferences to STORE's lat-g:inferred graph; returns how many triples that graph holds after
    (None with COUNT false, which saves a scan of the graph).

    WORKERS query threads run rules that do not feed each other side by side (default: one per core, at most
    2); with 1 the rules run one after another. The result is the same either way, and the same with SHORTCUTS
    false: every written key then feeds (see kg.rules.MINTED_ATTRIBUTES), and a record rule runs again whole
    rather than over the nodes of the triples fed to it (see ANCHORS). ADDED, when given, gets the number of
    triples each graph gained. SPILL, a folder, takes the rules' outputs as files rather than in memory (for a
    store on disk, whose data need not fit in memory).
    """
    import pyoxigraph as ox

    prologue = ns.sparql_prefixes()
    table = table if table is not None else rules(store)  # TABLE: the rules for STORE's schema, when known
    if not shortcuts:
        for rule in table.values():
            rule.feeds = set(rule.writes)
    names = list(table)
    workers = workers or max(1, min(2, os.cpu_count() or 1))
    lock = threading.Lock()
    started: set = set()

    profile = os.environ.get("LATTICE_PROFILE_RULES") == "1"
    numbers = itertools.count()  # of the files SPILL gets

    def evaluate(name: str, query: str) -> bytes | Path:
        with lock:
            started.add(name)
            spilled = spill / f"{next(numbers)}.nt" if spill is not None else None
        began = time.perf_counter()
        # results go from the query engine to the store as N-Triples, never through Python objects
        found = store.query(prologue + query, use_default_graph_as_union=True)
        if spilled is None:
            data: bytes | Path = found.serialize(format=ox.RdfFormat.N_TRIPLES)
        else:
            found.serialize(output=str(spilled), format=ox.RdfFormat.N_TRIPLES)
            data = spilled if spilled.stat().st_size else b""
        if profile:
            print(f"rule {name}: {time.perf_counter() - began:.2f} s, {size(data)} bytes", file=sys.stderr)
        return data

    pending: dict = {name: set() for name in names}  # keys fed to a rule after it started
    fed: dict = {name: [] for name in names}  # schema and anchored rules: the outputs loaded since the rule started

    def evaluate_new(name: str, keys: set, outputs: list) -> bytes:
        """A schema rule over just OUTPUTS (the triples loaded since it started), keeping what the store lacks.

        A schema rule reads one triple, so a triple it can newly give comes from a triple loaded since it
        last ran: those are few, where the whole store holds the old ones too.
        """
        query = table[name].sparql(keys, known=False)
        if query is None:
            return b""
        with lock:
            started.add(name)
        began = time.perf_counter()
        new = ox.Store()
        for data in outputs:
            load(new, data)
        found = new.query(prologue + query)
        assert isinstance(found, ox.QueryTriples)  # a CONSTRUCT
        fresh = [t for t in found if next(store.quads_for_pattern(t.subject, t.predicate, t.object), None) is None]
        data = (ox.serialize(fresh, format=ox.RdfFormat.N_TRIPLES) or b"") if fresh else b""
        if profile:
            print(
                f"rule {name} (new triples): {time.perf_counter() - began:.2f} s, {len(fresh)} triples", file=sys.stderr
            )
        return data

    def absorb(name: str, data: bytes | Path) -> None:
        """Load a rule's output and tell the rules it feeds (only those already started need to run again)."""
        if not data:
            return
        # every rule filters out what any graph already states, and the graph itself is a set
        began = time.perf_counter()
        graph = ox.NamedNode(table[name].graph)
        if added is not None:  # count what is new to the graph (a seeded run's outputs are small)
            fresh = set(triples(data))
            n = sum(ox.Quad(t.subject, t.predicate, t.object, graph) not in store for t in fresh)
            added[graph.value] = added.get(graph.value, 0) + n
        load(store, data, graph)
        if profile:
            print(f"load {name}: {time.perf_counter() - began:.2f} s", file=sys.stderr)
        # a small output feeds through the keys it holds; a large one, through all its rule may write
        written = keys_of(data) if size(data) <= EXACT_KEYS_BELOW else None
        feed(data, written, name)

    def feed(data: bytes | Path, written: set | None, source: str | None) -> None:
        """Tell the started rules that DATA (with keys WRITTEN; None: all SOURCE may write) was loaded."""
        with lock:
            for other in names:
                if other != source and other in started:
                    if source is None:
                        keys = touched(written or set(), table[other].reads)
                    else:
                        keys = table[other].fed(table[source], written)
                    pending[other] |= keys
                    if keys and (table[other].query is None or table[other].anchor):
                        fed[other].append(data)

    anchors: dict = {name: set() for name in names}  # nodes an anchored rule must run at, whatever it is fed
    whole: set = set()  # rules that must run whole once more
    if seed is not None:
        names = [name for name in names if name not in seed.skip]
        started.update(names)
        for data in seed.data:
            if data:
                feed(data, keys_of(data), None)
        for name, nodes in seed.anchors.items():
            if nodes:
                anchors[name] |= set(nodes)
                pending[name] |= set(table[name].reads)
        for name in seed.whole:
            whole.add(name)
            pending[name] |= set(table[name].reads) or {("whole", name)}

    # first pass: each rule once, as soon as the earlier rules that feed it are loaded
    feeders = {name: {f for f in names[:i] if table[name].fed(table[f])} for i, name in enumerate(names)}
    waiting: list = [] if seed is not None else list(names)
    done: set = set()
    running: dict = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kg-rule") as pool:
        while waiting or running:
            for name in list(waiting):
                if len(running) >= workers:
                    break
                if feeders[name] <= done:
                    waiting.remove(name)
                    query = table[name].sparql()
                    if query is None:
                        done.add(name)
                        continue
                    running[pool.submit(evaluate, name, query)] = name
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                name = running.pop(fut)
                absorb(name, fut.result())
                done.add(name)
    # then, one rule at a time, each rule again over just the keys fed to it after it started
    for _ in range(max_passes):
        todo = [name for name in names if pending[name]]
        if not todo:
            break
        for name in todo:
            keys, pending[name] = pending[name], set()
            if profile:
                print(f"rerun {name}: fed {sorted(k[1].rsplit('/', 1)[-1] for k in keys)}", file=sys.stderr)
            outputs, fed[name] = fed[name], []
            rule = table[name]
            if name in whole:
                whole.discard(name)
                anchors[name] = set()
                query = rule.sparql()
                if query is not None:
                    absorb(name, evaluate(name, query))
                continue
            if rule.query is None:
                absorb(name, evaluate_new(name, keys, outputs))
                continue
            subjects = None
            if rule.anchor and (not shortcuts or sum(map(size, outputs)) > ANCHORED_BELOW):
                anchors[name] = set()  # the rule runs whole below
            elif rule.anchor:
                subjects = list(dict.fromkeys([*subjects_of(outputs, keys & rule.reads), *anchors[name]]))
                anchors[name] = set()
                if any(isinstance(n, ox.BlankNode) for n in subjects):
                    subjects = None  # VALUES cannot name a blank node: the rule runs whole
            if subjects is not None:
                query = rule.anchored(subjects) if subjects else None
            else:
                query = rule.sparql(keys) if keys else None
            if query is not None:
                absorb(name, evaluate(name, query))
    if not count:
        return None
    found = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ns.GRAPH_INFERRED}> {{ ?s ?p ?o }} }}")
    return int(next(iter(found))[0].value)
