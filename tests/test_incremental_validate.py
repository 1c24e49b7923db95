"""Incremental validation: an edit re-checks only the focus nodes it can affect, with the results of a full run."""

from __future__ import annotations

import json
from collections import Counter

import pyoxigraph as ox
import pytest

from kg.shacl.affected import affected_nodes, analyse
from kg.shacl.engine import Engine
from kg.validate.incremental import Outcome, run_full, run_narrowed
from tests.test_validate_repo import MISTAKES, data_repo, finding_lines, git, kg  # noqa: F401 (data_repo: a fixture)

PREFIX = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def store_of(ttl: str) -> ox.Store:
    s = ox.Store()
    s.load((PREFIX + ttl).encode(), format=ox.RdfFormat.TURTLE)
    return s


def triples(store: ox.Store) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store}


def multiset(grouped) -> Counter:
    return Counter(
        (r.focus, r.shape, r.component, r.severity, r.path, r.value, r.message) for v in grouped.values() for r in v
    )


def edit(shapes_ttl: str, before: str, after: str):
    """Validate BEFORE in full, then AFTER incrementally; return (incremental, full, outcome, changed)."""
    shapes = store_of(shapes_ttl)
    old, new = store_of(before), store_of(after)
    previous = run_full(old, shapes, 1)
    changed = sorted(triples(old) ^ triples(new), key=str)
    outcome = Outcome()
    incremental = run_narrowed(new, shapes, 1, changed, previous, outcome)
    full = run_full(store_of(after), shapes, 1)
    return incremental, full, outcome, changed, previous


def endpoints(changed) -> set[str]:
    return {t.subject.value for t in changed} | {getattr(t.object, "value", "") for t in changed}


INVERSE = """ex:S a sh:NodeShape ; sh:targetClass ex:Body ;
  sh:property [ sh:path [ sh:inversePath ex:oversees ] ; sh:class ex:Court ] ."""


def test_an_edit_reached_only_through_an_inverse_path():
    before = "ex:b a ex:Body . ex:c ex:oversees ex:b . ex:c a ex:Court ."
    after = "ex:b a ex:Body . ex:c ex:oversees ex:b . ex:c a ex:Agency ."
    inc, full, outcome, changed, previous = edit(INVERSE, before, after)
    assert "http://example.org/b" not in endpoints(changed)  # only ex:c's type changed
    assert multiset(previous) != multiset(full)  # ... and ex:b's result did change
    assert multiset(inc) == multiset(full)
    assert outcome.shapes_narrowed == 1 and outcome.shapes_whole == 0


SEQUENCE = """ex:S a sh:NodeShape ; sh:targetClass ex:Treaty ;
  sh:property [ sh:path ( ex:party ex:memberOf ) ; sh:minCount 1 ] ."""


def test_an_edit_reached_only_through_a_sequence_path():
    before = "ex:t a ex:Treaty ; ex:party ex:s . ex:s ex:memberOf ex:un . ex:t2 a ex:Treaty ; ex:party ex:z ."
    after = "ex:t a ex:Treaty ; ex:party ex:s . ex:t2 a ex:Treaty ; ex:party ex:z ."
    inc, full, outcome, changed, previous = edit(SEQUENCE, before, after)
    assert "http://example.org/t" not in endpoints(changed)
    assert any(r.focus == "http://example.org/t" for v in full.values() for r in v)
    assert not any(r.focus == "http://example.org/t" for v in previous.values() for r in v)
    assert multiset(inc) == multiset(full)
    assert outcome.rechecked == 1  # ex:t, not ex:t2
    assert outcome.reused == 1  # ex:t2's result


CLOSURE = """ex:S a sh:NodeShape ; sh:targetClass ex:Agent ;
  sh:property [ sh:path [ sh:oneOrMorePath ex:accountableTo ] ; sh:qualifiedValueShape [ sh:class ex:Electorate ] ;
                sh:qualifiedMinCount 1 ] ."""


