"""Tests of `kg why`: term parsing, the provenance rule (reification, record, subject) and the command line."""

from __future__ import annotations

import json

import pytest

from kg.errors import UsageError
from kg.namespaces import compact
from kg.why import explain, parse_term

LAT = "https://w3id.org/lattice/ontology#"
ID = "https://w3id.org/lattice/id/"
SRC = "https://w3id.org/lattice/source/"


# ---------------------------------------------------------------- parsing


def test_parse_prefixed_names_with_slashes_and_full_iris():
    assert parse_term("lat-id:state/USA", "subject", False) == ("iri", ID + "state/USA")
    assert parse_term("lat-id:fatf", "subject", False) == ("iri", ID + "fatf")
    assert parse_term(f"<{ID}fatf>", "subject", False) == ("iri", ID + "fatf")
    assert parse_term(f"{ID}fatf", "subject", False) == ("iri", ID + "fatf")
    assert parse_term("a", "predicate", False)[1].endswith("#type")


def test_parse_object_literals():
    assert parse_term("2001-01-01", "object", True) == ("literal", "2001-01-01")
    assert parse_term('"Financial Action Task Force"', "object", True) == ("literal", "Financial Action Task Force")
    assert parse_term("34", "object", True) == ("literal", "34")
    assert parse_term('"FATF"@en', "object", True) == ("literal", "FATF")
    assert parse_term('"2001-01-01"^^xsd:date', "object", True) == ("literal", "2001-01-01")


def test_parse_rejects_unknown_prefix_and_literal_subjects():
    with pytest.raises(UsageError, match="unknown prefix"):
        parse_term("foo:bar", "subject", False)
    with pytest.raises(UsageError):
        parse_term("plain words", "predicate", False)


def test_compact_uses_the_longest_namespace():
    assert compact(ID + "state/USA", angle=True) == "lat-id:state/USA"
    assert compact("http://example.org/x", angle=True) == "<http://example.org/x>"


# ---------------------------------------------------------------- the provenance rule on the built dataset


def test_reified_fact_gives_its_own_passage(built_store):
    found = explain(built_store, "lat-id:combined-maritime-forces", "lat:foundingDate", "2001-01-01")
    assert found["via"] == "reification"
    assert SRC + "letwin-cmf-growth-2001-2021" in found["sources"]
    quote = next(d["quote"] for d in found["details"] if d["source"] == SRC + "letwin-cmf-growth-2001-2021")
    assert "established in 2001" in quote


def test_shortcut_is_explained_by_its_derivation_down_to_passages_and_data(accountability_store):
    found = explain(accountability_store, "lat-id:fatf", "lat:accountableTo", "lat-id:usa-finance-ministry")
    assert found["asserted"], "the build should materialize lat:accountableTo from the record"
    assert found["via"] == "record"
    assert found["through"] == [ID + "accountability/fatf--usa-finance-ministry--supervisory--1990"]
    (tree,) = found["derivations"]
    assert tree["rule"]["rule"] == ID + "rule/composition"
    assert tree["rule"]["assumes"] == [ID + "assumption/members-as-principals"]
    (seat,) = tree["premises"]
    assert seat["rule"]["stated_by"] == [SRC + "slaughter-appointed-or-elected"]
    # the seat rests on the text's statement of what the FATF is composed of and on the data set's row
    assert SRC + "slaughter-fatf" in found["sources"] and ID + "dataset/migo-memberships" in found["sources"]


def test_membership_shortcut_is_explained_by_the_membership(built_store):
    found = explain(built_store, "lat-id:state/USA", "lat:memberOf", "lat-id:balkans-contact-group")
    assert found["via"] == "record"
    assert found["sources"] == [SRC + "letwin-balkans-contact-group"]


def test_entity_fact_falls_back_to_the_subject(built_store):
    found = explain(built_store, "lat-id:fatf", "rdfs:label", '"Financial Action Task Force"')
    assert found["via"] == "subject"
    assert found["sources"] == [SRC + "slaughter-fatf"]
    passage = found["details"][0]
    assert passage["kind"] == "passage" and passage["locator"] and passage["quote"]


def test_dataset_sources_are_described(built_store):
    found = explain(built_store, "lat-id:state/USA", "lat:cowCode", "2")
    assert found["details"][0]["kind"] == "dataset"
    assert "Correlates of War" in found["details"][0]["title"]


def test_statement_not_in_graph_has_no_source(built_store):
    found = explain(built_store, "lat-id:fatf", "lat:accountableTo", "lat-id:state/USA")
    assert not found["asserted"] and found["sources"] == []


# ---------------------------------------------------------------- command line


def _run(built_dataset, capsys, *args):
    """Run the `why` subcommand as the CLI does: parse, call run(), map LatticeError to its exit code."""
    import argparse
    import sys

    import kg.why
    from kg.errors import LatticeError

    parser = argparse.ArgumentParser(prog="kg")
    parser.add_argument("--dataset")
    kg.why.register(parser.add_subparsers(dest="command"))
    ns = parser.parse_args(["--dataset", str(built_dataset), "why", *args])
    try:
        code = ns.func(ns)
    except LatticeError as exc:
        print(exc, file=sys.stderr)
        code = exc.exit_code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_prints_document_locator_and_quote(built_dataset, capsys):
    code, out, _ = _run(built_dataset, capsys, "lat-id:ottawa-conference-1996", "lat:heldIn", "Ottawa")
    assert code == 0
    assert "locator:" in out and "quote:" in out
    assert "in which 74 states participated" in out


def test_cli_exit_1_when_no_source(built_dataset, capsys):
    code, _, err = _run(built_dataset, capsys, "lat-id:fatf", "lat:accountableTo", "lat-id:state/CHN")
    assert code == 1
    assert "no source" in err


def test_cli_exit_2_on_bad_term(built_dataset, capsys):
    code, _, err = _run(built_dataset, capsys, "nope:x", "lat:memberOf", "lat-id:fatf")
    assert code == 2
    assert "unknown prefix" in err


def test_cli_json_output(built_dataset, capsys):
    code, out, _ = _run(
        built_dataset, capsys, "--format", "json", "lat-id:state/USA", "lat:memberOf", "lat-id:balkans-contact-group"
    )
    assert code == 0
    data = json.loads(out)
    assert data["via"] == "record" and data["sources"]
