"""Open the built dataset for reading, building it first when it is missing or out of date."""

from __future__ import annotations

from pathlib import Path

from kg import paths
from kg.errors import UsageError


def dataset_dir(dataset=None) -> Path:
    """The dataset folder: the one given, else $LATTICE_HOME/build."""
    return Path(dataset).expanduser().resolve() if dataset else paths.default_dataset().resolve()


def ensure_built(dataset=None, quiet: bool = True) -> Path:
    """Build the dataset if it is missing or stale; returns its folder."""
    from kg.build import build, is_current

    out = dataset_dir(dataset)
    if not is_current(out):
        import sys

        if not quiet:
            print(f"building {out} ...", file=sys.stderr)
        build(out)
    return out


def open_store(dataset=None, build_if_needed: bool = True):
    """The built dataset loaded into an in-memory pyoxigraph Store (query it with use_default_graph_as_union=True).

    Each call returns a fresh store: a caller may add to it without touching the dataset on disk.
    """
    import pyoxigraph as ox

    from kg.build import DATASET

    out = dataset_dir(dataset)
    if build_if_needed:
        ensure_built(out)
    elif not (out / DATASET).is_file():
        raise UsageError(f"{out}: no built dataset here; run `kg build`")
    store = ox.Store()
    store.bulk_load(path=str(out / DATASET), format=ox.RdfFormat.N_QUADS, lenient=True)
    return store


def open_memory_store(dataset=None, build_if_needed: bool = True):
    """A writable in-memory store holding the built dataset (the same as open_store)."""
    return open_store(dataset, build_if_needed=build_if_needed)


def query(store, sparql: str, **kwargs):
    """Run SPARQL on a store with the union of named graphs as the default graph."""
    from kg.namespaces import sparql_prefixes

    kwargs.setdefault("use_default_graph_as_union", True)
    return store.query(sparql_prefixes() + sparql, **kwargs)
