"""Builds and validations too large for memory work on disk, with the same results (kg/memory.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import memory
from kg.build import DATASET, DERIVED, build
from kg.errors import InputError, UsageError
from kg.store import dataset_file
from kg.validate import validate

# A budget no input fits in: everything goes on disk.
TINY = "1k"


@pytest.mark.parametrize(
    ("text", "size"),
    [("4G", 4 << 30), ("512M", 512 << 20), ("1.5g", 3 << 29), ("1000", 1000), ("2 GiB", 2 << 30), ("8kb", 8192)],
)
def test_sizes_are_read(text, size):
    assert memory.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "4X", "-1G", "four"])
def test_a_bad_size_is_refused(text, monkeypatch):
    with pytest.raises(ValueError, match="not a size"):
        memory.parse_size(text)
    if text.strip():
        monkeypatch.setenv(memory.MEMORY_ENV, text)
        with pytest.raises(UsageError, match=memory.MEMORY_ENV):
            memory.budget()


def test_the_budget_decides_what_fits(tmp_path, monkeypatch):
    nt = tmp_path / "a.nt"
    nt.write_bytes(b"<urn:a> <urn:b> <urn:c> .\n" * 6000)  # 156,000 bytes: about 1,040 triples
    ttl = tmp_path / "a.ttl"
    ttl.write_bytes(b"x" * 41_600)  # denser: as many triples from fewer bytes
    assert memory.estimated_triples([nt]) == memory.estimated_triples([ttl]) == 1040
    assert memory.estimated_triples([tmp_path / "missing.nt"]) == 0
    need = memory.estimated_peak([nt], "build")
    assert need == memory.BASE_PEAK + 1040 * memory.PEAK_PER_TRIPLE["build"]
    monkeypatch.setenv(memory.MEMORY_ENV, str(need))
    assert memory.fits([nt], "build")
    assert not memory.fits([nt, ttl], "build")
    monkeypatch.delenv(memory.MEMORY_ENV)
    free = memory.available()
    assert free is None or memory.budget() == int(free * memory.SHARE_OF_AVAILABLE)


def _quads(path: Path) -> set[str]:
    """The quads of an N-Quads file, blank nodes renamed canonically (each parse and build names them anew)."""
    dataset = ox.Dataset(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(q) for q in dataset}


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The repository's graph built twice with no imports: in memory, and on disk under a tiny budget."""
    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("bounded")
    mp.setenv("LATTICE_HOME", str(root / "home"))
    try:
        in_memory = build(root / "memory")
        mp.setenv(memory.MEMORY_ENV, TINY)
        on_disk = build(root / "disk")
    finally:
        mp.undo()
    return in_memory, on_disk


def test_a_build_too_large_for_memory_happens_on_disk_with_the_same_dataset(builds):
    in_memory, on_disk = builds
    assert on_disk.on_disk and not in_memory.on_disk
    assert not (on_disk.out / DATASET).exists()  # written from the index when a command needs it
    for name in ("graphs", "triples", "inferred"):
        assert (
            json.loads((on_disk.out / "manifest.json").read_text())[name]
            == json.loads((in_memory.out / "manifest.json").read_text())[name]
        )
    assert _quads(on_disk.out / DERIVED) == _quads(in_memory.out / DERIVED)
    assert (on_disk.out / "search.json").read_bytes() == (in_memory.out / "search.json").read_bytes()
    assert _quads(dataset_file(on_disk.out)) == _quads(in_memory.out / DATASET)


def test_an_edit_of_a_build_on_disk_gives_the_full_build(builds, tmp_path, monkeypatch):
    from kg import paths

    _, on_disk = builds
    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data)
    monkeypatch.setattr(paths, "DATA_DIR", data)
    monkeypatch.setenv("LATTICE_HOME", str(tmp_path / "home"))
    with open(data / "ngos.ttl", "a") as f:
        f.write("\n<https://w3id.org/lattice/id/test-ngo> a <https://w3id.org/lattice/ontology#NGO> .\n")
    out = tmp_path / "edited"
    shutil.copytree(on_disk.out, out)
    monkeypatch.setenv(memory.MEMORY_ENV, TINY)
    assert build(out).on_disk
    monkeypatch.delenv(memory.MEMORY_ENV)
    expected = build(tmp_path / "full", force=True)
    assert _quads(dataset_file(out)) == _quads(expected.out / DATASET)
    assert _quads(out / DERIVED) == _quads(expected.out / DERIVED)


def _keys(report) -> list:
    return sorted((r.focus, r.path, r.value, r.shape, r.component, r.severity) for r in report.results)


