"""Tests of `kg query`, `kg sparql` and `--endpoint` (against a real Oxigraph server) on a built test dataset."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "queries" / "mini.ttl"
ID = "https://w3id.org/lattice/id/"
LAT = "https://w3id.org/lattice/ontology#"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """A dataset built by the real build from the repository plus the invented fixture (as an import)."""
    from kg.build import build

    home = tmp_path_factory.mktemp("query-home")
    (home / "imports").mkdir()
    shutil.copy(FIXTURE, home / "imports" / "query-fixture.ttl")
    out = home / "build"
    saved = os.environ.get("LATTICE_HOME")
    os.environ["LATTICE_HOME"] = str(home)
    try:
        build(out)
    finally:
        os.environ["LATTICE_HOME"] = saved
    return home, out


@pytest.fixture
def kg(run_kg, dataset):
    home, out = dataset

    def run(*args, **kw):
        return run_kg("--dataset", out, *args, env={"LATTICE_HOME": str(home)}, **kw)

    return run


def test_list_shows_every_named_query(kg):
    q = importlib.import_module("kg.query")
    res = kg("query", "--list")
    assert res.returncode == 0, res.stderr
    for info in q.list_queries():
        assert info.name in res.stdout
    assert "actor (iri, required)" in res.stdout


def test_named_query_as_json(kg):
    res = kg("query", "accountability-chain", "--param", "actor=lat-id:aaa-agency", "--format", "json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["variables"][:3] == ["path", "depth", "step"]
    finals = {r["final"] for r in data["rows"]}
    assert finals == {ID + "aaa-voters", ID + "loop-two"}


@pytest.mark.parametrize("fmt,marker", [("csv", ","), ("tsv", "\t"), ("md", "| "), ("table", "  ")])
def test_named_query_formats(kg, fmt, marker):
    res = kg("query", "members-at", "-p", "body=lat-id:mini-net", "-p", "at=2005-06-01", "--format", fmt)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert "member" in lines[0] and marker in lines[0]
    assert sum("agency" in ln for ln in lines) == 2


@pytest.mark.parametrize(
    "param",
    [
        "actor=lat-id:x> } ; DROP ALL ; #",
        'actor=lat-id:x" } DROP ALL',
        "actor=<https://example.org/a> . ?s ?p ?o",
        "actor=not an iri",
        "max_depth=1 } ; DROP ALL",
        "actor",
    ],
)
def test_injection_attempts_exit_2_without_traceback(kg, param):
    res = kg("query", "accountability-chain", "--param", "actor=lat-id:aaa-agency", "--param", param)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and res.stderr.strip()
    # the dataset is untouched: the chain is still there
    again = kg("query", "accountability-chain", "--param", "actor=lat-id:aaa-agency", "--format", "csv")
    assert again.returncode == 0 and "aaa-voters" in again.stdout


def test_bad_date_and_missing_required_and_unknown_query_exit_2(kg):
    assert kg("query", "members-at", "-p", "body=lat-id:mini-net", "-p", "at=2020-02-30x").returncode == 2
    assert kg("query", "members-at", "-p", "at=2005-06-01").returncode == 2  # body is required
    res = kg("query", "no-such-query")
    assert res.returncode == 2 and "known queries" in res.stderr


def test_show_prints_the_bound_query(kg):
    res = kg("query", "accountability-direct", "-p", "actor=lat-id:aaa-agency", "--show")
    assert res.returncode == 0
    # the optional ?at is left out of VALUES (not UNDEF, which Virtuoso refuses)
    assert f"VALUES (?actor) {{ (<{ID}aaa-agency>) }}" in res.stdout
    assert "UNDEF" not in res.stdout


def test_sparql_inline_and_from_file(kg, tmp_path):
    text = "SELECT ?f WHERE { lat-id:aaa-parliament lat:accountableTo ?f }"
    res = kg("sparql", text, "--format", "csv")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == ["f", ID + "aaa-voters"]
    f = tmp_path / "q.rq"
    f.write_text("PREFIX lat: <https://w3id.org/lattice/ontology#>\nASK { ?x lat:accountableTo ?y }\n")
    res = kg("sparql", "--file", f)
    assert res.returncode == 0 and res.stdout.strip() == "true"


def test_sparql_errors_exit_2(kg, tmp_path):
    res = kg("sparql", "SELECT ?x WHERE { ?x ?y }")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert kg("sparql", "--file", tmp_path / "missing.rq").returncode == 2
    assert kg("sparql").returncode == 2


def test_named_query_file_runs_with_kg_sparql_f(kg):
    """A library file is plain SPARQL: unbound parameters simply match everything."""
    from kg.paths import QUERIES_DIR

    res = kg("sparql", "--file", QUERIES_DIR / "ngo-accountability.rq", "--format", "csv")
    assert res.returncode == 0, res.stderr
    assert "Downward" in res.stdout and "Upward" in res.stdout


# ------------------------------------------------------------------------------------ a real endpoint


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_endpoint(dataset, tmp_path_factory):
    """An Oxigraph server (union default graph) loaded with the test dataset; stopped after the module."""
    exe = Path(sys.executable).with_name("oxigraph")
    if not exe.exists():
        found = shutil.which("oxigraph")
        if not found:
            pytest.skip("the oxigraph server binary (PyPI package `oxigraph`) is not installed")
        exe = Path(found)
    import pyoxigraph as ox

    from kg.store import open_store

    _, out = dataset
    nq = ox.serialize(
        open_store(out, build_if_needed=False).quads_for_pattern(None, None, None, None), format=ox.RdfFormat.N_QUADS
    )
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph-server")
    proc = subprocess.Popen(
        [str(exe), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.skip(f"oxigraph server did not start: {proc.stderr.read().decode()[:300]}")
                time.sleep(0.1)
        req = urllib.request.Request(
            base + "/store", data=nq, method="POST", headers={"Content-Type": "application/n-quads"}
        )
        urllib.request.urlopen(req, timeout=60)
        yield base + "/query"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


ENDPOINT_CASES = [
    ("accountability-chain", {"actor": "lat-id:aaa-agency"}),
    ("accountability-chain", {"actor": "lat-id:aaa-agency", "max_depth": 1}),
    ("accountability-direct", {"actor": "lat-id:aaa-agency", "at": "2000-01-01"}),
    ("accountable-to-forum", {"forum": "lat-id:aaa-voters"}),
    ("accountability-gaps", {}),
    ("members-at", {"body": "lat-id:mini-net", "at": "2005-06-01"}),
    ("membership-history", {"body": "lat-id:mini-net"}),
    ("vertical-checks", {}),
    ("ngo-accountability", {}),
    ("network-typology", {}),
    ("spic-principles", {}),
]


# queries whose ORDER BY is total and that pick no value with SAMPLE, so any engine gives the same sequence
ORDERED = {"members-at", "membership-history"}


def _canonical(rows):
    """Rows as sorted JSON strings; GROUP_CONCAT lists (space-separated, order left to the engine) sorted."""

    def norm(v):
        if isinstance(v, str) and " " in v and " > " not in v:
            return " ".join(sorted(v.split(" ")))
        return v

    return sorted(json.dumps({k: norm(v) for k, v in dict(r).items()}, sort_keys=True, default=str) for r in rows)


@pytest.mark.slow
def test_endpoint_results_equal_embedded_results(dataset, oxigraph_endpoint):
    q = importlib.import_module("kg.query")
    from kg.store import open_store

    store = open_store(dataset[1], build_if_needed=False)
    for name, params in ENDPOINT_CASES:
        embedded = q.run_named(name, store=store, **params)
        remote = q.run_named(name, endpoint=oxigraph_endpoint, **params)
        assert remote.variables == embedded.variables, name
        assert _canonical(remote) == _canonical(embedded), name
        assert embedded or name == "accountability-gaps", f"{name}: nothing to compare"
        if name in ORDERED:  # a total ORDER BY and no SAMPLE: the same rows in the same order
            assert [dict(r) for r in remote] == [dict(r) for r in embedded], name


@pytest.mark.slow
def test_cli_endpoint_option(kg, oxigraph_endpoint):
    local = kg("query", "accountability-chain", "-p", "actor=lat-id:aaa-agency", "--format", "json")
    remote = kg(
        "query",
        "accountability-chain",
        "-p",
        "actor=lat-id:aaa-agency",
        "--format",
        "json",
        "--endpoint",
        oxigraph_endpoint,
    )
    assert remote.returncode == 0, remote.stderr
    remote_json, local_json = json.loads(remote.stdout), json.loads(local.stdout)
    assert remote_json["variables"] == local_json["variables"]
    assert _canonical(remote_json["rows"]) == _canonical(local_json["rows"])


def test_unreachable_endpoint_is_a_usage_error(kg):
    res = kg("query", "accountability-gaps", "--endpoint", f"http://127.0.0.1:{_free_port()}/query")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert kg("query", "accountability-gaps", "--endpoint", "ftp://x").returncode == 2
