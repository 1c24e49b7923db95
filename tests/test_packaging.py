"""The wheel carries ontology, shapes and queries, and an installed `kg` works outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (whl,) = out.glob("lattice_kg-*.whl")
    return whl


def test_wheel_contains_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "shapes", "queries"):
        expected = {
            f"kg/_resources/{folder}/{p.relative_to(REPO / folder)}".replace("\\", "/")
            for p in (REPO / folder).rglob("*")
            if p.is_file()
        }
        assert expected, f"{folder}/ is empty in the checkout"
        assert expected <= names, sorted(expected - names)[:5]
    assert any(n.startswith("kg/data/") and n.endswith(".ttl") for n in names)
    assert "kg/data/crosswalks/bmr-ccode.csv" in names  # `kg import regimes` needs its crosswalk
    fetched = {  # the browser files scripts/vendor-npm.sh writes into the package (not kept in the repository)
        line.split()[4]
        for line in (REPO / "scripts" / "vendor-npm.list").read_text().splitlines()
        if line.strip() and not line.startswith("#") and line.split()[4].startswith("kg/")
    }
    assert {"kg/web/cytoscape.min.js", "kg/web/yasgui.min.js", "kg/web/vega-embed.min.js"} <= fetched
    assert fetched <= names, sorted(fetched - names)


def test_installed_kg_runs_from_any_directory(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The wheel goes into the throwaway venv; its dependencies are borrowed from the test venv as a plain path
    # entry (so the checkout's editable install is NOT visible there).
    with zipfile.ZipFile(wheel) as z:
        z.extractall(target)
    Path(target, "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {"LATTICE_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    py = str(venv / "bin" / "python")
    where = subprocess.run(
        [py, "-c", "import kg, kg.paths; print(kg.__file__); print(kg.paths.ONTOLOGY_DIR)"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(REPO) not in where, where
    for args in (["--version"], ["build"], ["query", "--list"]):
        proc = subprocess.run(
            [py, "-m", "kg", *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0, (args, proc.stderr)
    assert (tmp_path / "home" / "build" / "manifest.json").is_file()


def test_the_version_has_its_changelog_entry():
    """A release is a version in kg/version.py with a dated `## [X.Y.Z] - YYYY-MM-DD` entry in CHANGELOG.md."""
    import re

    from kg.version import __version__

    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", text, re.MULTILINE)
