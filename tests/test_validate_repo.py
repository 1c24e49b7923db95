"""kg validate in the context of a repository (--repo, .lattice.toml), with reference data (--background,
--lattice-data), and where results are placed (file:line, SARIF locations checked against the 2.1.0 schema)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kg import cli

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "docs" / "examples" / "governance-network"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}

# three mistakes, each of a kind the issue names: a malformed date (a plain value), a misspelt lat: term, and a
# problem on a blank node (an accountability record without a forum, written as a blank node)
MISTAKES = """@prefix lat: <https://w3id.org/lattice/ontology#> .
@prefix ex: <https://example.org/nrn/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:membership-late a org:Membership ;
    org:member ex:carpathia-supervisor ; org:organization ex:nrn ;
    lat:startDate "July 2014" ;
    dcterms:source ex:report-2015-membership .

ex:finance-council lat:acountableTo ex:arcadia-electorate .

ex:carpathia-supervisor rdfs:seeAlso [
    a lat:AccountabilityRelation ;
    lat:accountableActor ex:carpathia-supervisor ;
    lat:mechanism lat:SupervisoryAccountability ; lat:direction lat:Upward ; lat:derivation lat:Stated ;
    dcterms:source ex:report-2015-membership ] .
"""


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def kg(*args, capsys):
    code = cli.main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def data_repo(tmp_path, monkeypatch):
    """A git repository holding the worked example's files (without the Lattice links), committed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "data-repo"
    (repo / "data").mkdir(parents=True)
    for name in ("sources.ttl", "actors.ttl", "network.ttl"):
        shutil.copy(EXAMPLE / name, repo / "data" / name)
    git(repo, "init", "-q")
    git(repo, "add", "data")
    git(repo, "commit", "-qm", "data")
    monkeypatch.chdir(repo)
    return repo


def finding_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("data/") and ": " in line]


def test_a_file_validated_alone_misses_the_sources_its_citations_point_to(data_repo, capsys):
    """The failure the --repo mode exists for: network.ttl cites passages that sources.ttl declares."""
    code, out, _ = kg("validate", "data/network.ttl", capsys=capsys)
    assert code == 1
    assert any("lat-sh:EveryFactHasSource" in line for line in finding_lines(out))


def test_repo_mode_resolves_citations_across_files_and_reports_nothing_on_clean_data(data_repo, capsys):
    code, out, _ = kg("validate", "--repo", "data/network.ttl", capsys=capsys)
    assert code == 0, out
    # the one info on the network (no non-state member) is a finding of the data, placed in network.ttl
    assert [line.split(": ")[0:2] for line in finding_lines(out)] == [["data/network.ttl:10", "info"]]
    code, out, _ = kg("validate", "--repo", "data/sources.ttl", capsys=capsys)
    assert code == 0 and finding_lines(out) == []  # the network's info is not in sources.ttl


def test_repo_mode_reports_exactly_the_mistakes_of_the_given_file(data_repo, capsys):
    (data_repo / "data" / "late.ttl").write_text(MISTAKES)
    git(data_repo, "add", "data/late.ttl")
    code, out, _ = kg("validate", "--repo", "data/late.ttl", "--fail-on", "violation", capsys=capsys)
    assert code == 1
    found = sorted(
        (line.split(": ")[0], line.split(" (")[-1]) for line in finding_lines(out) if ": violation: " in line
    )
    assert found == [
        ("data/late.ttl:12", "lat-sh:NoUndeclaredTerm)"),  # the subject of the triple with the misspelt term
        ("data/late.ttl:14", "lat-sh:AccountabilityForum)"),  # the blank node's named subject
        ("data/late.ttl:7", "lat-sh:DatesAreXsdDates)"),
    ]
    assert not [line for line in finding_lines(out) if not line.startswith("data/late.ttl:")]
    # the whole repository: the same mistakes, and the network's info
    code, out, _ = kg("validate", "--repo", capsys=capsys)
    assert code == 1 and len([x for x in finding_lines(out) if ": violation: " in x]) == 3


