"""Where each validation result is written (file and line), and which results fall in the files being reported on.

A result is placed at its focus node: the first data file that has the node as a subject, at the line where
its description starts. A blank focus node is placed at its nearest named ancestor (the subject whose
description holds it). A value or focus that nothing describes (an undeclared term, a dangling reference) is
placed at the first triple that uses it, at that triple's named subject; a node that only the background or
the ontology describes is not placed in the data files. What cannot be placed at all
falls back to the first data file, line 1, so that every result of a validation of files has a location.
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.errors import InputError
from kg.fileio import blank_node_file, rdf_format
from kg.namespaces import RDF

MAX_CLIMB = 20  # blank-node nesting followed upwards to a named subject
# how a file mentions a term: <IRI>, a prefixed name, or an IRI in quotes (JSON-LD, RDF/XML attributes)
MENTION = re.compile(r'<[^<>\s"]+>|"https?://[^"\s]+"|[A-Za-z][\w.-]*:[\w][\w.\-/]*')


class FileLines:
    """The lines of one data file, indexed by the term each line starts with (read once, on demand)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.prefixes: dict[str, str] = {}
        self.starts: dict[str, int] = {}
        self._mentions: dict[str, int] | None = None
        for i, line in enumerate(self._read(), 1):
            words = line.split(None, 1)
            if not words:
                continue
            first = words[0]
            if first.lower() in ("@prefix", "prefix"):
                m = re.match(r"\s*@?prefix\s+([\w.-]*):\s*<([^>]*)>", line, re.IGNORECASE)
                if m:
                    self.prefixes[m.group(2)] = m.group(1)
                continue
            if not first.startswith("<"):
                first = first.rstrip(";,.")
            elif ">" in first:
                first = first[: first.index(">") + 1]
            self.starts.setdefault(first, i)

    def _read(self):
        """The file's lines, read again each time (a large file is not kept in memory)."""
        try:
            with open(self.path, encoding="utf-8", errors="replace") as f:
                yield from f
        except OSError:
            return

    def needles(self, iri: str) -> list[str]:
        """IRI as the file may write it: in full, or as a prefixed name of one of the file's prefixes."""
        out = [f"<{iri}>"]
        for ns, p in self.prefixes.items():
            if iri.startswith(ns) and len(iri) > len(ns):
                out.append(f"{p}:{iri[len(ns) :]}")
        return out

    def line_of(self, iri: str) -> int | None:
        """The first line that starts with IRI, else the first line that mentions it (best effort)."""
        needles = self.needles(iri)
        starts = [self.starts[n] for n in needles if n in self.starts]
        if starts:
            return min(starts)
        mentions = self.mentions()
        found = [mentions[n] for n in [*needles, iri] if n in mentions]
        return min(found) if found else None

    def mentions(self) -> dict[str, int]:
        """Every IRI, prefixed name or quoted IRI the file writes, with the first line that writes it (one pass,
        made on the first question it answers)."""
        if self._mentions is None:
            self._mentions = {}
            for i, line in enumerate(self._read(), 1):
                for m in MENTION.finditer(line):
                    token = m.group(0)
                    if token.startswith('"'):
                        token = token[1:-1]
                    self._mentions.setdefault(token.rstrip(".;,"), i)
        return self._mentions