def test_an_edit_reached_only_through_a_closure_path():
    chain = "ex:a a ex:Agent ; ex:accountableTo ex:b . ex:b ex:accountableTo ex:c . ex:c ex:accountableTo ex:d . "
    before = chain + "ex:d a ex:Electorate . ex:x a ex:Agent ; ex:accountableTo ex:d ."
    after = chain + "ex:x a ex:Agent ; ex:accountableTo ex:d ."
    inc, full, _outcome, changed, previous = edit(CLOSURE, before, after)
    assert "http://example.org/a" not in endpoints(changed)
    assert multiset(previous) != multiset(full)
    assert multiset(inc) == multiset(full)
    shapes = Engine(store_of(after), store_of(CLOSURE))
    shape = next(s for s in shapes.top_shapes())
    reads = analyse(shapes, shape)
    assert reads is not None and reads.depth is None  # a closure: walked to the end
    nodes = affected_nodes(store_of(after), reads, changed, 100)
    assert {"http://example.org/a", "http://example.org/x"} <= {getattr(n, "value", "") for n in nodes}


def test_a_target_change_through_rdf_type():
    shapes = "ex:S a sh:NodeShape ; sh:targetClass ex:Body ; sh:property [ sh:path ex:name ; sh:minCount 1 ] ."
    before = "ex:a a ex:Thing . ex:b a ex:Body ; ex:name 'b' ."
    after = "ex:a a ex:Body . ex:b a ex:Body ; ex:name 'b' ."
    inc, full, _outcome, _changed, previous = edit(shapes, before, after)
    assert not previous.get("http://example.org/S") and full["http://example.org/S"]
    assert multiset(inc) == multiset(full)


def test_a_target_change_through_the_class_hierarchy_is_seen():
    shapes = "ex:S a sh:NodeShape ; sh:targetClass ex:Body ; sh:property [ sh:path ex:name ; sh:minCount 1 ] ."
    before = "ex:a a ex:Court . ex:Other rdfs:subClassOf ex:Body ."
    after = "ex:a a ex:Court . ex:Court rdfs:subClassOf ex:Body ."
    inc, full, _outcome, _changed, _previous = edit(shapes, before, after)
    assert multiset(inc) == multiset(full) and full["http://example.org/S"]


def test_a_deletion_that_removes_a_violation():
    shapes = "ex:S a sh:NodeShape ; sh:targetClass ex:Body ; sh:property [ sh:path ex:name ; sh:maxCount 1 ] ."
    before = "ex:a a ex:Body ; ex:name 'a', 'A' . ex:b a ex:Body ; ex:name 'b', 'B' ."
    after = "ex:a a ex:Body ; ex:name 'a' . ex:b a ex:Body ; ex:name 'b', 'B' ."
    inc, full, outcome, _changed, previous = edit(shapes, before, after)
    assert sum(len(v) for v in previous.values()) == 2 and sum(len(v) for v in full.values()) == 1
    assert multiset(inc) == multiset(full)
    assert outcome.reused == 1  # ex:b's violation is taken over, not re-checked


SPARQL = """ex:S a sh:NodeShape ; sh:targetNode ex:registry ;
  sh:sparql [ sh:select "SELECT $this ?value WHERE { ?value <http://example.org/score> ?s . FILTER(?s > 10) }" ] ."""


def test_a_sparql_constraint_bound_by_its_value_is_rechecked_for_the_changed_values():
    before = "ex:a ex:score 5 . ex:b ex:score 20 ."
    after = "ex:a ex:score 50 . ex:b ex:score 20 ."
    inc, full, outcome, _changed, previous = edit(SPARQL, before, after)
    assert len(full["http://example.org/S"]) == 2 and len(previous["http://example.org/S"]) == 1
    assert multiset(inc) == multiset(full)
    assert outcome.shapes_whole == 0 and outcome.shapes_narrowed == 1
    # a result whose value the edit does not name is kept; one it names goes
    inc, full, outcome, _changed, _previous = edit(SPARQL, after, "ex:a ex:score 1 . ex:b ex:score 20 .")
    assert multiset(inc) == multiset(full) and len(full["http://example.org/S"]) == 1
    # through a pattern that does not name ?value, a result depends on other triples: validated whole
    linked = SPARQL.replace(
        "?value <http://example.org/score> ?s", "?value <http://example.org/link> ?x . ?x <http://example.org/score> ?s"
    )
    before = "ex:a ex:link ex:b . ex:b ex:score 5 ."
    inc, full, outcome, _changed, previous = edit(linked, before, "ex:a ex:link ex:b . ex:b ex:score 50 .")
    assert len(full["http://example.org/S"]) == 1 and not previous.get("http://example.org/S")
    assert multiset(inc) == multiset(full) and outcome.shapes_whole == 1


