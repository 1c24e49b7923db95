"""The data of a whole repository for `kg validate --repo`: its tracked RDF files or the set `.lattice.toml` names.

`.lattice.toml` at the repository's top (optional):

    [validate]
    data = ["data/**/*.ttl"]         # the repository's data (default: every tracked .ttl .trig .nt .nq .jsonld .rdf)
    background = ["vendor/*.ttl"]    # loaded as reference data, never reported on
    lattice-data = true              # Lattice's curated graph as reference data (as --lattice-data)
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError, UsageError

CONFIG_NAME = ".lattice.toml"
TRACKED_SUFFIXES = (".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf")
CONFIG_KEYS = {"data", "background", "lattice-data"}


@dataclass
class RepositoryData:
    """What `--repo` adds: the repository's data files, reference files, and whether to add Lattice's graph."""

    root: Path
    data: list[Path] = field(default_factory=list)
    background: list[Path] = field(default_factory=list)
    lattice_data: bool = False


def repository_root(start: Path | None = None) -> Path:
    """The top folder of the git work tree holding START (default: the working folder)."""
    start = start or Path.cwd()
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=start, capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError) as err:
        raise UsageError(f"--repo needs git: {err}") from None
    if out.returncode != 0:
        raise UsageError(f"--repo: {start} is not inside a git repository")
    return Path(out.stdout.strip())


def tracked_rdf(root: Path) -> list[Path]:
    """The RDF files git tracks (the index, so staged new files count) under ROOT, in git's order."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--full-name"], cwd=root, capture_output=True, timeout=60
    )
    if out.returncode != 0:
        raise UsageError(f"--repo: git ls-files failed in {root}: {out.stderr.decode(errors='replace').strip()}")
    names = [n for n in out.stdout.decode("utf-8", errors="replace").split("\0") if n]
    return [root / n for n in names if Path(n).suffix.lower() in TRACKED_SUFFIXES and (root / n).is_file()]


def _globs(root: Path, config: Path, key: str, value: object) -> list[Path]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"[validate] {key} must be a list of glob patterns", path=config)
    out: list[Path] = []
    for pattern in value:
        found = sorted(p for p in root.glob(pattern) if p.is_file())
        if not found:
            raise InputError(f"[validate] {key}: no file matches {pattern!r}", path=config)
        out.extend(p for p in found if p not in out)
    return out


def read_config(root: Path) -> dict:
    """The [validate] table of ROOT/.lattice.toml ({} when there is no such file)."""
    path = root / CONFIG_NAME
    if not path.is_file():
        return {}
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None)
        col = getattr(err, "colno", None)
        raise InputError(str(err).split(" (at line")[0], path=path, line=line, col=col) from None
    table = doc.get("validate", {})
    if not isinstance(table, dict):
        raise InputError("[validate] must be a table", path=path)
    unknown = set(table) - CONFIG_KEYS
    if unknown:
        raise InputError(f"[validate]: unknown key(s) {', '.join(sorted(unknown))}", path=path)
    return table


def repository_data(start: Path | None = None) -> RepositoryData:
    """The repository's data set: `.lattice.toml`'s [validate] when present, else every tracked RDF file."""
    root = repository_root(start)
    table = read_config(root)
    config = root / CONFIG_NAME
    repo = RepositoryData(root=root)
    repo.data = _globs(root, config, "data", table["data"]) if "data" in table else tracked_rdf(root)
    if "background" in table:
        repo.background = _globs(root, config, "background", table["background"])
    flag = table.get("lattice-data", False)
    if not isinstance(flag, bool):
        raise InputError("[validate] lattice-data must be true or false", path=config)
    repo.lattice_data = flag
    background = {p.resolve() for p in repo.background}
    repo.data = [p for p in repo.data if p.resolve() not in background]
    return repo
