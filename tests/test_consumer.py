"""The documented set-up, as a data maintainer meets it: a clean clone of Lattice tagged with the release, a data
repository of their own, the install and GitHub Actions steps of docs/validation.md run as shell, and the
documented pre-commit configuration run by pre-commit itself."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from kg.version import __version__
from tests.test_ci_integration import documented_block, documented_ci_commands
from tests.test_validate_repo import EXAMPLE, GIT_ENV, MISTAKES, sarif_location_problems

REPO = Path(__file__).resolve().parent.parent
PLACEHOLDER = "https://github.com/<owner>/lattice"

pytestmark = pytest.mark.slow


def run(cmd, cwd, env, check=True, timeout=300):
    shell = isinstance(cmd, str)
    out = subprocess.run(
        ["bash", "-c", cmd] if shell else cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if check and out.returncode != 0:
        raise AssertionError(f"{cmd} exited {out.returncode}\n{out.stdout}\n{out.stderr}")
    return out


def violations(text: str) -> list[str]:
    """The `file:line` and shape of each violation line a report or hook printed."""
    return sorted(
        f"{m.group(1)} {m.group(2)}" for m in re.finditer(r"^(\S+:\d+): violation: .* \((\S+)\)$", text, re.MULTILINE)
    )


PLANTED = [
    "data/late.ttl:12 lat-sh:NoUndeclaredTerm",
    "data/late.ttl:14 lat-sh:AccountabilityForum",
    "data/late.ttl:7 lat-sh:DatesAreXsdDates",
]


def test_documented_install_workflow_and_pre_commit_hook_from_a_clean_clone(tmp_path):
    if shutil.which("git") is None or shutil.which("bash") is None:
        pytest.skip("git and bash are needed")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(GIT_ENV, LATTICE_HOME=str(tmp_path / "home"), PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))

    # the project, as a consumer gets it: a clone of this repository's HEAD, tagged with the release
    clone = tmp_path / "lattice"
    run(["git", "clone", "-q", str(REPO), str(clone)], tmp_path, env)
    run(["git", "tag", "-f", f"v{__version__}"], clone, env)  # -f: the release may be tagged already
    url = clone.as_uri()
    timings["clone"] = time.perf_counter() - started

    # a runner's Python: a fresh virtual environment that finds the dependencies this test runs with already
    # installed (so that the documented `pip install` builds and installs Lattice itself from the tag)
    venv = tmp_path / "runner"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path, env)
    site = Path(
        run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            tmp_path,
            env,
        ).stdout.strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"

    # the consumer's data repository: clean data, with citations across files
    data = tmp_path / "governance-data"
    (data / "data").mkdir(parents=True)
    run(["git", "init", "-q"], data, env)
    config = documented_block("pre-commit").split("```yaml", 1)[1].split("```", 1)[0]
    assert PLACEHOLDER in config and f"rev: v{__version__}" in config
    (data / ".pre-commit-config.yaml").write_text(config.replace(PLACEHOLDER, str(clone)))
    pre_commit = [sys.executable, "-m", "pre_commit"]
    run([*pre_commit, "install"], data, env)

    # 1. the documented workflow steps, as shell: install from the tag, validate, write SARIF
    commands = [c.replace(PLACEHOLDER, url) for c in documented_ci_commands()]
    assert commands[0].startswith("pip install") and f"@v{__version__}" in commands[0]
    t = time.perf_counter()
    run(commands[0], data, env)
    timings["pip install from the tag"] = time.perf_counter() - t
    installed = run(["python", "-c", "import kg; print(kg.__file__)"], data, env).stdout
    assert installed.startswith(str(venv)), installed  # the tagged clone's build, not this checkout

    for name in ("sources.ttl", "actors.ttl"):
        shutil.copy(EXAMPLE / name, data / "data" / name)
    run(["git", "add", "-A"], data, env)
    t = time.perf_counter()
    first = run(["git", "commit", "-qm", "sources and actors"], data, env)  # installs the hook's environment
    timings["first commit (pre-commit installs the hook)"] = time.perf_counter() - t
    assert "Passed" in first.stdout + first.stderr

    # 2. an ordinary commit of clean data whose citations point to sources declared in unchanged files
    shutil.copy(EXAMPLE / "network.ttl", data / "data" / "network.ttl")
    run(["git", "add", "data/network.ttl"], data, env)
    t = time.perf_counter()
    clean = run(["git", "commit", "-qm", "the network"], data, env, check=False)
    timings["clean commit"] = time.perf_counter() - t
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert violations(clean.stdout + clean.stderr) == []

    t = time.perf_counter()
    steps = [run(c, data, env, check=False) for c in commands[1:]]
    timings["workflow validate step, clean"] = time.perf_counter() - t
    assert [s.returncode for s in steps] == [0] * len(steps), [s.stderr for s in steps]
    sarif = json.loads((data / "kg-validate.sarif").read_text())
    assert [r for r in sarif["runs"][0]["results"] if r["level"] != "note"] == []

    # 3. a commit with three planted mistakes: the hook stops it and names exactly those, with file:line
    (data / "data" / "late.ttl").write_text(MISTAKES)
    run(["git", "add", "data/late.ttl"], data, env)
    t = time.perf_counter()
    blocked = run(["git", "commit", "-qm", "late additions"], data, env, check=False)
    timings["commit with mistakes"] = time.perf_counter() - t
    assert blocked.returncode != 0
    assert violations(blocked.stdout + blocked.stderr) == PLANTED

    steps = [run(c, data, env, check=False) for c in commands[1:]]
    assert steps[0].returncode == 1
    sarif = json.loads((data / "kg-validate.sarif").read_text())
    from sarif_kit.validate import validation_errors

    assert validation_errors(sarif) == []
    assert sarif_location_problems(sarif) == []
    located = sorted(
        f"{r['locations'][0]['physicalLocation']['artifactLocation']['uri']}:"
        f"{r['locations'][0]['physicalLocation']['region']['startLine']} {r['ruleId']}"
        for r in sarif["runs"][0]["results"]
        if r["level"] == "error"
    )
    assert located == PLANTED
    timings["total"] = time.perf_counter() - started
    print("timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