def test_lattice_toml_chooses_the_data_and_the_background(data_repo, capsys):
    (data_repo / "vendor").mkdir()
    shutil.move(data_repo / "data" / "sources.ttl", data_repo / "vendor" / "sources.ttl")
    (data_repo / "data" / "network.ttl").write_text(
        (data_repo / "data" / "network.ttl").read_text().replace('"2014-07-01"^^xsd:date', '"2014"')
    )
    git(data_repo, "add", "-A")
    # without a configuration, vendor/sources.ttl is data like any tracked file; the planted date is reported
    code, out, _ = kg("validate", "--repo", capsys=capsys)
    assert code == 1 and any(x.startswith("data/network.ttl:") and "violation" in x for x in finding_lines(out))
    (data_repo / ".lattice.toml").write_text('[validate]\ndata = ["data/*.ttl"]\nbackground = ["vendor/*.ttl"]\n')
    code, out, _ = kg("validate", "--repo", "--format", "json", capsys=capsys)
    doc = json.loads(out)
    assert code == 1
    network = data_repo / "data" / "network.ttl"
    line = network.read_text().splitlines().index("ex:membership-carpathia a org:Membership ;") + 1
    assert {(r["file"], r["line"]) for r in doc["results"] if r["severity"] == "Violation"} == {(str(network), line)}
    assert all(not r["file"].endswith("sources.ttl") for r in doc["results"])
    (data_repo / ".lattice.toml").write_text('[validate]\ndata = ["data/*.ttl"]\nbogus = 1\n')
    code, _out, err = kg("validate", "--repo", capsys=capsys)
    assert code == 2 and err.startswith(f"{data_repo / '.lattice.toml'}:") and "bogus" in err


def test_background_is_loaded_but_never_reported_on(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXAMPLE / "sources.ttl", "sources.ttl")
    shutil.copy(EXAMPLE / "network.ttl", "network.ttl")
    shutil.copy(EXAMPLE / "actors.ttl", "actors.ttl")
    (tmp_path / "sources.ttl").write_text(
        (tmp_path / "sources.ttl").read_text()
        + "\n<https://example.org/nrn/bad> a <https://w3id.org/lattice/ontology#SourcePassage> .\n"
    )
    code, out, _ = kg("validate", "network.ttl", "actors.ttl", "--background", "sources.ttl", capsys=capsys)
    assert code == 0, out
    assert not [x for x in out.splitlines() if x.startswith("sources.ttl:")]
    code, out, _ = kg("validate", "network.ttl", "actors.ttl", "sources.ttl", capsys=capsys)
    assert code == 1 and [x for x in out.splitlines() if x.startswith("sources.ttl:") and "violation" in x]


