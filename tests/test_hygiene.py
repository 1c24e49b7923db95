"""Tests of the hygiene checks: each passes on the real ontology and fails on a small broken example; `kg check` exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg import paths
from kg.check import check_files, known_terms, prefix_bindings, run_checks
from kg.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "hygiene"
LAT = "https://w3id.org/lattice/ontology#"

# check -> (checked together with the real ontology?, the problems the broken example must produce)
BROKEN = {
    "lat-term-declared": (True, [LAT + "acountableTo", LAT + "ClubOfStates"]),
    "lat-term-typed": (True, [LAT + "Hybrid", LAT + "Floating"]),
    "lat-term-labelled": (True, [LAT + "Unlabelled has no English", LAT + "TwiceLabelled has 2"]),
    "lat-term-defined": (True, [LAT + "undefinedProperty"]),
    "lat-term-defined-by": (True, [LAT + "WronglyDefinedBy"]),
    "lat-term-source-resolves": (True, [LAT + "Unsourced cites https://w3id.org/lattice/source/nowhere-passage"]),
    "concept-in-scheme": (True, [LAT + "Orphan is in no", LAT + "Orphan is not typed"]),
    "external-term-known": (True, ["owl#NamedIndividal", "org#memberof", "schema.org/foundationDate"]),
    "external-term-declared": (True, ["org#changedBy", "schema.org/slogan"]),
    "ontology-metadata": (
        False,
        [
            "creator",
            "license",
            "versionIRI",
            "created",
            "modified",
            "preferredNamespacePrefix",
            "preferredNamespaceUri https://w3id.org/lattice/ontology/ ",
        ],
    ),
    "ontology-modules-imported": (True, ["orphan-module is not imported", "orphan-module has no dcterms:title"]),
    "standard-prefixes": (
        True,
        ["prefix schema: is bound to <http://schema.org/>", "prefix org: is bound to <http://www.w3.org/ns/org>"],
    ),
}


def test_every_check_has_a_banner_and_a_broken_example():
    checks = check_files()
    assert len(checks) >= 10
    for rq in checks:
        text = rq.read_text(encoding="utf-8")
        assert text.startswith("# Hygiene: "), rq.name
        assert "Fails with one row per" in text, rq.name
        assert re.search(r"SELECT (DISTINCT )?\?error", text), rq.name
        assert (FIXTURES / f"{rq.stem}.ttl").is_file(), f"no broken example for {rq.name}"
    assert {rq.stem for rq in checks} == set(BROKEN)


def test_the_ontology_passes_every_check():
    problems = run_checks()
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("check", sorted(BROKEN))
def test_check_fails_on_its_broken_example(check):
    with_ontology, expected = BROKEN[check]
    problems = run_checks([FIXTURES / f"{check}.ttl"], include_ontology=with_ontology, checks=[check])
    messages = [p.message for p in problems]
    assert len(messages) == len(expected), messages
    for e in expected:
        assert any(e in m for m in messages), (e, messages)
    assert all(p.check == check for p in problems)


def test_the_broken_examples_do_not_leak_into_other_checks():
    # The declared-term check must stay quiet for a fixture that only breaks prefixes.
    assert run_checks([FIXTURES / "standard-prefixes.ttl"], checks=["lat-term-declared"]) == []


def test_known_terms_come_from_rdflib_closed_namespaces():
    terms = set(known_terms())
    assert "http://www.w3.org/ns/org#Membership" in terms
    assert "https://schema.org/foundingDate" in terms
    assert "http://www.w3.org/2002/07/owl#Clas" not in terms


def test_prefix_lines_are_read_with_their_line_numbers():
    found = prefix_bindings(FIXTURES / "standard-prefixes.ttl")
    assert (2, "schema", "http://schema.org/") in found
    assert (3, "org", "http://www.w3.org/ns/org") in found


def test_vocabulary_is_declared_across_ontology_shapes_and_data():
    """No lat: term is used in the shapes or the curated graph without being declared, and no
    external term is misspelled there."""
    files = sorted(paths.SHAPES_DIR.glob("*.ttl")) + sorted(paths.DATA_DIR.glob("*.ttl"))
    assert files, "there are shapes and curated data to check"
    queries = sorted(paths.QUERIES_DIR.glob("*.rq"))
    problems = run_checks(
        files, checks=["lat-term-declared", "external-term-known", "standard-prefixes"], prefix_files=queries
    )
    assert problems == [], "\n".join(map(str, problems))


def test_malformed_file_raises_input_error_with_position():
    with pytest.raises(InputError) as info:
        run_checks([FIXTURES / "malformed.ttl"])
    err = info.value
    assert err.path.endswith("malformed.ttl")
    assert err.line == 5


def test_cli_reports_malformed_file_with_position_and_exit_2(run_kg):
    bad = FIXTURES / "malformed.ttl"
    result = run_kg("check", bad)
    assert result.returncode == 2
    assert re.match(rf"^{re.escape(str(bad))}:5:\d+: \S", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_cli_malformed_module_gives_exit_2(run_kg, tmp_path):
    # A copy of a real module with one character removed: the error names the file and line.
    module = (paths.ONTOLOGY_DIR / "networks.ttl").read_text(encoding="utf-8")
    lines = module.splitlines()
    target = next(i for i, line in enumerate(lines) if line.startswith("lat:GovernmentNetwork a owl:Class"))
    lines[target] = lines[target].replace(" a owl:Class ;", " a owl:Class ;;;]")
    broken = tmp_path / "networks.ttl"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_kg("check", broken)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{broken}:{target + 1}:"), result.stderr


def test_cli_exit_codes(run_kg):
    clean = run_kg("check")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    dirty = run_kg("check", FIXTURES / "lat-term-declared.ttl")
    assert dirty.returncode == 1
    assert "lat-term-declared: ERROR: " + LAT + "acountableTo" in dirty.stdout
    listing = run_kg("check", "--list")
    assert listing.returncode == 0 and "standard-prefixes" in listing.stdout
    unknown = run_kg("check", "--only", "no-such-check")
    assert unknown.returncode == 2


def test_prefixes_of_queries_are_checked_too():
    query = FIXTURES / "standard-prefixes.rq"
    problems = run_checks([], checks=["standard-prefixes"], prefix_files=[query])
    assert [p.message for p in problems] == [
        f"{query}:2: ERROR: prefix org: is bound to <https://www.w3.org/ns/org#> instead of <http://www.w3.org/ns/org#>"
    ]
