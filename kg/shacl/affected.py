"""Which focus nodes an edit can affect: what each shape reads, and a walk back from the changed triples.

A shape's results on a focus node depend only on the triples it reads at the nodes it visits: from the focus
node along its paths (and the paths of the shapes nested in it) to the value nodes, and at each visited node
the triples of the predicates it reads there. An edit (triples added and removed) can therefore change the
results of a focus node only if a node the shape visits from it is the subject of a changed triple whose
predicate the shape reads forwards (or whose every predicate it reads, sh:closed), or the object of one it
reads backwards (an inverse path), or if the focus node's target membership changed (it is the subject or the
object of a changed triple). Walking back from those nodes along the shape's path steps, as far as its
longest path reaches, finds every such focus node; the walk runs on the graph after the edit, which holds
every unchanged step of a path that ran before it. The analysis is conservative: the predicates of a path are
taken in any order, and a shape it cannot follow (SHACL-SPARQL, disjoint qualified shapes, results reported
on value nodes) is validated whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.namespaces import RDF, RDFS, SH
from kg.shacl.model import Graph, Shape, Term, any_true

if TYPE_CHECKING:
    from kg.shacl.engine import Engine

NESTED = ("node", "not", "qualifiedValueShape")  # parameters whose shape is checked on the value nodes
NESTED_LISTS = ("and", "or", "xone")
PAIRS = ("equals", "disjoint", "lessThan", "lessThanOrEquals")  # read (?this <p> ?x) at the focus node
MAX_NESTING = 32


class Unanalysable(Exception):
    """A shape whose dependencies the analysis cannot bound: it is validated whole."""


@dataclass
class Reads:
    """What a shape reads: the steps of its paths, the predicates read at visited nodes, how far it walks."""

    forward: set[str] = field(default_factory=set)  # path steps x -p-> y
    inverse: set[str] = field(default_factory=set)  # path steps x <-p- y
    out: set[str] = field(default_factory=set)  # predicates of triples read with a visited node as subject
    all_out: bool = False  # every triple with a visited node as subject is read (sh:closed)
    depth: int | None = 0  # the longest walk from the focus node to a visited node; None: unbounded

    def merge(self, other: Reads, offset: int | None) -> None:
        """Add OTHER, whose walk starts OFFSET steps from the focus node."""
        self.forward |= other.forward
        self.inverse |= other.inverse
        self.out |= other.out
        self.all_out = self.all_out or other.all_out
        if offset is None or other.depth is None or self.depth is None:
            self.depth = None
        else:
            self.depth = max(self.depth, offset + other.depth)


def path_steps(g: Graph, node: Term, reads: Reads, inverse: bool = False, nesting: int = 0) -> int | None:
    """Add the steps of the SHACL path at NODE to READS; return its longest length (None: unbounded)."""
    if nesting > MAX_NESTING:
        raise Unanalysable("path nested too deep")
    if isinstance(node, ox.NamedNode):
        (reads.inverse if inverse else reads.forward).add(node.value)
        return 1
    if isinstance(node, ox.Literal):
        raise Unanalysable("a literal path")
    if g.objects(node, RDF.first):
        lengths = [path_steps(g, m, reads, inverse, nesting + 1) for m in g.list(node)]
        return None if any(n is None for n in lengths) else sum(n for n in lengths if n is not None)
    for inv in g.objects(node, SH.inversePath):
        return path_steps(g, inv, reads, not inverse, nesting + 1)
    for alt in g.objects(node, SH.alternativePath):
        lengths = [path_steps(g, m, reads, inverse, nesting + 1) for m in g.list(alt)]
        return None if any(n is None for n in lengths) else max((n for n in lengths if n is not None), default=0)
    for name in ("zeroOrMorePath", "oneOrMorePath"):
        for step in g.objects(node, SH.term(name)):
            path_steps(g, step, reads, inverse, nesting + 1)
            return None
    for step in g.objects(node, SH.zeroOrOnePath):
        return path_steps(g, step, reads, inverse, nesting + 1)
    raise Unanalysable("unrecognised path")


def shape_reads(engine: Engine, shape: Shape, stack: tuple[Term, ...] = ()) -> Reads:
    """What SHAPE reads from its focus node (raises Unanalysable)."""
    if shape.node in stack or len(stack) > MAX_NESTING:
        raise Unanalysable(f"{shape.id}: recursive shape")
    stack = (*stack, shape.node)
    g: Graph = engine.g
    if shape.deactivated:
        return Reads()
    if "sparql" in shape.params:
        raise Unanalysable(f"{shape.id}: SPARQL-based constraint")
    if any_true(shape.params.get("qualifiedValueShapesDisjoint", [])):
        raise Unanalysable(f"{shape.id}: disjoint qualified value shapes read their siblings")
    for comp in engine.declared_components():
        for pnode in g.objects(comp, SH.parameter):
            p = g.one(pnode, SH.path)
            if isinstance(p, ox.NamedNode) and g.objects(shape.node, p.value):
                raise Unanalysable(f"{shape.id}: SPARQL-based constraint component")
    reads = Reads()
    reads.out.add(RDF.type)  # sh:class and class targets read the types of the nodes they reach
    at_values: int | None = 0
    if shape.is_property:
        at_values = path_steps(g, g.one(shape.node, SH.path), reads)
        reads.depth = at_values
    if any_true(shape.params.get("closed", [])):
        reads.all_out = True
    for name in PAIRS:
        reads.out.update(p.value for p in shape.params.get(name, []) if isinstance(p, ox.NamedNode))
    nested: list[Term] = [n for name in NESTED for n in shape.params.get(name, [])]
    for name in NESTED_LISTS:
        for lst in shape.params.get(name, []):
            nested.extend(g.list(lst))
    for n in nested:
        reads.merge(shape_reads(engine, engine.shape_of(n, shape), stack), at_values)
    for p in shape.params.get("property", []):
        # a node shape's property shapes start at its focus node, a property shape's at its value nodes
        reads.merge(shape_reads(engine, engine.shape_of(p, shape), stack), at_values if shape.is_property else 0)
    return reads


def reports_on_focus(engine: Engine, shape: Shape, depth: int = 0) -> bool:
    """True when every result of SHAPE has one of its focus nodes as sh:focusNode (a property shape's own
    property shapes report on its value nodes, Engine.report)."""
    props = shape.params.get("property", [])
    if depth > MAX_NESTING or (shape.is_property and props):
        return False
    return all(reports_on_focus(engine, engine.shape_of(p, shape), depth + 1) for p in props)


def analyse(engine: Engine, shape: Shape) -> Reads | None:
    """What a top shape reads, or None when it must be validated whole."""
    try:
        if not reports_on_focus(engine, shape):
            return None
        return shape_reads(engine, shape)
    except Unanalysable:
        return None


def changes_hierarchy(changed: list[ox.Triple]) -> bool:
    """True when an edit changes the class hierarchy, which sh:class and class targets read everywhere."""
    sub = RDFS.subClassOf
    return any(t.predicate.value == sub for t in changed)


def affected_nodes(store: ox.Store, reads: Reads, changed: list[ox.Triple], limit: int) -> set[Term] | None:
    """The focus nodes whose results under a shape that reads READS the edit CHANGED can change, among all
    nodes of STORE (the graph after the edit); None when more than LIMIT nodes are reached."""
    out, inverse = reads.out | reads.forward, reads.inverse
    found: set[Term] = set()
    seeds: set[Term] = set()
    for t in changed:
        found.add(t.subject)
        found.add(t.object)
        if reads.all_out or t.predicate.value in out:
            seeds.add(t.subject)
        if t.predicate.value in inverse:
            seeds.add(t.object)
    seen = set(seeds)
    frontier = seeds
    forward = [ox.NamedNode(p) for p in sorted(reads.forward)]
    backward = [ox.NamedNode(p) for p in sorted(reads.inverse)]
    dg = ox.DefaultGraph()
    steps = 0
    while frontier and (reads.depth is None or steps < reads.depth):
        nxt: set[Term] = set()
        for y in frontier:
            for p in forward:
                nxt.update(q.subject for q in store.quads_for_pattern(None, p, y, dg))
            if not isinstance(y, ox.Literal):
                for p in backward:
                    nxt.update(q.object for q in store.quads_for_pattern(y, p, None, dg))
        frontier = nxt - seen
        seen |= frontier
        if len(seen) > limit:
            return None
        steps += 1
    return found | seen


def targets_among(engine: Engine, shape: Shape, nodes: set[Term]) -> set[Term]:
    """The nodes of NODES that are focus nodes of SHAPE's targets (read node by node: NODES is small)."""
    dg = ox.DefaultGraph()
    out = {t for t in shape.target_nodes if t in nodes}
    classes: set[Term] = set()
    for c in shape.target_classes:
        classes.update(engine.subclasses(c))
    rdf_type = ox.NamedNode(RDF.type)
    subjects_of = [p for p in shape.target_subjects_of if isinstance(p, ox.NamedNode)]
    objects_of = [p for p in shape.target_objects_of if isinstance(p, ox.NamedNode)]
    for n in nodes:
        if n in out:
            continue
        if not isinstance(n, ox.Literal):
            if classes and any(q.object in classes for q in engine.store.quads_for_pattern(n, rdf_type, None, dg)):
                out.add(n)
                continue
            if any(next(engine.store.quads_for_pattern(n, p, None, dg), None) for p in subjects_of):
                out.add(n)
                continue
        if any(next(engine.store.quads_for_pattern(None, p, n, dg), None) for p in objects_of):
            out.add(n)
    return out


