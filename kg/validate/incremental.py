"""Incremental validation of the built dataset: the state kept beside it, what changed since, and the merge.

`kg validate` on the built dataset keeps, in `<dataset>.validation/` beside the dataset folder (a build
replaces the folder, so the state lives next to it): `state.json` (the stamp of the engine and the shapes,
the SHA-256 of every source file it validated, its results grouped by top shape) and `sources/<sha256>`, a
copy of each of those files. The next run parses the old and the new version of each file whose SHA-256
changed, takes the difference as the changed triples, and re-checks only the focus nodes they can affect
(kg/shacl/affected.py); the results of every other focus node are taken from the state. A missing, damaged
or differently stamped state, a changed ontology graph or class hierarchy, or `--full` validates in full.
Blank nodes get labels that depend only on the file and the order they appear in it, so that a reused result
names the same node as a fresh one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.fileio import check_rdf_file, from_oxigraph_syntax_error, load_rdf, rdf_format, write_atomic
from kg.memory import fits
from kg.shacl.result import Result
from kg.validate.ondisk import VALIDATED, blank_free, clean, keep, load_apart, put_in_place, updated_copy
from kg.validate.summaries import read_summaries, write_summaries

STATE_FORMAT = 1
STATE_FILE = "state.json"
SHA256 = re.compile(r"[0-9a-f]{64}")
AFFECTED_LIMIT = 50000  # nodes a shape's walk back from the changes may reach before it is validated whole


@dataclass
class Source:
    """One file the validated graph is read from."""

    path: str
    sha256: str
    ontology: bool = False  # the ontology graph: a change to it validates in full


@dataclass
class Outcome:
    """What an incremental (or full) run did, for the line `kg validate` prints."""

    mode: str = "full"  # "full" or "incremental"
    reason: str = ""  # why a run was full
    added: int = 0
    removed: int = 0
    shapes_whole: int = 0  # shapes validated on all their focus nodes
    shapes_narrowed: int = 0  # shapes re-checked only on the focus nodes the edit can affect
    rechecked: int = 0  # focus nodes re-checked by the narrowed shapes
    reused: int = 0  # results taken from the previous run
    reused_focus: int = 0  # distinct (shape, focus node) pairs of those results
    state_bytes: int = 0
    state_seconds: float = 0.0
    on_disk: bool = False  # the validated graph was on disk (kept and updated by the difference, or too large)
    timings: dict[str, float] = field(default_factory=dict)

    def line(self) -> str:
        """One line saying what was re-checked and what was reused."""
        if self.mode == "full":
            full = "validated in full" + (" on disk" if self.on_disk else "")
            return f"{full} ({self.reason})" if self.reason else full
        return (
            f"incremental: {self.added} triples added, {self.removed} removed; re-checked {self.rechecked} focus "
            f"nodes of {self.shapes_narrowed} shapes and {self.shapes_whole} shapes whole; reused {self.reused} "
            f"results on {self.reused_focus} focus nodes"
        )


def state_dir(dataset: Path) -> Path:
    """Where the validation state of the dataset folder DATASET lives: beside it, since a build replaces it."""
    dataset = Path(dataset)
    return dataset.parent / f"{dataset.name}.validation"


def engine_stamp() -> str:
    """What must equal for a state to be reused: the state format, the version and the engine's code."""
    import kg.shacl
    from kg.version import __version__

    h = hashlib.sha256(f"{STATE_FORMAT} {__version__}".encode())
    for f in sorted([*Path(kg.shacl.__file__).parent.glob("*.py"), Path(__file__)]):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def shapes_stamp(files: list[str]) -> str:
    """The SHA-256 of the shapes files (their names and contents)."""
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(str(f).encode() + b"\0" + file_sha256(Path(f)).encode())
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def current_sources(dataset: Path) -> list[Source] | None:
    """The files the validated graphs of the built DATASET are read from (its manifest's inputs, unchanged
    since the build, and the derived records); None when an input changed since the build (the caller then
    validates the usual way)."""
    from kg.build import DERIVED
    from kg.namespaces import GRAPH_CURATED, GRAPH_IMPORT, GRAPH_ONTOLOGY

    try:
        manifest = json.loads((dataset / "manifest.json").read_text())
        out = []
        for i in manifest["inputs"]:
            g = i["graph"]
            if g != GRAPH_ONTOLOGY and not g.startswith((GRAPH_CURATED, GRAPH_IMPORT)):
                continue
            st = Path(i["path"]).stat()
            if st.st_size != i["size"]:
                return None
            if st.st_mtime_ns != i["mtime_ns"] and file_sha256(Path(i["path"])) != i["sha256"]:
                return None  # touched since the build: still the file built when its content is the same
            out.append(Source(str(i["path"]), str(i["sha256"]), g == GRAPH_ONTOLOGY))
        derived = dataset / DERIVED
        out.append(Source(str(derived), file_sha256(derived)))
    except (OSError, KeyError, ValueError, TypeError):
        return None
    return out


