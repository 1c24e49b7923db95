"""The search index (kg/search.py): folding, prefix and word match, ranking, bounds, and what kg build writes."""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg import search

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"


def _index(names: dict[str, list[tuple[str, str]]]) -> search.SearchIndex:
    store = ox.Store()
    for iri, values in names.items():
        for prop, text in values:
            store.add(ox.Quad(ox.NamedNode(iri), ox.NamedNode(prop), ox.Literal(text, language="en")))
    return search.SearchIndex(search.collect(store))


def test_fold_removes_diacritics_and_case():
    assert search.fold("Côte d'Ivoire") == "cote d'ivoire"
    assert search.words("Comité de Bâle — ÉTAT") == ["comite", "de", "bale", "etat"]


def test_prefix_of_every_word_matches_and_label_comes_first():
    ix = _index(
        {
            "http://x/fatf": [(LABEL, "Financial Action Task Force"), (ALT, "FATF")],
            "http://x/cfatf": [(LABEL, "Caribbean Financial Action Task Force")],
            "http://x/fsb": [(LABEL, "Financial Stability Board")],
        }
    )
    hits = [h["iri"] for h in ix.search("fin act")]
    assert hits == ["http://x/fatf", "http://x/cfatf"]
    assert [h["iri"] for h in ix.search("fatf")] == ["http://x/fatf"]
    assert ix.search("fatf")[0]["label"] == "Financial Action Task Force"
    assert ix.search("act fin")[0]["iri"] == "http://x/fatf"  # word order does not matter
    assert ix.search("stability fin")[0]["iri"] == "http://x/fsb"
    assert ix.search("task board") == []


def test_aliases_and_diacritics_are_found_both_ways():
    ix = _index({"http://x/basel": [(LABEL, "Basel Committee"), (ALT, "Comité de Bâle")]})
    for q in ("comite de bale", "Comité", "BÂLE", "basel"):
        assert [h["iri"] for h in ix.search(q)] == ["http://x/basel"], q
    assert ix.search("comite")[0]["alias"] == "Comité de Bâle"


def test_queries_are_bounded():
    ix = _index({f"http://x/{i}": [(LABEL, f"Agency {i}")] for i in range(300)})
    assert len(ix.search("a", limit=10)) == 10
    assert len(ix.search("a", limit=10_000)) == search.MAX_RESULTS
    assert ix.search("") == [] and ix.search("!!! ---") == []
    long_query = "agency " * 1000
    assert len(ix.search(long_query, limit=5)) == 5  # cut to MAX_QUERY_CHARS and MAX_QUERY_WORDS, not scanned


def test_build_writes_the_index_beside_the_dataset(built_dataset):
    document = json.loads((built_dataset / search.INDEX_FILE).read_text(encoding="utf-8"))
    ix = search.SearchIndex(document)
    hit = ix.search("fin act")[0]
    assert hit["iri"] == "https://w3id.org/lattice/id/fatf"
    assert "government network" in hit["kinds"]