def test_the_worked_example_validates_clean_with_lattice_data_and_not_without(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    files = sorted(EXAMPLE.glob("*.ttl"))
    assert len(files) == 4
    code, out, _ = kg("validate", *files, "--lattice-data", "--fail-on", "warning", capsys=capsys)
    assert code == 0, out
    assert "0 violations, 0 warnings, 1 info" in out  # the network has no non-state member: an info, said so
    code, out, _ = kg("validate", *files, capsys=capsys)
    assert code == 1  # lattice-links.ttl cites a passage of Lattice's curated graph
    bad = [x for x in out.splitlines() if ": violation: " in x]
    # placed at the network's description (the file that types it), line 10
    assert len(bad) == 1 and bad[0].startswith("docs/examples/governance-network/network.ttl:10: ")
    assert "lat-sh:EveryFactHasSource" in bad[0]


def sarif_location_problems(doc: dict) -> list[str]:
    """What a code-scanning upload rejects or drops: a result without a physical location in a file, with an
    absolute or empty URI, or a region whose start line is not a positive integer."""
    problems = []
    for i, res in enumerate(doc["runs"][0]["results"]):
        locs = res.get("locations") or []
        phys = locs[0].get("physicalLocation") if locs else None
        if not phys or not phys.get("artifactLocation", {}).get("uri"):
            problems.append(f"result {i}: no artifact location")
            continue
        uri = phys["artifactLocation"]["uri"]
        if uri.startswith(("/", "file:")) or "\\" in uri:
            problems.append(f"result {i}: {uri} is not relative to the repository")
        line = phys.get("region", {}).get("startLine")
        if not isinstance(line, int) or line < 1:
            problems.append(f"result {i}: start line {line!r}")
    return problems


def test_sarif_is_valid_and_every_result_is_located(data_repo, capsys):
    from sarif_kit.validate import validation_errors

    (data_repo / "data" / "late.ttl").write_text(MISTAKES)
    git(data_repo, "add", "data/late.ttl")
    code, out, _ = kg("validate", "--repo", "--format", "sarif", capsys=capsys)
    doc = json.loads(out)
    assert code == 1
    assert validation_errors(doc) == []
    assert sarif_location_problems(doc) == []
    where = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in doc["runs"][0]["results"]
        if r["level"] == "error"
    }
    assert where == {
        ("lat-sh:NoUndeclaredTerm", "data/late.ttl", 12),
        ("lat-sh:AccountabilityForum", "data/late.ttl", 14),
        ("lat-sh:DatesAreXsdDates", "data/late.ttl", 7),
    }
    # the checks can fail: a result without a location, an absolute URI
    broken = json.loads(out)
    broken["runs"][0]["results"][0]["locations"] = [{"logicalLocations": [{"name": "x"}]}]
    broken["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "/abs.ttl"
    assert len(sarif_location_problems(broken)) == 2
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert validation_errors(broken)


def test_a_top_level_blank_node_is_placed_in_its_own_file_at_line_1(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\n")
    (tmp_path / "b.ttl").write_text(
        "@prefix org: <http://www.w3.org/ns/org#> .\n@prefix ex: <http://example.org/> .\n\n"
        "[] a org:Membership ; org:member ex:a ; org:organization ex:b .\n"
    )
    code, out, _ = kg("validate", "a.ttl", "b.ttl", "--format", "json", capsys=capsys)
    doc = json.loads(out)
    assert code == 1 and doc["results"]
    assert {(r["file"], r["line"]) for r in doc["results"] if r["focus"].startswith("_:")} == {("b.ttl", 1)}


def test_junit_is_readable_by_junitparser(data_repo, capsys):
    from junitparser import Failure, JUnitXml

    code, _out, _ = kg("validate", "--repo", "--format", "junit", "--output", "report.xml", capsys=capsys)
    assert code == 0
    xml = JUnitXml.fromfile(str(data_repo / "report.xml"))
    cases = [c for suite in xml for c in suite]
    assert len(cases) > 20 and all(c.is_passed for c in cases)  # one passing test case per named shape
    (data_repo / "data" / "late.ttl").write_text(MISTAKES)
    git(data_repo, "add", "data/late.ttl")
    code, _out, _ = kg("validate", "--repo", "--format", "junit", "--output", "report.xml", capsys=capsys)
    assert code == 1
    xml = JUnitXml.fromfile(str(data_repo / "report.xml"))
    failed = sorted(c.name for suite in xml for c in suite if not c.is_passed)
    assert failed == ["lat-sh:AccountabilityForum", "lat-sh:DatesAreXsdDates", "lat-sh:NoUndeclaredTerm"]
    assert all(isinstance(r, Failure) for suite in xml for c in suite for r in c.result)


def test_the_modelling_guide_quotes_the_example_files():
    """Every Turtle line docs/modelling-your-data.md shows is a line of the validated example files."""
    import re

    guide = (REPO / "docs" / "modelling-your-data.md").read_text()
    shown = [
        line.strip()
        for block in re.findall(r"```turtle\n(.*?)```", guide, re.DOTALL)
        for line in block.splitlines()
        if line.strip()
    ]
    example = {line.strip() for f in EXAMPLE.glob("*.ttl") for line in f.read_text().splitlines()}
    assert shown and [line for line in shown if line not in example] == []


def test_background_beside_data_given_as_a_store(tmp_path):
    """Data that is a store has no files; the results the background describes are still left out."""
    import pyoxigraph as ox

    from kg.validate import validate

    store = ox.Store()
    store.load(path=str(EXAMPLE / "network.ttl"))
    store.load(path=str(EXAMPLE / "actors.ttl"))
    bad_sources = tmp_path / "sources.ttl"
    bad_sources.write_text(
        (EXAMPLE / "sources.ttl").read_text()
        + "\n<https://example.org/nrn/bad> a <https://w3id.org/lattice/ontology#SourcePassage> .\n"
    )
    with_background = validate(store, with_ontology=True, background=[str(bad_sources)])
    assert [r for r in with_background.results if r.severity == "Violation"] == []
    alone = validate(store, with_ontology=True)
    assert [r for r in alone.results if r.severity == "Violation"]  # without the sources, the citations fail