@dataclass
class SparqlPlan:
    """How an incremental run treats a shape made of SPARQL constraints alone, which analyse() cannot follow:
    its previous results kept (nothing it reads changed), or re-checked for some values of ?value."""

    unaffected: bool = False
    values: list[Term] = field(default_factory=list)  # the values of ?value to check again


def sparql_plan(
    engine: Engine, shape: Shape, changed: list[ox.Triple], summaries: dict[str, dict[str, Any]] | None = None
) -> SparqlPlan | None:
    """For a node shape whose only constraints are SPARQL SELECT queries (read from their algebra,
    kg.sparqlalgebra.summary; SUMMARIES keeps them by the SHA-256 of the query across runs): unaffected when
    no changed triple has a predicate the queries or the targets read; else, when its targets are constant
    nodes and ?value is bound by, and only read through, patterns naming it (a solution with ?value = v then
    depends only on the triples in which v appears), the terms of the changed triples as the values to
    re-check; None otherwise (the shape is validated whole)."""
    import hashlib

    from kg.shacl.sparql import prefixes_for
    from kg.sparqlalgebra import summary

    if shape.is_property or shape.deactivated or set(shape.params) != {"sparql"}:
        return None
    summaries = {} if summaries is None else summaries
    read: set[str] = {
        p.value for p in [*shape.target_subjects_of, *shape.target_objects_of] if isinstance(p, ox.NamedNode)
    }
    if shape.target_classes:
        read.add(RDF.type)
    everything = False
    local = True
    for cnode in shape.params["sparql"]:
        select = engine.g.one(cnode, SH.select)
        if select is None or engine.g.is_true(cnode, SH.deactivated):
            return None
        text = prefixes_for(engine, cnode) + select.value
        key = hashlib.sha256(text.encode()).hexdigest()
        if key not in summaries:
            try:
                summaries[key] = summary(text)
            except Exception:  # rdflib's parser and algebra raise several kinds: the shape is validated whole
                return None
        found = summaries[key]
        everything = everything or bool(found["any_predicate"])
        local = local and bool(found["value_local"])
        read.update(found["predicates"])
    if not everything and not any(t.predicate.value in read for t in changed):
        return SparqlPlan(unaffected=True)
    if local and not (shape.target_classes or shape.target_subjects_of or shape.target_objects_of):
        terms = {x for t in changed for x in (t.subject, t.predicate, t.object)}
        return SparqlPlan(values=sorted(terms, key=str))
    return None
