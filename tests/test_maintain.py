"""Inferences kept by difference (kg.maintain): after random edits, the incremental build equals a full one."""

from __future__ import annotations

import random
import shutil

import pyoxigraph as ox
import pytest

from kg import namespaces as ns
from kg import paths
from kg.build import DATASET, build


def _graphs(out) -> dict:
    """Each named graph of a built dataset: its triples without blank nodes, and how many have one."""
    store = ox.Store()
    store.bulk_load(path=str(out / DATASET), format=ox.RdfFormat.N_QUADS)
    found: dict = {}
    for q in store:
        plain, blank = found.setdefault(q.graph_name.value, (set(), [0]))
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            blank[0] += 1
        else:
            plain.add(str(q.triple))
    return {g: (plain, blank[0]) for g, (plain, blank) in found.items()}


@pytest.fixture
def curated_copy(lattice_home, tmp_path, monkeypatch):
    """A copy of the curated graph the build reads, so that tests can edit it."""
    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data)
    monkeypatch.setattr(paths, "DATA_DIR", data)
    return data


def _triples(path) -> list:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def _write(path, triples) -> None:
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")


def edit(rng: random.Random, data) -> str:
    """One random edit of a curated file: remove triples, copy a node's triples to a new or existing node,
    or remove a whole file."""
    files = sorted(data.glob("*.ttl"))
    f = rng.choice(files)
    triples = _triples(f)
    named = sorted({t.subject for t in triples if isinstance(t.subject, ox.NamedNode)}, key=str)
    kind = rng.choice(["remove", "remove", "copy-new", "copy-existing", "drop-file"])
    if kind == "drop-file" or not named:
        f.unlink()
        return f"removed {f.name}"
    if kind == "remove":
        node = rng.choice(named)
        mine = [t for t in triples if t.subject == node]
        drop = set(rng.sample(mine, k=max(1, len(mine) // 2)))
        _write(f, [t for t in triples if t not in drop])
        return f"{len(drop)} triples of {node} removed from {f.name}"
    source = rng.choice(named)
    target = ox.NamedNode(source.value + "-copy") if kind == "copy-new" else rng.choice(named)
    extra = [ox.Triple(target, t.predicate, t.object) for t in triples if t.subject == source]
    _write(f, triples + extra)
    return f"{len(extra)} triples of {source} copied to {target} in {f.name}"


def test_random_edits_give_the_dataset_of_a_full_build(curated_copy, tmp_path):
    rng = random.Random(19)
    inc, full = tmp_path / "inc", tmp_path / "full"
    build(inc, force=True)
    kept = 0
    for _ in range(12):
        what = edit(rng, curated_copy)
        res = build(inc)
        kept += res.incremental
        build(full, force=True)
        a, b = _graphs(inc), _graphs(full)
        assert a.keys() == b.keys(), what
        for g in a:
            assert a[g] == b[g], (
                f"{what}: graph {g} differs ({len(a[g][0] - b[g][0])} only incremental, "
                f"{len(b[g][0] - a[g][0])} only full)"
            )
    assert kept >= 8  # schema edits are rebuilt in full; the others are kept by difference


def test_a_label_edit_is_kept_by_difference_and_a_schema_edit_is_not(curated_copy, tmp_path):
    out = tmp_path / "b"
    build(out, force=True)
    f = curated_copy / "ngos.ttl"
    triples = _triples(f)
    label = next(t for t in triples if t.predicate.value == ns.PREFIXES["rdfs"] + "label")
    changed = ox.Triple(label.subject, label.predicate, ox.Literal(label.object.value + " (edited)", language="en"))
    _write(f, [changed if t == label else t for t in triples])
    res = build(out)
    assert res.incremental and res.parsed == [str(f)]
    assert str(changed) in _graphs(out)[ns.curated_graph("ngos")][0]
    sub = ox.Triple(
        ox.NamedNode(ns.LAT + "TestOnlyClass"),
        ox.NamedNode(ns.PREFIXES["rdfs"] + "subClassOf"),
        ox.NamedNode(ns.LAT + "NGO"),
    )
    _write(f, [*_triples(f), sub])
    assert not build(out).incremental  # the class hierarchy is the rules' input: they run from scratch
