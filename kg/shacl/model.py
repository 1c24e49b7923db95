"""Read a SHACL shapes graph (held in a pyoxigraph store) into plain Python shape objects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.namespaces import OWL, RDF, RDFS, SH
from kg.shacl.paths import PathError, read_list, render_path

Term = Any  # a pyoxigraph term: NamedNode, BlankNode or Literal


class ShapesError(ValueError):
    """The shapes graph is not well-formed SHACL (or uses a feature the engine refuses)."""


def is_true(t: Term) -> bool:
    """True for the literal true. SHACL's own tests (uniqueLang-002) want "1"^^xsd:boolean not to count; the
    parser turns it into "true", so that test is one of the two the engine fails."""
    return isinstance(t, ox.Literal) and t.value == "true"


def any_true(terms: Iterable[Term]) -> bool:
    """True when one of TERMS is a true boolean literal (a shape parameter such as sh:closed)."""
    return any(is_true(t) for t in terms)


def term_id(t: Term) -> str:
    """A term as Result strings show it: IRI, "_:id", or a literal in N-Triples syntax."""
    if isinstance(t, ox.NamedNode):
        return t.value
    if isinstance(t, ox.BlankNode):
        return "_:" + t.value
    return str(t)


def kind(t: Term) -> str:
    """The kind of a term as SHACL paths need it: iri, bnode or literal."""
    if isinstance(t, ox.NamedNode):
        return "iri"
    if isinstance(t, ox.BlankNode):
        return "bnode"
    return "literal"


class Graph:
    """A small in-memory index (subject -> predicate -> objects) of the shapes graph."""

    def __init__(self, store: ox.Store, graph: ox.NamedNode | None = None) -> None:
        self.spo: dict[Term, dict[str, list[Term]]] = {}
        self.pos: dict[str, list[tuple[Term, Term]]] = {}
        g = graph if graph is not None else ox.DefaultGraph()
        for q in store.quads_for_pattern(None, None, None, g):
            self.spo.setdefault(q.subject, {}).setdefault(q.predicate.value, []).append(q.object)
            self.pos.setdefault(q.predicate.value, []).append((q.subject, q.object))

    def objects(self, s: Term, p: str) -> list[Term]:
        return self.spo.get(s, {}).get(p, [])

    def one(self, s: Term, p: str) -> Term | None:
        v = self.objects(s, p)
        return v[0] if v else None

    def subjects(self, p: str, o: Term | None = None) -> list[Term]:
        return [s for s, oo in self.pos.get(p, []) if o is None or oo == o]

    def pairs(self, p: str) -> list[tuple[Term, Term]]:
        return list(self.pos.get(p, []))

    def list(self, node: Term) -> list[Term]:
        try:
            return read_list(node, self.objects)
        except PathError as err:
            raise ShapesError(str(err)) from None

    def is_true(self, s: Term, p: str) -> bool:
        return is_true(self.one(s, p))


@dataclass
class Shape:
    """One node or property shape and its constraint parameters."""

    node: object
    id: str
    path: str | None = None  # SPARQL property path text, None for node shapes
    path_result: str | None = None  # the path as Result.path shows it (IRI or SPARQL path text)
    closure: tuple[str, str] | None = None  # (step path, "+" or "*") when the path is one closure of a step
    predicates: list[str] | None = None  # the IRIs when the path is an alternative of distinct IRIs
    severity: str = "Violation"
    messages: list[Term] = field(default_factory=list)
    deactivated: bool = False
    target_nodes: list[Term] = field(default_factory=list)
    target_classes: list[Term] = field(default_factory=list)
    target_subjects_of: list[Term] = field(default_factory=list)
    target_objects_of: list[Term] = field(default_factory=list)
    params: dict[str, list[Term]] = field(default_factory=dict)  # predicate local name -> list of values

    @property
    def is_property(self) -> bool:
        return self.path is not None

    @property
    def has_targets(self) -> bool:
        return bool(self.target_nodes or self.target_classes or self.target_subjects_of or self.target_objects_of)

    def message(self) -> str | None:
        return pick_message(self.messages)


def pick_message(msgs: list[Term]) -> str | None:
    """The English or untagged message among language variants."""
    if not msgs:
        return None
    for m in msgs:
        if isinstance(m, ox.Literal) and m.language in (None, "en"):
            return m.value
    return msgs[0].value if isinstance(msgs[0], ox.Literal) else str(msgs[0])


SHAPE_VALUED = ("node", "property", "not", "qualifiedValueShape")
LIST_OF_SHAPES = ("and", "or", "xone")
PARAMS = (
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "minExclusive",
    "minInclusive",
    "maxExclusive",
    "maxInclusive",
    "minLength",
    "maxLength",
    "pattern",
    "flags",
    "languageIn",
    "uniqueLang",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
    "not",
    "and",
    "or",
    "xone",
    "node",
    "property",
    "qualifiedValueShape",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint",
    "closed",
    "ignoredProperties",
    "hasValue",
    "in",
    "sparql",
)


def read_shapes(g: Graph) -> dict[Term, Shape]:
    """Every shape in the shapes graph, keyed by its node."""
    nodes: set[Term] = set()
    for t in ("NodeShape", "PropertyShape"):
        nodes.update(g.subjects(RDF.type, ox.NamedNode(SH.term(t))))
    for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "path"):
        nodes.update(s for s, _ in g.pairs(SH.term(p)))
    for p in SHAPE_VALUED:
        nodes.update(o for _, o in g.pairs(SH.term(p)))
    for p in LIST_OF_SHAPES:
        for _, lst in g.pairs(SH.term(p)):
            nodes.update(g.list(lst))
    shapes = {}
    for n in nodes:
        if isinstance(n, ox.Literal):
            raise ShapesError(f"a literal cannot be a shape: {n}")
        shapes[n] = read_shape(g, n)
    return shapes


def read_shape(g: Graph, n: Term) -> Shape:
    """The shape at node N."""
    s = Shape(node=n, id=term_id(n))
    p = g.one(n, SH.path)
    if p is not None:
        try:
            s.path = render_path(p, g.objects, kind)
        except PathError as err:
            raise ShapesError(f"{term_id(n)}: {err}") from None
        s.path_result = p.value if isinstance(p, ox.NamedNode) else s.path
        for pred, op in (("oneOrMorePath", "+"), ("zeroOrMorePath", "*")):
            step = g.objects(p, SH.term(pred)) if not isinstance(p, ox.NamedNode) else []
            if step and s.path == f"({render_path(step[0], g.objects, kind)}){op}":
                s.closure = (render_path(step[0], g.objects, kind), op)
        alt = g.objects(p, SH.alternativePath) if not isinstance(p, ox.NamedNode) else []
        if alt:
            members = read_list(alt[0], g.objects)
            iris = [m.value for m in members if isinstance(m, ox.NamedNode)]
            if len(iris) == len(members) == len(set(iris)) and s.path == "(" + "|".join(f"<{i}>" for i in iris) + ")":
                s.predicates = iris
    sev = g.one(n, SH.severity)
    if sev is not None:
        s.severity = sev.value.removeprefix(SH)
    s.messages = g.objects(n, SH.message)
    s.deactivated = g.is_true(n, SH.deactivated)
    s.target_nodes = g.objects(n, SH.targetNode)
    s.target_classes = list(g.objects(n, SH.targetClass))
    s.target_subjects_of = g.objects(n, SH.targetSubjectsOf)
    s.target_objects_of = g.objects(n, SH.targetObjectsOf)
    # implicit class target: the shape is also a class
    types = g.objects(n, RDF.type)
    if any(t.value in (RDFS.Class, OWL.Class) for t in types if isinstance(t, ox.NamedNode)) and isinstance(
        n, ox.NamedNode
    ):
        s.target_classes.append(n)
    for name in PARAMS:
        vals = g.objects(n, SH.term(name))
        if vals:
            s.params[name] = vals
    return s
