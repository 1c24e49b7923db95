"""The edit loop on a built dataset: edit the curated graph, `kg build`, `kg validate`; incremental against full.

Usage: python bench/edit_loop.py --home HOME [--json OUT] — HOME is a LATTICE_HOME whose imports/ hold the
imported data sets (the real-data build). The curated files are copied into a work folder (the repository's
are never edited) and built with the imports into a dataset of its own; then, for each edit (one line of
ngos.ttl changed, a 100-triple change, a removed file), the build and the incremental validation are timed,
then a full validation of the same dataset, and the two result sets are compared as multisets. These run in
this one process, so their times leave out the interpreter's start. The loop is then timed as a user runs it,
`kg build && kg validate` as two commands (`cli`): on a home of its own whose imports are HOME's (linked) and
one more import, a copy of ngos.ttl, whose one line is edited; the first edit after a full build, which makes
the on-disk index, is timed apart from the next. `bench/run.py` runs it on the real-data build (`run`) and
reports it beside the other figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

LOOP_TARGET_S = 1.5  # kg build + kg validate after a one-line change (docs/performance.md)


def edit_one_line(data: Path) -> str:
    """Change one literal of ngos.ttl (the first English label gets a suffix)."""
    f = data / "ngos.ttl"
    text = f.read_text()
    new, n = re.subn(r'(rdfs:label "[^"]*)("@en)', r"\1 (edited)\2", text, count=1)
    assert n == 1, "ngos.ttl has no English label to edit"
    f.write_text(new)
    return "one line of ngos.ttl changed"


def edit_hundred(data: Path) -> str:
    """Add 100 triples to ngos.ttl: copies of its records' triples about new subjects."""
    import pyoxigraph as ox

    f = data / "ngos.ttl"
    triples = [t for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE) if isinstance(t.subject, ox.NamedNode)]
    lines = []
    for i in range(100):
        t = triples[i % len(triples)]
        s = ox.NamedNode(f"{t.subject.value}-copy-{i // len(triples)}")
        lines.append(str(ox.Triple(s, t.predicate, t.object)) + " .")
    with open(f, "a") as out:
        out.write("\n" + "\n".join(lines) + "\n")
    return "100 triples added to ngos.ttl"


def remove_file(data: Path) -> str:
    """Remove ngos.ttl."""
    (data / "ngos.ttl").unlink()
    return "ngos.ttl removed"


EDITS = (("one-line", edit_one_line), ("hundred-triples", edit_hundred), ("removed-file", remove_file))


def measure(home: Path, work: Path) -> dict:
    """Build a copy of the curated graph with HOME's imports, then time each edit of EDITS."""
    os.environ["LATTICE_HOME"] = str(home)
    from kg import paths
    from kg.build import build
    from kg.validate.command import validate

    data = work / "data"
    shutil.copytree(paths.DATA_DIR, data)
    paths.DATA_DIR = data
    dataset = work / "build"
    t = time.perf_counter()
    res = build(dataset)
    out: dict = {"triples": getattr(res, "triples", None), "first_build_s": round(time.perf_counter() - t, 3)}
    t = time.perf_counter()
    first = validate(None, dataset=dataset, keep_state=True, full=True)
    out["full_validate_s"] = round(time.perf_counter() - t, 3)
    inc = first.incremental
    out["state_mb"] = round(inc.state_bytes / 2**20, 1)
    out["state_write_s"] = round(inc.state_seconds, 3)
    out["results"] = len(first.results)
    # the on-disk index of a large dataset, made once per full build by its first reader or incremental build
    from kg.store import open_read_store

    t = time.perf_counter()
    open_read_store(dataset)
    out["index_s"] = round(time.perf_counter() - t, 3)
    out["edits"] = {}
    for name, apply in EDITS:
        what = apply(data)
        t = time.perf_counter()
        build(dataset)
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        report = validate(None, dataset=dataset, keep_state=True)
        validate_s = time.perf_counter() - t
        outcome = report.incremental
        t = time.perf_counter()
        full = validate(None, dataset=dataset, keep_state=True, full=True)
        full_s = time.perf_counter() - t
        out["edits"][name] = {
            "edit": what,
            "build_s": round(build_s, 3),
            "validate_incremental_s": round(validate_s, 3),
            "validate_full_s": round(full_s, 3),
            "loop_s": round(build_s + validate_s, 3),
            "mode": outcome.mode,
            "on_disk": outcome.on_disk,
            "line": outcome.line(),
            "timings": {k: round(v, 3) for k, v in outcome.timings.items()},
            "identical": Counter(report.results) == Counter(full.results),
            "results": len(report.results),
        }
    out["cli"] = measure_cli(home, work / "cli")
    return out


