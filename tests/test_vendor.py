"""scripts/vendor-npm.sh: the pinned browser files from the npm registry, checked before any is written."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from tests.support import need_system

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "vendor-npm.sh"
LIST = REPO / "scripts" / "vendor-npm.list"


def entries() -> list[list[str]]:
    return [line.split() for line in LIST.read_text().splitlines() if line.strip() and not line.startswith("#")]


def run(lst: Path, root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), str(lst), str(root)], capture_output=True, text=True, timeout=300)


def test_the_list_pins_every_file_once():
    rows = entries()
    assert all(len(r) == 5 for r in rows)
    dests = [r[4] for r in rows]
    assert len(dests) == len(set(dests))
    for pkg, version, _file, sha, dest in rows:
        assert version[0].isdigit() and len(sha) == 64 and not dest.startswith("/"), (pkg, dest)
    packages = {r[0] for r in rows}
    assert {"cytoscape", "@zazuko/yasgui", "vega", "vega-lite", "vega-embed", "axe-core"} <= packages


def test_the_fetched_files_have_their_pinned_checksums():
    """What make install wrote is what the list pins (a file edited or swapped in place is caught)."""
    for _pkg, _version, _file, sha, dest in entries():
        path = REPO / dest
        if path.is_file():
            assert hashlib.sha256(path.read_bytes()).hexdigest() == sha, dest


def test_a_malformed_line_is_refused_with_its_place(tmp_path):
    bad = tmp_path / "list"
    bad.write_text("# header\ncytoscape 3.35.0 dist/cytoscape.min.js not-a-checksum out/cytoscape.min.js\n")
    done = run(bad, tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"{bad}:2:1: ")
    assert not (tmp_path / "out").exists()
    bad.write_text("cytoscape 3.35.0 ../../etc/passwd " + "0" * 64 + " out/x\n")
    assert run(bad, tmp_path).returncode == 2


def test_a_wrong_checksum_writes_nothing(tmp_path):
    need_system(shutil.which("npm") is not None, "npm (make install fetches the browser files with it)")
    pkg, version, file, sha, _dest = next(r for r in entries() if r[0] == "cytoscape" and r[2] == "LICENSE")
    good = f"{pkg} {version} {file} {sha} out/LICENSE.txt\n"
    wrong = f"{pkg} {version} dist/cytoscape.min.js {'0' * 64} out/cytoscape.min.js\n"
    lst = tmp_path / "list"
    lst.write_text(good + wrong)
    done = run(lst, tmp_path)
    assert done.returncode == 2 and ":2:1: " in done.stderr and "checksum" in done.stderr
    assert not (tmp_path / "out").exists()  # the good file before it was not written either
    lst.write_text(good)
    assert run(lst, tmp_path).returncode == 0
    assert hashlib.sha256((tmp_path / "out" / "LICENSE.txt").read_bytes()).hexdigest() == sha
