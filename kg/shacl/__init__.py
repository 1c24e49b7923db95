"""The fast SHACL engine: shapes compiled to set-at-a-time SPARQL queries run on pyoxigraph."""

from __future__ import annotations


def validate_store(store, shapes_store=None):
    """Validate the default graph of STORE against the shapes in SHAPES_STORE (None: the same graph)."""
    from kg.shacl.engine import Engine

    return Engine(store, shapes_store).run()
