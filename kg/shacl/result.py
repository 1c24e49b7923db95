"""One SHACL validation result, as both engines report it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One validation result; IRIs as plain strings, blank nodes as "_:id", literals in N-Triples syntax."""

    focus: str
    shape: str
    component: str
    severity: str
    path: str | None = None
    value: str | None = None
    message: str = ""

    def key(self) -> tuple[str, str, str, str | None, str]:
        """The identity used to compare engines: (focus, shape, component, value, severity)."""
        return (self.focus, self.shape, self.component, self.value, self.severity)
