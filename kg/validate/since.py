"""`kg validate --repo --since REF`: the triples a commit range changed in a repository's data files.

The data files that differ between REF and the working tree (for CI, which has HEAD checked out: what the
commits after REF changed) are parsed at REF (`git show`) and now; the triples of one and not the other are
the change. A changed background file, `.lattice.toml`, or Lattice's own ontology or shapes cannot be
narrowed this way: the caller validates in full.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import UsageError
from kg.validate.repository import CONFIG_NAME, TRACKED_SUFFIXES

MAX_BLOB = 512 * 1024 * 1024  # bytes of one file read from git at REF


@dataclass
class Change:
    """What changed since REF: the triples, the files they came from, or why the run must be full."""

    triples: list[ox.Triple] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    full: str = ""  # a reason to validate in full


def git(root: Path, *args: str) -> bytes:
    """The output of `git ARGS` in ROOT; UsageError when git fails."""
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as err:
        raise UsageError(f"--since needs git: {err}") from None
    if out.returncode != 0:
        msg = out.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise UsageError(f"--since: git {args[0]} failed: {msg[-1] if msg else out.returncode}")
    return out.stdout


def changed_paths(root: Path, ref: str) -> list[str]:
    """The paths (relative to ROOT) that differ between REF and the working tree."""
    git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    out = git(root, "diff", "--name-only", "-z", "--no-renames", ref, "--")
    return sorted(n for n in out.decode("utf-8", errors="replace").split("\0") if n)


def blob_at(root: Path, ref: str, path: str) -> bytes | None:
    """The content of PATH at REF; None when it did not exist there."""
    listed = git(root, "ls-tree", "-z", "-l", ref, "--", path).decode("utf-8", errors="replace")
    entry = next((e for e in listed.split("\0") if e), None)
    if entry is None:
        return None
    meta = entry.split("\t", 1)[0].split()
    if len(meta) == 4 and meta[3].isdigit() and int(meta[3]) > MAX_BLOB:
        raise UsageError(f"--since: {path} at {ref} is larger than {MAX_BLOB // 2**20} MiB")
    return git(root, "show", f"{ref}:{path}")


def change_since(root: Path, ref: str, data: list[str], background: list[str], labels: dict[str, str]) -> Change:
    """The triples changed between REF and the working tree in the DATA files (paths); LABELS gives the blank
    node label prefix each data file is loaded with (so that a changed blank node is named as in the store)."""
    from kg import paths
    from kg.validate.incremental import parse_source, source_label

    change = Change()
    root = root.resolve()
    keys = {str(Path(p).resolve()): p for p in data}
    fixed = {Path(p).resolve() for p in background}
    guarded = [Path(paths.ONTOLOGY_DIR).resolve(), Path(paths.SHAPES_DIR).resolve()]
    added: set[ox.Triple] = set()
    removed: set[ox.Triple] = set()
    for rel in changed_paths(root, ref):
        path = (root / rel).resolve()
        if rel == CONFIG_NAME or path in fixed or any(path.is_relative_to(g) for g in guarded):
            change.full = f"{rel} changed since {ref}"
            return change
        current = keys.get(str(path))
        if current is None and (path.exists() or path.suffix.lower() not in TRACKED_SUFFIXES):
            continue  # not part of the validated data
        label = labels.get(current, source_label(str(path))) if current else source_label(str(path))
        old: set[ox.Triple] = set()
        blob = blob_at(root, ref, rel)
        if blob is not None:
            with tempfile.TemporaryDirectory(prefix="lattice-since-") as tmp:
                copy = Path(tmp) / path.name
                copy.write_bytes(blob)
                old = set(parse_source(path, label, read=copy))
        new = set(parse_source(path, label)) if current is not None else set()
        added |= new - old
        removed |= old - new
        change.files.append(rel)
    change.triples = sorted(added | removed, key=str)
    return change


def load_data(files: list[str]) -> tuple[ox.Store, dict[str, str]]:
    """FILES in one store, each file's blank nodes labelled `f<index>x...` by file and order (as
    kg.fileio.load_rdf_apart names them, so results on them are placed in their file), and those labels."""
    from kg.validate.incremental import parse_source, source_label

    store = ox.Store()
    labels = {}
    dg = ox.DefaultGraph()
    for i, f in enumerate(files):
        labels[f] = f"f{i}x{source_label(str(Path(f).resolve()))}"
        store.extend(ox.Quad(t.subject, t.predicate, t.object, dg) for t in parse_source(Path(f), labels[f]))
    return store, labels
