"""SHACL property paths: read them from a shapes graph and write them as SPARQL property paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kg.namespaces import RDF, SH

Objects = Callable[[Any, str], list[Any]]  # (node, predicate IRI) -> the node's objects


class PathError(ValueError):
    """A malformed SHACL property path."""


def read_list(node: Any, objects: Objects, limit: int = 10000) -> list[Any]:
    """The members of an RDF list starting at NODE; OBJECTS(node, predicate_iri) gives a node's objects."""
    out: list[Any] = []
    seen: set[Any] = set()
    while _iri(node) != RDF.nil:
        if node in seen or len(out) > limit:
            raise PathError("cyclic or overlong RDF list")
        seen.add(node)
        first = objects(node, RDF.first)
        rest = objects(node, RDF.rest)
        if len(first) != 1 or len(rest) != 1:
            raise PathError("malformed RDF list")
        out.append(first[0])
        node = rest[0]
    return out


def render_path(node: Any, objects: Objects, kind: Callable[[Any], str]) -> str:
    """The SPARQL 1.1 property path for the SHACL path at NODE.

    OBJECTS(node, predicate_iri) -> list of terms; KIND(term) -> "iri" | "bnode" | "literal".
    """
    k = kind(node)
    if k == "iri":
        return f"<{_iri(node)}>"
    if k != "bnode":
        raise PathError(f"a literal is not a path: {node}")
    if objects(node, RDF.first):
        members = read_list(node, objects)
        if len(members) < 2:
            raise PathError("a sequence path needs at least two members")
        return "(" + "/".join(render_path(m, objects, kind) for m in members) + ")"
    inv = objects(node, SH.inversePath)
    if inv:
        return f"^({render_path(inv[0], objects, kind)})"
    alt = objects(node, SH.alternativePath)
    if alt:
        members = read_list(alt[0], objects)
        if len(members) < 2:
            raise PathError("sh:alternativePath needs at least two members")
        return "(" + "|".join(render_path(m, objects, kind) for m in members) + ")"
    for pred, op in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        v = objects(node, SH.term(pred))
        if v:
            return f"({render_path(v[0], objects, kind)}){op}"
    raise PathError("unrecognised SHACL path")


def _iri(node: Any) -> str:
    v = getattr(node, "value", None)
    return v if isinstance(v, str) else str(node)
