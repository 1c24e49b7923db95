"""Tests of kg/namespaces.py: prefixed names for IRIs."""

from kg import namespaces as ns


def test_compact_uses_the_longest_prefix_and_strict_mode():
    assert ns.compact(ns.LAT_ID + "state/USA") == "lat-id:state/USA"
    assert ns.compact(ns.LAT + "Court") == "lat:Court"
    assert ns.compact("http://example.org/x") == "http://example.org/x"
    assert ns.compact(ns.LAT_ID + "a b", strict=True) == ns.LAT_ID + "a b"
