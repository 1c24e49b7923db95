"""Inferences maintained by difference: after an input graph changed, delete what the change may have derived,
rederive what still holds and add what is new (delete and rederive), so that a small edit costs about its size.

The store holds the previous build: input graphs, lat-g:inferred and lat-g:derived, a closure of the rules.
`update` is given, per changed input graph, its triples before and after. It

1. finds what may no longer hold (overdeletion), starting from the triples no input graph states any more:
   - schema rules (subclass, subproperty, inverse, symmetric) read one triple: their consequences are
     followed exactly, triple by triple;
   - record rules read the triples of one node (their anchor): every triple the rule gives at the anchor
     of a changed triple is taken, whatever filters the rule has (so that additions that switch a rule off,
     through a FILTER NOT EXISTS, are covered too);
   - the derivation rules of rules/ join across nodes and some negate: when a changed or overdeleted triple
     has a key one of them reads or writes, the whole derived graph is overdeleted and they run again;
2. removes those triples and applies the change to the input graphs;
3. runs the rules again from a seed (kg.inference.Seed): the added triples, the triples that premised an
   overdeleted one (rederivation), the anchors of overdeleted record-rule triples, and the rules to run
   whole; the usual reruns take it to the fixpoint.

A change to the schema (class or property hierarchy, inverses, the classes defined by owl:hasValue) changes
the rules themselves: `update` then returns None and the caller materializes from scratch.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg import namespaces as ns
from kg.inference import RDF_TYPE, SCHEMA_RULES, Seed, T, _key, materialize, rules, triple_key
from kg.rules import DERIVED_BY, rule_iri, touched

RDFS = ns.PREFIXES["rdfs"]
OWL = ns.PREFIXES["owl"]
RDF = ns.PREFIXES["rdf"]
# what the rules are made of: a change to any of these is a change to the rules, not to the data
SCHEMA_KEYS = frozenset(
    {
        _key(RDFS + "subClassOf"),
        _key(RDFS + "subPropertyOf"),
        _key(OWL + "inverseOf"),
        T(OWL + "SymmetricProperty"),
        _key(OWL + "equivalentClass"),
        _key(OWL + "intersectionOf"),
        _key(OWL + "onProperty"),
        _key(OWL + "hasValue"),
        _key(RDF + "first"),
        _key(RDF + "rest"),
    }
)
MADE = (ns.GRAPH_INFERRED, ns.GRAPH_DERIVED)

LAT, ORG, TIME = ns.LAT, ns.ORG, ns.TIME


def _objects(store, node, predicate: str, graph=None) -> list:
    return [q.object for q in store.quads_for_pattern(node, ox.NamedNode(predicate), None, graph)]


def _accountable_to(store, r, graph) -> list:
    forums = _objects(store, r, LAT + "forum")
    return [
        ox.Triple(a, ox.NamedNode(LAT + "accountableTo"), f)
        for a in _objects(store, r, LAT + "accountableActor")
        for f in forums
    ]


def _member_of(store, x, graph) -> list:
    out = []
    for o in _objects(store, x, ORG + "organization"):
        for m in _objects(store, x, ORG + "member"):
            out += [
                ox.Triple(m, ox.NamedNode(LAT + "memberOf"), o),
                ox.Triple(m, ox.NamedNode(ORG + "memberOf"), o),
                ox.Triple(o, ox.NamedNode(ORG + "hasMember"), m),
            ]
    return out


def _member_during(store, x, graph) -> list:
    out = []
    for q in store.quads_for_pattern(x, ox.NamedNode(ORG + "memberDuring"), None, graph):
        out.append(q.triple)
        ends = [q.object]
        for p in ("hasBeginning", "hasEnd"):
            ends += _objects(store, q.object, TIME + p, graph)
        for node in ends:
            out += [e.triple for e in store.quads_for_pattern(node, None, None, graph)]
    return out


# What a record rule gives at its anchor, with none of its filters (a superset of what it derived there), from
# the triples of the anchor: one function per anchored rule of kg.inference.ANCHORS.
SUPPORT = {"accountable-to": _accountable_to, "member-of": _member_of, "member-during": _member_during}
ANCHORED = tuple(SUPPORT)  # has-value-class: anchored at ?x too, but its few classes are checked directly
HAS_VALUE = "has-value-class"


@dataclass
class Change:
    """What `update` did."""

    removed: int = 0  # input triples no graph states any more
    added: int = 0
    overdeleted: int = 0
    derived_again: bool = False  # the derivation rules ran whole
    nodes: set = field(default_factory=set)  # the IRIs of the changed and overdeleted triples
    inferred: int = 0  # how many triples lat-g:inferred gained (less when it lost)
    seconds: dict = field(default_factory=dict)


def graph_triples(store, graph: str) -> set:
    """The triples of GRAPH in STORE, as a set."""
    return {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    }


def align_blank_nodes(before: set, after: set) -> set:
    """AFTER with each blank node renamed to the blank node of BEFORE it matches: the one with the same triples
    (its other node abbreviated when blank), each unique in its graph. A parser names blank nodes anew every
    time, so without this an edit anywhere in a file would change every triple with a blank node in it; the
    renaming is one to one, so AFTER stays the same graph."""

    def signatures(triples) -> dict:
        found: dict = {}
        for t in triples:
            s, o = t.subject, t.object
            if isinstance(s, ox.BlankNode):
                found.setdefault(s, []).append(
                    ("out", t.predicate.value, "_" if isinstance(o, ox.BlankNode) else str(o))
                )
            if isinstance(o, ox.BlankNode):
                found.setdefault(o, []).append(
                    ("in", t.predicate.value, "_" if isinstance(s, ox.BlankNode) else str(s))
                )
        return {b: tuple(sorted(v)) for b, v in found.items()}

    def unique(sigs: dict) -> dict:
        count = Counter(sigs.values())
        return {v: b for b, v in sigs.items() if count[v] == 1}

    old = unique(signatures(before))
    rename = {b: old[v] for v, b in unique(signatures(after)).items() if v in old}
    if not rename:
        return after
    return {ox.Triple(rename.get(t.subject, t.subject), t.predicate, rename.get(t.object, t.object)) for t in after}


def _ntriples(triples) -> bytes:
    triples = list(triples)
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"") if triples else b""


class _Schema:
    """The schema rules' pairs, by the predicate (or class) they read."""

    def __init__(self, table: dict):
        self.up: dict = {name: {} for name in SCHEMA_RULES}
        self.down: dict = {name: {} for name in SCHEMA_RULES}
        for name in SCHEMA_RULES:
            for a, b, _k in table[name].pairs:
                self.up[name].setdefault(a.value, []).append(b)
                self.down[name].setdefault(b.value, []).append(a)

    def consequences(self, t) -> list:
        """The triples the schema rules give from T."""
        out = []
        s, p, o = t.subject, t.predicate, t.object
        if p.value == RDF_TYPE and isinstance(o, ox.NamedNode):
            out += [ox.Triple(s, p, b) for b in self.up["subclass"].get(o.value, ())]
        out += [ox.Triple(s, b, o) for b in self.up["subproperty"].get(p.value, ())]
        if not isinstance(o, ox.Literal):
            out += [ox.Triple(o, b, s) for b in self.up["inverse"].get(p.value, ())]
            out += [ox.Triple(o, b, s) for b in self.up["symmetric"].get(p.value, ())]
        return out

    def premises(self, store, t) -> list:
        """The triples in STORE from which a schema rule gives T."""
        out = []
        s, p, o = t.subject, t.predicate, t.object
        if p.value == RDF_TYPE and isinstance(o, ox.NamedNode):
            for a in self.down["subclass"].get(o.value, ()):
                out += store.quads_for_pattern(s, p, a)
        for a in self.down["subproperty"].get(p.value, ()):
            out += store.quads_for_pattern(s, a, o)
        if not isinstance(o, ox.Literal):
            for a in [*self.down["inverse"].get(p.value, ()), *self.down["symmetric"].get(p.value, ())]:
                out += store.quads_for_pattern(o, a, s)
        return [q.triple for q in out]