class Locator:
    """Places results in the data files they came from; one pass over the files for all results."""

    def __init__(self, files: list[str], store, quick: bool = False) -> None:
        self.files = [str(f) for f in files]
        self.store = store
        # QUICK (one data file, nothing scoped): every result is in that file, found by its text alone, without
        # parsing the file again
        self.quick = quick and len(self.files) == 1
        self.subject_in: dict[str, list[str]] = {}  # IRI -> files that describe it as a subject
        self.typed_in: dict[str, list[str]] = {}  # IRI -> files that give it an rdf:type (its main description)
        self.used_in: dict[str, list[tuple[str, str]]] = {}  # IRI -> (file, named subject of the first use)
        self._lines: dict[str, FileLines] = {}

    def lines(self, path: str) -> FileLines:
        if path not in self._lines:
            self._lines[path] = FileLines(path)
        return self._lines[path]

    def named_ancestor(self, blank: str) -> str | None:
        """The nearest IRI subject whose description holds the blank node _:id (through the merged store)."""
        import pyoxigraph as ox

        node: object = ox.BlankNode(blank[2:])
        seen = set()
        for _ in range(MAX_CLIMB):
            if node in seen:
                return None
            seen.add(node)
            up = next(iter(self.store.quads_for_pattern(None, None, node, None)), None)
            if up is None:
                return None
            if isinstance(up.subject, ox.NamedNode):
                return up.subject.value
            node = up.subject
        return None

    def index(self, wanted: set[str]) -> None:
        """Read each data file once, noting where the WANTED IRIs are subjects and where they are used."""
        import pyoxigraph as ox

        if not wanted or not self.files:
            return
        for f in self.files:
            parents: dict[object, object] = {}  # blank node -> the subject whose description holds it
            pending: list[tuple[str, object]] = []  # (IRI, blank subject) uses to resolve after the pass
            seen_subject: set[str] = set()
            seen_use: set[str] = set()
            try:
                quads = ox.parse(path=f, format=rdf_format(f))
                for q in quads:
                    s, p, o = q.subject, q.predicate, q.object
                    if isinstance(o, ox.BlankNode):
                        parents.setdefault(o, s)
                    if isinstance(s, ox.NamedNode) and s.value in wanted:
                        if s.value not in seen_subject:
                            seen_subject.add(s.value)
                            self.subject_in.setdefault(s.value, []).append(f)
                        if p.value == RDF.type and f not in self.typed_in.get(s.value, []):
                            self.typed_in.setdefault(s.value, []).append(f)
                    for term in (p.value, o.value if isinstance(o, ox.NamedNode) else None):
                        if term in wanted and term not in seen_use:
                            seen_use.add(term)
                            if isinstance(s, ox.NamedNode):
                                self.used_in.setdefault(term, []).append((f, s.value))
                            else:
                                pending.append((term, s))
            except (SyntaxError, InputError, OSError, ValueError):
                continue
            for term, blank in pending:
                node, named = blank, None
                for _ in range(MAX_CLIMB):
                    node = parents.get(node)
                    if node is None:
                        break
                    if isinstance(node, ox.NamedNode):
                        named = node.value
                        break
                self.used_in.setdefault(term, []).append((f, named or ""))

    def locate_all(self, results, prefer: list[str] | None = None) -> list[tuple[str, int] | None]:
        """(file, line) for each result; files in PREFER win when a node is described in several."""
        anchors = []  # per result: the IRI to look for (focus, or the named ancestor of a blank focus), value
        blank_files = []  # per result: the file a blank focus node comes from, when the loader kept it
        for r in results:
            focus = r.focus
            blank_files.append(blank_node_file(focus[2:], self.files) if focus.startswith("_:") else None)
            if focus.startswith("_:"):
                focus = self.named_ancestor(focus) or ""
            elif focus.startswith('"'):
                focus = ""
            value = r.value if r.value and not r.value.startswith(("_:", '"')) else None
            anchors.append((focus, value))
        if not self.quick:
            self.index({a for pair in anchors for a in pair if a})
        rank = {str(Path(f).resolve()): i for i, f in enumerate(prefer or [])}

        def pick(files: list[str], typed: list[str] | None = None) -> str:
            """A file in PREFER first, then one that types the node, then the first."""
            typed = typed or []
            return min(files, key=lambda f: (rank.get(str(Path(f).resolve()), len(rank)), f not in typed))

        if self.quick:
            fl = self.lines(self.files[0])
            return [
                (self.files[0], (fl.line_of(focus) if focus else None) or (fl.line_of(value) if value else None) or 1)
                for focus, value in anchors
            ]
        out: list[tuple[str, int] | None] = []
        for (focus, value), blank_file in zip(anchors, blank_files):
            if blank_file is not None:  # a blank node: its own file, at its named subject there if it has one
                line = self.lines(blank_file).line_of(focus) if focus in self.subject_in else None
                out.append((blank_file, line or 1))
                continue
            out.append(self._place(focus, value, pick))
        return out

    def described(self, iri: str) -> bool:
        """Whether the merged data (background and ontology included) has IRI as a subject."""
        import pyoxigraph as ox

        return next(iter(self.store.quads_for_pattern(ox.NamedNode(iri), None, None, None)), None) is not None

    def _place(self, focus: str, value: str | None, pick) -> tuple[str, int] | None:
        if focus and focus in self.subject_in:
            f = pick(self.subject_in[focus], self.typed_in.get(focus))
            return f, self.lines(f).line_of(focus) or 1
        # A node described elsewhere (in the background or the ontology) is not placed where the data merely
        # mentions it; a term nothing describes (an undeclared term, a dangling reference) is placed where used.
        for term in (value, focus):
            if term and term in self.used_in and not self.described(term):
                uses = self.used_in[term]
                f = pick([u[0] for u in uses])
                subject = next(s for g, s in uses if g == f)
                fl = self.lines(f)
                line = (fl.line_of(subject) if subject else None) or fl.line_of(term) or 1
                return f, line
        return None