def parse_source(path: Path, label: str, read: Path | None = None) -> list[ox.Triple]:
    """The triples of the RDF file PATH (read from READ when given: an older copy), every graph merged."""
    return list(source_triples(path, label, read))


def source_triples(path: Path, label: str, read: Path | None = None) -> Iterator[ox.Triple]:
    """The triples of the RDF file PATH (read from READ when given), every graph merged, as they are parsed.

    Blank nodes of a graph file are labelled from LABEL and the order they appear in (the parser makes new
    ones every time); a dataset file (N-Quads, TriG) keeps the labels it writes, as `load_rdf` does.
    """
    fmt = rdf_format(path)
    src = read or path
    check_rdf_file(src, fmt)
    names: dict[str, ox.BlankNode] = {}

    def name(t):
        if isinstance(t, ox.BlankNode) and not fmt.supports_datasets:
            b = names.get(t.value)
            if b is None:
                b = names[t.value] = ox.BlankNode(f"{label}x{len(names)}")
            return b
        return t

    try:
        for q in ox.parse(path=str(src), format=fmt):
            yield ox.Triple(name(q.subject), q.predicate, name(q.object))
    except SyntaxError as err:
        raise from_oxigraph_syntax_error(err, path) from None
    except ValueError as err:
        raise InputError(str(err), path=path) from None


def source_label(path: str) -> str:
    """The blank node label prefix of a source file: the same for the same path in every run."""
    return "s" + hashlib.sha256(path.encode()).hexdigest()[:12]


def load_sources(sources: list[Source]) -> ox.Store:
    """The validated graph: every source merged into the default graph of one in-memory store."""
    datasets = [s for s in sources if rdf_format(s.path).supports_datasets]
    store = load_rdf([s.path for s in datasets])
    dg = ox.DefaultGraph()
    for s in sources:
        if s not in datasets:
            triples = parse_source(Path(s.path), source_label(s.path))
            store.extend(ox.Quad(t.subject, t.predicate, t.object, dg) for t in triples)
    return store


def load_shapes_stable(files: list[str]) -> ox.Store:
    """The shapes graph of FILES with blank node labels fixed by file and order, so that an anonymous
    property shape has the same id in every run (a reused result names it as a fresh one does)."""
    store = ox.Store()
    dg = ox.DefaultGraph()
    for f in files:
        triples = parse_source(Path(f), source_label(str(f)))
        store.extend(ox.Quad(t.subject, t.predicate, t.object, dg) for t in triples)
    return store