def _schema_closure(schema: _Schema, triples: set) -> set:
    """TRIPLES with all the schema rules give from them, transitively."""
    out = set(triples)
    todo = list(triples)
    while todo:
        for c in schema.consequences(todo.pop()):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _record_keys(table: dict, keys: set) -> set:
    """The keys the record rules (and the schema rules after them) may newly give from triples with KEYS."""
    out: set = set()
    frontier = set(keys)
    while frontier:
        new: set = set()
        for name in (*ANCHORED, HAS_VALUE):
            if touched(frontier, table[name].reads):
                new |= table[name].writes - out
        out |= new
        grow = set(new)
        while grow:
            found = {
                T(b.value) if name == "subclass" else _key(b.value)
                for name in SCHEMA_RULES
                for _a, b, k in table[name].pairs
                if touched(grow, {k})
            }
            grow = found - out
            out |= grow
            new |= grow
        frontier = new
    return out


def update(store, changes: dict[str, tuple[set, set]], workers: int | None = None, profile=None) -> Change | None:
    """Apply CHANGES (input graph IRI -> (its triples before, its triples after)) to STORE and bring the two
    graphs the rules write up to date; None, with STORE untouched, when the change reaches the schema."""
    say = profile or (lambda msg: None)
    began = time.perf_counter()
    result = Change()
    changed = set(changes)
    removed_all: set = set()
    added_all: set = set()
    for before, after in changes.values():
        removed_all |= before - after
        added_all |= after - before
    if any(triple_key(t) in SCHEMA_KEYS for t in removed_all | added_all):
        return None

    def stated_elsewhere(t) -> bool:
        """Whether T is still stated once the change is applied."""
        for q in store.quads_for_pattern(t.subject, t.predicate, t.object):
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if g not in MADE and g not in changed:
                return True
        return any(t in after for _, after in changes.values())

    removed = {t for t in removed_all if not stated_elsewhere(t)}
    result.removed, result.added = len(removed), len(added_all)
    table = rules(store)
    schema = _Schema(table)
    derivations = [r for r in table.values() if r.graph == ns.GRAPH_DERIVED]
    has_value = table[HAS_VALUE]
    has_value_classes = [ox.NamedNode(k[1]) for k in has_value.writes if k[0] == "t"]
    inferred_graph = ox.NamedNode(ns.GRAPH_INFERRED)

    def inferred(t) -> bool:
        return ox.Quad(t.subject, t.predicate, t.object, inferred_graph) in store

    # what the additions give through the schema rules, triple by triple, and through the record rules, by key
    grown = _schema_closure(schema, added_all)
    added_keys: dict = {}
    for t in grown:
        added_keys.setdefault(t.subject, set()).add(triple_key(t))
    recorded = _record_keys(table, {triple_key(t) for t in grown})

    def has_key(node, key) -> bool:
        """Whether NODE has a triple with KEY in the store as it was or among the additions."""
        if key in added_keys.get(node, ()):
            return True
        if key[0] == "t":
            predicate, value = ox.NamedNode(RDF_TYPE), ox.NamedNode(key[1])
        elif key[0] == "d":
            predicate, value = ox.NamedNode(DERIVED_BY[1]), ox.NamedNode(key[1])
        else:
            predicate, value = ox.NamedNode(key[1]), None
        return next(store.quads_for_pattern(node, predicate, value), None) is not None

    # what each derivation rule reads: its reads, and its own records, which it filters out
    reads = {r.name: r.reads | {("d", rule_iri(r.name))} for r in derivations}

    def reaches_derivations(t) -> bool:
        """Whether a derivation rule reads T: a key it reads, on a node its guard admits (kg.rules)."""
        k = triple_key(t)
        for r in derivations:
            hit = touched({k}, reads[r.name])
            if any(h not in r.guards for h in hit):
                return True
            if any(has_key(t.subject, g) for h in hit for g in r.guards[h]):
                return True
        return False

    # 1. overdeletion, on the store as it was
    gone: set = set()  # inferred triples that may no longer hold
    anchors: dict = {name: set() for name in ANCHORED}
    whole: set = set()  # rules to run whole
    queue = deque((t, True) for t in removed)  # (triple, removed: False for an addition)
    rederive_all_derived = False

    def derive_again() -> None:
        """The derivation rules run again: their whole graph is overdeleted."""
        nonlocal rederive_all_derived
        rederive_all_derived = True
        queue.extend(
            (q.triple, True) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(ns.GRAPH_DERIVED))
        )

    if any(touched(recorded, reads[r.name]) for r in derivations) or any(
        reaches_derivations(t) for t in grown - added_all
    ):
        derive_again()
    queue.extend((t, False) for t in added_all)
    record_reads = {name: table[name].reads | table[name].writes for name in ANCHORED}
    has_value_reads = has_value.reads | has_value.writes
    new_anchors: dict = {name: set() for name in ANCHORED}

    def overdelete(c) -> None:
        if c not in gone and inferred(c):
            gone.add(c)
            queue.append((c, True))

    while queue:
        while queue:
            t, is_removed = queue.popleft()
            k = triple_key(t)
            if is_removed:
                for c in schema.consequences(t):
                    overdelete(c)
            for name in ANCHORED:  # writes too: a rule's filters read what it writes (member-during)
                if touched({k}, record_reads[name]) and t.subject not in anchors[name]:
                    anchors[name].add(t.subject)  # a blank node: the rerun runs the rule whole
                    new_anchors[name].add(t.subject)
            if touched({k}, has_value_reads):
                whole.add(HAS_VALUE)
                for c in has_value_classes:
                    overdelete(ox.Triple(t.subject, ox.NamedNode(RDF_TYPE), c))
            if not rederive_all_derived and reaches_derivations(t):
                derive_again()
        for name in ANCHORED:  # what the record rules gave at the new anchors
            nodes, new_anchors[name] = new_anchors[name], set()
            for node in nodes:
                for c in SUPPORT[name](store, node, inferred_graph):
                    overdelete(c)
    result.overdeleted = len(gone)
    result.derived_again = rederive_all_derived
    result.nodes = {
        x for t in removed_all | added_all | gone for x in (t.subject, t.object) if isinstance(x, ox.NamedNode)
    }
    result.seconds["overdelete"] = time.perf_counter() - began

    # 2. the change, and the removal
    t0 = time.perf_counter()
    for graph, (before, after) in changes.items():
        node = ox.NamedNode(graph)
        for t in before - after:
            store.remove(ox.Quad(t.subject, t.predicate, t.object, node))
        store.extend([ox.Quad(t.subject, t.predicate, t.object, node) for t in after - before])
    for t in gone:
        store.remove(ox.Quad(t.subject, t.predicate, t.object, inferred_graph))
    result.inferred = -len(gone)
    for t in added_all:  # now stated: a build never puts a stated triple in lat-g:inferred
        if t not in gone and inferred(t):
            result.inferred -= 1
            store.remove(ox.Quad(t.subject, t.predicate, t.object, inferred_graph))
    if rederive_all_derived:
        store.remove_graph(ox.NamedNode(ns.GRAPH_DERIVED))

    # 3. rederive and add, from a seed
    premises: dict = {}
    for t in gone | removed:
        for p in schema.premises(store, t):
            premises[p] = None
    names = {r.name for r in derivations}
    seed = Seed(
        data=[_ntriples(added_all), _ntriples(premises)],
        anchors=anchors,
        whole=set(whole) | (names if rederive_all_derived else set()),
        skip=set() if rederive_all_derived else names,  # no derivation rule reads what changed: lat-g:derived stays
    )
    for t in removed:  # a triple no longer stated may still follow from a record rule that wrote it
        k = triple_key(t)
        for name in (*ANCHORED, HAS_VALUE):
            if touched({k}, table[name].writes):
                seed.whole.add(name)
    result.seconds["apply"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    gained: dict = {}
    materialize(store, workers=workers, count=False, seed=seed, table=table, added=gained)
    result.inferred += gained.get(ns.GRAPH_INFERRED, 0)
    result.seconds["rederive"] = time.perf_counter() - t0
    say(
        f"maintained: {result.removed} removed, {result.added} added, {result.overdeleted} overdeleted"
        + (", derivation rules run again" if rederive_all_derived else "")
        + "; "
        + ", ".join(f"{k} {v:.2f} s" for k, v in result.seconds.items())
    )
    return result
