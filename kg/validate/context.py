"""What a report says beyond the results: labels, the norm each shape encodes, and the named shape of each property shape."""

from __future__ import annotations

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
        report.shape_owner[s] = s if not s.startswith("_:") else (_named_owner(shapes_store, s) or s)
    for r in report.results:
        if r.focus not in report.labels:
            lab = first_literal([store], r.focus, RDFS.label) or first_literal([store], r.focus, SKOS.prefLabel)
            if lab:
                report.labels[r.focus] = lab


SHAPE_REFS = ("property", "node", "not", "qualifiedValueShape")


def _users(shapes_store, node):
    """The shapes that use NODE: through sh:property, sh:node, sh:not, sh:qualifiedValueShape, or as a member
    of the list of an sh:and, sh:or or sh:xone."""
    import pyoxigraph as ox

    out = []
    for q in shapes_store.quads_for_pattern(None, None, node, None):
        p = q.predicate.value
        if p in {SH.term(r) for r in SHAPE_REFS}:
            out.append(q.subject)
        elif p == RDF.first:  # member of sh:and / sh:or / sh:xone: climb to the list head
            head = q.subject
            while True:
                prev = [x.subject for x in shapes_store.quads_for_pattern(None, ox.NamedNode(RDF.rest), head, None)]
                if not prev:
                    break
                head = prev[0]
            out.extend(
                x.subject
                for x in shapes_store.quads_for_pattern(None, None, head, None)
                if x.predicate.value in (SH.term("and"), SH.term("or"), SH.xone)
            )
    return out


def _named_owner(shapes_store, shape: str) -> str | None:
    """The nearest named shape that uses the blank-node SHAPE (a property shape's node shape)."""
    import pyoxigraph as ox

    seen = set()
    todo = [ox.BlankNode(shape[2:])]
    while todo:
        node = todo.pop(0)
        if node in seen:
            continue
        seen.add(node)
        for user in _users(shapes_store, node):
            if isinstance(user, ox.NamedNode):
                return user.value
            todo.append(user)
    return None


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
        todo.extend(_users(shapes_store, node))
    return None


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1] or iri
    return iri