# every term used as a predicate, unless declared (the shape of lat-sh:NoUndeclaredTerm)
UNDECLARED = (
    'ex:S a sh:NodeShape ; sh:targetNode ex:registry ; sh:sparql [ sh:select "SELECT $this ?value WHERE { '
    "{ SELECT DISTINCT $this ?value WHERE { ?s ?value ?o } } "
    'FILTER NOT EXISTS { ?value a <http://example.org/Declared> } }" ] .'
)


def test_a_sparql_constraint_over_every_predicate_is_rechecked_for_the_changed_terms():
    base = "ex:p a ex:Declared . ex:x ex:p 1 . ex:Declared a ex:Declared . "
    inc, full, outcome, _changed, previous = edit(UNDECLARED, base, base + "ex:x ex:q 2 .")
    assert (
        multiset(inc) == multiset(full)
        and len(full["http://example.org/S"]) == len(previous["http://example.org/S"]) + 1
    )
    assert outcome.shapes_whole == 0
    inc, full, outcome, _changed, previous = edit(UNDECLARED, base + "ex:x ex:q 2 .", base + "ex:q a ex:Declared .")
    assert (
        multiset(inc) == multiset(full)
        and len(full["http://example.org/S"]) == len(previous["http://example.org/S"]) - 1
    )


def test_a_full_run_records_what_sparql_constraints_read_for_the_next_run(monkeypatch):
    import kg.sparqlalgebra

    base = "ex:p a ex:Declared . ex:x ex:p 1 . ex:Declared a ex:Declared . "
    shapes, old, new = store_of(UNDECLARED), store_of(base), store_of(base + "ex:x ex:q 2 .")
    summaries: dict = {}
    previous = run_full(old, shapes, 1, summaries)
    assert [v["any_predicate"] for v in summaries.values()] == [True]
    monkeypatch.setattr(kg.sparqlalgebra, "summary", lambda text: pytest.fail("parsed again"))
    outcome = Outcome()
    changed = sorted(triples(old) ^ triples(new), key=str)
    inc = run_narrowed(new, shapes, 1, changed, previous, outcome, summaries)
    assert multiset(inc) == multiset(run_full(new, shapes, 1)) and outcome.shapes_whole == 0


def test_a_sparql_constraint_that_reads_none_of_the_changed_predicates_keeps_its_results():
    shapes = SPARQL.replace("sh:targetNode ex:registry", "sh:targetSubjectsOf ex:score")
    inc, full, outcome, _changed, previous = edit(shapes, "ex:b ex:score 20 .", "ex:b ex:score 20 ; ex:label 'b' .")
    assert multiset(inc) == multiset(full) == multiset(previous) and outcome.reused == 1
    assert outcome.shapes_whole == 0 and outcome.shapes_narrowed == 0
    # one that reads a changed predicate and is not bound by its value is validated whole
    inc, full, outcome, _changed, _previous = edit(
        shapes, "ex:b ex:score 20 .", "ex:b ex:score 20 . ex:c ex:score 30 ."
    )
    assert multiset(inc) == multiset(full) and outcome.shapes_whole == 1


