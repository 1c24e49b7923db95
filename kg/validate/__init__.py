"""Validate RDF data against Lattice's SHACL shapes: the Python API and the `kg validate` subcommand.

inputs (where data and shapes come from), entailment (--inference), context (labels, norms, file
positions), formats (text, JSON, Turtle, JUnit, SARIF) and command (`validate()` and the CLI); the engines
live in kg/shacl (the fast engine, and the pySHACL reference adapter in kg/shacl/reference.py).
"""

from __future__ import annotations

from kg.shacl.reference import results_from_report_graph
from kg.shacl.result import Result
from kg.validate.command import ENGINES, INFERENCE, register, run, validate
from kg.validate.entailment import entail
from kg.validate.formats import FORMATS, render, short, summary_line
from kg.validate.inputs import (
    add_ontology,
    context_files,
    dataset_graphs,
    fetch_endpoint,
    load_shapes,
    shape_files,
    working_store,
)
from kg.validate.outcome import SEVERITIES, Report, comparable_keys

__all__ = [
    "ENGINES",
    "FORMATS",
    "INFERENCE",
    "SEVERITIES",
    "Report",
    "Result",
    "add_ontology",
    "comparable_keys",
    "context_files",
    "dataset_graphs",
    "entail",
    "fetch_endpoint",
    "load_shapes",
    "register",
    "render",
    "results_from_report_graph",
    "run",
    "shape_files",
    "short",
    "summary_line",
    "validate",
    "working_store",
]
