"""Hostile files and inputs at the command line: refused with `file:line:col: cause` and exit 2, never a crash."""

# Each command runs in a subprocess under a 2 GB address-space limit, so a regression shows as a failed
# allocation or a signal, not as a machine out of memory.

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
 <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/x"><ex:p>&i;</ex:p></rdf:Description>
</rdf:RDF>
"""


def quadratic_blowup() -> str:
    entity = "x" * 50000
    refs = "&e;" * 60000
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY e "{entity}">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
        f'<rdf:Description rdf:about="http://example.org/x"><ex:p>{refs}</ex:p></rdf:Description></rdf:RDF>\n'
    )


def deep_jsonld(depth: int = 20000) -> str:
    return '{"@id": "http://example.org/x", "http://example.org/p": ' + "[" * depth + "1" + "]" * depth + "}"


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def kg(*args, env=None, timeout=120):
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        cwd=REPO,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit,
    )


def one_line_error(proc, where: str | None = None) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-500:])
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    if where:
        assert lines[0].startswith(where), lines[0]
    return lines[0]


@pytest.fixture
def hostile(tmp_path):
    files = {"laughs.rdf": BILLION_LAUGHS, "quadratic.rdf": quadratic_blowup(), "deep.jsonld": deep_jsonld()}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    "name,cause", [("laughs.rdf", "entity"), ("quadratic.rdf", "entity"), ("deep.jsonld", "nested")]
)
def test_build_add_refuses_hostile_files(hostile, tmp_path, name, cause):
    path = hostile / name
    proc = kg("build", "--output", tmp_path / "out", "--add", path, env={"LATTICE_HOME": str(tmp_path / "home")})
    line = one_line_error(proc, f"{path}:")
    assert cause in line.lower()
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_the_check_is_positioned(hostile):
    import pyoxigraph as ox

    from kg.errors import InputError
    from kg.fileio import check_rdf_file

    with pytest.raises(InputError) as err:
        check_rdf_file(hostile / "laughs.rdf", ox.RdfFormat.RDF_XML)
    assert err.value.line == 3 and err.value.col >= 1  # the first entity declaration
    with pytest.raises(InputError) as err:
        check_rdf_file(hostile / "deep.jsonld", ox.RdfFormat.JSON_LD)
    assert err.value.line == 1 and err.value.col > 100
    fine = hostile / "fine.rdf"
    fine.write_text(
        '<?xml version="1.0"?><!DOCTYPE rdf:RDF><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    )
    check_rdf_file(fine, ox.RdfFormat.RDF_XML)  # a DOCTYPE without entities is fine


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_validate_refuses_hostile_files(hostile, engine):
    proc = kg("validate", "--engine", engine, hostile / "laughs.rdf")
    one_line_error(proc, str(hostile / "laughs.rdf"))


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE " + "{" * 3000,
        "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 8000) + " }",
    ],
)
def test_kg_sparql_refuses_deep_queries(built_dataset, tmp_path, query):
    (tmp_path / "q.rq").write_text(query)
    proc = kg("--dataset", built_dataset, "sparql", "--file", tmp_path / "q.rq")
    assert "before parsing" in one_line_error(proc)


def test_kg_sparql_binary_file_and_engine_errors_are_one_line(built_dataset, tmp_path):
    binary = tmp_path / "q.rq"
    binary.write_bytes(b"\xff\xfe\x00\x01SELECT")
    one_line_error(kg("--dataset", built_dataset, "sparql", "--file", binary), str(binary))
    one_line_error(kg("--dataset", built_dataset, "sparql", "SELECT * WHERE { BIND(<urn:nf>(1) AS ?x) }"))


def test_unwritable_lattice_home_is_one_line(tmp_path):
    home = tmp_path / "home"
    home.write_text("a file where a folder should be")
    one_line_error(kg("build", env={"LATTICE_HOME": str(home)}))


def test_build_swap_recovers_from_a_kill_between_renames(tmp_path):
    from kg.build import build

    out = tmp_path / "build"
    env_home = os.environ.get("LATTICE_HOME")
    os.environ["LATTICE_HOME"] = str(tmp_path / "home")
    try:
        build(out)
        triples = (out / "manifest.json").read_text()
        # killed after the first rename: the old build is away, the new one not yet in place
        os.replace(out, tmp_path / "build.old-99999")
        (tmp_path / "build.tmp-99998").mkdir()  # a build killed while writing (no manifest)
        (tmp_path / "build.tmp-99998" / "dataset.nq").write_text("")
        build(out)
        assert (out / "manifest.json").read_text() == triples
        # killed after writing a complete new build: it is put in place
        shutil.copytree(out, tmp_path / "build.tmp-99997")
        shutil.rmtree(out)
        build(out)
        assert (out / "manifest.json").is_file()
        (out / "store.tmp-99996").mkdir()  # an on-disk index a kill left unfinished
        build(out, force=True)
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("build")) == ["build"]
        assert not list(out.glob("*.tmp-*"))
    finally:
        if env_home is not None:
            os.environ["LATTICE_HOME"] = env_home