def test_an_edit_no_shape_reads_rechecks_nothing_but_keeps_the_results():
    inc, full, outcome, _changed, previous = edit(
        SEQUENCE, "ex:t a ex:Treaty ; ex:party ex:s .", "ex:t a ex:Treaty ; ex:party ex:s . ex:q ex:label 'x' ."
    )
    assert multiset(inc) == multiset(full) == multiset(previous) and sum(len(v) for v in full.values()) == 1
    assert outcome.rechecked == 0 and outcome.reused == 1


@pytest.mark.parametrize(
    "shape",
    [
        # a property shape's own property shapes report on its value nodes: validated whole
        "ex:S sh:targetClass ex:Body ; sh:path ex:seat ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .",
        "ex:S sh:targetClass ex:Body ; sh:sparql [ sh:select 'SELECT $this WHERE { }' ] .",
    ],
)
def test_shapes_the_analysis_cannot_follow(shape):
    engine = Engine(store_of(""), store_of(shape))
    assert analyse(engine, engine.top_shapes()[0]) is None


def test_a_deep_walk_gives_up_and_validates_the_shape_whole():
    chain = " ".join(f"ex:n{i} ex:next ex:n{i + 1} ." for i in range(50))
    shapes = "ex:S a sh:NodeShape ; sh:targetClass ex:Node ; sh:property [ sh:path [ sh:zeroOrMorePath ex:next ] ; sh:class ex:Node ] ."
    store = store_of(chain)
    engine = Engine(store, store_of(shapes))
    reads = analyse(engine, engine.top_shapes()[0])
    changed = [
        ox.Triple(
            ox.NamedNode("http://example.org/n50"),
            ox.NamedNode("http://example.org/next"),
            ox.NamedNode("http://example.org/z"),
        )
    ]
    assert len(affected_nodes(store, reads, changed, 100)) == 52
    assert affected_nodes(store, reads, changed, 10) is None


# ------------------------------------------------------------------ random edits of the curated graph


def _rewrite(path, triples) -> None:
    path.write_bytes(ox.serialize([ox.Triple(*t) for t in triples], format=ox.RdfFormat.N_TRIPLES) or b"")


def _random_edit(rng, data, classes) -> str:
    """Apply one random edit to the curated files in DATA; return what it did."""
    files = sorted(data.glob("*.ttl"))
    f = rng.choice(files)
    ts = [(t.subject, t.predicate, t.object) for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
    kind = rng.choice(["delete", "add", "literal", "type", "retype", "hundred", "remove-file"])
    if kind == "remove-file" and len(files) > 3:
        f.unlink()
        return f"removed {f.name}"
    if not ts:
        return "nothing"
    if kind in ("delete", "hundred"):
        n = 50 if kind == "hundred" else rng.randint(1, 4)
        for t in rng.sample(ts, min(n, len(ts) - 1)):
            ts.remove(t)
    if kind in ("add", "hundred"):
        subjects = sorted({t[0] for t in ts}, key=str)
        for _ in range(50 if kind == "hundred" else 1):
            s, p, o = rng.choice(ts)
            ts.append((rng.choice(subjects), p, o))
    if kind == "literal":
        lits = [t for t in ts if isinstance(t[2], ox.Literal)]
        if lits:
            s, p, o = rng.choice(lits)
            ts.remove((s, p, o))
            lexical = rng.choice([o.value + " edited", "1999-13-45", "", "12"])
            ts.append(
                (
                    s,
                    p,
                    ox.Literal(lexical, datatype=o.datatype) if not o.language else ox.Literal(lexical, language="fr"),
                )
            )
    if kind == "type":
        s = rng.choice(sorted({t[0] for t in ts}, key=str))
        ts.append((s, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), rng.choice(classes)))
    if kind == "retype":
        typed = [t for t in ts if t[1].value.endswith("22-rdf-syntax-ns#type")]
        if typed:
            ts.remove(rng.choice(typed))
    _rewrite(f, ts)
    return f"{kind} in {f.name}"


