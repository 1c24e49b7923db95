"""What each SPARQL constraint reads (kg.sparqlalgebra.summary), kept beside the validation state by SHA-256."""

from __future__ import annotations

import json
from pathlib import Path

from kg.fileio import write_atomic

SUMMARIES_FILE = "sparql-reads.json"


def read_summaries(where: Path) -> dict:
    """The summaries of SPARQL constraints kept beside the state (a query's text names its summary)."""
    try:
        found = json.loads((where / SUMMARIES_FILE).read_text())
    except (OSError, ValueError):
        return {}
    ok = isinstance(found, dict) and all(
        isinstance(v, dict) and isinstance(v.get("predicates"), list) and {"any_predicate", "value_local"} <= set(v)
        for v in found.values()
    )
    return found if ok else {}


def write_summaries(where: Path, summaries: dict) -> None:
    """Keep SUMMARIES beside the state (best effort: they are computed again when missing)."""
    try:
        where.mkdir(parents=True, exist_ok=True)
        write_atomic(where / SUMMARIES_FILE, json.dumps(summaries, sort_keys=True))
    except OSError:
        pass
