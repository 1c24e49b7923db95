"""The fast SHACL engine: shapes compiled to set-at-a-time SPARQL queries run on pyoxigraph."""

from __future__ import annotations


def validate_store(store, shapes_store=None, jobs: int = 1):
    """Validate the default graph of STORE against the shapes in SHAPES_STORE (None: the same graph).

    JOBS > 1 spreads the shapes over that many forked worker processes (Linux, single-threaded callers only;
    otherwise the shapes run one after another here); 0 chooses by the size of the graph.
    """
    from kg.shacl.engine import Engine, default_jobs

    return Engine(store, shapes_store).run(jobs=jobs or default_jobs(store))
