"""Tests of how commands open the built dataset: in memory, or through the on-disk index of a large dataset."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import diskindex
from kg import store as kstore
from kg.build import build
from kg.query import run_named, run_sparql

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture
def dataset(tmp_path, monkeypatch):
    """A private build of the repository's graph, with every dataset counting as large."""
    monkeypatch.setenv("LATTICE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(diskindex, "DISK_INDEX_MIN_TRIPLES", 0)
    out = tmp_path / "build"
    build(out)
    return out


def test_a_large_dataset_is_read_through_an_on_disk_index_made_once(dataset, capsys):
    in_memory = kstore.open_store(dataset, build_if_needed=False)
    expected = run_sparql(COUNT, store=in_memory)[0]["n"]
    assert run_sparql(COUNT, dataset=dataset)[0]["n"] == expected
    index = dataset / kstore.DISK_INDEX
    assert index.is_dir() and "indexing" in capsys.readouterr().err
    made = index.stat().st_mtime_ns
    fatf = "https://w3id.org/lattice/id/fatf"
    assert run_named("accountability-chain", dataset=dataset, actor=fatf) == run_named(
        "accountability-chain", store=in_memory, actor=fatf
    )
    assert index.stat().st_mtime_ns == made and "indexing" not in capsys.readouterr().err
    with pytest.raises(RuntimeError, match="read-write"):  # read-only: a query cannot change the dataset
        kstore.open_read_store(dataset).update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_a_rebuild_drops_the_index_and_small_datasets_load_into_memory(dataset, monkeypatch):
    kstore.open_read_store(dataset)
    assert (dataset / kstore.DISK_INDEX).is_dir()
    build(dataset, force=True)
    assert not (dataset / kstore.DISK_INDEX).exists()
    monkeypatch.setenv("LATTICE_DISK_INDEX", "0")
    kstore.open_read_store(dataset).update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")  # an in-memory copy
    assert not (dataset / kstore.DISK_INDEX).exists()
    monkeypatch.delenv("LATTICE_DISK_INDEX")
    monkeypatch.setattr(diskindex, "DISK_INDEX_MIN_TRIPLES", 10**9)
    kstore.open_read_store(dataset).update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert not (dataset / kstore.DISK_INDEX).exists()


@pytest.mark.parametrize("where", ["index", "lock"])
def test_an_index_that_cannot_be_written_falls_back_to_memory(dataset, monkeypatch, capsys, where):
    import contextlib

    import kg.build

    def fail(*args):
        raise OSError("no space left on device" if where == "index" else "read-only file system")

    if where == "index":
        monkeypatch.setattr(kstore, "make_index", fail)
    else:  # a dataset folder the user may read but not write: even the lock file cannot be made
        monkeypatch.setattr(kg.build, "lock", lambda out: contextlib.nullcontext(fail()))
    store = kstore.open_read_store(dataset)
    assert isinstance(store, ox.Store) and len(store) > 1000
    assert "cannot write the on-disk index" in capsys.readouterr().err
    assert not any(p.name.startswith(kstore.DISK_INDEX) for p in dataset.iterdir())


def test_an_incremental_build_carries_the_index_over_and_writes_the_file_when_asked(dataset, tmp_path, monkeypatch):
    import shutil

    from kg import paths
    from kg.build import DATASET

    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data)
    monkeypatch.setattr(paths, "DATA_DIR", data)
    build(dataset, force=True)
    ngos = data / "ngos.ttl"
    ngos.write_text(ngos.read_text() + '\n<urn:x:ngo> <http://www.w3.org/2000/01/rdf-schema#label> "an NGO"@en .\n')
    res = build(dataset)
    assert res.incremental and (dataset / kstore.DISK_INDEX).is_dir() and not (dataset / DATASET).exists()
    ask = 'ASK { <urn:x:ngo> ?p "an NGO"@en }'
    assert kstore.open_read_store(dataset).query(ask, use_default_graph_as_union=True)  # the index, updated
    assert not (dataset / DATASET).exists()
    assert kstore.open_store(dataset, build_if_needed=False).query(ask, use_default_graph_as_union=True)
    assert (dataset / DATASET).is_file()  # written from the index, once
    monkeypatch.setenv("LATTICE_DISK_INDEX", "0")  # turned off: the incremental build works in memory
    ngos.write_text(ngos.read_text() + '\n<urn:x:ngo2> <http://www.w3.org/2000/01/rdf-schema#label> "another"@en .\n')
    res = build(dataset)
    assert res.incremental and (dataset / DATASET).is_file() and not (dataset / kstore.DISK_INDEX).exists()
