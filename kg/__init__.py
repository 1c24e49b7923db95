"""Lattice: who is accountable to whom in global governance — ontology, graph, shapes and queries."""

__version__ = "0.2.0"


def open_store(dataset=None, build_if_needed=True):
    """Open the built dataset read-only, building it first when it is missing or stale."""
    from kg.store import open_store as _open

    return _open(dataset, build_if_needed=build_if_needed)


def run_query(name, dataset=None, endpoint=None, store=None, **params):
    """Run the named query NAME with keyword parameters; returns rows (dicts; .to_dataframe() with pandas)."""
    from kg.query import run_named

    return run_named(name, dataset=dataset, endpoint=endpoint, store=store, **params)