@pytest.mark.parametrize("where", ["in memory", "on disk"])
def test_random_edits_of_the_curated_graph_give_the_results_of_a_full_run(tmp_path, monkeypatch, where):
    import random
    import shutil

    from kg import diskindex, paths
    from kg.build import build
    from kg.validate.incremental import current_sources, load_shapes_stable, load_sources, validate_dataset
    from kg.validate.inputs import shape_files

    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data)
    monkeypatch.setattr(paths, "DATA_DIR", data)
    monkeypatch.setenv("LATTICE_HOME", str(tmp_path / "home"))  # no imports
    # on disk: every dataset counts as large, so the build and the validated graph are kept up to date on disk
    monkeypatch.setattr(diskindex, "DISK_INDEX_MIN_TRIPLES", 0 if where == "on disk" else 10**12)
    out = tmp_path / "build"
    shapes_used = [str(f) for f in shape_files()]
    shapes = load_shapes_stable(shapes_used)
    classes = sorted(
        {
            t.object
            for f in data.glob("*.ttl")
            for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)
            if t.predicate.value.endswith("22-rdf-syntax-ns#type")
        },
        key=str,
    )
    rng = random.Random(3)  # with this seed, a walk that stops at the changed triples fails the test
    build(out)
    _, _, first, _ = validate_dataset(out, shapes, shapes_used, 1)
    assert first.mode == "full"
    kinds = Counter()
    edits = 12 if where == "in memory" else 7
    for _ in range(edits):
        what = _random_edit(rng, data, classes)
        build(out)
        _store, results, outcome, _ = validate_dataset(out, shapes, shapes_used, 1)
        full = run_full(load_sources(current_sources(out)), shapes, 1)
        assert Counter(results) == Counter(r for v in full.values() for r in v), what
        kinds[outcome.mode] += 1
        kinds["on disk"] += outcome.on_disk
    assert kinds["incremental"] >= edits - 2  # a changed ontology or hierarchy may force a full run, an edit may not
    on_disk = kinds["on disk"]
    assert (edits - 3 <= on_disk <= edits) if where == "on disk" else on_disk == 0


# ------------------------------------------------------------------ kg validate --repo --since REF


@pytest.fixture
def since_repo(request):
    """A git repository of the worked example's data, committed (tests/test_validate_repo.py)."""
    return request.getfixturevalue("data_repo")


NEW_MISTAKE = """@prefix lat: <https://w3id.org/lattice/ontology#> .
@prefix ex: <https://example.org/nrn/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
ex:membership-early a org:Membership ;
    org:member ex:carpathia-supervisor ; org:organization ex:nrn ;
    lat:startDate "spring 2009" ;
    dcterms:source ex:report-2015-membership .
"""


def test_since_reports_the_focus_nodes_a_commit_range_can_affect(since_repo, capsys):
    (since_repo / "data" / "old.ttl").write_text(MISTAKES)
    git(since_repo, "add", "data")
    git(since_repo, "commit", "-qm", "old mistakes")
    (since_repo / "data" / "new.ttl").write_text(NEW_MISTAKE)
    git(since_repo, "add", "data")
    code, full_out, _ = kg("validate", "--repo", capsys=capsys)
    assert code == 1
    code, since_out, err = kg("validate", "--repo", "--since", "HEAD", capsys=capsys)
    assert code == 1 and "incremental:" in err
    full, since = finding_lines(full_out), finding_lines(since_out)
    assert set(since) < set(full)
    assert any("membership-early" in x or "spring 2009" in x for x in since)
    assert not any("July 2014" in x for x in since)  # committed before REF, on a node the change cannot reach
    assert any("July 2014" in x for x in full)
    # nothing changed since HEAD once committed: nothing is checked but the shapes that are checked whole
    git(since_repo, "commit", "-qm", "new mistake")
    code, none_out, err = kg("validate", "--repo", "--since", "HEAD", capsys=capsys)
    assert not any("spring 2009" in x or "July 2014" in x for x in finding_lines(none_out))


def test_since_validates_in_full_when_the_configuration_changed(since_repo, capsys):
    (since_repo / ".lattice.toml").write_text('[validate]\ndata = ["data/*.ttl"]\n')
    git(since_repo, "add", ".lattice.toml")
    _, _, err = kg("validate", "--repo", "--since", "HEAD", capsys=capsys)
    assert "validated in full (.lattice.toml changed since HEAD)" in err


