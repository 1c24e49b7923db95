"""What a report says beyond the results: labels, the norm each shape encodes, and where a focus node is written."""

from __future__ import annotations

from pathlib import Path

from kg.errors import InputError
from kg.fileio import rdf_format
from kg.namespaces import DCTERMS, LAT, LAT_ONTOLOGY, RDF, RDFS, SH, SKOS
from kg.validate.inputs import ontology_store
from kg.validate.outcome import Report


def annotate(report: Report, store, shapes_store) -> None:
    """Fill in labels of focus nodes, the norm each shape encodes, and each norm's label and passage."""
    import pyoxigraph as ox

    def first_literal(stores, node, pred):
        if node.startswith(("_:", '"')):
            return None
        best = None
        for st in stores:
            for q in st.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(pred), None, None):
                o = q.object
                if isinstance(o, ox.Literal):
                    if o.language in (None, "en"):
                        return o.value
                    best = best or o.value
        return best

    def first_iri(stores, node, pred):
        if node.startswith(("_:", '"')):
            return None
        for st in stores:
            for q in st.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(pred), None, None):
                if isinstance(q.object, ox.NamedNode):
                    return q.object.value
        return None

    has_onto = next(iter(store.quads_for_pattern(ox.NamedNode(LAT_ONTOLOGY), None, None, None)), None)
    onto = None if has_onto is not None else ontology_store()
    stores = [s for s in (store, shapes_store, onto) if s is not None]
    shapes = {r.shape for r in report.results}
    for s in shapes:
        norm = _norm_of(shapes_store, s)
        info = {
            "severity": None,
            "description": first_literal([shapes_store], s, SH.description),
            "label": first_literal([shapes_store], s, RDFS.label),
        }
        report.shape_info[s] = info
        if norm:
            report.norms[s] = norm
            if norm not in report.norm_info:
                passage = first_iri(stores, norm, DCTERMS.source)
                report.norm_info[norm] = {
                    "label": first_literal(stores, norm, RDFS.label) or local_name(norm),
                    "passage": passage,
                    "quote": first_literal(stores, passage, LAT.quote) if passage else None,
                    "locator": first_literal(stores, passage, LAT.locator) if passage else None,
                    "document": first_iri(stores, passage, LAT.document) if passage else None,
                }
    for r in report.results:
        if r.focus not in report.labels:
            lab = first_literal([store], r.focus, RDFS.label) or first_literal([store], r.focus, SKOS.prefLabel)
            if lab:
                report.labels[r.focus] = lab


SHAPE_REFS = ("property", "node", "not", "qualifiedValueShape")


def _norm_of(shapes_store, shape: str) -> str | None:
    """The norm a shape encodes: its own lat:encodesNorm, else that of the nearest shape that uses it."""
    import pyoxigraph as ox

    def term(s):
        return ox.BlankNode(s[2:]) if s.startswith("_:") else ox.NamedNode(s)

    seen = set()
    todo = [term(shape)]
    while todo:
        node = todo.pop(0)
        if node in seen:
            continue
        seen.add(node)
        for q in shapes_store.quads_for_pattern(node, ox.NamedNode(LAT.encodesNorm), None, None):
            if isinstance(q.object, ox.NamedNode):
                return q.object.value
        for q in shapes_store.quads_for_pattern(None, None, node, None):
            p = q.predicate.value
            if p in {SH.term(r) for r in SHAPE_REFS}:
                todo.append(q.subject)
            elif p == RDF.first:  # member of sh:and / sh:or / sh:xone: climb to the list head
                head = q.subject
                while True:
                    prev = [x.subject for x in shapes_store.quads_for_pattern(None, ox.NamedNode(RDF.rest), head, None)]
                    if not prev:
                        break
                    head = prev[0]
                todo.extend(
                    x.subject
                    for x in shapes_store.quads_for_pattern(None, None, head, None)
                    if x.predicate.value in (SH.term("and"), SH.term("or"), SH.xone)
                )
    return None


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1] or iri
    return iri


def focus_files(report: Report) -> dict[str, str]:
    """For each IRI focus node, the first data file that has it as a subject (for CI annotations)."""
    import pyoxigraph as ox

    wanted = {r.focus for r in report.results if not r.focus.startswith(("_:", '"'))}
    out: dict[str, str] = {}
    if len(report.data_files) == 1:
        return {f: report.data_files[0] for f in wanted}
    for f in report.data_files:
        try:
            for q in ox.parse(path=f, format=rdf_format(f)):
                s = q.subject
                if isinstance(s, ox.NamedNode) and s.value in wanted and s.value not in out:
                    out[s.value] = f
        except (SyntaxError, InputError):
            continue
    return out


def line_of(path: str, iri: str) -> int | None:
    """The first line of PATH that mentions IRI in full or as a prefixed name (best effort)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    import re

    prefixes = {}
    for line in text:
        m = re.match(r"\s*@?prefix\s+([\w.-]*):\s*<([^>]*)>", line, re.IGNORECASE)
        if m:
            prefixes[m.group(2)] = m.group(1)
    needles = [f"<{iri}>"]
    for ns, p in prefixes.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            needles.append(f"{p}:{iri[len(ns) :]}")
    for i, line in enumerate(text, 1):
        stripped = line.lstrip()
        for n in needles:
            if stripped.startswith(n) and (
                len(stripped) == len(n) or not (stripped[len(n)].isalnum() or stripped[len(n)] in "-_")
            ):
                return i
    for i, line in enumerate(text, 1):
        if any(n in line for n in needles):
            return i
    return None
