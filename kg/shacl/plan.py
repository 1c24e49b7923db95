"""What compiling a shape produces: sets of nodes, compiled constraints, and SPARQL text for terms."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from kg.namespaces import SH
from kg.shacl.model import Shape, ShapesError

BASE = "urn:x-lattice-shacl:"  # the engine's temporary named graphs live under this IRI
M = ox.NamedNode(BASE + "m")
SHAPES_GRAPH = ox.NamedNode(BASE + "shapes")


class NodeSet:
    """A set of RDF terms: the union of temporary named graphs, or a pattern evaluated in place."""

    def __init__(self, key: str, graphs: Iterable[ox.NamedNode] = (), pattern: str | None = None) -> None:
        self.value = key
        self.graphs = list(graphs)
        self.pattern = pattern  # "§V" stands for the variable, "§U" for a suffix unique to it


class Constraint:
    """One compiled constraint: its component, the WHERE pattern of its violations, and what it projects.

    WHERE is a SPARQL group pattern, or (for SHACL-SPARQL) a function returning result rows.
    """

    def __init__(
        self,
        component: str,
        where: str | Callable[[], list[Any]],
        select: str = "?this ?value",
        params: dict[str, Any] | None = None,
        cond: str | None = None,
    ) -> None:
        self.component = SH.term(component)
        self.where = where
        self.select = select
        self.params = params or {}
        self.cond = cond  # for per-value-node constraints: the violation condition on ?value


def value_constraint(component: str, base: str, cond: str, params: dict[str, Any] | None = None) -> Constraint:
    """A constraint that tests each value node on its own (so it can share a query with others)."""
    return Constraint(component, f"{base} FILTER({cond})", params=params, cond=cond)


def sparql_string(s: str) -> str:
    """A SPARQL string literal holding S."""
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{out}"'


def sparql_term(t: object) -> str | None:
    """A term in SPARQL syntax; None for blank nodes (which a query text cannot name)."""
    if isinstance(t, ox.NamedNode):
        return f"<{t.value}>"
    if isinstance(t, ox.Literal):
        return str(t)
    return None


def int_param(shape: Shape, name: str) -> int:
    """The integer value of the shape parameter sh:NAME; ShapesError when it is not one."""
    v = shape.params[name][0]
    try:
        return int(v.value)
    except (AttributeError, ValueError):
        raise ShapesError(f"{shape.id}: sh:{name} must be an integer") from None


def solutions(store: ox.Store, query: str, **kwargs: Any) -> ox.QuerySolutions:
    """The solutions of a SELECT query on STORE."""
    result = store.query(query, **kwargs)
    if not isinstance(result, ox.QuerySolutions):
        raise ShapesError("expected a SELECT query")
    return result