def test_since_refuses_a_ref_git_does_not_know_and_needs_repo(since_repo, capsys):
    code, _, err = kg("validate", "--repo", "--since", "no-such-ref", capsys=capsys)
    assert code == 2 and "--since" in err
    code, _, err = kg("validate", "--since", "HEAD", capsys=capsys)
    assert code == 2 and "--since needs --repo" in err


# ------------------------------------------------------------------ kg validate on the built dataset


@pytest.fixture
def curated_copy(tmp_path, monkeypatch):
    """The curated graph copied into a folder of the test's own, built with no imports."""
    import shutil

    from kg import paths

    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data)
    monkeypatch.setattr(paths, "DATA_DIR", data)
    monkeypatch.setenv("LATTICE_HOME", str(tmp_path / "home"))
    return data


def _unlabelled(results) -> Counter:
    import re

    def erase(x):
        return re.sub(r"_:\w+", "_:", x) if isinstance(x, str) else x

    return Counter(
        tuple(erase(v) for v in (r.focus, r.shape, r.component, r.severity, r.path, r.value)) for r in results
    )


def test_the_command_keeps_a_state_and_reuses_it(curated_copy, capsys):
    from kg.store import dataset_dir
    from kg.validate.command import validate
    from kg.validate.incremental import STATE_FILE, state_dir
    from kg.validate.summaries import SUMMARIES_FILE

    code, first, err = kg("validate", capsys=capsys)
    assert code in (0, 1) and "validated in full (no stored state)" in err
    assert json.loads((state_dir(dataset_dir()) / SUMMARIES_FILE).read_text())  # for the next run
    code, again, err = kg("validate", capsys=capsys)
    assert "incremental: 0 triples added, 0 removed" in err
    body = [x for x in first.splitlines() if "fast engine" not in x]
    assert body == [x for x in again.splitlines() if "fast engine" not in x]
    # the graph the state's loader reads is the one the standard path reads (blank node labels aside)
    assert _unlabelled(validate(None).results) == _unlabelled(validate(None, keep_state=True).results)
    ngos = curated_copy / "ngos.ttl"
    ngos.write_text(ngos.read_text().replace('rdfs:label "Mine Action Canada"@en', 'rdfs:label "MAC"@en'))
    code, edited, err = kg("validate", capsys=capsys)
    assert "incremental: 1 triples added, 1 removed" in err
    code, full, err = kg("validate", "--full", capsys=capsys)
    assert "validated in full (--full)" in err
    assert [x for x in edited.splitlines() if "fast engine" not in x] == [
        x for x in full.splitlines() if "fast engine" not in x
    ]
    state = state_dir(dataset_dir()) / STATE_FILE
    for damage in ("{", '{"format": 1, "sources": [], "ontology": [], "results": {}}', '{"format": 0}'):
        state.write_text(damage)
        code, _out, err = kg("validate", capsys=capsys)
        assert code in (0, 1) and "validated in full (no stored state)" in err and "Traceback" not in err
    data = json.loads(state.read_text())
    data["engine"] = "0" * 64
    state.write_text(json.dumps(data))
    _code, _out, err = kg("validate", capsys=capsys)
    assert "validated in full (the engine or the shapes changed" in err
    for copy in (state.parent / "sources").iterdir():
        copy.write_bytes(b"# not the file it was\n")
    ngos.write_text(ngos.read_text() + "\n")
    _code, _out, err = kg("validate", capsys=capsys)
    assert "validated in full (the stored state is incomplete)" in err