def read_state(where: Path) -> dict | None:
    """The stored state, or None when it is missing or unreadable."""
    try:
        state = json.loads((where / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        return None
    sources, ontology, results = state.get("sources"), state.get("ontology"), state.get("results")
    if not (
        isinstance(sources, dict)
        and all(isinstance(k, str) and isinstance(v, str) and SHA256.fullmatch(v) for k, v in sources.items())
        and isinstance(ontology, list)
        and all(isinstance(p, str) for p in ontology)
        and isinstance(results, dict)
        and all(isinstance(v, list) and all(_result_ok(d) for d in v) for v in results.values())
    ):
        return None
    return state


def _result_ok(d: object) -> bool:
    """True when D is a stored result: its text fields are strings (path and value may be null)."""
    if not isinstance(d, dict):
        return False
    required = ("focus", "shape", "component", "severity", "message")
    return all(isinstance(d.get(k), str) for k in required) and all(
        d.get(k) is None or isinstance(d.get(k), str) for k in ("path", "value")
    )


def difference(old: dict[str, str], sources: list[Source], copies: Path) -> tuple[set, set] | None:
    """The triples added and removed since the state whose sources (path -> SHA-256) are OLD; None when the
    copy of an old version is missing."""
    new = {s.path: s for s in sources}
    added: set[ox.Triple] = set()
    removed: set[ox.Triple] = set()
    for path in sorted(set(old) | set(new)):
        before = old.get(path)
        now = new.get(path)
        if now is not None and before == now.sha256:
            continue
        label = source_label(path)
        if before is not None and (not (copies / before).is_file() or file_sha256(copies / before) != before):
            return None  # the copy of the old version is missing or not what it was
        if before is not None and now is not None and rdf_format(path) in LINE_FORMATS:
            old_triples, new_triples = line_difference(copies / before, Path(path))
        else:
            old_triples = set(parse_source(Path(path), label, read=copies / before)) if before is not None else set()
            new_triples = set(parse_source(Path(path), label)) if now is not None else set()
        added |= new_triples - old_triples
        removed |= old_triples - new_triples
    return added, removed


LINE_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES)  # one statement per line


def line_difference(old: Path, new: Path) -> tuple[set[ox.Triple], set[ox.Triple]]:
    """The triples of the lines of OLD not in NEW, and of NEW not in OLD (N-Triples or N-Quads, whose blank
    node labels the parser keeps): only the lines that differ are parsed. A triple written twice, or alike in
    two spellings, may show on both sides; the caller's difference of the two sets cancels it."""
    fmt = rdf_format(new)
    a = set(old.read_bytes().splitlines())
    b = set(new.read_bytes().splitlines())

    def parse(lines: set[bytes], where: Path) -> set[ox.Triple]:
        try:
            return {
                ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(b"\n".join(sorted(lines)) + b"\n", format=fmt)
            }
        except SyntaxError as err:
            raise from_oxigraph_syntax_error(err, where) from None

    return parse(a - b, old), parse(b - a, new)


def result_to_json(r: Result) -> dict:
    return asdict(r)


def result_from_json(d: dict) -> Result:
    return Result(
        focus=str(d["focus"]),
        shape=str(d["shape"]),
        component=str(d["component"]),
        severity=str(d["severity"]),
        path=d.get("path"),
        value=d.get("value"),
        message=str(d["message"]),
    )


def save_state(where: Path, stamp: dict, sources: list[Source], grouped: dict[str, list[Result]]) -> tuple[int, float]:
    """Write the state: copies of the source files not copied yet, then state.json, then drop unused copies.

    Returns the bytes the state takes and the seconds the writing took. A file that changed while it was
    copied (its SHA-256 is not the one validated) leaves no state behind.
    """
    started = time.perf_counter()
    copies = where / "sources"
    copies.mkdir(parents=True, exist_ok=True)
    for s in sources:
        dest = copies / s.sha256
        if dest.is_file():
            continue
        tmp = copies / f"{s.sha256}.tmp-{os.getpid()}"
        shutil.copyfile(s.path, tmp)
        if file_sha256(tmp) != s.sha256:
            tmp.unlink(missing_ok=True)
            (where / STATE_FILE).unlink(missing_ok=True)
            return 0, time.perf_counter() - started
        os.replace(tmp, dest)
    state = {
        "format": STATE_FORMAT,
        **stamp,
        "sources": {s.path: s.sha256 for s in sources},
        "ontology": sorted(s.path for s in sources if s.ontology),
        "results": {k: [result_to_json(r) for r in v] for k, v in sorted(grouped.items())},
    }
    write_atomic(where / STATE_FILE, json.dumps(state, separators=(",", ":")))
    keep = {s.sha256 for s in sources}
    size = (where / STATE_FILE).stat().st_size
    for f in copies.iterdir():
        if f.name in keep:
            size += f.stat().st_size
        else:
            f.unlink(missing_ok=True)
    return size, time.perf_counter() - started


def previous_results(state: dict) -> dict[str, list[Result]] | None:
    """The results a state holds, by top shape; None when they are damaged."""
    try:
        return {str(k): [result_from_json(d) for d in v] for k, v in (state.get("results") or {}).items()}
    except (TypeError, AttributeError, KeyError):
        return None


def run_full(store: ox.Store, shapes_store: ox.Store, jobs: int, summaries: dict | None = None):
    """Every top shape's results on the whole graph; SUMMARIES, when given, gets what the SPARQL-only shapes read
    (kg.shacl.affected.sparql_plan): the next incremental run need not parse their queries."""
    from kg.shacl.affected import sparql_plan
    from kg.shacl.engine import Engine

    engine = Engine(store, shapes_store)
    for s in engine.top_shapes() if summaries is not None else []:
        sparql_plan(engine, s, [], summaries)
    return engine.run_shapes(engine.top_shapes(), jobs)


def run_narrowed(
    store: ox.Store,
    shapes_store: ox.Store,
    jobs: int,
    changed: list[ox.Triple],
    previous: dict[str, list[Result]],
    outcome: Outcome,
    summaries: dict | None = None,
) -> dict[str, list[Result]]:
    """Every top shape's results: those the CHANGED triples can affect computed afresh, the rest from PREVIOUS."""
    from kg.shacl.affected import affected_nodes, analyse, changes_hierarchy, sparql_plan, targets_among
    from kg.shacl.engine import Engine
    from kg.shacl.model import term_id

    engine = Engine(store, shapes_store)
    tops = engine.top_shapes()
    whole, narrowed, within = [], [], {}
    by_value: list = []  # (shape, values): SPARQL-only shapes re-checked for some values of ?value (sparql_plan)
    affected: dict[str, set[str]] = {}  # per analysed shape: the nodes whose previous results are dropped
    everything = changes_hierarchy(changed)  # sh:class and class targets read the hierarchy everywhere
    for s in tops:
        if everything or s.id not in previous:
            whole.append(s)
            continue
        reads = analyse(engine, s)
        if reads is None:
            plan = sparql_plan(engine, s, changed, summaries)
            if plan is None:
                whole.append(s)
            elif plan.unaffected:
                affected[s.id] = set()
            else:
                by_value.append((s, plan.values))
            continue
        nodes = affected_nodes(store, reads, changed, AFFECTED_LIMIT)
        if nodes is None:
            whole.append(s)
            continue
        affected[s.id] = {term_id(n) for n in nodes}
        focus = targets_among(engine, s, nodes)  # a node that left the targets just loses its results
        if focus:
            narrowed.append(s)
            within[s.node] = focus
    grouped = {k: list(v) for k, v in previous.items() if k in {s.id for s in tops}}
    reused: list[tuple[str, str]] = []
    for k, ids in affected.items():
        grouped[k] = [r for r in grouped.get(k, []) if r.focus not in ids]
    for s, values in by_value:
        ids = {term_id(v) for v in values}
        grouped[s.id] = [r for r in grouped.get(s.id, []) if r.value not in ids]
    for k in {s.id for s in tops} - {s.id for s in whole}:
        reused.extend((k, r.focus) for r in grouped.get(k, []))
    if narrowed:
        fresh = engine.run_shapes(narrowed, 1, within)
        for s in narrowed:
            grouped[s.id] = grouped.get(s.id, []) + fresh.get(s.id, [])
        outcome.rechecked = engine.checked
    if by_value:
        again = Engine(store, shapes_store)
        again.values_within = {s.node: values for s, values in by_value}
        fresh = again.run_shapes([s for s, _ in by_value], 1)
        for s, _ in by_value:
            grouped[s.id] = grouped.get(s.id, []) + fresh.get(s.id, [])
    if whole:
        again = Engine(store, shapes_store)
        fresh = again.run_shapes(whole, jobs)
        for s in whole:
            grouped[s.id] = fresh.get(s.id, [])
    outcome.shapes_whole, outcome.shapes_narrowed = len(whole), len(narrowed) + len(by_value)
    if everything:
        outcome.reason = "the class hierarchy changed"
    outcome.reused, outcome.reused_focus = len(reused), len(set(reused))
    return grouped


def _plan(state: dict | None, stamp: dict, sources: list[Source], where: Path, full: bool, outcome: Outcome):
    """What an incremental run re-checks: (triples added, triples removed, the previous results by shape), or
    None with OUTCOME.reason saying why the run is full."""
    if full:
        outcome.reason = "--full"
    elif state is None:
        outcome.reason = "no stored state"
    elif any(state.get(k) != v for k, v in stamp.items()):
        outcome.reason = "the engine or the shapes changed since the stored state"
    else:
        old_sources = state.get("sources") or {}
        new_sha = {s.path: s.sha256 for s in sources}
        onto = set(state.get("ontology") or []) | {s.path for s in sources if s.ontology}
        if any(old_sources.get(p) != new_sha.get(p) for p in onto):
            outcome.reason = "the ontology changed"
            return None
        diff = difference(old_sources, sources, where / "sources")
        if diff is None:
            outcome.reason = "the stored state is incomplete"
            return None
        previous = previous_results(state)
        if previous is None:
            outcome.reason = "the stored state is damaged"
            return None
        added, removed = diff
        outcome.added, outcome.removed = len(added), len(removed)
        return added, removed, previous
    return None


def _validate_on_disk(ds: Path, where: Path, plan: tuple, sources, stamp, shapes_store, outcome: Outcome):
    """The incremental run on the validated graph kept on disk (kg.validate.ondisk): the difference applied to
    a copy of it, the affected focus nodes re-checked there, and the copy put in its place."""
    from kg.diskindex import DISK_INDEX

    added, removed, _previous = plan
    t0 = time.perf_counter()
    with updated_copy(where, ds / DISK_INDEX, added, removed) as copy:
        assert copy.store is not None
        outcome.timings["load"] = time.perf_counter() - t0
        outcome.on_disk = True
        grouped = _recheck(copy.store, shapes_store, 1, plan, outcome, where)
    target = where / VALIDATED
    if not _save(where, stamp, sources, grouped, outcome):
        shutil.rmtree(target, ignore_errors=True)
    results = [r for v in grouped.values() for r in v]
    return ox.Store.read_only(str(target)) if target.is_dir() else load_sources(sources), results, outcome, 1


def validate_dataset(dataset, shapes_store: ox.Store, shape_files: list[str], jobs: int, full: bool = False):
    """Validate the built DATASET with the shapes graph SHAPES_STORE, incrementally when a usable state is
    stored beside it (unless FULL), and store the state for the next run.

    Returns the validated store, the results, and the Outcome; None when the dataset's inputs changed since
    its build (the caller validates the usual way). A large dataset's validated graph is kept on disk beside
    the state and updated by the difference (VALIDATED) when the build has its on-disk index too.
    """
    from kg.store import dataset_dir, ensure_built

    ensure_built(dataset)
    ds = dataset_dir(dataset)
    t0 = time.perf_counter()
    sources = current_sources(ds)
    if sources is None:
        return None
    where = state_dir(ds)
    with _state_lock(where):  # two runs at once would both replace the state and the graph kept on disk
        return _validate_with_state(ds, where, sources, shapes_store, shape_files, jobs, full, t0)


def _state_lock(where: Path) -> contextlib.ExitStack:
    """The lock of the validation state WHERE, held when it can be taken (a read-only folder keeps no state)."""
    from kg.build import lock

    stack = contextlib.ExitStack()
    try:
        stack.enter_context(lock(where))
    except OSError:
        pass
    return stack


def _recheck(store: ox.Store, shapes_store: ox.Store, jobs: int, plan: tuple, outcome: Outcome, where: Path):
    """An incremental run's results: the focus nodes the difference in PLAN can affect re-checked, with what
    each SPARQL constraint reads kept beside the state WHERE."""
    added, removed, previous = plan
    t1 = time.perf_counter()
    outcome.mode = "incremental"
    summaries = read_summaries(where)
    grouped = run_narrowed(store, shapes_store, jobs, sorted(added | removed, key=str), previous, outcome, summaries)
    write_summaries(where, summaries)
    outcome.timings["validate"] = time.perf_counter() - t1
    return grouped


def _save(where: Path, stamp: dict, sources: list[Source], grouped: dict, outcome: Outcome) -> bool:
    """Keep the state of this run; False, with a message, when it cannot be written."""
    try:
        outcome.state_bytes, outcome.state_seconds = save_state(where, stamp, sources, grouped)
    except OSError as exc:
        import sys

        print(f"{where}: cannot keep the validation state: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def _validate_with_state(ds: Path, where: Path, sources, shapes_store, shape_files, jobs: int, full: bool, t0: float):
    """validate_dataset, under the lock of the state WHERE."""
    from kg.build import read_manifest
    from kg.diskindex import DISK_INDEX, large
    from kg.shacl.engine import can_fork, default_jobs

    clean(where)
    outcome = Outcome()
    stamp = {"engine": engine_stamp(), "shapes": shapes_stamp(shape_files)}
    state = None if full else read_state(where)
    plan = _plan(state, stamp, sources, where, full, outcome)
    outcome.timings["difference"] = time.perf_counter() - t0
    on_disk = large(read_manifest(ds))
    if plan is not None and on_disk and (where / VALIDATED).is_dir() and (ds / DISK_INDEX).is_dir():
        return _validate_on_disk(ds, where, plan, sources, stamp, shapes_store, outcome)
    shutil.rmtree(where / VALIDATED, ignore_errors=True)  # it would no longer match the state
    t0 = time.perf_counter()
    apart = None if fits([s.path for s in sources], "validate") else where  # too large for memory: on disk
    if apart is not None:
        store, folder = load_apart(where, [s.path for s in sources], lambda p: source_triples(p, source_label(str(p))))
        outcome.on_disk = True
    else:
        store = load_sources(sources)
    outcome.timings["load"] = time.perf_counter() - t0
    jobs = jobs or default_jobs(store)
    jobs = jobs if jobs > 1 and can_fork() else 1
    if plan is not None:
        grouped = _recheck(store, shapes_store, jobs, plan, outcome, where)
    else:
        t1 = time.perf_counter()
        grouped = run_full(store, shapes_store, jobs, summaries := read_summaries(where))
        outcome.timings["validate"] = time.perf_counter() - t1
        write_summaries(where, summaries)
    datasets = [s.path for s in sources if rdf_format(s.path).supports_datasets]
    saved = _save(where, stamp, sources, grouped, outcome)
    if apart is not None:
        del store  # closed before its folder is moved
        store = put_in_place(where, folder, saved and on_disk and all(blank_free(p) for p in datasets))
    elif saved:
        keep(where, on_disk, datasets, store)
    results = [r for v in grouped.values() for r in v]
    return store, results, outcome, jobs
