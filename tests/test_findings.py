"""The findings index `kg validate` writes beside the built dataset, and the entity pages of a real `kg serve`
that show it: the principles a node falls short of, none for a node without findings, stale indexes refused."""

from __future__ import annotations

import hashlib
import html
import json
import shutil
from pathlib import Path

import pytest

from kg.shacl.result import Result
from kg.thirdparty import KgServer
from kg.validate.findings import (
    FINDINGS_FILE,
    MAX_PER_NODE,
    build_stamp,
    findings_for,
    index_from_report,
    read_index,
    write_index,
)
from kg.validate.outcome import Report
from tests.test_pages import HOSTILE, browser, http, section  # noqa: F401 (browser: a fixture)

PLANTED = "https://w3id.org/lattice/id/planted-network"
NORM = "https://w3id.org/lattice/ontology#AccountabilityToConstituencies"
CORE_SHAPE = "https://w3id.org/lattice/shapes#NetworkHasGovernmentCore"
# a government network with no member at all: no accountable core of government officials (a planted finding)
PLANTED_TTL = """@prefix lat: <https://w3id.org/lattice/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/lattice/id/planted-network> a lat:GovernmentNetwork ; rdfs:label "Planted network"@en{extra} .
"""


def _build(home: Path, extra: str = "") -> Path:
    """Build HOME/build from the curated graph and the planted file (no imports)."""
    import os

    from kg.build import build

    planted = home / "planted.ttl"
    planted.write_text(PLANTED_TTL.format(extra=extra))
    saved = os.environ.get("LATTICE_HOME")
    os.environ["LATTICE_HOME"] = str(home)
    try:
        build(home / "build", extra=[planted])
    finally:
        if saved is None:
            del os.environ["LATTICE_HOME"]
        else:
            os.environ["LATTICE_HOME"] = saved
    return home / "build"


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A dataset with the planted network, built and validated: (dataset folder, its findings index)."""
    home = tmp_path_factory.mktemp("findings-home")
    (home / "imports").mkdir()
    return _build(home)


def _validate(run_kg, dataset: Path, *args):
    return run_kg("--dataset", dataset, "validate", *args, env={"LATTICE_HOME": str(dataset.parent)})


def test_validate_writes_the_index_of_the_build(planted, run_kg):
    done = _validate(run_kg, planted)
    assert done.returncode in (0, 1), done.stderr
    index = json.loads((planted / FINDINGS_FILE).read_text())
    manifest = (planted / "manifest.json").read_bytes()
    assert index["build"]["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()
    assert index["build"]["built"] == json.loads(manifest)["built"]
    rows = index["nodes"][PLANTED]["results"]
    core = [r for r in rows if r["shape"] == CORE_SHAPE]
    assert core and core[0]["severity"] == "Warning" and core[0]["norm"] == NORM
    norm = index["norms"][NORM]
    assert norm["label"] == "accountability to constituencies"
    assert norm["quote"] and norm["passage"].startswith("https://w3id.org/lattice/source/")
    assert all(len(n["results"]) <= MAX_PER_NODE for n in index["nodes"].values())
    assert index["results_total"] == sum(index["counts"].values())
    assert not [p for p in planted.iterdir() if p.name.endswith(".tmp")]  # no temporary file left behind


def test_validating_files_or_some_shapes_leaves_the_index_alone(planted, run_kg, tmp_path):
    _validate(run_kg, planted)
    st = (planted / FINDINGS_FILE).stat()
    before = (st.st_ino, st.st_mtime_ns, (planted / FINDINGS_FILE).read_bytes())  # a rewrite renames a new file in
    data = tmp_path / "one.ttl"
    data.write_text(PLANTED_TTL.format(extra=""))
    _validate(run_kg, planted, data)
    _validate(run_kg, planted, "--shapes", "accountability")
    _validate(run_kg, planted, "--background", data)
    st = (planted / FINDINGS_FILE).stat()
    assert (st.st_ino, st.st_mtime_ns, (planted / FINDINGS_FILE).read_bytes()) == before


# ------------------------------------------------------------------------------------ the pages


def test_pages_show_findings_of_this_build_only(tmp_path_factory, run_kg):
    """One server over build B: no index (not validated), the index of the older build A (stale, not shown),
    then B validated (the planted finding shown with its principle and passage; a clean node shows none)."""
    home = tmp_path_factory.mktemp("findings-stale")
    (home / "imports").mkdir()
    dataset = _build(home)
    assert _validate(run_kg, dataset).returncode in (0, 1)
    older = home / "older-findings.json"
    shutil.copy(dataset / FINDINGS_FILE, older)
    dataset = _build(home, extra=' ; rdfs:comment "changed"@en')  # build B: a changed input, a new manifest
    assert not (dataset / FINDINGS_FILE).exists()  # the new build folder starts without an index
    index_a = json.loads(older.read_text())
    clean = _clean_node(dataset, index_a)
    with KgServer(dataset=dataset, env={"LATTICE_HOME": str(home)}) as server:

        def principles(iri: str) -> str:
            st, _, body = http(server.url + iri[len("https://w3id.org/lattice") :], {"Accept": "text/html"})
            assert st == 200, body[:300]
            return section(body.decode(), "principles")

        absent = principles(PLANTED)
        assert "Not validated since the last build" in absent and "kg validate" in absent
        assert "<li" not in absent

        shutil.copy(older, dataset / FINDINGS_FILE)  # the index of build A beside build B
        stale = principles(PLANTED)
        assert "Not validated since the last build" in stale and "older build" in stale
        assert "accountability to constituencies" not in stale

        assert _validate(run_kg, dataset).returncode in (0, 1)
        current = principles(PLANTED)
        assert "Not validated" not in current
        assert 'class="severity">Warning<' in current
        assert 'href="/ontology#AccountabilityToConstituencies"' in current
        assert ">accountability to constituencies</a>" in current
        quote = json.loads((dataset / FINDINGS_FILE).read_text())["norms"][NORM]["quote"]
        assert f"<blockquote>{html.escape(quote, quote=True)}</blockquote>" in current
        assert "A New World Order" in current  # the citation: the document's label

        none = principles(clean)
        assert "No finding" in none and "<li" not in none


def _clean_node(dataset: Path, index: dict) -> str:
    """A labelled Lattice instance the index has no finding for."""
    from kg.store import open_store

    store = open_store(dataset, build_if_needed=False)
    text = (
        "SELECT DISTINCT ?s WHERE { ?s a ?kind ; <http://www.w3.org/2000/01/rdf-schema#label> ?l "
        'FILTER(STRSTARTS(STR(?s), "https://w3id.org/lattice/id/")) } ORDER BY ?s'
    )
    for row in store.query(text, use_default_graph_as_union=True):
        iri = row["s"].value
        if iri.startswith("https://w3id.org/lattice/id/") and iri not in index["nodes"]:
            return iri
    pytest.fail("every labelled instance has a finding: no clean node to show")


# ------------------------------------------------------------------------------- bounds and atomicity


def _report(n_nodes: int, per_node: int) -> Report:
    results = [
        Result(
            focus=f"https://w3id.org/lattice/id/n{i}",
            shape=CORE_SHAPE,
            component="c",
            severity="Warning",
            message=f"m{j} " + "x" * 2000,
        )
        for i in range(n_nodes)
        for j in range(per_node)
    ]
    return Report(conforms=False, results=results, norms={CORE_SHAPE: NORM}, norm_info={NORM: {"label": "a"}})


def test_the_index_is_bounded_and_says_so():
    small = index_from_report(_report(3, 2), {"manifest_sha256": "x"}, max_per_node=5, max_total=100)
    assert not small["capped"] and small["results_kept"] == 6
    big = index_from_report(_report(30, 12), {"manifest_sha256": "x"}, max_per_node=5, max_total=100)
    assert big["capped"] and big["results_total"] == 360 and big["results_kept"] == 100
    assert all(len(n["results"]) <= 5 for n in big["nodes"].values())
    assert big["nodes"]["https://w3id.org/lattice/id/n0"]["more"] == 7
    assert big["nodes_dropped"] == 10
    assert max(len(r["message"] or "") for n in big["nodes"].values() for r in n["results"]) <= 600
    assert len(big["shapes"][CORE_SHAPE]["message"]) <= 600
    shown = findings_for(big, {"manifest_sha256": "x"}, "https://w3id.org/lattice/id/n0")["results"]
    assert [r["message"][:3] for r in shown] == ["m0 ", "m1 ", "m10", "m11", "m2 "]  # repeated ones from the shape
    dropped = findings_for(big, {"manifest_sha256": "x"}, "https://w3id.org/lattice/id/n29")
    assert dropped["state"] == "current" and dropped["incomplete"] and not dropped["results"]


def test_a_failed_write_leaves_the_previous_index(tmp_path):
    (tmp_path / "manifest.json").write_text('{"built": "then"}')
    stamp = build_stamp(tmp_path)
    good = index_from_report(_report(2, 1), stamp)
    write_index(tmp_path, good)
    before = (tmp_path / FINDINGS_FILE).read_bytes()
    broken = index_from_report(_report(200, 3), stamp)
    broken["nodes"]["~last"] = {"results": [object()]}  # fails late, after much of the file was written
    with pytest.raises(TypeError):
        write_index(tmp_path, broken)
    assert (tmp_path / FINDINGS_FILE).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [FINDINGS_FILE, "manifest.json"]
    assert read_index(tmp_path / FINDINGS_FILE)["nodes"].keys() == good["nodes"].keys()


def test_a_half_written_or_foreign_file_is_no_index(tmp_path):
    stamp = {"manifest_sha256": "x"}
    whole = json.dumps(index_from_report(_report(2, 2), stamp))
    (tmp_path / FINDINGS_FILE).write_text(whole[: len(whole) // 2])
    assert read_index(tmp_path / FINDINGS_FILE) is None
    for foreign in (
        '{"format": 1, "nodes": [], "build": {}}',
        '{"format": 1, "nodes": {}, "build": {}, "shapes": []}',
        "[]",
    ):
        (tmp_path / FINDINGS_FILE).write_text(foreign)
        assert read_index(tmp_path / FINDINGS_FILE) is None
    assert findings_for(None, stamp, PLANTED) == {"state": "absent"}


def test_findings_are_escaped():
    from kg.serve.article import principles_section

    index = index_from_report(_report(1, 1), {"manifest_sha256": "x"})
    row = index["nodes"]["https://w3id.org/lattice/id/n0"]["results"][0]
    row["message"] = HOSTILE
    row["severity"] = HOSTILE
    row["norm"] = "javascript:alert(1)"
    index["norms"]["javascript:alert(1)"] = {
        "label": HOSTILE,
        "quote": HOSTILE,
        "locator": HOSTILE,
        "passage": "javascript:x",
    }
    index["validated"] = HOSTILE
    out = principles_section(findings_for(index, {"manifest_sha256": "x"}, "https://w3id.org/lattice/id/n0"), {})
    assert "<script" not in out and "<img" not in out
    assert 'href="javascript' not in out
    assert out.count(html.escape(HOSTILE, quote=True)) >= 3


def test_findings_render_in_the_browser(planted, run_kg, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    from tests.test_pages import _console_errors, _shot

    assert _validate(run_kg, planted).returncode in (0, 1)
    with KgServer(dataset=planted, env={"LATTICE_HOME": str(planted.parent)}) as server:
        browser.get(server.url + "/id/planted-network")
        items = browser.find_elements(By.CSS_SELECTOR, "#principles li.finding")
        assert items and any("accountability to constituencies" in i.text for i in items)
        assert browser.find_elements(By.CSS_SELECTOR, "#principles li.finding blockquote")
        _shot(browser, "entity-findings")
        assert _console_errors(browser) == []


def test_an_update_hides_the_findings_of_the_graph_before_it(planted, run_kg, tmp_path):
    assert _validate(run_kg, planted).returncode in (0, 1)
    token = tmp_path / "token"
    token.write_text("findings-token-0123456789abcdef")
    args = ["--allow-update", "--token-file", str(token), "--workers", "1"]
    with KgServer(dataset=planted, args=args, env={"LATTICE_HOME": str(planted.parent)}) as server:
        before = section(http(server.url + "/id/planted-network")[2].decode(), "principles")
        assert "accountability to constituencies" in before
        update = b"INSERT DATA { GRAPH <urn:t> { <https://w3id.org/lattice/id/planted-network> <urn:p> 1 } }"
        headers = {"Content-Type": "application/sparql-update", "Authorization": "Bearer " + token.read_text()}
        st, _, body = http(server.endpoint, headers, update, "POST")
        assert st == 204, body
        after = section(http(server.url + "/id/planted-network")[2].decode(), "principles")
        assert "updated on this server after it was validated" in after and "<li" not in after
