"""What a validation returns: the Report, its severity levels, and result identities for comparing engines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.errors import UsageError
from kg.shacl.result import Result

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass
class Report:
    """The outcome of a validation: whether the data conforms and the results, plus context for reports."""

    conforms: bool
    results: list[Result] = field(default_factory=list)
    engine: str = "fast"
    inference: str = "none"
    shapes_files: list[str] = field(default_factory=list)
    data_files: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # node -> rdfs:label (focus nodes, shapes, norms)
    norms: dict[str, str] = field(default_factory=dict)  # shape -> norm individual (lat:encodesNorm)
    norm_info: dict[str, dict] = field(default_factory=dict)  # norm -> {label, quote, locator, passage}
    shape_info: dict[str, dict] = field(default_factory=dict)  # shape -> {severity, description, label}
    shape_owner: dict[str, str] = field(default_factory=dict)  # shape -> the named shape it belongs to
    focus_files: dict[str, str] = field(default_factory=dict)  # focus node -> data file that describes it
    locations: list[tuple[str, int] | None] = field(default_factory=list)  # per result: (file, line) or None
    shapes: list[str] = field(default_factory=list)  # the named shapes of the shapes graph (JUnit test cases)
    fail_on: str = "violation"  # the lowest severity that fails (JUnit failures, exit code)
    seconds: float = 0.0
    jobs: int = 1  # processes the fast engine used
    incremental: Any = None  # for the built dataset with a kept state: what was re-checked (kg/validate/incremental.py)

    def location(self, i: int) -> tuple[str, int] | None:
        """(file, line) of the I-th result, when known."""
        return self.locations[i] if i < len(self.locations) else None

    def counts(self) -> dict[str, int]:
        """Number of results per severity."""
        out = {s: 0 for s in SEVERITIES}
        for r in self.results:
            out[r.severity] = out.get(r.severity, 0) + 1
        return out

    def results_for(self, shape: str) -> list[Result]:
        """The results of one shape (full IRI or a lat-sh: prefixed name)."""
        from kg.namespaces import LAT_SH

        if shape.startswith("lat-sh:"):
            shape = LAT_SH + shape[len("lat-sh:") :]
        return [r for r in self.results if r.shape == shape]

    def fails(self, level: str = "violation") -> bool:
        """True when a result at LEVEL or more severe exists."""
        level = level.capitalize()
        if level not in SEVERITIES:
            raise UsageError(f"unknown severity level {level!r}; use violation, warning or info")
        worst = SEVERITIES.index(level)
        return any(SEVERITIES.index(r.severity) <= worst for r in self.results if r.severity in SEVERITIES)

    def keys(self) -> set[tuple]:
        """The set of result identities, for comparing engines."""
        return {r.key() for r in self.results}


def comparable_keys(report: Report) -> set[tuple]:
    """Result identities that do not depend on blank node labels, for comparing two engines.

    A blank-node shape (usually a property shape) is named by its path; blank focus nodes and values
    become "_:"; the rest is (focus, shape, component, value, severity).
    """

    def node(s):
        return "_:" if s is not None and s.startswith("_:") else s

    out = set()
    for r in report.results:
        shape = r.shape if not r.shape.startswith("_:") else f"[path {r.path}]"
        out.add((node(r.focus), shape, r.component, node(r.value), r.severity))
    return out
