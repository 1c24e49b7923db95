"""Run the pre-commit hook entry and the documented GitHub Actions step on a sample repository."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

CONFORMING = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix ex: <http://example.org/> .
ex:someone a foaf:Person ; foaf:name "Someone" .
"""
# a membership record whose start date is a plain string: an integrity violation of the Lattice shapes
VIOLATING = """@prefix org: <http://www.w3.org/ns/org#> .
@prefix lat: <https://w3id.org/lattice/ontology#> .
@prefix ex: <http://example.org/> .
ex:membership a org:Membership ;
    org:member ex:someone ;
    org:organization ex:club ;
    lat:startDate "sometime in 1999" .
"""


def read_hooks(path: Path) -> list[dict]:
    """The hook list of a .pre-commit-hooks.yaml (PyYAML when present, else the simple form the file uses)."""
    text = path.read_text()
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is not None:
        return yaml.safe_load(text)
    hooks, current = [], None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^(- |  )(\w+):\s*(.*)$", line)
        assert m, f"unexpected line in {path}: {line!r}"
        if m.group(1) == "- ":
            current = {}
            hooks.append(current)
        value = m.group(3).strip()
        if value in ("true", "false"):
            value = value == "true"
        elif value.startswith("["):
            value = [v.strip() for v in value.strip("[]").split(",") if v.strip()]
        current[m.group(2)] = value
    return hooks


def kg_env(tmp_path) -> dict:
    """An environment in which `kg` is the project's command line (the way an installed hook finds it)."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    kg = bindir / "kg"
    kg.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m kg "$@"\n')
    kg.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = f"{REPO}{os.pathsep}{env.get('PYTHONPATH', '')}"
    env["LATTICE_HOME"] = str(tmp_path / "home")
    return env


@pytest.fixture
def sample_repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "dataset"
    repo.mkdir()
    (repo / "people.ttl").write_text(CONFORMING)
    (repo / "notes.txt").write_text("not RDF\n")
    env = kg_env(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "add", "people.ttl", "notes.txt"], cwd=repo, check=True, env=env)
    return repo, env


def staged(repo: Path, env: dict, pattern: str) -> list[str]:
    """The staged files the hook's `files` pattern selects, as pre-commit passes them."""
    out = subprocess.run(
        ["git", "diff", "--cached", "--name-only", "--diff-filter=ACMR"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [f for f in out if re.search(pattern, f)]


def run_hook(hook: dict, repo: Path, env: dict):
    files = staged(repo, env, hook["files"]) if hook.get("pass_filenames", True) else []
    cmd = shlex.split(hook["entry"]) + list(hook.get("args", [])) + files
    return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=300), files


def test_hook_definition():
    hooks = read_hooks(REPO / ".pre-commit-hooks.yaml")
    hook = next(h for h in hooks if h["id"] == "kg-validate")
    assert hook["entry"].split()[:2] == ["kg", "validate"]
    assert hook["language"] == "python"
    assert re.search(hook["files"], "data/x.ttl") and not re.search(hook["files"], "notes.txt")


def test_pre_commit_hook_passes_clean_data_and_stops_a_violation(sample_repo):
    repo, env = sample_repo
    hook = next(h for h in read_hooks(REPO / ".pre-commit-hooks.yaml") if h["id"] == "kg-validate")
    result, files = run_hook(hook, repo, env)
    assert files == ["people.ttl"]
    assert result.returncode == 0, result.stdout + result.stderr
    (repo / "membership.ttl").write_text(VIOLATING)
    subprocess.run(["git", "add", "membership.ttl"], cwd=repo, check=True, env=env)
    result, files = run_hook(hook, repo, env)
    assert sorted(files) == ["membership.ttl", "people.ttl"]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ex:membership" in result.stdout or "http://example.org/membership" in result.stdout


def test_pre_commit_hook_reports_a_syntax_error_with_its_line(sample_repo):
    repo, env = sample_repo
    (repo / "broken.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    subprocess.run(["git", "add", "broken.ttl"], cwd=repo, check=True, env=env)
    hook = next(h for h in read_hooks(REPO / ".pre-commit-hooks.yaml") if h["id"] == "kg-validate")
    result, _ = run_hook(hook, repo, env)
    assert result.returncode == 2
    assert result.stderr.startswith("broken.ttl:2:")


def documented_block(name: str) -> str:
    """The text between `<!-- NAME: begin -->` and `<!-- NAME: end -->` in docs/validation.md."""
    text = (REPO / "docs" / "validation.md").read_text()
    return text.split(f"<!-- {name}: begin -->", 1)[1].split(f"<!-- {name}: end -->", 1)[0]


def documented_ci_commands() -> list[str]:
    """Every `run:` command of the GitHub Actions workflow documented in docs/validation.md."""
    block = documented_block("ci-step")
    return [m.group(1).strip() for m in re.finditer(r"^\s*run:\s*(.+)$", block, re.MULTILINE)]


def documented_ci_step() -> list[str]:
    """The documented `run:` commands that call `kg` (the install step is run by tests/test_consumer.py)."""
    return [c for c in documented_ci_commands() if c.startswith("kg ")]


def test_documented_workflow_may_upload_sarif_and_installs_a_release_tag():
    import yaml

    block = documented_block("ci-step")
    workflow = yaml.safe_load(block.split("```yaml", 1)[1].split("```", 1)[0])
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["validate"]["steps"]
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert uploads and uploads[0]["with"]["sarif_file"] == "kg-validate.sarif"
    installs = [c for c in documented_ci_commands() if c.startswith("pip install")]
    from kg.version import __version__

    assert installs and installs[0].endswith(f'@v{__version__}"')
    assert f"rev: v{__version__}" in documented_block("pre-commit")


def test_documented_github_actions_step_writes_sarif_and_fails_on_violations(sample_repo):
    repo, env = sample_repo
    commands = documented_ci_step()
    assert commands, "docs/validation.md documents no CI step"
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")

    def run_step():
        return [
            subprocess.run([bash, "-c", c], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
            for c in commands
        ]

    results = run_step()
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    sarif = json.loads((repo / "kg-validate.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
    (repo / "membership.ttl").write_text(VIOLATING)
    subprocess.run(["git", "add", "membership.ttl"], cwd=repo, check=True, env=env)
    results = run_step()
    assert results[0].returncode == 1
    sarif = json.loads((repo / "kg-validate.sarif").read_text())
    located = [r for r in sarif["runs"][0]["results"] if r["level"] == "error"]
    assert located, "the violation must reach the SARIF report"
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in located for loc in r["locations"]}
    assert uris == {"membership.ttl"}