def test_the_difference_of_two_versions_of_a_file(tmp_path):
    from kg.validate.incremental import Source, difference, file_sha256

    copies = tmp_path / "copies"
    copies.mkdir()
    nq, ttl = tmp_path / "d.nq", tmp_path / "c.ttl"
    nq.write_text('<http://e/a> <http://e/p> "x" <http://e/g1> .\n<http://e/a> <http://e/p> "y" .\n')
    ttl.write_text("<http://e/s> <http://e/q> [ <http://e/r> 1 ] .\n")
    old = {}
    for f in (nq, ttl):
        old[str(f)] = file_sha256(f)
        (copies / old[str(f)]).write_bytes(f.read_bytes())
    # the same triple in another graph and another spelling is no change; the blank node keeps its name
    nq.write_text('<http://e/a> <http://e/p> "y" .\n<http://e/a> <http://e/p> "\\u0078" <http://e/g2> .\n')
    ttl.write_text("<http://e/s> <http://e/q> [ <http://e/r> 2 ] .\n")
    now = [Source(str(f), file_sha256(f)) for f in (nq, ttl)]
    added, removed = difference(old, now, copies)
    assert [t.object.value for t in added] == ["2"] and [t.object.value for t in removed] == ["1"]
    assert next(iter(added)).subject == next(iter(removed)).subject  # the blank node, named alike in both
    # a removed file removes all its triples; a missing copy gives no difference (the run is full)
    added, removed = difference(old, now[1:], copies)
    assert len(removed) == 2 + 1 and len(added) == 1  # both triples of d.nq, and the changed one
    (copies / old[str(ttl)]).unlink()
    assert difference(old, now, copies) is None


def test_a_target_change_through_target_objects_of():
    shapes = (
        "ex:S a sh:NodeShape ; sh:targetObjectsOf ex:delegate ; sh:property [ sh:path ex:mandate ; sh:minCount 1 ] ."
    )
    before = "ex:a ex:delegate ex:b . ex:b ex:mandate ex:m ."
    after = "ex:a ex:delegate ex:b . ex:b ex:mandate ex:m . ex:c ex:delegate ex:d ."
    inc, full, outcome, _changed, previous = edit(shapes, before, after)
    assert not previous.get("http://example.org/S") and [r.focus for r in full["http://example.org/S"]] == [
        "http://example.org/d"
    ]
    assert multiset(inc) == multiset(full) and outcome.rechecked == 1


def test_on_disk_a_triple_another_file_still_states_stays(curated_copy, monkeypatch):
    from kg import diskindex
    from kg.build import build
    from kg.store import dataset_dir
    from kg.validate.incremental import (
        current_sources,
        load_shapes_stable,
        load_sources,
        state_dir,
        validate_dataset,
    )
    from kg.validate.inputs import shape_files

    monkeypatch.setattr(diskindex, "DISK_INDEX_MIN_TRIPLES", 0)
    shapes_used = [str(f) for f in shape_files()]
    shapes = load_shapes_stable(shapes_used)
    ngos = curated_copy / "ngos.ttl"
    label = next(
        t for t in ox.parse(path=str(ngos), format=ox.RdfFormat.TURTLE) if t.predicate.value.endswith("#label")
    )
    (curated_copy / "also.ttl").write_bytes(ox.serialize([label], format=ox.RdfFormat.N_TRIPLES) or b"")
    out = dataset_dir()
    build(out)
    validate_dataset(out, shapes, shapes_used, 1)  # in full: keeps the validated graph on disk
    (curated_copy / "unrelated.ttl").write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n")
    build(out)  # the build's on-disk index is made
    validate_dataset(out, shapes, shapes_used, 1)
    _rewrite(
        ngos,
        [
            (t.subject, t.predicate, t.object)
            for t in ox.parse(path=str(ngos), format=ox.RdfFormat.TURTLE)
            if t != label
        ],
    )
    build(out)
    store, results, outcome, _ = validate_dataset(out, shapes, shapes_used, 1)
    assert outcome.on_disk and outcome.removed == 1
    assert sorted(p.name for p in state_dir(out).iterdir() if p.name.startswith("store")) == ["store"]
    assert ox.Quad(label.subject, label.predicate, label.object, ox.DefaultGraph()) in store
    full = run_full(load_sources(current_sources(out)), shapes, 1)
    assert Counter(results) == Counter(r for v in full.values() for r in v)