def _kg(home: Path, *args: str) -> float:
    """Run one `kg` command with LATTICE_HOME=HOME; its wall time."""
    env = dict(os.environ, LATTICE_HOME=str(home))
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "kg", *args], cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 1):  # 1: the validation found violations
        raise RuntimeError(f"kg {' '.join(args)}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return time.perf_counter() - t


def measure_cli(home: Path, cli: Path) -> dict:
    """The loop as two commands: a home whose imports are HOME's and a copy of ngos.ttl, one line of it edited."""
    from kg import paths

    imports = cli / "imports"
    imports.mkdir(parents=True)
    for f in sorted((home / "imports").iterdir()):
        (imports / f.name).symlink_to(f.resolve())
    shutil.copyfile(paths.PACKAGE_DIR / "data" / "ngos.ttl", imports / "zz-edited.ttl")
    out = {"first_build_s": round(_kg(cli, "build", "-q"), 3)}
    out["first_validate_s"] = round(_kg(cli, "validate", "--format", "json"), 3)
    loops = []
    for i in range(3):
        f = imports / "zz-edited.ttl"
        text, n = re.subn(r'(rdfs:label "[^"]*)("@en)', rf"\1 (edit {i})\2", f.read_text(), count=1)
        assert n == 1
        f.write_text(text)
        b = _kg(cli, "build", "-q")
        v = _kg(cli, "validate", "--format", "json")
        loops.append({"build_s": round(b, 3), "validate_s": round(v, 3), "loop_s": round(b + v, 3)})
    out["first_edit"] = loops[0]  # makes the on-disk index of the full build
    out["one_line"] = min(loops[1:], key=lambda x: x["loop_s"])
    out["runs"] = loops
    return out


def run(r, home: Path, timeout: float) -> dict:
    """Run this benchmark in a fresh process for bench/run.py (Runner R); its figures, or status and error."""
    result = r.work / "edit-loop.json"
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, str(Path(__file__)), "--home", str(home), "--json", str(result)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "error": f"stopped after {timeout:.0f} s"}
    if proc.returncode != 0 or not result.is_file():
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        return {"status": "error", "error": tail[0]}
    figures = json.loads(result.read_text())
    figures.update(status="ok", wall_seconds=round(time.perf_counter() - started, 1))
    return figures


def target(results: dict) -> dict:
    """The edit-loop target row for bench/run.py's table of targets."""
    loop = None
    for e in results.get("inputs", []):
        if isinstance(e.get("edit_loop"), dict):
            loop = e["edit_loop"].get("edits", {}).get("one-line")
    cli = None
    for e in results.get("inputs", []):
        if isinstance(e.get("edit_loop"), dict):
            cli = e["edit_loop"].get("cli", {}).get("one_line")
    measured = cli["loop_s"] if cli else (loop["loop_s"] if loop else None)
    return {
        "id": "edit-loop",
        "target": f"real data: kg build + kg validate after a one-line change < {LOOP_TARGET_S} s, same results",
        "threshold": LOOP_TARGET_S,
        "unit": "s",
        "measured": measured,
        "pass": None if loop is None else (measured < LOOP_TARGET_S and loop["identical"]),
        "note": ""
        if loop is None
        else (f"as two kg commands: build {cli['build_s']} s + validate {cli['validate_s']} s; " if cli else "")
        + f"in one process: build {loop['build_s']} s + validate {loop['validate_incremental_s']} s "
        f"(full validate {loop['validate_full_s']} s)",
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, required=True, help="a LATTICE_HOME with the imports to build with")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="lattice-edit-loop-"))
    try:
        figures = measure(args.home.resolve(), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = json.dumps(figures, indent=2)
    if args.json:
        args.json.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
