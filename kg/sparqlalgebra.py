"""What a SPARQL query reads, from its algebra (rdflib's parser): its triple patterns, the values VALUES gives
its variables, and whether one variable is bound, from the data, only through patterns that name it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Pattern:
    """One triple pattern of a query, and whether its variables are those of the outer query."""

    subject: object
    predicate: object  # an IRI, a variable or a property path (rdflib terms)
    object: object
    visible: frozenset | None  # the outer query's variables in its scope (None: all of them)


@dataclass
class Patterns:
    """Every triple pattern of a query (WHERE, EXISTS filters and subqueries included) and VALUES rows."""

    triples: list[Pattern] = field(default_factory=list)
    values: dict = field(default_factory=dict)  # variable -> set of terms


def parse(text: str):
    """The algebra of the query TEXT (a SyntaxError-like exception from rdflib when it is not SPARQL)."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text).algebra


def summary(text: str) -> dict:
    """What the query TEXT reads, as JSON-ready data: the IRIs its triple patterns name as predicates (property
    paths' included), whether one reads any predicate (a variable, a negated property set), and whether
    ?value is bound by, and only read through, patterns naming it (bound_by_data)."""
    from rdflib import URIRef, Variable
    from rdflib.paths import NegatedPath
    from rdflib.paths import Path as PropertyPath

    algebra = parse(text)
    found = patterns(algebra)
    predicates: set[str] = set()
    anything = False
    for p in found.triples:
        if isinstance(p.predicate, (Variable, NegatedPath)):
            anything = True
        steps = path_iris(p.predicate) if isinstance(p.predicate, PropertyPath) else [p.predicate]
        predicates.update(str(x) for x in steps if isinstance(x, URIRef))
    local = bound_by_data(algebra, found, "value")
    return {"predicates": sorted(predicates), "any_predicate": anything, "value_local": local}


def patterns(algebra) -> Patterns:
    """The triple patterns of a query's ALGEBRA (parse)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    found = Patterns()
    seen: set = set()

    def walk(node, visible: frozenset | None) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, CompValue):
            if node.name == "Project" and node.get("PV") is not None:  # a subquery: only what it projects
                names = frozenset(str(v) for v in node["PV"])
                visible = names if visible is None else visible & names
            if node.name in ("BGP", "TriplesBlock"):
                for t in node.get("triples") or []:
                    t = list(t)
                    found.triples.extend(Pattern(t[i], t[i + 1], t[i + 2], visible) for i in range(0, len(t) - 2, 3))
            if node.name == "values":
                for row in node.get("res") or []:
                    for var, term in row.items():
                        found.values.setdefault(var, set()).add(term)
            for child in node.values():
                walk(child, visible)
        elif isinstance(node, dict):
            for child in node.values():
                walk(child, visible)
        elif isinstance(node, (list, tuple, set)):
            for child in node:
                walk(child, visible)

    walk(algebra.get("p"), None)
    return found


def path_iris(path) -> list:
    """The IRIs a property path steps through."""
    from rdflib import URIRef

    found: list = []
    for attr in ("args", "path"):
        parts = getattr(path, attr, None)
        if parts is None:
            continue
        for part in parts if isinstance(parts, (list, tuple)) else [parts]:
            found += [part] if isinstance(part, URIRef) else path_iris(part)
    return found


def bound_by_data(algebra, found: Patterns, name: str) -> bool:
    """Whether every solution of a query (its ALGEBRA, and FOUND, its patterns) binds the variable NAME through a triple pattern that names it,
    and every triple pattern of the query names it, in the outer scope, as a subject, predicate or object: then
    a solution with NAME = v depends only on the triples in which v appears. A property path, a BIND or an
    aggregate leaves the answer False."""
    from rdflib import Variable
    from rdflib.paths import Path as PropertyPath
    from rdflib.plugins.sparql.parserutils import CompValue

    var = Variable(name)
    for p in found.triples:
        if isinstance(p.predicate, PropertyPath) or (p.visible is not None and name not in p.visible):
            return False
        if var not in (p.subject, p.predicate, p.object):
            return False

    def binds(node) -> bool:
        if not isinstance(node, CompValue):
            return False
        kind = node.name
        if kind == "BGP":
            return any(var in t for t in node.get("triples") or [])
        if kind in ("SelectQuery", "Distinct", "Reduced", "Filter", "ToMultiSet", "Slice", "OrderBy", "Graph"):
            return binds(node.get("p"))
        if kind == "Project":
            return var in (node.get("PV") or []) and binds(node.get("p"))
        if kind == "Join":
            return binds(node.get("p1")) or binds(node.get("p2"))
        if kind in ("LeftJoin", "Minus"):
            return binds(node.get("p1"))
        if kind == "Union":
            return binds(node.get("p1")) and binds(node.get("p2"))
        if kind == "Extend":
            return node.get("var") != var and binds(node.get("p"))
        return False  # aggregates, VALUES and what this reading does not know

    return bool(found.triples) and binds(algebra)
