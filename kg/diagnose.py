"""Why the ontology rejects some data, in a maintainer's words: the node two disjoint classes meet in, and how each was reached."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg import namespaces as ns

RDF_TYPE = ns.RDF.type


@dataclass(frozen=True)
class Clash:
    """A node that the data makes a member of two disjoint classes."""

    node: str
    first: str
    second: str
    first_reason: str
    second_reason: str

    def message(self) -> str:
        c = ns.compact
        return (
            f"{c(self.node)} cannot be both {c(self.first)} and {c(self.second)}, which the ontology declares "
            f"disjoint: {self.first_reason}; {self.second_reason}."
        )


class Schema:
    """The parts of the ontology that type nodes: subclasses, domains, ranges, inverses, disjointness."""

    def __init__(self, graph):
        from rdflib import OWL, RDF, RDFS, URIRef
        from rdflib.collection import Collection

        self.sup: dict[str, set[str]] = {}
        for s, o in graph.subject_objects(RDFS.subClassOf):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                self.sup.setdefault(str(s), set()).add(str(o))
        for s, o in graph.subject_objects(OWL.equivalentClass):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                self.sup.setdefault(str(s), set()).add(str(o))
                self.sup.setdefault(str(o), set()).add(str(s))
        self.domain = {
            str(p): {str(c) for c in graph.objects(p, RDFS.domain) if isinstance(c, URIRef)}
            for p in set(graph.subjects(RDFS.domain, None))
        }
        self.range = {
            str(p): {str(c) for c in graph.objects(p, RDFS.range) if isinstance(c, URIRef)}
            for p in set(graph.subjects(RDFS.range, None))
        }
        self.inverse: dict[str, set[str]] = {}
        for a, b in graph.subject_objects(OWL.inverseOf):
            if isinstance(a, URIRef) and isinstance(b, URIRef):
                self.inverse.setdefault(str(a), set()).add(str(b))
                self.inverse.setdefault(str(b), set()).add(str(a))
        self.subprop: dict[str, set[str]] = {}
        for a, b in graph.subject_objects(RDFS.subPropertyOf):
            if isinstance(a, URIRef) and isinstance(b, URIRef):
                self.subprop.setdefault(str(a), set()).add(str(b))
        pairs: set[frozenset] = set()
        for a, b in graph.subject_objects(OWL.disjointWith):
            pairs.add(frozenset((str(a), str(b))))
        for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
            members = [str(m) for m in Collection(graph, graph.value(node, OWL.members))]
            pairs |= {frozenset((x, y)) for i, x in enumerate(members) for y in members[i + 1 :]}
        self.disjoint = {p for p in pairs if len(p) == 2}
        # the ontology's own individuals (list values, norms, passages) and their declared classes
        self.types: dict[str, set[str]] = {}
        for ind in graph.subjects(RDF.type, OWL.NamedIndividual):
            self.types[str(ind)] = {
                str(t) for t in graph.objects(ind, RDF.type) if isinstance(t, URIRef) and t != OWL.NamedIndividual
            }

    def supers(self, cls: str) -> list[str]:
        """CLS and every class above it, nearest first."""
        out, todo = [cls], [cls]
        while todo:
            for s in sorted(self.sup.get(todo.pop(0), ())):
                if s not in out:
                    out.append(s)
                    todo.append(s)
        return out

    def props(self, p: str) -> list[str]:
        """P and its superproperties."""
        out, todo = [p], [p]
        while todo:
            for s in sorted(self.subprop.get(todo.pop(), ())):
                if s not in out:
                    out.append(s)
                    todo.append(s)
        return out


def schema_graph():
    """The merged ontology with its local external declarations (rdflib)."""
    from kg.export import merged_graph

    return merged_graph(external=True)


def clashes(data, schema: Schema | None = None) -> list[Clash]:
    """Every node of DATA (an rdflib Graph) that is put in two disjoint classes, with why."""
    from rdflib import Literal, URIRef

    schema = schema or Schema(schema_graph())
    c = ns.compact
    reasons: dict[str, dict[str, str]] = {}

    def add(node, cls: str, why: str):
        if isinstance(node, Literal):
            return
        seen = reasons.setdefault(str(node), {})
        for i, k in enumerate(schema.supers(cls)):
            seen.setdefault(k, why if i == 0 else f"{why}, and a {c(cls)} is a {c(k)}")

    # asserted types first: "it is typed X" is the clearest reason when there is one
    for s, p, o in sorted(data, key=lambda t: (str(t[1]) != RDF_TYPE, str(t[0]), str(t[1]), str(t[2]))):
        p = str(p)
        if p == RDF_TYPE and isinstance(o, URIRef):
            add(s, str(o), f"it is typed {c(str(o))}")
            continue
        for q in schema.props(p):
            via = "" if q == p else f" (a kind of {c(q)})"
            for d in schema.domain.get(q, ()):
                add(s, d, f"it has a {c(p)}{via}, which only a {c(d)} has")
            for r in schema.range.get(q, ()):
                add(o, r, f"it is the {c(p)}{via} of {c(str(s))}, which must be a {c(r)}")
            for inv in schema.inverse.get(q, ()):
                for d in schema.domain.get(inv, ()):
                    add(o, d, f"it is the {c(p)} of {c(str(s))}, which makes it a {c(d)}")
                for r in schema.range.get(inv, ()):
                    add(s, r, f"it has a {c(p)}, which makes it a {c(r)}")
    for node in list(reasons):
        for t in sorted(schema.types.get(node, ())):
            add(URIRef(node), t, f"the ontology declares it a {c(t)}")
    out = []
    for node, classes in sorted(reasons.items()):
        found = set()
        for pair in sorted(schema.disjoint, key=lambda p: sorted(p)):
            a, b = sorted(pair)
            if a in classes and b in classes and (node, classes[a], classes[b]) not in found:
                found.add((node, classes[a], classes[b]))
                out.append(Clash(node, a, b, classes[a], classes[b]))
    return out


def explain_files(files: list[Path]) -> list[str]:
    """Maintainer messages for the disjointness clashes in FILES (Turtle or N-Triples)."""
    import rdflib

    from kg.errors import InputError

    g = rdflib.Graph()
    for f in files:
        try:
            g.parse(f, format="nt" if str(f).endswith(".nt") else "turtle")
        except Exception as err:  # rdflib raises several parser exception types
            raise InputError(f"cannot parse: {err}", path=f) from None
    return [x.message() for x in clashes(g)]
