"""The quality gates CI enforces: ruff (lint and format) at zero findings, and mypy no worse than its baseline.

The ruff scope is pyproject.toml's [tool.ruff] (its extend-exclude lists files being reworked elsewhere);
mypy checks all of kg/, strict on the packages pyproject.toml names, and each module may have at most
the errors mypy-baseline.txt allows (a baseline that may only go down: `make mypy-baseline` rewrites it).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_check_finds_nothing():
    r = _run("ruff", "check", "--no-cache", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format_changes_nothing():
    r = _run("ruff", "format", "--check", "--no-cache", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def mypy_counts(output: str) -> Counter[str]:
    """Errors per file in mypy's output."""
    return Counter(m.group(1) for m in re.finditer(r"^(kg/[^:]+\.py):\d+: error:", output, re.MULTILINE))


def read_baseline() -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in BASELINE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            path, n = line.split()
            counts[path] = int(n)
    return counts


def write_baseline(counts: Counter[str]) -> None:
    lines = ["# mypy errors allowed per module (may only go down); `make mypy-baseline` rewrites this file"]
    lines += [f"{path} {n}" for path, n in sorted(counts.items()) if n]
    BASELINE.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_mypy_counts_parse():
    out = "kg/a.py:3: error: x  [misc]\nkg/a.py:9: error: y  [misc]\nkg/b/c.py:1: note: z\n"
    assert mypy_counts(out) == Counter({"kg/a.py": 2})


@pytest.fixture(scope="module")
def mypy_output() -> str:
    r = _run("mypy", "--no-error-summary", "--hide-error-context", "--no-pretty")
    assert r.returncode in (0, 1), r.stdout + r.stderr  # 2: mypy itself failed (bad configuration)
    return r.stdout


@pytest.mark.slow
def test_mypy_no_worse_than_the_baseline(mypy_output):
    now, allowed = mypy_counts(mypy_output), read_baseline()
    worse = {p: f"{n} errors, baseline {allowed.get(p, 0)}" for p, n in now.items() if n > allowed.get(p, 0)}
    assert worse == {}, "\n" + "\n".join(line for line in mypy_output.splitlines() if line.split(":")[0] in worse)


@pytest.mark.slow
def test_mypy_baseline_only_shrinks(mypy_output):
    """A module that got better must lower its allowance, so it cannot get worse again unnoticed."""
    now, allowed = mypy_counts(mypy_output), read_baseline()
    better = {p: f"baseline {n}, now {now.get(p, 0)}" for p, n in allowed.items() if now.get(p, 0) < n}
    assert better == {}, "run `make mypy-baseline` to lower the baseline"


@pytest.mark.slow
def test_strict_packages_are_clean(mypy_output):
    strict = ("kg/shacl/", "kg/namespaces.py", "kg/fileio.py", "kg/paths.py", "kg/version.py", "kg/errors.py")
    assert [p for p in mypy_counts(mypy_output) if p.startswith(strict)] == []
    assert not any(p.startswith(strict) for p in read_baseline())


def main(argv: list[str]) -> int:
    """--write-baseline (what `make mypy-baseline` runs) or --check-mypy (the pre-commit hook)."""
    if argv not in (["--write-baseline"], ["--check-mypy"]):
        print("usage: python tests/test_quality_gates.py --write-baseline | --check-mypy", file=sys.stderr)
        return 2
    r = _run("mypy", "--no-error-summary", "--hide-error-context", "--no-pretty")
    if r.returncode not in (0, 1):
        print(r.stdout + r.stderr, file=sys.stderr)
        return 2
    now = mypy_counts(r.stdout)
    if argv == ["--write-baseline"]:
        write_baseline(now)
        print(BASELINE.read_text(encoding="utf-8"), end="")
        return 0
    allowed = read_baseline()
    worse = [p for p, n in now.items() if n > allowed.get(p, 0)]
    for line in r.stdout.splitlines():
        if line.split(":")[0] in worse:
            print(line)
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
