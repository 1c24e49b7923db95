"""The fast SHACL engine: shapes compiled to set-at-a-time SPARQL queries run on pyoxigraph.

model (shapes read from the graph), paths (SHACL paths as SPARQL), plan (node sets and compiled
constraints), components (one compiler per Core constraint component), sparql (SHACL-SPARQL), engine
(the driver), result (what both engines report), reference (the pySHACL adapter), w3c (the W3C test suite).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyoxigraph as ox

    from kg.shacl.result import Result


def validate_store(store: ox.Store, shapes_store: ox.Store | None = None, jobs: int = 1) -> list[Result]:
    """Validate the default graph of STORE against the shapes in SHAPES_STORE (None: the same graph).

    JOBS > 1 spreads the shapes over that many forked worker processes (Linux, single-threaded callers only;
    otherwise the shapes run one after another here); 0 chooses by the size of the graph.
    """
    from kg.shacl.engine import Engine, default_jobs

    return Engine(store, shapes_store).run(jobs=jobs or default_jobs(store))
