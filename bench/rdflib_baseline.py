"""The reference tools the benchmark compares against: plain default pyshacl and rdflib's own SPARQL engine."""

from __future__ import annotations

import time
from pathlib import Path


def load_rdflib(path: Path):
    """An rdflib Graph holding the N-Triples file PATH, and the seconds parsing took."""
    import rdflib

    started = time.perf_counter()
    g = rdflib.Graph()
    g.parse(str(path), format="nt")
    return g, time.perf_counter() - started


def load_shapes_rdflib(files):
    """One rdflib Graph with every shapes file."""
    import rdflib

    g = rdflib.Graph()
    for f in files:
        g.parse(str(f), format="turtle")
    return g


def pyshacl_validate(data_file: Path, shape_files) -> tuple[list, float, float]:
    """Validate with pyshacl called with its defaults (no inference, no meta-SHACL, no advanced features).

    Returns the results (as kg.validate.Result), the seconds spent inside pyshacl.validate, and the
    seconds including parsing the data and shapes into rdflib graphs.
    """
    import pyshacl

    from kg.shacl.reference import results_from_report_graph

    started = time.perf_counter()
    data_g, _ = load_rdflib(data_file)
    shapes_g = load_shapes_rdflib(shape_files)
    inner = time.perf_counter()
    _conforms, report_g, _text = pyshacl.validate(data_g, shacl_graph=shapes_g)
    done = time.perf_counter()
    return results_from_report_graph(report_g, shapes_g), done - inner, done - started


def rdflib_query(graph, text: str) -> int:
    """Run a SELECT on rdflib's default SPARQL engine; returns the number of rows."""
    return sum(1 for _ in graph.query(text))
