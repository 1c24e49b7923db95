"""Tests of kg/namespaces.py: prefixed names for IRIs."""

import pytest

from kg import namespaces as ns


def test_compact_uses_the_longest_prefix_and_strict_mode():
    assert ns.compact(ns.LAT_ID + "state/USA") == "lat-id:state/USA"
    assert ns.compact(ns.LAT + "Court") == "lat:Court"
    assert ns.compact("http://example.org/x") == "http://example.org/x"
    assert ns.compact(ns.LAT_ID + "a b", strict=True) == ns.LAT_ID + "a b"


def test_compact_picks_the_longest_of_overlapping_prefixes_in_any_order():
    """Two prefixes where one namespace starts the other: the longer must win, whichever comes first."""
    short_first = {"ex": "http://example.org/", "exv": "http://example.org/vocab/"}
    long_first = dict(reversed(list(short_first.items())))
    for prefixes in (short_first, long_first):
        assert ns.compact("http://example.org/vocab/Thing", prefixes=prefixes) == "exv:Thing"
        assert ns.compact("http://example.org/other", prefixes=prefixes) == "ex:other"
    assert ns.compact("http://else.org/x", prefixes=short_first, angle=True) == "<http://else.org/x>"


def test_namespaces_are_closed():
    import pytest

    assert ns.SH.minCount == "http://www.w3.org/ns/shacl#minCount"
    assert ns.DCTERMS.title == "http://purl.org/dc/terms/title"  # a term that is also a str method
    with pytest.raises(AttributeError, match="minCuont"):
        _ = ns.SH.minCuont
    with pytest.raises(ValueError, match="nope"):
        ns.RDF.term("nope")
    assert ns.SH + "anything" == "http://www.w3.org/ns/shacl#anything"  # a plain str otherwise


@pytest.mark.parametrize("name", ["RDF", "RDFS", "OWL", "XSD", "SH", "SKOS", "DCTERMS", "ORG", "TIME", "PROV", "FOAF"])
def test_declared_w3c_terms_exist_in_rdflibs_closed_namespaces(name):
    """Our term lists are checked against rdflib's DefinedNamespaces, so a misspelled declaration fails too."""
    import rdflib.namespace as rns

    ours = getattr(ns, name)
    theirs = getattr(rns, name)
    assert str(ours) == str(theirs)
    declared = {n for klass in theirs.__mro__ for n in getattr(klass, "__annotations__", {})}
    declared |= set(getattr(theirs, "_extras", []))
    assert len(declared) > 5
    unknown = sorted(ours.terms - declared)
    assert unknown == []


def test_declared_lattice_terms_are_defined_in_the_ontology():
    import pyoxigraph as ox

    from kg.paths import ontology_modules

    store = ox.Store()
    for f in ontology_modules():
        store.load(path=str(f), format=ox.RdfFormat.TURTLE)
    defined = {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(ns.RDFS.isDefinedBy), None, None)}
    assert ns.LAT.terms
    assert sorted(t for t in ns.LAT.terms if ns.LAT + t not in defined) == []
