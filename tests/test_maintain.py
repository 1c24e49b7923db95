"""Inferences kept by difference (kg.maintain): after random edits, the incremental build equals a full one."""

from __future__ import annotations

import json
import random
import shutil

import pyoxigraph as ox
import pytest

from kg import diskindex, paths
from kg import namespaces as ns
from kg.build import build, read_manifest
from kg.diskindex import DISK_INDEX
from kg.search import INDEX_FILE
from kg.store import dataset_file

LABEL = ns.PREFIXES["rdfs"] + "label"


def _graphs(out) -> dict:
    """Each named graph of a built dataset: its triples without blank nodes, and how many have one."""
    store = ox.Store()
    store.bulk_load(path=str(dataset_file(out)), format=ox.RdfFormat.N_QUADS)
    found: dict = {}
    for q in store:
        plain, blank = found.setdefault(q.graph_name.value, (set(), [0]))
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            blank[0] += 1
        else:
            plain.add(str(q.triple))
    return {g: (plain, blank[0]) for g, (plain, blank) in found.items()}


@pytest.fixture(params=["in memory", "on disk"])
def curated_copy(request, lattice_home, tmp_path, monkeypatch):
    """A copy of the curated graph the build reads, so that tests can edit it; built in memory, or kept up to
    date on the on-disk index as a large dataset is (every dataset counts as large)."""
    monkeypatch.setattr(diskindex, "DISK_INDEX_MIN_TRIPLES", 0 if request.param == "on disk" else 10**12)
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
    kind = rng.choice(["remove", "remove", "copy-new", "copy-existing", "relabel", "drop-file"])
    if kind == "drop-file" or not named:
        f.unlink()
        return f"removed {f.name}"
    if kind == "relabel":  # labels are read by some derivation rules, about some nodes only (guarded reads)
        node = rng.choice(named)
        label = ox.Triple(node, ox.NamedNode(LABEL), ox.Literal(f"relabelled {rng.random()}", language="en"))
        _write(f, [t for t in triples if not (t.subject == node and t.predicate.value == LABEL)] + [label])
        return f"{node} relabelled in {f.name}"
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
    edits = 12 if diskindex.DISK_INDEX_MIN_TRIPLES else 6  # on disk: fewer, each copies the index
    for _ in range(edits):
        what = edit(rng, curated_copy)
        res = build(inc)
        kept += res.incremental
        assert (inc / DISK_INDEX).is_dir() == (res.incremental and diskindex.DISK_INDEX_MIN_TRIPLES == 0)
        build(full, force=True)
        a, b = _graphs(inc), _graphs(full)
        assert a.keys() == b.keys(), what
        for g in a:
            assert a[g] == b[g], (
                f"{what}: graph {g} differs ({len(a[g][0] - b[g][0])} only incremental, "
                f"{len(b[g][0] - a[g][0])} only full)"
            )
        assert json.loads((inc / INDEX_FILE).read_text()) == json.loads((full / INDEX_FILE).read_text()), what
        assert read_manifest(inc)["graphs"] == read_manifest(full)["graphs"], what  # sizes counted by difference
    assert kept >= edits * 2 // 3  # schema edits are rebuilt in full; the others are kept by difference


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


def _relabel(path, subject, text) -> None:
    triples = _triples(path)
    _write(
        path,
        [t for t in triples if not (t.subject == subject and t.predicate.value == LABEL)]
        + [ox.Triple(subject, ox.NamedNode(LABEL), ox.Literal(text, language="en"))],
    )


def test_a_label_only_some_derivation_rules_read_reruns_them_only_where_they_read_it(curated_copy, tmp_path):
    inc, full = tmp_path / "inc", tmp_path / "full"
    iso3 = ns.LAT + "iso3"
    curated = "".join(f.read_text() for f in curated_copy.glob("*.ttl"))
    state = next(  # a state whose legislature the curated graph does not describe (and name)
        t.subject
        for t in _triples(curated_copy / "states.ttl")
        if t.predicate.value == iso3 and f"{t.object.value.lower()}-legislature" not in curated
    )
    # a democratic spell (test data): electoral-legislature mints the state's legislature, named after the state
    (curated_copy / "test-spell.ttl").write_text(
        f"<{ns.LAT_ID}test-spell> a <{ns.LAT}DemocraticSpell> ; <{ns.LAT}regimeState> {state} ;"
        f" <{ns.LAT}firstYear> 1990 ; <{ns.LAT}lastYear> 2000 .\n"
    )
    build(inc, force=True)
    ngo = next(t.subject for t in _triples(curated_copy / "ngos.ttl") if t.predicate.value == LABEL)
    _relabel(curated_copy / "ngos.ttl", ngo, "an NGO renamed")
    res = build(inc)
    assert res.incremental and not res.derived_again  # no rule reads the label of a node without an ISO code
    _relabel(curated_copy / "states.ttl", state, "a state renamed")
    res = build(inc)
    derived = _graphs(inc)[ns.GRAPH_DERIVED][0]
    assert any('"national legislature of a state renamed"@en' in t for t in derived)
    build(full, force=True)
    assert _graphs(inc) == _graphs(full)
    assert res.incremental and res.derived_again


def test_blank_nodes_parsed_anew_are_matched_to_the_old_ones():
    from kg.maintain import align_blank_nodes

    p, q = ox.NamedNode("http://example.org/p"), ox.NamedNode("http://example.org/q")
    a, b, c = (ox.NamedNode(f"http://example.org/{x}") for x in "abc")

    def graph(x, y, z) -> set:  # x, y: distinct blank nodes; z: a blank node like another
        return {ox.Triple(a, p, x), ox.Triple(x, q, b), ox.Triple(a, q, y), ox.Triple(y, p, x), ox.Triple(c, p, z)}

    old = graph(ox.BlankNode("o1"), ox.BlankNode("o2"), ox.BlankNode("o3"))
    old |= {ox.Triple(c, p, ox.BlankNode("o4"))}  # o3 and o4 look alike: neither is matched
    new = graph(ox.BlankNode("n1"), ox.BlankNode("n2"), ox.BlankNode("n3")) | {ox.Triple(c, p, ox.BlankNode("n4"))}
    aligned = align_blank_nodes(old, new)
    assert len(aligned) == len(new)
    assert old - aligned == {ox.Triple(c, p, ox.BlankNode("o3")), ox.Triple(c, p, ox.BlankNode("o4"))}
