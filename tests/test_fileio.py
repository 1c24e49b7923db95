"""Tests of kg/fileio.py: atomic writes leave either the old file or the new one, never a part."""

from __future__ import annotations

import os

import pytest

from kg.errors import InputError
from kg.fileio import atomic_write, load_rdf, write_atomic


def test_write_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "findings.md"
    write_atomic(target, "first\n")
    assert target.read_text() == "first\n"

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, "second\n")
    assert target.read_text() == "first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.md"]


def test_failing_writer_leaves_nothing(tmp_path):
    def writer(tmp):
        with open(tmp, "w") as f:
            f.write("half")
        raise ValueError("converter failed")

    with pytest.raises(ValueError):
        atomic_write(tmp_path / "graph.gexf", writer)
    assert list(tmp_path.iterdir()) == []


def test_written_file_gets_ordinary_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "out.md", "x")
    finally:
        os.umask(umask)
    assert (tmp_path / "out.md").stat().st_mode & 0o777 == 0o644


def test_load_rdf_names_file_and_line(tmp_path):

    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    with pytest.raises(InputError) as err:
        load_rdf([bad])
    assert err.value.path == str(bad) and err.value.line == 2
    with pytest.raises(InputError, match="no such file"):
        load_rdf([tmp_path / "missing.ttl"])