def test_rules_writing_their_outputs_to_files_give_the_same_inferences(builds, tmp_path):
    from kg.inference import materialize
    from kg.namespaces import GRAPH_DERIVED, GRAPH_INFERRED

    in_memory, _ = builds
    made = {GRAPH_INFERRED, GRAPH_DERIVED}
    found = []
    for spill in (None, tmp_path):
        store = ox.Store()
        store.bulk_extend(
            q
            for q in ox.parse(path=str(in_memory.out / DATASET), format=ox.RdfFormat.N_QUADS)
            if q.graph_name.value not in made
        )
        materialize(store, count=False, spill=spill)
        found.append({str(q) for g in sorted(made) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))})
    assert found[0] and found[0] == found[1]
    assert [p for p in tmp_path.iterdir() if p.stat().st_size]  # the outputs went through files


def test_a_validation_too_large_for_memory_happens_on_disk_with_the_same_results(builds, monkeypatch, tmp_path, capsys):
    from kg import diskindex
    from kg.validate.incremental import state_dir
    from kg.validate.ondisk import VALIDATED

    in_memory, _ = builds
    monkeypatch.setenv("LATTICE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(diskindex, "DISK_INDEX_MIN_TRIPLES", 0)  # large: the validated graph is kept
    assert not state_dir(in_memory.out).exists()  # the first run makes the state's folder
    monkeypatch.setenv(memory.MEMORY_ENV, TINY)
    kept = validate(dataset=in_memory.out, keep_state=True, full=True)
    assert kept.incremental.on_disk and "on disk" in kept.incremental.line()
    assert (state_dir(in_memory.out) / VALIDATED).is_dir()
    again = validate(dataset=in_memory.out, keep_state=True)  # nothing changed: the state kept on disk is used
    files = validate([in_memory.out / DATASET])
    assert "validate on disk" in capsys.readouterr().err
    monkeypatch.delenv(memory.MEMORY_ENV)
    expected = validate(dataset=in_memory.out, keep_state=True, full=True)
    assert expected.results and not expected.incremental.on_disk
    assert _keys(kept) == _keys(expected)
    assert again.incremental.mode == "incremental" and _keys(again) == _keys(expected)
    assert _keys(files) == _keys(validate([in_memory.out / DATASET]))
    assert not list(tmp_path.glob("**/store.tmp-*"))


def test_a_file_named_by_a_relative_path_is_validated_on_disk(builds, monkeypatch, tmp_path):
    import pyoxigraph as ox

    in_memory, _ = builds
    triples = (q.triple for q in ox.parse(path=str(in_memory.out / DATASET), format=ox.RdfFormat.N_QUADS))
    (tmp_path / "data.nt").write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    monkeypatch.setenv("LATTICE_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    expected = validate(["data.nt"])
    monkeypatch.setenv(memory.MEMORY_ENV, TINY)
    on_disk = validate(["data.nt"])
    assert expected.results and _keys(on_disk) == _keys(expected)
    (tmp_path / "relative.ttl").write_text("<a> <urn:p> <b> .\n")  # a relative IRI: no base, on disk as in memory
    with pytest.raises(InputError) as err:
        validate(["relative.ttl"])
    assert "relative.ttl:1:" in str(err.value)
    monkeypatch.delenv(memory.MEMORY_ENV)
    with pytest.raises(InputError):
        validate(["relative.ttl"])


def test_bad_input_on_disk_names_the_place_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    from kg.cli import main

    bad = tmp_path / "bad.nt"
    bad.write_text("<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> .\n")
    monkeypatch.setenv("LATTICE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(memory.MEMORY_ENV, TINY)
    with pytest.raises(InputError) as err:
        build(tmp_path / "out", extra=[bad])
    assert f"{bad}:2:" in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "bad.nt"]  # no dataset, no leftover
    assert main(["validate", str(bad)]) == 2
    assert f"{bad}:2:" in capsys.readouterr().err


def test_a_dataset_too_large_for_memory_is_served_from_a_copy_of_its_index(builds, tmp_path):
    import urllib.parse
    import urllib.request

    from kg.thirdparty import KgServer

    _, on_disk = builds
    env = {"LATTICE_MEMORY": TINY, "TMPDIR": str(tmp_path), "LATTICE_HOME": str(tmp_path / "home")}
    query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    with KgServer(dataset=on_disk.out, env=env) as server:
        copies = list(tmp_path.glob("lattice-serve-*/store"))
        request = urllib.request.Request(
            f"{server.endpoint}?{query}", headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(request, timeout=30) as r:
            n = json.loads(r.read())["results"]["bindings"][0]["n"]["value"]
        assert "copy of the on-disk index" in server.log_text()
    assert len(copies) == 1 and int(n) == on_disk.triples
    assert not list(tmp_path.glob("lattice-serve-*"))  # removed when the server stopped
