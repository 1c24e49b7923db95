"""Shared test fixtures: an isolated LATTICE_HOME, the built dataset, the shared data, and a CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


# Folders the run makes outside pytest's tmp_path; removed when the run ends (tmp_path folders of passing
# tests go too: tmp_path_retention_policy in pyproject.toml).
_MADE: list[str] = []


def _temp_dir(prefix: str) -> str:
    path = tempfile.mkdtemp(prefix=prefix)
    _MADE.append(path)
    return path


def pytest_configure(config):
    # No test may touch the user's real cache: the whole run gets its own LATTICE_HOME.
    os.environ["LATTICE_HOME"] = _temp_dir("lattice-test-home-")


def pytest_unconfigure(config):
    while _MADE:
        shutil.rmtree(_MADE.pop(), ignore_errors=True)


@pytest.fixture
def lattice_home(tmp_path, monkeypatch) -> Path:
    """A fresh, empty LATTICE_HOME for one test."""
    home = tmp_path / "lattice-home"
    home.mkdir()
    monkeypatch.setenv("LATTICE_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def built_dataset() -> Path:
    """The dataset built once from the repository's ontology, shapes and curated graph (no imports)."""
    from kg.build import build

    out = Path(_temp_dir("lattice-test-build-")) / "build"
    saved = os.environ.get("LATTICE_HOME")
    os.environ["LATTICE_HOME"] = str(out.parent / "empty-home")  # no imports in this build
    try:
        build(out)
    finally:
        os.environ["LATTICE_HOME"] = saved
    return out


@pytest.fixture(scope="session")
def built_store(built_dataset):
    """An in-memory pyoxigraph store holding the built dataset (shared by the whole test run)."""
    from kg.store import open_store

    return open_store(built_dataset, build_if_needed=False)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared seeds and data sets; the test is skipped when they are not beside the checkout."""
    from kg.paths import shared_dir as find
    from tests.support import need_shared

    return need_shared(find(), "../shared (seeds and data sets)")


@pytest.fixture
def run_kg():
    """Run the `kg` command line in a subprocess; returns the CompletedProcess (text mode)."""

    def run(*args, cwd=None, env=None, input=None, timeout=300):
        full_env = dict(os.environ)
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "kg", *map(str, args)],
            cwd=cwd or REPO,
            env=full_env,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


# The data sets whose memberships, treaty participations and regime spells the accountability rules read.
ACCOUNTABILITY_IMPORTS = {
    "migo": ["migo-iigo/memberships_MIGO.csv"],
    "cow-igo": ["cow-igo-v3/igo_year_format3.csv"],
    "treaties": ["treaties/parties_GGO.csv", "treaties/agreements_GGO.csv"],
    "regimes": ["regimes/bmr-democracy-v4.0.csv"],
}


@pytest.fixture(scope="session")
def accountability_dataset(shared_dir) -> Path:
    """The dataset built from the curated graph with the MIGO, COW IGO, GGO treaty and BMR regime imports:
    the memberships, participations and democratic spells the derivation rules need (built once per run)."""
    from kg.build import build
    from kg.importers import import_file

    home = Path(_temp_dir("lattice-test-accountability-"))
    (home / "imports").mkdir()
    for name, files in ACCOUNTABILITY_IMPORTS.items():
        import_file(name, *[shared_dir / "data" / f for f in files], out=home / "imports" / f"{name}.nq")
    saved = os.environ.get("LATTICE_HOME")
    os.environ["LATTICE_HOME"] = str(home)
    try:
        build(home / "build")
    finally:
        os.environ["LATTICE_HOME"] = saved
    return home / "build"


@pytest.fixture(scope="session")
def accountability_store(accountability_dataset):
    """An in-memory store holding the accountability dataset (shared by the whole test run)."""
    from kg.store import open_store

    return open_store(accountability_dataset, build_if_needed=False)
